/*
 * retry.h - exercise 06: retry with exponential backoff and jitter.
 *
 * Two functions: rt_backoff_ms, the wait before the next attempt, and
 * rt_fetch, one GET request tried again and again until it succeeds, fails
 * for good, or runs out of retries.  You write both in retry.c; the test
 * (test_retry.c) calls them against the real local server (conclab serve).
 *
 * conclab's http workload does the same (workloads/http.c,
 * wl_http_retry_ms), and `conclab run http --retries K --backoff-ms B`
 * uses it.  Do not change this file.
 */
#ifndef EX06_RETRY_H
#define EX06_RETRY_H

/* How hard to try. */
typedef struct rt_policy {
  int retries;     /* K: at most K retries, so at most K + 1 attempts */
  long base_ms;    /* B: the first wait, before the first retry; >= 0 */
  long cap_ms;     /* no single wait is longer than this (conclab: 30000) */
  long timeout_ms; /* give up on one attempt after this long; 0: no limit */
} rt_policy;

/* The wait before the retry that follows failed attempt k (k = 0 is the
 * first attempt), in ms:
 *
 *   w = base_ms * 2^k, but never more than cap_ms      (exponential, capped)
 *   h = w / 2                                          (integer division)
 *   wait = h + (long)(r * (h + 1))                     ("equal jitter")
 *
 * r is a random number in [0, 1).  So half of the wait is fixed and half is
 * drawn: the wait lies between h (r = 0) and 2h (r just below 1), never more
 * than w.  Clients that failed together (the server went down for all of
 * them) then do not all come back at the same millisecond.
 *
 * k can be large (100, 1000): compute w without overflowing - 2^k does not
 * fit in a long for k >= 63, and a long shifted that far is undefined
 * behaviour.  base_ms <= 0 or cap_ms <= 0 gives 0. */
long rt_backoff_ms(const rt_policy *p, int k, double r);

/* What the caller gives rt_fetch: where each attempt goes, how to sleep,
 * where random numbers come from.  A real program would pass a fixed URL,
 * nanosleep and a seeded generator; the test passes its own, so that it can
 * script the failures and record the waits instead of sleeping. */
typedef struct rt_hooks {
  /* The URL for attempt k (k = 0, 1, 2, ...); it must stay valid until
   * the next call.  Call it once per attempt, with k in order. */
  const char *(*url)(void *arg, int k);
  /* Wait ms milliseconds before the next attempt.  Call it exactly once
   * between two attempts, and never after the last. */
  void (*sleep_ms)(void *arg, long ms);
  /* A random number in [0, 1), for rt_backoff_ms's r; once per wait. */
  double (*random)(void *arg);
  void *arg; /* passed to all three */
} rt_hooks;

/* How it ended: the last attempt's outcome. */
typedef enum rt_outcome {
  RT_OK,         /* an answer with a 2xx status */
  RT_HTTP_ERROR, /* an answer with another status (4xx, 5xx, 3xx) */
  RT_TIMEOUT,    /* no whole answer within timeout_ms */
  RT_CONN_ERROR, /* no answer: connection refused, dropped, closed early */
  RT_FAILED      /* could not try at all (no curl handle, bad arguments) */
} rt_outcome;

typedef struct rt_result {
  rt_outcome outcome;
  int attempts;       /* attempts made (1 .. retries + 1; 0 for RT_FAILED) */
  long http_status;   /* the last attempt's status; 0 when it had no answer */
  long long body_bytes; /* the last attempt's body size; 0 with no answer */
} rt_result;

/* GET the URL that hooks->url gives for attempt 0; when that attempt fails
 * in a way that another try could fix, wait rt_backoff_ms(p, k, random())
 * with hooks->sleep_ms and try attempt k + 1, at most p->retries times.
 *
 *   retry:       a 5xx answer; a timeout; a connection error (refused,
 *                dropped: curl got nothing or the connection broke)
 *   never retry: a 2xx (done), or any other status: a 4xx means the request
 *                itself is wrong, and asking again will not change that
 *
 * Use one curl easy handle for all the attempts (the connection is kept
 * alive between them) and clean it up before returning.  The body is not
 * printed: count its bytes.  Each attempt's limit is p->timeout_ms.
 * The caller has called curl_global_init.
 *
 * Fills *out, and returns 0 when the outcome is RT_OK, -1 otherwise. */
int rt_fetch(const rt_policy *p, const rt_hooks *hooks, rt_result *out);

#endif
