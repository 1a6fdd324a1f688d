/*
 * errors.c - exercise 05: errors without stopping, a status per task.
 * (Reference solution.)
 *
 * A failure is just another result.  Each request's callback fills its
 * own task's slot, with the size or with the error, and nothing else
 * happens: no early return, no cancelling the rest.  The loop runs until
 * every request has called back, ok or not.
 */
#include "errors.h"

#include <stdlib.h>

/* What the callbacks share: the counts. */
typedef struct er_batch {
  er_counts counts;
} er_batch;

/* One task: its request and its slot. */
typedef struct er_task {
  uv_fs_t req;
  er_result *slot;
  er_batch *batch;
} er_task;

/* Fill a slot: the size, or the error (a negative libuv code). */
static void er_fill(er_batch *b, er_result *slot, int64_t result,
                    uint64_t size) {
  if (result < 0) {
    *slot = (er_result){.status = ER_ERROR, .err = (int)result};
    b->counts.failed++;
  } else {
    *slot = (er_result){.status = ER_OK, .size = size};
    b->counts.ok++;
  }
}

static void er_on_stat(uv_fs_t *req) {
  er_task *t = req->data;
  /* req->result is 0 or a negative error; statbuf holds the answer only
   * when it is 0.  Read both before the cleanup. */
  er_fill(t->batch, t->slot, (int64_t)req->result, req->statbuf.st_size);
  uv_fs_req_cleanup(req); /* frees libuv's copy of the path */
}

er_counts er_stat_all(uv_loop_t *loop, const char *const *paths, int n,
                      er_result *results) {
  er_batch b = {{0, 0}};
  er_task *tasks;

  if (n <= 0)
    return b.counts;
  tasks = calloc((size_t)n, sizeof *tasks);
  if (tasks == NULL) {
    for (int i = 0; i < n; i++)
      er_fill(&b, &results[i], UV_ENOMEM, 0);
    return b.counts;
  }
  for (int i = 0; i < n; i++) {
    er_task *t = &tasks[i];
    int err;

    t->slot = &results[i];
    t->batch = &b;
    t->req.data = t;
    err = uv_fs_stat(loop, &t->req, paths[i], er_on_stat);
    if (err != 0) { /* not started: the callback will not come */
      er_fill(&b, t->slot, err, 0);
      uv_fs_req_cleanup(&t->req);
    }
  }
  /* Run until every request has called back, failed or not. */
  uv_run(loop, UV_RUN_DEFAULT);
  free(tasks);
  return b.counts;
}
