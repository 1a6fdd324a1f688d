/*
 * test_preflight.c - what `conclab run` checks before its clock starts.
 *
 * A run must never touch a path it did not create: when files or pipeline
 * cannot make their own directory inside --dir (read-only for this user,
 * or a file system out of inodes), the run fails at once - exit 1, one
 * line naming --dir and the reason - and a user's file that has a task
 * file's name (f0000000) keeps its content.  And a run that needs libuv's
 * threadpool checks first that it can have those threads (libuv aborts
 * when it cannot): exit 1 and one line, nothing left in --dir.  Too few
 * open files is said in the workload's words; a pipeline whose fetches
 * cannot even start says so.
 *
 * The binary runs as a child, as nobody when this test is root (so a
 * read-only directory is read-only), under the limits each case sets,
 * with a $TMPDIR of the test's own that must be empty at the end.
 */
#define _GNU_SOURCE /* unshare, CLONE_NEWNS */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "async.h"
#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"

#define USER_DATA "the user's own data, not conclab's\n"

/* Each test's own directory, TOP: TOP/tmp is the runs' $TMPDIR (open to
 * nobody), and the directories a test gives as --dir are made in TOP.
 * The teardown removes TOP whatever an assertion left there, and fails
 * the test if a run left anything in its $TMPDIR (a conclab-files-*
 * owned by nobody, say). */
static char g_top[64], g_tmp[96];

static int make_top(void **state) {
  (void)state;
  snprintf(g_top, sizeof g_top, "/tmp/conclab-test-preflight-XXXXXX");
  if (mkdtemp(g_top) == NULL || chmod(g_top, 0755) != 0)
    return -1;
  snprintf(g_tmp, sizeof g_tmp, "%s/tmp", g_top);
  if (mkdir(g_tmp, 0777) != 0 || chmod(g_tmp, 0777) != 0)
    return -1;
  return setenv("TMPDIR", g_tmp, 1);
}

/* TOP/name, made with mode (chmod'd, whatever the umask). */
static void top_dir(const char *name, mode_t mode, char *path, size_t cap) {
  snprintf(path, cap, "%s/%s", g_top, name);
  assert_int_equal(mkdir(path, mode), 0);
  assert_int_equal(chmod(path, mode), 0);
}

static int remove_top(void **state) {
  char path[128];
  int left = dir_entries(g_tmp);
  (void)state;

  unsetenv("TMPDIR");
  snprintf(path, sizeof path, "%s/full", g_top);
  umount2(path, MNT_DETACH); /* mounted if that test stopped early */
  snprintf(path, sizeof path, "%s/ro", g_top);
  chmod(path, 0700);           /* read-only if that test stopped early */
  if (left != 0)
    print_error("%s: %d files left by the runs\n", g_tmp, left);
  walk_tree(g_top, 1);
  return left == 0 ? 0 : -1;
}

/* Whether the child can run conclab as set up: as nobody, the build tree
 * must be reachable by others (a checkout under a 0700 home is not).  If
 * not, the test is skipped with the reason. */
static void skip_unless_runnable(const run_env *c) {
  const run_env plain = {.as_nobody = c->as_nobody};
  const char *argv[] = {"conclab", "--help", NULL};
  output *o = conclab_in(argv, &plain);
  if (o->status == RUN_ENV_NO_SETUP) {
    print_message("skipped: %s cannot run %s (exit %d)\n",
                  c->as_nobody ? "nobody" : "this user", CONCLAB_BIN,
                  o->status);
    skip();
  }
}

/* DIR/f0000000, the name of task 0's file, holding the user's data. */
static void user_file_make(const char *dir, char *path, size_t cap) {
  int fd;
  snprintf(path, cap, "%s/f0000000", dir);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, USER_DATA, strlen(USER_DATA)),
                   (ssize_t)strlen(USER_DATA));
  assert_int_equal(close(fd), 0);
  /* writable by anyone: only the run's own rule keeps it safe */
  assert_int_equal(chmod(path, 0666), 0);
}

