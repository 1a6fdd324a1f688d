/*
 * test_hyperfine.c - hyperfine's JSON layout, written and read back.
 *
 * What is checked:
 *   - tool_hf_read on a real export of hyperfine 1.15 (tests/data/, captured
 *     with `hyperfine -N --warmup 1 --runs 3 -L ms 10,20 --export-json ...
 *     'sleep 0.0{ms}'`): two results, their commands, times, statistics,
 *     exit codes and parameters;
 *   - tool_hf_write then tool_hf_parse gives back every field, strings with
 * quotes, backslashes, control characters and UTF-8 included; tool_hf_write's
 * bytes against tests/golden/hyperfine.json;
 *   - malformed input (every truncation of the real file, wrong types, no
 *     "results", bad escapes, text after the end) is refused with -1 and
 *     leaves nothing allocated (the ASan run checks the leaks); the few
 *     non-strict spellings cJSON reads are pinned;
 *   - tool_hf_fill_stats, tool_hf_command_line's quoting, tool_hf_find on a
 * given PATH.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "helpers.h"
#include "json_check.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hyperfine.h"
#include "version.h"

#define FIXTURE CONCLAB_DATA_DIR "/hyperfine-1.15.json"

/* A whole file as a string (free it). */
static char *render(const tool_hf_result *r, int n) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  tool_hf_write(f, r, n);
  assert_int_equal(fclose(f), 0);
  return text;
}

/* ---- a real export ------------------------------------------------------- */

static void reads_real_hyperfine_export(void **state) {
  tool_hf_result *r;
  int n;
  (void)state;

  assert_int_equal(tool_hf_read(FIXTURE, &r, &n), 0);
  assert_int_equal(n, 2);
  assert_string_equal(r[0].command, "sleep 0.010");
  assert_string_equal(r[1].command, "sleep 0.020");
  for (int i = 0; i < n; i++) {
    double sum = 0;
    assert_int_equal(r[i].ntimes, 3);
    assert_int_equal(r[i].nexit, 3);
    for (int k = 0; k < 3; k++) {
      sum += r[i].times[k];
      assert_int_equal(r[i].exit_codes[k], 0);
      /* a process that sleeps 10 ms cannot take less */
      assert_true(r[i].times[k] >= 0.010 * (i + 1));
    }
    assert_true(fabs(r[i].mean - sum / 3) < 1e-12);
    assert_true(r[i].min <= r[i].median && r[i].median <= r[i].max);
    /* the median of three is one of them */
    assert_true(r[i].median == r[i].times[0] ||
                r[i].median == r[i].times[1] ||
                r[i].median == r[i].times[2]);
    assert_true(r[i].stddev >= 0);
    assert_int_equal(r[i].nparams, 1);
    assert_string_equal(r[i].params[0].name, "ms");
  }
  assert_string_equal(r[0].params[0].value, "10");
  assert_string_equal(r[1].params[0].value, "20");
  tool_hf_free(r, n);
}

/* Our writer's output of that file reads back as the same results. */
static void real_export_survives_rewriting(void **state) {
  tool_hf_result *r, *again;
  int n, m;
  char *text;
  (void)state;

  assert_int_equal(tool_hf_read(FIXTURE, &r, &n), 0);
  text = render(r, n);
  assert_int_equal(tool_hf_parse(text, "rewritten", &again, &m), 0);
  assert_int_equal(m, n);
  for (int i = 0; i < n; i++) {
    assert_string_equal(again[i].command, r[i].command);
    assert_near(again[i].median, r[i].median);
    assert_near(again[i].stddev, r[i].stddev);
    for (int k = 0; k < r[i].ntimes; k++)
      assert_true(again[i].times[k] == r[i].times[k]);
  }
  tool_hf_free(r, n);
  tool_hf_free(again, m);
  free(text);
}

/* ---- our writer ---------------------------------------------------------- */

static double times_a[] = {0.1, 0.30000000000000004, 1.5e-7, 2.0};
static int exits_a[] = {0, 3, -1, 0};

/* Two results with awkward strings; result b has one run (null stddev) and
 * no parameters. */
