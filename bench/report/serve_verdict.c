/*
 * serve_verdict.c - the verdicts' lines for the server benchmark: one per
 * scenario, from this run's numbers, each figure linking its row (see
 * verdict.c for the workloads' lines, which these follow).
 *
 * A closed-loop scenario is judged at the largest C two models or more
 * ran (the most load they were compared under; throughput and CPU work
 * at C = 100): the models by requests/s, each with its p99; a model
 * under a tenth of the best "collapses".  Slow clients: the active requests' figures with the most
 * connections held, and what one held connection costs in memory.  Open
 * loop: each model's p99 from the due time and the requests it left due.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SV_COLLAPSE 0.10 /* under this share of the best: collapses */
#define SV_MAX 8

/* Ranked before b: a model that answered every connection comes before
 * one that starved some (whose requests/s is one connection's ping-pong),
 * then the more requests/s. */
static int before(const suite_sv_cell *a, const suite_sv_cell *b) {
  if ((a->unanswered > 0) != (b->unanswered > 0))
    return b->unanswered > 0;
  return a->rps > b->rps;
}

/* The OK cells of scenario at C (or slow count) n, ranked. */
static int at(const suite_serve *sv, int scenario, int n,
              const suite_sv_cell **out) {
  int k = 0;
  for (int i = 0; i < sv->ncells && k < SV_MAX; i++) {
    const suite_sv_cell *c = &sv->cells[i];
    if (c->scenario != scenario || c->state != SUITE_SV_OK ||
        suite_sv_n(c) != n)
      continue;
    int j = k++;
    while (j > 0 && before(c, out[j - 1])) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = c;
  }
  return k;
}

/* Where a scenario is judged: the largest C (or slow count) at which the
 * most models, up to 2, ran - the most load they were compared under.
 * Throughput and CPU work are judged at SV_JUDGE_C where it ran (the C
 * wrk checks): past it every model's latency is the queue of C requests
 * over the cores, which says nothing of the model. */
#define SV_JUDGE_C 100
static int judged_at(const suite_serve *sv, int scenario) {
  const suite_sv_cell *r[SV_MAX];
  int best = 0, best_n = 0;
  int prefer = scenario == SUITE_SV_BYTES || scenario == SUITE_SV_CPU;
  if (prefer && at(sv, scenario, SV_JUDGE_C, r) >= 2)
    return SV_JUDGE_C;
  for (int i = 0; i < sv->ncells; i++) {
    const suite_sv_cell *c = &sv->cells[i];
    int n = suite_sv_n(c);
    int ran = c->scenario == scenario ? at(sv, scenario, n, r) : 0;
    ran = ran > 2 ? 2 : ran;
    if (ran > best_n || (ran == best_n && ran > 0 && n > best))
      best = n, best_n = ran;
  }
  return best;
}

static const char *link(const suite_sv_cell *c, const char *text, char *buf,
                        size_t cap) {
  char anchor[96];
  report_serve_anchor(c, anchor, sizeof anchor);
  snprintf(buf, cap, "[%s](#%s)", text, anchor);
  return buf;
}

/* A latency in ms with about three figures. */
static void fmt_ms(double ms, char *out, size_t cap) {
  snprintf(out, cap, ms < 1 ? "%.3f ms" : ms < 100 ? "%.1f ms" : "%.0f ms",
           ms);
}

/* What a model left unanswered: closed loop, the connections it starved
 * (one request each); open loop, the requests due. */
static void starved(const suite_sv_cell *c, char *out, size_t cap) {
  char u[32], n[32];
  report_with_commas((long)c->unanswered, u, sizeof u);
  report_with_commas(c->connections, n, sizeof n);
  if (c->unanswered <= 0)
    out[0] = '\0';
  else if (c->rate > 0)
    snprintf(out, cap, " (%s due unanswered)", u);
  else
    snprintf(out, cap, " (%.14s of %.14s connections starved)", u, n);
}

/* "async 9,512 req/s at p99 104.2 ms" or "seq collapses to 10 req/s at
 * p99 100 ms (999 of 1,000 connections starved)". */
