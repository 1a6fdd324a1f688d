/*
 * compare.c - two suite runs compared beyond their noise (see compare.h).
 *
 * The lesson: a 3% difference between two runs means nothing until it is
 * larger than the spread of each run; medians and ranges say when it is.
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "base.h"
#include "json.h"
#include "machine.h"
#include "section.h"
#include "stats.h"
#include "version.h"

/* ---- reading a summary.json ---------------------------------------------- */

/* DIR/data/summary.json when arg is a directory, else arg itself. */
static void summary_path(const char *arg, char *path, size_t cap) {
  struct stat st;
  if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
    snprintf(path, cap, "%s/data/summary.json", arg);
  else
    snprintf(path, cap, "%s", arg);
}

/* A string field, or "" when absent. */
static void str_or_empty(const cJSON *obj, const char *key, char *out,
                         size_t cap) {
  if (base_json_obj_str(obj, key, out, cap) != 0)
    out[0] = '\0';
}

static int read_cell(const cJSON *obj, report_cmp_cell *c) {
  char wl[32], model[24], variant[40], table[16], endpoint[16], status[16];
  char impl[16];
  double tasks, conc, delay, spread, limit, size, rounds, runs = 0;

  memset(c, 0, sizeof *c);
  if (base_json_obj_str(obj, "workload", wl, sizeof wl) != 0 ||
      base_json_obj_str(obj, "model", model, sizeof model) != 0 ||
      base_json_obj_str(obj, "table", table, sizeof table) != 0 ||
      base_json_obj_num(obj, "tasks", &tasks) != 0 ||
      base_json_obj_num(obj, "concurrency", &conc) != 0 ||
      base_json_obj_num(obj, "wall_median_s", &c->median) != 0 ||
      base_json_obj_num(obj, "wall_min_s", &c->min) != 0 ||
      base_json_obj_num(obj, "wall_max_s", &c->max) != 0)
    return -1;
  str_or_empty(obj, "variant", variant, sizeof variant);
  str_or_empty(obj, "endpoint", endpoint, sizeof endpoint);
  str_or_empty(obj, "status", status, sizeof status);
  /* C's cell and CPython's of the same work are two cells; a file from
   * before "impl" holds C's only */
  str_or_empty(obj, "impl", impl, sizeof impl);
  if (impl[0] == '\0')
    snprintf(impl, sizeof impl, "c");
  /* Parameters a cell may lack in an older file: 0, as the suite's. */
  delay = spread = limit = size = rounds = 0;
  base_json_obj_num(obj, "delay_ms", &delay);
  base_json_obj_num(obj, "delay_spread_ms", &spread);
  base_json_obj_num(obj, "limit", &limit);
  base_json_obj_num(obj, "size", &size);
  base_json_obj_num(obj, "rounds", &rounds);
  base_json_obj_num(obj, "runs", &runs);
  c->runs = (int)runs;
  if (base_json_obj_num(obj, "wall_mad_s", &c->mad) != 0 || !(c->mad >= 0))
    c->mad = 0;
  c->failed = strcmp(status, "ok") != 0;
  snprintf(c->key, sizeof c->key,
           "%s|%s|%s|%s|%.0f|%.0f|%.0f|%.0f|%.0f|%.0f|%s|%.0f|%s", wl, model,
           variant, table, tasks, conc, delay, spread, limit, size, endpoint,
           rounds, impl);
  snprintf(c->label, sizeof c->label, "%s %s%s%s %s N=%.0f C=%.0f%s", wl,
           model, variant[0] ? " " : "", variant, table, tasks, conc,
           strcmp(impl, "c") != 0 ? " CPython" : "");
  return 0;
}

