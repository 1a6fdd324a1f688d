/*
 * test_queue.c - the checks for exercise 07: the bounded blocking queue.
 *
 * No test measures time.  Blocking is checked by counting: a producer
 * counts each put that has returned, and the test checks that the count
 * never runs ahead of what the queue can hold.  Waking is checked by
 * joining: a thread left asleep by close or cancel fails its test after a
 * few seconds, instead of hanging the program.
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "queue.h"

/* How long a thread may take to wake or to finish before the test says
 * it is stuck: far longer than it needs, even under ThreadSanitizer. */
#define STUCK_S 5

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Wait until *v reaches at_least; 0 if it did not within STUCK_S. */
static int wait_until(atomic_int *v, int at_least) {
  for (int waited = 0; waited < STUCK_S * 1000; waited++) {
    if (atomic_load(v) >= at_least)
      return 1;
    pause_ms(1);
  }
  return atomic_load(v) >= at_least;
}

/* Join t; fail the test, naming `who`, if it is still blocked. */
static void *join_or_fail(pthread_t t, const char *who) {
  struct timespec deadline;
  void *ret = NULL;
  int err;

  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += STUCK_S;
  err = pthread_timedjoin_np(t, &ret, &deadline);
  if (err == ETIMEDOUT)
    fail_msg("%s is still blocked after %d s: nobody woke it", who,
             STUCK_S);
  expect_int(err, 0);
  return ret;
}

/* The count of queued items, read the way the queue's own code must:
 * under its lock. */
static int count_under_lock(th_queue *q) {
  int n;
  pthread_mutex_lock(&q->lock);
  n = q->count;
  pthread_mutex_unlock(&q->lock);
  return n;
}

/* The queue under test: a fresh one for each test, never reused, so that
 * a thread left stuck by a failed test cannot disturb the next one. */
static th_queue g_queues[32];
static int g_used;
static th_queue *q;

/* A test that never finishes (the test's own thread asleep in a get or a
 * put that nobody wakes) says so, instead of hanging until ctest's
 * timeout. */
#define TEST_LIMIT_S 20

static void watchdog(int sig) {
  static const char msg[] =
      "\n07: this test did not finish within 20 s: a thread is asleep that "
      "nobody woke.  After a put, signal not_empty; after a get, signal "
      "not_full (hint 2)\n";
  (void)sig;
  (void)write(2, msg, sizeof msg - 1);
  _exit(1);
}

static int setup(void **state) {
  (void)state;
  signal(SIGALRM, watchdog);
  alarm(TEST_LIMIT_S);
  if (g_used == 32)
    return -1;
  q = &g_queues[g_used++];
  memset(q, 0, sizeof *q);
  return 0;
}

/* ---- one thread ------------------------------------------------------- */

static void init_makes_an_empty_open_queue(void **state) {
  (void)state;
  expect_int(th_queue_init(q, 4), 0);
  assert_non_null(q->items);
  expect_int(q->cap, 4);
  expect_int(q->count, 0);
  expect_int(q->head, 0);
  expect_int(q->closed, 0);
  th_queue_destroy(q);
}

/* First in, first out. */
static void fifo_order_one_thread(void **state) {
  int item = -1;
  (void)state;

  expect_int(th_queue_init(q, 5), 0);
  expect_int(th_queue_put(q, 10), 0);
  expect_int(th_queue_put(q, 20), 0);
  expect_int(th_queue_put(q, 30), 0);
  expect_int(q->count, 3);
  expect_int(th_queue_get(q, &item), 1);
  expect_int(item, 10);
  expect_int(th_queue_get(q, &item), 1);
  expect_int(item, 20);
  expect_int(th_queue_get(q, &item), 1);
  expect_int(item, 30);
  expect_int(q->count, 0);
  th_queue_destroy(q);
}

/* A ring of 3 slots carries 60 items, 2 at a time: the head and the tail
 * wrap around the end of the array again and again. */
