/*
 * test_http.c - the http workload's client, in every model, against a real
 * `conclab serve` started once for the whole file.
 *
 * For each model with each client (conclab's own, and curl): the checksum
 * equals seq's (on /delay and on /bytes);
 * --fail-rate without retries fails exactly the seeded attempts, HTTP 500s
 * and dropped connections counted apart; with enough retries every task
 * ends ok, with exactly the retries the seed calls for; /stall with
 * --timeout-ms ends as timeouts in bounded time; so do http and pipeline
 * against a stopped server (SIGSTOP), and a multiproc worker stopped
 * mid-task is killed by the watchdog; a server that is not there is a
 * per-task connection error; --no-reuse opens one connection per
 * request.  No descriptor is left open after any of it.
 *
 * The runs are in this process (run_exec), so the sanitizers see the
 * client code.  Under ThreadSanitizer the multiproc model is left out: it
 * forks, and TSan does not follow a fork.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run.h"
#include "helpers.h"
#include "http.h"
#include "json.h"
#include "run_conclab.h"
#include "http_server.h"

#if defined(__SANITIZE_THREAD__)
#define LAST_MODEL RUN_THREADED
#else
#define LAST_MODEL RUN_MULTIPROC
#endif

/* The clients under test: each model with each client (conclab's own,
 * and --client curl); seq's own first: the others are checked against
 * it. */
typedef struct way {
  run_model model;
  wl_client client;
} way;
static const way ways[] = {
    {RUN_SEQ, WL_CLIENT_NATIVE},       {RUN_SEQ, WL_CLIENT_CURL},
    {RUN_ASYNC, WL_CLIENT_NATIVE},     {RUN_ASYNC, WL_CLIENT_CURL},
    {RUN_THREADED, WL_CLIENT_NATIVE},  {RUN_THREADED, WL_CLIENT_CURL},
    {RUN_MULTIPROC, WL_CLIENT_NATIVE}, {RUN_MULTIPROC, WL_CLIENT_CURL}};
#define NWAYS (LAST_MODEL == RUN_MULTIPROC ? 8 : 6)

static run_opts opts(run_model model, int tasks, int concurrency);

static int server_up(void **state) {
  (void)state;
  return http_server_up(opts(RUN_ASYNC, 2, 2));
}

/* A run's options: N requests of /delay/5 to the test's server. */
static run_opts opts(run_model model, int tasks, int concurrency) {
  run_opts o;
  memset(&o, 0, sizeof o);
  o.wl = &wl_http;
  o.model = model;
  o.params.tasks = tasks;
  o.params.concurrency = model == RUN_SEQ ? 1 : concurrency;
  o.params.endpoint = WL_EP_DELAY;
  o.params.delay_ms = 5;
  o.params.url = g_url;
  o.params.backoff_ms = 1;
  o.params.seed = 7;
  return o;
}

/* The same run the way ways[w] says, with C requests in flight (seq:
 * one). */
static run_result run_on(run_opts *o, int w, int concurrency) {
  o->model = ways[w].model;
  o->params.client = ways[w].client;
  o->params.concurrency = o->model == RUN_SEQ ? 1 : concurrency;
  return run(o);
}

/* A run's options for ways[w]. */
static run_opts opts_way(int w, int tasks, int concurrency) {
  run_opts o = opts(ways[w].model, tasks, concurrency);
  o.params.client = ways[w].client;
  return o;
}

/* Which of task i's attempts the seed fails, and how: what the server will
 * be asked, read back from the URL the workload builds. */
static int attempt_fails(const wl_params *p, uint32_t i, int attempt,
                         int *is_drop) {
  char url[WL_HTTP_URL_MAX];
  wl_http_url(p, i, attempt, url, sizeof url);
  *is_drop = strstr(url, "/drop") != NULL;
  return *is_drop || strstr(url, "/status/500") != NULL;
}

