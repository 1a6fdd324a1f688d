/*
 * run.c - `conclab run`: one batch, one model, measured.
 *
 * The clock covers the whole batch: creating the loop, the threads or the
 * processes, running every task, and stopping them again.  CPU time and
 * context switches are this process's (all its threads) plus, for
 * multiproc, every worker's, from wait4.  Peak memory is this process's
 * peak plus the sum of the workers' peaks.
 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "async.h"
#include "base.h"
#include "json.h"
#include "version.h"
#include "multiproc.h"
#include "threaded.h"
#include "trace.h"

static double tv_s(struct timeval tv) {
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* The libuv threadpool size to set for an async run, or 0 to leave it
 * as it is: --threadpool T if given; else for offloaded CPU work one
 * thread per task in flight (primes), at most one per core for work that
 * also writes files (pipeline), whose saves queue behind the digests on
 * the same pool. */
static int async_pool_size(const run_opts *o) {
  int c = o->params.concurrency;

  if (o->threadpool > 0)
    return o->threadpool;
  if (!o->offload)
    return 0; /* libuv's own: UV_THREADPOOL_SIZE from the environment, or 4 */
  if (o->wl->writes_dir && c > base_cores())
    c = base_cores();
  return c < AS_THREADPOOL_MAX ? c : AS_THREADPOOL_MAX;
}

/* Whether an async run starts libuv's threadpool: uv_fs_* (files, the
 * saves of pipeline) and uv_queue_work (--offload, and every task of a
 * workload with no native async version) run on it. */
static int uses_pool(const run_opts *o) {
  as_options ao = {.offload = o->offload,
                   .blocking_in_loop = o->blocking_in_loop};
  return o->model == RUN_ASYNC &&
         (o->offload || o->wl->writes_dir || as_native_ops(o->wl, &ao) == NULL);
}

static int run_batch(const run_opts *o, wl_slot *slots, wl_span *spans,
                     mp_usage *mp, run_result *r,
                     as_lag_timeline *lag_timeline) {
  const wl_params *p = &o->params;
  switch (o->model) {
  case RUN_SEQ:
    return seq_run(o->wl, p, slots, spans);
  case RUN_ASYNC: {
    as_options ao = {.offload = o->offload,
                     .blocking_in_loop = o->blocking_in_loop,
                     .threadpool_size = async_pool_size(o),
                     .lag_timeline = lag_timeline};
    as_lag_summary lag;
    int rc;
    if (uses_pool(o))
      r->threadpool_size = as_threadpool_size(ao.threadpool_size);
    rc = as_run(o->wl, p, &ao, slots, spans, &lag);
    r->lag_samples = lag.samples;
    r->lag_p50_ms = lag.p50_ms;
    r->lag_p99_ms = lag.p99_ms;
    r->lag_max_ms = lag.max_ms;
    return rc;
  }
  case RUN_THREADED:
    return th_run(o->wl, p, slots, spans);
  case RUN_MULTIPROC:
    return mp_run(o->wl, p, slots, spans, mp);
  }
  return -1;
}

/* --trace: the timeline of the batch just run, written atomically. */
static int write_trace(const run_opts *o, const run_result *r,
                       const wl_slot *slots, const wl_span *spans,
                       int64_t t0, int64_t t1,
                       const as_lag_timeline *lag) {
  run_trace_batch b = {.workload = o->wl->name,
                .model = run_model_names[o->model],
                .pid = (int)getpid(),
                .variant = run_variant(o),
                .tasks = o->params.tasks,
                .concurrency = o->params.concurrency,
                .checksum = r->checksum,
                .t0_ns = t0,
                .t1_ns = t1,
                .slots = slots,
                .spans = spans,
                .lag = lag->samples,
                .lag_n = lag->n};
  char err[BASE_PATH_MAX + 200];

  if (run_trace_file_write(o->trace, &b, err, sizeof err) != 0) {
    fprintf(stderr, "conclab: %s\n", err);
    return -1;
  }
  return 0;
}

/* The tasks' outcomes, counted into r, and their checksum. */
static void count_results(const wl_slot *slots, int n, run_result *r) {
  for (int i = 0; i < n; i++) {
    const wl_slot *s = &slots[i];
    if (s->status == WL_OK)
      r->ok++;
    else
      r->failed++;
    if (s->status == WL_TIMEOUT)
      r->timeouts++;
    if (s->status == WL_ERROR && s->http_status != 0)
      r->http_errors++;
    if (s->status == WL_ERROR && s->http_status == 0)
      r->conn_errors++;
    r->retries += s->retries;
    r->connects += s->connects;
    if (s->status == WL_OK)
      r->compute_ms += s->compute_us / 1000.0;
  }
  if (r->ok > 0)
    r->compute_ms /= r->ok; /* the mean step of the tasks that got that far */
  r->checksum = wl_checksum(slots, n);
}

