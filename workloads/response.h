/*
 * response.h - an HTTP/1.1 response read from bytes: no sockets, no loop.
 *
 * Lesson: a client's parser is a state machine fed whatever the socket
 * gave it, one byte or a megabyte at a time.  http-parser (HTTP_RESPONSE)
 * does the framing - Content-Length, chunked, or a body that ends when
 * the server closes - and this reader keeps what the client needs: the
 * status, whether the connection may be reused, and the body folded into
 * the same hash as curl's path (workloads/http.c), so that checksums
 * agree whichever client fetched the answer.
 */
#ifndef CONCLAB_RESPONSE_H
#define CONCLAB_RESPONSE_H

#include <http_parser.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes a status line and headers may take: a server that sends
 * more is not one this client talks to. */
#define WL_RESP_HEAD_MAX 8192

typedef enum wl_resp_error {
  WL_RESP_OK = 0,
  WL_RESP_HEAD_TOO_LARGE, /* no end of headers within WL_RESP_HEAD_MAX */
  WL_RESP_BAD,            /* not HTTP: http-parser refused the bytes */
  WL_RESP_CLOSED,         /* closed before the first byte of an answer */
  WL_RESP_TRUNCATED,      /* closed in the middle of an answer */
} wl_resp_error;

typedef struct wl_resp {
  http_parser parser; /* its data points back here */
  size_t head_bytes;  /* fed while the head was not complete */
  uint64_t received;  /* every byte fed */
  int head_done, done;
  int status;     /* the HTTP status, once the head is read */
  int keep_alive; /* the connection may carry the next request */
  /* 0: the body is hashed (the checksums); 1: only counted, for a
   * client that times answers and must cost less than the server (the
   * load generator): hashing is about 1.5 us a KiB */
  int no_hash;
  uint64_t hash;  /* the body, as it arrives (wl_hash_bytes) */
  uint64_t body_bytes;
  wl_resp_error error;
} wl_resp;

/* Ready for a new response (no_hash: 0). */
void wl_resp_init(wl_resp *r);
/* The same, the body hashed or not (see no_hash). */
void wl_resp_init_hash(wl_resp *r, int hash);
/* Feed n bytes.  Returns how many were used: all of them, unless the
 * response ended inside them (r->done: the rest are not part of it) or
 * they were refused (r->error). */
size_t wl_resp_feed(wl_resp *r, const char *data, size_t n);
/* The connection closed: ends a body that runs until close; any other
 * response not done by now is an error (WL_RESP_CLOSED or _TRUNCATED).
 * Returns r->error. */
wl_resp_error wl_resp_eof(wl_resp *r);
/* A few words on e, for a report. */
const char *wl_resp_strerror(wl_resp_error e);

#endif
