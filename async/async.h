/*
 * async.h - the libuv model: one event loop per batch, one thread.
 *
 * asyncio.run(main())            ->  as_run(): uv_loop_init, uv_run, uv_loop_close
 * create_task(...) + gather(...) ->  start N operations, count completions,
 *                                    each result stored in its task's slot
 * Semaphore(C)                   ->  as_sem: at most C operations in flight
 * run_in_executor(None, f)       ->  uv_queue_work (primes, pipeline: --offload)
 * aiohttp.ClientSession          ->  a pool of kept-alive connections on the
 *                                    loop (http: client.c; --client curl:
 *                                    one curl multi handle)
 * time.sleep() in a coroutine    ->  sleep --blocking-in-loop: the pitfall,
 *                                    made visible by the loop-lag probe
 */
#ifndef CONCLAB_ASYNC_H
#define CONCLAB_ASYNC_H

#include <uv.h>

#include "lag.h"
#include "lanes.h"
#include "sem.h"
#include "workload.h"

typedef struct as_options {
  int offload;         /* CPU work: run on libuv's threadpool, not the loop */
  int threadpool_size; /* UV_THREADPOOL_SIZE to set; 0: leave it */
  int blocking_in_loop; /* sleep: block inside the callback (the pitfall) */
  /* When not NULL: receives every loop-lag sample with its time, for the
   * timeline (--trace); the caller frees lag_timeline->samples. */
  as_lag_timeline *lag_timeline;
} as_options;

/* The largest threadpool libuv accepts (MAX_THREADPOOL_SIZE in libuv). */
#define AS_THREADPOOL_MAX 1024

/* The threads libuv's pool will have: set (> 0) when the run sets
 * UV_THREADPOOL_SIZE, else from the environment as libuv reads it. */
int as_threadpool_size(int set);
/* Whether that pool can start: libuv aborts the process when it cannot,
 * so a run checks first, before its clock (async/pool.c).  0, or -1 with
 * one line of why in why. */
int as_threadpool_check(int set, char *why, size_t cap);

/* Run a batch on a fresh loop (async/native.c: the workload's native
 * version).  Returns 0 when the batch ran (each task's outcome is in its
 * slot), -1 when the loop itself failed.  spans: the timeline's array
 * (--trace), or NULL.  The loop's lag over the batch goes into *lag (when
 * not NULL). */
int as_run(const wl_workload *wl, const wl_params *p, const as_options *o,
           wl_slot *slots, wl_span *spans, as_lag_summary *lag);

/* --- inside the model: the batch and its tasks ------------------------- */

typedef struct as_batch as_batch;

/* One task of a batch.  A million waiting tasks cost a million of these,
 * so each holds only what it must: its batch.  Its number is its place in
 * the batch's array (as_task_index), its input is made when it starts
 * (as_task_input), its turn for a permit is the batch's (as_batch.turn),
 * and the libuv handle its operation uses (as_task_op) lies in an array
 * of their own, as close together as a bare program's timers. */
typedef struct as_task {
  as_batch *batch;
} as_task;

/* How a workload runs on the loop: start one task, with op_size bytes of
 * its own for the handle it uses (0: none, or its own allocation); and,
 * optionally, make state the whole batch shares once the loop exists
 * (http: the curl multi handle) and free it after the loop has run. */
typedef struct as_ops {
  void (*start)(as_task *t);
  size_t op_size;
  int (*open)(as_batch *b);   /* 0, or -1 (printed) */
  void (*close)(as_batch *b); /* may uv_close handles: the loop runs again */
} as_ops;

struct as_batch {
  uv_loop_t loop;
  const wl_workload *wl;
  const wl_params *params;
  wl_slot *slots;
  as_task *tasks; /* task i is tasks[i] */
  char *ops_mem;  /* each task's op_size bytes, in task order (or NULL) */
  as_sem sem;
  as_waiter turn; /* the batch's place in sem's queue: the next task's */
  int next;       /* the next task to start */
  int done;
  const as_ops *ops;
  void *data; /* the workload's shared state, from ops->open */
  as_lag lag; /* the loop-lag probe, running for the whole batch */
  wl_span *spans; /* the timeline (--trace), or NULL */
  as_lanes lanes; /* its permit lanes and pool-thread numbers (lanes.c) */
};

/* Gather: make the loop, start every task under the semaphore, run the loop
 * until all are done, and close it.  The lag samples go to *timeline when
 * it is not NULL (see as_options). */
int as_batch_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
                 wl_span *spans, const as_ops *ops, as_lag_summary *lag,
                 as_lag_timeline *timeline);
/* Task t's number in batch b: i, whose result goes in slot i.  Found
 * without reading t, so a callback that knows its batch (as_batch_of)
 * touches nothing but its handle and its slot. */
static inline uint32_t as_batch_task_index(const as_batch *b,
                                           const as_task *t) {
  return (uint32_t)(t - b->tasks);
}
static inline uint32_t as_task_index(const as_task *t) {
  return as_batch_task_index(t->batch, t);
}
/* Task t's input (wl_task): made again from the batch's parameters, which
 * is cheap, and safe on any thread. */
void as_task_input(const as_task *t, wl_task *in);
/* Task t's op_size bytes for its handle (zeroed before it starts; only
 * for ops whose op_size is not 0). */
void *as_task_op(const as_task *t);
/* A handle's batch: its loop is the batch's. */
static inline as_batch *as_batch_of(uv_loop_t *loop) {
  return (as_batch *)((char *)loop - offsetof(as_batch, loop));
}
/* A task's operation has completed: store its result in its slot (worker
 * 0, the loop), note its end on the timeline, and give its permit to the
 * next waiting task. */
void as_task_done(as_task *t, wl_status status, uint64_t value);
/* The same, with the whole result (http's status, retries, connections). */
void as_task_finish(as_task *t, const wl_slot *result);
/* The same as as_task_done, for task i of batch b. */
void as_batch_done(as_batch *b, uint32_t i, wl_status status,
                   uint64_t value);

/* An offloaded step, on a threadpool thread: note on the timeline when it
 * began and on which pool thread, then when it ended (lanes.c). */
void as_offload_begin(as_task *t);
void as_offload_end(as_task *t);

/* The per-workload versions (async/sleep.c, async/primes.c, ...), and the
 * table of which a workload runs (async/native.c). */
extern const as_ops as_sleep_ops;
extern const as_ops as_sleep_blocking_ops;
extern const as_ops as_primes_in_loop_ops;
extern const as_ops as_primes_offload_ops;
extern const as_ops as_http_ops;  /* --client curl */
extern const as_ops as_fetch_ops; /* http's native client */
extern const as_ops as_files_ops;
extern const as_ops as_pipeline_in_loop_ops;
extern const as_ops as_pipeline_offload_ops;
/* Any workload's blocking run on libuv's threadpool (executor.c): what
 * async runs for a workload with no native version. */
extern const as_ops as_executor_ops;
/* The ops of wl's native version for options o; NULL when it has none. */
const as_ops *as_native_ops(const wl_workload *wl, const as_options *o);

#endif
