/*
 * args.c - parsing `conclab run`'s options.
 *
 * Every value is checked: a non-number, a number out of range, an unknown
 * name or a flag that does not apply is refused with one line that names
 * the flag and what is allowed, and `conclab` exits with status 2.
 */
#include "run.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "async.h"
#include "base.h"
#include "http.h"

const char *const run_model_names[] = {"seq", "async", "threaded",
                                      "multiproc"};

void run_help(FILE *out) {
  fprintf(out,
"usage: conclab run WORKLOAD [options]\n"
"\n"
"Run one batch of N tasks on one model and report what it cost.\n"
"\n"
"workloads:\n"
"  sleep    I/O-bound: task i waits its delay, then returns i*10\n"
"  primes   CPU-bound: count primes below M by trial division, in N chunks\n"
"  http     network I/O: N GET requests (libcurl) to an HTTP server; by\n"
"           default conclab starts its own (conclab serve) on a free port\n"
"  files    file I/O: task i writes S bytes to its file, reads them back\n"
"           and hashes them (async: uv_fs_*, on libuv's threadpool)\n"
"  pipeline mixed: task i fetches /bytes/S (like http), digests the body\n"
"           K rounds (CPU), saves the digest to its file (like files)\n"
"\n"
"options:\n"
"  --model M            seq | async | threaded | multiproc   (default seq)\n"
"                       seq: one task after another (the baseline/oracle)\n"
"                       async: one libuv event loop, one thread\n"
"                       threaded: a pool of C pthreads\n"
"                       multiproc: C forked worker processes, pipes\n"
"  --tasks N            number of tasks, 1..%d\n"
"                       (default: sleep and http 10, primes 64 chunks,\n"
"                       files 100, pipeline 32)\n"
"  --concurrency C      at most C tasks in flight (default: sleep and http\n"
"                       N, all at once; primes the number of cores; files\n"
"                       min(N, 64); pipeline min(N, 8)).  Up to\n"
"                       %d for async, %d threads, %d processes\n"
"  --delay-ms D         sleep: each task waits D ms; http: each asks for\n"
"                       /delay/D; 0..%d (default 100)\n"
"  --delay-spread S     sleep: task i waits D plus a fixed extra in\n"
"                       [0, S] ms, 0..%d (default 0)\n"
"  --limit M            primes: count primes below M, 2..%lld\n"
"                       (default 2000000); needs N <= M\n"
"  --offload            async + primes or pipeline: run the CPU work on\n"
"                       libuv's threadpool (uv_queue_work); UV_THREADPOOL_SIZE\n"
"                       is set to min(C, 1024).  Without it, it runs in the\n"
"                       loop's callbacks and blocks the loop\n"
"  --blocking-in-loop   async + sleep: wait with a blocking sleep inside the\n"
"                       loop's callbacks (the pitfall: time.sleep() in a\n"
"                       coroutine); the loop lag shows it\n"
"\n",
          RUN_MAX_TASKS, RUN_MAX_C_ASYNC, RUN_MAX_C_THREADED, RUN_MAX_C_MULTIPROC,
          RUN_MAX_DELAY_MS, RUN_MAX_DELAY_MS, RUN_MAX_LIMIT);
  /* The workloads' own options: a second string, as C limits the length
   * of one literal. */
  fprintf(out,
"http options:\n"
"  --endpoint E         delay | bytes | stall: ask for /delay/D, /bytes/S or\n"
"                       /stall (never answers; needs --timeout-ms)\n"
"                       (default delay)\n"
"  --size S             bytes: each response is S bytes, 0..%lld\n"
"                       (default 1024)\n"
"  --url BASE           use the server at BASE (http://host:port) instead\n"
"                       of starting conclab serve\n"
"  --no-reuse           a new connection for every request (default: each\n"
"                       worker keeps its connections alive and reuses them)\n"
"  --timeout-ms T       each attempt's limit (see common below)\n"
"  --retries K          retry a failed request (5xx, timeout, connection\n"
"                       error; not 4xx) up to K times, 0..%d (default 0)\n"
"  --backoff-ms B       wait about B, 2B, 4B... ms (at most 30 s) before\n"
"                       each retry, half of it jittered; 0..%d (default 50)\n"
"  --fail-rate P        a seeded share P (0..1) of attempts asks for\n"
"                       /status/500 or /drop instead (default 0)\n"
"  --seed X             which attempts those are, 0..2^63-1 (default 1)\n"
"\n"
"files options:\n"
"  --size S             each file's size in bytes, 0..%lld (default 1048576)\n"
"  --fsync              fsync each file after writing it (wait for the disk)\n"
"  --dir DIR            work in a fresh directory inside DIR (default: in\n"
"                       $TMPDIR or /tmp); it is removed afterwards, also on\n"
"                       failure and on Ctrl-C, SIGTERM or SIGHUP\n"
"  --threadpool T       async: UV_THREADPOOL_SIZE, 1..%d (default: libuv's\n"
"                       4); every uv_fs_* call runs on one of these threads\n"
"\n"
"pipeline options:\n"
"  --size S             each task fetches /bytes/S, 0..%lld (default 65536)\n"
"  --rounds K           the digest passes over the body K times, 0..%d\n"
"                       (default 100: about 10 ms of CPU for 64 KiB)\n"
"  --url BASE, --dir DIR   as for http and for files\n"
"  --offload            async: digest on the threadpool (see above)\n"
"\n"
"common:\n"
"  --timeout-ms T       a task's limit, 0..%d (default 0: none; a run then\n"
"                       waits as long as its tasks do).  http and pipeline,\n"
"                       every model: each request attempt gives up after T.\n"
"                       multiproc, every workload: a worker whose task runs\n"
"                       past its limit is killed and replaced, the task a\n"
"                       timeout.  Not for sleep, primes or files on seq,\n"
"                       async or threaded: a running task cannot be stopped\n"
"  --json               print one JSON object instead of text\n"
"  --trace FILE         also write the batch's timeline to FILE: Chrome\n"
"                       Trace Event JSON (one bar per task on its worker's\n"
"                       track; async: the loop lag too), for Perfetto\n"
"                       (ui.perfetto.dev) or chrome://tracing\n"
"  -h, --help           this help\n"
"\n"
"exit status: 0 all tasks ok, 3 some tasks failed (results still printed),\n"
"1 the run itself failed, 2 bad usage.\n",
          RUN_MAX_SIZE, RUN_MAX_RETRIES, RUN_MAX_BACKOFF_MS, RUN_MAX_SIZE,
          AS_THREADPOOL_MAX, RUN_MAX_SIZE, RUN_MAX_ROUNDS, RUN_MAX_TIMEOUT_MS);
}

