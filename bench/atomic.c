/*
 * atomic.c - write a file so that no reader ever sees half of it (see
 * atomic.h).
 */
#include "atomic.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int aw_write(const char *path, aw_writer write, const void *arg) {
  char tmp[4200];
  FILE *f;
  int bad, err = 0;

  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
      (int)sizeof tmp) {
    fprintf(stderr, "conclab: %s: path too long\n", path);
    return -1;
  }
  f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "conclab: %s: %s\n", tmp, strerror(errno));
    return -1;
  }
  write(f, arg);
  bad = ferror(f);
  err = bad ? EIO : 0;
  if (fclose(f) != 0 && !bad) { /* the last buffered bytes failed */
    bad = 1;
    err = errno;
  }
  if (!bad && rename(tmp, path) != 0) {
    bad = 1;
    err = errno;
  }
  if (bad) {
    fprintf(stderr, "conclab: writing %s: %s\n", path, strerror(err));
    unlink(tmp);
    return -1;
  }
  return 0;
}
