/*
 * blocking.c - one connection served with blocking calls, start to end.
 *
 * Lesson: written as plain sequential code - read a request, answer it,
 * read the next - a connection holds whatever runs it (the one thread of
 * seq, a pool thread, a worker process) for its whole life: while a client
 * thinks, sends slowly, waits on /delay or /stall, or just keeps its
 * connection alive, its runner does nothing else.  The async server's
 * state machine (conn.c) is this loop turned inside out.
 *
 * Every wait is a poll() on two descriptors: the connection and the stop
 * pipe, which the SIGINT/SIGTERM handler writes.  So a server stops
 * promptly however its connections are waiting, and a sleep for /delay is
 * a poll on the stop pipe alone.  Writes never block either (MSG_DONTWAIT,
 * then poll for room), so a client that stops reading a large body cannot
 * keep the server from stopping.  The parser, the routes and the reply
 * heads are request.c's, as async's: the same bytes from every model.
 */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "blocking.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "request.h"

/* Filled once before any thread or worker starts; only read after. */
static char bl_pattern[SV_PATTERN_LEN];
/* The stop pipe's write end, for the signal handler (one server a
 * process). */
static int bl_stop_write = -1;

/* ---- stopping ------------------------------------------------------------ */

/* Async-signal-safe: one write to a non-blocking pipe.  A full pipe means
 * the server is already stopping. */
static void bl_on_stop_signal(int sig) {
  int saved = errno;
  ssize_t n = write(bl_stop_write, "x", 1);
  (void)sig;
  (void)n;
  errno = saved;
}

/* No SA_RESTART: a multiproc parent blocked in waitpid wakes to stop. */
static void bl_handle_stop_signals(void (*handler)(int)) {
  struct sigaction sa = {.sa_handler = handler};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Wait until fd has one of events (or an error or hang-up): 1; ms passed
 * (-1: no limit): 0; the server is stopping: -1.  fd -1: the stop alone. */
static int bl_wait(const sv_blocking *b, int fd, short events, int ms) {
  struct pollfd p[2] = {{.fd = b->stop_fd, .events = POLLIN},
                        {.fd = fd, .events = events}};
  int n;
  do
    n = poll(p, fd >= 0 ? 2 : 1, ms);
  while (n < 0 && errno == EINTR);
  if (n < 0 || p[0].revents != 0) /* poll itself cannot fail here */
    return -1;
  return n > 0;
}

int sv_blocking_stopped(const sv_blocking *b) {
  return bl_wait(b, -1, 0, 0) < 0;
}

/* ---- open and close ------------------------------------------------------ */

static void bl_release(sv_blocking *b) {
  bl_handle_stop_signals(SIG_DFL);
  bl_stop_write = -1;
  if (b->listen_fd >= 0)
    close(b->listen_fd);
  if (b->stop_fd >= 0)
    close(b->stop_fd);
  if (b->stop_write >= 0)
    close(b->stop_write);
  if (b->counts != NULL)
    munmap(b->counts, sizeof *b->counts);
  b->listen_fd = b->stop_fd = b->stop_write = -1;
  b->counts = NULL;
}

static int bl_failed(sv_blocking *b, const char *what) {
  fprintf(stderr, "conclab: serve: %s: %s\n", what, strerror(errno));
  bl_release(b);
  return -1;
}

int sv_blocking_open(sv_blocking *b, const sv_options *o) {
  int fds[2], port;
  void *shared;

  memset(b, 0, sizeof *b);
  b->o = o;
  b->listen_fd = b->stop_fd = b->stop_write = -1;
  sv_pattern_fill(bl_pattern, sizeof bl_pattern);
  sv_ignore_sigpipe();
  shared = mmap(NULL, sizeof *b->counts, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED)
    return bl_failed(b, "mmap");
  b->counts = shared;
  atomic_init(&b->counts->connections, 0);
  atomic_init(&b->counts->requests, 0);
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
    return bl_failed(b, "pipe");
  b->stop_fd = fds[0];
  b->stop_write = fds[1];
  if ((b->listen_fd = sv_listen_socket(o, &port)) < 0) {
    bl_release(b);
    return -1;
  }
  bl_stop_write = b->stop_write;
  bl_handle_stop_signals(bl_on_stop_signal);
  sv_unblock_stop_signals();
  sv_print_url(o, port);
  return 0;
}

int sv_blocking_close(sv_blocking *b, int status) {
  sv_say_stopped(b->o, atomic_load(&b->counts->connections),
                 atomic_load(&b->counts->requests));
  bl_release(b);
  return status;
}

/* ---- accepting ----------------------------------------------------------- */

/* Out of descriptors or memory, the listener stays readable and accept
 * keeps failing: wait a little for connections to close, not spin. */
#define BL_ACCEPT_BACKOFF_MS 100

int sv_blocking_accept(sv_blocking *b) {
  int one = 1;
  for (;;) {
    int fd;
    if (bl_wait(b, b->listen_fd, POLLIN, -1) < 0)
      return -1;
    fd = accept4(b->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
      /* Replies are written whole: no waiting for the client's ACK. */
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      atomic_fetch_add_explicit(&b->counts->connections, 1,
                                memory_order_relaxed);
      return fd;
    }
    /* Another worker took it, or the client left while queued. */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
        errno == ECONNABORTED)
      continue;
    if (!b->accept_error_shown)
      fprintf(stderr, "conclab: serve: accept: %s (the server goes on; "
              "further accept errors are not shown)\n", strerror(errno));
    b->accept_error_shown = 1;
    if (bl_wait(b, -1, 0, BL_ACCEPT_BACKOFF_MS) < 0)
      return -1;
  }
}

