/*
 * test_compare.c - `conclab compare A B` on doctored copies of a real
 * smoke run:
 *   - the run against itself: nothing changed, exit 0;
 *   - one cell 20% slower (median, min and max): listed as slower, and
 *     --fail-above 10 exits 3 (--fail-above 30 does not);
 *   - noise: a cell 3% slower, and one 20% slower whose range still
 *     overlaps A's: both unchanged;
 *   - one cell 20% faster: listed as faster, never a --fail-above failure;
 *   - cells of fewer than 3 runs (smoke's 2) get a note that their ranges
 *     are thin;
 *   - a cell only in one run is listed under that run;
 *   - a run on a busy machine (load over the cores, host steal) is noted;
 *   - a change in a cell of a few ms is noted as one a hiccup could make;
 *   - bad input (a missing directory, a file that is not a summary, a
 *     schema from a newer conclab, a bad --fail-above): one line, exit 2;
 *   - drift: two runs whose cells stray by more than 5% and out of each
 *     other's ranges, but no further than each cell's own spread allows
 *     once the pair's drift is measured: nothing changed; a 20% cell on
 *     top of that drift is still found, and a shift of every cell is
 *     listed and noted;
 *   - C's and CPython's cells of the same work are keyed apart: a
 *     CPython cell 3x slower is listed alone, under its label; a file
 *     without "impl" (before it) reads as C's cells;
 *   - the rule itself (report_cmp_judge) on fixed cells: a cell of one
 *     run is not compared; the drift D widens what counts as noise.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "compare.h"
#include "golden.h"
#include "helpers.h"
#include "run_conclab.h"

static char tmp[64] = "/tmp/conclab-compare-XXXXXX";
static char a_dir[128], a_json[160];

static int setup(void **state) {
  const char *argv[] = {"conclab", "suite", "--profile", "smoke",
                        "--no-hyperfine", "--out", a_dir, NULL};
  output *o;
  (void)state;

  if (mkdtemp(tmp) == NULL)
    return -1;
  snprintf(a_dir, sizeof a_dir, "%s/a", tmp);
  snprintf(a_json, sizeof a_json, "%s/data/summary.json", a_dir);
  o = conclab(argv);
  if (o->status != 0) {
    fprintf(stderr, "smoke suite: exit %d: %s\n", o->status, o->err);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  walk_tree(tmp, 1);
  return 0;
}

static cJSON *load_a(void) {
  char *text = golden_slurp(a_json);
  cJSON *doc;
  assert_non_null(text);
  doc = cJSON_Parse(text);
  free(text);
  assert_non_null(doc);
  return doc;
}

/* doc written to TMP/name (a summary.json of its own); frees doc. */
static const char *save(cJSON *doc, const char *name) {
  static char path[192];
  char *text = cJSON_Print(doc);
  FILE *f;

  snprintf(path, sizeof path, "%s/%s", tmp, name);
  f = fopen(path, "w");
  assert_non_null(f);
  assert_non_null(text);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  free(text);
  cJSON_Delete(doc);
  return path;
}

/* Cell i of doc. */
static cJSON *cell(cJSON *doc, int i) {
  cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "cells"), i);
  assert_non_null(c);
  return c;
}

static double num(cJSON *c, const char *key) {
  cJSON *v = cJSON_GetObjectItem(c, key);
  assert_true(cJSON_IsNumber(v));
  return v->valuedouble;
}

static void set(cJSON *c, const char *key, double v) {
  assert_true(cJSON_ReplaceItemInObject(c, key, cJSON_CreateNumber(v)));
}

/* Multiply cell i's median, min and max by f. */
static void scale(cJSON *doc, int i, double f) {
  cJSON *c = cell(doc, i);
  set(c, "wall_median_s", num(c, "wall_median_s") * f);
  set(c, "wall_min_s", num(c, "wall_min_s") * f);
  set(c, "wall_max_s", num(c, "wall_max_s") * f);
}