static void ring_wraps_around(void **state) {
  int item = -1, next = 0;
  (void)state;

  expect_int(th_queue_init(q, 3), 0);
  for (int round = 0; round < 30; round++) {
    expect_int(th_queue_put(q, 2 * round), 0);
    expect_int(th_queue_put(q, 2 * round + 1), 0);
    for (int k = 0; k < 2; k++) {
      expect_int(th_queue_get(q, &item), 1);
      expect_eq_int("item got", item, next);
      next++;
    }
  }
  expect_int(next, 60);
  th_queue_destroy(q);
}

/* ---- put blocks while the queue is full -------------------------------- */

#define CAP 4
#define EXTRA 6

static atomic_int g_puts_done; /* puts that have returned */

static void *put_cap_plus_extra(void *arg) {
  (void)arg;
  for (int i = 0; i < CAP + EXTRA; i++) {
    if (th_queue_put(q, i) != 0)
      return (void *)1;
    atomic_fetch_add(&g_puts_done, 1);
  }
  return NULL;
}

/* A producer puts CAP + EXTRA items into a queue of CAP.  It can finish
 * only CAP puts before anyone takes; after that, each get lets exactly
 * one more put through. */
static void put_blocks_when_full(void **state) {
  pthread_t producer;
  int item = -1;
  (void)state;

  atomic_store(&g_puts_done, 0);
  expect_int(th_queue_init(q, CAP), 0);
  expect_int(pthread_create(&producer, NULL, put_cap_plus_extra, NULL),
                   0);
  if (!wait_until(&g_puts_done, CAP))
    fail_msg("the producer could not put %d items into an empty queue of "
             "%d", CAP, CAP);
  pause_ms(50); /* give a put that does not block the time to return */
  if (atomic_load(&g_puts_done) != CAP)
    fail_msg("%d puts returned, but the queue holds %d: put must wait "
             "while the queue is full", atomic_load(&g_puts_done), CAP);
  expect_int(count_under_lock(q), CAP);

  for (int taken = 1; taken <= CAP + EXTRA; taken++) {
    expect_int(th_queue_get(q, &item), 1);
    expect_eq_int("item got", item, taken - 1); /* in order */
    expect_le_int("puts returned", atomic_load(&g_puts_done), CAP + taken);
    expect_le_int("items queued", count_under_lock(q), CAP);
  }
  assert_null(join_or_fail(producer, "the producer"));
  expect_int(atomic_load(&g_puts_done), CAP + EXTRA);
  th_queue_destroy(q);
}

/* ---- many producers, many consumers ------------------------------------ */

#define PRODUCERS 4
#define CONSUMERS 4
#define PER_PRODUCER 5000
#define ITEMS (PRODUCERS * PER_PRODUCER)

static atomic_int g_seen[ITEMS]; /* how often each item was got */
static atomic_llong g_sum;

static void *produce(void *arg) {
  int base = (int)(intptr_t)arg * PER_PRODUCER;
  for (int i = 0; i < PER_PRODUCER; i++)
    if (th_queue_put(q, base + i) != 0)
      return (void *)1;
  return NULL;
}

static void *consume(void *arg) {
  int item;
  (void)arg;
  while (th_queue_get(q, &item) == 1) {
    if (item >= 0 && item < ITEMS)
      atomic_fetch_add(&g_seen[item], 1);
    atomic_fetch_add(&g_sum, item);
  }
  return NULL;
}

/* 4 producers and 4 consumers through 3 slots: every item is got exactly
 * once - none lost, none twice. */
