/*
 * lag.h - how late the loop runs: an event loop's health, measured.
 *
 * A repeating 1 ms timer notes, each time it fires, how long after its due
 * time that was.  On a healthy loop the answer is under a millisecond or
 * so (libuv keeps its clock in whole milliseconds).  While a callback
 * blocks - a time.sleep() in a coroutine, a long computation - nothing
 * else on the loop runs, this timer included, so its next firing is late
 * by about as long as the callback blocked.
 */
#ifndef CONCLAB_ASYNC_LAG_H
#define CONCLAB_ASYNC_LAG_H

#include <uv.h>

/* One firing: when it fired (uv_hrtime, which is CLOCK_MONOTONIC in ns,
 * the tasks' clock), and how late that was. */
typedef struct as_lag_sample {
  int64_t t_ns;
  double ms;
} as_lag_sample;

/* At most this many samples are kept (16 MiB, about 17 minutes of 1 ms
 * firings).  When the buffer is full, neighbours merge in pairs - the later
 * lateness being the larger of the two - so a longer run keeps a coarser
 * picture of its whole length in bounded memory, and the max stays exact. */
#define AS_LAG_MAX_SAMPLES (1 << 20)

typedef struct as_lag {
  uv_timer_t timer;
  uint64_t due_ns;        /* when the next firing is due (uv_hrtime) */
  as_lag_sample *samples; /* one per firing, in time order */
  int n, cap;
} as_lag;

/* The samples themselves, in time order, for a timeline (--trace). */
typedef struct as_lag_timeline {
  as_lag_sample *samples; /* malloc'd: the receiver frees it */
  int n;
} as_lag_timeline;

typedef struct as_lag_summary {
  int samples;
  double p50_ms, p99_ms, max_ms;
} as_lag_summary;

/* Start watching.  The timer is unreferenced: it never keeps uv_run going
 * on its own, so the batch ends when its tasks do. */
void as_lag_start(uv_loop_t *loop, as_lag *lag);
/* Stop and close the timer (the loop must run once more to finish the
 * close), summarise the samples into out, and hand them to *keep - or,
 * when keep is NULL, free them. */
void as_lag_stop(as_lag *lag, as_lag_summary *out, as_lag_timeline *keep);
/* p50, p99 and max of n samples (sorts them in place); zeros when n is 0. */
void as_lag_summarise(double *ms, int n, as_lag_summary *out);

#endif
