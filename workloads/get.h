/*
 * get.h - a blocking HTTP/1.1 GET on plain sockets: conclab's own client
 * for seq, threaded and multiproc (--client native).
 *
 * Lesson: what curl_easy_perform does for one request, without the
 * library: connect, write the request, read until the answer is whole
 * (workloads/response.c), each wait a poll() bounded by the attempt's
 * deadline.  A worker keeps its connection alive for its next request;
 * one the server closed while it was idle gets the request again on a
 * fresh connection, as async's client does (async/client.c).
 */
#ifndef CONCLAB_GET_H
#define CONCLAB_GET_H

#include <sys/socket.h>

#include "http.h"
#include "response.h"

/* A worker's client: one connection at a time. */
typedef struct wl_getter {
  wl_http_origin origin;
  struct sockaddr_storage addr;
  socklen_t addrlen;
  int resolve_err; /* getaddrinfo's: every request fails with it */
  int no_reuse;
  int fd;          /* the kept-alive connection, or -1 */
  int answered;    /* answers on it */
  char buf[16 * 1024];
} wl_getter;

typedef enum wl_get_end {
  WL_GET_ANSWERED, /* a whole answer, in *resp */
  WL_GET_FAILED,   /* none: *err (errno) or resp->error says why */
  WL_GET_TIMEOUT,  /* none within timeout_ms */
} wl_get_end;

/* Ready g for requests to base's server.  0, or -1 (printed). */
int wl_get_open(wl_getter *g, const char *base, int no_reuse);
void wl_get_close(wl_getter *g);
/* GET url (made from base); the answer in *resp, new connections added
 * to *connects.  timeout_ms: the whole attempt's limit (0: none). */
wl_get_end wl_get(wl_getter *g, const char *url, int timeout_ms,
                  wl_resp *resp, int *err, int *connects);
/* Why an attempt that ended with `end` failed, in words. */
void wl_get_why(const wl_getter *g, wl_get_end end, int err,
                const wl_resp *resp, char *why, size_t cap);

#endif
