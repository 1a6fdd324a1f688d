/*
 * test_request.c - server/request.c alone: bytes in, requests and replies out.
 *
 * A request split at every byte position reads the same as one read whole;
 * pipelined requests come out one at a time, the rest waiting; oversized
 * heads and bodies and garbage are refused with the right status; every
 * route gives the reply the spec asks for, and the head says it right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

/* Feed all of text in pieces of at most `piece` bytes; stop at the first
 * ready or refused request.  Returns the bytes used. */
static size_t feed_pieces(sv_request *r, const char *text, size_t len,
                          size_t piece) {
  size_t off = 0;
  while (off < len && !r->ready && !r->refused) {
    size_t n = len - off < piece ? len - off : piece;
    size_t used = sv_request_feed(r, text + off, n);
    off += used;
    if (used < n && !r->ready && !r->refused)
      fail_msg("feed used %zu of %zu bytes with no request and no error",
               used, n);
  }
  return off;
}

/* Route one whole request given as text. */
static void route_text(const char *text, sv_reply *rep) {
  sv_request r;
  sv_request_init(&r);
  feed_pieces(&r, text, strlen(text), strlen(text));
  if (!r.ready && !r.refused)
    fail_msg("incomplete request: %s", text);
  sv_route(&r, rep);
}

static void route_get(const char *path, sv_reply *rep) {
  char text[2048];
  snprintf(text, sizeof text, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
  route_text(text, rep);
}

/* ---- splitting ---------------------------------------------------------- */

static void assert_same_reply(const sv_reply *a, const sv_reply *b) {
  assert_int_equal(a->action, b->action);
  assert_int_equal(a->status, b->status);
  assert_int_equal(a->delay_ms, b->delay_ms);
  assert_int_equal(a->pattern, b->pattern);
  assert_int_equal(a->body_len, b->body_len);
  assert_int_equal(a->close, b->close);
  assert_int_equal(a->head_only, b->head_only);
}

/* Split in two at every position, and also fed one byte at a time. */
static void test_split_at_every_byte(void **state) {
  static const char *const requests[] = {
      "GET /delay/250?x=1 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
      "GET /bytes/1000 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
      "HEAD /status/503 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      ("GET /bytes/7 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n"), /* parenthesised: one string */
      "GET /drop HTTP/1.0\r\n\r\n",
  };
  (void)state;

  for (size_t k = 0; k < sizeof requests / sizeof requests[0]; k++) {
    const char *text = requests[k];
    size_t len = strlen(text);
    sv_reply whole, split;

    route_text(text, &whole);
    assert_true(whole.status != 404);
    for (size_t cut = 1; cut < len; cut++) {
      sv_request r;
      size_t used;
      sv_request_init(&r);
      used = sv_request_feed(&r, text, cut);
      assert_int_equal(used, cut);
      assert_false(r.ready);
      assert_int_equal(r.refused, 0);
      used = sv_request_feed(&r, text + cut, len - cut);
      assert_int_equal(used, len - cut);
      assert_true(r.ready);
      sv_route(&r, &split);
      assert_same_reply(&split, &whole);
    }
    {
      sv_request r;
      sv_request_init(&r);
      assert_int_equal(feed_pieces(&r, text, len, 1), len);
      assert_true(r.ready);
      sv_route(&r, &split);
      assert_same_reply(&split, &whole);
    }
  }
}

/* ---- pipelining --------------------------------------------------------- */

static void test_pipelined_one_at_a_time(void **state) {
  static const char text[] = "GET /delay/100 HTTP/1.1\r\n\r\n"
                             "GET /bytes/5 HTTP/1.1\r\n\r\n"
                             "GET /status/201 HTTP/1.1\r\n\r\n"
                             "GET /sta"; /* the start of a fourth */
  sv_request r;
  sv_reply rep;
  size_t off = 0, len = strlen(text), used;
  (void)state;

  sv_request_init(&r);
  used = sv_request_feed(&r, text, len);
  assert_int_equal(used, strlen("GET /delay/100 HTTP/1.1\r\n\r\n"));
  assert_true(r.ready);
  sv_route(&r, &rep);
  assert_int_equal(rep.action, SV_DELAY);
  assert_int_equal(rep.delay_ms, 100);
  off += used;

  /* While paused, nothing more is taken. */
  assert_int_equal(sv_request_feed(&r, text + off, len - off), 0);
  sv_request_next(&r);

  used = sv_request_feed(&r, text + off, len - off);
  assert_true(r.ready);
  sv_route(&r, &rep);
  assert_int_equal(rep.pattern, 1);
  assert_int_equal(rep.body_len, 5);
  off += used;
  sv_request_next(&r);

  used = sv_request_feed(&r, text + off, len - off);
  assert_true(r.ready);
  sv_route(&r, &rep);
  assert_int_equal(rep.status, 201);
  off += used;
  sv_request_next(&r);

  /* The partial fourth is taken whole, and waits for more. */
  used = sv_request_feed(&r, text + off, len - off);
  assert_int_equal(off + used, len);
  assert_false(r.ready);
  assert_int_equal(r.refused, 0);
  used = sv_request_feed(&r, "tus/202 HTTP/1.1\r\n\r\n", 20);
  assert_int_equal(used, 20);
  assert_true(r.ready);
  sv_route(&r, &rep);
  assert_int_equal(rep.status, 202);
}

/* ---- refusals ----------------------------------------------------------- */

static int refused_status(const char *text, size_t len) {
  sv_request r;
  sv_request_init(&r);
  feed_pieces(&r, text, len, 1000);
  return r.refused;
}

static void test_oversized_head_431(void **state) {
  size_t cap = 3 * SV_HEAD_MAX;
  char *text = malloc(cap);
  int n;
  (void)state;

  assert_non_null(text);
  /* one long header value */
  n = snprintf(text, cap, "GET / HTTP/1.1\r\nX-Big: ");
  memset(text + n, 'v', SV_HEAD_MAX);
  memcpy(text + n + SV_HEAD_MAX, "\r\n\r\n", 4);
  assert_int_equal(refused_status(text, (size_t)n + SV_HEAD_MAX + 4), 431);
  /* a long URL */
  memcpy(text, "GET /", 5);
  memset(text + 5, 'u', SV_HEAD_MAX);
  memcpy(text + 5 + SV_HEAD_MAX, " HTTP/1.1\r\n\r\n", 13);
  assert_int_equal(refused_status(text, 5 + SV_HEAD_MAX + 13), 431);
  /* just under the limit is fine: URL + one header of 8000 bytes */
  n = snprintf(text, cap, "GET / HTTP/1.1\r\nX: ");
  memset(text + n, 'v', 8000);
  memcpy(text + n + 8000, "\r\n\r\n", 4);
  {
    sv_request r;
    sv_request_init(&r);
    feed_pieces(&r, text, (size_t)n + 8004, 1000);
    assert_true(r.ready);
  }
  free(text);
}

static void test_oversized_body_413(void **state) {
  static const char declared[] =
      "POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n";
  char *text = malloc(100000); /* 20 chunks of 4 KiB, and their sizes */
  size_t n;
  (void)state;

  /* refused at the header, before the body is read */
  assert_int_equal(refused_status(declared, strlen(declared)), 413);
  /* a chunked body that grows past the cap */
  assert_non_null(text);
  n = (size_t)sprintf(text, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked"
                            "\r\n\r\n");
  for (int i = 0; i < 20; i++) {
    n += (size_t)sprintf(text + n, "1000\r\n");
    memset(text + n, 'b', 0x1000);
    n += 0x1000;
    n += (size_t)sprintf(text + n, "\r\n");
  }
  assert_int_equal(refused_status(text, n), 413);
  free(text);
}

static void test_garbage_400(void **state) {
  static const char *const bad[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
      "GET / HTTP/1.1\rX\n\n", /* CR without LF */
      "\x01\x02\x03\x04",
      "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
  };
  (void)state;

  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    sv_request r;
    sv_reply rep;
    char head[SV_REPLY_HEAD_MAX];
    sv_request_init(&r);
    feed_pieces(&r, bad[k], strlen(bad[k]), 1);
    if (r.refused != 400)
      fail_msg("case %zu: refused %d, ready %d", k, r.refused, r.ready);
    sv_route(&r, &rep);
    assert_int_equal(rep.status, 400);
    assert_int_equal(rep.close, 1);
    assert_true(sv_reply_head(&rep, head, sizeof head) > 0);
    assert_non_null(strstr(head, "Connection: close\r\n"));
    /* a refused request takes no more input */
    assert_int_equal(sv_request_feed(&r, "GET / HTTP/1.1\r\n\r\n", 18), 0);
  }
}