static int usage(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return RUN_PARSE_USAGE;
}

/* text as it can be shown inside one line: control characters (a tab, a
 * newline pasted in) as '?'. */
static const char *one_line(const char *text, char *buf, size_t cap) {
  size_t n = 0;
  for (; *text != '\0' && n + 1 < cap; text++)
    buf[n++] = iscntrl((unsigned char)*text) ? '?' : *text;
  buf[n] = '\0';
  return buf;
}

/* A whole number in [lo, hi], or a usage error naming the flag. */
static int parse_num(const char *flag, const char *text, long long lo,
                     long long hi, long long *out, char *err, size_t errlen) {
  char shown[64];
  switch (base_parse_whole(text, lo, hi, out)) {
  case BASE_WHOLE_JUNK:
    return usage(err, errlen, "%s: '%s' is not a whole number (allowed: "
                 "%lld..%lld)", flag, one_line(text, shown, sizeof shown), lo,
                 hi);
  case BASE_WHOLE_RANGE:
    return usage(err, errlen, "%s: %s is out of range (allowed: %lld..%lld)",
                 flag, text, lo, hi);
  }
  return RUN_PARSE_OK;
}

static int parse_model(const char *text, run_model *out, char *err,
                       size_t errlen) {
  for (int m = RUN_SEQ; m <= RUN_MULTIPROC; m++)
    if (strcmp(text, run_model_names[m]) == 0) {
      *out = (run_model)m;
      return RUN_PARSE_OK;
    }
  return usage(err, errlen, "--model: unknown model '%s' (allowed: seq, "
               "async, threaded, multiproc)", text);
}

static long long max_concurrency(run_model m) {
  switch (m) {
  case RUN_ASYNC: return RUN_MAX_C_ASYNC;
  case RUN_THREADED: return RUN_MAX_C_THREADED;
  case RUN_MULTIPROC: return RUN_MAX_C_MULTIPROC;
  default: return RUN_MAX_C_ASYNC;
  }
}