/* The load and steal the run recorded; -1 where it did not. */
static void read_machine(const cJSON *machine, report_cmp_run *r) {
  char load[64];
  double cores = 0, steal = -1;
  char *end;

  r->load1 = -1;
  if (base_json_obj_str(machine, "load_average", load, sizeof load) == 0) {
    r->load1 = strtod(load, &end);
    if (end == load || !(r->load1 >= 0))
      r->load1 = -1;
  }
  if (base_json_obj_num(machine, "cores", &cores) != 0 || !(cores > 0))
    cores = 0;
  r->cores = (int)cores;
  if (base_json_obj_num(machine, "steal_pct", &steal) != 0 || !(steal >= 0))
    steal = -1;
  r->steal_pct = steal;
  if (base_json_obj_num(machine, "others_cpu_pct", &r->others_pct) != 0 ||
      !(r->others_pct >= 0))
    r->others_pct = -1;
}

static int read_summary(const cJSON *doc, report_cmp_run *r) {
  const cJSON *cells = cJSON_GetObjectItemCaseSensitive(doc, "cells");
  const cJSON *machine = cJSON_GetObjectItemCaseSensitive(doc, "machine");
  const cJSON *cell;
  int n = cJSON_GetArraySize(cells), i = 0;

  if (!cJSON_IsArray(cells) ||
      base_json_obj_str(doc, "profile", r->profile, sizeof r->profile) != 0)
    return -1;
  str_or_empty(machine, "commit", r->commit, sizeof r->commit);
  read_machine(machine, r);
  r->cells = calloc((size_t)(n > 0 ? n : 1), sizeof *r->cells);
  if (r->cells == NULL)
    abort();
  cJSON_ArrayForEach(cell, cells) {
    if (read_cell(cell, &r->cells[i]) != 0)
      return -1;
    i++;
  }
  r->ncells = i;
  return 0;
}

int report_cmp_load(const char *arg, report_cmp_run *r, char *why,
                    size_t cap) {
  char *text, schema_why[160];
  cJSON *doc;
  int rc = -1;

  memset(r, 0, sizeof *r);
  summary_path(arg, r->path, sizeof r->path);
  text = base_section_read(r->path);
  if (text == NULL) {
    snprintf(why, cap, "%s: %s", r->path, strerror(errno));
    return -1;
  }
  doc = cJSON_ParseWithOpts(text, NULL, 1);
  free(text);
  if (doc == NULL)
    snprintf(why, cap, "%s: not JSON", r->path);
  else if (base_json_schema_check(doc, schema_why, sizeof schema_why) != 0)
    snprintf(why, cap, "%s: %s", r->path, schema_why);
  else if (read_summary(doc, r) != 0)
    snprintf(why, cap, "%s: not a conclab suite summary.json (no "
             "profile, or a cell without its wall times)", r->path);
  else
    rc = 0;
  cJSON_Delete(doc);
  if (rc != 0)
    report_cmp_free(r);
  return rc;
}

void report_cmp_free(report_cmp_run *r) {
  free(r->cells);
  r->cells = NULL;
  r->ncells = 0;
}

/* ---- the rule ------------------------------------------------------------ */

static const report_cmp_cell *find(const report_cmp_run *r,
                                   const char *key) {
  for (int i = 0; i < r->ncells; i++)
    if (strcmp(r->cells[i].key, key) == 0)
      return &r->cells[i];
  return NULL;
}

/* Both ran, more than once: a pair the rule can judge. */
static int comparable(const report_cmp_cell *a, const report_cmp_cell *b) {
  return !a->failed && !b->failed && a->median > 0 && b->median > 0 &&
         a->runs != 1 && b->runs != 1;
}

/* The cell's own spread s: its MADs relative to the medians, in
 * quadrature (test 3 in compare.h). */
static double spread(const report_cmp_cell *a, const report_cmp_cell *b) {
  double s = hypot(a->mad / a->median, b->mad / b->median);
  return s > REPORT_CMP_SPREAD_MIN ? s : REPORT_CMP_SPREAD_MIN;
}

/* For every pair the rule can judge, in A's order, into out: ln(B/A); or,
 * given the median cell's ln(B/A) mid, how far the pair strays from it in
 * units of its own spread.  Their number. */
