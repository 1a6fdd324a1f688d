/*
 * load.h - the load generator on the loop: C keep-alive connections
 * asking one URL over and over, each answer's latency in a histogram.
 *
 * Lesson: a load generator is a client that must not lie.  Closed loop
 * (as wrk): each connection sends its next request when the last answer
 * is complete, so a slow server is asked less - and its stalls hide in
 * the requests never sent.  Open loop (as wrk2, --rate): requests are
 * due at fixed times whatever the server does, and a request's latency
 * runs from when it was due, not from when it could be sent, so the time
 * it waited behind a slow answer is counted (coordinated omission).
 */
#ifndef CONCLAB_LOAD_H
#define CONCLAB_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* Connects in progress at once: 10,000 connections come up in waves, not
 * as one burst of SYNs that overflows the server's accept queue.  Out of
 * descriptors or local ports, connects pause 100 ms (one connect error
 * counted each time) until connections close or the run ends. */
#define AS_LOAD_CONNECTS_MAX 128

typedef struct as_load_opts {
  const char *url;     /* http://HOST:PORT/PATH (IPv4 or a name) */
  int connections;     /* active: each asks, waits, asks again */
  double duration_s;   /* stop after this long (0: after requests) */
  uint64_t requests;   /* stop after this many ended (0: after duration) */
  double rate;         /* > 0: open loop, this many requests/s in all */
  /* Slow connections, opened before the active ones: each sends the start
   * of a request head and then one more byte of it every
   * AS_LOAD_TRICKLE_MS, never finishing it (a slowloris). */
  int slow;
  /* Beside connections, started with the active ones: each asks
   * beside_path (on the same host) in closed loop, whatever --rate says,
   * and its answers are only counted (beside_requests), not timed: the
   * other work the measured requests share the server with. */
  int beside;
  const char *beside_path;
} as_load_opts;

#define AS_LOAD_TRICKLE_MS 500

/* How a request ended other than with an answer. */
typedef enum as_load_error {
  AS_LOAD_E_CONNECT, /* the connection could not be made */
  AS_LOAD_E_WRITE,   /* the request could not be sent */
  AS_LOAD_E_READ,    /* closed or reset before the answer was whole */
  AS_LOAD_E_PARSE,   /* the answer was not HTTP */
  AS_LOAD_E_STATUS,  /* an answer, but not 2xx or 3xx (counted in both) */
  AS_LOAD_E_KINDS
} as_load_error;

extern const char *const as_load_error_names[AS_LOAD_E_KINDS];

typedef struct as_load_result {
  uint64_t requests;  /* answered (any status) */
  uint64_t errors[AS_LOAD_E_KINDS];
  uint64_t connects;  /* connections made, slow ones included */
  /* --duration-s: requests owed at the stop, starved (not counted
   * above): out, or waiting to connect, for longer than the slowest
   * answer; in open loop also every one fallen due and never sent - what
   * a server that starves connections leaves out of the latencies */
  uint64_t unanswered;
  int slow_open;      /* slow connections still open at the end */
  uint64_t beside_requests; /* answers to the beside connections */
  uint64_t beside_errors;   /* of which not 2xx or 3xx */
  double elapsed_s;   /* from the first active connect to the stop */
  double user_s, sys_s; /* this process's CPU over the run */
  wl_hist latency;    /* nanoseconds, answered requests */
} as_load_result;

/* Check the options; 0, or -1 with why ("--rate: ...").  url is parsed. */
int as_load_check(const as_load_opts *o, char *why, size_t cap);

/* Run the load on a fresh loop until the duration or the count is
 * reached, or SIGINT or SIGTERM comes (handled only while it runs);
 * every connection is closed before it returns.  0, or -1 with
 * why (the URL's host not found, the loop failing). */
int as_load_run(const as_load_opts *o, as_load_result *r, char *why,
                size_t cap);

/* Errors of every kind but status: requests that got no answer. */
uint64_t as_load_failed(const as_load_result *r);

#endif
