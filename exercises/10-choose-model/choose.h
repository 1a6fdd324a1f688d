/*
 * choose.h - exercise 10: choose the model.
 *
 * Three small tools for reading conclab's tables: the speedup Amdahl's law
 * allows, the ideal the suite uses for waiting work, the serial fraction a
 * measured speedup implies - and a chooser that picks the best model of a
 * workload from measured rows, the way you would from results/README.md.
 * You write them in choose.c; the test (test_choose.c) calls them with
 * made-up tables.  Do not change this file.
 */
#ifndef EX10_CHOOSE_H
#define EX10_CHOOSE_H

/* Amdahl's law: the speedup on n cores of work whose serial fraction is s
 * (the part that cannot run in parallel), 0 <= s <= 1:
 *
 *   speedup = 1 / (s + (1 - s) / n)
 *
 * Returns 0.0 for arguments outside those ranges (n < 1, s < 0, s > 1). */
double cm_amdahl(double s, int n);

/* The ideal speedup of N waits of the same length, at most C at a time,
 * over one after another: they run in ceil(N / C) rounds, so
 *
 *   ideal = N / ceil(N / C)
 *
 * (the "ideal" column of the suite's sleep and http tables).  In integers,
 * ceil(N / C) is (N + C - 1) / C - but N + C - 1 can pass INT_MAX, so
 * count in long long.  Returns 0.0 when N < 1 or C < 1. */
double cm_io_ideal(int tasks, int concurrency);

/* Amdahl's law backwards (the Karp-Flatt metric): the serial fraction
 * that a measured speedup on n cores implies,
 *
 *   s = (1 / speedup - 1 / n) / (1 - 1 / n)
 *
 * so that cm_amdahl(cm_serial_fraction(x, n), n) == x.  A speedup above n
 * gives a negative s (it happens: caches).  Returns -1.0 when n < 2 or
 * speedup <= 0, where it means nothing. */
double cm_serial_fraction(double speedup, int n);

/* One measured cell: a row of a table in results/README.md. */
typedef struct cm_row {
  const char *workload; /* "sleep", "primes", ... */
  const char *model;    /* "seq", "async", "async offload", "threaded", ... */
  double wall_s;        /* the median wall time of its runs, seconds, > 0 */
  int ok;               /* 1: its checksum matched seq's and every task was
                           ok; 0: FAILED (seq's own row: its tasks failed) */
  double peak_rss_mib;  /* its peak resident memory */
  double ideal;         /* the table's ideal speedup for this cell, > 0 */
} cm_row;

/* The choice for one workload. */
typedef struct cm_choice {
  const cm_row *row; /* the chosen row (points into the caller's table) */
  double speedup;    /* seq's wall time / the chosen row's */
  double efficiency; /* speedup / the chosen row's ideal */
} cm_choice;

/* Choose the best model for `workload` among rows[0..n-1] (rows of other
 * workloads are ignored):
 *
 *   1. The workload's seq row is the baseline.  Without one, or when it
 *      is not ok, nothing can be judged: return -1.  (Use the first seq
 *      row if there are several.)
 *   2. Only ok rows are candidates - seq's included: it may be the best.
 *      A failed row is never chosen, however fast.
 *   3. Let f be the fastest candidate's wall time.  Every candidate with
 *      wall_s <= f * (1 + tie) is as fast, within the measurement's noise;
 *      among those, choose the one with the least peak_rss_mib (the
 *      lighter model); if that is equal too, the faster; if that is equal
 *      too, the one that comes first in rows.
 *   4. Fill *out: the row, speedup = seq's wall_s / the row's wall_s,
 *      efficiency = speedup / the row's ideal.
 *
 * tie >= 0 (0.05: within 5%).  Returns 0, or -1 as in 1. */
int cm_choose(const cm_row *rows, int n, const char *workload, double tie,
              cm_choice *out);

#endif
