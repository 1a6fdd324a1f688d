/*
 * async/client.c - the native client's connections (see client.h).
 *
 * A connection is idle (on the pool's list, still read from, so that a
 * close by the server is seen and the connection dropped), busy with one
 * request, or closing.  Every read lands in the client's one buffer: the
 * loop runs one callback at a time, and each consumes its bytes before it
 * returns.
 */
#include "client.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h" /* WL_HTTP_URL_MAX */

#define HEAD_MAX (WL_HTTP_URL_MAX + WL_URL_MAX + 64) /* the request */

struct as_conn {
  uv_tcp_t tcp; /* tcp.data is the connection */
  uv_connect_t connect;
  uv_write_t write;
  as_client *client;
  as_exch *x;              /* the request on it; NULL: idle or closing */
  as_conn *prev, *next;    /* on the idle list */
  int answered, idle, closing;
  wl_resp resp;
  char head[HEAD_MAX];
};

struct as_client {
  as_batch *batch;
  struct sockaddr_storage addr;
  int resolve_err;  /* the base URL's host did not resolve: every request
                       fails with this */
  wl_http_origin origin; /* the base URL, split */
  as_conn *idle;        /* the pool, most recently used first */
  int connecting;       /* connects in progress */
  as_exch *wait_head, *wait_tail; /* requests waiting for a connect */
  int ended;
  char buf[64 * 1024];
};

static void conn_open(as_client *c, as_exch *x);

/* ---- the pool ------------------------------------------------------------ */

static void idle_push(as_client *c, as_conn *conn) {
  conn->idle = 1;
  conn->prev = NULL;
  conn->next = c->idle;
  if (c->idle != NULL)
    c->idle->prev = conn;
  c->idle = conn;
}

static void idle_remove(as_client *c, as_conn *conn) {
  if (conn->prev != NULL)
    conn->prev->next = conn->next;
  else
    c->idle = conn->next;
  if (conn->next != NULL)
    conn->next->prev = conn->prev;
  conn->idle = 0;
}

static void on_conn_closed(uv_handle_t *h) { free(h->data); }

static void conn_close(as_conn *conn) {
  if (conn->closing)
    return;
  if (conn->idle)
    idle_remove(conn->client, conn);
  conn->closing = 1;
  uv_close((uv_handle_t *)&conn->tcp, on_conn_closed);
}

/* ---- the end of an exchange ---------------------------------------------- */

/* Hand x its end.  The response is copied out first: done may start the
 * next request, which can take this very connection from the pool. */
static void conn_hand_back(as_conn *conn, as_exch_end end, int err) {
  as_exch *x = conn->x;
  wl_resp resp = conn->resp;

  conn->x = NULL;
  x->conn = NULL;
  x->err = err;
  x->done(x, end, &resp);
}

/* Whether a parked connection could carry another request: a task not
 * started yet, or a retry.  When neither can come (every task of a batch
 * with C = N has started), parking only defers every close to the end of
 * the batch, where 10,000 of them stall the loop for a quarter second;
 * closed now, each close falls in the gaps between answers. */
static int conn_wanted(const as_client *c) {
  const as_batch *b = c->batch;
  return !c->ended && !b->params->no_reuse &&
         (b->next < b->params->tasks || b->params->retries > 0);
}

/* The answer is whole: keep the connection for the next request if the
 * server allows it and someone may want it, then tell the request. */
static void conn_answered(as_conn *conn, int more_bytes) {
  as_client *c = conn->client;

  conn->answered++;
  if (conn->resp.keep_alive && !more_bytes && conn_wanted(c))
    idle_push(c, conn);
  else
    conn_close(conn);
  conn_hand_back(conn, AS_EXCH_ANSWERED, 0);
}

/* No answer: a connection that had answered before and got no byte of
 * this one was closed by the server while idle (stale). */
static void conn_failed(as_conn *conn, int err) {
  int stale = conn->answered > 0 && conn->resp.received == 0;

  conn_close(conn);
  conn_hand_back(conn, stale ? AS_EXCH_STALE : AS_EXCH_FAILED, err);
}

/* ---- reading ------------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf) {
  as_conn *conn = h->data;
  (void)size;
  *buf = uv_buf_init(conn->client->buf, sizeof conn->client->buf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  as_conn *conn = s->data;
  size_t used;

  if (n == 0 || conn->closing)
    return; /* nothing this time (EAGAIN) */
  if (conn->x == NULL) { /* idle: a close, or bytes nobody asked for */
    conn_close(conn);
    return;
  }
  if (n < 0) {
    if (n == UV_EOF && wl_resp_eof(&conn->resp) == WL_RESP_OK)
      conn_answered(conn, 1); /* a body that ran until the close */
    else
      conn_failed(conn, n == UV_EOF ? 0 : (int)n);
    return;
  }
  used = wl_resp_feed(&conn->resp, buf->base, (size_t)n);
  if (conn->resp.error != WL_RESP_OK)
    conn_failed(conn, 0);
  else if (conn->resp.done)
    conn_answered(conn, used < (size_t)n);
}

/* ---- writing ------------------------------------------------------------- */

static void on_written(uv_write_t *req, int status) {
  as_conn *conn = req->handle->data;
  if (status < 0 && !conn->closing && conn->x != NULL)
    conn_failed(conn, status);
}

/* Write x's request on conn: at once when the socket takes it all (it
 * nearly always does: a few hundred bytes), else the rest through
 * uv_write. */
