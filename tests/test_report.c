/*
 * test_report.c - the suite's report writers, against golden files.
 *
 * The fixture is the real cell list of the quick profile on 2 cores
 * (suite_profile_build_of, for the five workloads it was written for),
 * with every run filled in by hand from the table below: fixed wall times,
 * CPU times, memory and checksums, no clock and no child processes.  Two
 * cells are wrong on purpose:
 *   - sleep multiproc returns a checksum that differs from seq's, and
 *   - primes multiproc has a run in which 2 of its 64 tasks failed;
 * both must come out FAILED and never get a speedup.
 * suite_evaluate then derives medians, speedups and target verdicts.
 *
 * What is checked:
 *   - suite_evaluate's verdicts, worked out by hand (speedup = median(seq) /
 *     median(model); FAILED cells; targets met or MISSED);
 *   - report_summary, against the matrix written out below;
 *   - report_markdown, report_runs_csv and report_summary_json, byte for byte
 * against tests/golden/report.md, runs.csv and summary.json;
 *   - report_write_atomic: the file appears whole, replaces an old one, and no
 *     PATH.tmp.PID file is left; into a missing directory it returns -1 and
 *     leaves nothing;
 *   - the hyperfine cross-check's section (fake checks: one agreeing, one
 *     differing, one failed), and data/hyperfine/'s files (one per
 *     experiment, each under its name) against
 *     tests/golden/hyperfine-files.txt;
 *   - report_write_all: the four files, when DIR/data exists; README.md is the
 *     tables, then the files list with each file's POSIX cksum, and a
 *     second write keeps the lab's section of the old README.md;
 *   - report_cksum: the check value POSIX cksum gives for "123456789".
 *
 * Updating the golden files: when a change to the reports is intended, run
 *     CONCLAB_UPDATE_GOLDEN=1 build/debug/tests/test_report
 * which writes the golden files instead of comparing with them, then read
 * `git diff tests/golden` and commit only what you meant to change.  The
 * golden files hold the quick profile's sizes too (tasks, delays, limit):
 * a change to the suite's rows (each workload's descriptor, in
 * workloads/) needs them rewritten the same way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "helpers.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "report.h"
#include "section.h"
#include "suite.h"

/* ---- the fixture --------------------------------------------------------- */

/* Checksums: one per piece of work, shared by all models that do it. */
#define SUM_SLEEP16 "3c5d9a1b2e4f6071"
#define SUM_SLEEP10K "a1b2c3d4e5f60718"
#define SUM_SLEEP1K "0123456789abcdef"
#define SUM_PRIMES "0f1e2d3c4b5a6978"
#define SUM_HTTP16 "1111222233334444"
#define SUM_HTTPB "5555666677778888"
#define SUM_HTTP1K "9999aaaabbbbcccc"
#define SUM_HTTP10K "ddddeeeeffff0000"
#define SUM_FILES "1234123412341234"
#define SUM_PIPELINE "abcdabcdabcdabcd"
#define SUM_WRONG "ffffffffffffffff"

/* One row per cell of the quick profile, in suite_profile_build's order.  A
 * run's wall time is `wall` times a factor (below); so are user and sys. */
typedef struct fake_cell {
  const char *label; /* suite_cell_label, to check the profile's order */
  double wall, user, sys, rss_kb;
  const char *checksum;
  double connections; /* http: connections opened per run */
} fake_cell;

