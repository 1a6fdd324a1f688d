/*
 * profile.c - what the suite measures: the cells of each profile.
 *
 * The rows are the workloads' own (each descriptor's `rows`, in
 * workloads/): which models, how many tasks, how many in flight, which
 * parameters and targets.  A profile picks its rows and sizes:
 *   quick (the default, about 3 minutes on 2 cores): every row but those
 *          marked full, with the real sizes; the rows marked "quick tail"
 *          (short concurrency sweeps for the speedup plots) come after
 *          every workload's other rows, so the main tables' cells keep
 *          their places;
 *   full:  every row but the quick tail: concurrency sweeps C = 1, 2, 4,
 *          ... up to N, and the largest scale rows;
 *   smoke: quick's rows on tiny sizes, for the tests (a few seconds).
 *
 * Targets are the figures the issues ask for; the report says whether each
 * was met.  They are checked on medians, never in a unit test.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"

const char *const suite_table_names[SUITE_TABLES] = {
    [SUITE_MAIN] = "main",     [SUITE_SWEEP] = "sweep",
    [SUITE_SCALE] = "scale",   [SUITE_ORACLE] = "oracle",
    [SUITE_REUSE] = "reuse",   [SUITE_PYTHON] = "python",
};

static suite_cell *add(suite_matrix *s, const wl_workload *wl, run_model model,
                       int offload, suite_table table, int tasks,
                       int concurrency, int delay_ms, long long limit) {
  suite_cell *c;
  if (s->ncells == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 32;
    s->cells = realloc(s->cells, (size_t)s->cap * sizeof *s->cells);
    if (s->cells == NULL)
      abort();
  }
  c = &s->cells[s->ncells++];
  memset(c, 0, sizeof *c);
  /* a flag the rows do not set runs at its default, as `conclab run`'s */
  for (int k = 0; k < wl->nflags; k++)
    wl_flag_default(&wl->flags[k], &c->opts.params);
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
  c->peer = -1;
  c->target_met = SUITE_TARGET_NONE;
  return c;
}

/* A row's figure in this profile: the real one, or smoke's. */
static long long sized(wl_size z, int smoke) {
  return smoke ? z.smoke : z.real;
}

/* A row's target, in figures of its cell. */
static suite_target target_of(const wl_target *t, int delay_ms, int c,
                              int cores) {
  int pool = c < cores ? c : cores;
  suite_target out = {.eff_min = t->eff_min,
                   .speedup_lo = t->speedup_lo,
                   .speedup_hi = t->speedup_hi,
                   .wall_max_s = t->wall_max_s,
                   .lag_p99_max_ms = t->lag_p99_max_ms,
                   .lag_p99_min_steps = t->lag_p99_min_steps};
  if (t->wall_max_delays > 0)
    out.wall_max_s = t->wall_max_delays * delay_ms / 1000.0;
  if (t->vs_in_loop_per_thread > 0)
    out.vs_in_loop_min = t->vs_in_loop_per_thread * pool;
  return out;
}

/* A row's other flags (wl_row.flags), whole numbers, into the cell's
 * parameters (tests/test_descriptors.c checks that the workload takes
 * each). */
static void set_row_flags(const wl_workload *wl, const wl_row *r, int smoke,
                          wl_params *p) {
  for (int k = 0; k < WL_ROW_FLAGS && r->flags[k].name != NULL; k++) {
    const char *name = r->flags[k].name;
    const wl_flag *f = wl_flag_find(wl, name, strlen(name));
    long long v = sized(r->flags[k].value, smoke);
    if (f == NULL)
      continue;
    if (f->kind == WL_FLAG_INT64)
      *(int64_t *)((char *)p + f->field) = v;
    else if (f->kind == WL_FLAG_INT || f->kind == WL_FLAG_NAME)
      *(int *)((char *)p + f->field) = (int)v; /* a name: its index */
  }
}

