/*
 * async/fetch.c - N requests on one event loop with conclab's own client.
 *
 * Lesson: an HTTP request is a few callbacks, not a library.  Each task
 * sends its GET through the client (async/client.c: connections, the
 * pool, the response reader) and holds one uv_timer: the attempt's
 * --timeout-ms while it waits for the answer, then the backoff before a
 * retry.  What an answer means and whether to retry are the rules every
 * client shares (workloads/http.c: wl_http_verdict, wl_http_retry_ms), so
 * a task comes out the same as with curl, down to the checksum.
 */
#include "client.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>

/* One task's request, across all its attempts. */
typedef struct as_fetch {
  as_exch x; /* first: the client's callback hands this back */
  as_task *task;
  uv_timer_t timer; /* the attempt's limit, then the wait before a retry */
  int attempt;
  int resent; /* this attempt went out again after a stale connection */
  wl_http_body body;
  wl_slot out;
  char url[WL_HTTP_URL_MAX];
} as_fetch;

static void attempt_start(as_fetch *f);

/* ---- the end of a task --------------------------------------------------- */

static void fetch_on_close(uv_handle_t *h) { free(h->data); }

static void fetch_finish(as_fetch *f, wl_status status) {
  as_batch *b = f->task->batch;

  f->out.status = status;
  f->out.value = wl_http_value(&f->out, &f->body);
  uv_close((uv_handle_t *)&f->timer, fetch_on_close);
  as_task_finish(f->task, &f->out);
  if (b->done == b->params->tasks)
    as_client_end(b); /* the last task: close the idle connections */
}

/* ---- judging an attempt -------------------------------------------------- */

static void on_backoff(uv_timer_t *timer) { attempt_start(timer->data); }

/* The attempt is over (failed: WL_OK when a whole answer came): judge it
 * by the shared rules, then retry after a backoff or finish. */
static void attempt_judge(as_fetch *f, wl_status failed, int http_status,
                          const char *why) {
  const wl_params *p = f->task->batch->params;
  uint32_t i = as_task_index(f->task);
  wl_status status = wl_http_verdict(failed, http_status, &f->out, &f->body);
  long wait_ms = wl_http_retry_ms(p, i, f->attempt, status, &f->out);
  char text[64];

  f->out.connects += f->x.connects;
  f->x.connects = 0;
  if (wait_ms < 0) {
    if (status != WL_OK) {
      if (why == NULL) {
        snprintf(text, sizeof text, "HTTP status %d", f->out.http_status);
        why = text;
      }
      wl_http_report_why(p, i, f->attempt, why);
    }
    fetch_finish(f, status);
    return;
  }
  f->attempt++;
  f->out.retries++;
  uv_timer_start(&f->timer, on_backoff, (uint64_t)wait_ms, 0);
}

static void on_timeout(uv_timer_t *timer) {
  as_fetch *f = timer->data;
  as_client_cancel(f->task->batch, &f->x);
  attempt_judge(f, WL_TIMEOUT, 0, "Timeout was reached");
}

/* The client is through with the attempt's exchange. */
static void exch_done(as_exch *x, as_exch_end end, const wl_resp *resp) {
  as_fetch *f = (as_fetch *)x;

  if (end == AS_EXCH_STALE && !f->resent) {
    /* not a failed attempt: the request never reached the server */
    f->resent = 1;
    x->fresh = 1;
    as_client_send(f->task->batch, x, f->url);
    return;
  }
  uv_timer_stop(&f->timer);
  if (end == AS_EXCH_ANSWERED) {
    f->body.hash = resp->hash;
    f->body.bytes = resp->body_bytes;
    attempt_judge(f, WL_OK, resp->status, NULL);
  } else {
    attempt_judge(f, WL_ERROR, 0,
                  x->err != 0 || resp == NULL ? uv_strerror(x->err)
                                              : wl_resp_strerror(resp->error));
  }
}

/* ---- an attempt ---------------------------------------------------------- */

static void attempt_start(as_fetch *f) {
  as_batch *b = f->task->batch;

  wl_http_url(b->params, as_task_index(f->task), f->attempt, f->url,
              sizeof f->url);
  f->resent = 0;
  f->x.fresh = 0;
  if (b->params->timeout_ms > 0)
    uv_timer_start(&f->timer, on_timeout, (uint64_t)b->params->timeout_ms, 0);
  as_client_send(b, &f->x, f->url);
}

static void fetch_start(as_task *t) {
  as_fetch *f = calloc(1, sizeof *f);

  if (f == NULL) {
    as_batch *b = t->batch;
    as_task_done(t, WL_ERROR, 0);
    if (b->done == b->params->tasks)
      as_client_end(b); /* the last task: nothing else will end it */
    return;
  }
  f->task = t;
  f->x.done = exch_done;
  uv_timer_init(&t->batch->loop, &f->timer); /* cannot fail */
  f->timer.data = f;
  attempt_start(f);
}

const as_ops as_fetch_ops = {
    .start = fetch_start, .open = as_client_open, .close = as_client_close};
