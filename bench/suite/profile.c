/*
 * profile.c - what the suite measures: the cells of each profile.
 *
 * quick (the default, about 3 minutes on 2 cores):
 *   sleep  16 tasks x 50 ms, all in flight: seq and the three models, and
 *          async with a blocking sleep in its callbacks (the pitfall);
 *   sleep  10,000 tasks x 100 ms, all in flight (scale rows): async,
 *          threaded with 10,000 threads, multiproc with 1,000 workers;
 *   primes below 5,000,000 in 64 chunks at C = cores: seq, async in the
 *          loop, async offloaded, threaded, multiproc.
 *   http   16 requests of /delay/50, all in flight: seq and the three models;
 *          reuse vs no-reuse: 2,000 requests of /bytes/1024, 8 in flight,
 *          keeping connections and opening one per request;
 *          scale: 1,000 requests of /delay/100 all in flight (async,
 *          1,000 threads, 100 worker processes), and 10,000 concurrent
 *          /delay/1000 from the async client.
 *   files  200 files of 256 KiB, written and read back: seq, async with
 *          libuv's 4 threads and with 16, threaded and multiproc with 4.
 *   pipeline  64 tasks, each fetching 64 KiB, digesting it 100 rounds and
 *          saving the digest, 8 in flight: seq, async with the digest in
 *          the loop and offloaded (a pool of min(8, cores)), threaded and
 *          multiproc.
 *   sweeps (for the speedup-vs-concurrency plots, with the main rows as
 *          their middle points): sleep at C = 1 and 4, primes at C = 1 and
 *          2 x cores, for async (offloaded, for primes), threaded and
 *          multiproc.
 * full: quick, but with concurrency sweeps C = 1, 2, 4, ... up to N, and
 *   async with 100,000 sleeping tasks.
 * smoke: the quick matrix on tiny sizes, for the tests (a few seconds).
 *
 * Targets are the figures the issues ask for; the report says whether each
 * was met.  They are checked on medians, never in a unit test.
 */
#include <stdlib.h>
#include <string.h>

#include "suite.h"

typedef struct suite_sizes {
  int sleep_tasks, sleep_delay_ms;
  int scale_tasks, scale_delay_ms, scale_workers;
  int primes_tasks;
  long long primes_limit;
  int http_tasks, http_delay_ms;                /* main */
  int reuse_tasks, reuse_size, reuse_c;         /* reuse vs no-reuse */
  int hscale_tasks, hscale_delay_ms, hscale_workers;
  int hbig_tasks, hbig_delay_ms;                /* async only */
  int files_tasks, files_size;
  int pipe_tasks, pipe_size, pipe_rounds, pipe_c;
} suite_sizes;

static const suite_sizes quick_sizes = {16,   50,  10000, 100,  1000,  64,
                                     5000000, 16, 50,   2000, 1024, 8,
                                     1000, 100, 100,   10000, 1000,
                                     200,  262144, 64, 65536, 100, 8};
static const suite_sizes smoke_sizes = {4,  10, 100, 10, 10, 8, 20000, 4, 10,
                                     40, 64, 2,   20, 10, 4, 40,    20,
                                     8,  5000, 8, 4096, 2, 2};

static suite_cell *add(suite_matrix *s, const wl_workload *wl, run_model model,
                    int offload, suite_table table, int tasks, int concurrency,
                    int delay_ms, long long limit) {
  suite_cell *c;
  if (s->ncells == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 32;
    s->cells = realloc(s->cells, (size_t)s->cap * sizeof *s->cells);
    if (s->cells == NULL)
      abort();
  }
  c = &s->cells[s->ncells++];
  memset(c, 0, sizeof *c);
  c->opts.wl = wl;
  c->opts.model = model;
  c->opts.offload = offload;
  c->opts.json = 1;
  c->opts.params.tasks = tasks;
  c->opts.params.concurrency = model == RUN_SEQ ? 1 : concurrency;
  c->opts.params.delay_ms = delay_ms;
  c->opts.params.limit = limit;
  c->table = table;
  c->warmups = table == SUITE_ORACLE ? 0 : s->warmups;
  c->runs = table == SUITE_ORACLE ? 1 : s->runs;
  c->baseline = -1;
  c->in_loop = -1;
  c->target_met = SUITE_TARGET_NONE;
  return c;
}

