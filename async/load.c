/*
 * load.c - the load generator on the loop (see load.h for the lesson).
 *
 * One loop, C connections, each a small state machine: waiting for its
 * turn to connect (at most AS_LOAD_CONNECTS_MAX connects in progress),
 * connecting, ready (connected, nothing asked), busy (a request out, its
 * answer fed to http-parser as it arrives).  An answer's end records the
 * latency and, on a kept-alive connection, sends the next request (closed
 * loop) or waits for its due time (open loop).  A connection that fails
 * or is closed by the server is counted and made again.  The stop closes
 * every connection with a reset, so 10,000 of them leave no TIME_WAIT
 * ports behind for the next run.
 *
 * Answers are framed by the client's reader (workloads/response.c) with
 * its hashing off: hashing every body byte for the checksums costs about
 * 1.5 us a KiB, half of what a request costs this generator - and a
 * generator must cost less than the server.
 */
#include "load.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

#include "response.h"
#include "workload.h" /* wl_now_ns */

const char *const as_load_error_names[AS_LOAD_E_KINDS] = {
    "connect", "write", "read", "parse", "status"};

enum { LD_WAITING, LD_CONNECTING, LD_READY, LD_BUSY, LD_CLOSING };

/* A request due this recently may still be waiting for its timer (1 ms
 * steps) or the loop's turn: at the stop it is not counted as owed. */
#define LD_DUE_SLACK_NS (10 * 1000000LL)

typedef struct ld_load ld_load;

typedef struct ld_conn {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  uv_timer_t due_timer; /* open loop: waits for the next due time */
  wl_resp resp; /* the answer being read */
  ld_load *load;
  int64_t start_ns; /* this request's start: sent (closed) or due (open) */
  int64_t due_ns;   /* open loop: when the next request is due */
  unsigned char state, slow, beside;
  unsigned char first; /* slow: its first connect not yet resolved */
} ld_conn;

struct ld_load {
  const as_load_opts *o;
  as_load_result *r;
  uv_loop_t loop;
  uv_timer_t stop_timer, trickle_timer;
  struct sockaddr_storage addr;
  char request[512], beside_request[512];
  size_t request_len, beside_len;
  ld_conn *conns;
  int nconns;
  int *queue; /* connections waiting to connect, a ring */
  int qhead, qlen, connecting;
  int slow_pending; /* slow connections not yet connected (or failed) */
  int started, stopping;
  int64_t t0_ns, interval_ns;
  uint64_t issued, ended; /* --requests: requests started, finished */
  char buf[65536];        /* every read lands here, handled at once */
};

static const char SLOW_HEAD[] = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";

/* --- the URL -------------------------------------------------------- */

/* http://HOST[:PORT]/PATH into host, port and path. */
static int parse_url(const char *url, char *host, size_t hcap, char *port,
                     size_t pcap, const char **path) {
  if (strncmp(url, "http://", 7) != 0)
    return -1;
  const char *h = url + 7, *end = h + strcspn(h, ":/");
  if (end == h || (size_t)(end - h) >= hcap)
    return -1;
  memcpy(host, h, (size_t)(end - h));
  host[end - h] = '\0';
  snprintf(port, pcap, "80");
  if (*end == ':') {
    const char *p = end + 1;
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n >= pcap || (p[n] != '/' && p[n] != '\0'))
      return -1;
    memcpy(port, p, n);
    port[n] = '\0';
    end = p + n;
  }
  *path = *end == '/' ? end : "/";
  return 0;
}

/* A path fit for the request line. */
static int path_ok(const char *path) {
  return path[0] == '/' && strlen(path) <= 256 &&
         strpbrk(path, " \r\n") == NULL;
}

int as_load_check(const as_load_opts *o, char *why, size_t cap) {
  char host[256], port[8];
  const char *path;
  if (parse_url(o->url, host, sizeof host, port, sizeof port, &path) != 0 ||
      !path_ok(path)) {
    snprintf(why, cap, "URL: '%s' is not http://HOST:PORT/PATH", o->url);
    return -1;
  }
  if (o->beside_path != NULL && !path_ok(o->beside_path)) {
    snprintf(why, cap, "--beside-path: '%s' is not a path (/... up to 256 "
             "bytes, no spaces)", o->beside_path);
    return -1;
  }
  return 0;
}

