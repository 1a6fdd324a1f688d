/*
 * args.c - parsing `conclab run`'s options.
 *
 * Every value is checked: a non-number, a number out of range, an unknown
 * name or a flag that does not apply is refused with one line that names
 * the flag and what is allowed, and `conclab` exits with status 2.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cli.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const cl_model_names[] = {"seq", "async", "threaded",
                                      "multiproc"};

/* The cores this process may run on: its CPU affinity (taskset, a
 * container's cpuset), not every core the machine has online. */
int cl_cores(void) {
  cpu_set_t set;
  long n;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

void cl_run_help(FILE *out) {
  fprintf(out,
"usage: conclab run WORKLOAD [options]\n"
"\n"
"Run one batch of N tasks on one model and report what it cost.\n"
"\n"
"workloads:\n"
"  sleep    I/O-bound: task i waits its delay, then returns i*10\n"
"  primes   CPU-bound: count primes below M by trial division, in N chunks\n"
"\n"
"options:\n"
"  --model M            seq | async | threaded | multiproc   (default seq)\n"
"                       seq: one task after another (the baseline/oracle)\n"
"                       async: one libuv event loop, one thread\n"
"                       threaded: a pool of C pthreads\n"
"                       multiproc: C forked worker processes, pipes\n"
"  --tasks N            number of tasks, 1..%d\n"
"                       (default: sleep 10, primes 64 chunks)\n"
"  --concurrency C      at most C tasks in flight (default: sleep N, all\n"
"                       at once; primes the number of cores).  Up to\n"
"                       %d for async, %d threads, %d processes\n"
"  --delay-ms D         sleep: each task waits D ms, 0..%d (default 100)\n"
"  --delay-spread S     sleep: task i waits D plus a fixed extra in\n"
"                       [0, S] ms, 0..%d (default 0)\n"
"  --limit M            primes: count primes below M, 2..%lld\n"
"                       (default 2000000); needs N <= M\n"
"  --offload            async + primes: run chunks on libuv's threadpool\n"
"                       (uv_queue_work); UV_THREADPOOL_SIZE is set to\n"
"                       min(C, 1024).  Without it chunks run in the loop\n"
"  --json               print one JSON object instead of text\n"
"  -h, --help           this help\n"
"\n"
"exit status: 0 all tasks ok, 3 some tasks failed (results still printed),\n"
"1 the run itself failed, 2 bad usage.\n",
          CL_MAX_TASKS, CL_MAX_C_ASYNC, CL_MAX_C_THREADED, CL_MAX_C_MULTIPROC,
          CL_MAX_DELAY_MS, CL_MAX_DELAY_MS, CL_MAX_LIMIT);
}

static int usage(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return CL_PARSE_USAGE;
}

/* A whole number in [lo, hi], or a usage error naming the flag. */
static int parse_num(const char *flag, const char *text, long long lo,
                     long long hi, long long *out, char *err, size_t errlen) {
  char *end;
  long long v;

  errno = 0;
  v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0')
    return usage(err, errlen, "%s: '%s' is not a whole number (allowed: "
                 "%lld..%lld)", flag, text, lo, hi);
  if (errno == ERANGE || v < lo || v > hi)
    return usage(err, errlen, "%s: %s is out of range (allowed: %lld..%lld)",
                 flag, text, lo, hi);
  *out = v;
  return CL_PARSE_OK;
}

static int parse_model(const char *text, cl_model *out, char *err,
                       size_t errlen) {
  for (int m = CL_SEQ; m <= CL_MULTIPROC; m++)
    if (strcmp(text, cl_model_names[m]) == 0) {
      *out = (cl_model)m;
      return CL_PARSE_OK;
    }
  return usage(err, errlen, "--model: unknown model '%s' (allowed: seq, "
               "async, threaded, multiproc)", text);
}

static long long max_concurrency(cl_model m) {
  switch (m) {
  case CL_ASYNC: return CL_MAX_C_ASYNC;
  case CL_THREADED: return CL_MAX_C_THREADED;
  case CL_MULTIPROC: return CL_MAX_C_MULTIPROC;
  default: return CL_MAX_C_ASYNC;
  }
}

/* Flags given on the command line, kept as text until the model is known
 * (the range of --concurrency depends on it). */
typedef struct raw_opts {
  const char *workload, *model, *tasks, *concurrency, *delay, *spread, *limit;
} raw_opts;

/* Split argv into raw_opts.  Accepts "--flag value" and "--flag=value". */
static int collect(int argc, char **argv, raw_opts *raw, cl_run_opts *o,
                   char *err, size_t errlen) {
  static const struct { const char *flag; size_t off; } valued[] = {
      {"--model", offsetof(raw_opts, model)},
      {"--tasks", offsetof(raw_opts, tasks)},
      {"--concurrency", offsetof(raw_opts, concurrency)},
      {"--delay-ms", offsetof(raw_opts, delay)},
      {"--delay-spread", offsetof(raw_opts, spread)},
      {"--limit", offsetof(raw_opts, limit)},
  };
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *eq = strchr(arg, '=');
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    int matched = 0;

    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
      return CL_PARSE_HELP;
    if (strcmp(arg, "--json") == 0) {
      o->json = 1;
      continue;
    }
    if (strcmp(arg, "--offload") == 0) {
      o->offload = 1;
      continue;
    }
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
      if (strlen(valued[k].flag) != name_len ||
          strncmp(arg, valued[k].flag, name_len) != 0)
        continue;
      const char **slot = (const char **)((char *)raw + valued[k].off);
      if (eq != NULL)
        *slot = eq + 1;
      else if (i + 1 < argc)
        *slot = argv[++i];
      else
        return usage(err, errlen, "%s: missing value", valued[k].flag);
      matched = 1;
      break;
    }
    if (matched)
      continue;
    if (arg[0] == '-')
      return usage(err, errlen, "%s: unknown option (see conclab run --help)",
                   arg);
    if (raw->workload != NULL)
      return usage(err, errlen, "'%s': only one workload per run", arg);
    raw->workload = arg;
  }
  return CL_PARSE_OK;
}

