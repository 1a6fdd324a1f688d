/*
 * curl.h - libcurl's multi interface on the batch's libuv loop: the glue.
 *
 * curl speaks HTTP; the loop does all the waiting.  The two meet through
 * two callbacks and one call:
 *
 *   curl -> us   "watch socket s for reading/writing"  socket callback -> uv_poll
 *   curl -> us   "wake me in t ms"                      timer callback  -> uv_timer
 *   us -> curl   "s is ready" / "the time has come"     curl_multi_socket_action
 *
 * One multi handle per batch is the session: when a transfer finishes, its
 * connection goes back to the multi handle's cache for the next one.  A
 * workload hands in easy handles with as_curl_add and is called back, on
 * the loop, when each transfer is over.
 */
#ifndef CONCLAB_ASYNC_CURL_H
#define CONCLAB_ASYNC_CURL_H

#include <curl/curl.h>

#include "async.h"

typedef struct as_curl as_curl; /* the session, in b->data */

/* A transfer's owner: embed one (zeroed), set done, and done is called
 * when curl is through with the easy handle (which has been removed from
 * the multi handle by then, and may be set up and added again).  The rest
 * is the session's, while the transfer is in its multi handle. */
typedef struct as_curl_xfer {
  void (*done)(struct as_curl_xfer *x, CURL *easy, CURLcode rc);
  CURL *easy;
  /* CURLE_OK, or why the session itself must end this transfer (a socket
   * the loop could not watch; curl out of memory) once curl has returned */
  CURLcode failed;
  struct as_curl *session;
  int sent; /* curl is about to send its request (CURLOPT_PREREQFUNCTION) */
  /* the session's list it is on; or, before it is added to the multi
   * handle, the queue of transfers waiting to be */
  struct as_curl_xfer *prev, *next;
} as_curl_xfer;

/* Transfers added to the multi handle but not sent yet, at most: more are
 * held back.  Added all at once, curl starts every connect in one
 * callback before it sends any request. */
#define AS_CURL_UNSENT 50

/* Make the batch's session (b->data).  0, or -1 (printed). */
int as_curl_open(as_batch *b);
/* Start a transfer (now, or once fewer than AS_CURL_UNSENT are unsent).
 * 0, or -1 when curl refused it. */
int as_curl_add(as_batch *b, CURL *easy, as_curl_xfer *x);
/* The batch's last task is over: close the connections and every handle,
 * so uv_run can return.  Safe to call more than once. */
void as_curl_end(as_batch *b);
/* After the loop has run: ends the session if it is still open. */
void as_curl_close(as_batch *b);

#endif
