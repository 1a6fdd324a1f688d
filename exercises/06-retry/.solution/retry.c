/*
 * retry.c - exercise 06: retry with backoff and jitter.  (Reference
 * solution.)
 *
 * A failed request is tried again, but not at once and not forever: each
 * wait doubles (the server gets room to recover), no wait exceeds the cap,
 * half of each wait is random (clients that failed together spread out),
 * and only failures that another try could fix are retried.
 */
#include "retry.h"

#include <curl/curl.h>

long rt_backoff_ms(const rt_policy *p, int k, double r) {
  long w = p->base_ms, h;

  if (p->base_ms <= 0 || p->cap_ms <= 0)
    return 0;
  /* Double k times, but stop at the cap: never compute 2^k itself, which
   * overflows a long long before k reaches 64. */
  for (int i = 0; i < k && w < p->cap_ms; i++)
    w *= 2;
  if (w > p->cap_ms)
    w = p->cap_ms;
  h = w / 2;
  return h + (long)(r * (double)(h + 1));
}

/* curl hands the body over in pieces; count them, print nothing. */
static size_t count_body(char *data, size_t size, size_t n, void *arg) {
  long long *bytes = arg;
  (void)data;
  *bytes += (long long)(size * n);
  return size * n;
}

/* One attempt at url on easy: its outcome, status and body size in *out. */
static void attempt(CURL *easy, const rt_policy *p, const char *url,
                    rt_result *out) {
  CURLcode rc;
  long status = 0;

  out->body_bytes = 0;
  rc = curl_easy_setopt(easy, CURLOPT_URL, url);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, p->timeout_ms);
  if (rc == CURLE_OK)
    rc = curl_easy_perform(easy);
  if (rc != CURLE_OK) {
    /* No whole answer: forget whatever part of a body arrived. */
    out->http_status = 0;
    out->body_bytes = 0;
    out->outcome = rc == CURLE_OPERATION_TIMEDOUT ? RT_TIMEOUT : RT_CONN_ERROR;
    return;
  }
  if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
    status = 0; /* cannot happen after a transfer; judged an error if so */
  out->http_status = status;
  out->outcome = status >= 200 && status < 300 ? RT_OK : RT_HTTP_ERROR;
}

/* Could another try change this outcome? */
static int worth_retrying(const rt_result *r) {
  if (r->outcome == RT_TIMEOUT || r->outcome == RT_CONN_ERROR)
    return 1; /* the server or the network may be back next time */
  return r->outcome == RT_HTTP_ERROR && r->http_status >= 500;
}

int rt_fetch(const rt_policy *p, const rt_hooks *hooks, rt_result *out) {
  CURL *easy;
  CURLcode rc = CURLE_OK;

  out->outcome = RT_FAILED;
  out->attempts = 0;
  out->http_status = 0;
  out->body_bytes = 0;
  if (p->retries < 0 || (easy = curl_easy_init()) == NULL)
    return -1;
  /* Set once for every attempt: the handle keeps its options. */
  rc = curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, count_body);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_WRITEDATA, &out->body_bytes);
  if (rc == CURLE_OK) /* no SIGALRM for timeouts */
    rc = curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  if (rc == CURLE_OK) /* an http_proxy in the environment must not apply */
    rc = curl_easy_setopt(easy, CURLOPT_PROXY, "");
  if (rc != CURLE_OK) {
    curl_easy_cleanup(easy);
    return -1;
  }

  for (int k = 0;; k++) {
    attempt(easy, p, hooks->url(hooks->arg, k), out);
    out->attempts = k + 1;
    if (!worth_retrying(out) || k >= p->retries)
      break;
    hooks->sleep_ms(hooks->arg, rt_backoff_ms(p, k, hooks->random(hooks->arg)));
  }
  curl_easy_cleanup(easy);
  return out->outcome == RT_OK ? 0 : -1;
}
