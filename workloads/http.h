/*
 * http.h - the pieces of the http workload that every model shares.
 *
 * A task is one GET request, retried on failure.  One attempt goes:
 *
 *   wl_http_url        which URL attempt a of task i asks for
 *   wl_http_prepare    set up a curl easy handle for it
 *   (the model performs it: curl_easy_perform, or a curl multi handle)
 *   wl_http_judge      what came of it: ok, HTTP error, timeout, no connection
 *   wl_http_retry_ms   whether to try again, and after how long
 *
 * and at the end wl_http_value folds the last answer into the task's value.
 * seq, threaded and multiproc run the blocking loop in http.c; async/http.c
 * runs the same steps from callbacks on the event loop.  async's native
 * client (async/fetch.c) makes its own requests, without curl, and judges
 * and retries them by the same rules (wl_http_verdict, wl_http_retry_ms).
 */
#ifndef CONCLAB_HTTP_H
#define CONCLAB_HTTP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

#define WL_HTTP_URL_MAX 512 /* the base URL and a path */
#define WL_HTTP_BASE_MAX WL_URL_MAX
#define WL_HTTP_BACKOFF_CAP_MS 30000 /* no single wait is longer */
#define WL_HTTP_BACKOFF_MAX_MS WL_HTTP_BACKOFF_CAP_MS /* --backoff-ms */
/* What a task's limit adds to the waits its client bounds by itself, so
 * that curl's own timeout is what reports a slow server, and multiproc's
 * watchdog only catches a worker that cannot report (stopped, stuck). */
#define WL_HTTP_GRACE_MS 1000

/* The server a base URL names, split for conclab's own clients (async's
 * on the loop, and the blocking one): the name and port to resolve, the
 * Host header, and where the path of a URL made from the base starts. */
typedef struct wl_http_origin {
  char name[WL_URL_MAX];
  char port[8];
  char host[WL_URL_MAX]; /* the URL's authority, host[:port] */
  size_t path_at;
} wl_http_origin;

/* One attempt's body, folded into a hash as it arrives. */
typedef struct wl_http_body {
  uint64_t hash;
  uint64_t bytes;
} wl_http_body;

/* curl_global_init, once per process (safe from any thread).  0 or -1. */
int wl_http_global_init(void);

/* The URL of attempt `attempt` (0 = first) of task `index`: the endpoint,
 * or, for the seeded --fail-rate share of attempts, /status/500 or /drop. */
void wl_http_url(const wl_params *p, uint32_t index, int attempt, char *url,
                 size_t cap);
/* Split base (a URL that WL_FLAG_URL accepted).  0, or -1 (printed). */
int wl_http_origin_of(const char *base, wl_http_origin *o);
/* The request for url (made from o's base) in buf: GET, its path, Host.
 * Its length, or -1 when it does not fit. */
int wl_http_request(const wl_http_origin *o, const char *url, char *buf,
                    size_t cap);
/* Set up easy for one attempt at url, its body going into *body. */
int wl_http_prepare(CURL *easy, const wl_params *p, const char *url,
                    wl_http_body *body);
/* The same, but the body's handler is the caller's (pipeline keeps it):
 * the URL, the timeout, connection reuse, no signals, no proxy. */
int wl_http_prepare_request(CURL *easy, const wl_params *p, const char *url);
/* The attempt ended with rc: record its HTTP status and new connections in
 * out, and say what it came to.  An attempt that did not end with a whole
 * answer (a timeout, a broken connection) keeps neither the status nor the
 * part of the body that arrived: how much did is down to timing. */
wl_status wl_http_judge(CURL *easy, CURLcode rc, wl_slot *out,
                        wl_http_body *body);
/* The rule both clients judge by: an attempt that ended with a whole
 * answer (failed == WL_OK) is ok when its status is 2xx, an HTTP error
 * otherwise; one that did not (failed: WL_TIMEOUT or WL_ERROR) keeps
 * neither the status nor the part of the body that came.  Records the
 * status in out. */
wl_status wl_http_verdict(wl_status failed, int http_status, wl_slot *out,
                          wl_http_body *body);
/* After a failed attempt: the wait before the next one in ms, or -1 when
 * there is none (it succeeded, retries are used up, or the answer was not
 * a 5xx: a retry cannot change a 4xx). */
long wl_http_retry_ms(const wl_params *p, uint32_t index, int attempt,
                      wl_status status, const wl_slot *out);
/* curl's reason for rc, and the system's when there is one. */
void wl_http_why(CURL *easy, CURLcode rc, char *why, size_t cap);
/* Task `index` ended in failure after `attempt`, whose transfer ended with
 * rc: say why, once per run (wl_report_error): curl's reason and the
 * system's (EMFILE: "Too many open files"), or the HTTP status. */
void wl_http_report(CURL *easy, CURLcode rc, const wl_params *p,
                    uint32_t index, int attempt, const wl_slot *out);
/* The same, with the reason in words (the native client's): say it once
 * per run, with the URL of the attempt. */
void wl_http_report_why(const wl_params *p, uint32_t index, int attempt,
                        const char *why);
/* The most one task may take (wl_task_limit_ms): every attempt to its
 * --timeout-ms, every backoff to its longest, plus WL_HTTP_GRACE_MS. */
int64_t wl_http_task_limit_ms(const wl_params *p);
/* The task's value: its last HTTP status and body, hashed.  Not the
 * retries: a request that needed one still got the same answer. */
uint64_t wl_http_value(const wl_slot *out, const wl_http_body *body);

#endif
