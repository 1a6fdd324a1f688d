/*
 * test_report_python.c - the C and CPython table: its cells, its checks,
 * the report's section and the GIL's verdict, on hand-filled runs.
 *
 * The fixture is the quick profile's cells of sleep and primes on 2 cores
 * (suite_profile_build_of), every run filled from fake_wall below: no
 * clock, no child process.  What is checked:
 *   - the table's cells: each model a C cell then its CPython cell, the
 *     CPython one's peer the C one; baselines on their own side; the
 *     1,000 and 10,000 sleeps checked against C's untimed oracle;
 *   - at most SUITE_PY_RUNS measured runs a cell there;
 *   - a CPython checksum unlike C's: the cell FAILED, "checksum differs
 *     from C's", its row says so and no ratio;
 *   - the section against tests/golden/python.md;
 *   - the GIL: speedups read from the cells, and the sentence flipping
 *     with doctored numbers (CPython's threads made faster; C's made as
 *     slow as seq);
 *   - the same two speedups read back from the summary.json the suite
 *     writes (report_python_gil_read, for the lab's GIL row); none from
 *     a missing file;
 *   - with py_skipped set: no cell of the table, and the section says why.
 * Updating the golden file: CONCLAB_UPDATE_GOLDEN=1
 * build/debug/tests/test_report_python, then read git diff tests/golden.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "suite.h"

static const wl_workload *const fixture_workloads[] = {&wl_sleep, &wl_primes,
                                                       NULL};

/* A cell's median wall: C's and CPython's per workload and model. */
static double fake_wall(const suite_cell *c) {
  static const double primes[2][4] = {{0.100, 0, 0.052, 0.051},
                                      {1.000, 0, 1.050, 0.550}};
  static const double sleep[2][4] = {{0.800, 0.052, 0.054, 0.060},
                                     {0.810, 0.060, 0.065, 0.200}};
  const wl_params *p = &c->opts.params;
  if (c->table != SUITE_PYTHON)
    return 1.0;
  if (c->opts.wl == &wl_primes)
    return primes[c->py][c->opts.model];
  if (p->tasks >= 10000)
    return c->py ? 0.330 : 0.105;
  if (p->tasks >= 1000)
    return c->py ? 0.470 : 0.130;
  return sleep[c->py][c->opts.model];
}

static void fill(suite_cell *c) {
  c->nresults = c->warmups + c->runs;
  c->results = calloc((size_t)c->nresults, sizeof *c->results);
  assert_non_null(c->results);
  for (int k = 0; k < c->nresults; k++) {
    suite_run *r = &c->results[k];
    r->parsed = 1;
    r->wall_s = fake_wall(c) * (k == 0 ? 1.3 : 1.0 + 0.01 * (k % 2));
    r->user_s = r->wall_s / 2;
    r->max_rss_kb = c->py ? 23552 : 8192;
    r->ok = c->opts.params.tasks;
    /* one checksum per piece of work, whoever runs it */
    snprintf(r->checksum, sizeof r->checksum, "%08x%08llx",
             (unsigned)c->opts.params.tasks,
             (unsigned long long)c->opts.params.limit);
  }
}

static suite_matrix *build(int skipped) {
  suite_matrix *s = calloc(1, sizeof *s);
  assert_non_null(s);
  if (skipped)
    snprintf(s->py_skipped, sizeof s->py_skipped,
             "CONCLAB_PY=/nowhere: No such file or directory");
  assert_int_equal(suite_profile_build_of(s, "quick", 2, fixture_workloads),
                   0);
  for (int i = 0; i < s->ncells; i++)
    fill(&s->cells[i]);
  return s;
}

static void done(suite_matrix *s) {
  suite_free(s);
  free(s);
}

/* The CPython cell of this workload, model and N, or NULL. */
static suite_cell *py_cell(suite_matrix *s, const wl_workload *wl,
                           run_model m, int tasks) {
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    if (c->py && c->opts.wl == wl && c->opts.model == m &&
        c->opts.params.tasks == tasks)
      return c;
  }
  return NULL;
}

__attribute__((noinline)) static char *section(const suite_matrix *s) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  report_python_markdown(f, s);
  assert_int_equal(fclose(f), 0);
  assert_non_null(text);
  return text;
}

static void table_cells(void **state) {
  suite_matrix *s = build(0);
  int pairs = 0;
  (void)state;

  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i], *peer, *b;
    if (c->table != SUITE_PYTHON)
      continue;
    assert_true(c->runs <= SUITE_PY_RUNS);
    if (!c->py) {
      assert_int_equal(c->peer, -1);
      continue;
    }
    pairs++;
    assert_true(c->peer == i - 1); /* C's cell just before */
    peer = &s->cells[c->peer];
    assert_false(peer->py);
    assert_int_equal(peer->opts.model, c->opts.model);
    assert_int_equal(peer->opts.params.tasks, c->opts.params.tasks);
    assert_true(c->baseline >= 0);
    b = &s->cells[c->baseline];
    if (b->table == SUITE_PYTHON) {
      assert_int_equal(b->opts.model, RUN_SEQ);
      assert_int_equal(b->py, 1);
    } else { /* the scale rows: C's untimed oracle */
      assert_int_equal(b->table, SUITE_ORACLE);
      assert_int_equal(b->opts.params.tasks, c->opts.params.tasks);
    }
  }
  /* sleep: 4 models, 10,000 async, 1,000 threads; primes: 3 models */
  assert_int_equal(pairs, 4 + 2 + 3);
  assert_non_null(py_cell(s, &wl_sleep, RUN_ASYNC, 10000));
  assert_non_null(py_cell(s, &wl_sleep, RUN_THREADED, 1000));
  done(s);
}

