/*
 * test_machine.c - what the machine and the version say:
 *   - the steal share from two /proc/stat "cpu" lines (fixed lines, and a
 *     fake stat file), and lines that are not one;
 *   - base_machine_read then base_machine_finish on this machine: a share
 *     in 0..100 where /proc/stat is readable;
 *   - `conclab --version`: the version, a commit line, the schema;
 *   - the schema stamp: written into `run --json`, and the check that
 *     readers make (none: accepted; this one: accepted; another: refused,
 *     saying which), and lab --only's lab.json reader refusing another.
 */
#define _GNU_SOURCE /* mkstemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "json.h"
#include "lab.h"
#include "machine.h"
#include "run_conclab.h"
#include "version.h"

/* user nice system idle iowait irq softirq steal guest guest_nice */
static const char start[] = "cpu  100 0 50 800 10 0 5 35 20 0\n";
static const char end[] = "cpu  300 0 150 1200 10 0 5 135 40 0\n";

static void test_ticks(void **state) {
  long long steal = -1, busy = -1, total = -1;
  (void)state;

  assert_int_equal(base_cpu_ticks(start, &steal, &busy, &total), 0);
  assert_int_equal(steal, 35);
  assert_int_equal(total, 1000); /* guest is inside user already */
  assert_int_equal(base_cpu_ticks(end, &steal, &busy, &total), 0);
  assert_int_equal(steal, 135);
  assert_int_equal(busy, 450); /* user + nice + system */
  assert_int_equal(total, 1800);
  /* between the reads 300 of 800 ticks busy (at 100 a second: 3 of 8 s);
   * 1 s of it the run's own, so others used 2 s: 25% */
  assert_float_equal(base_others_pct(300, 800, 1.0, 100), 25.0, 1e-9);
  /* all of it the run's own (a tick under, as sampling does): 0 */
  assert_float_equal(base_others_pct(300, 800, 3.05, 100), 0, 1e-9);
  assert_true(base_others_pct(300, 0, 1.0, 100) < 0);
  /* 100 of the 800 ticks between the two reads were stolen */
  assert_float_equal(base_steal_pct(35, 1000, 135, 1800), 12.5, 1e-9);
  assert_float_equal(base_steal_pct(35, 1000, 35, 1800), 0, 1e-9);
  /* counters that did not move forward: not known */
  assert_true(base_steal_pct(35, 1000, 35, 1000) < 0);
  assert_true(base_steal_pct(35, -1, 135, 1800) < 0);
  /* not a cpu line, a cpu0 line, too few fields (no steal), junk */
  assert_int_equal(base_cpu_ticks("intr 1 2 3\n", &steal, &busy, &total), -1);
  assert_int_equal(base_cpu_ticks("cpu0 1 2 3 4 5 6 7 8\n", &steal, &busy, &total),
                   -1);
  assert_int_equal(base_cpu_ticks("cpu  1 2 3 4 5 6 7\n", &steal, &busy, &total),
                   -1);
  assert_int_equal(base_cpu_ticks("cpu  1 2 x 4 5 6 7 8\n", &steal, &busy, &total),
                   -1);
}

static void test_ticks_file(void **state) {
  char path[] = "/tmp/conclab-stat-XXXXXX";
  int fd = mkstemp(path);
  long long steal = -1, busy = -1, total = -1;
  FILE *f;
  (void)state;

  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  assert_non_null(f);
  fprintf(f, "%scpu0 1 2 3 4 5 6 7 8 9 10\nintr 5\n", end);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(base_cpu_ticks_read(path, &steal, &busy, &total), 0);
  assert_int_equal(steal, 135);
  assert_int_equal(total, 1800);
  unlink(path);
  assert_int_equal(base_cpu_ticks_read(path, &steal, &busy, &total), -1);
}

