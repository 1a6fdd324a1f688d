/*
 * test_progress.c - exercises/progress: its usage errors, the hints it
 * reveals one at a time, its list of the path, and what it shows when a
 * student's code crashes.
 *
 * The crash test checks a copy of the repository with a planted bug (only
 * exercise 01 is built: two small files, twice).  The rest of the building
 * and checking runs in CI: `exercises/progress --verify` proves every stub
 * fails its test and every solution passes, which goes through the same
 * functions a student's `exercises/progress NN` does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

/* The script the tests run: this repository's, or a copy's. */
static const char *progress_path = CONCLAB_SOURCE_DIR "/exercises/progress";
#define RUN_CONCLAB_PATH progress_path
#include "helpers.h"
#include "run_conclab.h"

/* Each test keeps its hint state in a fresh directory of its own. */
static char state_dir[64];

static int state_setup(void **state) {
  (void)state;
  snprintf(state_dir, sizeof state_dir, "/tmp/conclab-progress-XXXXXX");
  if (mkdtemp(state_dir) == NULL)
    return -1;
  return setenv("CONCLAB_EXERCISES_BUILD", state_dir, 1);
}

static int state_teardown(void **state) {
  (void)state;
  walk_tree(state_dir, 1);
  return access(state_dir, F_OK) == 0 ? -1 : 0;
}

/* The number of exercise folders, NN-name, in exercises/. */
static int exercise_count(void) {
  DIR *d = opendir(CONCLAB_SOURCE_DIR "/exercises");
  struct dirent *e;
  int n = 0;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] >= '0' && e->d_name[0] <= '9' &&
         e->d_name[1] >= '0' && e->d_name[1] <= '9' && e->d_name[2] == '-';
  closedir(d);
  return n;
}

static void help_explains(void **state) {
  (void)state;
  output *o = conclab((const char *[]){"progress", "--help", NULL});
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "hint NN"));
  assert_non_null(strstr(o->out, "-Werror"));
  assert_non_null(strstr(o->out, "ThreadSanitizer"));
}

/* Bad input: one line on stderr naming the problem, exit status 2. */
static void usage_errors(void **state) {
  (void)state;
  static const struct {
    const char *argv[4];
    const char *says;
  } cases[] = {
      {{"progress", "--bogus", NULL}, "unknown option '--bogus'"},
      {{"progress", "99", NULL}, "no exercise '99'"},
      {{"progress", "hint", "nope", NULL}, "no exercise 'nope'"},
      {{"progress", "hint", NULL}, "hint: which exercise?"},
      {{"progress", "01", "02", NULL}, "too many arguments"},
      {{"progress", "--verify", "01", NULL}, "--verify takes no exercise"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    output *o = conclab(cases[i].argv);
    assert_int_equal(o->status, 2);
    assert_non_null(strstr(o->err, cases[i].says));
    assert_int_equal(count_lines(o->err), 1);
    assert_string_equal(o->out, "");
  }
}

/* One more hint each time, then a pointer to the solution; "7", "07" and
 * the folder's name all name the same exercise. */
static void hints_one_at_a_time(void **state) {
  (void)state;
  char want[64], path[128];
  FILE *f;
  int seen = 0;
  for (int k = 1; k <= 3; k++) {
    const char *name = k == 1 ? "1" : k == 2 ? "01" : "01-first-loop";
    output *o = conclab((const char *[]){"progress", "hint", name, NULL});
    assert_int_equal(o->status, 0);
    snprintf(want, sizeof want, "Hint %d of 3", k);
    assert_non_null(strstr(o->out, want));
    snprintf(want, sizeof want, "Hint %d of 3", k + 1);
    assert_null(strstr(o->out, want)); /* only the one */
  }
  output *o = conclab((const char *[]){"progress", "hint", "01", NULL});
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "No more hints"));
  assert_non_null(strstr(o->out, ".solution/"));
  /* What was revealed is remembered where the builds go. */
  snprintf(path, sizeof path, "%s/exercises/hints/01-first-loop", state_dir);
  f = fopen(path, "r");
  assert_non_null(f);
  assert_int_equal(fscanf(f, "%d", &seen), 1);
  fclose(f);
  assert_int_equal(seen, 3);
}

