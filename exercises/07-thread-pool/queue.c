/*
 * queue.c - exercise 07: the thread pool's bounded queue.  (Your file.)
 *
 * Python:                                 C, with pthreads:
 *   q = queue.Queue(maxsize=cap)            th_queue_init(&q, cap)
 *   q.put(item)       # blocks while full    th_queue_put(&q, item)
 *   item = q.get()    # blocks while empty   th_queue_get(&q, &item)
 *   q.shutdown()      # (Python 3.13)        th_queue_close(&q)
 *   q.shutdown(immediate=True)              th_queue_cancel(&q)
 *
 * One mutex guards a ring buffer of `cap` ints; the condition variable
 * `not_empty` is where consumers sleep, `not_full` where producers sleep.
 * The contract is conclab's own header, threaded/queue.h.
 *
 * Read README.md first.  Check your work with:  exercises/progress 07
 */
#include "queue.h"

#include <stdlib.h>

int th_queue_init(th_queue *q, int cap) {
  /* TODO 1: allocate the ring (cap ints; return -1 if malloc fails), set
   *         cap, head, count and closed, and initialise the mutex and the
   *         two condition variables. */
  (void)q;
  (void)cap;
  return 0;
}

void th_queue_destroy(th_queue *q) {
  /* TODO 6: destroy the condition variables and the mutex, free the
   *         ring.  (Only ever called once every thread is done with q.) */
  (void)q;
}

int th_queue_put(th_queue *q, int item) {
  /* TODO 2: under the lock: WHILE the queue is full and not closed, wait
   *         on not_full.  Closed: unlock, return -1.  Otherwise store the
   *         item at the ring's tail, count it, signal not_empty, unlock,
   *         and return 0. */
  (void)q;
  (void)item;
  return 0;
}

int th_queue_get(th_queue *q, int *item) {
  /* TODO 3: under the lock: WHILE the queue is empty and not closed, wait
   *         on not_empty.  Still empty (so: closed)?  Unlock, return 0.
   *         Otherwise take the item at head, move head on (wrapping at
   *         cap), uncount it, signal not_full, unlock, and return 1. */
  (void)q;
  (void)item;
  return 0;
}

void th_queue_close(th_queue *q) {
  /* TODO 4: under the lock, mark the queue closed, then wake EVERY thread
   *         waiting on either condition variable: consumers must drain
   *         and leave, producers must give up. */
  (void)q;
}

void th_queue_cancel(th_queue *q) {
  /* TODO 5: drop what is queued (under the lock), then close. */
  (void)q;
}
