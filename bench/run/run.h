/*
 * run.h - one run: its options (parsed from `conclab run`'s argv), the
 * batch measured, its output; the server and directory around it.
 */
#ifndef CONCLAB_RUN_H
#define CONCLAB_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "workload.h"

typedef enum run_model {
  RUN_SEQ,
  RUN_ASYNC,
  RUN_THREADED,
  RUN_MULTIPROC
} run_model;
extern const char *const run_model_names[]; /* indexed by run_model */

/* Upper bounds, stated in --help and in every range error. */
#define RUN_MAX_TASKS 1000000
#define RUN_MAX_C_ASYNC 1000000
#define RUN_MAX_C_THREADED 20000
#define RUN_MAX_C_MULTIPROC 2000
#define RUN_MAX_DELAY_MS WL_MAX_DELAY_MS
#define RUN_MAX_LIMIT WL_MAX_LIMIT
#define RUN_MAX_SIZE WL_MAX_SIZE
#define RUN_MAX_TIMEOUT_MS 600000
#define RUN_MAX_RETRIES WL_MAX_RETRIES
#define RUN_MAX_BACKOFF_MS WL_MAX_BACKOFF_MS
#define RUN_MAX_ROUNDS WL_MAX_ROUNDS

typedef struct run_opts {
  const wl_workload *wl;
  run_model model;
  wl_params params;
  int offload; /* async + CPU work: uv_queue_work */
  int blocking_in_loop; /* async sleep: block inside the callbacks */
  int threadpool;       /* async files: UV_THREADPOOL_SIZE (0: libuv's 4) */
  int json;
  const char *trace; /* --trace FILE: the batch's timeline, or NULL */
} run_opts;

typedef struct run_result {
  double wall_s, user_s, sys_s;
  long max_rss_kb, vol_ctx, invol_ctx;
  int ok, failed, timeouts;
  int http_errors, conn_errors; /* http: failed with a status / without */
  long retries, connects;       /* http: retries used, connections opened */
  uint64_t checksum;
  int threadpool_size; /* async --offload; else 0 */
  double compute_ms;   /* pipeline: mean CPU time of one compute step */
  int lag_samples;     /* async: loop-lag probe firings; else 0 */
  double lag_p50_ms, lag_p99_ms, lag_max_ms;
  int workers, workers_lost; /* multiproc: processes forked, lost */
} run_result;

enum { RUN_PARSE_OK = 0, RUN_PARSE_HELP = 1, RUN_PARSE_USAGE = 2 };

/* Parse `run WORKLOAD [options]` (argv[0] is "run").  On a usage error,
 * err holds one line naming the flag and the allowed values. */
int run_parse(int argc, char **argv, run_opts *o, char *err, size_t errlen);
void run_help(FILE *out);
/* The variant label of a run: "offload" / "in-loop" for async CPU work,
 * "blocking-in-loop" for async sleep with --blocking-in-loop,
 * "threadpool-set" for async files with --threadpool,
 * "no-reuse" for http without kept connections,
 * "" otherwise. */
const char *run_variant(const run_opts *o);

/* Run one batch and measure it.  0 when the batch ran, -1 when the model
 * failed to run it at all.  With o->trace, the batch's timeline is written
 * there afterwards (bench/run/trace.h, atomically); -1 (printed) also when
 * that fails. */
int run_exec(const run_opts *o, run_result *r);
void run_print(FILE *out, const run_opts *o, const run_result *r);
void run_print_json(FILE *out, const run_opts *o, const run_result *r);

/* Which build this is: NULL for conclab itself; a line such as "threaded
 * with your th_queue (exercises/07-thread-pool/queue.c)" in the copy of
 * conclab an exercise builds around a student's code (main.c sets it).
 * `run` of run_impl_model prints it and puts it in its JSON as "impl". */
extern const char *run_impl;
/* The model the student's code belongs to (async for 03's semaphore,
 * threaded for 07's queue, multiproc for 08's frames): only its runs say
 * impl; the other models in that build are conclab's own. */
extern run_model run_impl_model;

/* The embedded server of http and pipeline: `exe serve --port 0` as a
 * child.  start: 0 with its base URL in url, or -1 (printed, after
 * "conclab: WHO: ", the workload's name).  stop: SIGTERM, wait; 0 when it
 * exited cleanly, -1 (printed) otherwise. */
int run_server_start(const char *who, const char *exe, char *url, size_t cap,
                     pid_t *pid);
int run_server_stop(const char *who, pid_t pid);

/* The files and pipeline workloads' directory: a fresh one under `parent`
 * (--dir) or $TMPDIR or /tmp; its path goes into dir.  If none can be made
 * there, -1 with one line naming workload `who` and why: the run must not start
 * (it never writes into the user's directory itself).  From then on
 * Ctrl-C, SIGTERM or SIGHUP remove the batch's files and the directory
 * before the process dies of the signal.  close: the same removal, and the
 * signals as they were.  0, or -1 (printed). */
#define RUN_WORKDIR_MAX 4096
int run_workdir_open(const char *who, const char *parent, int count, char *dir,
                     size_t cap);
void run_workdir_close(void);

/* Where a run's server URL and directory live while o->params points at
 * them. */
typedef struct run_where {
  char url[64];
  char dir[RUN_WORKDIR_MAX];
} run_where;

/* The whole run: the embedded server (http and pipeline without --url),
 * the threadpool check, the workload's own directory, run_exec, and
 * stopping and removing them again.  0, or 1 (printed). */
int run_whole(run_opts *o, run_where *at, run_result *r);

/* Do C units of this run fit under the open-file limit?  1, or 0 with one
 * line naming the flag and the C that fits (fds.c). */
int run_fds_enough(const run_opts *o);

/* `--impl python` (python.c): the same run by CPython, conclab-py.
 * find: the script ($CONCLAB_PY, else PREFIX/share/conclab/ beside the
 * binary self, else the source tree) and its python3, which must have
 * aiohttp and aiofiles.  0, or -1 with one line saying what is missing.
 * exec: become `python3 conclab-py run ...` (argv: `run` and its
 * arguments without --impl), with $CONCLAB set to self for its server;
 * returns only on failure: 2 (printed) when something is missing, 1. */
int run_py_find(const char *self, char *script, size_t cap, char *python,
                size_t pycap, char *why, size_t whylen);
int run_py_exec(const char *self, int argc, char **argv);

#endif
