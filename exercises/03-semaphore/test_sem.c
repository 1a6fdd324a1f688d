/*
 * test_sem.c - the checks for exercise 03: the async semaphore.
 *
 * Counted, never timed: every start records itself, and the tests look
 * at how many were running at once, in which order they began, and how
 * deep the stack went.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "expect.h"
#include "sem.h"

/* ---- without a loop: probes that record when they start ---------------- */

#define MAX_PROBES 16

/* A probe is what a task would be: the waiter first, so the start callback
 * can turn its as_waiter * back into the probe. */
typedef struct probe {
  as_waiter waiter;
  int id;
} probe;

static int started[MAX_PROBES]; /* ids, in the order they started */
static int nstarted;
static as_sem *probe_sem;      /* the semaphore the probes acquire */
static int starts_not_holding; /* starts that ran with in_flight not
                                  counting them (< 1) or over the limit */

/* A start runs holding its permit: in_flight counts it already. */
static void check_holding(const as_sem *s) {
  if (s->in_flight < 1 || s->in_flight > s->limit)
    starts_not_holding++;
}

static void record_start(as_waiter *w) {
  probe *p = (probe *)w;
  check_holding(probe_sem);
  if (nstarted < MAX_PROBES)
    started[nstarted] = p->id;
  nstarted++;
}

/* Acquire n probes on s, in id order. */
static void acquire_probes(as_sem *s, probe *p, int n) {
  nstarted = 0;
  starts_not_holding = 0;
  probe_sem = s;
  for (int i = 0; i < n; i++) {
    p[i].id = i;
    as_sem_acquire(s, &p[i].waiter, record_start);
  }
}

/* init must set every field, whatever was in the memory before. */
static void init_sets_every_field(void **state) {
  as_sem s;
  (void)state;

  memset(&s, 0x5a, sizeof s); /* garbage */
  as_sem_init(&s, 5);
  expect_int(s.limit, 5);
  expect_int(s.in_flight, 0);
  expect_int(s.max_in_flight, 0);
  expect_int(s.draining, 0);
  assert_null(s.head);
  assert_null(s.tail);
}

/* 10 acquires with 3 permits: the first 3 start inside their acquire,
 * the other 7 wait. */
static void first_c_start_at_once(void **state) {
  as_sem s = {0};
  probe p[10];
  (void)state;

  as_sem_init(&s, 3);
  acquire_probes(&s, p, 10);
  expect_eq_int("starts", nstarted, 3);
  for (int i = 0; i < 3; i++)
    expect_eq_int_at("start order", i, started[i], i);
  expect_eq_int("in_flight", s.in_flight, 3);
  expect_eq_int("max_in_flight", s.max_in_flight, 3);
  expect_eq_int("starts run without their permit counted in in_flight",
                starts_not_holding, 0);
}

/* One release frees one permit: exactly one waiter starts, the oldest. */
static void release_starts_exactly_one(void **state) {
  as_sem s = {0};
  probe p[10];
  (void)state;

  as_sem_init(&s, 3);
  acquire_probes(&s, p, 10);
  as_sem_release(&s);
  expect_int(nstarted, 4);
  expect_int(started[3], 3);
  expect_int(s.in_flight, 3); /* one out, one in */
}

/* Waiters start in the order they arrived (FIFO), and every acquire is
 * matched by a release in the end. */
static void waiting_starts_begin_in_fifo_order(void **state) {
  as_sem s = {0};
  probe p[8];
  (void)state;

  as_sem_init(&s, 2);
  acquire_probes(&s, p, 8);
  for (int i = 0; i < 8; i++)
    as_sem_release(&s);
  expect_eq_int("starts", nstarted, 8);
  for (int i = 0; i < 8; i++)
    expect_eq_int_at("start order", i, started[i], i);
  expect_eq_int("in_flight", s.in_flight, 0);
  expect_eq_int("max_in_flight", s.max_in_flight, 2);
  expect_eq_int("starts run without their permit counted in in_flight",
                starts_not_holding, 0);
  assert_null(s.head); /* nothing left waiting */
}

/* More permits than tasks: nobody waits. */
static void enough_permits_start_all_at_once(void **state) {
  as_sem s = {0};
  probe p[10];
  (void)state;

  as_sem_init(&s, 100);
  acquire_probes(&s, p, 10);
  expect_int(nstarted, 10);
  expect_int(s.in_flight, 10);
  expect_int(s.max_in_flight, 10);
  for (int i = 0; i < 10; i++)
    as_sem_release(&s);
  expect_int(s.in_flight, 0);
  expect_int(s.max_in_flight, 10);
}

