/*
 * run.c - `conclab run`: one batch, one model, measured.
 *
 * The clock covers the whole batch: creating the loop, the threads or the
 * processes, running every task, and stopping them again.  CPU time and
 * context switches are this process's (all its threads) plus, for
 * multiproc, every worker's, from wait4.  Peak memory is this process's
 * peak plus the sum of the workers' peaks.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "async.h"
#include "json.h"
#include "multiproc.h"
#include "threaded.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv) {
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static int run_model(const cl_run_opts *o, wl_slot *slots, mp_usage *mp,
                     cl_run_result *r) {
  const wl_params *p = &o->params;
  switch (o->model) {
  case CL_SEQ:
    return seq_run(o->wl, p, slots);
  case CL_ASYNC: {
    as_options ao = {.offload = o->offload};
    ao.threadpool_size = p->concurrency < AS_THREADPOOL_MAX
                             ? p->concurrency : AS_THREADPOOL_MAX;
    if (o->offload)
      r->threadpool_size = ao.threadpool_size;
    return as_run(o->wl, p, &ao, slots);
  }
  case CL_THREADED:
    return th_run(o->wl, p, slots);
  case CL_MULTIPROC:
    return mp_run(o->wl, p, slots, mp);
  }
  return -1;
}

int cl_run_exec(const cl_run_opts *o, cl_run_result *r) {
  struct rusage before, after;
  mp_usage mp = {0};
  wl_slot *slots;
  double t0;
  int rc;

  memset(r, 0, sizeof *r);
  slots = calloc((size_t)o->params.tasks, sizeof *slots);
  if (slots == NULL) {
    fprintf(stderr, "conclab: run: out of memory for %d result slots\n",
            o->params.tasks);
    return -1;
  }

  getrusage(RUSAGE_SELF, &before);
  t0 = now_s();
  rc = run_model(o, slots, &mp, r);
  r->wall_s = now_s() - t0;
  getrusage(RUSAGE_SELF, &after);

  r->user_s = tv_s(after.ru_utime) - tv_s(before.ru_utime) + mp.user_s;
  r->sys_s = tv_s(after.ru_stime) - tv_s(before.ru_stime) + mp.sys_s;
  r->vol_ctx = after.ru_nvcsw - before.ru_nvcsw + mp.vol_ctx;
  r->invol_ctx = after.ru_nivcsw - before.ru_nivcsw + mp.invol_ctx;
  r->max_rss_kb = after.ru_maxrss + mp.max_rss_kb_sum;
  r->workers = mp.workers_started;
  r->workers_lost = mp.workers_lost;
  for (int i = 0; i < o->params.tasks; i++) {
    if (slots[i].status == WL_OK)
      r->ok++;
    else
      r->failed++;
    if (slots[i].status == WL_TIMEOUT)
      r->timeouts++;
  }
  r->checksum = wl_checksum(slots, o->params.tasks);
  free(slots);
  return rc;
}

void cl_run_print(FILE *out, const cl_run_opts *o, const cl_run_result *r) {
  const char *variant = cl_variant(o);
  fprintf(out, "%s on %s%s%s: %d tasks, concurrency %d\n", o->wl->name,
          cl_model_names[o->model], *variant ? " " : "", variant,
          o->params.tasks, o->params.concurrency);
  fprintf(out, "  wall %.4f s, user %.4f s, sys %.4f s, peak RSS %ld KiB\n",
          r->wall_s, r->user_s, r->sys_s, r->max_rss_kb);
  fprintf(out, "  context switches: %ld voluntary, %ld involuntary\n",
          r->vol_ctx, r->invol_ctx);
  if (r->threadpool_size > 0)
    fprintf(out, "  libuv threadpool: %d threads\n", r->threadpool_size);
  if (o->model == CL_MULTIPROC)
    fprintf(out, "  workers: %d forked, %d lost\n", r->workers,
            r->workers_lost);
  fprintf(out, "  tasks: %d ok, %d failed; checksum %016llx\n", r->ok,
          r->failed, (unsigned long long)r->checksum);
}

void cl_run_print_json(FILE *out, const cl_run_opts *o,
                       const cl_run_result *r) {
  char checksum[17];
  jw w;

  snprintf(checksum, sizeof checksum, "%016llx",
           (unsigned long long)r->checksum);
  jw_begin(&w, out);
  jw_str(&w, "workload", o->wl->name);
  jw_str(&w, "model", cl_model_names[o->model]);
  jw_str(&w, "variant", cl_variant(o));
  jw_int(&w, "tasks", o->params.tasks);
  jw_int(&w, "concurrency", o->params.concurrency);
  jw_int(&w, "delay_ms", o->params.delay_ms);
  jw_int(&w, "delay_spread_ms", o->params.delay_spread_ms);
  jw_int(&w, "limit", o->params.limit);
  jw_int(&w, "threadpool_size", r->threadpool_size);
  jw_int(&w, "workers", r->workers);
  jw_int(&w, "workers_lost", r->workers_lost);
  jw_num(&w, "wall_s", r->wall_s);
  jw_num(&w, "user_s", r->user_s);
  jw_num(&w, "sys_s", r->sys_s);
  jw_int(&w, "max_rss_kb", r->max_rss_kb);
  jw_int(&w, "vol_ctx", r->vol_ctx);
  jw_int(&w, "invol_ctx", r->invol_ctx);
  jw_int(&w, "ok", r->ok);
  jw_int(&w, "failed", r->failed);
  jw_int(&w, "timeouts", r->timeouts);
  jw_str(&w, "checksum", checksum);
  jw_end(&w);
}

/* The parent holds two pipe ends per worker (and briefly four while it
 * forks one).  main raised the soft limit to the hard one; if that is
 * still too low, say so now rather than fail halfway through the forks. */
static int enough_fds(int workers) {
  struct rlimit rl;
  rlim_t need = (rlim_t)workers * 2 + 32;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
    return 1;
  fprintf(stderr, "conclab: --concurrency: %d worker processes need about "
          "%lu open files, but the limit is %lu (ulimit -n): allowed here "
          "1..%lu\n", workers, (unsigned long)need,
          (unsigned long)rl.rlim_cur,
          rl.rlim_cur > 34 ? (unsigned long)(rl.rlim_cur - 32) / 2 : 1UL);
  return 0;
}

int cl_cmd_run(int argc, char **argv) {
  cl_run_opts o;
  cl_run_result r;
  char err[256];

  switch (cl_run_parse(argc, argv, &o, err, sizeof err)) {
  case CL_PARSE_HELP:
    cl_run_help(stdout);
    return 0;
  case CL_PARSE_USAGE:
    fprintf(stderr, "conclab: %s\n", err);
    return 2;
  }
  if (o.model == CL_MULTIPROC &&
      !enough_fds(o.params.concurrency < o.params.tasks ? o.params.concurrency
                                                        : o.params.tasks))
    return 2;
  if (cl_run_exec(&o, &r) != 0)
    return 1;
  if (o.json)
    cl_run_print_json(stdout, &o, &r);
  else
    cl_run_print(stdout, &o, &r);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "conclab: run: writing the results: %s\n",
            strerror(errno));
    return 1;
  }
  return r.failed > 0 ? 3 : 0;
}
