/*
 * async/curl.c - libcurl's multi interface on a libuv loop (see curl.h).
 *
 * When the loop cannot watch a socket, or curl itself fails (out of
 * memory), the transfers concerned are failed here: never by returning -1
 * from curl's socket callback, which makes curl 7.88 abort every transfer
 * and leaves the multi handle in a state that crashes on the next call.
 * A transfer to fail is only marked inside curl's callbacks, and removed
 * and handed back to its owner once curl has returned (collect).
 */
#include "curl.h"

#include <stdio.h>
#include <stdlib.h>

#include "http.h" /* wl_http_global_init */

typedef struct as_curl_sock as_curl_sock;

/* The batch's session: the multi handle and the loop handles it needs. */
struct as_curl {
  as_batch *batch;
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;    /* curl's one timeout, for every transfer */
  as_curl_sock *socks; /* the sockets being watched, a list */
  as_curl_xfer *running; /* the transfers in the multi handle, a list */
  as_curl_xfer *failed;  /* and those of them to fail (as_curl_xfer.failed) */
  int idle;            /* connections parked in the cache, as far as we know */
  int unsent;          /* transfers in the multi handle, request not sent */
  as_curl_xfer *queue, *queue_tail; /* transfers held back, to be added */
  /* every transfer on its own connection (C >= N, or --no-reuse): none is
   * kept, so curl's cache stays empty and never has to be walked */
  int forbid_reuse;
};

/* One socket curl asked us to watch. */
struct as_curl_sock {
  uv_poll_t poll;
  curl_socket_t fd;
  as_curl *session;
  as_curl_sock *prev, *next;
};

/* ---- the transfers in the multi handle ----------------------------------- */

static as_curl_xfer **xfer_list(as_curl *s, as_curl_xfer *x) {
  return x->failed != CURLE_OK ? &s->failed : &s->running;
}

static void xfer_link(as_curl *s, as_curl_xfer *x) {
  as_curl_xfer **list = xfer_list(s, x);
  x->prev = NULL;
  x->next = *list;
  if (*list != NULL)
    (*list)->prev = x;
  *list = x;
}

static void xfer_unlink(as_curl *s, as_curl_xfer *x) {
  if (x->prev != NULL)
    x->prev->next = x->next;
  else
    *xfer_list(s, x) = x->next;
  if (x->next != NULL)
    x->next->prev = x->prev;
}

/* Mark x to be failed with rc once curl has returned (its first reason
 * stands). */
static void xfer_fail(as_curl *s, as_curl_xfer *x, CURLcode rc) {
  if (x->failed != CURLE_OK)
    return;
  xfer_unlink(s, x);
  x->failed = rc;
  xfer_link(s, x);
}

/* curl failed as a whole and does not say which transfer it left behind
 * (one may be waiting on a socket no one watches, with no timeout set):
 * fail them all, as the only way to be sure each one ends. */
static void xfer_fail_all(as_curl *s, CURLcode rc) {
  while (s->running != NULL)
    xfer_fail(s, s->running, rc);
}

/* Take x out of the multi handle and give it back to its owner. */
static void xfer_end(as_curl *s, as_curl_xfer *x, CURLcode rc) {
  CURL *easy = x->easy;

  xfer_unlink(s, x);
  x->failed = CURLE_OK;
  x->easy = NULL;
  if (!x->sent)
    s->unsent--;
  curl_multi_remove_handle(s->multi, easy);
  if (rc == CURLE_OK && !s->forbid_reuse)
    s->idle++; /* an answered request leaves its connection in the cache */
  x->done(x, easy, rc);
}

/* ---- curl asks us to watch a socket --------------------------------------- */

static void sock_on_close(uv_handle_t *h) { free(h->data); }

static void sock_forget(as_curl_sock *sock) {
  as_curl *s = sock->session;
  if (sock->prev != NULL)
    sock->prev->next = sock->next;
  else
    s->socks = sock->next;
  if (sock->next != NULL)
    sock->next->prev = sock->prev;
  uv_close((uv_handle_t *)&sock->poll, sock_on_close);
}

