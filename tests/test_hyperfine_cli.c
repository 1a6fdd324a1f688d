/*
 * test_hyperfine_cli.c - the hyperfine cross-check, with processes.
 *
 * What is checked:
 *   - `conclab suite --hyperfine` with no hyperfine on PATH exits 2 with
 *     one line naming the flag, before running anything;
 *   - tool_hf_time with a stand-in hyperfine (a shell script) that fails, or
 * that writes a broken export: -1 with the reason, and no temporary file left
 * in $TMPDIR;
 *   - SIGTERM or SIGINT to a process in tool_hf_time while the stand-in runs:
 *     it dies of the signal, hyperfine and the run it started are gone,
 *     and no conclab-hf-* file is left in $TMPDIR;
 *   - with the real hyperfine (skipped, with a message, where it is not
 *     installed; CI installs it): tool_hf_time on a conclab run that sleeps
 *     2 x 20 ms reads back the command and a median of at least 40 ms, and
 *     the smoke suite with --hyperfine writes the report's section,
 *     data/hyperfine/ (one file per experiment, one result per cell in
 *     all) and leaves no temporary file behind.
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

#include <cjson/cJSON.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hyperfine.h"

/* A private $TMPDIR for each test.  It must be empty after (a test
 * removes the files it made itself); it is removed whatever is left, so
 * that a failed assertion leaves nothing in /tmp. */
static char tmpdir[64];

static int make_tmpdir(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/conclab_test_hfcli_XXXXXX");
  if (mkdtemp(tmpdir) == NULL)
    return -1;
  setenv("TMPDIR", tmpdir, 1);
  return 0;
}

static int remove_tmpdir(void **state) {
  int left = dir_entries(tmpdir);
  (void)state;

  unsetenv("TMPDIR");
  if (left != 0)
    print_error("%s: %d files left behind\n", tmpdir, left);
  walk_tree(tmpdir, 1);
  return left == 0 ? 0 : -1; /* fails the test when something was left */
}

/* Write an executable script. */
static void write_script(const char *path, const char *body) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(body, f);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(chmod(path, 0755), 0);
}

/* Run conclab with argv and PATH=path; its exit status; its stderr in err. */
static int run_conclab(const char *const *argv, const char *path, char *err,
                       size_t cap) {
  FILE *ef = tmpfile();
  pid_t pid;
  int status;
  size_t n;

  assert_non_null(ef);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (path != NULL)
      setenv("PATH", path, 1);
    dup2(fileno(ef), STDERR_FILENO);
    if (freopen("/dev/null", "w", stdout) == NULL)
      _exit(126);
    execv(CONCLAB_BIN, (char *const *)argv);
    _exit(127);
  }
  assert_int_equal(waitpid(pid, &status, 0), pid);
  rewind(ef);
  n = fread(err, 1, cap - 1, ef);
  err[n] = '\0';
  fclose(ef);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void asked_for_but_missing_exits_2(void **state) {
  char out[128], err[4096];
  struct stat st;
  const char *argv[] = {"conclab", "suite", "--profile", "smoke",
                        "--hyperfine", "--out", out, NULL};
  (void)state;

  snprintf(out, sizeof out, "%s/out", tmpdir);
  /* PATH: an empty directory, so no hyperfine */
  assert_int_equal(run_conclab(argv, tmpdir, err, sizeof err), 2);
  assert_int_equal(count_lines(err), 1);
  assert_non_null(strstr(err, "--hyperfine"));
  assert_non_null(strstr(err, "PATH"));
  assert_int_equal(stat(out, &st), -1); /* nothing was run or written */
}

/* A stand-in hyperfine: fails with a message, or exports garbage. */
static void stand_in_failures(void **state) {
  char fake[128], why[160];
  tool_hf_result r;
  (void)state;

  snprintf(fake, sizeof fake, "%s/hyperfine", tmpdir);
  write_script(fake, "#!/bin/sh\necho 'Error: Command terminated with "
                     "non-zero exit code 3' >&2\nexit 1\n");
  assert_int_equal(
      tool_hf_time(fake, "conclab run x", 1, 2, &r, why, sizeof why), -1);
  assert_non_null(strstr(why, "hyperfine exit 1"));
  assert_non_null(strstr(why, "non-zero exit code 3"));

  /* it exits 0 but the export (the argument after --export-json) is cut
   * short */
  write_script(fake, "#!/bin/sh\nwhile [ \"$1\" != --export-json ]; do "
                     "shift; done\nprintf '{\"results\": [{' > \"$2\"\n");
  assert_int_equal(
      tool_hf_time(fake, "conclab run x", 1, 2, &r, why, sizeof why), -1);
  assert_non_null(strstr(why, "cannot read"));
  assert_int_equal(unlink(fake), 0);
  /* remove_tmpdir checks that no export was left behind */
}

