/*
 * sem.c - exercise 03: an async semaphore.  (Reference solution.)
 *
 * A counter of permits in use, and a FIFO of starts waiting for one.  All
 * of it runs on the loop's one thread, one callback at a time, so nothing
 * here needs a lock.
 *
 * Both acquire and release end in the same place: drain(), which starts
 * queued waiters while permits are free.  A start may finish at once and
 * release inside drain (an error, or work that needs no waiting); that
 * nested release must not start the next waiter itself, or N such starts
 * would nest N calls deep.  The `draining` flag makes the nested call
 * return, and the outer loop starts the next one instead.
 */
#include "sem.h"

#include <stddef.h>

void as_sem_init(as_sem *s, int limit) {
  s->limit = limit;
  s->in_flight = 0;
  s->max_in_flight = 0;
  s->draining = 0;
  s->head = NULL;
  s->tail = NULL;
}

/* Start the oldest waiters while permits are free. */
static void drain(as_sem *s) {
  if (s->draining)
    return; /* an outer drain() is running: it will see our change */
  s->draining = 1;
  while (s->head != NULL && s->in_flight < s->limit) {
    as_waiter *w = s->head;

    s->head = w->next;
    if (s->head == NULL)
      s->tail = NULL;
    s->in_flight++;
    if (s->in_flight > s->max_in_flight)
      s->max_in_flight = s->in_flight;
    w->start(w); /* may release at once: then the loop goes round again */
  }
  s->draining = 0;
}

void as_sem_acquire(as_sem *s, as_waiter *w, as_start_cb start) {
  w->start = start;
  w->next = NULL;
  if (s->tail == NULL)
    s->head = w;
  else
    s->tail->next = w;
  s->tail = w;
  drain(s); /* starts w now if it is first in line and a permit is free */
}

void as_sem_release(as_sem *s) {
  s->in_flight--;
  drain(s);
}
