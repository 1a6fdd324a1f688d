/*
 * load.c - the load generator on the loop (see load.h for the lesson): the
 * run around the connections (load_conn.c).
 *
 * One loop, C connections.  The URL is resolved once; slow connections go
 * up first, then the active ones, in open loop with interleaved
 * schedules.  At the stop, what each connection still owes is counted,
 * and every connection is closed with a reset, so 10,000 of them leave no
 * TIME_WAIT ports behind for the next run.
 */
#include "load.h"

#include <errno.h>
#include <signal.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "load_conn.h"
#include "workload.h" /* wl_now_ns */

const char *const as_load_error_names[AS_LOAD_E_KINDS] = {
    "connect", "write", "read", "parse", "status"};

/* A request due this recently may still be waiting for its timer (1 ms
 * steps) or the loop's turn: at the stop it is not counted as owed. */
#define LD_DUE_SLACK_NS (10 * 1000000LL)

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

/* --- the run -------------------------------------------------------- */

static void on_stop_timer(uv_timer_t *t) { ld_stop(t->data); }

/* Ctrl-C (or SIGTERM) ends the run as its duration would, with its
 * figures: a long run interrupted is not lost. */
static void on_stop_signal(uv_signal_t *s, int signum) {
  (void)signum;
  ld_stop(s->data);
}

static void on_trickle(uv_timer_t *t) {
  ld_load *l = t->data;
  uv_buf_t one = {.base = "a", .len = 1};
  for (int i = 0; i < l->o->slow; i++)
    if (l->conns[i].state == LD_READY)
      (void)uv_try_write((uv_stream_t *)&l->conns[i].tcp, &one, 1);
}

void ld_start_active(ld_load *l) {
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
    ld_queue_connect(l, &l->conns[o->slow + j]);
  for (int j = 0; j < o->connections; j++) {
    ld_conn *c = &l->conns[o->slow + o->beside + j];
    /* open loop: the connections' schedules interleave */
    c->due_ns = l->t0_ns + (o->rate > 0 ? (int64_t)(j * 1e9 / o->rate) : 0);
    ld_queue_connect(l, c);
  }
  ld_pump_connects(l);
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
void ld_stop(ld_load *l) {
  int64_t now = wl_now_ns();
  if (l->stopping)
    return;
  l->stopping = 1;
  if (l->started) /* else stopped while the slow ones came up: nothing owed */
    l->r->elapsed_s = (double)(now - l->t0_ns) / 1e9;
  for (int i = 0; i < l->nconns && l->started && l->o->requests == 0; i++)
    l->r->unanswered += owed(l, &l->conns[i], now,
                             (int64_t)wl_hist_max(&l->r->latency));
  uv_close((uv_handle_t *)&l->stop_timer, NULL);
  uv_close((uv_handle_t *)&l->trickle_timer, NULL);
  uv_close((uv_handle_t *)&l->backoff_timer, NULL);
  uv_close((uv_handle_t *)&l->sigint, NULL);
  uv_close((uv_handle_t *)&l->sigterm, NULL);
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
      ld_queue_connect(l, &l->conns[i]);
    ld_pump_connects(l);
  } else {
    ld_start_active(l);
  }
  uv_signal_start(&l->sigint, on_stop_signal, SIGINT);
  uv_signal_start(&l->sigterm, on_stop_signal, SIGTERM);
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
  uv_timer_init(&l->loop, &l->backoff_timer);
  uv_signal_init(&l->loop, &l->sigint);
  uv_signal_init(&l->loop, &l->sigterm);
  l->sigint.data = l->sigterm.data = l;
  l->stop_timer.data = l->trickle_timer.data = l->backoff_timer.data = l;
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
