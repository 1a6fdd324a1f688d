/*
 * async/sleep.c - sleep on an event loop: waiting costs nothing.
 *
 * Lesson: `await asyncio.sleep(d)` does not sleep; it arms a timer and gives
 * the loop back.  Here each task is one uv_timer_t.  Ten thousand timers cost
 * ten thousand small structs and one epoll_wait, and all of them can be
 * waiting at once on a single thread.  Compare threaded/ (a thread blocked in
 * nanosleep per waiting task) and multiproc/ (a process per waiting task).
 *
 * The pitfall (--blocking-in-loop): call the blocking sleep inside a loop
 * callback instead - time.sleep() in a coroutine.  The callback holds the
 * loop for the whole wait, so the waits run one after another and the
 * speedup falls to 1.  With every task started at once, libuv runs all
 * their zero timers in one pass: the loop is held for the whole batch, and
 * the loop-lag probe reports just that (one sample, as long as the batch).
 */
#include "async.h"

static void sleep_on_close(uv_handle_t *h) { (void)h; }

/* The timer fired: the "response" has arrived.  The timer says whose it
 * is (its loop is the batch's, its data the task), so a million firings
 * touch a million timers and slots, and nothing else. */
static void sleep_on_timer(uv_timer_t *timer) {
  as_batch *b = as_batch_of(timer->loop);
  uint32_t i = as_batch_task_index(b, timer->data);
  as_batch_done(b, i, WL_OK, wl_sleep_value(i));
  uv_close((uv_handle_t *)timer, sleep_on_close);
}

/* The pitfall: the task's callback blocks the loop for its whole wait. */
static void sleep_on_blocking_timer(uv_timer_t *timer) {
  as_task *t = timer->data;
  wl_task in;

  as_task_input(t, &in);
  if (wl_sleep_ms(in.a) != 0)
    as_task_done(t, WL_ERROR, 0);
  else
    as_task_done(t, WL_OK, wl_sleep_value(as_task_index(t)));
  uv_close((uv_handle_t *)timer, sleep_on_close);
}

static void sleep_start_blocking(as_task *t) {
  uv_timer_t *timer = as_task_op(t);

  uv_timer_init(&t->batch->loop, timer);
  timer->data = t;
  /* A zero timer is loop.call_soon: the wait happens in the callback. */
  if (uv_timer_start(timer, sleep_on_blocking_timer, 0, 0) != 0) {
    as_task_done(t, WL_ERROR, 0);
    uv_close((uv_handle_t *)timer, sleep_on_close);
  }
}

static void sleep_start(as_task *t) {
  uv_timer_t *timer = as_task_op(t);
  wl_task in;
  int err;

  as_task_input(t, &in);
  uv_timer_init(&t->batch->loop, timer); /* cannot fail */
  timer->data = t;
  err = uv_timer_start(timer, sleep_on_timer, in.a, 0);
  if (err != 0) {
    as_task_done(t, WL_ERROR, 0);
    uv_close((uv_handle_t *)timer, sleep_on_close);
  }
}

/* Each task's handle is one timer: a task costs what a bare timer does. */
const as_ops as_sleep_ops = {.start = sleep_start,
                             .op_size = sizeof(uv_timer_t)};
const as_ops as_sleep_blocking_ops = {.start = sleep_start_blocking,
                                      .op_size = sizeof(uv_timer_t)};
