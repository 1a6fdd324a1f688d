/*
 * async/native.c - which workloads have a native version on the loop, and
 * which of its variants a run asks for.
 *
 * A workload descriptor cannot point at async code (the model sits above
 * the workloads), so the model keeps this table: each workload with its
 * ops, and the ops of its variants (--offload: the CPU step on libuv's
 * threadpool; --blocking-in-loop: the pitfall).  A new workload with a
 * native version adds its row here; one without runs on the threadpool
 * (executor.c).
 */
#include "async.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct as_native {
  const wl_workload *wl;
  const as_ops *ops;      /* on the loop */
  const as_ops *offload;  /* --offload, or NULL: none (ops runs) */
  const as_ops *blocking; /* --blocking-in-loop, or NULL: none */
  const as_ops *curl;     /* --client curl, or NULL: none */
} as_native;

static const as_native natives[] = {
    {&wl_sleep, &as_sleep_ops, NULL, &as_sleep_blocking_ops, NULL},
    {&wl_primes, &as_primes_in_loop_ops, &as_primes_offload_ops, NULL, NULL},
    /* its own client by default; libcurl's multi handle on request */
    {&wl_http, &as_fetch_ops, NULL, NULL, &as_http_ops},
    /* every uv_fs_* call runs on the threadpool */
    {&wl_files, &as_files_ops, NULL, NULL, NULL},
    {&wl_pipeline, &as_pipeline_in_loop_ops, &as_pipeline_offload_ops, NULL,
     NULL},
};

static const as_native *native_of(const wl_workload *wl) {
  for (size_t i = 0; i < sizeof natives / sizeof natives[0]; i++)
    if (natives[i].wl == wl)
      return &natives[i];
  return NULL;
}

const as_ops *as_native_ops(const wl_workload *wl, const as_options *o) {
  const as_native *n = native_of(wl);

  if (n == NULL)
    return NULL;
  if (o->blocking_in_loop && n->blocking != NULL)
    return n->blocking;
  if (o->offload && n->offload != NULL)
    return n->offload;
  return n->ops;
}

/* libuv reads UV_THREADPOOL_SIZE once, when the first work is queued in the
 * process, so it has to be set before that.  Each measured run is a fresh
 * process, so each gets the size it asks for. */
static void set_threadpool_size(int size) {
  char text[16];
  snprintf(text, sizeof text, "%d", size);
  setenv("UV_THREADPOOL_SIZE", text, 1);
}

int as_run(const wl_workload *wl, const wl_params *p, const as_options *o,
           wl_slot *slots, wl_span *spans, as_lag_summary *lag) {
  const as_ops *ops = as_native_ops(wl, o);
  const as_native *n = native_of(wl);

  if (n != NULL && n->curl != NULL && p->client == WL_CLIENT_CURL)
    ops = n->curl;

  if (ops == NULL) /* run_in_executor: no native version (yet) */
    ops = &as_executor_ops;
  if (o->threadpool_size > 0)
    set_threadpool_size(o->threadpool_size);
  return as_batch_run(wl, p, slots, spans, ops, lag, o->lag_timeline);
}
