/*
 * test_curl_faults.c - the async model's curl glue when the loop or curl
 * fails under it, against a real `conclab serve` started once for the file.
 *
 * The faults are injected where they happen under a low `ulimit -v`: the
 * test is linked with --wrap for uv_poll_init_socket (a socket the loop
 * cannot watch), curl_multi_socket_action (curl's own out of memory, which
 * leaves a transfer nobody drives) and uv_queue_work (a digest that cannot
 * be offloaded); each wrapper fails its Nth call with ENOMEM and passes
 * every other to the real one.  Whatever fails, the batch must finish in
 * this process (no crash, no sanitizer report): the tasks the fault hit
 * failed, the others ok, one line on stderr naming the first, and no
 * descriptor left open.  A stalled http task is a timeout: said once, and
 * counted in the summary as pipeline's are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "run.h"
#include "helpers.h"
#include "run_conclab.h"

/* ---- the faults ---------------------------------------------------------- */

/* One injected fault: fail call number `at` (0: none) of a wrapped call. */
typedef struct fault {
  int at, calls;
} fault;

static fault g_poll, g_action, g_work;

static int fault_now(fault *f) { return ++f->calls == f->at; }

int __real_uv_poll_init_socket(uv_loop_t *loop, uv_poll_t *h,
                               uv_os_sock_t fd);
int __wrap_uv_poll_init_socket(uv_loop_t *loop, uv_poll_t *h,
                               uv_os_sock_t fd);
int __wrap_uv_poll_init_socket(uv_loop_t *loop, uv_poll_t *h,
                               uv_os_sock_t fd) {
  if (fault_now(&g_poll))
    return UV_ENOMEM; /* as epoll_ctl's ENOMEM or a failed calloc */
  return __real_uv_poll_init_socket(loop, h, fd);
}

/* curl 7.88 returns CURLM_OUT_OF_MEMORY from a timeout's action when it
 * cannot note a socket, without telling us the socket or a new timeout:
 * here it returns that before doing anything at all. */
CURLMcode __real_curl_multi_socket_action(CURLM *m, curl_socket_t fd,
                                          int flags, int *running);
CURLMcode __wrap_curl_multi_socket_action(CURLM *m, curl_socket_t fd,
                                          int flags, int *running);
CURLMcode __wrap_curl_multi_socket_action(CURLM *m, curl_socket_t fd,
                                          int flags, int *running) {
  if (fd == CURL_SOCKET_TIMEOUT && fault_now(&g_action))
    return CURLM_OUT_OF_MEMORY;
  return __real_curl_multi_socket_action(m, fd, flags, running);
}

int __real_uv_queue_work(uv_loop_t *loop, uv_work_t *w, uv_work_cb work,
                         uv_after_work_cb after);
int __wrap_uv_queue_work(uv_loop_t *loop, uv_work_t *w, uv_work_cb work,
                         uv_after_work_cb after);
int __wrap_uv_queue_work(uv_loop_t *loop, uv_work_t *w, uv_work_cb work,
                         uv_after_work_cb after) {
  if (fault_now(&g_work))
    return UV_ENOMEM;
  return __real_uv_queue_work(loop, w, work, after);
}

static void faults_at(int poll, int action, int work) {
  g_poll = (fault){.at = poll};
  g_action = (fault){.at = action};
  g_work = (fault){.at = work};
}

/* ---- runs ---------------------------------------------------------------- */

static char g_url[64];
static pid_t g_server;
static int g_fds_at_start;
static int g_stderr = -1; /* the real stderr, while a run's is caught */

/* An async batch of 6 tasks, 3 at a time, no retries: http on /delay/5,
 * or pipeline (fetch 20000 bytes, 2 rounds, save) in its own directory. */
static run_opts opts(const wl_workload *wl, int offload) {
  run_opts o;
  memset(&o, 0, sizeof o);
  o.wl = wl;
  o.model = RUN_ASYNC;
  o.offload = offload;
  o.params.tasks = 6;
  o.params.concurrency = 3;
  o.params.delay_ms = 5;
  o.params.endpoint = wl == &wl_http ? WL_EP_DELAY : WL_EP_BYTES;
  o.params.size = 20000;
  o.params.rounds = 2;
  o.params.url = g_url;
  o.params.client = WL_CLIENT_CURL; /* http: the curl glue under test */
  return o;
}

/* What a run said on stderr, and whether it ran. */
typedef struct said {
  int rc;
  char err[4096];
} said;

/* Run o in this process with stderr caught (and a fresh directory for
 * pipeline, removed after); nothing may be left open. */
