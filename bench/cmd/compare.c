/*
 * compare.c - `conclab compare A B`: two suite runs, cell by cell, and
 * which cells changed beyond the noise of both (report/compare.c).
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "base.h"
#include "compare.h"

static void compare_help(FILE *out) {
  fprintf(out,
"usage: conclab compare A B [--fail-above PCT]\n"
"\n"
"A and B are results directories of `conclab suite` (their\n"
"data/summary.json is read) or summary.json files.  Cells are matched by\n"
"workload, model, variant, table, tasks, concurrency and the workload's\n"
"other parameters; for each, the ratio of the median wall times (B/A).\n"
"\n"
"A cell's runs in one suite are seconds apart; two suites are minutes\n"
"apart, and the machine drifts in between.  So the drift D of the pair is\n"
"measured first: the median, over the cells, of how far a cell's ln(B/A)\n"
"strays from the median cell's, in units of the cell's own spread s (its\n"
"MADs over its medians, in quadrature, at least %.1f%%); D is at least 1.\n"
"\n"
"The rule: a cell changed when B/A is over %.0f%% away from 1, AND the two\n"
"runs' min-max ranges do not overlap (every run of B slower than every run\n"
"of A, or faster), AND |ln(B/A)| is over %.0f x D x s.  Anything else is\n"
"noise.  When the median cell moved over %.0f%%, a note says the whole run\n"
"moved (the machine as likely as the code).  Slower and faster cells are\n"
"listed apart, then the unchanged count, cells not compared (measured\n"
"once in either run, so without a range: the suite's oracle cells; or\n"
"FAILED in either), and cells only in one of the runs.  Notes say when\n"
"cells have fewer than 3 runs (their ranges are thin), when a changed\n"
"cell takes under 5 ms (as short as the scheduler's hiccups), and when A\n"
"or B ran on a busy machine (load over the cores, other programs' CPU\n"
"over 10%%, host steal over 3%%).\n"
"\n"
"  --fail-above PCT  exit 3 when a cell got slower, beyond the noise, by\n"
"                    more than PCT percent (0..1000), for CI\n"
"\n"
"Exit status: 0 compared, 3 a cell slower than --fail-above allows, 2 bad\n"
"usage or a file that is not a summary.json of a schema this conclab\n"
"reads (one line).\n",
          REPORT_CMP_SPREAD_MIN * 100, REPORT_CMP_PCT, REPORT_CMP_K,
          REPORT_CMP_PCT);
}

/* argv into the two paths and --fail-above (-1: not given).  -1 to go
 * on, else the exit status. */
static int parse_args(int argc, char **argv, const char **paths,
                      long long *fail_above) {
  unsigned seen = 0;
  int npaths = 0;

  for (int i = 1; i < argc; i++) {
    const char *f = argv[i];
    if (strcmp(f, "-h") == 0 || strcmp(f, "--help") == 0) {
      compare_help(stdout);
      return 0;
    }
    if (strcmp(f, "--fail-above") == 0) {
      if (base_once(&seen, 0, f) != 0)
        return 2;
      if (i + 1 >= argc) {
        fprintf(stderr, "conclab: --fail-above: missing value\n");
        return 2;
      }
      if (base_parse_whole(argv[++i], 0, 1000, fail_above) !=
          BASE_WHOLE_OK) {
        fprintf(stderr, "conclab: --fail-above: '%s' is not a whole "
                "number in 0..1000\n", argv[i]);
        return 2;
      }
    } else if (f[0] == '-' && f[1] != '\0') {
      fprintf(stderr, "conclab: compare: unknown option '%s' (see conclab "
              "compare --help)\n", f);
      return 2;
    } else if (npaths < 2) {
      paths[npaths++] = f;
    } else {
      fprintf(stderr, "conclab: compare: one A and one B (a third: '%s')\n",
              f);
      return 2;
    }
  }
  if (npaths != 2) {
    fprintf(stderr, "conclab: compare: needs two results directories or "
            "summary.json files, A and B (see conclab compare --help)\n");
    return 2;
  }
  return -1;
}

int cmd_compare(int argc, char **argv) {
  const char *paths[2];
  long long fail_above = -1;
  report_cmp_run a, b;
  char why[4400];
  int rc = parse_args(argc, argv, paths, &fail_above), slower;

  if (rc >= 0)
    return rc;
  if (report_cmp_load(paths[0], &a, why, sizeof why) != 0) {
    fprintf(stderr, "conclab: compare: A: %s\n", why);
    return 2;
  }
  if (report_cmp_load(paths[1], &b, why, sizeof why) != 0) {
    fprintf(stderr, "conclab: compare: B: %s\n", why);
    report_cmp_free(&a);
    return 2;
  }
  slower = report_cmp_print(stdout, &a, &b, (double)fail_above);
  if (slower > 0)
    fprintf(stderr, "conclab: compare: %d cell%s slower by more than "
            "--fail-above %lld%%\n", slower, slower == 1 ? "" : "s",
            fail_above);
  report_cmp_free(&a);
  report_cmp_free(&b);
  return slower > 0 ? 3 : 0;
}
