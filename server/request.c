/*
 * request.c - parse a request with http-parser, route it to a reply.
 *
 * Lesson: bytes from a socket come in pieces that ignore message bounds.
 * A request may arrive one byte at a time, or three requests may arrive
 * in one read.  http-parser is a state machine made for this: it takes
 * whatever bytes there are, calls back as it recognises parts, and keeps
 * its place between calls.  To answer pipelined requests in order, it is
 * paused after each complete request (http_parser_pause in
 * on_message_complete) and resumed only once that request is answered;
 * the bytes it did not take wait in the caller's buffer.
 *
 * Nothing here touches a socket or a loop, so any byte sequence can be fed
 * to it in a test or by a fuzzer.
 */
#include "request.h"

#include "workload.h" /* wl_primes_count: the primes workload's own count */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- parsing ------------------------------------------------------------ */

static sv_request *request_of(http_parser *p) {
  return (sv_request *)((char *)p - offsetof(sv_request, parser));
}

/* Refuse the input with status; a non-zero return stops http-parser. */
static int refuse(sv_request *r, int status) {
  r->refused = status;
  return -1;
}

/* URL and header bytes count against one budget: a head bigger than that
 * is refused with 431 before it can cost more memory or time. */
static int count_head(sv_request *r, size_t len) {
  r->head_bytes += len;
  return r->head_bytes > SV_HEAD_MAX ? refuse(r, 431) : 0;
}

static int on_message_begin(http_parser *p) {
  sv_request *r = request_of(p);
  r->started = 1;
  r->head_bytes = 0;
  r->body_bytes = 0;
  r->path_len = 0;
  r->path[0] = '\0';
  r->path_cut = 0;
  r->in_query = 0;
  return 0;
}

/* The URL may come in several calls.  Keep only the path, and only as
 * much of it as any route could match: a query string is ignored. */
static int on_url(http_parser *p, const char *at, size_t len) {
  sv_request *r = request_of(p);
  if (count_head(r, len) != 0)
    return -1;
  for (size_t i = 0; i < len && !r->in_query; i++) {
    if (at[i] == '?' || at[i] == '#')
      r->in_query = 1;
    else if (r->path_len < SV_PATH_KEEP)
      r->path[r->path_len++] = at[i];
    else
      r->path_cut = 1;
  }
  r->path[r->path_len] = '\0';
  return 0;
}

static int on_header_part(http_parser *p, const char *at, size_t len) {
  (void)at; /* no route looks at a header: only their size matters */
  return count_head(request_of(p), len);
}

/* Only HTTP/1.0 and 1.1 are spoken: a client of another version would
 * misread a 1.1 answer as one of its own, so it gets 505 (the version is
 * known here, after the request line).  A declared body over the cap is
 * refused now, before it is read. */
static int on_headers_complete(http_parser *p) {
  if (p->http_major != 1 || p->http_minor > 1)
    return refuse(request_of(p), 505);
  if (p->content_length != ULLONG_MAX && p->content_length > SV_BODY_MAX)
    return refuse(request_of(p), 413);
  return 0;
}

/* A chunked body declares no length: count it as it comes. */
static int on_body(http_parser *p, const char *at, size_t len) {
  sv_request *r = request_of(p);
  (void)at;
  r->body_bytes += len;
  return r->body_bytes > SV_BODY_MAX ? refuse(r, 413) : 0;
}

/* One whole request: note what the reply needs, then pause, so that the
 * bytes of the next request wait until this one is answered. */
static int on_message_complete(http_parser *p) {
  sv_request *r = request_of(p);
  r->method = p->method;
  /* After an Upgrade or CONNECT the bytes are no longer HTTP: close. */
  r->keep_alive = http_should_keep_alive(p) && !p->upgrade;
  r->http_1_0 = p->http_major == 1 && p->http_minor == 0;
  r->ready = 1;
  http_parser_pause(p, 1);
  return 0;
}

/* The callbacks are the same for every request: a constant, not state. */
static const http_parser_settings request_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_part,
    .on_header_value = on_header_part,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void sv_request_init(sv_request *r) {
  memset(r, 0, sizeof *r);
  http_parser_init(&r->parser, HTTP_REQUEST);
}