static void figure(FILE *out, const suite_sv_cell *c, double best,
                   const char *sep) {
  char text[192], a[384], num[32], left[96];
  const char *name = suite_sv_models[c->model].label;
  report_with_commas((long)(c->rps + 0.5), num, sizeof num);
  starved(c, left, sizeof left);
  char p99[32] = "";
  if (c->requests > 0) {
    snprintf(p99, sizeof p99, " at p99 ");
    fmt_ms(c->p99_ms, p99 + 8, sizeof p99 - 8);
  }
  snprintf(text, sizeof text, "%s %s%s req/s%s%s", name,
           best > 0 && c->rps < best * SV_COLLAPSE ? "collapses to " : "",
           num, p99, left);
  fprintf(out, "%s%s", sep, link(c, text, a, sizeof a));
}

/* The same model's cell beside c (at the same n): NULL if none ran. */
static const suite_sv_cell *find(const suite_sv_cell *const *r, int n,
                                 const char *label) {
  for (int k = 0; k < n; k++)
    if (strcmp(suite_sv_models[r[k]->model].label, label) == 0)
      return r[k];
  return NULL;
}

static void offload_note(FILE *out, const suite_sv_cell *const *r, int n) {
  const suite_sv_cell *in = find(r, n, "async"),
                      *off = find(r, n, "async offload");
  char a[24], b[24];
  if (in == NULL || off == NULL)
    return;
  fmt_ms(in->p99_ms, a, sizeof a);
  fmt_ms(off->p99_ms, b, sizeof b);
  fprintf(out, "; offloaded, async's p99 goes from %s to %s", a, b);
}

/* Slow clients: what one held connection adds to each model's peak RSS,
 * between the fewest and the most held. */
static void per_held(FILE *out, const suite_serve *sv, int most) {
  const char *sep = "; each held connection costs ";
  for (int m = 0; m < suite_sv_nmodels; m++) {
    const suite_sv_cell *lo = NULL, *hi = NULL;
    for (int i = 0; i < sv->ncells; i++) {
      const suite_sv_cell *c = &sv->cells[i];
      if (c->scenario != SUITE_SV_SLOW || c->model != m ||
          c->state != SUITE_SV_OK)
        continue;
      if (lo == NULL || c->slow < lo->slow)
        lo = c;
      if (c->slow == most)
        hi = c;
    }
    if (lo == NULL || hi == NULL || hi->slow <= lo->slow)
      continue;
    double kib =
        (hi->server_rss_kb - lo->server_rss_kb) / (hi->slow - lo->slow);
    fprintf(out, "%s%s %.1f KiB%s", sep, suite_sv_models[m].label,
            kib > -0.05 && kib < 0.05 ? 0.0 : kib, /* no "-0.0" */
            hi->requests > 0 ? "" : " (and no answers)");
    sep = ", ";
  }
}

static void verdict(FILE *out, const suite_serve *sv, int scenario) {
  const suite_sv_cell *r[SV_MAX];
  char path[32], num[32];
  int n = judged_at(sv, scenario), k = 0, any = 0;

  for (int i = 0; i < sv->ncells; i++)
    any |= sv->cells[i].scenario == scenario;
  if (!any)
    return;
  suite_sv_path(sv, scenario, path, sizeof path);
  fprintf(out, "- **server `%s`** (%s): ", path,
          report_serve_title(scenario));
  if (n > 0)
    k = at(sv, scenario, n, r);
  if (k == 0) {
    fprintf(out, "no model ran (every one failed: see the table).\n");
    return;
  }
  report_with_commas(n, num, sizeof num);
  if (scenario == SUITE_SV_SLOW)
    fprintf(out, "with %s slow connections held, the %d active ones get",
            num, r[0]->connections);
  else if (scenario == SUITE_SV_BESIDE)
    fprintf(out, "with %s connections computing, the %d others get", num,
            r[0]->connections);
  else if (scenario == SUITE_SV_OPEN)
    fprintf(out, "%.0f requests/s due on %s connections:", r[0]->rate, num);
  else
    fprintf(out, "at C=%s:", num);
  /* collapse is against the best that served every connection */
  for (int j = 0; j < k; j++)
    figure(out, r[j], r[0]->rps, j == 0 ? " " : ", ");
  if (scenario == SUITE_SV_CPU || scenario == SUITE_SV_BESIDE)
    offload_note(out, r, k);
  if (scenario == SUITE_SV_SLOW)
    per_held(out, sv, n);
  fprintf(out, ".\n");
}