/* ---- on a loop: timer tasks of uneven length ---------------------------- */

typedef struct timer_task {
  as_waiter waiter; /* first: the start callback casts back */
  uv_timer_t timer;
  int index;
  int finished; /* how many times its timer fired: must end as 1 */
} timer_task;

/* What a run of timer tasks saw. */
typedef struct timer_run {
  as_sem sem;
  uv_loop_t loop;
  int limit;
  int in_flight;       /* counted by the tasks themselves */
  int most_in_flight;  /* the highest in_flight any start saw */
  int started_before_run; /* starts inside the acquires, before uv_run */
  int start_order[256];
  int nstarted;
  int done;
  int loop_closed;     /* uv_loop_close's result */
} timer_run;

static timer_run g_run;

static void on_timer(uv_timer_t *timer) {
  timer_task *t = timer->data;
  t->finished++;
  g_run.in_flight--;
  g_run.done++;
  uv_close((uv_handle_t *)timer, NULL);
  as_sem_release(&g_run.sem); /* leaving `async with sem` */
}

static void start_timer(as_waiter *w) {
  timer_task *t = (timer_task *)w;
  g_run.in_flight++;
  if (g_run.in_flight > g_run.most_in_flight)
    g_run.most_in_flight = g_run.in_flight;
  if (g_run.nstarted < 256)
    g_run.start_order[g_run.nstarted] = t->index;
  g_run.nstarted++;
  t->timer.data = t;
  uv_timer_init(&g_run.loop, &t->timer);
  /* uneven delays, 0..10 ms, so tasks finish out of order */
  uv_timer_start(&t->timer, on_timer, (uint64_t)((t->index * 7) % 11), 0);
}

/* Run n timer tasks with `limit` permits; the results go in g_run. */
static timer_task *run_timers(int n, int limit) {
  timer_task *tasks = calloc((size_t)n, sizeof *tasks);
  assert_non_null(tasks);
  memset(&g_run, 0, sizeof g_run);
  g_run.limit = limit;
  expect_int(uv_loop_init(&g_run.loop), 0);
  as_sem_init(&g_run.sem, limit);
  for (int i = 0; i < n; i++) {
    tasks[i].index = i;
    as_sem_acquire(&g_run.sem, &tasks[i].waiter, start_timer);
  }
  g_run.started_before_run = g_run.nstarted;
  uv_run(&g_run.loop, UV_RUN_DEFAULT);
  g_run.loop_closed = uv_loop_close(&g_run.loop);
  return tasks;
}

/* 60 tasks, 5 permits: the most in flight is exactly 5 - never more, and
 * not fewer either (5 start at once). */
static void timers_never_more_than_c(void **state) {
  timer_task *tasks = run_timers(60, 5);
  (void)state;

  expect_int(g_run.started_before_run, 5);
  expect_int(g_run.most_in_flight, 5);
  expect_int(g_run.sem.max_in_flight, 5);
  free(tasks);
}

/* Tasks finish out of order, but they start in the order of acquire. */
static void timers_start_in_fifo_order(void **state) {
  timer_task *tasks = run_timers(60, 5);
  (void)state;

  expect_int(g_run.nstarted, 60);
  for (int i = 0; i < 60; i++)
    expect_eq_int_at("start order", i, g_run.start_order[i], i);
  free(tasks);
}

/* Every task finishes exactly once, every permit comes back, and no
 * handle is left open (uv_loop_close succeeds). */
static void timers_all_finish_once(void **state) {
  timer_task *tasks = run_timers(60, 5);
  (void)state;

  expect_int(g_run.done, 60);
  for (int i = 0; i < 60; i++)
    expect_eq_int_at("times task finished", i, tasks[i].finished, 1);
  expect_int(g_run.sem.in_flight, 0);
  assert_null(g_run.sem.head);
  expect_int(g_run.loop_closed, 0);
  free(tasks);
}

/* 64 permits for 10 tasks: all start before the loop even runs. */
static void timers_enough_permits_all_start(void **state) {
  timer_task *tasks = run_timers(10, 64);
  (void)state;

  expect_int(g_run.started_before_run, 10);
  expect_int(g_run.most_in_flight, 10);
  expect_int(g_run.done, 10);
  expect_int(g_run.loop_closed, 0);
  free(tasks);
}

