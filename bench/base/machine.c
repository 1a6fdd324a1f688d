/*
 * machine.c - reading the machine description (see machine.h).
 */
#define _DEFAULT_SOURCE /* getloadavg */
#include "machine.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "base.h"
#include "json.h"
#include "process.h"

static void trim(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
    s[--n] = '\0';
}

/* The first "model name" line of /proc/cpuinfo. */
static void read_cpu(char *out, size_t cap) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[256];

  snprintf(out, cap, "unknown");
  if (f == NULL)
    return;
  while (fgets(line, sizeof line, f) != NULL) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
      snprintf(out, cap, "%s", colon + 2);
      trim(out);
      break;
    }
  }
  fclose(f);
}

/* The first line git prints, or "" (git may be absent, or unable to
 * start: no shell in between to say so on our stderr). */
static void read_git(char *const argv[], char *out, size_t cap) {
  const base_spawn_opts o = {.out = BASE_CAPTURE, .err = BASE_DEVNULL};
  char why[256];

  if (base_run("git", argv, &o, out, cap, why, sizeof why) != 0)
    out[0] = '\0';
  out[strcspn(out, "\n")] = '\0';
  trim(out);
}

void base_machine_commit(char *out, size_t cap) {
  char *head[] = {"git", "-C", CONCLAB_SOURCE_DIR, "rev-parse",
                  "--short=12", "HEAD", NULL};
  /* Changed tracked files, results/ aside (the suite rewrites it). */
  char *status[] = {"git", "-C", CONCLAB_SOURCE_DIR, "status", "--porcelain",
                    "--untracked-files=no", "--", ".", ":!results", NULL};
  char hash[24], dirty[8];

  read_git(head, hash, sizeof hash);
  read_git(status, dirty, sizeof dirty);
  if (hash[0] == '\0')
    snprintf(out, cap, "unknown (not a git checkout)");
  else
    snprintf(out, cap, "%s%s", hash, dirty[0] ? " (with uncommitted changes)"
                                              : "");
}

int base_cpu_ticks(const char *line, long long *steal, long long *busy,
                   long long *total) {
  const char *p = line;
  long long sum = 0, work = 0;
  int n = 0;

  if (strncmp(p, "cpu ", 4) != 0)
    return -1;
  p += 4;
  for (;;) {
    char *end;
    long long v;
    while (*p == ' ')
      p++;
    if (*p == '\n' || *p == '\0')
      break;
    errno = 0;
    v = strtoll(p, &end, 10);
    if (end == p || errno != 0 || v < 0)
      return -1;
    /* user nice system idle iowait irq softirq steal guest guest_nice:
     * guest time is already counted in user (and guest_nice in nice). */
    if (n < 8)
      sum += v;
    if (n <= 2) /* user nice system: what processes ran */
      work += v;
    if (n == 7)
      *steal = v;
    n++;
    p = end;
  }
  if (n < 8)
    return -1;
  *total = sum;
  *busy = work;
  return 0;
}

double base_steal_pct(long long steal0, long long total0, long long steal1,
                      long long total1) {
  if (total0 < 0 || total1 <= total0 || steal1 < steal0)
    return -1;
  return 100.0 * (double)(steal1 - steal0) / (double)(total1 - total0);
}

double base_others_pct(long long busy_ticks, long long total_ticks,
                       double own_cpu_s, long hz) {
  double others;
  if (total_ticks <= 0 || busy_ticks < 0 || hz <= 0)
    return -1;
  others = (double)busy_ticks / (double)hz - own_cpu_s;
  if (others < 0) /* ticks are sampled: a quiet machine reads a little under */
    others = 0;
  return 100.0 * others / ((double)total_ticks / (double)hz);
}

/* CPU seconds of this process and of every child it has waited for. */
static double own_cpu_s(void) {
  struct rusage self, kids;
  if (getrusage(RUSAGE_SELF, &self) != 0 ||
      getrusage(RUSAGE_CHILDREN, &kids) != 0)
    return -1;
  return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec +
                  kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
         (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
                  kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) /
             1e6;
}