/* Every model agrees with seq, on small bodies and on large ones. */
static void test_checksums_match_seq(void **state) {
  (void)state;
  for (int bytes = 0; bytes <= 1; bytes++) {
    run_opts o = opts(RUN_SEQ, 24, 1);
    run_result seq;
    if (bytes) {
      o.params.endpoint = WL_EP_BYTES;
      o.params.size = 100000;
    }
    seq = run(&o);
    assert_int_equal(seq.ok, 24);
    assert_int_equal(seq.connects, 1); /* one handle, kept alive */
    for (int m = 1; m < NWAYS; m++) {
      run_result r = run_on(&o, m, 6);
      assert_int_equal(r.ok, 24);
      assert_int_equal(r.failed, 0);
      assert_true(r.checksum == seq.checksum);
      /* at most one connection per request in flight, reused after */
      assert_in_range(r.connects, 1, 6);
    }
  }
}

/* Without retries the seeded failures are counted exactly, 500s as HTTP
 * errors and drops as connection errors; the batch still finishes. */
static void test_fail_rate_counted_exactly(void **state) {
  run_opts o = opts(RUN_SEQ, 60, 1);
  int want_500 = 0, want_drop = 0, drop;
  run_result seq;
  (void)state;

  o.params.fail_rate = 0.3;
  for (uint32_t i = 0; i < 60; i++)
    if (attempt_fails(&o.params, i, 0, &drop))
      drop ? want_drop++ : want_500++;
  assert_true(want_500 > 0 && want_drop > 0); /* the seed gives both */

  seq = run(&o);
  for (int m = 0; m < NWAYS; m++) {
    run_result r = run_on(&o, m, 8);
    assert_int_equal(r.http_errors, want_500);
    assert_int_equal(r.conn_errors, want_drop);
    assert_int_equal(r.failed, want_500 + want_drop);
    assert_int_equal(r.ok, 60 - want_500 - want_drop);
    assert_int_equal(r.retries, 0);
    assert_true(r.checksum == seq.checksum);
  }
}

/* With enough retries every task ends ok, each having retried exactly as
 * often as its seeded failures demand. */
static void test_retries_recover(void **state) {
  run_opts o = opts(RUN_SEQ, 40, 1);
  long want_retries = 0;
  int drop;
  run_result seq;
  (void)state;

  o.params.fail_rate = 0.4;
  o.params.retries = 30;
  for (uint32_t i = 0; i < 40; i++)
    for (int a = 0; attempt_fails(&o.params, i, a, &drop); a++) {
      assert_true(a < 30); /* the seed never needs more: 0.4^30 */
      want_retries++;
    }
  assert_true(want_retries > 0);

  seq = run(&o);
  for (int m = 0; m < NWAYS; m++) {
    run_result r = run_on(&o, m, 8);
    assert_int_equal(r.ok, 40);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.retries, want_retries);
    assert_true(r.checksum == seq.checksum);
  }
}

/* /stall never answers: with --timeout-ms every attempt times out, in
 * bounded time, and retried timeouts count their retries. */
static void test_stall_times_out(void **state) {
  (void)state;
  for (int m = 0; m < NWAYS; m++) {
    run_opts o = opts_way(m, 4, 4);
    run_result r;
    double t0 = monotonic_s();
    o.params.endpoint = WL_EP_STALL;
    o.params.timeout_ms = 150;
    o.params.retries = 1;
    r = run(&o);
    assert_int_equal(r.timeouts, 4);
    assert_int_equal(r.failed, 4);
    assert_int_equal(r.retries, 4);
    /* seq: 4 tasks x 2 attempts x 150 ms = 1.2 s; far below 20 s */
    assert_true(monotonic_s() - t0 < 20.0);
  }
}

/* A free port nobody listens on: bind one, then close it. */
static int closed_port(void) {
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), port;
  assert_true(fd >= 0);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  port = ntohs(a.sin_port);
  close(fd);
  return port;
}

