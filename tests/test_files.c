/*
 * test_files.c - the files workload in every model, in this process.
 *
 * Every model's checksum equals seq's (async with the default threadpool
 * and with others); empty files work; a directory nobody can write into
 * fails every task, each on its own, and the batch still finishes; the
 * batch's files are gone once the directory is closed.  Under
 * ThreadSanitizer the multiproc model is left out (it forks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "helpers.h"

#if defined(__SANITIZE_THREAD__)
#define LAST_MODEL RUN_THREADED
#else
#define LAST_MODEL RUN_MULTIPROC
#endif

static run_opts opts(run_model model, int tasks, long long size,
                     const char *dir) {
  run_opts o;
  memset(&o, 0, sizeof o);
  o.wl = &wl_files;
  o.model = model;
  o.params.tasks = tasks;
  o.params.concurrency = model == RUN_SEQ ? 1 : 4;
  o.params.size = size;
  o.params.dir = dir;
  return o;
}

/* Run in a fresh temporary directory; check it is removed afterwards. */
static run_result run_in_temp(run_opts *o) {
  char dir[RUN_WORKDIR_MAX];
  run_result r;
  assert_int_equal(
      run_workdir_open("files", NULL, o->params.tasks, dir, sizeof dir), 0);
  o->params.dir = dir;
  assert_int_equal(run_exec(o, &r), 0);
  assert_int_equal(dir_entries(dir),
                   o->params.tasks == 0 ? 0 : o->params.tasks);
  run_workdir_close();
  assert_int_equal(access(dir, F_OK), -1); /* removed */
  return r;
}

static void test_checksums_match_seq(void **state) {
  (void)state;
  /* sizes: a part of a chunk, several chunks and a bit, and empty */
  static const long long sizes[] = {1000, 3 * 65536 + 17, 0};
  for (size_t k = 0; k < 3; k++) {
    run_opts o = opts(RUN_SEQ, 12, sizes[k], NULL);
    run_result seq = run_in_temp(&o);
    assert_int_equal(seq.ok, 12);
    for (int m = RUN_ASYNC; m <= LAST_MODEL; m++) {
      run_result r;
      o = opts((run_model)m, 12, sizes[k], NULL);
      r = run_in_temp(&o);
      assert_int_equal(r.ok, 12);
      assert_true(r.checksum == seq.checksum);
    }
    for (int pool = 1; pool <= 16; pool *= 4) { /* async: 1, 4, 16 threads */
      run_result r;
      o = opts(RUN_ASYNC, 12, sizes[k], NULL);
      o.threadpool = pool; /* set in the env; the first run's size holds */
      r = run_in_temp(&o);
      assert_true(r.checksum == seq.checksum);
    }
  }
}

/* --fsync changes nothing but the time. */
static void test_fsync_same_result(void **state) {
  run_opts o = opts(RUN_SEQ, 4, 5000, NULL);
  run_result plain = run_in_temp(&o), synced;
  (void)state;
  for (int m = RUN_SEQ; m <= LAST_MODEL; m++) {
    o = opts((run_model)m, 4, 5000, NULL);
    o.params.fsync = 1;
    synced = run_in_temp(&o);
    assert_int_equal(synced.ok, 4);
    assert_true(synced.checksum == plain.checksum);
  }
}

/* A "directory" that is a file: every open fails (root can write almost
 * anywhere, so permissions would not do); every task fails on its own. */
static void test_unwritable_dir_fails_each_task(void **state) {
  char file[] = "/tmp/conclab-test-notadir-XXXXXX";
  int fd = mkstemp(file);
  (void)state;
  assert_true(fd >= 0);
  close(fd);
  for (int m = RUN_SEQ; m <= LAST_MODEL; m++) {
    run_opts o = opts((run_model)m, 6, 100, file);
    run_result r;
    int fds = open_fd_count();
    assert_int_equal(run_exec(&o, &r), 0);
    assert_int_equal(r.failed, 6);
    assert_int_equal(r.ok, 0);
    assert_int_equal(open_fd_count(), fds);
  }
  unlink(file);
}

/* --dir: the files go into a fresh directory inside the user's, which is
 * removed afterwards; the user's own files are never touched. */
static void test_user_dir_kept_files_removed(void **state) {
  char dir[] = "/tmp/conclab-test-dir-XXXXXX", got[RUN_WORKDIR_MAX];
  char mine[sizeof dir + 16];
  run_opts o = opts(RUN_THREADED, 5, 300, NULL);
  run_result r;
  FILE *f;
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(mine, sizeof mine, "%s/f0000000", dir); /* the user's file */
  f = fopen(mine, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(run_workdir_open("files", dir, 5, got, sizeof got), 0);
  assert_memory_equal(got, dir, strlen(dir));
  assert_true(strlen(got) > strlen(dir)); /* a directory inside it */
  o.params.dir = got;
  assert_int_equal(run_exec(&o, &r), 0);
  assert_int_equal(r.ok, 5);
  assert_int_equal(dir_entries(got), 5);
  run_workdir_close();
  assert_int_equal(access(got, F_OK), -1);
  assert_int_equal(dir_entries(dir), 1); /* only the user's file */
  assert_int_equal(unlink(mine), 0);
  assert_int_equal(rmdir(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_checksums_match_seq),
      cmocka_unit_test(test_fsync_same_result),
      cmocka_unit_test(test_unwritable_dir_fails_each_task),
      cmocka_unit_test(test_user_dir_kept_files_removed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
