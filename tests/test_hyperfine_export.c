/*
 * test_hyperfine_export.c - data/hyperfine/: the suite's runs as hyperfine
 * itself would have exported them, one file per experiment.
 *
 * The fixture is the quick profile's cells of sleep and primes on 2 cores
 * (their main, oracle and scale tables and their concurrency sweeps), each
 * run given a known wall, user and system time.
 *
 * What is checked:
 *   - the layout against two real exports of hyperfine 1.15 (tests/data):
 *     a table's file against `hyperfine -N --runs 3 --export-json F
 *     'sleep 0.01' 'sleep 0.02'` (several commands, no "parameters"), a
 *     sweep's file against `hyperfine -N --runs 3 -L ms 10,20 ...` (one
 *     parameter a result).  Key by key, in hyperfine's order, and type by
 *     type (stddev null only where a command ran once, as hyperfine
 *     writes it), nothing more and nothing less;
 *   - what the files hold: every cell in exactly one file, a sweep file's
 *     commands the same but for --concurrency (the value its parameter
 *     names, a number, as plot_parametrized.py reads it), the times the
 *     measured runs' wall times in seconds (warm-ups left out), user and
 *     system their means, exit codes theirs;
 *   - the file names, and report_write_hyperfine: each file under
 *     DIR/data/hyperfine is its experiment's text, an old .json that this
 *     suite does not write is removed, any other file is left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "helpers.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "suite.h"

#define COMMANDS CONCLAB_DATA_DIR "/hyperfine-1.15-commands.json"
#define PARAMETERIZED CONCLAB_DATA_DIR "/hyperfine-1.15.json"

/* ---- the fixture --------------------------------------------------------- */

static const wl_workload *const fixture_workloads[] = {&wl_sleep,
                                                       &wl_primes, NULL};

/* Run k of cell i: a wall time no two runs share (in seconds). */
static double wall_of(int i, int k) { return 0.5 + i + 0.01 * k; }

static int suite_setup(void **state) {
  suite_matrix *s = calloc(1, sizeof *s);

  assert_non_null(s);
  /* without the C and CPython table, whose C cells repeat main cells'
   * commands (cell_of finds a cell by its command) */
  snprintf(s->py_skipped, sizeof s->py_skipped, "left out");
  assert_int_equal(suite_profile_build_of(s, "quick", 2, fixture_workloads),
                   0);
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    c->nresults = c->warmups + c->runs;
    c->results = calloc((size_t)c->nresults, sizeof *c->results);
    assert_non_null(c->results);
    for (int k = 0; k < c->nresults; k++) {
      suite_run *r = &c->results[k];
      r->parsed = 1;
      r->exit_status = i == 3 && k == c->nresults - 1 ? 3 : 0;
      r->wall_s = wall_of(i, k);
      r->user_s = 0.25 * (k + 1);
      r->sys_s = 0.125 * (k + 1);
    }
  }
  *state = s;
  return 0;
}

static int suite_teardown(void **state) {
  suite_matrix *s = *state;
  suite_free(s);
  free(s);
  return 0;
}

/* One experiment's file as a parsed document (cJSON_Delete it). */
static cJSON *render(const suite_matrix *s, const report_hf_file *f) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  cJSON *doc;

  assert_non_null(out);
  report_hf_write(out, s, f);
  assert_int_equal(fclose(out), 0);
  doc = cJSON_Parse(text);
  assert_non_null(doc);
  free(text);
  return doc;
}

static cJSON *read_json(const char *path) {
  char *text = golden_slurp(path);
  cJSON *doc;

  assert_non_null(text);
  doc = cJSON_Parse(text);
  assert_non_null(doc);
  free(text);
  return doc;
}

/* ---- the layout, key by key ---------------------------------------------- */