/* The cells of a row at concurrency c: one per model it names. */
static void add_models(suite_matrix *s, const wl_workload *wl, const wl_row *r,
                       int c, int smoke, int cores) {
  static const suite_table tables[] = {
      [WL_TABLE_MAIN] = SUITE_MAIN,     [WL_TABLE_SWEEP] = SUITE_SWEEP,
      [WL_TABLE_SCALE] = SUITE_SCALE,   [WL_TABLE_ORACLE] = SUITE_ORACLE,
      [WL_TABLE_REUSE] = SUITE_REUSE,   [WL_TABLE_PYTHON] = SUITE_PYTHON,
  };
  int n = (int)sized(r->tasks, smoke), d = (int)sized(r->delay_ms, smoke);

  for (int k = 0; k < 2 * (RUN_MULTIPROC + 1); k++) {
    /* the C and CPython table: each model's C cell, then its CPython one */
    int m = r->table == WL_TABLE_PYTHON ? k / 2 : k, py = k % 2;
    suite_cell *cell;
    wl_params *p;
    if (r->table != WL_TABLE_PYTHON && k > RUN_MULTIPROC)
      break;
    if (r->table == WL_TABLE_PYTHON && s->py_skipped[0] != '\0')
      break; /* C's side alone compares with nothing */
    if (!(r->models & (1u << m)))
      continue;
    cell = add(s, wl, (run_model)m, (r->offload_models & (1u << m)) != 0,
               tables[r->table], n, c, d, sized(r->limit, smoke));
    p = &cell->opts.params;
    p->endpoint = r->endpoint;
    p->size = sized(r->size, smoke);
    p->no_reuse = r->no_reuse;
    p->rounds = (int)sized(r->rounds, smoke);
    set_row_flags(wl, r, smoke, p);
    cell->opts.blocking_in_loop = r->blocking_in_loop;
    cell->opts.threadpool = r->threadpool;
    cell->target = target_of(&r->target, d, c, cores);
    cell->crosscheck = r->crosscheck;
    cell->variant = r->variant;
    cell->py = r->table == WL_TABLE_PYTHON && py;
    if (r->table == WL_TABLE_PYTHON && cell->runs > SUITE_PY_RUNS)
      cell->runs = SUITE_PY_RUNS;
    if (r->variant != NULL)
      snprintf(cell->label, sizeof cell->label, "%s %s", run_model_names[m],
               r->variant);
  }
}

/* A row's cells: at its concurrency, or at C = 1, 2, 4, ... up to N. */
static void add_row(suite_matrix *s, const wl_workload *wl, const wl_row *r,
                    int smoke, int cores) {
  int n = (int)sized(r->tasks, smoke);
  long long c = sized(r->concurrency, smoke);

  if (c == WL_ROW_C_DOUBLING) {
    for (int k = 1; k <= n; k *= 2)
      add_models(s, wl, r, k, smoke, cores);
    return;
  }
  add_models(s, wl, r,
             c == WL_ROW_C_ALL      ? n
             : c == WL_ROW_C_CORES  ? cores
             : c == WL_ROW_C_2CORES ? 2 * cores
                                    : (int)c,
             smoke, cores);
}

/* Every workload's rows that are `when`. */
static void add_rows(suite_matrix *s, const wl_workload *const *wls,
                     wl_when when, int full, int smoke, int cores) {
  for (int w = 0; wls[w] != NULL; w++)
    for (int k = 0; k < wls[w]->nrows; k++) {
      const wl_row *r = &wls[w]->rows[k];
      if (r->when == when ||
          (when == WL_ALWAYS && r->when == WL_FULL && full))
        add_row(s, wls[w], r, smoke, cores);
    }
}

/* The same workload, N and flags (for an oracle, any --delay-ms). */
static int same_work(const suite_cell *a, const suite_cell *b,
                     int ignore_delay) {
  const wl_params *p = &a->opts.params, *q = &b->opts.params;
  const wl_workload *wl = a->opts.wl;

  if (wl != b->opts.wl || p->tasks != q->tasks ||
      (!ignore_delay && p->delay_ms != q->delay_ms) || p->limit != q->limit)
    return 0;
  for (int k = 0; k < wl->nflags; k++) {
    const wl_flag *f = &wl->flags[k];
    if (f->field == offsetof(wl_params, delay_ms) ||
        f->field == offsetof(wl_params, limit))
      continue;
    if (memcmp((const char *)p + f->field, (const char *)q + f->field,
               wl_flag_bytes(f->kind)) != 0)
      return 0;
  }
  return 1;
}

/* Each cell's baseline: the seq cell of the same work (for scale rows, the
 * oracle).  seq cells are their own baseline (speedup 1). */
