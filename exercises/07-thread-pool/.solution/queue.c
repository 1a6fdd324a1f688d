/*
 * queue.c - exercise 07: the thread pool's bounded queue.
 * (Reference solution.)
 *
 * CS:APP's sbuf: a ring buffer guarded by one mutex, with one condition
 * variable per reason to wait.  Every wait sits in a `while`, never an
 * `if`: a thread may wake without a signal (a spurious wakeup), or wake to
 * find that another thread took the slot or the item first.  The loop
 * checks the condition again under the lock, where no one can change it.
 */
#include "queue.h"

#include <stdlib.h>

int th_queue_init(th_queue *q, int cap) {
  q->items = malloc((size_t)cap * sizeof *q->items);
  if (q->items == NULL)
    return -1;
  q->cap = cap;
  q->head = 0;
  q->count = 0;
  q->closed = 0;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->not_empty, NULL);
  pthread_cond_init(&q->not_full, NULL);
  return 0;
}

void th_queue_destroy(th_queue *q) {
  pthread_cond_destroy(&q->not_empty);
  pthread_cond_destroy(&q->not_full);
  pthread_mutex_destroy(&q->lock);
  free(q->items);
  q->items = NULL;
}

int th_queue_put(th_queue *q, int item) {
  pthread_mutex_lock(&q->lock);
  while (q->count == q->cap && !q->closed)
    pthread_cond_wait(&q->not_full, &q->lock); /* unlocks while asleep */
  if (q->closed) {
    pthread_mutex_unlock(&q->lock);
    return -1;
  }
  /* The tail is count slots after the head, wrapping around the ring. */
  q->items[(q->head + q->count) % q->cap] = item;
  q->count++;
  pthread_cond_signal(&q->not_empty); /* one item: one consumer may go */
  pthread_mutex_unlock(&q->lock);
  return 0;
}

int th_queue_get(th_queue *q, int *item) {
  pthread_mutex_lock(&q->lock);
  while (q->count == 0 && !q->closed)
    pthread_cond_wait(&q->not_empty, &q->lock);
  if (q->count == 0) { /* closed, and nothing left to drain */
    pthread_mutex_unlock(&q->lock);
    return 0;
  }
  *item = q->items[q->head];
  q->head = (q->head + 1) % q->cap;
  q->count--;
  pthread_cond_signal(&q->not_full); /* one free slot: one producer */
  pthread_mutex_unlock(&q->lock);
  return 1;
}

void th_queue_close(th_queue *q) {
  pthread_mutex_lock(&q->lock);
  q->closed = 1;
  /* Broadcast, not signal: every waiter must see the change, not one. */
  pthread_cond_broadcast(&q->not_empty);
  pthread_cond_broadcast(&q->not_full);
  pthread_mutex_unlock(&q->lock);
}

void th_queue_cancel(th_queue *q) {
  pthread_mutex_lock(&q->lock);
  q->count = 0; /* the queued items are dropped, never handed out */
  pthread_mutex_unlock(&q->lock);
  th_queue_close(q);
}
