/*
 * run_conclab.h - run the built `conclab` binary as a child and keep what
 * it printed, for the tests of the command line.  Include after <cmocka.h>.
 */
#ifndef CONCLAB_TEST_RUN_CONCLAB_H
#define CONCLAB_TEST_RUN_CONCLAB_H

#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The program these helpers run: conclab, unless a test names another
 * (test_progress runs exercises/progress). */
#ifndef RUN_CONCLAB_PATH
#define RUN_CONCLAB_PATH CONCLAB_BIN
#endif

typedef struct output {
  int status; /* exit status, or 128 + signal */
  char out[65536];
  char err[16384];
} output;

/* The whole of a temporary file (its first cap - 1 bytes); closes it. */
static inline void read_capture(FILE *f, char *buf, size_t cap) {
  size_t n;
  rewind(f);
  n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
}

/* Start conclab with argv (NULL-terminated, argv[0] ignored), its stdout
 * and stderr going to two temporary files; the child first calls
 * setup(arg) when there is one, and exits with `failed` if it cannot
 * exec. */
static inline pid_t conclab_spawn(const char *const *argv,
                                  void (*setup)(const void *arg),
                                  const void *arg, int failed, FILE **out,
                                  FILE **err) {
  pid_t pid;
  *out = tmpfile();
  *err = tmpfile();
  assert_non_null(*out);
  assert_non_null(*err);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fileno(*out), STDOUT_FILENO);
    dup2(fileno(*err), STDERR_FILENO);
    if (setup != NULL)
      setup(arg);
    execv(RUN_CONCLAB_PATH, (char *const *)argv);
    _exit(failed);
  }
  return pid;
}

static inline pid_t conclab_start(const char *const *argv, FILE **out,
                                  FILE **err) {
  return conclab_spawn(argv, NULL, NULL, 127, out, err);
}

/* Wait for it; its status and output into o. */
static inline void conclab_finish(pid_t pid, FILE *out, FILE *err,
                                  output *o) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    assert_int_equal(errno, EINTR);
  o->status = WIFEXITED(status) ? WEXITSTATUS(status)
                                : 128 + WTERMSIG(status);
  read_capture(out, o->out, sizeof o->out);
  read_capture(err, o->err, sizeof o->err);
}

/* Run it to the end (the result is overwritten by the next call). */
static inline output *conclab(const char *const *argv) {
  static output o;
  FILE *out, *err;
  pid_t pid = conclab_start(argv, &out, &err);
  conclab_finish(pid, out, err, &o);
  return &o;
}

static inline int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

#endif
