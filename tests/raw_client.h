/*
 * raw_client.h - a client of bare sockets, for the server tests that must
 * send exactly the bytes they mean (slow, partial, malformed).
 *
 * Every socket gets receive and send timeouts, so a server that never
 * answers fails the test instead of hanging it.  Include after cmocka.h.
 */
#ifndef CONCLAB_TEST_RAW_CLIENT_H
#define CONCLAB_TEST_RAW_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

/* A connection to 127.0.0.1:port, reads and writes failing after
 * timeout_s. */
static inline int raw_connect(int port, int timeout_s) {
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
  struct timeval tv = {timeout_s, 0};
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
    fail_msg("connect to port %d: %s", port, strerror(errno));
  return fd;
}

/* Send every byte, however the kernel takes them. */
static inline void raw_send(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      fail_msg("send: %s", strerror(errno));
    data += n;
    len -= (size_t)n;
  }
}

#endif
