/*
 * setup.c - what every server model does the same way: listen, print the
 * URL, take the stop signals, say what was served; and the choice of model.
 *
 * Lesson: the four models differ only in who waits for what.  The socket
 * they listen on, the signals that stop them and the answers they give
 * (request.c) are one and the same, so a measured difference between them
 * is the model's.
 */
#define _GNU_SOURCE /* accept4 flags on the listener: SOCK_NONBLOCK */
#include "models.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* The same words libuv uses ("address already in use"), whichever model
 * failed to listen. */
static int sv_listen_failed(const sv_options *o, int fd, int err) {
  fprintf(stderr, "conclab: serve: listen on %s:%d: %s\n", o->host, o->port,
          uv_strerror(uv_translate_sys_error(err)));
  if (fd >= 0)
    close(fd);
  return -1;
}

int sv_listen_socket(const sv_options *o, int *port) {
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)o->port)};
  socklen_t len = sizeof addr;
  int one = 1;
  int fd;

  if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
    return sv_listen_failed(o, -1, EINVAL);
  fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return sv_listen_failed(o, -1, errno);
  /* A restarted server may bind the port its predecessor's connections
   * still hold in TIME_WAIT (libuv's uv_tcp_bind does the same). */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(fd, SV_BACKLOG) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
    return sv_listen_failed(o, fd, errno);
  *port = ntohs(addr.sin_port);
  return fd;
}

void sv_print_url(const sv_options *o, int port) {
  printf("http://%s:%d\n", o->host, port);
  fflush(stdout);
}

void sv_ignore_sigpipe(void) {
  struct sigaction ignore = {.sa_handler = SIG_IGN};
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, NULL);
}

void sv_unblock_stop_signals(void) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
}

void sv_say_stopped(const sv_options *o, unsigned long connections,
                    unsigned long requests) {
  if (!o->quiet)
    fprintf(stderr, "conclab serve: stopped after %lu connections, %lu "
            "requests\n", connections, requests);
}

int sv_serve(const sv_options *o) {
  switch (o->model) {
  case SV_MODEL_SEQ:
    return sv_serve_seq(o);
  case SV_MODEL_THREADED:
    return sv_serve_threaded(o);
  case SV_MODEL_MULTIPROC:
    return sv_serve_prefork(o);
  case SV_MODEL_ASYNC:
    break;
  }
  return sv_serve_async(o);
}
