/*
 * pipeline.h - the pieces of the pipeline workload that every model shares.
 *
 * Task i is the tutorials' scraper assignment: fetch, process, save.
 *
 *   fetch    GET /bytes/S from the server; the body is kept in memory
 *   compute  wl_pipeline_digest: K rounds of hashing over the body (CPU)
 *   save     the digest, one line of hex, into file i of the batch's
 *            directory (the files workload's naming: DIR/f0000042)
 *
 * The task's value is its digest, so the checksum covers every digest.
 * seq, threaded and multiproc take the three steps the blocking way
 * (pipeline.c); async/pipeline.c takes them from callbacks, with the
 * compute step in the loop or, with --offload, on libuv's threadpool.
 */
#ifndef CONCLAB_PIPELINE_H
#define CONCLAB_PIPELINE_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

#define WL_PIPELINE_LINE 18 /* 16 hex digits, '\n', '\0' */

/* A fetched body: up to cap bytes, the size the task asked for.  A body
 * longer than that stops the transfer (curl reports a write error). */
typedef struct wl_pipeline_body {
  unsigned char *data;
  size_t len, cap;
} wl_pipeline_body;

/* Room for a body of `size` bytes.  0, or -1 when out of memory. */
int wl_pipeline_body_init(wl_pipeline_body *body, size_t size);
void wl_pipeline_body_free(wl_pipeline_body *body);

/* Set up easy to fetch task i's body into *body (emptied first). */
int wl_pipeline_prepare(CURL *easy, const wl_params *p, uint32_t index,
                        wl_pipeline_body *body);
/* The fetch ended with rc: ok only for a 200 with exactly S bytes.  Its
 * HTTP status goes into out; a failure is reported (once per process). */
wl_status wl_pipeline_fetched(CURL *easy, CURLcode rc, const wl_params *p,
                              uint32_t index, const wl_pipeline_body *body,
                              wl_slot *out);

/* The compute step: `rounds` passes of FNV-1a over the body, each seeded
 * with the last pass's result, the first with the task's index (every
 * task fetches the same bytes; the digests still differ). */
uint64_t wl_pipeline_digest(uint32_t index, const unsigned char *data,
                            size_t len, int rounds);
/* The compute step, timed: the digest, with the CPU time the calling
 * thread spent on it in out->compute_us.  CPU time, not wall time: a step
 * that shares its core with others is not counted longer.  Its wall-clock
 * span goes to the timeline too, if this thread has a current span
 * (wl_span_enter). */
uint64_t wl_pipeline_compute(uint32_t index, const wl_pipeline_body *body,
                             int rounds, wl_slot *out);

/* What the save step writes: the digest as 16 hex digits and a newline.
 * Returns its length (17). */
int wl_pipeline_line(uint64_t digest, char line[WL_PIPELINE_LINE]);

#endif
