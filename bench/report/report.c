/*
 * report.c - writing the suite's results (see report.h).
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "atomic.h"
#include "json.h"
#include "version.h"
#include "manifest.h"
#include "section.h"

/* ---- pieces of a row ---------------------------------------------------- */

/* "efficiency >= 0.90: met", one such figure after another. */
static void cell_target(const suite_cell *c, char *out, size_t cap) {
  suite_clause clauses[SUITE_MAX_CLAUSES];
  int n = suite_target_clauses(c, clauses);
  size_t len = 0;

  out[0] = '\0';
  for (int i = 0; i < n && len < cap; i++)
    len += (size_t)snprintf(out + len, cap - len, "%s%s: %s",
                            i > 0 ? "; " : "", clauses[i].text,
                            clauses[i].met && !c->failed ? "met" : "MISSED");
}

static void cell_status(const suite_cell *c, char *out, size_t cap) {
  if (c->failed)
    snprintf(out, cap, "FAILED: %s", c->why);
  else
    snprintf(out, cap, "ok");
}

static void cell_speedup(const suite_cell *c, char *speedup, char *eff,
                         size_t cap) {
  if (c->failed) {
    snprintf(speedup, cap, "FAILED");
    snprintf(eff, cap, "-");
  } else if (c->speedup > 0) {
    snprintf(speedup, cap, "%.2fx", c->speedup);
    snprintf(eff, cap, "%.2f", c->efficiency);
  } else {
    snprintf(speedup, cap, "-");
    snprintf(eff, cap, "-");
  }
}

/* The columns every table shares: wall statistics, then the costs. */
static void row_costs(FILE *out, const suite_cell *c) {
  fprintf(out, " %.4f | %.4f | %.4f | %.4f |", c->wall.median, c->wall.mad,
          c->wall.min, c->wall.max);
}

static void row_usage(FILE *out, const suite_cell *c) {
  fprintf(out, " %.3f | %.3f | %.1f | %.0f / %.0f |", c->user_s, c->sys_s,
          c->max_rss_kb / 1024.0, c->vol_ctx, c->invol_ctx);
}

/* The loop's lag, p50 / p99 / max: async only. */
static void row_lag(FILE *out, const suite_cell *c) {
  if (c->opts.model != RUN_ASYNC)
    fprintf(out, " - |");
  else
    fprintf(out, " %.2f / %.2f / %.2f |", c->lag_p50_ms, c->lag_p99_ms,
            c->lag_max_ms);
}

/* ---- Markdown ----------------------------------------------------------- */

static void md_machine(FILE *out, const suite_matrix *s) {
  const base_machine *m = &s->machine;
  fprintf(out, "## Machine\n\n| | |\n|---|---|\n");
  fprintf(out, "| CPU | %s |\n", m->cpu);
  fprintf(out, "| cores | %d |\n", m->cores);
  fprintf(out, "| memory | %.1f GiB |\n", m->mem_gib);
  fprintf(out, "| kernel | %s |\n", m->kernel);
  fprintf(out, "| compiler | %s, %s build, flags `%s` |\n", m->compiler,
          m->build_type, m->cflags);
  fprintf(out, "| libuv | %s |\n", m->libuv);
  fprintf(out, "| libcurl | %s |\n", m->libcurl);
  fprintf(out, "| load average at start | %.2f %.2f %.2f |\n", m->load[0],
          m->load[1], m->load[2]);
  if (m->others_pct >= 0)
    fprintf(out, "| CPU used by other programs during the run | %.1f%% |\n",
            m->others_pct);
  else
    fprintf(out, "| CPU used by other programs during the run | not known "
            "|\n");
  if (m->steal_pct >= 0)
    fprintf(out, "| CPU stolen by the host during the run | %.1f%% |\n",
            m->steal_pct);
  else
    fprintf(out, "| CPU stolen by the host during the run | not known |\n");
  fprintf(out, "| frequency governor | %s |\n",
          m->governor[0] ? m->governor : "not readable");
  fprintf(out, "| git commit | %s |\n\n", m->commit);
}

/* The columns of the summary: every model label a main table has. */
static const char *const summary_labels[] = {
    "async", "async in-loop", "async offload", "threaded", "multiproc"};
#define NLABELS (sizeof summary_labels / sizeof summary_labels[0])

