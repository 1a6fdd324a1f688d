/*
 * first_loop.c - exercise 01: your first event loop.  (Reference solution.)
 *
 * n timers on one loop: the loop sleeps once, in the kernel (epoll_wait),
 * until the earliest timer is due, runs its callback, and sleeps again.
 * So n sleeps of d ms take about d ms in all, not n * d.
 */
#include "first_loop.h"

#include <stdlib.h>

/* What every task's callback shares: where the next firing goes. */
typedef struct fl_shared {
  int *order;
  int fired;
} fl_shared;

typedef struct fl_task {
  uv_timer_t timer;
  int index;
  fl_shared *shared;
} fl_task;

static void fl_on_timer(uv_timer_t *timer) {
  fl_task *task = timer->data;
  task->shared->order[task->shared->fired++] = task->index;
}

int fl_sleep_all(uv_loop_t *loop, const uint64_t *delay_ms, int n,
                 int *order) {
  fl_shared shared = {order, 0};
  fl_task *tasks;
  int started = 0, rc = 0;

  if (n <= 0)
    return 0;
  tasks = calloc((size_t)n, sizeof *tasks);
  if (tasks == NULL)
    return -1;
  for (int i = 0; i < n && rc == 0; i++) {
    tasks[i].index = i;
    tasks[i].shared = &shared;
    tasks[i].timer.data = &tasks[i];
    rc = uv_timer_init(loop, &tasks[i].timer);
    if (rc == 0) {
      started++;
      rc = uv_timer_start(&tasks[i].timer, fl_on_timer, delay_ms[i], 0);
    }
  }
  if (rc == 0)
    uv_run(loop, UV_RUN_DEFAULT);
  /* A handle's memory belongs to libuv until its close completes, which
   * takes one more turn of the loop: only then may the tasks be freed. */
  for (int i = 0; i < started; i++)
    uv_close((uv_handle_t *)&tasks[i].timer, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  free(tasks);
  return rc == 0 ? shared.fired : -1;
}