static const fake_cell fakes[] = {
    /* sleep, main table: 16 tasks x 50 ms */
    {"sleep seq C=1 N=16", 0.800, 0.001, 0.002, 1800, SUM_SLEEP16, 0},
    {"sleep async C=16 N=16", 0.052, 0.002, 0.003, 2400, SUM_SLEEP16, 0},
    {"sleep async blocking-in-loop C=16 N=16", 0.805, 0.001, 0.001, 2400,
     SUM_SLEEP16, 0},
    {"sleep threaded C=16 N=16", 0.064, 0.004, 0.010, 2600, SUM_SLEEP16, 0},
    {"sleep multiproc C=16 N=16", 0.070, 0.010, 0.030, 9000, SUM_WRONG, 0},
    /* sleep, scale: the untimed oracle, then 10,000 tasks x 100 ms */
    {"sleep seq C=1 N=10000", 0.030, 0.010, 0.020, 3000, SUM_SLEEP10K, 0},
    {"sleep async C=10000 N=10000", 0.105, 0.060, 0.040, 30000, SUM_SLEEP10K,
     0},
    {"sleep threaded C=10000 N=10000", 1.150, 0.300, 1.400, 90000, SUM_SLEEP10K,
     0},
    {"sleep multiproc C=1000 N=10000", 1.300, 0.500, 0.900, 250000,
     SUM_SLEEP10K, 0},
    /* the oracle of the C and CPython table's 1,000 threads (that table is
     * left out of this fixture: see suite_setup) */
    {"sleep seq C=1 N=1000", 0.003, 0.001, 0.002, 2000, SUM_SLEEP1K, 0},
    /* primes in 64 chunks, C = cores = 2 */
    {"primes seq C=1 N=64", 2.000, 1.990, 0.001, 1700, SUM_PRIMES, 0},
    {"primes async in-loop C=2 N=64", 2.040, 2.020, 0.002, 2300, SUM_PRIMES, 0},
    {"primes async offload C=2 N=64", 1.050, 2.050, 0.010, 2500, SUM_PRIMES, 0},
    {"primes threaded C=2 N=64", 1.020, 2.010, 0.003, 1900, SUM_PRIMES, 0},
    {"primes multiproc C=2 N=64", 1.010, 2.000, 0.020, 6000, SUM_PRIMES, 0},
    /* http, main table: 16 requests of /delay/50 */
    {"http seq C=1 N=16", 0.820, 0.004, 0.003, 9800, SUM_HTTP16, 1},
    {"http async C=16 N=16", 0.055, 0.004, 0.005, 10400, SUM_HTTP16, 16},
    {"http threaded C=16 N=16", 0.058, 0.005, 0.008, 10700, SUM_HTTP16, 16},
    {"http multiproc C=16 N=16", 0.075, 0.030, 0.040, 98000, SUM_HTTP16, 16},
    /* http, reuse vs no-reuse: 2,000 requests of /bytes/1024, C = 8 */
    {"http seq C=1 N=2000", 0.300, 0.080, 0.090, 9900, SUM_HTTPB, 1},
    {"http async C=8 N=2000", 0.200, 0.070, 0.080, 10500, SUM_HTTPB, 8},
    {"http threaded C=8 N=2000", 0.210, 0.090, 0.110, 10800, SUM_HTTPB, 8},
    {"http multiproc C=8 N=2000", 0.230, 0.120, 0.130, 60000, SUM_HTTPB, 8},
    {"http seq no-reuse C=1 N=2000", 0.600, 0.150, 0.300, 9900, SUM_HTTPB,
     2000},
    {"http async no-reuse C=8 N=2000", 0.400, 0.120, 0.250, 10500, SUM_HTTPB,
     2000},
    {"http threaded no-reuse C=8 N=2000", 0.420, 0.140, 0.280, 10800, SUM_HTTPB,
     2000},
    {"http multiproc no-reuse C=8 N=2000", 0.450, 0.160, 0.300, 60000,
     SUM_HTTPB, 2000},
    /* http, scale: 1,000 x /delay/100, then 10,000 x /delay/1000 */
    {"http seq C=1 N=1000", 0.200, 0.050, 0.060, 9900, SUM_HTTP1K, 1},
    {"http async C=1000 N=1000", 0.250, 0.050, 0.100, 26000, SUM_HTTP1K, 1000},
    /* the same with --client curl, against its own untimed oracle */
    {"http seq curl C=1 N=1000", 0.200, 0.050, 0.060, 9900, SUM_HTTP1K, 1},
    {"http async curl C=1000 N=1000", 0.300, 0.060, 0.050, 27000, SUM_HTTP1K,
     1000},
    {"http threaded C=1000 N=1000", 0.280, 0.070, 0.270, 44000, SUM_HTTP1K,
     1000},
    {"http multiproc C=100 N=1000", 1.180, 0.200, 0.210, 570000, SUM_HTTP1K,
     100},
    {"http seq C=1 N=10000", 1.900, 0.500, 0.600, 9900, SUM_HTTP10K, 1},
    {"http async C=10000 N=10000", 2.900, 0.950, 1.200, 175000, SUM_HTTP10K,
     10000},
    {"http seq curl C=1 N=10000", 1.900, 0.500, 0.600, 9900, SUM_HTTP10K, 1},
    {"http async curl C=10000 N=10000", 3.200, 1.100, 0.400, 170000,
     SUM_HTTP10K, 10000},
    /* files: 200 x 256 KiB, written and read back */
    {"files seq C=1 N=200", 0.100, 0.040, 0.060, 8000, SUM_FILES, 0},
    {"files async C=64 N=200", 0.060, 0.040, 0.070, 8500, SUM_FILES, 0},
    {"files async threadpool-set C=64 N=200", 0.055, 0.040, 0.070, 9000,
     SUM_FILES, 0},
    {"files threaded C=4 N=200", 0.052, 0.040, 0.065, 8200, SUM_FILES, 0},
    {"files multiproc C=4 N=200", 0.060, 0.050, 0.070, 20000, SUM_FILES, 0},
    /* pipeline: 64 x (fetch 64 KiB, digest 100 rounds, save), C = 8 */
    {"pipeline seq C=1 N=64", 0.640, 0.600, 0.020, 10000, SUM_PIPELINE, 0},
    {"pipeline async in-loop C=8 N=64", 0.640, 0.600, 0.030, 11000,
     SUM_PIPELINE, 0},
    {"pipeline async offload C=8 N=64", 0.370, 0.610, 0.030, 11200,
     SUM_PIPELINE, 0},
    {"pipeline threaded C=8 N=64", 0.340, 0.620, 0.020, 11100, SUM_PIPELINE, 0},
    {"pipeline multiproc C=8 N=64", 0.350, 0.620, 0.030, 55000, SUM_PIPELINE,
     0},
    /* the short sweeps: sleep at C = 1 and 4, primes at C = 1 and 4 */
    {"sleep async C=1 N=16", 0.801, 0.001, 0.002, 2300, SUM_SLEEP16, 0},
    {"sleep threaded C=1 N=16", 0.802, 0.001, 0.002, 2500, SUM_SLEEP16, 0},
    {"sleep multiproc C=1 N=16", 0.810, 0.003, 0.004, 4000, SUM_SLEEP16, 0},
    {"sleep async C=4 N=16", 0.201, 0.001, 0.002, 2300, SUM_SLEEP16, 0},
    {"sleep threaded C=4 N=16", 0.203, 0.001, 0.002, 2500, SUM_SLEEP16, 0},
    {"sleep multiproc C=4 N=16", 0.210, 0.004, 0.006, 6000, SUM_SLEEP16, 0},
    {"primes async offload C=1 N=64", 2.010, 2.000, 0.002, 2400, SUM_PRIMES, 0},
    {"primes threaded C=1 N=64", 2.005, 1.995, 0.002, 1800, SUM_PRIMES, 0},
    {"primes multiproc C=1 N=64", 2.020, 2.000, 0.010, 4000, SUM_PRIMES, 0},
    {"primes async offload C=4 N=64", 1.060, 2.060, 0.010, 2600, SUM_PRIMES, 0},
    {"primes threaded C=4 N=64", 1.030, 2.020, 0.004, 2000, SUM_PRIMES, 0},
    {"primes multiproc C=4 N=64", 1.040, 2.010, 0.030, 8000, SUM_PRIMES, 0},
};
#define NFAKES ((int)(sizeof fakes / sizeof fakes[0]))
enum {
  SLEEP_SEQ = 0, SLEEP_ASYNC = 1, SLEEP_BLOCKING = 2, SLEEP_THREADED = 3,
  SLEEP_MULTIPROC = 4, SCALE_ORACLE = 5, SCALE_ASYNC = 6, SCALE_THREADED = 7,
  SCALE_MULTIPROC = 8, PRIMES_SEQ = 10, PRIMES_INLOOP = 11,
  PRIMES_OFFLOAD = 12, PRIMES_THREADED = 13, PRIMES_MULTIPROC = 14,
  HTTP_SEQ = 15, FILES_SEQ = 37, PIPE_SEQ = 42, PIPE_INLOOP = 43,
  PIPE_OFFLOAD = 44, SWEEP_FIRST = 47,
};

/* The warm-up run is slow (it is thrown away); the measured runs spread
 * around 1: their median is 1.02 and their MAD 0.02. */
#define WARMUP_FACTOR 1.30
static const double run_factor[] = {1.00, 1.04, 0.98, 1.02, 1.10};
#define MEDIAN_FACTOR 1.02
#define MAD_FACTOR 0.02