static const suite_cell *
summary_cell(const suite_matrix *s, const wl_workload *wl, const char *label) {
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    if (c->table == SUITE_MAIN && c->opts.wl == wl &&
        strcmp(suite_model_label(c), label) == 0)
      return c;
  }
  return NULL;
}

void report_summary(FILE *out, const suite_matrix *s) {
  fprintf(out, "| workload |");
  for (size_t k = 0; k < NLABELS; k++)
    fprintf(out, " %s |", summary_labels[k]);
  fprintf(out, "\n|---|");
  for (size_t k = 0; k < NLABELS; k++)
    fprintf(out, "---:|");
  fprintf(out, "\n");
  for (int w = 0; wl_all[w] != NULL; w++) {
    if (summary_cell(s, wl_all[w], "threaded") == NULL)
      continue;
    fprintf(out, "| %s |", wl_all[w]->name);
    for (size_t k = 0; k < NLABELS; k++) {
      const suite_cell *c = summary_cell(s, wl_all[w], summary_labels[k]);
      char speedup[32], eff[32];
      if (c == NULL) {
        fprintf(out, " - |");
        continue;
      }
      cell_speedup(c, speedup, eff, sizeof speedup);
      fprintf(out, " %s |", speedup);
    }
    fprintf(out, "\n");
  }
}

/* The paragraph above a workload's tables: its descriptor words it, from
 * the parameters of a model's cell of the main table (its C, not seq's 1). */
static void md_workload_intro(FILE *out, const suite_matrix *s,
                              const suite_cell *c) {
  const wl_params *p = &c->opts.params;
  for (int i = 0; i < s->ncells; i++)
    if (s->cells[i].opts.wl == c->opts.wl && s->cells[i].table == SUITE_MAIN &&
        s->cells[i].opts.model != RUN_SEQ) {
      p = &s->cells[i].opts.params;
      break;
    }
  if (c->opts.wl->report_intro != NULL)
    c->opts.wl->report_intro(out, p, s->cores);
}

/* MB/s of a cell at its median wall time: every task of a cell that did
 * not fail succeeded in every run. */
static double cell_mb_per_s(const suite_cell *c) {
  return wl_mb_per_s(c->opts.wl, &c->opts.params, c->opts.params.tasks,
                     c->wall.median);
}

/* The offload lesson's own columns - libuv's pool, the compute
 * step's CPU time, and offload's speedup over computing in the loop. */
static void row_pipeline(FILE *out, const suite_cell *c) {
  char pool[16] = "-", vs[32] = "-";
  if (c->opts.model == RUN_ASYNC)
    snprintf(pool, sizeof pool, "%d", c->threadpool_size);
  if (c->vs_in_loop > 0)
    snprintf(vs, sizeof vs, "%.2fx", c->vs_in_loop);
  fprintf(out, " %s | %.2f | %s |", pool, c->compute_ms, vs);
}

static void md_table_full(FILE *out, const suite_matrix *s,
                          const wl_workload *wl, suite_table table) {
  /* the workload's own columns, as its descriptor asks */
  int mb_per_s = (wl->columns & WL_COL_MB_PER_S) != 0;
  int offload = (wl->columns & WL_COL_OFFLOAD) != 0;
  fprintf(out, "| model | C | wall median (s) | MAD (s) | min (s) | max (s) "
          "|%s speedup | ideal | efficiency |%s user (s) | sys (s) | peak "
          "RSS (MiB) | ctx switches vol / invol | loop lag p50 / p99 / max "
          "(ms) | target | status |\n", mb_per_s ? " MB/s |" : "",
          offload ? " pool | compute step (ms CPU) | vs async in-loop |"
                   : "");
  fprintf(out, "|---|---:|---:|---:|---:|---:|%s---:|---:|---:|%s---:|---:|"
          "---:|---:|---:|---|---|\n", mb_per_s ? "---:|" : "",
          offload ? "---:|---:|---:|" : "");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    char speedup[32], eff[32], target[160], status[192];
    if (c->opts.wl != wl || c->table != table)
      continue;
    cell_speedup(c, speedup, eff, sizeof speedup);
    cell_target(c, target, sizeof target);
    cell_status(c, status, sizeof status);
    fprintf(out, "| %s | %d |", suite_model_label(c),
            c->opts.params.concurrency);
    row_costs(out, c);
    if (mb_per_s)
      fprintf(out, " %.0f |", cell_mb_per_s(c));
    fprintf(out, " %s | %.2f | %s |", speedup, c->ideal, eff);
    if (offload)
      row_pipeline(out, c);
    row_usage(out, c);
    row_lag(out, c);
    fprintf(out, " %s | %s |\n", target, status);
  }
  fprintf(out, "\n");
}

