/*
 * wrk.c - run wrk and read its text output (see wrk.h for the layout).
 */
#include "wrk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "process.h"

int tool_wrk_find(char *path, size_t cap) {
  return base_find_program("wrk", path, cap);
}

/* "395.00us" and its kin, in milliseconds; -1 if not one. */
static double to_ms(const char *text) {
  static const struct {
    const char *unit;
    double ms;
  } units[] = {{"us", 1e-3}, {"ms", 1}, {"s", 1e3}, {"m", 60e3}};
  char *end;
  double v = strtod(text, &end);
  if (end == text)
    return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    size_t n = strlen(units[i].unit);
    if (strncmp(end, units[i].unit, n) == 0 &&
        (end[n] == '\0' || end[n] == '\n' || end[n] == ' '))
      return v * units[i].ms;
  }
  return -1;
}

/* The value after "NN%" in the latency distribution; -1 if absent. */
static double percentile(const char *dist, const char *pct) {
  const char *p = strstr(dist, pct);
  if (p == NULL)
    return -1;
  p += strlen(pct);
  p += strspn(p, " ");
  return to_ms(p);
}

static void socket_errors(const char *text, tool_wrk_result *r) {
  const char *p = strstr(text, "Socket errors:");
  if (p != NULL)
    sscanf(p, "Socket errors: connect %ld, read %ld, write %ld, timeout %ld",
           &r->connect_errors, &r->read_errors, &r->write_errors,
           &r->timeouts);
  p = strstr(text, "Non-2xx or 3xx responses:");
  if (p != NULL)
    sscanf(p, "Non-2xx or 3xx responses: %ld", &r->non2xx);
}

int tool_wrk_parse(const char *text, tool_wrk_result *r) {
  const char *rps = strstr(text, "Requests/sec:");
  const char *dist = strstr(text, "Latency Distribution");
  const char *req = strstr(text, " requests in ");

  memset(r, 0, sizeof *r);
  if (rps == NULL || dist == NULL ||
      sscanf(rps, "Requests/sec: %lf", &r->rps) != 1)
    return -1;
  r->p50_ms = percentile(dist, " 50%");
  r->p75_ms = percentile(dist, " 75%");
  r->p90_ms = percentile(dist, " 90%");
  r->p99_ms = percentile(dist, " 99%");
  if (r->p50_ms < 0 || r->p99_ms < 0)
    return -1;
  if (req != NULL) { /* the number before it, at the start of its line */
    const char *line = req;
    while (line > text && line[-1] != '\n')
      line--;
    r->requests = strtod(line, NULL);
  }
  socket_errors(text, r);
  return 0;
}

static double cpu_of_children(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_CHILDREN, &ru) != 0) /* only on a bad argument */
    return 0;
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

long tool_wrk_errors(const tool_wrk_result *r) {
  return r->connect_errors + r->read_errors + r->write_errors + r->timeouts;
}

int tool_wrk_run(const char *wrk, const char *url, int connections,
                 int duration_s, tool_wrk_result *r, char *why, size_t cap) {
  char c[24], d[24], out[8192], err[256];
  char *argv[] = {(char *)wrk, "-t1", c, d, "--latency", (char *)url, NULL};
  const base_spawn_opts o = {.out = BASE_CAPTURE, .err = BASE_CAPTURE,
                             .die_with_parent = 1};
  double cpu0 = cpu_of_children(), cpu;
  int status;

  snprintf(c, sizeof c, "-c%d", connections);
  snprintf(d, sizeof d, "-d%ds", duration_s);
  status = base_run(wrk, argv, &o, out, sizeof out, err, sizeof err);
  cpu = cpu_of_children() - cpu0;
  if (status != 0) {
    base_spawn_why(why, cap, status, err);
    return -1;
  }
  if (tool_wrk_parse(out, r) != 0) {
    snprintf(why, cap, "wrk's output has no Requests/sec or latency "
             "distribution");
    return -1;
  }
  r->cpu_s = cpu;
  return 0;
}
