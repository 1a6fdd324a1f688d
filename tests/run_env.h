/*
 * run_env.h - run conclab in a changed world: with the rename shim
 * preloaded (tests/rename_shim.c), or as user nobody under a limit on its
 * processes, open files or memory, so that some of its children, threads
 * or files cannot start (a real failure, as `ulimit` gives).  Include
 * after run_conclab.h.
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
#define RUN_ENV_NOBODY 65534

typedef struct run_env {
  const char *log;    /* CONCLAB_RENAME_LOG, with the shim (or NULL) */
  const char *kill;   /* CONCLAB_RENAME_KILL, with the shim (or NULL) */
  const char *stop;   /* CONCLAB_RENAME_STOP, with the shim (or NULL) */
  int as_nobody;      /* as user nobody, whom RLIMIT_NPROC holds (not root) */
  rlim_t nproc;       /* > 0: these limits (ulimit -u, -n, -v) */
  rlim_t open_files, address_space;
} run_env;

static inline void run_env_limit(int resource, rlim_t value) {
  if (value > 0 &&
      setrlimit(resource, &(struct rlimit){value, value}) != 0)
    _exit(RUN_ENV_NO_SETUP);
}

static inline void run_env_shim(const run_env *e) {
#ifdef CONCLAB_RENAME_SHIM
  if (e->log != NULL || e->kill != NULL || e->stop != NULL) {
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
    if (e->stop != NULL)
      setenv("CONCLAB_RENAME_STOP", e->stop, 1);
  }
#else
  if (e->log != NULL || e->kill != NULL || e->stop != NULL)
    _exit(RUN_ENV_NO_SETUP); /* this test was built without the shim */
#endif
}

static inline void run_env_setup(const run_env *e) {
  run_env_shim(e);
  /* A leak check at exit needs a thread of its own: not under a limit. */
  if (e->nproc > 0 || e->address_space > 0)
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
  if (e->as_nobody &&
      (geteuid() != 0 || setgroups(0, NULL) != 0 ||
       setgid(RUN_ENV_NOBODY) != 0 || setuid(RUN_ENV_NOBODY) != 0))
    _exit(RUN_ENV_NO_SETUP);
  /* After setuid: execve refuses a process that was over NPROC then. */
  run_env_limit(RLIMIT_NPROC, e->nproc);
  run_env_limit(RLIMIT_NOFILE, e->open_files);
  run_env_limit(RLIMIT_AS, e->address_space);
}

static inline void run_env_setup_arg(const void *e) { run_env_setup(e); }

/* Start conclab in e, as conclab_start does; conclab_finish waits. */
static inline pid_t conclab_start_in(const char *const *argv,
                                     const run_env *e, FILE **out,
                                     FILE **err) {
  return conclab_spawn(argv, run_env_setup_arg, e, RUN_ENV_NO_SETUP, out,
                       err);
}

static inline output *conclab_in(const char *const *argv, const run_env *e) {
  static output o;
  FILE *out, *err;
  pid_t pid = conclab_start_in(argv, e, &out, &err);

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
