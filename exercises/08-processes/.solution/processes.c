/*
 * processes.c - exercise 08: frames over pipes, and a worker that dies.
 * (Reference solution.)
 *
 * Part one: a pipe carries bytes, not messages.  read() returns what is
 * there - a part of a frame, or the end of one and the start of the next
 * - and write() may take only part of a buffer.  Either can fail with
 * EINTR when a signal arrives first.  So both sides loop until the whole
 * frame has moved: a 4-byte length, then that many bytes.
 *
 * Part two: the parent's only view of its worker is the pipe.  A dead
 * worker's end of the pipe is closed by the kernel, so the parent reads
 * end of file - cleanly between frames, or inside one (EPROTO).  Then
 * waitpid collects the child's exit status, which also frees its process
 * table slot: until then the dead child is a zombie.
 */
#include "frame.h"
#include "worker_death.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- part one: frames ------------------------------------------------ */

ssize_t mp_read_full(int fd, void *buf, size_t n) {
  char *p = buf;
  size_t got = 0;

  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR)
      continue; /* a signal came first: nothing was read, ask again */
    if (r < 0)
      return -1;
    if (r == 0)
      break; /* end of file: the writer closed its end */
    got += (size_t)r;
  }
  return (ssize_t)got;
}

/* write() all n bytes: a short write sends the rest.  (workload.h has the
 * same loop as wl_write_full; it is written out here to be seen.) */
static int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  size_t sent = 0;

  while (sent < n) {
    ssize_t w = write(fd, p + sent, n - sent);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    sent += (size_t)w;
  }
  return 0;
}

int mp_frame_write(int fd, const void *payload, uint32_t len) {
  unsigned char frame[sizeof len + MP_FRAME_MAX];

  if (len > MP_FRAME_MAX) {
    errno = EMSGSIZE;
    return -1;
  }
  /* The length and the payload in one buffer, so that one write() usually
   * moves the whole frame.  The length goes in the machine's own byte
   * order: both ends are the same program on the same machine. */
  memcpy(frame, &len, sizeof len);
  if (len > 0)
    memcpy(frame + sizeof len, payload, len);
  return write_all(fd, frame, sizeof len + len);
}

int mp_frame_read(int fd, void *buf, uint32_t cap, uint32_t *len) {
  uint32_t n;
  ssize_t r = mp_read_full(fd, &n, sizeof n);

  if (r < 0)
    return -1;
  if (r == 0)
    return 0; /* end of file between frames: the peer is done */
  if ((size_t)r < sizeof n) {
    errno = EPROTO; /* end of file inside the length */
    return -1;
  }
  if (n > cap) {
    errno = EMSGSIZE;
    return -1;
  }
  r = mp_read_full(fd, buf, n);
  if (r < 0)
    return -1;
  if ((size_t)r < n) {
    errno = EPROTO; /* end of file inside the payload */
    return -1;
  }
  *len = n;
  return 1;
}

/* ---- part two: a worker that dies ------------------------------------ */

/* The child's whole life.  _exit, never exit or return: the parent's
 * stdio buffers and atexit handlers are copies here, not ours to run. */
_Noreturn static void worker_main(ex08_task_fn fn, int task_fd,
                                  int result_fd) {
  for (;;) {
    uint32_t task, result, len;
    int r = mp_frame_read(task_fd, &task, sizeof task, &len);

    if (r == 0)
      _exit(0); /* no more tasks */
    if (r < 0 || len != sizeof task)
      _exit(1);
    result = fn(task, result_fd);
    if (mp_frame_write(result_fd, &result, sizeof result) != 0)
      _exit(1); /* the parent is gone */
  }
}

/* 1: the error means the worker is gone; 0: it is the parent's own. */
static int worker_gone(int err) { return err == EPROTO || err == EPIPE; }

int ex08_run_worker(ex08_task_fn fn, const uint32_t *tasks, int n,
                    uint32_t *results, ex08_report *report) {
  int task_pipe[2], result_pipe[2], status, failed = 0;
  pid_t pid, r;

  memset(report, 0, sizeof *report);
  if (pipe(task_pipe) != 0)
    return -1;
  if (pipe(result_pipe) != 0) {
    close(task_pipe[0]);
    close(task_pipe[1]);
    return -1;
  }
  pid = fork();
  if (pid < 0) {
    close(task_pipe[0]);
    close(task_pipe[1]);
    close(result_pipe[0]);
    close(result_pipe[1]);
    return -1;
  }
  if (pid == 0) {
    /* Child: close the parent's ends.  A task pipe's write end left open
     * here would keep this very process from ever reading end of file. */
    close(task_pipe[1]);
    close(result_pipe[0]);
    worker_main(fn, task_pipe[0], result_pipe[1]);
  }

  /* Parent: keep the write end of the tasks, the read end of results. */
  close(task_pipe[0]);
  close(result_pipe[1]);
  report->pid = pid;
  for (int i = 0; i < n; i++) {
    uint32_t result, len;
    int got;

    if (mp_frame_write(task_pipe[1], &tasks[i], sizeof tasks[i]) != 0) {
      failed = !worker_gone(errno);
      break;
    }
    got = mp_frame_read(result_pipe[0], &result, sizeof result, &len);
    if (got == 0)
      break; /* end of file: the worker died before it answered */
    if (got < 0) {
      failed = !worker_gone(errno);
      break;
    }
    if (len != sizeof result)
      break; /* not our protocol: treat the worker as broken */
    results[i] = result;
    report->results++;
  }

  /* Done with the worker, alive or not: closing the task pipe tells a
   * live one to exit; then collect its status. */
  close(task_pipe[1]);
  close(result_pipe[0]);
  do
    r = waitpid(pid, &status, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  if (WIFEXITED(status)) {
    report->exited = 1;
    report->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    report->signaled = 1;
    report->signal = WTERMSIG(status);
  }
  return failed ? -1 : report->results;
}
