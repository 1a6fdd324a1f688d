/*
 * first_loop.h - exercise 01: your first event loop.
 *
 * The whole exercise is one function.  You write it in first_loop.c; the
 * test (test_first_loop.c) calls it.  Do not change this file.
 */
#ifndef EX01_FIRST_LOOP_H
#define EX01_FIRST_LOOP_H

#include <stdint.h>
#include <uv.h>

/* Sleep n times at once, on one loop, in one thread.
 *
 * Start one timer per entry of delay_ms (delay_ms[i] milliseconds), run
 * the loop until every timer has fired, and write the index of each timer
 * into order[] as it fires: order[0] is the index of the first timer to
 * fire, order[n-1] the last.  Close every handle you opened before you
 * return, so that the caller's uv_loop_close(loop) succeeds.
 *
 * Returns how many timers fired (n when all went well), or -1 when
 * something failed (out of memory, or a libuv call returned an error). */
int fl_sleep_all(uv_loop_t *loop, const uint64_t *delay_ms, int n,
                 int *order);

#endif
