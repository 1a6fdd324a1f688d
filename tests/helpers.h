/*
 * helpers.h - small things several tests need.
 */
#ifndef CONCLAB_TEST_HELPERS_H
#define CONCLAB_TEST_HELPERS_H

#include <dirent.h>
#include <math.h>
#include <time.h>

/* Compare doubles as doubles (cmocka's assert_float_equal goes through
 * float), and say what was wrong when they differ.  Include after cmocka.h. */
#define assert_near(got, want)                                              \
  do {                                                                      \
    double got_ = (got), want_ = (want);                                    \
    if (fabs(got_ - want_) > 1e-9) {                                        \
      print_error("%s = %.17g, expected %.17g\n", #got, got_, want_);       \
      fail();                                                               \
    }                                                                       \
  } while (0)

/* Open file descriptors of this process, counted in /proc/self/fd. */
static inline int open_fd_count(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (d == NULL)
    return -1;
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

/* Entries of a directory other than . and .. (and hidden ones), or -1 if
 * it cannot be opened. */
static inline int dir_entries(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  if (d == NULL)
    return -1;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n;
}

static inline double monotonic_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
