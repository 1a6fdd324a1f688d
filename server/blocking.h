/*
 * blocking.h - what the blocking server models share (inside server/
 * only): the stop pipe, accepting, and serving one connection with plain
 * blocking calls from start to end.  seq runs it in its one thread,
 * threaded in each pool thread, multiproc in each pre-forked process.
 */
#ifndef CONCLAB_SV_BLOCKING_H
#define CONCLAB_SV_BLOCKING_H

#include <stdatomic.h>

#include "models.h"

/* Counted by every thread and process: in memory shared across fork. */
typedef struct sv_counts {
  atomic_ulong connections;
  atomic_ulong requests;
} sv_counts;

typedef struct sv_blocking {
  const sv_options *o;
  int listen_fd;  /* non-blocking: see sv_listen_socket */
  int stop_fd;    /* the stop pipe's read end: readable once stopping */
  int stop_write; /* its write end, for the signal handler */
  sv_counts *counts;
  int accept_error_shown;
} sv_blocking;

/* Listen, make the stop pipe, install the handler that writes it on
 * SIGINT and SIGTERM, print the URL.  0, or -1 (said on stderr). */
int sv_blocking_open(sv_blocking *b, const sv_options *o);

/* Say what was served, close everything open; returns status. */
int sv_blocking_close(sv_blocking *b, int status);

/* Stopping: a stop signal has come (to this process or its parent). */
int sv_blocking_stopped(const sv_blocking *b);

/* Wait for a client and accept it: its descriptor (blocking), or -1 once
 * the server is stopping. */
int sv_blocking_accept(sv_blocking *b);

/* Serve one connection until it ends (the client's EOF or reset, a
 * timeout, a reply with `Connection: close`, or the stop) and close fd. */
void sv_blocking_serve(sv_blocking *b, int fd);

#endif