int cl_run_parse(int argc, char **argv, cl_run_opts *o, char *err,
                 size_t errlen) {
  raw_opts raw = {0};
  long long v;
  int rc;

  memset(o, 0, sizeof *o);
  o->model = CL_SEQ;
  rc = collect(argc, argv, &raw, o, err, errlen);
  if (rc != CL_PARSE_OK)
    return rc;

  if (raw.workload == NULL)
    return usage(err, errlen, "run: missing WORKLOAD (allowed: sleep, primes)");
  o->wl = wl_find(raw.workload);
  if (o->wl == NULL)
    return usage(err, errlen, "run: unknown workload '%s' (allowed: sleep, "
                 "primes)", raw.workload);
  if (raw.model && parse_model(raw.model, &o->model, err, errlen))
    return CL_PARSE_USAGE;

  wl_params *p = &o->params;
  int is_primes = o->wl == &wl_primes;
  if (is_primes && (raw.delay || raw.spread))
    return usage(err, errlen, "%s: applies only to sleep",
                 raw.delay ? "--delay-ms" : "--delay-spread");
  if (!is_primes && raw.limit)
    return usage(err, errlen, "--limit: applies only to primes");
  p->tasks = is_primes ? 64 : 10;
  p->delay_ms = 100;
  p->limit = 2000000;

  if (raw.tasks) {
    if ((rc = parse_num("--tasks", raw.tasks, 1, CL_MAX_TASKS, &v, err, errlen)))
      return rc;
    p->tasks = (int)v;
  }
  p->concurrency = is_primes ? cl_cores() : p->tasks;
  if (raw.concurrency) {
    if ((rc = parse_num("--concurrency", raw.concurrency, 1,
                        max_concurrency(o->model), &v, err, errlen)))
      return rc;
    p->concurrency = (int)v;
  }
  if (p->concurrency > max_concurrency(o->model))
    return usage(err, errlen, "--concurrency: the default, %d, is more than "
                 "%s allows (1..%lld); give a smaller --concurrency",
                 p->concurrency, cl_model_names[o->model],
                 max_concurrency(o->model));
  if (raw.delay) {
    if ((rc = parse_num("--delay-ms", raw.delay, 0, CL_MAX_DELAY_MS, &v, err,
                        errlen)))
      return rc;
    p->delay_ms = (int)v;
  }
  if (raw.spread) {
    if ((rc = parse_num("--delay-spread", raw.spread, 0, CL_MAX_DELAY_MS, &v,
                        err, errlen)))
      return rc;
    p->delay_spread_ms = (int)v;
  }
  if (raw.limit) {
    if ((rc = parse_num("--limit", raw.limit, 2, CL_MAX_LIMIT, &v, err,
                        errlen)))
      return rc;
    p->limit = v;
  }
  if (is_primes && p->tasks > p->limit)
    return usage(err, errlen, "--tasks: %d chunks of numbers below %lld: "
                 "need N <= M", p->tasks, (long long)p->limit);
  if (o->offload && !(o->model == CL_ASYNC && o->wl->kind == WL_KIND_CPU))
    return usage(err, errlen, "--offload: applies only to --model async with "
                 "CPU work (primes)");
  if (o->model == CL_SEQ)
    p->concurrency = 1; /* one at a time, whatever was asked */
  return CL_PARSE_OK;
}

const char *cl_variant(const cl_run_opts *o) {
  if (o->model != CL_ASYNC || o->wl->kind != WL_KIND_CPU)
    return "";
  return o->offload ? "offload" : "in-loop";
}
