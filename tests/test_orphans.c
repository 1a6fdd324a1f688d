/*
 * test_orphans.c - what a run leaves when it is stopped or cannot start:
 * no worker process outlives it, and a failure is said once, with its
 * reason.  Everything here forks (label fork: kept out of the TSan run).
 *
 * What is checked:
 *   - SIGTERM, SIGINT or SIGHUP to a multiproc run whose workers sleep in
 *     60 s tasks: every worker is gone within 10 s (only the run's death
 *     can end them that soon);
 *   - a child of the lab or the suite (base_spawn_run) whose parent is killed:
 *     gone within 10 s (it runs 60 s);
 *   - the lab's uv_queue_work unit as nobody with 3 processes allowed:
 *     libuv's pool cannot start, and the failure line says so, not
 *     "exit 134:" and nothing;
 *   - a measured child killed by a signal: its line names the signal;
 *   - a run that cannot start its workers says so in exactly one line
 *     (multiproc under ulimit -u, threaded http under ulimit -v).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"
#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 16

typedef struct proc_id {
  pid_t pid;
  unsigned long long start; /* field 22 of /proc/PID/stat: pid reuse */
} proc_id;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* State, parent and start time of pid; 0, or -1 if it has no entry. */
static int proc_stat(pid_t pid, char *state, pid_t *ppid,
                     unsigned long long *start) {
  char path[64], buf[1024], *p;
  FILE *f;
  size_t n;

  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  if ((f = fopen(path, "r")) == NULL)
    return -1;
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
  if (p == NULL)
    return -1;
  *start = 0;
  if (sscanf(p + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
             "%*d %*d %*d %*d %*d %llu", state, ppid, start) != 3)
    return -1;
  return 0;
}

/* The children of parent, found in /proc. */
static int children_of(pid_t parent, proc_id *out, int cap) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  int n = 0;

  assert_non_null(d);
  while ((e = readdir(d)) != NULL && n < cap) {
    pid_t pid = (pid_t)atoi(e->d_name), ppid;
    unsigned long long start;
    char state;
    if (pid > 0 && proc_stat(pid, &state, &ppid, &start) == 0 &&
        ppid == parent)
      out[n++] = (proc_id){pid, start};
  }
  closedir(d);
  return n;
}

/* Whether the process is still there and running (a zombie has ended). */
static int alive(const proc_id *p) {
  unsigned long long start;
  pid_t ppid;
  char state;
  return proc_stat(p->pid, &state, &ppid, &start) == 0 &&
         start == p->start && state != 'Z' && state != 'X';
}

/* A multiproc run of 8 tasks of 60 s on 4 workers, ended by sig once
 * its workers exist: none of them may be running 10 s later. */
static void workers_die_with_run(int sig) {
  const char *argv[] = {"conclab", "run", "sleep", "--model", "multiproc",
                        "--tasks", "8", "--concurrency", "4",
                        "--delay-ms", "60000", NULL};
  proc_id w[MAX_WORKERS];
  int n = 0, left = 0;
  double deadline = now_s() + 30; /* a loaded machine forks slowly */
  FILE *out, *err;
  output o;
  pid_t run = conclab_start(argv, &out, &err);

  while ((n = children_of(run, w, MAX_WORKERS)) < 4 && now_s() < deadline)
    nap_ms(20);
  kill(run, sig);
  conclab_finish(run, out, err, &o);
  if (n < 4)
    fail_msg("only %d of 4 workers seen in 30 s; stderr: %s", n, o.err);
  deadline = now_s() + 10;
  do {
    left = 0;
    for (int i = 0; i < n; i++)
      left += alive(&w[i]);
    if (left > 0)
      nap_ms(20);
  } while (left > 0 && now_s() < deadline);
  for (int i = 0; i < n; i++) /* a failing run leaves nothing either */
    if (alive(&w[i]))
      kill(w[i].pid, SIGKILL);
  if (left > 0)
    fail_msg("%d of %d workers still running 10 s after %s to the run", left,
             n, strsignal(sig));
}

static void test_workers_die_on_sigterm(void **state) {
  (void)state;
  workers_die_with_run(SIGTERM);
}

static void test_workers_die_on_sigint(void **state) {
  (void)state;
  workers_die_with_run(SIGINT);
}

static void test_workers_die_on_sighup(void **state) {
  (void)state;
  workers_die_with_run(SIGHUP);
}

static void test_workers_die_on_sigkill(void **state) {
  (void)state;
  workers_die_with_run(SIGKILL);
}

/* What the lab and the suite run (base_spawn_run) goes with them: a parent in a
 * 60 s child is killed, and the child is gone within 10 s. */
static void test_measured_child_dies_with_parent(void **state) {
  proc_id child;
  double deadline = now_s() + 30;
  int n = 0, status;
  pid_t parent;
  (void)state;

  fflush(NULL);
  parent = fork();
  assert_true(parent >= 0);
  if (parent == 0) {
    char *argv[] = {"sleep", "60", NULL};
    char out[64], line[64];
    _exit(
        base_spawn_run("/bin/sleep", argv, out, sizeof out, line, sizeof line));
  }
  while ((n = children_of(parent, &child, 1)) < 1 && now_s() < deadline)
    nap_ms(20);
  kill(parent, SIGKILL);
  while (waitpid(parent, &status, 0) < 0)
    assert_int_equal(errno, EINTR);
  if (n < 1)
    fail_msg("the measured child was not seen in 30 s");
  deadline = now_s() + 10;
  while (alive(&child) && now_s() < deadline)
    nap_ms(20);
  if (alive(&child)) {
    kill(child.pid, SIGKILL);
    fail_msg("the measured child outlived its parent by 10 s");
  }
}