/* Flags given on the command line, kept as text until the model is known
 * (the range of --concurrency depends on it). */
typedef struct raw_opts {
  const char *workload, *model, *tasks, *concurrency, *delay, *spread, *limit;
  const char *endpoint, *size, *url, *timeout, *retries, *backoff, *fail_rate,
      *seed;
  const char *dir, *threadpool, *rounds;
  const char *trace;
  int no_reuse, fsync;
} raw_opts;

/* Split argv into raw_opts.  Accepts "--flag value" and "--flag=value". */
static int collect(int argc, char **argv, raw_opts *raw, run_opts *o,
                   char *err, size_t errlen) {
  static const struct { const char *flag; size_t off; } valued[] = {
      {"--model", offsetof(raw_opts, model)},
      {"--tasks", offsetof(raw_opts, tasks)},
      {"--concurrency", offsetof(raw_opts, concurrency)},
      {"--delay-ms", offsetof(raw_opts, delay)},
      {"--delay-spread", offsetof(raw_opts, spread)},
      {"--limit", offsetof(raw_opts, limit)},
      {"--endpoint", offsetof(raw_opts, endpoint)},
      {"--size", offsetof(raw_opts, size)},
      {"--url", offsetof(raw_opts, url)},
      {"--timeout-ms", offsetof(raw_opts, timeout)},
      {"--retries", offsetof(raw_opts, retries)},
      {"--backoff-ms", offsetof(raw_opts, backoff)},
      {"--fail-rate", offsetof(raw_opts, fail_rate)},
      {"--seed", offsetof(raw_opts, seed)},
      {"--dir", offsetof(raw_opts, dir)},
      {"--threadpool", offsetof(raw_opts, threadpool)},
      {"--rounds", offsetof(raw_opts, rounds)},
      {"--trace", offsetof(raw_opts, trace)},
  };
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *eq = strchr(arg, '=');
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    int matched = 0;

    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
      return RUN_PARSE_HELP;
    if (strcmp(arg, "--json") == 0) {
      o->json = 1;
      continue;
    }
    if (strcmp(arg, "--offload") == 0) {
      o->offload = 1;
      continue;
    }
    if (strcmp(arg, "--blocking-in-loop") == 0) {
      o->blocking_in_loop = 1;
      continue;
    }
    if (strcmp(arg, "--fsync") == 0) {
      raw->fsync = 1;
      continue;
    }
    if (strcmp(arg, "--no-reuse") == 0) {
      raw->no_reuse = 1;
      continue;
    }
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
      if (strlen(valued[k].flag) != name_len ||
          strncmp(arg, valued[k].flag, name_len) != 0)
        continue;
      const char **slot = (const char **)((char *)raw + valued[k].off);
      if (*slot != NULL) /* which one was meant is not ours to guess */
        return usage(err, errlen, "%s: given twice (say it once)",
                     valued[k].flag);
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
  return RUN_PARSE_OK;
}

/* A flag given for a workload it does not apply to: its error, or NULL. */
static const char *misplaced(const raw_opts *raw, const wl_workload *wl) {
  int sleep = wl == &wl_sleep, primes = wl == &wl_primes, http = wl == &wl_http;
  int files = wl == &wl_files, pipeline = wl == &wl_pipeline;
  const struct { int given, applies; const char *msg; } rules[] = {
      {raw->delay != NULL, sleep || http,
       "--delay-ms: applies only to sleep and http"},
      {raw->spread != NULL, sleep, "--delay-spread: applies only to sleep"},
      {raw->limit != NULL, primes, "--limit: applies only to primes"},
      {raw->endpoint != NULL, http, "--endpoint: applies only to http"},
      {raw->size != NULL, http || files || pipeline,
       "--size: applies only to http, files and pipeline"},
      {raw->fsync, files, "--fsync: applies only to files"},
      {raw->dir != NULL, files || pipeline,
       "--dir: applies only to files and pipeline"},
      {raw->threadpool != NULL, files || pipeline,
       "--threadpool: applies only to files and pipeline"},
      {raw->rounds != NULL, pipeline, "--rounds: applies only to pipeline"},
      {raw->url != NULL, http || pipeline,
       "--url: applies only to http and pipeline"},
      {raw->no_reuse, http, "--no-reuse: applies only to http"},
      {raw->retries != NULL, http, "--retries: applies only to http"},
      {raw->backoff != NULL, http, "--backoff-ms: applies only to http"},
      {raw->fail_rate != NULL, http, "--fail-rate: applies only to http"},
      {raw->seed != NULL, http, "--seed: applies only to http"},
  };
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    if (rules[i].given && !rules[i].applies)
      return rules[i].msg;
  return NULL;
}

