/*
 * units.c - the lab's units, and what it costs to start and finish one
 * unit of each model.
 *
 * The lesson: a unit of concurrency is not free, and the three models'
 * units differ by orders of magnitude.  A uv_timer is a struct in a heap
 * inside this process: starting and firing it is a few hundred nanoseconds.
 * A thread is a kernel task with its own stack: tens of microseconds.  A
 * process is a copy of the whole address space's page tables: fork costs
 * more the more memory the parent has touched (fork_large), which vfork,
 * sharing the parent's memory until the child execs or exits, avoids.
 *
 * Each unit runs `count` repetitions back to back and reports the time per
 * repetition; the lab runs it in a fresh child process (see lab.c).
 */
#define _GNU_SOURCE /* vfork, MAP_ANONYMOUS */
#include "lab.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uv.h>

#include "async.h"
#include "pool.h"

extern char **environ;

/* Both the lab's measuring functions and its registry print their errors
 * the project's way. */
static int fail(const char *what, int err) {
  fprintf(stderr, "conclab: %s: %s\n", what, strerror(err));
  return -1;
}

static int uv_fail(const char *what, int err) {
  fprintf(stderr, "conclab: %s: %s\n", what, uv_strerror(err));
  return -1;
}

static void per_unit(lab_measure *m, double t0, long count) {
  m->value = (lab_now_s() - t0) * 1e9 / (double)count;
}

/* A loop is only closed when every handle on it is: 0 proves the unit
 * left nothing behind. */
static int loop_close(uv_loop_t *loop) {
  int rc = uv_loop_close(loop);
  return rc == 0 ? 0 : uv_fail("uv_loop_close", rc);
}

/* ---- async -------------------------------------------------------------- */

static void timer_fired(uv_timer_t *t) { uv_close((uv_handle_t *)t, NULL); }

/* Start a 0 ms timer, run the loop until it fired and its handle closed. */
static int unit_uv_timer(long count, long big_mb, lab_measure *m) {
  uv_loop_t loop;
  uv_timer_t timer;
  int rc = uv_loop_init(&loop);
  double t0;

  (void)big_mb;
  if (rc != 0)
    return uv_fail("uv_loop_init", rc);
  t0 = lab_now_s();
  for (long i = 0; i < count && rc == 0; i++) {
    rc = uv_timer_init(&loop, &timer);
    if (rc == 0)
      rc = uv_timer_start(&timer, timer_fired, 0, 0);
    if (rc == 0)
      uv_run(&loop, UV_RUN_DEFAULT);
  }
  per_unit(m, t0, count);
  if (rc != 0) /* cannot happen with a live handle and a callback */
    uv_fail("uv_timer_init or uv_timer_start", rc);
  return loop_close(&loop) == 0 && rc == 0 ? 0 : -1;
}

static void work_nothing(uv_work_t *w) { (void)w; }
static void work_done(uv_work_t *w, int status) {
  (void)w;
  (void)status;
}

/* Hand an empty job to libuv's threadpool and get its after_work back. */
static int unit_uv_queue_work(long count, long big_mb, lab_measure *m) {
  uv_loop_t loop;
  uv_work_t req;
  char why[256];
  int rc;
  double t0 = 0;

  (void)big_mb;
  /* libuv aborts, saying nothing, when it cannot start its pool. */
  if (as_threadpool_check(0, why, sizeof why) != 0) {
    fprintf(stderr, "conclab: %s\n", why); /* it names the pool */
    return -1;
  }
  if ((rc = uv_loop_init(&loop)) != 0)
    return uv_fail("uv_loop_init", rc);
  /* i == -1 starts the threadpool, which libuv does on first use: a cost
   * paid once per process, not per job. */
  for (long i = -1; i < count && rc == 0; i++) {
    if (i == 0)
      t0 = lab_now_s();
    rc = uv_queue_work(&loop, &req, work_nothing, work_done);
    if (rc == 0)
      uv_run(&loop, UV_RUN_DEFAULT);
  }
  per_unit(m, t0, count);
  if (rc != 0)
    uv_fail("uv_queue_work", rc);
  return loop_close(&loop) == 0 && rc == 0 ? 0 : -1;
}

/* ---- threaded ----------------------------------------------------------- */

static void *thread_nothing(void *arg) { return arg; }

static int unit_pthread(long count, long big_mb, lab_measure *m) {
  double t0 = lab_now_s();
  (void)big_mb;
  for (long i = 0; i < count; i++) {
    pthread_t t;
    int rc = pthread_create(&t, NULL, thread_nothing, NULL);
    if (rc != 0)
      return fail("pthread_create", rc);
    pthread_join(t, NULL);
  }
  per_unit(m, t0, count);
  return 0;
}

