/*
 * async/files.c - file I/O "on" an event loop: uv_fs_*.
 *
 * Lesson: aiofiles, and what is under it.  Each task is a chain of
 * callbacks - open, write chunk by chunk, (fsync), close, open, read chunk
 * by chunk, close - and the loop never blocks.  But the loop does not do
 * the I/O: Linux offers no readiness for regular files, so libuv hands
 * every uv_fs_* call to its threadpool (UV_THREADPOOL_SIZE threads, 4 by
 * default) and calls us back on the loop when it is done.  The speed of
 * "async" file I/O is the speed of that pool: the tables show its size,
 * and a row with it raised.
 */
#include "async.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* One task's request: its file, where it is, and one chunk of buffer. */
typedef struct as_files_req {
  as_task *task;
  uv_fs_t fs;
  uv_file fd;    /* -1 when no file is open */
  uint64_t size; /* the file's size (the task's input) */
  uint64_t off;  /* bytes written, then bytes read */
  uint64_t hash; /* of the bytes read */
  const char *what; /* the step that failed */
  int err;          /* and its error (a negative libuv code) */
  char path[WL_FILES_PATH_MAX];
  unsigned char buf[WL_FILES_CHUNK];
} as_files_req;

static void write_next(as_files_req *r);
static void read_next(as_files_req *r);

static uv_loop_t *loop_of(as_files_req *r) { return &r->task->batch->loop; }

/* ---- the end of a task --------------------------------------------------- */

static void finish(as_files_req *r) {
  as_task *t = r->task;
  uint64_t hash = r->hash;
  int failed = r->what != NULL;

  if (failed)
    wl_report_error("files", as_task_index(t), r->what, r->path,
                    strerror(-r->err));
  free(r);
  as_task_done(t, failed ? WL_ERROR : WL_OK, failed ? 0 : hash);
}

static void on_fail_closed(uv_fs_t *req) {
  uv_fs_req_cleanup(req);
  finish(req->data);
}

/* A step failed: remember which, close the file if one is open, finish. */
static void fail(as_files_req *r, const char *what, int err) {
  r->what = what;
  r->err = err;
  if (r->fd < 0 ||
      uv_fs_close(loop_of(r), &r->fs, r->fd, on_fail_closed) != 0)
    finish(r);
}

/* ---- reading back --------------------------------------------------------- */

static void on_read_closed(uv_fs_t *req) {
  as_files_req *r = req->data;
  uv_fs_req_cleanup(req);
  if (r->off != r->size) {
    r->what = "read back (short)";
    r->err = UV_EIO;
  }
  finish(r);
}

static void on_read(uv_fs_t *req) {
  as_files_req *r = req->data;
  ssize_t n = req->result;

  uv_fs_req_cleanup(req);
  if (n < 0) {
    fail(r, "read", (int)n);
    return;
  }
  if (n == 0) { /* end of file */
    uv_file fd = r->fd;
    r->fd = -1;
    if (uv_fs_close(loop_of(r), &r->fs, fd, on_read_closed) != 0)
      fail(r, "close", UV_EIO);
    return;
  }
  r->hash = wl_hash_bytes(r->hash, r->buf, (size_t)n);
  r->off += (uint64_t)n;
  if (r->off > r->size) { /* longer than written: stop here */
    fail(r, "read back (too long)", UV_EIO);
    return;
  }
  read_next(r);
}

static void read_next(as_files_req *r) {
  uv_buf_t buf = uv_buf_init((char *)r->buf, WL_FILES_CHUNK);
  int err = uv_fs_read(loop_of(r), &r->fs, r->fd, &buf, 1, (int64_t)r->off,
                       on_read);
  if (err != 0)
    fail(r, "read", err);
}

static void on_open_for_reading(uv_fs_t *req) {
  as_files_req *r = req->data;
  ssize_t fd = req->result;

  uv_fs_req_cleanup(req);
  if (fd < 0) {
    fail(r, "open for reading", (int)fd);
    return;
  }
  r->fd = (uv_file)fd;
  r->off = 0;
  r->hash = WL_HASH_INIT;
  read_next(r);
}