/* An optional whole-number flag: parsed into *out (an int) when given. */
static int parse_int_flag(const char *flag, const char *text, long long lo,
                          long long hi, int *out, char *err, size_t errlen) {
  long long v;
  int rc;
  if (text == NULL)
    return RUN_PARSE_OK;
  if ((rc = parse_num(flag, text, lo, hi, &v, err, errlen)) != RUN_PARSE_OK)
    return rc;
  *out = (int)v;
  return RUN_PARSE_OK;
}

/* --url (http, pipeline): NULL means conclab run starts its own server. */
static int parse_url(const raw_opts *raw, wl_params *p, char *err,
                     size_t errlen) {
  if (raw->url != NULL &&
      (strncmp(raw->url, "http://", 7) != 0 || raw->url[7] == '\0' ||
       strlen(raw->url) > WL_HTTP_BASE_MAX))
    return usage(err, errlen, "--url: '%s' is not a base URL (allowed: "
                 "http://HOST[:PORT][/PATH], at most %d characters)",
                 raw->url, WL_HTTP_BASE_MAX);
  p->url = raw->url;
  return RUN_PARSE_OK;
}

/* --dir (files, pipeline): NULL means a temporary directory. */
static int parse_dir(const raw_opts *raw, wl_params *p, char *err,
                     size_t errlen) {
  if (raw->dir != NULL && (*raw->dir == '\0' ||
                           strlen(raw->dir) > RUN_WORKDIR_MAX - 16))
    return usage(err, errlen, "--dir: '%s' is not a usable directory name "
                 "(1..%d characters)", raw->dir, RUN_WORKDIR_MAX - 16);
  p->dir = raw->dir;
  return RUN_PARSE_OK;
}

/* --size S, 0..RUN_MAX_SIZE, into p->size when given. */
static int parse_size(const raw_opts *raw, wl_params *p, char *err,
                      size_t errlen) {
  long long v;
  int rc;
  if (raw->size == NULL)
    return RUN_PARSE_OK;
  if ((rc = parse_num("--size", raw->size, 0, RUN_MAX_SIZE, &v, err, errlen)))
    return rc;
  p->size = v;
  return RUN_PARSE_OK;
}

/* The http workload's own flags. */
static int parse_http(const raw_opts *raw, wl_params *p, char *err,
                      size_t errlen) {
  long long v;
  char *end, shown[64];
  int rc;

  p->endpoint = WL_EP_DELAY;
  if (raw->endpoint != NULL) {
    int e = WL_EP_DELAY;
    while (e <= WL_EP_STALL && strcmp(raw->endpoint, wl_endpoint_names[e]))
      e++;
    if (e > WL_EP_STALL)
      return usage(err, errlen, "--endpoint: unknown endpoint '%s' "
                   "(allowed: delay, bytes, stall)", raw->endpoint);
    p->endpoint = (wl_endpoint)e;
  }
  if (raw->delay != NULL && p->endpoint != WL_EP_DELAY)
    return usage(err, errlen, "--delay-ms: applies only to --endpoint delay");
  if (raw->size != NULL && p->endpoint != WL_EP_BYTES)
    return usage(err, errlen, "--size: applies only to --endpoint bytes");
  p->size = 1024;
  if ((rc = parse_size(raw, p, err, errlen)) ||
      (rc = parse_url(raw, p, err, errlen)))
    return rc;
  p->no_reuse = raw->no_reuse;
  p->backoff_ms = 50;
  p->seed = 1;
  if ((rc = parse_int_flag("--retries", raw->retries, 0, RUN_MAX_RETRIES,
                           &p->retries, err, errlen)) ||
      (rc = parse_int_flag("--backoff-ms", raw->backoff, 0, RUN_MAX_BACKOFF_MS,
                           &p->backoff_ms, err, errlen)))
    return rc;
  if (p->endpoint == WL_EP_STALL && p->timeout_ms == 0)
    return usage(err, errlen, "--endpoint stall: needs --timeout-ms (a "
                 "stalled request never ends by itself)");
  if (raw->fail_rate != NULL) {
    errno = 0;
    p->fail_rate = strtod(raw->fail_rate, &end);
    /* a plain decimal: no white space, sign or hex around it */
    if (!(isdigit((unsigned char)*raw->fail_rate) || *raw->fail_rate == '.') ||
        strpbrk(raw->fail_rate, "xX") != NULL || *end != '\0' || errno != 0 ||
        !(p->fail_rate >= 0.0 && p->fail_rate <= 1.0))
      return usage(err, errlen, "--fail-rate: '%s' is not a share (allowed: "
                   "a number from 0 to 1)",
                   one_line(raw->fail_rate, shown, sizeof shown));
  }
  if (raw->seed != NULL) {
    if ((rc = parse_num("--seed", raw->seed, 0, INT64_MAX, &v, err, errlen)))
      return rc;
    p->seed = (uint64_t)v;
  }
  return RUN_PARSE_OK;
}