static void act(as_curl *s, curl_socket_t fd, int flags);

/* The socket is ready (or failed): tell curl.  sock may be gone after. */
static void sock_on_poll(uv_poll_t *poll, int status, int events) {
  as_curl_sock *sock = poll->data;
  int flags = 0;

  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  act(sock->session, sock->fd, flags);
}

/* A watcher for fd, or NULL with the libuv error in *err. */
static as_curl_sock *sock_new(as_curl *s, curl_socket_t fd, int *err) {
  as_curl_sock *sock = calloc(1, sizeof *sock);
  if (sock == NULL) {
    *err = UV_ENOMEM;
    return NULL;
  }
  if ((*err = uv_poll_init_socket(s->loop, &sock->poll, fd)) != 0) {
    free(sock); /* a failed init leaves nothing on the loop */
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

/* The loop cannot watch easy's socket (libuv error err): fail that
 * transfer, the owner saying why.  A handle that is not ours (curl's own,
 * closing a connection) cannot be named, so then every transfer fails. */
static void cannot_watch(as_curl *s, CURL *easy, int err) {
  /* no CURLcode names a socket the loop refused: "aborted by callback" */
  CURLcode rc = err == UV_ENOMEM ? CURLE_OUT_OF_MEMORY
                                 : CURLE_ABORTED_BY_CALLBACK;
  char *owner = NULL;

  if (easy != NULL)
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
  /* ours only while it is in the multi handle (xfer_end clears easy) */
  if (owner != NULL && ((as_curl_xfer *)owner)->easy == easy)
    xfer_fail(s, (as_curl_xfer *)owner, rc);
  else
    xfer_fail_all(s, rc);
}

/* CURLMOPT_SOCKETFUNCTION: what to wait for on fd changed.  Always 0 (see
 * the top of the file): a failure marks the transfer, and collect ends
 * it. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *arg,
                          void *sockp) {
  as_curl *s = arg;
  as_curl_sock *sock = sockp;
  int events = 0, err = 0;

  if (what == CURL_POLL_REMOVE) {
    if (sock != NULL) {
      curl_multi_assign(s->multi, fd, NULL);
      sock_forget(sock); /* stops watching now; freed when closed */
    }
    return 0;
  }
  if (what & CURL_POLL_IN)
    events |= UV_READABLE;
  if (what & CURL_POLL_OUT)
    events |= UV_WRITABLE;
  if (sock == NULL)
    sock = sock_new(s, fd, &err);
  if (sock != NULL)
    err = uv_poll_start(&sock->poll, events, sock_on_poll);
  if (err != 0)
    cannot_watch(s, easy, err);
  return 0;
}

/* ---- curl asks to be woken ----------------------------------------------- */

static void timer_on_fire(uv_timer_t *timer) {
  act(timer->data, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: -1 cancels; 0 means "as soon as you can" (the
 * next loop iteration: curl must not be called back from inside itself). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *arg) {
  as_curl *s = arg;
  (void)multi;
  if (timeout_ms < 0)
    uv_timer_stop(&s->timer);
  else
    uv_timer_start(&s->timer, timer_on_fire, (uint64_t)timeout_ms, 0);
  return 0;
}

/* Pick up every transfer curl says is done, then fail those marked to
 * fail: here, where curl has returned and a handle may be removed. */
static void collect(as_curl *s) {
  CURLMsg *msg;
  int left;

  /* s->multi is NULL once the last task has ended the session. */
  while (s->multi != NULL &&
         (msg = curl_multi_info_read(s->multi, &left)) != NULL) {
    CURLcode rc = msg->data.result; /* msg dies with remove_handle */
    char *owner;

    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &owner);
    xfer_end(s, (as_curl_xfer *)owner, rc);
  }
  while (s->multi != NULL && s->failed != NULL)
    xfer_end(s, s->failed, s->failed->failed);
}

static void pump(as_curl *s);

/* Tell curl that fd is ready (or its time has come), then collect, and
 * add the transfers held back that now may be.  An error from curl (out
 * of memory) means it may have left a transfer with nothing to wake it,
 * and its timer not renewed: the transfers fail. */
