/*
 * http.c - the network workload: N GET requests to an HTTP server.
 *
 * Lesson: the tutorials' aiohttp example, on real sockets.  Task i asks
 * for /delay/D (or /bytes/S, or /stall); its value is a hash of the answer's
 * status and body, so every model must agree with seq's checksum.  A failed
 * request is data, not a crash: each task records what came of it (ok, HTTP
 * error, timeout, connection error) and how many retries it used, and the
 * batch always finishes (return_exceptions=True).
 *
 * Everything here is blocking: one client per worker, reused for that
 * worker's requests, so its connection is kept alive between them (an
 * aiohttp ClientSession of one): conclab's own (workloads/get.c), or with
 * --client curl a curl easy handle.  async runs the same steps from
 * callbacks on the event loop: async/fetch.c, or async/http.c with curl.
 */
#include "http.h"

#include <http_parser.h>

#include "get.h"
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- which URL an attempt asks for ------------------------------------- */

const char *const wl_endpoint_names[] = {"delay", "bytes", "stall"};
const char *const wl_client_names[] = {"native", "curl"};

/* splitmix64: a few multiplies that scramble bits well.  The failures and
 * the jitter must be the same in every model and every run, so they come
 * from (seed, task, attempt), never from rand() or the clock. */
static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* A number in [0, 1) fixed by (seed, task, attempt, purpose). */
static double draw(uint64_t seed, uint32_t index, int attempt, int purpose) {
  uint64_t h = mix(mix(mix(seed) ^ index) ^ (uint64_t)attempt);
  h = mix(h ^ (uint64_t)purpose);
  return (double)(h >> 11) / 9007199254740992.0; /* 2^53 */
}

enum { DRAW_FAIL, DRAW_KIND, DRAW_JITTER };

void wl_http_url(const wl_params *p, uint32_t index, int attempt, char *url,
                 size_t cap) {
  int base = (int)strlen(p->url);

  while (base > 0 && p->url[base - 1] == '/')
    base--; /* http://host:port/ and http://host:port are the same base */
  if (p->fail_rate > 0 &&
      draw(p->seed, index, attempt, DRAW_FAIL) < p->fail_rate) {
    /* A deliberate failure: half answer 500, half drop the connection. */
    int drop = draw(p->seed, index, attempt, DRAW_KIND) < 0.5;
    snprintf(url, cap, "%.*s%s", base, p->url,
             drop ? "/drop" : "/status/500");
    return;
  }
  switch (p->endpoint) {
  case WL_EP_DELAY:
    snprintf(url, cap, "%.*s/delay/%d", base, p->url, p->delay_ms);
    break;
  case WL_EP_BYTES:
    snprintf(url, cap, "%.*s/bytes/%lld", base, p->url, (long long)p->size);
    break;
  case WL_EP_STALL:
    snprintf(url, cap, "%.*s/stall", base, p->url);
    break;
  }
}

/* ---- the request, for conclab's own clients ----------------------------- */

int wl_http_origin_of(const char *base, wl_http_origin *o) {
  struct http_parser_url u;
  const char *auth = strstr(base, "://");
  size_t start;

  http_parser_url_init(&u);
  if (http_parser_parse_url(base, strlen(base), 0, &u) != 0 ||
      !(u.field_set & (1 << UF_HOST))) {
    fprintf(stderr, "conclab: http: %s: not a URL\n", base);
    return -1;
  }
  start = u.field_data[UF_HOST].off;
  o->path_at = u.field_set & (1 << UF_PATH) ? u.field_data[UF_PATH].off
                                            : strlen(base);
  auth = auth != NULL ? auth + 3 : base;
  snprintf(o->host, sizeof o->host, "%.*s", (int)(base + o->path_at - auth),
           auth);
  snprintf(o->name, sizeof o->name, "%.*s", (int)u.field_data[UF_HOST].len,
           base + start);
  snprintf(o->port, sizeof o->port, "%u",
           u.field_set & (1 << UF_PORT) ? u.port : 80u);
  return 0;
}