/* The measured cell whose min-max range is narrowest (a sleep, as a
 * rule): scaled by 1.2 or 0.8, its range clears A's on any machine. */
static int narrow_cell(cJSON *doc) {
  int best = -1;
  double best_spread = 0;
  for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells"));
       i++) {
    cJSON *c = cell(doc, i);
    double spread = num(c, "wall_max_s") / num(c, "wall_min_s");
    if (num(c, "runs") >= 2 && (best < 0 || spread < best_spread)) {
      best = i;
      best_spread = spread;
    }
  }
  assert_true(best >= 0);
  assert_true(best_spread < 1.15);
  return best;
}

/* Cell i's label, as compare prints it. */
static void label_of(cJSON *doc, int i, char *out, size_t cap) {
  cJSON *c = cell(doc, i);
  const char *variant = cJSON_GetObjectItem(c, "variant")->valuestring;
  cJSON *impl = cJSON_GetObjectItem(c, "impl");
  snprintf(out, cap, "%s %s%s%s %s N=%.0f C=%.0f%s",
           cJSON_GetObjectItem(c, "workload")->valuestring,
           cJSON_GetObjectItem(c, "model")->valuestring,
           variant[0] ? " " : "", variant,
           cJSON_GetObjectItem(c, "table")->valuestring, num(c, "tasks"),
           num(c, "concurrency"),
           strcmp(impl->valuestring, "python") == 0 ? " CPython" : "");
}

static output *compare(const char *b, const char *fail_above) {
  const char *argv[] = {"conclab", "compare", a_dir, b,
                        fail_above ? "--fail-above" : NULL, fail_above,
                        NULL};
  return conclab(argv);
}

static void test_itself(void **state) {
  output *o = compare(a_json, "0");
  (void)state;
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "slower in B (0)"));
  assert_non_null(strstr(o->out, "faster in B (0)"));
  assert_null(strstr(o->out, "only in"));
  /* smoke: 2 runs a cell, said */
  assert_non_null(strstr(o->out, "fewer than 3 runs"));
  assert_string_equal(o->err, "");
}

static void test_impl_apart(void **state) {
  cJSON *doc = load_a(), *c;
  int n = cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells")), i = 0;
  char label[160], *slower;
  output *o;
  (void)state;

  while (i < n && strcmp(cJSON_GetObjectItem(cell(doc, i), "impl")->valuestring,
                         "python") != 0)
    i++;
  assert_true(i < n); /* the smoke suite runs the C and CPython table */
  label_of(doc, i, label, sizeof label);
  assert_non_null(strstr(label, " CPython"));
  scale(doc, i, 3.0);
  o = compare(save(doc, "python.json"), NULL);
  assert_int_equal(o->status, 0);
  slower = strstr(o->out, "slower in B (1):");
  assert_non_null(slower);
  assert_non_null(strstr(slower, label));
  assert_null(strstr(o->out, "only in"));

  /* before "impl": every cell without it is C's, as before */
  doc = load_a();
  for (i = 0; i < n; i++) {
    c = cell(doc, i);
    if (strcmp(cJSON_GetObjectItem(c, "impl")->valuestring, "c") == 0)
      cJSON_DeleteItemFromObject(c, "impl");
  }
  o = compare(save(doc, "no-impl.json"), NULL);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "slower in B (0)"));
  assert_null(strstr(o->out, "only in"));
}

static void test_slower(void **state) {
  cJSON *doc = load_a();
  int i = narrow_cell(doc);
  char label[160], *slower;
  const char *b;
  output *o;
  (void)state;

  label_of(doc, i, label, sizeof label);
  scale(doc, i, 1.2);
  b = save(doc, "slower.json");
  o = compare(b, NULL);
  assert_int_equal(o->status, 0);
  slower = strstr(o->out, "slower in B (1):");
  assert_non_null(slower);
  assert_non_null(strstr(slower, label));
  assert_true(strstr(slower, label) < strstr(o->out, "faster in B (0)"));
  assert_non_null(strstr(o->out, " 1.20x"));
  o = compare(b, "10");
  assert_int_equal(o->status, 3);
  assert_non_null(strstr(o->err, "--fail-above 10"));
  assert_int_equal(count_lines(o->err), 1);
  o = compare(b, "30");
  assert_int_equal(o->status, 0);
}

