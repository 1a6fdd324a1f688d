/*
 * lab.c - `conclab lab`: parse, measure each unit in fresh processes
 * (lab/), merge with an earlier run for --only, write the results
 * (report/).
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "lab.h"
#include "report.h"

static void lab_help(FILE *out) {
  fputs(
"usage: conclab lab [--profile quick|full|smoke] [--out DIR]\n"
"                   [--only NAME[,NAME...]]\n"
"\n"
"Measure what one unit of each model costs, each unit in a fresh process\n"
"(one warm-up, then R runs; median, MAD, min and max): start and finish a\n"
"uv_timer, a uv_queue_work job, a thread, a hand-off through the pool's\n"
"queue, fork (small and large parent), vfork, posix_spawn; one round trip\n"
"between two threads, two processes, a thread and a loop; bytes per second\n"
"through a pipe and through shared memory; memory per waiting timer,\n"
"thread and process; how many of each this machine holds at once; and\n"
"what the harness itself costs: `conclab run sleep` against the same batch\n"
"with no harness (bare libuv timers, pthreads, fork+pipe), in turns.\n"
"Writes DIR/data/lab.json, DIR/data/lab_{units,ipc,memory,sweep}.dat (plot\n"
"data) and the lab's section of DIR/README.md (between <!-- lab:begin -->\n"
"and <!-- lab:end -->), with \"The comparison table, measured\";\n"
"README.md last, in one rename.  Exit status 3 when a unit failed (the\n"
"files are still written).\n"
"\n"
"options:\n"
"  --profile P   quick (default, R = 5; caps: 1,000,000 timers, 10,000\n"
"                threads, 1,000 processes; large parent 1 GiB), full (R = 7;\n"
"                100,000 threads, 10,000 processes) or smoke (R = 2, tiny\n"
"                counts, for tests)\n"
"  --out DIR     where to write (default results)\n"
"  --only LIST   only these units, comma-separated, merged into the\n"
"                results already in DIR/data/lab.json: uv_timer uv_queue_work\n"
"                pthread pool_handoff fork fork_large vfork vfork_large\n"
"                posix_spawn cond_pingpong pipe_threads pipe_procs uv_async\n"
"                pipe_bw shm_bw mem_timer mem_thread mem_thread_small\n"
"                mem_process sweep_timers sweep_threads sweep_processes\n"
"                overhead_timers_100k overhead_timers_1m overhead_threads\n"
"                overhead_procs\n"
"  -h, --help    this help\n"
"\n"
"used by the lab itself (one measured child):\n"
"  --unit NAME --count N [--big-mb M] --json\n",
      out);
}

static int parse_long(const char *flag, const char *v, long lo, long hi,
                      long *out) {
  long long x;
  if (base_parse_whole(v, lo, hi, &x) != BASE_WHOLE_OK) {
    fprintf(stderr, "conclab: %s: '%s' is not a whole number in %ld..%ld\n",
            flag, v, lo, hi);
    return -1;
  }
  *out = (long)x;
  return 0;
}

/* -1: go on; otherwise the exit status. */
static int parse_args(int argc, char **argv, lab_args *a) {
  static const char *const valued[] = {"--profile", "--out",   "--only",
                                       "--unit",    "--count", "--big-mb"};
  enum { NVALUED = sizeof valued / sizeof valued[0] };
  unsigned seen = 0;
  int k;
  for (int i = 1; i < argc; i++) {
    const char *f = argv[i], *v;
    if (strcmp(f, "-h") == 0 || strcmp(f, "--help") == 0) {
      lab_help(stdout);
      return 0;
    }
    if (strcmp(f, "--json") == 0) {
      a->json = 1;
      continue;
    }
    for (k = 0; k < NVALUED && strcmp(f, valued[k]) != 0; k++)
      ;
    if (k == NVALUED) {
      fprintf(stderr, "conclab: %s: unknown option (see conclab lab "
              "--help)\n", f);
      return 2;
    }
    if (base_once(&seen, k, f) != 0)
      return 2;
    if (i + 1 >= argc) {
      fprintf(stderr, "conclab: %s: missing value\n", f);
      return 2;
    }
    v = argv[++i];
    if (strcmp(f, "--profile") == 0) {
      a->profile = -1;
      for (int p = 0; p < 3; p++)
        if (strcmp(v, lab_profile_names[p]) == 0)
          a->profile = p;
      if (a->profile < 0) {
        fprintf(stderr, "conclab: --profile: unknown profile '%s' (allowed: "
                "quick, full, smoke)\n", v);
        return 2;
      }
    } else if (strcmp(f, "--out") == 0) {
      if (*v == '\0') {
        fprintf(stderr, "conclab: --out: empty directory name\n");
        return 2;
      }
      a->out = v;
    } else if (strcmp(f, "--only") == 0) {
      if (lab_check_only(v) != 0)
        return 2;
      a->only = v;
    } else if (strcmp(f, "--unit") == 0) {
      if (!lab_known(v)) {
        fprintf(stderr, "conclab: --unit: unknown unit '%s'\n", v);
        return 2;
      }
      a->unit = v;
    } else if (strcmp(f, "--count") == 0) {
      if (parse_long(f, v, 1, 100000000, &a->count) != 0)
        return 2;
    } else if (parse_long(f, v, 0, 65536, &a->big_mb) != 0) {
      return 2;
    }
  }
  return -1;
}

int cmd_lab(int argc, char **argv) {
  lab_args a = {LAB_QUICK, "results", NULL, NULL, 0, 0, 0};
  lab_data *lab, *old = NULL;
  int failed = 0, rc = parse_args(argc, argv, &a);

  if (rc >= 0)
    return rc;
  if (a.unit != NULL) { /* a measured child */
    if (a.count <= 0) {
      fprintf(stderr, "conclab: --unit needs --count N\n");
      return 2;
    }
    return lab_child(a.unit, a.count, a.big_mb);
  }
  if (cmd_prepare_out(a.out, 0) != 0)
    return 2;
  if (a.only != NULL &&
      lab_load_old(a.out, lab_profile_names[a.profile], &old) != 0)
    return 2;
  lab = calloc(1, sizeof *lab);
  if (lab == NULL) {
    fprintf(stderr, "conclab: lab: out of memory\n");
    free(old);
    return 1;
  }
  rc = lab_run(&a, lab);
  base_machine_finish(&lab->machine);
  if (rc == 0)
    failed = lab_count_failed(lab);
  if (rc == 0 && old != NULL)
    rc = lab_merge(lab, old);
  if (rc == 0) { /* the GIL row: the suite's measures, if it ran here */
    char summary[BASE_PATH_MAX];
    snprintf(summary, sizeof summary, "%s/data/summary.json", a.out);
    lab->gil = report_python_gil_read(summary, &lab->gil_c, &lab->gil_py);
    rc = report_lab_write_all(a.out, lab);
  }
  if (rc == 0) {
    report_lab_summary(stdout, lab);
    fprintf(stderr, "conclab: lab done in %.0f s; wrote %s/data/lab.json, "
            "%s/data/lab_*.dat and the lab section of %s/README.md\n",
            lab->elapsed_s, a.out, a.out, a.out);
  }
  free(lab);
  free(old);
  return rc != 0 ? 1 : failed > 0 ? 3 : 0;
}
