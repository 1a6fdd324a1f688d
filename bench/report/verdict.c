/*
 * verdict.c - the report's first screen: warnings, then one verdict per
 * workload, worked out from this run's numbers (see report.h).
 *
 * A reader should learn which model wins, by how much, why, and when the
 * answer changes without hunting through tables, and should be told first
 * when the numbers cannot be trusted.  Every word here follows from the
 * suite struct: when the numbers flip, so do the sentences.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "section.h"

#define TIE_PCT 5.0        /* medians closer than this are level */
#define NOISY_MAD_PCT 10.0 /* MAD over this share of the median */
#define OUTLIER_MADS 5.0   /* max this many MADs above the median ... */
#define OUTLIER_PCT 10.0   /* ... and this share above it */
#define LIST_MAX 6         /* cells named in one warning */
#define RANK_MAX 16

void report_cell_anchor(const suite_cell *c, char *out, size_t cap) {
  size_t len = (size_t)snprintf(out, cap, "%s-%s-", c->opts.wl->name,
                                suite_table_names[c->table]);
  for (const char *p = suite_model_label(c); *p != '\0' && len + 1 < cap;
       p++)
    out[len++] = *p == ' ' ? '-' : *p;
  snprintf(out + len, cap - len, "-c%d-n%d", c->opts.params.concurrency,
           c->opts.params.tasks);
}

/* "[label](#anchor)" for a cell. */
static const char *cell_link(const suite_cell *c, const char *text, char *buf,
                             size_t cap) {
  char anchor[128];
  report_cell_anchor(c, anchor, sizeof anchor);
  snprintf(buf, cap, "[%s](#%s)", text, anchor);
  return buf;
}

/* ---- warnings ------------------------------------------------------------ */

int report_cell_noisy(const suite_cell *c) {
  const base_summary *w = &c->wall;
  double above = w->max - w->median;
  if (c->failed || w->median <= 0)
    return 0;
  return w->mad > w->median * NOISY_MAD_PCT / 100 ||
         (above > OUTLIER_MADS * w->mad &&
          above > w->median * OUTLIER_PCT / 100);
}

/* The cells noisy (noisy = 1) or FAILED (noisy = 0), named: the count. */
static int cell_list(FILE *out, const suite_matrix *s, int noisy) {
  int n = 0;
  char label[96];
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    if (noisy ? !report_cell_noisy(c) : !c->failed)
      continue;
    if (out != NULL && n < LIST_MAX) {
      suite_cell_label(c, label, sizeof label);
      fprintf(out, "%s%s", n > 0 ? ", " : "", label);
    }
    n++;
  }
  if (out != NULL && n > LIST_MAX)
    fprintf(out, " and %d more", n - LIST_MAX);
  return n;
}

/* Each warning: 1 when it holds, printed after lead when out is not NULL. */
static int warn_build(FILE *out, const suite_matrix *s, const char *lead) {
  const char *b = s->machine.build_type;
  if (strcmp(b, "Release") == 0)
    return 0;
  if (out != NULL)
    fprintf(out, "%sa %s build, not Release: the models ran without the "
            "optimiser (or with checks compiled in), so CPU-bound rows are "
            "slower than they should be and the ratios between models can "
            "change. Build with `cmake --preset release`.\n", lead,
            b[0] != '\0' ? b : "unknown");
  return 1;
}

static int warn_load(FILE *out, const suite_matrix *s, const char *lead) {
  const base_machine *m = &s->machine;
  if (m->cores <= 0 || m->load[0] <= m->cores)
    return 0;
  if (out != NULL)
    fprintf(out, "%sthe load average was %.2f at the start, above the %d "
            "cores: other programs wanted the CPU, so wall times include "
            "waits for a core and CPU-bound speedups and efficiencies read "
            "low. Rerun on an idle machine.\n", lead, m->load[0], m->cores);
  return 1;
}

static int warn_steal(FILE *out, const suite_matrix *s, const char *lead) {
  double steal = s->machine.steal_pct;
  if (steal < 0 || steal <= BASE_MACHINE_STEAL_PCT)
    return 0;
  if (out != NULL)
    fprintf(out, "%sthe host stole %.1f%% of the CPU time during the suite "
            "(steal in /proc/stat, over %.0f%%): this virtual machine's "
            "cores were not all its own, so wall times are longer and vary "
            "between runs, CPU-bound rows most.\n", lead, steal,
            BASE_MACHINE_STEAL_PCT);
  return 1;
}

