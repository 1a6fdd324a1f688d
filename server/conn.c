/*
 * conn.c - one HTTP connection on the event loop.
 *
 * Lesson: a connection is a small state machine driven by callbacks, and
 * nothing in it may block.  /delay/<ms> arms a timer and returns to the
 * loop, so ten thousand clients can wait at once on one thread; a large
 * body goes out in pieces, the next piece written from the callback that
 * says the last one was taken.  Each connection owns two handles (the
 * socket and a timer), a third once it has been paused (a poll handle,
 * see "watching a paused connection"), and is freed only after all have
 * closed: libuv may still call back into it until then.
 *
 * The life of a connection:
 *   read -> parse -> answer (now, after a timer, or never) -> written ->
 *   parse the next buffered request ... -> shut down the write side ->
 *   read and drop until the client closes (or a timeout) -> close -> free.
 * Whenever it waits on its client for a request, a deadline runs: the
 * idle timeout until a request's first byte, then the head timeout until
 * the request is whole (408 and close when it is not).  One timer serves
 * every wait in turn - idle, head, /delay, linger - as they never overlap.
 *
 * /cpu counts primes in the callback that routed it, holding the loop and
 * every other connection for as long as the count takes; with --offload it
 * goes to libuv's threadpool (uv_queue_work) and the answer is sent from
 * the loop when the count is done.  A pending count holds the connection
 * as a handle does: a work request cannot be cancelled once it runs.
 */
#include "conn.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the timer counts down to while the connection waits on its client
 * (sv_conn.deadline). */
enum { CONN_NO_DEADLINE, CONN_IDLE_DEADLINE, CONN_HEAD_DEADLINE };

struct sv_conn {
  uv_tcp_t tcp;
  uv_timer_t timer;   /* a deadline, /delay, or the lingering close */
  uv_poll_t hup;      /* while paused: the client's FIN or reset */
  int hup_fd;         /* hup's descriptor (a dup of tcp's), or -1 */
  int hup_on;         /* uv_poll_start is in effect */
  uv_write_t write_req;
  uv_shutdown_t shutdown_req;
  uv_work_t cpu_work; /* --offload: /cpu's count on the threadpool */
  sv_reply cpu_reply; /* what that count fills in: the pool thread's own
                         copy, as the loop still reads `reply` meanwhile */
  sv_server *server;
  sv_conn *prev, *next; /* in server->conns */
  sv_request req;     /* the parser, and the request being read */
  sv_reply reply;     /* the answer being sent */
  char head[SV_REPLY_HEAD_MAX];
  uv_buf_t bufs[1 + SV_WRITE_BUFS]; /* the head, then the body */
  uint64_t body_queued; /* pattern bytes handed to uv_write so far */
  /* Input that must wait (pipelined requests behind the one being
   * answered): in[in_start..in_end).  Allocated only while it holds any.
   * When no request is being answered it is empty. */
  char *in;
  size_t in_start, in_end;
  int busy;       /* a request is being answered */
  int reading;    /* uv_read_start is in effect */
  int peer_done;  /* the client sent EOF: it will send nothing more */
  int lingering;  /* the last reply is out: input is dropped */
  int deadline;   /* CONN_..._DEADLINE: what the timer waits for, if the
                     connection waits on its client */
  int closing;
  int open_handles; /* handles and pending work: freed when this is 0 */
};

/* The callbacks lead into one another (written -> parse the next request
 * -> answer it -> written ...), so some are declared ahead. */
static void conn_on_write(uv_write_t *req, int status);
static void conn_on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf);
static void conn_resume(sv_conn *c);
static void conn_update_reading(sv_conn *c);

/* ---- the list of open connections, for stop ----------------------------- */

static void conn_link(sv_conn *c) {
  sv_server *s = c->server;
  c->next = s->conns;
  if (s->conns != NULL)
    s->conns->prev = c;
  s->conns = c;
}

static void conn_unlink(sv_conn *c) {
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    c->server->conns = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
}

/* ---- closing ------------------------------------------------------------ */

