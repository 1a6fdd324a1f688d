/*
 * test_cli.c - the `conclab` program, run as a user would run it.
 *
 * Usage errors exit 2 with one line naming the flag; every model's --json
 * output carries the agreed fields and seq's checksum; a worker killed from
 * outside fails its task and the run exits 3 leaving no process behind; and
 * `conclab suite` writes its four files whole, README.md last and with one
 * rename (a suite killed before it leaves the old one, after it the whole
 * new one, and the files list tells which files belong to it); failed
 * cells give exit 3 and a count; an unwritable --out is refused first.
 */
#define _GNU_SOURCE /* prctl's PR_SET_CHILD_SUBREAPER, mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"
#include "json.h"
#include "json_check.h"
#include "manifest.h"

/* ---- help and usage errors --------------------------------------------- */

static void test_help(void **state) {
  const char *top[] = {"conclab", "--help", NULL};
  const char *run[] = {"conclab", "run", "--help", NULL};
  const char *suite[] = {"conclab", "suite", "--help", NULL};
  const char *flags[] = {"--model", "--tasks", "--concurrency",
                         "--delay-ms", "--delay-spread", "--limit",
                         "--offload", "--json", "--trace"};
  output *o;
  (void)state;

  o = conclab(top);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "run WORKLOAD"));
  assert_non_null(strstr(o->out, "suite"));
  o = conclab(run);
  assert_int_equal(o->status, 0);
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    assert_non_null(strstr(o->out, flags[i]));
  /* wrapped where two spaces end a sentence: no line ends in a space */
  assert_null(strstr(o->out, " \n"));
  o = conclab(suite);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "--profile"));
  assert_non_null(strstr(o->out, "--out"));
}

/* Every command's help fits an 80-column terminal. */
static void test_help_width(void **state) {
  static const char *const commands[] = {"--help", "run",   "suite", "lab",
                                         "serve",  "load",  "compare"};
  (void)state;

  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    const char *argv[] = {"conclab", commands[i], "--help", NULL};
    const char *line;
    output *o;
    if (i == 0)
      argv[2] = NULL;
    o = conclab(argv);
    assert_int_equal(o->status, 0);
    for (line = o->out; *line != '\0';) {
      const char *end = strchr(line, '\n');
      size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
      if (len > 80)
        fail_msg("conclab %s --help: a line of %zu columns: %.*s",
                 commands[i], len, (int)len, line);
      line += len + (end != NULL);
    }
  }
}

typedef struct bad_case {
  const char *argv[12];
  const char *must_say; /* the flag (or word) the error names */
} bad_case;

