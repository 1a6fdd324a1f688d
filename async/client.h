/*
 * client.h - a native HTTP/1.1 client on the batch's loop: connections.
 *
 * Lesson: what wrk does, and what aiohttp's connector does.  A request
 * goes out on an idle kept-alive connection when there is one, else on a
 * new one; a new connection is a non-blocking connect (uv_tcp_connect),
 * and the request is written the moment it completes.  The answer is read
 * by workloads/response.c as the bytes arrive.  Connects in progress are
 * capped (AS_CLIENT_CONNECTS), so the first requests are on the wire
 * while later connections are still being made, instead of every connect
 * being started in one callback before any request is sent.
 *
 * This file knows sockets and HTTP framing; what an answer means, the
 * timeout and the retries are the caller's (async/fetch.c).
 */
#ifndef CONCLAB_ASYNC_CLIENT_H
#define CONCLAB_ASYNC_CLIENT_H

#include "async.h"
#include "response.h"

/* Connects in progress at once, at most: enough to keep the handshakes
 * flowing, few enough that the loop gets back to answers and timers. */
#define AS_CLIENT_CONNECTS 64

typedef struct as_conn as_conn;
typedef struct as_client as_client; /* the batch's, in b->data */

/* How an exchange ended. */
typedef enum as_exch_end {
  AS_EXCH_ANSWERED, /* a whole response (resp) */
  AS_EXCH_FAILED,   /* none: err (libuv's) or resp->error says why */
  /* a kept-alive connection the server had closed, found closed before
   * any byte of an answer: the request never reached it, so it may be
   * sent again on a fresh connection, as browsers and curl do */
  AS_EXCH_STALE,
} as_exch_end;

/* One request's exchange: embed one (zeroed) and set done. */
typedef struct as_exch {
  void (*done)(struct as_exch *x, as_exch_end end, const wl_resp *resp);
  int fresh;    /* set: it must go out on a new connection */
  int connects; /* connections opened for it (the caller clears it) */
  int err;      /* with AS_EXCH_FAILED: a libuv error, or 0 */
  /* the client's, while it is pending */
  const char *url;
  as_conn *conn;
  struct as_exch *prev, *next; /* waiting for a connect */
} as_exch;

/* The batch's client (b->data): the server's address, resolved once, and
 * the pool of idle connections.  0, or -1 (printed). */
int as_client_open(as_batch *b);
/* GET url (made from the base URL: the server is the client's).  x->done
 * is called once, when it is over; it may be called before this returns
 * (a connect that fails at once).  url stays the caller's, and must live
 * until then. */
void as_client_send(as_batch *b, as_exch *x, const char *url);
/* Give up on x (its time is up): its connection is closed, done is not
 * called. */
void as_client_cancel(as_batch *b, as_exch *x);
/* The batch's last task is over: close the idle connections, so that
 * uv_run can return.  Safe to call more than once. */
void as_client_end(as_batch *b);
/* After the loop has run: free the client. */
void as_client_close(as_batch *b);

#endif
