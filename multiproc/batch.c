/*
 * multiproc/batch.c - a batch on forked worker processes.
 *
 * Lesson: processes share nothing, so every task and every result is
 * copied through a pipe, and the parent must watch all the pipes at once:
 * poll() is a small event loop of its own.  In exchange, a worker that
 * crashes takes down only itself: its task is failed and a fresh worker is
 * forked in its place.  Each worker runs the workload's plain blocking code,
 * on its own core when there are several.
 *
 * Dispatch is one task at a time per worker: a worker gets its next task
 * only when its last result is in, so uneven tasks balance themselves and
 * a pipe never holds more than one small frame (no write can block).
 *
 * With --timeout-ms, the parent is also a watchdog (asyncio's wait_for):
 * each task handed out gets a deadline, poll() waits no longer than the
 * nearest one, and a worker past its deadline (stuck, stopped, looping)
 * is killed, its task recorded as a timeout, and a fresh worker takes the
 * rest.  A process can be killed from outside; a thread cannot.
 */
#include "multiproc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "worker.h"

typedef struct mp_batch {
  const wl_workload *wl;
  const wl_params *params;
  wl_slot *slots;
  wl_span *spans; /* the timeline (--trace), or NULL */
  mp_worker *workers;
  int nworkers;
  int next; /* the next task to hand out */
  int64_t limit_ns; /* a task's limit (wl_task_limit_ms); 0: none */
  mp_usage *usage;
} mp_batch;

static void batch_lost(mp_batch *b, mp_worker *w, wl_status why);

/* ---- start the workers ------------------------------------------------- */

/* Fork worker w (its pipes, its process).  0, or -1 (printed). */
static int batch_spawn(mp_batch *b, mp_worker *w) {
  if (mp_worker_spawn(b->workers, b->nworkers, (int)(w - b->workers), b->wl,
                      b->params) != 0)
    return -1;
  b->usage->workers_started++;
  return 0;
}

/* Fork all the workers.  0, or -1 (the one that could not start has said
 * why; those that did are stopped by batch_stop). */
static int batch_start(mp_batch *b) {
  for (int i = 0; i < b->nworkers; i++)
    if (batch_spawn(b, &b->workers[i]) != 0)
      return -1;
  return 0;
}

/* ---- hand out a task --------------------------------------------------- */

/* A healthy worker exits within moments of its task pipe closing; one that
 * does not (stopped, say) is killed this long after. */
#define MP_QUIT_GRACE_NS 1000000000LL

/* When worker w must next be heard from, counted from now (0: never). */
static void batch_arm(mp_batch *b, mp_worker *w, int64_t extra_ns) {
  w->deadline_ns = b->limit_ns > 0 ? wl_now_ns() + b->limit_ns + extra_ns : 0;
}

/* Give worker w its next task, or, when none is left, close its task pipe
 * so it exits. */
static void batch_hand_out(mp_batch *b, mp_worker *w) {
  mp_task_msg msg = {0};
  wl_task task;

  if (b->next >= b->params->tasks) {
    close(w->task_fd);
    w->task_fd = -1;
    batch_arm(b, w, MP_QUIT_GRACE_NS);
    return;
  }
  w->task = b->next++;
  w->sent_ns = wl_now_ns();
  batch_arm(b, w, 0);
  b->wl->task_input(b->params, (uint32_t)w->task, &task);
  msg.index = task.index;
  msg.a = task.a;
  msg.b = task.b;
  if (mp_frame_write(w->task_fd, &msg, sizeof msg) != 0)
    batch_lost(b, w, WL_ERROR); /* EPIPE: it died before reading */
}

/* ---- collect a result -------------------------------------------------- */

/* The timeline's record of task i (--trace): when, and which process. */
static void batch_span(mp_batch *b, const mp_worker *w, uint32_t i,
                       int64_t start, int64_t end) {
  wl_span_set(b->spans, i, start, end);
  if (b->spans != NULL)
    b->spans[i].pid = (int)w->pid;
}

