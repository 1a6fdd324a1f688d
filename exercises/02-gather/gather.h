/*
 * gather.h - exercise 02: gather, results in submission order.
 *
 * You write ga_gather in gather.c; the test (test_gather.c) calls it and
 * then runs the loop itself.  Do not change this file.
 */
#ifndef EX02_GATHER_H
#define EX02_GATHER_H

#include <stdint.h>
#include <uv.h>

/* One operation, the C form of
 *     async def op(delay, value):
 *         await asyncio.sleep(delay)
 *         return value
 * it takes delay_ms milliseconds (a uv_timer) and then produces value. */
typedef struct ga_op {
  uint64_t delay_ms;
  long value;
} ga_op;

/* Called when operation `index` has completed, after its result is in
 * results[index].  Called once per operation, in completion order. */
typedef void (*ga_each_fn)(void *arg, int index);

/* Called once, when all n operations have completed (completed == n),
 * after the last ga_each_fn call. */
typedef void (*ga_done_fn)(void *arg, int completed);

/* Start n operations on loop at once, and return without running the
 * loop: the caller runs it (uv_run), as asyncio.gather only makes a
 * future that the running loop completes.
 *
 * When operation i completes, write its value into results[i] - slot i,
 * whatever the order of completion - then call each(arg, i) (when each is
 * not NULL).  Count the completions; when the count reaches n, call
 * done(arg, n), exactly once.  With n == 0 there is nothing to wait for:
 * call done(arg, 0) at once, before ga_gather returns.
 *
 * ops is read only during this call (keep what you need); results must
 * stay valid until done is called.  Everything ga_gather allocates is
 * freed, and every handle closed, by the time uv_run returns, so that
 * the caller's uv_loop_close(loop) succeeds.
 *
 * Returns 0 when every operation was started.  Returns a negative libuv
 * error code (UV_EINVAL for n < 0 or done == NULL, UV_ENOMEM when out of
 * memory) when none was started; then no callback is ever called. */
int ga_gather(uv_loop_t *loop, const ga_op *ops, int n, long *results,
              ga_each_fn each, ga_done_fn done, void *arg);

#endif
