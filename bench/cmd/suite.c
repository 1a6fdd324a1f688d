/*
 * suite.c - `conclab suite`: parse, run the matrix, cross-check with
 * hyperfine, evaluate, write the report and draw its plots.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "figures.h"
#include "hyperfine.h"
#include "base.h"
#include "report.h"
#include "suite.h"
#include "wrk.h"

static void suite_help(FILE *out) {
  fputs(
"usage: conclab suite [--profile quick|full] [--out DIR] [--runs R]\n"
"                     [--hyperfine | --no-hyperfine] [--serve on|off|only]\n"
"\n"
"Run the benchmark matrix.  Each cell (workload, model, variant,\n"
"concurrency) gets one warm-up run and R measured runs, each a fresh\n"
"`conclab run ... --json` process.  Writes DIR/README.md (machine, one\n"
"table per workload, a summary of speedups), DIR/data/runs.csv (every\n"
"run), DIR/data/summary.json, DIR/data/hyperfine/*.json (hyperfine's\n"
"layout, one file per experiment) and DIR/data/servers.csv (the server\n"
"benchmark, --serve); then plots: speedup against\n"
"concurrency and a task timeline (from small batches run with --trace\n"
"into DIR/data/trace_*.json), as gnuplot scripts in DIR/plots/ and, with\n"
"gnuplot installed, SVGs linked from DIR/README.md.  The lab's section\n"
"of an existing DIR/README.md is kept.  Prints the summary on stdout and\n"
"progress on stderr.  Files are written under temporary names and\n"
"renamed into place, README.md last (it lists every file under data/\n"
"and plots/ with its cksum).  Exit status: 0; 3 when a cell failed (the\n"
"files are still written); 2 for a usage error or an --out that cannot\n"
"be written; 1 otherwise.\n"
"\n"
"options:\n"
"  --profile P   quick (default; about 4 minutes on 2 cores, R = 5) or\n"
"                full (adds concurrency sweeps and 100,000 tasks, R = 7)\n"
"                or smoke (tiny sizes, R = 2: checks the plumbing, for tests)\n"
"  --out DIR     where to write (default results)\n"
"  --runs R      measured runs per cell, 1..100 (default: the profile's)\n"
"  --hyperfine   after the cells, time a few of them and the start-up of\n"
"                conclab as whole processes with hyperfine -N, and put its\n"
"                medians beside the harness's (default: on for quick and\n"
"                full when hyperfine is on PATH; off for smoke)\n"
"  --no-hyperfine  do not\n"
"  --serve WHAT  the server benchmark (README's \"Server\" section): each\n"
"                `conclab serve --model M` under `conclab load` per\n"
"                scenario and C, with wrk beside it where wrk is on PATH\n"
"                (not in smoke); on (default), off, or only (no cells)\n"
"  -h, --help    this help\n",
      out);
}

static int parse_args(int argc, char **argv, const char **profile,
                      const char **out, int *runs, int *hyperfine,
                      const char **serve) {
  static const char *const valued[] = {"--profile", "--out", "--runs",
                                       "--serve"};
  unsigned seen = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      suite_help(stdout);
      return 0;
    }
    if (strcmp(a, "--hyperfine") == 0 || strcmp(a, "--no-hyperfine") == 0) {
      int want = strcmp(a, "--hyperfine") == 0;
      if (*hyperfine != -1 && *hyperfine != want) {
        fprintf(stderr, "conclab: %s: contradicts %s (give one of them)\n",
                a, want ? "--no-hyperfine" : "--hyperfine");
        return 2;
      }
      *hyperfine = want;
      continue;
    }
    if (i + 1 >= argc ||
        (strcmp(a, "--profile") != 0 && strcmp(a, "--out") != 0 &&
         strcmp(a, "--runs") != 0 && strcmp(a, "--serve") != 0)) {
      if (a[0] == '-' && i + 1 >= argc &&
          (!strcmp(a, "--profile") || !strcmp(a, "--out") ||
           !strcmp(a, "--runs") || !strcmp(a, "--serve")))
        fprintf(stderr, "conclab: %s: missing value\n", a);
      else
        fprintf(stderr, "conclab: %s: unknown option (see conclab suite "
                "--help)\n", a);
      return 2;
    }
    const char *v = argv[++i];
    for (int k = 0; k < (int)(sizeof valued / sizeof valued[0]); k++)
      if (strcmp(a, valued[k]) == 0 && base_once(&seen, k, a) != 0)
        return 2;
    if (strcmp(a, "--profile") == 0) {
      if (strcmp(v, "quick") != 0 && strcmp(v, "full") != 0 &&
          strcmp(v, "smoke") != 0) {
        fprintf(stderr, "conclab: --profile: unknown profile '%s' (allowed: "
                "quick, full, smoke)\n", v);
        return 2;
      }
      *profile = v;
    } else if (strcmp(a, "--serve") == 0) {
      if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0 &&
          strcmp(v, "only") != 0) {
        fprintf(stderr, "conclab: --serve: '%s' is not on, off or only\n",
                v);
        return 2;
      }
      *serve = v;
    } else if (strcmp(a, "--out") == 0) {
      if (*v == '\0') {
        fprintf(stderr, "conclab: --out: empty directory name\n");
        return 2;
      }
      *out = v;
    } else {
      long long r;
      if (base_parse_whole(v, 1, 100, &r) != BASE_WHOLE_OK) {
        fprintf(stderr, "conclab: --runs: '%s' is not a whole number in "
                "1..100\n", v);
        return 2;
      }
      *runs = (int)r;
    }
  }
  return -1; /* go on */
}

