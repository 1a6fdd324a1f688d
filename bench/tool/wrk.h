/*
 * wrk.h - wrk, the load generator people trust, as the outside check of
 * conclab's own (`conclab load`).
 *
 * wrk (https://github.com/wg/wrk; Debian's package) is a native client on
 * its own event loop with http-parser: the design conclab load follows.
 * Run with one thread and C connections on the same URL, its requests/s
 * beside conclab's says whether the harness's generator is the limit.
 * What is read from its text output (wrk 4.1):
 *     Latency Distribution
 *        50%  395.00us          (us, ms, s or m)
 *        99%    2.00ms
 *     191252 requests in 1.00s, 201.54MB read
 *     Socket errors: connect 0, read 36399, write 0, timeout 0
 *     Non-2xx or 3xx responses: 135061
 *     Requests/sec: 191149.35
 */
#ifndef CONCLAB_WRK_H
#define CONCLAB_WRK_H

#include <stddef.h>

typedef struct tool_wrk_result {
  double rps;
  double requests;
  double p50_ms, p75_ms, p90_ms, p99_ms;
  /* socket errors by kind, and answers that were not 2xx or 3xx */
  long connect_errors, read_errors, write_errors, timeouts, non2xx;
  /* tool_wrk_run: wrk's own CPU (user + system, from the kernel's count
   * for the children this process waited for), to set against conclab
   * load's: on shared cores, what a generator spends the server lacks */
  double cpu_s;
} tool_wrk_result;

/* wrk on PATH, into path: 0, or -1 when there is none. */
int tool_wrk_find(char *path, size_t cap);

/* Read wrk's text output.  0, or -1 when its Requests/sec line or its
 * latency distribution (--latency) is missing. */
int tool_wrk_parse(const char *text, tool_wrk_result *r);

/* Errors of every kind (non-2xx answers not counted). */
long tool_wrk_errors(const tool_wrk_result *r);

/* `wrk -t1 -cC -dSs --latency URL`, its output parsed and its CPU
 * counted (no other child of this process may end meanwhile).  0, or -1
 * with why (wrk failed: its first line of stderr; the output
 * unreadable). */
int tool_wrk_run(const char *wrk, const char *url, int connections,
                 int duration_s, tool_wrk_result *r, char *why, size_t cap);

#endif