static void md_scale_full(FILE *out, const suite_matrix *s,
                          const wl_workload *wl) {
  fprintf(out, "| model | tasks | C | wall median (s) | MAD (s) | min (s) | "
          "max (s) | wall / D | ideal | user (s) | sys (s) | peak RSS (MiB) "
          "| ctx switches vol / invol | CPU per task (us) | loop lag p50 / "
          "p99 / max (ms) | target | status |\n");
  fprintf(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
          "---:|---:|---:|---|---|\n");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    char target[160], status[192];
    if (c->opts.wl != wl || c->table != SUITE_SCALE)
      continue;
    cell_target(c, target, sizeof target);
    cell_status(c, status, sizeof status);
    fprintf(out, "| %s | %d | %d |", suite_model_label(c), c->opts.params.tasks,
            c->opts.params.concurrency);
    row_costs(out, c);
    fprintf(out, " %.2f | %d |", c->wall.median * 1000.0 /
                                     (c->opts.params.delay_ms > 0
                                          ? c->opts.params.delay_ms : 1),
            (c->opts.params.tasks + c->opts.params.concurrency - 1) /
                c->opts.params.concurrency);
    row_usage(out, c);
    /* what one task costs in CPU, (user + sys) / N: for http, the
     * client's cost per request (the server is a process apart) */
    fprintf(out, " %.1f |",
            (c->user_s + c->sys_s) * 1e6 / c->opts.params.tasks);
    row_lag(out, c);
    fprintf(out, " %s | %s |\n", target, status);
  }
  fprintf(out, "\n");
}

/* http: the same requests with connections kept and without. */
static void md_reuse_full(FILE *out, const suite_matrix *s) {
  fprintf(out, "| model | connections | connections opened | wall median "
          "(s) | MAD (s) | per request (us) | speedup | user (s) | sys (s) | "
          "status |\n");
  fprintf(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    char speedup[32], eff[32], status[192];
    if (c->table != SUITE_REUSE)
      continue;
    cell_speedup(c, speedup, eff, sizeof speedup);
    cell_status(c, status, sizeof status);
    fprintf(out, "| %s | %s | %.0f | %.4f | %.4f | %.1f | %s | %.3f | %.3f "
            "| %s |\n", run_model_names[c->opts.model],
            c->opts.params.no_reuse ? "new per request" : "reused",
            c->connections, c->wall.median, c->wall.mad,
            c->wall.median * 1e6 / c->opts.params.tasks, speedup, c->user_s,
            c->sys_s, status);
  }
  fprintf(out, "\n");
}

/* ---- the tables a person reads: 8 columns, the rest folded away --------- */

/* "ok", "target MISSED" or "FAILED" (the why is in the folded table). */
static const char *short_status(const suite_cell *c) {
  return c->failed                                 ? "FAILED"
         : c->target_met == SUITE_TARGET_MISSED ? "target MISSED"
                                                   : "ok";
}

/* The row's first cell: its model, with the anchor the verdicts link. */
static void row_model(FILE *out, const suite_cell *c, const char *label) {
  char anchor[128];
  report_cell_anchor(c, anchor, sizeof anchor);
  fprintf(out, "| <a id=\"%s\"></a>%s |", anchor, label);
}

static void details_begin(FILE *out) {
  fprintf(out, "<details><summary>all columns</summary>\n\n");
}

static void details_end(FILE *out) { fprintf(out, "</details>\n\n"); }

static void md_table(FILE *out, const suite_matrix *s, const wl_workload *wl,
                     suite_table table) {
  fprintf(out, "| model | C | wall (s) | MAD (s) | speedup | efficiency | "
          "peak RSS (MiB) | status |\n"
          "|---|---:|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    char speedup[32], eff[32];
    if (c->opts.wl != wl || c->table != table)
      continue;
    cell_speedup(c, speedup, eff, sizeof speedup);
    row_model(out, c, suite_model_label(c));
    fprintf(out, " %d | %.4f | %.4f | %s | %s | %.1f | %s |\n",
            c->opts.params.concurrency, c->wall.median, c->wall.mad, speedup,
            eff, c->max_rss_kb / 1024.0, short_status(c));
  }
  fprintf(out, "\n");
  details_begin(out);
  md_table_full(out, s, wl, table);
  details_end(out);
}

