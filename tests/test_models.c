/*
 * test_models.c - seq, async and threaded run every workload correctly.
 *
 * Each model must fill slot i with task i's result (gather order), agree
 * with seq's checksum, and leave no descriptor open.  multiproc has its own
 * test program (it forks, and stays out of the TSan run).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async.h"
#include "run.h"
#include "helpers.h"
#include "threaded.h"

typedef enum { SEQ, ASYNC, ASYNC_OFFLOAD, THREADED } model;

/* Run one batch; check no descriptor leaked; return the slots (caller
 * frees). */
static wl_slot *run(model m, const wl_workload *wl, const wl_params *p) {
  wl_slot *slots = calloc((size_t)p->tasks, sizeof *slots);
  as_options ao = {.offload = m == ASYNC_OFFLOAD, .threadpool_size = 4};
  int fds = open_fd_count(), rc = -1;

  assert_non_null(slots);
  switch (m) {
  case SEQ: rc = seq_run(wl, p, slots, NULL); break;
  case ASYNC:
  case ASYNC_OFFLOAD: rc = as_run(wl, p, &ao, slots, NULL, NULL); break;
  case THREADED: rc = th_run(wl, p, slots, NULL); break;
  }
  assert_int_equal(rc, 0);
  assert_int_equal(open_fd_count(), fds);
  return slots;
}

/* Task i waits 5 ms plus a spread of up to 30 ms, so tasks finish out of
 * order; their results must still land in submission order. */
static void test_sleep_results_in_order(void **state) {
  wl_params p = {.tasks = 40, .concurrency = 8, .delay_ms = 5,
                 .delay_spread_ms = 30};
  wl_slot *oracle = run(SEQ, &wl_sleep, &p);
  uint64_t expect = wl_checksum(oracle, p.tasks);
  (void)state;

  for (int i = 0; i < p.tasks; i++) {
    assert_int_equal(oracle[i].status, WL_OK);
    assert_int_equal(oracle[i].value, (uint64_t)i * 10);
  }
  for (model m = ASYNC; m <= THREADED; m++) {
    if (m == ASYNC_OFFLOAD)
      continue; /* sleep has nothing to offload */
    wl_slot *got = run(m, &wl_sleep, &p);
    for (int i = 0; i < p.tasks; i++) {
      assert_int_equal(got[i].status, WL_OK);
      assert_int_equal(got[i].value, (uint64_t)i * 10);
    }
    assert_int_equal(wl_checksum(got, p.tasks), expect);
    free(got);
  }
  free(oracle);
}

/* 9,592 primes below 100,000; every model finds the same count per chunk. */
static void test_primes_match_seq(void **state) {
  wl_params p = {.tasks = 16, .concurrency = 3, .limit = 100000};
  wl_slot *oracle = run(SEQ, &wl_primes, &p);
  uint64_t total = 0, expect = wl_checksum(oracle, p.tasks);
  (void)state;

  for (int i = 0; i < p.tasks; i++)
    total += oracle[i].value;
  assert_int_equal(total, 9592);
  for (model m = ASYNC; m <= THREADED; m++) {
    wl_slot *got = run(m, &wl_primes, &p);
    for (int i = 0; i < p.tasks; i++) {
      assert_int_equal(got[i].status, WL_OK);
      assert_int_equal(got[i].value, oracle[i].value);
    }
    assert_int_equal(wl_checksum(got, p.tasks), expect);
    free(got);
  }
  free(oracle);
}

/* A workload no model knows: no native async version, and state per
 * worker.  Its value needs the state, so a task run without it shows. */
static int tally_open(const wl_params *p, void **worker) {
  static const uint64_t salt = 7;
  (void)p;
  *worker = (void *)&salt;
  return 0;
}

static void tally_input(const wl_params *p, uint32_t i, wl_task *out) {
  (void)p;
  out->index = i;
  out->a = i;
  out->b = 0;
}

static wl_status tally_run(const wl_task *t, void *worker, wl_slot *out) {
  if (worker == NULL)
    return WL_ERROR;
  out->value = t->a * *(const uint64_t *)worker + 1;
  return WL_OK;
}

static const wl_workload tally = {.name = "tally",
                                  .kind = WL_KIND_CPU,
                                  .task_input = tally_input,
                                  .run_blocking = tally_run,
                                  .worker_open = tally_open};

/* async runs it on libuv's threadpool (async/executor.c), each task with
 * its own worker state, and agrees with seq. */
