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

/* Over these shares the run's machine was not its own: the suite's
 * warnings and compare's notes both say so. */
#define BASE_MACHINE_STEAL_PCT 3.0   /* steal_pct: CPU the host stole */
#define BASE_MACHINE_OTHERS_PCT 10.0 /* others_pct: other programs' CPU */

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
  /* What the run saw of the machine, for the report's warnings:
   * the share of CPU time the host stole while it ran, in percent (from
   * /proc/stat at its start and end; -1: not known), and cpu0's cpufreq
   * scaling governor ("" when it cannot be read). */
  double steal_pct;
  /* The share of all cores' time that other programs used while the run
   * went on: busy ticks in /proc/stat less this process's and its
   * children's CPU time, in percent (-1: not known).  Unlike the load
   * average at the start, it sees a program started just before the run. */
  double others_pct;
  char governor[32];
  /* /proc/stat's cpu line when the run started: steal, busy (user, nice,
   * system) and all ticks (-1 ticks: not read), and this process's CPU
   * seconds then, for base_machine_finish. */
  long long stat_steal, stat_busy, stat_total;
  double own_cpu_s;
} base_machine;

/* The git commit the source tree conclab was built from is at now, e.g.
 * "0123456789ab (with uncommitted changes)": git asked in that tree when
 * called, so the build itself may be older. */
void base_machine_commit(char *out, size_t cap);

/* The machine as the run starts (steal_pct still -1). */
void base_machine_read(base_machine *m);
/* At the run's end: the share of CPU time stolen since base_machine_read
 * and the share other programs used (steal_pct, others_pct; they stay -1
 * where /proc/stat cannot be read). */
void base_machine_finish(base_machine *m);

/* The arithmetic behind steal_pct, apart so it can be tested on fixed
 * lines.  base_cpu_ticks: the steal field (the 8th number), the busy
 * ticks (user + nice + system) and the sum of every field of a /proc/stat
 * "cpu " line; 0, or -1 if it is not one
 * (a kernel before 2.6.11 has no steal field: -1).  base_steal_pct: the
 * stolen share of the ticks between two reads, in percent; -1 if the
 * counts do not move forward. */
int base_cpu_ticks(const char *line, long long *steal, long long *busy,
                   long long *total);
double base_steal_pct(long long steal0, long long total0, long long steal1,
                      long long total1);
/* The "cpu " line of the stat file at path (normally /proc/stat), as
 * base_cpu_ticks reads it: 0, or -1. */
int base_cpu_ticks_read(const char *path, long long *steal, long long *busy,
                        long long *total);
/* The others' share behind others_pct: busy and all ticks between two
 * reads (hz ticks a second), less own_cpu_s seconds of this run's own, as a
 * percentage of all the ticks; -1 if the ticks did not move. */
double base_others_pct(long long busy_ticks, long long total_ticks,
                       double own_cpu_s, long hz);

/* The machine as the "machine" object of every JSON file conclab writes
 * (summary.json, lab.json): one writer, so they cannot disagree. */
cJSON *base_machine_json(const base_machine *m);

#endif
