/*
 * threaded.h - the pthread model: C worker threads, blocking calls.
 *
 * gather(...) -> submit N task numbers to the pool, then finish it: closing
 *                the queue and joining the workers is the batch's countdown.
 * Semaphore(C) -> the pool size: at most C tasks run at once.
 */
#ifndef CONCLAB_THREADED_H
#define CONCLAB_THREADED_H

#include "workload.h"

/* Run a batch on a fresh pool of p->concurrency threads (at most one per
 * task).  0 when the batch ran, -1 when the pool could not be started. */
/* spans: the timeline's array (--trace), or NULL. */
int th_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
           wl_span *spans);

#endif
