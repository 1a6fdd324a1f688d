/*
 * errors.h - exercise 05: errors without stopping, a status per task.
 *
 * You write er_stat_all in errors.c; the test (test_errors.c) calls it.
 * Do not change this file.
 */
#ifndef EX05_ERRORS_H
#define EX05_ERRORS_H

#include <stdint.h>
#include <uv.h>

typedef enum er_status {
  ER_PENDING = 0, /* not filled in: after er_stat_all, never */
  ER_OK,
  ER_ERROR,
} er_status;

/* One task's slot: what asyncio.gather(..., return_exceptions=True) puts
 * in its list, a value or the exception, here as a status. */
typedef struct er_result {
  er_status status;
  uint64_t size; /* ER_OK: the file's size in bytes (st_size); else 0 */
  int err;       /* ER_ERROR: a negative libuv error code, such as
                  * UV_ENOENT (uv_err_name prints "ENOENT"); else 0 */
} er_result;

typedef struct er_counts {
  int ok;     /* tasks whose slot is ER_OK */
  int failed; /* tasks whose slot is ER_ERROR */
} er_counts;

/* Look up the size of each of the n files paths[0..n-1] at once, on loop:
 * one uv_fs_stat request per path, with a callback (libuv runs each stat
 * on its threadpool and calls back on the loop).  Run the loop until all
 * n are done; return only then.
 *
 * Every task's slot is filled, in submission order: results[i] is about
 * paths[i].  A failure (a path that does not exist, a file used as a
 * directory, a name too long, ...) fills its own slot with ER_ERROR and
 * the error, and stops nothing: every other task still runs.  A request
 * that cannot even be started fails its own task the same way.  When out
 * of memory before anything starts, every slot is ER_ERROR, UV_ENOMEM.
 *
 * Every request is cleaned up (uv_fs_req_cleanup) and everything
 * allocated is freed before er_stat_all returns, and the caller's
 * uv_loop_close(loop) succeeds.
 *
 * Returns how many tasks ended ER_OK and how many ER_ERROR; the two add
 * up to n.  (n == 0: {0, 0}.) */
er_counts er_stat_all(uv_loop_t *loop, const char *const *paths, int n,
                      er_result *results);

#endif
