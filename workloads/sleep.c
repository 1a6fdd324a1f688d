/*
 * sleep.c - the I/O-bound workload: simulated latency.
 *
 * Task i waits its delay, then returns i * 10: the tutorials'
 *     async def fetch_number(n): await asyncio.sleep(d); return n * 10
 * A waiting task uses no CPU, so N waits can overlap: the ideal speedup of
 * C tasks in flight is the number of waits that overlap, not the core count.
 */
#include "workload.h"

#include <errno.h>
#include <time.h>

/* Task i's extra delay in [0, spread]: a fixed scramble of i, so every run
 * and every model gives task i the same delay (like files of different
 * sizes, which do not depend on who reads them). */
static uint64_t sleep_extra_ms(uint32_t i, int spread_ms) {
  if (spread_ms <= 0)
    return 0;
  return ((uint64_t)i * 2654435761u) % ((uint64_t)spread_ms + 1);
}

static void sleep_task_input(const wl_params *p, uint32_t i, wl_task *out) {
  out->index = i;
  out->a = (uint64_t)p->delay_ms + sleep_extra_ms(i, p->delay_spread_ms);
  out->b = 0;
}

uint64_t wl_sleep_value(uint32_t index) { return (uint64_t)index * 10; }

int wl_sleep_ms(uint64_t ms) {
  struct timespec left = {.tv_sec = (time_t)(ms / 1000),
                          .tv_nsec = (long)(ms % 1000) * 1000000L};
  /* A signal cuts nanosleep short and leaves the rest in `left`. */
  while (nanosleep(&left, &left) != 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

static wl_status sleep_run_blocking(const wl_task *t, void *worker,
                                    wl_slot *out) {
  (void)worker;
  if (wl_sleep_ms(t->a) != 0)
    return WL_ERROR;
  out->value = wl_sleep_value(t->index);
  return WL_OK;
}

const wl_workload wl_sleep = {
    .name = "sleep",
    .kind = WL_KIND_IO,
    .summary = "I/O-bound: task i waits its delay, returns i*10",
    .task_input = sleep_task_input,
    .run_blocking = sleep_run_blocking,
};
