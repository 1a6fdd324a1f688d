/*
 * async/pipeline.c - fetch, compute, save on one event loop.
 *
 * Lesson: the classic pitfall, measured.  Each task is a chain of
 * callbacks: the fetch is a transfer on the batch's curl multi handle
 * (async/curl.c), the save is uv_fs open/write/close.  The compute step in
 * between is where the two variants part:
 *
 *   in the loop (the pitfall)   the digest runs inside the fetch's
 *                               callback: for that long the loop serves
 *                               nothing - no socket, no timer, no other
 *                               task - and the loop-lag probe shows it.
 *   --offload (run_in_executor) the digest goes to libuv's threadpool with
 *                               uv_queue_work; the loop keeps serving, and
 *                               the digests of different tasks run on
 *                               different cores.
 *
 * The saves go to the same threadpool (every uv_fs_* call does).
 */
#include "async.h"
#include "curl.h"
#include "files.h"
#include "http.h"
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* One task's request: fetch, compute, save. */
typedef struct as_pipeline_req {
  as_curl_xfer xfer; /* first: curl's callback hands this back */
  as_task *task;
  int offload;
  CURL *easy; /* the fetch; NULL after it */
  wl_pipeline_body body;
  wl_slot out;
  uv_work_t work; /* --offload: the compute step */
  uv_fs_t fs;     /* the save */
  uv_file fd;     /* -1 when no file is open */
  const char *what; /* the save step that failed */
  int err;          /* and its error (a negative libuv code) */
  char line[WL_PIPELINE_LINE];
  char path[WL_FILES_PATH_MAX];
} as_pipeline_req;

static uv_loop_t *loop_of(as_pipeline_req *r) { return &r->task->batch->loop; }

/* ---- the end of a task --------------------------------------------------- */

static void finish(as_pipeline_req *r, wl_status status) {
  as_batch *b = r->task->batch;

  if (r->what != NULL) {
    wl_report_error("pipeline", as_task_index(r->task), r->what, r->path,
                    strerror(-r->err));
    status = WL_ERROR;
  }
  r->out.status = status;
  if (status != WL_OK)
    r->out.value = 0;
  as_task_finish(r->task, &r->out);
  if (r->easy != NULL)
    curl_easy_cleanup(r->easy);
  wl_pipeline_body_free(&r->body);
  free(r);
  if (b->done == b->params->tasks)
    as_curl_end(b); /* the last task: close the connections */
}

static void on_fail_closed(uv_fs_t *req) {
  uv_fs_req_cleanup(req);
  finish(req->data, WL_ERROR);
}

/* A save step failed: remember which, close the file if open, finish. */
static void fail(as_pipeline_req *r, const char *what, int err) {
  r->what = what;
  r->err = err;
  if (r->fd < 0 ||
      uv_fs_close(loop_of(r), &r->fs, r->fd, on_fail_closed) != 0)
    finish(r, WL_ERROR);
}

/* ---- save ---------------------------------------------------------------- */

static void on_closed(uv_fs_t *req) {
  as_pipeline_req *r = req->data;
  ssize_t rc = req->result;

  uv_fs_req_cleanup(req);
  if (rc < 0)
    fail(r, "close", (int)rc);
  else
    finish(r, WL_OK);
}

static void on_written(uv_fs_t *req) {
  as_pipeline_req *r = req->data;
  ssize_t n = req->result;
  uv_file fd = r->fd;

  uv_fs_req_cleanup(req);
  if (n < 0 || (size_t)n != strlen(r->line)) {
    /* 17 bytes into a new file: short only when the disk is full */
    fail(r, "write", n < 0 ? (int)n : UV_ENOSPC);
    return;
  }
  r->fd = -1;
  if (uv_fs_close(loop_of(r), &r->fs, fd, on_closed) != 0)
    fail(r, "close", UV_EIO);
}

static void on_opened(uv_fs_t *req) {
  as_pipeline_req *r = req->data;
  ssize_t fd = req->result;
  uv_buf_t buf;
  int err;

  uv_fs_req_cleanup(req);
  if (fd < 0) {
    fail(r, "open for writing", (int)fd);
    return;
  }
  r->fd = (uv_file)fd;
  buf = uv_buf_init(r->line, (unsigned)strlen(r->line));
  err = uv_fs_write(loop_of(r), &r->fs, r->fd, &buf, 1, 0, on_written);
  if (err != 0)
    fail(r, "write", err);
}

