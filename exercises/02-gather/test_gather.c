/*
 * test_gather.c - the checks for exercise 02.
 *
 * Each test gets a fresh loop.  ga_gather only starts the operations; the
 * test runs the loop, and a probe (the callbacks' arg) records what the
 * callbacks saw.  Closing the loop at the end must succeed, which it does
 * only when every handle was closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "expect.h"
#include "gather.h"

#define UNSET (-12345L) /* what a slot holds before its result is in */

/* What the callbacks saw. */
typedef struct probe {
  int n;
  const long *results;  /* the slots ga_gather writes */
  const long *expected; /* what each slot must end up holding */
  int *order;           /* indexes, in the order each() was called */
  int each_calls;
  int each_wrong; /* each() with a bad index, or before its slot was set */
  int done_calls;
  int done_completed; /* what done() was told */
  int each_at_done;   /* each() calls made before done() */
} probe;

static void on_each(void *arg, int index) {
  probe *p = arg;
  if (index < 0 || index >= p->n || p->results[index] != p->expected[index]) {
    p->each_wrong++;
    return;
  }
  if (p->each_calls < p->n)
    p->order[p->each_calls] = index;
  p->each_calls++;
}

static void on_done(void *arg, int completed) {
  probe *p = arg;
  p->done_calls++;
  p->done_completed = completed;
  p->each_at_done = p->each_calls;
}