/* --threadpool T (files, pipeline): libuv's pool size, for async only. */
static int parse_threadpool(const raw_opts *raw, run_opts *o, char *err,
                            size_t errlen) {
  if (raw->threadpool == NULL)
    return RUN_PARSE_OK;
  if (o->model != RUN_ASYNC)
    return usage(err, errlen, "--threadpool: applies only to --model "
                 "async (the other models use their own workers)");
  return parse_int_flag("--threadpool", raw->threadpool, 1, AS_THREADPOOL_MAX,
                        &o->threadpool, err, errlen);
}

/* --timeout-ms T, a task's limit.  http and pipeline bound their waits
 * with it in every model; other work only where a running task can be
 * stopped from outside, a worker process (multiproc's watchdog): a thread
 * or the event loop cannot stop a task in the middle. */
static int parse_timeout(const raw_opts *raw, run_opts *o, char *err,
                         size_t errlen) {
  /* a workload that talks to a server bounds its own waits */
  if (raw->timeout != NULL && !o->wl->serves && o->model != RUN_MULTIPROC)
    return usage(err, errlen, "--timeout-ms: for %s, applies only to --model "
                 "multiproc (a thread or the event loop cannot stop a running "
                 "task; http and pipeline take it in every model)",
                 o->wl->name);
  return parse_int_flag("--timeout-ms", raw->timeout, 0, RUN_MAX_TIMEOUT_MS,
                        &o->params.timeout_ms, err, errlen);
}

/* The files workload's own flags. */
static int parse_files(const raw_opts *raw, run_opts *o, char *err,
                       size_t errlen) {
  wl_params *p = &o->params;
  int rc;

  p->size = 1024 * 1024;
  p->fsync = raw->fsync;
  if ((rc = parse_size(raw, p, err, errlen)) ||
      (rc = parse_dir(raw, p, err, errlen)))
    return rc;
  return parse_threadpool(raw, o, err, errlen);
}

/* The pipeline workload's own flags: what to fetch, how long to compute,
 * where to save. */
static int parse_pipeline(const raw_opts *raw, run_opts *o, char *err,
                          size_t errlen) {
  wl_params *p = &o->params;
  int rc;

  p->endpoint = WL_EP_BYTES; /* the fetch is /bytes/S */
  p->size = 65536;
  p->rounds = 100;
  if ((rc = parse_size(raw, p, err, errlen)) ||
      (rc = parse_int_flag("--rounds", raw->rounds, 0, RUN_MAX_ROUNDS,
                           &p->rounds, err, errlen)) ||
      (rc = parse_url(raw, p, err, errlen)) ||
      (rc = parse_dir(raw, p, err, errlen)))
    return rc;
  return parse_threadpool(raw, o, err, errlen);
}