static void test_noise(void **state) {
  cJSON *doc = load_a();
  int i = narrow_cell(doc);
  cJSON *c;
  output *o;
  (void)state;

  scale(doc, i, 1.03); /* within 5% */
  c = cell(doc, i == 0 ? 1 : 0); /* 20% slower, but reaching A's range */
  set(c, "wall_median_s", num(c, "wall_median_s") * 1.2);
  set(c, "wall_max_s", num(c, "wall_max_s") * 1.2);
  set(c, "wall_min_s", num(c, "wall_min_s") * 0.99);
  o = compare(save(doc, "noise.json"), "0");
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "slower in B (0)"));
  assert_non_null(strstr(o->out, "faster in B (0)"));
}

static void test_faster(void **state) {
  cJSON *doc = load_a();
  output *o;
  (void)state;

  scale(doc, narrow_cell(doc), 0.8);
  for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells"));
       i++)
    set(cell(doc, i), "runs", 5);
  o = compare(save(doc, "faster.json"), "0");
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "slower in B (0)"));
  assert_non_null(strstr(o->out, "faster in B (1):"));
  assert_non_null(strstr(o->out, " 0.80x"));
  /* A's cells still have 2 runs */
  assert_non_null(strstr(o->out, "fewer than 3 runs"));
}

/* Every cell with 5 runs on both sides: no note about thin ranges. */
static void test_enough_runs(void **state) {
  cJSON *doc = load_a();
  char path[192];
  const char *argv[] = {"conclab", "compare", path, path, NULL};
  output *o;
  (void)state;

  for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells"));
       i++)
    set(cell(doc, i), "runs", 5);
  snprintf(path, sizeof path, "%s", save(doc, "five.json"));
  o = conclab(argv);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "unchanged (within the noise)"));
  assert_null(strstr(o->out, "fewer than"));
}

static void test_only_in_one(void **state) {
  cJSON *doc = load_a();
  cJSON *cells = cJSON_GetObjectItem(doc, "cells");
  int n = cJSON_GetArraySize(cells);
  char label[160], *only;
  output *o;
  (void)state;

  label_of(doc, n - 1, label, sizeof label);
  cJSON_DeleteItemFromArray(cells, n - 1);
  o = compare(save(doc, "fewer.json"), NULL);
  assert_int_equal(o->status, 0);
  only = strstr(o->out, "only in A (1):");
  assert_non_null(only);
  assert_non_null(strstr(only, label));
  assert_null(strstr(o->out, "only in B"));
}

/* doc's machine as a run records it: load averages, 2 cores, steal (and
 * other programs' share, 4 times the steal). */
static void machine_as(cJSON *doc, const char *load, double steal) {
  cJSON *m = cJSON_GetObjectItem(doc, "machine");
  assert_true(cJSON_ReplaceItemInObject(m, "load_average",
                                        cJSON_CreateString(load)));
  set(m, "cores", 2);
  set(m, "steal_pct", steal);
  set(m, "others_cpu_pct", steal * 4);
}

/* A run on a busy machine (load over the cores, or steal) gets a note
 * that its changes may be the machine's; an idle pair gets none. */
static void test_busy_machine(void **state) {
  cJSON *doc = load_a();
  char idle[192];
  const char *argv[] = {"conclab", "compare", idle, NULL, NULL};
  output *o;
  (void)state;

  machine_as(doc, "0.10 0.20 0.30", 0);
  snprintf(idle, sizeof idle, "%s", save(doc, "idle.json"));
  argv[3] = idle;
  o = conclab(argv);
  assert_int_equal(o->status, 0);
  assert_null(strstr(o->out, "note: A started"));
  assert_null(strstr(o->out, "stole"));
  assert_null(strstr(o->out, "other programs"));

  doc = load_a();
  machine_as(doc, "7.56 3.00 1.00", 12.5);
  argv[3] = save(doc, "busy.json");
  o = conclab(argv);
  assert_int_equal(o->status, 0);
  assert_null(strstr(o->out, "note: A started"));
  assert_non_null(strstr(o->out, "note: B started at load 7.56 on 2 cores"));
  assert_non_null(strstr(o->out, "the host stole 12.5% of B's CPU time"));
  assert_non_null(strstr(o->out, "other programs used 50% of the CPU during "
                                 "B"));
}