static void user_file_intact(const char *path) {
  char buf[256];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n;
  assert_true(fd >= 0);
  n = read(fd, buf, sizeof buf - 1);
  assert_int_equal(close(fd), 0);
  assert_true(n >= 0);
  buf[n] = '\0';
  assert_string_equal(buf, USER_DATA);
}

/* The runs that write into --dir: files on two models, and pipeline (its
 * server is never reached: the run must stop before the first task). */
#define NRUNS 4
static void runs_in(const char *dir, const char *argv[NRUNS][12]) {
  const char *const table[NRUNS][12] = {
      {"conclab", "run", "files", "--tasks", "3", "--size", "100", "--dir",
       dir, NULL},
      {"conclab", "run", "files", "--model", "async", "--tasks", "3",
       "--size", "100", "--dir", dir, NULL},
      {"conclab", "run", "files", "--model", "threaded", "--tasks", "3",
       "--size", "100", "--dir", dir, NULL},
      {"conclab", "run", "pipeline", "--tasks", "2", "--url",
       "http://127.0.0.1:9", "--dir", dir, NULL},
  };
  memcpy(argv, table, sizeof table);
}

/* Each run fails before it starts: exit 1, one line naming --dir, the
 * directory and why; the user's file as it was, and nothing added. */
static void expect_refused(const char *dir, const char *why,
                           const run_env *c) {
  const char *argv[NRUNS][12];
  char path[4200], want[4400];

  runs_in(dir, argv);
  snprintf(path, sizeof path, "%s/f0000000", dir);
  for (int k = 0; k < NRUNS; k++) {
    output *o = conclab_in(argv[k], c);
    snprintf(want, sizeof want, "conclab: %s: cannot make a directory in "
             "--dir %s: %s\n", argv[k][2], dir, why);
    if (o->status != 1 || strcmp(o->err, want) != 0)
      print_error("%s %s: exit %d, stderr:\n%s", argv[k][2], argv[k][4],
                  o->status, o->err);
    user_file_intact(path);
    assert_int_equal(o->status, 1);
    assert_string_equal(o->err, want);
  }
}

/* A directory this user cannot write into (as nobody when root). */
static void test_readonly_dir_untouched(void **state) {
  char dir[128], path[4200];
  run_env c = {.as_nobody = geteuid() == 0};
  (void)state;
  skip_unless_runnable(&c);
  top_dir("ro", 0700, dir, sizeof dir);
  user_file_make(dir, path, sizeof path);
  assert_int_equal(chmod(dir, 0555), 0);
  expect_refused(dir, "Permission denied", &c);
  assert_int_equal(dir_entries(dir), 1);
}

/* A file system with no inode left (a small tmpfs, in a mount namespace
 * of this test's own): root can write anywhere, but not there. */