static void fill_runs(suite_cell *c, int index) {
  const fake_cell *f = &fakes[index];

  c->nresults = c->warmups + c->runs;
  c->results = calloc((size_t)c->nresults, sizeof *c->results);
  assert_non_null(c->results);
  assert_true(c->runs <= (int)(sizeof run_factor / sizeof run_factor[0]));
  for (int k = 0; k < c->nresults; k++) {
    suite_run *r = &c->results[k];
    double factor = k < c->warmups ? WARMUP_FACTOR
                                   : run_factor[k - c->warmups];
    r->exit_status = 0;
    r->parsed = 1;
    r->wall_s = f->wall * factor;
    r->user_s = f->user * factor;
    r->sys_s = f->sys * factor;
    r->max_rss_kb = f->rss_kb + 8 * k;
    r->vol_ctx = 10 * index + k;
    r->invol_ctx = index + 2 * k;
    r->ok = c->opts.params.tasks;
    r->failed = 0;
    r->connections = f->connections;
    if (c->opts.model == RUN_ASYNC) { /* lag: ~0.1 ms, or the whole block */
      r->lag_p50_ms = c->opts.blocking_in_loop ? 800.0 : 0.1 + 0.01 * k;
      r->lag_p99_ms = c->opts.blocking_in_loop ? 800.0 : 0.5 + 0.01 * k;
      r->lag_max_ms = c->opts.blocking_in_loop ? 800.0 : 0.9 + 0.01 * k;
    }
    if (c->opts.wl == &wl_pipeline) { /* steps of ~9.5 ms of CPU */
      r->compute_ms = 9.5 + 0.1 * k;
      r->threadpool_size = c->opts.model == RUN_ASYNC ? 2 : 0;
      if (c->opts.model == RUN_ASYNC && !c->opts.offload) {
        r->lag_p50_ms = 9.0; /* held for a step, or several in a row */
        r->lag_p99_ms = 40.0 + k;
        r->lag_max_ms = 45.0 + k;
      } else if (c->opts.model == RUN_ASYNC) {
        r->lag_p99_ms = 6.0 + 0.01 * k; /* over 5 ms: that clause fails */
        r->lag_max_ms = 8.0 + 0.01 * k;
      }
    }
    snprintf(r->checksum, sizeof r->checksum, "%s", f->checksum);
  }
}

static void fixed_machine(base_machine *m) {
  memset(m, 0, sizeof *m);
  snprintf(m->cpu, sizeof m->cpu, "Test CPU");
  m->cores = 2;
  m->mem_gib = 4.0;
  snprintf(m->kernel, sizeof m->kernel, "Linux 6.1.0-test x86_64");
  snprintf(m->compiler, sizeof m->compiler, "GNU 12.2.0");
  snprintf(m->cflags, sizeof m->cflags, "-O2");
  snprintf(m->build_type, sizeof m->build_type, "Release");
  snprintf(m->libuv, sizeof m->libuv, "1.44.2");
  snprintf(m->libcurl, sizeof m->libcurl, "7.88.1");
  m->load[0] = 0.50;
  m->load[1] = 0.25;
  m->load[2] = 0.75;
  snprintf(m->commit, sizeof m->commit, "0123456789ab");
  snprintf(m->date, sizeof m->date, "2026-01-01 00:00 UTC");
}

/* The hyperfine cross-check, as suite_crosscheck would leave it: start-up
 * 2 ms; sleep async (harness 53.04 ms) 55.5 ms by hyperfine, 0.46 ms left
 * after start-up: agree; primes threaded (harness 1.0404 s) 1.2 s: 15%
 * over, differ; primes seq (harness 2.04 s) 2.045 s: agree; files seq: a
 * hyperfine failure. */
static void fake_check(suite_hfcheck *h, int cell, double median, int runs) {
  memset(h, 0, sizeof *h);
  h->cell = cell;
  h->ok = 1;
  h->runs = runs;
  h->median_s = median;
  h->mean_s = median * 1.01;
  h->stddev_s = median * 0.05;
  h->min_s = median * 0.95;
  h->max_s = median * 1.2;
}

static void fake_hyperfine(suite_matrix *s) {
  s->hf_state = SUITE_HF_DONE;
  fake_check(&s->hf[0], -1, 0.002, 20);
  fake_check(&s->hf[1], SLEEP_ASYNC, 0.0555, 5);
  fake_check(&s->hf[2], PRIMES_THREADED, 1.2, 5);
  fake_check(&s->hf[3], PRIMES_SEQ, 2.045, 5);
  /* primes seq's harness median was taken again beside hyperfine's: 2.000
   * (the table's is 2.040), so hyperfine is 45 ms slower: 2.1% less
   * start-up */
  s->hf[3].harness_s = 2.000;
  fake_check(&s->hf[4], FILES_SEQ, 0, 0);
  s->hf[4].ok = 0;
  snprintf(s->hf[4].why, sizeof s->hf[4].why,
           "hyperfine exit 1: Error: Command terminated with non-zero exit "
           "code 1");
  s->nhf = 5;
}

/* The workloads the fixture has rows for: a workload added to wl_all
 * later leaves the fixture and the golden files as they are. */
static const wl_workload *const fixture_workloads[] = {
    &wl_sleep, &wl_primes, &wl_http, &wl_files, &wl_pipeline, NULL};

/* cmocka setup: the evaluated suite, in *state. */
static int suite_setup(void **state) {
  suite_matrix *s = calloc(1, sizeof *s);
  char label[96];

  assert_non_null(s);
  /* the C and CPython table has its own test (test_report_python.c);
   * here the section says why it was not run */
  snprintf(s->py_skipped, sizeof s->py_skipped,
           "/usr/bin/python3 lacks aiohttp (install python3-aiohttp and "
           "python3-aiofiles, e.g. .ci/deps)");
  assert_int_equal(suite_profile_build_of(s, "quick", 2, fixture_workloads),
                   0);
  assert_int_equal(s->ncells, NFAKES);
  for (int i = 0; i < s->ncells; i++) {
    suite_cell_label(&s->cells[i], label, sizeof label);
    assert_string_equal(label, fakes[i].label);
    fill_runs(&s->cells[i], i);
  }

  /* primes multiproc: in its 3rd measured run, 2 of 64 tasks failed */
  suite_cell *bad = &s->cells[PRIMES_MULTIPROC];
  suite_run *r = &bad->results[bad->warmups + 2];
  r->exit_status = 3;
  r->ok = 62;
  r->failed = 2;

  fixed_machine(&s->machine);
  s->elapsed_s = 95.0;
  suite_evaluate(s);
  fake_hyperfine(s);
  *state = s;
  return 0;
}

