/*
 * test_writers.c - what a file writer leaves behind when it cannot finish.
 *
 * What is checked:
 *   - the guard (bench/base/guard.c): a signal removes the guarded file, then
 *     does what it did before (a handler already there runs; an ignored
 *     signal stays ignored);
 *   - SIGTERM, SIGINT or SIGHUP while `conclab run --trace FILE` writes
 *     its trace (stopped by the rename shim, tests/rename_shim.c, with
 *     FILE.tmp.PID written and not yet renamed): the run dies of the
 *     signal and leaves neither FILE nor FILE.tmp.PID;
 *   - a full disk (a 64 KiB tmpfs, in a mount namespace of this test's
 *     own; skipped where that is not permitted): the atomic writer and
 *     --trace say "No space left on device", not "Input/output error",
 *     and leave nothing behind.
 */
#define _GNU_SOURCE /* unshare, mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic.h"
#include "guard.h"

/* A fresh directory for one test.  It must be empty after; it is removed
 * whatever is left (unmounted first, if a test stopped with its tmpfs
 * there), so that a failed assertion leaves nothing in /tmp. */
static char dir[64];

static int make_dir(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/conclab_test_writers_XXXXXX");
  return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state) {
  int left;
  (void)state;

  umount2(dir, MNT_DETACH); /* EINVAL when nothing is mounted there */
  left = dir_entries(dir);
  if (left != 0)
    print_error("%s: %d files left behind\n", dir, left);
  walk_tree(dir, 1);
  return left == 0 ? 0 : -1; /* fails the test when something was left */
}

/* Run body in a child process; its wait status. */
static int in_child(void (*body)(const char *path), const char *path) {
  int status;
  pid_t pid;

  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    body(path);
    _exit(0);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return status;
}

static void make_file(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT, 0644);
  assert_true(fd >= 0);
  assert_int_equal(close(fd), 0);
}

/* ---- the guard ----------------------------------------------------------- */

static void exit_42(int sig) {
  (void)sig;
  _exit(42);
}

static void guard_then_old_handler(const char *path) {
  signal(SIGTERM, exit_42);
  if (base_guard_arm() != 0)
    _exit(1);
  base_guard_file(path);
  raise(SIGTERM);
  _exit(2); /* not reached */
}

/* The file goes, then the handler that was there runs (a files batch's
 * directory cleanup, when a trace is written after one). */
static void guard_removes_the_file_then_passes_on(void **state) {
  char path[128];
  int status;
  (void)state;

  snprintf(path, sizeof path, "%s/file", dir);
  make_file(path);
  status = in_child(guard_then_old_handler, path);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 42);
  assert_int_equal(access(path, F_OK), -1);
}

static void guard_ignored_signal(const char *path) {
  signal(SIGHUP, SIG_IGN);
  if (base_guard_arm() != 0)
    _exit(1);
  base_guard_file(path);
  raise(SIGHUP);
  base_guard_disarm();
  _exit(access(path, F_OK) == 0 ? 0 : 3);
}

/* nohup: an ignored signal is not caught, and removes nothing. */
static void guard_leaves_an_ignored_signal_alone(void **state) {
  char path[128];
  int status;
  (void)state;

  snprintf(path, sizeof path, "%s/file", dir);
  make_file(path);
  status = in_child(guard_ignored_signal, path);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(unlink(path), 0);
}

/* ---- a signal while --trace writes --------------------------------------- */

/* The run is caught at the last moment of the write, every time: the
 * rename shim stops it (SIGSTOP) just before FILE.tmp.PID, written in
 * full, is renamed to FILE.  The signal is sent while it is stopped and
 * delivered on SIGCONT, so no scheduling lets the run finish first. */
