/*
 * server.h - `conclab serve`: a local HTTP/1.1 test server, four ways.
 *
 * The server side of the lesson the models teach from the client side
 * (CS:APP ch. 12's iterative, process-based, I/O-multiplexed and
 * prethreaded servers): seq serves one connection at a time; async keeps
 * thousands on one libuv loop; threaded hands accepted connections to a
 * pool of threads; multiproc runs pre-forked processes that accept on one
 * shared listening socket.  The same endpoints and byte-for-byte the same
 * answers from each: /delay/<ms>, /bytes/<n>, /status/<code>, /cpu/<n>,
 * /drop, /stall and / (see request.h for the limits).
 */
#ifndef CONCLAB_SV_SERVER_H
#define CONCLAB_SV_SERVER_H

#define SV_DEFAULT_HOST "127.0.0.1"
#define SV_DEFAULT_PORT 8080
/* A request must arrive whole (head and body) within the head timeout of
 * its first byte, or it gets 408 and the connection closes: a client that
 * sends half a request cannot hold a connection.  A keep-alive connection
 * with no request under way is closed after the idle timeout.  Neither
 * runs while a request is being answered: waiting on /delay or /stall is
 * waiting on the server, not idle.  The idle default outlasts any pause a
 * conclab client makes between two requests on one connection. */
#define SV_DEFAULT_HEADER_TIMEOUT_MS 5000
#define SV_DEFAULT_IDLE_TIMEOUT_MS 60000
#define SV_TIMEOUT_MAX_MS 3600000 /* both flags: 1..one hour */

typedef enum sv_model {
  SV_MODEL_SEQ,
  SV_MODEL_ASYNC,
  SV_MODEL_THREADED,
  SV_MODEL_MULTIPROC
} sv_model;

#define SV_WORKERS_MAX 1024
/* threaded: one connection per thread, so keep-alive clients beyond the
 * pool wait; this many lets a 100-connection load run without waiting.
 * multiproc: the cores (0 here means "ask the machine"). */
#define SV_DEFAULT_THREADS 128

typedef struct sv_options {
  sv_model model;
  int workers;      /* threads or processes, 1..SV_WORKERS_MAX; 0: the
                       model's default (threaded and multiproc only) */
  int offload;      /* async: /cpu on libuv's threadpool (uv_queue_work) */
  const char *host; /* an IPv4 literal to bind, e.g. "127.0.0.1" */
  int port;         /* 0..65535; 0 picks a free port */
  int quiet;        /* no line on stderr when stopped, nor the open-file
                     * estimate at start (errors are still said) */
  unsigned header_timeout_ms; /* 1..SV_TIMEOUT_MAX_MS */
  unsigned idle_timeout_ms;   /* 1..SV_TIMEOUT_MAX_MS */
} sv_options;

/* Listen on host:port with o->model, print the base URL ("http://127.0.0.1:41234\n") as
 * the first line of stdout, and serve until SIGINT or SIGTERM.  Returns the
 * exit status: 0 stopped by a signal, 1 could not listen or failed. */
int sv_serve(const sv_options *o);

#endif
