/*
 * fuzz_request.c - libFuzzer on server/request.c: any bytes, any pieces.
 *
 * The first input byte says how the rest is cut (0: whole; n: pieces of n
 * bytes), so the fuzzer explores incremental parsing as well as content.
 * The rest is fed the way the server feeds it: request after request,
 * routing and formatting each reply.  Beyond what the sanitizers catch,
 * it traps when request.c breaks its promises: that a feed uses every
 * byte unless a request is complete or refused; that a reply's head is
 * valid HTTP whose status and Content-Length match the reply; that a text
 * body is as long as Content-Length says.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "request.h"

#define check(cond)                                                         \
  do {                                                                      \
    if (!(cond))                                                            \
      __builtin_trap();                                                     \
  } while (0)

/* Read the head back with http-parser, as a client would. */
static void check_head(const sv_reply *rep, const char *head, size_t len) {
  static const http_parser_settings none;
  http_parser p;
  size_t used;

  http_parser_init(&p, HTTP_RESPONSE);
  used = http_parser_execute(&p, &none, head, len);
  check(used == len && HTTP_PARSER_ERRNO(&p) == HPE_OK);
  check(p.status_code == (unsigned)rep->status);
  check(p.content_length == rep->body_len);
  check((strstr(head, "\r\nConnection: close\r\n") != NULL) == rep->close);
}

static void check_reply(const sv_reply *rep) {
  char head[SV_REPLY_HEAD_MAX];
  size_t len = sv_reply_head(rep, head, sizeof head);

  if (rep->action == SV_DROP || rep->action == SV_STALL) {
    check(len == 0);
    return;
  }
  check(len > 0 && rep->status >= SV_STATUS_MIN &&
        rep->status <= SV_STATUS_MAX);
  check(rep->delay_ms <= SV_DELAY_MAX_MS);
  if (rep->pattern)
    check(rep->body_len <= (uint64_t)SV_BYTES_MAX);
  else
    check(strlen(sv_reply_text(rep)) == rep->body_len);
  check_head(rep, head, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *bytes = (const char *)data;
  size_t piece, off = 1;
  sv_request r;
  sv_reply rep;

  if (size < 1)
    return 0;
  piece = data[0] == 0 ? size : data[0];
  sv_request_init(&r);
  while (off < size) {
    size_t n = size - off < piece ? size - off : piece;
    size_t used = sv_request_feed(&r, bytes + off, n);

    check(used <= n);
    off += used;
    if (!r.ready && !r.refused) {
      check(used == n); /* no request yet: it takes every byte */
      continue;
    }
    check(used > 0 || r.refused); /* no request out of nothing */
    sv_route(&r, &rep);
    check_reply(&rep);
    if (rep.close)
      break; /* the server closes here: later bytes are never parsed */
    sv_request_next(&r);
  }
  return 0;
}
