/*
 * lag.c - the loop-lag probe (see lag.h).
 */
#include "lag.h"

#include <stdio.h>
#include <stdlib.h>

#define LAG_PERIOD_MS 1

/* The buffer is full: merge neighbours in pairs, keeping the later time
 * and the larger lateness, which halves it (see AS_LAG_MAX_SAMPLES). */
static void lag_halve(as_lag *lag) {
  int k = 0;
  for (int i = 0; i + 1 < lag->n; i += 2) {
    as_lag_sample a = lag->samples[i], b = lag->samples[i + 1];
    lag->samples[k++] = (as_lag_sample){.t_ns = b.t_ns,
                                        .ms = a.ms > b.ms ? a.ms : b.ms};
  }
  if (lag->n % 2 == 1)
    lag->samples[k++] = lag->samples[lag->n - 1];
  lag->n = k;
}

static void lag_note(as_lag *lag, uint64_t now, double ms) {
  if (lag->n == AS_LAG_MAX_SAMPLES)
    lag_halve(lag);
  if (lag->n == lag->cap) {
    int cap = lag->cap ? 2 * lag->cap : 1024;
    as_lag_sample *grown = realloc(lag->samples, (size_t)cap * sizeof *grown);
    if (grown == NULL)
      return; /* out of memory: this sample is lost, the run goes on */
    lag->samples = grown;
    lag->cap = cap;
  }
  lag->samples[lag->n++] = (as_lag_sample){.t_ns = (int64_t)now, .ms = ms};
}

static void lag_on_timer(uv_timer_t *timer) {
  as_lag *lag = timer->data;
  uint64_t now = uv_hrtime();

  lag_note(lag, now,
           now > lag->due_ns ? (double)(now - lag->due_ns) / 1e6 : 0.0);
  lag->due_ns = now + (uint64_t)LAG_PERIOD_MS * 1000000u;
}

void as_lag_start(uv_loop_t *loop, as_lag *lag) {
  lag->samples = NULL;
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

/* Summarise a copy of the latenesses: the percentiles sort them, and the
 * samples stay in time order for the timeline. */
static void lag_summarise_copy(const as_lag *lag, as_lag_summary *out) {
  double *ms = malloc((size_t)(lag->n > 0 ? lag->n : 1) * sizeof *ms);

  if (ms == NULL) {
    fprintf(stderr, "conclab: loop lag: out of memory for %d samples\n",
            lag->n);
    as_lag_summarise(NULL, 0, out);
    return;
  }
  for (int i = 0; i < lag->n; i++)
    ms[i] = lag->samples[i].ms;
  as_lag_summarise(ms, lag->n, out);
  free(ms);
}

void as_lag_stop(as_lag *lag, as_lag_summary *out, as_lag_timeline *keep) {
  uint64_t now = uv_hrtime();

  /* The firing still to come is late already if the loop was held up at
   * the end: a batch that blocks its loop throughout never lets the probe
   * fire at all, and this one sample is then the whole story. */
  if (now > lag->due_ns)
    lag_note(lag, now, (double)(now - lag->due_ns) / 1e6);
  uv_close((uv_handle_t *)&lag->timer, NULL);
  lag_summarise_copy(lag, out);
  if (keep != NULL) {
    keep->samples = lag->samples; /* theirs now */
    keep->n = lag->n;
  } else {
    free(lag->samples);
  }
  lag->samples = NULL;
  lag->n = lag->cap = 0;
}