int run_exec(const run_opts *o, run_result *r) {
  struct rusage before, after;
  mp_usage mp = {0};
  as_lag_timeline lag = {NULL, 0};
  wl_slot *slots;
  wl_span *spans = NULL; /* the timeline: only a traced run keeps one */
  int64_t t0, t1;
  int rc;

  memset(r, 0, sizeof *r);
  slots = calloc((size_t)o->params.tasks, sizeof *slots);
  if (o->trace != NULL)
    spans = calloc((size_t)o->params.tasks, sizeof *spans);
  if (slots == NULL || (o->trace != NULL && spans == NULL)) {
    free(slots);
    free(spans);
    fprintf(stderr, "conclab: run: out of memory for %d result slots\n",
            o->params.tasks);
    return -1;
  }

  wl_report_reset(); /* this run's first error is printed */
  getrusage(RUSAGE_SELF, &before);
  t0 = wl_now_ns(); /* the tasks' clock, so the trace lines up */
  rc = run_batch(o, slots, spans, &mp, r, o->trace != NULL ? &lag : NULL);
  t1 = wl_now_ns();
  r->wall_s = (double)(t1 - t0) / 1e9;
  getrusage(RUSAGE_SELF, &after);

  r->user_s = tv_s(after.ru_utime) - tv_s(before.ru_utime) + mp.user_s;
  r->sys_s = tv_s(after.ru_stime) - tv_s(before.ru_stime) + mp.sys_s;
  r->vol_ctx = after.ru_nvcsw - before.ru_nvcsw + mp.vol_ctx;
  r->invol_ctx = after.ru_nivcsw - before.ru_nivcsw + mp.invol_ctx;
  r->max_rss_kb = after.ru_maxrss + mp.max_rss_kb_sum;
  r->workers = mp.workers_started;
  r->workers_lost = mp.workers_lost;
  count_results(slots, o->params.tasks, r);
  if (rc == 0 && o->trace != NULL)
    rc = write_trace(o, r, slots, spans, t0, t1, &lag);
  free(lag.samples);
  free(spans);
  free(slots);
  return rc;
}

/* What the workload's own lines report, from the run's results. */
static wl_measured measured(const run_opts *o, const run_result *r) {
  wl_measured m = {.mb_per_s = wl_mb_per_s(o->wl, &o->params, r->ok,
                                           r->wall_s),
                   .compute_ms = r->compute_ms,
                   .timeouts = r->timeouts,
                   .http_errors = r->http_errors,
                   .conn_errors = r->conn_errors,
                   .retries = r->retries,
                   .connects = r->connects};
  return m;
}

/* The workload's own --json fields (its descriptor's table), in order. */
static void json_workload_fields(base_json_writer *w, const run_opts *o,
                                 const wl_measured *m) {
  const wl_params *p = &o->params;
  for (int k = 0; k < o->wl->njson; k++) {
    const wl_field *f = &o->wl->json[k];
    const void *at = (f->measured ? (const char *)m : (const char *)p) +
                     f->field;
    int applies = wl_endpoint_applies(f->endpoints, p);
    switch (f->kind) {
    case WL_VALUE_INT:
      base_json_int(w, f->key, applies ? *(const int *)at : 0);
      break;
    case WL_VALUE_INT64:
      base_json_int(w, f->key, applies ? *(const int64_t *)at : 0);
      break;
    case WL_VALUE_NUM:
      base_json_num(w, f->key, applies ? *(const double *)at : 0);
      break;
    case WL_VALUE_TEXT:
      base_json_str(w, f->key, *(const char *const *)at);
      break;
    case WL_VALUE_NAME:
      base_json_str(w, f->key, f->names[*(const int *)at]);
      break;
    case WL_VALUE_NOT:
      base_json_int(w, f->key, !*(const int *)at);
      break;
    }
  }
}

const char *run_impl = NULL;
run_model run_impl_model = RUN_SEQ;

void run_print(FILE *out, const run_opts *o, const run_result *r) {
  const char *variant = run_variant(o);
  fprintf(out, "%s on %s%s%s: %d tasks, concurrency %d\n", o->wl->name,
          run_model_names[o->model], *variant ? " " : "", variant,
          o->params.tasks, o->params.concurrency);
  if (run_impl != NULL && o->model == run_impl_model)
    fprintf(out, "  impl: %s\n", run_impl);
  fprintf(out, "  wall %.4f s, user %.4f s, sys %.4f s, peak RSS %ld KiB\n",
          r->wall_s, r->user_s, r->sys_s, r->max_rss_kb);
  fprintf(out, "  context switches: %ld voluntary, %ld involuntary\n",
          r->vol_ctx, r->invol_ctx);
  if (r->threadpool_size > 0)
    fprintf(out, "  libuv threadpool: %d threads\n", r->threadpool_size);
  if (o->model == RUN_ASYNC)
    fprintf(out, "  loop lag: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d "
            "probes)\n", r->lag_p50_ms, r->lag_p99_ms, r->lag_max_ms,
            r->lag_samples);
  if (o->model == RUN_MULTIPROC)
    fprintf(out, "  workers: %d forked, %d lost\n", r->workers,
            r->workers_lost);
  if (o->wl->print_run != NULL) {
    wl_measured m = measured(o, r);
    o->wl->print_run(out, &o->params, &m);
  }
  fprintf(out, "  tasks: %d ok, %d failed", r->ok, r->failed);
  if (r->timeouts > 0)
    fprintf(out, " (%d past --timeout-ms)", r->timeouts);
  fprintf(out, "; checksum %016llx\n", (unsigned long long)r->checksum);
}

