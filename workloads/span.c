/*
 * span.c - the timing helper: when each task ran, for the timeline.
 *
 * Bookkeeping, kept out of the models' batch code: each batch calls begin
 * and end (or set) once per task, and these note the clock only when the
 * run keeps a timeline (--trace).  Untraced, a task costs no clock reads
 * and no memory for its times.
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