static void add_sleep(suite_matrix *s, const suite_sizes *z, int full) {
  const wl_workload *wl = &wl_sleep;
  int n = z->sleep_tasks, d = z->sleep_delay_ms;
  suite_cell *blocking;

  add(s, wl, RUN_SEQ, 0, SUITE_MAIN, n, 1, d, 0);
  /* "within 10% of the ideal": efficiency >= 0.9 */
  add(s, wl, RUN_ASYNC, 0, SUITE_MAIN, n, n, d, 0)->target.eff_min = 0.9;
  /* The pitfall, next to it: a blocking sleep in the callbacks.  The
   * lesson is that the speedup collapses to about 1. */
  blocking = add(s, wl, RUN_ASYNC, 0, SUITE_MAIN, n, n, d, 0);
  blocking->opts.blocking_in_loop = 1;
  blocking->target.speedup_lo = 0.9;
  blocking->target.speedup_hi = 1.1;
  add(s, wl, RUN_THREADED, 0, SUITE_MAIN, n, n, d, 0)->target.eff_min = 0.9;
  add(s, wl, RUN_MULTIPROC, 0, SUITE_MAIN, n, n, d, 0);
  if (full)
    for (int c = 1; c <= n; c *= 2)
      for (int m = RUN_ASYNC; m <= RUN_MULTIPROC; m++)
        add(s, wl, (run_model)m, 0, SUITE_SWEEP, n, c, d, 0);

  /* Scale: seq would take N x D = 1,000 s, so an untimed seq run with no
   * delay supplies the checksum (task i's value does not depend on D). */
  n = z->scale_tasks;
  d = z->scale_delay_ms;
  add(s, wl, RUN_SEQ, 0, SUITE_ORACLE, n, 1, 0, 0);
  add(s, wl, RUN_ASYNC, 0, SUITE_SCALE, n, n, d, 0)->target.wall_max_s = 0.110;
  add(s, wl, RUN_THREADED, 0, SUITE_SCALE, n, n, d, 0)->target.wall_max_s = 1.0;
  add(s, wl, RUN_MULTIPROC, 0, SUITE_SCALE, n, z->scale_workers, d, 0);
  if (full) {
    add(s, wl, RUN_SEQ, 0, SUITE_ORACLE, 10 * n, 1, 0, 0);
    add(s, wl, RUN_ASYNC, 0, SUITE_SCALE, 10 * n, 10 * n, d, 0);
  }
}

static void add_primes(suite_matrix *s, const suite_sizes *z, int full, int cores) {
  const wl_workload *wl = &wl_primes;
  int n = z->primes_tasks;
  long long m = z->primes_limit;
  suite_cell *c;

  add(s, wl, RUN_SEQ, 0, SUITE_MAIN, n, 1, 0, m);
  c = add(s, wl, RUN_ASYNC, 0, SUITE_MAIN, n, cores, 0, m);
  c->target.speedup_lo = 0.9; /* the lesson: 1.0 +/- 0.1 */
  c->target.speedup_hi = 1.1;
  add(s, wl, RUN_ASYNC, 1, SUITE_MAIN, n, cores, 0, m)->target.eff_min = 0.8;
  add(s, wl, RUN_THREADED, 0, SUITE_MAIN, n, cores, 0, m)->target.eff_min = 0.9;
  add(s, wl, RUN_MULTIPROC, 0, SUITE_MAIN, n, cores, 0, m)->target.eff_min = 0.9;
  if (full)
    for (int k = 1; k <= n; k *= 2) {
      add(s, wl, RUN_ASYNC, 1, SUITE_SWEEP, n, k, 0, m);
      add(s, wl, RUN_THREADED, 0, SUITE_SWEEP, n, k, 0, m);
      add(s, wl, RUN_MULTIPROC, 0, SUITE_SWEEP, n, k, 0, m);
    }
}

