/*
 * test_lab_fork.c - the lab's process units, the process sweep, and the
 * `conclab lab` command end to end.  Everything here forks (label fork:
 * kept out of the TSan run).
 *
 * What is checked:
 *   - each unit that forks, with a tiny count: it succeeds, reports a
 *     positive cost, and leaves no child behind (waitpid(-1, WNOHANG) says
 *     ECHILD) and no descriptor open;
 *   - holding 20 processes: all 20 made, all reaped;
 *   - the command: a bad --only, --profile or --out is one line and exit
 *     2; `--profile smoke --only uv_timer,pthread` writes lab.json, the
 *     plot data and the README section; a second run with another unit
 *     merges into them (the first run's units stay) and replaces the
 *     section instead of adding one; --only into another profile's
 *     results is refused;
 *   - README.md is replaced with one rename, keeping what the suite wrote;
 *   - a unit that fails (as nobody, with too few processes to fork) gives
 *     exit 3 and a one-line count, and the files are still written;
 *   - the commands leave nothing in their $TMPDIR (one of the test's own).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "section.h"

static void no_child_left(void) {
  int status;
  assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
}

static void run_unit(const char *name, long count, long big_mb) {
  const lab_unit *u = lab_unit_find(name);
  lab_measure m = {0, 0, 0};
  int fds = open_fd_count();

  assert_non_null(u);
  if (u->run(count, big_mb, &m) != 0)
    fail_msg("unit %s failed", name);
  /* A cost is positive; a memory row's kernel part is the whole system's
   * and may move either way while other programs run, so it is not. */
  if (u->kind != LAB_MEMORY && !(m.value > 0))
    fail_msg("unit %s reported %g", name, m.value);
  no_child_left();
  assert_int_equal(open_fd_count(), fds);
}

static void test_units_fork(void **state) {
  (void)state;
  run_unit("fork", 5, 0);
  run_unit("fork_large", 3, 8); /* 8 MiB touched */
  run_unit("vfork", 5, 0);
  run_unit("vfork_large", 3, 8);
  run_unit("posix_spawn", 3, 0);
  run_unit("pipe_procs", 20, 0);
  run_unit("pipe_bw", 16, 0);
  run_unit("mem_process", 5, 0);
}

static void test_mem_process_user(void **state) {
  lab_measure m = {0, 0, 0};
  (void)state;
  /* Each child writes to its stack and the pipe: some pages of its own. */
  assert_int_equal(lab_unit_find("mem_process")->run(5, 0, &m), 0);
  assert_true(m.user_bytes > 0);
  no_child_left();
}

static void test_hold_processes(void **state) {
  lab_hold h;
  int fds = open_fd_count();
  (void)state;

  assert_int_equal(lab_hold_processes(20, &h), 0);
  assert_int_equal(h.got, 20);
  assert_int_equal(h.err, 0);
  assert_true(h.rss_kb > 0);
  no_child_left();
  assert_int_equal(open_fd_count(), fds);
}

/* ---- the command -------------------------------------------------------- */

static void one_line_usage(const char *const *argv, const char *names) {
  output *o = conclab(argv);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
  if (strstr(o->err, names) == NULL)
    fail_msg("stderr '%s' does not name %s", o->err, names);
}

static void test_cli_usage(void **state) {
  const char *only[] = {"conclab", "lab", "--only", "uv_timer,nope", NULL};
  const char *prof[] = {"conclab", "lab", "--profile", "huge", NULL};
  const char *out[] = {"conclab", "lab", "--profile", "smoke", "--out",
                       "/proc/conclab-no/x", "--only", "uv_timer", NULL};
  const char *flag[] = {"conclab", "lab", "--bogus", NULL};
  const char *empty[] = {"conclab", "lab", "--only", "", NULL};
  const char *trailing[] = {"conclab", "lab", "--only", "uv_timer,", NULL};
  const char *help[] = {"conclab", "lab", "--help", NULL};
  output *o;
  (void)state;

  one_line_usage(only, "'nope'");
  one_line_usage(prof, "--profile");
  one_line_usage(out, "--out");
  one_line_usage(flag, "--bogus");
  one_line_usage(empty, "--only: an empty unit name");
  one_line_usage(trailing, "--only: an empty unit name");
  o = conclab(help);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "--only"));
  assert_non_null(strstr(o->out, "used by the lab itself"));
}

/* Each command test's own directory, TOP: TOP/out is its --out, TOP/tmp
 * the runs' $TMPDIR (open to nobody), TOP/renames the shim's log.  The
 * teardown removes TOP whatever an assertion left there, and fails the
 * test if a run left anything in its $TMPDIR. */
