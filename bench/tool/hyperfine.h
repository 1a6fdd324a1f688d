/*
 * hyperfine.h - hyperfine's JSON layout, and timing whole processes with it.
 *
 * hyperfine (https://github.com/sharkdp/hyperfine) times a command as a
 * whole process: exec, dynamic loading, the work, exit.  The harness times
 * only the batch inside the process.  Putting both side by side shows what
 * the harness leaves out, and checks that its clock agrees with an
 * independent one.
 *
 * The layout of `hyperfine --export-json` (version 1.15):
 *   {"results": [{"command": "...", "mean": s, "stddev": s, "median": s,
 *                 "user": s, "system": s, "min": s, "max": s,
 *                 "times": [s, ...], "exit_codes": [0, ...],
 *                 "parameters": {"name": "value", ...}}]}
 * "parameters" only where there are some (hyperfine -P or -L).  All times
 * in seconds.  The suite writes its own runs in this layout too,
 * so hyperfine's plotting scripts read conclab's data unchanged.
 */
#ifndef CONCLAB_HYPERFINE_H
#define CONCLAB_HYPERFINE_H

#include <stddef.h>
#include <stdio.h>


#define TOOL_HF_MAX_PARAMS 16

typedef struct tool_hf_param {
  char name[32];
  char value[64];
} tool_hf_param;

/* One command's result.  command, times and exit_codes are malloc'd
 * (tool_hf_free); the rest is inline. */
typedef struct tool_hf_result {
  char *command;
  double mean, stddev, median, user, system, min, max;
  double *times;
  int ntimes;
  int *exit_codes; /* -1 where hyperfine wrote null (killed by a signal) */
  int nexit;
  tool_hf_param params[TOOL_HF_MAX_PARAMS];
  int nparams;
} tool_hf_result;

/* Write {"results": [...]} for r[0..n), indented (cJSON's layout).
 * A stddev of fewer than two times is null, as hyperfine writes it. */
void tool_hf_write(FILE *out, const tool_hf_result *r, int n);

/* Parse the text of such a file (name is for messages).  0 with *out (n
 * results, free with tool_hf_free), or -1 with a message on stderr. */
int tool_hf_parse(const char *text, const char *name, tool_hf_result **out,
                  int *n);
/* The same, from a file. */
int tool_hf_read(const char *path, tool_hf_result **out, int *n);
void tool_hf_free(tool_hf_result *r, int n);

/* mean, stddev (n - 1), median, min and max of r->times. */
void tool_hf_fill_stats(tool_hf_result *r);
/* Add a parameter (silently dropped past TOOL_HF_MAX_PARAMS). */
void tool_hf_param_add(tool_hf_result *r, const char *name, const char *value);

/* argv as one command line that `hyperfine -N` splits back into the same
 * words (POSIX shell quoting: 'it'\''s').  0, or -1 if it does not fit. */
int tool_hf_command_line(char *const argv[], char *out, size_t cap);

/* hyperfine's path, searched on $PATH: 0, or -1 when it is not there. */
int tool_hf_find(char *out, size_t cap);

/* Time one command line with `hyperfine -N --warmup W --runs R`, as a
 * child process (no shell), and read its export back.  0 with *r filled
 * (tool_hf_free it), or -1 with the reason in why. */
int tool_hf_time(const char *hyperfine, const char *command, int warmup,
                 int runs, tool_hf_result *r, char *why, size_t whylen);

#endif