static int suite_teardown(void **state) {
  suite_matrix *s = *state;
  suite_free(s);
  free(s);
  return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* What a writer writes, as a string (free it).  Not inlined: inlined,
 * GCC 12 takes the strings found in it for pointers to its local. */
__attribute__((noinline)) static char *render(report_writer writer,
                                              const suite_matrix *s) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);

  assert_non_null(f);
  writer(f, s);
  assert_int_equal(fclose(f), 0);
  assert_non_null(text);
  return text;
}

/* Compare one writer's output with CONCLAB_GOLDEN_DIR/name, or write the
 * golden file when CONCLAB_UPDATE_GOLDEN=1 (golden.h). */
static void check_golden(const char *name, report_writer writer,
                         const suite_matrix *s) {
  char *got = render(writer, s);
  golden_check(name, got);
  free(got);
}

/* ---- the first screen: verdicts and warnings, on doctored suites -------- */

/* A suite of its own (the group's stays as it is), for doctoring. */
static suite_matrix *own_suite(void) {
  void *state = NULL;
  suite_setup(&state);
  return state;
}

static void drop_suite(suite_matrix *s) {
  void *state = s;
  suite_teardown(&state);
}

/* Every run of cell i takes factor times as long; evaluate again. */
static void scale_cell(suite_matrix *s, int i, double factor) {
  suite_cell *c = &s->cells[i];
  for (int k = 0; k < c->nresults; k++)
    c->results[k].wall_s *= factor;
  suite_evaluate(s);
}

/* The verdict line of one workload, "- **name** ...", as a string. */
static char *verdict_line(const suite_matrix *s, const char *name) {
  char *md = render(report_verdicts, s), head[64], *at, *end, *line;
  snprintf(head, sizeof head, "- **%s** (", name);
  at = strstr(md, head);
  assert_non_null(at);
  end = strchr(at, '\n');
  assert_non_null(end);
  line = strndup(at, (size_t)(end - at));
  assert_non_null(line);
  free(md);
  return line;
}

static void verdicts_follow_numbers(void **state) {
  suite_matrix *s = *state;
  char *line = verdict_line(s, "sleep");
  (void)state;

  /* the fixture: async 0.052 s, threaded 0.064 s: async by 1.23x */
  assert_non_null(strstr(line, "**async** wins at C=16, [15.38x over seq]"
                               "(#sleep-main-async-c16-n16), 1.23x as fast "
                               "as the next, [threaded]"
                               "(#sleep-main-threaded-c16-n16) (12.50x)"));
  assert_non_null(strstr(line, "Why: waiting costs no CPU"));
  assert_non_null(strstr(line, "[async blocking-in-loop: 0.99x]"));
  assert_non_null(strstr(line, "at 10,000 tasks [async, all at once: "
                               "0.11 s, 29.3 MiB (3.0 KiB a task in "
                               "flight)]"));
  /* multiproc's scale row runs 1,000 at a time: its memory is theirs */
  assert_non_null(strstr(line, "[multiproc, 1,000 at a time: 1.33 s, "
                               "244.2 MiB (250.0 KiB a task in flight)]"));
  assert_null(strstr(line, "there threaded leads"));
  free(line);
  /* primes: multiproc FAILED, so it is never the winner */
  line = verdict_line(s, "primes");
  assert_non_null(strstr(line, "**threaded** wins at C=2"));
  free(line);
  /* files: async's offload to the pool is slower than seq */
  line = verdict_line(s, "files");
  assert_null(strstr(line, "slower than seq"));
  free(line);

  /* doctored: threads beat the loop at sleep, and at scale too */
  s = own_suite();
  scale_cell(s, SLEEP_THREADED, 0.040 / 0.064);
  scale_cell(s, SCALE_THREADED, 0.090 / 1.150);
  line = verdict_line(s, "sleep");
  assert_non_null(strstr(line, "**threaded** wins at C=16, [20.00x over "
                               "seq](#sleep-main-threaded-c16-n16), 1.30x "
                               "as fast as the next, [async]"));
  assert_non_null(strstr(line, "[threaded, all at once: 0.09 s"));
  free(line);
  /* within 5%: level, not won */
  scale_cell(s, SLEEP_THREADED, 0.051 / 0.040);
  line = verdict_line(s, "sleep");
  assert_non_null(strstr(line, "**threaded** wins at C=16"));
  assert_non_null(strstr(line, "level with [async]"));
  free(line);
  /* the scale rows' lead changes hands: said */
  scale_cell(s, SLEEP_THREADED, 0.080 / 0.051);
  line = verdict_line(s, "sleep");
  assert_non_null(strstr(line, "**async** wins"));
  assert_non_null(strstr(line, ": there threaded leads"));
  free(line);
  /* level: within 5% apart, or within twice the MADs added */
  line = verdict_line(s, "http");
  assert_non_null(strstr(line, "**async** wins at C=16"));
  assert_non_null(strstr(line, "level with [threaded]"
                               "(#http-main-threaded-c16-n16) (14.14x, 1.05x "
                               "as long: within the noise)"));
  free(line);
  scale_cell(s, HTTP_SEQ + 2, 0.062 / 0.058); /* threaded: 13% slower */
  line = verdict_line(s, "http");
  assert_non_null(strstr(line, "1.13x as fast as the next, [threaded]"));
  free(line);
  /* async's files made slower than seq: said */
  scale_cell(s, FILES_SEQ + 1, 2.0);
  line = verdict_line(s, "files");
  assert_non_null(strstr(line, "slower than seq: [async]"
                               "(#files-main-async-c64-n200) (0.83x)"));
  free(line);
  /* nothing beats seq: no winner named */
  for (int i = FILES_SEQ + 1; i < FILES_SEQ + 5; i++)
    scale_cell(s, i, 2.5);
  line = verdict_line(s, "files");
  assert_non_null(strstr(line, "no model beats seq; the best, **threaded** "
                               "at C=4, runs at [0.77x over seq]"));
  assert_null(strstr(line, "wins"));
  free(line);
  /* level with seq (within 5%): no winner either */
  for (int i = FILES_SEQ + 1; i < FILES_SEQ + 5; i++)
    scale_cell(s, i, 0.78);
  line = verdict_line(s, "files");
  assert_non_null(strstr(line, "no model beats seq by more than the noise; "
                               "the best, **threaded** at C=4, runs at "
                               "[0.99x over seq]"));
  assert_null(strstr(line, "wins"));
  free(line);
  drop_suite(s);
}