/* ---- writing -------------------------------------------------------------- */

static void on_write_closed(uv_fs_t *req) {
  as_files_req *r = req->data;
  ssize_t rc = req->result;
  int err;

  uv_fs_req_cleanup(req);
  if (rc < 0) {
    fail(r, "close", (int)rc);
    return;
  }
  err = uv_fs_open(loop_of(r), &r->fs, r->path, O_RDONLY | O_CLOEXEC, 0,
                   on_open_for_reading);
  if (err != 0)
    fail(r, "open for reading", err);
}

static void close_written(as_files_req *r) {
  uv_file fd = r->fd;
  r->fd = -1;
  if (uv_fs_close(loop_of(r), &r->fs, fd, on_write_closed) != 0)
    fail(r, "close", UV_EIO);
}

static void on_fsync(uv_fs_t *req) {
  as_files_req *r = req->data;
  ssize_t rc = req->result;

  uv_fs_req_cleanup(req);
  if (rc < 0)
    fail(r, "fsync", (int)rc);
  else
    close_written(r);
}

static void on_write(uv_fs_t *req) {
  as_files_req *r = req->data;
  ssize_t n = req->result;

  uv_fs_req_cleanup(req);
  if (n < 0) {
    fail(r, "write", (int)n);
    return;
  }
  if (n == 0) { /* nothing written and no reason: do not spin */
    fail(r, "write", UV_EIO);
    return;
  }
  r->off += (uint64_t)n; /* a short write just means: write the rest */
  write_next(r);
}

static void write_next(as_files_req *r) {
  uint64_t size = r->size, left = size - r->off;
  size_t n = left < WL_FILES_CHUNK ? (size_t)left : WL_FILES_CHUNK;
  uv_buf_t buf;
  int err;

  if (left == 0) {
    if (!r->task->batch->params->fsync) {
      close_written(r);
    } else if ((err = uv_fs_fsync(loop_of(r), &r->fs, r->fd, on_fsync)) !=
               0) {
      fail(r, "fsync", err);
    }
    return;
  }
  /* Refill from the start of a chunk; after a short write, again. */
  wl_files_fill(as_task_index(r->task), r->off, r->buf, n);
  buf = uv_buf_init((char *)r->buf, (unsigned)n);
  err = uv_fs_write(loop_of(r), &r->fs, r->fd, &buf, 1, (int64_t)r->off,
                    on_write);
  if (err != 0)
    fail(r, "write", err);
}

static void on_open_for_writing(uv_fs_t *req) {
  as_files_req *r = req->data;
  ssize_t fd = req->result;

  uv_fs_req_cleanup(req);
  if (fd < 0) {
    fail(r, "open for writing", (int)fd);
    return;
  }
  r->fd = (uv_file)fd;
  r->off = 0;
  write_next(r);
}

static void files_start(as_task *t) {
  as_files_req *r = malloc(sizeof *r);
  wl_task in;
  int err;

  if (r == NULL || wl_files_stopping) {
    /* out of memory is said; stopping is not: the batch is torn down */
    if (r == NULL)
      wl_report_error("files", as_task_index(t), "start", "its file",
                      strerror(ENOMEM));
    free(r);
    as_task_done(t, WL_ERROR, 0);
    return;
  }
  as_task_input(t, &in);
  r->task = t;
  r->size = in.a;
  r->fd = -1;
  r->what = NULL;
  r->err = 0;
  r->hash = WL_HASH_INIT;
  r->fs.data = r;
  wl_files_path(t->batch->params, as_task_index(t), r->path, sizeof r->path);
  err = uv_fs_open(loop_of(r), &r->fs, r->path,
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644,
                   on_open_for_writing);
  if (err != 0)
    fail(r, "open for writing", err);
}

/* Each task allocates its request (and its chunk buffer) as it starts. */
const as_ops as_files_ops = {.start = files_start};
