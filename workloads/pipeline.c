/*
 * pipeline.c - the mixed workload: fetch, compute, save.
 *
 * Lesson: real programs mix waiting and computing, and an event loop only
 * helps with the waiting.  Each task fetches a body over HTTP (a wait),
 * digests it (K rounds of CPU work), and saves the digest to a file (a
 * short wait).  On threads or processes the compute steps of different
 * tasks run on different cores.  On an event loop they run on the loop's
 * one thread - and while one runs, no other callback can: the loop-lag
 * probe sees every step as a stall.  run_in_executor (uv_queue_work, in
 * async/pipeline.c) moves them to the threadpool: the loop stays free and
 * the steps run in parallel.
 *
 * This file has the shared pieces and the blocking way, which seq,
 * threaded and multiproc run: one curl easy handle and one body buffer per
 * worker, both reused for that worker's tasks.
 */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "http.h"

/* ---- the shared pieces ------------------------------------------------- */

int wl_pipeline_body_init(wl_pipeline_body *body, size_t size) {
  body->len = 0;
  body->cap = size;
  body->data = malloc(size > 0 ? size : 1);
  return body->data != NULL ? 0 : -1;
}

void wl_pipeline_body_free(wl_pipeline_body *body) {
  free(body->data);
  body->data = NULL;
}

/* curl hands the body over in pieces as it arrives: keep them.  Returning
 * less than it gave us (a body longer than asked for) stops the transfer. */
static size_t on_body(char *data, size_t size, size_t n, void *arg) {
  wl_pipeline_body *body = arg;
  size_t got = size * n;

  if (got > body->cap - body->len)
    return 0;
  memcpy(body->data + body->len, data, got);
  body->len += got;
  return got;
}

int wl_pipeline_prepare(CURL *easy, const wl_params *p, uint32_t index,
                        wl_pipeline_body *body) {
  char url[WL_HTTP_URL_MAX];

  body->len = 0;
  wl_http_url(p, index, 0, url, sizeof url); /* /bytes/S */
  if (curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
      curl_easy_setopt(easy, CURLOPT_WRITEDATA, body) != CURLE_OK)
    return -1;
  return wl_http_prepare_request(easy, p, url);
}

wl_status wl_pipeline_fetched(CURL *easy, CURLcode rc, const wl_params *p,
                              uint32_t index, const wl_pipeline_body *body,
                              wl_slot *out) {
  long status = 0;
  char url[WL_HTTP_URL_MAX], why[160];

  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  out->http_status = rc == CURLE_OK ? (int)status : 0;
  if (rc == CURLE_OK && status == 200 && body->len == (size_t)p->size)
    return WL_OK;
  if (rc != CURLE_OK)
    wl_http_why(easy, rc, why, sizeof why);
  else if (status != 200)
    snprintf(why, sizeof why, "HTTP status %ld", status);
  else
    snprintf(why, sizeof why, "%zu bytes, not %lld", body->len,
             (long long)p->size);
  wl_http_url(p, index, 0, url, sizeof url);
  wl_report_error("pipeline", index, "fetch", url, why);
  return rc == CURLE_OPERATION_TIMEDOUT ? WL_TIMEOUT : WL_ERROR;
}

uint64_t wl_pipeline_digest(uint32_t index, const unsigned char *data,
                            size_t len, int rounds) {
  uint64_t h = wl_hash_word(WL_HASH_INIT, index);
  for (int r = 0; r < rounds; r++)
    h = wl_hash_bytes(wl_hash_word(h, (uint64_t)r), data, len);
  return h;
}

static uint64_t thread_cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t wl_pipeline_compute(uint32_t index, const wl_pipeline_body *body,
                             int rounds, wl_slot *out) {
  uint64_t t0, digest;

  wl_span_step_begin(); /* the timeline's compute phase, when traced */
  t0 = thread_cpu_us();
  digest = wl_pipeline_digest(index, body->data, body->len, rounds);
  out->compute_us = (uint32_t)(thread_cpu_us() - t0);
  wl_span_step_end();
  return digest;
}

