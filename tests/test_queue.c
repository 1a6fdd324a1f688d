/*
 * test_queue.c - the bounded queue and the thread pool (threaded/).
 *
 * Many producers and consumers through a tiny queue lose and duplicate
 * nothing; closing drains what is queued and wakes every waiter; the pool
 * runs every submitted task even when it is finished at once; and it can
 * start 10,000 threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pool.h"
#include "queue.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define PER_PRODUCER 20000

typedef struct mpmc {
  th_queue q;
  int next_base; /* producer k puts k*PER_PRODUCER .. +PER_PRODUCER-1 */
  pthread_mutex_t lock;
  unsigned char seen[PRODUCERS * PER_PRODUCER];
  int duplicates;
} mpmc;

static mpmc g_mpmc;

static void *producer(void *arg) {
  int base = (int)(intptr_t)arg * PER_PRODUCER;
  for (int i = 0; i < PER_PRODUCER; i++)
    if (th_queue_put(&g_mpmc.q, base + i) != 0)
      return (void *)1;
  return NULL;
}

static void *consumer(void *arg) {
  int item;
  (void)arg;
  while (th_queue_get(&g_mpmc.q, &item)) {
    pthread_mutex_lock(&g_mpmc.lock);
    if (g_mpmc.seen[item]++)
      g_mpmc.duplicates++;
    pthread_mutex_unlock(&g_mpmc.lock);
  }
  return NULL;
}

/* Every item put is got exactly once, through a queue of 3 slots. */
static void test_many_producers_and_consumers(void **state) {
  pthread_t prod[PRODUCERS], cons[CONSUMERS];
  (void)state;

  assert_int_equal(th_queue_init(&g_mpmc.q, 3), 0);
  pthread_mutex_init(&g_mpmc.lock, NULL);
  for (int i = 0; i < CONSUMERS; i++)
    pthread_create(&cons[i], NULL, consumer, NULL);
  for (int i = 0; i < PRODUCERS; i++)
    pthread_create(&prod[i], NULL, producer, (void *)(intptr_t)i);
  for (int i = 0; i < PRODUCERS; i++) {
    void *rc;
    pthread_join(prod[i], &rc);
    assert_null(rc);
  }
  th_queue_close(&g_mpmc.q);
  for (int i = 0; i < CONSUMERS; i++)
    pthread_join(cons[i], NULL);

  assert_int_equal(g_mpmc.duplicates, 0);
  for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++)
    assert_int_equal(g_mpmc.seen[i], 1);
  pthread_mutex_destroy(&g_mpmc.lock);
  th_queue_destroy(&g_mpmc.q);
}

/* Closing keeps what is queued: it comes out in order, then "closed". */
static void test_close_drains_in_order(void **state) {
  th_queue q;
  int item;
  (void)state;

  assert_int_equal(th_queue_init(&q, 8), 0);
  for (int i = 0; i < 5; i++)
    assert_int_equal(th_queue_put(&q, 100 + i), 0);
  th_queue_close(&q);
  assert_int_equal(th_queue_put(&q, 999), -1);
  for (int i = 0; i < 5; i++) {
    assert_int_equal(th_queue_get(&q, &item), 1);
    assert_int_equal(item, 100 + i);
  }
  assert_int_equal(th_queue_get(&q, &item), 0);
  th_queue_destroy(&q);
}

static void *blocked_put(void *arg) {
  return (void *)(intptr_t)th_queue_put(arg, 2);
}

static void *blocked_get(void *arg) {
  int item;
  return (void *)(intptr_t)th_queue_get(arg, &item);
}

/* A producer waiting on a full queue, and a consumer waiting on an empty
 * one, are both released by close (no hang: the ctest timeout would fire). */
static void test_close_wakes_waiters(void **state) {
  th_queue full, empty;
  pthread_t p, c;
  void *rc;
  struct timespec pause = {0, 20 * 1000000L};
  (void)state;

  th_queue_init(&full, 1);
  th_queue_init(&empty, 1);
  th_queue_put(&full, 1);
  pthread_create(&p, NULL, blocked_put, &full);
  pthread_create(&c, NULL, blocked_get, &empty);
  nanosleep(&pause, NULL); /* let them block; the result holds either way */
  th_queue_close(&full);
  th_queue_close(&empty);
  pthread_join(p, &rc);
  assert_int_equal((intptr_t)rc, -1);
  pthread_join(c, &rc);
  assert_int_equal((intptr_t)rc, 0);
  th_queue_destroy(&full);
  th_queue_destroy(&empty);
}

