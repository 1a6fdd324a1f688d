/*
 * atomic.h - write a file so that no reader ever sees half of it.
 *
 * The text goes to PATH.tmp.PID in the same directory, and only a whole,
 * flushed file is renamed over PATH (rename is atomic within a file
 * system).  On any error the temporary file is removed and PATH is left
 * as it was; so it is when a signal ends the process meanwhile (guard.h).
 * An error is told by the errno of the call that failed - "No space left
 * on device", not "Input/output error".  Every report, data file, plot
 * script, section and trace is written this way.
 */
#ifndef CONCLAB_ATOMIC_H
#define CONCLAB_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

/* Writes the file's text to out; its errors show in ferror(out). */
typedef void (*base_writer)(FILE *out, const void *arg);

/* 0, or -1 (printed: "conclab: writing PATH: why"). */
int base_atomic_write(const char *path, base_writer fill, const void *arg);

/* The same, printing nothing: 0, or the errno of the first call that
 * failed. */
int base_atomic_write_errno(const char *path, base_writer fill,
                            const void *arg);

/* What fill writes, as a malloc'd string (for a document built in memory
 * and written once); NULL when out of memory. */
char *base_write_string(base_writer fill, const void *arg);

/* Can PATH be written?  Makes the temporary file and removes it at once.
 * 0, or an errno value (EISDIR: PATH is a directory). */
int base_atomic_check_errno(const char *path);

#endif
