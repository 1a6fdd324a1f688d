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

/* The timer fired: the "response" has arrived. */
static void sleep_on_timer(uv_timer_t *timer) {
  as_task *t = timer->data;
  as_task_done(t, WL_OK, wl_sleep_value(t->input.index));
  uv_close((uv_handle_t *)timer, sleep_on_close);
}

/* The pitfall: the task's callback blocks the loop for its whole wait. */
static void sleep_on_blocking_timer(uv_timer_t *timer) {
  as_task *t = timer->data;
  if (wl_sleep_ms(t->input.a) != 0)
    as_task_done(t, WL_ERROR, 0);
  else
    as_task_done(t, WL_OK, wl_sleep_value(t->input.index));
  uv_close((uv_handle_t *)timer, sleep_on_close);
}

void as_sleep_start_blocking(as_task *t) {
  uv_timer_t *timer = &t->op.timer;

  uv_timer_init(&t->batch->loop, timer);
  timer->data = t;
  /* A zero timer is loop.call_soon: the wait happens in the callback. */
  if (uv_timer_start(timer, sleep_on_blocking_timer, 0, 0) != 0) {
    as_task_done(t, WL_ERROR, 0);
    uv_close((uv_handle_t *)timer, sleep_on_close);
  }
}

void as_sleep_start(as_task *t) {
  uv_timer_t *timer = &t->op.timer;
  int err;

  uv_timer_init(&t->batch->loop, timer); /* cannot fail */
  timer->data = t;
  err = uv_timer_start(timer, sleep_on_timer, t->input.a, 0);
  if (err != 0) {
    as_task_done(t, WL_ERROR, 0);
    uv_close((uv_handle_t *)timer, sleep_on_close);
  }
}