static char g_top[64], g_out[96], g_tmp[96];

static int make_top(void **state) {
  (void)state;
  snprintf(g_top, sizeof g_top, "/tmp/conclab_lab_cli_XXXXXX");
  if (mkdtemp(g_top) == NULL || chmod(g_top, 0755) != 0)
    return -1;
  snprintf(g_out, sizeof g_out, "%s/out", g_top);
  snprintf(g_tmp, sizeof g_tmp, "%s/tmp", g_top);
  if (mkdir(g_out, 0700) != 0 || mkdir(g_tmp, 0777) != 0 ||
      chmod(g_tmp, 0777) != 0)
    return -1;
  return setenv("TMPDIR", g_tmp, 1);
}

static int remove_top(void **state) {
  int left = dir_entries(g_tmp);
  (void)state;

  unsetenv("TMPDIR");
  if (left != 0)
    print_error("%s: %d files left by the runs\n", g_tmp, left);
  walk_tree(g_top, 1);
  return left == 0 ? 0 : -1;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* DIR/data/lab.json read back (free it). */
static lab_data *read_lab_json(const char *path) {
  char *text = golden_slurp(path);
  lab_data *lab = calloc(1, sizeof *lab);

  assert_non_null(text);
  assert_non_null(lab);
  assert_int_equal(lab_read_json(text, lab), 0);
  free(text);
  return lab;
}

static int has_row(const lab_data *lab, const char *name) {
  for (int i = 0; i < lab->nrows; i++)
    if (strcmp(lab->rows[i].name, name) == 0)
      return 1;
  return 0;
}

static int has_sweep(const lab_data *lab, const char *model) {
  for (int i = 0; i < lab->nsweeps; i++)
    if (strcmp(lab->sweeps[i].model, model) == 0)
      return 1;
  return 0;
}

static void test_cli_end_to_end(void **state) {
  const char *dir = g_out;
  char path[160], *text, *sec;
  lab_data *lab;
  const char *first[] = {"conclab", "lab", "--profile", "smoke", "--only",
                         "uv_timer,pthread", "--out", dir, NULL};
  const char *second[] = {"conclab", "lab", "--profile", "smoke", "--only",
                          "sweep_processes", "--out", dir, NULL};
  const char *other_profile[] = {"conclab", "lab", "--only", "uv_timer",
                                 "--out", dir, NULL};
  output *o;
  (void)state;

  o = conclab(first);
  if (o->status != 0)
    fail_msg("exit %d: %s", o->status, o->err);
  assert_non_null(strstr(o->out, "uv_timer"));
  assert_non_null(strstr(o->err, "[1/2] uv_timer")); /* progress */

  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  lab = read_lab_json(path);
  assert_true(has_row(lab, "uv_timer"));
  assert_true(has_row(lab, "pthread"));
  assert_false(has_row(lab, "fork"));
  free(lab);
  snprintf(path, sizeof path, "%s/data/lab_units.dat", dir);
  text = golden_slurp(path);
  assert_int_equal(strncmp(text, "# label model median_ns min_ns max_ns\n"
                                 "uv_timer async ", 53), 0);
  free(text);

  snprintf(path, sizeof path, "%s/README.md", dir);
  sec = base_section_extract(path, "lab");
  assert_non_null(sec);
  assert_non_null(strstr(sec, "## The comparison table, measured"));
  assert_non_null(strstr(sec, "`pthread`"));
  free(sec);

  o = conclab(second);
  if (o->status != 0)
    fail_msg("exit %d: %s", o->status, o->err);
  text = golden_slurp(path);
  assert_int_equal(count(text, "<!-- lab:begin -->"), 1); /* not added */
  assert_non_null(strstr(text, "cap reached (10)"));
  assert_non_null(strstr(text, "`pthread`")); /* merged: the first run's */
  assert_non_null(strstr(text, "`uv_timer`"));
  free(text);
  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  lab = read_lab_json(path);
  assert_true(has_row(lab, "uv_timer"));
  assert_true(has_row(lab, "pthread"));
  assert_true(has_sweep(lab, "multiproc"));
  free(lab);
  snprintf(path, sizeof path, "%s/data/lab_units.dat", dir);
  text = golden_slurp(path);
  assert_non_null(strstr(text, "\npthread "));
  free(text);
  snprintf(path, sizeof path, "%s/README.md", dir);
  no_child_left();

  /* another profile's results are not mixed in: refused, nothing run */
  o = conclab(other_profile);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
  assert_non_null(strstr(o->err, "conclab: --only: "));

  /* the plots section (pictures, or why there are none) */
  text = golden_slurp(path);
  assert_non_null(strstr(text, "<!-- plots:begin -->\n## Plots"));
  free(text);

  /* the data files the lab wrote, and no temporary file anywhere */
  const char *files[] = {"data/lab.json", "data/lab_units.dat",
                         "data/lab_ipc.dat", "data/lab_memory.dat",
                         "data/lab_sweep.dat", "plots/lab_units.gp"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    assert_int_equal(access(path, R_OK), 0);
  }
  assert_int_equal(walk_tree(dir, 0), 0);
}

/* README.md is replaced once per run, whole: the suite's part of it kept,
 * the lab's section and the plots section new. */
static void test_cli_readme_one_rename(void **state) {
  const char *dir = g_out;
  char path[160], log[160];
  const char *argv[] = {"conclab", "lab", "--profile", "smoke", "--only",
                        "uv_timer", "--out", dir, NULL};
  run_env logged = {.log = log};
  FILE *f;
  char *text;
  output *o;
  (void)state;

  snprintf(path, sizeof path, "%s/README.md", dir);
  snprintf(log, sizeof log, "%s/renames", g_top);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("# the suite's tables\n\n<!-- plots:begin -->\nold plots\n"
        "<!-- plots:end -->\n", f);
  assert_int_equal(fclose(f), 0);
  o = conclab_in(argv, &logged);
  if (o->status != 0)
    fail_msg("exit %d: %s", o->status, o->err);
  assert_int_equal(lines_with(log, "/README.md"), 1);
  text = golden_slurp(path);
  assert_int_equal(strncmp(text, "# the suite's tables\n\n", 22), 0);
  assert_non_null(strstr(text, "<!-- lab:begin -->\n## The lab"));
  assert_non_null(strstr(text, "<!-- plots:begin -->\n## Plots"));
  assert_null(strstr(text, "old plots"));
  assert_non_null(strstr(text, "`data/lab.json`")); /* the files list */
  /* the order the suite writes too: lab, plots, files */
  assert_true(strstr(text, "<!-- lab:begin") < strstr(text, "<!-- plots:"));
  assert_true(strstr(text, "<!-- plots:begin") <
              strstr(text, "<!-- files:begin"));
  free(text);
}

/* As nobody with at most 2 processes, the lab and one measured child can
 * run, but the fork unit's child cannot fork: exit 3, one line with the
 * count, and the files still written. */
static void test_cli_failed_unit_exit_3(void **state) {
  const char *dir = g_out;
  char path[160];
  const char *argv[] = {"conclab", "lab", "--profile", "smoke", "--only",
                        "uv_timer,fork", "--out", dir, NULL};
  run_env limited = {.as_nobody = 1, .nproc = 2};
  lab_data *lab;
  int failed = -1, units = -1;
  const char *line;
  output *o;
  (void)state;

  assert_int_equal(chmod(dir, 0777), 0); /* for nobody */
  o = conclab_in(argv, &limited);
  if (o->status == RUN_ENV_NO_SETUP)
    skip(); /* not root: cannot become nobody */
  if (o->status != 3)
    fail_msg("exit %d: %s", o->status, o->err);
  assert_non_null(strstr(o->err, "conclab: lab: fork failed: "));
  line = strstr(o->err, "units failed");
  assert_non_null(line);
  assert_null(strstr(line + 1, "units failed")); /* one line */
  while (line > o->err && line[-1] != '\n')
    line--;
  assert_int_equal(sscanf(line, "conclab: lab: %d of %d units failed",
                          &failed, &units), 2);
  assert_true(failed >= 1); /* fork; uv_timer too, if nobody had more */
  assert_int_equal(units, 2);
  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  lab = read_lab_json(path);
  for (int i = 0; i < lab->nrows; i++)
    failed -= lab->rows[i].failed;
  assert_int_equal(failed, 0);
  free(lab);
  snprintf(path, sizeof path, "%s/README.md", dir);
  assert_int_equal(lines_with(path, "<!-- lab:begin -->"), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_units_fork),
      cmocka_unit_test(test_mem_process_user),
      cmocka_unit_test(test_hold_processes),
      cmocka_unit_test(test_cli_usage),
      cmocka_unit_test_setup_teardown(test_cli_end_to_end, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_cli_readme_one_rename, make_top,
                                      remove_top),
      cmocka_unit_test_setup_teardown(test_cli_failed_unit_exit_3, make_top,
                                      remove_top),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
