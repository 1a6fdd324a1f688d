/*
 * lag.c - the loop-lag probe (see lag.h).
 */
#include "lag.h"

#include <stdlib.h>

#define LAG_PERIOD_MS 1

static void lag_note(as_lag *lag, double ms) {
  if (lag->n == lag->cap) {
    int cap = lag->cap ? 2 * lag->cap : 1024;
    double *grown = realloc(lag->ms, (size_t)cap * sizeof *grown);
    if (grown == NULL)
      return; /* out of memory: this sample is lost, the run goes on */
    lag->ms = grown;
    lag->cap = cap;
  }
  lag->ms[lag->n++] = ms;
}

static void lag_on_timer(uv_timer_t *timer) {
  as_lag *lag = timer->data;
  uint64_t now = uv_hrtime();

  lag_note(lag, now > lag->due_ns ? (double)(now - lag->due_ns) / 1e6 : 0.0);
  lag->due_ns = now + (uint64_t)LAG_PERIOD_MS * 1000000u;
}

void as_lag_start(uv_loop_t *loop, as_lag *lag) {
  lag->ms = NULL;
  lag->n = lag->cap = 0;
  uv_timer_init(loop, &lag->timer); /* cannot fail */
  lag->timer.data = lag;
  lag->due_ns = uv_hrtime() + (uint64_t)LAG_PERIOD_MS * 1000000u;
  uv_timer_start(&lag->timer, lag_on_timer, LAG_PERIOD_MS, LAG_PERIOD_MS);
  uv_unref((uv_handle_t *)&lag->timer);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void as_lag_summarise(double *ms, int n, as_lag_summary *out) {
  out->samples = n;
  out->p50_ms = out->p99_ms = out->max_ms = 0;
  if (n == 0)
    return;
  qsort(ms, (size_t)n, sizeof *ms, compare_doubles);
  /* nearest rank: the smallest sample with at least p% at or below it */
  out->p50_ms = ms[(n * 50 + 99) / 100 - 1];
  out->p99_ms = ms[(n * 99 + 99) / 100 - 1];
  out->max_ms = ms[n - 1];
}

void as_lag_stop(as_lag *lag, as_lag_summary *out) {
  uint64_t now = uv_hrtime();

  /* The firing still to come is late already if the loop was held up at
   * the end: a batch that blocks its loop throughout never lets the probe
   * fire at all, and this one sample is then the whole story. */
  if (now > lag->due_ns)
    lag_note(lag, (double)(now - lag->due_ns) / 1e6);
  uv_close((uv_handle_t *)&lag->timer, NULL);
  as_lag_summarise(lag->ms, lag->n, out);
  free(lag->ms);
  lag->ms = NULL;
  lag->n = lag->cap = 0;
}