int wl_http_request(const wl_http_origin *o, const char *url, char *buf,
                    size_t cap) {
  const char *path = strlen(url) > o->path_at ? url + o->path_at : "/";
  int len = snprintf(buf, cap, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path,
                     o->host);
  return len < 0 || (size_t)len >= cap ? -1 : len;
}

/* ---- one attempt --------------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_ALL); }

int wl_http_global_init(void) {
  pthread_once(&global_once, global_init);
  if (global_rc != CURLE_OK) {
    wl_report_once("http: curl_global_init: %s",
                   curl_easy_strerror(global_rc));
    return -1;
  }
  return 0;
}

/* curl hands the body over in pieces as it arrives; fold each in. */
static size_t on_body(char *data, size_t size, size_t n, void *arg) {
  wl_http_body *body = arg;
  body->hash = wl_hash_bytes(body->hash, data, size * n);
  body->bytes += size * n;
  return size * n;
}

/* curl reports a socket it could not open as "Couldn't connect", without
 * the reason; opening it here keeps errno (EMFILE above all) for the
 * report.  Per thread: an attempt is prepared, performed and judged on one
 * thread (seq, a pool thread, a worker process, the loop). */
static _Thread_local int socket_errno;

static curl_socket_t open_socket(void *clientp, curlsocktype purpose,
                                 struct curl_sockaddr *a) {
  curl_socket_t fd = socket(a->family, a->socktype, a->protocol);
  (void)clientp;
  (void)purpose;
  if (fd == CURL_SOCKET_BAD)
    socket_errno = errno;
  return fd;
}

#define SET(opt, val) \
  if (rc == CURLE_OK) \
  rc = curl_easy_setopt(easy, opt, val)

int wl_http_prepare(CURL *easy, const wl_params *p, const char *url,
                    wl_http_body *body) {
  CURLcode rc = CURLE_OK;

  body->hash = wl_hash_bytes(WL_HASH_INIT, NULL, 0);
  body->bytes = 0;
  SET(CURLOPT_WRITEFUNCTION, on_body);
  SET(CURLOPT_WRITEDATA, body);
  return rc == CURLE_OK ? wl_http_prepare_request(easy, p, url) : -1;
}

int wl_http_prepare_request(CURL *easy, const wl_params *p, const char *url) {
  CURLcode rc = CURLE_OK;

  socket_errno = 0;
  SET(CURLOPT_URL, url);
  SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
  /* No SIGALRM for timeouts: signals and threads do not mix. */
  SET(CURLOPT_NOSIGNAL, 1L);
  /* An http_proxy in the environment must not reroute loopback traffic. */
  SET(CURLOPT_PROXY, "");
  SET(CURLOPT_TIMEOUT_MS, (long)p->timeout_ms);
  /* --no-reuse: a fresh connection for each request, closed after it.  The
   * default keeps it in the handle's cache for the next request. */
  SET(CURLOPT_FRESH_CONNECT, (long)p->no_reuse);
  SET(CURLOPT_FORBID_REUSE, (long)p->no_reuse);
  return rc == CURLE_OK ? 0 : -1;
}
#undef SET

wl_status wl_http_verdict(wl_status failed, int http_status, wl_slot *out,
                          wl_http_body *body) {
  out->http_status = http_status;
  if (failed != WL_OK) { /* no whole answer: forget the part that came */
    out->http_status = 0;
    body->hash = WL_HASH_INIT;
    body->bytes = 0;
    return failed;
  }
  return http_status >= 200 && http_status < 300 ? WL_OK : WL_ERROR;
}

wl_status wl_http_judge(CURL *easy, CURLcode rc, wl_slot *out,
                        wl_http_body *body) {
  long status = 0, connects = 0;
  wl_status failed = WL_OK;

  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  out->connects += (int)connects;
  if (rc != CURLE_OK)
    failed = rc == CURLE_OPERATION_TIMEDOUT ? WL_TIMEOUT : WL_ERROR;
  return wl_http_verdict(failed, (int)status, out, body);
}

