/*
 * timeouts.c - exercise 04: a timeout, and the cleanup after it.
 * (Reference solution.)
 *
 * Each operation is two handles racing: a pipe being read and a timer.
 * The first callback to run wins.  It writes the result, stops and closes
 * both handles, and reports.  A closed handle never calls back, so the
 * loser cannot report a second time.  The operation's memory is libuv's
 * until both close callbacks have run, and the second one frees it.
 */
#include "timeouts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One operation: both its handles, and where its outcome goes. */
typedef struct to_op {
  uv_pipe_t pipe;
  uv_timer_t timer;
  int open_handles; /* handles whose close has not finished; 0: free */
  int index;
  to_result *result;
  to_done_fn done;
  void *arg;
  char buf[TO_DATA_MAX]; /* the read lands here */
} to_op;

static void op_on_close(uv_handle_t *h) {
  to_op *op = h->data;
  if (--op->open_handles == 0)
    free(op);
}

/* The race is decided: record it, cancel the loser, close both, report.
 * uv_close would stop both handles by itself; stopping them first says
 * what is meant, and is what you do when a handle is to be reused. */
static void op_finish(to_op *op, to_status status, int err) {
  op->result->status = status;
  op->result->err = err;
  uv_timer_stop(&op->timer);
  uv_read_stop((uv_stream_t *)&op->pipe);
  uv_close((uv_handle_t *)&op->timer, op_on_close);
  uv_close((uv_handle_t *)&op->pipe, op_on_close); /* closes the fd too */
  op->done(op->arg, op->index); /* op lives on until the closes finish */
}

static void op_on_timeout(uv_timer_t *timer) {
  op_finish(timer->data, TO_TIMEOUT, 0);
}

static void op_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  to_op *op = h->data;
  (void)suggested;
  *buf = uv_buf_init(op->buf, sizeof op->buf);
}

static void op_on_read(uv_stream_t *stream, ssize_t nread,
                       const uv_buf_t *buf) {
  to_op *op = stream->data;
  (void)buf;

  if (nread == 0) /* nothing after all (EAGAIN): keep waiting */
    return;
  if (nread < 0) { /* UV_EOF: the writer closed its end; or an error */
    op_finish(op, TO_ERROR, (int)nread);
    return;
  }
  memcpy(op->result->data, op->buf, (size_t)nread);
  op->result->len = (size_t)nread;
  op_finish(op, TO_OK, 0);
}

/* An operation that cannot start still reports, and its fd is closed.
 * close() is not retried on EINTR: Linux has released the fd already. */
static void op_fail_early(int fd, to_result *r, int err, to_done_fn done,
                          void *arg, int index) {
  close(fd);
  r->status = TO_ERROR;
  r->err = err;
  done(arg, index);
}

static void op_start(uv_loop_t *loop, int fd, uint64_t timeout_ms,
                     to_result *r, to_done_fn done, void *arg, int index) {
  to_op *op = calloc(1, sizeof *op);
  int err;

  if (op == NULL) {
    op_fail_early(fd, r, UV_ENOMEM, done, arg, index);
    return;
  }
  op->index = index;
  op->result = r;
  op->done = done;
  op->arg = arg;
  /* Neither init can fail on Unix; both handles are closed from here on,
   * whatever happens, so both count. */
  uv_timer_init(loop, &op->timer);
  uv_pipe_init(loop, &op->pipe, 0);
  op->timer.data = op->pipe.data = op;
  op->open_handles = 2;

  err = uv_pipe_open(&op->pipe, fd);
  if (err != 0) {
    /* The pipe did not take the fd, so closing the pipe will not close
     * it: that is ours to do, once. */
    close(fd);
    op_finish(op, TO_ERROR, err);
    return;
  }
  err = uv_read_start((uv_stream_t *)&op->pipe, op_on_alloc, op_on_read);
  if (err == 0)
    err = uv_timer_start(&op->timer, op_on_timeout, timeout_ms, 0);
  if (err != 0)
    op_finish(op, TO_ERROR, err);
}

int to_read_all(uv_loop_t *loop, const int *fds, const uint64_t *timeout_ms,
                int n, to_result *results, to_done_fn done, void *arg) {
  if (n < 0 || done == NULL)
    return UV_EINVAL;
  for (int i = 0; i < n; i++) {
    results[i] = (to_result){.status = TO_PENDING};
    op_start(loop, fds[i], timeout_ms[i], &results[i], done, arg, i);
  }
  return 0;
}
