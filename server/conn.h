/*
 * conn.h - the server's state, and its connections (inside server/ only).
 */
#ifndef CONCLAB_SV_CONN_H
#define CONCLAB_SV_CONN_H

#include <uv.h>

#include "request.h"
#include "server.h"

/* Input read but not yet parsed, per connection: reading stops above it. */
#define SV_INPUT_MAX (64 * 1024)
/* The /bytes body is sent as copies of one pattern buffer.  Its length is
 * a multiple of 26, so every copy starts with 'a' and byte i of the body
 * is 'a' + i % 26 however many copies come before it. */
#define SV_PATTERN_LEN (26 * 2520) /* 65,520 bytes */
/* Pattern copies per uv_write (about 1 MiB): a 64 MiB body goes out in
 * pieces, one write in flight at a time, with no per-body allocation. */
#define SV_WRITE_BUFS 16
/* After the last reply: how long to read and drop what the client still
 * sends, so that closing does not reset the connection under the reply. */
#define SV_LINGER_MS 2000

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