long wl_http_retry_ms(const wl_params *p, uint32_t index, int attempt,
                      wl_status status, const wl_slot *out) {
  long base;

  if (status == WL_OK || attempt >= p->retries)
    return -1;
  if (out->http_status != 0 && out->http_status < 500)
    return -1; /* a 4xx: the request itself is wrong; asking again won't help */
  /* Exponential backoff: B, 2B, 4B, ... capped; then "equal jitter": half
   * the wait is fixed, half is drawn, so clients that failed together do
   * not all come back together. */
  base = (long)p->backoff_ms;
  for (int i = 0; i < attempt && base < WL_HTTP_BACKOFF_CAP_MS; i++)
    base *= 2;
  if (base > WL_HTTP_BACKOFF_CAP_MS)
    base = WL_HTTP_BACKOFF_CAP_MS;
  return base / 2 +
         (long)(draw(p->seed, index, attempt, DRAW_JITTER) * (base / 2 + 1));
}

void wl_http_why(CURL *easy, CURLcode rc, char *why, size_t cap) {
  long os_errno = 0;

  curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
  if (os_errno == 0)
    os_errno = socket_errno;
  if (os_errno != 0)
    snprintf(why, cap, "%s: %s", curl_easy_strerror(rc),
             strerror((int)os_errno));
  else
    snprintf(why, cap, "%s", curl_easy_strerror(rc));
}

void wl_http_report(CURL *easy, CURLcode rc, const wl_params *p,
                    uint32_t index, int attempt, const wl_slot *out) {
  char why[160];

  if (rc != CURLE_OK)
    wl_http_why(easy, rc, why, sizeof why);
  else
    snprintf(why, sizeof why, "HTTP status %d", out->http_status);
  wl_http_report_why(p, index, attempt, why);
}

void wl_http_report_why(const wl_params *p, uint32_t index, int attempt,
                        const char *why) {
  char url[WL_HTTP_URL_MAX];

  wl_http_url(p, index, attempt, url, sizeof url);
  wl_report_error("http", index, "GET", url, why);
}

int64_t wl_http_task_limit_ms(const wl_params *p) {
  int64_t ms = WL_HTTP_GRACE_MS, base = p->backoff_ms;

  for (int attempt = 0; attempt <= p->retries; attempt++) {
    ms += p->timeout_ms;
    if (attempt < p->retries) /* the longest wait wl_http_retry_ms draws */
      ms += (base < WL_HTTP_BACKOFF_CAP_MS ? base : WL_HTTP_BACKOFF_CAP_MS) + 1;
    if (base < WL_HTTP_BACKOFF_CAP_MS)
      base *= 2;
  }
  return ms;
}

uint64_t wl_http_value(const wl_slot *out, const wl_http_body *body) {
  return wl_hash_word(body->hash, (uint64_t)out->http_status);
}

/* ---- the blocking client: seq, threaded and multiproc -------------------- */

/* A worker's client, kept for all its requests so that its connection
 * stays open between them: a curl easy handle, or conclab's own. */
typedef struct http_worker {
  const wl_params *params;
  CURL *easy;       /* --client curl */
  wl_getter *get;   /* --client native */
} http_worker;

static int http_worker_open(const wl_params *p, void **worker) {
  http_worker *w = calloc(1, sizeof *w);

  if (w == NULL) {
    wl_report_once("http: out of memory for a worker");
    return -1;
  }
  w->params = p;
  if (p->client == WL_CLIENT_NATIVE) {
    if ((w->get = malloc(sizeof *w->get)) == NULL ||
        wl_get_open(w->get, p->url, p->no_reuse) != 0) {
      wl_report_once("http: cannot make a client");
      free(w->get);
      free(w);
      return -1;
    }
  } else if (wl_http_global_init() != 0 ||
             (w->easy = curl_easy_init()) == NULL) {
    wl_report_once("http: cannot make a curl handle");
    free(w);
    return -1;
  }
  *worker = w;
  return 0;
}

