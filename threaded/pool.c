/*
 * pool.c - the worker threads (see pool.h).
 *
 * A worker is a loop: take a task number, run it, repeat, until the queue
 * is closed and empty.  A free worker takes the next task, so uneven tasks
 * balance themselves.
 */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h" /* wl_report_hold: one line for one failed start */

static void *pool_worker(void *arg) {
  th_pool *pool = arg;
  void *state = pool->open != NULL ? pool->open(pool->arg) : NULL;
  int task;

  while (th_queue_get(&pool->queue, &task))
    pool->job(pool->arg, state, task);
  if (pool->close != NULL)
    pool->close(pool->arg, state);
  return NULL;
}

int th_pool_init(th_pool *pool, int queue_cap, th_job_fn job, void *arg) {
  pool->threads = NULL;
  pool->nthreads = 0;
  pool->job = job;
  pool->open = NULL;
  pool->close = NULL;
  pool->arg = arg;
  if (th_queue_init(&pool->queue, queue_cap) != 0) {
    fprintf(stderr, "conclab: threaded: out of memory for a queue of %d\n",
            queue_cap);
    return -1;
  }
  return 0;
}

void th_pool_on_thread(th_pool *pool, th_open_fn open, th_close_fn close) {
  pool->open = open;
  pool->close = close;
}

int th_pool_start(th_pool *pool, int n) {
  pthread_attr_t attr;
  int err = 0;

  pool->threads = calloc((size_t)n, sizeof *pool->threads);
  if (pool->threads == NULL) {
    fprintf(stderr, "conclab: threaded: out of memory for %d threads\n", n);
    th_pool_finish(pool);
    return -1;
  }

  /* The threads that start may fail their first tasks for the start's
   * own reason (no memory): the start's line is said for it, theirs held
   * back and dropped. */
  wl_report_hold();
  pthread_attr_init(&attr);
  err = pthread_attr_setstacksize(&attr, TH_STACK_SIZE);
  while (err == 0 && pool->nthreads < n) {
    err = pthread_create(&pool->threads[pool->nthreads], &attr, pool_worker,
                         pool);
    if (err == 0)
      pool->nthreads++;
  }
  pthread_attr_destroy(&attr);

  if (err != 0) {
    fprintf(stderr, "conclab: threaded: pthread_create, thread %d of %d: "
            "%s\n", pool->nthreads + 1, n, strerror(err));
    th_queue_cancel(&pool->queue); /* the batch is off: drop its tasks */
    th_pool_finish(pool);          /* and stop the threads that started */
    wl_report_release(0);
    return -1;
  }
  wl_report_release(1);
  return 0;
}

int th_pool_submit(th_pool *pool, int task) {
  return th_queue_put(&pool->queue, task);
}

void th_pool_close(th_pool *pool) { th_queue_close(&pool->queue); }

void th_pool_finish(th_pool *pool) {
  th_queue_close(&pool->queue);
  for (int i = 0; i < pool->nthreads; i++)
    pthread_join(pool->threads[i], NULL);
  th_queue_destroy(&pool->queue);
  free(pool->threads);
  pool->threads = NULL;
  pool->nthreads = 0;
}