/* A handle closed, or a pending work request came back. */
static void conn_release(sv_conn *c) {
  if (--c->open_handles > 0)
    return; /* another callback is still to come */
  conn_unlink(c);
  c->server->open_conns--;
  free(c->in);
  free(c);
}

static void conn_on_close(uv_handle_t *h) {
  conn_release(h->data);
}

/* libuv never closes a polled descriptor: it is ours, and it holds the
 * socket open until it is closed too. */
static void conn_on_hup_close(uv_handle_t *h) {
  sv_conn *c = h->data;
  close(c->hup_fd);
  conn_on_close(h);
}

/* Safe to call twice and from any callback: the memory stays valid until
 * every close callback has run.  A write or shutdown still pending is
 * called back first, with UV_ECANCELED. */
void sv_conn_close(sv_conn *c) {
  if (c->closing)
    return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, conn_on_close);
  uv_close((uv_handle_t *)&c->timer, conn_on_close);
  if (c->hup_fd >= 0)
    uv_close((uv_handle_t *)&c->hup, conn_on_hup_close);
}

void sv_conn_close_all(sv_server *s) {
  /* Nothing is freed until the close callbacks run: the list holds. */
  for (sv_conn *c = s->conns; c != NULL; c = c->next)
    sv_conn_close(c);
}

static void conn_on_linger_end(uv_timer_t *timer) {
  sv_conn_close(timer->data);
}

/* The FIN has gone out after the last reply.  Closing now, with client
 * bytes still unread, would make the kernel answer with a reset that can
 * destroy the reply in the client's buffer.  So read and drop until the
 * client closes, or for SV_LINGER_MS at most. */
static void conn_on_shutdown(uv_shutdown_t *req, int status) {
  sv_conn *c = req->data;
  if (c->closing)
    return;
  if (status < 0 || c->peer_done) {
    sv_conn_close(c);
    return;
  }
  uv_timer_start(&c->timer, conn_on_linger_end, SV_LINGER_MS, 0);
}

/* The last reply is written: shut down the write side, then linger. */
static void conn_finish(sv_conn *c) {
  free(c->in); /* never to be parsed */
  c->in = NULL;
  c->in_start = c->in_end = 0;
  c->lingering = 1;
  c->shutdown_req.data = c;
  if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp,
                  conn_on_shutdown) != 0) {
    sv_conn_close(c);
    return;
  }
  conn_update_reading(c);
}

/* ---- writing the answer ------------------------------------------------- */

/* The next piece of a pattern body, as up to SV_WRITE_BUFS buffers that
 * all point at the one pattern.  Returns how many. */
static unsigned conn_pattern_bufs(sv_conn *c, uv_buf_t *bufs) {
  unsigned n = 0;
  while (n < SV_WRITE_BUFS && c->body_queued < c->reply.body_len) {
    uint64_t left = c->reply.body_len - c->body_queued;
    size_t len = left < SV_PATTERN_LEN ? (size_t)left : SV_PATTERN_LEN;
    bufs[n++] = uv_buf_init(c->server->pattern, (unsigned)len);
    c->body_queued += len;
  }
  return n;
}

static int conn_body_left(const sv_conn *c) {
  return c->reply.pattern && !c->reply.head_only &&
         c->body_queued < c->reply.body_len;
}

static void conn_write(sv_conn *c, unsigned nbufs) {
  c->write_req.data = c;
  if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, c->bufs, nbufs,
               conn_on_write) != 0)
    sv_conn_close(c);
}

/* The whole answer is written. */
static void conn_answered(sv_conn *c) {
  c->busy = 0;
  if (c->reply.close) {
    conn_finish(c);
    return;
  }
  sv_request_next(&c->req);
  conn_resume(c);
}

static void conn_on_write(uv_write_t *req, int status) {
  sv_conn *c = req->data;
  if (c->closing)
    return; /* UV_ECANCELED: the connection is going */
  if (status < 0) { /* the client went away (EPIPE, ECONNRESET) */
    sv_conn_close(c);
    return;
  }
  if (conn_body_left(c))
    conn_write(c, conn_pattern_bufs(c, c->bufs));
  else
    conn_answered(c);
}

