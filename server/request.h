/*
 * request.h - one HTTP request read from bytes, and the reply it gets.
 *
 * The pure half of `conclab serve`: no sockets, no loop.  Bytes go in as
 * they arrive, in pieces of any size; at most one complete request comes
 * out at a time; a route turns it into a reply (what to send, and when).
 * The server drives it from its read callbacks; the unit tests and the fuzz
 * target drive it from plain buffers.
 */
#ifndef CONCLAB_SV_REQUEST_H
#define CONCLAB_SV_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>

/* Limits, stated in `conclab serve --help`. */
#define SV_HEAD_MAX (8 * 1024)            /* URL + header bytes; more: 431 */
#define SV_BODY_MAX (64 * 1024)           /* request body bytes; more: 413 */
#define SV_PATH_KEEP 255                  /* path bytes kept for routing */
#define SV_DELAY_MAX_MS 60000             /* /delay/<ms> */
#define SV_BYTES_MAX (64LL * 1024 * 1024) /* /bytes/<n> */
#define SV_STATUS_MIN 200                 /* /status/<code> */
#define SV_STATUS_MAX 599
#define SV_CPU_MAX 10000000               /* /cpu/<n>: ~2.5 s of CPU at the top */
#define SV_REPLY_HEAD_MAX 256             /* a formatted response head */

/* A request being read.  Fields other than `parser` are read-only. */
typedef struct sv_request {
  http_parser parser;
  int ready;        /* a whole request was read; input waits until _next */
  int refused;      /* 0, or 400 / 408 / 413 / 431 / 505: the input cannot
                       go on */
  int started;      /* a request's first byte has been read, and the
                       request is not yet ready: its head timeout runs */
  unsigned method;  /* enum http_method */
  int keep_alive;   /* the client allows another request after this one */
  int http_1_0;     /* an HTTP/1.0 client: says keep-alive explicitly */
  size_t head_bytes;   /* URL + header bytes so far */
  uint64_t body_bytes; /* body bytes so far (read and ignored) */
  char path[SV_PATH_KEEP + 1]; /* the URL up to '?' or '#', NUL-ended */
  size_t path_len;
  int path_cut;     /* the path was longer than SV_PATH_KEEP */
  int in_query;     /* on_url has passed the path */
} sv_request;

void sv_request_init(sv_request *r);

/* Parse up to len bytes; returns how many were used.  It stops early when
 * a request is complete (r->ready: the rest is the next request, which
 * waits until sv_request_next) or refused (r->refused: give up on the
 * input).  Otherwise it uses every byte and wants more. */
size_t sv_request_feed(sv_request *r, const char *data, size_t len);

/* The reply to a ready request is out: forget it, accept the next one. */
void sv_request_next(sv_request *r);

/* The request did not arrive in time (the caller keeps the clock): refuse
 * it with 408, unless it is already ready or refused. */
void sv_request_timeout(sv_request *r);

/* ---- the reply -------------------------------------------------------- */

typedef enum sv_action {
  SV_SEND,  /* answer now */
  SV_DELAY, /* answer after delay_ms */
  SV_DROP,  /* close the connection, answer nothing */
  SV_STALL, /* answer nothing, ever; keep the connection open */
  SV_CPU    /* count the primes below cpu_n (sv_reply_cpu), then answer:
               each server model decides where that work runs */
} sv_action;

typedef struct sv_reply {
  sv_action action;
  unsigned delay_ms;
  unsigned cpu_n;    /* SV_CPU: count the primes below this */
  int status;
  int pattern;       /* the body is the a..z pattern, not text */
  uint64_t body_len; /* what Content-Length says */
  int head_only;     /* HEAD: the head alone, Content-Length as for GET */
  int close;         /* close after this reply: `Connection: close` */
  int keep_alive_header; /* HTTP/1.0 keeping alive: `Connection: keep-alive` */
  int allow_header;  /* 405: `Allow: GET, HEAD` */
  const char *text;  /* the text body (static), or NULL: see text_buf */
  char text_buf[48]; /* a short body made for this reply */
} sv_reply;

/* What a ready or refused request gets. */
void sv_route(const sv_request *r, sv_reply *out);

/* Do an SV_CPU reply's work: count the primes below cpu_n, make the count
 * its text body, and turn it into SV_SEND.  Pure CPU, no shared state: it
 * may run on any thread or process. */
void sv_reply_cpu(sv_reply *rep);

/* The text body of a reply that has no pattern body. */
const char *sv_reply_text(const sv_reply *rep);

/* Write the response head (status line, headers, blank line) into buf;
 * returns its length, or 0 if it did not fit in cap. */
size_t sv_reply_head(const sv_reply *rep, char *buf, size_t cap);

/* Fill buf with the /bytes pattern: byte i is 'a' + i % 26. */
void sv_pattern_fill(char *buf, size_t len);

#endif
