/*
 * timeouts.h - exercise 04: a timeout, and the cleanup after it.
 *
 * You write to_read_all in timeouts.c; the test (test_timeouts.c) calls
 * it and then runs the loop itself.  Do not change this file.
 */
#ifndef EX04_TIMEOUTS_H
#define EX04_TIMEOUTS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define TO_DATA_MAX 64 /* the most bytes one operation keeps */

typedef enum to_status {
  TO_PENDING = 0, /* not reported yet */
  TO_OK,          /* data arrived before the timeout */
  TO_TIMEOUT,     /* the timeout came first: the read was cancelled */
  TO_ERROR,       /* the read failed (err says why) */
} to_status;

/* One operation's outcome, written once, just before done(arg, i). */
typedef struct to_result {
  to_status status;
  int err;  /* TO_ERROR: a negative libuv error code, such as UV_EOF (the
             * writer closed its end without writing); otherwise 0 */
  size_t len; /* TO_OK: how many bytes are in data (1..TO_DATA_MAX) */
  char data[TO_DATA_MAX]; /* TO_OK: the bytes of the first read */
} to_result;

/* Called once per operation, when results[index] holds its outcome. */
typedef void (*to_done_fn)(void *arg, int index);

/* asyncio.wait_for(read(fds[i]), timeout_ms[i] / 1000) for i = 0..n-1,
 * all at once, on loop.  Start the n operations and return without
 * running the loop: the caller runs it (uv_run).
 *
 * Operation i reads from the pipe's read end fds[i] (a uv_pipe_t opened on
 * it with uv_pipe_open, then uv_read_start) and races a uv_timer of
 * timeout_ms[i] milliseconds.  Whichever comes first wins:
 *   - data (a read of one or more bytes): TO_OK, with the first read's
 *     bytes (at most TO_DATA_MAX of them) in data and len;
 *   - the end of the pipe or a read error: TO_ERROR, with its error;
 *   - the timer: TO_TIMEOUT.
 * The loser is cancelled (uv_timer_stop, uv_read_stop), both handles are
 * uv_close'd, and the operation's memory is freed in the close callbacks,
 * never before.  Each operation reports exactly once: it writes
 * results[i], then calls done(arg, i).
 *
 * to_read_all takes ownership of every fds[i]: each is closed exactly
 * once (closing a uv_pipe_t closes the fd it was opened on: do not close
 * it again).  If an operation cannot start (out of memory, or
 * uv_pipe_open fails: fds[i] is not a descriptor, say), it reports
 * TO_ERROR with that error at once, before to_read_all returns, and
 * fds[i] is closed all the same.
 *
 * By the time uv_run returns, every handle is closed and everything
 * allocated is freed, so the caller's uv_loop_close(loop) succeeds.
 *
 * Returns 0.  Returns UV_EINVAL, touching nothing (the fds stay the
 * caller's), when n < 0 or done is NULL. */
int to_read_all(uv_loop_t *loop, const int *fds, const uint64_t *timeout_ms,
                int n, to_result *results, to_done_fn done, void *arg);

#endif
