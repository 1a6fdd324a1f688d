/*
 * test_lag.c - the loop-lag probe (async/lag.c).
 *
 * Nearest-rank percentiles on fixed samples; an idle loop's lag is small;
 * a loop blocked by a callback shows at least the time it was blocked;
 * the samples kept for a timeline are all there, in time order.
 * The timing checks have wide margins: a loaded machine may add lag, but
 * cannot take the blocking time away.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <time.h>

#include "helpers.h"
#include "lag.h"

static void summary_is_nearest_rank(void **state) {
  double ms[200];
  as_lag_summary s;
  (void)state;

  for (int i = 0; i < 200; i++)
    ms[i] = (double)(199 - i); /* 199 .. 0, unsorted on purpose */
  as_lag_summarise(ms, 200, &s);
  assert_int_equal(s.samples, 200);
  assert_near(s.p50_ms, 99);  /* the 100th smallest */
  assert_near(s.p99_ms, 197); /* the 198th smallest */
  assert_near(s.max_ms, 199);

  ms[0] = 7;
  as_lag_summarise(ms, 1, &s);
  assert_near(s.p50_ms, 7);
  assert_near(s.p99_ms, 7);
  assert_near(s.max_ms, 7);

  as_lag_summarise(ms, 0, &s);
  assert_int_equal(s.samples, 0);
  assert_near(s.max_ms, 0);
}

static void on_timer(uv_timer_t *t) { (void)t; }

static void on_block(uv_timer_t *t) {
  struct timespec ts = {0, 200 * 1000000L}; /* 200 ms, the loop held */
  (void)t;
  while (nanosleep(&ts, &ts) != 0)
    ;
}

/* Run a loop with the probe and one 150 ms timer; block first if asked.
 * The samples themselves go to *keep when it is not NULL. */
static as_lag_summary run_loop_keep(int block, as_lag_timeline *keep) {
  uv_loop_t loop;
  uv_timer_t wait, blocker;
  as_lag lag;
  as_lag_summary s;

  assert_int_equal(uv_loop_init(&loop), 0);
  as_lag_start(&loop, &lag);
  uv_timer_init(&loop, &wait);
  uv_timer_start(&wait, on_timer, 150, 0);
  uv_timer_init(&loop, &blocker);
  if (block)
    uv_timer_start(&blocker, on_block, 0, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  as_lag_stop(&lag, &s, keep);
  uv_close((uv_handle_t *)&wait, NULL);
  uv_close((uv_handle_t *)&blocker, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
  return s;
}

static as_lag_summary run_loop(int block) { return run_loop_keep(block, NULL); }

/* The samples kept for a timeline: all of them, in time order, inside the
 * run, and the block is seen as one late sample at or after its end. */
static void timeline_keeps_every_sample_in_order(void **state) {
  as_lag_timeline tl = {NULL, 0};
  uint64_t t0 = uv_hrtime(), t1;
  as_lag_summary s = run_loop_keep(1, &tl);
  double max = 0;
  (void)state;

  t1 = uv_hrtime();
  assert_non_null(tl.samples);
  assert_int_equal(tl.n, s.samples);
  for (int i = 0; i < tl.n; i++) {
    assert_true(tl.samples[i].t_ns >= (int64_t)t0);
    assert_true(tl.samples[i].t_ns <= (int64_t)t1);
    if (i > 0)
      assert_true(tl.samples[i].t_ns >= tl.samples[i - 1].t_ns);
    if (tl.samples[i].ms > max)
      max = tl.samples[i].ms;
  }
  assert_near(max, s.max_ms);
  free(tl.samples);
}

/* Idle: the probe fires about every ms, and on time (50 ms is a margin a
 * busy machine will not reach for the median). */
static void idle_loop_lag_is_small(void **state) {
  as_lag_summary s = run_loop(0);
  (void)state;
  assert_true(s.samples >= 10); /* ~150 firings; far fewer is no probe */
  assert_true(s.p50_ms < 50.0);
}

/* Blocked for 200 ms: some firing is at least that late, less the 1 ms
 * period and libuv's whole-millisecond clock. */
static void blocked_loop_shows_the_block(void **state) {
  as_lag_summary s = run_loop(1);
  (void)state;
  assert_true(s.samples >= 1);
  assert_true(s.max_ms >= 190.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(summary_is_nearest_rank),
      cmocka_unit_test(idle_loop_lag_is_small),
      cmocka_unit_test(blocked_loop_shows_the_block),
      cmocka_unit_test(timeline_keeps_every_sample_in_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