/* Head and body in one uv_write: one writev, one packet for small replies. */
static void conn_send(sv_conn *c) {
  const sv_reply *rep = &c->reply;
  size_t head_len = sv_reply_head(rep, c->head, sizeof c->head);
  unsigned n = 0;

  if (head_len == 0) { /* cannot happen: the head is short */
    sv_conn_close(c);
    return;
  }
  c->bufs[n++] = uv_buf_init(c->head, (unsigned)head_len);
  c->body_queued = 0;
  if (!rep->head_only) { /* HEAD: Content-Length as for GET, no body */
    if (rep->pattern)
      n += conn_pattern_bufs(c, c->bufs + n);
    else if (rep->body_len > 0)
      c->bufs[n++] = uv_buf_init((char *)sv_reply_text(rep),
                                 (unsigned)rep->body_len);
  }
  conn_write(c, n);
}

static void conn_on_delay(uv_timer_t *timer) {
  conn_send(timer->data);
}

/* On a threadpool thread: only the work's own copy of the reply. */
static void conn_cpu_work(uv_work_t *req) {
  sv_conn *c = req->data;
  sv_reply_cpu(&c->cpu_reply);
}

/* Back on the loop. */
static void conn_on_cpu_done(uv_work_t *req, int status) {
  sv_conn *c = req->data;
  (void)status; /* never UV_ECANCELED: nothing cancels it */
  if (c->closing) {
    conn_release(c);
    return;
  }
  c->open_handles--;
  c->reply = c->cpu_reply;
  conn_send(c);
}

static void conn_cpu(sv_conn *c) {
  if (!c->server->offload) { /* the lesson: every connection waits */
    sv_reply_cpu(&c->reply);
    conn_send(c);
    return;
  }
  c->cpu_reply = c->reply;
  c->cpu_work.data = c;
  if (uv_queue_work(&c->server->loop, &c->cpu_work, conn_cpu_work,
                    conn_on_cpu_done) != 0) {
    sv_conn_close(c);
    return;
  }
  c->open_handles++;
}

/* Route the complete (or refused) request and start its answer. */
static void conn_answer(sv_conn *c) {
  sv_route(&c->req, &c->reply);
  c->busy = 1;
  c->server->requests++;
  c->deadline = CONN_NO_DEADLINE; /* answering is not waiting on the client */
  uv_timer_stop(&c->timer);
  switch (c->reply.action) {
  case SV_SEND:
    conn_send(c);
    break;
  case SV_DELAY: /* a timer, not a sleep: the loop serves others meanwhile */
    uv_timer_start(&c->timer, conn_on_delay, c->reply.delay_ms, 0);
    break;
  case SV_DROP:
    sv_conn_close(c);
    break;
  case SV_STALL: /* until the client goes or the server stops */
    break;
  case SV_CPU:
    conn_cpu(c);
    break;
  }
}

/* ---- the client's deadlines --------------------------------------------- */

static void conn_on_idle_timeout(uv_timer_t *timer) {
  sv_conn_close(timer->data); /* nothing under way: nobody to answer */
}

/* The request was too slow in coming: answer 408, then close. */
static void conn_on_head_timeout(uv_timer_t *timer) {
  sv_conn *c = timer->data;
  sv_request_timeout(&c->req);
  conn_answer(c);
}

/* Called when the connection may have come to wait on its client: arm the
 * deadline for what it waits for.  Each is armed once, when that wait
 * begins, not again on every read: bytes that do not finish the request
 * (a head sent a byte a second, blank lines) do not put it off. */
static void conn_arm_deadline(sv_conn *c) {
  const sv_server *s = c->server;
  int want = c->req.started ? CONN_HEAD_DEADLINE : CONN_IDLE_DEADLINE;
  if (c->closing || c->busy || c->lingering || c->deadline == want)
    return;
  c->deadline = want;
  if (want == CONN_HEAD_DEADLINE)
    uv_timer_start(&c->timer, conn_on_head_timeout, s->header_timeout_ms, 0);
  else
    uv_timer_start(&c->timer, conn_on_idle_timeout, s->idle_timeout_ms, 0);
}

