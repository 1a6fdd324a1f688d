/*
 * test_multiproc.c - the fork+pipes model (multiproc/).
 *
 * Results match seq and arrive in order; a worker that dies mid-batch
 * fails exactly the task it held while the batch finishes; with a timeout,
 * a stopped worker is killed and replaced, in a task or at its exit; every
 * child is reaped (this process has no child left, zombie or not); no
 * descriptor leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "helpers.h"
#include "multiproc.h"

/* After a batch: not one child of ours is left, not even a zombie. */
static void assert_no_children(void) {
  errno = 0;
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
}

static wl_slot *run(const wl_workload *wl, const wl_params *p, mp_usage *u) {
  wl_slot *slots = calloc((size_t)p->tasks, sizeof *slots);
  int fds = open_fd_count();

  assert_non_null(slots);
  assert_int_equal(mp_run(wl, p, slots, NULL, u), 0);
  assert_int_equal(open_fd_count(), fds);
  assert_no_children();
  return slots;
}

static void test_sleep_matches_seq(void **state) {
  wl_params p = {.tasks = 30, .concurrency = 6, .delay_ms = 2,
                 .delay_spread_ms = 20};
  wl_slot *oracle = calloc((size_t)p.tasks, sizeof *oracle), *got;
  mp_usage u;
  (void)state;

  seq_run(&wl_sleep, &p, oracle, NULL);
  got = run(&wl_sleep, &p, &u);
  for (int i = 0; i < p.tasks; i++) {
    assert_int_equal(got[i].status, WL_OK);
    assert_int_equal(got[i].value, (uint64_t)i * 10);
  }
  assert_int_equal(wl_checksum(got, p.tasks), wl_checksum(oracle, p.tasks));
  assert_int_equal(u.workers_started, 6);
  assert_int_equal(u.workers_lost, 0);
  assert_true(u.max_rss_kb_sum > 0); /* wait4 reported each worker */
  free(got);
  free(oracle);
}

static void test_primes_matches_seq(void **state) {
  wl_params p = {.tasks = 12, .concurrency = 3, .limit = 100000};
  wl_slot *oracle = calloc((size_t)p.tasks, sizeof *oracle), *got;
  mp_usage u;
  (void)state;

  seq_run(&wl_primes, &p, oracle, NULL);
  got = run(&wl_primes, &p, &u);
  for (int i = 0; i < p.tasks; i++)
    assert_int_equal(got[i].value, oracle[i].value);
  assert_int_equal(wl_checksum(got, p.tasks), wl_checksum(oracle, p.tasks));
  free(got);
  free(oracle);
}

/* A workload made for this test: task i returns i + 1000, except that
 * some tasks kill their own worker process, as a crash would. */
static enum { CRASH_NONE, CRASH_SOME, CRASH_ALL, CRASH_STOP } g_crash;

static void crashy_input(const wl_params *p, uint32_t i, wl_task *out) {
  (void)p;
  out->index = i;
  out->a = out->b = 0;
}

static wl_status crashy_run(const wl_task *t, void *worker, wl_slot *out) {
  (void)worker;
  if (g_crash == CRASH_ALL || (g_crash == CRASH_SOME && t->index % 10 == 3))
    raise(SIGKILL);
  if (g_crash == CRASH_STOP && t->index == 3)
    raise(SIGSTOP); /* as a debugger or `kill -STOP` would: stuck for good */
  out->value = t->index + 1000;
  return WL_OK;
}

static const wl_workload crashy = {.name = "crashy",
                                   .kind = WL_KIND_CPU,
                                   .task_input = crashy_input,
                                   .run_blocking = crashy_run};

/* Tasks 3, 13, 23 kill their workers: those three fail, the other 27 are
 * done by the survivors and by fresh workers forked in their place. */
static void test_worker_dies_mid_batch(void **state) {
  wl_params p = {.tasks = 30, .concurrency = 4};
  wl_slot *got;
  mp_usage u;
  (void)state;

  g_crash = CRASH_SOME;
  got = run(&crashy, &p, &u);
  g_crash = CRASH_NONE;
  for (int i = 0; i < p.tasks; i++) {
    if (i % 10 == 3) {
      assert_int_equal(got[i].status, WL_ERROR);
    } else {
      assert_int_equal(got[i].status, WL_OK);
      assert_int_equal(got[i].value, (uint64_t)i + 1000);
    }
  }
  assert_int_equal(u.workers_lost, 3);
  /* A lost worker is replaced while tasks remain to hand out; whether
   * any remain when the last crash is seen depends on timing. */
  assert_in_range(u.workers_started, 4, 4 + 3);
  free(got);
}

/* Every task kills its worker: all fail, and the batch still ends. */
static void test_every_worker_dies(void **state) {
  wl_params p = {.tasks = 8, .concurrency = 2};
  wl_slot *got;
  mp_usage u;
  (void)state;

  g_crash = CRASH_ALL;
  got = run(&crashy, &p, &u);
  g_crash = CRASH_NONE;
  for (int i = 0; i < p.tasks; i++)
    assert_int_equal(got[i].status, WL_ERROR);
  assert_int_equal(u.workers_lost, 8);
  free(got);
}

/* A workload whose every task fails, and says why (each worker process
 * would say it once). */
