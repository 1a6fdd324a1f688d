/*
 * test_first_loop.c - the checks for exercise 01.
 *
 * Each test gets a fresh loop; after fl_sleep_all returns, closing that
 * loop must succeed, which it does only when no handle is left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "expect.h"
#include "first_loop.h"

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

/* The lesson: three sleeps of 300 ms, together, take about 300 ms.  One
 * after another they would take 900 ms; the bound leaves 450 ms for a slow
 * machine and is still well short of that. */
static void three_sleeps_take_one(void **state) {
  const uint64_t delays[3] = {300, 300, 300};
  int order[3] = {-1, -1, -1};
  double start = now_ms();
  expect_int(fl_sleep_all(*state, delays, 3, order), 3);
  double took = now_ms() - start;
  expect_ge_int("ms for three 300 ms sleeps", took, 290);
  expect_lt_int("ms for three 300 ms sleeps", took, 750);
}

/* The shortest sleep finishes first, whatever the order of starting:
 * the timers run at the same time, not one after another. */
static void order_follows_delay(void **state) {
  const uint64_t delays[4] = {300, 100, 200, 0};
  int order[4] = {-1, -1, -1, -1};
  expect_int(fl_sleep_all(*state, delays, 4, order), 4);
  expect_int(order[0], 3);
  expect_int(order[1], 1);
  expect_int(order[2], 2);
  expect_int(order[3], 0);
}

/* Ten thousand timers on one thread: each fires exactly once. */
static void ten_thousand_timers(void **state) {
  enum { N = 10000 };
  uint64_t *delays = malloc(N * sizeof *delays);
  int *order = malloc(N * sizeof *order);
  char *seen = calloc(N, 1);
  assert_non_null(delays);
  assert_non_null(order);
  assert_non_null(seen);
  for (int i = 0; i < N; i++) {
    delays[i] = (uint64_t)(i % 50);
    order[i] = -1;
  }
  expect_int(fl_sleep_all(*state, delays, N, order), N);
  for (int k = 0; k < N; k++) {
    expect_ge_int("index in order", order[k], 0);
    expect_lt_int("index in order", order[k], N);
    expect_int(seen[order[k]], 0);
    seen[order[k]] = 1;
    if (k > 0) /* never a longer sleep before a shorter one */
      expect_le_int("delay (ms) of the sleep that finished before it",
                    delays[order[k - 1]], delays[order[k]]);
  }
  free(seen);
  free(order);
  free(delays);
}

static void no_sleeps(void **state) {
  expect_int(fl_sleep_all(*state, NULL, 0, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(three_sleeps_take_one, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(order_follows_delay, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(ten_thousand_timers, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(no_sleeps, loop_setup, loop_teardown),
  };
  return cmocka_run_group_tests_name("01-first-loop", tests, NULL, NULL);
}