static void md_scale_table(FILE *out, const suite_matrix *s,
                           const wl_workload *wl) {
  fprintf(out, "Scale rows: very many tasks in flight. seq is not timed at "
          "this size (it would take N x D); an untimed seq run with no delay "
          "supplies the checksum, which does not depend on the delay. "
          "`wall / D` is the batch's wall time over one task's wait; its "
          "ideal is the number of rounds, ceil(N / C): 1.00 is perfect "
          "overlap of all N.\n\n");
  fprintf(out, "| model | tasks | C | wall (s) | MAD (s) | wall / D | peak "
          "RSS (MiB) | status |\n"
          "|---|---:|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    const wl_params *p = &c->opts.params;
    if (c->opts.wl != wl || c->table != SUITE_SCALE)
      continue;
    row_model(out, c, suite_model_label(c));
    fprintf(out, " %d | %d | %.4f | %.4f | %.2f | %.1f | %s |\n", p->tasks,
            p->concurrency, c->wall.median, c->wall.mad,
            c->wall.median * 1000.0 / (p->delay_ms > 0 ? p->delay_ms : 1),
            c->max_rss_kb / 1024.0, short_status(c));
  }
  fprintf(out, "\n");
  details_begin(out);
  md_scale_full(out, s, wl);
  details_end(out);
}

/* http: the same requests with connections kept and without. */
static void md_reuse_table(FILE *out, const suite_matrix *s) {
  const suite_cell *first = NULL; /* a model's cell: seq's C is always 1 */
  for (int i = 0; i < s->ncells && first == NULL; i++)
    if (s->cells[i].table == SUITE_REUSE && s->cells[i].opts.model != RUN_SEQ)
      first = &s->cells[i];
  if (first == NULL)
    return;
  fprintf(out, "%d requests of `/bytes/%lld`, %d in flight (seq: one at a "
          "time). With reuse each worker keeps its connection open for its "
          "next request (aiohttp's ClientSession); with `--no-reuse` every "
          "request pays for a new TCP connection and its teardown. "
          "\"per request\" is the batch's wall time over N; speedup is over "
          "seq with the same setting.\n\n",
          first->opts.params.tasks, (long long)first->opts.params.size,
          first->opts.params.concurrency);
  fprintf(out, "| model | connections | opened | wall (s) | MAD (s) | per "
          "request (us) | speedup | status |\n"
          "|---|---|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    char speedup[32], eff[32];
    if (c->table != SUITE_REUSE)
      continue;
    cell_speedup(c, speedup, eff, sizeof speedup);
    row_model(out, c, run_model_names[c->opts.model]);
    fprintf(out, " %s | %.0f | %.4f | %.4f | %.1f | %s | %s |\n",
            c->opts.params.no_reuse ? "new per request" : "reused",
            c->connections, c->wall.median, c->wall.mad,
            c->wall.median * 1e6 / c->opts.params.tasks, speedup,
            short_status(c));
  }
  fprintf(out, "\n");
  details_begin(out);
  md_reuse_full(out, s);
  details_end(out);
}

static int has_table(const suite_matrix *s, const wl_workload *wl,
                     suite_table t) {
  for (int i = 0; i < s->ncells; i++)
    if (s->cells[i].opts.wl == wl && s->cells[i].table == t)
      return 1;
  return 0;
}

static const suite_cell *first_cell(const suite_matrix *s,
                                    const wl_workload *wl) {
  for (int i = 0; i < s->ncells; i++)
    if (s->cells[i].opts.wl == wl && s->cells[i].table == SUITE_MAIN)
      return &s->cells[i];
  return NULL;
}

/* ---- the hyperfine cross-check ------------------------------------------ */

/* A check against its cell: the harness's median (from the runs taken
 * beside hyperfine's, if any), hyperfine's minus it,
 * and that difference less start-up as a percentage of the harness's
 * median.  0 when there is nothing to compare. */