/* The warnings, one condition at a time: present when it holds, absent
 * when not; each says what it means. */
static void warnings_follow_machine(void **state) {
  suite_matrix *s = own_suite();
  char *md;
  (void)state;

  for (int i = 0; i < s->ncells; i++) /* a clean suite: nothing to say */
    s->cells[i].failed = 0;
  s->machine.steal_pct = -1;
  s->machine.others_pct = -1;
  assert_int_equal(report_warnings(NULL, s, ""), 0);
  md = render(report_warnings_markdown, s);
  assert_string_equal(md, "");
  free(md);

  snprintf(s->machine.build_type, sizeof s->machine.build_type, "Debug");
  s->machine.load[0] = 2.56;
  s->machine.steal_pct = 7.5;
  s->machine.others_pct = 48.2;
  snprintf(s->machine.governor, sizeof s->machine.governor, "powersave");
  assert_int_equal(report_warnings(NULL, s, ""), 5);
  md = render(report_warnings_markdown, s);
  assert_non_null(strstr(md, "- **warning:** a Debug build, not Release: "));
  assert_non_null(strstr(md, "- **warning:** the load average was 2.56 at "
                             "the start, above the 2 cores"));
  assert_non_null(strstr(md, "- **warning:** the host stole 7.5% of the "));
  assert_non_null(strstr(md, "- **warning:** other programs used 48% of "
                             "the CPU time during the suite"));
  assert_non_null(strstr(md, "governor is `powersave`, not `performance`"));
  free(md);

  /* at the thresholds: no warning */
  snprintf(s->machine.build_type, sizeof s->machine.build_type, "Release");
  s->machine.load[0] = 2.0;
  s->machine.steal_pct = 3.0;
  s->machine.others_pct = 10.0;
  snprintf(s->machine.governor, sizeof s->machine.governor, "performance");
  assert_int_equal(report_warnings(NULL, s, ""), 0);
  s->machine.governor[0] = '\0'; /* unreadable: nothing to say */
  assert_int_equal(report_warnings(NULL, s, ""), 0);
  drop_suite(s);
}

/* Noisy and FAILED cells, named; on stderr's lead too. */
static void warnings_name_cells(void **state) {
  suite_matrix *s = own_suite();
  suite_cell *c = &s->cells[SLEEP_ASYNC];
  char *text = NULL;
  size_t len = 0;
  FILE *f;
  (void)state;

  assert_int_equal(report_cell_noisy(c), 0);
  /* one slow run, 40% over the median: an outlier */
  c->results[c->warmups + 4].wall_s = 0.052 * 1.45;
  suite_evaluate(s);
  assert_int_equal(report_cell_noisy(c), 1);
  f = open_memstream(&text, &len);
  assert_non_null(f);
  assert_int_equal(report_warnings(f, s, "conclab: warning: "), 2);
  assert_int_equal(fclose(f), 0);
  assert_non_null(strstr(text, "conclab: warning: 1 cell is noisy (MAD over "
                               "10% of the median, or the slowest run over "
                               "5 MADs and 10% above it): sleep async C=16 "
                               "N=16. Its median is less certain than the "
                               "others': compare it with care"));
  assert_non_null(strstr(text, "conclab: warning: 2 cells FAILED: sleep "
                               "multiproc C=16 N=16, primes multiproc C=2 "
                               "N=64. "));
  free(text);
  /* MAD over 10% of the median: noisy too */
  for (int k = 0; k < c->runs; k++)
    c->results[c->warmups + k].wall_s = 0.052 * (k % 2 ? 1.3 : 0.8);
  suite_evaluate(s);
  assert_int_equal(report_cell_noisy(c), 1);
  drop_suite(s);
}

/* ---- suite_evaluate's verdicts, worked out by hand ----------------------- */

static void evaluate_statistics(void **state) {
  const suite_matrix *s = *state;
  const suite_cell *seq = &s->cells[SLEEP_SEQ];

  /* measured walls 0.800 x {1.00, 1.04, 0.98, 1.02, 1.10}: the warm-up
   * (x 1.30) is not among them */
  assert_int_equal(seq->wall.n, 5);
  assert_near(seq->wall.median, 0.800 * MEDIAN_FACTOR);
  assert_near(seq->wall.mad, 0.800 * MAD_FACTOR);
  assert_near(seq->wall.min, 0.800 * 0.98);
  assert_near(seq->wall.max, 0.800 * 1.10);
  assert_near(seq->user_s, 0.001 * MEDIAN_FACTOR);
  /* rss_kb + 8 k over the measured runs k = 1..5: median k = 3 */
  assert_near(seq->max_rss_kb, 1800 + 8 * 3);
}

static void evaluate_speedups(void **state) {
  const suite_matrix *s = *state;
  const suite_cell *c = s->cells;

  /* seq is its own baseline */
  assert_false(c[SLEEP_SEQ].failed);
  assert_near(c[SLEEP_SEQ].speedup, 1.0);
  assert_near(c[PRIMES_SEQ].speedup, 1.0);

  /* speedup = median(seq) / median(model); efficiency = speedup / ideal */
  assert_false(c[SLEEP_ASYNC].failed);
  assert_near(c[SLEEP_ASYNC].speedup, 0.800 / 0.052);
  assert_near(c[SLEEP_ASYNC].ideal, 16); /* 16 waits, all overlapping */
  assert_near(c[SLEEP_ASYNC].efficiency, 0.800 / 0.052 / 16);
  assert_near(c[SLEEP_BLOCKING].speedup, 0.800 / 0.805);
  assert_near(c[SLEEP_BLOCKING].lag_max_ms, 800.0);
  assert_near(c[SLEEP_ASYNC].lag_p99_ms, 0.53); /* median of runs 1..5 */
  assert_near(c[SLEEP_THREADED].speedup, 0.800 / 0.064);

  assert_near(c[PRIMES_INLOOP].speedup, 2.000 / 2.040);
  assert_near(c[PRIMES_OFFLOAD].speedup, 2.000 / 1.050);
  assert_near(c[PRIMES_OFFLOAD].ideal, 2); /* min(C = 2, cores = 2) */
  assert_near(c[PRIMES_THREADED].efficiency, 2.000 / 1.020 / 2);
}

