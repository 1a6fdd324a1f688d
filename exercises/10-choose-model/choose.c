/*
 * choose.c - exercise 10: choose the model.  (Your file.)
 *
 * Python:                                  C:
 *   CPU work: threads don't help (GIL);     no GIL: threads run on every
 *     use multiprocessing                     core, like processes
 *   waiting: asyncio, or threads            a loop, threads or processes:
 *                                             all overlap the waits
 *   "which is best?" - measure:             cm_choose, on the rows of
 *     min(results, key=wall)                  results/README.md
 *
 * Read README.md first: it asks you to write down predictions before you
 * run the suite.  Check your work with:  exercises/progress 10
 */
#include "choose.h"

#include <string.h>

double cm_amdahl(double s, int n) {
  /* TODO 1: 1 / (s + (1 - s) / n); 0.0 when n < 1 or s is outside
   *         [0, 1]. */
  (void)s;
  (void)n;
  return 0.0;
}

double cm_io_ideal(int tasks, int concurrency) {
  /* TODO 2: tasks / ceil(tasks / concurrency), the rounds counted in
   *         integers: (tasks + concurrency - 1) / concurrency - in long
   *         long, as tasks + concurrency can pass INT_MAX.  0.0 when
   *         either is below 1. */
  (void)tasks;
  (void)concurrency;
  return 0.0;
}

double cm_serial_fraction(double speedup, int n) {
  /* TODO 3: (1 / speedup - 1 / n) / (1 - 1 / n); -1.0 when n < 2 or
   *         speedup <= 0.  Careful: n is an int, and 1 / n in integers
   *         is 0 - write 1.0 / n. */
  (void)speedup;
  (void)n;
  return -1.0;
}

int cm_choose(const cm_row *rows, int n, const char *workload, double tie,
              cm_choice *out) {
  /* TODO 4: find the workload's first seq row (strcmp on workload and
   *         model); none, or not ok: return -1.
   * TODO 5: the fastest wall_s among the workload's ok rows.
   * TODO 6: among the workload's ok rows with wall_s <= fastest * (1 +
   *         tie), keep the one with the least peak_rss_mib; equal memory:
   *         the faster; equal again: the first.
   * TODO 7: fill *out (the row, speedup against seq, efficiency against
   *         the row's ideal) and return 0. */
  (void)rows;
  (void)n;
  (void)workload;
  (void)tie;
  (void)out;
  return -1;
}