static void save(as_pipeline_req *r) {
  int err;

  wl_pipeline_line(r->out.value, r->line);
  wl_files_path(r->task->batch->params, as_task_index(r->task), r->path,
                sizeof r->path);
  if (wl_files_stopping) { /* the directory is being removed */
    fail(r, "open for writing", UV_ECANCELED);
    return;
  }
  err = uv_fs_open(loop_of(r), &r->fs, r->path,
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, on_opened);
  if (err != 0)
    fail(r, "open for writing", err);
}

/* A step that could not even start (out of memory, a refused request):
 * said like any other failure - the first one printed - then finished. */
static void could_not(as_pipeline_req *r, const char *what, const char *why) {
  char url[WL_HTTP_URL_MAX];
  wl_http_url(r->task->batch->params, as_task_index(r->task), 0, url,
              sizeof url);
  wl_report_error("pipeline", as_task_index(r->task), what, url, why);
  finish(r, WL_ERROR);
}

/* ---- compute ------------------------------------------------------------- */

static void compute(as_pipeline_req *r) {
  r->out.value = wl_pipeline_compute(as_task_index(r->task), &r->body,
                                     r->task->batch->params->rounds, &r->out);
}

/* --offload: on a threadpool thread.  It touches only its own request;
 * the loop reads the result after uv_queue_work's completion callback. */
static void compute_work(uv_work_t *work) {
  as_pipeline_req *r = work->data;
  as_offload_begin(r->task);
  compute(r);
  as_offload_end(r->task);
}

static void after_compute(uv_work_t *work, int status) {
  as_pipeline_req *r = work->data;
  if (status != 0) /* cancelled */
    could_not(r, "digest of", uv_strerror(status));
  else
    save(r);
}

/* ---- fetch --------------------------------------------------------------- */

/* The fetch is over: check it, then compute - here, in the loop's own
 * callback (the pitfall), or on the threadpool. */
static void fetched(as_curl_xfer *x, CURL *easy, CURLcode rc) {
  as_pipeline_req *r = (as_pipeline_req *)x;
  const wl_params *p = r->task->batch->params;
  wl_status status = wl_pipeline_fetched(easy, rc, p, as_task_index(r->task),
                                         &r->body, &r->out);
  int err;

  curl_easy_cleanup(r->easy);
  r->easy = NULL;
  if (status != WL_OK) {
    finish(r, status);
    return;
  }
  if (!r->offload) {
    /* blocks the loop for one whole compute step; the task's own span is
     * current for it, so the timeline shows the step on the task's row */
    wl_span_enter(r->task->batch->spans, as_task_index(r->task));
    compute(r);
    wl_span_leave();
    save(r);
    return;
  }
  r->work.data = r;
  err = uv_queue_work(loop_of(r), &r->work, compute_work, after_compute);
  if (err != 0)
    could_not(r, "digest of", uv_strerror(err));
}

static void start(as_task *t, int offload) {
  as_pipeline_req *r = calloc(1, sizeof *r);
  as_batch *b = t->batch;

  if (r == NULL) {
    wl_report_error("pipeline", as_task_index(t), "start", "its fetch",
                    strerror(ENOMEM));
    as_task_done(t, WL_ERROR, 0);
    if (b->done == b->params->tasks)
      as_curl_end(b); /* the last task: nothing else will end it */
    return;
  }
  r->task = t;
  r->offload = offload;
  r->fd = -1;
  r->fs.data = r;
  r->xfer.done = fetched;
  if (wl_pipeline_body_init(&r->body, (size_t)b->params->size) != 0)
    could_not(r, "fetch", "no memory for the body");
  else if ((r->easy = curl_easy_init()) == NULL ||
           wl_pipeline_prepare(r->easy, b->params, as_task_index(t),
                               &r->body) != 0 ||
           as_curl_add(b, r->easy, &r->xfer) != 0)
    could_not(r, "fetch", "cannot start the request (out of memory?)");
}

static void start_in_loop(as_task *t) { start(t, 0); }
static void start_offload(as_task *t) { start(t, 1); }

const as_ops as_pipeline_in_loop_ops = {
    .start = start_in_loop, .open = as_curl_open, .close = as_curl_close};
const as_ops as_pipeline_offload_ops = {
    .start = start_offload, .open = as_curl_open, .close = as_curl_close};
