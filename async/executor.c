/*
 * async/executor.c - a workload with no version of its own on the loop.
 *
 * Lesson: blocking code does not belong in a loop callback, and it need
 * not be rewritten to run beside the loop.  Each task's blocking run (the
 * very function threaded and multiproc call) goes to libuv's threadpool
 * with uv_queue_work - asyncio's run_in_executor - and the loop only
 * collects the results.  So a new workload runs on async before it has a
 * native version; the threadpool's size (UV_THREADPOOL_SIZE, 4 by
 * default) then bounds how many tasks really run at once.
 */
#include "async.h"

typedef struct executor_op {
  uv_work_t req;
  wl_slot result; /* written on the pool thread, read on the loop after */
} executor_op;

/* On a pool thread.  A workload that keeps state per worker (worker_open)
 * gets it for this task alone: the pool's threads are libuv's, not ours to
 * hand state to. */
static void executor_work(uv_work_t *req) {
  as_task *t = req->data;
  const as_batch *b = t->batch;
  executor_op *op = as_task_op(t);
  void *worker;
  int opened = wl_worker_open(b->wl, b->params, &worker);

  as_offload_begin(t);
  wl_run_one(b->wl, b->params, as_task_index(t), opened == 0 ? worker : NULL,
             &op->result, NULL);
  as_offload_end(t);
  wl_worker_close(b->wl, worker);
}

/* Back on the loop thread. */
static void executor_after(uv_work_t *req, int status) {
  as_task *t = req->data;
  if (status != 0)
    as_task_done(t, WL_ERROR, 0);
  else
    as_task_finish(t, &((executor_op *)as_task_op(t))->result);
}

static void executor_start(as_task *t) {
  executor_op *op = as_task_op(t);

  op->req.data = t;
  if (uv_queue_work(&t->batch->loop, &op->req, executor_work,
                    executor_after) != 0)
    as_task_done(t, WL_ERROR, 0);
}

const as_ops as_executor_ops = {.start = executor_start,
                                .op_size = sizeof(executor_op)};
