/*
 * process.c - starting another program (see process.h).
 *
 * Every child is started by posix_spawnp but one kind: a child that must
 * die with its parent.  PR_SET_PDEATHSIG can only be set by the child on
 * itself, between its birth and its exec, and posix_spawn runs nothing of
 * ours there; so that kind alone is forked (spawn_forked), and is given
 * exactly what spawn_posix gives the others.
 */
#define _GNU_SOURCE /* pipe2, prctl, sigabbrev_np, addchdir_np */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"

extern char **environ;

/* What the child gets as its stdout and stderr (to[1], to[2]; -1: ours).
 * Every descriptor here is close-on-exec, so no other child inherits it
 * and this one has it only as 1 or 2 (dup2 clears the flag on the copy). */
typedef struct plan {
  int to[3];
  int devnull, pipe_w; /* ours to close once the child has them */
} plan;

/* An unnamed temporary file (tmpfile's O_TMPFILE): nothing to remove. */
static int temp_fd(void) {
  FILE *f = tmpfile();
  int fd, e;
  if (f == NULL)
    return -1;
  fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0);
  e = errno;
  fclose(f);
  errno = e;
  return fd;
}

static int stream_to(base_stream s, int target, plan *p, base_child *c) {
  int fds[2];

  if (s == BASE_DEVNULL) {
    if (p->devnull < 0)
      p->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    return (p->to[target] = p->devnull) < 0 ? -1 : 0;
  }
  if (s != BASE_CAPTURE)
    return 0;
  if (target == STDERR_FILENO)
    return (p->to[target] = c->err_fd = temp_fd()) < 0 ? -1 : 0;
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  c->out_fd = fds[0];
  p->to[target] = p->pipe_w = fds[1];
  return 0;
}

