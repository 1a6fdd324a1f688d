/*
 * queue.h - a bounded, blocking queue of task numbers (CS:APP's sbuf).
 *
 * One mutex guards a ring buffer; `not_full` wakes producers and `not_empty`
 * wakes consumers.  Closing the queue lets consumers drain what is left and
 * then return "closed", which is how the pool's workers learn to exit.
 */
#ifndef CONCLAB_THREADED_QUEUE_H
#define CONCLAB_THREADED_QUEUE_H

#include <pthread.h>

typedef struct th_queue {
  int *items; /* ring buffer of `cap` slots */
  int cap;
  int head;  /* next item to take */
  int count; /* items in the buffer */
  int closed;
  pthread_mutex_t lock;
  pthread_cond_t not_empty;
  pthread_cond_t not_full;
} th_queue;

int th_queue_init(th_queue *q, int cap); /* 0, or -1 (out of memory) */
void th_queue_destroy(th_queue *q);
/* Block while full.  0 on success, -1 if the queue is closed. */
int th_queue_put(th_queue *q, int item);
/* Block while empty and open.  1 with an item, 0 once closed and empty. */
int th_queue_get(th_queue *q, int *item);
/* No more puts; consumers drain what is queued, then get 0. */
void th_queue_close(th_queue *q);
/* Close and drop what is queued: consumers get 0 at once. */
void th_queue_cancel(th_queue *q);

#endif
