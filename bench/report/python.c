/*
 * python.c - the report's "C and CPython" section: the tutorials' own
 * language beside C, on the same work under the same harness.
 *
 * Each model of the C and CPython table was run twice, by conclab and by
 * python/conclab-py (`conclab run --impl python`); a row puts the two
 * medians side by side with their ratio.  The GIL row is threads' speedup
 * over seq on CPU work measured on both sides, its sentence worked out
 * from those two numbers.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "section.h"
#include "version.h"

#define GIL_GAIN 1.3 /* a speedup over this: the threads ran in parallel */

/* The seq cell of a cell's side, in the C and CPython table. */
static const suite_cell *side_seq(const suite_matrix *s, const suite_cell *c) {
  const suite_cell *b = c->baseline >= 0 ? &s->cells[c->baseline] : NULL;
  return b != NULL && b->table == SUITE_PYTHON ? b : NULL;
}

int report_python_gil(const suite_matrix *s, double *c_speedup,
                      double *py_speedup) {
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *py = &s->cells[i], *c, *pyseq, *cseq;
    if (!py->py || py->peer < 0 || py->opts.model != RUN_THREADED ||
        py->opts.wl->kind != WL_KIND_CPU)
      continue;
    c = &s->cells[py->peer];
    pyseq = side_seq(s, py);
    cseq = side_seq(s, c);
    if (pyseq == NULL || cseq == NULL || py->failed || c->failed ||
        pyseq->failed || cseq->failed || py->wall.median <= 0 ||
        c->wall.median <= 0)
      continue;
    *c_speedup = cseq->wall.median / c->wall.median;
    *py_speedup = pyseq->wall.median / py->wall.median;
    return 1;
  }
  return 0;
}

/* A summary.json cell of the GIL's pair: its side (0 C, 1 CPython) and
 * model (0 seq, 1 threaded), or -1. */
static int gil_slot(const cJSON *cell, const char **wl) {
  char table[16], impl[16], model[24], name[32], status[16];
  const wl_workload *w;
  int side, m;

  if (base_json_obj_str(cell, "table", table, sizeof table) != 0 ||
      base_json_obj_str(cell, "impl", impl, sizeof impl) != 0 ||
      base_json_obj_str(cell, "model", model, sizeof model) != 0 ||
      base_json_obj_str(cell, "workload", name, sizeof name) != 0 ||
      base_json_obj_str(cell, "status", status, sizeof status) != 0 ||
      strcmp(table, "python") != 0 || strcmp(status, "ok") != 0)
    return -1;
  w = wl_find(name);
  side = strcmp(impl, "python") == 0;
  m = strcmp(model, "threaded") == 0 ? 1 : strcmp(model, "seq") == 0 ? 0 : -1;
  if (w == NULL || w->kind != WL_KIND_CPU || m < 0 ||
      (*wl != NULL && *wl != w->name))
    return -1;
  *wl = w->name;
  return side * 2 + m;
}

int report_python_gil_read(const char *path, double *c_speedup,
                           double *py_speedup) {
  char *text = base_section_read(path);
  cJSON *doc = text != NULL ? cJSON_Parse(text) : NULL;
  const cJSON *cell;
  double wall[4] = {0, 0, 0, 0}; /* C seq, C threaded, CPython's */
  const char *wl = NULL;
  char why[160];
  int found = 0;

  if (doc != NULL && base_json_schema_check(doc, why, sizeof why) == 0)
    cJSON_ArrayForEach(cell, cJSON_GetObjectItem(doc, "cells")) {
      int k = gil_slot(cell, &wl);
      if (k >= 0 && wall[k] == 0)
        base_json_obj_num(cell, "wall_median_s", &wall[k]);
    }
  if (wall[0] > 0 && wall[1] > 0 && wall[2] > 0 && wall[3] > 0) {
    *c_speedup = wall[0] / wall[1];
    *py_speedup = wall[2] / wall[3];
    found = 1;
  }
  cJSON_Delete(doc);
  free(text);
  return found;
}

void report_python_gil_verdict(double c_speedup, double py_speedup,
                               char *out, size_t cap) {
  const char *why;
  if (c_speedup > GIL_GAIN && py_speedup <= GIL_GAIN)
    why = "the GIL: one CPython thread runs Python code at a time, C's "
          "threads run on every core";
  else if (c_speedup > GIL_GAIN)
    why = "CPython's threads gained too: no GIL seen here (a CPython "
          "without it, or work outside the interpreter)";
  else if (py_speedup > GIL_GAIN)
    why = "C's threads did not gain, CPython's did: the machine was busy "
          "during C's runs; run it again";
  else
    why = "neither side gained: one core free, or a loaded machine; the "
          "GIL cannot be told apart here";
  snprintf(out, cap, "threads speed CPU work up %.2fx in C, %.2fx in "
           "CPython: %s.", c_speedup, py_speedup, why);
}