static void evaluate_failures(void **state) {
  const suite_matrix *s = *state;
  const suite_cell *c = s->cells;

  /* a checksum that differs from seq's: FAILED, no speedup */
  assert_true(c[SLEEP_MULTIPROC].failed);
  assert_string_equal(c[SLEEP_MULTIPROC].why, "checksum differs from seq's");
  assert_near(c[SLEEP_MULTIPROC].speedup, 0);

  /* failed tasks in one measured run: FAILED, no speedup, target missed */
  assert_true(c[PRIMES_MULTIPROC].failed);
  assert_string_equal(c[PRIMES_MULTIPROC].why, "2 of 64 tasks failed");
  assert_near(c[PRIMES_MULTIPROC].speedup, 0);
  assert_int_equal(c[PRIMES_MULTIPROC].target_met, SUITE_TARGET_MISSED);

  /* the good cells are not failed */
  for (int i = PRIMES_SEQ; i < PRIMES_MULTIPROC; i++)
    assert_false(c[i].failed);
}

/* Scale rows take their checksum from the untimed seq oracle: the oracle
 * is its own baseline, and neither it nor the rows that agree with it are
 * FAILED.  seq is not timed at this size, so there is no speedup. */
static void evaluate_scale_rows(void **state) {
  const suite_matrix *s = *state;
  const suite_cell *c = s->cells;

  assert_int_equal(c[SCALE_ORACLE].baseline, SCALE_ORACLE);
  for (int i = SCALE_ORACLE; i <= SCALE_MULTIPROC; i++) {
    if (c[i].failed) {
      print_error("cell %d: FAILED: %s\n", i, c[i].why);
      fail();
    }
    assert_near(c[i].speedup, 0);
  }
  for (int i = SCALE_ASYNC; i <= SCALE_MULTIPROC; i++)
    assert_int_equal(c[i].baseline, SCALE_ORACLE);
}

static void evaluate_targets(void **state) {
  const suite_matrix *s = *state;
  const suite_cell *c = s->cells;

  assert_int_equal(c[SLEEP_SEQ].target_met, SUITE_TARGET_NONE);
  assert_int_equal(c[SLEEP_MULTIPROC].target_met, SUITE_TARGET_NONE);
  /* efficiency >= 0.9: 15.38 / 16 = 0.96 met; 12.5 / 16 = 0.78 missed */
  assert_int_equal(c[SLEEP_ASYNC].target_met, SUITE_TARGET_MET);
  /* blocking in the loop: speedup 0.99, within 0.9..1.1: the lesson held */
  assert_int_equal(c[SLEEP_BLOCKING].target_met, SUITE_TARGET_MET);
  assert_int_equal(c[SLEEP_THREADED].target_met, SUITE_TARGET_MISSED);
  /* async in the loop: speedup 0.98 within 0.9..1.1 */
  assert_int_equal(c[PRIMES_INLOOP].target_met, SUITE_TARGET_MET);
  /* offload: efficiency 0.95 >= 0.8; threaded: 0.98 >= 0.9 */
  assert_int_equal(c[PRIMES_OFFLOAD].target_met, SUITE_TARGET_MET);
  assert_int_equal(c[PRIMES_THREADED].target_met, SUITE_TARGET_MET);
  /* scale, median wall: async 0.1071 s <= 110 ms met; threaded 1.173 s >
   * 1000 ms missed; multiproc has no target */
  assert_int_equal(c[SCALE_ASYNC].target_met, SUITE_TARGET_MET);
  assert_int_equal(c[SCALE_THREADED].target_met, SUITE_TARGET_MISSED);
  assert_int_equal(c[SCALE_MULTIPROC].target_met, SUITE_TARGET_NONE);
  /* http: reuse rows are compared with seq of the same setting, scale rows
   * with their untimed oracle; 0.255 s > 130 ms and 2.958 s > 1.5 s */
  assert_int_equal(c[HTTP_SEQ + 5].baseline, HTTP_SEQ + 4);
  assert_near(c[HTTP_SEQ + 5].speedup, 0.300 / 0.200);
  assert_int_equal(c[HTTP_SEQ + 9].baseline, HTTP_SEQ + 8);
  assert_near(c[HTTP_SEQ + 9].speedup, 0.600 / 0.400);
  assert_near(c[HTTP_SEQ + 9].connections, 2000);
  assert_int_equal(c[HTTP_SEQ + 13].baseline, HTTP_SEQ + 12);
  assert_near(c[HTTP_SEQ + 13].speedup, 0);
  assert_int_equal(c[HTTP_SEQ + 13].target_met, SUITE_TARGET_MISSED);
  assert_int_equal(c[HTTP_SEQ + 19].target_met, SUITE_TARGET_MISSED);
  /* the --client curl cells: each against its own oracle, no target */
  assert_int_equal(c[HTTP_SEQ + 15].baseline, HTTP_SEQ + 14);
  assert_int_equal(c[HTTP_SEQ + 15].target_met, SUITE_TARGET_NONE);
  assert_int_equal(c[HTTP_SEQ + 21].baseline, HTTP_SEQ + 20);
  /* files: the ideal is min(workers, cores); async's workers are its
   * threadpool's 4 (or 16), not its C = 64 */
  assert_int_equal(c[FILES_SEQ + 1].baseline, FILES_SEQ);
  assert_near(c[FILES_SEQ + 1].ideal, 2);
  assert_near(c[FILES_SEQ + 3].speedup, 0.100 / 0.052);
  /* pipeline: in the loop the lag p99 (43 ms) is at least one compute
   * step (9.8 ms): met.  Offloaded it is 1.73x faster than in the loop
   * (>= 0.8 x min(cores, pool) = 1.6: met) but its lag p99 is 6.03 ms, not
   * under 5: the whole target is MISSED, and the report says which part. */
  assert_near(c[PIPE_INLOOP].compute_ms, 9.8);
  assert_int_equal(c[PIPE_INLOOP].target_met, SUITE_TARGET_MET);
  assert_near(c[PIPE_OFFLOAD].vs_in_loop, 0.640 / 0.370);
  assert_near(c[PIPE_OFFLOAD].ideal, 2);
  assert_int_equal(c[PIPE_OFFLOAD].threadpool_size, 2);
  assert_int_equal(c[PIPE_OFFLOAD].target_met, SUITE_TARGET_MISSED);
  assert_near(c[PIPE_SEQ].vs_in_loop, 0);
}