/* Every cell as if measured 5 times with a MAD of 2% and a range of
 * +-3% around its median. */
static void five_runs_2pct(cJSON *doc) {
  for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells"));
       i++) {
    cJSON *c = cell(doc, i);
    double m = num(c, "wall_median_s");
    set(c, "runs", 5);
    set(c, "wall_mad_s", 0.02 * m);
    set(c, "wall_min_s", 0.97 * m);
    set(c, "wall_max_s", 1.03 * m);
  }
}

/* B drifted from A as two honest runs minutes apart do: a quarter of the
 * cells 7% slower or faster (beyond 5% and out of A's ranges, but within
 * 5 x their 2.8% spread); the rest the same. */
static cJSON *drifted(void) {
  cJSON *doc = load_a();
  five_runs_2pct(doc);
  for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells"));
       i++)
    if (i % 8 == 1 || i % 8 == 5)
      scale(doc, i, i % 8 == 1 ? 1.07 : 0.93);
  return doc;
}

static void test_drift(void **state) {
  cJSON *doc = load_a();
  char a_path[192], label[160], *slower;
  const char *argv[] = {"conclab", "compare", a_path, NULL, "--fail-above",
                        "0", NULL};
  output *o;
  (void)state;

  five_runs_2pct(doc);
  snprintf(a_path, sizeof a_path, "%s", save(doc, "drift-a.json"));
  argv[3] = save(drifted(), "drift-b.json");
  o = conclab(argv);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "slower in B (0)"));
  assert_non_null(strstr(o->out, "faster in B (0)"));
  assert_non_null(strstr(o->out, "Drift between the runs: D = 1.00"));
  assert_null(strstr(o->out, "as a whole"));

  /* a 20% regression on top of the drift: found */
  doc = drifted();
  label_of(doc, 0, label, sizeof label);
  scale(doc, 0, 1.2);
  argv[3] = save(doc, "drift-slower.json");
  argv[5] = "10";
  o = conclab(argv);
  assert_int_equal(o->status, 3);
  slower = strstr(o->out, "slower in B (1):");
  assert_non_null(slower);
  assert_non_null(strstr(slower, label));

  /* every cell 20% slower: every cell listed, and the shift noted */
  doc = load_a();
  five_runs_2pct(doc);
  for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells"));
       i++)
    scale(doc, i, 1.2);
  argv[3] = save(doc, "drift-all.json");
  o = conclab(argv);
  assert_int_equal(o->status, 3);
  assert_non_null(strstr(o->out, "note: B as a whole is 1.20x A"));
  assert_non_null(strstr(o->out, "unchanged (within the noise): 0 cells"));
}

static void expect_usage(const char *b, const char *fail_above,
                         const char *says) {
  output *o = compare(b, fail_above);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
  assert_true(strncmp(o->err, "conclab: ", 9) == 0);
  if (strstr(o->err, says) == NULL)
    fail_msg("'%s' does not say '%s'", o->err, says);
  assert_string_equal(o->out, "");
}

static void test_bad_input(void **state) {
  char path[192], hf[192];
  cJSON *doc = load_a();
  (void)state;

  snprintf(path, sizeof path, "%s/no-such-dir", tmp);
  expect_usage(path, NULL, "No such file or directory");
  snprintf(hf, sizeof hf, "%s/data/hyperfine/sleep-main.json", a_dir);
  expect_usage(hf, NULL, "not a conclab suite summary.json");
  snprintf(path, sizeof path, "%s/data/runs.csv", a_dir);
  expect_usage(path, NULL, "not JSON");
  set(doc, "schema", 99);
  expect_usage(save(doc, "newer.json"), NULL, "schema 99");
  expect_usage(a_json, "1.5", "--fail-above");
  expect_usage(a_json, "-3", "--fail-above");
}