/* The address and the request line of the URL. */
static int resolve(ld_load *l, char *why, size_t cap) {
  char host[256], port[8];
  const char *path;
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
  struct addrinfo *ai;
  int rc;

  if (parse_url(l->o->url, host, sizeof host, port, sizeof port, &path) != 0)
    return snprintf(why, cap, "URL: '%s' is not http://HOST:PORT/PATH",
                    l->o->url), -1;
  if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
    return snprintf(why, cap, "%s: %s", host, gai_strerror(rc)), -1;
  memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
  freeaddrinfo(ai);
  l->request_len = (size_t)snprintf(l->request, sizeof l->request,
                                    "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n",
                                    path, host, port);
  l->beside_len = (size_t)snprintf(
      l->beside_request, sizeof l->beside_request,
      "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n",
      l->o->beside_path != NULL ? l->o->beside_path : "/", host, port);
  return 0;
}

/* --- connecting ----------------------------------------------------- */

static void pump_connects(ld_load *l);
static void stop(ld_load *l);
static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void send_request(ld_conn *c);
static void schedule(ld_conn *c);

/* --requests: one more request may start. */
static int may_issue(const ld_load *l) {
  return !l->stopping && (l->o->requests == 0 || l->issued < l->o->requests);
}

/* A request ended without an answer, or with one. */
static void ended(ld_load *l) {
  l->ended++;
  if (l->o->requests > 0 && l->ended >= l->o->requests)
    stop(l);
}

static void queue_connect(ld_load *l, ld_conn *c) {
  l->queue[(l->qhead + l->qlen++) % l->nconns] = (int)(c - l->conns);
  c->state = LD_WAITING;
  if (l->o->rate <= 0)
    c->start_ns = wl_now_ns(); /* closed loop: its request waits from now */
}

static void on_closed(uv_handle_t *h) {
  ld_conn *c = h->data;
  if (c->load->stopping)
    return;
  queue_connect(c->load, c);
  pump_connects(c->load);
}

/* Close a connection that failed or was closed; it is made again. */
static void drop(ld_conn *c) {
  c->state = LD_CLOSING;
  if (!c->slow && !c->beside && c->load->o->rate > 0)
    uv_timer_stop(&c->due_timer);
  uv_close((uv_handle_t *)&c->tcp, on_closed);
}

/* An active connection's request failed in this way (a beside one's is
 * not counted: it is made again). */
static void fail(ld_conn *c, as_load_error kind) {
  drop(c);
  if (c->beside)
    return;
  c->load->r->errors[kind]++;
  ended(c->load);
}

static void start_active(ld_load *l);

/* A slow connection's first connect has resolved: once all have, the
 * active connections start. */
static void slow_resolved(ld_conn *c) {
  ld_load *l = c->load;
  if (!c->slow || !c->first)
    return;
  c->first = 0;
  if (--l->slow_pending == 0)
    start_active(l);
}

/* A connect failed (at once or later): an active connection's request
 * ends in the error (within --requests); it is made again. */
static void connect_failed(ld_conn *c) {
  ld_load *l = c->load;
  slow_resolved(c);
  if (!c->slow && !c->beside && may_issue(l)) {
    l->issued++;
    fail(c, AS_LOAD_E_CONNECT);
  } else {
    drop(c);
  }
}

static void on_connect(uv_connect_t *req, int status) {
  ld_conn *c = req->data;
  ld_load *l = c->load;

  l->connecting--;
  if (status == UV_ECANCELED || l->stopping)
    return; /* closed by the stop */
  if (status < 0) {
    connect_failed(c);
    pump_connects(l);
    return;
  }
  l->r->connects++;
  c->state = LD_READY;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
    connect_failed(c);
    pump_connects(l);
    return;
  }
  if (c->slow) {
    /* a trickle: a byte the socket cannot take now is simply not sent */
    uv_buf_t head = {.base = (char *)SLOW_HEAD, .len = sizeof SLOW_HEAD - 1};
    (void)uv_try_write((uv_stream_t *)&c->tcp, &head, 1);
    slow_resolved(c);
  } else {
    schedule(c);
  }
  pump_connects(l);
}