static void test_full_dir_untouched(void **state) {
  char dir[128], path[4200], fill[4300];
  run_env c = {0};
  int n = 0, entries;
  (void)state;
  if (geteuid() != 0 || unshare(CLONE_NEWNS) != 0) {
    print_message("skipped: a private tmpfs needs root and a mount "
                  "namespace (unshare: %s)\n", strerror(errno));
    skip();
  }
  assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
  top_dir("full", 0700, dir, sizeof dir);
  assert_int_equal(mount("conclab-test", dir, "tmpfs", 0,
                         "nr_inodes=8,size=1m,mode=0755"), 0);
  user_file_make(dir, path, sizeof path);
  for (;;) { /* use up the inodes */
    int fd;
    snprintf(fill, sizeof fill, "%s/fill%d", dir, n);
    fd = open(fill, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      break;
    assert_int_equal(close(fd), 0);
    assert_true(++n < 100);
  }
  assert_int_equal(errno, ENOSPC);
  entries = dir_entries(dir);
  expect_refused(dir, "No space left on device", &c);
  assert_int_equal(dir_entries(dir), entries);
  assert_int_equal(umount(dir), 0);
}

/* The async runs that start libuv's threadpool; --dir, where one is made.
 * big: ask for a pool of 1024 threads. */
#define NPOOLRUNS 3
static void pool_runs(const char *dir, int big,
                      const char *argv[NPOOLRUNS][16]) {
  const char *pool = big ? "--threadpool" : NULL;
  const char *const table[NPOOLRUNS][16] = {
      {"conclab", "run", "files", "--model", "async", "--tasks", "3",
       "--size", "100", "--dir", dir, pool, "1024", NULL},
      {"conclab", "run", "primes", "--model", "async", "--offload",
       "--tasks", "4", "--limit", "1000", big ? "--concurrency" : NULL,
       "1024", NULL},
      {"conclab", "run", "pipeline", "--model", "async", "--tasks", "2",
       "--url", "http://127.0.0.1:9", "--dir", dir, pool, "1024", NULL},
  };
  memcpy(argv, table, sizeof table);
}

/* Each run stops before it starts: exit 1, one line saying why, and no
 * directory of its own left in dir. */
static void expect_no_pool(const run_env *c, int big) {
  char dir[128];
  const char *argv[NPOOLRUNS][16];

  skip_unless_runnable(c);
  top_dir("pool", 0777, dir, sizeof dir); /* nobody may make one here */
  pool_runs(dir, big, argv);
  for (int k = 0; k < NPOOLRUNS; k++) {
    output *o = conclab_in(argv[k], c);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "conclab: %s: cannot start libuv's "
             "threadpool: thread ", argv[k][2]);
    if (o->status != 1)
      print_error("%s: exit %d, stderr:\n%s", argv[k][2], o->status,
                  o->err);
    assert_int_equal(o->status, 1);
    assert_int_equal(count_lines(o->err), 1);
    assert_memory_equal(o->err, prefix, strlen(prefix));
    assert_int_equal(dir_entries(dir), 0);
  }
}

/* No thread can be had: one process allowed (as nobody when root, as
 * root's own count ignores the limit). */
static void test_no_threads_said(void **state) {
  run_env c = {.as_nobody = geteuid() == 0, .nproc = 1};
  (void)state;
  expect_no_pool(&c, 0);
}

/* The embedded server is a process that ulimit -u counts as well: a
 * limit that leaves room for the pool's two threads beside conclab, but
 * not beside conclab and its server, is found before the run too. */
static void test_no_threads_beside_the_server(void **state) {
  run_env c = {.as_nobody = geteuid() == 0, .nproc = 3};
  char dir[128];
  const char *argv[] = {"conclab", "run", "pipeline", "--model", "async",
                        "--tasks", "2", "--threadpool", "2", "--dir", dir,
                        NULL};
  output *o;
  (void)state;
  skip_unless_runnable(&c);
  top_dir("pool", 0777, dir, sizeof dir); /* nobody may make one here */
  o = conclab_in(argv, &c);
  if (o->status != 1)
    print_error("exit %d, stderr:\n%s", o->status, o->err);
  assert_int_equal(o->status, 1);
  assert_int_equal(count_lines(o->err), 1);
  /* the pool's check, or (with other processes of nobody's about) the
   * server's start: either way one line, and nothing left */
  assert_memory_equal(o->err, "conclab: ", 9);
  assert_int_equal(dir_entries(dir), 0);
}

/* A server that cannot be started (no process left for it) stops the
 * run before it starts, in one line that names the workload it serves. */
static void test_server_not_started_said(void **state) {
  run_env c = {.as_nobody = geteuid() == 0, .nproc = 1};
  char dir[128];
  const char *argv[] = {"conclab", "run", "pipeline", "--model", "seq",
                        "--tasks", "2", "--dir", dir, NULL};
  output *o;
  (void)state;
  skip_unless_runnable(&c);
  top_dir("server", 0777, dir, sizeof dir);
  o = conclab_in(argv, &c);
  if (o->status != 1)
    print_error("exit %d, stderr:\n%s", o->status, o->err);
  assert_int_equal(o->status, 1);
  assert_int_equal(count_lines(o->err), 1);
  assert_memory_equal(o->err, "conclab: pipeline: fork the server: ", 36);
  assert_int_equal(dir_entries(dir), 0);
}