/* HTTP/1.0 and 1.1 are spoken; any other version gets 505 and a close,
 * in an HTTP/1.1 answer. */
static void test_version_505(void **state) {
  static const char *const other[] = {
      "GET / HTTP/9.9\r\n\r\n",
      "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
      "GET /status/200 HTTP/1.2\r\n\r\n",
      "GET / HTTP/0.9\r\n\r\n",
      "HEAD /bytes/3 HTTP/3.0\r\nConnection: keep-alive\r\n\r\n",
  };
  sv_reply rep;
  (void)state;

  for (size_t k = 0; k < sizeof other / sizeof other[0]; k++) {
    sv_request r;
    char head[SV_REPLY_HEAD_MAX];
    sv_request_init(&r);
    feed_pieces(&r, other[k], strlen(other[k]), 3);
    if (r.refused != 505)
      fail_msg("case %zu: refused %d, ready %d", k, r.refused, r.ready);
    sv_route(&r, &rep);
    assert_int_equal(rep.status, 505);
    assert_int_equal(rep.close, 1);
    assert_true(sv_reply_head(&rep, head, sizeof head) > 0);
    assert_non_null(strstr(head, "HTTP/1.1 505 "));
    assert_non_null(strstr(head, "Connection: close\r\n"));
  }
  route_text("GET /status/201 HTTP/1.0\r\n\r\n", &rep);
  assert_int_equal(rep.status, 201);
  route_text("GET /status/202 HTTP/1.1\r\n\r\n", &rep);
  assert_int_equal(rep.status, 202);
}