static int hf_compare(const suite_matrix *s, const suite_hfcheck *h,
                      double *harness, double *diff, double *net_pct) {
  const suite_cell *c;
  if (h->cell < 0 || h->cell >= s->ncells || !h->ok)
    return 0;
  c = &s->cells[h->cell];
  if (c->failed || c->wall.median <= 0)
    return 0;
  *harness = h->harness_s > 0 ? h->harness_s : c->wall.median;
  *diff = h->median_s - *harness;
  *net_pct = s->nhf > 0 && s->hf[0].ok
                 ? (*diff - s->hf[0].median_s) / *harness * 100.0
                 : 0;
  return 1;
}

static const char *hf_verdict(const suite_matrix *s, const suite_hfcheck *h) {
  double harness, diff, pct;
  if (!hf_compare(s, h, &harness, &diff, &pct))
    return h->ok ? "-" : "failed";
  if (!s->hf[0].ok)
    return "no start-up figure";
  return pct <= 10.0 && pct >= -10.0 ? "agree within 10%" : "differ";
}

static void md_hyperfine(FILE *out, const suite_matrix *s) {
  const suite_hfcheck *up = &s->hf[0];
  char command[8192];

  if (s->hf_state == SUITE_HF_OFF)
    return;
  fprintf(out, "## Whole-process timing (hyperfine)\n\n");
  if (s->hf_state == SUITE_HF_SKIPPED || s->nhf == 0) {
    fprintf(out, "Skipped: %s. (`conclab suite --hyperfine` insists on "
            "it; `--no-hyperfine` leaves it out.)\n\n",
            s->hf_skipped[0] ? s->hf_skipped : "no cell to time");
    return;
  }
  fprintf(out, "hyperfine timed these cells' command lines as whole "
          "processes (`hyperfine -N`, 1 warm-up, then measured runs; "
          "`data/hyperfine/` has the harness's own runs in "
          "hyperfine's layout). The harness's wall time covers the batch "
          "only; hyperfine's also covers starting the process (exec, "
          "dynamic loading, parsing the options), setting the model up "
          "before the clock, and exit. That start-up is measured on its "
          "own below, as a batch of one task that does nothing. An http or "
          "pipeline cell would also start its embedded server (none here "
          "does), and a files cell makes its directory before the clock "
          "and removes its files after it, which start-up does not "
          "include. "
          "\"less start-up\" is (hyperfine - harness - "
          "start-up) / harness; within 10%% the two clocks agree. The "
          "harness's median here comes from the same number of runs of the "
          "cell taken just before hyperfine's, not from the table above: "
          "on a shared machine the speed drifts over minutes, and only "
          "runs seconds apart make a fair pair.\n\n");
  if (up->ok)
    fprintf(out, "Start-up (`conclab run sleep --model seq --tasks 1 "
            "--delay-ms 0`): median %.2f ms, min %.2f ms, max %.2f ms over "
            "%d runs.\n\n", up->median_s * 1000, up->min_s * 1000,
            up->max_s * 1000, up->runs);
  else
    fprintf(out, "Start-up could not be timed: %s.\n\n", up->why);
  fprintf(out, "| cell | command | harness median (s) | hyperfine median (s) "
          "| difference (ms) | less start-up | verdict |\n");
  fprintf(out, "|---|---|---:|---:|---:|---:|---|\n");
  for (int k = 1; k < s->nhf; k++) {
    const suite_hfcheck *h = &s->hf[k];
    const suite_cell *c = &s->cells[h->cell];
    double harness, diff, pct;
    char label[96];

    suite_cell_label(c, label, sizeof label);
    if (suite_cell_command(c, "conclab", command, sizeof command) != 0)
      command[0] = '\0';
    fprintf(out, "| %s | `%s` |", label, command);
    if (hf_compare(s, h, &harness, &diff, &pct)) {
      fprintf(out, " %.4f | %.4f | %+.1f |", harness, h->median_s,
              diff * 1000);
      if (up->ok)
        fprintf(out, " %+.1f%% |", pct);
      else
        fprintf(out, " - |");
    } else if (h->ok) {
      fprintf(out, " %s | %.4f | - | - |", c->failed ? "FAILED" : "-",
              h->median_s);
    } else {
      fprintf(out, " %.4f | failed: %s | - | - |", c->wall.median, h->why);
    }
    fprintf(out, " %s |\n", hf_verdict(s, h));
  }
  fprintf(out, "\n");
}

