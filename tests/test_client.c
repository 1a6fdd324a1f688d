/*
 * test_client.c - conclab's own http clients (async's: async/client.c,
 * fetch.c; the blocking models': workloads/get.c) where curl's path has
 * no counterpart: against a real `conclab serve` and against a small
 * server of the test's own.
 *
 * Kept-alive connections are reused (fewer connections than requests when
 * C < N); more requests in flight than connects allowed at once
 * (AS_CLIENT_CONNECTS) all get through, and time out from the queue when
 * the server stalls; an 8 MiB answer hashes as seq's and curl's do.  The
 * test's own server closes a kept-alive connection when the next request
 * arrives, without answering: the request goes out again on a fresh
 * connection, not counted as a retry (as curl does too); a server that
 * closes every connection unanswered is a connection error, and the
 * client does not loop.  No descriptor is left open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "fake_server.h"
#include "helpers.h"
#include "http.h"
#include "run.h"
#include "run_conclab.h"
#include "http_server.h"

static run_opts opts(run_model model, wl_client client, int tasks, int c);

static int server_up(void **state) {
  (void)state;
  return http_server_up(opts(RUN_ASYNC, WL_CLIENT_NATIVE, 2, 2));
}

static run_opts opts(run_model model, wl_client client, int tasks, int c) {
  run_opts o;
  memset(&o, 0, sizeof o);
  o.wl = &wl_http;
  o.model = model;
  o.params.client = client;
  o.params.tasks = tasks;
  o.params.concurrency = model == RUN_SEQ ? 1 : c;
  o.params.endpoint = WL_EP_DELAY;
  o.params.delay_ms = 1;
  o.params.url = g_url;
  o.params.backoff_ms = 1;
  o.params.seed = 7;
  return o;
}

/* ---- against conclab serve ---------------------------------------------- */

/* C < N: each request in flight keeps its connection for the next. */
static void test_keep_alive_reuses(void **state) {
  run_opts o = opts(RUN_ASYNC, WL_CLIENT_NATIVE, 40, 4);
  run_result r;
  (void)state;
  r = run(&o);
  assert_int_equal(r.ok, 40);
  assert_in_range(r.connects, 1, 4);
  o.params.no_reuse = 1; /* and none kept when asked not to */
  r = run(&o);
  assert_int_equal(r.ok, 40);
  assert_int_equal(r.connects, 40);
}

/* Far more in flight than connects at once: every one is answered, on a
 * connection of its own, with seq's checksum. */
static void test_many_in_flight(void **state) {
  int n = 5 * AS_CLIENT_CONNECTS;
  run_opts o = opts(RUN_SEQ, WL_CLIENT_NATIVE, n, 1);
  run_result seq, r;
  (void)state;
  seq = run(&o);
  o = opts(RUN_ASYNC, WL_CLIENT_NATIVE, n, n);
  r = run(&o);
  assert_int_equal(r.ok, n);
  assert_int_equal(r.connects, n);
  assert_true(r.checksum == seq.checksum);
}

/* /stall: each request times out, those still queued for a connect too,
 * and a retry times out again. */
static void test_stall_times_out_from_the_queue(void **state) {
  int n = 3 * AS_CLIENT_CONNECTS;
  run_opts o = opts(RUN_ASYNC, WL_CLIENT_NATIVE, n, n);
  run_result r;
  (void)state;
  o.params.endpoint = WL_EP_STALL;
  o.params.timeout_ms = 100;
  o.params.retries = 1;
  r = run(&o);
  assert_int_equal(r.timeouts, n);
  assert_int_equal(r.retries, n);
  assert_int_equal(r.ok, 0);
}

/* A large body, hashed as it arrives: the same with either client, on
 * the loop or blocking. */
static void test_large_body(void **state) {
  run_opts o = opts(RUN_SEQ, WL_CLIENT_CURL, 3, 1);
  run_result seq, r;
  (void)state;
  o.params.endpoint = WL_EP_BYTES;
  o.params.size = 8 << 20;
  seq = run(&o);
  assert_int_equal(seq.ok, 3);
  for (int k = 0; k < 3; k++) {
    o.model = k == 0 ? RUN_SEQ : RUN_ASYNC;
    o.params.concurrency = k == 0 ? 1 : 3;
    o.params.client = k == 2 ? WL_CLIENT_CURL : WL_CLIENT_NATIVE;
    r = run(&o);
    assert_int_equal(r.ok, 3);
    assert_true(r.checksum == seq.checksum);
  }
}

/* ---- a server that closes kept-alive connections (fake_server.h) ----- */

/* The clients: async's own, the blocking one (seq), and curl. */
static run_opts opts_k(int k, int tasks, int c) {
  return opts(k == 1 ? RUN_SEQ : RUN_ASYNC,
              k == 2 ? WL_CLIENT_CURL : WL_CLIENT_NATIVE, tasks, c);
}

/* One at a time (C = 1), each request after the first finds its kept
 * connection closed: it goes out again on a fresh one and is answered.
 * Not a failed attempt: no retry is counted, none was allowed.  curl does
 * the same. */
static void test_stale_connection_resent(void **state) {
  (void)state;
  for (int k = 0; k < 3; k++) {
    char url[64];
    fake_server s;
    run_opts o = opts_k(k, 4, 1);
    run_result r;
    fake_start(&s, 1, NULL, url, sizeof url);
    o.params.url = url;
    r = run(&o);
    assert_int_equal(fake_stop(&s), 4);
    assert_int_equal(r.ok, 4);
    assert_int_equal(r.retries, 0);
    assert_int_equal(r.connects, 4);
  }
}

/* A server that never answers, closing each fresh connection: a
 * connection error per attempt, retried as such; never sent forever. */
static void test_unanswered_fresh_connection_fails(void **state) {
  (void)state;
  for (int k = 0; k < 2; k++) {
    char url[64];
    fake_server s;
    run_opts o = opts_k(k, 3, 3);
    run_result r;
    fake_start(&s, 0, NULL, url, sizeof url);
    o.params.url = url;
    o.params.retries = 2;
    r = run(&o);
    assert_int_equal(fake_stop(&s), 9); /* 3 tasks x 3 attempts */
    assert_int_equal(r.conn_errors, 3);
    assert_int_equal(r.retries, 6);
    assert_int_equal(r.ok, 0);
  }
}

/* After every run above, the descriptors the process started with. */
static void test_no_descriptor_leaked(void **state) {
  (void)state;
  assert_int_equal(open_fd_count(), g_fds_at_start);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keep_alive_reuses),
      cmocka_unit_test(test_many_in_flight),
      cmocka_unit_test(test_stall_times_out_from_the_queue),
      cmocka_unit_test(test_large_body),
      cmocka_unit_test(test_stale_connection_resent),
      cmocka_unit_test(test_unanswered_fresh_connection_fails),
      cmocka_unit_test(test_no_descriptor_leaked),
  };
  return cmocka_run_group_tests(tests, server_up, server_down);
}