static said run_caught(run_opts *o, run_result *r) {
  char dir[RUN_WORKDIR_MAX];
  said s = {0};
  int fds = open_fd_count();
  FILE *err = tmpfile();

  assert_non_null(err);
  if (o->wl == &wl_pipeline) {
    assert_int_equal(run_workdir_open("pipeline", NULL, 6, dir, sizeof dir), 0);
    o->params.dir = dir;
  }
  fflush(stderr);
  assert_true(dup2(fileno(err), STDERR_FILENO) >= 0);
  s.rc = run_exec(o, r);
  fflush(stderr);
  assert_true(dup2(g_stderr, STDERR_FILENO) >= 0);
  read_capture(err, s.err, sizeof s.err);
  if (o->wl == &wl_pipeline)
    run_workdir_close();
  fprintf(stderr, "%s", s.err); /* for the log */
  assert_int_equal(open_fd_count(), fds);
  return s;
}

/* A batch hit by a fault: it ran, `failed` tasks failed and the rest are
 * ok, and stderr is one line that says `why`. */
static void check_failed(const said *s, const run_result *r, int failed,
                         const char *why) {
  assert_int_equal(s->rc, 0);
  assert_int_equal(r->failed, failed);
  assert_int_equal(r->ok, 6 - failed);
  assert_int_equal(count_lines(s->err), 1);
  assert_non_null(strstr(s->err, why));
}

static int server_up(void **state) {
  run_opts o;
  run_result r;
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  if ((g_stderr = dup(STDERR_FILENO)) < 0 ||
      run_server_start("test", CONCLAB_BIN, g_url, sizeof g_url, &g_server) !=
          0)
    return -1;
  /* libuv keeps a signal pipe open once a loop has been made: not a leak */
  o = opts(&wl_http, 0);
  if (run_exec(&o, &r) != 0 || r.ok != 6)
    return -1;
  g_fds_at_start = open_fd_count();
  return 0;
}

static int server_down(void **state) {
  (void)state;
  close(g_stderr);
  return run_server_stop("test", g_server);
}

/* After each test: stderr is the real one again, even when the test
 * stopped (a failed check, a crash) while a run's was caught. */
static int stderr_back(void **state) {
  (void)state;
  fflush(stderr);
  return dup2(g_stderr, STDERR_FILENO) >= 0 ? 0 : -1;
}

/* ---- the tests ----------------------------------------------------------- */

/* http, pipeline and pipeline --offload, each with the fault set by
 * faults_at(poll, curl, 0): `failed` tasks fail, saying "Out of memory",
 * and the rest are ok. */
static void each_async_client(int poll, int curl, int failed) {
  const wl_workload *wls[] = {&wl_http, &wl_pipeline, &wl_pipeline};
  for (int k = 0; k < 3; k++) {
    run_opts o = opts(wls[k], k == 2);
    run_result r;
    said s;
    faults_at(poll, curl, 0);
    s = run_caught(&o, &r);
    if (poll > 0) /* the fault hit, and others went on */
      assert_true(g_poll.calls > poll);
    check_failed(&s, &r, failed, "Out of memory");
  }
}

/* The second socket cannot be watched: its one transfer fails, with the
 * reason, and the other five are ok. */
static void test_unwatchable_socket_fails_its_task(void **state) {
  (void)state;
  each_async_client(2, 0, 1);
}

/* curl's first timeout action runs out of memory before it starts the
 * first three transfers: they fail, and the next three are ok. */
static void test_curl_out_of_memory_fails_its_transfers(void **state) {
  (void)state;
  each_async_client(0, 1, 3);
}

/* The third digest cannot go to the threadpool: that task fails, said. */
static void test_unqueued_digest_fails_its_task(void **state) {
  run_opts o = opts(&wl_pipeline, 1);
  run_result r;
  said s;
  (void)state;
  faults_at(0, 0, 3);
  s = run_caught(&o, &r);
  assert_int_equal(g_work.calls, 6);
  check_failed(&s, &r, 1, "digest of");
}

/* /stall and --timeout-ms: each task a timeout, the first said once, and
 * the summary counts them as pipeline's does. */
static void test_http_timeout_said_and_counted(void **state) {
  const char *argv[] = {"conclab", "run", "http", "--model", "async",
                        "--endpoint", "stall", "--timeout-ms", "200",
                        "--tasks", "3", NULL};
  output *out;
  (void)state;
  out = conclab(argv);
  assert_int_equal(out->status, 3);
  assert_int_equal(count_lines(out->err), 1);
  assert_non_null(strstr(out->err, "Timeout was reached"));
  assert_non_null(strstr(out->out, "tasks: 0 ok, 3 failed (3 past "
                                   "--timeout-ms)"));
}

static void test_no_descriptor_leaked(void **state) {
  (void)state;
  assert_int_equal(open_fd_count(), g_fds_at_start);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_unwatchable_socket_fails_its_task,
                                stderr_back),
      cmocka_unit_test_teardown(test_curl_out_of_memory_fails_its_transfers,
                                stderr_back),
      cmocka_unit_test_teardown(test_unqueued_digest_fails_its_task,
                                stderr_back),
      cmocka_unit_test(test_http_timeout_said_and_counted),
      cmocka_unit_test(test_no_descriptor_leaked),
  };
  return cmocka_run_group_tests(tests, server_up, server_down);
}
