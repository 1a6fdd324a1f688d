/*
 * evaluate.c - from a cell's runs to what the report says about it:
 * medians, the comparison with seq of the same work (speedup, efficiency,
 * checksum), failures, and the figures a target asks for.
 */
#include "suite.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(suite_cell *c, const char *why) {
  if (!c->failed)
    snprintf(c->why, sizeof c->why, "%s", why);
  c->failed = 1;
}

/* The figures whose median over the measured runs a cell keeps: where
 * each is in a run, and where its median goes in the cell. */
static const struct {
  size_t run, cell;
} medians[] = {
    {offsetof(suite_run, user_s), offsetof(suite_cell, user_s)},
    {offsetof(suite_run, sys_s), offsetof(suite_cell, sys_s)},
    {offsetof(suite_run, max_rss_kb), offsetof(suite_cell, max_rss_kb)},
    {offsetof(suite_run, vol_ctx), offsetof(suite_cell, vol_ctx)},
    {offsetof(suite_run, invol_ctx), offsetof(suite_cell, invol_ctx)},
    {offsetof(suite_run, connections), offsetof(suite_cell, connections)},
    {offsetof(suite_run, lag_p50_ms), offsetof(suite_cell, lag_p50_ms)},
    {offsetof(suite_run, lag_p99_ms), offsetof(suite_cell, lag_p99_ms)},
    {offsetof(suite_run, lag_max_ms), offsetof(suite_cell, lag_max_ms)},
    {offsetof(suite_run, compute_ms), offsetof(suite_cell, compute_ms)},
};

/* Medians over the measured runs; a run that failed fails the cell. */
static void evaluate_runs(suite_cell *c) {
  int nm = c->nresults - c->warmups;
  suite_run *m = c->results + c->warmups;
  double *v;
  char msg[160];

  if (nm <= 0) {
    fail(c, "no measured runs");
    return;
  }
  v = calloc((size_t)nm, sizeof(double));
  if (v == NULL)
    abort();
  for (int i = 0; i < nm; i++) {
    if (!m[i].parsed || (m[i].exit_status != 0 && m[i].exit_status != 3)) {
      snprintf(msg, sizeof msg, "run failed (%s)",
               c->run_error[0] ? c->run_error : "no JSON");
      fail(c, msg);
    } else if (m[i].failed > 0) {
      snprintf(msg, sizeof msg, "%d of %d tasks failed", m[i].failed,
               m[i].failed + m[i].ok);
      fail(c, msg);
    } else if (strcmp(m[i].checksum, m[0].checksum) != 0) {
      fail(c, "checksum differs between runs");
    }
    v[i] = m[i].wall_s;
  }
  c->wall = base_summarise(v, nm);
  for (size_t k = 0; k < sizeof medians / sizeof medians[0]; k++) {
    for (int i = 0; i < nm; i++)
      v[i] = *(const double *)((const char *)&m[i] + medians[k].run);
    *(double *)((char *)c + medians[k].cell) = base_median(v, nm);
  }
  c->threadpool_size = m[0].threadpool_size;
  free(v);
}

/* Append one figure of a target. */
static int clause(suite_clause *out, int n, int met, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out[n].text, sizeof out[n].text, fmt, ap);
  va_end(ap);
  out[n].met = met;
  return n + 1;
}

int suite_target_clauses(const suite_cell *c,
                         suite_clause out[SUITE_MAX_CLAUSES]) {
  const suite_target *t = &c->target;
  int n = 0;

  if (t->eff_min > 0)
    n = clause(out, n, c->speedup > 0 && c->efficiency >= t->eff_min,
               "efficiency >= %.2f", t->eff_min);
  if (t->speedup_hi > 0)
    n = clause(out, n, c->speedup >= t->speedup_lo &&
                           c->speedup <= t->speedup_hi,
               "speedup %.1f..%.1f", t->speedup_lo, t->speedup_hi);
  if (t->wall_max_s > 0)
    n = clause(out, n, c->wall.median <= t->wall_max_s, "wall <= %.0f ms",
               t->wall_max_s * 1000);
  if (t->vs_in_loop_min > 0)
    n = clause(out, n, c->vs_in_loop >= t->vs_in_loop_min,
               "vs in-loop >= %.2fx", t->vs_in_loop_min);
  if (t->lag_p99_max_ms > 0)
    n = clause(out, n, c->lag_p99_ms < t->lag_p99_max_ms,
               "lag p99 < %.0f ms", t->lag_p99_max_ms);
  if (t->lag_p99_min_steps > 0)
    n = clause(out, n, c->compute_ms > 0 &&
                           c->lag_p99_ms >= t->lag_p99_min_steps *
                                                c->compute_ms,
               "lag p99 >= %.0f compute step", t->lag_p99_min_steps);
  return n;
}

static void evaluate_target(suite_cell *c) {
  suite_clause clauses[SUITE_MAX_CLAUSES];
  int n = suite_target_clauses(c, clauses), met = !c->failed;

  if (n == 0)
    return;
  for (int i = 0; i < n; i++)
    met = met && clauses[i].met;
  c->target_met = met ? SUITE_TARGET_MET : SUITE_TARGET_MISSED;
}

/* pipeline's lesson: offloading against computing in the loop. */
static void compare_with_in_loop(suite_matrix *s, suite_cell *c) {
  const suite_cell *b = c->in_loop >= 0 ? &s->cells[c->in_loop] : NULL;
  if (b != NULL && !b->failed && !c->failed)
    c->vs_in_loop = b->wall.median / c->wall.median;
}

void suite_evaluate(suite_matrix *s) {
  for (int i = 0; i < s->ncells; i++)
    evaluate_runs(&s->cells[i]);
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    const suite_cell *b = c->baseline >= 0 ? &s->cells[c->baseline] : NULL;
    c->ideal = suite_ideal(c, s->cores);
    if (!c->failed && c->peer >= 0 && !s->cells[c->peer].failed &&
        strcmp(c->results[c->warmups].checksum,
               s->cells[c->peer].results[s->cells[c->peer].warmups]
                   .checksum) != 0)
      fail(c, "checksum differs from C's");
    if (b == NULL) {
      fail(c, "no seq baseline in this suite");
    } else if (b->failed && b != c) {
      fail(c, "seq baseline failed");
    } else if (!c->failed && strcmp(c->results[c->warmups].checksum,
                                    b->results[b->warmups].checksum) != 0) {
      fail(c, "checksum differs from seq's");
    }
    if (!c->failed && b != NULL && b->table != SUITE_ORACLE) {
      c->speedup = b->wall.median / c->wall.median;
      c->efficiency = c->ideal > 0 ? c->speedup / c->ideal : 0;
    }
  }
  for (int i = 0; i < s->ncells; i++) {
    compare_with_in_loop(s, &s->cells[i]);
    evaluate_target(&s->cells[i]);
  }
}