static void http_worker_close(void *worker) {
  http_worker *w = worker;
  if (w->get != NULL)
    wl_get_close(w->get);
  free(w->get);
  if (w->easy != NULL)
    curl_easy_cleanup(w->easy);
  free(w);
}

static void http_task_input(const wl_params *p, uint32_t i, wl_task *out) {
  (void)p;
  out->index = i;
  out->a = out->b = 0;
}

/* One attempt with curl: judged, and why it failed in why. */
static wl_status attempt_curl(http_worker *w, const char *url,
                              wl_http_body *body, wl_slot *out, char *why,
                              size_t cap) {
  CURLcode rc;
  wl_status status;

  if (wl_http_prepare(w->easy, w->params, url, body) != 0) {
    snprintf(why, cap, "cannot set up a curl handle");
    return WL_ERROR;
  }
  rc = curl_easy_perform(w->easy);
  status = wl_http_judge(w->easy, rc, out, body);
  if (rc != CURLE_OK)
    wl_http_why(w->easy, rc, why, cap);
  return status;
}

/* One attempt with conclab's own client, judged by the same rule. */
static wl_status attempt_native(http_worker *w, const char *url,
                                wl_http_body *body, wl_slot *out, char *why,
                                size_t cap) {
  wl_resp resp;
  int err = 0;
  wl_get_end end = wl_get(w->get, url, w->params->timeout_ms, &resp, &err,
                          &out->connects);

  body->hash = resp.hash;
  body->bytes = resp.body_bytes;
  if (end != WL_GET_ANSWERED)
    wl_get_why(w->get, end, err, &resp, why, cap);
  return wl_http_verdict(end == WL_GET_ANSWERED  ? WL_OK
                         : end == WL_GET_TIMEOUT ? WL_TIMEOUT
                                                 : WL_ERROR,
                         resp.status, out, body);
}

static wl_status http_run_blocking(const wl_task *t, void *worker,
                                   wl_slot *out) {
  http_worker *w = worker;
  char url[WL_HTTP_URL_MAX], why[160];
  wl_http_body body = {0};
  wl_status status = WL_ERROR;
  long wait_ms;

  if (w == NULL)
    return WL_ERROR; /* this worker has no client */
  for (int attempt = 0;; attempt++) {
    wl_http_url(w->params, t->index, attempt, url, sizeof url);
    why[0] = '\0';
    status = w->get != NULL
                 ? attempt_native(w, url, &body, out, why, sizeof why)
                 : attempt_curl(w, url, &body, out, why, sizeof why);
    wait_ms = wl_http_retry_ms(w->params, t->index, attempt, status, out);
    if (wait_ms < 0 && status != WL_OK) {
      if (why[0] == '\0')
        snprintf(why, sizeof why, "HTTP status %d", out->http_status);
      wl_http_report_why(w->params, t->index, attempt, why);
    }
    if (wait_ms < 0)
      break;
    wl_sleep_ms((uint64_t)wait_ms);
    out->retries++;
  }
  out->value = wl_http_value(out, &body);
  return status;
}

/* ---- what the harness reads ---------------------------------------------- */