int wl_pipeline_line(uint64_t digest, char line[WL_PIPELINE_LINE]) {
  return snprintf(line, WL_PIPELINE_LINE, "%016llx\n",
                  (unsigned long long)digest);
}

/* ---- the blocking way: seq, threaded and multiproc ----------------------- */

typedef struct pipeline_worker {
  const wl_params *params;
  CURL *easy;            /* reused: its connection stays open */
  wl_pipeline_body body; /* reused: one body at a time */
} pipeline_worker;

static void pipeline_worker_close(void *worker) {
  pipeline_worker *w = worker;
  curl_easy_cleanup(w->easy);
  wl_pipeline_body_free(&w->body);
  free(w);
}

static int pipeline_worker_open(const wl_params *p, void **worker) {
  pipeline_worker *w;

  if (wl_http_global_init() != 0)
    return -1;
  w = calloc(1, sizeof *w);
  if (w == NULL || wl_pipeline_body_init(&w->body, (size_t)p->size) != 0 ||
      (w->easy = curl_easy_init()) == NULL) {
    wl_report_once("pipeline: out of memory for a worker");
    if (w != NULL)
      pipeline_worker_close(w);
    return -1;
  }
  w->params = p;
  *worker = w;
  return 0;
}

static void pipeline_task_input(const wl_params *p, uint32_t i,
                                wl_task *out) {
  out->index = i;
  out->a = (uint64_t)p->size;
  out->b = (uint64_t)p->rounds;
}

/* Save the digest's line into task i's file.  0, or -1 (reported). */
static int save(const wl_params *p, uint32_t index, uint64_t digest) {
  char path[WL_FILES_PATH_MAX], line[WL_PIPELINE_LINE];
  const char *what = "open for writing";
  int n = wl_pipeline_line(digest, line), fd, err = ECANCELED;

  wl_files_path(p, index, path, sizeof path);
  if (wl_files_stopping) /* the directory is being removed */
    goto failed;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    err = errno;
    goto failed;
  }
  what = "write";
  if (wl_write_full(fd, line, (size_t)n) != 0) {
    err = errno;
    close(fd);
    goto failed;
  }
  what = "close";
  if (close(fd) != 0) {
    err = errno;
    goto failed;
  }
  return 0;
failed:
  wl_report_error("pipeline", index, what, path, strerror(err));
  return -1;
}

static wl_status pipeline_run_blocking(const wl_task *t, void *worker,
                                       wl_slot *out) {
  pipeline_worker *w = worker;
  wl_status status;
  CURLcode rc;
  uint64_t digest;

  if (w == NULL)
    return WL_ERROR; /* this worker has no curl handle */
  /* fetch */
  if (wl_pipeline_prepare(w->easy, w->params, t->index, &w->body) != 0) {
    char url[WL_HTTP_URL_MAX];
    wl_http_url(w->params, t->index, 0, url, sizeof url);
    wl_report_error("pipeline", t->index, "fetch", url,
                    "cannot start the request (out of memory?)");
    return WL_ERROR;
  }
  rc = curl_easy_perform(w->easy);
  status = wl_pipeline_fetched(w->easy, rc, w->params, t->index, &w->body,
                               out);
  if (status != WL_OK)
    return status;
  /* compute */
  digest = wl_pipeline_compute(t->index, &w->body, (int)t->b, out);
  /* save */
  if (save(w->params, t->index, digest) != 0)
    return WL_ERROR;
  out->value = digest;
  return WL_OK;
}

/* A multiproc worker's limit for one task: its fetch (one attempt, then
 * the grace), plus the digest, whose time grows with S x K and not with
 * T.  The digest costs about 1.5 ns a byte a round here; allowing 200
 * keeps a slow or loaded machine, or valgrind, clear of the watchdog,
 * which is there for a worker that is stuck, not one that computes. */
