/*
 * server.c - listen, accept, stop: the server around the connections.
 *
 * Lesson: a server on an event loop is a handful of handles - a listening
 * socket, two signal watchers, and two handles per connection - and
 * uv_run returns only when every one of them is closed.  So stopping is
 * closing: on SIGINT or SIGTERM close the listener, every connection and
 * the signal watchers; uv_run then comes back by itself, and
 * uv_loop_close confirms that nothing was left open.
 *
 * /cpu is the counter-lesson: its count runs in a callback, and while it
 * runs no other connection is served - unless --offload sends it to
 * libuv's threadpool (uv_queue_work, see conn.c), and the loop stays free.
 */
#include "conn.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* Connections the server is meant to hold at once. */
#define SV_CONN_TARGET 10000
/* Beside what is open once the loop listens (libuv's spare descriptor
 * for refusing a client included): a paused connection holds a second
 * one, a dup watched for the client's leaving, and an accept needs a
 * slot while the limit is near. */
#define SV_FD_SPARE 2

/* Descriptors open now: stdio and what we inherited, the loop's own
 * (epoll, its pipes and eventfd), the listener. */
static unsigned long long sv_open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  unsigned long long n = 0;
  if (d == NULL)
    return 16; /* no /proc: a guess of the same size */
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n > 3 ? n - 3 : 0; /* less ".", ".." and the directory's own */
}

/* Learn the open-file limit (already raised to the hard limit by
 * conclab's main) and what is open before any connection; unless quiet,
 * say so if the limit cannot hold SV_CONN_TARGET connections. */
static void sv_check_fd_limit(sv_server *s, int quiet) {
  struct rlimit rl;
  unsigned long long fit;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return;
  s->fd_limit = rl.rlim_cur;
  s->fd_base = sv_open_fds() + SV_FD_SPARE;
  fit = s->fd_limit > s->fd_base ? s->fd_limit - s->fd_base : 0;
  if (fit >= SV_CONN_TARGET || quiet)
    return;
  fprintf(stderr, "conclab: serve: the open-file limit is %llu, so about "
          "%llu connections fit at once (%d need a limit of %llu; see "
          "ulimit -Hn)\n", s->fd_limit, fit, SV_CONN_TARGET,
          SV_CONN_TARGET + s->fd_base);
}

/* Close every handle; uv_run returns once their close callbacks ran. */
static void sv_stop(sv_server *s, int status) {
  if (s->stopping)
    return;
  s->stopping = 1;
  s->status = status;
  uv_close((uv_handle_t *)&s->listener, NULL);
  uv_close((uv_handle_t *)&s->sigint, NULL);
  uv_close((uv_handle_t *)&s->sigterm, NULL);
  sv_conn_close_all(s);
}

static void sv_on_signal(uv_signal_t *h, int signum) {
  (void)signum;
  sv_stop(h->data, 0);
}

/* Out of descriptors, accept fails with EMFILE.  libuv deals with that
 * itself: it frees a spare descriptor it keeps for this, accepts the
 * waiting clients and closes them at once (they see a reset), so the
 * listener does not spin - and it does not call us.  So count the open
 * connections and say once when they reach the limit. */
static void sv_check_at_limit(sv_server *s) {
  if (s->fd_limit_shown || s->fd_limit == 0 ||
      s->open_conns + s->fd_base < s->fd_limit)
    return;
  fprintf(stderr, "conclab: serve: %lu connections open, at the open-file "
          "limit (%llu): new clients are refused until some close (the "
          "server goes on; this is said once)\n", s->open_conns,
          s->fd_limit);
  s->fd_limit_shown = 1;
}

/* Any other failed accept costs that one client, not the server. */
static void sv_on_connection(uv_stream_t *listener, int status) {
  sv_server *s = listener->data;
  int err = status < 0 ? status : sv_conn_accept(s);

  sv_check_at_limit(s);
  if (err == UV_ENOMEM) {
    fprintf(stderr, "conclab: serve: out of memory for a connection\n");
    sv_stop(s, 1);
  } else if (err != 0 && !s->accept_error_shown) {
    fprintf(stderr, "conclab: serve: accept: %s (the server goes on; "
            "further accept errors are not shown)\n", uv_strerror(err));
    s->accept_error_shown = 1;
  }
}

/* The shared listening socket (setup.c), watched by the loop. */
static int sv_listen(sv_server *s, const sv_options *o, int *port) {
  int fd = sv_listen_socket(o, port);
  int err;

  uv_tcp_init(&s->loop, &s->listener); /* cannot fail: no socket yet */
  s->listener.data = s;
  if (fd < 0)
    return -1;
  err = uv_tcp_open(&s->listener, fd);
  if (err != 0)
    close(fd); /* not the handle's to close */
  else /* from here uv_close closes fd */
    err = uv_listen((uv_stream_t *)&s->listener, SV_BACKLOG,
                    sv_on_connection);
  if (err != 0)
    fprintf(stderr, "conclab: serve: listen on %s:%d: %s\n", o->host,
            o->port, uv_strerror(err));
  return err != 0 ? -1 : 0;
}

static void sv_watch_signals(sv_server *s) {
  sv_unblock_stop_signals();
  uv_signal_init(&s->loop, &s->sigint);
  uv_signal_init(&s->loop, &s->sigterm);
  s->sigint.data = s->sigterm.data = s;
  uv_signal_start(&s->sigint, sv_on_signal, SIGINT);
  uv_signal_start(&s->sigterm, sv_on_signal, SIGTERM);
}

/* Run the loop until it is empty, then close it. */
static int sv_run_to_end(sv_server *s) {
  int err;
  uv_run(&s->loop, UV_RUN_DEFAULT);
  err = uv_loop_close(&s->loop);
  if (err != 0)
    fprintf(stderr, "conclab: serve: uv_loop_close: %s (a handle was left "
            "open)\n", uv_strerror(err));
  return err;
}

int sv_serve_async(const sv_options *o) {
  sv_server *s = calloc(1, sizeof *s); /* 128 KiB of buffers */
  int err, port, status;

  if (s == NULL) {
    fprintf(stderr, "conclab: serve: out of memory\n");
    return 1;
  }
  sv_pattern_fill(s->pattern, sizeof s->pattern);
  s->header_timeout_ms = o->header_timeout_ms;
  s->idle_timeout_ms = o->idle_timeout_ms;
  s->offload = o->offload;
  sv_ignore_sigpipe();
  err = uv_loop_init(&s->loop);
  if (err != 0) {
    fprintf(stderr, "conclab: serve: uv_loop_init: %s\n", uv_strerror(err));
    free(s);
    return 1;
  }
  if (sv_listen(s, o, &port) != 0) {
    uv_close((uv_handle_t *)&s->listener, NULL);
    sv_run_to_end(s);
    free(s);
    return 1;
  }
  sv_watch_signals(s);
  sv_check_fd_limit(s, o->quiet);
  sv_print_url(o, port);

  status = sv_run_to_end(s) == 0 ? s->status : 1;
  sv_say_stopped(o, s->connections, s->requests);
  free(s);
  return status;
}