static void act(as_curl *s, curl_socket_t fd, int flags) {
  int running;
  CURLMcode mc = curl_multi_socket_action(s->multi, fd, flags, &running);

  if (mc != CURLM_OK)
    xfer_fail_all(s, mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY
                                               : CURLE_ABORTED_BY_CALLBACK);
  collect(s);
  pump(s);
}

/* CURLOPT_PREREQFUNCTION: connected, and the request about to go out. */
static int on_prereq(void *arg, char *ip, char *local_ip, int port,
                     int local_port) {
  as_curl_xfer *x = arg;
  as_curl *s = x->session;
  (void)ip, (void)local_ip, (void)port, (void)local_port;
  if (!x->sent) {
    x->sent = 1;
    s->unsent--;
  }
  return CURL_PREREQFUNC_OK;
}

static int xfer_add(as_curl *s, CURL *easy, as_curl_xfer *x);

/* Add held-back transfers while few are unsent (never from inside curl:
 * curl_multi_add_handle refuses to be called from its callbacks).  One
 * curl refuses is over: its owner is told, as for any failed transfer. */
static void pump(as_curl *s) {
  while (s->multi != NULL && s->queue != NULL && s->unsent < AS_CURL_UNSENT) {
    as_curl_xfer *x = s->queue;
    CURL *easy = x->easy;
    s->queue = x->next;
    if (s->queue == NULL)
      s->queue_tail = NULL;
    if (xfer_add(s, easy, x) != 0)
      x->done(x, easy, CURLE_FAILED_INIT);
  }
}

int as_curl_add(as_batch *b, CURL *easy, as_curl_xfer *x) {
  as_curl *s = b->data;

  if (s == NULL || s->multi == NULL)
    return -1;
  x->session = s;
  if (s->unsent < AS_CURL_UNSENT && s->queue == NULL)
    return xfer_add(s, easy, x);
  x->easy = easy; /* held back until pump adds it */
  x->next = NULL;
  if (s->queue_tail != NULL)
    s->queue_tail->next = x;
  else
    s->queue = x;
  s->queue_tail = x;
  return 0;
}

/* Put x into the multi handle.  0, or -1 when curl refused it. */
static int xfer_add(as_curl *s, CURL *easy, as_curl_xfer *x) {
  curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, x);
  if (s->forbid_reuse)
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
  x->easy = easy;
  x->failed = CURLE_OK;
  x->sent = 0;
  s->unsent++;
  /* curl 7.88 finds an idle connection by walking every connection it has
   * to the host.  With 10,000 requests in flight and none idle, that is
   * 10,000 steps for each new request, 10^8 in all.  When we know nothing
   * is idle, we say so (a fresh connection), and curl skips the walk. */
  if (s->idle > 0)
    s->idle--;
  else
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  xfer_link(s, x); /* first: curl may call back about it while adding */
  if (curl_multi_add_handle(s->multi, easy) != CURLM_OK) {
    xfer_unlink(s, x);
    s->unsent--;
    x->failed = CURLE_OK;
    x->easy = NULL;
    return -1;
  }
  return 0;
}

/* ---- the session --------------------------------------------------------- */

int as_curl_open(as_batch *b) {
  as_curl *s;

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
  s->forbid_reuse =
      b->params->no_reuse || b->params->concurrency >= b->params->tasks;
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
  as_curl *s = h->data;
  s->batch->data = NULL;
  free(s);
}

/* Close the cached connections and stop watching anything, so that uv_run
 * can return.  The session itself is freed when its timer has closed. */
void as_curl_end(as_batch *b) {
  as_curl *s = b->data;

  if (s == NULL || s->multi == NULL)
    return; /* already ended: a task ending inside another's end */
  curl_multi_cleanup(s->multi);
  s->multi = NULL;
  while (s->socks != NULL) /* sockets curl did not say goodbye to */
    sock_forget(s->socks);
  uv_close((uv_handle_t *)&s->timer, session_on_close);
}

void as_curl_close(as_batch *b) {
  as_curl_end(b); /* normally the last task has ended it already */
}