/* No server: every task is a connection error; nothing crashes. */
static void test_connection_refused(void **state) {
  char url[64];
  (void)state;
  snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
  for (int m = 0; m < NWAYS; m++) {
    run_opts o = opts_way(m, 5, 5);
    run_result r;
    o.params.url = url;
    o.params.retries = 2;
    r = run(&o);
    assert_int_equal(r.conn_errors, 5);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.retries, 10);
    assert_int_equal(r.connects, 0);
  }
}

/* --no-reuse: one connection per request, in every model. */
static void test_no_reuse_opens_one_per_request(void **state) {
  (void)state;
  for (int m = 0; m < NWAYS; m++) {
    run_opts o = opts_way(m, 12, 3);
    run_result kept, fresh;
    kept = run(&o);
    o.params.no_reuse = 1;
    fresh = run(&o);
    assert_int_equal(fresh.connects, 12);
    assert_true(kept.connects <= 3); /* one per worker or slot in flight */
    assert_true(fresh.checksum == kept.checksum);
  }
}

/* A base URL with a trailing slash is the same base. */
static void test_base_url_trailing_slash(void **state) {
  char url[80];
  run_opts o = opts(RUN_ASYNC, 3, 3);
  run_result plain, slash;
  (void)state;
  plain = run(&o);
  snprintf(url, sizeof url, "%s//", g_url);
  o.params.url = url;
  slash = run(&o);
  assert_int_equal(slash.ok, 3);
  assert_true(slash.checksum == plain.checksum);
}

/* The children of a conclab run, by what they run: argv[1] "run" (its
 * worker processes) or "serve" (its embedded server); NULL: any. */
static int children_running(pid_t parent, const char *what, pid_t *pids,
                            int cap) {
  char path[64], buf[4096];
  FILE *f;
  int n = 0, pid;

  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent,
           (int)parent);
  if ((f = fopen(path, "r")) == NULL)
    return 0;
  while (n < cap && fscanf(f, "%d", &pid) == 1) {
    FILE *c;
    size_t len;
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    if ((c = fopen(path, "r")) == NULL)
      continue;
    len = fread(buf, 1, sizeof buf - 1, c);
    fclose(c);
    buf[len] = '\0';
    if (what == NULL || (len > strlen(buf) + 1 &&
                         strcmp(buf + strlen(buf) + 1, what) == 0))
      pids[n++] = pid;
  }
  fclose(f);
  return n;
}

/* Run conclab to its end, calling during(pid) every 10 ms until it returns
 * 1; past limit_s, kill it and fail: a hang is a failure, not a stuck
 * test. */
static output *conclab_bounded(const char *const *argv, double limit_s,
                               int (*during)(pid_t)) {
  static output o;
  FILE *out, *err;
  pid_t pid = conclab_start(argv, &out, &err);
  double t0 = monotonic_s();
  int done = during == NULL, status;

  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (monotonic_s() - t0 > limit_s) {
      pid_t kids[64];
      int n = children_running(pid, NULL, kids, 64);
      for (int i = 0; i < n; i++) /* a stopped worker would outlive it */
        kill(kids[i], SIGKILL);
      kill(pid, SIGKILL);
      conclab_finish(pid, out, err, &o);
      print_error("conclab %s %s --model %s: still running after %.0f s\n",
                  argv[1], argv[2], argv[4], limit_s);
      fail();
    }
    if (!done)
      done = during(pid);
    wl_sleep_ms(10);
  }
  /* reaped above: put its status back for conclab_finish's reader */
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  read_capture(out, o.out, sizeof o.out);
  read_capture(err, o.err, sizeof o.err);
  return &o;
}

static pid_t g_stopped_server;

/* Whatever the test's end, the stopped server goes on and then away. */
static int stopped_server_down(void **state) {
  (void)state;
  if (g_stopped_server > 0) {
    kill(g_stopped_server, SIGCONT);
    run_server_stop("http", g_stopped_server);
    g_stopped_server = 0;
  }
  return 0;
}

/* A server that stopped (SIGSTOP: it keeps its socket, the kernel still
 * accepts connections, nothing answers): with --timeout-ms, http and
 * pipeline end in every model, every task a timeout, exit 3. */
