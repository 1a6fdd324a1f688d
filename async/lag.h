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

typedef struct as_lag {
  uv_timer_t timer;
  uint64_t due_ns; /* when the next firing is due (uv_hrtime) */
  double *ms;      /* one lateness per firing, in ms */
  int n, cap;
} as_lag;

typedef struct as_lag_summary {
  int samples;
  double p50_ms, p99_ms, max_ms;
} as_lag_summary;

/* Start watching.  The timer is unreferenced: it never keeps uv_run going
 * on its own, so the batch ends when its tasks do. */
void as_lag_start(uv_loop_t *loop, as_lag *lag);
/* Stop and close the timer (the loop must run once more to finish the
 * close), summarise the samples into out, and free them. */
void as_lag_stop(as_lag *lag, as_lag_summary *out);
/* p50, p99 and max of n samples (sorts them in place); zeros when n is 0. */
void as_lag_summarise(double *ms, int n, as_lag_summary *out);

#endif