/* Too little address space for the pool's stacks (ulimit -v): a pool of
 * 1024 threads, at least 2 MiB of stack each, in 512 MiB.  Not under
 * AddressSanitizer, which reserves far more than that at start. */
static void test_small_address_space_said(void **state) {
  run_env c = {.address_space = (rlim_t)512 << 20};
  (void)state;
#if defined(__SANITIZE_ADDRESS__)
  print_message("skipped: AddressSanitizer needs more address space\n");
  skip();
#endif
  expect_no_pool(&c, 1);
}

/* Too few open files for the concurrency asked (ulimit -n): bad usage,
 * in words that fit the workload - a files task holds one file open. */
static void test_open_files_said(void **state) {
  run_env c = {.open_files = 64};
  const char *files[] = {"conclab", "run", "files", "--model", "async",
                         "--tasks", "100", "--concurrency", "100",
                         "--size", "10", NULL};
  const char *pipeline[] = {"conclab", "run", "pipeline", "--model", "async",
                            "--tasks", "100", "--concurrency", "100",
                            "--url", "http://127.0.0.1:9", NULL};
  output *o;
  (void)state;
  o = conclab_in(files, &c);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
  assert_non_null(strstr(o->err, "--concurrency: 100 files open at once "
                                 "need about "));
  o = conclab_in(pipeline, &c);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
  assert_non_null(strstr(o->err, "100 tasks in flight (a socket and a "
                                 "file) need about "));
}

/* Memory short in the middle of a run (ulimit -v leaves room for the
 * pool, not for one 64 MiB body): every fetch fails, and the first
 * failure is said, as in the other workloads.  Not under AddressSanitizer,
 * which reserves far more than that at start. */
static void test_pipeline_failure_said(void **state) {
  run_env c = {.address_space = (rlim_t)80 << 20};
  const char *argv[] = {"conclab", "run", "pipeline", "--model", "async",
                        "--tasks", "4", "--size", "67108864", "--url",
                        "http://127.0.0.1:9", NULL};
  output *o;
  (void)state;
#if defined(__SANITIZE_ADDRESS__)
  print_message("skipped: AddressSanitizer needs more address space\n");
  skip();
#endif
  o = conclab_in(argv, &c);
  assert_int_equal(o->status, 3);
  if (strstr(o->err, "conclab: pipeline: task ") != o->err)
    fail_msg("nothing said of the failed tasks: stderr '%s'", o->err);
  assert_non_null(strstr(o->err, "no memory for the body"));
}

/* The size the check asks for is the one libuv will make: its rule for
 * UV_THREADPOOL_SIZE (0 is 1; above 1024, or negative, is 1024). */
static void test_pool_size_as_libuv_reads_it(void **state) {
  static const struct { const char *env; int set, want; } cases[] = {
      {NULL, 0, 4},     {"8", 0, 8},   {"0", 0, 1},      {"-1", 0, 1024},
      {"5000", 0, 1024}, {"8", 3, 3},  {NULL, 2000, 1024},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (cases[i].env != NULL)
      setenv("UV_THREADPOOL_SIZE", cases[i].env, 1);
    else
      unsetenv("UV_THREADPOOL_SIZE");
    assert_int_equal(as_threadpool_size(cases[i].set), cases[i].want);
  }
  unsetenv("UV_THREADPOOL_SIZE");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_readonly_dir_untouched, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_full_dir_untouched, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_no_threads_said, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_no_threads_beside_the_server,
                                      make_top, remove_top),
      cmocka_unit_test_setup_teardown(test_server_not_started_said,
                                      make_top, remove_top),
      cmocka_unit_test_setup_teardown(test_small_address_space_said, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_open_files_said, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_pipeline_failure_said, make_top,
                                      remove_top),
      cmocka_unit_test(test_pool_size_as_libuv_reads_it),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