/* An http cell: the request each task makes, and whether to keep
 * connections. */
static suite_cell *add_http(suite_matrix *s, run_model model, suite_table table,
                         int tasks, int concurrency, wl_endpoint endpoint,
                         int delay_ms, int size, int no_reuse) {
  suite_cell *c = add(s, &wl_http, model, 0, table, tasks, concurrency,
                   delay_ms, 0);
  c->opts.params.endpoint = endpoint;
  c->opts.params.size = size;
  c->opts.params.no_reuse = no_reuse;
  return c;
}

static void add_http_rows(suite_matrix *s, const suite_sizes *z, int full) {
  int n = z->http_tasks, d = z->http_delay_ms;

  add_http(s, RUN_SEQ, SUITE_MAIN, n, 1, WL_EP_DELAY, d, 0, 0);
  for (int m = RUN_ASYNC; m <= RUN_MULTIPROC; m++)
    add_http(s, (run_model)m, SUITE_MAIN, n, n, WL_EP_DELAY, d, 0, 0);
  if (full)
    for (int c = 1; c <= n; c *= 2)
      for (int m = RUN_ASYNC; m <= RUN_MULTIPROC; m++)
        add_http(s, (run_model)m, SUITE_SWEEP, n, c, WL_EP_DELAY, d, 0, 0);

  /* The session lesson: the same small requests, connections kept (one per
   * worker) or opened afresh for each request. */
  for (int no_reuse = 0; no_reuse <= 1; no_reuse++)
    for (int m = RUN_SEQ; m <= RUN_MULTIPROC; m++)
      add_http(s, (run_model)m, SUITE_REUSE, z->reuse_tasks, z->reuse_c,
               WL_EP_BYTES, 0, z->reuse_size, no_reuse);

  /* Scale: seq would take N x D, so an untimed seq run of /delay/0
   * supplies the checksum (the answer's body does not depend on D). */
  n = z->hscale_tasks;
  d = z->hscale_delay_ms;
  add_http(s, RUN_SEQ, SUITE_ORACLE, n, 1, WL_EP_DELAY, 0, 0, 0);
  add_http(s, RUN_ASYNC, SUITE_SCALE, n, n, WL_EP_DELAY, d, 0, 0)
      ->target.wall_max_s = 1.3 * d / 1000.0;
  add_http(s, RUN_THREADED, SUITE_SCALE, n, n, WL_EP_DELAY, d, 0, 0);
  add_http(s, RUN_MULTIPROC, SUITE_SCALE, n, z->hscale_workers, WL_EP_DELAY, d,
           0, 0);
  n = z->hbig_tasks;
  d = z->hbig_delay_ms;
  add_http(s, RUN_SEQ, SUITE_ORACLE, n, 1, WL_EP_DELAY, 0, 0, 0);
  add_http(s, RUN_ASYNC, SUITE_SCALE, n, n, WL_EP_DELAY, d, 0, 0)
      ->target.wall_max_s = 1.5 * d / 1000.0;
}

/* files: the async rows use libuv's threadpool (4 threads unless raised);
 * the others get as many workers as that default pool has. */
static void add_files_rows(suite_matrix *s, const suite_sizes *z) {
  const wl_workload *wl = &wl_files;
  int n = z->files_tasks;
  suite_cell *c;

  add(s, wl, RUN_SEQ, 0, SUITE_MAIN, n, 1, 0, 0)->opts.params.size = z->files_size;
  add(s, wl, RUN_ASYNC, 0, SUITE_MAIN, n, 64, 0, 0)->opts.params.size =
      z->files_size;
  c = add(s, wl, RUN_ASYNC, 0, SUITE_MAIN, n, 64, 0, 0);
  c->opts.params.size = z->files_size;
  c->opts.threadpool = 16;
  add(s, wl, RUN_THREADED, 0, SUITE_MAIN, n, 4, 0, 0)->opts.params.size =
      z->files_size;
  add(s, wl, RUN_MULTIPROC, 0, SUITE_MAIN, n, 4, 0, 0)->opts.params.size =
      z->files_size;
}