/* ---- starts that release at once, inside their start callback ----------
 *
 * One task holds the only permit while N more queue behind it.  When it
 * releases, the next starts and releases at once, which starts the next,
 * and so on.  If each release started the next waiter itself, that chain
 * would be N calls deep: the stack grows with N, and with enough tasks the
 * program crashes.  The stack depth is measured from the frame addresses:
 * the test function's frame, and the deepest start callback's frame. */

static as_sem g_chain;
static int g_chain_starts;
static uintptr_t g_test_frame;  /* the test function's frame address */
static uintptr_t g_deepest;     /* bytes of stack between it and a start */

static void note_depth(void) {
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  uintptr_t depth = g_test_frame > here ? g_test_frame - here
                                        : here - g_test_frame;
  if (depth > g_deepest)
    g_deepest = depth;
}

static void hold_permit(as_waiter *w) { /* released later, by the test */
  (void)w;
  g_chain_starts++;
}

static void release_at_once(as_waiter *w) {
  (void)w;
  g_chain_starts++;
  note_depth();
  check_holding(&g_chain);
  as_sem_release(&g_chain);
}

/* Queue n instant tasks behind one holder, then let the holder go. */
static void run_chain(int n) {
  as_waiter holder;
  as_waiter *w = calloc((size_t)n, sizeof *w);

  assert_non_null(w);
  g_test_frame = (uintptr_t)__builtin_frame_address(0);
  g_deepest = 0;
  g_chain_starts = 0;
  starts_not_holding = 0;
  memset(&g_chain, 0, sizeof g_chain);
  as_sem_init(&g_chain, 1);
  as_sem_acquire(&g_chain, &holder, hold_permit);
  for (int i = 0; i < n; i++)
    as_sem_acquire(&g_chain, &w[i], release_at_once);
  expect_eq_int("starts before the holder's release", g_chain_starts, 1);
  as_sem_release(&g_chain);            /* the holder is done: the chain */
  free(w);
}

/* 10,000 instant tasks: the deepest start is a few frames down, not
 * 10,000.  (The limit, 64 KiB, is far above a few frames and far below
 * 10,000 of them.)  If this fails, read hint 3. */
static void instant_release_does_not_recurse(void **state) {
  (void)state;
  run_chain(10000);
  expect_eq_int("starts", g_chain_starts, 1 + 10000);
  printf("    deepest start: %lu bytes of stack below the test\n",
         (unsigned long)g_deepest);
  if (g_deepest >= 64 * 1024)
    printf("    too deep: each release started the next waiter from inside "
           "itself (hint 3)\n");
  expect_lt_int("stack depth of the deepest start (bytes)", g_deepest,
                64 * 1024);
  expect_eq_int("starts run without their permit counted in in_flight",
                starts_not_holding, 0);
}

/* 100,000 of them: every one starts, every permit comes back.  (A release
 * that recurses may crash here, out of stack: the test above says why.) */
static void hundred_thousand_instant_releases(void **state) {
  (void)state;
  run_chain(100000);
  expect_eq_int("starts", g_chain_starts, 1 + 100000);
  expect_eq_int("in_flight", g_chain.in_flight, 0);
  expect_eq_int("max_in_flight", g_chain.max_in_flight, 1);
  assert_null(g_chain.head);
  expect_lt_int("stack depth of the deepest start (bytes)", g_deepest,
                64 * 1024);
}

/* ---- starts that acquire: a task that needs the semaphore again --------
 *
 * A start may itself acquire: a task that gives its permit back and then
 * queues for another round, as a retry does.  That acquire comes from
 * inside a start, so it must wait its turn behind the starts already
 * queued (FIFO), even though a permit is free at that moment; and it must
 * not start from inside itself either, or N rounds nest N calls deep. */

static as_sem g_again;
static int g_again_order[MAX_PROBES]; /* ids, in the order they started */
static int g_again_starts;
static int g_rounds_left; /* re-acquires still to make (the deep test) */
static probe g_second[4]; /* round two of probes 0..3: ids 4..7 */

static void again_record(as_waiter *w) {
  probe *p = (probe *)w;
  if (g_again_starts < MAX_PROBES)
    g_again_order[g_again_starts] = p->id;
  g_again_starts++;
  note_depth();
  check_holding(&g_again);
}

static void again_done(as_waiter *w) { /* round two: record, then leave */
  again_record(w);
  as_sem_release(&g_again);
}

static void again_first_round(as_waiter *w) { /* release, queue again */
  probe *p = (probe *)w;
  again_record(w);
  as_sem_release(&g_again);
  g_second[p->id].id = 4 + p->id;
  as_sem_acquire(&g_again, &g_second[p->id].waiter, again_done);
}