void report_markdown(FILE *out, const suite_matrix *s) {
  fprintf(out, "# conclab results: %s profile\n\n", s->profile);
  report_warnings_markdown(out, s);
  report_verdicts(out, s);
  fprintf(out, "Generated by `conclab suite --profile %s` on %s (the suite "
          "took %.0f s). Every cell: %d warm-up run%s, then %d measured "
          "run%s, each a fresh `conclab run ... --json` process. Times are "
          "medians of the measured runs; MAD is the median absolute "
          "deviation. speedup = median(seq) / median(model), from the same "
          "suite run; efficiency = speedup / ideal. A cell whose checksum "
          "differs from seq's, or whose tasks failed, is FAILED and never "
          "ranked. Peak RSS for multiproc is the parent's peak plus the sum "
          "of every worker's peak (from wait4), so pages the workers share "
          "are counted once per worker. Per-run data: `data/runs.csv` (and "
          "`data/hyperfine/`, in hyperfine's layout); "
          "summary: `data/summary.json`.\n\n",
          s->profile, s->machine.date, s->elapsed_s, s->warmups,
          s->warmups == 1 ? "" : "s", s->runs, s->runs == 1 ? "" : "s");
  md_machine(out, s);
  fprintf(out, "## Summary: speedup over seq\n\n");
  fprintf(out, "Each workload's main table, one column per model.\n\n");
  report_summary(out, s);
  fprintf(out, "\n");

  for (int w = 0; wl_all[w] != NULL; w++) {
    const wl_workload *wl = wl_all[w];
    const suite_cell *first = first_cell(s, wl);
    if (first == NULL)
      continue;
    fprintf(out, "## %s (%s)\n\n", wl->name,
            wl->kind == WL_KIND_IO    ? "I/O-bound"
            : wl->kind == WL_KIND_CPU ? "CPU-bound"
                                      : "mixed: I/O and CPU");
    md_workload_intro(out, s, first);
    md_table(out, s, wl, SUITE_MAIN);
    if (has_table(s, wl, SUITE_SWEEP)) {
      fprintf(out, "### %s: concurrency sweep\n\n", wl->name);
      md_table(out, s, wl, SUITE_SWEEP);
    }
    if (has_table(s, wl, SUITE_REUSE)) {
      fprintf(out, "### %s: reusing connections, or not\n\n", wl->name);
      md_reuse_table(out, s);
    }
    if (has_table(s, wl, SUITE_SCALE)) {
      fprintf(out, "### %s: scale\n\n", wl->name);
      md_scale_table(out, s, wl);
    }
  }
  report_python_markdown(out, s);
  report_serve_markdown(out, s);
  md_hyperfine(out, s);
}

/* ---- CSV and JSON ------------------------------------------------------- */

/* The endpoint of a workload that takes --endpoint (http), else "". */
static const char *endpoint(const suite_cell *c) {
  return wl_flag_find(c->opts.wl, "--endpoint", strlen("--endpoint")) != NULL
             ? wl_endpoint_names[c->opts.params.endpoint]
             : "";
}

void report_runs_csv(FILE *out, const suite_matrix *s) {
  fprintf(out, "cell,table,workload,model,variant,tasks,concurrency,delay_ms,"
          "delay_spread_ms,limit,run,warmup,exit_status,wall_s,user_s,sys_s,"
          "max_rss_kb,vol_ctx,invol_ctx,ok,failed,checksum,endpoint,size,"
          "connections,loop_lag_p50_ms,loop_lag_p99_ms,loop_lag_max_ms,"
          "rounds,threadpool_size,compute_ms,impl\n");
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    const wl_params *p = &c->opts.params;
    for (int k = 0; k < c->nresults; k++) {
      const suite_run *r = &c->results[k];
      fprintf(out, "%d,%s,%s,%s,%s,%d,%d,%d,%d,%lld,%d,%d,%d,%.6f,%.6f,%.6f,"
              "%.0f,%.0f,%.0f,%d,%d,%s,%s,%lld,%.0f,%.3f,%.3f,%.3f,%d,%d,"
              "%.3f,%s\n",
              i, suite_table_names[c->table], c->opts.wl->name,
              run_model_names[c->opts.model], suite_cell_variant(c), p->tasks,
              p->concurrency, p->delay_ms, p->delay_spread_ms,
              (long long)p->limit, k, k < c->warmups, r->exit_status,
              r->wall_s, r->user_s, r->sys_s, r->max_rss_kb, r->vol_ctx,
              r->invol_ctx, r->ok, r->failed, r->checksum, endpoint(c),
              (long long)p->size, r->connections, r->lag_p50_ms,
              r->lag_p99_ms, r->lag_max_ms, p->rounds, r->threadpool_size,
              r->compute_ms, c->py ? "python" : "c");
    }
  }
}