/* Each figure of a target carries its own verdict. */
static void target_clauses(void **state) {
  const suite_matrix *s = *state;
  suite_clause clauses[SUITE_MAX_CLAUSES];
  int n = suite_target_clauses(&s->cells[PIPE_OFFLOAD], clauses);

  assert_int_equal(n, 2);
  assert_string_equal(clauses[0].text, "vs in-loop >= 1.60x");
  assert_true(clauses[0].met);
  assert_string_equal(clauses[1].text, "lag p99 < 5 ms");
  assert_false(clauses[1].met);
  assert_int_equal(suite_target_clauses(&s->cells[PIPE_SEQ], clauses), 0);
}

/* ---- the writers --------------------------------------------------------- */

/* The speedup matrix, by hand: FAILED cells show FAILED, never a number;
 * models a workload has no main cell for show "-". */
static void summary_matrix(void **state) {
  char *got = render(report_summary, *state);
  assert_string_equal(
      got,
      "| workload | async | async in-loop | async offload | threaded | "
      "multiproc |\n"
      "|---|---:|---:|---:|---:|---:|\n"
      "| sleep | 15.38x | - | - | 12.50x | FAILED |\n"
      "| primes | - | 0.98x | 1.90x | 1.96x | FAILED |\n"
      "| http | 14.91x | - | - | 14.14x | 10.93x |\n"
      "| files | 1.67x | - | - | 1.92x | 1.67x |\n"
      "| pipeline | - | 1.00x | 1.73x | 1.88x | 1.83x |\n");
  free(got);
}

static void golden_markdown(void **state) {
  char *md = render(report_markdown, *state);
  check_golden("report.md", report_markdown, *state);
  golden_tables_narrow(md, 8); /* the rest folded in "all columns" */
  free(md);
}

static void golden_runs_csv(void **state) {
  check_golden("runs.csv", report_runs_csv, *state);
}

static void golden_summary_json(void **state) {
  check_golden("summary.json", report_summary_json, *state);
}

/* data/hyperfine/: every experiment's file under its name, in order. */
static void hyperfine_files(FILE *out, const suite_matrix *s) {
  report_hf_file *f;
  int n = report_hf_files(s, &f);

  for (int i = 0; i < n; i++) {
    fprintf(out, "== data/hyperfine/%s.json\n", f[i].name);
    report_hf_write(out, s, &f[i]);
  }
  free(f);
}

static void golden_hyperfine_files(void **state) {
  check_golden("hyperfine-files.txt", hyperfine_files, *state);
}

/* The cross-check's section: present with its verdicts when done (the
 * golden report.md has it whole); one line saying why when skipped;
 * absent when off.  The copies share the cells, which they only read. */
static void hyperfine_section(void **state) {
  suite_matrix copy = *(const suite_matrix *)*state;
  char *md = render(report_markdown, &copy), *sec;

  sec = strstr(md, "## Whole-process timing (hyperfine)");
  assert_non_null(sec);
  assert_non_null(strstr(sec, "| sleep async C=16 N=16 | `conclab run sleep "
                              "--model async --tasks 16 --concurrency 16 "
                              "--delay-ms 50 --delay-spread 0 --json` | "
                              "0.0530 | 0.0555 | +2.5 | +0.9% | agree within "
                              "10% |"));
  assert_non_null(strstr(sec, "| primes threaded C=2 N=64 |"));
  assert_non_null(strstr(sec, "+15.1% | differ |"));
  assert_non_null(strstr(sec, "failed: hyperfine exit 1"));
  free(md);

  copy.hf_state = SUITE_HF_SKIPPED;
  snprintf(copy.hf_skipped, sizeof copy.hf_skipped,
           "hyperfine was not found on PATH");
  md = render(report_markdown, &copy);
  sec = strstr(md, "## Whole-process timing (hyperfine)");
  assert_non_null(sec);
  assert_non_null(strstr(sec, "Skipped: hyperfine was not found on PATH."));
  assert_null(strstr(sec, "| cell |"));
  free(md);

  copy.hf_state = SUITE_HF_OFF;
  md = render(report_markdown, &copy);
  assert_null(strstr(md, "Whole-process timing"));
  free(md);
}

/* The same suite always gives the same bytes. */
static void writers_are_deterministic(void **state) {
  char *a = render(report_markdown, *state),
       *b = render(report_markdown, *state);
  assert_string_equal(a, b);
  free(a);
  free(b);
}

/* ---- writing files ------------------------------------------------------- */

static void write_hello(FILE *out, const suite_matrix *s) {
  (void)s;
  fputs("hello\n", out);
}

/* How many entries dir has (. and .. aside); *tmp_files: how many of them
 * look like report_write_atomic's temporaries (PATH.tmp.PID). */
static int count_entries(const char *dir, int *tmp_files) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  assert_non_null(d);
  *tmp_files = 0;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    n++;
    if (strstr(e->d_name, ".tmp.") != NULL)
      *tmp_files += 1;
  }
  closedir(d);
  return n;
}