/* --endpoint first: which of the others apply depends on it. */
static const wl_flag http_flags[] = {
    {.name = "--endpoint",
     .arg = "E",
     .help = "ask for /delay/D, /bytes/S or /stall (which never\nanswers; "
             "needs --timeout-ms)",
     .kind = WL_FLAG_NAME,
     .field = offsetof(wl_params, endpoint),
     .def = WL_EP_DELAY,
     .names = wl_endpoint_names,
     .nnames = 3,
     .say = WL_SAY_IF_SET},
    {.name = "--delay-ms",
     .arg = "D",
     .help = "delay: each asks for /delay/D, answered after D ms",
     .kind = WL_FLAG_INT,
     .field = offsetof(wl_params, delay_ms),
     .def = 100,
     .lo = 0,
     .hi = WL_MAX_DELAY_MS,
     .endpoints = 1u << WL_EP_DELAY},
    {.name = "--size",
     .arg = "S",
     .help = "bytes: each response is S bytes",
     .kind = WL_FLAG_INT64,
     .field = offsetof(wl_params, size),
     .def = 1024,
     .lo = 0,
     .hi = WL_MAX_SIZE,
     .endpoints = 1u << WL_EP_BYTES},
    {.name = "--url",
     .arg = "BASE",
     .help = "use the server at BASE (http://host:port) instead\nof starting "
             "conclab serve",
     .kind = WL_FLAG_URL,
     .field = offsetof(wl_params, url),
     .say = WL_SAY_IF_SET},
    {.name = "--no-reuse",
     .help = "a new connection for every request (default: each\nworker keeps "
             "its connections alive and reuses them)",
     .kind = WL_FLAG_SWITCH,
     .field = offsetof(wl_params, no_reuse),
     .say = WL_SAY_IF_SET},
    {.name = "--client",
     .arg = "NAME",
     .help = "native: conclab's own client (on the loop for async,\nplain "
             "sockets for the others); curl: libcurl",
     .kind = WL_FLAG_NAME,
     .field = offsetof(wl_params, client),
     .def = WL_CLIENT_NATIVE,
     .names = wl_client_names,
     .nnames = 2,
     .say = WL_SAY_IF_SET},
    {.name = "--retries",
     .arg = "K",
     .help = "retry a failed request (5xx, timeout, connection\nerror; not "
             "4xx) up to K times",
     .kind = WL_FLAG_INT,
     .field = offsetof(wl_params, retries),
     .def = 0,
     .lo = 0,
     .hi = WL_MAX_RETRIES,
     .say = WL_SAY_NEVER},
    {.name = "--backoff-ms",
     .arg = "B",
     .help = "wait about B, 2B, 4B... ms (at most 30 s) before\neach retry, "
             "half of it jittered",
     .kind = WL_FLAG_INT,
     .field = offsetof(wl_params, backoff_ms),
     .def = 50,
     .lo = 0,
     .hi = WL_MAX_BACKOFF_MS,
     .say = WL_SAY_NEVER},
    {.name = "--fail-rate",
     .arg = "P",
     .help =
         "a seeded share P of attempts asks for /status/500\nor /drop instead",
     .kind = WL_FLAG_SHARE,
     .field = offsetof(wl_params, fail_rate),
     .say = WL_SAY_NEVER},
    {.name = "--seed",
     .arg = "X",
     .help = "which attempts those are",
     .kind = WL_FLAG_INT64,
     .field = offsetof(wl_params, seed),
     .def = 1,
     .lo = 0,
     .hi = INT64_MAX,
     .say = WL_SAY_NEVER},
};

static int http_settle(wl_params *p, char *err, size_t errlen) {
  if (p->endpoint != WL_EP_STALL || p->timeout_ms != 0)
    return 0;
  snprintf(err, errlen, "--endpoint stall: needs --timeout-ms (a stalled "
           "request never ends by itself)");
  return -1;
}

static const wl_field http_json[] = {
    {.key = "endpoint", .kind = WL_VALUE_NAME,
     .field = offsetof(wl_params, endpoint), .names = wl_endpoint_names},
    /* 0 unless it asks for /bytes/S */
    {.key = "size", .kind = WL_VALUE_INT64, .field = offsetof(wl_params, size),
     .endpoints = 1u << WL_EP_BYTES},
    WL_FIELD_PARAM("url", WL_VALUE_TEXT, url),
    {.key = "client", .kind = WL_VALUE_NAME,
     .field = offsetof(wl_params, client), .names = wl_client_names},
    WL_FIELD_PARAM("reuse", WL_VALUE_NOT, no_reuse),
    WL_FIELD_PARAM("timeout_ms", WL_VALUE_INT, timeout_ms),
    WL_FIELD_PARAM("max_retries", WL_VALUE_INT, retries),
    WL_FIELD_PARAM("backoff_ms", WL_VALUE_INT, backoff_ms),
    WL_FIELD_PARAM("fail_rate", WL_VALUE_NUM, fail_rate),
    WL_FIELD_MEASURED("http_errors", WL_VALUE_INT, http_errors),
    WL_FIELD_MEASURED("conn_errors", WL_VALUE_INT, conn_errors),
    WL_FIELD_MEASURED("retries", WL_VALUE_INT64, retries),
    WL_FIELD_MEASURED("connections", WL_VALUE_INT64, connects),
};