/* "hyperfine": the cross-check, one object per check (start-up first). */
static cJSON *summary_json_hyperfine(const suite_matrix *s) {
  static const char *const states[] = {"off", "done", "skipped"};
  cJSON *checks = base_json_need(cJSON_CreateArray());
  base_json_writer w;

  base_json_begin(&w, NULL);
  base_json_str(&w, "state", states[s->hf_state]);
  base_json_str(&w, "skipped",
                s->hf_state == SUITE_HF_SKIPPED ? s->hf_skipped : "");
  cJSON_AddItemToObject(w.obj, "checks", checks);
  for (int k = 0; k < s->nhf; k++) {
    const suite_hfcheck *h = &s->hf[k];
    double harness = 0, diff = 0, pct = 0;
    base_json_writer c;
    char label[96] = "start-up";
    if (h->cell >= 0)
      suite_cell_label(&s->cells[h->cell], label, sizeof label);
    hf_compare(s, h, &harness, &diff, &pct);
    base_json_begin(&c, NULL);
    base_json_str(&c, "cell", label);
    base_json_str(&c, "status", h->ok ? "ok" : "failed");
    base_json_str(&c, "why", h->ok ? "" : h->why);
    base_json_int(&c, "runs", h->runs);
    base_json_num(&c, "hyperfine_median_s", h->median_s);
    base_json_num(&c, "hyperfine_mean_s", h->mean_s);
    base_json_num(&c, "hyperfine_stddev_s", h->stddev_s);
    base_json_num(&c, "harness_median_s", harness);
    base_json_num(&c, "difference_s", diff);
    base_json_num(&c, "less_startup_pct", pct);
    base_json_str(&c, "verdict", h->cell < 0 ? "-" : hf_verdict(s, h));
    cJSON_AddItemToArray(checks, base_json_take(&c));
  }
  return base_json_take(&w);
}

void report_summary_json(FILE *out, const suite_matrix *s) {
  cJSON *cells = base_json_need(cJSON_CreateArray());
  base_json_writer doc, w;

  base_json_begin(&doc, NULL);
  base_json_stamp(doc.obj);
  base_json_str(&doc, "profile", s->profile);
  base_json_int(&doc, "warmups", s->warmups);
  base_json_int(&doc, "runs", s->runs);
  base_json_add_fixed(doc.obj, "elapsed_s", 1, s->elapsed_s);
  cJSON_AddItemToObject(doc.obj, "machine", base_machine_json(&s->machine));
  cJSON_AddItemToObject(doc.obj, "cells", cells);
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    char target[160];
    cell_target(c, target, sizeof target);
    base_json_begin(&w, NULL);
    base_json_str(&w, "workload", c->opts.wl->name);
    base_json_str(&w, "model", run_model_names[c->opts.model]);
    base_json_str(&w, "variant", suite_cell_variant(c));
    base_json_str(&w, "table", suite_table_names[c->table]);
    base_json_str(&w, "impl", c->py ? "python" : "c");
    base_json_int(&w, "tasks", c->opts.params.tasks);
    base_json_int(&w, "concurrency", c->opts.params.concurrency);
    base_json_int(&w, "delay_ms", c->opts.params.delay_ms);
    base_json_int(&w, "delay_spread_ms", c->opts.params.delay_spread_ms);
    base_json_int(&w, "limit", c->opts.params.limit);
    base_json_str(&w, "endpoint", endpoint(c));
    base_json_int(&w, "size", c->opts.params.size);
    base_json_int(&w, "rounds", c->opts.params.rounds);
    base_json_int(&w, "threadpool_size", c->threadpool_size);
    base_json_int(&w, "runs", c->nresults - c->warmups);
    base_json_num(&w, "wall_median_s", c->wall.median);
    base_json_num(&w, "wall_mad_s", c->wall.mad);
    base_json_num(&w, "wall_min_s", c->wall.min);
    base_json_num(&w, "wall_max_s", c->wall.max);
    base_json_num(&w, "user_s", c->user_s);
    base_json_num(&w, "sys_s", c->sys_s);
    base_json_num(&w, "max_rss_kb", c->max_rss_kb);
    base_json_num(&w, "vol_ctx", c->vol_ctx);
    base_json_num(&w, "invol_ctx", c->invol_ctx);
    base_json_num(&w, "connections", c->connections);
    base_json_num(&w, "loop_lag_p50_ms", c->lag_p50_ms);
    base_json_num(&w, "loop_lag_p99_ms", c->lag_p99_ms);
    base_json_num(&w, "loop_lag_max_ms", c->lag_max_ms);
    base_json_num(&w, "compute_ms", c->compute_ms);
    base_json_num(&w, "vs_in_loop", c->vs_in_loop);
    base_json_num(&w, "speedup", c->speedup);
    base_json_num(&w, "ideal", c->ideal);
    base_json_num(&w, "efficiency", c->efficiency);
    base_json_str(&w, "status", c->failed ? "FAILED" : "ok");
    base_json_str(&w, "why", c->failed ? c->why : "");
    base_json_str(&w, "target", target);
    cJSON_AddItemToArray(cells, base_json_take(&w));
  }
  cJSON_AddItemToObject(doc.obj, "hyperfine", summary_json_hyperfine(s));
  if (s->serve.ran)
    cJSON_AddItemToObject(doc.obj, "servers", report_serve_json(s));
  base_json_print(out, base_json_take(&doc));
}

