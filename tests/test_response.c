/*
 * test_response.c - workloads/response.c alone: bytes in, an answer out.
 *
 * A response cut at every byte reads the same as one read whole; the
 * body's hash is the same whether it came with a Content-Length, chunked
 * or until the server closed, and equals wl_hash_bytes over the body (as
 * curl's path folds it); keep-alive follows the protocol; bytes after
 * the response are left over; an oversized head, garbage, and a close
 * before or inside an answer are each their own error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"
#include "workload.h"

#define BODY "hello, world: a body of some length"

static const char *const by_length =
    "HTTP/1.1 200 OK\r\nContent-Length: 35\r\n\r\n" BODY;
static const char *const chunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n1e\r\n, world: a body of some length\r\n0\r\n\r\n";
static const char *const until_close =
    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" BODY;

/* Feed text in pieces of at most `piece` bytes until done or refused;
 * returns the bytes used. */
static size_t feed_pieces(wl_resp *r, const char *text, size_t len,
                          size_t piece) {
  size_t off = 0;
  while (off < len && !r->done && r->error == WL_RESP_OK) {
    size_t n = len - off < piece ? len - off : piece;
    size_t used = wl_resp_feed(r, text + off, n);
    if (used < n && !r->done && r->error == WL_RESP_OK)
      fail_msg("feed used %zu of %zu with no answer and no error", used, n);
    off += used;
  }
  return off;
}

static uint64_t body_hash(void) {
  return wl_hash_bytes(WL_HASH_INIT, BODY, strlen(BODY));
}

/* Every cut of every framing: the same status and hash. */
static void test_any_pieces_same_answer(void **state) {
  const char *const texts[] = {by_length, chunked, until_close};
  (void)state;
  for (size_t t = 0; t < 3; t++) {
    size_t len = strlen(texts[t]);
    for (size_t piece = 1; piece <= len; piece++) {
      wl_resp r;
      wl_resp_init(&r);
      assert_int_equal(feed_pieces(&r, texts[t], len, piece), len);
      if (t == 2) {
        assert_false(r.done); /* only the close ends it */
        assert_int_equal(wl_resp_eof(&r), WL_RESP_OK);
      }
      assert_true(r.done);
      assert_int_equal(r.error, WL_RESP_OK);
      assert_int_equal(r.status, 200);
      assert_int_equal(r.body_bytes, strlen(BODY));
      assert_true(r.hash == body_hash());
      assert_int_equal(r.keep_alive, t != 2);
    }
  }
}

/* Hashing off (the load generator): the same framing and body count,
 * the hash left as it started. */
static void test_no_hash(void **state) {
  const char *const texts[] = {by_length, chunked, until_close};
  (void)state;
  for (size_t t = 0; t < 3; t++) {
    size_t len = strlen(texts[t]);
    wl_resp r;
    wl_resp_init_hash(&r, 0);
    assert_int_equal(feed_pieces(&r, texts[t], len, 7), len);
    if (t == 2)
      assert_int_equal(wl_resp_eof(&r), WL_RESP_OK);
    assert_true(r.done);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_bytes, strlen(BODY));
    assert_true(r.hash == WL_HASH_INIT);
    wl_resp_init_hash(&r, 1);
    feed_pieces(&r, texts[t], len, 7);
    wl_resp_eof(&r);
    assert_true(r.hash == body_hash());
  }
}

/* A second answer (or anything) after the first is left to the caller. */
static void test_stops_at_the_end(void **state) {
  char text[512];
  wl_resp r;
  size_t len, used;
  (void)state;
  snprintf(text, sizeof text, "%sHTTP/1.1 500 x\r\nContent-Length: 0\r\n\r\n",
           by_length);
  len = strlen(text);
  wl_resp_init(&r);
  used = wl_resp_feed(&r, text, len);
  assert_true(r.done);
  assert_int_equal(used, strlen(by_length));
  wl_resp_init(&r);
  assert_int_equal(wl_resp_feed(&r, text + used, len - used), len - used);
  assert_true(r.done);
  assert_int_equal(r.status, 500);
  assert_int_equal(r.body_bytes, 0);
  assert_true(r.hash == WL_HASH_INIT);
}

