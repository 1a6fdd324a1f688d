/*
 * first_loop.c - exercise 01: your first event loop.  (Your file.)
 *
 * Python:                            C with libuv:
 *   async def task(i, s):              a uv_timer_t per task, and a callback
 *       await asyncio.sleep(s)         uv_timer_start(&timer, cb, ms, 0)
 *   asyncio.run(gather(...))           uv_run(loop, UV_RUN_DEFAULT)
 *
 * Read README.md first.  Check your work with:  exercises/progress 01
 */
#include "first_loop.h"

#include <stdlib.h>

/* One sleeping task: its timer, and what it needs when the timer fires.
 * TODO: add what your callback needs to record the order - the task's
 * index, and somewhere to write it (a pointer to shared state). */
typedef struct fl_task {
  uv_timer_t timer;
  int index;
} fl_task;

int fl_sleep_all(uv_loop_t *loop, const uint64_t *delay_ms, int n,
                 int *order) {
  /* TODO 1: allocate n tasks (calloc), and for each one:
   *           uv_timer_init(loop, &task->timer), then make the timer find
   *           its task again (timer.data = task),
   *           uv_timer_start(&task->timer, your_callback, delay_ms[i], 0).
   * TODO 2: write the callback: it records the task's index in order[]
   *         at the next free position, and counts the timers that fired.
   * TODO 3: uv_run(loop, UV_RUN_DEFAULT) - it returns when nothing is
   *         left to wait for.
   * TODO 4: uv_close every timer, run the loop once more so the closes
   *         finish, free the tasks, and return how many fired. */
  (void)loop;
  (void)delay_ms;
  (void)n;
  (void)order;
  return 0;
}