static void make_results(tool_hf_result r[2]) {
  memset(r, 0, 2 * sizeof *r);
  r[0].command = "conclab run \"x\" 'y' C:\\dir\ttab\nnl \x01 caf\xc3\xa9";
  r[0].times = times_a;
  r[0].ntimes = 4;
  r[0].exit_codes = exits_a;
  r[0].nexit = 4;
  tool_hf_fill_stats(&r[0]);
  r[0].user = 0.125;
  r[0].system = 0.0;
  tool_hf_param_add(&r[0], "workload", "sleep");
  tool_hf_param_add(&r[0], "quote\"key", "back\\slash");
  tool_hf_param_add(&r[0], "empty", "");
  r[1].command = "";
  r[1].times = times_a + 3;
  r[1].ntimes = 1;
  tool_hf_fill_stats(&r[1]);
}

static void write_read_round_trip(void **state) {
  tool_hf_result r[2], *got;
  int n;
  char *text;
  (void)state;

  make_results(r);
  text = render(r, 2);
  assert_int_equal(tool_hf_parse(text, "round trip", &got, &n), 0);
  assert_int_equal(n, 2);
  for (int i = 0; i < 2; i++) {
    assert_string_equal(got[i].command, r[i].command);
    /* exact: the writer prints as many digits as a double needs */
    assert_true(got[i].mean == r[i].mean);
    assert_true(got[i].median == r[i].median);
    assert_true(got[i].user == r[i].user);
    assert_true(got[i].system == r[i].system);
    assert_true(got[i].min == r[i].min);
    assert_true(got[i].max == r[i].max);
    assert_int_equal(got[i].ntimes, r[i].ntimes);
    for (int k = 0; k < r[i].ntimes; k++)
      assert_true(got[i].times[k] == r[i].times[k]);
    assert_int_equal(got[i].nexit, r[i].nexit);
    for (int k = 0; k < r[i].nexit; k++)
      assert_int_equal(got[i].exit_codes[k], r[i].exit_codes[k]);
    assert_int_equal(got[i].nparams, r[i].nparams);
    for (int k = 0; k < r[i].nparams; k++) {
      assert_string_equal(got[i].params[k].name, r[i].params[k].name);
      assert_string_equal(got[i].params[k].value, r[i].params[k].value);
    }
  }
  assert_true(got[0].stddev == r[0].stddev);
  assert_true(got[0].stddev > 0);
  assert_true(got[1].stddev == 0); /* written as null: one run */
  tool_hf_free(got, n);
  free(text);
}

static void write_escapes_strings(void **state) {
  tool_hf_result r[2];
  char *text;
  (void)state;

  make_results(r);
  text = render(r, 2);
  assert_non_null(strstr(text, "\"conclab run \\\"x\\\" 'y' C:\\\\dir\\ttab"
                               "\\nnl \\u0001 caf\xc3\xa9\""));
  assert_non_null(strstr(text, "\"quote\\\"key\":\t\"back\\\\slash\""));
  assert_non_null(strstr(text, "\"stddev\":\tnull"));
  /* every control character inside a string escaped: strict JSON (the
   * tabs left are cJSON's layout, between the tokens) */
  assert_null(json_check(text));
  free(text);
}

static void write_matches_golden(void **state) {
  tool_hf_result r[2];
  char *got;
  (void)state;

  make_results(r);
  got = render(r, 2);
  golden_check("hyperfine.json", got);
  free(got);
}

static void write_no_results(void **state) {
  tool_hf_result *got;
  int n;
  char *text = render(NULL, 0);
  char want[128];
  (void)state;

  snprintf(want, sizeof want,
           "{\n\t\"results\":\t[],\n\t\"schema\":\t%d,\n"
           "\t\"conclab_version\":\t\"%s\"\n}\n",
           BASE_SCHEMA, base_version());
  assert_string_equal(text, want);
  assert_int_equal(tool_hf_parse(text, "empty", &got, &n), 0);
  assert_int_equal(n, 0);
  tool_hf_free(got, n);
  free(text);
}

/* ---- malformed input ----------------------------------------------------- */

static void refuse(const char *text) {
  tool_hf_result *got = (tool_hf_result *)1;
  int n = 99;
  if (tool_hf_parse(text, "malformed", &got, &n) != -1) {
    print_error("accepted: %s\n", text);
    tool_hf_free(got, n);
    fail();
  }
  assert_null(got);
  assert_int_equal(n, 0);
}