size_t sv_request_feed(sv_request *r, const char *data, size_t len) {
  size_t used;

  /* len 0 would tell http-parser the connection ended: never send it. */
  if (r->ready || r->refused || len == 0)
    return 0;
  used = http_parser_execute(&r->parser, &request_settings, data, len);
  if (r->ready || r->refused)
    return used;
  if (HTTP_PARSER_ERRNO(&r->parser) == HPE_HEADER_OVERFLOW)
    r->refused = 431; /* http-parser's own cap on the raw head */
  else if (HTTP_PARSER_ERRNO(&r->parser) != HPE_OK || used < len)
    r->refused = 400; /* malformed, or bytes after a close or upgrade */
  return used;
}

void sv_request_next(sv_request *r) {
  r->ready = 0;
  r->started = 0;
  http_parser_pause(&r->parser, 0);
}

void sv_request_timeout(sv_request *r) {
  if (!r->ready && !r->refused)
    r->refused = 408;
}

/* ---- routing ------------------------------------------------------------ */

static const char index_text[] =
    "conclab serve: a local HTTP test server\n"
    "GET /delay/<ms>     200 after <ms> milliseconds, 0..60000\n"
    "GET /bytes/<n>      <n> bytes, byte i is 'a' + i % 26, 0..67108864\n"
    "GET /status/<code>  that status, 200..599\n"
    "GET /cpu/<n>        the number of primes below <n>, 0..10000000\n"
    "GET /drop           the connection is closed, no answer\n"
    "GET /stall          no answer, ever\n";

static void reply_text(sv_reply *out, int status, const char *text) {
  out->status = status;
  out->text = text;
  out->body_len = strlen(text);
}

/* A short body made for this reply, e.g. "status 503\n". */
static void reply_format(sv_reply *out, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->text_buf, sizeof out->text_buf, fmt, ap);
  va_end(ap);
  out->status = status;
  out->text = NULL;
  out->body_len = strlen(out->text_buf);
}

/* The parameter after prefix, or NULL when path does not start with it. */
static const char *after(const char *path, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(path, prefix, n) == 0 ? path + n : NULL;
}

/* A whole number of at most 10 digits (no sign, no spaces) in [0, max]. */
static int parse_param(const char *text, long long max, long long *out) {
  long long v = 0;
  size_t n = strlen(text);

  if (n == 0 || n > 10)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (text[i] < '0' || text[i] > '9')
      return -1;
    v = v * 10 + (text[i] - '0');
  }
  if (v > max)
    return -1;
  *out = v;
  return 0;
}

/* The path of an origin-form target ("/x"), or of an absolute-form one
 * ("http://host/x", which proxies send); NULL for anything else. */
static const char *target_path(const char *path) {
  const char *scheme_end;
  if (path[0] == '/')
    return path;
  scheme_end = strstr(path, "://");
  if (scheme_end == NULL)
    return NULL;
  path = strchr(scheme_end + 3, '/');
  return path != NULL ? path : "/";
}

static void route_delay(const char *param, sv_reply *out) {
  long long ms;
  if (parse_param(param, SV_DELAY_MAX_MS, &ms) != 0) {
    reply_text(out, 400, "/delay/<ms>: ms must be 0..60000\n");
    return;
  }
  out->action = SV_DELAY;
  out->delay_ms = (unsigned)ms;
  /* The same body for every delay: a client's checksum of the answers
   * must not depend on how long they took. */
  reply_text(out, 200, "delayed\n");
}

static void route_bytes(const char *param, sv_reply *out) {
  long long n;
  if (parse_param(param, SV_BYTES_MAX, &n) != 0) {
    reply_text(out, 400, "/bytes/<n>: n must be 0..67108864\n");
    return;
  }
  out->status = 200;
  out->pattern = 1;
  out->body_len = (uint64_t)n;
}

static void route_status(const char *param, sv_reply *out) {
  long long code;
  if (parse_param(param, SV_STATUS_MAX, &code) != 0 || code < SV_STATUS_MIN) {
    reply_text(out, 400, "/status/<code>: code must be 200..599\n");
    return;
  }
  /* 204 and 304 never carry a body (RFC 9110): Content-Length 0. */
  if (code == 204 || code == 304)
    reply_text(out, (int)code, "");
  else
    reply_format(out, (int)code, "status %lld\n", code);
}

/* The count is left to sv_reply_cpu, run where the server model puts it:
 * routing stays cheap and free of work. */
