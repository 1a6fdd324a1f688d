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

const wl_workload wl_primes = {
    .name = "primes",
    .kind = WL_KIND_CPU,
    .summary = "CPU-bound: count primes below M by trial division, in N chunks",
    .task_input = primes_task_input,
    .run_blocking = primes_run_blocking,
};