/* What a gap is made of: each generator's CPU a request and its server's,
 * as measured in the two runs.  On shared cores what a generator spends
 * the server lacks: a generator cheaper by a share of a request's whole
 * CPU (generator + server) lets its run go faster by about that share.
 * So the generators explain a gap in the direction their costs say and
 * at least half its size; otherwise the two runs, seconds apart on a
 * machine others use too, differ.  (A model that starves connections
 * has its cause already: see starved.) */
static void gap_cause(const suite_sv_cell *c, double gap, char *out,
                      size_t cap) {
  double lg, ls, wg, ws, share;
  char why[96];
  out[0] = '\0';
  if (c->unanswered > 0 || c->requests <= 0 || c->wrk_requests <= 0 ||
      c->wrk_cpu_s <= 0)
    return;
  lg = c->load_cpu_s / c->requests * 1e6;
  ls = c->server_cpu_s / c->requests * 1e6;
  wg = c->wrk_cpu_s / c->wrk_requests * 1e6;
  ws = c->wrk_server_cpu_s / c->wrk_requests * 1e6;
  share = (wg - lg) / (wg + ws) * 100.0; /* > 0: conclab load's run gains */
  if (share * -gap > 0 && fabs(share) * 2 >= fabs(gap))
    snprintf(why, sizeof why, "conclab load %s %.0f%% of a request's CPU",
             share > 0 ? "leaves the server" : "takes from the server",
             fabs(share));
  else
    snprintf(why, sizeof why, "the generators differ by %.1f%% of a "
             "request's CPU, the gap is the runs'", fabs(share));
  snprintf(out, cap, " (CPU a request, generator + server: conclab load "
           "%.1f + %.1f µs, wrk %.1f + %.1f µs: %s)", lg, ls, wg, ws, why);
}

/* wrk beside conclab load: how many cells agree within the gap, and the
 * ones that do not, linked, each with what its gap is made of. */
static void wrk_line(FILE *out, const suite_serve *sv) {
  int compared = 0, within = 0;
  char text[192], a[384], cause[224];
  double gap;
  for (int i = 0; i < sv->ncells; i++)
    if (suite_sv_wrk_gap(&sv->cells[i], &gap) == 0) {
      compared++;
      within += gap <= SUITE_WRK_GAP_PCT && gap >= -SUITE_WRK_GAP_PCT;
    }
  if (!sv->wrk_found) {
    fprintf(out, "- **wrk cross-check**: not run: %s.\n", sv->wrk_skipped);
    return;
  }
  fprintf(out, "- **wrk cross-check**: conclab load's requests/s within "
          "%.0f%% of wrk's on %d of %d cells", SUITE_WRK_GAP_PCT, within,
          compared);
  const char *sep = "; further apart: ";
  for (int i = 0; i < sv->ncells; i++) {
    const suite_sv_cell *c = &sv->cells[i];
    if (suite_sv_wrk_gap(c, &gap) != 0 ||
        (gap <= SUITE_WRK_GAP_PCT && gap >= -SUITE_WRK_GAP_PCT))
      continue;
    char left[96]; /* starved: one or two connections' ping-pong varies */
    starved(c, left, sizeof left);
    snprintf(text, sizeof text, "%s %s at C=%d: %+.0f%%%s",
             suite_sv_names[c->scenario], suite_sv_models[c->model].label,
             c->connections, -gap, left);
    gap_cause(c, gap, cause, sizeof cause);
    fprintf(out, "%s%s%s", sep, link(c, text, a, sizeof a), cause);
    sep = ", ";
  }
  fprintf(out, ".\n");
}

void report_serve_verdicts(FILE *out, const suite_matrix *s) {
  if (!s->serve.ran)
    return;
  for (int k = 0; k < SUITE_SV_SCENARIOS; k++)
    verdict(out, &s->serve, k);
  wrk_line(out, &s->serve);
}