static void route_cpu(const char *param, sv_reply *out) {
  long long n;
  if (parse_param(param, SV_CPU_MAX, &n) != 0) {
    reply_text(out, 400, "/cpu/<n>: n must be 0..10000000\n");
    return;
  }
  out->action = SV_CPU;
  out->cpu_n = (unsigned)n;
  out->status = 200;
}

void sv_reply_cpu(sv_reply *rep) {
  uint64_t count = wl_primes_count(0, rep->cpu_n);
  reply_format(rep, 200, "primes below %u: %llu\n", rep->cpu_n,
               (unsigned long long)count);
  rep->action = SV_SEND;
}

static void route_refused(int status, sv_reply *out) {
  out->close = 1; /* the rest of the input cannot be trusted */
  if (status == 408)
    reply_text(out, 408, "request timeout: the request did not arrive "
                         "within the head timeout\n");
  else if (status == 505)
    reply_text(out, 505, "HTTP version not supported: use HTTP/1.1 or "
                         "HTTP/1.0\n");
  else if (status == 431)
    reply_text(out, 431, "request head too large (limit 8192 bytes)\n");
  else if (status == 413)
    reply_text(out, 413, "request body too large (limit 65536 bytes)\n");
  else
    reply_text(out, 400, "bad request\n");
}

void sv_route(const sv_request *r, sv_reply *out) {
  const char *path, *param;

  memset(out, 0, sizeof *out);
  out->action = SV_SEND;
  out->close = !r->keep_alive;
  if (r->refused) {
    route_refused(r->refused, out);
    return;
  }
  out->head_only = r->method == HTTP_HEAD;
  out->keep_alive_header = r->http_1_0 && r->keep_alive;
  if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
    out->allow_header = 1;
    reply_text(out, 405, "method not allowed: use GET or HEAD\n");
    return;
  }
  path = target_path(r->path);
  if (path == NULL) {
    reply_text(out, 400, "bad request target\n");
    return;
  }
  if (r->path_cut) /* longer than any route */
    reply_text(out, 404, "not found (see /)\n");
  else if (strcmp(path, "/") == 0)
    reply_text(out, 200, index_text);
  else if ((param = after(path, "/delay/")) != NULL)
    route_delay(param, out);
  else if ((param = after(path, "/bytes/")) != NULL)
    route_bytes(param, out);
  else if ((param = after(path, "/status/")) != NULL)
    route_status(param, out);
  else if ((param = after(path, "/cpu/")) != NULL)
    route_cpu(param, out);
  else if (strcmp(path, "/drop") == 0)
    out->action = SV_DROP;
  else if (strcmp(path, "/stall") == 0)
    out->action = SV_STALL;
  else
    reply_text(out, 404, "not found (see /)\n");
}

const char *sv_reply_text(const sv_reply *rep) {
  return rep->text != NULL ? rep->text : rep->text_buf;
}

/* ---- the response head ---------------------------------------------------- */

/* http-parser knows the standard reason phrases; for other codes (say
 * 299) the class name will do: clients read the number, not the words.
 * status is in 200..599. */
static const char *reason(int status) {
  static const char *const classes[] = {"Success", "Redirection",
                                        "Client Error", "Server Error"};
  const char *known = http_status_str((enum http_status)status);
  if (known[0] != '<') /* "<unknown>" */
    return known;
  return classes[status / 100 - 2];
}

size_t sv_reply_head(const sv_reply *rep, char *buf, size_t cap) {
  const char *connection = "";
  int n;

  if (rep->status < SV_STATUS_MIN || rep->status > SV_STATUS_MAX)
    return 0; /* /drop and /stall: no head to write */
  if (rep->close)
    connection = "Connection: close\r\n";
  else if (rep->keep_alive_header)
    connection = "Connection: keep-alive\r\n";
  n = snprintf(buf, cap,
               "HTTP/1.1 %d %s\r\n"
               "Content-Type: %s\r\n"
               "Content-Length: %llu\r\n"
               "%s%s"
               "\r\n",
               rep->status, reason(rep->status),
               rep->pattern ? "application/octet-stream"
                            : "text/plain; charset=utf-8",
               (unsigned long long)rep->body_len,
               rep->allow_header ? "Allow: GET, HEAD\r\n" : "", connection);
  if (n < 0 || (size_t)n >= cap)
    return 0;
  return (size_t)n;
}

void sv_pattern_fill(char *buf, size_t len) {
  for (size_t i = 0; i < len; i++)
    buf[i] = (char)('a' + i % 26);
}
