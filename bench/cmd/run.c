/*
 * run.c - `conclab run`: parse, check the limits before the clock, run one
 * batch (run/), print it.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "run.h"
#include "trace.h"

/* --impl c|python, taken out of argv (argc updated).  0 for C, 1 for
 * CPython, or -1 (printed). */
static int take_impl(int *argc, char **argv) {
  int impl = 0;
  for (int i = 1; i < *argc; i++) {
    if (strcmp(argv[i], "--impl") != 0)
      continue;
    if (i + 1 >= *argc) {
      fprintf(stderr, "conclab: --impl: missing value (c or python)\n");
      return -1;
    }
    if (strcmp(argv[i + 1], "python") == 0) {
      impl = 1;
    } else if (strcmp(argv[i + 1], "c") == 0) {
      impl = 0;
    } else {
      fprintf(stderr, "conclab: --impl: unknown implementation '%s' "
              "(allowed: c, python)\n", argv[i + 1]);
      return -1;
    }
    memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof *argv);
    *argc -= 2;
    argv[*argc] = NULL;
    i--;
  }
  return impl;
}

int cmd_run(int argc, char **argv) {
  run_opts o;
  run_result r;
  run_where at;
  char err[256], self[BASE_PATH_MAX];
  int impl = take_impl(&argc, argv);

  if (impl < 0)
    return 2;
  if (impl == 1) { /* CPython parses the rest itself */
    if (base_self_exe(self, sizeof self) != 0) {
      fprintf(stderr, "conclab: /proc/self/exe: %s\n", strerror(errno));
      return 1;
    }
    return run_py_exec(self, argc, argv);
  }
  switch (run_parse(argc, argv, &o, err, sizeof err)) {
  case RUN_PARSE_HELP:
    run_help(stdout);
    return 0;
  case RUN_PARSE_USAGE:
    fprintf(stderr, "conclab: %s\n", err);
    return 2;
  }
  if (!run_fds_enough(&o))
    return 2;
  if (o.trace != NULL) {
    /* A trace that cannot be written is bad input: say so now, not after
     * the batch has run. */
    char why[BASE_PATH_MAX + 200];
    if (run_trace_file_check(o.trace, why, sizeof why) != 0) {
      fprintf(stderr, "conclab: %s\n", why);
      return 2;
    }
  }
  if (run_whole(&o, &at, &r) != 0)
    return 1;
  if (o.json)
    run_print_json(stdout, &o, &r);
  else
    run_print(stdout, &o, &r);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "conclab: run: writing the results: %s\n",
            strerror(errno));
    return 1;
  }
  return r.failed > 0 ? 3 : 0;
}