/* A value's kind as JSON has it: "number", "string", "null", ... */
static const char *kind(const cJSON *v) {
  return cJSON_IsNumber(v)   ? "number"
         : cJSON_IsString(v) ? "string"
         : cJSON_IsNull(v)   ? "null"
         : cJSON_IsBool(v)   ? "bool"
         : cJSON_IsArray(v)  ? "array"
         : cJSON_IsObject(v) ? "object"
                             : "?";
}

/* Every element of an array (or member of an object) of this kind. */
static void all_of_kind(const cJSON *v, const char *k, const char *where) {
  const cJSON *e;
  cJSON_ArrayForEach(e, v) {
    if (strcmp(kind(e), k) != 0)
      fail_msg("%s: an element is %s, hyperfine writes %s", where, kind(e),
               k);
  }
}

/* got, one of our results, has want's keys (a real hyperfine result), in
 * the same order, each of the same kind; a one-run stddev is null in both
 * (hyperfine's Option), and the arrays' and parameters' elements are of
 * the kind hyperfine writes. */
static void same_layout(const cJSON *want, const cJSON *got) {
  const cJSON *w = want->child, *g = got->child;
  int runs = cJSON_GetArraySize(cJSON_GetObjectItem(got, "times"));

  for (; w != NULL && g != NULL; w = w->next, g = g->next) {
    const char *kw = kind(w), *kg = kind(g);
    if (strcmp(w->string, g->string) != 0)
      fail_msg("key \"%s\" where hyperfine has \"%s\"", g->string,
               w->string);
    if (strcmp(g->string, "stddev") == 0 && runs < 2)
      kw = "null"; /* hyperfine: "not available if only one run" */
    if (strcmp(kw, kg) != 0)
      fail_msg("\"%s\" is %s, hyperfine writes %s", g->string, kg, kw);
  }
  if (w != NULL)
    fail_msg("key \"%s\" of hyperfine's is missing", w->string);
  if (g != NULL)
    fail_msg("key \"%s\" is not hyperfine's", g->string);
  all_of_kind(cJSON_GetObjectItem(got, "times"), "number", "times");
  all_of_kind(cJSON_GetObjectItem(got, "exit_codes"), "number",
              "exit_codes");
  if (cJSON_GetObjectItem(got, "parameters") != NULL)
    all_of_kind(cJSON_GetObjectItem(got, "parameters"), "string",
                "parameters");
}

/* The whole document: {"results": [...]} first, as hyperfine writes it,
 * and beside it only conclab's stamp ("schema", "conclab_version": keys
 * hyperfine's scripts do not read); each result laid out as the real
 * file's first. */
static void same_document(const cJSON *real, const cJSON *doc) {
  const cJSON *want = cJSON_GetArrayItem(
      cJSON_GetObjectItem(real, "results"), 0);
  const cJSON *results = cJSON_GetObjectItem(doc, "results"), *r;

  assert_non_null(want);
  assert_true(cJSON_IsArray(results));
  assert_true(doc->child == results);
  for (const cJSON *k = results->next; k != NULL; k = k->next)
    assert_true(strcmp(k->string, "schema") == 0 ||
                strcmp(k->string, "conclab_version") == 0);
  assert_true(cJSON_GetArraySize(results) >= 1);
  cJSON_ArrayForEach(r, results) {
    assert_true(cJSON_IsObject(r));
    same_layout(want, r);
  }
}

/* The real files are what the comparisons take them for. */
static void real_exports_differ_as_expected(void **state) {
  cJSON *cmds = read_json(COMMANDS), *param = read_json(PARAMETERIZED);
  const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(cmds, "results"), 0);
  const cJSON *b =
      cJSON_GetArrayItem(cJSON_GetObjectItem(param, "results"), 0);
  (void)state;

  assert_null(cJSON_GetObjectItem(a, "parameters"));
  assert_true(cJSON_IsObject(cJSON_GetObjectItem(b, "parameters")));
  assert_int_equal(cJSON_GetArraySize(a), 10);
  assert_int_equal(cJSON_GetArraySize(b), 11);
  cJSON_Delete(cmds);
  cJSON_Delete(param);
}

