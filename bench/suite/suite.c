/*
 * suite.c - `conclab suite`: run the matrix, one fresh process per run.
 *
 * Why a child process per run: getrusage, peak RSS and context switches
 * are per process, and a process's first run warms caches and the
 * allocator that later runs would inherit.  So the suite never runs a
 * model itself: it forks `conclab run ... --json`, reads the JSON line the
 * child prints, and does the statistics here.
 */
#include "suite.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "figures.h"
#include "hyperfine.h"
#include "json.h"
#include "report.h"
#include "process.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void suite_help(FILE *out) {
  fputs(
"usage: conclab suite [--profile quick|full] [--out DIR] [--runs R]\n"
"                     [--hyperfine | --no-hyperfine]\n"
"\n"
"Run the benchmark matrix.  Each cell (workload, model, variant,\n"
"concurrency) gets one warm-up run and R measured runs, each a fresh\n"
"`conclab run ... --json` process.  Writes DIR/README.md (machine, one\n"
"table per workload, a summary of speedups), DIR/data/runs.csv (every run)\n"
"DIR/data/summary.json and DIR/data/runs-hyperfine.json (hyperfine's\n"
"layout); then plots: speedup against concurrency and a task timeline\n"
"(from small batches run with --trace into DIR/data/trace_*.json), as\n"
"gnuplot scripts in DIR/plots/ and, with gnuplot installed, SVGs linked\n"
"from DIR/README.md.  The lab's section of an existing DIR/README.md is\n"
"kept.  Prints the summary on stdout and progress on stderr.  Files are\n"
"written under temporary names and renamed into place, README.md last\n"
"(it lists every file under data/ and plots/ with its cksum).  Exit\n"
"status: 0; 3 when a cell failed (the files are still written); 2 for a\n"
"usage error or an --out that cannot be written; 1 otherwise.\n"
"\n"
"options:\n"
"  --profile P   quick (default; about 3 minutes on 2 cores, R = 5) or\n"
"                full (adds concurrency sweeps and 100,000 tasks, R = 7)\n"
"                or smoke (tiny sizes, R = 2: checks the plumbing, for tests)\n"
"  --out DIR     where to write (default results)\n"
"  --runs R      measured runs per cell, 1..100 (default: the profile's)\n"
"  --hyperfine   after the cells, time a few of them and the start-up of\n"
"                conclab as whole processes with hyperfine -N, and put its\n"
"                medians beside the harness's (default: on for quick and\n"
"                full when hyperfine is on PATH; off for smoke)\n"
"  --no-hyperfine  do not\n"
"  -h, --help    this help\n",
      out);
}

/* ---- one child run ------------------------------------------------------ */

static void cell_argv(const suite_cell *c, const char *self, char text[5][24],
                      char **argv);

int suite_cell_command(const suite_cell *c, const char *self, char *out,
                    size_t cap) {
  char text[5][24], *argv[24];
  cell_argv(c, self, text, argv);
  return tool_hf_command_line(argv, out, cap);
}

