/*
 * async/batch.c - a batch on a libuv event loop: gather.
 *
 * Lesson: one thread, no locks, and yet thousands of operations in flight.
 * The loop is the scheduler: as_batch_run starts up to C operations and
 * then calls uv_run, which sleeps in epoll until a timer fires or offloaded
 * work completes, and runs that operation's callback.  uv_run returns when
 * no handle or request is left, that is, when every task is done and every
 * handle closed.  All of it runs on this one thread.  A 1 ms probe timer
 * (lag.c) runs alongside and measures how late the loop gets to things.
 */
#include "async.h"

#include <stdio.h>
#include <stdlib.h>

static void task_start(as_waiter *w) {
  as_task *t = (as_task *)((char *)w - offsetof(as_task, waiter));
  as_batch *b = t->batch;
  wl_slot *slot = &b->slots[t->input.index];
  /* The first C starts take fresh numbers; every later one starts because
   * a task finished, and takes the number that task gave back. */
  slot->lane = b->nfree > 0 ? b->free_permits[--b->nfree] : b->next_permit++;
  slot->t_start_ns = wl_now_ns();
  b->ops->start(t);
}

void as_task_finish(as_task *t, const wl_slot *result) {
  as_batch *b = t->batch;
  wl_slot *slot = &b->slots[t->input.index];
  int64_t start = slot->t_start_ns; /* noted there by task_start */
  int lane = slot->lane;

  *slot = *result;
  slot->t_start_ns = start;
  slot->t_end_ns = wl_now_ns();
  slot->worker = 0; /* every task ran on the loop's one thread */
  slot->lane = lane;
  b->free_permits[b->nfree++] = lane;
  b->done++;
  as_sem_release(&b->sem);
}

void as_task_done(as_task *t, wl_status status, uint64_t value) {
  wl_slot result = {.status = status, .value = value};
  as_task_finish(t, &result);
}

/* libuv does not number its threadpool threads, so each numbers itself
 * the first time it runs a step for a batch, and remembers (in a
 * thread-local) which batch that number belongs to. */
static atomic_ulong last_batch_id;
static _Thread_local unsigned long tl_batch_id;
static _Thread_local int tl_pool_thread;

void as_offload_begin(as_task *t, wl_slot *out) {
  as_batch *b = t->batch;
  if (tl_batch_id != b->id) {
    tl_batch_id = b->id;
    tl_pool_thread = atomic_fetch_add(&b->pool_threads, 1);
  }
  out->off_thread = tl_pool_thread;
  out->off_start_ns = wl_now_ns();
}

void as_offload_end(wl_slot *out) { out->off_end_ns = wl_now_ns(); }

int as_batch_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
                 const as_ops *ops, as_lag_summary *lag,
                 as_lag_timeline *timeline) {
  as_lag_summary unused;
  as_batch b = {.params = p, .slots = slots, .ops = ops};
  as_task *tasks;
  int err;

  b.id = atomic_fetch_add(&last_batch_id, 1) + 1;
  atomic_init(&b.pool_threads, 0);
  tasks = calloc((size_t)p->tasks, sizeof *tasks);
  /* at most C permits are out at once, and never more than the tasks */
  b.free_permits = calloc((size_t)(p->concurrency < p->tasks ? p->concurrency
                                                              : p->tasks) +
                              1,
                          sizeof *b.free_permits);
  if (tasks == NULL || b.free_permits == NULL) {
    fprintf(stderr, "conclab: async: out of memory for %d tasks\n", p->tasks);
    free(tasks);
    free(b.free_permits);
    return -1;
  }
  err = uv_loop_init(&b.loop);
  if (err != 0) {
    fprintf(stderr, "conclab: uv_loop_init: %s\n", uv_strerror(err));
    free(tasks);
    free(b.free_permits);
    return -1;
  }
  if (ops->open != NULL && ops->open(&b) != 0) {
    uv_loop_close(&b.loop);
    free(tasks);
    free(b.free_permits);
    return -1;
  }
  as_lag_start(&b.loop, &b.lag);

  /* create_task for each: the first C start now, the rest queue. */
  as_sem_init(&b.sem, p->concurrency);
  for (int i = 0; i < p->tasks; i++) {
    as_task *t = &tasks[i];
    t->batch = &b;
    wl->task_input(p, (uint32_t)i, &t->input);
    as_sem_acquire(&b.sem, &t->waiter, task_start);
  }

  /* await gather(...): run until nothing is left to wait for. */
  uv_run(&b.loop, UV_RUN_DEFAULT);
  as_lag_stop(&b.lag, lag != NULL ? lag : &unused, timeline);
  if (ops->close != NULL)
    ops->close(&b);
  uv_run(&b.loop, UV_RUN_DEFAULT); /* the close callbacks of the two above */

  err = uv_loop_close(&b.loop);
  if (err != 0)
    fprintf(stderr, "conclab: uv_loop_close: %s (a handle was left open)\n",
            uv_strerror(err));
  if (b.done != p->tasks)
    fprintf(stderr, "conclab: async: %d of %d tasks completed\n", b.done,
            p->tasks);
  free(tasks);
  free(b.free_permits);
  return (err == 0 && b.done == p->tasks) ? 0 : -1;
}

/* libuv reads UV_THREADPOOL_SIZE once, when the first work is queued in the
 * process, so it has to be set before that.  Each measured run is a fresh
 * process, so each gets the size it asks for. */
static void set_threadpool_size(int size) {
  char text[16];
  snprintf(text, sizeof text, "%d", size);
  setenv("UV_THREADPOOL_SIZE", text, 1);
}

static const as_ops sleep_ops = {.start = as_sleep_start};
static const as_ops sleep_blocking_ops = {.start = as_sleep_start_blocking};
static const as_ops files_ops = {.start = as_files_start};
static const as_ops primes_in_loop_ops = {.start = as_primes_start_in_loop};
static const as_ops primes_offload_ops = {.start = as_primes_start_offload};

int as_run(const wl_workload *wl, const wl_params *p, const as_options *o,
           wl_slot *slots, as_lag_summary *lag) {
  const as_ops *ops;

  if (wl == &wl_sleep) {
    ops = o->blocking_in_loop ? &sleep_blocking_ops : &sleep_ops;
  } else if (wl == &wl_primes) {
    ops = o->offload ? &primes_offload_ops : &primes_in_loop_ops;
  } else if (wl == &wl_http) {
    ops = &as_http_ops;
  } else if (wl == &wl_files) {
    ops = &files_ops; /* every uv_fs_* call runs on the threadpool */
  } else if (wl == &wl_pipeline) {
    ops = o->offload ? &as_pipeline_offload_ops : &as_pipeline_in_loop_ops;
  } else {
    fprintf(stderr, "conclab: async: no implementation of '%s'\n", wl->name);
    return -1;
  }
  if (o->threadpool_size > 0)
    set_threadpool_size(o->threadpool_size);
  return as_batch_run(wl, p, slots, ops, lag, o->lag_timeline);
}