static void test_keep_alive(void **state) {
  static const struct {
    const char *text;
    int keep_alive;
  } cases[] = {
      {"HTTP/1.1 204 No Content\r\n\r\n", 1},
      {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
       0},
      {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0},
      {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n"
       "\r\n", 1},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wl_resp r;
    wl_resp_init(&r);
    wl_resp_feed(&r, cases[i].text, strlen(cases[i].text));
    assert_true(r.done);
    assert_int_equal(r.keep_alive, cases[i].keep_alive);
  }
}

/* A head that never ends is refused at the limit, however it is cut. */
static void test_head_too_large(void **state) {
  size_t len = WL_RESP_HEAD_MAX + 100;
  char *text = malloc(len);
  (void)state;
  assert_non_null(text);
  memcpy(text, "HTTP/1.1 200 OK\r\nX-Long: ", 25);
  memset(text + 25, 'a', len - 25);
  for (size_t piece = 1000; piece <= len; piece += len - 1000) {
    wl_resp r;
    wl_resp_init(&r);
    assert_true(feed_pieces(&r, text, len, piece) <= WL_RESP_HEAD_MAX);
    assert_int_equal(r.error, WL_RESP_HEAD_TOO_LARGE);
    assert_false(r.done);
  }
  free(text);
}

/* A head just under the limit is fine. */
static void test_head_at_limit(void **state) {
  char text[WL_RESP_HEAD_MAX + 64];
  const char *start = "HTTP/1.1 200 OK\r\nX-Long: ";
  const char *end = "\r\nContent-Length: 2\r\n\r\nok";
  size_t pad = WL_RESP_HEAD_MAX - strlen(start) - strlen(end) + 2;
  wl_resp r;
  (void)state;
  snprintf(text, sizeof text, "%s%*s%s", start, (int)pad, "", end);
  memset(text + strlen(start), 'a', pad);
  wl_resp_init(&r);
  assert_int_equal(wl_resp_feed(&r, text, strlen(text)), strlen(text));
  assert_true(r.done);
  assert_int_equal(r.error, WL_RESP_OK);
}

static void test_garbage(void **state) {
  const char *const texts[] = {
      "GET / HTTP/1.1\r\n\r\n", "\x01\x02\x03", "HTTP/1.1 abc OK\r\n\r\n",
      "HTTP/1.1 1\r\n\r\n", /* found by fuzz_response */
      "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"};
  (void)state;
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    wl_resp r;
    wl_resp_init(&r);
    feed_pieces(&r, texts[i], strlen(texts[i]), 1);
    assert_int_equal(r.error, WL_RESP_BAD);
    assert_false(r.done);
  }
}

/* A close before any byte differs from one in the middle: a client may
 * retry the first on a fresh connection (a kept-alive one the server had
 * closed), not the second. */
static void test_closed(void **state) {
  wl_resp r;
  size_t cut[] = {5, 20, strlen(by_length) - 1};
  (void)state;
  wl_resp_init(&r);
  assert_int_equal(wl_resp_eof(&r), WL_RESP_CLOSED);
  for (size_t i = 0; i < 3; i++) {
    wl_resp_init(&r);
    wl_resp_feed(&r, by_length, cut[i]);
    assert_int_equal(wl_resp_eof(&r), WL_RESP_TRUNCATED);
    assert_false(r.done);
  }
  wl_resp_init(&r); /* chunked, cut before its last chunk */
  wl_resp_feed(&r, chunked, strlen(chunked) - 5);
  assert_int_equal(wl_resp_eof(&r), WL_RESP_TRUNCATED);
  assert_string_equal(wl_resp_strerror(WL_RESP_TRUNCATED),
                      "connection closed in the middle of an answer");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_any_pieces_same_answer),
      cmocka_unit_test(test_no_hash),
      cmocka_unit_test(test_stops_at_the_end),
      cmocka_unit_test(test_keep_alive),
      cmocka_unit_test(test_head_too_large),
      cmocka_unit_test(test_head_at_limit),
      cmocka_unit_test(test_garbage),
      cmocka_unit_test(test_closed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