/* ---- reading ------------------------------------------------------------ */

static size_t conn_waiting(const sv_conn *c) {
  return c->in_end - c->in_start;
}

static void conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  sv_conn *c = h->data;
  size_t room = c->lingering ? SV_INPUT_MAX : SV_INPUT_MAX - conn_waiting(c);
  (void)suggested;
  /* Never more than fits in c->in, should all of it have to wait. */
  *buf = uv_buf_init(c->server->read_buf, (unsigned)room);
}

/* Keep bytes that must wait for the request before them to be answered. */
static void conn_keep(sv_conn *c, const char *data, size_t len) {
  if (len == 0 || c->closing || c->lingering)
    return;
  if (c->in == NULL) {
    c->in = malloc(SV_INPUT_MAX);
    if (c->in == NULL) {
      sv_conn_close(c);
      return;
    }
    c->in_start = c->in_end = 0;
  }
  if (c->in_start > 0) { /* move what waits to the front */
    memmove(c->in, c->in + c->in_start, conn_waiting(c));
    c->in_end -= c->in_start;
    c->in_start = 0;
  }
  if (len > SV_INPUT_MAX - c->in_end) { /* cannot happen: see conn_on_alloc */
    sv_conn_close(c);
    return;
  }
  memcpy(c->in + c->in_end, data, len);
  c->in_end += len;
  conn_update_reading(c);
}

/* Parse; start the answer to a complete request.  Returns bytes used. */
static size_t conn_feed(sv_conn *c, const char *data, size_t len) {
  size_t used = sv_request_feed(&c->req, data, len);
  if (c->req.ready || c->req.refused)
    conn_answer(c);
  return used;
}

/* The last answer is out: parse what waited behind it, which may start the
 * next answer; with nothing left to answer, a client that sent EOF is done. */
static void conn_resume(sv_conn *c) {
  if (c->in != NULL) {
    c->in_start += conn_feed(c, c->in + c->in_start, conn_waiting(c));
    if (conn_waiting(c) == 0) {
      free(c->in);
      c->in = NULL;
      c->in_start = c->in_end = 0;
    }
  }
  if (!c->busy && c->peer_done) {
    sv_conn_close(c); /* answered all it sent; it will send no more */
    return;
  }
  conn_update_reading(c);
  conn_arm_deadline(c);
}

/* ---- watching a paused connection -------------------------------------- */

/* A connection whose keep-buffer is full is paused: reading stops, and
 * what the client sends next waits in the kernel, ahead of its FIN.  So a
 * client that gives up (say, on requests pipelined behind /stall or a long
 * /delay) would never be seen to go, and its socket would sit in
 * CLOSE-WAIT, with 64 KiB kept, until the server stops or the delay ends.
 * Reading on to see the FIN would mean keeping, or dropping, requests the
 * client expects answered.  Instead the kernel is asked: a poll handle
 * waits for the peer's FIN (EPOLLRDHUP, set while unread bytes are still
 * queued ahead of it) or a reset (EPOLLERR), and reads nothing.  libuv
 * allows one watcher per descriptor, and the socket's is uv_tcp_t's, so
 * the poll handle watches a dup of it: one more descriptor, made on the
 * first pause, kept until the close. */
static void conn_on_hup(uv_poll_t *h, int status, int events) {
  sv_conn *c = h->data;
  (void)status;
  (void)events;
  /* A reset, or a FIN: either way the client is taken to have left, and
   * the connection is closed at once (as a proxy drops a request whose
   * client aborted).  From here a FIN cannot be told apart from a client
   * that only shut down its sending side and still reads: telling would
   * mean reading past the requests that filled the buffer.  Holding every
   * FIN until the answer ahead is done would hold a client that left for
   * as long as a /delay runs, so such a half-closing client loses the
   * answers it pipelined.  Below the limit reading goes on, the EOF is
   * met in order, and every answer is still sent (conn_on_eof). */
  sv_conn_close(c);
}

/* Make the poll handle, on a dup of the socket.  0, or -1: none could be
 * made (out of descriptors), and the connection is closed rather than
 * held blind. */