static void probe_init(probe *p, int n, const long *results,
                       const long *expected, int *order) {
  *p = (probe){.n = n, .results = results, .expected = expected,
               .order = order};
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int loop_setup(void **state) {
  uv_loop_t *loop = malloc(sizeof *loop);
  if (loop == NULL || uv_loop_init(loop) != 0)
    return -1;
  *state = loop;
  return 0;
}

/* Every handle closed: uv_loop_close refuses (UV_EBUSY) otherwise. */
static int loop_teardown(void **state) {
  uv_loop_t *loop = *state;
  int rc = uv_loop_close(loop);
  free(loop);
  return rc;
}

/* Started in order 0..6, the shortest last: they complete in the reverse
 * order, and yet result i lands in slot i. */
static void reversed_delays_keep_slots(void **state) {
  enum { N = 7 };
  ga_op ops[N];
  long results[N], expected[N];
  int order[N];
  probe p;

  for (int i = 0; i < N; i++) {
    ops[i] = (ga_op){.delay_ms = (uint64_t)(10 * (N - 1 - i)),
                     .value = 1000 + 7 * i};
    expected[i] = ops[i].value;
    results[i] = UNSET;
  }
  probe_init(&p, N, results, expected, order);
  expect_int(ga_gather(*state, ops, N, results, on_each, on_done, &p),
                   0);
  /* Started, not run: nothing can have completed yet. */
  expect_int(p.done_calls, 0);
  expect_int(p.each_calls, 0);
  for (int i = 0; i < N; i++)
    expect_int(results[i], UNSET);

  uv_run(*state, UV_RUN_DEFAULT);

  expect_int(p.each_wrong, 0);
  expect_int(p.each_calls, N);
  for (int k = 0; k < N; k++) /* completion order: 6, 5, ..., 0 */
    expect_int(order[k], N - 1 - k);
  for (int i = 0; i < N; i++) /* submission order, all the same */
    expect_int(results[i], expected[i]);
  expect_int(p.done_calls, 1);
  expect_int(p.done_completed, N);
  expect_int(p.each_at_done, N); /* done came after the last each */
}

/* The operations wait at the same time: 20 waits of 100 ms take far less
 * than 20 x 100 ms (one after another would take 2 s). */
static void operations_overlap(void **state) {
  enum { N = 20 };
  ga_op ops[N];
  long results[N], expected[N];
  int order[N];
  probe p;

  for (int i = 0; i < N; i++) {
    ops[i] = (ga_op){.delay_ms = 100, .value = i};
    expected[i] = i;
    results[i] = UNSET;
  }
  probe_init(&p, N, results, expected, order);
  double start = now_ms();
  expect_int(ga_gather(*state, ops, N, results, on_each, on_done, &p),
                   0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_lt_int("ms until the loop ended", now_ms() - start, 1000);
  expect_int(p.each_calls, N);
  expect_int(p.done_calls, 1);
}

/* gather() of nothing is done at once, and only once. */
static void no_operations(void **state) {
  long results[1] = {UNSET};
  int order[1];
  probe p;

  probe_init(&p, 0, results, results, order);
  expect_int(ga_gather(*state, NULL, 0, results, on_each, on_done, &p),
                   0);
  expect_int(p.done_calls, 1); /* before ga_gather returned */
  expect_int(p.done_completed, 0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_int(p.done_calls, 1);
  expect_int(p.each_calls, 0);
}

/* each is optional; done is not. */
static void without_each_and_bad_arguments(void **state) {
  const ga_op ops[2] = {{.delay_ms = 20, .value = 5}, {.delay_ms = 0,
                                                       .value = 6}};
  long results[2] = {UNSET, UNSET};
  probe p;

  probe_init(&p, 2, results, results, NULL);
  expect_int(ga_gather(*state, ops, -1, results, on_each, on_done, &p),
                   UV_EINVAL);
  expect_int(ga_gather(*state, ops, 2, results, on_each, NULL, &p),
                   UV_EINVAL);
  expect_int(p.done_calls + p.each_calls, 0);
  expect_int(ga_gather(*state, ops, 2, results, NULL, on_done, &p), 0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_int(results[0], 5);
  expect_int(results[1], 6);
  expect_int(p.done_calls, 1);
  expect_int(p.done_completed, 2);
}

/* Two gathers on one loop at once: each counts its own operations (no
 * state shared between them, no globals). */
static void two_gathers_at_once(void **state) {
  const ga_op a_ops[2] = {{.delay_ms = 30, .value = 1},
                          {.delay_ms = 10, .value = 2}};
  const ga_op b_ops[3] = {{.delay_ms = 20, .value = 3},
                          {.delay_ms = 0, .value = 4},
                          {.delay_ms = 40, .value = 5}};
  const long a_want[2] = {1, 2}, b_want[3] = {3, 4, 5};
  long a_res[2] = {UNSET, UNSET}, b_res[3] = {UNSET, UNSET, UNSET};
  int a_order[2], b_order[3];
  probe a, b;

  probe_init(&a, 2, a_res, a_want, a_order);
  probe_init(&b, 3, b_res, b_want, b_order);
  expect_int(ga_gather(*state, a_ops, 2, a_res, on_each, on_done, &a),
                   0);
  expect_int(ga_gather(*state, b_ops, 3, b_res, on_each, on_done, &b),
                   0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_int(a.each_wrong + b.each_wrong, 0);
  expect_int(a.done_calls, 1);
  expect_int(a.done_completed, 2);
  expect_int(a.each_at_done, 2);
  expect_int(b.done_calls, 1);
  expect_int(b.done_completed, 3);
  expect_int(b.each_at_done, 3);
  expect_int(a_order[0], 1);
  expect_int(b_order[0], 1);
  expect_int(b_order[2], 2);
}

/* Ten thousand operations, completing in a shuffled order: every slot
 * right, every operation reported once, done once. */
static void ten_thousand(void **state) {
  enum { N = 10000 };
  ga_op *ops = malloc(N * sizeof *ops);
  long *results = malloc(N * sizeof *results);
  long *expected = malloc(N * sizeof *expected);
  int *order = malloc(N * sizeof *order);
  char *seen = calloc(N, 1);
  int out_of_order = 0;
  probe p;

  assert_non_null(ops);
  assert_non_null(results);
  assert_non_null(expected);
  assert_non_null(order);
  assert_non_null(seen);
  for (int i = 0; i < N; i++) {
    ops[i] = (ga_op){.delay_ms = (uint64_t)((N - i) * 7 % 50),
                     .value = 3L * i + 1};
    expected[i] = ops[i].value;
    results[i] = UNSET;
  }
  probe_init(&p, N, results, expected, order);
  expect_int(ga_gather(*state, ops, N, results, on_each, on_done, &p),
                   0);
  free(ops); /* ops is read only during the call */
  uv_run(*state, UV_RUN_DEFAULT);

  expect_int(p.each_wrong, 0);
  expect_int(p.each_calls, N);
  for (int k = 0; k < N; k++) {
    expect_int(seen[order[k]], 0); /* each operation once */
    seen[order[k]] = 1;
    if (order[k] != k)
      out_of_order++;
  }
  expect_ge_int("completions out of order", out_of_order, 1); /* did differ */
  for (int i = 0; i < N; i++)
    expect_int(results[i], expected[i]);
  expect_int(p.done_calls, 1);
  expect_int(p.done_completed, N);
  free(seen);
  free(order);
  free(expected);
  free(results);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(reversed_delays_keep_slots, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(operations_overlap, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(no_operations, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(without_each_and_bad_arguments,
                                      loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(two_gathers_at_once, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(ten_thousand, loop_setup,
                                      loop_teardown),
  };
  return cmocka_run_group_tests_name("02-gather", tests, NULL, NULL);
}
