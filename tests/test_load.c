/*
 * test_load.c - `conclab load` and as_load_run against `conclab serve`.
 *
 * Checks: --requests N ends exactly N requests on C connections (one
 * connect each, kept alive); /drop is counted as read errors, /status/500
 * as answers with status errors, a port with nobody listening as connect
 * errors; /delay/50's percentiles are ordered and at least 50 ms; the open
 * loop sends about rate x duration requests, and counts the requests that
 * fell due behind a slow answer, with their wait; /stall's requests are
 * owed at the stop, not answered; slow connections stay open, and
 * beside connections are counted apart from the measured requests
 * beside the active ones; bad flags exit 2 with one line; in-process runs
 * leave no descriptor open; answers nobody asked for are not counted;
 * past the open-file limit, connects wait instead of failing in a loop;
 * SIGINT ends a run with its figures.  Margins are wide: no timing is asserted
 * beyond "a 50 ms delay takes at least 50 ms".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_server.h"
#include "helpers.h"
#include "run_conclab.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "json.h"
#include "load.h"

static pid_t g_server;
static char g_url[64];

/* conclab serve --port 0 --quiet, its URL from its first line. */
static int setup(void **state) {
  int out[2];
  size_t len = 0;
  (void)state;
  if (pipe(out) != 0)
    return -1;
  fflush(NULL);
  g_server = fork();
  if (g_server == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(CONCLAB_BIN, "conclab", "serve", "--port", "0", "--quiet",
          (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  while (len + 1 < sizeof g_url && read(out[0], g_url + len, 1) == 1 &&
         g_url[len] != '\n')
    len++;
  g_url[len] = '\0';
  close(out[0]);
  return strncmp(g_url, "http://", 7) == 0 ? 0 : -1;
}

static int teardown(void **state) {
  int status;
  (void)state;
  kill(g_server, SIGINT);
  waitpid(g_server, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* conclab load URL+path args... --json: its output, exit 0 checked. */
static const char *load(const char *path, const char *a1, const char *a2,
                        const char *a3, const char *a4, const char *a5,
                        const char *a6) {
  static char url[128];
  snprintf(url, sizeof url, "%s%s", path[0] == '/' ? g_url : "", path);
  const char *argv[] = {"conclab", "load", url, "--json", a1, a2,
                        a3,        a4,     a5,  a6,       NULL};
  output *o = conclab(argv);
  if (o->status != 0)
    fail_msg("exit %d: %s", o->status, o->err);
  return o->out;
}

static double num(const char *json, const char *key) {
  double v;
  if (base_json_num_of(json, key, &v) != 0)
    fail_msg("no %s in %s", key, json);
  return v;
}

static void counts_are_exact(void **state) {
  (void)state;
  const char *j = load("/bytes/100", "--connections", "10", "--requests",
                       "200", NULL, NULL);
  assert_int_equal(num(j, "requests"), 200);
  assert_int_equal(num(j, "failed"), 0);
  assert_int_equal(num(j, "connects"), 10); /* kept alive */
  assert_true(num(j, "rps") > 0);
}

static void drops_are_read_errors(void **state) {
  (void)state;
  const char *j = load("/drop", "--connections", "3", "--requests", "30",
                       NULL, NULL);
  assert_int_equal(num(j, "requests"), 0);
  assert_int_equal(num(j, "failed"), 30);
  assert_non_null(strstr(j, "\"read\":\t30"));
}

static void status_500_is_an_answer_and_an_error(void **state) {
  (void)state;
  const char *j = load("/status/500", "--connections", "2", "--requests",
                       "20", NULL, NULL);
  assert_int_equal(num(j, "requests"), 20);
  assert_int_equal(num(j, "failed"), 0);
  assert_non_null(strstr(j, "\"status\":\t20"));
}

static void nobody_listening_is_connect_errors(void **state) {
  (void)state;
  /* port 1 on loopback: refused at once */
  const char *j = load("http://127.0.0.1:1/", "--connections", "2",
                       "--requests", "7", NULL, NULL);
  assert_int_equal(num(j, "requests"), 0);
  assert_non_null(strstr(j, "\"connect\":\t7"));
}

static void percentiles_are_ordered(void **state) {
  (void)state;
  const char *j = load("/delay/50", "--connections", "5", "--requests",
                       "20", NULL, NULL);
  double p50 = num(j, "p50_ms"), p99 = num(j, "p99_ms");
  double p999 = num(j, "p999_ms"), max = num(j, "max_ms");
  assert_true(p50 >= 50.0 * (1 - 1.0 / WL_HIST_SUB));
  assert_true(p50 <= p99 && p99 <= p999 && p999 <= max);
  assert_true(num(j, "mean_ms") >= 50.0);
}

static void open_loop_keeps_its_rate(void **state) {
  (void)state;
  /* 200/s for 0.5 s: 100 due; a loaded machine may answer a few late */
  const char *j = load("/bytes/10", "--connections", "4", "--duration-s",
                       "0.5", "--rate", "200");
  double n = num(j, "requests");
  assert_true(n >= 50 && n <= 104);
}

static void slow_connections_stay_open(void **state) {
  (void)state;
  const char *j = load("/bytes/10", "--connections", "2", "--duration-s",
                       "0.3", "--slow", "20");
  assert_int_equal(num(j, "slow_open"), 20);
  assert_true(num(j, "requests") > 0);
  assert_int_equal(num(j, "connects"), 22);
}

/* A server that never answers: every connection's request is owed at
 * the stop, and none is counted as answered. */
static void stalled_requests_are_unanswered(void **state) {
  (void)state;
  const char *j = load("/stall", "--connections", "5", "--duration-s",
                       "0.2", NULL, NULL);
  assert_int_equal(num(j, "requests"), 0);
  assert_int_equal(num(j, "unanswered"), 5);
  assert_int_equal(num(j, "failed"), 0);
}

/* Open loop on one connection: 100 due a second, each answer 200 ms
 * late, so the requests due behind the one out pile up, owed - where a
 * closed loop would only have waited. */
static void open_loop_counts_what_fell_due(void **state) {
  (void)state;
  const char *j = load("/delay/200", "--connections", "1", "--duration-s",
                       "1", "--rate", "100");
  assert_true(num(j, "requests") >= 2 && num(j, "requests") <= 5);
  assert_true(num(j, "unanswered") >= 90); /* 100 due in 1 s */
  /* latency from the due time (10 ms apart): the second answer waited
   * for the first, 200 ms, then its own 200 */
  assert_true(num(j, "max_ms") >= 390);
}

/* Beside connections share the server and are counted apart: the
 * measured requests are exactly N, the beside ones' 500s are theirs. */
static void beside_connections_are_counted_apart(void **state) {
  (void)state;
  static char beside[] = "--beside-path=/status/500";
  const char *j = load("/bytes/10", "--connections", "2", "--requests",
                       "50", "--beside=2", beside);
  assert_int_equal(num(j, "requests"), 50);
  assert_int_equal(num(j, "failed"), 0);
  assert_non_null(strstr(j, "\"status\":\t0"));
  assert_true(num(j, "beside_requests") > 0);
  assert_int_equal(num(j, "beside_errors"), num(j, "beside_requests"));
  assert_int_equal(num(j, "connects"), 4);
}

static void bad_flags_exit_2(void **state) {
  (void)state;
  static const char *const bad[][6] = {
      {"http://127.0.0.1:1/", "--duration-s", "1", NULL},
      {"http://127.0.0.1:1/", "--connections", "1", NULL},
      {"http://127.0.0.1:1/", "--connections", "0", "--requests", "1"},
      {"http://127.0.0.1:1/", "--connections", "1", "--requests", "x"},
      {"http://127.0.0.1:1/", "--connections", "1", "--rate", "0"},
      {"ftp://x/", "--connections", "1", "--requests", "1"},
      {"http://127.0.0.1:1/", "--connections", "1", "--bogus", "1"},
      {"http://127.0.0.1:1/", "--connections", "1", "--connections", "2"},
      {"http://127.0.0.1:1/", "--connections", "1", "--beside", "1"},
      {"http://127.0.0.1:1/", "--connections", "1", "--beside-path", "/"},
      {"http://127.0.0.1:1/", "--requests", "1", "--beside-path", "x"},
      {"--connections", "1", "--requests", "1", NULL},
  };
  const char *both[] = {"conclab", "load", "http://127.0.0.1:1/",
                        "--connections", "1", "--requests", "1",
                        "--duration-s", "1", NULL};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *argv[8] = {"conclab", "load"};
    for (int k = 0; k < 6 && bad[i][k] != NULL; k++)
      argv[2 + k] = bad[i][k];
    output *o = conclab(argv);
    assert_int_equal(o->status, 2);
    assert_int_equal(count_lines(o->err), 1);
    assert_non_null(strstr(o->err, "conclab: "));
  }
  assert_int_equal(conclab(both)->status, 2);
}

static void no_descriptor_left_open(void **state) {
  (void)state;
  char url[96], why[128];
  as_load_result *r = malloc(sizeof *r);
  snprintf(url, sizeof url, "%s/bytes/64", g_url);
  as_load_opts o = {.url = url, .connections = 20, .duration_s = 0.1,
                    .slow = 5};
  assert_non_null(r);
  /* libuv's first loop opens the process's signal pipe, for good */
  assert_int_equal(as_load_run(&o, r, why, sizeof why), 0);
  int before = open_fd_count();
  for (int i = 0; i < 3; i++) {
    assert_int_equal(as_load_run(&o, r, why, sizeof why), 0);
    assert_true(r->requests > 0);
  }
  o.duration_s = 0;
  o.requests = 10;
  snprintf(url, sizeof url, "%s/drop", g_url);
  assert_int_equal(as_load_run(&o, r, why, sizeof why), 0);
  assert_int_equal(as_load_failed(r), 10);
  assert_int_equal(open_fd_count(), before);
  free(r);
}

/* A server that sends two answers to one request: the second is no
 * request's answer, and is not counted as one (it would inflate
 * requests/s). */
static void answers_not_asked_for_are_not_counted(void **state) {
  (void)state;
  static const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  char url[96], why[128];
  fake_server s;
  as_load_result *r = malloc(sizeof *r);
  assert_non_null(r);
  fake_start(&s, 1000, two, url, sizeof url - 8);
  strcat(url, "/x");
  as_load_opts o = {.url = url, .connections = 1, .requests = 10};
  assert_int_equal(as_load_run(&o, r, why, sizeof why), 0);
  fake_stop(&s);
  assert_int_equal(r->requests, 10);
  assert_int_equal(wl_hist_count(&r->latency), 10);
  free(r);
}

/* More connections than descriptors: those that fit are served, and the
 * others' connects wait and retry (a few errors each) rather than fail
 * in a loop (hundreds of thousands of errors, a core burnt).  In a child,
 * which lowers its own open-file limit. */
static void connects_back_off_at_the_fd_limit(void **state) {
  (void)state;
  int status;
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char url[96], why[128];
    struct rlimit rl = {.rlim_cur = 64, .rlim_max = 64};
    as_load_result *r = malloc(sizeof *r);
    as_load_opts o = {.url = url, .connections = 100, .duration_s = 0.5};
    snprintf(url, sizeof url, "%s/bytes/10", g_url);
    if (r == NULL || setrlimit(RLIMIT_NOFILE, &rl) != 0 ||
        as_load_run(&o, r, why, sizeof why) != 0)
      _exit(3);
    /* 52 or so connections without a descriptor, each retried every
     * 100 ms for 0.5 s: a few hundred errors; without the wait, >10^4 */
    fprintf(stderr, "connect errors %llu, requests %llu\n",
            (unsigned long long)r->errors[AS_LOAD_E_CONNECT],
            (unsigned long long)r->requests);
    _exit(r->requests == 0 ? 2 : r->errors[AS_LOAD_E_CONNECT] > 2000 ? 1 : 0);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

/* Whether pid has a handler for sig (SigCgt in /proc/PID/status). */
static int catches(pid_t pid, int sig) {
  char path[64], line[256];
  unsigned long long mask = 0;
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "SigCgt: %llx", &mask) == 1)
      break;
  fclose(f);
  return (mask >> (sig - 1)) & 1;
}

/* SIGINT ends a run as its duration would: exit 0 and the figures, long
 * before the minute asked for. */
static void sigint_ends_the_run_with_figures(void **state) {
  (void)state;
  char url[128], out[8192];
  int pipefd[2], status;
  size_t len = 0;
  ssize_t n;
  snprintf(url, sizeof url, "%s/bytes/10", g_url);
  assert_int_equal(pipe(pipefd), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    execl(CONCLAB_BIN, "conclab", "load", url, "--connections", "2",
          "--duration-s", "60", "--json", (char *)NULL);
    _exit(127);
  }
  close(pipefd[1]);
  /* once the loop's handler is in place (a generous bound, not a timing) */
  for (int waited = 0; !catches(pid, SIGINT); waited++) {
    if (waited == 30000) {
      kill(pid, SIGKILL);
      fail_msg("conclab load never handles SIGINT");
    }
    nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
  }
  assert_int_equal(kill(pid, SIGINT), 0);
  while (len + 1 < sizeof out &&
         (n = read(pipefd[0], out + len, sizeof out - 1 - len)) > 0)
    len += (size_t)n;
  out[len] = '\0';
  close(pipefd[0]);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_true(num(out, "elapsed_s") < 60);
  assert_true(num(out, "requests") >= 0);
  assert_int_equal(num(out, "failed"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(counts_are_exact),
      cmocka_unit_test(drops_are_read_errors),
      cmocka_unit_test(status_500_is_an_answer_and_an_error),
      cmocka_unit_test(nobody_listening_is_connect_errors),
      cmocka_unit_test(percentiles_are_ordered),
      cmocka_unit_test(open_loop_keeps_its_rate),
      cmocka_unit_test(slow_connections_stay_open),
      cmocka_unit_test(stalled_requests_are_unanswered),
      cmocka_unit_test(open_loop_counts_what_fell_due),
      cmocka_unit_test(beside_connections_are_counted_apart),
      cmocka_unit_test(bad_flags_exit_2),
      cmocka_unit_test(no_descriptor_left_open),
      cmocka_unit_test(answers_not_asked_for_are_not_counted),
      cmocka_unit_test(connects_back_off_at_the_fd_limit),
      cmocka_unit_test(sigint_ends_the_run_with_figures),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
