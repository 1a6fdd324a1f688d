/*
 * subproc.h - run one measured child and read back what it printed.
 *
 * The suite and the lab both measure in fresh processes: fork, exec
 * `conclab ... --json`, collect its stdout (one JSON line), wait for it.
 * The child's stderr goes to a temporary file, so that its first line can
 * explain a failure without breaking the parent's progress lines.
 */
#ifndef CONCLAB_SUBPROC_H
#define CONCLAB_SUBPROC_H

#include <stddef.h>

/* Run path with argv (argv[0] first, NULL last) and wait for it.  out gets
 * its stdout, NUL-terminated (if it prints cap - 1 bytes or more, only what
 * came after the last full buffer is kept: a JSON line is short).  errline
 * gets the first line of its stderr ("" if none; "killed by SIGABRT" when
 * a signal killed it and it printed nothing).  It dies with its parent
 * (SIGTERM).  Returns its exit status (128 + the signal if a signal killed
 * it), or -1 if it could not be run, with errline saying why ("fork: ..."). */
int base_spawn_run(const char *path, char *const argv[], char *out, size_t cap,
           char *errline, size_t errlen);

#endif
