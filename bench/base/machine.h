/*
 * machine.h - what a report says about the machine and the build.
 *
 * A number without its machine is not a result: every report records the
 * CPU, cores, memory, kernel, compiler and flags, libuv's and libcurl's
 * versions, the load when the suite started, and the git commit that was
 * measured.
 */
#ifndef CONCLAB_MACHINE_H
#define CONCLAB_MACHINE_H

#include <cjson/cJSON.h>

typedef struct base_machine {
  char cpu[128];
  int cores;
  double mem_gib;
  char kernel[256];
  char compiler[96];
  char cflags[160];
  char build_type[32];
  char libuv[32];
  char libcurl[64];
  double load[3];
  char commit[64];
  char date[40]; /* UTC, when the suite started */
  /* What the run saw of the machine, for the report's warnings (issue 15):
   * the share of CPU time the host stole while it ran, in percent (from
   * /proc/stat at its start and end; -1: not known), and cpu0's cpufreq
   * scaling governor ("" when it cannot be read). */
  double steal_pct;
  char governor[32];
} base_machine;

void base_machine_read(base_machine *m);

/* The machine as the "machine" object of every JSON file conclab writes
 * (summary.json, lab.json): one writer, so they cannot disagree. */
cJSON *base_machine_json(const base_machine *m);

#endif