int base_cpu_ticks_read(const char *path, long long *steal, long long *busy,
                        long long *total) {
  FILE *f = fopen(path, "r");
  char line[512];
  int rc = -1;

  if (f == NULL)
    return -1;
  if (fgets(line, sizeof line, f) != NULL)
    rc = base_cpu_ticks(line, steal, busy, total);
  fclose(f);
  return rc;
}

/* cpu0's cpufreq governor, or "" (no cpufreq in many VMs). */
static void read_governor(char *out, size_t cap) {
  FILE *f =
      fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");

  out[0] = '\0';
  if (f == NULL)
    return;
  if (fgets(out, (int)cap, f) == NULL)
    out[0] = '\0';
  fclose(f);
  trim(out);
}

void base_machine_finish(base_machine *m) {
  long long steal, busy, total;
  double own = own_cpu_s();

  m->steal_pct = m->others_pct = -1;
  if (m->stat_total < 0 ||
      base_cpu_ticks_read("/proc/stat", &steal, &busy, &total) != 0)
    return;
  m->steal_pct = base_steal_pct(m->stat_steal, m->stat_total, steal, total);
  if (own >= 0 && m->own_cpu_s >= 0)
    m->others_pct = base_others_pct(busy - m->stat_busy,
                                    total - m->stat_total,
                                    own - m->own_cpu_s, sysconf(_SC_CLK_TCK));
}

void base_machine_read(base_machine *m) {
  struct utsname u;
  time_t now = time(NULL);
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

  memset(m, 0, sizeof *m);
  m->steal_pct = m->others_pct = -1; /* not known until the run's end */
  m->own_cpu_s = own_cpu_s();
  if (base_cpu_ticks_read("/proc/stat", &m->stat_steal, &m->stat_busy,
                          &m->stat_total) != 0)
    m->stat_total = -1;
  read_governor(m->governor, sizeof m->governor);
  read_cpu(m->cpu, sizeof m->cpu);
  m->cores = base_cores();
  m->mem_gib = (double)pages * (double)page / (1024.0 * 1024 * 1024);
  if (uname(&u) == 0)
    snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release,
             u.machine);
  snprintf(m->compiler, sizeof m->compiler, "%s", CONCLAB_COMPILER);
  const char *flags = CONCLAB_CFLAGS;
  while (*flags == ' ')
    flags++;
  snprintf(m->cflags, sizeof m->cflags, "%s", flags);
  trim(m->cflags);
  snprintf(m->build_type, sizeof m->build_type, "%s", CONCLAB_BUILD_TYPE);
  snprintf(m->libuv, sizeof m->libuv, "%s", uv_version_string());
  snprintf(m->libcurl, sizeof m->libcurl, "%s",
           curl_version_info(CURLVERSION_NOW)->version);
  if (getloadavg(m->load, 3) != 3)
    m->load[0] = m->load[1] = m->load[2] = -1;
  base_machine_commit(m->commit, sizeof m->commit);
  strftime(m->date, sizeof m->date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
}

cJSON *base_machine_json(const base_machine *m) {
  base_json_writer w;
  char load[64];

  snprintf(load, sizeof load, "%.2f %.2f %.2f", m->load[0], m->load[1],
           m->load[2]);
  base_json_begin(&w, NULL);
  base_json_str(&w, "cpu", m->cpu);
  base_json_int(&w, "cores", m->cores);
  base_json_num(&w, "mem_gib", m->mem_gib);
  base_json_str(&w, "kernel", m->kernel);
  base_json_str(&w, "compiler", m->compiler);
  base_json_str(&w, "build_type", m->build_type);
  base_json_str(&w, "cflags", m->cflags);
  base_json_str(&w, "libuv", m->libuv);
  base_json_str(&w, "libcurl", m->libcurl);
  base_json_str(&w, "load_average", load);
  base_json_str(&w, "commit", m->commit);
  base_json_str(&w, "date", m->date);
  /* null: not known (no /proc/stat, or the run not finished) */
  base_json_num(&w, "steal_pct", m->steal_pct < 0 ? NAN : m->steal_pct);
  base_json_num(&w, "others_cpu_pct",
                m->others_pct < 0 ? NAN : m->others_pct);
  base_json_str(&w, "governor", m->governor);
  return base_json_take(&w);
}