static void many_producers_and_consumers(void **state) {
  pthread_t prod[PRODUCERS], cons[CONSUMERS];
  int lost = 0, twice = 0;
  (void)state;

  for (int i = 0; i < ITEMS; i++)
    atomic_store(&g_seen[i], 0);
  atomic_store(&g_sum, 0);
  expect_int(th_queue_init(q, 3), 0);
  for (int i = 0; i < CONSUMERS; i++)
    expect_int(pthread_create(&cons[i], NULL, consume, NULL), 0);
  for (int i = 0; i < PRODUCERS; i++)
    expect_int(pthread_create(&prod[i], NULL, produce,
                                    (void *)(intptr_t)i), 0);
  for (int i = 0; i < PRODUCERS; i++)
    assert_null(join_or_fail(prod[i], "a producer"));
  th_queue_close(q); /* all put: let the consumers drain and leave */
  for (int i = 0; i < CONSUMERS; i++)
    join_or_fail(cons[i], "a consumer");

  for (int i = 0; i < ITEMS; i++) {
    int n = atomic_load(&g_seen[i]);
    lost += n == 0;
    twice += n > 1;
  }
  if (lost != 0 || twice != 0)
    fail_msg("%d items lost, %d got more than once", lost, twice);
  assert_true(atomic_load(&g_sum) == (long long)ITEMS * (ITEMS - 1) / 2);
  th_queue_destroy(q);
}

/* ---- close -------------------------------------------------------------- */

/* Close keeps what is queued: consumers get it all, in order, then 0. */
static void close_lets_consumers_drain(void **state) {
  int item = -1;
  (void)state;

  expect_int(th_queue_init(q, 8), 0);
  for (int i = 1; i <= 5; i++)
    expect_int(th_queue_put(q, i), 0);
  th_queue_close(q);
  for (int i = 1; i <= 5; i++) {
    expect_int(th_queue_get(q, &item), 1);
    expect_eq_int("item got", item, i);
  }
  expect_int(th_queue_get(q, &item), 0);
  expect_int(th_queue_get(q, &item), 0); /* and stays closed */
  th_queue_destroy(q);
}

static void put_after_close_returns_minus_1(void **state) {
  int item = -1;
  (void)state;

  expect_int(th_queue_init(q, 8), 0);
  th_queue_close(q);
  expect_int(th_queue_put(q, 1), -1);
  expect_int(th_queue_get(q, &item), 0); /* it was not queued */
  th_queue_destroy(q);
}

/* The pool's shutdown: work queued before close is all done. Workers
 * start only after the close, so all 16 items are pending at that time. */
static atomic_int g_done_items;

static void *worker(void *arg) {
  int item;
  (void)arg;
  while (th_queue_get(q, &item) == 1)
    atomic_fetch_add(&g_done_items, 1);
  return NULL;
}

static void shutdown_with_pending_work_runs_it_all(void **state) {
  pthread_t w[3];
  (void)state;

  atomic_store(&g_done_items, 0);
  expect_int(th_queue_init(q, 16), 0);
  for (int i = 0; i < 16; i++)
    expect_int(th_queue_put(q, i), 0);
  th_queue_close(q);
  for (int i = 0; i < 3; i++)
    expect_int(pthread_create(&w[i], NULL, worker, NULL), 0);
  for (int i = 0; i < 3; i++)
    join_or_fail(w[i], "a worker");
  expect_int(atomic_load(&g_done_items), 16);
  th_queue_destroy(q);
}

/* ---- waking blocked threads -------------------------------------------- */

#define WAITERS 3

static atomic_int g_waiting; /* threads about to block */

static void *blocked_get(void *arg) {
  int item;
  (void)arg;
  atomic_fetch_add(&g_waiting, 1);
  return (void *)(intptr_t)th_queue_get(q, &item);
}

static void *blocked_put(void *arg) {
  (void)arg;
  atomic_fetch_add(&g_waiting, 1);
  return (void *)(intptr_t)th_queue_put(q, 99);
}

/* Start WAITERS threads running fn, and give them time to block.  (The
 * checks hold whether they blocked yet or not; blocked is the hard case.) */
static void start_waiters(pthread_t *t, void *(*fn)(void *)) {
  atomic_store(&g_waiting, 0);
  for (int i = 0; i < WAITERS; i++)
    expect_int(pthread_create(&t[i], NULL, fn, NULL), 0);
  assert_true(wait_until(&g_waiting, WAITERS));
  pause_ms(20);
}

/* Three consumers asleep on an empty queue: close wakes every one, and
 * each gets 0 (closed). */