#define PIPELINE_DIGEST_NS_PER_BYTE 200

static int64_t pipeline_task_limit_ms(const wl_params *p) {
  double digest_ms =
      (double)p->size * p->rounds * PIPELINE_DIGEST_NS_PER_BYTE / 1e6;
  return wl_http_task_limit_ms(p) + (int64_t)digest_ms + 1;
}

/* ---- what the harness reads ---------------------------------------------- */

static const wl_flag pipeline_flags[] = {
    {.name = "--size",
     .arg = "S",
     .help = "each task fetches /bytes/S",
     .kind = WL_FLAG_INT64,
     .field = offsetof(wl_params, size),
     .def = 65536,
     .lo = 0,
     .hi = WL_MAX_SIZE},
    {.name = "--rounds",
     .arg = "K",
     .help = "the digest passes over the body K times (100:\nabout 10 ms of "
             "CPU for 64 KiB)",
     .kind = WL_FLAG_INT,
     .field = offsetof(wl_params, rounds),
     .def = 100,
     .lo = 0,
     .hi = WL_MAX_ROUNDS},
    {.name = "--url",
     .arg = "BASE",
     .help = "as for http",
     .kind = WL_FLAG_URL,
     .field = offsetof(wl_params, url),
     .say = WL_SAY_IF_SET},
    {.name = "--dir",
     .arg = "DIR",
     .help = "as for files",
     .kind = WL_FLAG_DIR,
     .field = offsetof(wl_params, dir),
     .say = WL_SAY_IF_SET},
};

static int pipeline_settle(wl_params *p, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  p->endpoint = WL_EP_BYTES; /* the fetch is /bytes/S */
  return 0;
}

static const wl_field pipeline_json[] = {
    WL_FIELD_PARAM("size", WL_VALUE_INT64, size),
    WL_FIELD_PARAM("rounds", WL_VALUE_INT, rounds),
    WL_FIELD_PARAM("url", WL_VALUE_TEXT, url),
    WL_FIELD_PARAM("dir", WL_VALUE_TEXT, dir),
    WL_FIELD_MEASURED("compute_ms", WL_VALUE_NUM, compute_ms),
};

static void pipeline_print_run(FILE *out, const wl_params *p,
                               const wl_measured *m) {
  fprintf(out, "  pipeline: %d x (fetch %lld bytes from %s, digest %d "
          "rounds, save to %s); compute step %.2f ms of CPU\n", p->tasks,
          (long long)p->size, p->url, p->rounds, p->dir, m->compute_ms);
}

static void pipeline_report_intro(FILE *out, const wl_params *p,
                                  int cores) {
  fprintf(out, "%d tasks, %d in flight (seq: one at a time). Each fetches "
          "`/bytes/%lld` from `conclab serve` (started afresh for each run), "
          "digests the body %d rounds (FNV-1a; the CPU time of one such "
          "step is the compute step column, measured in every run), and "
          "saves the digest to its own file (async: uv_fs, on libuv's "
          "pool). The async rows are the lesson. *in-loop* digests inside "
          "the fetch's callback: while it runs, the loop serves nothing, "
          "and the loop-lag probe (a 1 ms timer) waits at least one whole "
          "step - several, when curl reports several finished fetches in "
          "one callback and each is digested in turn. *offload* hands the "
          "digest to libuv's threadpool with uv_queue_work "
          "(run_in_executor): the loop stays free and the digests run on "
          "every core; its lag is then the wait for a core that the "
          "pool's threads keep busy (strace shows the loop in sched_yield "
          "at such times: libuv 1.44 spins when it catches a pool thread "
          "in the middle of signalling it). "
          "The ideal speedup is min(C, cores) = min(C, %d), "
          "as the work is mostly CPU; \"vs async in-loop\" is the in-loop "
          "row's wall time over this row's, whose target is 0.8 x "
          "min(cores, pool).\n\n", p->tasks, p->concurrency,
          (long long)p->size, p->rounds, cores);
}