/* argv for `conclab run` of a cell; the numbers live in `text`. */
static void cell_argv(const suite_cell *c, const char *self, char text[5][24],
                      char **argv) {
  const wl_params *p = &c->opts.params;
  const wl_workload *wl = c->opts.wl;
  int n = 0;

  argv[n++] = (char *)self;
  argv[n++] = "run";
  argv[n++] = (char *)wl->name;
  argv[n++] = "--model";
  argv[n++] = (char *)run_model_names[c->opts.model];
  snprintf(text[0], 24, "%d", p->tasks);
  argv[n++] = "--tasks";
  argv[n++] = text[0];
  snprintf(text[1], 24, "%d", p->concurrency);
  argv[n++] = "--concurrency";
  argv[n++] = text[1];
  if (wl == &wl_sleep || (wl == &wl_http && p->endpoint == WL_EP_DELAY)) {
    snprintf(text[2], 24, "%d", p->delay_ms);
    argv[n++] = "--delay-ms";
    argv[n++] = text[2];
  }
  if (wl == &wl_sleep) {
    snprintf(text[3], 24, "%d", p->delay_spread_ms);
    argv[n++] = "--delay-spread";
    argv[n++] = text[3];
  }
  if (wl == &wl_primes) {
    snprintf(text[4], 24, "%lld", (long long)p->limit);
    argv[n++] = "--limit";
    argv[n++] = text[4];
  }
  if (wl == &wl_http && p->endpoint == WL_EP_BYTES) {
    snprintf(text[4], 24, "%lld", (long long)p->size);
    argv[n++] = "--endpoint";
    argv[n++] = "bytes";
    argv[n++] = "--size";
    argv[n++] = text[4];
  }
  if (wl == &wl_http && p->no_reuse)
    argv[n++] = "--no-reuse";
  if (wl == &wl_files || wl == &wl_pipeline) {
    snprintf(text[4], 24, "%lld", (long long)p->size);
    argv[n++] = "--size";
    argv[n++] = text[4];
  }
  if (wl == &wl_files && p->fsync)
    argv[n++] = "--fsync";
  if (wl == &wl_pipeline) {
    snprintf(text[2], 24, "%d", p->rounds);
    argv[n++] = "--rounds";
    argv[n++] = text[2];
  }
  if (c->opts.threadpool > 0) {
    snprintf(text[3], 24, "%d", c->opts.threadpool);
    argv[n++] = "--threadpool";
    argv[n++] = text[3];
  }
  if (c->opts.offload)
    argv[n++] = "--offload";
  if (c->opts.blocking_in_loop)
    argv[n++] = "--blocking-in-loop";
  argv[n++] = "--json";
  argv[n] = NULL;
}

static void parse_run(const char *json, suite_run *r) {
  double v;
  r->parsed = base_json_num_of(json, "wall_s", &r->wall_s) == 0 &&
              base_json_str_of(json, "checksum", r->checksum, sizeof r->checksum) == 0;
  base_json_num_of(json, "user_s", &r->user_s);
  base_json_num_of(json, "sys_s", &r->sys_s);
  base_json_num_of(json, "max_rss_kb", &r->max_rss_kb);
  base_json_num_of(json, "vol_ctx", &r->vol_ctx);
  base_json_num_of(json, "invol_ctx", &r->invol_ctx);
  if (base_json_num_of(json, "ok", &v) == 0)
    r->ok = (int)v;
  if (base_json_num_of(json, "failed", &v) == 0)
    r->failed = (int)v;
  if (base_json_num_of(json, "threadpool_size", &v) == 0)
    r->threadpool_size = (int)v;
  if (base_json_num_of(json, "workers", &v) == 0)
    r->workers = (int)v;
  base_json_num_of(json, "connections", &r->connections); /* http only */
  base_json_num_of(json, "loop_lag_p50_ms", &r->lag_p50_ms); /* async only */
  base_json_num_of(json, "loop_lag_p99_ms", &r->lag_p99_ms);
  base_json_num_of(json, "loop_lag_max_ms", &r->lag_max_ms);
  base_json_num_of(json, "compute_ms", &r->compute_ms); /* pipeline only */
}

/* Run one child; fill r.  bench/base/process.c does the fork, exec and reading;
 * the child's first stderr line explains a failure. */
static void spawn_run(const char *self, const suite_cell *c, suite_run *r,
                      char *why, size_t whylen) {
  char text[5][24], *argv[24], out[16384], line[256];
  int status;

  memset(r, 0, sizeof *r);
  r->exit_status = -1;
  cell_argv(c, self, text, argv);
  status = base_spawn_run(self, argv, out, sizeof out, line, sizeof line);
  if (status < 0) {
    snprintf(why, whylen, "%s", line);
    return;
  }
  r->exit_status = status;
  parse_run(out, r);
  if (r->exit_status != 0 && r->exit_status != 3 && why[0] == '\0')
    snprintf(why, whylen, "exit %d: %s", r->exit_status, line);
}