/* The lab's line for a failed unit: what follows "failed: " up to the end
 * of its line ("" if there is no such line). */
static void failed_reason(const char *err, const char *unit, char *why,
                          size_t cap) {
  char head[96];
  const char *p;

  snprintf(head, sizeof head, "conclab: lab: %s failed: ", unit);
  why[0] = '\0';
  if ((p = strstr(err, head)) != NULL)
    snprintf(why, cap, "%.*s", (int)strcspn(p + strlen(head), "\n"),
             p + strlen(head));
}

/* As nobody with 3 processes (the lab, its unit's child, one thread),
 * libuv cannot have its pool of 4: the unit fails with the reason. */
static void test_lab_pool_failure_said(void **state) {
  char dir[64] = "/tmp/conclab_orphans_XXXXXX", why[512];
  const char *argv[] = {"conclab", "lab", "--profile", "smoke", "--only",
                        "uv_queue_work", "--out", dir, NULL};
  run_env limited = {.as_nobody = 1, .nproc = 3};
  output *o;
  (void)state;

  assert_non_null(mkdtemp(dir));
  assert_int_equal(chmod(dir, 0777), 0); /* for nobody */
  unsetenv("UV_THREADPOOL_SIZE");
  o = conclab_in(argv, &limited);
  walk_tree(dir, 1);
  if (o->status == RUN_ENV_NO_SETUP)
    skip(); /* not root: cannot become nobody */
  if (o->status != 3)
    fail_msg("exit %d: %s", o->status, o->err);
  failed_reason(o->err, "uv_queue_work", why, sizeof why);
  if (strncmp(why, "fork:", 5) == 0) { /* the lab's own fork: no room */
    print_message("skipped: another process of nobody's took the slot\n");
    skip();
  }
  if (strstr(why, "threadpool") == NULL)
    fail_msg("no reason naming the threadpool: '%s'; stderr: %s", why,
             o->err);
  assert_null(strstr(why, "exit 134")); /* it says why, not how it died */
}

/* A measured child that a signal kills: its line names the signal, even
 * when the child printed nothing. */
static void test_child_signal_named(void **state) {
  char *argv[] = {"sh", "-c", "kill -ABRT $$", NULL};
  char out[64], errline[256];
  int status;
  (void)state;

  status =
      base_spawn_run("/bin/sh", argv, out, sizeof out, errline, sizeof errline);
  assert_int_equal(status, 128 + SIGABRT);
  if (strstr(errline, "killed by SIGABRT") == NULL)
    fail_msg("the signal is not named: '%s'", errline);
}

/* Multiproc as nobody with 4 processes, 20 workers asked: the fork that
 * failed is the one line. */
static void test_multiproc_start_one_line(void **state) {
  const char *argv[] = {"conclab", "run", "sleep", "--model", "multiproc",
                        "--tasks", "40", "--concurrency", "20",
                        "--delay-ms", "1", NULL};
  run_env limited = {.as_nobody = 1, .nproc = 4};
  output *o;
  (void)state;

  o = conclab_in(argv, &limited);
  if (o->status == RUN_ENV_NO_SETUP)
    skip(); /* not root: cannot become nobody */
  assert_int_equal(o->status, 1);
  if (count_lines(o->err) != 1)
    fail_msg("%d lines for one cause: %s", count_lines(o->err), o->err);
  assert_non_null(strstr(o->err, "conclab: multiproc: fork worker "));
}

/* Threaded http under ulimit -v: the threads that started cannot have
 * their curl handles either, but the thread that could not start is the
 * one line.  Not under AddressSanitizer, which reserves far more address
 * space than this at start. */
static void test_threaded_start_one_line(void **state) {
  const char *argv[] = {"conclab", "run", "http", "--model", "threaded",
                        "--tasks", "2000", "--concurrency", "2000", NULL};
  run_env small = {.address_space = (rlim_t)50 << 20};
  output *o;
  (void)state;
#if defined(__SANITIZE_ADDRESS__)
  print_message("skipped: AddressSanitizer needs more address space\n");
  skip();
#endif
  o = conclab_in(argv, &small);
  assert_int_equal(o->status, 1);
  if (count_lines(o->err) != 1)
    fail_msg("%d lines for one cause: %s", count_lines(o->err), o->err);
  assert_non_null(strstr(o->err, "conclab: threaded: pthread_create, "));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_workers_die_on_sigterm),
      cmocka_unit_test(test_workers_die_on_sigint),
      cmocka_unit_test(test_workers_die_on_sighup),
      cmocka_unit_test(test_workers_die_on_sigkill),
      cmocka_unit_test(test_measured_child_dies_with_parent),
      cmocka_unit_test(test_lab_pool_failure_said),
      cmocka_unit_test(test_child_signal_named),
      cmocka_unit_test(test_multiproc_start_one_line),
      cmocka_unit_test(test_threaded_start_one_line),
  };
  /* An ignored signal stays ignored across exec: a test started in the
   * background of a shell would otherwise hand the run a SIGINT it
   * ignores. */
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