/* Every exercise, in order, each marked done or not. */
static void list_shows_the_path(void **state) {
  (void)state;
  char path[128];
  output *o = conclab((const char *[]){"progress", "list", NULL});
  assert_int_equal(o->status, 0);
  assert_int_equal(count_lines(o->out), exercise_count() + 1);
  assert_non_null(strstr(o->out, "[ ] 01 · Your first loop"));
  assert_null(strstr(o->out, "[x]"));
  /* A passing check leaves a mark; list shows it. */
  snprintf(path, sizeof path, "%s/exercises", state_dir);
  assert_int_equal(mkdir(path, 0700) == 0 || errno == EEXIST, 1);
  snprintf(path, sizeof path, "%s/exercises/done", state_dir);
  assert_int_equal(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/exercises/done/01-first-loop", state_dir);
  fclose(fopen(path, "w"));
  o = conclab((const char *[]){"progress", "list", NULL});
  assert_non_null(strstr(o->out, "[x] 01 · Your first loop"));
}

/* Every README of the path names conclab one way, exercises/conclab, which
 * builds it on first use: a build path (build/debug/bench/conclab) is
 * missing until some command builds it, and a bare `conclab` is on no
 * one's PATH. */
static void readmes_name_one_program(void **state) {
  static const char *const wrong[] = {"build/debug/bench/conclab",
                                      "build/exercises/debug/bench/conclab",
                                      "`conclab ", "\nconclab run ",
                                      "\nconclab serve ", "\nconclab suite "};
  DIR *d = opendir(CONCLAB_SOURCE_DIR "/exercises");
  struct dirent *e;
  int readmes = 0;
  (void)state;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    char path[512], text[32768];
    size_t n;
    FILE *f;
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/exercises/%s%s", CONCLAB_SOURCE_DIR,
             strcmp(e->d_name, "README.md") == 0 ? "" : e->d_name,
             strcmp(e->d_name, "README.md") == 0 ? "README.md"
                                                   : "/README.md");
    if ((f = fopen(path, "r")) == NULL)
      continue;
    n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    readmes++;
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
      if (strstr(text, wrong[i]) != NULL) {
        print_error("%s names conclab as '%s' (use exercises/conclab)\n",
                    path, wrong[i]);
        fail();
      }
  }
  closedir(d);
  assert_int_equal(readmes, exercise_count() + 1);
}

/* The table after a pass (exercises/compare.awk), from runs given here:
 * medians and ranges, speedups from the medians, checksums against seq's,
 * the load and the cores, and a warning only when the load is above the
 * cores.  No clock is involved. */
static const char *table(const char *runs, double load1, int cores) {
  static char out[4096];
  char path[128], line[512];
  FILE *f;
  size_t n;
  snprintf(path, sizeof path, "%s/runs", state_dir);
  f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fputs(runs, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
  snprintf(line, sizeof line,
           "awk -v model=async -v load1=%.2f -v cores=%d -f "
           "%s/exercises/compare.awk <%s",
           load1, cores, CONCLAB_SOURCE_DIR, path);
  f = popen(line, "r");
  assert_non_null(f);
  n = fread(out, 1, sizeof out - 1, f);
  out[n] = '\0';
  assert_int_equal(pclose(f), 0);
  return out;
}

static void table_shows_ranges_and_load(void **state) {
  const char *runs = "seq 0.80 aa\nreference 0.21 aa\nyours 0.30 aa\n"
                     "seq 0.82 aa\nreference 0.20 aa\nyours 0.20 bb\n"
                     "seq 0.81 aa\nreference 0.40 aa\nyours 0.25 aa\n";
  const char *t = table(runs, 0.5, 2);
  (void)state;
  assert_non_null(strstr(t, "| seq                  |      0.8100 | "
                            "0.8000 - 0.8200   |   1.00x | (the oracle)"));
  assert_non_null(strstr(t, "| async, reference     |      0.2100 | "
                            "0.2000 - 0.4000   |   3.86x | same as seq "));
  /* One run of three gave another checksum: the row says so. */
  assert_non_null(strstr(t, "| async, yours         |      0.2500 | "
                            "0.2000 - 0.3000   |   3.24x | DIFFERS"));
  assert_non_null(strstr(t, "3 runs each, in turns; load average 0.50 "
                            "(1 min) on 2 cores"));
  assert_null(strstr(t, "WARNING"));
  /* Load at the cores: no warning; above them: one. */
  assert_null(strstr(table(runs, 2.0, 2), "WARNING"));
  t = table(runs, 2.01, 2);
  assert_non_null(strstr(t, "WARNING: the load average is above the "
                            "number of cores"));
  /* A failed run fails its row, whatever the others did. */
  t = table("seq 0.8 aa\nreference 0.2 aa\nyours -\n"
            "seq 0.8 aa\nreference 0.2 aa\nyours 0.2 aa\n",
            0.1, 4);
  assert_non_null(strstr(t, "| async, yours         |           - | -"));
  assert_non_null(strstr(t, "run failed"));
  assert_non_null(strstr(t, "2 runs each"));
}

/* Run a shell command line; its exit status. */
static int shell(const char *line) {
  pid_t pid;
  int status;
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", line, (char *)NULL);
    _exit(127);
  }
  while (waitpid(pid, &status, 0) < 0)
    assert_int_equal(errno, EINTR);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A copy of the sources, without builds, in state_dir/src (into src):
 * the tests plant a student's file there. */
static void copy_sources(char *src, size_t cap) {
  char line[512];
  snprintf(src, cap, "%s/src", state_dir);
  snprintf(line, sizeof line,
           "mkdir %s && tar -C %s --exclude=./build --exclude=./.git -cf - . "
           "| tar -C %s -xf -",
           src, CONCLAB_SOURCE_DIR, src);
  assert_int_equal(shell(line), 0);
}

/* Run the copy's exercises/progress NN. */
static output *progress_in(const char *src, const char *nn) {
  char path[256];
  output *o;
  snprintf(path, sizeof path, "%s/exercises/progress", src);
  progress_path = path;
  o = conclab((const char *[]){"progress", nn, NULL});
  progress_path = CONCLAB_SOURCE_DIR "/exercises/progress";
  return o;
}

/* A pass shows what the test printed of its own: 09's lesson is in its
 * probe's readings, the in-loop run's above all. */
static void pass_shows_the_probe(void **state) {
  char src[128], line[512];
  (void)state;
  copy_sources(src, sizeof src);
  snprintf(line, sizeof line,
           "cp %s/exercises/09-dont-block/.solution/dont_block.c "
           "%s/exercises/09-dont-block/",
           src, src);
  assert_int_equal(shell(line), 0);
  output *o = progress_in(src, "09");
  if (o->status != 0 || strstr(o->out, "in the loop: 8 jobs") == NULL)
    print_error("progress 09 said (%d):\n%s\n%s\n", o->status, o->out,
                o->err);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "in the loop: 8 jobs; probe fired"));
  assert_non_null(strstr(o->out, "offloaded: 8 jobs; probe fired"));
  assert_non_null(strstr(o->out, "09-dont-block: done"));
}

