/*
 * get.c - a blocking GET on plain sockets (see get.h).
 *
 * The socket is non-blocking only so that every wait can be a poll()
 * with the attempt's remaining time: a blocking read has no deadline.
 * send(MSG_NOSIGNAL): a server that closed the connection must fail the
 * write, not kill the process with SIGPIPE.
 */
#define _GNU_SOURCE /* SOCK_NONBLOCK, SOCK_CLOEXEC, MSG_NOSIGNAL */
#include "get.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline (0: none).  1 ready, 0 the
 * time is up, -1 an error (errno). */
static int wait_for(int fd, short events, int64_t deadline) {
  struct pollfd p = {.fd = fd, .events = events};
  for (;;) {
    int ms = -1, n;
    if (deadline > 0) {
      int64_t left = deadline - now_ms();
      if (left <= 0)
        return 0;
      ms = left > 1000000 ? 1000000 : (int)left;
    }
    n = poll(&p, 1, ms);
    if (n > 0)
      return 1;
    if (n == 0 && deadline > 0)
      continue; /* recomputed: returns 0 once the deadline has passed */
    if (n < 0 && errno != EINTR)
      return -1;
  }
}

static void drop(wl_getter *g) {
  if (g->fd >= 0)
    close(g->fd);
  g->fd = -1;
  g->answered = 0;
}

/* A new connection.  0, or an end with *err set. */
static int connect_fresh(wl_getter *g, int64_t deadline, int *err) {
  int fd = socket(g->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
                                         SOCK_CLOEXEC, 0);
  int one = 1, r;
  socklen_t len = sizeof *err;

  if (fd < 0) {
    *err = errno;
    return WL_GET_FAILED;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  g->fd = fd;
  g->answered = 0;
  r = connect(fd, (struct sockaddr *)&g->addr, g->addrlen);
  if (r != 0 && errno != EINPROGRESS && errno != EINTR) {
    *err = errno;
    return WL_GET_FAILED;
  }
  if (r != 0) { /* in progress: writable once it is made, or failed */
    r = wait_for(fd, POLLOUT, deadline);
    if (r <= 0) {
      *err = r == 0 ? ETIMEDOUT : errno;
      return r == 0 ? WL_GET_TIMEOUT : WL_GET_FAILED;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) != 0)
      *err = errno;
    if (*err != 0)
      return WL_GET_FAILED;
  }
  return 0;
}

/* Write the whole request.  0, or an end with *err set. */
static int send_all(wl_getter *g, const char *req, size_t len,
                    int64_t deadline, int *err) {
  while (len > 0) {
    ssize_t n = send(g->fd, req, len, MSG_NOSIGNAL);
    if (n > 0) {
      req += n;
      len -= (size_t)n;
    } else if (n < 0 && errno == EAGAIN) {
      int r = wait_for(g->fd, POLLOUT, deadline);
      if (r <= 0) {
        *err = r == 0 ? ETIMEDOUT : errno;
        return r == 0 ? WL_GET_TIMEOUT : WL_GET_FAILED;
      }
    } else if (n < 0 && errno != EINTR) {
      *err = errno;
      return WL_GET_FAILED;
    }
  }
  return 0;
}

/* Read until the answer is whole.  ANSWERED (*more: bytes came after
 * it), or a failure with *err or resp->error set. */
static wl_get_end read_answer(wl_getter *g, int64_t deadline, wl_resp *resp,
                              int *err, int *more) {
  for (;;) {
    ssize_t n = read(g->fd, g->buf, sizeof g->buf);
    if (n > 0) {
      size_t used = wl_resp_feed(resp, g->buf, (size_t)n);
      if (resp->error != WL_RESP_OK)
        return WL_GET_FAILED;
      if (resp->done) {
        *more = used < (size_t)n;
        return WL_GET_ANSWERED;
      }
    } else if (n == 0) { /* the server closed: a body that ran until now */
      *more = 1;         /* (the connection is gone either way) */
      return wl_resp_eof(resp) == WL_RESP_OK ? WL_GET_ANSWERED
                                              : WL_GET_FAILED;
    } else if (errno == EAGAIN) {
      int r = wait_for(g->fd, POLLIN, deadline);
      if (r <= 0) {
        *err = r == 0 ? ETIMEDOUT : errno;
        return r == 0 ? WL_GET_TIMEOUT : WL_GET_FAILED;
      }
    } else if (errno != EINTR) {
      *err = errno;
      return WL_GET_FAILED;
    }
  }
}

/* One try on the kept connection or a new one. */
static wl_get_end try_once(wl_getter *g, const char *req, size_t len,
                           int64_t deadline, wl_resp *resp, int *err,
                           int *connects) {
  int more = 0, end;

  wl_resp_init(resp);
  if (g->fd < 0) {
    if ((end = connect_fresh(g, deadline, err)) != 0)
      return (wl_get_end)end;
    (*connects)++;
  }
  if ((end = send_all(g, req, len, deadline, err)) != 0)
    return (wl_get_end)end;
  end = read_answer(g, deadline, resp, err, &more);
  if (end == WL_GET_ANSWERED) {
    g->answered++;
    if (!resp->keep_alive || more || g->no_reuse)
      drop(g);
  }
  return (wl_get_end)end;
}

wl_get_end wl_get(wl_getter *g, const char *url, int timeout_ms,
                  wl_resp *resp, int *err, int *connects) {
  char req[WL_HTTP_URL_MAX + WL_URL_MAX + 64];
  int len = wl_http_request(&g->origin, url, req, sizeof req);
  int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
  wl_get_end end;
  int stale;

  *err = 0;
  wl_resp_init(resp);
  if (g->resolve_err != 0 || len < 0) {
    *err = len < 0 ? E2BIG : 0;
    return WL_GET_FAILED;
  }
  stale = g->fd >= 0 && g->answered > 0;
  end = try_once(g, req, (size_t)len, deadline, resp, err, connects);
  if (end == WL_GET_FAILED && stale && resp->received == 0) {
    /* closed by the server while idle: the request never reached it */
    drop(g);
    *err = 0;
    end = try_once(g, req, (size_t)len, deadline, resp, err, connects);
  }
  if (end != WL_GET_ANSWERED)
    drop(g);
  return end;
}

void wl_get_why(const wl_getter *g, wl_get_end end, int err,
                const wl_resp *resp, char *why, size_t cap) {
  if (g->resolve_err != 0)
    snprintf(why, cap, "%s", gai_strerror(g->resolve_err));
  else if (end == WL_GET_TIMEOUT)
    snprintf(why, cap, "Timeout was reached");
  else if (err != 0)
    snprintf(why, cap, "%s", strerror(err));
  else
    snprintf(why, cap, "%s", wl_resp_strerror(resp->error));
}

int wl_get_open(wl_getter *g, const char *base, int no_reuse) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;

  g->fd = -1;
  g->answered = 0;
  g->no_reuse = no_reuse;
  if (wl_http_origin_of(base, &g->origin) != 0)
    return -1;
  g->resolve_err = getaddrinfo(g->origin.name, g->origin.port, &hints, &ai);
  if (g->resolve_err == 0) {
    memcpy(&g->addr, ai->ai_addr, ai->ai_addrlen);
    g->addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
  }
  return 0;
}

void wl_get_close(wl_getter *g) { drop(g); }
