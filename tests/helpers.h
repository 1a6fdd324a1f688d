/*
 * helpers.h - small things several tests need.
 */
#ifndef CONCLAB_TEST_HELPERS_H
#define CONCLAB_TEST_HELPERS_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* Walk the tree under path (not following links): remove it all if
 * remove is set.  Returns how many files in it have ".tmp." in their name
 * (a writer's temporary left behind), or -1 if path cannot be read. */
static inline int walk_tree(const char *path, int remove) {
  struct stat st;
  DIR *d;
  struct dirent *e;
  int temps = 0;

  if (lstat(path, &st) != 0)
    return -1;
  if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
    while ((e = readdir(d)) != NULL) {
      char child[4096];
      int n;
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >=
          (int)sizeof child)
        continue; /* deeper than any test makes */
      n = walk_tree(child, remove);
      temps += n > 0 ? n : 0;
    }
    closedir(d);
    if (remove)
      rmdir(path);
    return temps;
  }
  temps = strstr(path, ".tmp.") != NULL;
  if (remove)
    unlink(path);
  return temps;
}

static inline double monotonic_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
