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
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 5000

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
  if (base_read_line(c.out_fd, url, cap, START_TIMEOUT_MS) != 0 ||
      strncmp(url, "http://", 7) != 0) {
    fprintf(stderr, "conclab: %s: the embedded server (%s serve) did not "
            "start; see its error above, or give --url\n", who, exe);
    kill(c.pid, SIGKILL);
    base_wait(&c, why, sizeof why);
    return -1;
  }
  close(c.out_fd);
  return 0;
}

int run_server_stop(const char *who, pid_t pid) {
  base_child c = {.pid = pid, .out_fd = -1, .err_fd = -1};
  char why[128];
  int killed, status = base_stop(&c, SIGTERM, STOP_TIMEOUT_MS, NULL, &killed,
                                 why, sizeof why);

  if (killed) { /* it did not stop cleanly */
    fprintf(stderr, "conclab: %s: the embedded server did not stop on "
            "SIGTERM within %d ms; killed\n", who, STOP_TIMEOUT_MS);
    return -1;
  }
  if (status < 0) {
    fprintf(stderr, "conclab: %s: waiting for the embedded server: %s\n",
            who, why);
    return -1;
  }
  if (status > 128) {
    fprintf(stderr, "conclab: %s: the embedded server was killed by "
            "signal %d during the run\n", who, status - 128);
    return -1;
  }
  if (status != 0) {
    fprintf(stderr, "conclab: %s: the embedded server exited with status "
            "%d\n", who, status);
    return -1;
  }
  return 0;
}
