/*
 * overhead.c - the harness-overhead rows in the lab's reports:
 * a table in the README section, rows in lab.json, lines in the summary.
 *
 * Pure functions of the lab_data struct, like lab.c: the ratios and
 * the verdict against the targets are worked out from the medians here,
 * so a doctored number flips the verdict (tests/test_lab_overhead.c).
 */
#include "report.h"

#include <string.h>

#include "json.h"

static const char *mib(double kb, char *buf, size_t cap) {
  snprintf(buf, cap, "%.1f MiB", kb / 1024);
  return buf;
}

static const char *verdict_word(const lab_overhead *o) {
  int met = lab_overhead_met(o);
  return met > 0 ? "met" : met == 0 ? "MISSED" : "";
}

/* ---- the Markdown table ------------------------------------------------- */

static void table_row(FILE *out, const lab_overhead *o) {
  char n[32], a[32], b[32];
  fprintf(out, "| `%s` | %s | ", o->name,
          report_with_commas(o->n, n, sizeof n));
  if (o->failed) {
    fprintf(out, "FAILED | | | | | %s |\n", o->why);
    return;
  }
  fprintf(out, "%.3f s | %.3f s | %.2fx | %s | %s | %.2fx |\n",
          o->bare_s.median, o->conclab_s.median, lab_overhead_time_ratio(o),
          mib(o->bare_kb.median, a, sizeof a),
          mib(o->conclab_kb.median, b, sizeof b),
          lab_overhead_memory_ratio(o));
}

/* What a row's two sides run, under the table (it would make the table
 * too wide to read). */
static void sides_line(FILE *out, const lab_overhead *o) {
  fprintf(out, "- `%s`: %s, against `conclab run sleep --model %s --tasks "
          "%ld --concurrency %ld`\n", o->name, o->what, o->model, o->n,
          o->workers);
}

/* The verdict line of a row with targets. */
static void target_line(FILE *out, const lab_overhead *o) {
  char n[32];
  fprintf(out, "**`%s`, %s tasks of %d ms, conclab against the bare "
          "reference:** ", o->name, report_with_commas(o->n, n, sizeof n),
          LAB_TIMER_MS);
  if (o->failed)
    fprintf(out, "not measured in this run (%s); target: at most %.2fx the "
            "time and %.2fx the peak memory.\n\n", o->why, o->target_time,
            o->target_memory);
  else
    fprintf(out, "%.2fx the time (target: at most %.2fx), %.2fx the peak "
            "memory (target: at most %.2fx): %s.\n\n",
            lab_overhead_time_ratio(o), o->target_time,
            lab_overhead_memory_ratio(o), o->target_memory,
            verdict_word(o));
}

void report_lab_overhead_markdown(FILE *out, const lab_data *lab) {
  if (lab->noverheads == 0)
    return;
  fputs("### Harness overhead: conclab against the same work with no "
        "harness\n\n"
        "Each reference runs the batch `conclab run sleep` runs - tasks of "
        "100 ms, as many at once as the concurrency allows - with nothing "
        "around it: no task slots, no per-task timing, no options, no "
        "report (bench/lab/bare.c).  Each side is a fresh process; they "
        "take turns, bare then conclab, one warm-up pair and then the "
        "measured pairs; medians shown.  Time: the batch's wall time, from "
        "the first start to the last finish.  Memory: peak resident "
        "(ru_maxrss; with processes, plus every worker's).  A ratio is "
        "conclab's median over the bare reference's: what the harness "
        "costs on top of the model.\n\n"
        "| reference | N | bare time | conclab time | time ratio | bare "
        "peak memory | conclab peak memory | memory ratio |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n", out);
  for (int i = 0; i < lab->noverheads; i++)
    table_row(out, &lab->overheads[i]);
  fputs("\nThe two sides of each reference:\n\n", out);
  for (int i = 0; i < lab->noverheads; i++)
    sides_line(out, &lab->overheads[i]);
  fputc('\n', out);
  for (int i = 0; i < lab->noverheads; i++)
    if (lab->overheads[i].target_time > 0)
      target_line(out, &lab->overheads[i]);
}

/* ---- lab.json: one flat object per row, one per line --------------------- */

static void json_summary(base_json_writer *w, const char *prefix,
                         base_summary s) {
  static const char *const keys[] = {"median", "mad", "min", "max"};
  const double v[] = {s.median, s.mad, s.min, s.max};
  char key[48];
  for (int i = 0; i < 4; i++) {
    snprintf(key, sizeof key, "%s%s", prefix, keys[i]);
    base_json_num(w, key, v[i]);
  }
}

static cJSON *json_row(const lab_overhead *o) {
  int met = lab_overhead_met(o);
  base_json_writer w;
  base_json_begin(&w, NULL);
  base_json_str(&w, "name", o->name);
  base_json_str(&w, "model", o->model);
  base_json_str(&w, "what", o->what);
  base_json_int(&w, "n", o->n);
  base_json_int(&w, "workers", o->workers);
  base_json_int(&w, "runs", o->bare_s.n);
  json_summary(&w, "bare_wall_s_", o->bare_s);
  json_summary(&w, "conclab_wall_s_", o->conclab_s);
  json_summary(&w, "bare_rss_kb_", o->bare_kb);
  json_summary(&w, "conclab_rss_kb_", o->conclab_kb);
  base_json_num(&w, "time_ratio", lab_overhead_time_ratio(o));
  base_json_num(&w, "memory_ratio", lab_overhead_memory_ratio(o));
  base_json_num(&w, "target_time_ratio", o->target_time);
  base_json_num(&w, "target_memory_ratio", o->target_memory);
  base_json_str(&w, "verdict", met > 0 ? "met" : met == 0 ? "missed" : "none");
  base_json_int(&w, "failed", o->failed);
  base_json_str(&w, "why", o->why);
  return base_json_take(&w);
}

void report_lab_overhead_json(cJSON *doc, const lab_data *lab) {
  cJSON *rows;
  if (lab->noverheads == 0)
    return;
  rows = base_json_need(cJSON_AddArrayToObject(doc, "overhead"));
  for (int i = 0; i < lab->noverheads; i++)
    cJSON_AddItemToArray(rows, json_row(&lab->overheads[i]));
}

/* ---- the summary on stdout ----------------------------------------------- */

void report_lab_overhead_summary(FILE *out, const lab_data *lab) {
  char n[32], a[32], b[32];
  if (lab->noverheads > 0)
    fputs("  harness overhead (conclab / bare, medians):\n", out);
  for (int i = 0; i < lab->noverheads; i++) {
    const lab_overhead *o = &lab->overheads[i];
    fprintf(out, "  %-18s N=%s", o->name,
            report_with_commas(o->n, n, sizeof n));
    if (o->failed) {
      fprintf(out, " FAILED: %s\n", o->why);
      continue;
    }
    fprintf(out, " time %.3f / %.3f s = %.2fx, memory %s / %s = %.2fx",
            o->conclab_s.median, o->bare_s.median, lab_overhead_time_ratio(o),
            mib(o->conclab_kb.median, a, sizeof a),
            mib(o->bare_kb.median, b, sizeof b), lab_overhead_memory_ratio(o));
    if (o->target_time > 0)
      fprintf(out, " (target %.2fx, %.2fx): %s", o->target_time,
              o->target_memory, verdict_word(o));
    fputc('\n', out);
  }
}