/* pipeline: the async rows are the lesson.  In the loop, every digest
 * holds the loop for a whole step; offloaded, the loop stays free and the
 * digests share the cores.  The threadpool has min(C, cores) threads. */
static void add_pipeline_rows(suite_matrix *s, const suite_sizes *z, int cores) {
  int n = z->pipe_tasks, c = z->pipe_c, pool = c < cores ? c : cores;
  suite_cell *cells[5];

  cells[0] = add(s, &wl_pipeline, RUN_SEQ, 0, SUITE_MAIN, n, 1, 0, 0);
  cells[1] = add(s, &wl_pipeline, RUN_ASYNC, 0, SUITE_MAIN, n, c, 0, 0);
  cells[1]->target.lag_p99_min_steps = 1.0; /* held for a step at a time */
  cells[2] = add(s, &wl_pipeline, RUN_ASYNC, 1, SUITE_MAIN, n, c, 0, 0);
  cells[2]->target.vs_in_loop_min = 0.8 * pool;
  cells[2]->target.lag_p99_max_ms = 5.0;
  cells[3] = add(s, &wl_pipeline, RUN_THREADED, 0, SUITE_MAIN, n, c, 0, 0);
  cells[4] = add(s, &wl_pipeline, RUN_MULTIPROC, 0, SUITE_MAIN, n, c, 0, 0);
  for (int i = 0; i < 5; i++) {
    cells[i]->opts.params.size = z->pipe_size;
    cells[i]->opts.params.rounds = z->pipe_rounds;
  }
}

static int same_work(const suite_cell *a, const suite_cell *b, int ignore_delay) {
  const wl_params *p = &a->opts.params, *q = &b->opts.params;
  return a->opts.wl == b->opts.wl && p->tasks == q->tasks &&
         (ignore_delay || p->delay_ms == q->delay_ms) &&
         p->delay_spread_ms == q->delay_spread_ms && p->limit == q->limit &&
         p->endpoint == q->endpoint && p->size == q->size &&
         p->no_reuse == q->no_reuse && p->fsync == q->fsync &&
         p->rounds == q->rounds;
}

/* Each cell's baseline: the seq cell of the same work (for scale rows, the
 * oracle).  seq cells are their own baseline (speedup 1). */
static void link_baselines(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    suite_table want = c->table == SUITE_SCALE   ? SUITE_ORACLE
                    : c->table == SUITE_REUSE ? SUITE_REUSE
                                           : SUITE_MAIN;
    if (c->opts.model == RUN_SEQ)
      c->baseline = i;
    for (int j = 0; j < s->ncells && c->baseline < 0; j++) {
      suite_cell *b = &s->cells[j];
      if (b->opts.model == RUN_SEQ && b->table == want &&
          same_work(b, c, want == SUITE_ORACLE))
        c->baseline = j;
    }
  }
}

/* pipeline's lesson: each offloaded cell is compared with the in-loop cell
 * of the same work in the same table. */
static void link_in_loop(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    if (c->opts.wl != &wl_pipeline || !c->opts.offload)
      continue;
    for (int j = 0; j < s->ncells && c->in_loop < 0; j++) {
      suite_cell *b = &s->cells[j];
      if (b->opts.model == RUN_ASYNC && !b->opts.offload &&
          b->table == c->table && same_work(b, c, 0))
        c->in_loop = j;
    }
  }
}

/* quick's short sweeps, after every other row (so the main tables' cells
 * keep their places): with the main rows they give each model three points
 * of speedup against concurrency. */
