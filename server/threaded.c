/*
 * threaded.c - the prethreaded server (CS:APP 12.5.5): a main thread
 * accepts, a pool of K threads serves, a bounded queue between them.
 *
 * Lesson: a thread per connection in flight, made once rather than per
 * client.  Accepted descriptors go into the queue conclab's thread pool
 * already uses (threaded/queue.h, CS:APP's sbuf); each pool thread takes
 * one and serves that connection to its end with blocking calls.  So K
 * connections are served at once, kept-alive ones included, and the rest
 * wait in the queue and then in the kernel's backlog: each waiting client
 * costs a thread's stack, where async pays a few hundred bytes.  Threads
 * share the process, so /cpu runs on every core.
 */
#include "blocking.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"

typedef struct th_server {
  sv_blocking b;
  th_queue accepted; /* descriptors, from the main thread to the pool */
  pthread_t *threads;
  int started;       /* threads running */
} th_server;

/* A pool thread: serve connections until the queue closes.  Those still
 * queued when the server stops are closed unserved. */
static void *th_serve_connections(void *arg) {
  th_server *t = arg;
  int fd;
  while (th_queue_get(&t->accepted, &fd) == 1) {
    if (sv_blocking_stopped(&t->b))
      close(fd);
    else
      sv_blocking_serve(&t->b, fd);
  }
  return NULL;
}

static int th_start_pool(th_server *t, int workers) {
  t->threads = calloc((size_t)workers, sizeof *t->threads);
  if (t->threads == NULL) {
    fprintf(stderr, "conclab: serve: out of memory for %d threads\n",
            workers);
    return -1;
  }
  for (; t->started < workers; t->started++) {
    int err = pthread_create(&t->threads[t->started], NULL,
                             th_serve_connections, t);
    if (err != 0) {
      fprintf(stderr, "conclab: serve: start thread %d: %s\n",
              t->started + 1, strerror(err));
      return -1;
    }
  }
  return 0;
}

/* Close the queue, so that each thread drains it and returns; join them. */
static void th_stop_pool(th_server *t) {
  th_queue_close(&t->accepted);
  for (int i = 0; i < t->started; i++)
    pthread_join(t->threads[i], NULL);
  free(t->threads);
}

int sv_serve_threaded(const sv_options *o) {
  int workers = o->workers > 0 ? o->workers : SV_DEFAULT_THREADS;
  th_server t = {.started = 0};
  int fd, status = 0;

  if (th_queue_init(&t.accepted, workers) != 0) {
    fprintf(stderr, "conclab: serve: out of memory for the queue\n");
    return 1;
  }
  if (sv_blocking_open(&t.b, o) != 0) {
    th_queue_destroy(&t.accepted);
    return 1;
  }
  if (th_start_pool(&t, workers) != 0)
    status = 1;
  /* The queue is bounded: with every thread busy and the queue full, the
   * main thread waits here, and new clients wait in the backlog. */
  while (status == 0 && (fd = sv_blocking_accept(&t.b)) >= 0)
    if (th_queue_put(&t.accepted, fd) != 0)
      close(fd);
  th_stop_pool(&t);
  th_queue_destroy(&t.accepted);
  return sv_blocking_close(&t.b, status);
}