static int conn_hup_init(sv_conn *c) {
  uv_os_fd_t fd;
  int dup_fd;

  if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0 ||
      (dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
    sv_conn_close(c);
    return -1;
  }
  if (uv_poll_init_socket(&c->server->loop, &c->hup, dup_fd) != 0) {
    close(dup_fd);
    sv_conn_close(c);
    return -1;
  }
  c->hup.data = c;
  c->hup_fd = dup_fd;
  c->open_handles++;
  return 0;
}

static void conn_watch_hup(sv_conn *c, int on) {
  if (on == c->hup_on)
    return;
  if (!on) {
    uv_poll_stop(&c->hup);
    c->hup_on = 0;
    return;
  }
  if (c->hup_fd < 0 && conn_hup_init(c) != 0)
    return;
  if (uv_poll_start(&c->hup, UV_DISCONNECT, conn_on_hup) != 0) {
    sv_conn_close(c);
    return;
  }
  c->hup_on = 1;
}

/* Read while the client may send more and there is room to keep it.
 * While a request is being answered reading goes on, so that a client's
 * EOF is seen; paused (no room), the kernel watches for it instead.
 * After the last reply, read only to drop. */
static void conn_update_reading(sv_conn *c) {
  int want = !c->peer_done &&
             (c->lingering || conn_waiting(c) < SV_INPUT_MAX);
  if (c->closing)
    return; /* uv_close stops reading */
  if (want && !c->reading) {
    if (uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read) !=
        0) {
      sv_conn_close(c);
      return;
    }
    c->reading = 1;
  } else if (!want && c->reading) {
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
  }
  conn_watch_hup(c, !want && !c->peer_done);
}

/* New bytes.  When nothing waits, parse them where they are (the shared
 * read buffer) and keep only what a complete request left over. */
static void conn_take(sv_conn *c, const char *data, size_t len) {
  size_t used = 0;
  if (c->lingering || c->closing)
    return; /* dropped */
  if (!c->busy && c->in == NULL)
    used = conn_feed(c, data, len);
  conn_keep(c, data + used, len - used);
  conn_arm_deadline(c);
}

/* The client will send nothing more.  It may still read: finish the answer
 * in progress and those it pipelined behind it (conn_resume closes after
 * the last).  A stalled request would wait forever: close now. */
static void conn_on_eof(sv_conn *c) {
  c->peer_done = 1;
  c->reading = 0; /* libuv stops reading at EOF */
  if (c->lingering || !c->busy || c->reply.action == SV_STALL)
    sv_conn_close(c);
}

static void conn_on_read(uv_stream_t *stream, ssize_t n,
                         const uv_buf_t *buf) {
  sv_conn *c = stream->data;
  if (n > 0)
    conn_take(c, buf->base, (size_t)n);
  else if (n == UV_EOF)
    conn_on_eof(c);
  else if (n == UV_ENOBUFS) /* no room: wait until input is parsed */
    conn_update_reading(c);
  else if (n < 0) /* ECONNRESET and the like: nobody to answer */
    sv_conn_close(c);
}

/* ---- accepting ---------------------------------------------------------- */

int sv_conn_accept(sv_server *s) {
  sv_conn *c = calloc(1, sizeof *c);
  int err;

  if (c == NULL)
    return UV_ENOMEM;
  c->server = s;
  c->hup_fd = -1;
  uv_tcp_init(&s->loop, &c->tcp);     /* cannot fail: no socket yet */
  uv_timer_init(&s->loop, &c->timer); /* cannot fail */
  c->tcp.data = c;
  c->timer.data = c;
  c->open_handles = 2;
  conn_link(c);
  s->open_conns++;
  sv_request_init(&c->req);

  err = uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)&c->tcp);
  if (err != 0) {
    sv_conn_close(c);
    return err;
  }
  /* Replies are written whole: do not hold back a reply's last small
   * packet waiting for the client's ACK (Nagle). */
  uv_tcp_nodelay(&c->tcp, 1);
  s->connections++;
  conn_update_reading(c);
  conn_arm_deadline(c);
  return 0;
}