static void test_usage_errors_exit_2(void **state) {
  static const bad_case cases[] = {
      {{"conclab", NULL}, "usage"},
      {{"conclab", "fly", NULL}, "'fly'"},
      {{"conclab", "run", NULL}, "WORKLOAD"},
      {{"conclab", "run", "nap", NULL}, "'nap'"},
      {{"conclab", "run", "sleep", "--model", "fibers", NULL}, "--model"},
      {{"conclab", "run", "sleep", "--tasks", "0", NULL}, "--tasks"},
      {{"conclab", "run", "sleep", "--tasks", "ten", NULL}, "--tasks"},
      {{"conclab", "run", "sleep", "--concurrency", "-3", NULL},
       "--concurrency"},
      {{"conclab", "run", "sleep", "--model", "threaded", "--concurrency",
        "20001", NULL}, "1..20000"},
      {{"conclab", "run", "sleep", "--delay-ms", "1e3", NULL}, "--delay-ms"},
      {{"conclab", "run", "primes", "--limit", "1", NULL}, "--limit"},
      {{"conclab", "run", "sleep", "--offload", NULL}, "--offload"},
      {{"conclab", "run", "primes", "--delay-ms", "5", NULL}, "--delay-ms"},
      {{"conclab", "run", "sleep", "--limit", "10", NULL}, "--limit"},
      {{"conclab", "run", "sleep", "--frobnicate", NULL}, "--frobnicate"},
      {{"conclab", "run", "sleep", "--tasks", NULL}, "--tasks"},
      {{"conclab", "run", "sleep", "--trace", "/nonexistent-conclab/d/x.json",
        NULL}, "--trace"},
      {{"conclab", "run", "sleep", "--trace", "/", NULL}, "--trace"},
      {{"conclab", "run", "sleep", "--trace", "", NULL}, "--trace"},
      {{"conclab", "suite", "--profile", "huge", NULL}, "--profile"},
      {{"conclab", "suite", "--runs", "0", NULL}, "--runs"},
      {{"conclab", "suite", "--bogus", NULL}, "--bogus"},
      {{"conclab", "suite", "--serve", "maybe", NULL}, "--serve"},
      {{"conclab", "suite", "--serve", NULL}, "--serve: missing value"},
      {{"conclab", "load", "http://127.0.0.1:1/", "--connections", "0",
        "--requests", "1", NULL}, "--connections"},
      /* a space around a number, and flags that contradict each other */
      {{"conclab", "run", "sleep", "--tasks", " 5", NULL}, "--tasks"},
      {{"conclab", "run", "files", "--size", "100 ", NULL}, "--size"},
      {{"conclab", "suite", "--runs", " 3", NULL}, "--runs"},
      {{"conclab", "suite", "--runs", "+3", NULL}, "--runs"},
      {{"conclab", "lab", "--count", " 3", NULL}, "--count"},
      {{"conclab", "lab", "--count", "+3", NULL}, "--count"},
      {{"conclab", "serve", "--port", "+80", NULL}, "--port"},
      {{"conclab", "suite", "--hyperfine", "--no-hyperfine", NULL},
       "--no-hyperfine"},
      {{"conclab", "suite", "--no-hyperfine", "--hyperfine", NULL},
       "--hyperfine"},
      /* a valued flag given twice (each line ends in another error, so
       * that a parser that lets the last one win still stops) */
      {{"conclab", "run", "sleep", "--model", "seq", "--model", "fibers",
        NULL}, "--model: given twice"},
      {{"conclab", "run", "sleep", "--tasks=2", "--tasks", "0", NULL},
       "--tasks: given twice"},
      {{"conclab", "suite", "--runs", "1", "--runs", "2", "--profile", "huge",
        NULL}, "--runs: given twice"},
      {{"conclab", "lab", "--count", "3", "--count", "4", "--unit", "nope",
        NULL}, "--count: given twice"},
  };
  (void)state;

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    output *o = conclab(cases[i].argv);
    if (o->status != 2 || strstr(o->err, cases[i].must_say) == NULL)
      fail_msg("case %zu: status %d, stderr: %s", i, o->status, o->err);
    if (cases[i].argv[1] != NULL) { /* bare `conclab` prints the help */
      assert_int_equal(count_lines(o->err), 1);
      assert_memory_equal(o->err, "conclab: ", 9);
    }
    assert_string_equal(o->out, "");
  }
}

/* ---- runs --------------------------------------------------------------- */

static void json_checksum(const char *json, char *out, size_t cap) {
  assert_int_equal(base_json_str_of(json, "checksum", out, cap), 0);
}

static void test_every_model_json_matches_seq(void **state) {
  static const char *const keys[] = {
      "workload", "model", "variant", "tasks", "concurrency", "wall_s",
      "user_s", "sys_s", "max_rss_kb", "vol_ctx", "invol_ctx", "ok",
      "failed", "checksum", "delay_ms", "limit"};
  static const char *const models[][2] = {{"seq", NULL},
                                          {"async", NULL},
                                          {"async", "--offload"},
                                          {"threaded", NULL},
                                          {"multiproc", NULL}};
  static const char *const work[][3] = {{"sleep", "--delay-ms", "5"},
                                        {"primes", "--limit", "50000"}};
  (void)state;

  for (size_t w = 0; w < 2; w++) {
    char oracle[24] = "";
    for (size_t m = 0; m < 5; m++) {
      const char *argv[14] = {"conclab", "run", work[w][0], "--model",
                              models[m][0], "--tasks", "12",
                              "--concurrency", "3", work[w][1], work[w][2],
                              "--json", NULL};
      char sum[24];
      double v;
      if (models[m][1] != NULL) {
        if (w == 0)
          continue; /* --offload is for CPU work */
        argv[12] = models[m][1];
      }
      output *o = conclab(argv);
      if (o->status != 0)
        fail_msg("%s %s: status %d: %s", work[w][0], models[m][0], o->status,
                 o->err);
      assert_int_equal(count_lines(o->out), 1);
      for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char text[64];
        if (base_json_num_of(o->out, keys[k], &v) != 0 &&
            base_json_str_of(o->out, keys[k], text, sizeof text) != 0)
          fail_msg("key %s missing in %s", keys[k], o->out);
      }
      assert_int_equal(base_json_num_of(o->out, "ok", &v), 0);
      assert_int_equal((int)v, 12);
      /* every async run reports its loop's lag; the others have none */
      assert_int_equal(base_json_num_of(o->out, "loop_lag_p99_ms", &v) == 0,
                       strcmp(models[m][0], "async") == 0);
      json_checksum(o->out, sum, sizeof sum);
      if (m == 0)
        strcpy(oracle, sum);
      assert_string_equal(sum, oracle);
    }
  }
}

