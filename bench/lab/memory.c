/*
 * memory.c - how much memory one waiting unit of each model holds.
 *
 * The lesson: a pending uv_timer is its struct (about 150 bytes) and
 * nothing else.  A sleeping thread is a stack (resident: only the pages it
 * touched, though the default reserves 8 MiB of address space) plus the
 * kernel's own stack for the task (16 KiB on x86-64) and its page tables.
 * A sleeping process is its own page tables and whatever pages it has
 * written since the fork (copy on write).
 *
 * How it is measured: user memory is the resident set (/proc/self/statm)
 * before and after making N waiting units; for processes, the sum of Pss
 * (proportional set size: a page shared by k processes counts 1/k in each,
 * so the sum counts it once) over the parent and every child.  Kernel
 * memory is the growth of KernelStack + PageTables in /proc/meminfo: the
 * whole system's, so another program's activity shows in it too.
 */
#include "lab.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

/* ---- the shared helpers ------------------------------------------------- */

double lab_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int lab_reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      fprintf(stderr, "conclab: waitpid %d: %s\n", (int)pid, strerror(errno));
      return -1;
    }
  return 0;
}

long lab_rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f == NULL)
    return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2)
    resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

/* The sum of the named fields ("Name:  123 kB") of a /proc file, in bytes,
 * or -1 if none was found. */
static long proc_kb_fields(const char *path, const char *const *names) {
  FILE *f = fopen(path, "r");
  char line[256];
  long sum = 0;
  int found = 0;

  if (f == NULL)
    return -1;
  while (fgets(line, sizeof line, f) != NULL)
    for (const char *const *n = names; *n != NULL; n++) {
      size_t len = strlen(*n);
      if (strncmp(line, *n, len) == 0 && line[len] == ':') {
        sum += atol(line + len + 1);
        found = 1;
      }
    }
  fclose(f);
  return found ? sum * 1024 : -1;
}

long lab_kernel_bytes(void) {
  static const char *const names[] = {"KernelStack", "PageTables", NULL};
  return proc_kb_fields("/proc/meminfo", names);
}

long lab_pss_bytes(pid_t pid) {
  static const char *const names[] = {"Pss", NULL};
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
  return proc_kb_fields(path, names);
}

const char *lab_errno_name(int err) {
  switch (err) {
  case 0: return "none";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case EPERM: return "EPERM";
  case EINVAL: return "EINVAL";
  case ECHILD: return "ECHILD";
  case EIO: return "EIO";
  default: return "another error";
  }
}

/* Before and after: the growth per unit. */
typedef struct mem_mark {
  long user, kernel;
} mem_mark;

static mem_mark mark_self(void) {
  return (mem_mark){lab_rss_bytes(), lab_kernel_bytes()};
}

static void per_unit(lab_measure *m, mem_mark before, mem_mark after,
                     long n) {
  m->user_bytes = (double)(after.user - before.user) / (double)n;
  m->kernel_bytes = (double)(after.kernel - before.kernel) / (double)n;
  m->value = m->user_bytes + m->kernel_bytes;
}

/* ---- pending timers ----------------------------------------------------- */

static void timer_never(uv_timer_t *t) { (void)t; }

