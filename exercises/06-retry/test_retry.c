/*
 * test_retry.c - the checks for exercise 06.
 *
 * The server is the real one: `conclab serve --port 0 --quiet`, started
 * once for the whole group (fork + exec) and stopped at the end (SIGTERM +
 * waitpid).  Its endpoints let each attempt fail in a chosen way:
 * /status/<code> answers that status, /drop closes the connection without
 * an answer, /stall never answers.  Nothing here sleeps for a backoff: the
 * test's sleep_ms only writes the wait down, and its random source returns
 * a fixed number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "expect.h"
#include "retry.h"

/* ---- the server ---------------------------------------------------------- */

static pid_t server_pid = -1;
static int server_out = -1; /* its stdout, kept open until it is stopped */
static char base_url[128];

/* Read the server's first line of stdout, its base URL, a byte at a time
 * (nothing after the newline is ours to take). */
static int read_base_url(int fd) {
  size_t n = 0;
  while (n < sizeof base_url - 1) {
    char c;
    ssize_t got = read(fd, &c, 1);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return -1; /* the server died, or said nothing */
    if (c == '\n') {
      base_url[n] = '\0';
      return strncmp(base_url, "http://", 7) == 0 ? 0 : -1;
    }
    base_url[n++] = c;
  }
  return -1;
}

static int server_start(void **state) {
  int fds[2];
  (void)state;
  if (pipe(fds) != 0)
    return -1;
  server_pid = fork();
  if (server_pid < 0)
    return -1;
  if (server_pid == 0) { /* the child: become the server */
    if (dup2(fds[1], STDOUT_FILENO) < 0)
      _exit(127);
    close(fds[0]);
    close(fds[1]);
    execl(CONCLAB_BIN, CONCLAB_BIN, "serve", "--port", "0", "--quiet",
          (char *)NULL);
    _exit(127); /* exec failed */
  }
  close(fds[1]);
  server_out = fds[0];
  if (read_base_url(server_out) != 0) {
    fprintf(stderr, "test: %s serve printed no base URL\n", CONCLAB_BIN);
    return -1;
  }
  /* A proxy from the environment must not get between us and loopback. */
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("all_proxy");
  unsetenv("ALL_PROXY");
  return curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK ? 0 : -1;
}