static void again_reset(void) {
  g_test_frame = (uintptr_t)__builtin_frame_address(0);
  g_deepest = 0;
  g_again_starts = 0;
  starts_not_holding = 0;
  memset(&g_again, 0, sizeof g_again);
  as_sem_init(&g_again, 1);
}

/* One permit; a holder, then probes 0..3 queued behind it.  Each, when it
 * starts, releases and acquires again (as 4..7).  A permit is free at that
 * moment, but 1..3 have waited longer: the order must be 0, 1, ..., 7.
 * (An acquire that takes a free permit at once, ahead of the queue, gives
 * 0, 4, 1, 5, ...) */
static void acquire_inside_a_start_waits_its_turn(void **state) {
  as_waiter holder;
  probe p[4];
  (void)state;

  again_reset();
  as_sem_acquire(&g_again, &holder, hold_permit);
  for (int i = 0; i < 4; i++) {
    p[i].id = i;
    as_sem_acquire(&g_again, &p[i].waiter, again_first_round);
  }
  expect_eq_int("starts before the holder's release", g_again_starts, 0);
  as_sem_release(&g_again);
  expect_eq_int("starts", g_again_starts, 8);
  for (int i = 0; i < 8; i++)
    expect_eq_int_at("start order", i, g_again_order[i], i);
  expect_eq_int("in_flight", g_again.in_flight, 0);
  expect_eq_int("max_in_flight", g_again.max_in_flight, 1);
  expect_eq_int("starts run without their permit counted in in_flight",
                starts_not_holding, 0);
  assert_null(g_again.head);
}

static void again_and_again(as_waiter *w) {
  again_record(w);
  as_sem_release(&g_again);
  if (g_rounds_left-- > 0)
    as_sem_acquire(&g_again, w, again_and_again); /* the same task again */
}

/* One task, rounds times: start, release, acquire again. */
static void run_rounds(int rounds) {
  probe p = {.id = 0};

  again_reset();
  g_rounds_left = rounds - 1;
  as_sem_acquire(&g_again, &p.waiter, again_and_again);
}

/* 10,000 rounds: the deepest start is a few frames down, not 10,000.  If
 * this fails, the acquire started the task from inside itself: queue it
 * and let the loop of hint 3 start it. */
static void acquire_inside_a_start_does_not_recurse(void **state) {
  (void)state;
  run_rounds(10000);
  expect_eq_int("starts", g_again_starts, 10000);
  printf("    deepest start: %lu bytes of stack below the test\n",
         (unsigned long)g_deepest);
  if (g_deepest >= 64 * 1024)
    printf("    too deep: an acquire inside a start started it again from "
           "inside itself (hint 3)\n");
  expect_lt_int("stack depth of the deepest start (bytes)", g_deepest,
                64 * 1024);
  expect_eq_int("starts run without their permit counted in in_flight",
                starts_not_holding, 0);
}

/* 100,000 rounds: every one starts, and the permit comes back.  (An
 * acquire that recurses may crash here, out of stack.) */
static void hundred_thousand_reacquires(void **state) {
  (void)state;
  run_rounds(100000);
  expect_eq_int("starts", g_again_starts, 100000);
  expect_eq_int("in_flight", g_again.in_flight, 0);
  expect_eq_int("max_in_flight", g_again.max_in_flight, 1);
  assert_null(g_again.head);
  expect_lt_int("stack depth of the deepest start (bytes)", g_deepest,
                64 * 1024);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(init_sets_every_field),
      cmocka_unit_test(first_c_start_at_once),
      cmocka_unit_test(release_starts_exactly_one),
      cmocka_unit_test(waiting_starts_begin_in_fifo_order),
      cmocka_unit_test(enough_permits_start_all_at_once),
      cmocka_unit_test(timers_never_more_than_c),
      cmocka_unit_test(timers_start_in_fifo_order),
      cmocka_unit_test(timers_all_finish_once),
      cmocka_unit_test(timers_enough_permits_all_start),
      cmocka_unit_test(instant_release_does_not_recurse),
      cmocka_unit_test(hundred_thousand_instant_releases),
      cmocka_unit_test(acquire_inside_a_start_waits_its_turn),
      cmocka_unit_test(acquire_inside_a_start_does_not_recurse),
      cmocka_unit_test(hundred_thousand_reacquires),
  };
  /* Unbuffered: if a test crashes the program, the lines before it show. */
  setvbuf(stdout, NULL, _IONBF, 0);
  return cmocka_run_group_tests_name("03-semaphore", tests, NULL, NULL);
}