/* A student's first_loop.c that reads a block after freeing it.  ASan
 * stops at the read.  Without ASan, glibc has written its free list into
 * the block, so the code goes on into a recursion without end, and the
 * stack overflow kills the test program (no test framework survives
 * that: only ctest sees the signal). */
static const char planted_crash[] =
    "#include \"first_loop.h\"\n"
    "#include <stdlib.h>\n"
    "typedef struct box { int *slot; } box;\n"
    "static volatile int bottom;\n"
    "static int deeper(volatile char *up) {\n"
    "  volatile char frame[4096];\n"
    "  if (bottom)\n"
    "    return 0;\n"
    "  frame[0] = *up;\n"
    "  return deeper(frame) + frame[0];\n"
    "}\n"
    "int fl_sleep_all(uv_loop_t *loop, const uint64_t *delay_ms, int n,\n"
    "                 int *order) {\n"
    "  box *b = malloc(sizeof *b), *volatile alias = b;\n"
    "  volatile char top = 0;\n"
    "  (void)loop;\n"
    "  (void)delay_ms;\n"
    "  if (b == NULL)\n"
    "    return -1;\n"
    "  b->slot = order;\n"
    "  free(b);\n"
    "  if (alias->slot != order)\n"
    "    return deeper(&top);\n"
    "  return n;\n"
    "}\n";

/* A crash names the test that was running and the signal, and the
 * AddressSanitizer step runs anyway, so its report names the bug. */
static void crash_is_shown(void **state) {
  char src[128], line[512];
  FILE *f;
  (void)state;
  copy_sources(src, sizeof src);
  snprintf(line, sizeof line, "%s/exercises/01-first-loop/first_loop.c", src);
  f = fopen(line, "w");
  assert_non_null(f);
  assert_int_equal(fputs(planted_crash, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);

  output *o = progress_in(src, "01");
  if (o->status != 1 || strstr(o->out, "SEGFAULT") == NULL ||
      strstr(o->out, "heap-use-after-free") == NULL)
    print_error("progress 01 said (%d):\n%s\n%s\n", o->status, o->out,
                o->err);
  assert_int_equal(o->status, 1);
  /* Which test was running, and how it ended. */
  assert_non_null(strstr(o->out, "[ RUN      ] three_sleeps_take_one"));
  assert_non_null(strstr(o->out, "SEGFAULT"));
  /* ASan's report, with where the block was freed. */
  assert_non_null(strstr(o->out, "AddressSanitizer: heap-use-after-free"));
  assert_non_null(strstr(o->out, "freed by thread T0 here"));
  assert_non_null(strstr(o->out, "first_loop.c"));
  assert_non_null(strstr(o->out, "Not done yet"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(help_explains),
      cmocka_unit_test(usage_errors),
      cmocka_unit_test(readmes_name_one_program),
      cmocka_unit_test_setup_teardown(hints_one_at_a_time, state_setup,
                                      state_teardown),
      cmocka_unit_test_setup_teardown(list_shows_the_path, state_setup,
                                      state_teardown),
      cmocka_unit_test_setup_teardown(table_shows_ranges_and_load,
                                      state_setup, state_teardown),
      cmocka_unit_test_setup_teardown(crash_is_shown, state_setup,
                                      state_teardown),
      cmocka_unit_test_setup_teardown(pass_shows_the_probe, state_setup,
                                      state_teardown),
  };
  return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