static int each_pair(const report_cmp_run *a, const report_cmp_run *b,
                     const double *mid, double *out) {
  int n = 0;
  for (int i = 0; i < a->ncells; i++) {
    const report_cmp_cell *ca = &a->cells[i], *cb = find(b, ca->key);
    double ln;
    if (cb == NULL || !comparable(ca, cb))
      continue;
    ln = log(cb->median / ca->median);
    out[n++] = mid == NULL ? ln : fabs(ln - *mid) / spread(ca, cb);
  }
  return n;
}

report_cmp_drift report_cmp_measure(const report_cmp_run *a,
                                    const report_cmp_run *b) {
  report_cmp_drift d = {.cells = 0, .drift = 1, .shift = 1};
  double *v = calloc((size_t)a->ncells + 1, sizeof *v), mid;

  if (v == NULL)
    abort();
  d.cells = each_pair(a, b, NULL, v);
  if (d.cells > 0) {
    mid = base_median(v, d.cells);
    d.shift = exp(mid);
    each_pair(a, b, &mid, v);
    if (d.cells >= REPORT_CMP_DRIFT_CELLS)
      d.drift = fmax(1, base_median(v, d.cells));
  }
  free(v);
  return d;
}

report_cmp_verdict report_cmp_judge(const report_cmp_cell *a,
                                    const report_cmp_cell *b, double drift) {
  double ratio;

  if (a->failed || b->failed || !(a->median > 0) || !(b->median > 0))
    return REPORT_CMP_FAILED;
  if (a->runs == 1 || b->runs == 1)
    return REPORT_CMP_SINGLE;
  ratio = b->median / a->median;
  if (fabs(ratio - 1) * 100 <= REPORT_CMP_PCT)
    return REPORT_CMP_SAME;
  if (fabs(log(ratio)) <= REPORT_CMP_K * drift * spread(a, b))
    return REPORT_CMP_SAME; /* within what the pair drifts */
  if (b->min > a->max)
    return REPORT_CMP_SLOWER;
  if (b->max < a->min)
    return REPORT_CMP_FASTER;
  return REPORT_CMP_SAME; /* the ranges overlap: noise */
}

/* ---- printing ------------------------------------------------------------ */

/* A wall time with a unit a person reads at a glance. */
static void fmt_time(double s, char *out, size_t cap) {
  if (s >= 1)
    snprintf(out, cap, "%.3f s", s);
  else if (s >= 1e-3)
    snprintf(out, cap, "%.2f ms", s * 1e3);
  else
    snprintf(out, cap, "%.0f us", s * 1e6);
}

static void print_pair(FILE *out, const report_cmp_cell *a,
                       const report_cmp_cell *b) {
  char am[24], amin[24], amax[24], bm[24], bmin[24], bmax[24];

  fmt_time(a->median, am, sizeof am);
  fmt_time(a->min, amin, sizeof amin);
  fmt_time(a->max, amax, sizeof amax);
  fmt_time(b->median, bm, sizeof bm);
  fmt_time(b->min, bmin, sizeof bmin);
  fmt_time(b->max, bmax, sizeof bmax);
  fprintf(out, "  %-44s %10s -> %10s  %5.2fx  (A %s..%s, B %s..%s)\n",
          a->label, am, bm, b->median / a->median, amin, amax, bmin, bmax);
}

/* The two runs being compared, and their drift. */
typedef struct pairing {
  const report_cmp_run *a, *b;
  double drift;
} pairing;

/* The verdict on A's cell i, or -1 when B lacks it; *cb: B's cell. */
static int judge_at(const pairing *p, int i, const report_cmp_cell **cb) {
  *cb = find(p->b, p->a->cells[i].key);
  return *cb == NULL ? -1
                     : (int)report_cmp_judge(&p->a->cells[i], *cb, p->drift);
}

