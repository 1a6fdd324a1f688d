/*
 * async/pool.c - libuv's threadpool: how big it will be, and whether its
 * threads can be had at all.
 *
 * Lesson: "async" file I/O and offloaded work stand on ordinary threads.
 * libuv makes all of its pool's threads the first time work is queued,
 * and if it cannot make one (too few processes allowed by ulimit -u, too
 * little address space for the stacks under ulimit -v) it calls abort():
 * the run dies with no word and leaves its directory behind.  So before
 * the clock starts, the run makes that many threads itself, with the
 * stacks libuv gives them, all alive at once, and lets them go again; if
 * that fails, it can still say why and clean up.
 */
#include "async.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* libuv's rule: UV_THREADPOOL_SIZE read with atoi into an unsigned, 0
 * becomes 1 and anything above the maximum (a negative one too) the
 * maximum; 4 when it is not set. */
int as_threadpool_size(int set) {
  const char *env = getenv("UV_THREADPOOL_SIZE");
  unsigned size;

  if (set > 0)
    return set < AS_THREADPOOL_MAX ? set : AS_THREADPOOL_MAX;
  size = env != NULL ? (unsigned)atoi(env) : 4u;
  if (size == 0)
    size = 1;
  return size > AS_THREADPOOL_MAX ? AS_THREADPOOL_MAX : (int)size;
}

/* The stack each pool thread gets: 8 MiB from libuv 1.45 on; before, the
 * soft RLIMIT_STACK (whole pages, if at least the minimum), else glibc's
 * default. */
static size_t pool_stack_size(void) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE), min = 8192;
  struct rlimit lim;

  if (uv_version() >= 0x012d00) /* 1.45.0 */
    return (size_t)8 << 20;
  if (min < (size_t)PTHREAD_STACK_MIN)
    min = (size_t)PTHREAD_STACK_MIN;
  if (getrlimit(RLIMIT_STACK, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    rlim_t whole = lim.rlim_cur - lim.rlim_cur % (rlim_t)page;
    if (whole >= (rlim_t)min && whole <= (rlim_t)SIZE_MAX)
      return (size_t)whole;
  }
#if defined(__powerpc__)
  return (size_t)4 << 20;
#else
  return (size_t)2 << 20;
#endif
}

/* Each probe thread waits on the mutex the probe holds until all exist. */
static void *wait_for_release(void *arg) {
  pthread_mutex_t *hold = arg;
  pthread_mutex_lock(hold);
  pthread_mutex_unlock(hold);
  return NULL;
}

int as_threadpool_check(int set, char *why, size_t cap) {
  int size = as_threadpool_size(set), made = 0, err = 0;
  size_t stack = pool_stack_size();
  pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;
  pthread_t *threads = calloc((size_t)size, sizeof *threads);
  pthread_attr_t attr;

  if (threads == NULL) {
    snprintf(why, cap, "out of memory");
    return -1;
  }
  if ((err = pthread_attr_init(&attr)) != 0 ||
      (err = pthread_attr_setstacksize(&attr, stack)) != 0) {
    free(threads);
    snprintf(why, cap, "pthread_attr: %s", strerror(err));
    return -1;
  }
  pthread_mutex_lock(&hold);
  while (made < size && (err = pthread_create(&threads[made], &attr,
                                              wait_for_release, &hold)) == 0)
    made++;
  pthread_mutex_unlock(&hold);
  for (int i = 0; i < made; i++)
    pthread_join(threads[i], NULL);
  pthread_attr_destroy(&attr);
  free(threads);
  if (err == 0)
    return 0;
  snprintf(why, cap, "cannot start libuv's threadpool: thread %d of %d "
           "(%zu KiB of stack each): %s (ulimit -u, ulimit -v)", made + 1, size,
           stack >> 10, strerror(err));
  return -1;
}
