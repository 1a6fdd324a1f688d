/*
 * dont_block.h - exercise 09: don't block the loop.
 *
 * n jobs, each a CPU-heavy computation (tens of milliseconds), run from an
 * event loop two ways.  db_run_in_loop, already written in dont_block.c,
 * is the pitfall: it computes inside a loop callback, and while it does the
 * loop can do nothing else.  db_run_offloaded, which you write, hands each
 * computation to libuv's threadpool (uv_queue_work: asyncio's
 * run_in_executor), and the loop stays free.  The test (test_dont_block.c)
 * watches the loop with a lag probe while they run.  Do not change this
 * file.
 */
#ifndef EX09_DONT_BLOCK_H
#define EX09_DONT_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* One job: a buffer to digest, `rounds` times over. */
typedef struct db_job {
  const unsigned char *data;
  size_t len;
  int rounds;
} db_job;

/* The computation, given by the caller: the value of one job.  The test
 * passes a digest that also notes which thread ran it, and counts how many
 * run at the moment.  It is safe to call from any thread, several at once
 * (on different jobs).  arg is the caller's, passed through untouched. */
typedef uint64_t (*db_compute_fn)(const db_job *job, void *arg);

/* Both functions below do the same, from the caller's point of view:
 *
 * Compute every job of jobs[0..n-1] exactly once with compute(&jobs[i],
 * arg), and put job i's value in results[i] - submission order, whatever
 * the order in which the computations finish.  Run the loop until all
 * are done.  Close every handle you opened before you return, so that the
 * caller's uv_loop_close(loop) succeeds; the loop may hold handles of the
 * caller's (the test's lag probe) that you must leave alone.
 *
 * Return how many jobs were computed (n when all went well; 0 for n = 0),
 * or -1 when something failed (out of memory, a libuv call's error). */

/* The pitfall (written for you): each job runs in a zero-delay timer's
 * callback (loop.call_soon), on the loop's thread, one after another. */
int db_run_in_loop(uv_loop_t *loop, const db_job *jobs, int n,
                   db_compute_fn compute, void *arg, uint64_t *results);

/* Yours: each job is a uv_work_t.  compute runs in the work callback, on
 * one of libuv's pool threads; the value is stored in results[i] in the
 * after-work callback, back on the loop's thread. */
int db_run_offloaded(uv_loop_t *loop, const db_job *jobs, int n,
                     db_compute_fn compute, void *arg, uint64_t *results);

#endif
