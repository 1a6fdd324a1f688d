/*
 * async/http.c - N requests on one event loop: libcurl's multi interface,
 * driven by libuv.
 *
 * Lesson: aiohttp in C.  curl speaks HTTP; the loop does all the waiting
 * (the glue between them is async/curl.c).  One multi handle is the
 * session: when a request finishes, its connection goes back to the multi
 * handle's cache and the next request reuses it - ClientSession's pool.
 * Each task holds its semaphore permit across its retries; a retry's wait
 * is a uv_timer, never a sleep.  A timed-out transfer is removed from the
 * multi handle (curl closes its connection); its easy handle is added again
 * for a retry, and cleaned up when the task ends.
 */
#include "async.h"
#include "curl.h"
#include "http.h"

#include <stdlib.h>

/* One task's request, across all its attempts. */
typedef struct as_http_req {
  as_curl_xfer xfer; /* first: curl's callback hands this back */
  as_task *task;
  CURL *easy;
  uv_timer_t backoff; /* the wait before a retry */
  int attempt;
  wl_http_body body;
  wl_slot out;
} as_http_req;

static void attempt_start(as_http_req *req);

/* ---- a task's request ---------------------------------------------------- */

static void req_on_close(uv_handle_t *h) { free(h->data); }

/* The task is over, one way or another: store its result, free its curl
 * handle, close its timer (which frees it), and hand on its permit. */
static void req_finish(as_http_req *req, wl_status status) {
  as_batch *b = req->task->batch;

  req->out.status = status;
  req->out.value = wl_http_value(&req->out, &req->body);
  curl_easy_cleanup(req->easy);
  uv_close((uv_handle_t *)&req->backoff, req_on_close);
  as_task_finish(req->task, &req->out);
  if (b->done == b->params->tasks)
    as_curl_end(b);
}

static void backoff_on_fire(uv_timer_t *timer) { attempt_start(timer->data); }

/* An attempt's transfer is over: judge it, then retry after a backoff or
 * finish. */
static void attempt_done(as_curl_xfer *x, CURL *easy, CURLcode rc) {
  as_http_req *req = (as_http_req *)x;
  const wl_params *p = req->task->batch->params;
  wl_status status = wl_http_judge(easy, rc, &req->out, &req->body);
  long wait_ms =
      wl_http_retry_ms(p, as_task_index(req->task), req->attempt, status,
                       &req->out);

  if (wait_ms < 0) {
    if (status != WL_OK)
      wl_http_report(easy, rc, p, as_task_index(req->task), req->attempt,
                     &req->out);
    req_finish(req, status);
    return;
  }
  req->attempt++;
  req->out.retries++;
  uv_timer_start(&req->backoff, backoff_on_fire, (uint64_t)wait_ms, 0);
}

static void attempt_start(as_http_req *req) {
  as_batch *b = req->task->batch;
  char url[WL_HTTP_URL_MAX];

  wl_http_url(b->params, as_task_index(req->task), req->attempt, url,
              sizeof url);
  if (wl_http_prepare(req->easy, b->params, url, &req->body) != 0 ||
      as_curl_add(b, req->easy, &req->xfer) != 0)
    req_finish(req, WL_ERROR);
}

static void http_start(as_task *t) {
  as_http_req *req = calloc(1, sizeof *req);

  if (req == NULL || (req->easy = curl_easy_init()) == NULL) {
    as_batch *b = t->batch;
    free(req);
    as_task_done(t, WL_ERROR, 0);
    if (b->done == b->params->tasks)
      as_curl_end(b); /* the last task: nothing else will end it */
    return;
  }
  req->task = t;
  req->xfer.done = attempt_done;
  uv_timer_init(&t->batch->loop, &req->backoff); /* cannot fail */
  req->backoff.data = req;
  attempt_start(req);
}

const as_ops as_http_ops = {
    .start = http_start, .open = as_curl_open, .close = as_curl_close};
