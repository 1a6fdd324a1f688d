/*
 * seq.c - the sequential baseline: one task after another, no overlap.
 *
 * This is the program the tutorials start from (a for loop of blocking
 * calls).  Its time is what every speedup is measured against, and its
 * checksum is the expected one: a model that disagrees is wrong, however fast.
 */
#include "workload.h"

int seq_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
            wl_span *spans) {
  void *worker; /* http: one curl handle, reused for every request */

  if (wl_worker_open(wl, p, &worker) != 0)
    worker = NULL; /* the workload fails each task; the batch goes on */
  for (int i = 0; i < p->tasks; i++)
    wl_run_one(wl, p, (uint32_t)i, worker, &slots[i], spans);
  wl_worker_close(wl, worker);
  return 0;
}