double suite_cell_rerun(const char *self, const suite_cell *c, int runs) {
  double walls[100];
  char why[160] = "";
  suite_run r;

  if (runs > 100)
    runs = 100;
  for (int k = 0; k < runs; k++) {
    spawn_run(self, c, &r, why, sizeof why);
    if (r.exit_status != 0 || !r.parsed)
      return 0;
    walls[k] = r.wall_s;
  }
  return runs > 0 ? base_median(walls, runs) : 0;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct progress {
  int tty;
  double start;
  int runs_total, runs_done;
} progress;

static void progress_show(progress *pg, const suite_matrix *s, int i, int run) {
  const suite_cell *c = &s->cells[i];
  int total = c->warmups + c->runs;
  char label[96];
  double elapsed = now_s() - pg->start;

  suite_cell_label(c, label, sizeof label);
  if (pg->tty) {
    /* Time left: the mean run so far, times the runs still to go. */
    double left = pg->runs_done > 0 ? elapsed / pg->runs_done *
                                          (pg->runs_total - pg->runs_done)
                                    : 0;
    fprintf(stderr, "\r\033[K[cell %d/%d] %s: run %d/%d, %.0f s elapsed, "
            "~%.0f s left", i + 1, s->ncells, label, run + 1, total,
            elapsed, left);
  } else if (run == 0) {
    fprintf(stderr, "conclab: [cell %d/%d] %s (%d runs), %.0f s elapsed\n",
            i + 1, s->ncells, label, total, elapsed);
  }
}

/* ---- the command -------------------------------------------------------- */

static int parse_args(int argc, char **argv, const char **profile,
                      const char **out, int *runs, int *hyperfine) {
  static const char *const valued[] = {"--profile", "--out", "--runs"};
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
    if (i + 1 >= argc || (strcmp(a, "--profile") != 0 &&
                          strcmp(a, "--out") != 0 && strcmp(a, "--runs") != 0)) {
      if (a[0] == '-' && i + 1 >= argc &&
          (!strcmp(a, "--profile") || !strcmp(a, "--out") || !strcmp(a, "--runs")))
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

/* DIR, DIR/data and DIR/plots, made if missing and writable; else one
 * line naming --out (a usage error: checked before any run). */
static int prepare_out(const char *dir) {
  static const char *const subs[] = {"", "/data", "/plots"};
  char path[4200];

  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s%s", dir, subs[i]);
    if ((mkdir(path, 0777) != 0 && errno != EEXIST) ||
        access(path, W_OK | X_OK) != 0) {
      fprintf(stderr, "conclab: --out: cannot write to %s: %s\n", path,
              strerror(errno));
      return -1;
    }
  }
  return 0;
}

/* The files, data first and README.md last (its one rename is the run's
 * commit point); then the summary.  0, or -1. */
static int write_results(const char *self, const char *outdir,
                         const suite_matrix *s) {
  char *plots = NULL;
  int rc = report_write_data(outdir, s);

  if (rc == 0)
    report_suite_figures(self, outdir, s, &plots); /* optional: says why if not */
  if (rc == 0)
    rc = report_write_readme(outdir, s, plots);
  free(plots);
  report_summary(stdout, s);
  if (rc == 0)
    fprintf(stderr, "conclab: wrote %s/README.md, %s/data/runs.csv, "
            "%s/data/summary.json, %s/data/runs-hyperfine.json\n", outdir,
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

int cmd_suite(int argc, char **argv) {
  const char *profile = "quick", *outdir = "results";
  int runs = 0, rc, hyperfine = -1; /* -1: the profile's default */
  char self[4096], hf_path[4200] = "";
  suite_matrix s = {0};
  progress pg = {0};
  ssize_t n;

  rc = parse_args(argc, argv, &profile, &outdir, &runs, &hyperfine);
  if (rc >= 0)
    return rc;
  /* The hyperfine cross-check: asked for, it must be possible (checked
   * before any cell runs); by default, it is on where hyperfine is. */
  if (hyperfine != 0 && tool_hf_find(hf_path, sizeof hf_path) != 0) {
    if (hyperfine == 1) {
      fprintf(stderr, "conclab: --hyperfine: hyperfine is not on PATH "
              "(install it, e.g. apt-get install hyperfine)\n");
      return 2;
    }
    hf_path[0] = '\0';
  }
  if (hyperfine == -1)
    hyperfine = strcmp(profile, "smoke") != 0;
  n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n < 0) {
    fprintf(stderr, "conclab: /proc/self/exe: %s\n", strerror(errno));
    return 1;
  }
  self[n] = '\0';
  if (prepare_out(outdir) != 0)
    return 2;

  base_machine_read(&s.machine);
  suite_profile_build(&s, profile, s.machine.cores);
  if (runs > 0)
    for (int i = 0; i < s.ncells; i++)
      if (s.cells[i].table != SUITE_ORACLE)
        s.cells[i].runs = runs;
  s.runs = runs > 0 ? runs : s.runs;

  pg.tty = isatty(STDERR_FILENO);
  pg.start = now_s();
  for (int i = 0; i < s.ncells; i++)
    pg.runs_total += s.cells[i].warmups + s.cells[i].runs;

  for (int i = 0; i < s.ncells; i++) {
    suite_cell *c = &s.cells[i];
    c->nresults = c->warmups + c->runs;
    c->results = calloc((size_t)c->nresults, sizeof *c->results);
    if (c->results == NULL) {
      fprintf(stderr, "conclab: suite: out of memory for the runs of cell "
              "%d\n", i + 1);
      suite_free(&s);
      return 1;
    }
    for (int k = 0; k < c->nresults; k++) {
      progress_show(&pg, &s, i, k);
      spawn_run(self, c, &c->results[k], c->run_error,
                sizeof c->run_error);
      pg.runs_done++;
    }
  }
  s.elapsed_s = now_s() - pg.start;
  if (pg.tty)
    fprintf(stderr, "\r\033[K");
  fprintf(stderr, "conclab: %d cells, %d runs in %.0f s\n", s.ncells,
          pg.runs_total, s.elapsed_s);

  if (hyperfine && hf_path[0] != '\0') {
    suite_crosscheck(&s, hf_path, self);
  } else if (hyperfine) {
    s.hf_state = SUITE_HF_SKIPPED;
    snprintf(s.hf_skipped, sizeof s.hf_skipped,
             "hyperfine was not found on PATH");
  }

  suite_evaluate(&s);
  rc = write_results(self, outdir, &s);
  if (rc == 0)
    rc = count_failed(&s) > 0 ? 3 : 0;
  else
    rc = 1;
  suite_free(&s);
  return rc;
}

/* ---- statistics and comparisons ----------------------------------------- */

static void fail(suite_cell *c, const char *why) {
  if (!c->failed)
    snprintf(c->why, sizeof c->why, "%s", why);
  c->failed = 1;
}

/* Medians over the measured runs; a run that failed fails the cell. */
static void evaluate_runs(suite_cell *c) {
  int nm = c->nresults - c->warmups;
  suite_run *m = c->results + c->warmups;
  double *v[11];
  char msg[160];

  if (nm <= 0) {
    fail(c, "no measured runs");
    return;
  }
  for (int k = 0; k < 11; k++) {
    v[k] = calloc((size_t)nm, sizeof(double));
    if (v[k] == NULL)
      abort();
  }
  for (int i = 0; i < nm; i++) {
    if (!m[i].parsed || (m[i].exit_status != 0 && m[i].exit_status != 3)) {
      snprintf(msg, sizeof msg, "run failed (%s)",
               c->run_error[0] ? c->run_error : "no JSON");
      fail(c, msg);
    } else if (m[i].failed > 0) {
      snprintf(msg, sizeof msg, "%d of %d tasks failed", m[i].failed,
               m[i].failed + m[i].ok);
      fail(c, msg);
    } else if (strcmp(m[i].checksum, m[0].checksum) != 0) {
      fail(c, "checksum differs between runs");
    }
    v[0][i] = m[i].wall_s;
    v[1][i] = m[i].user_s;
    v[2][i] = m[i].sys_s;
    v[3][i] = m[i].max_rss_kb;
    v[4][i] = m[i].vol_ctx;
    v[5][i] = m[i].invol_ctx;
    v[6][i] = m[i].connections;
    v[7][i] = m[i].lag_p50_ms;
    v[8][i] = m[i].lag_p99_ms;
    v[9][i] = m[i].lag_max_ms;
    v[10][i] = m[i].compute_ms;
  }
  c->wall = base_summarise(v[0], nm);
  c->user_s = base_median(v[1], nm);
  c->sys_s = base_median(v[2], nm);
  c->max_rss_kb = base_median(v[3], nm);
  c->vol_ctx = base_median(v[4], nm);
  c->invol_ctx = base_median(v[5], nm);
  c->connections = base_median(v[6], nm);
  c->lag_p50_ms = base_median(v[7], nm);
  c->lag_p99_ms = base_median(v[8], nm);
  c->lag_max_ms = base_median(v[9], nm);
  c->compute_ms = base_median(v[10], nm);
  c->threadpool_size = m[0].threadpool_size;
  for (int k = 0; k < 11; k++)
    free(v[k]);
}

/* Append one figure of a target. */
static int clause(suite_clause *out, int n, int met, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out[n].text, sizeof out[n].text, fmt, ap);
  va_end(ap);
  out[n].met = met;
  return n + 1;
}

int suite_target_clauses(const suite_cell *c, suite_clause out[SUITE_MAX_CLAUSES]) {
  const suite_target *t = &c->target;
  int n = 0;

  if (t->eff_min > 0)
    n = clause(out, n, c->speedup > 0 && c->efficiency >= t->eff_min,
               "efficiency >= %.2f", t->eff_min);
  if (t->speedup_hi > 0)
    n = clause(out, n, c->speedup >= t->speedup_lo &&
                           c->speedup <= t->speedup_hi,
               "speedup %.1f..%.1f", t->speedup_lo, t->speedup_hi);
  if (t->wall_max_s > 0)
    n = clause(out, n, c->wall.median <= t->wall_max_s, "wall <= %.0f ms",
               t->wall_max_s * 1000);
  if (t->vs_in_loop_min > 0)
    n = clause(out, n, c->vs_in_loop >= t->vs_in_loop_min,
               "vs in-loop >= %.2fx", t->vs_in_loop_min);
  if (t->lag_p99_max_ms > 0)
    n = clause(out, n, c->lag_p99_ms < t->lag_p99_max_ms,
               "lag p99 < %.0f ms", t->lag_p99_max_ms);
  if (t->lag_p99_min_steps > 0)
    n = clause(out, n, c->compute_ms > 0 &&
                           c->lag_p99_ms >= t->lag_p99_min_steps *
                                                c->compute_ms,
               "lag p99 >= %.0f compute step", t->lag_p99_min_steps);
  return n;
}

static void evaluate_target(suite_cell *c) {
  suite_clause clauses[SUITE_MAX_CLAUSES];
  int n = suite_target_clauses(c, clauses), met = !c->failed;

  if (n == 0)
    return;
  for (int i = 0; i < n; i++)
    met = met && clauses[i].met;
  c->target_met = met ? SUITE_TARGET_MET : SUITE_TARGET_MISSED;
}

/* pipeline's lesson: offloading against computing in the loop. */
static void compare_with_in_loop(suite_matrix *s, suite_cell *c) {
  const suite_cell *b = c->in_loop >= 0 ? &s->cells[c->in_loop] : NULL;
  if (b != NULL && !b->failed && !c->failed)
    c->vs_in_loop = b->wall.median / c->wall.median;
}

void suite_evaluate(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++)
    evaluate_runs(&s->cells[i]);
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    const suite_cell *b = c->baseline >= 0 ? &s->cells[c->baseline] : NULL;
    c->ideal = suite_ideal(c, s->cores);
    if (b == NULL) {
      fail(c, "no seq baseline in this suite");
    } else if (b->failed && b != c) {
      fail(c, "seq baseline failed");
    } else if (!c->failed && strcmp(c->results[c->warmups].checksum,
                                    b->results[b->warmups].checksum) != 0) {
      fail(c, "checksum differs from seq's");
    }
    if (!c->failed && b != NULL && b->table != SUITE_ORACLE) {
      c->speedup = b->wall.median / c->wall.median;
      c->efficiency = c->ideal > 0 ? c->speedup / c->ideal : 0;
    }
  }
  for (int i = 0; i < s->ncells; i++) {
    compare_with_in_loop(s, &s->cells[i]);
    evaluate_target(&s->cells[i]);
  }
}
