/*
 * load_conn.c - one connection of the load generator, from its connect to
 * its close (see load.h for the lesson, load_conn.h for its states).
 *
 * An answer's end records the latency and, on a kept-alive connection,
 * sends the next request (closed loop) or waits for its due time (open
 * loop).  A connection that fails or is closed by the server is counted
 * and made again.
 *
 * Answers are framed by the client's reader (workloads/response.c) with
 * its hashing off: hashing every body byte for the checksums costs about
 * 1.5 us a KiB, half of what a request costs this generator - and a
 * generator must cost less than the server.
 */
#include "load_conn.h"

#include "workload.h" /* wl_now_ns */

static const char SLOW_HEAD[] = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";

/* --- connecting ----------------------------------------------------- */

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
    ld_stop(l);
}

void ld_queue_connect(ld_load *l, ld_conn *c) {
  l->queue[(l->qhead + l->qlen++) % l->nconns] = (int)(c - l->conns);
  c->state = LD_WAITING;
  if (l->o->rate <= 0)
    c->start_ns = wl_now_ns(); /* closed loop: its request waits from now */
}

static void on_closed(uv_handle_t *h) {
  ld_conn *c = h->data;
  if (c->load->stopping)
    return;
  ld_queue_connect(c->load, c);
  ld_pump_connects(c->load);
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

/* A slow connection's first connect has resolved: once all have, the
 * active connections start. */
static void slow_resolved(ld_conn *c) {
  ld_load *l = c->load;
  if (!c->slow || !c->first)
    return;
  c->first = 0;
  if (--l->slow_pending == 0)
    ld_start_active(l);
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
    ld_pump_connects(l);
    return;
  }
  l->r->connects++;
  c->state = LD_READY;
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
    connect_failed(c);
    ld_pump_connects(l);
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
  ld_pump_connects(l);
}

static void on_backoff(uv_timer_t *t) {
  ld_load *l = t->data;
  l->backing_off = 0;
  ld_pump_connects(l);
}

/* A connect that failed for want of a descriptor or a local port: the
 * ones queued wait LD_BACKOFF_MS (connections that close meanwhile free
 * what they held). */
static void back_off(ld_load *l, int err) {
  if (err != UV_EMFILE && err != UV_ENFILE && err != UV_ENOBUFS &&
      err != UV_EADDRNOTAVAIL)
    return;
  l->backing_off = 1;
  uv_timer_start(&l->backoff_timer, on_backoff, LD_BACKOFF_MS, 0);
}

static void start_connect(ld_load *l, ld_conn *c) {
  int err;
  c->state = LD_CONNECTING;
  uv_tcp_init(&l->loop, &c->tcp);
  c->tcp.data = c;
  c->connect.data = c;
  err = uv_tcp_nodelay(&c->tcp, 1);
  if (err == 0)
    err = uv_tcp_connect(&c->connect, &c->tcp, (struct sockaddr *)&l->addr,
                         on_connect);
  if (err == 0) {
    l->connecting++;
    return;
  }
  back_off(l, err);
  connect_failed(c);
}

void ld_pump_connects(ld_load *l) {
  while (!l->stopping && !l->backing_off && l->qlen > 0 &&
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