/* ---- files -------------------------------------------------------------- */

/* base_atomic_write's argument: one of the writers above and its suite. */
typedef struct report_job {
  report_writer write;
  const suite_matrix *s;
} report_job;

static void run_job(FILE *out, const void *arg) {
  const report_job *job = arg;
  job->write(out, job->s);
}

int report_write_atomic(const char *path, report_writer write,
                        const suite_matrix *s) {
  report_job job = {write, s};
  return base_atomic_write(path, run_job, &job);
}

/* The suite's tables as a string (malloc'd), or NULL. */
static void markdown_job(FILE *out, const void *arg) {
  report_markdown(out, arg);
}

static char *markdown_text(const suite_matrix *s) {
  return base_write_string(markdown_job, s);
}

/* README.md's head: the suite's tables, with the lab's section carried
 * over from the old README (the plots and the file list follow, written
 * by report_compose_readme). */
static char *readme_head(const char *old, const void *arg) {
  char *doc = markdown_text(arg), *lab = base_section_get(old, "lab");
  char *why = base_section_get(old, REPORT_LAB_WHY);
  int bad = doc != NULL &&
            ((lab != NULL && base_section_set(&doc, "lab", lab) != 0) ||
             (why != NULL && base_section_set(&doc, REPORT_LAB_WHY, why) != 0));

  if (bad) {
    free(doc);
    doc = NULL;
  }
  free(lab);
  free(why);
  return doc;
}

int report_write_readme(const char *dir, const suite_matrix *s,
                        const char *plots) {
  return report_compose_readme(dir, plots, readme_head, s);
}

int report_write_data(const char *dir, const suite_matrix *s) {
  char path[BASE_PATH_MAX];
  int rc = 0;

  snprintf(path, sizeof path, "%s/data/runs.csv", dir);
  rc |= report_write_atomic(path, report_runs_csv, s);
  snprintf(path, sizeof path, "%s/data/summary.json", dir);
  rc |= report_write_atomic(path, report_summary_json, s);
  rc |= report_write_hyperfine(dir, s);
  snprintf(path, sizeof path, "%s/data/servers.csv", dir);
  if (s->serve.ran)
    rc |= report_write_atomic(path, report_servers_csv, s);
  else if (unlink(path) != 0 && errno != ENOENT) /* not this run's */
    rc = -1;
  return rc ? -1 : 0;
}

int report_write_all(const char *dir, const suite_matrix *s) {
  if (report_write_data(dir, s) != 0)
    return -1;
  return report_write_readme(dir, s, NULL);
}