static int spawn_posix(const char *file, char *const argv[],
                       const base_spawn_opts *o, const plan *p,
                       const sigset_t *mask, pid_t *pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  int rc;

  if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
    return rc;
  if ((rc = posix_spawnattr_init(&at)) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    return rc;
  }
  for (int t = STDOUT_FILENO; t <= STDERR_FILENO && rc == 0; t++)
    if (p->to[t] >= 0)
      rc = posix_spawn_file_actions_adddup2(&fa, p->to[t], t);
  if (rc == 0 && o->dir != NULL)
    rc = posix_spawn_file_actions_addchdir_np(&fa, o->dir);
  /* The mask from before base_guard_hold; a group of its own (pgroup 0:
   * its own pid) for the guard to signal. */
  if (rc == 0)
    rc = posix_spawnattr_setflags(
        &at, POSIX_SPAWN_SETSIGMASK | (o->guarded ? POSIX_SPAWN_SETPGROUP : 0));
  if (rc == 0)
    rc = posix_spawnattr_setsigmask(&at, mask);
  if (rc == 0)
    rc = posix_spawnp(pid, file, &fa, &at, argv, environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return rc;
}

/* In the forked child: what spawn_posix's attributes do, and the death
 * signal.  SIGTERM, so that a run still removes its own directory (and not
 * ignored, if we ignored it).  If the parent died before prctl, the child
 * has a new one already.  The kernel sends it when the forking thread
 * ends: the harness spawns from its main thread. */
static void child_exec(const char *file, char *const argv[],
                       const base_spawn_opts *o, const plan *p,
                       const sigset_t *mask, pid_t parent) {
  if (signal(SIGTERM, SIG_DFL) == SIG_ERR ||
      prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
    _exit(127);
  if (o->guarded && setpgid(0, 0) != 0)
    _exit(127);
  for (int t = STDOUT_FILENO; t <= STDERR_FILENO; t++)
    if (p->to[t] >= 0 && (p->to[t] == t ? fcntl(t, F_SETFD, 0)
                                        : dup2(p->to[t], t)) < 0)
      _exit(127);
  if ((o->dir != NULL && chdir(o->dir) != 0) ||
      sigprocmask(SIG_SETMASK, mask, NULL) != 0)
    _exit(127);
  execvp(file, argv);
  fprintf(stderr, "conclab: exec %s: %s\n", file, strerror(errno));
  _exit(127);
}

static int spawn_forked(const char *file, char *const argv[],
                        const base_spawn_opts *o, const plan *p,
                        const sigset_t *mask, pid_t *pid) {
  pid_t parent = getpid();

  *pid = fork();
  if (*pid < 0)
    return errno;
  if (*pid == 0)
    child_exec(file, argv, o, p, mask, parent);
  if (o->guarded) /* here too: the guard may signal the group at once */
    setpgid(*pid, *pid);
  return 0;
}

int base_spawn(const char *file, char *const argv[],
               const base_spawn_opts *o, base_child *c, char *why,
               size_t whylen) {
  plan p = {{-1, -1, -1}, -1, -1};
  sigset_t old;
  int rc;

  *c = (base_child){.pid = -1, .out_fd = -1, .err_fd = -1,
                    .guarded = o->guarded};
  why[0] = '\0';
  if (stream_to(o->out, STDOUT_FILENO, &p, c) != 0 ||
      stream_to(o->err, STDERR_FILENO, &p, c) != 0) {
    rc = errno;
    snprintf(why, whylen, "cannot start %s: %s", file, strerror(rc));
  } else {
    fflush(NULL); /* ours first (and, if forked, not twice) */
    base_guard_hold(&old);
    rc = o->die_with_parent ? spawn_forked(file, argv, o, &p, &old, &c->pid)
                            : spawn_posix(file, argv, o, &p, &old, &c->pid);
    if (rc == 0 && o->guarded)
      base_guard_child(c->pid);
    base_guard_release(&old);
    if (rc != 0 && o->die_with_parent)
      snprintf(why, whylen, "fork: %s", strerror(rc));
    else if (rc != 0)
      snprintf(why, whylen, "cannot run %s: %s", file, strerror(rc));
  }
  if (p.devnull >= 0)
    close(p.devnull);
  if (p.pipe_w >= 0)
    close(p.pipe_w);
  if (rc == 0)
    return 0;
  if (c->out_fd >= 0)
    close(c->out_fd);
  if (c->err_fd >= 0)
    close(c->err_fd);
  c->out_fd = c->err_fd = -1;
  errno = rc;
  return -1;
}

/* The first line of the file fd, for a failure's message. */
static void first_line(int fd, char *out, size_t cap) {
  ssize_t n;
  do
    n = pread(fd, out, cap - 1, 0);
  while (n < 0 && errno == EINTR);
  out[n > 0 ? n : 0] = '\0';
  out[strcspn(out, "\n")] = '\0';
}

/* The child was reaped (rc, status) or waiting failed (rc < 0, errno e):
 * close what base_spawn opened and say what became of it (base_wait). */
static int reaped(base_child *c, pid_t rc, int status, int e, char *errline,
                  size_t errlen) {
  if (c->guarded)
    base_guard_child(0); /* reaped: its number may be given to another */
  if (c->out_fd >= 0)
    close(c->out_fd);
  if (rc >= 0 && c->err_fd >= 0)
    first_line(c->err_fd, errline, errlen);
  if (c->err_fd >= 0)
    close(c->err_fd);
  c->out_fd = c->err_fd = -1;
  if (rc < 0) {
    snprintf(errline, errlen, "waitpid: %s", strerror(e));
    return -1;
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (errline[0] == '\0') /* died saying nothing: say how it died */
    snprintf(errline, errlen, "killed by SIG%s",
             sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status))
                                            : "?");
  return 128 + WTERMSIG(status);
}

int base_wait(base_child *c, char *errline, size_t errlen) {
  int status = 0;
  pid_t rc;

  errline[0] = '\0';
  while ((rc = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
    ;
  return reaped(c, rc, status, errno, errline, errlen);
}

int base_stop(base_child *c, int sig, int timeout_ms, struct rusage *ru,
              int *killed, char *errline, size_t errlen) {
  const struct timespec tick = {.tv_sec = 0, .tv_nsec = 5000000L}; /* 5 ms */
  int status = 0;
  pid_t rc = 0;

  errline[0] = '\0';
  if (killed != NULL)
    *killed = 0;
  kill(c->pid, sig);
  for (int waited = 0; waited < timeout_ms; waited += 5) {
    rc = wait4(c->pid, &status, WNOHANG, ru);
    if (rc < 0 && errno == EINTR)
      rc = 0;
    if (rc != 0)
      break;
    nanosleep(&tick, NULL);
  }
  if (rc == 0) { /* still running: it did not stop on sig */
    kill(c->pid, SIGKILL);
    if (killed != NULL)
      *killed = 1;
    while ((rc = wait4(c->pid, &status, 0, ru)) < 0 && errno == EINTR)
      ;
  }
  return reaped(c, rc, status, errno, errline, errlen);
}

int base_read_line(int fd, char *line, size_t cap, int timeout_ms) {
  size_t len = 0;

  while (len + 1 < cap) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);
    ssize_t n;

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1; /* timed out, or poll failed */
    n = read(fd, line + len, 1); /* byte by byte: stop right at the newline */
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1; /* it exited, or closed its stdout, first */
    if (line[len] == '\n') {
      line[len] = '\0';
      return 0;
    }
    len++;
  }
  return -1;
}

/* Read fd to its end; keep what fits in out (none if cap is 0). */
static void read_all(int fd, char *out, size_t cap) {
  char drain[512];
  size_t got = 0;

  for (;;) {
    int room = got + 1 < cap;
    ssize_t n = read(fd, room ? out + got : drain,
                     room ? cap - 1 - got : sizeof drain);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (room)
      got += (size_t)n;
  }
  if (cap > 0)
    out[got] = '\0';
}

int base_run(const char *file, char *const argv[], const base_spawn_opts *o,
             char *out, size_t cap, char *errline, size_t errlen) {
  base_child c;

  if (cap > 0)
    out[0] = '\0';
  if (base_spawn(file, argv, o, &c, errline, errlen) != 0)
    return -1;
  if (c.out_fd >= 0)
    read_all(c.out_fd, out, cap);
  return base_wait(&c, errline, errlen);
}

int base_spawn_run(const char *path, char *const argv[], char *out,
                   size_t cap, char *errline, size_t errlen) {
  const base_spawn_opts o = {.out = BASE_CAPTURE, .err = BASE_CAPTURE,
                             .die_with_parent = 1};
  return base_run(path, argv, &o, out, cap, errline, errlen);
}

int base_find_program(const char *name, char *out, size_t cap) {
  const char *path = getenv("PATH");

  while (path != NULL && *path != '\0') {
    size_t n = strcspn(path, ":");
    int len = snprintf(out, cap, "%.*s/%s", (int)n, n > 0 ? path : ".",
                       name);
    struct stat st;
    if (len > 0 && (size_t)len < cap && stat(out, &st) == 0 &&
        S_ISREG(st.st_mode) && access(out, X_OK) == 0)
      return 0;
    path += n + (path[n] == ':');
  }
  if (cap > 0)
    out[0] = '\0';
  return -1;
}

void base_spawn_why(char *why, size_t cap, int status, const char *line) {
  int n = status > 0 ? snprintf(why, cap, "exit %d: %s", status, line)
                     : snprintf(why, cap, "%s", line);
  if (n < 0 && cap > 0) /* an encoding error: say nothing rather than junk */
    why[0] = '\0';
}
