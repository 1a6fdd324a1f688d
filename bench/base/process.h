/*
 * process.h - starting another program: one way, for every caller.
 *
 * Lesson: posix_spawnp(3) starts a program in one call - the C library
 * creates the child, applies a list of file actions (dup2, chdir) and
 * attributes (process group, signal mask) in it, searches PATH and execs,
 * and reports a failure of any of these as its return value.  No shell is
 * involved (popen and system run /bin/sh, which quotes differently and
 * fails on its own under `ulimit -u`).
 *
 * What the harness starts: the measured children of the suite and the lab
 * (`conclab run|lab ... --json`: stdout read back, first stderr line kept
 * to explain a failure), hyperfine (stderr kept, guarded: a signal is
 * passed on to it), gnuplot (in the plots directory), the traced batches
 * of the report, the embedded server and the server benchmark's servers
 * (base_read_line reads their URL while they keep running; base_stop
 * stops them), and git for the machine description.  A child that must
 * not outlive this process (die_with_parent) is the one case posix_spawn
 * cannot do; see process.c.
 */
#ifndef CONCLAB_PROCESS_H
#define CONCLAB_PROCESS_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Where a child's stdout or stderr goes. */
typedef enum base_stream {
  BASE_INHERIT = 0, /* where ours goes */
  BASE_DEVNULL,     /* /dev/null */
  /* stdout: a pipe, read back by base_run (or, after base_spawn, from
   * base_child.out_fd); stderr: an unnamed temporary file whose first
   * line base_wait hands back. */
  BASE_CAPTURE,
} base_stream;

typedef struct base_spawn_opts {
  const char *dir; /* its working directory (NULL: ours) */
  base_stream out, err;
  /* SIGTERM when the calling thread ends, also by SIGKILL (Linux's
   * PR_SET_PDEATHSIG), and SIGTERM not ignored in it. */
  int die_with_parent;
  /* The guard (guard.h) passes a signal on to it: it leads its own
   * process group and is the guard's child from its first instant until
   * base_wait reaps it. */
  int guarded;
} base_spawn_opts;

typedef struct base_child {
  pid_t pid;
  int out_fd;  /* read end of stdout's pipe (BASE_CAPTURE), else -1 */
  int err_fd;  /* the file holding its stderr (BASE_CAPTURE), else -1 */
  int guarded;
} base_child;

/* Start file (searched on PATH unless it has a '/') with argv (argv[0]
 * first, NULL last).  0 with *c filled, or -1 with errno set and why
 * saying what failed ("fork: ...", "cannot run gnuplot: ..."). */
int base_spawn(const char *file, char *const argv[],
               const base_spawn_opts *o, base_child *c, char *why,
               size_t whylen);

/* Wait for it (EINTR retried) and close what base_spawn opened.  errline
 * gets the first line of its stderr if captured, or "killed by SIGABRT"
 * when a signal killed it and it said nothing ("" otherwise).  Its exit
 * status, 128 + the signal that killed it, or -1 (errline says why). */
int base_wait(base_child *c, char *errline, size_t errlen);

/* A child that keeps running (a server): the first line it prints on fd
 * (its stdout, BASE_CAPTURE), newline dropped.  0, or -1: no whole line
 * (nothing came for timeout_ms, it exited first, or the line is longer
 * than cap). */
int base_read_line(int fd, char *line, size_t cap, int timeout_ms);

/* Stop a child that keeps running: sig, then SIGKILL when it has not
 * exited within timeout_ms (*killed, if not NULL, says so); then as
 * base_wait (its status, errline, what base_spawn opened closed), with its
 * resource usage in *ru when ru is not NULL. */
int base_stop(base_child *c, int sig, int timeout_ms, struct rusage *ru,
              int *killed, char *errline, size_t errlen);

/* base_spawn, then read its stdout into out (if o->out is BASE_CAPTURE:
 * NUL-terminated, the first cap - 1 bytes, the rest read and dropped),
 * then base_wait.  Its status as base_wait's; errline as base_wait's, or
 * base_spawn's why when it could not start (-1). */
int base_run(const char *file, char *const argv[], const base_spawn_opts *o,
             char *out, size_t cap, char *errline, size_t errlen);

/* A measured child of the suite or the lab: base_run with stdout captured,
 * stderr's first line kept, and dying with its parent. */
int base_spawn_run(const char *path, char *const argv[], char *out,
                   size_t cap, char *errline, size_t errlen);

/* Why a measured child failed, as one line for a report: its first stderr
 * line, after "exit N: " when it ran and exited with status N (> 0); cut
 * to fit cap. */
void base_spawn_why(char *why, size_t cap, int status, const char *line);

/* The executable `name` found on PATH, as execvp would (an empty entry is
 * the current directory), into out.  0, or -1 when there is none.  For a
 * caller that must know before it starts anything (a flag that asks for
 * the tool, a sentence saying it is missing). */
int base_find_program(const char *name, char *out, size_t cap);

#endif