/* ---- a signal while hyperfine runs --------------------------------------- */

/* Is pid gone (or a zombie nobody has reaped yet)?  Polled for up to 5 s:
 * an orphan is reaped by init, in its own time. */
static int process_gone(pid_t pid) {
  const struct timespec tick = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 500; i++) {
    char path[64], stat[256];
    FILE *f;
    char *paren;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if ((f = fopen(path, "r")) == NULL)
      return 1;
    stat[0] = '\0';
    if (fgets(stat, sizeof stat, f) == NULL)
      stat[0] = '\0';
    fclose(f);
    paren = strrchr(stat, ')');
    if (paren != NULL && paren[1] == ' ' && paren[2] == 'Z')
      return 1;
    nanosleep(&tick, NULL);
  }
  return 0;
}

/* Files in the test's $TMPDIR named conclab-hf-*: tool_hf_time's export or
 * hyperfine's stderr. */
static int hf_temporaries(void) {
  DIR *d = opendir(tmpdir);
  struct dirent *e;
  int n = 0;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL)
    n += strncmp(e->d_name, "conclab-hf-", 11) == 0;
  closedir(d);
  return n;
}

/* The suite, stopped by sig while hyperfine runs: here a process in
 * tool_hf_time with a stand-in hyperfine that starts a run of its own (a sleep)
 * and waits.  The signal goes to that process only, as `kill PID` or a
 * CI timeout sends it.  It must die of the signal, and take hyperfine and
 * its run with it, and leave no export behind. */
static void signal_while_hyperfine_runs(int sig) {
  char fake[128], pids[128], script[512], why[160];
  const struct timespec tick = {0, 10 * 1000 * 1000};
  long hf_pid = 0, run_pid = 0;
  int status, hf_gone, run_gone;
  tool_hf_result r;
  pid_t pid;
  FILE *f;

  snprintf(fake, sizeof fake, "%s/hyperfine", tmpdir);
  snprintf(pids, sizeof pids, "%s/pids", tmpdir);
  snprintf(script, sizeof script,
           "#!/bin/sh\nsleep 60 &\necho \"$$ $!\" > %s.new\n"
           "mv %s.new %s\nwait\n", pids, pids, pids);
  write_script(fake, script);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    tool_hf_time(fake, "conclab run x", 1, 2, &r, why, sizeof why);
    _exit(0); /* not reached: the signal ends it */
  }
  for (int i = 0; i < 1000 && (f = fopen(pids, "r")) == NULL; i++)
    nanosleep(&tick, NULL);
  assert_non_null(f);
  assert_int_equal(fscanf(f, "%ld %ld", &hf_pid, &run_pid), 2);
  fclose(f);
  assert_int_equal(kill(pid, sig), 0);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  hf_gone = process_gone((pid_t)hf_pid);
  run_gone = process_gone((pid_t)run_pid);
  if (!hf_gone) /* leave nothing running, whatever the verdict */
    kill((pid_t)hf_pid, SIGKILL);
  if (!run_gone)
    kill((pid_t)run_pid, SIGKILL);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), sig);
  if (!hf_gone || !run_gone)
    fail_msg("signal %d: left running: %s%s", sig,
             hf_gone ? "" : "hyperfine ", run_gone ? "" : "its run");
  assert_int_equal(hf_temporaries(), 0);
  assert_int_equal(unlink(pids), 0);
  assert_int_equal(unlink(fake), 0);
}

static void sigterm_while_hyperfine_runs(void **state) {
  (void)state;
  signal_while_hyperfine_runs(SIGTERM);
}

/* The stand-in's run ignores SIGINT (a shell's background job does): it
 * is killed once the grace period is over. */
static void sigint_while_hyperfine_runs(void **state) {
  (void)state;
  signal_while_hyperfine_runs(SIGINT);
}

static int have_hyperfine(char *path, size_t cap) {
  if (tool_hf_find(path, cap) == 0)
    return 1;
  print_message("hyperfine is not installed: skipped (.ci/deps installs "
                "it)\n");
  return 0;
}