/* `started` says a request's first byte has come (its head timeout runs)
 * and is clear between requests; a request that timed out gets 408 and a
 * close, and takes no more input. */
static void test_started_and_timeout_408(void **state) {
  sv_request r;
  sv_reply rep;
  char head[SV_REPLY_HEAD_MAX];
  (void)state;

  sv_request_init(&r);
  assert_int_equal(r.started, 0);
  assert_int_equal(sv_request_feed(&r, "\r\n", 2), 2); /* blank lines: not yet */
  assert_int_equal(r.started, 0);
  assert_int_equal(sv_request_feed(&r, "GE", 2), 2);
  assert_int_equal(r.started, 1);
  sv_request_feed(&r, "T / HTTP/1.1\r\n\r\nGET /x", 24);
  assert_true(r.ready);
  sv_request_next(&r);
  assert_int_equal(r.started, 0);
  assert_int_equal(sv_request_feed(&r, "GET /x", 6), 6);
  assert_int_equal(r.started, 1);

  sv_request_timeout(&r);
  assert_int_equal(r.refused, 408);
  assert_int_equal(sv_request_feed(&r, " HTTP/1.1\r\n\r\n", 13), 0);
  sv_route(&r, &rep);
  assert_int_equal(rep.status, 408);
  assert_int_equal(rep.close, 1);
  assert_true(sv_reply_head(&rep, head, sizeof head) > 0);
  assert_non_null(strstr(head, "HTTP/1.1 408 Request Timeout\r\n"));
  assert_non_null(strstr(head, "Connection: close\r\n"));
}

/* ---- routes ------------------------------------------------------------- */

typedef struct route_case {
  const char *path;
  int status;
  sv_action action;
  long long body_len; /* -1: do not check */
} route_case;