static void start_connect(ld_load *l, ld_conn *c) {
  c->state = LD_CONNECTING;
  uv_tcp_init(&l->loop, &c->tcp);
  c->tcp.data = c;
  c->connect.data = c;
  if (uv_tcp_nodelay(&c->tcp, 1) == 0 &&
      uv_tcp_connect(&c->connect, &c->tcp, (struct sockaddr *)&l->addr,
                     on_connect) == 0) {
    l->connecting++;
    return;
  }
  connect_failed(c); /* no descriptor left, say */
}

static void pump_connects(ld_load *l) {
  while (!l->stopping && l->qlen > 0 &&
         l->connecting < AS_LOAD_CONNECTS_MAX) {
    ld_conn *c = &l->conns[l->queue[l->qhead]];
    l->qhead = (l->qhead + 1) % l->nconns;
    l->qlen--;
    start_connect(l, c);
  }
}

/* --- asking and answering ------------------------------------------- */

static void on_write(uv_write_t *req, int status) {
  ld_conn *c = req->data;
  if (status < 0 && status != UV_ECANCELED && c->state == LD_BUSY &&
      !c->load->stopping)
    fail(c, AS_LOAD_E_WRITE);
}

static void send_request(ld_conn *c) {
  ld_load *l = c->load;
  uv_buf_t b = {.base = c->beside ? l->beside_request : l->request,
                .len = c->beside ? l->beside_len : l->request_len};
  l->issued += !c->beside;
  c->state = LD_BUSY;
  wl_resp_init_hash(&c->resp, 0);
  c->write.data = c;
  if (uv_write(&c->write, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0)
    fail(c, AS_LOAD_E_WRITE);
}

static void on_due(uv_timer_t *t) {
  ld_conn *c = t->data;
  int64_t now = wl_now_ns();
  if (c->state != LD_READY || !may_issue(c->load))
    return;
  /* Late: the wait counts (it is the server's).  Early, by the timer's
   * millisecond rounding: from the send. */
  c->start_ns = now < c->due_ns ? now : c->due_ns;
  send_request(c);
}

/* A ready connection's next request: now (closed loop), or when due. */
static void schedule(ld_conn *c) {
  ld_load *l = c->load;
  int64_t now = wl_now_ns();
  if (c->beside && c->state == LD_READY && !l->stopping) {
    send_request(c); /* closed loop, always */
    return;
  }
  if (c->state != LD_READY || !may_issue(l))
    return;
  if (l->o->rate <= 0 || c->due_ns <= now) {
    c->start_ns = l->o->rate <= 0 ? now : c->due_ns;
    send_request(c);
    return;
  }
  uv_timer_start(&c->due_timer, on_due,
                 (uint64_t)((c->due_ns - now) / 1000000), 0);
}

/* An answer is whole: its latency, or (beside) its count. */
static void record(ld_conn *c) {
  as_load_result *r = c->load->r;
  int64_t took = wl_now_ns() - c->start_ns;
  int bad = c->resp.status < 200 || c->resp.status >= 400;
  if (c->beside) {
    r->beside_requests++;
    r->beside_errors += bad;
    return;
  }
  wl_hist_record(&r->latency, took > 0 ? (uint64_t)took : 0);
  r->requests++;
  r->errors[AS_LOAD_E_STATUS] += bad;
}

/* After an answer: the next request, or a new connection when the server
 * closes this one. */
static void answered(ld_conn *c, int closing) {
  ld_load *l = c->load;
  record(c);
  c->state = LD_READY;
  if (!c->beside)
    ended(l);
  if (l->stopping)
    return;
  if (closing || !c->resp.keep_alive) {
    drop(c);
    return;
  }
  c->due_ns += l->interval_ns;
  schedule(c);
}

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf) {
  ld_load *l = ((ld_conn *)h->data)->load;
  (void)size;
  buf->base = l->buf;
  buf->len = sizeof l->buf;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  ld_conn *c = s->data;

  if (nread == 0 || c->load->stopping || c->state == LD_CLOSING)
    return;
  if (c->slow) { /* what the server says to a slowloris does not matter */
    if (nread < 0)
      drop(c);
    return;
  }
  if (nread > 0 && c->state != LD_BUSY) {
    drop(c); /* bytes nobody asked for (a 408 before an idle close) */
    return;
  }
  if (nread > 0) {
    wl_resp_feed(&c->resp, buf->base, (size_t)nread);
    if (c->resp.done)
      answered(c, 0);
    else if (c->resp.error != WL_RESP_OK)
      fail(c, AS_LOAD_E_PARSE);
    return;
  }
  if (nread == UV_EOF && c->state == LD_BUSY && /* a body up to the end? */
      wl_resp_eof(&c->resp) == WL_RESP_OK) {
    answered(c, 1);
    return;
  }
  c->state == LD_BUSY ? fail(c, AS_LOAD_E_READ) : drop(c);
}