static void http_print_run(FILE *out, const wl_params *p,
                           const wl_measured *m) {
  fprintf(out, "  server: %s\n", p->url);
  fprintf(out, "  failures: %d HTTP errors, %d timeouts, %d connection "
          "errors; %lld retries\n", m->http_errors, m->timeouts,
          m->conn_errors, (long long)m->retries);
  if (m->conn_errors > 0 && m->connects == 0)
    fprintf(out, "  (no connection was made: is a server listening at %s?)"
            "\n", p->url);
  fprintf(out, "  connections opened: %lld (%s)\n", (long long)m->connects,
          p->no_reuse ? "--no-reuse: a new one per request"
                      : "kept alive for reuse");
}

static void http_report_intro(FILE *out, const wl_params *p, int cores) {
  (void)cores;
  fprintf(out, "%d GET requests of `/delay/%d` over loopback to `conclab "
          "serve`, a libuv server in its own process, started afresh for "
          "each run. Every client keeps its connections alive: conclab's "
          "own (one connection per worker; async's on the loop), or with "
          "`--client curl` libcurl (one handle per worker; one multi handle "
          "for async). The ideal "
          "speedup is the number of waits that overlap: N / ceil(N / C)."
          "\n\n", p->tasks, p->delay_ms);
}

/* The suite's rows; sizes are {quick and full, smoke}. */
#define TASKS {16, 4}
#define DELAY {50, 10}
#define ALL {WL_ROW_C_ALL, WL_ROW_C_ALL}
#define REUSE_TASKS {2000, 40} /* small requests: /bytes/1024, 8 in flight */
#define REUSE_SIZE {1024, 64}
#define REUSE_C {8, 2}
#define SCALE_TASKS {1000, 20} /* /delay/100, all in flight */
#define SCALE_DELAY {100, 10}
#define BIG_TASKS {10000, 40} /* /delay/1000 from the async client */
#define BIG_DELAY {1000, 20}
/* The async rows again with libcurl: what the library costs */
#define CURL {{"--client", {WL_CLIENT_CURL, WL_CLIENT_CURL}}}
static const wl_row http_rows[] = {
    {.table = WL_TABLE_MAIN, .models = WL_SEQ, .tasks = TASKS,
     .delay_ms = DELAY},
    {.table = WL_TABLE_MAIN, .models = WL_MODELS, .tasks = TASKS,
     .concurrency = ALL, .delay_ms = DELAY},
    {.table = WL_TABLE_SWEEP, .when = WL_FULL, .models = WL_MODELS,
     .tasks = TASKS, .concurrency = {WL_ROW_C_DOUBLING, WL_ROW_C_DOUBLING},
     .delay_ms = DELAY},
    /* The session lesson: the same small requests, connections kept (one
     * per worker) or opened afresh for each request. */
    {.table = WL_TABLE_REUSE, .models = WL_SEQ | WL_MODELS,
     .tasks = REUSE_TASKS, .concurrency = REUSE_C, .size = REUSE_SIZE,
     .endpoint = WL_EP_BYTES},
    {.table = WL_TABLE_REUSE, .models = WL_SEQ | WL_MODELS,
     .tasks = REUSE_TASKS, .concurrency = REUSE_C, .size = REUSE_SIZE,
     .endpoint = WL_EP_BYTES, .no_reuse = 1},
    /* Scale: seq would take N x D, so an untimed seq run of /delay/0
     * supplies the checksum (the answer's body does not depend on D). */
    {.table = WL_TABLE_ORACLE, .models = WL_SEQ, .tasks = SCALE_TASKS},
    {.table = WL_TABLE_SCALE, .models = WL_ASYNC, .tasks = SCALE_TASKS,
     .concurrency = ALL, .delay_ms = SCALE_DELAY,
     .target = {.wall_max_delays = 1.3}},
    /* C and CPython: the main row, and 1,000 requests on the loop */
    {.table = WL_TABLE_PYTHON, .models = WL_SEQ | WL_MODELS, .tasks = TASKS,
     .concurrency = ALL, .delay_ms = DELAY},
    {.table = WL_TABLE_PYTHON, .models = WL_ASYNC, .tasks = SCALE_TASKS,
     .concurrency = ALL, .delay_ms = SCALE_DELAY},
    {.table = WL_TABLE_ORACLE, .models = WL_SEQ, .tasks = SCALE_TASKS,
     .flags = CURL, .variant = "curl"},
    {.table = WL_TABLE_SCALE, .models = WL_ASYNC, .tasks = SCALE_TASKS,
     .concurrency = ALL, .delay_ms = SCALE_DELAY, .flags = CURL,
     .variant = "curl"},
    {.table = WL_TABLE_SCALE, .models = WL_THREADED, .tasks = SCALE_TASKS,
     .concurrency = ALL, .delay_ms = SCALE_DELAY},
    {.table = WL_TABLE_SCALE, .models = WL_MULTIPROC, .tasks = SCALE_TASKS,
     .concurrency = {100, 4}, .delay_ms = SCALE_DELAY},
    {.table = WL_TABLE_ORACLE, .models = WL_SEQ, .tasks = BIG_TASKS},
    {.table = WL_TABLE_SCALE, .models = WL_ASYNC, .tasks = BIG_TASKS,
     .concurrency = ALL, .delay_ms = BIG_DELAY,
     .target = {.wall_max_delays = 1.5}},
    {.table = WL_TABLE_ORACLE, .models = WL_SEQ, .tasks = BIG_TASKS,
     .flags = CURL, .variant = "curl"},
    {.table = WL_TABLE_SCALE, .models = WL_ASYNC, .tasks = BIG_TASKS,
     .concurrency = ALL, .delay_ms = BIG_DELAY, .flags = CURL,
     .variant = "curl"},
};

