/*
 * lanes.h - who ran what on the loop, for the timeline (--trace).
 *
 * Bookkeeping beside the batch, not part of its lesson.  Every async task
 * runs on the loop's one thread, so "which worker" says nothing; instead
 * each task is drawn on the row of the semaphore permit it held (tasks
 * under one permit never overlap), and an offloaded step on the row of
 * the threadpool thread that ran it.  Untraced, none of it costs a thing.
 */
#ifndef CONCLAB_ASYNC_LANES_H
#define CONCLAB_ASYNC_LANES_H

#include <stdatomic.h>
#include <stdint.h>

#include "workload.h"

typedef struct as_lanes {
  /* Permit numbers: a finished task's number is pushed here before its
   * permit is released, and the next start takes it. */
  int *free, nfree, next;
  unsigned long id;        /* this batch among the process's batches */
  atomic_int pool_threads; /* threadpool threads that ran a step for it */
} as_lanes;

/* Ready for a batch of at most `permits` in flight; the permit stack is
 * made only when traced.  0, or -1 when out of memory. */
int as_lanes_init(as_lanes *l, int permits, int traced);
void as_lanes_free(as_lanes *l);
/* Task i starts: it takes a permit number into spans[i].lane; task i
 * ends: it gives that number back.  Nothing when spans is NULL. */
void as_lane_take(as_lanes *l, wl_span *spans, uint32_t i);
void as_lane_give(as_lanes *l, wl_span *spans, uint32_t i);
/* On a threadpool thread: its number among the threads that ran a step
 * for this batch (0.., in the order they first ran one). */
int as_pool_thread(as_lanes *l);

#endif
