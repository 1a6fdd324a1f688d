/*
 * test_wrk.c - reading wrk's output: samples of wrk 4.1 (Debian's) taken
 * against conclab serve on the development machine, in tests/data.
 *
 * Checks: requests/s, the percentiles in each unit (us, ms), the request
 * count, socket errors (/drop) and non-2xx answers (/status/500); output
 * without --latency's distribution or without Requests/sec is refused;
 * and a run of the real wrk, when there is one, against nobody listening
 * fails with wrk's own words as the reason; the CPU of the wrk run is
 * counted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wrk.h"

static char *slurp(const char *name) {
  char path[512];
  static char text[16384];
  snprintf(path, sizeof path, "%s/%s", CONCLAB_DATA_DIR, name);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

static void bytes_sample(void **state) {
  (void)state;
  tool_wrk_result r;
  assert_int_equal(tool_wrk_parse(slurp("wrk_bytes.txt"), &r), 0);
  assert_near(r.rps, 191149.35);
  assert_near(r.requests, 191252);
  assert_near(r.p50_ms, 0.395);
  assert_near(r.p75_ms, 0.433);
  assert_near(r.p90_ms, 0.528);
  assert_near(r.p99_ms, 2.0);
  assert_int_equal(tool_wrk_errors(&r), 0);
  assert_int_equal(r.non2xx, 0);
}

static void delay_sample(void **state) {
  (void)state;
  tool_wrk_result r;
  assert_int_equal(tool_wrk_parse(slurp("wrk_delay.txt"), &r), 0);
  assert_near(r.rps, 89.80);
  assert_near(r.p50_ms, 100.33);
  assert_near(r.p99_ms, 100.88);
  assert_near(r.requests, 90);
}

static void drop_sample_has_read_errors(void **state) {
  (void)state;
  tool_wrk_result r;
  assert_int_equal(tool_wrk_parse(slurp("wrk_drop.txt"), &r), 0);
  assert_near(r.rps, 0);
  assert_true(r.read_errors > 0);
  assert_int_equal(r.connect_errors, 0);
  assert_int_equal(tool_wrk_errors(&r), r.read_errors);
}

static void status_sample_counts_non2xx(void **state) {
  (void)state;
  tool_wrk_result r;
  assert_int_equal(tool_wrk_parse(slurp("wrk_status.txt"), &r), 0);
  assert_true(r.non2xx > 0);
  assert_near((double)r.non2xx, r.requests);
}

static void incomplete_output_is_refused(void **state) {
  (void)state;
  tool_wrk_result r;
  char *text = slurp("wrk_bytes.txt");
  char *dist = strstr(text, "Latency Distribution");
  assert_non_null(dist);
  memcpy(dist, "Latency Xistribution", 20); /* no --latency */
  assert_int_equal(tool_wrk_parse(text, &r), -1);
  assert_int_equal(tool_wrk_parse("Running 1s test @ x\n", &r), -1);
  assert_int_equal(tool_wrk_parse("", &r), -1);
}

static void real_wrk_against_nobody(void **state) {
  (void)state;
  char wrk[4096], why[256];
  tool_wrk_result r;
  if (tool_wrk_find(wrk, sizeof wrk) != 0)
    skip(); /* .ci/deps installs it */
  /* wrk gives up (exit 1) when its first connect is refused */
  assert_int_equal(tool_wrk_run(wrk, "http://127.0.0.1:1/", 2, 1, &r, why,
                                sizeof why), -1);
  assert_non_null(strstr(why, "unable to connect"));
}

/* wrk's CPU is counted: a stand-in wrk that spends some CPU before
 * printing a real sample is read, and its CPU is more than none. */
static void stand_in_wrk_cpu_counted(void **state) {
  (void)state;
  char path[] = "/tmp/conclab-wrk-XXXXXX", why[256];
  tool_wrk_result r;
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fprintf(f, "#!/bin/sh\ni=0\nwhile [ $i -lt 300000 ]; do i=$((i+1)); "
          "done\ncat '%s/wrk_bytes.txt'\n", CONCLAB_DATA_DIR);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(chmod(path, 0700), 0);
  int rc = tool_wrk_run(path, "http://127.0.0.1:1/", 2, 1, &r, why,
                        sizeof why);
  unlink(path);
  assert_int_equal(rc, 0);
  assert_near(r.rps, 191149.35);
  assert_true(r.cpu_s > 0.01);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bytes_sample),
      cmocka_unit_test(delay_sample),
      cmocka_unit_test(drop_sample_has_read_errors),
      cmocka_unit_test(status_sample_counts_non2xx),
      cmocka_unit_test(incomplete_output_is_refused),
      cmocka_unit_test(real_wrk_against_nobody),
      cmocka_unit_test(stand_in_wrk_cpu_counted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
