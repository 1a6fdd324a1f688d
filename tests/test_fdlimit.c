/*
 * test_fdlimit.c - the open-files check of `conclab run`, against what each
 * model really opens.
 *
 * For every model and every workload that opens descriptors per task
 * (http, pipeline, files), conclab runs as a child under a hard limit on
 * open files (ulimit -n, soft and hard, so it cannot raise it): first too
 * low, where the check refuses and says how many it needs; then at exactly
 * that many, where every task must succeed (no EMFILE: the check's
 * per-unit costs are not an underestimate); then one below, where it must
 * refuse with exit 2 and the range that does fit.  Threaded http runs 32
 * requests at once (3 descriptors each: the socket and curl's socketpair).
 */
#define _GNU_SOURCE /* setgroups, in run_env.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"

/* Run conclab with argv under a hard limit of `limit` open files. */
static output *run_limited(const char *const *argv, long limit) {
  return conclab_in(argv, &(run_env){.open_files = (rlim_t)limit});
}

/* The descriptors conclab starts with: ours, and the two files that
 * catch its output (open_fd_count also counts ".", ".." and its own). */
static long inherited(void) { return open_fd_count() - 3 + 2; }

/* "need about N open files": N, or -1. */
static long needed(const char *err) {
  const char *at = strstr(err, "need");
  long n = -1;
  if (at != NULL)
    at = strstr(at, "about ");
  if (at == NULL || sscanf(at, "about %ld open files", &n) != 1)
    return -1;
  return n;
}

static void check_boundary(const char *workload, const char *model, int c) {
  char conc[16], tasks[16], range[48];
  int seq = strcmp(model, "seq") == 0;
  const char *argv[16] = {"conclab", "run", workload, "--model", model,
                          "--tasks", tasks, "--json"};
  int n = 8;
  output *o;
  long need;

  snprintf(tasks, sizeof tasks, "%d", 2 * c);
  snprintf(conc, sizeof conc, "%d", c);
  if (!seq) {
    argv[n++] = "--concurrency";
    argv[n++] = conc;
  }
  if (strcmp(workload, "http") == 0) { /* all of a wave in flight at once */
    argv[n++] = "--delay-ms";
    argv[n++] = "100";
  }
  if (strcmp(workload, "files") == 0) {
    argv[n++] = "--size";
    argv[n++] = "4096";
  }
  argv[n] = NULL;

  /* too low: refused, saying how many it needs (seq: what its one task
   * needs; the others: what C need, with room left for the dynamic
   * loader, which opens each library before conclab's check can run) */
  o = run_limited(argv, inherited() + (seq ? 1 : 14));
  need = needed(o->err);
  if (o->status != 2 || need < 0)
    print_error("%s %s: %d %s\n", workload, model, o->status, o->err);
  assert_int_equal(o->status, 2);
  assert_true(need > 0);

  /* exactly that: every task ok, none failed for want of a descriptor */
  o = run_limited(argv, need);
  if (o->status != 0)
    print_error("%s %s at ulimit -n %ld: %d %s\n", workload, model, need,
                o->status, o->err);
  assert_int_equal(o->status, 0);
  assert_null(strstr(o->err, "Too many open files"));

  /* one below: refused, with the range that fits */
  o = run_limited(argv, need - 1);
  assert_int_equal(o->status, 2);
  if (seq)
    snprintf(range, sizeof range, "even 1 ");
  else
    snprintf(range, sizeof range, "allowed here 1..%d\n", c - 1);
  if (strstr(o->err, range) == NULL)
    print_error("%s %s at %ld: expected '%s' in: %s\n", workload, model,
                need - 1, range, o->err);
  assert_non_null(strstr(o->err, range));
  assert_int_equal(count_lines(o->err), 1);
}

static void test_http(void **state) {
  (void)state;
  check_boundary("http", "threaded", 32);
  check_boundary("http", "seq", 1);
  check_boundary("http", "async", 16);
  check_boundary("http", "multiproc", 16);
}

static void test_pipeline(void **state) {
  (void)state;
  check_boundary("pipeline", "seq", 1);
  check_boundary("pipeline", "async", 16);
  check_boundary("pipeline", "threaded", 16);
  check_boundary("pipeline", "multiproc", 16);
}

static void test_files(void **state) {
  (void)state;
  check_boundary("files", "seq", 1);
  check_boundary("files", "async", 16);
  check_boundary("files", "threaded", 16);
  check_boundary("files", "multiproc", 16);
}

/* A limit that fits not even one: says what one needs, never "1..1". */
static void test_not_even_one(void **state) {
  const char *argv[] = {"conclab", "run",      "http",          "--model",
                        "threaded", "--concurrency", "1", NULL};
  output *o;
  (void)state;
  o = run_limited(argv, 8);
  assert_int_equal(o->status, 2);
  assert_non_null(strstr(o->err, "even 1 request in flight needs about"));
  assert_null(strstr(o->err, "1..1"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_http),
      cmocka_unit_test(test_pipeline),
      cmocka_unit_test(test_files),
      cmocka_unit_test(test_not_even_one),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