void run_print_json(FILE *out, const run_opts *o, const run_result *r) {
  char checksum[17];
  wl_measured m;
  base_json_writer w;

  snprintf(checksum, sizeof checksum, "%016llx",
           (unsigned long long)r->checksum);
  base_json_begin(&w, out);
  base_json_stamp(w.obj);
  base_json_str(&w, "workload", o->wl->name);
  base_json_str(&w, "model", run_model_names[o->model]);
  base_json_str(&w, "variant", run_variant(o));
  if (run_impl != NULL && o->model == run_impl_model)
    base_json_str(&w, "impl", run_impl);
  base_json_int(&w, "tasks", o->params.tasks);
  base_json_int(&w, "concurrency", o->params.concurrency);
  base_json_int(&w, "delay_ms", o->params.delay_ms);
  base_json_int(&w, "delay_spread_ms", o->params.delay_spread_ms);
  base_json_int(&w, "limit", o->params.limit);
  base_json_int(&w, "threadpool_size", r->threadpool_size);
  base_json_int(&w, "workers", r->workers);
  base_json_int(&w, "workers_lost", r->workers_lost);
  base_json_num(&w, "wall_s", r->wall_s);
  base_json_num(&w, "user_s", r->user_s);
  base_json_num(&w, "sys_s", r->sys_s);
  base_json_int(&w, "max_rss_kb", r->max_rss_kb);
  base_json_int(&w, "vol_ctx", r->vol_ctx);
  base_json_int(&w, "invol_ctx", r->invol_ctx);
  base_json_int(&w, "ok", r->ok);
  base_json_int(&w, "failed", r->failed);
  base_json_int(&w, "timeouts", r->timeouts);
  if (o->model == RUN_ASYNC) {
    base_json_num(&w, "loop_lag_p50_ms", r->lag_p50_ms);
    base_json_num(&w, "loop_lag_p99_ms", r->lag_p99_ms);
    base_json_num(&w, "loop_lag_max_ms", r->lag_max_ms);
    base_json_int(&w, "loop_lag_samples", r->lag_samples);
  }
  m = measured(o, r);
  json_workload_fields(&w, o, &m);
  base_json_str(&w, "checksum", checksum);
  base_json_end(&w);
}

/* ---- around the batch: its server and its directory ---------------------- */

int run_whole(run_opts *o, run_where *at, run_result *r) {
  pid_t server = 0;
  int rc, serves = o->wl->serves, writes = o->wl->writes_dir;
  char why[256];

  if (serves && o->params.url == NULL) {
    /* This very program, by its real path: under valgrind, /proc/self/exe
     * itself names valgrind, but readlink is answered for the client. */
    char exe[BASE_PATH_MAX];
    if (base_self_exe(exe, sizeof exe) != 0) {
      fprintf(stderr, "conclab: %s: cannot find my own program: %s\n",
              o->wl->name, strerror(errno));
      return 1;
    }
    if (run_server_start(o->wl->name, exe, at->url, sizeof at->url, &server) !=
        0)
      return 1;
    o->params.url = at->url;
  }
  /* After the server, a process that ulimit -u counts too; before the
   * directory, so that nothing is left in it when this fails. */
  if (uses_pool(o) &&
      as_threadpool_check(async_pool_size(o), why, sizeof why) != 0) {
    fprintf(stderr, "conclab: %s: %s\n", o->wl->name, why);
    if (server > 0)
      run_server_stop(o->wl->name, server);
    return 1;
  }
  if (writes) {
    if (run_workdir_open(o->wl->name, o->params.dir, o->params.tasks, at->dir,
                         sizeof at->dir) != 0) {
      if (server > 0)
        run_server_stop(o->wl->name, server);
      return 1;
    }
    o->params.dir = at->dir;
  }
  rc = run_exec(o, r);
  if (server > 0 && run_server_stop(o->wl->name, server) != 0)
    rc = -1;
  if (writes)
    run_workdir_close();
  return rc != 0 ? 1 : 0;
}
