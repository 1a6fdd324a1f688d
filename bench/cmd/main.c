/*
 * main.c - `conclab`: run one batch, run the whole suite, or serve HTTP.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cmd.h"
#include "run.h"

static void main_help(FILE *out) {
  fputs(
"usage: conclab COMMAND [options]\n"
"\n"
"conclab runs the same workloads four ways - one task after another (seq),\n"
"on a libuv event loop (async), on a pthread pool (threaded), on forked\n"
"worker processes with pipes (multiproc) - and measures every run.\n"
"\n"
"commands:\n"
"  run WORKLOAD [options]   run one batch on one model and report it\n"
"                           (conclab run --help for every option)\n"
"  suite [options]          run the benchmark matrix, write tables\n"
"                           (conclab suite --help)\n"
"  serve [options]          a local HTTP test server (conclab serve --help)\n"
"  load URL [options]       load a server, latency percentiles (conclab load\n"
"                           --help)\n"
"  lab [options]            what one timer, thread or process costs, and\n"
"                           how many fit (conclab lab --help)\n"
"  compare A B [options]    two suite results compared, cell by cell, beyond\n"
"                           their noise (conclab compare --help)\n"
"  --version                the version, the git commit it was built from, the\n"
"                           schema of the JSON files written\n"
"\n"
"examples:\n"
"  conclab run sleep --model async --tasks 1000 --delay-ms 100\n"
"  conclab run primes --model threaded --concurrency 2 --json\n"
"  conclab suite --profile quick --out results\n"
"  conclab serve --port 0   # prints its URL, serves until Ctrl-C\n",
      out);
}

/* Many worker processes need many pipe ends: raise the soft limit on open
 * files to the hard limit, which any process may do. */
static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int main(int argc, char **argv) {
  raise_fd_limit();
#ifdef CONCLAB_IMPL
  /* An exercise's copy of conclab, built around the student's code
   * (exercises/CMakeLists.txt): say so in the reports of that model's
   * runs. */
  run_impl = CONCLAB_IMPL;
  run_impl_model = CONCLAB_IMPL_MODEL;
#endif
  if (argc < 2) {
    main_help(stderr);
    return 2;
  }
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "help") == 0) {
    main_help(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
    return cmd_version(argc - 1, argv + 1);
  if (strcmp(argv[1], "compare") == 0)
    return cmd_compare(argc - 1, argv + 1);
  if (strcmp(argv[1], "run") == 0)
    return cmd_run(argc - 1, argv + 1);
  if (strcmp(argv[1], "suite") == 0)
    return cmd_suite(argc - 1, argv + 1);
  if (strcmp(argv[1], "serve") == 0)
    return cmd_serve(argc - 1, argv + 1);
  if (strcmp(argv[1], "lab") == 0)
    return cmd_lab(argc - 1, argv + 1);
  if (strcmp(argv[1], "load") == 0)
    return cmd_load(argc - 1, argv + 1);
  fprintf(stderr, "conclab: unknown command '%s' (allowed: run, suite, "
          "serve, load, lab, compare, --version; see conclab --help)\n", argv[1]);
  return 2;
}