/* ---- one connection ------------------------------------------------------ */

typedef struct bl_conn {
  sv_blocking *b;
  int fd;
  sv_request req;
  sv_reply rep;
  char head[SV_REPLY_HEAD_MAX];
  /* Read and not yet parsed: in[start..end), requests pipelined behind
   * the one being answered. */
  char in[SV_INPUT_MAX];
  size_t start, end;
} bl_conn;

/* What comes after an answer. */
enum { BL_NEXT, BL_FINISH, BL_CLOSE };

static long long bl_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int bl_left_ms(long long until) {
  long long left = until - bl_now_ms();
  return left > 0 ? (int)left : 0;
}

/* Bytes read; 0 at EOF; -1 on a reset or other error; -2 nothing to
 * read after all (a wakeup with no bytes): wait again. */
static ssize_t bl_recv(int fd, char *buf, size_t cap) {
  ssize_t n;
  do
    n = recv(fd, buf, cap, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return -2;
  return n;
}

/* Read until a request is ready, or refused (408 when its head did not
 * arrive in time).  0: no answer is owed - the client left or sent
 * nothing before the idle timeout, or the server is stopping.  The idle
 * timeout runs until a request's first byte, the head timeout from then
 * on; bytes that do not finish the request do not put either off. */
static int bl_read_request(bl_conn *c) {
  const sv_options *o = c->b->o;
  long long idle_end = bl_now_ms() + o->idle_timeout_ms, head_end = -1;

  for (;;) {
    ssize_t n;
    int w;
    if (c->start < c->end)
      c->start += sv_request_feed(&c->req, c->in + c->start,
                                  c->end - c->start);
    if (c->req.ready || c->req.refused)
      return 1;
    c->start = c->end = 0; /* not ready: the parser took every byte */
    if (c->req.started && head_end < 0)
      head_end = bl_now_ms() + o->header_timeout_ms;
    w = bl_wait(c->b, c->fd, POLLIN,
                bl_left_ms(head_end >= 0 ? head_end : idle_end));
    if (w < 0 || (w == 0 && head_end < 0))
      return 0;
    if (w == 0) {
      sv_request_timeout(&c->req);
      return 1;
    }
    n = bl_recv(c->fd, c->in, sizeof c->in);
    if (n == 0 || n == -1)
      return 0;
    c->end = n > 0 ? (size_t)n : 0;
  }
}

/* Write every byte of iov[0..n), however the kernel takes them. */
static int bl_write_all(bl_conn *c, struct iovec *iov, int n) {
  while (n > 0) {
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t sent = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno == EINTR)
      continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (bl_wait(c->b, c->fd, POLLOUT, -1) < 0)
        return -1;
      continue;
    }
    if (sent < 0) /* EPIPE, ECONNRESET: the client went away */
      return -1;
    while (n > 0 && (size_t)sent >= iov->iov_len) {
      sent -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (char *)iov->iov_base + sent;
      iov->iov_len -= (size_t)sent;
    }
  }
  return 0;
}