static int server_stop(void **state) {
  int status;
  (void)state;
  curl_global_cleanup();
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    while (waitpid(server_pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
  if (server_out >= 0)
    close(server_out);
  return 0;
}

/* ---- the hooks: scripted URLs, recorded waits, a fixed random number ---- */

#define MAX_CALLS 16

typedef struct script {
  const char *paths[MAX_CALLS]; /* attempt k asks for paths[k] ... */
  int n_paths;                  /* ... and the last one over and over */
  char url[256];
  int urls_asked;      /* calls to url() */
  int bad_k;           /* url() was called with k out of order */
  long waits[MAX_CALLS];
  int n_waits;         /* calls to sleep_ms() */
  double r;            /* what random() returns */
  int randoms;         /* calls to random() */
} script;

static const char *script_url(void *arg, int k) {
  script *s = arg;
  const char *path = s->paths[k < s->n_paths ? k : s->n_paths - 1];
  if (k != s->urls_asked)
    s->bad_k = 1;
  s->urls_asked++;
  snprintf(s->url, sizeof s->url, "%s%s", base_url, path);
  return s->url;
}

static void script_sleep(void *arg, long ms) {
  script *s = arg;
  if (s->n_waits < MAX_CALLS)
    s->waits[s->n_waits] = ms;
  s->n_waits++;
}

static double script_random(void *arg) {
  script *s = arg;
  s->randoms++;
  return s->r;
}

static rt_result fetch(script *s, const rt_policy *p) {
  rt_hooks hooks = {script_url, script_sleep, script_random, s};
  rt_result res = {RT_FAILED, -1, -1, -1};
  int rc = rt_fetch(p, &hooks, &res);
  expect_int(rc, res.outcome == RT_OK ? 0 : -1);
  expect_int(s->bad_k, 0);
  expect_int(s->urls_asked, res.attempts); /* one URL per attempt */
  return res;
}

/* The largest double below 1: the top of the random source's range. */
#define R_MAX (1.0 - DBL_EPSILON / 2)

/* ---- rt_backoff_ms -------------------------------------------------------- */

/* With r = 0 the wait is the fixed half, w / 2, and w doubles each time:
 * 100, 200, 400, 800, ... until the cap. */
static void backoff_doubles_then_caps(void **state) {
  const rt_policy p = {.retries = 10, .base_ms = 100, .cap_ms = 1000};
  const long want[] = {50, 100, 200, 400, 500, 500, 500};
  (void)state;
  for (int k = 0; k < 7; k++)
    expect_int(rt_backoff_ms(&p, k, 0.0), want[k]);
}

/* The jitter's bounds: r = 0 gives h = w / 2, the largest r gives 2h, and
 * every r in between something in [h, 2h] - never above the cap. */
static void jitter_within_bounds(void **state) {
  const rt_policy p = {.retries = 10, .base_ms = 50, .cap_ms = 30000};
  (void)state;
  expect_int(rt_backoff_ms(&p, 0, 0.0), 25);
  expect_int(rt_backoff_ms(&p, 0, R_MAX), 50);
  expect_int(rt_backoff_ms(&p, 3, 0.0), 200);
  expect_int(rt_backoff_ms(&p, 3, R_MAX), 400);
  expect_int(rt_backoff_ms(&p, 20, 0.0), 15000); /* capped */
  expect_int(rt_backoff_ms(&p, 20, R_MAX), 30000);
  for (int k = 0; k < 12; k++) {
    long w = 50L << k < 30000 ? 50L << k : 30000, prev = -1;
    for (int i = 0; i <= 100; i++) {
      long wait = rt_backoff_ms(&p, k, i < 100 ? i / 100.0 : R_MAX);
      expect_ge_int("backoff (ms)", wait, w / 2);
      expect_le_int("backoff (ms)", wait, w);
      /* a larger r never waits less */
      expect_ge_int("backoff (ms) for a larger r", wait, prev);
      prev = wait;
    }
  }
}

/* Attempt numbers far past 63 must not overflow (UBSan would stop this
 * test on a shift or a multiply that does); no base, or no cap, no wait. */
static void backoff_large_k_and_zero(void **state) {
  const rt_policy p = {.retries = 10, .base_ms = 7, .cap_ms = 30000};
  const rt_policy no_base = {.retries = 10, .base_ms = 0, .cap_ms = 30000};
  const rt_policy no_cap = {.retries = 10, .base_ms = 7, .cap_ms = 0};
  (void)state;
  expect_int(rt_backoff_ms(&p, 64, 0.0), 15000);
  expect_int(rt_backoff_ms(&p, 1000, R_MAX), 30000);
  expect_int(rt_backoff_ms(&p, 1, 0.0), 7); /* w = 14 */
  expect_int(rt_backoff_ms(&no_base, 5, R_MAX), 0);
  expect_int(rt_backoff_ms(&no_cap, 5, R_MAX), 0);
}

/* ---- rt_fetch against the server ------------------------------------------- */

/* Two 503s, then a body of 64 bytes: success on the third attempt, after
 * two waits of 50 and 100 ms (r = 0: the fixed halves of 100 and 200).
 * The body counted is the last attempt's only, not the 503s' too. */
static void retries_5xx_until_success(void **state) {
  script s = {.paths = {"/status/503", "/status/503", "/bytes/64"},
              .n_paths = 3, .r = 0.0};
  const rt_policy p = {.retries = 5, .base_ms = 100, .cap_ms = 30000};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_OK);
  expect_int(res.attempts, 3);
  expect_int(res.http_status, 200);
  expect_int(res.body_bytes, 64);
  expect_int(s.n_waits, 2);
  expect_int(s.waits[0], 50);
  expect_int(s.waits[1], 100);
  expect_int(s.randoms, 2); /* one random number per wait */
}

/* A 404 is never retried: one attempt, no wait. */
static void never_retries_4xx(void **state) {
  script s = {.paths = {"/status/404", "/bytes/64"}, .n_paths = 2};
  const rt_policy p = {.retries = 5, .base_ms = 100, .cap_ms = 30000};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_HTTP_ERROR);
  expect_int(res.attempts, 1);
  expect_int(res.http_status, 404);
  expect_int(s.n_waits, 0);
}