/* The section's lead: what it compares, and the sizes it uses. */
static void md_intro(FILE *out) {
  fprintf(out, "The same work run by conclab (C) and by python/conclab-py "
          "(CPython: the tutorials' idioms, asyncio with a Semaphore and "
          "gather, aiohttp, aiofiles, ThreadPoolExecutor, "
          "ProcessPoolExecutor), each run a fresh process measured the "
          "same way (`conclab run --impl python`), at most %d measured "
          "runs a cell. The sizes are this table's own, smaller than "
          "the workloads' tables where CPython is slow at CPU work (fewer "
          "tasks, rounds or numbers; data/summary.json has every "
          "parameter): the C column is C on the same work. Each CPython "
          "cell's checksum must equal C's.\n\n", SUITE_PY_RUNS);
}

/* "0.1234" or "FAILED". */
static void wall(const suite_cell *c, char *out, size_t cap) {
  if (c->failed)
    snprintf(out, cap, "FAILED");
  else
    snprintf(out, cap, "%.4f", c->wall.median);
}

static void md_row(FILE *out, const suite_matrix *s, const suite_cell *py) {
  const suite_cell *c = &s->cells[py->peer];
  char cw[16], pw[16], ratio[16] = "-";
  const char *status = py->failed ? py->why : c->failed ? c->why : "same";

  wall(c, cw, sizeof cw);
  wall(py, pw, sizeof pw);
  if (!py->failed && !c->failed && c->wall.median > 0)
    snprintf(ratio, sizeof ratio, "%.1fx", py->wall.median / c->wall.median);
  fprintf(out, "| %s | %s | %d x %d | %s | %s | %s | %.1f / %.1f | %s%s |\n",
          py->opts.wl->name, suite_model_label(py),
          py->opts.params.concurrency, py->opts.params.tasks, cw, pw, ratio,
          c->max_rss_kb / 1024.0, py->max_rss_kb / 1024.0,
          py->failed || c->failed ? "FAILED: " : "", status);
}

/* The verdicts: the GIL, then how much slower CPython was. */
static void md_verdicts(FILE *out, const suite_matrix *s) {
  double cs, ps, lo = 0, hi = 0;
  const suite_cell *slow = NULL, *fast = NULL;
  char text[320];

  if (report_python_gil(s, &cs, &ps)) {
    report_python_gil_verdict(cs, ps, text, sizeof text);
    fprintf(out, "- **The GIL:** %s\n", text);
  }
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *py = &s->cells[i], *c;
    double r;
    if (!py->py || py->peer < 0 || py->failed)
      continue;
    c = &s->cells[py->peer];
    if (c->failed || c->wall.median <= 0)
      continue;
    r = py->wall.median / c->wall.median;
    if (slow == NULL || r > hi)
      slow = py, hi = r;
    if (fast == NULL || r < lo)
      fast = py, lo = r;
  }
  if (slow != NULL)
    fprintf(out, "- **CPython / C:** from %.1fx (%s %s: %s) to %.1fx "
            "(%s %s: %s).\n", lo, fast->opts.wl->name,
            suite_model_label(fast),
            lo < 1.5 ? "waiting costs the same in both" : "CPython's cost",
            hi, slow->opts.wl->name, suite_model_label(slow),
            hi >= 5 ? "the interpreter's cost of CPU work"
                    : "CPython's cost per task");
  fprintf(out, "\n");
}

void report_python_markdown(FILE *out, const suite_matrix *s) {
  int rows = 0;
  for (int i = 0; i < s->ncells; i++)
    rows += s->cells[i].py && s->cells[i].peer >= 0;
  if (rows == 0 && s->py_skipped[0] == '\0')
    return;
  fprintf(out, "## C and CPython\n\n");
  if (rows == 0) {
    fprintf(out, "Not run: %s.\n\n", s->py_skipped);
    return;
  }
  md_intro(out);
  md_verdicts(out, s);
  fprintf(out, "| workload | model | C x N | C wall (s) | CPython wall (s) "
          "| CPython / C | max RSS C / CPython (MiB) | checksum |\n");
  fprintf(out, "|---|---|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < s->ncells; i++)
    if (s->cells[i].py && s->cells[i].peer >= 0)
      md_row(out, s, &s->cells[i]);
  fprintf(out, "\n");
}