static void malformed_is_refused(void **state) {
  static const char *const bad[] = {
      "",
      "   ",
      "[]",
      "{}",                                  /* no results */
      "{\"result\": []}",                    /* no results */
      "{\"results\": {}}",                   /* not an array */
      "{\"results\": [1]}",                  /* not an object */
      "{\"results\": [{}]}",                 /* no command */
      "{\"results\": [{\"command\": 1, \"median\": 1, \"times\": []}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": \"1\", "
      "\"times\": []}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": 1, "
      "\"times\": [1, \"2\"]}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": 1, "
      "\"times\": {}}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": 1}]}", /* no times */
      "{\"results\": [{\"command\": \"a\", \"median\": 1, \"times\": [], "
      "\"parameters\": {\"p\": 1}}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": 1, \"times\": [1,]}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": 1, \"times\": [],}]}",
      "{\"results\": [{\"command\": \"a\\q\", \"median\": 1, \"times\": []}]}",
      "{\"results\": [{\"command\": \"\\ud800\", \"median\": 1, "
      "\"times\": []}]}",
      "{\"results\": [{\"command\": \"\\u12\", \"median\": 1, "
      "\"times\": []}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": -, \"times\": []}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": NaN, \"times\": []}]}",
      "{\"results\": []} extra",
      "{\"results\": [], \"x\": tru}",
      "{\"results\": [] \"x\": 1}",
      "{\"results\" []}",
  };
  char deep[300];
  (void)state;

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    refuse(bad[i]);
  /* nesting past the limit in a skipped value */
  memset(deep, '[', sizeof deep);
  memcpy(deep, "{\"x\": ", 6);
  deep[sizeof deep - 1] = '\0';
  refuse(deep);
}

/* cJSON, which reads the syntax, lets these through although strict JSON
 * does not: a number with a bare point or a leading zero, a raw control
 * character inside a string.  Neither hyperfine nor conclab writes them,
 * and each still reads as what it plainly means; pinned here so that a
 * change in the library shows. */
static void lenient_syntax_is_read(void **state) {
  static const char *const lenient[] = {
      "{\"results\": [{\"command\": \"a\", \"median\": 1., \"times\": []}]}",
      "{\"results\": [{\"command\": \"a\", \"median\": 01, \"times\": []}]}",
      "{\"results\": [{\"command\": \"a\nb\", \"median\": 1, "
      "\"times\": []}]}", /* a raw newline inside a string */
  };
  tool_hf_result *got;
  int n;
  (void)state;

  for (size_t i = 0; i < sizeof lenient / sizeof lenient[0]; i++) {
    assert_int_equal(tool_hf_parse(lenient[i], "lenient", &got, &n), 0);
    assert_int_equal(n, 1);
    assert_near(got[0].median, 1);
    tool_hf_free(got, n);
  }
}

/* Every proper prefix of a real export is refused (truncated files). */
static void every_truncation_is_refused(void **state) {
  char *text = golden_slurp(FIXTURE);
  size_t len = strlen(text);
  tool_hf_result *got;
  int n;
  (void)state;

  int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
  (void)state;

  /* a thousand refusals, each with its message: not on the terminal */
  assert_true(saved >= 0 && null >= 0);
  assert_true(dup2(null, STDERR_FILENO) >= 0);
  close(null);
  /* the end is a newline after the closing brace: keep that brace */
  while (len > 0 && text[len - 1] != '}')
    len--;
  for (size_t cut = 0; cut < len; cut++) {
    char keep = text[cut];
    text[cut] = '\0';
    if (tool_hf_parse(text, "truncated", &got, &n) != -1) {
      dup2(saved, STDERR_FILENO);
      print_error("accepted a prefix of %zu bytes\n", cut);
      tool_hf_free(got, n);
      fail();
    }
    text[cut] = keep;
  }
  assert_true(dup2(saved, STDERR_FILENO) >= 0);
  close(saved);
  assert_int_equal(tool_hf_parse(text, "whole", &got, &n), 0);
  tool_hf_free(got, n);
  free(text);
}

