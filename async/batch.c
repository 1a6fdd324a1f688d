/*
 * async/batch.c - a batch on a libuv event loop: gather.
 *
 * Lesson: one thread, no locks, and yet thousands of operations in flight.
 * The loop is the scheduler: as_batch_run starts up to C operations and
 * then calls uv_run, which sleeps in epoll until a timer fires or offloaded
 * work completes, and runs that operation's callback.  uv_run returns when
 * no handle or request is left, that is, when every task is done and every
 * handle closed.  All of it runs on this one thread.  A 1 ms probe timer
 * (lag.c) runs alongside and measures how late the loop gets to things.
 */
#include "async.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- start the workers ------------------------------------------------- */

/* The one "worker" is the loop: make it, the workload's shared state on
 * it, and the lag probe.  0, or -1 (printed; nothing left open). */
static int batch_start(as_batch *b) {
  int err = uv_loop_init(&b->loop);

  if (err != 0) {
    fprintf(stderr, "conclab: uv_loop_init: %s\n", uv_strerror(err));
    return -1;
  }
  if (b->ops->open != NULL && b->ops->open(b) != 0) {
    uv_loop_close(&b->loop);
    return -1;
  }
  as_lag_start(&b->loop, &b->lag);
  return 0;
}

/* ---- hand out a task --------------------------------------------------- */

/* The next task got a permit from the semaphore: start its operation,
 * which returns at once (the loop calls back when it completes), and
 * queue for the permit of the task after it.  The tasks wait for their
 * permits in order, so the batch needs one place in the semaphore's
 * queue, not one per task: a task that is not started yet costs nothing. */
static void batch_hand_out(as_waiter *w) {
  as_batch *b = (as_batch *)((char *)w - offsetof(as_batch, turn));
  uint32_t i = (uint32_t)b->next++;
  as_task *t = &b->tasks[i];

  t->batch = b;
  as_lane_take(&b->lanes, b->spans, i);
  wl_span_begin(b->spans, i);
  b->ops->start(t);
  if (b->next < b->params->tasks)
    as_sem_acquire(&b->sem, &b->turn, batch_hand_out);
}

void as_task_input(const as_task *t, wl_task *in) {
  t->batch->wl->task_input(t->batch->params, as_task_index(t), in);
}

void *as_task_op(const as_task *t) {
  const as_batch *b = t->batch;
  return b->ops_mem + (size_t)as_task_index(t) * b->ops->op_size;
}

/* ---- collect a result -------------------------------------------------- */

/* Task i's result, in a callback on the loop's thread: no other task runs
 * meanwhile, so the slot, the count and the semaphore need no lock. */
static void batch_collect(as_batch *b, uint32_t i, const wl_slot *result) {
  b->slots[i] = *result;
  b->slots[i].worker = 0; /* every task ran on the loop's one thread */
  wl_span_end(b->spans, i);
  as_lane_give(&b->lanes, b->spans, i);
  b->done++;
  as_sem_release(&b->sem); /* the next waiting task starts */
}

void as_task_finish(as_task *t, const wl_slot *result) {
  batch_collect(t->batch, as_task_index(t), result);
}

void as_task_done(as_task *t, wl_status status, uint64_t value) {
  as_batch_done(t->batch, as_task_index(t), status, value);
}

void as_batch_done(as_batch *b, uint32_t i, wl_status status,
                   uint64_t value) {
  wl_slot result = {.status = status, .value = value};
  batch_collect(b, i, &result);
}

/* ---- stop -------------------------------------------------------------- */

/* Every task is done: stop the probe, free the workload's shared state,
 * let the loop run their close callbacks, and close it.  0, or -1 when a
 * handle was left open or a task never completed (printed). */
static int batch_stop(as_batch *b, as_lag_summary *lag,
                      as_lag_timeline *timeline) {
  as_lag_summary unused;
  int err;

  as_lag_stop(&b->lag, lag != NULL ? lag : &unused, timeline);
  if (b->ops->close != NULL)
    b->ops->close(b);
  uv_run(&b->loop, UV_RUN_DEFAULT); /* the close callbacks of the two above */
  err = uv_loop_close(&b->loop);
  if (err != 0)
    fprintf(stderr, "conclab: uv_loop_close: %s (a handle was left open)\n",
            uv_strerror(err));
  if (b->done != b->params->tasks)
    fprintf(stderr, "conclab: async: %d of %d tasks completed\n", b->done,
            b->params->tasks);
  return (err == 0 && b->done == b->params->tasks) ? 0 : -1;
}

/* ---- the batch --------------------------------------------------------- */

/* The loop is up: create_task for each, then await gather(...). */
static int batch_gather(as_batch *b, as_lag_summary *lag,
                        as_lag_timeline *timeline) {
  /* create_task for each, in order: the first C start now, each later one
   * when a permit comes back. */
  as_sem_init(&b->sem, b->params->concurrency);
  if (b->params->tasks > 0) /* the turn is task 0's: there must be one */
    as_sem_acquire(&b->sem, &b->turn, batch_hand_out);

  /* await gather(...): run until nothing is left to wait for. */
  uv_run(&b->loop, UV_RUN_DEFAULT);
  return batch_stop(b, lag, timeline);
}

int as_batch_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
                 wl_span *spans, const as_ops *ops, as_lag_summary *lag,
                 as_lag_timeline *timeline) {
  as_batch b = {.wl = wl, .params = p, .slots = slots, .ops = ops,
                .spans = spans};
  /* at most C permits are out at once, and never more than the tasks */
  int permits = p->concurrency < p->tasks ? p->concurrency : p->tasks;
  int rc = -1;

  b.tasks = calloc((size_t)p->tasks, sizeof *b.tasks);
  if (ops->op_size > 0)
    b.ops_mem = calloc((size_t)p->tasks, ops->op_size);
  if (b.tasks == NULL || (ops->op_size > 0 && b.ops_mem == NULL) ||
      as_lanes_init(&b.lanes, permits, spans != NULL) != 0)
    fprintf(stderr, "conclab: async: out of memory for %d tasks\n", p->tasks);
  else if (batch_start(&b) == 0)
    rc = batch_gather(&b, lag, timeline);
  as_lanes_free(&b.lanes);
  free(b.ops_mem);
  free(b.tasks);
  return rc;
}
