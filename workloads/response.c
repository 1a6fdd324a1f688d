/*
 * response.c - an HTTP/1.1 response from bytes in pieces (see response.h).
 *
 * http-parser calls back as it recognises parts of the message; the body
 * is hashed in on_body and never kept, so an 8 MiB answer costs no more
 * memory than a 1 KiB one.  At the end of the message the parser is
 * paused: bytes after it would be a next response, which this client
 * never asks for while one is pending, so they are left to the caller.
 */
#include "response.h"

#include "workload.h"

static wl_resp *resp_of(http_parser *p) { return p->data; }

/* http-parser takes a status of one to three digits; HTTP's has three.
 * (A 1xx interim answer is taken as the answer: this client never sends
 * Expect, so a server has no reason to send one.) */
static int on_headers_complete(http_parser *p) {
  wl_resp *r = resp_of(p);
  if (p->status_code < 100 || p->status_code > 999)
    return -1; /* an error: HPE_CB_headers_complete */
  r->head_done = 1;
  r->status = (int)p->status_code;
  return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
  wl_resp *r = resp_of(p);
  if (!r->no_hash)
    r->hash = wl_hash_bytes(r->hash, at, len);
  r->body_bytes += len;
  return 0;
}

/* Whether the connection can be reused is known only now (a chunked body
 * can end with trailers; an HTTP/1.0 answer closes).  Pausing makes
 * http_parser_execute return right after the message's last byte. */
static int on_message_complete(http_parser *p) {
  wl_resp *r = resp_of(p);
  r->done = 1;
  r->keep_alive = http_should_keep_alive(p);
  http_parser_pause(p, 1);
  return 0;
}

static const http_parser_settings settings = {
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void wl_resp_init_hash(wl_resp *r, int hash) {
  *r = (wl_resp){.hash = WL_HASH_INIT, .no_hash = !hash};
  http_parser_init(&r->parser, HTTP_RESPONSE);
  r->parser.data = r;
}

void wl_resp_init(wl_resp *r) { wl_resp_init_hash(r, 1); }

/* Run the parser over one piece; note a refusal. */
static size_t execute(wl_resp *r, const char *data, size_t n) {
  size_t used = http_parser_execute(&r->parser, &settings, data, n);
  enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);

  if (e == HPE_PAUSED)
    http_parser_pause(&r->parser, 0); /* r->done says why */
  else if (e != HPE_OK)
    r->error = e == HPE_HEADER_OVERFLOW ? WL_RESP_HEAD_TOO_LARGE : WL_RESP_BAD;
  return used;
}

size_t wl_resp_feed(wl_resp *r, const char *data, size_t n) {
  size_t used = 0;

  /* Until the head is complete, feed no more than the head may still
   * take, so a head over the limit is caught at the limit. */
  while (used < n && !r->done && r->error == WL_RESP_OK) {
    size_t piece = n - used, k;
    if (!r->head_done) {
      size_t room = WL_RESP_HEAD_MAX - r->head_bytes;
      if (room == 0) {
        r->error = WL_RESP_HEAD_TOO_LARGE;
        break;
      }
      if (piece > room)
        piece = room;
    }
    k = execute(r, data + used, piece);
    if (!r->head_done)
      r->head_bytes += k;
    used += k;
    if (k == 0 && !r->done && r->error == WL_RESP_OK)
      r->error = WL_RESP_BAD; /* no progress and no reason: never loop */
  }
  r->received += used;
  return used;
}

wl_resp_error wl_resp_eof(wl_resp *r) {
  if (r->done || r->error != WL_RESP_OK)
    return r->error;
  if (r->received == 0) {
    r->error = WL_RESP_CLOSED;
    return r->error;
  }
  execute(r, NULL, 0); /* tells http-parser: a body until close ends here */
  if (!r->done && r->error == WL_RESP_OK)
    r->error = WL_RESP_TRUNCATED;
  else if (r->error == WL_RESP_BAD)
    r->error = WL_RESP_TRUNCATED; /* its "unexpected EOF" is ours */
  return r->error;
}

const char *wl_resp_strerror(wl_resp_error e) {
  switch (e) {
  case WL_RESP_OK:
    return "ok";
  case WL_RESP_HEAD_TOO_LARGE:
    return "response head too large";
  case WL_RESP_BAD:
    return "malformed response";
  case WL_RESP_CLOSED:
    return "connection closed before an answer";
  case WL_RESP_TRUNCATED:
    return "connection closed in the middle of an answer";
  }
  return "unknown error";
}
