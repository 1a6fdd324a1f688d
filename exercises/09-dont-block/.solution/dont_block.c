/*
 * dont_block.c - exercise 09: don't block the loop.  (Reference solution.)
 *
 * A computation inside a loop callback holds the loop for as long as it
 * runs; uv_queue_work moves it to one of libuv's pool threads, and the loop
 * only hears about it again when it is done (after_work, on the loop's
 * thread).  The loop stays free, and the computations use every core.
 */
#include "dont_block.h"

#include <stdlib.h>

/* ---- the pitfall: computing inside a loop callback ---------------------- */

typedef struct in_loop_job {
  uv_timer_t timer;
  int index;
  const db_job *job;
  db_compute_fn compute;
  void *arg;
  uint64_t *results;
  int *done;
} in_loop_job;

static void in_loop_on_close(uv_handle_t *handle) { (void)handle; }

/* Runs on the loop's thread.  Until compute returns - tens of ms - the
 * loop cannot run any other callback: not another job, not a timer that
 * fell due, not a socket that became readable.  This is the blocking call
 * (time.sleep() in a coroutine is the same mistake). */
static void in_loop_on_timer(uv_timer_t *timer) {
  in_loop_job *j = timer->data;
  j->results[j->index] = j->compute(j->job, j->arg);
  (*j->done)++;
  uv_close((uv_handle_t *)timer, in_loop_on_close);
}

int db_run_in_loop(uv_loop_t *loop, const db_job *jobs, int n,
                   db_compute_fn compute, void *arg, uint64_t *results) {
  in_loop_job *js;
  int done = 0, rc = 0;

  if (n <= 0)
    return 0;
  js = calloc((size_t)n, sizeof *js);
  if (js == NULL)
    return -1;
  for (int i = 0; i < n; i++) {
    js[i] = (in_loop_job){.index = i, .job = &jobs[i], .compute = compute,
                          .arg = arg, .results = results, .done = &done};
    uv_timer_init(loop, &js[i].timer); /* cannot fail */
    js[i].timer.data = &js[i];
    rc = uv_timer_start(&js[i].timer, in_loop_on_timer, 0, 0);
    if (rc != 0) { /* close this one; those started still run */
      uv_close((uv_handle_t *)&js[i].timer, in_loop_on_close);
      break;
    }
  }
  uv_run(loop, UV_RUN_DEFAULT); /* every callback closes its own timer */
  free(js);
  return rc == 0 ? done : -1;
}

/* ---- the computation on libuv's threadpool ------------------------------ */

/* What every job's callbacks share. */
typedef struct offload_batch {
  const db_job *jobs;
  db_compute_fn compute;
  void *arg;
  uint64_t *results;
  int done;
} offload_batch;

typedef struct offload_job {
  uv_work_t req; /* a request, not a handle: nothing to close */
  int index;
  uint64_t value; /* written on the pool thread, read on the loop's */
  offload_batch *batch;
} offload_job;

/* On a pool thread.  It touches only its own job: the loop's thread reads
 * j->value later, after libuv has handed the request back (under libuv's
 * own lock, so the two threads never touch it at the same time). */
static void offload_work(uv_work_t *req) {
  offload_job *j = req->data;
  j->value = j->batch->compute(&j->batch->jobs[j->index], j->batch->arg);
}

/* Back on the loop's thread: slot index, whatever the finishing order. */
static void offload_after(uv_work_t *req, int status) {
  offload_job *j = req->data;
  if (status != 0) /* UV_ECANCELED: uv_cancel took it off the queue */
    return;
  j->batch->results[j->index] = j->value;
  j->batch->done++;
}

int db_run_offloaded(uv_loop_t *loop, const db_job *jobs, int n,
                     db_compute_fn compute, void *arg, uint64_t *results) {
  offload_batch batch = {jobs, compute, arg, results, 0};
  offload_job *js;
  int rc = 0;

  if (n <= 0)
    return 0;
  js = calloc((size_t)n, sizeof *js);
  if (js == NULL)
    return -1;
  for (int i = 0; i < n && rc == 0; i++) {
    js[i].index = i;
    js[i].batch = &batch;
    js[i].req.data = &js[i];
    rc = uv_queue_work(loop, &js[i].req, offload_work, offload_after);
  }
  /* Even after a failure, the jobs already queued must come back before
   * their memory is freed: run the loop until they have. */
  uv_run(loop, UV_RUN_DEFAULT);
  free(js);
  return rc == 0 ? batch.done : -1;
}
