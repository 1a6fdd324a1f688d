/*
 * pool.h - a fixed pool of worker threads fed by a bounded queue.
 *
 * th_pool_init makes the queue; th_pool_start creates the threads once;
 * th_pool_submit queues task numbers (blocking while the queue is full);
 * th_pool_finish closes the queue, lets the workers drain it, and joins
 * every thread.  Each worker calls job(arg, state, task) for each task it
 * takes, where state is what open(arg) made for that thread (or NULL).
 * Tasks may be submitted before the threads start: they wait in the queue.
 */
#ifndef CONCLAB_THREADED_POOL_H
#define CONCLAB_THREADED_POOL_H

#include <pthread.h>

#include "queue.h"

typedef void (*th_job_fn)(void *arg, void *state, int task);
/* A thread's own state, made when it starts and freed when it ends: what a
 * worker keeps across its tasks (http: one curl handle per thread). */
typedef void *(*th_open_fn)(void *arg);
typedef void (*th_close_fn)(void *arg, void *state);

typedef struct th_pool {
  th_queue queue;
  pthread_t *threads;
  int nthreads; /* threads actually started */
  th_job_fn job;
  th_open_fn open;   /* optional */
  th_close_fn close; /* optional */
  void *arg;
} th_pool;

/* Each worker's stack.  The default (8 MiB) would reserve 80 GB of address
 * space for 10,000 threads; our jobs need a few KiB. */
#define TH_STACK_SIZE (128 * 1024)

/* Make the queue (room for queue_cap tasks).  0, or -1 (printed). */
int th_pool_init(th_pool *pool, int queue_cap, th_job_fn job, void *arg);
/* Give each thread a state of its own (call before th_pool_start). */
void th_pool_on_thread(th_pool *pool, th_open_fn open, th_close_fn close);
/* Start n workers.  0 on success; -1 (after stopping any it started, and
 * printing why) if the threads could not all be created. */
int th_pool_start(th_pool *pool, int n);
/* Queue one task.  0, or -1 if the pool is finishing. */
int th_pool_submit(th_pool *pool, int task);
/* No more tasks: once the queue is empty, workers exit instead of waiting. */
void th_pool_close(th_pool *pool);
/* Close the queue, let the workers finish what is queued, join them. */
void th_pool_finish(th_pool *pool);

#endif