static void every_file_is_laid_out_as_hyperfines(void **state) {
  const suite_matrix *s = *state;
  cJSON *cmds = read_json(COMMANDS), *param = read_json(PARAMETERIZED);
  report_hf_file *f;
  int n = report_hf_files(s, &f), sweeps = 0;

  assert_true(n >= 6);
  for (int i = 0; i < n; i++) {
    cJSON *doc = render(s, &f[i]);
    same_document(f[i].sweep ? param : cmds, doc);
    sweeps += f[i].sweep;
    cJSON_Delete(doc);
  }
  assert_true(sweeps >= 2); /* the quick tail's sweeps */
  free(f);
  cJSON_Delete(cmds);
  cJSON_Delete(param);
}

/* ---- what the files hold ------------------------------------------------- */

/* The cell whose command is cmd, or -1. */
static int cell_of(const suite_matrix *s, const char *cmd) {
  char line[8192];
  for (int i = 0; i < s->ncells; i++) {
    assert_int_equal(
        suite_cell_command(&s->cells[i], "conclab", line, sizeof line), 0);
    if (strcmp(line, cmd) == 0)
      return i;
  }
  return -1;
}

/* The measured runs of cell c, as result r has them. */
static void check_runs(const suite_cell *c, int i, const cJSON *r) {
  const cJSON *times = cJSON_GetObjectItem(r, "times");
  const cJSON *codes = cJSON_GetObjectItem(r, "exit_codes");
  double user = 0, sys = 0, lo = INFINITY, hi = 0;

  assert_int_equal(cJSON_GetArraySize(times), c->runs);
  assert_int_equal(cJSON_GetArraySize(codes), c->runs);
  for (int k = 0; k < c->runs; k++) {
    const suite_run *run = &c->results[c->warmups + k];
    double t = cJSON_GetArrayItem(times, k)->valuedouble;
    assert_true(t == wall_of(i, c->warmups + k)); /* seconds, exactly */
    assert_int_equal(cJSON_GetArrayItem(codes, k)->valueint,
                     run->exit_status);
    user += run->user_s;
    sys += run->sys_s;
    lo = t < lo ? t : lo;
    hi = t > hi ? t : hi;
  }
  assert_true(fabs(cJSON_GetObjectItem(r, "user")->valuedouble -
                   user / c->runs) < 1e-12);
  assert_true(fabs(cJSON_GetObjectItem(r, "system")->valuedouble -
                   sys / c->runs) < 1e-12);
  assert_true(cJSON_GetObjectItem(r, "min")->valuedouble == lo);
  assert_true(cJSON_GetObjectItem(r, "max")->valuedouble == hi);
}

/* A sweep's result: its one parameter is the cell's concurrency, and the
 * command is the first result's but for that. */
static void check_sweep(const suite_matrix *s, int first, int i,
                        const cJSON *r) {
  const cJSON *p = cJSON_GetObjectItem(r, "parameters");
  const cJSON *c = cJSON_GetObjectItem(p, "concurrency");
  char *end, a[8192], b[8192];
  suite_cell x = s->cells[first], y = s->cells[i];

  assert_int_equal(cJSON_GetArraySize(p), 1);
  assert_true(cJSON_IsString(c));
  assert_int_equal(strtol(c->valuestring, &end, 10),
                   s->cells[i].opts.params.concurrency);
  assert_true(*end == '\0' && end != c->valuestring);
  x.opts.params.concurrency = y.opts.params.concurrency = 0;
  assert_int_equal(suite_cell_command(&x, "conclab", a, sizeof a), 0);
  assert_int_equal(suite_cell_command(&y, "conclab", b, sizeof b), 0);
  assert_string_equal(a, b);
  assert_int_equal(s->cells[i].table, SUITE_SWEEP);
}

