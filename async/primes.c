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

static void primes_on_close(uv_handle_t *h) { (void)h; }

/* In the loop: a zero-delay timer is loop.call_soon; the chunk runs right
 * here, on the loop thread, and holds the loop until it is counted. */
static void primes_on_timer(uv_timer_t *timer) {
  as_task *t = timer->data;
  uint64_t count = wl_primes_count(t->input.a, t->input.b);
  as_task_done(t, WL_OK, count);
  uv_close((uv_handle_t *)timer, primes_on_close);
}

void as_primes_start_in_loop(as_task *t) {
  uv_timer_t *timer = &t->op.timer;

  uv_timer_init(&t->batch->loop, timer);
  timer->data = t;
  if (uv_timer_start(timer, primes_on_timer, 0, 0) != 0) {
    as_task_done(t, WL_ERROR, 0);
    uv_close((uv_handle_t *)timer, primes_on_close);
  }
}

/* Offloaded: runs on a threadpool thread.  It must not touch the loop;
 * it only writes its own task's result, which the loop reads afterwards. */
static void primes_work(uv_work_t *req) {
  as_task *t = req->data;
  as_offload_begin(t, &t->result);
  t->result.value = wl_primes_count(t->input.a, t->input.b);
  t->result.status = WL_OK;
  as_offload_end(&t->result);
}

/* Back on the loop thread once the work is done. */
static void primes_after_work(uv_work_t *req, int status) {
  as_task *t = req->data;
  if (status != 0)
    as_task_done(t, WL_ERROR, 0);
  else
    as_task_finish(t, &t->result); /* the offloaded step's span too */
}

void as_primes_start_offload(as_task *t) {
  t->op.work.data = t;
  if (uv_queue_work(&t->batch->loop, &t->op.work, primes_work,
                    primes_after_work) != 0)
    as_task_done(t, WL_ERROR, 0);
}