static void test_async_without_native_version(void **state) {
  wl_params p = {.tasks = 50, .concurrency = 6};
  wl_slot *oracle = run(SEQ, &tally, &p), *got = run(ASYNC, &tally, &p);
  (void)state;

  for (int i = 0; i < p.tasks; i++) {
    assert_int_equal(got[i].status, WL_OK);
    assert_int_equal(got[i].value, (uint64_t)i * 7 + 1);
  }
  assert_int_equal(wl_checksum(got, p.tasks), wl_checksum(oracle, p.tasks));
  free(oracle);
  free(got);
}

/* More workers than tasks, one task, one worker: edges of the pool sizes. */
static void test_edge_sizes(void **state) {
  wl_params one = {.tasks = 1, .concurrency = 1, .delay_ms = 1};
  wl_params wide = {.tasks = 3, .concurrency = 50, .delay_ms = 1};
  (void)state;

  for (model m = ASYNC; m <= THREADED; m++) {
    if (m == ASYNC_OFFLOAD)
      continue;
    wl_slot *a = run(m, &wl_sleep, &one), *b = run(m, &wl_sleep, &wide);
    assert_int_equal(a[0].status, WL_OK);
    for (int i = 0; i < 3; i++)
      assert_int_equal(b[i].value, (uint64_t)i * 10);
    free(a);
    free(b);
  }
}

/* An empty batch is done before it starts: no task runs, no slot is
 * touched (the one given here stands for memory past the end). */
static void test_empty_batch(void **state) {
  wl_params none = {.tasks = 0, .concurrency = 1, .delay_ms = 1};
  as_options ao = {.threadpool_size = 4};
  wl_slot past_end[1] = {{.status = WL_PENDING}};
  (void)state;

  assert_int_equal(as_run(&wl_sleep, &none, &ao, past_end, NULL, NULL), 0);
  assert_int_equal(past_end[0].status, WL_PENDING);
  assert_int_equal(th_run(&wl_sleep, &none, past_end, NULL), 0);
  assert_int_equal(past_end[0].status, WL_PENDING);
}

/* The checksum sees order and status, not just the values. */
static void test_checksum_is_order_sensitive(void **state) {
  wl_slot a[2] = {{.status = WL_OK, .value = 10},
                  {.status = WL_OK, .value = 20}};
  wl_slot b[2] = {{.status = WL_OK, .value = 20},
                  {.status = WL_OK, .value = 10}};
  wl_slot c[2] = {{.status = WL_OK, .value = 10},
                  {.status = WL_ERROR, .value = 20}};
  (void)state;
  assert_true(wl_checksum(a, 2) != wl_checksum(b, 2));
  assert_true(wl_checksum(a, 2) != wl_checksum(c, 2));
}

/* Waits overlap: 50 waits of 100 ms, all in flight, take far less than
 * 50 x 100 ms (a wide margin, not a benchmark).  And C limits overlap:
 * 20 waits of 20 ms, 4 at a time, need at least 5 rounds - 100 ms, less
 * up to 1 ms a round: libuv's clock counts whole milliseconds, so a timer
 * may start from a time up to 1 ms old. */
static void test_overlap_and_limit(void **state) {
  wl_params all = {.tasks = 50, .concurrency = 50, .delay_ms = 100};
  wl_params four = {.tasks = 20, .concurrency = 4, .delay_ms = 20};
  (void)state;

  for (model m = ASYNC; m <= THREADED; m++) {
    if (m == ASYNC_OFFLOAD)
      continue;
    double t0 = monotonic_s();
    free(run(m, &wl_sleep, &all));
    assert_true(monotonic_s() - t0 < 2.5);
    t0 = monotonic_s();
    free(run(m, &wl_sleep, &four));
    assert_true(monotonic_s() - t0 >= 0.095);
  }
}

/* Run batch(p) with stderr going to a temporary file; what it printed
 * into buf. */
static void capture_stderr(model m, const wl_workload *wl, const wl_params *p,
                           char *buf, size_t cap) {
  FILE *f = tmpfile();
  int saved = dup(STDERR_FILENO);
  size_t n;

  assert_non_null(f);
  assert_true(saved >= 0);
  fflush(stderr);
  assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
  free(run(m, wl, p));
  fflush(stderr);
  assert_true(dup2(saved, STDERR_FILENO) >= 0);
  close(saved);
  rewind(f);
  n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
}