static void add_quick_sweeps(suite_matrix *s, const suite_sizes *z, int cores) {
  const int sleep_c[] = {1, 4}, primes_c[] = {1, 2 * cores};
  for (int i = 0; i < 2; i++)
    for (int m = RUN_ASYNC; m <= RUN_MULTIPROC; m++)
      add(s, &wl_sleep, (run_model)m, 0, SUITE_SWEEP, z->sleep_tasks, sleep_c[i],
          z->sleep_delay_ms, 0);
  for (int i = 0; i < 2; i++)
    for (int m = RUN_ASYNC; m <= RUN_MULTIPROC; m++)
      add(s, &wl_primes, (run_model)m, m == RUN_ASYNC, SUITE_SWEEP,
          z->primes_tasks, primes_c[i], 0, z->primes_limit);
}

int suite_profile_build(suite_matrix *s, const char *profile, int cores) {
  int full = strcmp(profile, "full") == 0;
  int smoke = strcmp(profile, "smoke") == 0;
  const suite_sizes *z = smoke ? &smoke_sizes : &quick_sizes;
  if (!full && !smoke && strcmp(profile, "quick") != 0)
    return -1;
  snprintf(s->profile, sizeof s->profile, "%s", profile);
  s->cores = cores;
  s->warmups = 1;
  s->runs = full ? 7 : smoke ? 2 : 5;
  add_sleep(s, z, full);
  add_primes(s, z, full, cores);
  add_http_rows(s, z, full);
  add_files_rows(s, z);
  add_pipeline_rows(s, z, cores);
  if (!full)
    add_quick_sweeps(s, z, cores);
  link_baselines(s);
  link_in_loop(s);
  if (smoke) /* the targets are for the real sizes */
    for (int i = 0; i < s->ncells; i++)
      memset(&s->cells[i].target, 0, sizeof s->cells[i].target);
  return 0;
}

void suite_free(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++)
    free(s->cells[i].results);
  free(s->cells);
  s->cells = NULL;
  s->ncells = s->cap = 0;
}

double suite_ideal(const suite_cell *c, int cores) {
  const wl_params *p = &c->opts.params;
  int conc = p->concurrency < p->tasks ? p->concurrency : p->tasks;

  if (c->opts.model == RUN_SEQ)
    return 1.0;
  if (c->table == SUITE_REUSE)
    return 0; /* small requests with no wait: CPU on both ends, no ideal */
  if (c->opts.wl == &wl_files) {
    /* page-cache copies are CPU work: one core per worker, at most; for
     * async the workers are the threadpool's */
    int workers = c->opts.model != RUN_ASYNC ? conc
                  : c->opts.threadpool > 0  ? c->opts.threadpool
                                            : 4;
    return workers < cores ? workers : cores;
  }
  if (c->opts.wl->kind == WL_KIND_IO) {
    /* Equal waits, C at a time: ceil(N / C) rounds instead of N. */
    int rounds = (p->tasks + conc - 1) / conc;
    return (double)p->tasks / rounds;
  }
  /* CPU work, and pipeline (mostly CPU): one core per task in flight */
  return conc < cores ? conc : cores;
}

const char *suite_model_label(const suite_cell *c) {
  static const char *const no_reuse[] = {"seq no-reuse", "async no-reuse",
                                         "threaded no-reuse",
                                         "multiproc no-reuse"};
  if (c->opts.model == RUN_ASYNC && c->opts.wl->kind != WL_KIND_IO)
    return c->opts.offload ? "async offload" : "async in-loop";
  if (c->opts.wl == &wl_http && c->opts.params.no_reuse)
    return no_reuse[c->opts.model];
  if (c->opts.blocking_in_loop)
    return "async blocking-in-loop";
  if (c->opts.wl == &wl_files && c->opts.threadpool > 0)
    return "async threadpool-set";
  return run_model_names[c->opts.model];
}

void suite_cell_label(const suite_cell *c, char *out, size_t cap) {
  snprintf(out, cap, "%s %s C=%d N=%d", c->opts.wl->name, suite_model_label(c),
           c->opts.params.concurrency, c->opts.params.tasks);
}
