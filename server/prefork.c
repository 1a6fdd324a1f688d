/*
 * prefork.c - the process-based server, pre-forked (CS:APP 12.2, as
 * Apache's prefork runs it): K worker processes, each accepting on the one
 * listening socket they inherited, each serving one connection at a time.
 *
 * Lesson: the kernel hands each new client to one of the processes
 * waiting in accept, so no process hands connections out.  The workers
 * share nothing but that socket and the stop pipe: one that crashes takes
 * only its own connection with it, and /cpu runs on every core.  But K
 * connections are all that are served at once, each costs a whole
 * process, and the parent must wait for every worker (no zombies) and make
 * sure none outlives it: a worker asks the kernel for SIGKILL when its
 * parent dies (PR_SET_PDEATHSIG), however the parent dies.
 */
#include "blocking.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* A worker process: serve connections until the server stops. */
static void mp_worker(sv_blocking *b, pid_t parent) {
  int fd;
  /* The parent may have died before the request was made: then its
   * SIGKILL will never come, so leave now. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
    _exit(1);
  while ((fd = sv_blocking_accept(b)) >= 0)
    sv_blocking_serve(b, fd);
  _exit(0); /* not exit: stdio and atexit are the parent's */
}

static int mp_start_workers(sv_blocking *b, pid_t *pids, int workers,
                            int *started) {
  pid_t parent = getpid();
  for (*started = 0; *started < workers; ++*started) {
    pid_t pid = fork();
    if (pid < 0) {
      fprintf(stderr, "conclab: serve: fork worker %d: %s\n", *started + 1,
              strerror(errno));
      return -1;
    }
    if (pid == 0)
      mp_worker(b, parent);
    pids[*started] = pid;
  }
  return 0;
}

static void mp_forget(pid_t *pids, int n, pid_t pid) {
  for (int i = 0; i < n; i++)
    if (pids[i] == pid)
      pids[i] = 0;
}

/* Wait in waitpid until a stop signal interrupts it: 0.  A worker that
 * ends first (a crash) stops the server: 1. */
static int mp_wait_for_stop(sv_blocking *b, pid_t *pids, int n) {
  for (;;) {
    int st;
    pid_t pid = waitpid(-1, &st, 0);
    if (pid < 0 && errno == EINTR && !sv_blocking_stopped(b))
      continue;
    if (pid > 0)
      mp_forget(pids, n, pid);
    if (sv_blocking_stopped(b)) /* the worker was stopping too */
      return 0;
    if (pid < 0) {
      fprintf(stderr, "conclab: serve: waitpid: %s\n", strerror(errno));
      return 1;
    }
    if (WIFSIGNALED(st))
      fprintf(stderr, "conclab: serve: worker %d killed by signal %d; the "
              "server stops\n", (int)pid, WTERMSIG(st));
    else
      fprintf(stderr, "conclab: serve: worker %d exited with status %d; "
              "the server stops\n", (int)pid, WEXITSTATUS(st));
    return 1;
  }
}

/* The workers see the stop pipe (a signal to the parent alone wrote it)
 * and finish; SIGTERM tells them the same, should the pipe not have been
 * written (a crashed worker).  Then wait for each: no zombies. */
static void mp_stop_workers(pid_t *pids, int n) {
  for (int i = 0; i < n; i++)
    if (pids[i] > 0)
      kill(pids[i], SIGTERM);
  for (int i = 0; i < n; i++)
    while (pids[i] > 0 && waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
      ;
}

int sv_serve_prefork(const sv_options *o) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int workers = o->workers > 0 ? o->workers : cores > 0 ? (int)cores : 1;
  sv_blocking b;
  pid_t *pids;
  int started = 0, status = 1;

  if (sv_blocking_open(&b, o) != 0)
    return 1;
  pids = calloc((size_t)workers, sizeof *pids);
  if (pids == NULL)
    fprintf(stderr, "conclab: serve: out of memory for %d workers\n",
            workers);
  else if (mp_start_workers(&b, pids, workers, &started) == 0)
    status = mp_wait_for_stop(&b, pids, started);
  if (pids != NULL)
    mp_stop_workers(pids, started);
  free(pids);
  return sv_blocking_close(&b, status);
}
