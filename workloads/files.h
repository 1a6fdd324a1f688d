/*
 * files.h - the pieces of the files workload that every model shares.
 *
 * Task i writes file i of the batch's directory (S bytes whose content is
 * fixed by i), then reads it back and hashes what it read: the hash is the
 * task's value.  Both sides move the file in chunks of WL_FILES_CHUNK.
 */
#ifndef CONCLAB_FILES_H
#define CONCLAB_FILES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

#define WL_FILES_CHUNK (64 * 1024)
#define WL_FILES_PATH_MAX 4200

/* Set (from a signal handler) when the batch is being torn down: no task
 * (of files or pipeline) creates its file after that, so the clean-up does not
 * race new files. Atomic: the handler and the worker threads share it. */
extern atomic_int wl_files_stopping;

/* The path of task i's file: DIR/f0000042. */
void wl_files_path(const wl_params *p, uint32_t index, char *out, size_t cap);
/* Bytes [offset, offset + len) of task i's file. */
void wl_files_fill(uint32_t index, uint64_t offset, unsigned char *buf,
                   size_t len);

#endif