static void test_routes(void **state) {
  static const route_case cases[] = {
      {"/", 200, SV_SEND, -1},
      {"/delay/0", 200, SV_DELAY, -1},
      {"/delay/60000", 200, SV_DELAY, -1},
      {"/delay/60001", 400, SV_SEND, -1},
      {"/delay/", 400, SV_SEND, -1},
      {"/delay/-5", 400, SV_SEND, -1},
      {"/delay/1x", 400, SV_SEND, -1},
      {"/delay/99999999999999999999", 400, SV_SEND, -1},
      {"/bytes/0", 200, SV_SEND, 0},
      {"/bytes/67108864", 200, SV_SEND, 67108864},
      {"/bytes/67108865", 400, SV_SEND, -1},
      {"/bytes/abc", 400, SV_SEND, -1},
      {"/bytes/12?n=99", 200, SV_SEND, 12},
      {"/status/200", 200, SV_SEND, 11},
      {"/status/599", 599, SV_SEND, 11},
      {"/status/204", 204, SV_SEND, 0},
      {"/status/199", 400, SV_SEND, -1},
      {"/status/600", 400, SV_SEND, -1},
      {"/cpu/0", 200, SV_CPU, -1},
      {"/cpu/10000000", 200, SV_CPU, -1},
      {"/cpu/10000001", 400, SV_SEND, -1},
      {"/cpu/", 400, SV_SEND, -1},
      {"/cpu/1e6", 400, SV_SEND, -1},
      {"/cpu", 404, SV_SEND, -1},
      {"/drop", 0, SV_DROP, -1},
      {"/stall", 0, SV_STALL, -1},
      {"/drop/", 404, SV_SEND, -1},
      {"/nope", 404, SV_SEND, -1},
      {"/bytesx/1", 404, SV_SEND, -1},
      {"http://example.com/status/418", 418, SV_SEND, -1},
      {"http://example.com", 200, SV_SEND, -1},
  };
  (void)state;

  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    sv_reply rep;
    route_get(cases[k].path, &rep);
    if (rep.status != cases[k].status || rep.action != cases[k].action ||
        (cases[k].body_len >= 0 &&
         rep.body_len != (uint64_t)cases[k].body_len))
      fail_msg("%s: status %d action %d body %llu", cases[k].path,
               rep.status, rep.action, (unsigned long long)rep.body_len);
    assert_int_equal(rep.close, 0); /* HTTP/1.1 keeps alive */
    if (!rep.pattern && rep.action == SV_SEND)
      assert_int_equal(strlen(sv_reply_text(&rep)), rep.body_len);
  }
}

/* /cpu's count is left to the model (sv_reply_cpu), and is then the
 * prime-counting function: pi(n) for known n (primes below n, so n itself
 * is not counted: 7 below 17, 9592 below 100,000). */
static void test_cpu_counts(void **state) {
  static const struct {
    unsigned n;
    const char *body;
  } cases[] = {
      {0, "primes below 0: 0\n"},       {2, "primes below 2: 0\n"},
      {3, "primes below 3: 1\n"},       {17, "primes below 17: 6\n"},
      {18, "primes below 18: 7\n"},     {100, "primes below 100: 25\n"},
      {100000, "primes below 100000: 9592\n"},
  };
  char head[SV_REPLY_HEAD_MAX], path[32];
  (void)state;

  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    sv_reply rep;
    snprintf(path, sizeof path, "/cpu/%u", cases[k].n);
    route_get(path, &rep);
    assert_int_equal(rep.action, SV_CPU);
    assert_int_equal(rep.cpu_n, cases[k].n);
    sv_reply_cpu(&rep);
    assert_int_equal(rep.action, SV_SEND);
    assert_int_equal(rep.status, 200);
    assert_string_equal(sv_reply_text(&rep), cases[k].body);
    assert_int_equal(rep.body_len, strlen(cases[k].body));
    assert_int_equal(rep.pattern, 0);
    assert_true(sv_reply_head(&rep, head, sizeof head) > 0);
    assert_non_null(strstr(head, "Content-Type: text/plain"));
  }
}