/* The threaded model's pool with one worker: submit a task, the worker
 * takes it from the queue and signals back; then the next.  The cost of
 * one trip through th_queue and its two wake-ups. */
typedef struct handoff {
  pthread_mutex_t lock;
  pthread_cond_t done_cv;
  long done;
} handoff;

static void handoff_job(void *arg, void *state, int task) {
  handoff *h = arg;
  (void)state;
  (void)task;
  pthread_mutex_lock(&h->lock);
  h->done++;
  pthread_cond_signal(&h->done_cv);
  pthread_mutex_unlock(&h->lock);
}

static int unit_pool_handoff(long count, long big_mb, lab_measure *m) {
  handoff h = {.done = 0};
  th_pool pool;
  double t0;
  int rc = 0;

  (void)big_mb;
  pthread_mutex_init(&h.lock, NULL);
  pthread_cond_init(&h.done_cv, NULL);
  if (th_pool_init(&pool, 1, handoff_job, &h) != 0)
    return -1;
  if (th_pool_start(&pool, 1) != 0) /* it has finished the pool itself */
    return -1;
  t0 = lab_now_s();
  for (long i = 0; i < count && rc == 0; i++) {
    rc = th_pool_submit(&pool, (int)(i & 0x3fffffff));
    pthread_mutex_lock(&h.lock);
    while (rc == 0 && h.done <= i)
      pthread_cond_wait(&h.done_cv, &h.lock);
    pthread_mutex_unlock(&h.lock);
  }
  per_unit(m, t0, count);
  th_pool_finish(&pool);
  pthread_cond_destroy(&h.done_cv);
  pthread_mutex_destroy(&h.lock);
  return rc;
}

/* ---- multiproc ---------------------------------------------------------- */

/* The large parent: touch every page of big_mb MiB, so that fork has that
 * many page-table entries to copy.  NULL on failure (printed). */
static void *touch_big(long big_mb) {
  size_t len = (size_t)big_mb << 20;
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    fail("mmap of the large parent", errno);
    return NULL;
  }
  memset(p, 1, len);
  return p;
}

static int fork_once(void) {
  pid_t pid = fork();
  if (pid == 0)
    _exit(0);
  if (pid < 0)
    return fail("fork", errno);
  return lab_reap(pid);
}

/* vfork's child borrows the parent's memory and the parent waits until the
 * child exits; the child may only call _exit here. */
static int vfork_once(void) {
  pid_t pid = vfork();
  if (pid == 0)
    _exit(0);
  if (pid < 0)
    return fail("vfork", errno);
  return lab_reap(pid);
}

static int repeat(int (*once)(void), long count, long big_mb,
                  lab_measure *m) {
  void *big = big_mb > 0 ? touch_big(big_mb) : NULL;
  double t0;
  int rc = 0;

  if (big_mb > 0 && big == NULL)
    return -1;
  t0 = lab_now_s();
  for (long i = 0; i < count && rc == 0; i++)
    rc = once();
  per_unit(m, t0, count);
  if (big != NULL)
    munmap(big, (size_t)big_mb << 20);
  return rc;
}

static int unit_fork(long count, long big_mb, lab_measure *m) {
  (void)big_mb;
  return repeat(fork_once, count, 0, m);
}
static int unit_fork_large(long count, long big_mb, lab_measure *m) {
  return repeat(fork_once, count, big_mb, m);
}
static int unit_vfork(long count, long big_mb, lab_measure *m) {
  (void)big_mb;
  return repeat(vfork_once, count, 0, m);
}
static int unit_vfork_large(long count, long big_mb, lab_measure *m) {
  return repeat(vfork_once, count, big_mb, m);
}