static void signal_while_the_trace_is_written(int sig) {
  char path[128], tmp[160];
  const char *argv[] = {"conclab", "run", "sleep", "--model", "async",
                        "--tasks", "2000", "--delay-ms", "0", "--trace",
                        path, NULL};
  const run_env stop = {.stop = "t.json"};
  FILE *out, *err;
  output o;
  pid_t pid;
  int status;

  snprintf(path, sizeof path, "%s/t.json", dir);
  pid = conclab_start_in(argv, &stop, &out, &err);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)pid);
  while (waitpid(pid, &status, WUNTRACED) < 0)
    assert_int_equal(errno, EINTR);
  if (!WIFSTOPPED(status))
    fail_msg("the run ended (status %d) before renaming its trace", status);
  if (access(tmp, F_OK) != 0) { /* not stopped in the write: end it */
    kill(pid, SIGKILL);
    conclab_finish(pid, out, err, &o);
    fail_msg("stopped, but %s is not there", tmp);
  }
  assert_int_equal(kill(pid, sig), 0);
  assert_int_equal(kill(pid, SIGCONT), 0);
  conclab_finish(pid, out, err, &o);
  if (o.status != 128 + sig)
    fail_msg("status %d, expected death by signal %d: %s", o.status, sig,
             o.err);
  if (dir_entries(dir) != 0)
    fail_msg("%s: left behind after signal %d (%s: %s)", dir, sig, tmp,
             access(tmp, F_OK) == 0 ? "there" : "gone");
}

static void sigterm_while_the_trace_is_written(void **state) {
  (void)state;
  signal_while_the_trace_is_written(SIGTERM);
}

static void sigint_while_the_trace_is_written(void **state) {
  (void)state;
  signal_while_the_trace_is_written(SIGINT);
}

static void sighup_while_the_trace_is_written(void **state) {
  (void)state;
  signal_while_the_trace_is_written(SIGHUP);
}

/* ---- a full disk --------------------------------------------------------- */

/* This process in a mount namespace of its own (mounts private, so none
 * reaches the machine's), and a 64 KiB tmpfs on dir.  0, or -1 where that
 * is not permitted (not root, or no namespaces in a container). */
static int small_tmpfs(void) {
  if (unshare(CLONE_NEWNS) != 0 ||
      /* a propagation change: source and type are not read */
      mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
    print_message("cannot mount a small tmpfs (%s): skipped\n",
                  strerror(errno));
    return -1;
  }
  return 0;
}

/* 200 KB of text: more than the tmpfs holds. */
static void write_200k(FILE *out, const void *arg) {
  (void)arg;
  for (int i = 0; i < 20000; i++)
    fputs("123456789\n", out);
}

/* base_atomic_write's message, from stderr, in msg. */
static int atomic_write_captured(const char *path, char *msg, size_t cap) {
  FILE *capture = tmpfile();
  int saved = dup(STDERR_FILENO), rc;
  size_t n;

  assert_non_null(capture);
  assert_true(saved >= 0);
  fflush(stderr);
  assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
  rc = base_atomic_write(path, write_200k, NULL);
  fflush(stderr);
  assert_true(dup2(saved, STDERR_FILENO) >= 0);
  close(saved);
  rewind(capture);
  n = fread(msg, 1, cap - 1, capture);
  msg[n] = '\0';
  fclose(capture);
  return rc;
}

static void disk_full_is_told_as_such(void **state) {
  char path[128], msg[512];
  const char *argv[] = {"conclab", "run", "sleep", "--model", "async",
                        "--tasks", "2000", "--delay-ms", "0", "--trace",
                        path, NULL};
  output *o;
  (void)state;

  if (small_tmpfs() != 0)
    skip();
  snprintf(path, sizeof path, "%s/big.txt", dir);
  assert_int_equal(base_atomic_write_errno(path, write_200k, NULL), ENOSPC);
  assert_int_equal(atomic_write_captured(path, msg, sizeof msg), -1);
  if (strstr(msg, "No space left on device") == NULL)
    fail_msg("base_atomic_write said: %s", msg);
  assert_int_equal(dir_entries(dir), 0);

  /* the trace of 2,000 tasks, about 400 KB */
  snprintf(path, sizeof path, "%s/t.json", dir);
  o = conclab(argv);
  assert_int_equal(o->status, 1);
  assert_int_equal(count_lines(o->err), 1);
  if (strstr(o->err, "--trace") == NULL ||
      strstr(o->err, "No space left on device") == NULL)
    fail_msg("conclab run --trace said: %s", o->err);
  assert_int_equal(dir_entries(dir), 0);
  assert_int_equal(umount(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(guard_removes_the_file_then_passes_on,
                                      make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(guard_leaves_an_ignored_signal_alone,
                                      make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(sigterm_while_the_trace_is_written,
                                      make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(sigint_while_the_trace_is_written,
                                      make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(sighup_while_the_trace_is_written,
                                      make_dir, remove_dir),
      cmocka_unit_test_setup_teardown(disk_full_is_told_as_such, make_dir,
                                      remove_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
