/*
 * gather.c - exercise 02: gather, results in submission order.
 * (Your file.)
 *
 * Python:                               C with libuv:
 *   async def op(delay, value):           a uv_timer_t per operation;
 *       await asyncio.sleep(delay)        its callback is "after the
 *       return value                      await": it stores the value
 *   results = await asyncio.gather(       start all n timers, return; the
 *       *(op(d, v) for d, v in ops))      caller's uv_run completes them;
 *                                         results[i] is op i's, always
 *   (the future gather returns is done)   done(arg, n), once, at the
 *                                         n-th completion
 *
 * Read README.md first.  Check your work with:  exercises/progress 02
 */
#include "gather.h"

#include <stdlib.h>

/* One operation.  TODO: add what its callback needs - its index, its
 * value, and a pointer to the state the whole gather shares. */
typedef struct ga_task {
  uv_timer_t timer;
  int index;
} ga_task;

/* TODO 1: a struct for the whole gather: results, each, done, arg, n,
 *         a count of completions, and the n tasks (one calloc for all;
 *         a flexible array member `ga_task tasks[];` at the end works).
 * TODO 2: the timer callback: write the value into results[index], count
 *         the completion, call each (when not NULL), uv_close the timer,
 *         and when the count reaches n call done(arg, n).
 * TODO 3: the close callback: count the closes; the last one frees the
 *         gather's memory (libuv may touch a handle until it is closed).
 * TODO 4: ga_gather: check the arguments (n < 0 or done == NULL:
 *         UV_EINVAL); n == 0: call done(arg, 0) and return 0; otherwise
 *         allocate, then for each op uv_timer_init, timer.data = task,
 *         uv_timer_start(&timer, callback, delay_ms, 0).  Return 0
 *         without running the loop: the caller runs it. */
int ga_gather(uv_loop_t *loop, const ga_op *ops, int n, long *results,
              ga_each_fn each, ga_done_fn done, void *arg) {
  (void)loop;
  (void)ops;
  (void)n;
  (void)results;
  (void)each;
  (void)done;
  (void)arg;
  return 0;
}