typedef struct counter {
  pthread_mutex_t lock;
  int runs;
  unsigned char ran[1000];
} counter;

static void count_job(void *arg, void *thread_state, int task) {
  counter *c = arg;
  (void)thread_state;
  struct timespec pause = {0, 100000L}; /* 0.1 ms: work is still queued */
  nanosleep(&pause, NULL);
  pthread_mutex_lock(&c->lock);
  c->runs++;
  c->ran[task]++;
  pthread_mutex_unlock(&c->lock);
}

/* Finishing a pool with work pending runs all of it, once, then joins. */
static void test_pool_finish_with_work_pending(void **state) {
  static counter c = {.lock = PTHREAD_MUTEX_INITIALIZER};
  th_pool pool;
  (void)state;

  assert_int_equal(th_pool_init(&pool, 16, count_job, &c), 0);
  assert_int_equal(th_pool_start(&pool, 3), 0);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(th_pool_submit(&pool, i), 0);
  th_pool_finish(&pool); /* most of the 1000 are still queued here */
  assert_int_equal(c.runs, 1000);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(c.ran[i], 1);
  assert_int_equal(pool.nthreads, 0);
  assert_null(pool.threads);
}

static void noop_job(void *arg, void *thread_state, int task) {
  (void)arg;
  (void)thread_state;
  (void)task;
}

/* Per-thread state: each thread opens its own once, every job it runs gets
 * that one, and it is closed once when the thread ends. */
typedef struct thread_stats {
  pthread_mutex_t lock;
  int opened, closed, jobs_with_own_state;
} thread_stats;

typedef struct thread_state {
  pthread_t owner;
  int jobs;
} thread_state;

static void *state_open(void *arg) {
  thread_stats *s = arg;
  thread_state *ts = calloc(1, sizeof *ts);
  ts->owner = pthread_self();
  pthread_mutex_lock(&s->lock);
  s->opened++;
  pthread_mutex_unlock(&s->lock);
  return ts;
}

static void state_job(void *arg, void *state, int task) {
  thread_stats *s = arg;
  thread_state *ts = state;
  (void)task;
  ts->jobs++;
  if (pthread_equal(ts->owner, pthread_self())) {
    pthread_mutex_lock(&s->lock);
    s->jobs_with_own_state++;
    pthread_mutex_unlock(&s->lock);
  }
}

static void state_close(void *arg, void *state) {
  thread_stats *s = arg;
  pthread_mutex_lock(&s->lock);
  s->closed++;
  pthread_mutex_unlock(&s->lock);
  free(state);
}

static void test_pool_thread_state(void **state) {
  static thread_stats s = {.lock = PTHREAD_MUTEX_INITIALIZER};
  th_pool pool;
  (void)state;

  assert_int_equal(th_pool_init(&pool, 64, state_job, &s), 0);
  th_pool_on_thread(&pool, state_open, state_close);
  for (int i = 0; i < 64; i++)
    th_pool_submit(&pool, i);
  assert_int_equal(th_pool_start(&pool, 4), 0);
  th_pool_finish(&pool);
  assert_int_equal(s.opened, 4);
  assert_int_equal(s.closed, 4);
  assert_int_equal(s.jobs_with_own_state, 64);
}

/* The pool can start 10,000 threads with its small stacks.  ThreadSanitizer
 * allows at most 8,128 threads, so under TSan the count is smaller. */
#if defined(__SANITIZE_THREAD__)
#define MANY_THREADS 2000
#else
#define MANY_THREADS 10000
#endif
static void test_pool_starts_many_threads(void **state) {
  th_pool pool;
  (void)state;

  assert_int_equal(th_pool_init(&pool, 64, noop_job, NULL), 0);
  assert_int_equal(th_pool_start(&pool, MANY_THREADS), 0);
  assert_int_equal(pool.nthreads, MANY_THREADS);
  for (int i = 0; i < MANY_THREADS; i++)
    th_pool_submit(&pool, i);
  th_pool_finish(&pool);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_many_producers_and_consumers),
      cmocka_unit_test(test_close_drains_in_order),
      cmocka_unit_test(test_close_wakes_waiters),
      cmocka_unit_test(test_pool_finish_with_work_pending),
      cmocka_unit_test(test_pool_starts_many_threads),
      cmocka_unit_test(test_pool_thread_state),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
