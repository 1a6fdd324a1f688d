/*
 * trace.h - a batch's timeline as Chrome Trace Event JSON (--trace FILE).
 *
 * With --trace, every model records when each task started and ended
 * (wl_span: t_start_ns, t_end_ns) and who ran it (wl_slot: worker); async
 * also keeps its loop-lag samples.  run_trace_write turns that into the
 * JSON that Perfetto (ui.perfetto.dev) and chrome://tracing open: one
 * track per worker (a thread; async: one per semaphore permit, all on the
 * loop), one bar per task, and for async a "loop lag" counter.  A
 * multiproc worker is a process of its own in the file: its real pid
 * (wl_span.pid), named "worker N".
 * Sequential, concurrent and parallel can then be told apart at a glance.
 * run_trace_read_tasks reads the tasks back (for the timeline plot).
 */
#ifndef CONCLAB_TRACE_H
#define CONCLAB_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "lag.h"
#include "workload.h"

/* What one trace shows.  Times are CLOCK_MONOTONIC in ns; the file gives
 * them in microseconds after t0_ns. */
typedef struct run_trace_batch {
  const char *workload, *model, *variant; /* model: "seq", "async", ... */
  int pid; /* the run's own process (0: written as 1) */
  int tasks, concurrency;
  uint64_t checksum;
  int64_t t0_ns, t1_ns;      /* the batch's span: wall = t1 - t0 */
  const wl_slot *slots;      /* tasks of them, in index order */
  const wl_span *spans;      /* tasks of them: when each ran */
  const as_lag_sample *lag;  /* async: lag_n samples, in time order */
  int lag_n;
  long *slot_reads; /* if not NULL: += the slots the writer read (a test
                       counts the writer's work instead of timing it) */
} run_trace_batch;

/* Write b to out.  Reads no clock: the same batch gives the same bytes.  A
 * time outside the span is clamped into it (a task no worker ever took has
 * no times: it shows as an empty bar at 0).  0, or -1 if out has an error. */
int run_trace_write(FILE *out, const run_trace_batch *b);

/* One task as read back from a trace. */
typedef struct run_trace_task {
  int index;
  int worker;           /* who ran it: 0 for seq and async, else 0..C-1 */
  int track;            /* its row: the worker, or async's permit 0..C-1 */
  int pid;              /* the process it ran in (multiproc: a worker's) */
  double start_s, end_s; /* after the batch's start */
  char status[8];       /* "ok", "error", "timeout" */
  /* its compute step, where the workload notes one (has_compute 1):
   * off_thread the pool thread that ran it (async --offload), or -1 the
   * task's own thread */
  int has_compute, off_thread;
  double off_start_s, off_end_s;
} run_trace_task;

/* Read the tasks of a trace that run_trace_write wrote, each with its
 * compute step where it has one, in file order (index order), into a
 * malloc'd array (*out, *n; the caller frees *out).  0, or -1
 * (printed) if the file cannot be read, is not a trace, or a task's event
 * lacks a field.  The file is parsed whole (a tree: fine for the small
 * batches the figures trace, not for a million tasks). */
int run_trace_read_tasks(const char *path, run_trace_task **out, int *n);

/* The file itself, written atomically: run_trace_file_check before the batch
 * (can the file be made? a missing directory is bad input, found before
 * the work is done), run_trace_file_write after it (atomic.h: a temporary name
 * in the same directory, then rename; removed if a signal comes).  Both
 * 0, or -1 with one line in err. */
int run_trace_file_check(const char *path, char *err, size_t errlen);
int run_trace_file_write(const char *path, const run_trace_batch *b, char *err,
                         size_t errlen);

#endif