static void real_hyperfine_times_a_run(void **state) {
  char hyperfine[4200], why[160], command[512];
  char *argv[] = {CONCLAB_BIN, "run", "sleep", "--model", "seq", "--tasks",
                  "2", "--delay-ms", "20", "--json", NULL};
  tool_hf_result r;
  (void)state;

  if (!have_hyperfine(hyperfine, sizeof hyperfine))
    skip();
  assert_int_equal(tool_hf_command_line(argv, command, sizeof command), 0);
  if (tool_hf_time(hyperfine, command, 1, 2, &r, why, sizeof why) != 0)
    fail_msg("tool_hf_time: %s", why);
  assert_string_equal(r.command, command);
  assert_int_equal(r.ntimes, 2);
  assert_true(r.median >= 0.040); /* two sleeps of 20 ms, one after another */
  free(r.command);
  free(r.times);
  free(r.exit_codes);
}

/* The suite's output directory, checked for temporaries, then removed. */
static void remove_tree(const char *dir) {
  assert_int_equal(walk_tree(dir, 0), 0); /* no writer's temporary left */
  walk_tree(dir, 1);
  assert_int_equal(access(dir, F_OK), -1);
}

static void smoke_suite_with_cross_check(void **state) {
  char hyperfine[4200], out[128], path[512], err[8192], *md, *line;
  const char *argv[] = {"conclab", "suite", "--profile", "smoke", "--runs",
                        "1", "--hyperfine", "--out", out, NULL};
  tool_hf_result *r;
  int n, rows = 0;
  (void)state;

  if (!have_hyperfine(hyperfine, sizeof hyperfine))
    skip();
  snprintf(out, sizeof out, "%s/out", tmpdir);
  if (run_conclab(argv, NULL, err, sizeof err) != 0)
    fail_msg("suite: %s", err);

  snprintf(path, sizeof path, "%s/README.md", out);
  md = golden_slurp(path);
  line = strstr(md, "## Whole-process timing (hyperfine)");
  assert_non_null(line);
  assert_non_null(strstr(line, "Start-up (`conclab run sleep"));
  /* one row per chosen cell, each with a verdict */
  for (char *p = strchr(line, '\n'); p != NULL; p = strchr(p, '\n')) {
    char *end = strchr(++p, '\n');
    if (end != NULL)
      *end = '\0';
    if (strncmp(p, "| ", 2) == 0 && strncmp(p, "| cell", 6) != 0 &&
        (strstr(p, "| agree within 10% |") != NULL ||
         strstr(p, "| differ |") != NULL))
      rows++;
    if (end == NULL)
      break;
    *end = '\n';
  }
  assert_true(rows >= 4);
  free(md);

  snprintf(path, sizeof path, "%s/data/summary.json", out);
  md = golden_slurp(path);
  assert_non_null(md);
  {
    cJSON *doc = cJSON_Parse(md);
    const cJSON *state = cJSON_GetObjectItem(
        cJSON_GetObjectItem(doc, "hyperfine"), "state");
    assert_true(cJSON_IsString(state));
    assert_string_equal(state->valuestring, "done");
    cJSON_Delete(doc);
  }
  free(md);

  {
    int cells = 0, files = 0;
    struct dirent *e;
    DIR *d;
    snprintf(path, sizeof path, "%s/data/hyperfine", out);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.')
        continue;
      snprintf(path, sizeof path, "%s/data/hyperfine/%s", out, e->d_name);
      assert_int_equal(tool_hf_read(path, &r, &n), 0);
      for (int i = 0; i < n; i++) {
        assert_int_equal(strncmp(r[i].command, "conclab run ", 12), 0);
        assert_int_equal(r[i].ntimes, 1);
        /* a sweep's one parameter, or none */
        assert_true(r[i].nparams <= 1);
      }
      tool_hf_free(r, n);
      cells += n;
      files++;
    }
    closedir(d);
    assert_true(files >= 6);
    assert_true(cells >= 40); /* one per cell of the smoke profile */
  }
  remove_tree(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(asked_for_but_missing_exits_2,
                                      make_tmpdir, remove_tmpdir),
      cmocka_unit_test_setup_teardown(stand_in_failures, make_tmpdir,
                                      remove_tmpdir),
      cmocka_unit_test_setup_teardown(sigterm_while_hyperfine_runs,
                                      make_tmpdir, remove_tmpdir),
      cmocka_unit_test_setup_teardown(sigint_while_hyperfine_runs,
                                      make_tmpdir, remove_tmpdir),
      cmocka_unit_test_setup_teardown(real_hyperfine_times_a_run,
                                      make_tmpdir, remove_tmpdir),
      cmocka_unit_test_setup_teardown(smoke_suite_with_cross_check,
                                      make_tmpdir, remove_tmpdir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
