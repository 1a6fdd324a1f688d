/*
 * worker.c - forking, running and reaping one worker process.
 */
#define _GNU_SOURCE /* pipe2, wait4, prctl */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"

static void close_fd(int *fd) {
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* The line this worker reports (why its tasks fail): kept until the next
 * result frame carries it to the parent, which prints the run's first. */
static void keep_note(const char *line, void *arg) {
  snprintf(arg, WL_REPORT_MAX, "%s", line);
}

/* The child's whole life: open its worker state, then read a task frame,
 * run the task the blocking way, write a result frame; exit when the task
 * pipe closes.  _exit, not exit: the parent's stdio buffers and atexit
 * handlers are not ours. */
_Noreturn static void worker_main(const wl_workload *wl, const wl_params *p,
                                  int task_fd, int result_fd) {
  void *worker; /* http: this process's one curl handle */
  char note[WL_REPORT_MAX] = "";

  wl_report_to(keep_note, note);
  if (wl_worker_open(wl, p, &worker) != 0)
    worker = NULL; /* the workload fails each task; the batch goes on */
  for (;;) {
    mp_task_msg msg;
    mp_result_frame frame = {0};
    mp_result_msg *res = &frame.res;
    wl_slot out = {0};
    wl_span span = {0}; /* the task's compute step, if it notes one */
    wl_task task;
    uint32_t len;
    int r = mp_frame_read(task_fd, &msg, sizeof msg, &len);

    if (r == 0)
      break; /* no more work */
    if (r < 0 || len != sizeof msg)
      _exit(1);
    task.index = msg.index;
    task.a = msg.a;
    task.b = msg.b;
    res->index = msg.index;
    /* timed always, traced or not (the child does not know): two clock
     * reads a task, two more for a step, and 16 bytes a frame */
    wl_run_task(wl, &task, worker, &out, &span);
    res->status = (uint32_t)out.status;
    res->t_start_ns = span.t_start_ns;
    res->t_end_ns = span.t_end_ns;
    res->step_start_ns = span.off_start_ns;
    res->step_end_ns = span.off_end_ns;
    res->value = out.value;
    res->http_status = out.http_status;
    res->retries = out.retries;
    res->connects = out.connects;
    res->compute_us = out.compute_us;
    len = (uint32_t)strlen(note);
    memcpy(frame.note, note, len);
    note[0] = '\0'; /* sent once */
    if (mp_frame_write(result_fd, &frame, (uint32_t)sizeof *res + len) != 0)
      _exit(1); /* the parent is gone */
  }
  wl_worker_close(wl, worker);
  _exit(0);
}

/* A worker must not outlive the run: when a signal ends the parent, a
 * worker in a long task would see its task pipe close only after that
 * task.  The kernel sends SIGKILL when the parent dies (the run's own
 * directory, if any, is the parent's to remove).  The parent may have
 * died before prctl took effect: then the worker has a new parent
 * already, and goes at once.  (The kernel watches the forking thread:
 * workers are forked from the run's main thread.) */
static void worker_tie_to(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
    _exit(1);
}

int mp_worker_spawn(mp_worker *all, int n, int self, const wl_workload *wl,
                    const wl_params *p) {
  mp_worker *w = &all[self];
  int task_pipe[2], result_pipe[2];
  pid_t parent = getpid();

  if (pipe2(task_pipe, O_CLOEXEC) != 0) {
    fprintf(stderr, "conclab: multiproc: pipe for worker %d: %s\n", self,
            strerror(errno));
    return -1;
  }
  if (pipe2(result_pipe, O_CLOEXEC) != 0) {
    fprintf(stderr, "conclab: multiproc: pipe for worker %d: %s\n", self,
            strerror(errno));
    close(task_pipe[0]);
    close(task_pipe[1]);
    return -1;
  }

  w->pid = fork();
  if (w->pid < 0) {
    fprintf(stderr, "conclab: multiproc: fork worker %d: %s\n", self,
            strerror(errno));
    w->pid = 0;
    close(task_pipe[0]);
    close(task_pipe[1]);
    close(result_pipe[0]);
    close(result_pipe[1]);
    return -1;
  }
  if (w->pid == 0) {
    worker_tie_to(parent);
    /* Child.  Another worker's task pipe left open here would keep that
     * worker from ever reading end of file. */
    for (int i = 0; i < n; i++) {
      close_fd(&all[i].task_fd);
      close_fd(&all[i].result_fd);
    }
    close(task_pipe[1]);
    close(result_pipe[0]);
    worker_main(wl, p, task_pipe[0], result_pipe[1]); /* never returns */
  }

  /* Parent: keep the write end of the task pipe, the read end of results. */
  close(task_pipe[0]);
  close(result_pipe[1]);
  w->task_fd = task_pipe[1];
  w->result_fd = result_pipe[0];
  w->task = -1;
  return 0;
}

void mp_worker_reap(mp_worker *w, mp_usage *usage) {
  struct rusage ru;
  int status;
  pid_t pid = w->pid, r;

  close_fd(&w->task_fd);
  close_fd(&w->result_fd);
  if (pid <= 0)
    return;
  do
    r = wait4(pid, &status, 0, &ru);
  while (r < 0 && errno == EINTR);
  w->pid = 0;
  if (r < 0) {
    fprintf(stderr, "conclab: multiproc: wait4 %d: %s\n", (int)pid,
            strerror(errno));
    usage->workers_lost++;
    return;
  }
  usage->user_s += (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
  usage->sys_s += (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  usage->max_rss_kb_sum += ru.ru_maxrss;
  usage->vol_ctx += ru.ru_nvcsw;
  usage->invol_ctx += ru.ru_nivcsw;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    usage->workers_lost++;
}
