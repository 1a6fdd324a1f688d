/*
 * lanes.c - permit lanes and pool-thread numbers (see lanes.h).
 */
#include "async.h"

#include <stdlib.h>

static atomic_ulong last_batch_id;

int as_lanes_init(as_lanes *l, int permits, int traced) {
  l->free = NULL;
  l->nfree = 0;
  l->next = 0;
  l->id = atomic_fetch_add(&last_batch_id, 1) + 1;
  atomic_init(&l->pool_threads, 0);
  if (traced)
    l->free = calloc((size_t)permits + 1, sizeof *l->free);
  return traced && l->free == NULL ? -1 : 0;
}

void as_lanes_free(as_lanes *l) {
  free(l->free);
  l->free = NULL;
}

/* The first C starts take fresh numbers; every later one starts because a
 * task finished, and takes the number that task gave back. */
void as_lane_take(as_lanes *l, wl_span *spans, uint32_t i) {
  if (spans != NULL)
    spans[i].lane = l->nfree > 0 ? l->free[--l->nfree] : l->next++;
}

void as_lane_give(as_lanes *l, wl_span *spans, uint32_t i) {
  if (spans != NULL)
    l->free[l->nfree++] = spans[i].lane;
}

/* libuv does not number its threadpool threads, so each numbers itself
 * the first time it runs a step for a batch, and remembers (in a
 * thread-local) which batch that number belongs to. */
static _Thread_local unsigned long tl_batch_id;
static _Thread_local int tl_pool_thread;

int as_pool_thread(as_lanes *l) {
  if (tl_batch_id != l->id) {
    tl_batch_id = l->id;
    tl_pool_thread = atomic_fetch_add(&l->pool_threads, 1);
  }
  return tl_pool_thread;
}

/* Task t's own span only: the loop wrote its start before queueing the
 * step and reads the span after the step's completion callback. */
void as_offload_begin(as_task *t) {
  as_batch *b = t->batch;
  if (b->spans != NULL) {
    wl_span *s = &b->spans[as_task_index(t)];
    s->off_thread = as_pool_thread(&b->lanes);
    s->off_start_ns = wl_now_ns();
  }
}

void as_offload_end(as_task *t) {
  wl_span *spans = t->batch->spans;
  if (spans != NULL)
    spans[as_task_index(t)].off_end_ns = wl_now_ns();
}