/* Other keys, nested anywhere, are skipped; null stddev reads as 0. */
static void unknown_keys_are_skipped(void **state) {
  const char *text =
      "{\"version\": {\"a\": [1, 2.5e-3, true, false, null, \"s\"]},"
      " \"results\": [{\"extra\": [[{}]], \"command\": \"c\\u00e9\\ud83d"
      "\\ude00\", \"stddev\": null, \"median\": 2, \"times\": [2],"
      " \"exit_codes\": [null]}]}";
  tool_hf_result *got;
  int n;
  (void)state;

  assert_int_equal(tool_hf_parse(text, "extra keys", &got, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(got[0].command, "c\xc3\xa9\xf0\x9f\x98\x80");
  assert_near(got[0].stddev, 0);
  assert_near(got[0].median, 2);
  assert_int_equal(got[0].nexit, 1);
  assert_int_equal(got[0].exit_codes[0], -1);
  tool_hf_free(got, n);
}

static void missing_file(void **state) {
  tool_hf_result *got;
  int n;
  (void)state;
  assert_int_equal(tool_hf_read("/nonexistent/conclab/hf.json", &got, &n), -1);
  assert_null(got);
  assert_int_equal(n, 0);
}

/* ---- helpers ------------------------------------------------------------- */

static void fill_stats(void **state) {
  double t[] = {3, 1, 2, 10};
  tool_hf_result r = {0};
  (void)state;

  r.times = t;
  r.ntimes = 4;
  tool_hf_fill_stats(&r);
  assert_near(r.mean, 4);
  assert_near(r.median, 2.5);
  assert_near(r.min, 1);
  assert_near(r.max, 10);
  /* sample deviation: squares 1 + 9 + 4 + 36 = 50, over n - 1 = 3 */
  assert_near(r.stddev, sqrt(50.0 / 3));
}

static void command_line_quoting(void **state) {
  char *plain[] = {"/usr/bin/conclab", "run", "sleep", "--delay-ms", "5",
                   NULL};
  char *awkward[] = {"/my dir/conclab", "it's", "", "a\"b", "$HOME", NULL};
  char out[256], tiny[12];
  (void)state;

  assert_int_equal(tool_hf_command_line(plain, out, sizeof out), 0);
  assert_string_equal(out, "/usr/bin/conclab run sleep --delay-ms 5");
  assert_int_equal(tool_hf_command_line(awkward, out, sizeof out), 0);
  assert_string_equal(out, "'/my dir/conclab' 'it'\\''s' '' 'a\"b' '$HOME'");
  /* too long: -1, and still a string */
  assert_int_equal(tool_hf_command_line(plain, tiny, sizeof tiny), -1);
  assert_true(strlen(tiny) < sizeof tiny);
}

static void find_on_path(void **state) {
  char dir[] = "/tmp/conclab_test_hf_XXXXXX", exe[128], found[256];
  char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
  FILE *f;
  (void)state;

  assert_non_null(mkdtemp(dir));
  setenv("PATH", dir, 1);
  assert_int_equal(tool_hf_find(found, sizeof found), -1); /* empty dir */
  snprintf(exe, sizeof exe, "%s/hyperfine", dir);
  f = fopen(exe, "w");
  assert_non_null(f);
  fputs("#!/bin/sh\n", f);
  fclose(f);
  assert_int_equal(tool_hf_find(found, sizeof found), -1); /* not executable */
  assert_int_equal(chmod(exe, 0755), 0);
  setenv("PATH", "/nonexistent:", 1);
  assert_int_equal(tool_hf_find(found, sizeof found), -1);
  {
    char path[200];
    snprintf(path, sizeof path, "/nonexistent::%s", dir);
    setenv("PATH", path, 1);
  }
  assert_int_equal(tool_hf_find(found, sizeof found), 0);
  assert_string_equal(found, exe);
  if (old) {
    setenv("PATH", old, 1);
    free(old);
  }
  assert_int_equal(unlink(exe), 0);
  assert_int_equal(rmdir(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_real_hyperfine_export),
      cmocka_unit_test(real_export_survives_rewriting),
      cmocka_unit_test(write_read_round_trip),
      cmocka_unit_test(write_escapes_strings),
      cmocka_unit_test(write_matches_golden),
      cmocka_unit_test(write_no_results),
      cmocka_unit_test(malformed_is_refused),
      cmocka_unit_test(lenient_syntax_is_read),
      cmocka_unit_test(every_truncation_is_refused),
      cmocka_unit_test(unknown_keys_are_skipped),
      cmocka_unit_test(missing_file),
      cmocka_unit_test(fill_stats),
      cmocka_unit_test(command_line_quoting),
      cmocka_unit_test(find_on_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