/* Every matched pair with verdict v; their number. */
static int print_verdict(FILE *out, const pairing *p, report_cmp_verdict v,
                         int print) {
  const report_cmp_run *a = p->a;
  int n = 0;
  for (int i = 0; i < a->ncells; i++) {
    const report_cmp_cell *cb;
    if (judge_at(p, i, &cb) != (int)v)
      continue;
    n++;
    if (!print)
      continue;
    if (v == REPORT_CMP_FAILED)
      fprintf(out, "  %s (FAILED in %s)\n", a->cells[i].label,
              a->cells[i].failed && cb->failed ? "both"
              : a->cells[i].failed             ? "A"
                                               : "B");
    else if (v == REPORT_CMP_SINGLE)
      fprintf(out, "  %s (one run: no range to tell noise from a change; "
              "B/A %.2fx)\n", a->cells[i].label,
              cb->median / a->cells[i].median);
    else
      print_pair(out, &a->cells[i], cb);
  }
  return n;
}

/* The cells of x that y lacks, under a heading; their number. */
static int print_only(FILE *out, const report_cmp_run *x,
                      const report_cmp_run *y, const char *name) {
  int n = 0;
  for (int i = 0; i < x->ncells; i++)
    n += find(y, x->cells[i].key) == NULL;
  if (n == 0)
    return 0;
  fprintf(out, "\nonly in %s (%d):\n", name, n);
  for (int i = 0; i < x->ncells; i++)
    if (find(y, x->cells[i].key) == NULL)
      fprintf(out, "  %s\n", x->cells[i].label);
  return n;
}

static void print_section(FILE *out, const pairing *p, report_cmp_verdict v,
                          const char *title) {
  int n = print_verdict(out, p, v, 0);
  int listed = v == REPORT_CMP_SLOWER || v == REPORT_CMP_FASTER;
  if (n == 0 && !listed)
    return;
  fprintf(out, "\n%s (%d)%s\n", title, n, n > 0 ? ":" : "");
  if (n > 0 && listed)
    fprintf(out, "  %-44s %10s    %10s  %6s\n", "cell", "A median",
            "B median", "B/A");
  print_verdict(out, p, v, 1);
}

static int few_runs(const report_cmp_cell *c) {
  return c->runs > 0 && c->runs < REPORT_CMP_FEW_RUNS;
}

/* Matched, compared pairs where a run has too few runs for its range to
 * mean much. */
static int count_few_runs(const pairing *p) {
  int n = 0;
  for (int i = 0; i < p->a->ncells; i++) {
    const report_cmp_cell *cb;
    int v = judge_at(p, i, &cb);
    if (v >= 0 && v != REPORT_CMP_FAILED && v != REPORT_CMP_SINGLE &&
        (few_runs(&p->a->cells[i]) || few_runs(cb)))
      n++;
  }
  return n;
}

/* Cells listed as changed whose medians both take under
 * REPORT_CMP_SHORT_S. */
static int count_short_changes(const pairing *p) {
  int n = 0;
  for (int i = 0; i < p->a->ncells; i++) {
    const report_cmp_cell *cb;
    int v = judge_at(p, i, &cb);
    if ((v == REPORT_CMP_SLOWER || v == REPORT_CMP_FASTER) &&
        p->a->cells[i].median < REPORT_CMP_SHORT_S &&
        cb->median < REPORT_CMP_SHORT_S)
      n++;
  }
  return n;
}

/* Slower cells beyond the noise and beyond fail_above percent. */
static int count_regressions(const pairing *p, double fail_above) {
  int n = 0;
  if (fail_above < 0)
    return 0;
  for (int i = 0; i < p->a->ncells; i++) {
    const report_cmp_cell *cb;
    if (judge_at(p, i, &cb) == REPORT_CMP_SLOWER &&
        (cb->median / p->a->cells[i].median - 1) * 100 > fail_above)
      n++;
  }
  return n;
}

/* A run measured on a busy machine: every run of a cell slows together,
 * so its range moves off the other run's with no change in the code. */
