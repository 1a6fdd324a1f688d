/*
 * worker.h - one worker process and the two pipes that reach it.
 *
 *   parent --task_fd-->  [ task pipe ]   --> child: read a task, run it
 *   parent <--result_fd- [ result pipe ] <-- child: write its result
 *
 * The parent keeps one end of each pipe; the child keeps the other two.
 * Closing task_fd tells the child there is no more work: it reads end of
 * file and exits.  The child exiting, for any reason, closes its end of the
 * result pipe, so the parent reads end of file: that is how a death is seen.
 */
#ifndef CONCLAB_MULTIPROC_WORKER_H
#define CONCLAB_MULTIPROC_WORKER_H

#include <stdint.h>
#include <sys/types.h>

#include "multiproc.h"

/* The frames' payloads.  Fixed-width fields and no padding, so the bytes
 * that cross the pipe are all written (valgrind checks that). */
typedef struct mp_task_msg {
  uint32_t index;
  uint32_t reserved; /* always 0 */
  uint64_t a, b;
} mp_task_msg;

typedef struct mp_result_msg {
  uint32_t index;
  uint32_t status; /* a wl_status */
  uint64_t value;
  int32_t http_status, retries, connects; /* wl_slot's http fields */
  uint32_t compute_us;                    /* pipeline's compute step */
  int64_t t_start_ns, t_end_ns; /* when the child ran it (CLOCK_MONOTONIC,
                                 * the same clock in every process) */
  int64_t step_start_ns, step_end_ns; /* its compute step (0: none noted),
                                       * for the timeline's phases */
} mp_result_msg;

/* A result frame: the result, then (in the first frame after it) the line
 * the worker reported, if any (wl_report_to): without its "\0", so the
 * frame's length says whether there is one. */
typedef struct mp_result_frame {
  mp_result_msg res;
  char note[WL_REPORT_MAX];
} mp_result_frame;

typedef struct mp_worker {
  pid_t pid;     /* 0 when no process */
  int task_fd;   /* parent's write end of the task pipe, or -1 */
  int result_fd; /* parent's read end of the result pipe, or -1 */
  int task;      /* the task it holds, or -1 when idle */
  int64_t sent_ns; /* when that task was sent (a lost task's start) */
  int64_t deadline_ns; /* --timeout-ms: past it, the worker is killed; 0:
                        * none (no limit, or nothing to wait for) */
} mp_worker;

/* Fork worker `self` of `all[0..n)`.  The child closes every other worker's
 * pipe ends (so their end of file still means something), opens its own
 * worker state (http: one curl handle), then serves tasks until its task
 * pipe closes.  0 in the parent, -1 if the pipes or the fork failed
 * (printed). */
int mp_worker_spawn(mp_worker *all, int n, int self, const wl_workload *wl,
                    const wl_params *p);
/* Close the parent's ends and wait4 the process, adding its usage.  Counts a
 * worker that did not exit with status 0 as lost. */
void mp_worker_reap(mp_worker *w, mp_usage *usage);

#endif
