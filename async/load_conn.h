/*
 * load_conn.h - the load generator's insides, shared by its two halves:
 * one connection's life (load_conn.c) and the run around them (load.c).
 * Not for use outside async/load*.c: load.h is the interface.
 *
 * A connection is a small state machine: waiting for its turn to connect
 * (at most AS_LOAD_CONNECTS_MAX connects in progress), connecting, ready
 * (connected, nothing asked), busy (a request out, its answer read as it
 * arrives), closing.
 */
#ifndef CONCLAB_LOAD_CONN_H
#define CONCLAB_LOAD_CONN_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "load.h"
#include "response.h"

enum { LD_WAITING, LD_CONNECTING, LD_READY, LD_BUSY, LD_CLOSING };

/* How long connects wait once the process is out of descriptors. */
#define LD_BACKOFF_MS 100

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
  /* Out of descriptors (or local ports): connects wait for this timer,
   * as a connect retried at once would fail at once, in a loop that
   * burns the CPU the server needs and counts an error each turn. */
  uv_timer_t backoff_timer;
  int backing_off;
  uv_signal_t sigint, sigterm; /* stop the run early, with its figures */
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

/* load_conn.c: put c in the connect queue (counting its wait from now in
 * closed loop), and start queued connects while fewer than
 * AS_LOAD_CONNECTS_MAX are in progress. */
void ld_queue_connect(ld_load *l, ld_conn *c);
void ld_pump_connects(ld_load *l);

/* load.c: the active connections start (after the slow ones are up); the
 * stop (duration, count or a stop signal) closes everything. */
void ld_start_active(ld_load *l);
void ld_stop(ld_load *l);

#endif