static void busy_note(FILE *out, const report_cmp_run *r, const char *name) {
  if (r->cores > 0 && r->load1 > r->cores)
    fprintf(out, "note: %s started at load %.2f on %d cores: other programs "
            "shared the CPU, which moves a whole cell's range, so a cell "
            "listed as changed may be the machine, not the code (compare "
            "runs taken on an idle machine)\n", name, r->load1, r->cores);
  if (r->others_pct > BASE_MACHINE_OTHERS_PCT)
    fprintf(out, "note: other programs used %.0f%% of the CPU during %s: a "
            "cell listed as changed may be the machine, not the code\n",
            r->others_pct, name);
  if (r->steal_pct > BASE_MACHINE_STEAL_PCT)
    fprintf(out, "note: the host stole %.1f%% of %s's CPU time: a cell "
            "listed as changed may be the host, not the code\n",
            r->steal_pct, name);
}

/* The drift the rule allowed for, and a whole-run shift: every cell
 * moving together is more often the machine than the code. */
static void drift_note(FILE *out, const report_cmp_drift *d) {
  if (d->cells >= REPORT_CMP_DRIFT_CELLS)
    fprintf(out, "Drift between the runs: D = %.2f (from %d cells; 1 = they "
            "agree as well as each agrees with itself).\n", d->drift,
            d->cells);
  else
    fprintf(out, "Drift between the runs: not measured (%d cells compared, "
            "fewer than %d): D = 1.\n", d->cells, REPORT_CMP_DRIFT_CELLS);
  if (fabs(d->shift - 1) * 100 > REPORT_CMP_PCT)
    fprintf(out, "note: B as a whole is %.2fx A (the median cell): when "
            "every cell moves together, the machine (its load, the host, "
            "the clock speed) is as likely a cause as the code; run A again "
            "beside B to tell\n", d->shift);
}

int report_cmp_print(FILE *out, const report_cmp_run *a,
                     const report_cmp_run *b, double fail_above) {
  report_cmp_drift d = report_cmp_measure(a, b);
  pairing p = {.a = a, .b = b, .drift = d.drift};
  int few;

  fprintf(out, "A: %s (%s, commit %s)\nB: %s (%s, commit %s)\n", a->path,
          a->profile, a->commit[0] ? a->commit : "not recorded", b->path,
          b->profile, b->commit[0] ? b->commit : "not recorded");
  fprintf(out, "A cell changed when B/A of the medians is over %.0f%% from "
          "1, the two runs' min-max ranges do not overlap, and |ln(B/A)| is "
          "over %.0f x D x the cell's own spread (its MADs over its "
          "medians).\n", REPORT_CMP_PCT, REPORT_CMP_K);
  drift_note(out, &d);
  print_section(out, &p, REPORT_CMP_SLOWER, "slower in B");
  print_section(out, &p, REPORT_CMP_FASTER, "faster in B");
  fprintf(out, "\nunchanged (within the noise): %d cells\n",
          print_verdict(out, &p, REPORT_CMP_SAME, 0));
  few = count_short_changes(&p);
  if (few > 0)
    fprintf(out, "note: %d of the cells listed as changed take under %.0f ms "
            "a run, where a scheduler's hiccup is as large as the change: "
            "believe them when a larger size changes too\n", few,
            REPORT_CMP_SHORT_S * 1e3);
  few = count_few_runs(&p);
  if (few > 0)
    fprintf(out, "note: %d of the cells compared have fewer than %d runs in "
            "A or B: a range of 2 runs is narrow, so a change there may "
            "still be noise (compare quick or full runs)\n", few,
            REPORT_CMP_FEW_RUNS);
  busy_note(out, a, "A");
  busy_note(out, b, "B");
  print_section(out, &p, REPORT_CMP_SINGLE, "not compared, measured once");
  print_section(out, &p, REPORT_CMP_FAILED, "not compared, FAILED");
  print_only(out, a, b, "A");
  print_only(out, b, a, "B");
  return count_regressions(&p, fail_above);
}