/* ...and when its compute step ran, in the worker's one thread. */
static void batch_step(mp_batch *b, uint32_t i, const mp_result_msg *res) {
  if (b->spans != NULL && res->step_end_ns != 0) {
    b->spans[i].off_start_ns = res->step_start_ns;
    b->spans[i].off_end_ns = res->step_end_ns;
    b->spans[i].off_thread = -1;
  }
}

/* Worker w is lost (end of file, a broken frame, EPIPE: why is WL_ERROR;
 * past its deadline: WL_TIMEOUT): record that as the outcome of the task
 * it held, make sure it is dead (after a broken frame or a deadline it may
 * still be running, or stopped: SIGKILL ends a stopped process too), reap
 * it, and fork a replacement if work remains. */
static void batch_lost(mp_batch *b, mp_worker *w, wl_status why) {
  if (w->task >= 0) {
    wl_slot *s = &b->slots[w->task];
    s->status = why;
    s->value = 0;
    s->worker = (int)(w - b->workers);
    /* as far as we know: from sent to lost */
    batch_span(b, w, (uint32_t)w->task, w->sent_ns, wl_now_ns());
    w->task = -1;
  }
  if (w->pid > 0) /* never kill(0, ...): that is our whole process group */
    kill(w->pid, SIGKILL);
  mp_worker_reap(w, b->usage);
  if (b->next < b->params->tasks && batch_spawn(b, w) == 0)
    batch_hand_out(b, w);
}

/* Worker w's result pipe is readable: a result, or its end. */
static void batch_collect(mp_batch *b, mp_worker *w) {
  mp_result_frame frame;
  mp_result_msg res;
  uint32_t len;
  int r = mp_frame_read(w->result_fd, &frame,
                        sizeof frame.res + sizeof frame.note - 1, &len);

  if (r == 0 && w->task < 0) { /* finished and exited: the normal end */
    mp_worker_reap(w, b->usage);
    return;
  }
  res = frame.res;
  if (r <= 0 || len < sizeof res || (int)res.index != w->task) {
    batch_lost(b, w, WL_ERROR);
    return;
  }
  if (len > sizeof res) { /* what the worker reported: the run's first? */
    frame.note[len - sizeof res] = '\0';
    wl_report_relay(frame.note);
  }
  b->slots[res.index] = (wl_slot){.status = (wl_status)res.status,
                                  .value = res.value,
                                  .http_status = res.http_status,
                                  .retries = res.retries,
                                  .connects = res.connects,
                                  .compute_us = res.compute_us,
                                  .worker = (int)(w - b->workers)};
  batch_span(b, w, res.index, res.t_start_ns, res.t_end_ns);
  batch_step(b, res.index, &res);
  w->task = -1;
  batch_hand_out(b, w);
}

/* How long poll may wait: until the nearest deadline (rounded up to whole
 * ms, so it wakes after it, not just before), or -1: no deadline. */
