/*
 * test_sem.c - the async semaphore (async/sem.c).
 *
 * Counted, not timed: every start checks how many operations are in flight
 * at that moment, and the test fails if it is ever more than C.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <uv.h>

#include "sem.h"

/* ---- without a loop: the counter and the queue -------------------------- */

typedef struct probe {
  as_waiter waiter;
  int id;
} probe;

static int started[64], nstarted;

static void record_start(as_waiter *w) {
  started[nstarted++] = ((probe *)w)->id; /* waiter is the first member */
}

static void test_limit_and_fifo(void **state) {
  as_sem s;
  probe p[10];
  (void)state;

  nstarted = 0;
  as_sem_init(&s, 3);
  for (int i = 0; i < 10; i++) {
    p[i].id = i;
    as_sem_acquire(&s, &p[i].waiter, record_start);
  }
  assert_int_equal(nstarted, 3); /* 0, 1, 2 start; 3..9 wait */
  assert_int_equal(s.in_flight, 3);
  as_sem_release(&s);
  assert_int_equal(nstarted, 4);
  for (int i = 0; i < 9; i++)
    as_sem_release(&s);
  assert_int_equal(nstarted, 10);
  for (int i = 0; i < 10; i++)
    assert_int_equal(started[i], i); /* oldest waiter first */
  assert_int_equal(s.max_in_flight, 3);
  assert_int_equal(s.in_flight, 0); /* 10 releases for 10 starts */
}

/* A start that completes at once releases inside acquire; a chain of
 * 100,000 such starts must not recurse 100,000 deep. */
static as_sem g_sync;
static int g_sync_starts;

static void start_and_finish(as_waiter *w) {
  (void)w;
  g_sync_starts++;
  assert_true(g_sync.in_flight <= g_sync.limit);
  as_sem_release(&g_sync);
}

static void test_synchronous_completion(void **state) {
  enum { N = 100000 };
  as_waiter *w = calloc(N, sizeof *w);
  (void)state;

  assert_non_null(w);
  g_sync_starts = 0;
  as_sem_init(&g_sync, 2);
  for (int i = 0; i < N; i++)
    as_sem_acquire(&g_sync, &w[i], start_and_finish);
  assert_int_equal(g_sync_starts, N);
  assert_int_equal(g_sync.in_flight, 0);
  assert_true(g_sync.max_in_flight <= 2);
  free(w);
}

/* ---- on a loop: timers of uneven length, at most C at once ------------- */

#define TIMERS 200
#define LIMIT 7

typedef struct timer_op {
  as_waiter waiter;
  uv_timer_t timer;
  int index;
} timer_op;

static as_sem g_sem;
static uv_loop_t g_loop;
static int g_in_flight, g_seen_max, g_done;

static void on_timer(uv_timer_t *t) {
  g_in_flight--;
  g_done++;
  uv_close((uv_handle_t *)t, NULL);
  as_sem_release(&g_sem);
}

static void start_timer(as_waiter *w) {
  timer_op *op = (timer_op *)w;
  g_in_flight++;
  if (g_in_flight > g_seen_max)
    g_seen_max = g_in_flight;
  assert_true(g_in_flight <= LIMIT); /* the property under test */
  uv_timer_init(&g_loop, &op->timer);
  uv_timer_start(&op->timer, on_timer, (uint64_t)(op->index % 5), 0);
}

static void test_never_more_than_c_on_a_loop(void **state) {
  timer_op *ops = calloc(TIMERS, sizeof *ops);
  (void)state;

  assert_non_null(ops);
  assert_int_equal(uv_loop_init(&g_loop), 0);
  as_sem_init(&g_sem, LIMIT);
  for (int i = 0; i < TIMERS; i++) {
    ops[i].index = i;
    as_sem_acquire(&g_sem, &ops[i].waiter, start_timer);
  }
  assert_int_equal(g_in_flight, LIMIT); /* before the loop runs */
  uv_run(&g_loop, UV_RUN_DEFAULT);
  assert_int_equal(g_done, TIMERS);
  assert_int_equal(g_seen_max, LIMIT);
  assert_int_equal(g_sem.max_in_flight, LIMIT);
  assert_int_equal(g_sem.in_flight, 0);
  assert_int_equal(uv_loop_close(&g_loop), 0);
  free(ops);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_limit_and_fifo),
      cmocka_unit_test(test_synchronous_completion),
      cmocka_unit_test(test_never_more_than_c_on_a_loop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