/* The server closes the connection without an answer: that is worth
 * another try, and the next one succeeds. */
static void retries_dropped_connection(void **state) {
  script s = {.paths = {"/drop", "/bytes/10"}, .n_paths = 2, .r = R_MAX};
  const rt_policy p = {.retries = 3, .base_ms = 40, .cap_ms = 30000};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_OK);
  expect_int(res.attempts, 2);
  expect_int(res.body_bytes, 10);
  expect_int(s.n_waits, 1);
  expect_int(s.waits[0], 40); /* r at its top: the whole w */
}

/* A 500 every time: K retries, so K + 1 attempts and K waits, then the
 * last answer is reported. */
static void gives_up_after_k_retries(void **state) {
  script s = {.paths = {"/status/500"}, .n_paths = 1, .r = 0.0};
  const rt_policy p = {.retries = 3, .base_ms = 10, .cap_ms = 30};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_HTTP_ERROR);
  expect_int(res.attempts, 4);
  expect_int(res.http_status, 500);
  expect_int(s.n_waits, 3);
  expect_int(s.waits[0], 5);
  expect_int(s.waits[1], 10);
  expect_int(s.waits[2], 15); /* w capped at 30 */
}

/* retries = 0: one attempt, whatever happens. */
static void zero_retries_one_attempt(void **state) {
  script s = {.paths = {"/drop"}, .n_paths = 1};
  const rt_policy p = {.retries = 0, .base_ms = 10, .cap_ms = 30000};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_CONN_ERROR);
  expect_int(res.attempts, 1);
  expect_int(res.http_status, 0);
  expect_int(s.n_waits, 0);
}

/* /stall never answers: each attempt ends at its 150 ms timeout, is
 * retried once, and the timeout is what is reported. */
static void timeout_retried_then_reported(void **state) {
  script s = {.paths = {"/stall"}, .n_paths = 1};
  const rt_policy p = {.retries = 1, .base_ms = 10, .cap_ms = 30000,
                       .timeout_ms = 150};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_TIMEOUT);
  expect_int(res.attempts, 2);
  expect_int(res.http_status, 0);
  expect_int(res.body_bytes, 0);
  expect_int(s.n_waits, 1);
}

/* A stall, then an answer: the timeout does not stop the retries. */
static void timeout_then_success(void **state) {
  script s = {.paths = {"/stall", "/status/201"}, .n_paths = 2};
  const rt_policy p = {.retries = 2, .base_ms = 10, .cap_ms = 30000,
                       .timeout_ms = 150};
  rt_result res = fetch(&s, &p);
  (void)state;
  expect_int(res.outcome, RT_OK);
  expect_int(res.attempts, 2);
  expect_int(res.http_status, 201);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(backoff_doubles_then_caps),
      cmocka_unit_test(jitter_within_bounds),
      cmocka_unit_test(backoff_large_k_and_zero),
      cmocka_unit_test(retries_5xx_until_success),
      cmocka_unit_test(never_retries_4xx),
      cmocka_unit_test(retries_dropped_connection),
      cmocka_unit_test(gives_up_after_k_retries),
      cmocka_unit_test(zero_retries_one_attempt),
      cmocka_unit_test(timeout_retried_then_reported),
      cmocka_unit_test(timeout_then_success),
  };
  return cmocka_run_group_tests_name("06-retry", tests, server_start,
                                     server_stop);
}