static void close_wakes_every_blocked_consumer(void **state) {
  pthread_t t[WAITERS];
  (void)state;

  expect_int(th_queue_init(q, 2), 0);
  start_waiters(t, blocked_get);
  th_queue_close(q);
  for (int i = 0; i < WAITERS; i++)
    expect_int((intptr_t)join_or_fail(t[i], "a consumer"), 0);
  th_queue_destroy(q);
}

/* Three producers asleep on a full queue: close wakes them, their puts
 * fail (-1), and what was queued before is still there to drain. */
static void close_wakes_every_blocked_producer(void **state) {
  pthread_t t[WAITERS];
  int item = -1;
  (void)state;

  expect_int(th_queue_init(q, 1), 0);
  expect_int(th_queue_put(q, 7), 0); /* full */
  start_waiters(t, blocked_put);
  th_queue_close(q);
  for (int i = 0; i < WAITERS; i++)
    expect_int((intptr_t)join_or_fail(t[i], "a producer"), -1);
  expect_int(th_queue_get(q, &item), 1);
  expect_int(item, 7);
  expect_int(th_queue_get(q, &item), 0);
  th_queue_destroy(q);
}

/* ---- a wakeup that brings nothing --------------------------------------
 *
 * pthread_cond_wait may return with no signal at all (POSIX allows these
 * spurious wakeups), and a thread woken by a signal may find that another
 * thread took the item or the slot first.  The test makes such wakeups
 * itself: it broadcasts a condition variable while the reason to wait
 * still holds.  A wait inside a `while` checks again and sleeps on; one
 * inside an `if` walks on with nothing to take, or no room to put. */

#define FALSE_WAKES 200

static atomic_int g_returned; /* the waiter's call has returned */

static void *get_noting_return(void *arg) {
  int *item = arg, r;
  atomic_fetch_add(&g_waiting, 1);
  r = th_queue_get(q, item);
  atomic_store(&g_returned, 1);
  return (void *)(intptr_t)r;
}

static void *put_noting_return(void *arg) {
  int r;
  (void)arg;
  atomic_fetch_add(&g_waiting, 1);
  r = th_queue_put(q, 99);
  atomic_store(&g_returned, 1);
  return (void *)(intptr_t)r;
}

/* Wake every waiter on cv, FALSE_WAKES times 1 ms apart, changing
 * nothing in the queue. */
static void wake_for_nothing(pthread_cond_t *cv) {
  for (int i = 0; i < FALSE_WAKES; i++) {
    pthread_mutex_lock(&q->lock);
    pthread_cond_broadcast(cv);
    pthread_mutex_unlock(&q->lock);
    pause_ms(1);
  }
}

/* A consumer asleep on an empty queue, woken for nothing: it must sleep
 * again, and get the item that comes later. */
static void get_waits_again_after_a_wakeup_for_nothing(void **state) {
  pthread_t t;
  int item = -1;
  (void)state;

  atomic_store(&g_waiting, 0);
  atomic_store(&g_returned, 0);
  expect_int(th_queue_init(q, 2), 0);
  expect_int(pthread_create(&t, NULL, get_noting_return, &item), 0);
  assert_true(wait_until(&g_waiting, 1));
  wake_for_nothing(&q->not_empty);
  if (atomic_load(&g_returned))
    fail_msg("th_queue_get returned from an empty, open queue after a "
             "wakeup that brought no item: wait in a while loop that "
             "checks again, not an if (hint 2)");
  expect_int(th_queue_put(q, 42), 0);
  expect_eq_int("th_queue_get's return",
                (intptr_t)join_or_fail(t, "the consumer"), 1);
  expect_eq_int("item got", item, 42);
  th_queue_destroy(q);
}

/* A producer asleep on a full queue, woken for nothing: it must sleep
 * again, and put its item once there is room. */
