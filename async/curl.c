/*
 * async/curl.c - libcurl's multi interface on a libuv loop (see curl.h).
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
  int idle;            /* connections parked in the cache, as far as we know */
};

/* One socket curl asked us to watch. */
struct as_curl_sock {
  uv_poll_t poll;
  curl_socket_t fd;
  as_curl *session;
  as_curl_sock *prev, *next;
};

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

static void collect(as_curl *s);

/* The socket is ready (or failed): tell curl, then see what finished. */
static void sock_on_poll(uv_poll_t *poll, int status, int events) {
  as_curl_sock *sock = poll->data;
  as_curl *s = sock->session;
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

static as_curl_sock *sock_new(as_curl *s, curl_socket_t fd) {
  as_curl_sock *sock = calloc(1, sizeof *sock);
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
  as_curl *s = arg;
  as_curl_sock *sock = sockp;
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
  as_curl *s = timer->data;
  int running;
  curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  collect(s);
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

/* Pick up every transfer curl says is done. */
static void collect(as_curl *s) {
  CURLMsg *msg;
  int left;

  /* s->multi is NULL once the last task has ended the session. */
  while (s->multi != NULL &&
         (msg = curl_multi_info_read(s->multi, &left)) != NULL) {
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result; /* msg dies with remove_handle */
    char *owner;

    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &owner);
    curl_multi_remove_handle(s->multi, easy);
    if (rc == CURLE_OK && !s->batch->params->no_reuse)
      s->idle++; /* an answered request leaves its connection in the cache */
    ((as_curl_xfer *)owner)->done((as_curl_xfer *)owner, easy, rc);
  }
}

int as_curl_add(as_batch *b, CURL *easy, as_curl_xfer *x) {
  as_curl *s = b->data;

  if (s == NULL || s->multi == NULL)
    return -1;
  curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
  /* curl 7.88 finds an idle connection by walking every connection it has
   * to the host.  With 10,000 requests in flight and none idle, that is
   * 10,000 steps for each new request, 10^8 in all.  When we know nothing
   * is idle, we say so (a fresh connection), and curl skips the walk. */
  if (s->idle > 0)
    s->idle--;
  else
    curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  return curl_multi_add_handle(s->multi, easy) == CURLM_OK ? 0 : -1;
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

