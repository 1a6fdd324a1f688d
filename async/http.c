/*
 * async/http.c - N requests on one event loop: libcurl's multi interface,
 * driven by libuv.
 *
 * Lesson: aiohttp in C.  curl speaks HTTP; the loop does all the waiting.
 * The two meet through two callbacks and one call:
 *
 *   curl -> us   "watch socket s for reading/writing"  socket callback -> uv_poll
 *   curl -> us   "wake me in t ms"                      timer callback  -> uv_timer
 *   us -> curl   "s is ready" / "the time has come"     curl_multi_socket_action
 *
 * One multi handle is the session: when a request finishes, its connection
 * goes back to the multi handle's cache and the next request reuses it.
 * Each task holds its semaphore permit across its retries; a retry's wait
 * is a uv_timer, never a sleep.  A timed-out transfer is removed from the
 * multi handle (curl closes its connection); its easy handle is added again
 * for a retry, and cleaned up when the task ends.
 */
#include "async.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct as_http_sock as_http_sock;

/* The batch's session: the multi handle and the loop handles it needs. */
typedef struct as_http {
  as_batch *batch;
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;    /* curl's one timeout, for every transfer */
  as_http_sock *socks; /* the sockets being watched, a list */
  int idle;            /* connections parked in the cache, as far as we know */
} as_http;

/* One socket curl asked us to watch. */
struct as_http_sock {
  uv_poll_t poll;
  curl_socket_t fd;
  as_http *session;
  as_http_sock *prev, *next;
};

/* One task's request, across all its attempts. */
typedef struct as_http_req {
  as_task *task;
  CURL *easy;
  uv_timer_t backoff; /* the wait before a retry */
  int attempt;
  wl_http_body body;
  wl_slot out;
} as_http_req;

static void attempt_start(as_http_req *req);

/* ---- curl asks us to watch a socket --------------------------------------- */

static void sock_on_close(uv_handle_t *h) { free(h->data); }

static void sock_forget(as_http_sock *sock) {
  as_http *s = sock->session;
  if (sock->prev != NULL)
    sock->prev->next = sock->next;
  else
    s->socks = sock->next;
  if (sock->next != NULL)
    sock->next->prev = sock->prev;
  uv_close((uv_handle_t *)&sock->poll, sock_on_close);
}

static void collect(as_http *s);

/* The socket is ready (or failed): tell curl, then see what finished. */
static void sock_on_poll(uv_poll_t *poll, int status, int events) {
  as_http_sock *sock = poll->data;
  as_http *s = sock->session;
  int flags = 0, running;

  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  curl_multi_socket_action(s->multi, sock->fd, flags, &running);
  collect(s);
}

static as_http_sock *sock_new(as_http *s, curl_socket_t fd) {
  as_http_sock *sock = calloc(1, sizeof *sock);
  if (sock == NULL || uv_poll_init_socket(s->loop, &sock->poll, fd) != 0) {
    free(sock);
    return NULL;
  }
  sock->poll.data = sock;
  sock->fd = fd;
  sock->session = s;
  sock->next = s->socks;
  if (s->socks != NULL)
    s->socks->prev = sock;
  s->socks = sock;
  curl_multi_assign(s->multi, fd, sock);
  return sock;
}

/* CURLMOPT_SOCKETFUNCTION: what to wait for on fd changed. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *arg,
                          void *sockp) {
  as_http *s = arg;
  as_http_sock *sock = sockp;
  int events = 0;
  (void)easy;

  if (what == CURL_POLL_REMOVE) {
    if (sock != NULL) {
      curl_multi_assign(s->multi, fd, NULL);
      sock_forget(sock); /* stops watching now; freed when closed */
    }
    return 0;
  }
  if (sock == NULL && (sock = sock_new(s, fd)) == NULL) {
    fprintf(stderr, "conclab: async: cannot watch socket %d\n", (int)fd);
    return -1; /* curl then aborts every transfer of the multi handle */
  }
  if (what & CURL_POLL_IN)
    events |= UV_READABLE;
  if (what & CURL_POLL_OUT)
    events |= UV_WRITABLE;
  uv_poll_start(&sock->poll, events, sock_on_poll);
  return 0;
}

/* ---- curl asks to be woken ----------------------------------------------- */

static void timer_on_fire(uv_timer_t *timer) {
  as_http *s = timer->data;
  int running;
  curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  collect(s);
}

/* CURLMOPT_TIMERFUNCTION: -1 cancels; 0 means "as soon as you can" (the
 * next loop iteration: curl must not be called back from inside itself). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *arg) {
  as_http *s = arg;
  (void)multi;
  if (timeout_ms < 0)
    uv_timer_stop(&s->timer);
  else
    uv_timer_start(&s->timer, timer_on_fire, (uint64_t)timeout_ms, 0);
  return 0;
}

/* ---- a task's request ---------------------------------------------------- */

