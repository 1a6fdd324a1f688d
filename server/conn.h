/*
 * conn.h - the server's state, and its connections (inside server/ only).
 */
#ifndef CONCLAB_SV_CONN_H
#define CONCLAB_SV_CONN_H

#include <uv.h>

#include "models.h"
#include "request.h"

typedef struct sv_conn sv_conn;

typedef struct sv_server {
  uv_loop_t loop;
  uv_tcp_t listener;
  uv_signal_t sigint, sigterm;
  sv_conn *conns;              /* every open connection: closed on stop */
  unsigned long connections;   /* accepted so far */
  unsigned long open_conns;    /* open now */
  unsigned long requests;      /* routed so far */
  unsigned long long fd_limit; /* RLIMIT_NOFILE; 0: none */
  unsigned long long fd_base;  /* open before any connection, and a spare */
  int accept_error_shown;      /* accept errors are reported once */
  int fd_limit_shown;          /* and so is reaching fd_limit */
  int stopping;
  int status;                  /* the exit status sv_serve returns */
  unsigned header_timeout_ms;  /* see server.h */
  unsigned idle_timeout_ms;
  int offload;                 /* /cpu on libuv's threadpool */
  /* Every read lands here first: a read callback parses it at once, and
   * only bytes that must wait are copied to the connection.  An idle
   * connection holds no input buffer at all. */
  char read_buf[SV_INPUT_MAX];
  char pattern[SV_PATTERN_LEN];
} sv_server;

/* Accept one connection from the listener and start reading it.  0, or a
 * libuv error (UV_ENOMEM: none could be allocated). */
int sv_conn_accept(sv_server *s);

/* Close one connection, or all of them; each is freed once both of its
 * handles are closed, on a later turn of the loop. */
void sv_conn_close(sv_conn *c);
void sv_conn_close_all(sv_server *s);

#endif
