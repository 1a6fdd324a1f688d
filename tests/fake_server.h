/*
 * fake_server.h - a small HTTP server of the test's own, on a thread, for
 * the misbehaviours conclab serve never shows a client.
 *
 * It answers the first `answers` requests of each connection with
 * `reply` (NULL: a kept-alive 200 "ok"), one connection at a time, then
 * closes the connection when the next request comes, unanswered: so
 * answers 1 is a server that drops kept-alive connections, answers 0 one
 * that answers nothing, and a reply of two answers is a server that sends
 * more than it was asked.  Include after cmocka.h.
 */
#ifndef CONCLAB_TEST_FAKE_SERVER_H
#define CONCLAB_TEST_FAKE_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "workload.h" /* wl_write_full */

typedef struct fake_server {
  int fd, answers, accepted;
  const char *reply;
  atomic_int stop; /* set by the test's thread, read by the server's */
  pthread_t thread;
} fake_server;

/* Read one request head; 0, or -1 at EOF or error. */
static inline int fake_read_request(int fd) {
  char buf[2048];
  size_t have = 0;
  while (have < sizeof buf - 1) {
    ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    have += (size_t)n;
    buf[have] = '\0';
    if (strstr(buf, "\r\n\r\n") != NULL)
      return 0;
  }
  return -1;
}

static inline void fake_serve_one(fake_server *s, int fd) {
  for (int i = 0; fake_read_request(fd) == 0 && i < s->answers; i++)
    if (wl_write_full(fd, s->reply, strlen(s->reply)) != 0)
      break;
  close(fd); /* at the request after the answers: unanswered */
}

static inline void *fake_main(void *arg) {
  fake_server *s = arg;
  while (!atomic_load(&s->stop)) {
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    int fd;
    if (poll(&p, 1, 20) <= 0)
      continue;
    if ((fd = accept(s->fd, NULL, NULL)) < 0)
      continue;
    s->accepted++;
    fake_serve_one(s, fd);
  }
  return NULL;
}

/* Listen on 127.0.0.1 (a free port), its base URL into url. */
static inline void fake_start(fake_server *s, int answers, const char *reply,
                              char *url, size_t cap) {
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof a;
  memset(s, 0, sizeof *s);
  atomic_init(&s->stop, 0);
  s->answers = answers;
  s->reply = reply != NULL ? reply
                           : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->fd >= 0);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(s->fd, 16), 0);
  assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
  snprintf(url, cap, "http://127.0.0.1:%d", ntohs(a.sin_port));
  assert_int_equal(pthread_create(&s->thread, NULL, fake_main, s), 0);
}

/* Stop it; the connections it accepted. */
static inline int fake_stop(fake_server *s) {
  atomic_store(&s->stop, 1);
  assert_int_equal(pthread_join(s->thread, NULL), 0);
  close(s->fd);
  return s->accepted;
}

#endif
