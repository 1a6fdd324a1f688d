/*
 * seq.c - the iterative server (CS:APP 12's starting point): accept one
 * connection, serve it to its end, accept the next.
 *
 * Lesson: one client at a time.  While a connection is kept alive, or
 * waits on /delay or /stall, every other client waits in the kernel's
 * accept queue - connected, as far as it can tell, and unanswered.  It is
 * the simplest correct server, and the reference the others beat.
 */
#include "blocking.h"

int sv_serve_seq(const sv_options *o) {
  sv_blocking b;
  int fd;

  if (sv_blocking_open(&b, o) != 0)
    return 1;
  while ((fd = sv_blocking_accept(&b)) >= 0)
    sv_blocking_serve(&b, fd);
  return sv_blocking_close(&b, 0);
}