static void files_hold_every_cell_once(void **state) {
  const suite_matrix *s = *state;
  report_hf_file *f;
  int n = report_hf_files(s, &f);
  int *seen = calloc((size_t)s->ncells, sizeof *seen);

  assert_non_null(seen);
  for (int k = 0; k < n; k++) {
    cJSON *doc = render(s, &f[k]);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "results")) {
      int i = cell_of(s, cJSON_GetObjectItem(r, "command")->valuestring);
      const suite_cell *c = &s->cells[i], *head = &s->cells[f[k].first];
      assert_true(i >= 0);
      seen[i]++;
      check_runs(c, i, r);
      assert_true(c->opts.wl == head->opts.wl && c->table == head->table);
      if (f[k].sweep)
        check_sweep(s, f[k].first, i, r);
      else
        assert_null(cJSON_GetObjectItem(r, "parameters"));
    }
    cJSON_Delete(doc);
  }
  for (int i = 0; i < s->ncells; i++)
    assert_int_equal(seen[i], 1);
  free(seen);
  free(f);
}

static void file_names(void **state) {
  const suite_matrix *s = *state;
  report_hf_file *f;
  int n = report_hf_files(s, &f);
  static const char *const want[] = {"sleep-main", "sleep-sweep-async",
                                     "primes-main",
                                     "primes-sweep-async-offload"};

  for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
    int found = 0;
    for (int i = 0; i < n; i++)
      found += strcmp(f[i].name, want[w]) == 0;
    if (found != 1)
      fail_msg("%s: %d files of that name", want[w], found);
  }
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      assert_string_not_equal(f[i].name, f[j].name);
  free(f);
}

/* ---- the files on disk --------------------------------------------------- */

static void touch(const char *path) {
  FILE *out = fopen(path, "w");
  assert_non_null(out);
  fputs("{}\n", out);
  assert_int_equal(fclose(out), 0);
}

static void write_into_directory(void **state) {
  const suite_matrix *s = *state;
  char dir[] = "/tmp/conclab_test_hfexport_XXXXXX", path[256];
  report_hf_file *f;
  int n = report_hf_files(s, &f);

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(mkdir(path, 0777), 0);
  snprintf(path, sizeof path, "%s/data/hyperfine", dir);
  assert_int_equal(mkdir(path, 0777), 0);
  snprintf(path, sizeof path, "%s/data/hyperfine/old-profile.json", dir);
  touch(path);
  snprintf(path, sizeof path, "%s/data/hyperfine/notes.txt", dir);
  touch(path);

  assert_int_equal(report_write_hyperfine(dir, s), 0);
  snprintf(path, sizeof path, "%s/data/hyperfine/old-profile.json", dir);
  assert_int_equal(access(path, F_OK), -1);
  snprintf(path, sizeof path, "%s/data/hyperfine/notes.txt", dir);
  assert_int_equal(unlink(path), 0);
  for (int i = 0; i < n; i++) {
    char *text = NULL, *got;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    report_hf_write(out, s, &f[i]);
    assert_int_equal(fclose(out), 0);
    snprintf(path, sizeof path, "%s/data/hyperfine/%s.json", dir, f[i].name);
    got = golden_slurp(path);
    assert_non_null(got);
    assert_string_equal(got, text);
    free(got);
    free(text);
    assert_int_equal(unlink(path), 0);
  }
  snprintf(path, sizeof path, "%s/data/hyperfine", dir);
  assert_int_equal(rmdir(path), 0); /* nothing else was left there */
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(rmdir(path), 0);
  assert_int_equal(rmdir(dir), 0);
  free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(real_exports_differ_as_expected),
      cmocka_unit_test(every_file_is_laid_out_as_hyperfines),
      cmocka_unit_test(files_hold_every_cell_once),
      cmocka_unit_test(file_names),
      cmocka_unit_test(write_into_directory),
  };
  return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
