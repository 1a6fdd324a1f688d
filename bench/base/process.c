/*
 * subproc.c - run one measured child, read its stdout (see subproc.h).
 */
#define _GNU_SOURCE /* pipe2, prctl, sigabbrev_np */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Read fd to its end into out; keep the tail if it overflows. */
static void read_all(int fd, char *out, size_t cap) {
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fd, out + got, cap - 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
    if (got == cap - 1) /* more than a JSON line: drain, ignore */
      got = 0;
  }
  out[got] = '\0';
}

static void first_line(FILE *f, char *line, size_t len) {
  line[0] = '\0';
  rewind(f);
  if (fgets(line, (int)len, f) != NULL)
    line[strcspn(line, "\n")] = '\0';
}

int base_spawn_run(const char *path, char *const argv[], char *out, size_t cap,
           char *errline, size_t errlen) {
  int pipefd[2], status = 0;
  FILE *errf = tmpfile();
  pid_t pid, parent = getpid();

  out[0] = '\0';
  errline[0] = '\0';
  /* Close-on-exec, so the child (and its workers) do not inherit it; the
   * dup2 onto the child's stderr below clears the flag there. */
  if (errf == NULL || fcntl(fileno(errf), F_SETFD, FD_CLOEXEC) != 0 ||
      pipe2(pipefd, O_CLOEXEC) != 0) {
    snprintf(errline, errlen, "cannot start a run: %s", strerror(errno));
    if (errf)
      fclose(errf);
    return -1;
  }
  fflush(NULL);
  pid = fork();
  if (pid == 0) {
    /* A measured run must not outlive the suite or the lab that a signal
     * ended: SIGTERM, so that it still removes its own directory (and
     * not ignored, if our parent ignored it).  If the parent died before
     * prctl, the child has a new one already.  The kernel sends it when
     * the forking thread ends: base_spawn_run is called from the main thread. */
    if (signal(SIGTERM, SIG_DFL) == SIG_ERR ||
        prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
      _exit(127);
    if (dup2(pipefd[1], STDOUT_FILENO) < 0 ||
        dup2(fileno(errf), STDERR_FILENO) < 0)
      _exit(127);
    execv(path, argv);
    fprintf(stderr, "conclab: exec %s: %s\n", path, strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  if (pid < 0) {
    snprintf(errline, errlen, "fork: %s", strerror(errno));
    close(pipefd[0]);
    fclose(errf);
    return -1;
  }
  read_all(pipefd[0], out, cap);
  close(pipefd[0]);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      snprintf(errline, errlen, "waitpid: %s", strerror(errno));
      fclose(errf);
      return -1;
    }
  first_line(errf, errline, errlen);
  fclose(errf);
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (errline[0] == '\0') /* died saying nothing: say how it died */
    snprintf(errline, errlen, "killed by SIG%s",
             sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status))
                                            : "?");
  return 128 + WTERMSIG(status);
}
