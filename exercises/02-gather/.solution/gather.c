/*
 * gather.c - exercise 02: gather, results in submission order.
 * (Reference solution.)
 *
 * Each operation writes into its own slot, so the order in which they
 * complete does not matter; a counter says when the last one is in.  No
 * lock: every callback runs on the loop's one thread, one at a time.
 * Memory is freed in the close callbacks, the only moment libuv is done
 * with a handle.
 */
#include "gather.h"

#include <stdlib.h>

typedef struct ga_state ga_state;

/* One operation: its timer, and what it produces. */
typedef struct ga_task {
  uv_timer_t timer;
  int index;
  long value;
  ga_state *g;
} ga_task;

/* The whole gather, in one allocation: freed when its last timer closes. */
struct ga_state {
  long *results;
  ga_each_fn each;
  ga_done_fn done;
  void *arg;
  int n;         /* operations started */
  int completed; /* operations whose result is in */
  int handles;   /* timers initialised, each to be closed */
  int closed;    /* timers whose close has finished */
  ga_task tasks[];
};

static void ga_on_close(uv_handle_t *h) {
  ga_task *t = h->data;
  ga_state *g = t->g;
  if (++g->closed == g->handles)
    free(g); /* the last close: libuv holds no pointer into g any more */
}

static void ga_on_timer(uv_timer_t *timer) {
  ga_task *t = timer->data;
  ga_state *g = t->g;

  g->results[t->index] = t->value; /* slot i, whenever it completes */
  g->completed++;
  if (g->each != NULL)
    g->each(g->arg, t->index);
  uv_close((uv_handle_t *)timer, ga_on_close);
  if (g->completed == g->n)
    g->done(g->arg, g->n); /* once: the count reaches n only once */
}

int ga_gather(uv_loop_t *loop, const ga_op *ops, int n, long *results,
              ga_each_fn each, ga_done_fn done, void *arg) {
  ga_state *g;
  int rc = 0;

  if (n < 0 || done == NULL)
    return UV_EINVAL;
  if (n == 0) { /* asyncio.gather() of nothing is already done */
    done(arg, 0);
    return 0;
  }
  g = calloc(1, sizeof *g + (size_t)n * sizeof g->tasks[0]);
  if (g == NULL)
    return UV_ENOMEM;
  g->results = results;
  g->each = each;
  g->done = done;
  g->arg = arg;
  g->n = n;
  for (int i = 0; i < n && rc == 0; i++) {
    ga_task *t = &g->tasks[i];
    t->index = i;
    t->value = ops[i].value;
    t->g = g;
    rc = uv_timer_init(loop, &t->timer);
    if (rc == 0) {
      t->timer.data = t;
      g->handles++;
      rc = uv_timer_start(&t->timer, ga_on_timer, ops[i].delay_ms, 0);
    }
  }
  if (rc != 0) {
    /* Nothing has fired yet (the loop has not run): closing the timers
     * cancels them all, and the last close frees g. */
    for (int i = 0; i < g->handles; i++)
      uv_close((uv_handle_t *)&g->tasks[i].timer, ga_on_close);
    if (g->handles == 0)
      free(g);
    return rc;
  }
  return 0;
}