static int warn_others(FILE *out, const suite_matrix *s, const char *lead) {
  double others = s->machine.others_pct;
  if (others < 0 || others <= BASE_MACHINE_OTHERS_PCT)
    return 0;
  if (out != NULL)
    fprintf(out, "%sother programs used %.0f%% of the CPU time during the "
            "suite (busy time in /proc/stat less the suite's own, over "
            "%.0f%%): they took cores from the runs, so wall times include "
            "waits for a core, CPU-bound speedups read low and medians "
            "move between suites. Rerun on an idle machine.\n", lead,
            others, BASE_MACHINE_OTHERS_PCT);
  return 1;
}

static int warn_governor(FILE *out, const suite_matrix *s, const char *lead) {
  const char *g = s->machine.governor;
  if (g[0] == '\0' || strcmp(g, "performance") == 0)
    return 0;
  if (out != NULL)
    fprintf(out, "%sthe CPU frequency governor is `%s`, not `performance`: "
            "the clock speed follows the load, so short cells and runs "
            "after an idle spell are slower and medians drift between "
            "suites.\n", lead, g);
  return 1;
}

static int warn_noisy(FILE *out, const suite_matrix *s, const char *lead) {
  int n = cell_list(NULL, s, 1);
  if (n == 0 || out == NULL)
    return n > 0;
  fprintf(out, "%s%d cell%s noisy (MAD over %.0f%% of the median, or the "
          "slowest run over %.0f MADs and %.0f%% above it): ", lead, n,
          n == 1 ? " is" : "s are", NOISY_MAD_PCT, OUTLIER_MADS,
          OUTLIER_PCT);
  cell_list(out, s, 1);
  fprintf(out, ". %s less certain than the others': compare %s with "
          "care, or rerun with more `--runs`.\n",
          n == 1 ? "Its median is" : "Their medians are",
          n == 1 ? "it" : "them");
  return 1;
}

static int warn_failed(FILE *out, const suite_matrix *s, const char *lead) {
  int n = cell_list(NULL, s, 0);
  if (n == 0 || out == NULL)
    return n > 0;
  fprintf(out, "%s%d cell%s FAILED: ", lead, n, n == 1 ? "" : "s");
  cell_list(out, s, 0);
  fprintf(out, ". A failed cell is never ranked (its status column says "
          "why): a verdict that needed it is missing that model.\n");
  return 1;
}

typedef int (*warning_fn)(FILE *out, const suite_matrix *s, const char *lead);
static const warning_fn warnings[] = {warn_build,  warn_load,     warn_others,
                                      warn_steal,  warn_governor, warn_noisy,
                                      warn_failed};
#define NWARNINGS (sizeof warnings / sizeof warnings[0])

int report_warnings(FILE *out, const suite_matrix *s, const char *lead) {
  int n = 0;
  for (size_t k = 0; k < NWARNINGS; k++)
    n += warnings[k](out, s, lead);
  return n;
}

void report_warnings_markdown(FILE *out, const suite_matrix *s) {
  if (report_warnings(NULL, s, "") == 0)
    return;
  fprintf(out, "**Warnings: read these before the numbers.**\n\n");
  report_warnings(out, s, "- **warning:** ");
  fprintf(out, "\n");
}

/* ---- verdicts ------------------------------------------------------------ */

/* The ranked cells of a table (not FAILED, with a speedup or, for scale
 * rows, a wall time), fastest first: the count. */
static int ranked(const suite_matrix *s, const wl_workload *wl,
                  suite_table t, int tasks, int concurrency,
                  const suite_cell **out) {
  int n = 0;
  for (int i = 0; i < s->ncells && n < RANK_MAX; i++) {
    const suite_cell *c = &s->cells[i];
    if (c->opts.wl != wl || c->table != t || c->failed ||
        c->opts.model == RUN_SEQ || c->wall.median <= 0 ||
        (tasks > 0 && c->opts.params.tasks != tasks) ||
        (concurrency > 0 && c->opts.params.concurrency != concurrency))
      continue;
    int k = n++;
    while (k > 0 && out[k - 1]->wall.median > c->wall.median) {
      out[k] = out[k - 1];
      k--;
    }
    out[k] = c;
  }
  return n;
}

/* Level within the noise (a the faster): medians within TIE_PCT, or
 * closer than twice their MADs added (min-max would let one stray run
 * decide). */
static int level(const suite_cell *a, const suite_cell *b) {
  double apart = b->wall.median - a->wall.median;
  return apart <= a->wall.median * TIE_PCT / 100 ||
         apart <= 2 * (a->wall.mad + b->wall.mad);
}