const wl_workload wl_http = {
    .name = "http",
    .kind = WL_KIND_IO,
    .summary = "network I/O: N GET requests (conclab's own client, or\n"
               "libcurl) to an HTTP server; by default conclab starts its\n"
               "own (conclab serve) on a free port",
    .task_input = http_task_input,
    .run_blocking = http_run_blocking,
    .worker_open = http_worker_open,
    .worker_close = http_worker_close,
    .task_limit_ms = wl_http_task_limit_ms,
    .serves = 1,
    /* a blocking curl handle: its socket and the socketpair curl keeps to
     * wake its own poll (conclab's own client: the socket alone, so this
     * is its bound too); on the loop: the socket */
    .fds = {.fixed = 4, .blocking = 3, .async = 1},
    .unit_one = "request in flight",
    .unit_many = "requests in flight",
    .flags = http_flags,
    .nflags = sizeof http_flags / sizeof http_flags[0],
    .default_tasks = 10,
    .default_concurrency = WL_C_ALL,
    .settle = http_settle,
    .json = http_json,
    .njson = sizeof http_json / sizeof http_json[0],
    .print_run = http_print_run,
    .rows = http_rows,
    .nrows = sizeof http_rows / sizeof http_rows[0],
    .ideal = WL_IDEAL_OVERLAP,
    .report_intro = http_report_intro,
    .lesson =
        "the requests wait on the network, so any model that keeps "
        "enough of them in flight overlaps the waits; the cost of "
        "each waiting request decides the rest",
};
