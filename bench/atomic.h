/*
 * atomic.h - write a file so that no reader ever sees half of it.
 *
 * The text goes to PATH.tmp.PID in the same directory, and only a whole,
 * flushed file is renamed over PATH (rename is atomic within a file
 * system).  On any error the temporary file is removed and PATH is left
 * as it was.  Every report, data file, plot script and section is written
 * this way.
 */
#ifndef CONCLAB_ATOMIC_H
#define CONCLAB_ATOMIC_H

#include <stdio.h>

/* Writes the file's text to out; its errors show in ferror(out). */
typedef void (*aw_writer)(FILE *out, const void *arg);

/* 0, or -1 (printed: "conclab: writing PATH: why"). */
int aw_write(const char *path, aw_writer write, const void *arg);

#endif
