/*
 * sem.h - an async semaphore: asyncio.Semaphore(n) for a libuv loop.
 *
 * Nothing blocks on a loop, so "wait for a permit" cannot mean sleeping.
 * Instead a start that finds no free permit is queued, and each release
 * starts the oldest queued one.  The semaphore is a counter plus a FIFO of
 * waiting starts; it is used from the loop thread only, so it needs no lock.
 */
#ifndef CONCLAB_ASYNC_SEM_H
#define CONCLAB_ASYNC_SEM_H

typedef struct as_waiter as_waiter;
typedef void (*as_start_cb)(as_waiter *w);

/* A waiting start.  The caller owns it (usually inside its task struct),
 * so queueing allocates nothing. */
struct as_waiter {
  as_start_cb start;
  as_waiter *next;
};

typedef struct as_sem {
  int limit;         /* C: permits */
  int in_flight;     /* permits held now */
  int max_in_flight; /* the most ever held at once (for tests and reports) */
  int draining;      /* a drain is running: nested calls leave it the work */
  as_waiter *head, *tail;
} as_sem;

void as_sem_init(as_sem *s, int limit);
/* Start w now if a permit is free, else queue it.  w->start runs holding
 * a permit, and must call as_sem_release once its operation completes. */
void as_sem_acquire(as_sem *s, as_waiter *w, as_start_cb start);
void as_sem_release(as_sem *s);

#endif