static void req_on_close(uv_handle_t *h) { free(h->data); }

static void session_end(as_http *s);

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
    session_end(b->data);
}

static void backoff_on_fire(uv_timer_t *timer) { attempt_start(timer->data); }

/* An attempt's transfer is over: judge it, then retry after a backoff or
 * finish. */
static void attempt_done(as_http_req *req, CURLcode rc) {
  const wl_params *p = req->task->batch->params;
  as_http *s = req->task->batch->data;
  wl_status status = wl_http_judge(req->easy, rc, &req->out, &req->body);
  long wait_ms =
      wl_http_retry_ms(p, req->task->input.index, req->attempt, status,
                       &req->out);

  if (rc == CURLE_OK && !p->no_reuse)
    s->idle++; /* an answered request leaves its connection in the cache */

  if (wait_ms < 0) {
    req_finish(req, status);
    return;
  }
  req->attempt++;
  req->out.retries++;
  uv_timer_start(&req->backoff, backoff_on_fire, (uint64_t)wait_ms, 0);
}

static void attempt_start(as_http_req *req) {
  as_batch *b = req->task->batch;
  as_http *s = b->data;
  char url[WL_HTTP_URL_MAX];

  wl_http_url(b->params, req->task->input.index, req->attempt, url,
              sizeof url);
  if (wl_http_prepare(req->easy, b->params, url, &req->body) != 0) {
    req_finish(req, WL_ERROR);
    return;
  }
  /* curl 7.88 finds an idle connection by walking every connection it has
   * to the host.  With 10,000 requests in flight and none idle, that is
   * 10,000 steps for each new request, 10^8 in all.  When we know nothing
   * is idle, we say so (a fresh connection), and curl skips the walk. */
  if (s->idle > 0)
    s->idle--;
  else
    curl_easy_setopt(req->easy, CURLOPT_FRESH_CONNECT, 1L);
  if (curl_multi_add_handle(s->multi, req->easy) != CURLM_OK)
    req_finish(req, WL_ERROR);
}

/* Pick up every transfer curl says is done. */
static void collect(as_http *s) {
  CURLMsg *msg;
  int left;

  /* s->multi is NULL once the last task has ended the session. */
  while (s->multi != NULL &&
         (msg = curl_multi_info_read(s->multi, &left)) != NULL) {
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result; /* msg dies with remove_handle */
    char *req;

    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &req);
    curl_multi_remove_handle(s->multi, easy);
    attempt_done((as_http_req *)req, rc);
  }
}

static void http_start(as_task *t) {
  as_http_req *req = calloc(1, sizeof *req);

  if (req == NULL || (req->easy = curl_easy_init()) == NULL) {
    as_batch *b = t->batch;
    free(req);
    as_task_done(t, WL_ERROR, 0);
    if (b->done == b->params->tasks)
      session_end(b->data); /* the last task: nothing else will end it */
    return;
  }
  req->task = t;
  curl_easy_setopt(req->easy, CURLOPT_PRIVATE, req);
  uv_timer_init(&t->batch->loop, &req->backoff); /* cannot fail */
  req->backoff.data = req;
  attempt_start(req);
}

/* ---- the session --------------------------------------------------------- */

static int http_open(as_batch *b) {
  as_http *s;

  if (wl_http_global_init() != 0)
    return -1;
  s = calloc(1, sizeof *s);
  if (s == NULL || (s->multi = curl_multi_init()) == NULL) {
    fprintf(stderr, "conclab: async: cannot make a curl multi handle\n");
    free(s);
    return -1;
  }
  s->batch = b;
  s->loop = &b->loop;
  uv_timer_init(&b->loop, &s->timer);
  s->timer.data = s;
  curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
  curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
  /* Keep up to C idle connections, one for each request that can be in
   * flight (aiohttp's connector limit).  curl's default, four per easy
   * handle in the multi handle, shrinks as the batch ends, and each
   * connection over it costs a walk of the whole cache to close one. */
  curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)b->params->concurrency);
  b->data = s;
  return 0;
}

static void session_on_close(uv_handle_t *h) {
  as_http *s = h->data;
  s->batch->data = NULL;
  free(s);
}

/* The last task is done: close the cached connections and stop watching
 * anything, so that uv_run can return.  The session itself is freed when
 * its timer has closed. */
static void session_end(as_http *s) {
  if (s->multi == NULL)
    return; /* already ended: a task ending inside another's end */
  curl_multi_cleanup(s->multi);
  s->multi = NULL;
  while (s->socks != NULL) /* sockets curl did not say goodbye to */
    sock_forget(s->socks);
  uv_close((uv_handle_t *)&s->timer, session_on_close);
}

/* After the loop: normally the session has ended itself already. */
static void http_close(as_batch *b) {
  if (b->data != NULL)
    session_end(b->data);
}

const as_ops as_http_ops = {
    .start = http_start, .open = http_open, .close = http_close};
