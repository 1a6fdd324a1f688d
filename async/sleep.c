/*
 * async/sleep.c - sleep on an event loop: waiting costs nothing.
 *
 * Lesson: `await asyncio.sleep(d)` does not sleep; it arms a timer and gives
 * the loop back.  Here each task is one uv_timer_t.  Ten thousand timers cost
 * ten thousand small structs and one epoll_wait, and all of them can be
 * waiting at once on a single thread.  Compare threaded/ (a thread blocked in
 * nanosleep per waiting task) and multiproc/ (a process per waiting task).
 */
#include "async.h"

static void sleep_on_close(uv_handle_t *h) { (void)h; }

/* The timer fired: the "response" has arrived. */
static void sleep_on_timer(uv_timer_t *timer) {
  as_task *t = timer->data;
  as_task_done(t, WL_OK, wl_sleep_value(t->input.index));
  uv_close((uv_handle_t *)timer, sleep_on_close);
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
