/*
 * timeouts.c - exercise 04: a timeout, and the cleanup after it.
 * (Your file.)
 *
 * Python:                                C with libuv:
 *   try:                                   per operation, two handles:
 *       data = await asyncio.wait_for(       a uv_pipe_t reading fds[i]
 *           reader.read(64), timeout)        a uv_timer_t of timeout ms
 *   except asyncio.TimeoutError:           whichever callback runs first
 *       ...                                wins: it records OK or TIMEOUT,
 *   (wait_for cancels the loser and        stops and uv_close's both,
 *    cleans up after it)                   and reports once; the memory
 *                                          is freed in the close callback
 *
 * Read README.md first.  Check your work with:  exercises/progress 04
 */
#include "timeouts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One operation.  TODO: add what its callbacks need: its index, where
 * its result goes, done and arg, a count of handles still open, and a
 * buffer of TO_DATA_MAX bytes for the read. */
typedef struct to_op {
  uv_pipe_t pipe;
  uv_timer_t timer;
} to_op;

/* TODO 1: the close callback: count the closes; the second one (the op
 *         has two handles) frees the op.
 * TODO 2: a finish function, called by whichever side wins: write the
 *         status (and err) into the result, uv_timer_stop and
 *         uv_read_stop, uv_close both handles, then call done(arg, index).
 * TODO 3: the timer callback (TO_TIMEOUT); the alloc callback (hand out
 *         the op's buffer); the read callback: nread > 0 is data (copy it,
 *         TO_OK), nread < 0 an error or UV_EOF (TO_ERROR), 0 nothing yet.
 * TODO 4: to_read_all: check the arguments (UV_EINVAL); for each i,
 *         allocate an op, uv_timer_init, uv_pipe_init(loop, &pipe, 0),
 *         uv_pipe_open(&pipe, fds[i]), uv_read_start, uv_timer_start.
 *         When a step fails, the operation reports TO_ERROR right away,
 *         and fds[i] must still be closed exactly once (does the pipe
 *         own it yet?). */
int to_read_all(uv_loop_t *loop, const int *fds, const uint64_t *timeout_ms,
                int n, to_result *results, to_done_fn done, void *arg) {
  (void)loop;
  (void)fds;
  (void)timeout_ms;
  (void)n;
  (void)results;
  (void)done;
  (void)arg;
  return 0;
}
