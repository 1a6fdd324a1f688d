/*
 * files.c - the file workload: write N files, read them back.
 *
 * Lesson: aiofiles.  Task i writes its file, then reads it back and hashes
 * it; every model must agree with seq's checksum.  This file is the
 * blocking way (open, write, close; open, read, close), which seq,
 * threaded and multiproc run.  async/files.c takes the same steps with
 * uv_fs_* - and libuv does not run those on the loop at all but on its
 * threadpool, because Linux has no readiness-based file I/O for a loop to
 * wait on.  "Async file I/O" is threads underneath; the tables show the
 * pool's size beside the time.
 *
 * The reads come right after the writes, so the page cache serves them:
 * this measures the kernel copying memory, not a disk.  --fsync makes each
 * write wait for the disk too.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

atomic_int wl_files_stopping;

void wl_files_path(const wl_params *p, uint32_t index, char *out,
                   size_t cap) {
  snprintf(out, cap, "%s/f%07u", p->dir, (unsigned)index);
}

/* A byte sequence fixed by (index, offset): cheap, and different for every
 * file, so a file read back in the wrong place changes the checksum. */
void wl_files_fill(uint32_t index, uint64_t offset, unsigned char *buf,
                   size_t len) {
  for (size_t k = 0; k < len; k++) {
    uint64_t j = offset + k;
    buf[k] = (unsigned char)(j * 7 + (j >> 8) + index * 131u);
  }
}

/* ---- the blocking way: seq, threaded and multiproc ----------------------- */

typedef struct files_worker {
  const wl_params *params;
  unsigned char buf[WL_FILES_CHUNK]; /* one chunk, reused for every file */
} files_worker;

static int files_worker_open(const wl_params *p, void **worker) {
  files_worker *w = malloc(sizeof *w);
  if (w == NULL) {
    wl_report_once("files: out of memory for a worker");
    return -1;
  }
  w->params = p;
  *worker = w;
  return 0;
}

static void files_worker_close(void *worker) { free(worker); }

static void files_task_input(const wl_params *p, uint32_t i, wl_task *out) {
  out->index = i;
  out->a = (uint64_t)p->size;
  out->b = 0;
}

/* Write the file; 0, or -1 with errno set and *what naming the step. */
static int file_write(files_worker *w, uint32_t i, const char *path,
                      uint64_t size, const char **what) {
  int fd, rc = 0;

  *what = "open for writing";
  if (wl_files_stopping) {
    errno = ECANCELED;
    return -1;
  }
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  *what = "write";
  for (uint64_t off = 0; rc == 0 && off < size; off += WL_FILES_CHUNK) {
    size_t n = size - off < WL_FILES_CHUNK ? (size_t)(size - off)
                                           : WL_FILES_CHUNK;
    wl_files_fill(i, off, w->buf, n);
    rc = wl_write_full(fd, w->buf, n);
  }
  if (rc == 0 && w->params->fsync) {
    *what = "fsync";
    rc = fsync(fd);
  }
  if (close(fd) != 0 && rc == 0) {
    *what = "close";
    rc = -1;
  }
  return rc;
}

/* Read the file back, hashing it; 0, or -1 with errno set. */
static int file_read(files_worker *w, const char *path, uint64_t *hash,
                     uint64_t *bytes, const char **what) {
  int fd;
  ssize_t n;

  *what = "open for reading";
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  *what = "read";
  *hash = WL_HASH_INIT;
  *bytes = 0;
  /* Up to one byte more than the file should hold: a longer one is wrong
   * already, and something endless (a device) must not hold us forever. */
  while (*bytes <= (uint64_t)w->params->size &&
         (n = read(fd, w->buf, WL_FILES_CHUNK)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      errno = err;
      return -1;
    }
    *hash = wl_hash_bytes(*hash, w->buf, (size_t)n);
    *bytes += (uint64_t)n;
  }
  close(fd);
  return 0;
}

static wl_status files_run_blocking(const wl_task *t, void *worker,
                                    wl_slot *out) {
  files_worker *w = worker;
  char path[WL_FILES_PATH_MAX];
  const char *what;
  uint64_t hash, bytes;

  if (w == NULL)
    return WL_ERROR;
  wl_files_path(w->params, t->index, path, sizeof path);
  if (file_write(w, t->index, path, t->a, &what) != 0 ||
      file_read(w, path, &hash, &bytes, &what) != 0) {
    wl_report_error("files", t->index, what, path, strerror(errno));
    return WL_ERROR;
  }
  if (bytes != t->a) {
    wl_report_error("files", t->index, "read back (short)", path,
                    strerror(EIO));
    return WL_ERROR;
  }
  out->value = hash;
  return WL_OK;
}

/* ---- what the harness reads ---------------------------------------------- */

