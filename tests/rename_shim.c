/*
 * rename_shim.c - preloaded into conclab by the tests (LD_PRELOAD) to see
 * every rename it makes, without a hook in conclab itself.
 *
 *   CONCLAB_RENAME_LOG=FILE   append "PID TARGET" for each rename done
 *   CONCLAB_RENAME_KILL=TEXT  SIGKILL the process right after the first
 *                             rename whose target contains TEXT: a command
 *                             stopped at that point, as a signal would
 *   CONCLAB_RENAME_STOP=TEXT  SIGSTOP the process just before each rename
 *                             whose target contains TEXT: its temporary is
 *                             written and not yet renamed, and stays so
 *                             until the test sends SIGCONT
 *
 * so a test can count how many times README.md was replaced, and look at
 * what a command killed between two of its writes, or in the middle of
 * one, leaves behind.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void after_rename(const char *to) {
  const char *log = getenv("CONCLAB_RENAME_LOG");
  const char *kill_at = getenv("CONCLAB_RENAME_KILL");

  if (log != NULL) {
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0666);
    if (fd >= 0) {
      dprintf(fd, "%ld %s\n", (long)getpid(), to);
      close(fd);
    }
  }
  if (kill_at != NULL && strstr(to, kill_at) != NULL)
    raise(SIGKILL);
}

static void before_rename(const char *to) {
  const char *stop_at = getenv("CONCLAB_RENAME_STOP");

  if (stop_at != NULL && strstr(to, stop_at) != NULL)
    raise(SIGSTOP);
}

/* The next definition of name (libc's); a data pointer read as the
 * function pointer it is (ISO C has no cast between the two). */
static void *next(const char *name) { return dlsym(RTLD_NEXT, name); }

int rename(const char *from, const char *to) {
  int (*real)(const char *, const char *);
  void *p = next("rename");
  int rc;
  memcpy(&real, &p, sizeof real);
  before_rename(to);
  rc = real(from, to);
  if (rc == 0)
    after_rename(to);
  return rc;
}

int renameat(int fromfd, const char *from, int tofd, const char *to) {
  int (*real)(int, const char *, int, const char *);
  void *p = next("renameat");
  int rc;
  memcpy(&real, &p, sizeof real);
  before_rename(to);
  rc = real(fromfd, from, tofd, to);
  if (rc == 0)
    after_rename(to);
  return rc;
}

int renameat2(int fromfd, const char *from, int tofd, const char *to,
              unsigned int flags) {
  int (*real)(int, const char *, int, const char *, unsigned int);
  void *p = next("renameat2");
  int rc;
  memcpy(&real, &p, sizeof real);
  before_rename(to);
  rc = real(fromfd, from, tofd, to, flags);
  if (rc == 0)
    after_rename(to);
  return rc;
}