/* --- the run -------------------------------------------------------- */

static void on_stop_timer(uv_timer_t *t) { stop(t->data); }

static void on_trickle(uv_timer_t *t) {
  ld_load *l = t->data;
  uv_buf_t one = {.base = "a", .len = 1};
  for (int i = 0; i < l->o->slow; i++)
    if (l->conns[i].state == LD_READY)
      (void)uv_try_write((uv_stream_t *)&l->conns[i].tcp, &one, 1);
}

static void start_active(ld_load *l) {
  const as_load_opts *o = l->o;
  l->started = 1;
  l->t0_ns = wl_now_ns();
  if (o->duration_s > 0)
    uv_timer_start(&l->stop_timer, on_stop_timer,
                   (uint64_t)(o->duration_s * 1000 + 0.5), 0);
  if (o->slow > 0)
    uv_timer_start(&l->trickle_timer, on_trickle, AS_LOAD_TRICKLE_MS,
                   AS_LOAD_TRICKLE_MS);
  for (int j = 0; j < o->beside; j++)
    queue_connect(l, &l->conns[o->slow + j]);
  for (int j = 0; j < o->connections; j++) {
    ld_conn *c = &l->conns[o->slow + o->beside + j];
    /* open loop: the connections' schedules interleave */
    c->due_ns = l->t0_ns + (o->rate > 0 ? (int64_t)(j * 1e9 / o->rate) : 0);
    queue_connect(l, c);
  }
  pump_connects(l);
}

/* Requests an active connection owes at the stop that are starved, not
 * just in flight: the one out (or, closed loop, the one it would send once
 * connected) if it has waited longer than the slowest answer (wait); and
 * in open loop every one that fell due and was never sent, as a
 * connection sends one at a time. */
static uint64_t owed(const ld_load *l, const ld_conn *c, int64_t now,
                     int64_t wait) {
  int64_t since = now - wait; /* owed since before this: starved */
  uint64_t n;
  int64_t next;
  if (c->slow || c->beside || (c->state == LD_READY && l->o->rate <= 0))
    return 0;
  if (l->o->rate <= 0)
    return c->start_ns < since;
  n = c->state == LD_BUSY && c->start_ns < since;
  next = c->state == LD_BUSY ? c->due_ns + l->interval_ns : c->due_ns;
  now -= LD_DUE_SLACK_NS; /* fallen due just now: its timer's, not owed */
  if (next <= now)
    n += (uint64_t)((now - next) / l->interval_ns) + 1;
  return n;
}

