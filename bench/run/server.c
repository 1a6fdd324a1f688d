/*
 * embedded.c - http's and pipeline's own server: `conclab serve` as a child.
 *
 * Without --url, `conclab run http` starts `conclab serve --port 0` in a
 * child process before the clock starts, reads the URL it prints on its
 * first line, and stops it with SIGTERM after the batch.  A separate
 * process, so the server's work is not counted in the client's CPU time,
 * and so it runs on its own core when there is one.
 */
#define _GNU_SOURCE /* pipe2, prctl */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 5000

/* Read the first line the server prints (its URL) within the time limit. */
static int read_url(int fd, char *url, size_t cap) {
  size_t len = 0;

  while (len + 1 < cap) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n;
    int r = poll(&pfd, 1, START_TIMEOUT_MS);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1; /* timed out, or poll failed */
    n = read(fd, url + len, 1); /* byte by byte: stop right at the newline */
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1; /* the server exited before printing */
    if (url[len] == '\n') {
      url[len] = '\0';
      return strncmp(url, "http://", 7) == 0 ? 0 : -1;
    }
    len++;
  }
  return -1;
}

static void child_exec(const char *exe, int out_fd, pid_t parent) {
  /* If conclab dies, the server must not outlive it. */
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
    _exit(1); /* or it died before prctl */
  if (dup2(out_fd, STDOUT_FILENO) < 0)
    _exit(127);
  execl(exe, exe, "serve", "--port", "0", "--quiet", (char *)NULL);
  _exit(127);
}

int run_server_start(const char *who, const char *exe, char *url, size_t cap,
                    pid_t *pid) {
  int fds[2];
  pid_t parent = getpid();

  if (pipe2(fds, O_CLOEXEC) != 0) {
    fprintf(stderr, "conclab: %s: pipe for the server: %s\n", who,
            strerror(errno));
    return -1;
  }
  fflush(NULL);
  *pid = fork();
  if (*pid < 0) {
    fprintf(stderr, "conclab: %s: fork the server: %s\n", who,
            strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (*pid == 0)
    child_exec(exe, fds[1], parent);
  close(fds[1]);
  if (read_url(fds[0], url, cap) != 0) {
    fprintf(stderr, "conclab: %s: the embedded server (%s serve) did not "
            "start; see its error above, or give --url\n", who, exe);
    close(fds[0]);
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    return -1;
  }
  close(fds[0]);
  return 0;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int run_server_stop(const char *who, pid_t pid) {
  int status = 0;
  pid_t r = 0;

  kill(pid, SIGTERM);
  for (long waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
    r = waitpid(pid, &status, WNOHANG);
    if (r != 0 && !(r < 0 && errno == EINTR))
      break;
    sleep_ms(10);
  }
  if (r == 0) { /* still running: it did not stop cleanly */
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fprintf(stderr, "conclab: %s: the embedded server did not stop on "
            "SIGTERM within %d ms; killed\n", who, STOP_TIMEOUT_MS);
    return -1;
  }
  if (r < 0) {
    fprintf(stderr, "conclab: %s: waiting for the embedded server: %s\n",
            who, strerror(errno));
    return -1;
  }
  if (WIFSIGNALED(status)) {
    fprintf(stderr, "conclab: %s: the embedded server was killed by "
            "signal %d during the run\n", who, WTERMSIG(status));
    return -1;
  }
  if (WEXITSTATUS(status) != 0) {
    fprintf(stderr, "conclab: %s: the embedded server exited with status "
            "%d\n", who, WEXITSTATUS(status));
    return -1;
  }
  return 0;
}