/* The next piece of a pattern body, as up to SV_WRITE_BUFS entries that
 * all point at the one pattern.  Returns how many. */
static int bl_pattern_iov(uint64_t body_len, uint64_t *queued,
                          struct iovec *iov) {
  int n = 0;
  while (n < SV_WRITE_BUFS && *queued < body_len) {
    uint64_t left = body_len - *queued;
    size_t len = left < SV_PATTERN_LEN ? (size_t)left : SV_PATTERN_LEN;
    iov[n++] = (struct iovec){.iov_base = bl_pattern, .iov_len = len};
    *queued += len;
  }
  return n;
}

/* The head, and the body: in one write when it is small. */
static int bl_send_reply(bl_conn *c) {
  const sv_reply *rep = &c->rep;
  struct iovec iov[1 + SV_WRITE_BUFS];
  size_t head_len = sv_reply_head(rep, c->head, sizeof c->head);
  int body = !rep->head_only && rep->body_len > 0, n = 0;
  uint64_t queued = 0;

  if (head_len == 0) /* cannot happen: the head is short */
    return -1;
  iov[n++] = (struct iovec){.iov_base = c->head, .iov_len = head_len};
  if (body && !rep->pattern)
    iov[n++] = (struct iovec){.iov_base = (char *)sv_reply_text(rep),
                              .iov_len = (size_t)rep->body_len};
  for (;;) {
    if (body && rep->pattern)
      n += bl_pattern_iov(rep->body_len, &queued, iov + n);
    if (bl_write_all(c, iov, n) != 0)
      return -1;
    if (!body || !rep->pattern || queued >= rep->body_len)
      return 0;
    n = 0;
  }
}

/* /stall: hold the connection, dropping what the client sends, until it
 * goes (EOF or reset) or the server stops. */
static void bl_stall(bl_conn *c) {
  for (;;) {
    ssize_t n;
    if (bl_wait(c->b, c->fd, POLLIN, -1) < 0)
      return;
    n = bl_recv(c->fd, c->in, sizeof c->in);
    if (n == 0 || n == -1)
      return;
  }
}

static int bl_answer(bl_conn *c) {
  sv_route(&c->req, &c->rep);
  atomic_fetch_add_explicit(&c->b->counts->requests, 1,
                            memory_order_relaxed);
  switch (c->rep.action) {
  case SV_DROP:
    return BL_CLOSE;
  case SV_STALL:
    bl_stall(c);
    return BL_CLOSE;
  case SV_DELAY: /* a sleep that the stop cuts short */
    if (bl_wait(c->b, -1, 0, (int)c->rep.delay_ms) < 0)
      return BL_CLOSE;
    break;
  case SV_CPU: /* on whatever runs this connection */
    sv_reply_cpu(&c->rep);
    break;
  case SV_SEND:
    break;
  }
  if (bl_send_reply(c) != 0)
    return BL_CLOSE;
  if (c->rep.close)
    return BL_FINISH;
  sv_request_next(&c->req);
  return BL_NEXT;
}

/* The last reply is out.  Closing now, with client bytes still unread,
 * would make the kernel answer with a reset that can destroy the reply in
 * the client's buffer: send the FIN, then read and drop until the client
 * closes, or for SV_LINGER_MS at most. */
static void bl_linger(bl_conn *c) {
  long long until = bl_now_ms() + SV_LINGER_MS;
  if (shutdown(c->fd, SHUT_WR) != 0)
    return;
  for (;;) {
    ssize_t n;
    if (bl_wait(c->b, c->fd, POLLIN, bl_left_ms(until)) <= 0)
      return;
    n = bl_recv(c->fd, c->in, sizeof c->in);
    if (n == 0 || n == -1)
      return;
  }
}

void sv_blocking_serve(sv_blocking *b, int fd) {
  bl_conn *c = malloc(sizeof *c); /* 64 KiB of input: not on the stack */
  int next = BL_NEXT;

  if (c != NULL) {
    c->b = b;
    c->fd = fd;
    c->start = c->end = 0;
    sv_request_init(&c->req);
    while (next == BL_NEXT && bl_read_request(c))
      next = bl_answer(c);
    if (next == BL_FINISH)
      bl_linger(c);
    free(c);
  }
  close(fd);
}
