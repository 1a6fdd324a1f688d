/*
 * compare.h - two suite runs side by side: which cells changed beyond the
 * noise of both (`conclab compare A B`).
 *
 * A benchmark number moves between runs even when the code did not: the
 * machine's load, its caches, the host's steal.  A cell's runs within one
 * suite are seconds apart, so its MAD shows only the noise of seconds; two
 * suites are minutes or days apart, and the machine drifts in between.  So
 * compare first measures that drift from the pair itself, then calls a
 * cell changed only when all three tests pass:
 *
 *   1. B/A of the medians is over REPORT_CMP_PCT percent away from 1;
 *   2. the two runs' min-max ranges do not overlap (every run of B slower
 *      than every run of A, or faster);
 *   3. B/A is beyond the drift: |ln(B/A)| > REPORT_CMP_K x D x s, where s
 *      is the cell's own spread (the MADs of A and B over their medians,
 *      added in quadrature, at least REPORT_CMP_SPREAD_MIN) and D is the
 *      drift of the pair: the median, over every compared cell, of how far
 *      its ln(B/A) strays from the median cell's, in units of its own s
 *      (at least 1).  D = 1: the runs agree as well as each agrees with
 *      itself; D = 2: cells stray twice their own spread between the runs.
 *
 * Anything else is noise, counted as unchanged.  A cell measured once
 * (the suite's oracle cells) has no range, so it is not compared.  A
 * shift of the whole run (every cell slower together) is not drift: D is
 * measured around the median cell, so such a shift still shows, and a
 * note says the machine may be its cause.
 */
#ifndef CONCLAB_COMPARE_H
#define CONCLAB_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#define REPORT_CMP_PCT 5.0
/* Test 3: how many times the drift a change must be; the smallest spread a
 * cell is given (a sleep's runs agree within 0.1% of each other, yet two
 * suites minutes apart on a shared machine rarely agree that well: so at
 * D = 1 no cell changes by less than 5 x 1.5%); and the fewest compared
 * cells that measure D (fewer: D = 1). */
#define REPORT_CMP_K 5.0
#define REPORT_CMP_SPREAD_MIN 0.015
#define REPORT_CMP_DRIFT_CELLS 8
/* A changed cell whose medians are under this many seconds gets a note:
 * the scheduler's jitter is of the same size (hyperfine warns below 5 ms
 * too). */
#define REPORT_CMP_SHORT_S 0.005
/* Fewer measured runs than this: the comparison says its ranges are thin. */
#define REPORT_CMP_FEW_RUNS 3

/* One cell of a summary.json: its identity (every parameter that makes
 * it the same work) and its wall times. */
typedef struct report_cmp_cell {
  char key[256];   /* every parameter: cells match when their keys do */
  char label[160]; /* what a reader sees: workload model table N C */
  double median, mad, min, max; /* wall seconds; mad 0: not recorded */
  int runs; /* measured runs behind min..max (0: not recorded) */
  int failed;
} report_cmp_cell;

typedef struct report_cmp_run {
  char path[4096]; /* the summary.json read */
  char profile[16];
  char commit[64];
  /* the machine as the run saw it, for the note on a busy machine: the
   * load average at its start (-1: not recorded), its cores, the CPU shares
   * the host stole and other programs used (-1: not known) */
  double load1, steal_pct, others_pct;
  int cores;
  int ncells;
  report_cmp_cell *cells;
} report_cmp_run;

/* Read a results directory (DIR/data/summary.json) or a summary.json
 * itself.  0; or -1 and why (one line: missing, not JSON, not a summary,
 * a schema this conclab cannot read). */
int report_cmp_load(const char *arg, report_cmp_run *r, char *why,
                    size_t cap);
void report_cmp_free(report_cmp_run *r);

/* What happened to a cell from A to B. */
typedef enum {
  REPORT_CMP_SAME,   /* within the noise */
  REPORT_CMP_FASTER, /* beyond it, faster */
  REPORT_CMP_SLOWER, /* beyond it, slower */
  REPORT_CMP_FAILED, /* FAILED in either run: not compared */
  REPORT_CMP_SINGLE  /* one run in either: no range to judge the noise */
} report_cmp_verdict;

/* The drift of a pair of runs (test 3 above). */
typedef struct report_cmp_drift {
  int cells;    /* the compared cells it was measured on */
  double drift; /* D, >= 1 (1 when fewer than REPORT_CMP_DRIFT_CELLS) */
  double shift; /* B/A of the median cell: the whole run's move */
} report_cmp_drift;

report_cmp_drift report_cmp_measure(const report_cmp_run *a,
                                    const report_cmp_run *b);

/* The rule above, for one matched pair, given the pair's drift D. */
report_cmp_verdict report_cmp_judge(const report_cmp_cell *a,
                                    const report_cmp_cell *b, double drift);

/* The comparison, printed: slower cells, faster cells, the unchanged
 * count, cells not compared, cells only in one run.  Returns how many
 * cells got slower (beyond the noise) by more than fail_above percent
 * (fail_above < 0: 0). */
int report_cmp_print(FILE *out, const report_cmp_run *a,
                     const report_cmp_run *b, double fail_above);

#endif
