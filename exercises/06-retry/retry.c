/*
 * retry.c - exercise 06: retry with backoff and jitter.  (Your file.)
 *
 * Python (the tutorials' retry loop):    C with libcurl:
 *   for k in range(retries + 1):           for (int k = 0;; k++) {
 *       try:                                 curl_easy_perform(easy)
 *           r = requests.get(url, timeout=t)   CURLOPT_TIMEOUT_MS
 *           if r.status_code < 500: break      CURLINFO_RESPONSE_CODE
 *       except (ConnectionError, Timeout):      a CURLcode other than
 *           pass                                  CURLE_OK
 *       w = min(base * 2**k, cap)              rt_backoff_ms
 *       time.sleep(w/2 + random.uniform(0, w/2))  hooks->sleep_ms
 *
 * Blocking is fine here: one request at a time, one thread.
 * Read README.md first.  Check your work with:  exercises/progress 06
 */
#include "retry.h"

#include <curl/curl.h>

long rt_backoff_ms(const rt_policy *p, int k, double r) {
  /* TODO 1: w = p->base_ms doubled k times, but stop doubling once w
   *         reaches p->cap_ms (so it never overflows), and cap it.
   *         Then h = w / 2 and the wait is h + (long)(r * (h + 1)).
   *         base_ms <= 0 or cap_ms <= 0: the wait is 0. */
  (void)p;
  (void)k;
  (void)r;
  return 0;
}

int rt_fetch(const rt_policy *p, const rt_hooks *hooks, rt_result *out) {
  /* TODO 2: curl_easy_init one handle; set CURLOPT_WRITEFUNCTION to a
   *         function that adds size * n to out->body_bytes (and returns
   *         size * n), CURLOPT_WRITEDATA, CURLOPT_NOSIGNAL 1L and
   *         CURLOPT_PROXY "" (loopback must not go through a proxy).
   * TODO 3: the loop, for k = 0, 1, 2, ...: set CURLOPT_URL to
   *         hooks->url(hooks->arg, k) and CURLOPT_TIMEOUT_MS, reset the
   *         body count, curl_easy_perform, and judge what came back:
   *           CURLE_OPERATION_TIMEDOUT        -> RT_TIMEOUT
   *           any other error                 -> RT_CONN_ERROR
   *           CURLE_OK: CURLINFO_RESPONSE_CODE 2xx -> RT_OK,
   *                     else RT_HTTP_ERROR
   *         Count the attempt.  Stop on RT_OK, on a status below 500, or
   *         when k == p->retries; otherwise sleep rt_backoff_ms(p, k,
   *         hooks->random(hooks->arg)) through hooks->sleep_ms.
   * TODO 4: curl_easy_cleanup, and return 0 for RT_OK, -1 otherwise. */
  (void)p;
  (void)hooks;
  out->outcome = RT_FAILED;
  out->attempts = 0;
  out->http_status = 0;
  out->body_bytes = 0;
  return -1;
}
