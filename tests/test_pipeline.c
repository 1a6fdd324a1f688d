/*
 * test_pipeline.c - the pipeline workload (fetch, compute, save) in every
 * model, against a real `conclab serve` started once for the whole file.
 *
 * Every model's checksum equals seq's, async both with the digest in the
 * loop and offloaded; each saved file holds its task's digest; a directory
 * nobody can write into, an HTTP error and a server that is not there are
 * per-task errors and the batch still finishes; the batch's files are gone
 * once its directory is closed; the in-loop variant holds the loop for at
 * least a compute step while the offloaded one leaves it free (wide
 * margins); no descriptor is left open.  Under ThreadSanitizer the
 * multiproc model is left out (it forks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async.h"
#include "run.h"
#include "files.h"
#include "helpers.h"
#include "pipeline.h"

#if defined(__SANITIZE_THREAD__)
#define LAST_MODEL RUN_THREADED
#else
#define LAST_MODEL RUN_MULTIPROC
#endif

static char g_url[64];
static pid_t g_server;
static int g_fds_at_start;

/* A run's options: N tasks of /bytes/size, `rounds` rounds each. */
static run_opts opts(run_model model, int offload, int tasks, long long size,
                     int rounds) {
  run_opts o;
  memset(&o, 0, sizeof o);
  o.wl = &wl_pipeline;
  o.model = model;
  o.offload = offload;
  o.params.tasks = tasks;
  o.params.concurrency = model == RUN_SEQ ? 1 : 3;
  o.params.endpoint = WL_EP_BYTES;
  o.params.size = size;
  o.params.rounds = rounds;
  o.params.url = g_url;
  return o;
}

/* Run in a fresh temporary directory; check it held one file per task
 * (`saved` of them) and is removed afterwards. */
static run_result run_in_temp(run_opts *o, int saved) {
  char dir[RUN_WORKDIR_MAX];
  run_result r;
  assert_int_equal(
      run_workdir_open("pipeline", NULL, o->params.tasks, dir, sizeof dir), 0);
  o->params.dir = dir;
  assert_int_equal(run_exec(o, &r), 0);
  assert_int_equal(dir_entries(dir), saved);
  run_workdir_close();
  assert_int_equal(access(dir, F_OK), -1); /* removed */
  return r;
}

/* Start the server; count descriptors after one small async batch (libuv
 * keeps a signal pipe open once a loop has been made: not a leak). */
static int server_up(void **state) {
  run_opts o;
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  if (run_server_start("pipeline", CONCLAB_BIN, g_url, sizeof g_url,
                       &g_server) != 0)
    return -1;
  o = opts(RUN_ASYNC, 1, 2, 100, 1);
  run_in_temp(&o, 2);
  g_fds_at_start = open_fd_count();
  return 0;
}

static int server_down(void **state) {
  (void)state;
  return run_server_stop("pipeline", g_server);
}

/* The digest: fixed by (index, body, rounds), and every one of them
 * matters. */
static void test_digest(void **state) {
  const unsigned char a[] = "abcdefgh", b[] = "abcdefgX";
  uint64_t d = wl_pipeline_digest(3, a, 8, 5);
  char line[WL_PIPELINE_LINE];
  (void)state;
  assert_true(d == wl_pipeline_digest(3, a, 8, 5));
  assert_true(d != wl_pipeline_digest(4, a, 8, 5));
  assert_true(d != wl_pipeline_digest(3, b, 8, 5));
  assert_true(d != wl_pipeline_digest(3, a, 8, 6));
  assert_true(wl_pipeline_digest(3, a, 8, 0) ==
              wl_hash_word(WL_HASH_INIT, 3)); /* no rounds: the seed */
  assert_int_equal(wl_pipeline_line(0x0123456789abcdefULL, line), 17);
  assert_string_equal(line, "0123456789abcdef\n");
}

/* Every model agrees with seq: a body of several curl pieces, a small
 * one, and an empty one with no rounds. */
static void test_checksums_match_seq(void **state) {
  static const struct { long long size; int rounds; } cases[] = {
      {100000, 3}, {1000, 1}, {0, 0}};
  (void)state;
  for (size_t k = 0; k < 3; k++) {
    run_opts o = opts(RUN_SEQ, 0, 7, cases[k].size, cases[k].rounds);
    run_result seq = run_in_temp(&o, 7), r;
    assert_int_equal(seq.ok, 7);
    for (int m = RUN_ASYNC; m <= LAST_MODEL; m++)
      for (int offload = 0; offload <= (m == RUN_ASYNC); offload++) {
        o = opts((run_model)m, offload, 7, cases[k].size, cases[k].rounds);
        r = run_in_temp(&o, 7);
        assert_int_equal(r.ok, 7);
        assert_true(r.checksum == seq.checksum);
      }
  }
}

/* --timeout-ms bounds the fetch; a digest that takes longer than the
 * fetch's limit plus its grace (120,000 rounds of 8 KiB: about 2 s here in
 * a debug build, against 100 ms and the 1 s grace) is work, not a stuck
 * worker, and multiproc's watchdog lets it finish, as the other models
 * do. */
