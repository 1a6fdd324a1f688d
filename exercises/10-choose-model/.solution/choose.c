/*
 * choose.c - exercise 10: choose the model.  (Reference solution.)
 *
 * Two laws give the best speedup to expect - Amdahl's for computing, the
 * number of overlapping waits for waiting - and the chooser reads what was
 * measured: the fastest model whose answer was right, and when two are
 * equally fast, the one that costs less memory.
 */
#include "choose.h"

#include <string.h>

double cm_amdahl(double s, int n) {
  if (n < 1 || s < 0.0 || s > 1.0)
    return 0.0;
  return 1.0 / (s + (1.0 - s) / n);
}

double cm_io_ideal(int tasks, int concurrency) {
  int rounds;
  if (tasks < 1 || concurrency < 1)
    return 0.0;
  /* ceil in integers: no floating point near a whole number */
  rounds = (int)(((long long)tasks + concurrency - 1) / concurrency);
  return (double)tasks / rounds;
}

double cm_serial_fraction(double speedup, int n) {
  if (n < 2 || speedup <= 0.0)
    return -1.0;
  return (1.0 / speedup - 1.0 / n) / (1.0 - 1.0 / n);
}

/* Is a better than b, both within the tie of the fastest? */
static int better(const cm_row *a, const cm_row *b) {
  if (a->peak_rss_mib != b->peak_rss_mib)
    return a->peak_rss_mib < b->peak_rss_mib; /* the lighter */
  return a->wall_s < b->wall_s; /* then the faster; equal: the first */
}

int cm_choose(const cm_row *rows, int n, const char *workload, double tie,
              cm_choice *out) {
  const cm_row *seq = NULL, *best = NULL;
  double fastest = 0.0;

  /* The baseline: the first seq row; without a sound one, no verdict. */
  for (int i = 0; i < n && seq == NULL; i++)
    if (strcmp(rows[i].workload, workload) == 0 &&
        strcmp(rows[i].model, "seq") == 0)
      seq = &rows[i];
  if (seq == NULL || !seq->ok)
    return -1;

  /* First pass: the fastest correct time. */
  for (int i = 0; i < n; i++)
    if (rows[i].ok && strcmp(rows[i].workload, workload) == 0 &&
        (fastest == 0.0 || rows[i].wall_s < fastest))
      fastest = rows[i].wall_s;
  /* Second pass: among the correct rows within the tie, the best. */
  for (int i = 0; i < n; i++) {
    const cm_row *r = &rows[i];
    if (!r->ok || strcmp(r->workload, workload) != 0 ||
        r->wall_s > fastest * (1.0 + tie))
      continue;
    if (best == NULL || better(r, best))
      best = r;
  }
  /* best is never NULL here: seq itself is a correct candidate. */
  out->row = best;
  out->speedup = seq->wall_s / best->wall_s;
  out->efficiency = out->speedup / best->ideal;
  return 0;
}