static const wl_flag files_flags[] = {
    {.name = "--size",
     .arg = "S",
     .help = "each file's size in bytes",
     .kind = WL_FLAG_INT64,
     .field = offsetof(wl_params, size),
     .def = 1024 * 1024,
     .lo = 0,
     .hi = WL_MAX_SIZE},
    {.name = "--fsync",
     .help = "fsync each file after writing it (wait for the disk)",
     .kind = WL_FLAG_SWITCH,
     .field = offsetof(wl_params, fsync),
     .say = WL_SAY_IF_SET},
    {.name = "--dir",
     .arg = "DIR",
     .help = "work in a fresh directory inside DIR (default: in\n$TMPDIR or "
             "/tmp); it is removed afterwards, also on\nfailure and on Ctrl-C, "
             "SIGTERM or SIGHUP",
     .kind = WL_FLAG_DIR,
     .field = offsetof(wl_params, dir),
     .say = WL_SAY_IF_SET},
};

static const wl_field files_json[] = {
    WL_FIELD_PARAM("size", WL_VALUE_INT64, size),
    WL_FIELD_PARAM("fsync", WL_VALUE_INT, fsync),
    WL_FIELD_PARAM("dir", WL_VALUE_TEXT, dir),
    WL_FIELD_MEASURED("mb_per_s", WL_VALUE_NUM, mb_per_s),
};

static void files_print_run(FILE *out, const wl_params *p,
                            const wl_measured *m) {
  fprintf(out, "  files: %d x %lld bytes written%s and read back in %s: "
          "%.1f MB/s (the reads come from the page cache)\n", p->tasks,
          (long long)p->size, p->fsync ? " with fsync" : "", p->dir,
          m->mb_per_s);
}

static void files_report_intro(FILE *out, const wl_params *p, int cores) {
  (void)cores;
  fprintf(out, "%d files of %lld bytes, each written and then read back "
          "and hashed. The reads come straight from the page cache (the "
          "files were just written) and the writes go to it (no fsync): "
          "this measures the kernel copying memory, not a disk. async uses "
          "uv_fs_*, which libuv runs on its threadpool (4 threads unless "
          "set; the threadpool-set row has 16): every step of a file (open, "
          "each 64 KiB write and read, close) is handed to a pool thread "
          "and back, which the voluntary context switches count. threaded "
          "and multiproc have 4 workers. MB/s counts bytes written plus "
          "bytes read. The ideal is one core per worker: min(workers, "
          "cores).\n\n", p->tasks, (long long)p->size);
}

/* The suite's rows; sizes are {quick and full, smoke}.  The async rows use
 * libuv's threadpool (4 threads unless raised); the others get as many
 * workers as that default pool has. */
#define TASKS {200, 8}
#define SIZE {262144, 5000}
static const wl_row files_rows[] = {
    {.table = WL_TABLE_MAIN, .models = WL_SEQ, .tasks = TASKS, .size = SIZE,
     .crosscheck = 1},
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .tasks = TASKS,
     .concurrency = {64, 64}, .size = SIZE},
    {.table = WL_TABLE_MAIN, .models = WL_ASYNC, .threadpool = 16,
     .tasks = TASKS, .concurrency = {64, 64}, .size = SIZE},
    {.table = WL_TABLE_MAIN, .models = WL_THREADED | WL_MULTIPROC,
     .tasks = TASKS, .concurrency = {4, 4}, .size = SIZE},
    /* C and CPython: fewer, smaller files (aiofiles is slow) */
    {.table = WL_TABLE_PYTHON, .models = WL_SEQ | WL_MODELS,
     .tasks = {50, 8}, .concurrency = {4, 4}, .size = {65536, 5000}},
};

/* Each task writes its file and reads it back. */
static double files_task_bytes(const wl_params *p) {
  return 2.0 * (double)p->size;
}

const wl_workload wl_files = {
    .name = "files",
    .kind = WL_KIND_IO,
    .summary = "file I/O: task i writes S bytes to its file, reads them back\n"
               "and hashes them (async: uv_fs_*, on libuv's threadpool)",
    .task_input = files_task_input,
    .run_blocking = files_run_blocking,
    .worker_open = files_worker_open,
    .worker_close = files_worker_close,
    .writes_dir = 1,
    .fds = {.fixed = 2, .blocking = 1, .async = 1}, /* its file */
    .unit_one = "file open at once",
    .unit_many = "files open at once",
    .flags = files_flags,
    .nflags = sizeof files_flags / sizeof files_flags[0],
    .options = WL_OPT_THREADPOOL,
    .default_tasks = 100,
    .default_concurrency = 64,
    .json = files_json,
    .njson = sizeof files_json / sizeof files_json[0],
    .print_run = files_print_run,
    .rows = files_rows,
    .nrows = sizeof files_rows / sizeof files_rows[0],
    .columns = WL_COL_MB_PER_S,
    .task_bytes = files_task_bytes,
    .ideal = WL_IDEAL_WORKERS,
    .report_intro = files_report_intro,
    .lesson =
        "the page cache makes this copying memory, not waiting: "
        "threads and processes copy on every core, while each of "
        "libuv's uv_fs calls hops to its threadpool and back",
};
