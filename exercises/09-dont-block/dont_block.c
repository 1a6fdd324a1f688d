/*
 * dont_block.c - exercise 09: don't block the loop.  (Your file.)
 *
 * Python:                                  C with libuv:
 *   loop.call_soon(digest, job)  # blocks   a zero-delay uv_timer_t whose
 *                                           callback computes: the pitfall
 *   await loop.run_in_executor(             uv_queue_work(loop, &req,
 *       None, digest, job)                      work_cb, after_work_cb)
 *     # digest runs on a pool thread          work_cb: on a pool thread
 *     # the await resumes on the loop         after_work_cb: on the loop
 *
 * db_run_in_loop below is written: read it, run the test, and look at the
 * loop lag the test prints for it.  Then write db_run_offloaded.
 * Read README.md first.  Check your work with:  exercises/progress 09
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

/* ---- yours: the computation on libuv's threadpool ----------------------- */

int db_run_offloaded(uv_loop_t *loop, const db_job *jobs, int n,
                     db_compute_fn compute, void *arg, uint64_t *results) {
  /* TODO 1: a struct per job holding a uv_work_t (a request, not a
   *         handle: nothing to close), the job's index, and what the
   *         callbacks need (the job, compute, arg, a place for the value).
   *         calloc n of them; req.data points back at the struct.
   * TODO 2: the work callback, void work(uv_work_t *req): runs on a pool
   *         thread.  Call compute and keep the value in the job's own
   *         struct.  Touch nothing of the loop's from here.
   * TODO 3: the after-work callback, void after(uv_work_t *req, int
   *         status): back on the loop's thread.  status 0: store the value
   *         in results[index] and count the job done.
   * TODO 4: uv_queue_work(loop, &req, work, after) for every job, then
   *         uv_run(loop, UV_RUN_DEFAULT), which returns when every
   *         after-work has run.  Free the structs, return how many were
   *         done (-1 if a uv_queue_work failed). */
  (void)loop;
  (void)jobs;
  (void)n;
  (void)compute;
  (void)arg;
  (void)results;
  return 0;
}