static void test_long_path_and_query(void **state) {
  char path[1200];
  sv_reply rep;
  (void)state;

  /* a long query string does not hide the route */
  snprintf(path, sizeof path, "/bytes/3?%0*d", 1000, 7);
  route_get(path, &rep);
  assert_int_equal(rep.status, 200);
  assert_int_equal(rep.body_len, 3);
  /* a path longer than any route is 404 */
  memset(path, 'p', 1000);
  path[0] = '/';
  path[1000] = '\0';
  route_get(path, &rep);
  assert_int_equal(rep.status, 404);
}

static void test_methods_and_connection(void **state) {
  sv_reply rep;
  char head[SV_REPLY_HEAD_MAX];
  (void)state;

  route_text("POST /bytes/5 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", &rep);
  assert_int_equal(rep.status, 405);
  assert_int_equal(rep.close, 0); /* the body was read: keep alive */
  sv_reply_head(&rep, head, sizeof head);
  assert_non_null(strstr(head, "Allow: GET, HEAD\r\n"));

  route_text("HEAD /bytes/5 HTTP/1.1\r\n\r\n", &rep);
  assert_int_equal(rep.status, 200);
  assert_int_equal(rep.head_only, 1);
  assert_int_equal(rep.body_len, 5);

  route_text("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &rep);
  assert_int_equal(rep.close, 1);
  route_text("GET / HTTP/1.0\r\n\r\n", &rep);
  assert_int_equal(rep.close, 1);
  route_text("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &rep);
  assert_int_equal(rep.close, 0);
  sv_reply_head(&rep, head, sizeof head);
  assert_non_null(strstr(head, "Connection: keep-alive\r\n"));
  route_text("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n",
             &rep);
  assert_int_equal(rep.close, 1);
}

/* ---- the head and the pattern ------------------------------------------- */

static void test_reply_head(void **state) {
  sv_reply rep;
  char head[SV_REPLY_HEAD_MAX];
  size_t n;
  (void)state;

  route_get("/status/503", &rep);
  n = sv_reply_head(&rep, head, sizeof head);
  assert_int_equal(n, strlen(head));
  assert_string_equal(head, "HTTP/1.1 503 Service Unavailable\r\n"
                            "Content-Type: text/plain; charset=utf-8\r\n"
                            "Content-Length: 11\r\n"
                            "\r\n");
  assert_string_equal(sv_reply_text(&rep), "status 503\n");

  route_get("/status/299", &rep); /* no standard reason phrase */
  sv_reply_head(&rep, head, sizeof head);
  assert_memory_equal(head, "HTTP/1.1 299 Success\r\n", 22);

  route_get("/bytes/67108864", &rep);
  sv_reply_head(&rep, head, sizeof head);
  assert_non_null(strstr(head, "Content-Length: 67108864\r\n"));
  assert_int_equal(sv_reply_head(&rep, head, 20), 0); /* does not fit */

  route_get("/drop", &rep);
  assert_int_equal(sv_reply_head(&rep, head, sizeof head), 0);
}

static void test_pattern(void **state) {
  char buf[100];
  (void)state;
  sv_pattern_fill(buf, sizeof buf);
  assert_memory_equal(buf, "abcdefghijklmnopqrstuvwxyzabc", 29);
  assert_int_equal(buf[99], 'a' + 99 % 26);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_split_at_every_byte),
      cmocka_unit_test(test_pipelined_one_at_a_time),
      cmocka_unit_test(test_oversized_head_431),
      cmocka_unit_test(test_oversized_body_413),
      cmocka_unit_test(test_garbage_400),
      cmocka_unit_test(test_version_505),
      cmocka_unit_test(test_started_and_timeout_408),
      cmocka_unit_test(test_routes),
      cmocka_unit_test(test_cpu_counts),
      cmocka_unit_test(test_long_path_and_query),
      cmocka_unit_test(test_methods_and_connection),
      cmocka_unit_test(test_reply_head),
      cmocka_unit_test(test_pattern),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