/* The pids of pid's children, from /proc (Linux). */
static int children_of(pid_t pid, pid_t *out, int cap) {
  char path[64];
  FILE *f;
  int n = 0;
  long child;

  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid,
           (int)pid);
  f = fopen(path, "r");
  if (f == NULL)
    return 0;
  while (n < cap && fscanf(f, "%ld", &child) == 1)
    out[n++] = (pid_t)child;
  fclose(f);
  return n;
}

/* kill -9 one worker of a running batch: its task fails, the run still
 * prints its JSON and exits 3, and no process is left behind.  This test
 * process becomes a subreaper, so a worker conclab failed to reap would
 * be handed to us when conclab exits - and waitpid below would find it. */
static void test_worker_killed_from_outside(void **state) {
  const char *argv[] = {"conclab", "run", "sleep", "--model", "multiproc",
                        "--tasks", "6", "--concurrency", "3", "--delay-ms",
                        "600", "--json", NULL};
  output o;
  FILE *out, *err;
  pid_t pid, kids[8];
  int n = 0;
  double v;
  struct timespec pause = {0, 20 * 1000000L};
  (void)state;

  assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  pid = conclab_start(argv, &out, &err);
  for (int tries = 0; tries < 200 && n < 3; tries++) { /* up to 4 s */
    nanosleep(&pause, NULL);
    n = children_of(pid, kids, 8);
  }
  assert_int_equal(n, 3);
  nanosleep(&pause, NULL); /* let the first tasks reach the workers */
  assert_int_equal(kill(kids[1], SIGKILL), 0);
  conclab_finish(pid, out, err, &o);

  assert_int_equal(o.status, 3);
  assert_int_equal(base_json_num_of(o.out, "failed", &v), 0);
  assert_int_equal((int)v, 1);
  assert_int_equal(base_json_num_of(o.out, "ok", &v), 0);
  assert_int_equal((int)v, 5);
  assert_int_equal(base_json_num_of(o.out, "workers_lost", &v), 0);
  assert_int_equal((int)v, 1);
  errno = 0;
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* `conclab run http` starts its own server, measures, stops it: the JSON
 * carries the http fields, seeded failures give exit 3, and no process is
 * left behind (this test is a subreaper: an unreaped server would be
 * handed to it). */
static void test_run_http_embedded_server(void **state) {
  const char *ok_argv[] = {"conclab", "run", "http", "--model", "async",
                           "--tasks", "8", "--delay-ms", "5", "--json",
                           NULL};
  const char *fail_argv[] = {"conclab", "run", "http", "--model", "threaded",
                             "--tasks", "8", "--delay-ms", "5",
                             "--fail-rate", "1", "--json", NULL};
  output *o;
  char url[64];
  double v, http_errors, conn_errors;
  (void)state;

  assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  o = conclab(ok_argv);
  if (o->status != 0)
    fail_msg("run http: status %d: %s", o->status, o->err);
  assert_int_equal(base_json_num_of(o->out, "ok", &v), 0);
  assert_int_equal((int)v, 8);
  assert_int_equal(base_json_str_of(o->out, "url", url, sizeof url), 0);
  assert_memory_equal(url, "http://127.0.0.1:", 17);
  assert_int_equal(base_json_num_of(o->out, "connections", &v), 0);
  assert_in_range((int)v, 1, 8);

  o = conclab(fail_argv);
  assert_int_equal(o->status, 3);
  assert_int_equal(base_json_num_of(o->out, "failed", &v), 0);
  assert_int_equal((int)v, 8);
  assert_int_equal(base_json_num_of(o->out, "http_errors", &http_errors), 0);
  assert_int_equal(base_json_num_of(o->out, "conn_errors", &conn_errors), 0);
  assert_int_equal((int)(http_errors + conn_errors), 8);

  errno = 0;
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* ---- the suite ---------------------------------------------------------- */

static void read_file(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    fail_msg("cannot open %s", path);
  read_capture(f, buf, cap);
}

/* ---- files: nothing left on disk ----------------------------------------- */

/* `conclab run files` makes its directory under $TMPDIR: point that at an
 * empty directory of our own, and check it is empty again afterwards -
 * after success, after failed writes (a file-size limit: each write fails
 * with EFBIG, SIGXFSZ being ignored), and after Ctrl-C in mid-batch. */
/* Start `conclab run`, wait until it has written into tmp, then Ctrl-C it:
 * it dies of the signal, and tmp is empty again. */
static void interrupt_mid_batch(const char **argv, const char *tmp) {
  struct timespec pause = {0, 20 * 1000000L};
  FILE *out, *err;
  output o;
  pid_t pid = conclab_start(argv, &out, &err);

  for (int tries = 0; tries < 250; tries++) { /* up to 5 s */
    nanosleep(&pause, NULL);
    if (dir_entries(tmp) > 0)
      break;
  }
  assert_true(dir_entries(tmp) > 0);
  nanosleep(&pause, NULL); /* some files written */
  assert_int_equal(kill(pid, SIGINT), 0);
  conclab_finish(pid, out, err, &o);
  assert_int_equal(o.status, 128 + SIGINT);
  assert_int_equal(dir_entries(tmp), 0);
}

static void test_files_leave_nothing_behind(void **state) {
  char tmp[] = "/tmp/conclab-test-tmpdir-XXXXXX";
  const char *ok_argv[] = {"conclab", "run", "files", "--model", "async",
                           "--tasks", "20", "--size", "10000", "--json",
                           NULL};
  const char *big_argv[] = {"conclab", "run", "files", "--model", "threaded",
                            "--tasks", "8", "--size", "2000000", "--json",
                            NULL};
  const char *long_argv[] = {"conclab", "run", "files", "--model",
                             "threaded", "--concurrency", "2", "--tasks",
                             "20000", "--size", "10000", "--fsync", NULL};
  struct rlimit old, small = {.rlim_cur = 1000000, .rlim_max = RLIM_INFINITY};
  output *o;
  double v;
  (void)state;

  assert_non_null(mkdtemp(tmp));
  setenv("TMPDIR", tmp, 1);

  o = conclab(ok_argv);
  assert_int_equal(o->status, 0);
  assert_int_equal(dir_entries(tmp), 0);

  /* Files over 1 MB cannot be written: every task fails, on its own. */
  getrlimit(RLIMIT_FSIZE, &old);
  small.rlim_max = old.rlim_max;
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
  signal(SIGXFSZ, SIG_IGN); /* inherited: write fails with EFBIG instead */
  o = conclab(big_argv);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, SIG_DFL);
  assert_int_equal(o->status, 3);
  assert_int_equal(base_json_num_of(o->out, "failed", &v), 0);
  assert_int_equal((int)v, 8);
  assert_non_null(strstr(o->err, "File too large"));
  assert_int_equal(dir_entries(tmp), 0);

  /* Ctrl-C while files are being written: they and the directory go. */
  interrupt_mid_batch(long_argv, tmp);

  unsetenv("TMPDIR");
  assert_int_equal(rmdir(tmp), 0);
}

/* `conclab run pipeline` starts its own server and makes its own
 * directory: after a good run, a run that cannot make its directory (--dir
 * names a file) and Ctrl-C in mid-batch, $TMPDIR is empty again and no process
 * is left behind (this test is a subreaper, as above). */
static void test_pipeline_leaves_nothing_behind(void **state) {
  char tmp[] = "/tmp/conclab-test-tmpdir-XXXXXX", file[64];
  const char *ok_argv[] = {"conclab", "run", "pipeline", "--model", "async",
                           "--offload", "--tasks", "12", "--size", "5000",
                           "--rounds", "2", "--json", NULL};
  const char *bad_argv[] = {"conclab", "run", "pipeline", "--model",
                            "multiproc", "--tasks", "6", "--size", "100",
                            "--dir", file, "--json", NULL};
  const char *long_argv[] = {"conclab", "run", "pipeline", "--model",
                             "threaded", "--tasks", "100000", "--size",
                             "1000", "--rounds", "1", NULL};
  struct timespec pause = {0, 20 * 1000000L};
  output *o;
  double v;
  int fd;
  (void)state;

  assert_non_null(mkdtemp(tmp));
  setenv("TMPDIR", tmp, 1);
  assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

  o = conclab(ok_argv);
  if (o->status != 0)
    fail_msg("run pipeline: status %d: %s", o->status, o->err);
  assert_int_equal(base_json_num_of(o->out, "ok", &v), 0);
  assert_int_equal((int)v, 12);
  assert_int_equal(base_json_num_of(o->out, "rounds", &v), 0);
  assert_int_equal((int)v, 2);
  assert_int_equal(dir_entries(tmp), 0);

  /* --dir is a file: no directory of its own can be made there, so the
   * run stops before it starts (its server stopped too) */
  snprintf(file, sizeof file, "%s/not-a-dir", tmp);
  fd = open(file, O_WRONLY | O_CREAT, 0644);
  assert_true(fd >= 0);
  close(fd);
  o = conclab(bad_argv);
  assert_int_equal(o->status, 1);
  assert_string_equal(o->out, "");
  assert_int_equal(count_lines(o->err), 1);
  assert_non_null(strstr(o->err, "conclab: pipeline: cannot make a "
                                 "directory in --dir "));
  assert_non_null(strstr(o->err, "Not a directory"));
  assert_int_equal(unlink(file), 0);
  assert_int_equal(dir_entries(tmp), 0);

  /* Ctrl-C while digests are being saved */
  interrupt_mid_batch(long_argv, tmp);

  /* the server went with it (PDEATHSIG): reap it, then nothing is left */
  for (int tries = 0; tries < 250 && waitpid(-1, NULL, WNOHANG) >= 0;
       tries++)
    nanosleep(&pause, NULL);
  errno = 0;
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  unsetenv("TMPDIR");
  assert_int_equal(rmdir(tmp), 0);
}

static void test_suite_writes_reports(void **state) {
  char dir[] = "/tmp/conclab-test-XXXXXX", path[256];
  static char text[200000];
  const char *argv[] = {"conclab", "suite", "--profile", "smoke", "--out",
                        dir, NULL};
  output *o;
  (void)state;

  assert_non_null(mkdtemp(dir));
  o = conclab(argv);
  if (o->status != 0)
    fail_msg("suite: status %d: %s", o->status, o->err);
  /* stdout: the summary matrix */
  assert_non_null(strstr(o->out, "| workload |"));
  assert_non_null(strstr(o->out, "| sleep |"));
  assert_non_null(strstr(o->out, "| primes |"));
  assert_non_null(strstr(o->out, "| http |"));
  assert_non_null(strstr(o->out, "| files |"));
  /* stderr: progress, one plain line per cell when not a terminal */
  assert_non_null(strstr(o->err, "[cell 1/"));

  /* README.md, data/ and plots/ (gnuplot's pictures, or their scripts),
   * and no writer's temporary file anywhere */
  assert_int_equal(dir_entries(dir), 3);
  assert_int_equal(walk_tree(dir, 0), 0);
  /* hyperfine's layout, one file per experiment */
  snprintf(path, sizeof path, "%s/data/hyperfine/sleep-main.json", dir);
  assert_int_equal(access(path, R_OK), 0);
  snprintf(path, sizeof path, "%s/data/hyperfine/sleep-sweep-async.json",
           dir);
  assert_int_equal(access(path, R_OK), 0);
  snprintf(path, sizeof path, "%s/README.md", dir);
  read_file(path, text, sizeof text);
  assert_non_null(strstr(text, "## Machine"));
  assert_non_null(strstr(text, "## sleep (I/O-bound)"));
  assert_non_null(strstr(text, "## primes (CPU-bound)"));
  assert_non_null(strstr(text, "## http (I/O-bound)"));
  assert_non_null(strstr(text, "### http: reusing connections, or not"));
  assert_non_null(strstr(text, "new per request"));
  assert_non_null(strstr(text, "## files (I/O-bound)"));
  assert_non_null(strstr(text, "page cache"));
  assert_null(strstr(text, "| FAILED")); /* no cell failed */
  assert_non_null(strstr(text, "## Server"));
  assert_non_null(strstr(text, "### `/delay/100`: waiting"));
  snprintf(path, sizeof path, "%s/data/runs.csv", dir);
  read_file(path, text, sizeof text);
  assert_memory_equal(text, "cell,table,workload", 19);
  snprintf(path, sizeof path, "%s/data/summary.json", dir);
  read_file(path, text, sizeof text);
  {
    cJSON *doc = cJSON_Parse(text);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cells")) > 0);
    cJSON_Delete(doc);
  }

  /* the timeline's traced batches, one per model */
  snprintf(path, sizeof path, "%s/data/trace_async_offload.json", dir);
  read_file(path, text, sizeof text);
  assert_non_null(strstr(text, "\"traceEvents\""));
  snprintf(path, sizeof path, "%s/README.md", dir);
  read_file(path, text, sizeof text);
  assert_non_null(strstr(text, "<!-- plots:begin -->\n## Plots"));

  walk_tree(dir, 1); /* clean up */
  assert_int_equal(access(dir, F_OK), -1);
}

/* ---- the suite's README: one rename, written last ----------------------- */

static const char old_readme[] =
    "# an old report\n\n<!-- lab:begin -->\nTHE LAB'S SECTION\n"
    "<!-- lab:end -->\n\n<!-- plots:begin -->\nold plots\n"
    "<!-- plots:end -->\n";

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* The rows of README.md's files list under dir whose file no longer has
 * the cksum and size listed; -1 if the list has no rows. */
static int manifest_mismatches(const char *dir, const char *readme) {
  const char *p = strstr(readme, "<!-- files:begin -->");
  int rows = 0, bad = 0;

  assert_non_null(p);
  for (p = strstr(p, "\n| `"); p != NULL; p = strstr(p + 1, "\n| `")) {
    char name[256], path[512];
    unsigned long crc;
    long long size, got_size;
    uint32_t got;
    if (sscanf(p, "\n| `%255[^`]` | %lu | %lld |", name, &crc, &size) != 3)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rows++;
    bad += report_cksum_file(path, &got, &got_size) != 0 || got != crc ||
           got_size != size;
  }
  return rows > 0 ? bad : -1;
}

/* A README.md the suite wrote whole: its tables, the lab's section kept
 * from the old file, the new plots section, the files list. */
static void assert_whole_new(const char *text) {
  assert_non_null(strstr(text, "## Machine"));
  assert_non_null(strstr(text, "## pipeline"));
  assert_non_null(strstr(text, "<!-- lab:begin -->\nTHE LAB'S SECTION\n"));
  assert_non_null(strstr(text, "<!-- plots:begin -->\n## Plots"));
  assert_null(strstr(text, "old plots"));
  assert_non_null(strstr(text, "<!-- files:begin -->\n## Files of this"));
}

static void test_suite_readme_one_rename(void **state) {
  char dir[] = "/tmp/conclab-test-XXXXXX", readme[128], log[128];
  static char before[200000], text[200000];
  const char *argv[] = {"conclab", "suite", "--profile", "smoke", "--out",
                        dir, NULL};
  run_env logged = {.log = log}, killed_in_plots = {.kill = "/plots/"},
          killed_after = {.kill = "/README.md"};
  output *o;
  (void)state;

  assert_non_null(mkdtemp(dir));
  snprintf(readme, sizeof readme, "%s/README.md", dir);
  snprintf(log, sizeof log, "%s.renames", dir);
  write_text(readme, old_readme);

  /* a whole run: README.md replaced once, the lab's section kept */
  o = conclab_in(argv, &logged);
  if (o->status != 0)
    fail_msg("suite: status %d: %s", o->status, o->err);
  assert_int_equal(lines_with(log, "/README.md"), 1);
  read_file(readme, before, sizeof before);
  assert_whole_new(before);
  assert_int_equal(manifest_mismatches(dir, before), 0);

  /* killed while it draws: the README is the old one, byte for byte, and
   * its files list shows which files the stopped run rewrote */
  o = conclab_in(argv, &killed_in_plots);
  assert_int_equal(o->status, 128 + SIGKILL);
  read_file(readme, text, sizeof text);
  assert_string_equal(text, before);
  assert_true(manifest_mismatches(dir, text) > 0);

  /* killed right after its README rename: the whole new one */
  o = conclab_in(argv, &killed_after);
  assert_int_equal(o->status, 128 + SIGKILL);
  read_file(readme, text, sizeof text);
  assert_whole_new(text);
  assert_int_equal(manifest_mismatches(dir, text), 0);

  unlink(log);
  walk_tree(dir, 1);
}

/* ---- the suite's failures and its --out --------------------------------- */

/* As nobody with at most 4 processes, most cells cannot start their
 * children (multiproc's workers, http's server): exit 3, one line with the
 * count, and every file still written. */
static void test_suite_failed_cells_exit_3(void **state) {
  char dir[] = "/tmp/conclab-test-XXXXXX", path[128], tmp[64];
  static char text[200000];
  const char *argv[] = {"conclab", "suite", "--profile", "smoke", "--out",
                        dir, NULL};
  run_env limited = {.as_nobody = 1, .nproc = 4};
  const char *line;
  int failed = -1, cells = -1;
  output *o;
  (void)state;

  assert_non_null(mkdtemp(dir));
  assert_int_equal(chmod(dir, 0777), 0); /* for nobody */
  /* the cells' $TMPDIR, to see that a cell that failed left nothing */
  snprintf(tmp, sizeof tmp, "%s/tmp", dir);
  assert_int_equal(mkdir(tmp, 0777), 0);
  assert_int_equal(chmod(tmp, 0777), 0);
  setenv("TMPDIR", tmp, 1);
  o = conclab_in(argv, &limited);
  unsetenv("TMPDIR");
  if (o->status == RUN_ENV_NO_SETUP) {
    walk_tree(dir, 1);
    skip(); /* not root: cannot become nobody */
  }
  if (o->status != 3)
    fail_msg("suite: status %d: %s", o->status, o->err);
  line = strstr(o->err, "conclab: suite: ");
  assert_non_null(line);
  assert_null(strstr(line + 1, "conclab: suite: ")); /* one line */
  assert_int_equal(sscanf(line, "conclab: suite: %d of %d cells failed",
                          &failed, &cells), 2);
  assert_true(failed > 0 && failed <= cells);
  snprintf(path, sizeof path, "%s/data/summary.json", dir);
  read_file(path, text, sizeof text);
  {
    cJSON *doc = cJSON_Parse(text);
    const cJSON *cell;
    cJSON_ArrayForEach(cell, cJSON_GetObjectItem(doc, "cells")) {
      if (strcmp(cJSON_GetObjectItem(cell, "status")->valuestring,
                 "FAILED") == 0)
        failed--;
    }
    assert_int_equal(failed, 0);
    cJSON_Delete(doc);
  }
  snprintf(path, sizeof path, "%s/data/runs.csv", dir);
  assert_int_equal(access(path, R_OK), 0);
  snprintf(path, sizeof path, "%s/README.md", dir);
  read_file(path, text, sizeof text);
  assert_non_null(strstr(text, "| FAILED"));
  assert_non_null(strstr(text, "<!-- files:begin -->"));
  if (dir_entries(tmp) != 0)
    fail_msg("failed cells left %d entries in their $TMPDIR",
             dir_entries(tmp));
  walk_tree(dir, 1);
}

/* An --out that cannot be written: one line naming --out, exit 2, before
 * any cell runs. */
static void test_suite_out_unwritable(void **state) {
  char file[] = "/tmp/conclab-test-file-XXXXXX", under[64];
  const char *under_file[] = {"conclab", "suite", "--profile", "smoke",
                              "--out", under, NULL};
  const char *in_proc[] = {"conclab", "suite", "--profile", "smoke",
                           "--out", "/proc/conclab-no/x", NULL};
  const char *const *cases[] = {under_file, in_proc};
  int fd = mkstemp(file);
  (void)state;

  assert_true(fd >= 0);
  close(fd);
  snprintf(under, sizeof under, "%s/results", file);
  for (int i = 0; i < 2; i++) {
    output *o = conclab(cases[i]);
    assert_int_equal(o->status, 2);
    assert_int_equal(count_lines(o->err), 1);
    assert_non_null(strstr(o->err, "conclab: --out: "));
    assert_string_equal(o->out, "");
  }
  unlink(file);
}

/* --trace: the file is there, whole and valid, and no temporary file is
 * left beside it - also when tasks failed (exit 3).  A trace that cannot
 * be made is refused before the batch (the usage cases above), leaving
 * nothing behind. */
static void test_trace_file_written_whole(void **state) {
  char tmp[] = "/tmp/conclab-cli-trace-XXXXXX", ok_path[64], bad_path[64];
  const char *ok_argv[] = {"conclab", "run", "sleep", "--model", "async",
                           "--tasks", "4", "--delay-ms", "1", "--trace",
                           ok_path, NULL};
  const char *bad_argv[] = {"conclab", "run", "http", "--model", "threaded",
                            "--tasks", "2", "--url", "http://127.0.0.1:1",
                            "--trace", bad_path, NULL};
  const char *missing_argv[] = {"conclab", "run", "sleep", "--trace",
                                bad_path, NULL};
  output *o;
  FILE *f;
  char text[8192];
  size_t n;
  (void)state;

  assert_non_null(mkdtemp(tmp));
  snprintf(ok_path, sizeof ok_path, "%s/ok.json", tmp);
  snprintf(bad_path, sizeof bad_path, "%s/failed.json", tmp);

  o = conclab(ok_argv);
  if (o->status != 0)
    fail_msg("run --trace: status %d: %s", o->status, o->err);
  assert_int_equal(dir_entries(tmp), 1);
  f = fopen(ok_path, "r");
  assert_non_null(f);
  n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  assert_null(json_check(text));
  assert_non_null(strstr(text, "\"name\":\"task 3\""));

  o = conclab(bad_argv); /* connection refused: every task fails */
  assert_int_equal(o->status, 3);
  assert_int_equal(dir_entries(tmp), 2);
  f = fopen(bad_path, "r");
  assert_non_null(f);
  n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  assert_null(json_check(text));
  assert_non_null(strstr(text, "\"status\":\"error\""));

  /* the directory is gone: refused before the run, nothing made */
  assert_int_equal(unlink(ok_path), 0);
  assert_int_equal(unlink(bad_path), 0);
  assert_int_equal(rmdir(tmp), 0);
  o = conclab(missing_argv);
  assert_int_equal(o->status, 2);
  assert_int_equal(count_lines(o->err), 1);
  assert_non_null(strstr(o->err, "--trace"));
  assert_string_equal(o->out, "");
  assert_int_equal(access(tmp, F_OK), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_help),
      cmocka_unit_test(test_help_width),
      cmocka_unit_test(test_usage_errors_exit_2),
      cmocka_unit_test(test_every_model_json_matches_seq),
      cmocka_unit_test(test_worker_killed_from_outside),
      cmocka_unit_test(test_run_http_embedded_server),
      cmocka_unit_test(test_files_leave_nothing_behind),
      cmocka_unit_test(test_pipeline_leaves_nothing_behind),
      cmocka_unit_test(test_suite_writes_reports),
      cmocka_unit_test(test_suite_readme_one_rename),
      cmocka_unit_test(test_suite_failed_cells_exit_3),
      cmocka_unit_test(test_suite_out_unwritable),
      cmocka_unit_test(test_trace_file_written_whole),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
