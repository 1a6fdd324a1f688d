/*
 * workload.h - WHAT the work is, independent of HOW it is scheduled.
 *
 * A workload is data plus plain functions: its name and kind, how to make
 * task i's input, how to run one task the blocking way, and how to fold the
 * per-task results into one checksum.  Every model (seq, async, threaded,
 * multiproc) runs the same tasks and fills the same result slots, so their
 * checksums must agree with seq's, which is the correctness oracle.
 */
#ifndef CONCLAB_WORKLOAD_H
#define CONCLAB_WORKLOAD_H

#include <stdint.h>

typedef enum wl_kind { WL_KIND_IO, WL_KIND_CPU } wl_kind;

/* The outcome of one task.  A failed task never aborts its batch
 * (asyncio.gather(..., return_exceptions=True)). */
typedef enum wl_status {
  WL_PENDING = 0, /* not run (yet): a batch that ends with one is a bug */
  WL_OK,
  WL_ERROR, /* the task failed, or the worker running it died */
  WL_TIMEOUT,
} wl_status;

/* Parameters of one batch.  Each workload reads the fields it needs. */
typedef struct wl_params {
  int tasks;           /* N: number of tasks (for primes: number of chunks) */
  int concurrency;     /* C: at most C tasks in flight */
  int delay_ms;        /* sleep: every task waits this long... */
  int delay_spread_ms; /* ...plus a per-task extra in [0, spread] */
  int64_t limit;       /* primes: count primes below this */
} wl_params;

/* Task i's input: small and flat, so it can travel in a pipe frame. */
typedef struct wl_task {
  uint32_t index;
  uint64_t a; /* sleep: delay in ms;        primes: first number */
  uint64_t b; /* sleep: unused;             primes: one past the last */
} wl_task;

/* Task i's result slot.  Slot i belongs to task i (gather order). */
typedef struct wl_slot {
  wl_status status;
  uint64_t value;
} wl_slot;

typedef struct wl_workload {
  const char *name;
  wl_kind kind;
  const char *summary; /* one line for --help */
  /* Fill task i's input from the batch parameters. */
  void (*task_input)(const wl_params *p, uint32_t i, wl_task *out);
  /* Run one task the blocking way; return its status, store its value. */
  wl_status (*run_blocking)(const wl_task *t, uint64_t *value);
} wl_workload;

/* The registry. */
const wl_workload *wl_find(const char *name);
extern const wl_workload *const wl_all[]; /* NULL-terminated */

extern const wl_workload wl_sleep;
extern const wl_workload wl_primes;

/* sleep's pieces, shared with the async model (which waits with a timer). */
uint64_t wl_sleep_value(uint32_t index); /* fetch_number(n) -> n * 10 */
int wl_sleep_ms(uint64_t ms);            /* nanosleep, EINTR-safe */

/* primes' piece: count primes in [lo, hi) by trial division. */
uint64_t wl_primes_count(uint64_t lo, uint64_t hi);

/* Run task i of a batch the blocking way into its slot (any model). */
void wl_run_one(const wl_workload *wl, const wl_params *p, uint32_t i,
                wl_slot *slot);

/* Fold the slots, in order, into one checksum (FNV-1a over index, status,
 * value).  Order matters: results out of order change the checksum. */
uint64_t wl_checksum(const wl_slot *slots, int n);

/* seq: one task after another.  The baseline and the oracle. */
int seq_run(const wl_workload *wl, const wl_params *p, wl_slot *slots);

#endif
