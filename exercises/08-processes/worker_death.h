/*
 * worker_death.h - exercise 08, part two: a worker process dies.
 *
 * Part one of the exercise is conclab's own multiproc/frame.h.  This is
 * part two: a parent that forks one worker, sends it tasks and reads its
 * results, all as frames (mp_frame_write, mp_frame_read) over two pipes.
 * The worker may die in the middle; the parent must notice, reap it, and
 * say how it died.  You write it in processes.c, after part one.  Do not
 * change this file.
 */
#ifndef EX08_WORKER_DEATH_H
#define EX08_WORKER_DEATH_H

#include <stdint.h>
#include <sys/types.h>

/* The work for one task.  It runs in the worker (the child) and returns
 * the task's result.  It is given the child's end of the result pipe only
 * so that a test can write a broken frame on purpose; it may also never
 * return at all (the tests make it _exit, or kill itself with a signal). */
typedef uint32_t (*ex08_task_fn)(uint32_t task, int result_fd);

/* How the run went. */
typedef struct ex08_report {
  pid_t pid;     /* the worker's process id (reaped by the time you return) */
  int results;   /* results received: n when the worker survived them all */
  int exited;    /* 1: the worker ended by exit or _exit ... */
  int exit_code; /* ... with this status (WEXITSTATUS) */
  int signaled;  /* 1: a signal killed it ... */
  int signal;    /* ... this one (WTERMSIG) */
} ex08_report;

/* Run tasks[0..n-1] on one worker process, one at a time, and collect
 * their results in results[0..n-1].
 *
 * The parent makes two pipes (tasks: parent -> worker; results: worker ->
 * parent) and forks.  The worker (child) loops: read a task frame (its
 * payload: the uint32_t task), call fn, write a result frame (its payload:
 * the uint32_t result).  At end of file on the task pipe it _exits with
 * status 0; if a frame is broken or a write fails, it _exits with 1.
 *
 * The parent sends task i, then reads result i, for i = 0, 1, ...  It
 * stops early when the worker is gone: end of file on the result pipe
 * (mp_frame_read returns 0), a frame cut short (-1, errno EPROTO), or a
 * task that cannot be sent (EPIPE).  Either way it then closes its ends
 * of both pipes - a live worker sees end of file and exits - and reaps
 * the worker with waitpid (retrying EINTR), so that no zombie is left.
 * Every descriptor it opened is closed before it returns, in the parent
 * and in the child (the child closes the parent's ends at once).
 *
 * The caller ignores SIGPIPE, so a write to a dead worker's pipe fails
 * with EPIPE instead of killing the parent.
 *
 * Fills *report (all fields) and returns report->results; or returns -1
 * when the parent itself failed (pipe, fork or waitpid failed, or a read
 * or write failed for another reason than the worker's death). */
int ex08_run_worker(ex08_task_fn fn, const uint32_t *tasks, int n,
                    uint32_t *results, ex08_report *report);

#endif