static void test_long_digest_is_not_a_timeout(void **state) {
  run_opts o = opts(RUN_SEQ, 0, 2, 8192, 120000);
  run_result seq, r;
  (void)state;
  o.params.timeout_ms = 100;
  seq = run_in_temp(&o, 2);
  assert_int_equal(seq.ok, 2);
#if !defined(__SANITIZE_THREAD__)
  o = opts(RUN_MULTIPROC, 0, 2, 8192, 120000);
  o.params.timeout_ms = 100;
  r = run_in_temp(&o, 2);
  assert_int_equal(r.ok, 2);
  assert_true(r.checksum == seq.checksum);
#else
  (void)r;
#endif
}

/* What is saved is the digest: file i holds task i's value, in hex. */
static void check_saved(const wl_params *p, const wl_slot *slots) {
  char path[WL_FILES_PATH_MAX], want[WL_PIPELINE_LINE], got[64] = "";
  for (int i = 0; i < p->tasks; i++) {
    FILE *f;
    wl_files_path(p, (uint32_t)i, path, sizeof path);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(got, sizeof got, f));
    fclose(f);
    assert_int_equal(slots[i].status, WL_OK);
    wl_pipeline_line(slots[i].value, want);
    assert_string_equal(got, want);
  }
}

static void test_saved_files_hold_the_digests(void **state) {
  run_opts o = opts(RUN_SEQ, 0, 5, 3000, 2);
  char dir[RUN_WORKDIR_MAX];
  wl_slot seq[5] = {0}, async[5] = {0};
  as_options ao = {.offload = 1};
  (void)state;
  assert_int_equal(run_workdir_open("pipeline", NULL, 5, dir, sizeof dir), 0);
  o.params.dir = dir;
  assert_int_equal(seq_run(&wl_pipeline, &o.params, seq, NULL), 0);
  check_saved(&o.params, seq);
  o.params.concurrency = 5;
  assert_int_equal(as_run(&wl_pipeline, &o.params, &ao, async, NULL, NULL), 0);
  check_saved(&o.params, async); /* the same files, written again */
  for (int i = 0; i < 5; i++)
    assert_true(async[i].value == seq[i].value);
  run_workdir_close();
}

/* A "directory" that is a file: every save fails (root can write almost
 * anywhere); each task fails on its own and the batch finishes. */
static void test_unwritable_dir_fails_each_task(void **state) {
  char file[] = "/tmp/conclab-test-notadir-XXXXXX";
  int fd = mkstemp(file);
  (void)state;
  assert_true(fd >= 0);
  close(fd);
  for (int m = RUN_SEQ; m <= LAST_MODEL; m++)
    for (int offload = 0; offload <= (m == RUN_ASYNC); offload++) {
      run_opts o = opts((run_model)m, offload, 6, 500, 1);
      run_result r;
      int fds = open_fd_count();
      o.params.dir = file;
      assert_int_equal(run_exec(&o, &r), 0);
      assert_int_equal(r.failed, 6);
      assert_int_equal(r.ok, 0);
      assert_int_equal(open_fd_count(), fds);
    }
  unlink(file);
}

/* A fetch that is answered with an error, or not at all: per-task errors,
 * and nothing is saved. */
static void test_fetch_errors_fail_each_task(void **state) {
  char missing[96];
  (void)state;
  /* BASE/bytes/S under a base that already has a path: a 404 */
  snprintf(missing, sizeof missing, "%s/nothing/here", g_url);
  for (int m = RUN_SEQ; m <= LAST_MODEL; m++)
    for (int offload = 0; offload <= (m == RUN_ASYNC); offload++) {
      run_opts o = opts((run_model)m, offload, 4, 100, 1);
      run_result r;
      o.params.url = missing;
      r = run_in_temp(&o, 0);
      assert_int_equal(r.failed, 4);
      o.params.url = "http://127.0.0.1:1"; /* nobody listens on port 1 */
      r = run_in_temp(&o, 0);
      assert_int_equal(r.failed, 4);
    }
}

/* Loop lag, with wide margins: a step of about 10 ms or more (longer under
 * the sanitizers) holds the loop for at least half a step when it runs in
 * the loop; offloaded, the loop's median lag is below that. */
static void test_in_loop_blocks_offload_does_not(void **state) {
  run_opts o = opts(RUN_ASYNC, 0, 6, 65536, 100);
  run_result in_loop, offload;
  (void)state;
  in_loop = run_in_temp(&o, 6);
  o.offload = 1;
  offload = run_in_temp(&o, 6);
  assert_int_equal(in_loop.ok, 6);
  assert_int_equal(offload.ok, 6);
  assert_true(in_loop.compute_ms > 1.0);
  assert_true(in_loop.lag_max_ms >= 0.5 * in_loop.compute_ms);
  assert_true(offload.lag_p50_ms < 0.5 * in_loop.compute_ms);
}

static void test_no_descriptor_leaked(void **state) {
  (void)state;
  assert_int_equal(open_fd_count(), g_fds_at_start);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_digest),
      cmocka_unit_test(test_checksums_match_seq),
      cmocka_unit_test(test_long_digest_is_not_a_timeout),
      cmocka_unit_test(test_saved_files_hold_the_digests),
      cmocka_unit_test(test_unwritable_dir_fails_each_task),
      cmocka_unit_test(test_fetch_errors_fail_each_task),
      cmocka_unit_test(test_in_loop_blocks_offload_does_not),
      cmocka_unit_test(test_no_descriptor_leaked),
  };
  return cmocka_run_group_tests(tests, server_up, server_down);
}
