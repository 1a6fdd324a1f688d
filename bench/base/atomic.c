/*
 * atomic.c - write a file so that no reader ever sees half of it (see
 * atomic.h).
 *
 * The text goes through a stdio stream whose writes are our own
 * (fopencookie): stdio keeps only an error flag, and the errno of a failed
 * write is gone by the time fclose reports it; the sink keeps the first.
 */
#define _GNU_SOURCE /* fopencookie */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "guard.h"

/* Beside the file (so rename stays in one file system), and this
 * process's own. */
static int temp_name(const char *path, char *tmp, size_t cap) {
  int n = snprintf(tmp, cap, "%s.tmp.%ld", path, (long)getpid());
  return n >= 0 && (size_t)n < cap ? 0 : -1;
}

/* The stream's file: every write whole (short writes looped, EINTR
 * retried), and the first failure's errno kept. */
typedef struct sink {
  int fd;
  int err;
} sink;

static ssize_t sink_write(void *cookie, const char *buf, size_t len) {
  sink *s = cookie;
  size_t done = 0;

  while (done < len) {
    ssize_t n = write(s->fd, buf + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (s->err == 0)
        s->err = n < 0 ? errno : EIO;
      return (ssize_t)done; /* short: stdio sets the stream's error */
    }
    done += (size_t)n;
  }
  return (ssize_t)len;
}

static int sink_close(void *cookie) {
  sink *s = cookie;
  /* Linux closes the descriptor even when close says EINTR. */
  if (close(s->fd) != 0 && errno != EINTR && s->err == 0)
    s->err = errno;
  return s->err != 0 ? -1 : 0;
}

/* Write the text into tmp, which the guard removes if a signal comes. */
static int write_temp(const char *tmp, base_writer fill, const void *arg) {
  cookie_io_functions_t io = {.write = sink_write, .close = sink_close};
  sink s = {-1, 0};
  FILE *f;
  int e;

  s.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (s.fd < 0)
    return errno;
  f = fopencookie(&s, "w", io);
  if (f == NULL) {
    e = errno;
    close(s.fd);
    return e;
  }
  fill(f, arg);
  fflush(f);
  /* An error with no failed write: the text could not be formatted. */
  e = ferror(f) && s.err == 0 ? EIO : 0;
  fclose(f); /* s.err: a failed write or close */
  return s.err != 0 ? s.err : e;
}

int base_atomic_write_errno(const char *path, base_writer fill,
                            const void *arg) {
  char tmp[BASE_PATH_MAX];
  int e;

  if (temp_name(path, tmp, sizeof tmp) != 0)
    return ENAMETOOLONG;
  if (base_guard_arm() != 0)
    return errno;
  base_guard_file(tmp); /* before it exists: no instant unguarded */
  e = write_temp(tmp, fill, arg);
  if (e == 0 && rename(tmp, path) != 0)
    e = errno;
  if (e != 0)
    unlink(tmp);
  base_guard_disarm();
  return e;
}

int base_atomic_write(const char *path, base_writer fill, const void *arg) {
  int e = base_atomic_write_errno(path, fill, arg);
  if (e != 0)
    fprintf(stderr, "conclab: writing %s: %s\n", path, strerror(e));
  return e != 0 ? -1 : 0;
}

int base_atomic_check_errno(const char *path) {
  char tmp[BASE_PATH_MAX];
  struct stat st;
  int fd, e = 0;

  if (temp_name(path, tmp, sizeof tmp) != 0)
    return ENAMETOOLONG;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return EISDIR;
  if (base_guard_arm() != 0)
    return errno;
  base_guard_file(tmp);
  fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    e = errno;
  else {
    close(fd);
    unlink(tmp);
  }
  base_guard_disarm();
  return e;
}

char *base_write_string(base_writer fill, const void *arg) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);

  if (mem == NULL)
    return NULL;
  fill(mem, arg);
  if (fclose(mem) != 0) {
    free(text);
    return NULL;
  }
  return text;
}
