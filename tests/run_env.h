/*
 * run_env.h - run conclab in a changed world: with the rename shim
 * preloaded (tests/rename_shim.c), or as user nobody under a limit on its
 * processes, so that some of its children cannot start (a real failure,
 * as `ulimit -u` gives).  Include after run_conclab.h.
 */
#ifndef CONCLAB_TEST_RUN_ENV_H
#define CONCLAB_TEST_RUN_ENV_H

#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The child's status when the world could not be set up (not root, so
 * not nobody): the test skips then. */
#define RUN_ENV_NO_SETUP 126

typedef struct run_env {
  const char *log;  /* CONCLAB_RENAME_LOG, with the shim (or NULL) */
  const char *kill; /* CONCLAB_RENAME_KILL, with the shim (or NULL) */
  long nproc;       /* > 0: as nobody, RLIMIT_NPROC this */
} run_env;

static inline void run_env_setup(const run_env *e) {
  if (e->log != NULL || e->kill != NULL) {
    const char *asan = getenv("ASAN_OPTIONS");
    char opts[512];
    /* the shim comes before ASan's runtime in the list: allowed here */
    snprintf(opts, sizeof opts, "%s%sverify_asan_link_order=0",
             asan ? asan : "", asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
    setenv("LD_PRELOAD", CONCLAB_RENAME_SHIM, 1);
    if (e->log != NULL)
      setenv("CONCLAB_RENAME_LOG", e->log, 1);
    if (e->kill != NULL)
      setenv("CONCLAB_RENAME_KILL", e->kill, 1);
  }
  if (e->nproc > 0) {
    struct rlimit r = {(rlim_t)e->nproc, (rlim_t)e->nproc};
    /* root is not held by RLIMIT_NPROC: become nobody, who is */
    if (geteuid() != 0 || setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
        setuid(65534) != 0 || setrlimit(RLIMIT_NPROC, &r) != 0)
      _exit(RUN_ENV_NO_SETUP);
  }
}

static inline output *conclab_in(const char *const *argv, const run_env *e) {
  static output o;
  FILE *out = tmpfile(), *err = tmpfile();
  pid_t pid;

  assert_non_null(out);
  assert_non_null(err);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(err), STDERR_FILENO);
    run_env_setup(e);
    execv(RUN_CONCLAB_PATH, (char *const *)argv);
    _exit(RUN_ENV_NO_SETUP);
  }
  conclab_finish(pid, out, err, &o);
  return &o;
}

/* Lines of the file at path containing text (0 if it is missing). */
static inline int lines_with(const char *path, const char *text) {
  char line[4096];
  int n = 0;
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof line, f) != NULL)
    n += strstr(line, text) != NULL;
  fclose(f);
  return n;
}

#endif
