/*
 * hist.h - a latency histogram with bounded relative error.
 *
 * Lesson: a percentile does not need every sample kept and sorted.  Values
 * are counted in log-linear buckets (as HdrHistogram does): each power-of-
 * two range [2^k, 2^(k+1)) is split into 2^WL_HIST_SUB_BITS equal
 * sub-buckets, so a bucket is never wider than 1/2^WL_HIST_SUB_BITS of the
 * values in it.  Any value is reported back within that relative error
 * (values below 2^WL_HIST_SUB_BITS exactly), in constant memory, however
 * many are recorded; two histograms merge by adding their counts.
 *
 * The unit is the caller's (the load generator records nanoseconds).
 */
#ifndef CONCLAB_HIST_H
#define CONCLAB_HIST_H

#include <stdint.h>

#define WL_HIST_SUB_BITS 7 /* 128 sub-buckets: within 1/128, < 0.8% */
#define WL_HIST_SUB (1u << WL_HIST_SUB_BITS)
/* Exact values [0, SUB), then one row of SUB per power 2^SUB_BITS..2^63. */
#define WL_HIST_BUCKETS ((64 - WL_HIST_SUB_BITS + 1) * WL_HIST_SUB)

typedef struct wl_hist {
  uint64_t count;
  uint64_t min, max; /* exact (min is UINT64_MAX while empty) */
  double sum;        /* for the mean */
  uint64_t counts[WL_HIST_BUCKETS];
} wl_hist;

void wl_hist_init(wl_hist *h);
void wl_hist_record(wl_hist *h, uint64_t value);
/* Add from's counts into into. */
void wl_hist_merge(wl_hist *into, const wl_hist *from);
uint64_t wl_hist_count(const wl_hist *h);
/* The value at percentile p (0..100): the smallest recorded value that at
 * least p% of the values are <= (p = 0: the minimum), within the bucket
 * error; 0 when empty. */
uint64_t wl_hist_percentile(const wl_hist *h, double p);
uint64_t wl_hist_max(const wl_hist *h); /* 0 when empty */
double wl_hist_mean(const wl_hist *h);  /* 0 when empty */

/* The bucket a value falls in, and the value a bucket stands for (its
 * middle): exposed for the error-bound test. */
unsigned wl_hist_index(uint64_t value);
uint64_t wl_hist_value_at(unsigned index);

#endif
