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

typedef struct sv_options {
  const char *host; /* an IPv4 literal to bind, e.g. "127.0.0.1" */
  int port;         /* 0..65535; 0 picks a free port */
  int quiet;        /* no line on stderr when stopped, nor the open-file
                     * estimate at start (errors are still said) */
  unsigned header_timeout_ms; /* 1..SV_TIMEOUT_MAX_MS */
  unsigned idle_timeout_ms;   /* 1..SV_TIMEOUT_MAX_MS */
} sv_options;

/* Listen on host:port, print the base URL ("http://127.0.0.1:41234\n") as
 * the first line of stdout, and serve until SIGINT or SIGTERM.  Returns the
 * exit status: 0 stopped by a signal, 1 could not listen or failed. */
int sv_serve(const sv_options *o);

#endif