static wl_status failing_run(const wl_task *t, void *worker, wl_slot *out) {
  (void)worker;
  (void)out;
  wl_report_error("failing", t->index, "run", "task", "it always fails");
  return WL_ERROR;
}

/* Four workers, twelve failing tasks: one line on stderr for the run, as
 * the workers' lines travel to the parent with their results. */
static void test_first_error_once_per_run(void **state) {
  wl_workload failing = crashy;
  wl_params p = {.tasks = 12, .concurrency = 4};
  FILE *f = tmpfile();
  int saved = dup(STDERR_FILENO), n = 0, c;
  wl_slot *got;
  mp_usage u;
  (void)state;

  failing.run_blocking = failing_run;
  wl_report_reset(); /* as each `conclab run` starts */
  assert_non_null(f);
  fflush(stderr);
  assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
  got = run(&failing, &p, &u);
  fflush(stderr);
  assert_true(dup2(saved, STDERR_FILENO) >= 0);
  close(saved);
  rewind(f);
  while ((c = fgetc(f)) != EOF)
    n += c == '\n';
  fclose(f);
  assert_int_equal(n, 1);
  for (int i = 0; i < p.tasks; i++)
    assert_int_equal(got[i].status, WL_ERROR);
  free(got);
}

/* The run's own deadline: a hang is a failure, not a stuck ctest. */
static void hang_guard(int seconds) {
  signal(SIGALRM, SIG_DFL); /* the default action kills this test */
  alarm((unsigned)seconds);
}

/* Task 3's worker stops itself (SIGSTOP) in the middle of the task.  With
 * --timeout-ms the parent's watchdog kills it past the deadline: task 3
 * is a timeout, and as the only worker was the stopped one, a fresh
 * worker must be forked for tasks 4..19 (so exactly two start, whatever
 * the timing); nothing is left behind (the stopped process is killed and
 * reaped, its pipes closed).  The deadline is far above what a trivial
 * task takes on a loaded, sanitized machine, so only task 3 can miss it. */
static void test_stopped_worker_times_out(void **state) {
  wl_params p = {.tasks = 20, .concurrency = 1, .timeout_ms = 2000};
  wl_slot *got;
  mp_usage u;
  (void)state;

  hang_guard(60);
  g_crash = CRASH_STOP;
  got = run(&crashy, &p, &u);
  g_crash = CRASH_NONE;
  alarm(0);
  for (int i = 0; i < p.tasks; i++) {
    if (i == 3) {
      assert_int_equal(got[i].status, WL_TIMEOUT);
    } else {
      assert_int_equal(got[i].status, WL_OK);
      assert_int_equal(got[i].value, (uint64_t)i + 1000);
    }
  }
  assert_int_equal(u.workers_lost, 1);
  assert_int_equal(u.workers_started, 2); /* one, and the replacement */
  free(got);
}

/* A worker that stops while it exits (its last task done, its task pipe
 * closed) is killed after a grace: the batch ends, every task ok. */
static void stop_on_close(void *worker) {
  (void)worker;
  raise(SIGSTOP);
}

static int open_stopper(const wl_params *p, void **worker) {
  (void)p;
  *worker = &g_crash; /* any non-NULL state, so that close is called */
  return 0;
}

static void test_worker_stopped_at_exit_is_reaped(void **state) {
  wl_workload stopper = crashy;
  wl_params p = {.tasks = 4, .concurrency = 2, .timeout_ms = 1000};
  wl_slot *got;
  mp_usage u;
  (void)state;

  stopper.worker_open = open_stopper;
  stopper.worker_close = stop_on_close;
  hang_guard(30);
  got = run(&stopper, &p, &u);
  alarm(0);
  for (int i = 0; i < p.tasks; i++)
    assert_int_equal(got[i].status, WL_OK);
  assert_int_equal(u.workers_lost, 2); /* killed, so not a clean exit */
  free(got);
}

/* Not enough descriptors for every worker's pipes: the batch refuses to
 * run on fewer workers than asked (-1), and stops the ones it started. */
static void test_workers_cannot_all_start(void **state) {
  wl_params p = {.tasks = 20, .concurrency = 10, .delay_ms = 1};
  wl_slot *slots = calloc((size_t)p.tasks, sizeof *slots);
  struct rlimit old, low;
  int fds = open_fd_count();
  mp_usage u;
  (void)state;

  assert_non_null(slots);
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
  low = old;
  low.rlim_cur = (rlim_t)fds + 8; /* room for two workers' pipes */
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
  assert_int_equal(mp_run(&wl_sleep, &p, slots, NULL, &u), -1);
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
  assert_in_range(u.workers_started, 1, 9);
  assert_int_equal(open_fd_count(), fds);
  assert_no_children();
  free(slots);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sleep_matches_seq),
      cmocka_unit_test(test_primes_matches_seq),
      cmocka_unit_test(test_worker_dies_mid_batch),
      cmocka_unit_test(test_every_worker_dies),
      cmocka_unit_test(test_first_error_once_per_run),
      cmocka_unit_test(test_stopped_worker_times_out),
      cmocka_unit_test(test_worker_stopped_at_exit_is_reaped),
      cmocka_unit_test(test_workers_cannot_all_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