/* The integer at key of `conclab run --json`'s line, which must be there. */
static long json_int(const char *line, const char *key) {
  double v = -1;
  assert_int_equal(base_json_num_of(line, key, &v), 0);
  return (long)v;
}

static void test_stopped_server_times_out(void **state) {
  static const char *const workloads[] = {"http", "pipeline"};
  char url[64];
  (void)state;

  assert_int_equal(
      run_server_start("http", CONCLAB_BIN, url, sizeof url, &g_stopped_server),
      0);
  assert_int_equal(kill(g_stopped_server, SIGSTOP), 0);
  for (int w = 0; w < 2; w++)
    for (int m = 0; m < NWAYS; m++) {
      const char *argv[] = {"conclab", "run", workloads[w], "--model",
                            run_model_names[ways[m].model], "--url", url,
                            "--tasks", "3", "--concurrency",
                            ways[m].model == RUN_SEQ ? "1" : "3",
                            "--timeout-ms", "200", "--json",
                            /* a workload flag: http's only */
                            w == 0 ? "--client" : NULL,
                            wl_client_names[ways[m].client], NULL};
      output *o = conclab_bounded(argv, 30.0, NULL);
      if (o->status != 3)
        print_error("%s %s: %s\n", workloads[w], run_model_names[m], o->err);
      assert_int_equal(o->status, 3);
      assert_int_equal(json_int(o->out, "timeouts"), 3);
    }
}

#if LAST_MODEL == RUN_MULTIPROC
/* Once both workers are up, stop one in the middle of its request.  (The
 * server is up first: its child, until it execs, runs "run" too.) */
static int stop_a_worker(pid_t conclab_pid) {
  pid_t pids[4];
  if (children_running(conclab_pid, "serve", pids, 4) < 1 ||
      children_running(conclab_pid, "run", pids, 4) < 2)
    return 0;
  wl_sleep_ms(100); /* well inside its 400 ms request */
  assert_int_equal(kill(pids[0], SIGSTOP), 0);
  return 1;
}

/* A worker process stopped from outside mid-task: multiproc's watchdog
 * kills it past the task's limit; that task is a timeout, the other nine
 * are ok, exit 3.  The margins are wide for a loaded, sanitized machine:
 * a healthy 400 ms request has 2.6 s to spare before its limit, and the
 * stop, 100 ms after both workers are up, lands well before a worker can
 * be done with its five requests (2 s). */
static void test_stopped_worker_times_out(void **state) {
  const char *argv[] = {"conclab", "run", "http", "--model", "multiproc",
                        "--tasks", "10", "--concurrency", "2", "--delay-ms",
                        "400", "--timeout-ms", "3000", "--json", NULL};
  output *o;
  (void)state;

  o = conclab_bounded(argv, 30.0, stop_a_worker);
  if (o->status != 3)
    print_error("%s\n", o->err);
  assert_int_equal(o->status, 3);
  assert_int_equal(json_int(o->out, "timeouts"), 1);
  assert_int_equal(json_int(o->out, "ok"), 9);
}
#endif

/* After every run above, the process has the descriptors it started with
 * (the server's pipe is closed once its URL is read). */
static void test_no_descriptor_leaked(void **state) {
  (void)state;
  assert_int_equal(open_fd_count(), g_fds_at_start);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_checksums_match_seq),
      cmocka_unit_test(test_fail_rate_counted_exactly),
      cmocka_unit_test(test_retries_recover),
      cmocka_unit_test(test_stall_times_out),
      cmocka_unit_test(test_connection_refused),
      cmocka_unit_test(test_no_reuse_opens_one_per_request),
      cmocka_unit_test(test_base_url_trailing_slash),
      cmocka_unit_test_teardown(test_stopped_server_times_out,
                                stopped_server_down),
#if LAST_MODEL == RUN_MULTIPROC
      cmocka_unit_test(test_stopped_worker_times_out),
#endif
      cmocka_unit_test(test_no_descriptor_leaked),
  };
  return cmocka_run_group_tests(tests, server_up, server_down);
}