static void link_baselines(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    suite_table want = c->table == SUITE_SCALE    ? SUITE_ORACLE
                       : c->table == SUITE_REUSE  ? SUITE_REUSE
                       : c->table == SUITE_PYTHON ? SUITE_PYTHON
                                                  : SUITE_MAIN;
    if (c->opts.model == RUN_SEQ)
      c->baseline = i;
    for (int j = 0; j < s->ncells && c->baseline < 0; j++) {
      suite_cell *b = &s->cells[j];
      if (b->opts.model == RUN_SEQ && b->table == want && b->py == c->py &&
          same_work(b, c, want == SUITE_ORACLE))
        c->baseline = j;
    }
    /* C and CPython's cells of many tasks: C's oracle has the checksum */
    for (int j = 0; j < s->ncells && c->baseline < 0 && want == SUITE_PYTHON;
         j++)
      if (s->cells[j].table == SUITE_ORACLE && same_work(&s->cells[j], c, 1))
        c->baseline = j;
  }
}

/* A CPython cell's peer: the C cell of the same model and work. */
static void link_peers(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    for (int j = 0; j < s->ncells && c->py && c->peer < 0; j++) {
      suite_cell *b = &s->cells[j];
      if (b->table == SUITE_PYTHON && !b->py &&
          b->opts.model == c->opts.model && b->opts.offload == c->opts.offload &&
          same_work(b, c, 0))
        c->peer = j;
    }
  }
}

/* The offload lesson (a workload whose table shows "vs async in-loop"):
 * each offloaded cell is compared with the in-loop cell of the same work
 * in the same table. */
static void link_in_loop(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    if (!(c->opts.wl->columns & WL_COL_OFFLOAD) || !c->opts.offload)
      continue;
    for (int j = 0; j < s->ncells && c->in_loop < 0; j++) {
      suite_cell *b = &s->cells[j];
      if (b->opts.model == RUN_ASYNC && !b->opts.offload &&
          b->table == c->table && same_work(b, c, 0))
        c->in_loop = j;
    }
  }
}

int suite_profile_build(suite_matrix *s, const char *profile, int cores) {
  return suite_profile_build_of(s, profile, cores, wl_all);
}

int suite_profile_build_of(suite_matrix *s, const char *profile, int cores,
                           const wl_workload *const *wls) {
  int full = strcmp(profile, "full") == 0;
  int smoke = strcmp(profile, "smoke") == 0;
  if (!full && !smoke && strcmp(profile, "quick") != 0)
    return -1;
  snprintf(s->profile, sizeof s->profile, "%s", profile);
  s->cores = cores;
  s->warmups = 1;
  s->runs = full ? 7 : smoke ? 2 : 5;
  add_rows(s, wls, WL_ALWAYS, full, smoke, cores);
  if (!full)
    add_rows(s, wls, WL_QUICK_TAIL, full, smoke, cores);
  link_baselines(s);
  link_in_loop(s);
  link_peers(s);
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
  if (c->opts.wl->ideal == WL_IDEAL_WORKERS) {
    /* page-cache copies are CPU work: one core per worker, at most; for
     * async the workers are the threadpool's */
    int workers = c->opts.model != RUN_ASYNC ? conc
                  : c->opts.threadpool > 0  ? c->opts.threadpool
                                            : 4;
    return workers < cores ? workers : cores;
  }
  if (c->opts.wl->ideal == WL_IDEAL_OVERLAP) {
    /* Equal waits, C at a time: ceil(N / C) rounds instead of N. */
    int rounds = (p->tasks + conc - 1) / conc;
    return (double)p->tasks / rounds;
  }
  /* CPU work (and mostly CPU, as pipeline): one core per task in flight */
  return conc < cores ? conc : cores;
}

const char *suite_model_label(const suite_cell *c) {
  static const char *const no_reuse[] = {"seq no-reuse", "async no-reuse",
                                         "threaded no-reuse",
                                         "multiproc no-reuse"};
  if (c->variant != NULL)
    return c->label;
  if (c->opts.model == RUN_ASYNC && (c->opts.wl->options & WL_OPT_OFFLOAD))
    return c->opts.offload ? "async offload" : "async in-loop";
  if (c->opts.params.no_reuse)
    return no_reuse[c->opts.model];
  if (c->opts.blocking_in_loop)
    return "async blocking-in-loop";
  if (c->opts.threadpool > 0) /* a pool for uv_fs, not for offloading */
    return "async threadpool-set";
  return run_model_names[c->opts.model];
}

const char *suite_cell_variant(const suite_cell *c) {
  return c->variant != NULL ? c->variant : run_variant(&c->opts);
}

void suite_cell_label(const suite_cell *c, char *out, size_t cap) {
  snprintf(out, cap, "%s %s C=%d N=%d%s", c->opts.wl->name,
           suite_model_label(c), c->opts.params.concurrency,
           c->opts.params.tasks, c->py ? " CPython" : "");
}