/* The files, data first and README.md last (its one rename is the run's
 * commit point); then the summary.  0, or -1. */
static int write_results(const char *self, const char *outdir,
                         const suite_matrix *s) {
  char *plots = NULL;
  int rc = report_write_data(outdir, s);

  if (rc == 0)
    report_suite_figures(self, outdir, s,
                         &plots); /* optional: says why if not */
  if (rc == 0)
    rc = report_write_readme(outdir, s, plots);
  free(plots);
  report_summary(stdout, s);
  if (rc == 0)
    fprintf(stderr, "conclab: wrote %s/README.md, %s/data/runs.csv, "
            "%s/data/summary.json, %s/data/hyperfine/\n", outdir,
            outdir, outdir, outdir);
  return rc;
}

/* The cells that failed, said in one line: 0 when none did. */
static int count_failed(const suite_matrix *s) {
  int failed = 0;
  for (int i = 0; i < s->ncells; i++)
    failed += s->cells[i].failed != 0;
  if (failed > 0)
    fprintf(stderr, "conclab: suite: %d of %d cells failed (their status "
            "column says why)\n", failed, s->ncells);
  return failed;
}

/* The hyperfine cross-check: asked for, it must be possible (checked
 * before any cell runs); by default, it is on where hyperfine is (path
 * then empty where it is not).  0, or 2 (printed). */
static int find_hyperfine(int *want, const char *profile, char *path,
                          size_t cap) {
  path[0] = '\0';
  if (*want != 0 && tool_hf_find(path, cap) != 0) {
    if (*want == 1) {
      fprintf(stderr, "conclab: --hyperfine: hyperfine is not on PATH "
              "(install it, e.g. apt-get install hyperfine)\n");
      return 2;
    }
    path[0] = '\0';
  }
  if (*want == -1)
    *want = strcmp(profile, "smoke") != 0;
  return 0;
}

/* The server benchmark, unless off; wrk beside it where found (not in
 * smoke, as hyperfine is not). */
static void run_serve(suite_matrix *s, const char *self, const char *profile,
                      const char *serve) {
  char wrk[BASE_PATH_MAX];
  int found;
  if (strcmp(serve, "off") == 0)
    return;
  suite_serve_build(&s->serve, profile);
  found = tool_wrk_find(wrk, sizeof wrk) == 0;
  if (found && strcmp(profile, "smoke") == 0) {
    snprintf(s->serve.wrk_skipped, sizeof s->serve.wrk_skipped,
             "wrk is not run in the smoke profile");
    found = 0;
  }
  suite_serve_run(&s->serve, self, found ? wrk : NULL);
}

/* The profile's cells, with --runs applied; the C and CPython cells only
 * where conclab-py and its python3 are found (else py_skipped says why). */
static void build(suite_matrix *s, const char *self, const char *profile,
                  int runs, const char *serve) {
  char script[BASE_PATH_MAX], python[BASE_PATH_MAX];
  base_machine_read(&s->machine);
  if (run_py_find(self, script, sizeof script, python, sizeof python,
                  s->py_skipped, sizeof s->py_skipped) == 0)
    s->py_skipped[0] = '\0';
  else
    fprintf(stderr, "conclab: suite: no C and CPython cells: %s\n",
            s->py_skipped);
  suite_profile_build(s, profile, s->machine.cores);
  if (strcmp(serve, "only") == 0) /* the server section alone */
    suite_free(s);
  if (runs > 0)
    for (int i = 0; i < s->ncells; i++)
      if (s->cells[i].table != SUITE_ORACLE)
        s->cells[i].runs = s->cells[i].table == SUITE_PYTHON &&
                                   runs > SUITE_PY_RUNS
                               ? SUITE_PY_RUNS
                               : runs;
  s->runs = runs > 0 ? runs : s->runs;
}

int cmd_suite(int argc, char **argv) {
  const char *profile = "quick", *outdir = "results", *serve = "on";
  int runs = 0, rc, hyperfine = -1; /* -1: the profile's default */
  char self[BASE_PATH_MAX], hf_path[BASE_PATH_MAX];
  suite_matrix s = {0};

  rc = parse_args(argc, argv, &profile, &outdir, &runs, &hyperfine, &serve);
  if (rc >= 0)
    return rc;
  if (find_hyperfine(&hyperfine, profile, hf_path, sizeof hf_path) != 0)
    return 2;
  if (strcmp(serve, "only") == 0)
    hyperfine = 0; /* it cross-checks the cells, and there are none */
  if (base_self_exe(self, sizeof self) != 0) {
    fprintf(stderr, "conclab: /proc/self/exe: %s\n", strerror(errno));
    return 1;
  }
  if (cmd_prepare_out(outdir, 1) != 0)
    return 2;

  build(&s, self, profile, runs, serve);
  if (suite_run_cells(&s, self) != 0) {
    suite_free(&s);
    return 1;
  }
  if (hyperfine && hf_path[0] != '\0') {
    suite_crosscheck(&s, hf_path, self);
  } else if (hyperfine) {
    s.hf_state = SUITE_HF_SKIPPED;
    snprintf(s.hf_skipped, sizeof s.hf_skipped,
             "hyperfine was not found on PATH");
  }
  run_serve(&s, self, profile, serve);
  base_machine_finish(&s.machine);
  suite_evaluate(&s);
  rc = write_results(self, outdir, &s);
  /* last on stderr, where a reader of the progress lines looks */
  report_warnings(stderr, &s, "conclab: warning: ");
  if (rc == 0)
    rc = count_failed(&s) > 0 ? 3 : 0;
  else
    rc = 1;
  suite_free(&s);
  suite_serve_free(&s.serve);
  return rc;
}
