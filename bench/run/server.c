/*
 * server.c - http's and pipeline's own server: `conclab serve` as a child.
 *
 * Without --url, `conclab run http` starts `conclab serve --port 0` in a
 * child process before the clock starts, reads the URL it prints on its
 * first line, and stops it with SIGTERM after the batch.  A separate
 * process, so the server's work is not counted in the client's CPU time,
 * and so it runs on its own core when there is one.
 */
#include "run.h"
#include "process.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
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

int run_server_start(const char *who, const char *exe, char *url, size_t cap,
                     pid_t *pid) {
  char *argv[] = {(char *)exe, "serve", "--port", "0", "--quiet", NULL};
  /* If conclab dies, the server must not outlive it. */
  const base_spawn_opts o = {.out = BASE_CAPTURE, .die_with_parent = 1};
  base_child c;
  char why[256];

  if (base_spawn(exe, argv, &o, &c, why, sizeof why) != 0) {
    fprintf(stderr, "conclab: %s: %s the server: %s\n", who,
            strncmp(why, "fork:", 5) == 0 ? "fork" : "pipe for",
            strerror(errno));
    return -1;
  }
  *pid = c.pid;
  if (read_url(c.out_fd, url, cap) != 0) {
    fprintf(stderr, "conclab: %s: the embedded server (%s serve) did not "
            "start; see its error above, or give --url\n", who, exe);
    kill(c.pid, SIGKILL);
    base_wait(&c, why, sizeof why);
    return -1;
  }
  close(c.out_fd);
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