static int batch_wait_ms(const mp_batch *b) {
  int64_t nearest = 0, now = wl_now_ns(), left;

  for (int i = 0; i < b->nworkers; i++) {
    int64_t d = b->workers[i].deadline_ns;
    if (b->workers[i].pid > 0 && d > 0 && (nearest == 0 || d < nearest))
      nearest = d;
  }
  if (nearest == 0)
    return -1;
  left = (nearest - now + 999999) / 1000000;
  return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* The watchdog: every worker past its deadline is killed and replaced. */
static void batch_expire(mp_batch *b) {
  int64_t now = wl_now_ns();

  for (int i = 0; i < b->nworkers; i++) {
    mp_worker *w = &b->workers[i];
    if (w->pid > 0 && w->deadline_ns > 0 && now >= w->deadline_ns)
      batch_lost(b, w, WL_TIMEOUT);
  }
}

/* Wait for any worker's result pipe, or the nearest deadline; handle every
 * pipe that is ready, then every deadline that has passed.  Returns how
 * many workers it waited on (0: none left, the batch is over), or -1 if
 * poll failed. */
static int batch_poll(mp_batch *b, struct pollfd *fds, int *who) {
  int nfds = 0, r;

  for (int i = 0; i < b->nworkers; i++) {
    if (b->workers[i].result_fd < 0)
      continue;
    fds[nfds].fd = b->workers[i].result_fd;
    fds[nfds].events = POLLIN;
    fds[nfds].revents = 0;
    who[nfds++] = i;
  }
  if (nfds == 0)
    return 0;
  do
    r = poll(fds, (nfds_t)nfds, batch_wait_ms(b));
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    fprintf(stderr, "conclab: poll: %s\n", strerror(errno));
    return -1;
  }
  /* POLLHUP without POLLIN is the writer's exit: read sees end of file. */
  for (int k = 0; k < nfds; k++)
    if (fds[k].revents != 0)
      batch_collect(b, &b->workers[who[k]]);
  batch_expire(b);
  return nfds;
}

/* ---- stop -------------------------------------------------------------- */

/* Normally every worker has exited and been reaped by now.  After a
 * failed start or a poll error, stop and reap whatever still runs. */
static void batch_stop(mp_batch *b) {
  for (int i = 0; i < b->nworkers; i++)
    if (b->workers[i].pid > 0) {
      kill(b->workers[i].pid, SIGKILL);
      mp_worker_reap(&b->workers[i], b->usage);
    }
  /* A task no worker could take (every replacement fork failed) is
   * failed, never left pending. */
  for (int i = 0; i < b->params->tasks; i++)
    if (b->slots[i].status == WL_PENDING)
      b->slots[i].status = WL_ERROR;
}

/* ---- the batch --------------------------------------------------------- */

int mp_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
           wl_span *spans, mp_usage *usage) {
  int n = p->concurrency < p->tasks ? p->concurrency : p->tasks;
  mp_batch b = {.wl = wl, .params = p, .slots = slots, .spans = spans,
                .nworkers = n,
                .limit_ns = wl_task_limit_ms(wl, p) * 1000000,
                .usage = usage};
  struct sigaction ignore = {.sa_handler = SIG_IGN}, deflt = {.sa_handler =
      SIG_DFL}, old_pipe, old_chld;
  struct pollfd *fds = calloc((size_t)n, sizeof *fds);
  int *who = calloc((size_t)n, sizeof *who);
  int r;

  memset(usage, 0, sizeof *usage);
  b.workers = calloc((size_t)n, sizeof *b.workers);
  if (fds == NULL || who == NULL || b.workers == NULL) {
    fprintf(stderr, "conclab: multiproc: out of memory for %d workers\n", n);
    free(fds);
    free(who);
    free(b.workers);
    return -1;
  }
  for (int i = 0; i < n; i++)
    b.workers[i] = (mp_worker){.pid = 0, .task_fd = -1, .result_fd = -1,
                               .task = -1, .deadline_ns = 0};

  /* Writing to a dead worker's pipe raises SIGPIPE, which would kill us;
   * ignored, the write fails with EPIPE and we handle it.  And SIGCHLD
   * must not be ignored, or the kernel reaps workers before wait4 can. */
  sigaction(SIGPIPE, &ignore, &old_pipe);
  sigaction(SIGCHLD, &deflt, &old_chld);

  if (batch_start(&b) != 0) {
    r = -1;
  } else {
    for (int i = 0; i < n; i++)
      batch_hand_out(&b, &b.workers[i]);
    do
      r = batch_poll(&b, fds, who);
    while (r > 0);
  }

  batch_stop(&b);

  sigaction(SIGCHLD, &old_chld, NULL);
  sigaction(SIGPIPE, &old_pipe, NULL);
  free(fds);
  free(who);
  free(b.workers);
  return r == 0 ? 0 : -1;
}