static int in_loop(const suite_cell *c) {
  return c->opts.model == RUN_ASYNC &&
         (c->opts.blocking_in_loop ||
          ((c->opts.wl->options & WL_OPT_OFFLOAD) && !c->opts.offload));
}

/* Who wins the main table, by how much, and who is slower than seq. */
static void verdict_winner(FILE *out, const suite_matrix *s,
                           const wl_workload *wl) {
  const suite_cell *r[RANK_MAX];
  int n = ranked(s, wl, SUITE_MAIN, 0, 0, r), slow = 0;
  char a[320], b[320], text[64];

  if (n == 0) {
    fprintf(out, "no verdict: no model's cell of the main table was "
            "ranked (see the warnings)");
    return;
  }
  snprintf(text, sizeof text, "%.2fx over seq", r[0]->speedup);
  if (r[0]->speedup <= 1 + TIE_PCT / 100) { /* no winner: say so */
    fprintf(out, "no model beats seq%s; the best, **%s** at C=%d, runs at "
            "%s", r[0]->speedup < 1 - TIE_PCT / 100 ? "" : " by more than "
            "the noise", suite_model_label(r[0]),
            r[0]->opts.params.concurrency, cell_link(r[0], text, a, sizeof a));
    return;
  }
  fprintf(out, "**%s** wins at C=%d, %s", suite_model_label(r[0]),
          r[0]->opts.params.concurrency, cell_link(r[0], text, a, sizeof a));
  if (n > 1 && level(r[0], r[1]))
    fprintf(out, ", level with %s (%.2fx, %.2fx as long: within the "
            "noise)", cell_link(r[1], suite_model_label(r[1]), b, sizeof b),
            r[1]->speedup, r[1]->wall.median / r[0]->wall.median);
  else if (n > 1)
    fprintf(out, ", %.2fx as fast as the next, %s (%.2fx)",
            r[1]->wall.median / r[0]->wall.median,
            cell_link(r[1], suite_model_label(r[1]), b, sizeof b),
            r[1]->speedup);
  for (int k = 1; k < n; k++)
    if (r[k]->speedup < 1 - TIE_PCT / 100 && !in_loop(r[k]))
      fprintf(out, "%s %s (%.2fx)", slow++ ? "," : "; slower than seq:",
              cell_link(r[k], suite_model_label(r[k]), a, sizeof a),
              r[k]->speedup);
}

/* The sweep's smallest concurrency: does any model gain there? */
static int when_sweep(FILE *out, const suite_matrix *s, const wl_workload *wl,
                      const char *sep) {
  const suite_cell *r[RANK_MAX];
  int cmin = 0, n;
  char a[320], text[64];

  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    if (c->opts.wl == wl && c->table == SUITE_SWEEP &&
        (cmin == 0 || c->opts.params.concurrency < cmin))
      cmin = c->opts.params.concurrency;
  }
  if (cmin == 0 || (n = ranked(s, wl, SUITE_SWEEP, 0, cmin, r)) == 0)
    return 0;
  if (r[0]->speedup < 1 + 2 * TIE_PCT / 100) {
    snprintf(text, sizeof text, "best %.2fx", r[0]->speedup);
    fprintf(out, "%sat C=%d no model gains (%s)", sep, cmin,
            cell_link(r[0], text, a, sizeof a));
  } else {
    snprintf(text, sizeof text, "%s leads with %.2fx",
             suite_model_label(r[0]), r[0]->speedup);
    fprintf(out, "%sat C=%d %s", sep, cmin,
            cell_link(r[0], text, a, sizeof a));
  }
  return 1;
}

/* Computing inside the loop: what it costs the loop (its lag). */
static int when_in_loop(FILE *out, const suite_matrix *s,
                        const wl_workload *wl, const char *sep) {
  const suite_cell *held = NULL, *free_loop = NULL;
  char a[320], b[320], text[96];

  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    if (c->opts.wl != wl || c->table != SUITE_MAIN || c->failed ||
        c->opts.model != RUN_ASYNC)
      continue;
    if (in_loop(c) && held == NULL)
      held = c;
    else if (!in_loop(c) && free_loop == NULL)
      free_loop = c;
  }
  if (held == NULL)
    return 0;
  snprintf(text, sizeof text, "%s: %.2fx", suite_model_label(held),
           held->speedup);
  fprintf(out, "%srun the work inside the loop and the loop stalls: %s, "
          "loop lag p99 %.1f ms", sep, cell_link(held, text, a, sizeof a),
          held->lag_p99_ms);
  if (free_loop != NULL) {
    snprintf(text, sizeof text, "%.2f ms for %s", free_loop->lag_p99_ms,
             suite_model_label(free_loop));
    fprintf(out, " against %s", cell_link(free_loop, text, b, sizeof b));
  }
  return 1;
}