static void write_atomic_creates_and_replaces(void **state) {
  char dir[] = "/tmp/conclab_test_report_XXXXXX", path[128];
  char *text, *want;
  int tmp_files;
  FILE *f;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.md", dir);

  /* a new file */
  assert_int_equal(report_write_atomic(path, write_hello, *state), 0);
  text = golden_slurp(path);
  assert_non_null(text);
  assert_string_equal(text, "hello\n");
  free(text);
  assert_int_equal(count_entries(dir, &tmp_files), 1);
  assert_int_equal(tmp_files, 0);

  /* an old file is replaced whole */
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("an old, longer file that must not survive\n", f);
  fclose(f);
  assert_int_equal(report_write_atomic(path, report_summary, *state), 0);
  text = golden_slurp(path);
  want = render(report_summary, *state);
  assert_non_null(text);
  assert_string_equal(text, want);
  free(text);
  free(want);
  assert_int_equal(count_entries(dir, &tmp_files), 1);
  assert_int_equal(tmp_files, 0);

  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* Into a directory that does not exist: -1 (and a message on stderr), and
 * nothing is created, neither the file nor a temporary. */
static void write_atomic_missing_directory(void **state) {
  char dir[] = "/tmp/conclab_test_report_XXXXXX", path[128];
  struct stat st;
  int tmp_files;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/missing/out.md", dir);
  assert_int_equal(report_write_atomic(path, write_hello, *state), -1);
  assert_int_equal(stat(path, &st), -1);
  assert_int_equal(count_entries(dir, &tmp_files), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* report_write_all: README.md, data/runs.csv and data/summary.json, each
 * exactly what its writer gives, and no temporaries left. */
static void write_all(void **state) {
  char dir[] = "/tmp/conclab_test_report_XXXXXX", path[256];
  static const struct {
    const char *name;
    report_writer writer;
  } files[] = {
      {"README.md", report_markdown},
      {"data/runs.csv", report_runs_csv},
      {"data/summary.json", report_summary_json},
  };
  int tmp_files;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(mkdir(path, 0777), 0);

  assert_int_equal(report_write_all(dir, *state), 0);
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *text, *want;
    snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
    text = golden_slurp(path);
    assert_non_null(text);
    want = render(files[i].writer, *state);
    if (i == 0) { /* README.md: the tables, then the list of files */
      char *rest = text + strlen(want);
      assert_int_equal(strncmp(text, want, strlen(want)), 0);
      assert_int_equal(strncmp(rest, "\n<!-- files:begin -->\n", 22), 0);
      assert_non_null(strstr(rest, "| `data/runs.csv` | "));
    } else {
      assert_true(golden_same(text, want, files[i].name));
    }
    free(text);
    free(want);
  }
  /* the lab's section of the old README.md is carried over */
  snprintf(path, sizeof path, "%s/README.md", dir);
  assert_int_equal(base_section_splice(path, "lab", "the lab\n"), 0);
  /* and so is its line under the verdicts, in its place there */
  assert_int_equal(base_section_splice(path, REPORT_LAB_WHY, "unit costs\n"),
                   0);
  assert_int_equal(report_write_all(dir, *state), 0);
  {
    char *text = golden_slurp(path), *lab = base_section_get(text, "lab");
    char *why = base_section_get(text, REPORT_LAB_WHY);
    assert_non_null(lab);
    assert_string_equal(lab, "the lab\n");
    assert_true(strstr(text, "<!-- lab:") < strstr(text, "<!-- files:"));
    assert_non_null(why);
    assert_string_equal(why, "unit costs\n");
    assert_true(strstr(text, "## Verdicts") < strstr(text, "unit costs"));
    assert_true(strstr(text, "unit costs") < strstr(text, "## Machine"));
    free(why);
    free(lab);
    free(text);
  }
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
    assert_int_equal(unlink(path), 0);
  }
  { /* data/hyperfine/: each experiment's file (test_hyperfine_export.c
     * checks what they hold) */
    report_hf_file *f;
    int n = report_hf_files(*state, &f);
    for (int i = 0; i < n; i++) {
      snprintf(path, sizeof path, "%s/data/hyperfine/%s.json", dir,
               f[i].name);
      assert_int_equal(unlink(path), 0);
    }
    free(f);
    snprintf(path, sizeof path, "%s/data/hyperfine", dir);
    assert_int_equal(count_entries(path, &tmp_files), 0);
    assert_int_equal(rmdir(path), 0);
  }
  assert_int_equal(count_entries(dir, &tmp_files), 1); /* data/ */
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(count_entries(path, &tmp_files), 0);
  assert_int_equal(rmdir(path), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* POSIX cksum's check value, and of nothing at all. */
static void cksum_values(void **state) {
  (void)state;
  assert_int_equal(report_cksum((const unsigned char *)"123456789", 9),
                   930766865u);
  assert_int_equal(report_cksum((const unsigned char *)"", 0), 4294967295u);
}

/* A cell's command line carries every flag its workload says, however
 * many the descriptor has: here 14 numbers and 2 directories, each said
 * always (a descriptor may have up to WL_MAX_FLAGS). */
static void cell_command_every_flag(void **state) {
  static const char *const names[] = {
      "--f0", "--f1", "--f2", "--f3", "--f4", "--f5", "--f6", "--f7",
      "--f8", "--f9", "--f10", "--f11", "--f12", "--f13", "--d0", "--d1"};
  wl_flag flags[sizeof names / sizeof names[0]];
  wl_workload many = wl_sleep;
  suite_cell c;
  char line[2048], want[16];
  (void)state;

  assert_true(sizeof names / sizeof names[0] <= WL_MAX_FLAGS);
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    int dir = names[k][2] == 'd';
    flags[k] = (wl_flag){.name = names[k], .arg = "X", .help = "h",
                         .kind = dir ? WL_FLAG_DIR : WL_FLAG_INT,
                         .field = dir ? offsetof(wl_params, dir)
                                      : offsetof(wl_params, delay_ms),
                         .hi = 100, .say = WL_SAY_ALWAYS};
  }
  many.flags = flags;
  many.nflags = (int)(sizeof names / sizeof names[0]);
  memset(&c, 0, sizeof c);
  c.opts.wl = &many;
  c.opts.model = RUN_THREADED;
  c.opts.threadpool = 3;
  c.opts.params = (wl_params){.tasks = 4, .concurrency = 2, .delay_ms = 7,
                              .dir = "/tmp"};
  assert_int_equal(suite_cell_command(&c, "conclab", line, sizeof line), 0);
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    snprintf(want, sizeof want, " %s %s", names[k],
             names[k][2] == 'd' ? "/tmp" : "7");
    if (strstr(line, want) == NULL)
      fail_msg("'%s' missing from: %s", want, line);
  }
  assert_non_null(strstr(line, " --threadpool 3 --json"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(evaluate_statistics),
      cmocka_unit_test(evaluate_speedups),
      cmocka_unit_test(evaluate_failures),
      cmocka_unit_test(evaluate_scale_rows),
      cmocka_unit_test(evaluate_targets),
      cmocka_unit_test(target_clauses),
      cmocka_unit_test(summary_matrix),
      cmocka_unit_test(golden_markdown),
      cmocka_unit_test(verdicts_follow_numbers),
      cmocka_unit_test(warnings_follow_machine),
      cmocka_unit_test(warnings_name_cells),
      cmocka_unit_test(golden_runs_csv),
      cmocka_unit_test(golden_summary_json),
      cmocka_unit_test(golden_hyperfine_files),
      cmocka_unit_test(hyperfine_section),
      cmocka_unit_test(writers_are_deterministic),
      cmocka_unit_test(write_atomic_creates_and_replaces),
      cmocka_unit_test(write_atomic_missing_directory),
      cmocka_unit_test(write_all),
      cmocka_unit_test(cksum_values),
      cmocka_unit_test(cell_command_every_flag),
  };
  /* One evaluated suite for the whole group; the writers only read it. */
  return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