static void conn_request(as_conn *conn, as_exch *x) {
  as_client *c = conn->client;
  int len = wl_http_request(&c->origin, x->url, conn->head, sizeof conn->head);
  uv_buf_t buf;
  int n;

  conn->x = x;
  x->conn = conn;
  wl_resp_init(&conn->resp);
  if (len < 0) {
    conn_failed(conn, UV_E2BIG);
    return;
  }
  buf = uv_buf_init(conn->head, (unsigned)len);
  n = uv_try_write((uv_stream_t *)&conn->tcp, &buf, 1);
  if (n == len)
    return;
  if (n < 0 && n != UV_EAGAIN) {
    conn_failed(conn, n);
    return;
  }
  if (n > 0)
    buf = uv_buf_init(conn->head + n, (unsigned)(len - n));
  n = uv_write(&conn->write, (uv_stream_t *)&conn->tcp, &buf, 1, on_written);
  if (n < 0)
    conn_failed(conn, n);
}

/* ---- connecting ---------------------------------------------------------- */

static void wait_push(as_client *c, as_exch *x) {
  x->next = NULL;
  x->prev = c->wait_tail;
  if (c->wait_tail != NULL)
    c->wait_tail->next = x;
  else
    c->wait_head = x;
  c->wait_tail = x;
}

static void wait_remove(as_client *c, as_exch *x) {
  if (x->prev != NULL)
    x->prev->next = x->next;
  else
    c->wait_head = x->next;
  if (x->next != NULL)
    x->next->prev = x->prev;
  else
    c->wait_tail = x->prev;
  x->prev = x->next = NULL;
}

/* A connect slot is free: the longest-waiting requests take them. */
static void wait_pump(as_client *c) {
  while (c->wait_head != NULL && c->connecting < AS_CLIENT_CONNECTS) {
    as_exch *x = c->wait_head;
    wait_remove(c, x);
    conn_open(c, x);
  }
}

static void on_connect(uv_connect_t *req, int status) {
  as_conn *conn = req->handle->data;
  as_client *c = conn->client;
  int err = status;

  c->connecting--;
  if (!conn->closing && conn->x != NULL) {
    if (err == 0) {
      conn->x->connects++; /* made, as curl counts them */
      err = uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read);
    }
    if (err == 0)
      conn_request(conn, conn->x);
    else
      conn_failed(conn, err);
  }
  wait_pump(c);
}

/* A new connection for x; fails x at once when the socket cannot even be
 * made (EMFILE). */
static void conn_open(as_client *c, as_exch *x) {
  as_conn *conn = calloc(1, sizeof *conn);
  int err;

  if (conn == NULL) {
    x->err = UV_ENOMEM;
    x->done(x, AS_EXCH_FAILED, NULL);
    return;
  }
  conn->client = c;
  conn->x = x;
  x->conn = conn;
  uv_tcp_init(&c->batch->loop, &conn->tcp); /* no socket yet: cannot fail */
  conn->tcp.data = conn;
  uv_tcp_nodelay(&conn->tcp, 1); /* applied when the socket is made */
  err = uv_tcp_connect(&conn->connect, &conn->tcp,
                       (const struct sockaddr *)&c->addr, on_connect);
  if (err != 0)
    conn_failed(conn, err);
  else
    c->connecting++;
}

/* ---- requests ------------------------------------------------------------ */

void as_client_send(as_batch *b, as_exch *x, const char *url) {
  as_client *c = b->data;

  x->url = url;
  x->conn = NULL;
  if (c->resolve_err != 0) {
    x->err = c->resolve_err;
    x->done(x, AS_EXCH_FAILED, NULL);
  } else if (c->idle != NULL && !x->fresh) {
    as_conn *conn = c->idle;
    idle_remove(c, conn);
    conn_request(conn, x);
  } else if (c->connecting >= AS_CLIENT_CONNECTS) {
    wait_push(c, x);
  } else {
    conn_open(c, x);
  }
}

void as_client_cancel(as_batch *b, as_exch *x) {
  as_client *c = b->data;

  if (x->conn != NULL) {
    as_conn *conn = x->conn;
    conn->x = NULL;
    x->conn = NULL;
    conn_close(conn);
  } else if (x->prev != NULL || c->wait_head == x) {
    wait_remove(c, x);
  }
}

/* ---- the client ---------------------------------------------------------- */

/* Split the base URL and resolve its host, now, once: a name that does
 * not resolve fails each request, as a refused connection does. */
static int client_resolve(as_client *c, const char *base) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  uv_getaddrinfo_t req;

  if (wl_http_origin_of(base, &c->origin) != 0)
    return -1;
  /* no callback: uv_getaddrinfo resolves before it returns */
  c->resolve_err = uv_getaddrinfo(&c->batch->loop, &req, NULL,
                                  c->origin.name, c->origin.port, &hints);
  if (c->resolve_err == 0) {
    memcpy(&c->addr, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
    uv_freeaddrinfo(req.addrinfo);
  }
  return 0;
}

int as_client_open(as_batch *b) {
  as_client *c = calloc(1, sizeof *c);

  if (c == NULL) {
    fprintf(stderr, "conclab: async: out of memory for the http client\n");
    return -1;
  }
  c->batch = b;
  if (client_resolve(c, b->params->url) != 0) {
    free(c);
    return -1;
  }
  b->data = c;
  return 0;
}

void as_client_end(as_batch *b) {
  as_client *c = b->data;

  if (c == NULL)
    return;
  c->ended = 1;
  while (c->idle != NULL)
    conn_close(c->idle);
}

void as_client_close(as_batch *b) {
  as_client_end(b);
  free(b->data);
  b->data = NULL;
}
