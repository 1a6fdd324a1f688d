/*
 * bare.c - the same batches as `conclab run sleep`, with no harness:
 * the references the harness's own cost is measured against.
 *
 * The lesson: what a model costs and what conclab adds around it are two
 * different things.  Each function here is the model's lesson and nothing
 * else - no task slots, no per-task timing, no options, no report - so
 * conclab's time and memory over these is the price of the harness.  The
 * timers' reference is hold.c's lab_hold_timers (a bare uv loop).
 *
 * Measured as conclab measures itself: wall time from the first start to
 * the last finish, and peak resident memory (getrusage's ru_maxrss; with
 * processes, plus every child's from wait4, as run.c adds its workers').
 */
#define _DEFAULT_SOURCE /* wait4 */
#include "lab.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"

static long self_peak_kb(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* One task: wait LAB_TIMER_MS, the whole of it even if a signal comes. */
static void sleep_task(void) {
  struct timespec left = {LAB_TIMER_MS / 1000,
                          (LAB_TIMER_MS % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR)
    ;
}

/* ---- threads: n of them, each sleeping, created and joined ------------- */

static void *thread_main(void *arg) {
  sleep_task();
  return arg;
}

int lab_bare_threads(long n, lab_hold *h) {
  pthread_t *t = malloc((size_t)n * sizeof *t);
  pthread_attr_t attr;
  double t0 = lab_now_s();
  int rc = 0;

  memset(h, 0, sizeof *h);
  if (t == NULL) {
    h->err = ENOMEM;
    return 0;
  }
  /* The pool's stack size, so that the difference is the harness's and
   * not a different stack. */
  if (pthread_attr_init(&attr) != 0 ||
      pthread_attr_setstacksize(&attr, TH_STACK_SIZE) != 0) {
    free(t);
    snprintf(h->why, sizeof h->why, "pthread_attr: cannot set the stack");
    return -1;
  }
  for (; h->got < n; h->got++)
    if ((rc = pthread_create(&t[h->got], &attr, thread_main, NULL)) != 0)
      break;
  h->err = rc;
  for (long i = 0; i < h->got; i++)
    pthread_join(t[i], NULL); /* cannot fail: joinable, ours, once */
  h->wall_s = lab_now_s() - t0;
  h->rss_kb = self_peak_kb();
  pthread_attr_destroy(&attr);
  free(t);
  return 0;
}

/* ---- processes: workers reading task numbers from one pipe ------------- */

/* Read or write exactly len bytes: 1, 0 at end of file, -1 on error. */
static int io_full(int fd, void *buf, size_t len, int writing) {
  char *p = buf;
  while (len > 0) {
    ssize_t k = writing ? write(fd, p, len) : read(fd, p, len);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return k == 0 && !writing ? 0 : -1;
    p += k;
    len -= (size_t)k;
  }
  return 1;
}

/* A worker: take a task number, sleep, give the number back; until the
 * task pipe is closed.  A 4-byte read or write on a pipe is atomic, so
 * the workers can share both pipes. */
static void worker(int tasks, int results) {
  int32_t task;
  int rc;
  while ((rc = io_full(tasks, &task, sizeof task, 0)) == 1) {
    sleep_task();
    if (io_full(results, &task, sizeof task, 1) != 1)
      _exit(1);
  }
  _exit(rc == 0 ? 0 : 1);
}

/* Fork up to w workers; how many started (*err: fork's errno if fewer). */
static long fork_workers(pid_t *pids, long w, const int tasks[2],
                         const int results[2], int *err) {
  long got = 0;
  for (; got < w; got++) {
    pid_t pid = fork();
    if (pid < 0) {
      *err = errno;
      break;
    }
    if (pid == 0) {
      close(tasks[1]);
      close(results[0]);
      worker(tasks[0], results[1]);
    }
    pids[got] = pid;
  }
  return got;
}

/* Hand out n tasks, at most w in flight, and collect every result.
 * 0, or -1 (a worker died or a pipe failed). */
static int dispatch(long n, long w, int tasks, int results) {
  int32_t next = 0, back;
  for (; next < w && next < n; next++)
    if (io_full(tasks, &next, sizeof next, 1) != 1)
      return -1;
  for (long done = 0; done < n; done++) {
    if (io_full(results, &back, sizeof back, 0) != 1)
      return -1;
    if (next < n && io_full(tasks, &next, sizeof next, 1) != 1)
      return -1;
    next += next < n;
  }
  return 0;
}

/* Reap the workers, adding each one's peak to h->rss_kb: -1 if one failed. */
static int reap_workers(const pid_t *pids, long got, lab_hold *h) {
  int bad = 0;
  for (long i = 0; i < got; i++) {
    struct rusage ru;
    int status;
    while (wait4(pids[i], &status, 0, &ru) < 0)
      if (errno != EINTR)
        return -1;
    h->rss_kb += ru.ru_maxrss;
    bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  }
  return bad ? -1 : 0;
}

int lab_bare_procs(long n, long w, lab_hold *h) {
  pid_t *pids = malloc((size_t)w * sizeof *pids);
  int tasks[2], results[2], rc = 0;
  double t0 = lab_now_s();
  long got;

  memset(h, 0, sizeof *h);
  if (pids == NULL || n > INT32_MAX) {
    free(pids);
    h->err = ENOMEM;
    return 0;
  }
  if (pipe(tasks) != 0) {
    h->err = errno;
    free(pids);
    return 0;
  }
  if (pipe(results) != 0) {
    h->err = errno;
    close(tasks[0]);
    close(tasks[1]);
    free(pids);
    return 0;
  }
  got = fork_workers(pids, w, tasks, results, &h->err);
  close(tasks[0]);
  close(results[1]);
  if (got == w && dispatch(n, w, tasks[1], results[0]) != 0) {
    snprintf(h->why, sizeof h->why, "a worker stopped before its tasks");
    rc = -1;
  }
  close(tasks[1]); /* every worker reads end of file and exits */
  close(results[0]);
  if (reap_workers(pids, got, h) != 0 && rc == 0) {
    snprintf(h->why, sizeof h->why, "a worker failed");
    rc = -1;
  }
  h->wall_s = lab_now_s() - t0;
  h->rss_kb += self_peak_kb();
  h->got = got == w ? n : 0;
  free(pids);
  return rc;
}
