/*
 * sem.c - the async semaphore (see sem.h).
 */
#include "sem.h"

#include <stddef.h>

void as_sem_init(as_sem *s, int limit) {
  s->limit = limit;
  s->in_flight = 0;
  s->max_in_flight = 0;
  s->draining = 0;
  s->head = s->tail = NULL;
}

/* Hand free permits to queued starts, oldest first.  A start may complete
 * at once and release (an error, say); that nested call only adjusts the
 * counter and this loop carries on, so the stack never grows with N. */
static void sem_drain(as_sem *s) {
  if (s->draining)
    return;
  s->draining = 1;
  while (s->head != NULL && s->in_flight < s->limit) {
    as_waiter *w = s->head;
    s->head = w->next;
    if (s->head == NULL)
      s->tail = NULL;
    s->in_flight++;
    if (s->in_flight > s->max_in_flight)
      s->max_in_flight = s->in_flight;
    w->start(w);
  }
  s->draining = 0;
}

void as_sem_acquire(as_sem *s, as_waiter *w, as_start_cb start) {
  w->start = start;
  w->next = NULL;
  if (s->tail != NULL)
    s->tail->next = w;
  else
    s->head = w;
  s->tail = w;
  sem_drain(s);
}

void as_sem_release(as_sem *s) {
  s->in_flight--;
  sem_drain(s);
}
