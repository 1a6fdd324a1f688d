/*
 * stats.h - robust summaries of repeated measurements.
 *
 * The machine is shared and noisy, so a single run proves little and a mean
 * is pulled by one slow outlier.  We quote the median, the median absolute
 * deviation (MAD: the median of |x - median|), and the min and max.
 */
#ifndef CONCLAB_STATS_H
#define CONCLAB_STATS_H

typedef struct base_summary {
  int n;
  double median, mad, min, max;
} base_summary;

/* Summarise n values (n >= 1).  The input is not modified. */
base_summary base_summarise(const double *values, int n);
double base_median(const double *values, int n);

#endif
