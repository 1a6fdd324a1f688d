/*
 * stats.c - median, MAD, min, max (see stats.h).
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of a sorted copy; the mean of the middle two for even n. */
double base_median(const double *values, int n) {
  double *v, m;
  if (n <= 0)
    return 0.0;
  v = malloc((size_t)n * sizeof *v);
  if (v == NULL)
    abort();
  memcpy(v, values, (size_t)n * sizeof *v);
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  m = (n % 2) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  free(v);
  return m;
}

base_summary base_summarise(const double *values, int n) {
  base_summary s = {.n = n};
  double *dev;
  if (n <= 0)
    return s;
  s.median = base_median(values, n);
  s.min = s.max = values[0];
  dev = malloc((size_t)n * sizeof *dev);
  if (dev == NULL)
    abort();
  for (int i = 0; i < n; i++) {
    if (values[i] < s.min)
      s.min = values[i];
    if (values[i] > s.max)
      s.max = values[i];
    dev[i] = fabs(values[i] - s.median);
  }
  s.mad = base_median(dev, n);
  free(dev);
  return s;
}
