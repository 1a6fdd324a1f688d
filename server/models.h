/*
 * models.h - what the four server models share (inside server/ only):
 * the connection's sizes, the listening socket, the stop signals, the
 * line said at the end, and each model's entry point.
 */
#ifndef CONCLAB_SV_MODELS_H
#define CONCLAB_SV_MODELS_H

#include "server.h"

/* Input read but not yet parsed, per connection: reading stops above it. */
#define SV_INPUT_MAX (64 * 1024)
/* The /bytes body is sent as copies of one pattern buffer.  Its length is
 * a multiple of 26, so every copy starts with 'a' and byte i of the body
 * is 'a' + i % 26 however many copies come before it. */
#define SV_PATTERN_LEN (26 * 2520) /* 65,520 bytes */
/* Pattern copies per write (about 1 MiB): a 64 MiB body goes out in
 * pieces, with no per-body allocation. */
#define SV_WRITE_BUFS 16
/* After the last reply: how long to read and drop what the client still
 * sends, so that closing does not reset the connection under the reply. */
#define SV_LINGER_MS 2000
/* Connections the kernel may queue before accept; it caps this at
 * net.core.somaxconn (4096 on recent Linux). */
#define SV_BACKLOG 8192

/* A listening TCP socket on o->host:o->port (close-on-exec, non-blocking:
 * pre-forked workers race for each client, and the losers must not
 * block in accept).  Its descriptor, with the port bound in *port; or -1,
 * said on stderr ("conclab: serve: listen on ...: why"). */
int sv_listen_socket(const sv_options *o, int *port);

/* The first line of stdout is the base URL: a parent that started us with
 * --port 0 reads it to learn the port. */
void sv_print_url(const sv_options *o, int port);

/* Writing to a socket the client has closed raises SIGPIPE, whose default
 * action kills the process; ignored, the write fails with EPIPE and only
 * that connection ends. */
void sv_ignore_sigpipe(void);

/* A blocked signal is never delivered, and the signal mask is inherited
 * across fork and exec: unblock the two that stop us. */
void sv_unblock_stop_signals(void);

/* Unless quiet: "conclab serve: stopped after N connections, M requests". */
void sv_say_stopped(const sv_options *o, unsigned long connections,
                    unsigned long requests);

int sv_serve_async(const sv_options *o);
int sv_serve_seq(const sv_options *o);
int sv_serve_threaded(const sv_options *o);
int sv_serve_prefork(const sv_options *o);

#endif