/* Close everything: uv_run then returns. */
static void stop(ld_load *l) {
  int64_t now = wl_now_ns();
  if (l->stopping)
    return;
  l->stopping = 1;
  l->r->elapsed_s = (double)(now - l->t0_ns) / 1e9;
  for (int i = 0; i < l->nconns && l->o->requests == 0; i++)
    l->r->unanswered += owed(l, &l->conns[i], now,
                             (int64_t)wl_hist_max(&l->r->latency));
  uv_close((uv_handle_t *)&l->stop_timer, NULL);
  uv_close((uv_handle_t *)&l->trickle_timer, NULL);
  for (int i = 0; i < l->nconns; i++) {
    ld_conn *c = &l->conns[i];
    if (!c->slow && !c->beside && l->o->rate > 0)
      uv_close((uv_handle_t *)&c->due_timer, NULL);
    if (c->slow && c->state == LD_READY)
      l->r->slow_open++;
    if (c->state == LD_CONNECTING || c->state == LD_READY ||
        c->state == LD_BUSY) {
      c->state = LD_CLOSING;
      if (uv_tcp_close_reset(&c->tcp, NULL) != 0)
        uv_close((uv_handle_t *)&c->tcp, NULL);
    }
  }
}

static double tv_s(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void init_conns(ld_load *l) {
  const as_load_opts *o = l->o;
  for (int i = 0; i < l->nconns; i++) {
    ld_conn *c = &l->conns[i];
    c->load = l;
    c->slow = c->first = i < o->slow;
    c->beside = !c->slow && i < o->slow + o->beside;
    if (!c->slow && !c->beside && o->rate > 0) {
      uv_timer_init(&l->loop, &c->due_timer);
      c->due_timer.data = c;
    }
  }
  if (o->rate > 0)
    l->interval_ns = (int64_t)(o->connections * 1e9 / o->rate);
}

/* The loop from the first connect to the last close. */
static int run_loop(ld_load *l, char *why, size_t cap) {
  struct rusage before = {0}, after = {0};
  getrusage(RUSAGE_SELF, &before); /* fails only on a bad argument */
  init_conns(l);
  if (l->o->slow > 0) {
    l->slow_pending = l->o->slow;
    for (int i = 0; i < l->o->slow; i++)
      queue_connect(l, &l->conns[i]);
    pump_connects(l);
  } else {
    start_active(l);
  }
  uv_run(&l->loop, UV_RUN_DEFAULT);
  getrusage(RUSAGE_SELF, &after);
  l->r->user_s = tv_s(after.ru_utime) - tv_s(before.ru_utime);
  l->r->sys_s = tv_s(after.ru_stime) - tv_s(before.ru_stime);
  if (uv_loop_close(&l->loop) != 0) {
    snprintf(why, cap, "the load's loop still had handles open at the end");
    return -1;
  }
  return 0;
}

int as_load_run(const as_load_opts *o, as_load_result *r, char *why,
                size_t cap) {
  ld_load *l = calloc(1, sizeof *l);
  int rc = -1, n = o->slow + o->beside + o->connections;

  memset(r, 0, sizeof *r);
  wl_hist_init(&r->latency);
  if (l == NULL || n <= 0)
    goto out;
  l->o = o;
  l->r = r;
  l->nconns = n;
  l->conns = calloc((size_t)n, sizeof *l->conns);
  l->queue = calloc((size_t)n, sizeof *l->queue);
  if (l->conns == NULL || l->queue == NULL) {
    snprintf(why, cap, "out of memory for %d connections", n);
    goto out;
  }
  if (resolve(l, why, cap) != 0)
    goto out;
  if ((rc = uv_loop_init(&l->loop)) != 0) {
    snprintf(why, cap, "uv_loop_init: %s", uv_strerror(rc));
    rc = -1;
    goto out;
  }
  uv_timer_init(&l->loop, &l->stop_timer);
  uv_timer_init(&l->loop, &l->trickle_timer);
  l->stop_timer.data = l->trickle_timer.data = l;
  rc = run_loop(l, why, cap);
out:
  if (l != NULL) {
    free(l->conns);
    free(l->queue);
  }
  free(l);
  return rc;
}

uint64_t as_load_failed(const as_load_result *r) {
  uint64_t n = 0;
  for (int k = 0; k < AS_LOAD_E_KINDS; k++)
    if (k != AS_LOAD_E_STATUS)
      n += r->errors[k];
  return n;
}
