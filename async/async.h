/*
 * async.h - the libuv model: one event loop per batch, one thread.
 *
 * asyncio.run(main())            ->  as_run(): uv_loop_init, uv_run, uv_loop_close
 * create_task(...) + gather(...) ->  start N operations, count completions,
 *                                    each result stored in its task's slot
 * Semaphore(C)                   ->  as_sem: at most C operations in flight
 * run_in_executor(None, f)       ->  uv_queue_work (primes, pipeline: --offload)
 * aiohttp.ClientSession          ->  one curl multi handle on the loop (http)
 * time.sleep() in a coroutine    ->  sleep --blocking-in-loop: the pitfall,
 *                                    made visible by the loop-lag probe
 */
#ifndef CONCLAB_ASYNC_H
#define CONCLAB_ASYNC_H

#include <stdatomic.h>
#include <uv.h>

#include "lag.h"
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

/* Run a batch on a fresh loop.  Returns 0 when the batch ran (each task's
 * outcome is in its slot), -1 when the loop itself failed.  The loop's lag
 * over the batch goes into *lag (when not NULL). */
int as_run(const wl_workload *wl, const wl_params *p, const as_options *o,
           wl_slot *slots, as_lag_summary *lag);

/* --- inside the model: the batch and its tasks ------------------------- */

typedef struct as_batch as_batch;

/* One task of a batch: its input, its place in the semaphore's queue, and
 * the one libuv handle or request its operation uses. */
typedef struct as_task {
  as_batch *batch;
  wl_task input;
  as_waiter waiter;
  union {
    uv_timer_t timer; /* sleep; primes in the loop */
    uv_work_t work;   /* primes offloaded to the threadpool */
  } op;
  wl_slot result; /* filled off the loop thread by offloaded work */
} as_task;

/* How a workload runs on the loop: start one task; and, optionally, make
 * state the whole batch shares once the loop exists (http: the curl multi
 * handle) and free it after the loop has run. */
typedef struct as_ops {
  void (*start)(as_task *t);
  int (*open)(as_batch *b);   /* 0, or -1 (printed) */
  void (*close)(as_batch *b); /* may uv_close handles: the loop runs again */
} as_ops;

struct as_batch {
  uv_loop_t loop;
  const wl_params *params;
  wl_slot *slots;
  as_sem sem;
  int done;
  const as_ops *ops;
  void *data; /* the workload's shared state, from ops->open */
  as_lag lag; /* the loop-lag probe, running for the whole batch */
  /* Permit numbers, for the timeline: a finished task's number is pushed
   * here before its permit is released, and the next start takes it.  A
   * task's number (lane) and start time wait in its slot until it ends. */
  int *free_permits, nfree, next_permit;
  unsigned long id;        /* this batch among the process's batches */
  atomic_int pool_threads; /* threadpool threads that ran a step for it */
};

/* Gather: make the loop, start every task under the semaphore, run the loop
 * until all are done, and close it.  The lag samples go to *timeline when
 * it is not NULL (see as_options). */
int as_batch_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
                 const as_ops *ops, as_lag_summary *lag,
                 as_lag_timeline *timeline);
/* A task's operation has completed: store its result in its slot (with
 * its start and end times; worker 0, the loop) and give its permit to the
 * next waiting task. */
void as_task_done(as_task *t, wl_status status, uint64_t value);
/* The same, with the whole result (http's status, retries, connections). */
void as_task_finish(as_task *t, const wl_slot *result);

/* An offloaded step, on a threadpool thread: note in out when it began
 * and on which pool thread, then when it ended (for the timeline). */
void as_offload_begin(as_task *t, wl_slot *out);
void as_offload_end(wl_slot *out);

/* The per-workload starts (async/sleep.c, async/primes.c). */
void as_sleep_start(as_task *t);
void as_sleep_start_blocking(as_task *t);
void as_primes_start_in_loop(as_task *t);
void as_primes_start_offload(as_task *t);
extern const as_ops as_http_ops;
void as_files_start(as_task *t);
extern const as_ops as_pipeline_in_loop_ops;
extern const as_ops as_pipeline_offload_ops;

#endif
