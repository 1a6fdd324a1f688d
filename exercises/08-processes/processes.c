/*
 * processes.c - exercise 08: frames over pipes, and a worker that dies.
 * (Your file.)
 *
 * Python:                                  C:
 *   parent, child = Pipe()                   pipe(fds) twice: one per way
 *   p = Process(target=work); p.start()      fork(); the child calls _exit
 *   conn.send(obj) / conn.recv()             mp_frame_write / mp_frame_read
 *     (pickle adds a length prefix too)        a 4-byte length, then bytes
 *   except EOFError: ...                     mp_frame_read returns 0 or -1
 *   p.join(); p.exitcode  (-9: SIGKILL)      waitpid, WIFEXITED, WTERMSIG
 *
 * Part one is conclab's own multiproc/frame.h: write its three functions
 * and conclab's workers talk through them.  Part two is worker_death.h.
 *
 * Read README.md first.  Check your work with:  exercises/progress 08
 */
#include "frame.h"
#include "worker_death.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- part one: frames ------------------------------------------------ */

ssize_t mp_read_full(int fd, void *buf, size_t n) {
  /* TODO 1: call read() until n bytes have come.  read() may return
   *         fewer bytes than asked (go on from there), 0 at end of file
   *         (stop: return what you have), or -1: with errno EINTR try
   *         again, with any other errno return -1. */
  (void)fd;
  (void)buf;
  (void)n;
  return 0;
}

int mp_frame_write(int fd, const void *payload, uint32_t len) {
  /* TODO 2: refuse len > MP_FRAME_MAX (errno EMSGSIZE, return -1).  Then
   *         write the 4-byte length and the payload, looping over short
   *         writes and EINTR as in TODO 1.  (wl_write_full in workload.h
   *         is such a loop; write your own, or include it and use it.)
   *         0 when all is written, -1 with errno set if not. */
  (void)fd;
  (void)payload;
  (void)len;
  return 0;
}

int mp_frame_read(int fd, void *buf, uint32_t cap, uint32_t *len) {
  /* TODO 3: read the 4-byte length with mp_read_full.  No byte at all:
   *         return 0 (a clean end).  1 to 3 bytes: errno EPROTO, -1.
   *         Longer than cap: errno EMSGSIZE, -1.  Then read the payload
   *         into buf; cut short: EPROTO, -1.  Whole: *len = the length,
   *         return 1. */
  (void)fd;
  (void)buf;
  (void)cap;
  (void)len;
  return 0;
}

/* ---- part two: a worker that dies ------------------------------------ */

/* TODO 4: write the worker's loop (it runs in the child): read a task
 *         frame; at end of file _exit(0); on a broken frame _exit(1);
 *         call fn; write the result frame, or _exit(1) if that fails.
 *         _exit, never exit or return: see README.md. */

int ex08_run_worker(ex08_task_fn fn, const uint32_t *tasks, int n,
                    uint32_t *results, ex08_report *report) {
  /* TODO 5: two pipes, then fork.  In the child: close the parent's two
   *         ends and run the loop of TODO 4.  In the parent: close the
   *         child's two ends, note the pid in the report.
   * TODO 6: for each task: send it, read its result.  Stop when the
   *         worker is gone: end of file (0), EPROTO, or EPIPE.
   * TODO 7: close your two ends, waitpid for the worker (retry EINTR),
   *         and fill *report from the status: WIFEXITED / WEXITSTATUS,
   *         WIFSIGNALED / WTERMSIG.  Return the number of results. */
  (void)fn;
  (void)tasks;
  (void)n;
  (void)results;
  memset(report, 0, sizeof *report);
  return 0;
}