static int spawn_true_once(void) {
  char *argv[] = {"true", NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
  if (rc != 0)
    return fail("posix_spawn /bin/true", rc);
  return lab_reap(pid);
}

static int unit_posix_spawn(long count, long big_mb, lab_measure *m) {
  (void)big_mb;
  return repeat(spawn_true_once, count, 0, m);
}

/* ---- the registry ------------------------------------------------------- */

/* Defined in switch.c and memory.c. */
int lab_unit_cond_pingpong(long count, long big_mb, lab_measure *m);
int lab_unit_pipe_threads(long count, long big_mb, lab_measure *m);
int lab_unit_pipe_procs(long count, long big_mb, lab_measure *m);
int lab_unit_uv_async(long count, long big_mb, lab_measure *m);
int lab_unit_pipe_bw(long count, long big_mb, lab_measure *m);
int lab_unit_shm_bw(long count, long big_mb, lab_measure *m);
int lab_unit_mem_timer(long count, long big_mb, lab_measure *m);
int lab_unit_mem_thread(long count, long big_mb, lab_measure *m);
int lab_unit_mem_thread_small(long count, long big_mb, lab_measure *m);
int lab_unit_mem_process(long count, long big_mb, lab_measure *m);

/* Counts per run (quick, full, smoke): each quick run takes roughly 0.05 to
 * 0.3 s on the 2-core development machine (a VM, where fork and thread
 * creation are slow); fork_large's and vfork_large's runs also touch the
 * large parent first (about a second for 1 GiB). */
const lab_unit lab_units[] = {
    {"uv_timer", "async", LAB_START,
     "uv_timer_start(0), the loop fires it, uv_close",
     {200000, 400000, 1000}, unit_uv_timer},
    {"uv_queue_work", "async", LAB_START,
     "an empty job on libuv's threadpool and its after_work on the loop",
     {4000, 8000, 100}, unit_uv_queue_work},
    {"pthread", "threaded", LAB_START,
     "pthread_create + pthread_join of an empty thread",
     {3000, 6000, 50}, unit_pthread},
    {"pool_handoff", "threaded", LAB_START,
     "a task through the pool's queue to its worker, and a signal back",
     {8000, 16000, 100}, unit_pool_handoff},
    {"fork", "multiproc", LAB_START,
     "fork + waitpid, the child _exit(0)s; small parent",
     {300, 600, 20}, unit_fork},
    {"fork_large", "multiproc", LAB_START,
     "fork + waitpid with a large parent: its page tables copied",
     {5, 10, 3}, unit_fork_large},
    {"vfork", "multiproc", LAB_START,
     "vfork + _exit + waitpid; small parent",
     {1500, 3000, 20}, unit_vfork},
    {"vfork_large", "multiproc", LAB_START,
     "vfork + _exit + waitpid with the large parent: nothing copied",
     {1500, 3000, 20}, unit_vfork_large},
    {"posix_spawn", "multiproc", LAB_START,
     "posix_spawn of /bin/true + waitpid (includes exec and its start-up)",
     {300, 600, 5}, unit_posix_spawn},
    {"cond_pingpong", "threaded", LAB_SWITCH,
     "a round trip between two threads through a condition variable",
     {5000, 10000, 100}, lab_unit_cond_pingpong},
    {"pipe_threads", "threaded", LAB_SWITCH,
     "a round trip between two threads over a pair of pipes (1 byte)",
     {5000, 10000, 100}, lab_unit_pipe_threads},
    {"pipe_procs", "multiproc", LAB_SWITCH,
     "a round trip between two processes over a pair of pipes (1 byte)",
     {8000, 16000, 100}, lab_unit_pipe_procs},
    {"uv_async", "async", LAB_SWITCH,
     "a thread's uv_async_send to a loop, whose callback answers (uv_sem)",
     {8000, 16000, 100}, lab_unit_uv_async},
    {"pipe_bw", "multiproc", LAB_IPC,
     "64 KiB chunks through a pipe from one process to another",
     {4096, 8192, 64}, lab_unit_pipe_bw},
    {"shm_bw", "threaded", LAB_IPC,
     "64 KiB chunks through a shared ring (mutex + condvars) between threads",
     {4096, 8192, 64}, lab_unit_shm_bw},
    {"mem_timer", "async", LAB_MEMORY,
     "a pending uv_timer (60 s)", {100000, 100000, 1000}, lab_unit_mem_timer},
    {"mem_thread", "threaded", LAB_MEMORY,
     "a sleeping thread, default stack (8 MiB reserved)",
     {1000, 1000, 20}, lab_unit_mem_thread},
    {"mem_thread_small", "threaded", LAB_MEMORY,
     "a sleeping thread, 64 KiB stack", {1000, 1000, 20},
     lab_unit_mem_thread_small},
    {"mem_process", "multiproc", LAB_MEMORY,
     "a sleeping forked process (Pss, shared pages counted once)",
     {200, 200, 10}, lab_unit_mem_process},
};
const int lab_nunits = (int)(sizeof lab_units / sizeof lab_units[0]);

const lab_unit *lab_unit_find(const char *name) {
  for (int i = 0; i < lab_nunits; i++)
    if (strcmp(lab_units[i].name, name) == 0)
      return &lab_units[i];
  return NULL;
}

long lab_big_mb(int profile) { return profile == 2 ? 64 : 1024; }
