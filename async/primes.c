/*
 * async/primes.c - CPU work on an event loop: the loop does not help.
 *
 * Lesson: an event loop overlaps waiting, not computing.  In the loop
 * (as_primes_start_in_loop) each chunk runs inside a loop callback; while it
 * runs, nothing else on the loop can, so N chunks take as long as seq - the
 * tutorials' "async does not help CPU-bound work".  With --offload
 * (as_primes_start_offload) each chunk goes to libuv's threadpool with
 * uv_queue_work - asyncio's run_in_executor - and the loop only collects the
 * results; now the chunks run on several cores at once.
 */
#include "async.h"

/* An offloaded chunk: the request, and the count the pool thread leaves
 * for the loop. */
typedef struct primes_work_op {
  uv_work_t req;
  uint64_t value;
} primes_work_op;

static void primes_on_close(uv_handle_t *h) { (void)h; }

/* In the loop: a zero-delay timer is loop.call_soon; the chunk runs right
 * here, on the loop thread, and holds the loop until it is counted. */
static void primes_on_timer(uv_timer_t *timer) {
  as_task *t = timer->data;
  wl_task in;

  as_task_input(t, &in);
  as_task_done(t, WL_OK, wl_primes_count(in.a, in.b));
  uv_close((uv_handle_t *)timer, primes_on_close);
}

static void primes_start_in_loop(as_task *t) {
  uv_timer_t *timer = as_task_op(t);

  uv_timer_init(&t->batch->loop, timer);
  timer->data = t;
  if (uv_timer_start(timer, primes_on_timer, 0, 0) != 0) {
    as_task_done(t, WL_ERROR, 0);
    uv_close((uv_handle_t *)timer, primes_on_close);
  }
}

/* Offloaded: runs on a threadpool thread.  It must not touch the loop;
 * it only writes its own task's count, which the loop reads afterwards. */
static void primes_work(uv_work_t *req) {
  as_task *t = req->data;
  primes_work_op *op = as_task_op(t);
  wl_task in;

  as_task_input(t, &in);
  as_offload_begin(t);
  op->value = wl_primes_count(in.a, in.b);
  as_offload_end(t);
}

/* Back on the loop thread once the work is done. */
static void primes_after_work(uv_work_t *req, int status) {
  as_task *t = req->data;
  if (status != 0)
    as_task_done(t, WL_ERROR, 0);
  else
    as_task_done(t, WL_OK, ((primes_work_op *)as_task_op(t))->value);
}

static void primes_start_offload(as_task *t) {
  primes_work_op *op = as_task_op(t);

  op->req.data = t;
  if (uv_queue_work(&t->batch->loop, &op->req, primes_work,
                    primes_after_work) != 0)
    as_task_done(t, WL_ERROR, 0);
}

const as_ops as_primes_in_loop_ops = {.start = primes_start_in_loop,
                                      .op_size = sizeof(uv_timer_t)};
const as_ops as_primes_offload_ops = {.start = primes_start_offload,
                                      .op_size = sizeof(primes_work_op)};
