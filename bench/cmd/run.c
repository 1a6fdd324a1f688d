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

int cmd_run(int argc, char **argv) {
  run_opts o;
  run_result r;
  run_where at;
  char err[256];

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