static void fmt_kib(double kib, char *buf, size_t cap) {
  if (kib < 1024)
    snprintf(buf, cap, "%.1f KiB", kib);
  else
    snprintf(buf, cap, "%.1f MiB", kib / 1024);
}

/* The scale rows: the largest batch two models or more ran, each model's
 * wall time and peak memory over the tasks it held in flight at once
 * (min(C, N): a model run at a smaller C holds fewer, each costing more),
 * and whether the lead changes hands. */
static int when_scale(FILE *out, const suite_matrix *s, const wl_workload *wl,
                      const suite_cell *main_winner, const char *sep) {
  const suite_cell *r[RANK_MAX];
  int best = 0, n = 0;
  char a[320], text[160], each[32], count[32], held[48];

  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    int tasks = c->opts.params.tasks;
    if (c->opts.wl == wl && c->table == SUITE_SCALE && tasks > best &&
        ranked(s, wl, SUITE_SCALE, tasks, 0, r) >= 2)
      best = tasks;
  }
  if (best == 0 || (n = ranked(s, wl, SUITE_SCALE, best, 0, r)) < 2)
    return 0;
  fprintf(out, "%sat %s tasks", sep,
          report_with_commas(best, count, sizeof count));
  for (int k = 0; k < n; k++) {
    int c = r[k]->opts.params.concurrency, inflight = c < best ? c : best;
    fmt_kib(r[k]->max_rss_kb / inflight, each, sizeof each);
    if (inflight < best)
      snprintf(held, sizeof held, "%s at a time",
               report_with_commas(inflight, count, sizeof count));
    else
      snprintf(held, sizeof held, "all at once");
    snprintf(text, sizeof text, "%s, %s: %.2f s, %.1f MiB (%s a task in "
             "flight)", suite_model_label(r[k]), held, r[k]->wall.median,
             r[k]->max_rss_kb / 1024, each);
    fprintf(out, "%s%s", k == 0 ? " " : ", ",
            cell_link(r[k], text, a, sizeof a));
  }
  if (main_winner != NULL &&
      strcmp(suite_model_label(r[0]), suite_model_label(main_winner)) != 0)
    fprintf(out, ": there %s leads", suite_model_label(r[0]));
  return 1;
}

static void verdict(FILE *out, const suite_matrix *s, const wl_workload *wl) {
  const suite_cell *r[RANK_MAX];
  const suite_cell *winner =
      ranked(s, wl, SUITE_MAIN, 0, 0, r) > 0 ? r[0] : NULL;
  int any = 0;

  fprintf(out, "- **%s** (%s): ", wl->name,
          wl->kind == WL_KIND_IO    ? "I/O"
          : wl->kind == WL_KIND_CPU ? "CPU"
                                    : "I/O and CPU");
  verdict_winner(out, s, wl);
  if (wl->lesson != NULL)
    fprintf(out, ". Why: %s", wl->lesson);
  any |= when_sweep(out, s, wl, ". When it changes: ");
  any |= when_in_loop(out, s, wl, any ? "; " : ". When it changes: ");
  any |= when_scale(out, s, wl, winner, any ? "; " : ". When it changes: ");
  fprintf(out, ".\n");
}

void report_verdicts(FILE *out, const suite_matrix *s) {
  char *why;
  fprintf(out, "## Verdicts\n\n");
  fprintf(out, "Worked out from this run's medians: the fastest model of "
          "each main table, and the next (level when their medians are "
          "within %.0f%% or within twice their MADs added). Each figure "
          "links the row it comes from.\n\n", TIE_PCT);
  for (int w = 0; wl_all[w] != NULL; w++)
    for (int i = 0; i < s->ncells; i++)
      if (s->cells[i].opts.wl == wl_all[w] &&
          s->cells[i].table == SUITE_MAIN) {
        verdict(out, s, wl_all[w]);
        break;
      }
  report_serve_verdicts(out, s);
  fprintf(out, "\n");
  why = base_section_put(NULL, REPORT_LAB_WHY,
                         "(run `conclab lab` for what one waiting unit of "
                         "each model costs in memory and start-up time: "
                         "the reason behind the scale rows)\n");
  if (why == NULL)
    abort();
  fprintf(out, "%s\n", why);
  free(why);
}
