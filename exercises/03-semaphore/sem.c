/*
 * sem.c - exercise 03: an async semaphore.  (Your file.)
 *
 * Python:                               C, on a libuv loop:
 *   sem = asyncio.Semaphore(c)            as_sem_init(&sem, c)
 *   async with sem:                       as_sem_acquire(&sem, &w, start)
 *       await do_something()                start(w) runs holding a permit
 *   (leaving the block)                   as_sem_release(&sem)
 *
 * A loop must never block, so "wait for a permit" cannot sleep: a start
 * that finds no free permit is put in a queue instead, and a release
 * starts the oldest one.  Everything runs on the loop's one thread, so no
 * lock is needed.  The contract is conclab's own header, async/sem.h.
 *
 * Read README.md first.  Check your work with:  exercises/progress 03
 */
#include "sem.h"

#include <stddef.h>

void as_sem_init(as_sem *s, int limit) {
  /* TODO 1: set every field of *s: limit, nothing in flight, max_in_flight
   *         0, not draining, an empty queue (head and tail NULL). */
  (void)s;
  (void)limit;
}

/* TODO 3: write a helper that starts queued waiters while permits are
 *         free, oldest first: take the head off the queue, count the
 *         permit (in_flight, and max_in_flight when it is a new high),
 *         then call w->start(w).  Careful: that start may call
 *         as_sem_release at once, which may call your helper again, from
 *         inside itself - 100,000 times deep.  Use s->draining so that a
 *         nested call returns at once and the outer loop does the work. */

void as_sem_acquire(as_sem *s, as_waiter *w, as_start_cb start) {
  /* TODO 2: remember start in w, and append w to the queue (tail). Then
   *         let the helper of TODO 3 start it if a permit is free. */
  (void)s;
  (void)w;
  (void)start;
}

void as_sem_release(as_sem *s) {
  /* TODO 4: give the permit back (in_flight), then let the helper start
   *         the next waiter, if there is one. */
  (void)s;
}
