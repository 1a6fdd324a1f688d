/*
 * primes.c - the CPU-bound workload: count the primes below M.
 *
 * [0, M) is cut into N chunks of equal width.  Trial division costs about
 * sqrt(n) per prime, so later chunks cost more than earlier ones: splitting
 * the chunks into fixed halves would leave one core idle at the end.  Every
 * model balances dynamically instead: a worker takes the next chunk when it
 * is free.  The work holds the CPU the whole time, so only real parallelism
 * (threads or processes on several cores) makes it faster.
 */
#include "workload.h"

#include <stddef.h>

static int is_prime(uint64_t n) {
  if (n < 2)
    return 0;
  if (n % 2 == 0)
    return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2)
    if (n % d == 0)
      return 0;
  return 1;
}

uint64_t wl_primes_count(uint64_t lo, uint64_t hi) {
  uint64_t count = 0;
  for (uint64_t n = lo; n < hi; n++)
    count += (uint64_t)is_prime(n);
  return count;
}

static void primes_task_input(const wl_params *p, uint32_t i, wl_task *out) {
  uint64_t m = (uint64_t)p->limit, n = (uint64_t)p->tasks;
  out->index = i;
  out->a = m * i / n;
  out->b = m * (i + 1) / n;
}

static wl_status primes_run_blocking(const wl_task *t, void *worker,
                                     wl_slot *out) {
  (void)worker;
  out->value = wl_primes_count(t->a, t->b);
  return WL_OK;
}

/* ---- what the harness reads ---------------------------------------------- */

static const wl_flag primes_flags[] = {
    {.name = "--limit",
     .arg = "M",
     .help = "count primes below M; needs N <= M",
     .kind = WL_FLAG_INT64,
     .field = offsetof(wl_params, limit), .def = 2000000, .lo = 2,
     .hi = WL_MAX_LIMIT},
};

/* Every chunk needs a number of its own. */
static int primes_settle(wl_params *p, char *err, size_t errlen) {
  if (p->tasks <= p->limit)
    return 0;
  snprintf(err, errlen, "--tasks: %d chunks of numbers below %lld: need "
           "N <= M", p->tasks, (long long)p->limit);
  return -1;
}

static void primes_report_intro(FILE *out, const wl_params *p, int cores) {
  fprintf(out, "Primes below %lld, in %d chunks. The ideal speedup is one "
          "core per chunk in flight: min(C, cores) = min(C, %d).\n\n",
          (long long)p->limit, p->tasks, cores);
}

/* The suite's rows; sizes are {quick and full, smoke}. */
#define TASKS {64, 8}
#define LIMIT {5000000, 20000}
#define CORES {WL_ROW_C_CORES, WL_ROW_C_CORES}
static const wl_row primes_rows[] = {
    {.table = WL_TABLE_MAIN, .models = WL_SEQ, .tasks = TASKS,
     .limit = LIMIT, .crosscheck = 1},
    /* in the loop, the lesson: 1.0 +/- 0.1 */
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .tasks = TASKS,
     .concurrency = CORES, .limit = LIMIT,
     .target = {.speedup_lo = 0.9, .speedup_hi = 1.1}},
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .offload_models = WL_ASYNC,
     .tasks = TASKS, .concurrency = CORES, .limit = LIMIT,
     .target = {.eff_min = 0.8}},
    {.table = WL_TABLE_MAIN, .models = WL_THREADED, .tasks = TASKS,
     .concurrency = CORES, .limit = LIMIT, .target = {.eff_min = 0.9},
     .crosscheck = 1},
    {.table = WL_TABLE_MAIN, .models = WL_MULTIPROC, .tasks = TASKS,
     .concurrency = CORES, .limit = LIMIT, .target = {.eff_min = 0.9}},
    /* C and CPython: a smaller M (CPython's trial division is ~30x
     * slower), at C = 2: threads' speedup over seq shows the GIL */
    {.table = WL_TABLE_PYTHON, .models = WL_SEQ | WL_THREADED | WL_MULTIPROC,
     .tasks = {16, 4}, .concurrency = {2, 2}, .limit = {1000000, 20000}},
    {.table = WL_TABLE_SWEEP, .when = WL_FULL, .models = WL_MODELS,
     .offload_models = WL_ASYNC, .tasks = TASKS,
     .concurrency = {WL_ROW_C_DOUBLING, WL_ROW_C_DOUBLING}, .limit = LIMIT},
    /* quick's short sweep (see sleep's) */
    {.table = WL_TABLE_SWEEP, .when = WL_QUICK_TAIL, .models = WL_MODELS,
     .offload_models = WL_ASYNC, .tasks = TASKS, .concurrency = {1, 1},
     .limit = LIMIT},
    {.table = WL_TABLE_SWEEP, .when = WL_QUICK_TAIL, .models = WL_MODELS,
     .offload_models = WL_ASYNC, .tasks = TASKS,
     .concurrency = {WL_ROW_C_2CORES, WL_ROW_C_2CORES}, .limit = LIMIT},
};

const wl_workload wl_primes = {
    .name = "primes",
    .kind = WL_KIND_CPU,
    .summary = "CPU-bound: count primes below M by trial division, in N chunks",
    .task_input = primes_task_input,
    .run_blocking = primes_run_blocking,
    .flags = primes_flags,
    .nflags = sizeof primes_flags / sizeof primes_flags[0],
    .options = WL_OPT_OFFLOAD,
    .default_tasks = 64,
    .default_concurrency = WL_C_CORES,
    .settle = primes_settle,
    .rows = primes_rows,
    .nrows = sizeof primes_rows / sizeof primes_rows[0],
    .ideal = WL_IDEAL_CORES,
    .report_intro = primes_report_intro,
    .lesson =
        "pure CPU work gains only from more cores, up to their count;"
        " computing inside the event loop runs on one core and holds "
        "the loop while it computes",
};
