/*
 * server.h - `conclab serve`: a local HTTP/1.1 test server on libuv.
 *
 * One thread, one event loop, thousands of connections: the server side
 * of the lesson the async model teaches from the client side.  Endpoints:
 * /delay/<ms>, /bytes/<n>, /status/<code>, /drop, /stall and / (see
 * request.h for the limits).
 */
#ifndef CONCLAB_SV_SERVER_H
#define CONCLAB_SV_SERVER_H

#define SV_DEFAULT_HOST "127.0.0.1"
#define SV_DEFAULT_PORT 8080

typedef struct sv_options {
  const char *host; /* an IPv4 literal to bind, e.g. "127.0.0.1" */
  int port;         /* 0..65535; 0 picks a free port */
  int quiet;        /* say nothing on stderr when stopped */
} sv_options;

/* Listen on host:port, print the base URL ("http://127.0.0.1:41234\n") as
 * the first line of stdout, and serve until SIGINT or SIGTERM.  Returns the
 * exit status: 0 stopped by a signal, 1 could not listen or failed. */
int sv_serve(const sv_options *o);

#endif
