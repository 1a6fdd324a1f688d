/*
 * threaded/batch.c - a batch on a thread pool.
 *
 * Lesson: each worker runs the workload's plain blocking code (the very
 * function seq calls).  A thread blocked in nanosleep holds a stack and a
 * kernel task but no CPU, so C sleeping threads overlap C waits; and since
 * C has no GIL, C threads computing primes run on C cores at once.  The
 * cost is one thread per task in flight, and shared state needs a lock:
 * here the only shared state is the queue, and each task writes only its
 * own slot.
 */
#include "threaded.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "pool.h"

/* The queue's room.  A batch up to this size is queued whole before the
 * threads start, so a new thread finds work at once instead of sleeping on
 * the condition variable to be woken for it (10,000 threads: 10,000 fewer
 * wake-ups).  Larger batches wait in submit for room, as in CS:APP's sbuf. */
#define TH_QUEUE_MAX 65536

/* What one thread keeps: its number (for the timeline: which thread ran
 * which task) and its worker state. */
typedef struct th_thread {
  int index;    /* 0..C-1, in the order the threads came up */
  void *worker; /* the workload's state, or NULL */
} th_thread;

typedef struct th_batch {
  const wl_workload *wl;
  const wl_params *params;
  wl_slot *slots;
  wl_span *spans;     /* the timeline (--trace), or NULL */
  th_thread *threads; /* one per pool thread */
  atomic_int next_thread;
} th_batch;

/* ---- start the workers ------------------------------------------------- */

/* Each thread's worker state (http: its own curl handle, reused for every
 * request the thread makes).  If it cannot be made the thread runs with
 * NULL, and the workload fails those tasks: the batch still finishes. */
static void *batch_thread_open(void *arg) {
  th_batch *b = arg;
  th_thread *self = &b->threads[atomic_fetch_add(&b->next_thread, 1)];
  if (wl_worker_open(b->wl, b->params, &self->worker) != 0)
    self->worker = NULL;
  return self;
}

/* Start n threads on the pool (its queue may already hold tasks: they
 * find work at once).  0, or -1 (start has stopped and joined the threads
 * it made, and said why). */
static int batch_start(th_pool *pool, int n) {
  return th_pool_start(pool, n);
}

/* ---- hand out a task --------------------------------------------------- */

/* Queue task i; a free thread takes it.  Blocks while the queue is full;
 * cannot fail, since only stop closes the queue. */
static void batch_hand_out(th_pool *pool, int i) { th_pool_submit(pool, i); }

/* ---- collect a result -------------------------------------------------- */

/* On the thread that took the task: run it and store its result.  Each
 * task writes only its own slot, so no lock is needed. */
static void batch_collect(void *arg, void *state, int task) {
  th_batch *b = arg;
  th_thread *self = state;
  wl_run_one(b->wl, b->params, (uint32_t)task, self->worker, &b->slots[task],
             b->spans);
  b->slots[task].worker = self->index;
}

/* ---- stop -------------------------------------------------------------- */

static void batch_thread_close(void *arg, void *state) {
  th_batch *b = arg;
  th_thread *self = state;
  wl_worker_close(b->wl, self->worker);
}

/* No more tasks: the threads drain the queue and exit, and are joined. */
static void batch_stop(th_pool *pool) { th_pool_finish(pool); }

/* ---- the batch --------------------------------------------------------- */

int th_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
           wl_span *spans) {
  th_batch b = {.wl = wl, .params = p, .slots = slots, .spans = spans};
  int nthreads = p->concurrency < p->tasks ? p->concurrency : p->tasks;
  int queue_cap = p->tasks < TH_QUEUE_MAX ? p->tasks : TH_QUEUE_MAX;
  int i = 0, rc = 0;
  th_pool pool;

  b.threads = calloc((size_t)(nthreads > 0 ? nthreads : 1),
                     sizeof *b.threads);
  if (b.threads == NULL) {
    fprintf(stderr, "conclab: threaded: out of memory for %d threads\n",
            nthreads);
    return -1;
  }
  for (int k = 0; k < nthreads; k++)
    b.threads[k].index = k;
  atomic_init(&b.next_thread, 0);
  if (th_pool_init(&pool, queue_cap, batch_collect, &b) != 0) {
    free(b.threads);
    return -1;
  }
  th_pool_on_thread(&pool, batch_thread_open, batch_thread_close);
  for (; i < queue_cap; i++) /* room for these: never blocks */
    batch_hand_out(&pool, i);
  /* All queued?  Then close now: a worker that finds the queue empty exits
   * at once, instead of sleeping until stop wakes every thread together
   * (10,000 threads waking at once fight over one mutex). */
  if (i == p->tasks)
    th_pool_close(&pool);
  if (batch_start(&pool, nthreads) != 0) {
    rc = -1;
  } else {
    for (; i < p->tasks; i++)
      batch_hand_out(&pool, i);
    batch_stop(&pool);
  }
  free(b.threads);
  return rc;
}