static report_cmp_cell fixed(double median, double min, double max) {
  report_cmp_cell c = {.median = median, .min = min, .max = max};
  return c;
}

static void test_rule(void **state) {
  report_cmp_cell a = fixed(1.0, 0.98, 1.02);
  report_cmp_cell b;
  (void)state;

  b = fixed(1.04, 1.03, 1.05); /* ranges apart, but within 5% */
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_SAME);
  b = fixed(1.10, 1.01, 1.20); /* 10%, but the ranges overlap */
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_SAME);
  b = fixed(1.10, 1.03, 1.20);
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_SLOWER);
  b = fixed(0.90, 0.85, 0.97);
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_FASTER);
  b.failed = 1;
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_FAILED);
  b = fixed(0, 0, 0);
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_FAILED);
  b = fixed(2.0, 2.0, 2.0); /* one run: no range */
  b.runs = 1;
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_SINGLE);
  b.runs = 2;
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_SLOWER);
  /* 10% with a spread of 0.7%: beyond 5 x D x s at D = 1, not at D = 3 */
  a.mad = 0.005;
  b = fixed(1.10, 1.08, 1.12);
  b.mad = 0.0055;
  assert_int_equal(report_cmp_judge(&a, &b, 1), REPORT_CMP_SLOWER);
  assert_int_equal(report_cmp_judge(&a, &b, 3), REPORT_CMP_SAME);
}

/* run r of one cell with this median, min and max (5 runs). */
static void one_cell_run(report_cmp_run *r, report_cmp_cell *c, double median,
                         double min, double max) {
  memset(r, 0, sizeof *r);
  *c = fixed(median, min, max);
  c->runs = 5;
  snprintf(c->key, sizeof c->key, "k");
  snprintf(c->label, sizeof c->label, "w m main N=1 C=1");
  r->cells = c;
  r->ncells = 1;
  r->load1 = r->steal_pct = r->others_pct = -1;
}

static char *printed(const report_cmp_run *a, const report_cmp_run *b) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  report_cmp_print(f, a, b, -1);
  assert_int_equal(fclose(f), 0);
  return text;
}

/* A change in a cell of a few ms is listed, with a note that such a cell
 * is as noisy as its change; a change of 20 ms is not noted. */
static void test_short_cells(void **state) {
  report_cmp_run a, b;
  report_cmp_cell ca, cb;
  char *text;
  (void)state;

  one_cell_run(&a, &ca, 0.0015, 0.0014, 0.0016);
  one_cell_run(&b, &cb, 0.0020, 0.0019, 0.0022);
  text = printed(&a, &b);
  assert_non_null(strstr(text, "slower in B (1)"));
  assert_non_null(strstr(text, "note: 1 of the cells listed as changed take "
                               "under 5 ms"));
  free(text);
  one_cell_run(&a, &ca, 0.020, 0.019, 0.021);
  one_cell_run(&b, &cb, 0.025, 0.024, 0.026);
  text = printed(&a, &b);
  assert_non_null(strstr(text, "slower in B (1)"));
  assert_null(strstr(text, "under 5 ms"));
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rule),        cmocka_unit_test(test_itself),
      cmocka_unit_test(test_slower),
      cmocka_unit_test(test_impl_apart),
      cmocka_unit_test(test_noise),
      cmocka_unit_test(test_faster),      cmocka_unit_test(test_only_in_one),
      cmocka_unit_test(test_enough_runs), cmocka_unit_test(test_bad_input),
      cmocka_unit_test(test_busy_machine),
      cmocka_unit_test(test_short_cells), cmocka_unit_test(test_drift),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
