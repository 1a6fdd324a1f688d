/*
 * span.c - the timing helper: when each task ran, for the timeline.
 *
 * Bookkeeping, kept out of the models' batch code: each batch calls begin
 * and end (or set) once per task, and these note the clock only when the
 * run keeps a timeline (--trace).  Untraced, a task costs no clock reads
 * and no memory for its times.
 *
 * A task's steps (pipeline's compute) are noted by the workload itself,
 * which knows neither the batch nor the model running it: whoever runs a
 * task on a thread makes its span this thread's current one for that
 * long, and wl_span_step_begin/end write into it - or do nothing when
 * there is none (untraced, or a step run where no task is current).
 */
#include "workload.h"

void wl_span_begin(wl_span *spans, uint32_t i) {
  if (spans != NULL)
    spans[i].t_start_ns = wl_now_ns();
}

void wl_span_end(wl_span *spans, uint32_t i) {
  if (spans != NULL)
    spans[i].t_end_ns = wl_now_ns();
}

void wl_span_set(wl_span *spans, uint32_t i, int64_t start, int64_t end) {
  if (spans != NULL) {
    spans[i].t_start_ns = start;
    spans[i].t_end_ns = end;
  }
}

/* Per thread: a pool thread, a worker process and the loop each run one
 * task's step at a time. */
static _Thread_local wl_span *current;

void wl_span_enter(wl_span *spans, uint32_t i) {
  current = spans != NULL ? &spans[i] : NULL;
}

void wl_span_leave(void) { current = NULL; }

void wl_span_step_begin(void) {
  if (current != NULL) {
    current->off_thread = -1; /* on the task's own thread */
    current->off_start_ns = wl_now_ns();
  }
}

void wl_span_step_end(void) {
  if (current != NULL)
    current->off_end_ns = wl_now_ns();
}