/* The suite's rows; sizes are {quick and full, smoke}.  The async rows are
 * the lesson.  In the loop, every digest holds the loop for a whole step;
 * offloaded, the loop stays free and the digests share the cores.  The
 * threadpool has min(C, cores) threads. */
#define TASKS {64, 8}
#define IN_FLIGHT {8, 2}
#define SIZE {65536, 4096}
#define ROUNDS {100, 2}
static const wl_row pipeline_rows[] = {
    {.table = WL_TABLE_MAIN, .models = WL_SEQ, .tasks = TASKS, .size = SIZE,
     .rounds = ROUNDS},
    /* held for a step at a time */
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .tasks = TASKS,
     .concurrency = IN_FLIGHT, .size = SIZE, .rounds = ROUNDS,
     .target = {.lag_p99_min_steps = 1.0}},
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .offload_models = WL_ASYNC,
     .tasks = TASKS, .concurrency = IN_FLIGHT, .size = SIZE, .rounds = ROUNDS,
     .target = {.vs_in_loop_per_thread = 0.8, .lag_p99_max_ms = 5.0}},
    {.table = WL_TABLE_MAIN, .models = WL_THREADED | WL_MULTIPROC,
     .tasks = TASKS, .concurrency = IN_FLIGHT, .size = SIZE, .rounds = ROUNDS},
    /* C and CPython: fewer tasks and rounds (CPython computes ~10x
     * slower) */
    {.table = WL_TABLE_PYTHON, .models = WL_SEQ | WL_MODELS,
     .offload_models = WL_ASYNC, .tasks = {16, 4}, .concurrency = IN_FLIGHT,
     .size = SIZE, .rounds = {10, 2}},
};

/* The report's task timeline: waiting (the fetch) and computing (the
 * digest) in one small batch, so each model's way of overlapping shows. */
static const char *const pipeline_timeline[] = {
    "--tasks", "8", "--concurrency", "4", "--rounds", "40", NULL};

const wl_workload wl_pipeline = {
    .name = "pipeline",
    .kind = WL_KIND_MIXED,
    .summary = "mixed: task i fetches /bytes/S (like http), digests the body\n"
               "K rounds (CPU), saves the digest to its file (like files)",
    .task_input = pipeline_task_input,
    .run_blocking = pipeline_run_blocking,
    .worker_open = pipeline_worker_open,
    .worker_close = pipeline_worker_close,
    .task_limit_ms = pipeline_task_limit_ms,
    .serves = 1,
    .writes_dir = 1,
    .fds = {.fixed = 4, .blocking = 4, .async = 2}, /* http's, and a file */
    .unit_one = "task in flight (a socket and a file)",
    .unit_many = "tasks in flight (a socket and a file)",
    .flags = pipeline_flags,
    .nflags = sizeof pipeline_flags / sizeof pipeline_flags[0],
    .options = WL_OPT_OFFLOAD | WL_OPT_THREADPOOL,
    .default_tasks = 32,
    .default_concurrency = 8,
    .settle = pipeline_settle,
    .json = pipeline_json,
    .njson = sizeof pipeline_json / sizeof pipeline_json[0],
    .print_run = pipeline_print_run,
    .rows = pipeline_rows,
    .nrows = sizeof pipeline_rows / sizeof pipeline_rows[0],
    .columns = WL_COL_OFFLOAD,
    .ideal = WL_IDEAL_CORES,
    .report_intro = pipeline_report_intro,
    .lesson =
        "fetching waits and digesting computes: the loop overlaps the"
        " fetches, but only a model that runs the digests on every "
        "core (offload to libuv's pool, threads, processes) gains "
        "from the cores",
    .timeline_args = pipeline_timeline,
    .timeline_title = "8 pipeline tasks (fetch, digest, save), 4 in flight, "
                      "on each model",
};