/* A workload whose every worker fails to open its state, and says so. */
static int grumpy_open(const wl_params *p, void **worker) {
  (void)p;
  (void)worker;
  wl_report_once("grumpy: no state for a worker");
  return -1;
}

static void grumpy_input(const wl_params *p, uint32_t i, wl_task *out) {
  (void)p;
  out->index = i;
  out->a = out->b = 0;
}

static wl_status grumpy_run(const wl_task *t, void *worker, wl_slot *out) {
  (void)out;
  if (worker == NULL && t->index % 2 == 0)
    wl_report_error("grumpy", t->index, "run", "task", "no state");
  return worker == NULL ? WL_ERROR : WL_OK;
}

static const wl_workload grumpy = {.name = "grumpy",
                                   .kind = WL_KIND_CPU,
                                   .task_input = grumpy_input,
                                   .run_blocking = grumpy_run,
                                   .worker_open = grumpy_open};

static int lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* Seven threads that each fail the same way print one line, not seven:
 * the run's first failure; and the next run prints its own first. */
static void test_first_error_once_per_run(void **state) {
  wl_params p = {.tasks = 14, .concurrency = 7};
  char err[4096];
  (void)state;

  for (int again = 0; again < 2; again++) {
    wl_report_reset(); /* as each `conclab run` starts */
    capture_stderr(THREADED, &grumpy, &p, err, sizeof err);
    assert_int_equal(lines(err), 1);
    assert_non_null(strstr(err, "conclab: grumpy: no state for a worker"));
  }
}

/* --timeout-ms is taken where it holds: http and pipeline in every model,
 * any workload on multiproc (the watchdog); refused, with the reason, for
 * a task a thread or the loop could not stop. */
static int parse_line(const char *line, run_opts *o, char *err) {
  char buf[256], *argv[32], *save = NULL;
  int argc = 0;
  snprintf(buf, sizeof buf, "%s", line);
  for (char *w = strtok_r(buf, " ", &save); w && argc < 31;
       w = strtok_r(NULL, " ", &save))
    argv[argc++] = w;
  argv[argc] = NULL;
  return run_parse(argc, argv, o, err, 256);
}

static void test_timeout_flag_where_it_holds(void **state) {
  static const char *const taken[] = {
      "run http --model threaded --timeout-ms 250",
      "run pipeline --model async --timeout-ms 250",
      "run pipeline --model seq --timeout-ms 250",
      "run sleep --model multiproc --timeout-ms 250",
      "run primes --model multiproc --timeout-ms 250",
      "run files --model multiproc --timeout-ms 250"};
  static const char *const refused[] = {
      "run sleep --model threaded --timeout-ms 250",
      "run primes --model seq --timeout-ms 250",
      "run files --model async --timeout-ms 250"};
  run_opts o;
  char err[256];
  (void)state;

  for (size_t i = 0; i < sizeof taken / sizeof *taken; i++) {
    int rc = parse_line(taken[i], &o, err);
    if (rc != RUN_PARSE_OK)
      print_error("'%s': %s\n", taken[i], err);
    assert_int_equal(rc, RUN_PARSE_OK);
    assert_int_equal(o.params.timeout_ms, 250);
  }
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    assert_int_equal(parse_line(refused[i], &o, err), RUN_PARSE_USAGE);
    assert_non_null(strstr(err, "--timeout-ms: for "));
    assert_non_null(strstr(err, "only to --model multiproc"));
  }
}

/* libuv opens a few descriptors once per process, on the first loop (its
 * signal-handling pipe); they are not a batch's to close.  Make them exist
 * before any test counts descriptors. */
static int warm_libuv(void **state) {
  uv_loop_t loop;
  (void)state;
  if (uv_loop_init(&loop) != 0)
    return -1;
  return uv_loop_close(&loop);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sleep_results_in_order),
      cmocka_unit_test(test_primes_match_seq),
      cmocka_unit_test(test_async_without_native_version),
      cmocka_unit_test(test_edge_sizes),
      cmocka_unit_test(test_empty_batch),
      cmocka_unit_test(test_checksum_is_order_sensitive),
      cmocka_unit_test(test_overlap_and_limit),
      cmocka_unit_test(test_first_error_once_per_run),
      cmocka_unit_test(test_timeout_flag_where_it_holds),
  };
  return cmocka_run_group_tests(tests, warm_libuv, NULL);
}