int run_parse(int argc, char **argv, run_opts *o, char *err,
                 size_t errlen) {
  raw_opts raw = {0};
  const char *wrong;
  long long v;
  int rc;

  memset(o, 0, sizeof *o);
  o->model = RUN_SEQ;
  rc = collect(argc, argv, &raw, o, err, errlen);
  if (rc != RUN_PARSE_OK)
    return rc;

  if (raw.workload == NULL)
    return usage(err, errlen, "run: missing WORKLOAD (allowed: sleep, primes, "
                 "http, files, pipeline)");
  o->wl = wl_find(raw.workload);
  if (o->wl == NULL)
    return usage(err, errlen, "run: unknown workload '%s' (allowed: sleep, "
                 "primes, http, files, pipeline)", raw.workload);
  if (raw.model && parse_model(raw.model, &o->model, err, errlen))
    return RUN_PARSE_USAGE;
  if ((wrong = misplaced(&raw, o->wl)) != NULL)
    return usage(err, errlen, "%s", wrong);

  wl_params *p = &o->params;
  int is_primes = o->wl == &wl_primes, is_files = o->wl == &wl_files;
  int is_pipeline = o->wl == &wl_pipeline;
  p->tasks = is_primes ? 64 : is_files ? 100 : is_pipeline ? 32 : 10;
  p->delay_ms = 100;
  p->limit = 2000000;

  if ((rc = parse_int_flag("--tasks", raw.tasks, 1, RUN_MAX_TASKS, &p->tasks,
                           err, errlen)))
    return rc;
  p->concurrency = is_primes     ? base_cores()
                   : is_files    ? (p->tasks < 64 ? p->tasks : 64)
                   : is_pipeline ? (p->tasks < 8 ? p->tasks : 8)
                                 : p->tasks;
  if ((rc = parse_int_flag("--concurrency", raw.concurrency, 1,
                           max_concurrency(o->model), &p->concurrency, err,
                           errlen)))
    return rc;
  if (p->concurrency > max_concurrency(o->model))
    return usage(err, errlen, "--concurrency: the default, %d, is more than "
                 "%s allows (1..%lld); give a smaller --concurrency",
                 p->concurrency, run_model_names[o->model],
                 max_concurrency(o->model));
  if ((rc = parse_int_flag("--delay-ms", raw.delay, 0, RUN_MAX_DELAY_MS,
                           &p->delay_ms, err, errlen)) ||
      (rc = parse_int_flag("--delay-spread", raw.spread, 0, RUN_MAX_DELAY_MS,
                           &p->delay_spread_ms, err, errlen)))
    return rc;
  if (raw.limit) {
    if ((rc = parse_num("--limit", raw.limit, 2, RUN_MAX_LIMIT, &v, err,
                        errlen)))
      return rc;
    p->limit = v;
  }
  if (is_primes && p->tasks > p->limit)
    return usage(err, errlen, "--tasks: %d chunks of numbers below %lld: "
                 "need N <= M", p->tasks, (long long)p->limit);
  if ((rc = parse_timeout(&raw, o, err, errlen)))
    return rc;
  if (o->wl == &wl_http && (rc = parse_http(&raw, p, err, errlen)))
    return rc;
  if (is_files && (rc = parse_files(&raw, o, err, errlen)))
    return rc;
  if (is_pipeline && (rc = parse_pipeline(&raw, o, err, errlen)))
    return rc;
  if (o->offload && !(o->model == RUN_ASYNC && o->wl->kind != WL_KIND_IO))
    return usage(err, errlen, "--offload: applies only to --model async with "
                 "CPU work (primes, pipeline)");
  if (o->blocking_in_loop && !(o->model == RUN_ASYNC && o->wl == &wl_sleep))
    return usage(err, errlen, "--blocking-in-loop: applies only to --model "
                 "async with sleep");
  if (raw.trace != NULL && *raw.trace == '\0')
    return usage(err, errlen, "--trace: missing file name");
  o->trace = raw.trace; /* whether it can be written: checked before the run */
  if (o->model == RUN_SEQ)
    p->concurrency = 1; /* one at a time, whatever was asked */
  return RUN_PARSE_OK;
}

const char *run_variant(const run_opts *o) {
  if (o->wl == &wl_http)
    return o->params.no_reuse ? "no-reuse" : "";
  if (o->blocking_in_loop)
    return "blocking-in-loop";
  if (o->wl == &wl_files && o->threadpool > 0)
    return "threadpool-set";
  if (o->model != RUN_ASYNC || o->wl->kind == WL_KIND_IO)
    return "";
  return o->offload ? "offload" : "in-loop";
}
