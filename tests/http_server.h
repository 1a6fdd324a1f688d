/*
 * http_server.h - the http client tests' server: one `conclab serve` for
 * the whole group, its URL, and the descriptors open once it is up.
 *
 * The count is taken after one small async batch: libuv keeps a pipe for
 * signal handling open for the life of the process once a loop has been
 * made, and that is not a leak.  Include after cmocka.h, run_conclab.h
 * and helpers.h.
 */
#ifndef CONCLAB_TEST_HTTP_SERVER_H
#define CONCLAB_TEST_HTTP_SERVER_H

#include <signal.h>

static char g_url[64];
static pid_t g_server;
static int g_fds_at_start;

/* Start the server, then run warm (a small async batch of the test's
 * own, against g_url): -1 unless every task of it succeeds. */
static inline int http_server_up(run_opts warm) {
  run_result r;
  signal(SIGPIPE, SIG_IGN);
  if (run_server_start("http", CONCLAB_BIN, g_url, sizeof g_url,
                       &g_server) != 0)
    return -1;
  warm.params.url = g_url;
  if (run_exec(&warm, &r) != 0 || r.ok != warm.params.tasks)
    return -1;
  g_fds_at_start = open_fd_count();
  return 0;
}

static inline int server_down(void **state) {
  (void)state;
  return run_server_stop("http", g_server);
}

/* Run o; the run itself must not fail (its tasks may). */
static inline run_result run(const run_opts *o) {
  run_result r;
  assert_int_equal(run_exec(o, &r), 0);
  return r;
}

#endif
