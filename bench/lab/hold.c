/*
 * hold.c - hold n waiting units at once: one level of the scale sweep.
 *
 * The lesson: how many can wait at once is a question of memory and of the
 * kernel's limits.  A million pending timers is a million small structs in
 * one process; a thread is a kernel task (limited by RLIMIT_NPROC,
 * threads-max, vm.max_map_count and memory); a process likewise, plus its
 * own page tables.  When the system says no (EAGAIN, ENOMEM), that is the
 * limit, and it is reported as such: what was created is torn down.
 */
#include "lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "pool.h"

static long peak_rss_kb(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* ---- timers: started one after another, all of 100 ms ----------------- */

static void timer_done(uv_timer_t *t) { uv_close((uv_handle_t *)t, NULL); }

int lab_hold_timers(long n, lab_hold *h) {
  uv_loop_t loop;
  uv_timer_t *timers;
  double t0 = lab_now_s();
  int rc;

  memset(h, 0, sizeof *h);
  timers = malloc((size_t)n * sizeof *timers);
  if (timers == NULL) { /* the limit: this much memory is not there */
    h->err = ENOMEM;
    return 0;
  }
  if ((rc = uv_loop_init(&loop)) != 0) {
    free(timers);
    fprintf(stderr, "conclab: uv_loop_init: %s\n", uv_strerror(rc));
    h->err = -rc;
    return -1;
  }
  /* Unchecked on purpose: uv_timer_init always returns 0, and
   * uv_timer_start refuses only a NULL callback or a closing handle. */
  for (long i = 0; i < n; i++) {
    uv_timer_init(&loop, &timers[i]);
    uv_timer_start(&timers[i], timer_done, LAB_TIMER_MS, 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT); /* returns when all fired and closed */
  h->wall_s = lab_now_s() - t0;
  h->got = n;
  h->rss_kb = peak_rss_kb();
  rc = uv_loop_close(&loop);
  free(timers);
  if (rc != 0) {
    fprintf(stderr, "conclab: uv_loop_close: %s\n", uv_strerror(rc));
    h->err = -rc;
    return -1;
  }
  return 0;
}

/* ---- threads: the pool's small stacks, asleep on a condition variable -- */

int lab_hold_threads(long n, lab_hold *h) {
  pthread_t *t = malloc((size_t)n * sizeof *t);
  lab_sleepers s;
  double t0 = lab_now_s();

  memset(h, 0, sizeof *h);
  if (t == NULL) {
    h->err = ENOMEM;
    return 0;
  }
  h->got = lab_threads_hold(&s, t, n, TH_STACK_SIZE, &h->err);
  h->rss_kb = peak_rss_kb();
  lab_threads_release(&s, t, h->got);
  h->wall_s = lab_now_s() - t0;
  free(t);
  return 0;
}

/* ---- processes: forked, blocked reading a pipe ------------------------- */

int lab_hold_processes(long n, lab_hold *h) {
  pid_t *pids = malloc((size_t)n * sizeof *pids);
  int hold[2];
  double t0 = lab_now_s();

  memset(h, 0, sizeof *h);
  if (pids == NULL) {
    h->err = ENOMEM;
    return 0;
  }
  if (pipe(hold) != 0) {
    h->err = errno;
    free(pids);
    return 0;
  }
  h->got = lab_procs_hold(pids, n, hold, &h->err);
  h->rss_kb = lab_procs_pss(pids, h->got) / 1024;
  lab_procs_release(pids, h->got, hold);
  h->wall_s = lab_now_s() - t0;
  free(pids);
  return 0;
}