static void golden_section(void **state) {
  suite_matrix *s = build(0);
  char *text;
  (void)state;

  suite_evaluate(s);
  for (int i = 0; i < s->ncells; i++)
    if (s->cells[i].table == SUITE_PYTHON)
      assert_false(s->cells[i].failed);
  text = section(s);
  golden_check("python.md", text);
  assert_non_null(strstr(text, "threads speed CPU work up 1.92x in C, 0.95x "
                               "in CPython: the GIL"));
  free(text);
  done(s);
}

static void checksum_unlike_c(void **state) {
  suite_matrix *s = build(0);
  suite_cell *c = py_cell(s, &wl_primes, RUN_MULTIPROC, 16);
  char *text;
  (void)state;

  assert_non_null(c);
  for (int k = 0; k < c->nresults; k++)
    snprintf(c->results[k].checksum, sizeof c->results[k].checksum,
             "ffffffffffffffff");
  suite_evaluate(s);
  assert_true(c->failed);
  assert_string_equal(c->why, "checksum differs from C's");
  assert_false(s->cells[c->peer].failed);
  text = section(s);
  assert_non_null(strstr(text, "| primes | multiproc | 2 x 16 | 0.0515 | "
                               "FAILED | - | 8.0 / 23.0 | FAILED: checksum "
                               "differs from C's |"));
  free(text);
  done(s);
}

/* Multiply the measured walls of a cell by f. */
static void slow_down(suite_cell *c, double f) {
  for (int k = 0; k < c->nresults; k++)
    c->results[k].wall_s *= f;
}

static void gil_flips(void **state) {
  suite_matrix *s = build(0);
  double cs = 0, ps = 0;
  char text[320];
  (void)state;

  suite_evaluate(s);
  assert_int_equal(report_python_gil(s, &cs, &ps), 1);
  assert_true(cs > 1.9 && cs < 1.95);
  assert_true(ps > 0.9 && ps < 1.0);
  report_python_gil_verdict(cs, ps, text, sizeof text);
  assert_non_null(strstr(text, ": the GIL: one CPython thread"));
  done(s);

  /* CPython's threads twice as fast: no GIL seen */
  s = build(0);
  slow_down(py_cell(s, &wl_primes, RUN_THREADED, 16), 0.5);
  suite_evaluate(s);
  assert_int_equal(report_python_gil(s, &cs, &ps), 1);
  report_python_gil_verdict(cs, ps, text, sizeof text);
  assert_non_null(strstr(text, "1.90x in CPython: CPython's threads gained "
                               "too"));
  done(s);

  /* C's threads as slow as seq: the GIL cannot be told apart */
  s = build(0);
  slow_down(&s->cells[py_cell(s, &wl_primes, RUN_THREADED, 16)->peer], 1.9);
  suite_evaluate(s);
  assert_int_equal(report_python_gil(s, &cs, &ps), 1);
  report_python_gil_verdict(cs, ps, text, sizeof text);
  assert_non_null(strstr(text, "neither side gained"));
  done(s);

  report_python_gil_verdict(1.0, 1.8, text, sizeof text);
  assert_non_null(strstr(text, "C's threads did not gain, CPython's did"));
}

static void gil_read_back(void **state) {
  suite_matrix *s = build(0);
  double cs = 0, ps = 0, rc = 0, rp = 0;
  char path[] = "/tmp/conclab_test_gil_XXXXXX";
  int fd = mkstemp(path);
  FILE *f;
  (void)state;

  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  assert_non_null(f);
  suite_evaluate(s);
  report_summary_json(f, s);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(report_python_gil(s, &cs, &ps), 1);
  assert_int_equal(report_python_gil_read(path, &rc, &rp), 1);
  assert_true(fabs(rc - cs) < 1e-3 && fabs(rp - ps) < 1e-3);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(report_python_gil_read(path, &rc, &rp), 0);
  done(s);
}

static void gil_needs_both(void **state) {
  suite_matrix *s = build(0);
  double cs = 0, ps = 0;
  suite_cell *c = py_cell(s, &wl_primes, RUN_SEQ, 16);
  (void)state;

  c->results[c->warmups].exit_status = 1; /* CPython's seq failed */
  suite_evaluate(s);
  assert_int_equal(report_python_gil(s, &cs, &ps), 0);
  done(s);
}

static void skipped(void **state) {
  suite_matrix *s = build(1);
  char *text;
  (void)state;

  for (int i = 0; i < s->ncells; i++)
    assert_int_not_equal(s->cells[i].table, SUITE_PYTHON);
  suite_evaluate(s);
  text = section(s);
  assert_string_equal(text, "## C and CPython\n\nNot run: CONCLAB_PY=/nowhere: "
                            "No such file or directory.\n\n");
  free(text);
  done(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_cells),      cmocka_unit_test(golden_section),
      cmocka_unit_test(checksum_unlike_c), cmocka_unit_test(gil_flips),
      cmocka_unit_test(gil_read_back),
      cmocka_unit_test(gil_needs_both),   cmocka_unit_test(skipped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
