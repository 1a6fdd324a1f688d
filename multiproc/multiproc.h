/*
 * multiproc.h - the process model: C forked workers, pipes between them.
 *
 * gather(...)            -> send task frames down each worker's task pipe,
 *                           poll() all result pipes, store results by index
 * Semaphore(C)           -> the worker count
 * return_exceptions=True -> a worker that dies fails the task it held; a
 *                           fresh worker takes its place; the batch goes on
 */
#ifndef CONCLAB_MULTIPROC_H
#define CONCLAB_MULTIPROC_H

#include "workload.h"

/* What the workers used, summed over every worker of the batch (from wait4):
 * a worker's CPU time and memory are not in the parent's getrusage. */
typedef struct mp_usage {
  double user_s, sys_s;
  long max_rss_kb_sum; /* sum of each worker's peak */
  long vol_ctx, invol_ctx;
  int workers_started;
  int workers_lost; /* died with a task in hand, or exited badly */
} mp_usage;

/* Run a batch on p->concurrency worker processes (at most one per task).
 * 0 when the batch ran (each task's outcome in its slot); -1 (printed)
 * when the workers could not all be started, or poll failed. */
/* spans: the timeline's array (--trace), or NULL. */
int mp_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
           wl_span *spans, mp_usage *usage);

#endif