static void put_waits_again_after_a_wakeup_for_nothing(void **state) {
  pthread_t t;
  int item = -1;
  (void)state;

  atomic_store(&g_waiting, 0);
  atomic_store(&g_returned, 0);
  expect_int(th_queue_init(q, 1), 0);
  expect_int(th_queue_put(q, 7), 0); /* full */
  expect_int(pthread_create(&t, NULL, put_noting_return, NULL), 0);
  assert_true(wait_until(&g_waiting, 1));
  wake_for_nothing(&q->not_full);
  if (atomic_load(&g_returned))
    fail_msg("th_queue_put returned while the queue was full, after a "
             "wakeup that brought no room: wait in a while loop that "
             "checks again, not an if (hint 2)");
  expect_eq_int("items queued", count_under_lock(q), 1);
  expect_int(th_queue_get(q, &item), 1);
  expect_eq_int("first item got", item, 7);
  expect_eq_int("th_queue_put's return",
                (intptr_t)join_or_fail(t, "the producer"), 0);
  expect_int(th_queue_get(q, &item), 1);
  expect_eq_int("second item got", item, 99);
  th_queue_destroy(q);
}

/* ---- cancel ------------------------------------------------------------- */

/* Cancel drops what is queued: the next get says "closed" at once. */
static void cancel_drops_queued_items(void **state) {
  int item = -1;
  (void)state;

  expect_int(th_queue_init(q, 8), 0);
  for (int i = 0; i < 3; i++)
    expect_int(th_queue_put(q, i), 0);
  th_queue_cancel(q);
  expect_int(th_queue_get(q, &item), 0);
  expect_int(count_under_lock(q), 0);
  expect_int(th_queue_put(q, 1), -1);
  th_queue_destroy(q);
}

/* Producers asleep on a full queue: cancel wakes them (-1), and the item
 * that filled the queue is gone too. */
static void cancel_wakes_blocked_producers(void **state) {
  pthread_t t[WAITERS];
  int item = -1;
  (void)state;

  expect_int(th_queue_init(q, 1), 0);
  expect_int(th_queue_put(q, 7), 0);
  start_waiters(t, blocked_put);
  th_queue_cancel(q);
  for (int i = 0; i < WAITERS; i++)
    expect_int((intptr_t)join_or_fail(t[i], "a producer"), -1);
  expect_int(th_queue_get(q, &item), 0);
  th_queue_destroy(q);
}

/* Consumers asleep on an empty queue: cancel wakes them with 0. */
static void cancel_wakes_blocked_consumers(void **state) {
  pthread_t t[WAITERS];
  (void)state;

  expect_int(th_queue_init(q, 2), 0);
  start_waiters(t, blocked_get);
  th_queue_cancel(q);
  for (int i = 0; i < WAITERS; i++)
    expect_int((intptr_t)join_or_fail(t[i], "a consumer"), 0);
  th_queue_destroy(q);
}

int main(void) {
  int failed;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(init_makes_an_empty_open_queue, setup),
      cmocka_unit_test_setup(fifo_order_one_thread, setup),
      cmocka_unit_test_setup(ring_wraps_around, setup),
      cmocka_unit_test_setup(put_blocks_when_full, setup),
      cmocka_unit_test_setup(many_producers_and_consumers, setup),
      cmocka_unit_test_setup(close_lets_consumers_drain, setup),
      cmocka_unit_test_setup(put_after_close_returns_minus_1, setup),
      cmocka_unit_test_setup(shutdown_with_pending_work_runs_it_all, setup),
      cmocka_unit_test_setup(close_wakes_every_blocked_consumer, setup),
      cmocka_unit_test_setup(close_wakes_every_blocked_producer, setup),
      cmocka_unit_test_setup(get_waits_again_after_a_wakeup_for_nothing,
                             setup),
      cmocka_unit_test_setup(put_waits_again_after_a_wakeup_for_nothing,
                             setup),
      cmocka_unit_test_setup(cancel_drops_queued_items, setup),
      cmocka_unit_test_setup(cancel_wakes_blocked_producers, setup),
      cmocka_unit_test_setup(cancel_wakes_blocked_consumers, setup),
  };
  setvbuf(stdout, NULL, _IONBF, 0); /* a crash still shows the tests before */
  failed = cmocka_run_group_tests_name("07-thread-pool", tests, NULL, NULL);
  alarm(0); /* the last test's watchdog */
  return failed;
}
