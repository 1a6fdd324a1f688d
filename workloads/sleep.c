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
#include <stddef.h>
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

/* ---- what the harness reads ---------------------------------------------- */

static const wl_flag sleep_flags[] = {
    {.name = "--delay-ms",
     .arg = "D",
     .help = "each task waits D ms",
     .kind = WL_FLAG_INT,
     .field = offsetof(wl_params, delay_ms), .def = 100, .lo = 0,
     .hi = WL_MAX_DELAY_MS},
    {.name = "--delay-spread",
     .arg = "S",
     .help = "task i waits D plus a fixed extra in [0, S] ms",
     .kind = WL_FLAG_INT,
     .field = offsetof(wl_params, delay_spread_ms), .def = 0, .lo = 0,
     .hi = WL_MAX_DELAY_MS},
};

static void sleep_report_intro(FILE *out, const wl_params *p, int cores) {
  (void)cores;
  fprintf(out, "%d tasks, each waiting %d ms%s. The ideal speedup is the "
          "number of waits that overlap: N / ceil(N / C)%s.\n\n",
          p->tasks, p->delay_ms,
          p->delay_spread_ms ? " plus a per-task spread" : "",
          p->delay_spread_ms ? " (with uneven waits, an upper bound)" : "");
}

/* The suite's rows; sizes are {quick and full, smoke}. */
#define TASKS {16, 4}
#define DELAY {50, 10}
#define SCALE_TASKS {10000, 100} /* 10,000 tasks of 100 ms, all in flight */
#define SCALE_DELAY {100, 10}
static const wl_row sleep_rows[] = {
    {.table = WL_TABLE_MAIN, .models = WL_SEQ, .tasks = TASKS,
     .delay_ms = DELAY},
    /* "within 10% of the ideal": efficiency >= 0.9 */
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .tasks = TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = DELAY,
     .target = {.eff_min = 0.9}, .crosscheck = 1},
    /* The pitfall, next to it: a blocking sleep in the callbacks.  The
     * lesson is that the speedup collapses to about 1. */
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .blocking_in_loop = 1,
     .tasks = TASKS, .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL},
     .delay_ms = DELAY, .target = {.speedup_lo = 0.9, .speedup_hi = 1.1}},
    {.table = WL_TABLE_MAIN, .models = WL_THREADED, .tasks = TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = DELAY,
     .target = {.eff_min = 0.9}},
    {.table = WL_TABLE_MAIN, .models = WL_MULTIPROC, .tasks = TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = DELAY},
    {.table = WL_TABLE_SWEEP, .when = WL_FULL, .models = WL_MODELS,
     .tasks = TASKS, .concurrency = {WL_ROW_C_DOUBLING, WL_ROW_C_DOUBLING},
     .delay_ms = DELAY},
    /* Scale: seq would take N x D = 1,000 s, so an untimed seq run with
     * no delay supplies the checksum (task i's value does not depend on
     * D). */
    {.table = WL_TABLE_ORACLE, .models = WL_SEQ, .tasks = SCALE_TASKS},
    {.table = WL_TABLE_SCALE, .models = WL_ASYNC, .tasks = SCALE_TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = SCALE_DELAY,
     .target = {.wall_max_s = 0.110}},
    {.table = WL_TABLE_SCALE, .models = WL_THREADED, .tasks = SCALE_TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = SCALE_DELAY,
     .target = {.wall_max_s = 1.0}},
    {.table = WL_TABLE_SCALE, .models = WL_MULTIPROC, .tasks = SCALE_TASKS,
     .concurrency = {1000, 10}, .delay_ms = SCALE_DELAY},
    /* C and CPython: the main row, 10,000 on the loop, 1,000 threads (its
     * checksum from the oracle before it) */
    {.table = WL_TABLE_PYTHON, .models = WL_SEQ | WL_MODELS, .tasks = TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = DELAY},
    {.table = WL_TABLE_PYTHON, .models = WL_ASYNC, .tasks = SCALE_TASKS,
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = SCALE_DELAY},
    {.table = WL_TABLE_ORACLE, .models = WL_SEQ, .tasks = {1000, 20}},
    {.table = WL_TABLE_PYTHON, .models = WL_THREADED, .tasks = {1000, 20},
     .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL}, .delay_ms = SCALE_DELAY},
    /* full: 100,000 timers on the loop */
    {.table = WL_TABLE_ORACLE, .when = WL_FULL, .models = WL_SEQ,
     .tasks = {100000, 1000}},
    {.table = WL_TABLE_SCALE, .when = WL_FULL, .models = WL_ASYNC,
     .tasks = {100000, 1000}, .concurrency = {WL_ROW_C_ALL, WL_ROW_C_ALL},
     .delay_ms = SCALE_DELAY},
    /* quick's short sweep: with the main rows, three points of speedup
     * against concurrency for each model */
    {.table = WL_TABLE_SWEEP, .when = WL_QUICK_TAIL, .models = WL_MODELS,
     .tasks = TASKS, .concurrency = {1, 1}, .delay_ms = DELAY},
    {.table = WL_TABLE_SWEEP, .when = WL_QUICK_TAIL, .models = WL_MODELS,
     .tasks = TASKS, .concurrency = {4, 4}, .delay_ms = DELAY},
};

const wl_workload wl_sleep = {
    .name = "sleep",
    .kind = WL_KIND_IO,
    .summary = "I/O-bound: task i waits its delay, then returns i*10",
    .task_input = sleep_task_input,
    .run_blocking = sleep_run_blocking,
    .flags = sleep_flags,
    .nflags = sizeof sleep_flags / sizeof sleep_flags[0],
    .options = WL_OPT_BLOCKING_IN_LOOP,
    .default_tasks = 10,
    .default_concurrency = WL_C_ALL,
    .rows = sleep_rows,
    .nrows = sizeof sleep_rows / sizeof sleep_rows[0],
    .ideal = WL_IDEAL_OVERLAP,
    .report_intro = sleep_report_intro,
    .lesson =
        "waiting costs no CPU, so every model that overlaps the waits"
        " gains about C; what differs is the price of one waiting "
        "task: a pending timer on the one loop, a blocked thread with"
        " its stack, a process with its own address space",
};