int lab_unit_mem_timer(long n, long big_mb, lab_measure *m) {
  uv_loop_t loop;
  uv_timer_t *timers = malloc((size_t)n * sizeof *timers);
  mem_mark before, after;
  int rc;

  (void)big_mb;
  if (timers == NULL) {
    fprintf(stderr, "conclab: mem_timer: out of memory for %ld timers\n", n);
    return -1;
  }
  if ((rc = uv_loop_init(&loop)) != 0) {
    free(timers);
    fprintf(stderr, "conclab: uv_loop_init: %s\n", uv_strerror(rc));
    return -1;
  }
  before = mark_self();
  /* Unchecked on purpose: uv_timer_init always returns 0, and
   * uv_timer_start refuses only a NULL callback or a closing handle. */
  for (long i = 0; i < n; i++) {
    uv_timer_init(&loop, &timers[i]);
    uv_timer_start(&timers[i], timer_never, 60000, 0);
  }
  after = mark_self();
  per_unit(m, before, after, n);
  for (long i = 0; i < n; i++)
    uv_close((uv_handle_t *)&timers[i], NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  rc = uv_loop_close(&loop);
  free(timers);
  if (rc != 0)
    fprintf(stderr, "conclab: uv_loop_close: %s\n", uv_strerror(rc));
  return rc == 0 ? 0 : -1;
}

/* ---- sleeping threads --------------------------------------------------- */

static void *sleeper(void *arg) {
  lab_sleepers *s = arg;
  pthread_mutex_lock(&s->lock);
  s->ready++;
  pthread_cond_signal(&s->ready_cv);
  while (!s->released)
    pthread_cond_wait(&s->release_cv, &s->lock);
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

long lab_threads_hold(lab_sleepers *s, pthread_t *t, long n, size_t stack,
                      int *err) {
  pthread_attr_t attr;
  long got = 0;

  *err = 0;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->ready_cv, NULL);
  pthread_cond_init(&s->release_cv, NULL);
  s->ready = 0;
  s->released = 0;
  pthread_attr_init(&attr);
  if (stack > 0)
    *err = pthread_attr_setstacksize(&attr, stack);
  while (*err == 0 && got < n) {
    *err = pthread_create(&t[got], &attr, sleeper, s);
    if (*err == 0)
      got++;
  }
  pthread_attr_destroy(&attr);
  pthread_mutex_lock(&s->lock);
  while (s->ready < got)
    pthread_cond_wait(&s->ready_cv, &s->lock);
  pthread_mutex_unlock(&s->lock);
  return got;
}

void lab_threads_release(lab_sleepers *s, pthread_t *t, long got) {
  pthread_mutex_lock(&s->lock);
  s->released = 1;
  pthread_cond_broadcast(&s->release_cv);
  pthread_mutex_unlock(&s->lock);
  for (long i = 0; i < got; i++)
    pthread_join(t[i], NULL);
  pthread_cond_destroy(&s->ready_cv);
  pthread_cond_destroy(&s->release_cv);
  pthread_mutex_destroy(&s->lock);
}

static int mem_threads(long n, size_t stack, lab_measure *m) {
  pthread_t *t = malloc((size_t)n * sizeof *t);
  lab_sleepers s;
  mem_mark before, after;
  long got;
  int err;

  if (t == NULL) {
    fprintf(stderr, "conclab: mem_thread: out of memory\n");
    return -1;
  }
  before = mark_self();
  got = lab_threads_hold(&s, t, n, stack, &err);
  after = mark_self();
  lab_threads_release(&s, t, got);
  free(t);
  if (got < n) {
    fprintf(stderr, "conclab: pthread_create, thread %ld of %ld: %s\n",
            got + 1, n, strerror(err));
    return -1;
  }
  per_unit(m, before, after, n);
  return 0;
}

int lab_unit_mem_thread(long n, long big_mb, lab_measure *m) {
  (void)big_mb;
  return mem_threads(n, 0, m);
}

int lab_unit_mem_thread_small(long n, long big_mb, lab_measure *m) {
  (void)big_mb;
  return mem_threads(n, 64 * 1024, m);
}

/* ---- sleeping processes ------------------------------------------------- */

long lab_procs_hold(pid_t *pids, long n, int hold[2], int *err) {
  int ready[2];
  long got = 0;
  char c;

  *err = 0;
  if (pipe(ready) != 0) {
    *err = errno;
    return 0;
  }
  while (got < n) {
    pid_t pid = fork();
    if (pid == 0) {
      close(ready[0]);
      close(hold[1]);
      /* Say ready, then close: a child that dies before it says so ends
       * the parent's wait with end of file instead of hanging it. */
      int said = write(ready[1], "r", 1) == 1;
      close(ready[1]);
      while (said && read(hold[0], &c, 1) < 0 && errno == EINTR)
        ; /* until end of file: the parent closed its end */
      _exit(0);
    }
    if (pid < 0) {
      *err = errno;
      break;
    }
    pids[got++] = pid;
  }
  close(ready[1]);
  for (long i = 0; i < got;) { /* one byte per child that is ready */
    ssize_t r = read(ready[0], &c, 1);
    if (r == 1)
      i++;
    else if (r == 0 || errno != EINTR)
      break;
  }
  close(ready[0]);
  return got;
}

void lab_procs_release(pid_t *pids, long got, int hold[2]) {
  close(hold[1]);
  close(hold[0]);
  for (long i = 0; i < got; i++)
    lab_reap(pids[i]);
}

long lab_procs_pss(const pid_t *pids, long got) {
  long sum = lab_pss_bytes(getpid());
  for (long i = 0; i < got && sum >= 0; i++) {
    long p = lab_pss_bytes(pids[i]);
    sum = p < 0 ? -1 : sum + p; /* one missing reading spoils the sum */
  }
  return sum;
}

int lab_unit_mem_process(long n, long big_mb, lab_measure *m) {
  pid_t *pids = malloc((size_t)n * sizeof *pids);
  mem_mark before, after;
  int hold[2], err;
  long got;

  (void)big_mb;
  if (pids == NULL || pipe(hold) != 0) {
    fprintf(stderr, "conclab: mem_process: %s\n",
            strerror(pids == NULL ? ENOMEM : errno));
    free(pids);
    return -1;
  }
  before.user = lab_pss_bytes(getpid());
  before.kernel = lab_kernel_bytes();
  got = lab_procs_hold(pids, n, hold, &err);
  after.user = lab_procs_pss(pids, got);
  after.kernel = lab_kernel_bytes();
  lab_procs_release(pids, got, hold);
  free(pids);
  if (got < n) {
    fprintf(stderr, "conclab: fork, process %ld of %ld: %s\n", got + 1, n,
            strerror(err));
    return -1;
  }
  if (before.user < 0 || after.user < 0) {
    fprintf(stderr, "conclab: mem_process: no /proc/PID/smaps_rollup\n");
    return -1;
  }
  per_unit(m, before, after, n);
  return 0;
}