static void test_machine_finish(void **state) {
  base_machine m;
  long long steal, busy, total;
  (void)state;

  base_machine_read(&m);
  assert_true(m.steal_pct < 0); /* not known before the end */
  assert_true(m.others_pct < 0);
  base_machine_finish(&m);
  if (base_cpu_ticks_read("/proc/stat", &steal, &busy, &total) == 0) {
    /* may still be -1 when no tick passed between the two reads */
    assert_true(m.steal_pct <= 100);
    assert_true(m.others_pct <= 100);
  } else {
    assert_true(m.steal_pct < 0);
    assert_true(m.others_pct < 0);
  }
}

static void test_version(void **state) {
  const char *argv[] = {"conclab", "--version", NULL};
  const char *extra[] = {"conclab", "--version", "x", NULL};
  char want[64];
  output *o = conclab(argv);
  (void)state;

  assert_int_equal(o->status, 0);
  snprintf(want, sizeof want, "conclab %s\ncommit ", base_version());
  assert_true(strncmp(o->out, want, strlen(want)) == 0);
  /* the commit stamped when this build was made (cmake/commit.cmake) */
  assert_non_null(strstr(o->out, base_build_commit()));
  assert_true(strlen(base_build_commit()) >= 7);
  snprintf(want, sizeof want, "json schema %d\n", BASE_SCHEMA);
  assert_non_null(strstr(o->out, want));
  assert_string_equal(o->err, "");
  o = conclab(extra);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
}

static void test_run_json_stamp(void **state) {
  const char *argv[] = {"conclab", "run", "sleep", "--model", "seq",
                        "--tasks", "1", "--delay-ms", "1", "--json", NULL};
  char version[32];
  double schema;
  output *o = conclab(argv);
  (void)state;

  assert_int_equal(o->status, 0);
  assert_int_equal(base_json_num_of(o->out, "schema", &schema), 0);
  assert_float_equal(schema, BASE_SCHEMA, 0);
  assert_int_equal(
      base_json_str_of(o->out, "conclab_version", version, sizeof version),
      0);
  assert_string_equal(version, base_version());
}

static int check(const char *text, char *why, size_t cap) {
  cJSON *doc = cJSON_Parse(text);
  int rc;
  assert_non_null(doc);
  rc = base_json_schema_check(doc, why, cap);
  cJSON_Delete(doc);
  return rc;
}

static void test_schema_check(void **state) {
  char why[160], mine[64];
  (void)state;

  snprintf(mine, sizeof mine, "{\"schema\": %d}", BASE_SCHEMA);
  assert_int_equal(check(mine, why, sizeof why), 0);
  assert_int_equal(check("{\"profile\": \"quick\"}", why, sizeof why), 0);
  assert_int_equal(
      check("{\"schema\": 7, \"conclab_version\": \"9.0.0\"}", why,
            sizeof why),
      -1);
  assert_non_null(strstr(why, "schema 7 (conclab 9.0.0)"));
  assert_int_equal(check("{\"schema\": \"1\"}", why, sizeof why), -1);
  assert_non_null(strstr(why, "not a number"));
  assert_int_equal(check("[1]", why, sizeof why), -1);
}

/* lab --only's reader: the golden lab.json reads back; the same with
 * another schema does not. */
static void test_lab_json_schema(void **state) {
  char *text = golden_slurp(CONCLAB_GOLDEN_DIR "/lab.json"), *at;
  lab_data *lab = calloc(1, sizeof *lab);
  (void)state;

  assert_non_null(text);
  assert_non_null(lab);
  assert_int_equal(lab_read_json(text, lab), 0);
  at = strstr(text, "\"schema\":\t1,");
  assert_non_null(at);
  at[10] = '9';
  assert_int_equal(lab_read_json(text, lab), -1);
  free(text);
  free(lab);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ticks),
      cmocka_unit_test(test_ticks_file),
      cmocka_unit_test(test_machine_finish),
      cmocka_unit_test(test_version),
      cmocka_unit_test(test_run_json_stamp),
      cmocka_unit_test(test_schema_check),
      cmocka_unit_test(test_lab_json_schema),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
