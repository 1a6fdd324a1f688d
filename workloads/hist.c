/*
 * hist.c - the log-linear histogram (see hist.h for the lesson).
 *
 * Index arithmetic: a value v >= 2^S (S = WL_HIST_SUB_BITS) has its top bit
 * at k >= S; dropping its k - S lowest bits leaves S + 1 bits, 2^S..2^(S+1)
 * - 1, whose low S bits pick the sub-bucket in row k - S + 1.  Row 0 holds
 * the values below 2^S one per bucket.  So a bucket of row r >= 1 spans
 * 2^(r-1) values starting at 2^(S+r-1) or more: width / start <= 1/2^S.
 */
#include "hist.h"

#include <string.h>

void wl_hist_init(wl_hist *h) {
  memset(h, 0, sizeof *h);
  h->min = UINT64_MAX;
}

unsigned wl_hist_index(uint64_t value) {
  if (value < WL_HIST_SUB)
    return (unsigned)value;
  unsigned k = 63u - (unsigned)__builtin_clzll(value); /* top bit */
  unsigned shift = k - WL_HIST_SUB_BITS;
  unsigned sub = (unsigned)(value >> shift) - WL_HIST_SUB;
  return (shift + 1) * WL_HIST_SUB + sub;
}

uint64_t wl_hist_value_at(unsigned index) {
  if (index < WL_HIST_SUB)
    return index;
  unsigned shift = index / WL_HIST_SUB - 1;
  uint64_t start = (uint64_t)(WL_HIST_SUB + index % WL_HIST_SUB) << shift;
  return start + ((1ull << shift) >> 1); /* the middle of its width */
}

void wl_hist_record(wl_hist *h, uint64_t value) {
  h->counts[wl_hist_index(value)]++;
  h->count++;
  h->sum += (double)value;
  if (value < h->min)
    h->min = value;
  if (value > h->max)
    h->max = value;
}

void wl_hist_merge(wl_hist *into, const wl_hist *from) {
  if (from->count == 0)
    return;
  for (unsigned i = 0; i < WL_HIST_BUCKETS; i++)
    into->counts[i] += from->counts[i];
  into->count += from->count;
  into->sum += from->sum;
  if (from->min < into->min)
    into->min = from->min;
  if (from->max > into->max)
    into->max = from->max;
}

uint64_t wl_hist_count(const wl_hist *h) { return h->count; }

uint64_t wl_hist_max(const wl_hist *h) { return h->count ? h->max : 0; }

double wl_hist_mean(const wl_hist *h) {
  return h->count ? h->sum / (double)h->count : 0.0;
}

/* The bucket's value, kept within what was recorded: a bucket's middle
 * may lie above the largest value in it. */
static uint64_t clamp(const wl_hist *h, uint64_t v) {
  return v < h->min ? h->min : v > h->max ? h->max : v;
}

uint64_t wl_hist_percentile(const wl_hist *h, double p) {
  if (h->count == 0)
    return 0;
  if (p <= 0)
    return h->min;
  if (p >= 100)
    return h->max;
  /* the rank-th smallest value, rank = ceil(p% of count), at least 1;
   * p / 100 is inexact (99.9% of 1,000 comes out as 999.0000000000001),
   * so a hair below a whole rank counts as that rank */
  double want = p / 100.0 * (double)h->count - 1e-9;
  uint64_t rank = want > 0 ? (uint64_t)want : 0;
  if ((double)rank < want || rank == 0)
    rank++;
  uint64_t seen = 0;
  for (unsigned i = 0; i < WL_HIST_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank)
      return clamp(h, wl_hist_value_at(i));
  }
  return h->max;
}
