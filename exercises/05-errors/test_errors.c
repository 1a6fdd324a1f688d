/*
 * test_errors.c - the checks for exercise 05.
 *
 * The group setup makes a fresh directory with three files of known
 * sizes and a subdirectory; the tests stat lists of paths in it, some of
 * which cannot be statted, for real reasons libuv reports: no such file
 * (UV_ENOENT), a file used as a directory (UV_ENOTDIR), a name too long
 * (UV_ENAMETOOLONG).  Every slot starts out as garbage, so a slot left
 * unfilled shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expect.h"
#include "errors.h"

enum { PATH_MAX_LEN = 600 };

static char dir[64];                /* the group's directory */
static const size_t sizes[3] = {0, 100, 12345}; /* of files f0, f1, f2 */

/* A path inside the directory: dir/name. */
static char *path_in(const char *name) {
  char *p = malloc(PATH_MAX_LEN);
  assert_non_null(p);
  snprintf(p, PATH_MAX_LEN, "%s/%s", dir, name);
  return p;
}

static void free_paths(char **paths, int n) {
  for (int i = 0; i < n; i++)
    free(paths[i]);
}

static int write_file(const char *path, size_t size) {
  static const char chunk[512] = {0};
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  while (size > 0) {
    size_t want = size < sizeof chunk ? size : sizeof chunk;
    ssize_t w = write(fd, chunk, want);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      close(fd);
      return -1;
    }
    size -= (size_t)w;
  }
  return close(fd);
}

static int group_setup(void **state) {
  char path[PATH_MAX_LEN];
  (void)state;
  snprintf(dir, sizeof dir, "%s/ex05-XXXXXX",
           getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 40
               ? getenv("TMPDIR")
               : "/tmp");
  if (mkdtemp(dir) == NULL)
    return -1;
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/f%d", dir, i);
    if (write_file(path, sizes[i]) != 0)
      return -1;
  }
  snprintf(path, sizeof path, "%s/sub", dir);
  return mkdir(path, 0755);
}

static int group_teardown(void **state) {
  char path[PATH_MAX_LEN];
  (void)state;
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/f%d", dir, i);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/sub", dir);
  rmdir(path);
  return rmdir(dir);
}

static int loop_setup(void **state) {
  uv_loop_t *loop = malloc(sizeof *loop);
  if (loop == NULL || uv_loop_init(loop) != 0)
    return -1;
  *state = loop;
  return 0;
}

/* Every request done and every handle closed: uv_loop_close refuses
 * (UV_EBUSY) otherwise. */
static int loop_teardown(void **state) {
  uv_loop_t *loop = *state;
  int rc = uv_loop_close(loop);
  free(loop);
  return rc;
}

static void garbage(er_result *r, int n) {
  for (int i = 0; i < n; i++)
    r[i] = (er_result){.status = (er_status)77, .size = 999, .err = 1};
}

static void assert_ok(const er_result *r, size_t size) {
  expect_int(r->status, ER_OK);
  expect_int(r->size, size);
  expect_int(r->err, 0);
}

static void assert_failed(const er_result *r, int err) {
  expect_int(r->status, ER_ERROR);
  expect_int(r->size, 0);
  /* compare the names: a mismatch then reads "ENOENT" != "ENOTDIR" */
  assert_string_equal(uv_err_name(r->err), uv_err_name(err));
}

/* Failures in the middle: each has its own error, and every task after
 * one still ran. */
static void mixed(void **state) {
  enum { N = 7 };
  char longname[300];
  char *paths[N];
  er_result r[N];

  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  paths[0] = path_in("f2");
  paths[1] = path_in("missing");   /* no such file */
  paths[2] = path_in("f1");
  paths[3] = path_in("f1/inside"); /* f1 is a file, not a directory */
  paths[4] = path_in("f0");
  paths[5] = path_in(longname);    /* a name over 255 bytes */
  paths[6] = path_in("sub");
  garbage(r, N);

  er_counts c = er_stat_all(*state, (const char *const *)paths, N, r);

  expect_int(c.ok, 4);
  expect_int(c.failed, 3);
  assert_ok(&r[0], sizes[2]);
  assert_failed(&r[1], UV_ENOENT);
  assert_ok(&r[2], sizes[1]);
  assert_failed(&r[3], UV_ENOTDIR);
  assert_ok(&r[4], sizes[0]);
  assert_failed(&r[5], UV_ENAMETOOLONG);
  expect_int(r[6].status, ER_OK); /* a directory has a size too */
  expect_int(r[6].err, 0);
  free_paths(paths, N);
}

/* The first task fails: the rest run all the same. */
static void first_fails(void **state) {
  char *paths[3] = {path_in("nothing/here"), path_in("f1"), path_in("f2")};
  er_result r[3];

  garbage(r, 3);
  er_counts c = er_stat_all(*state, (const char *const *)paths, 3, r);
  expect_int(c.ok, 2);
  expect_int(c.failed, 1);
  assert_failed(&r[0], UV_ENOENT);
  assert_ok(&r[1], sizes[1]);
  assert_ok(&r[2], sizes[2]);
  free_paths(paths, 3);
}

static void all_fail(void **state) {
  enum { N = 5 };
  char *paths[N];
  char name[32];
  er_result r[N];

  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "gone-%d", i);
    paths[i] = path_in(name);
  }
  garbage(r, N);
  er_counts c = er_stat_all(*state, (const char *const *)paths, N, r);
  expect_int(c.ok, 0);
  expect_int(c.failed, N);
  for (int i = 0; i < N; i++)
    assert_failed(&r[i], UV_ENOENT);
  free_paths(paths, N);
}

static void all_ok(void **state) {
  char *paths[3] = {path_in("f0"), path_in("f1"), path_in("f2")};
  er_result r[3];

  garbage(r, 3);
  er_counts c = er_stat_all(*state, (const char *const *)paths, 3, r);
  expect_int(c.ok, 3);
  expect_int(c.failed, 0);
  for (int i = 0; i < 3; i++)
    assert_ok(&r[i], sizes[i]);
  free_paths(paths, 3);
}

static void no_tasks(void **state) {
  er_counts c = er_stat_all(*state, NULL, 0, NULL);
  expect_int(c.ok, 0);
  expect_int(c.failed, 0);
}

/* A thousand requests on libuv's threadpool, completing in whatever
 * order its threads finish them: every slot still matches its path. */
static void a_thousand(void **state) {
  enum { N = 1000 };
  char **paths = malloc(N * sizeof *paths);
  er_result *r = malloc(N * sizeof *r);
  char name[32];

  assert_non_null(paths);
  assert_non_null(r);
  for (int i = 0; i < N; i++) {
    if (i % 4 == 3)
      snprintf(name, sizeof name, "missing-%d", i);
    else
      snprintf(name, sizeof name, "f%d", i % 4);
    paths[i] = path_in(name);
  }
  garbage(r, N);
  er_counts c = er_stat_all(*state, (const char *const *)paths, N, r);
  expect_int(c.ok, 3 * N / 4);
  expect_int(c.failed, N / 4);
  for (int i = 0; i < N; i++) {
    if (i % 4 == 3)
      assert_failed(&r[i], UV_ENOENT);
    else
      assert_ok(&r[i], sizes[i % 4]);
  }
  free_paths(paths, N);
  free(paths);
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(mixed, loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(first_fails, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(all_fail, loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(all_ok, loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(no_tasks, loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(a_thousand, loop_setup,
                                      loop_teardown),
  };
  return cmocka_run_group_tests_name("05-errors", tests, group_setup,
                                     group_teardown);
}
