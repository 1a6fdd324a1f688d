/*
 * lab.c - the lab's outputs: its README section (with "the
 * comparison table, measured"), lab.json, and the plot data files.
 *
 * Pure functions of the lab_data struct: no clock, no measuring, so a fixed
 * lab always gives the same bytes (tests/golden/lab_*).  The verdicts are
 * worked out from the numbers, never fixed prose: if this machine's
 * numbers contradict a tutorial's claim, the table says so.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "atomic.h"
#include "figures.h"
#include "json.h"
#include "version.h"
#include "manifest.h"
#include "section.h"

#define TIMER_FIGURE_N 1000000L
#define TIMER_FIGURE_S 1.5

static const lab_sweep_result *sweep_find(const lab_data *lab,
                                          const char *model) {
  for (int i = 0; i < lab->nsweeps; i++)
    if (strcmp(lab->sweeps[i].model, model) == 0)
      return &lab->sweeps[i];
  return NULL;
}

static const char *kind_unit(lab_kind k) {
  return k == LAB_IPC ? "B/s" : k == LAB_MEMORY ? "B/unit" : "ns";
}

static const char *kind_name(lab_kind k) {
  static const char *const names[] = {"start", "switch", "ipc", "memory"};
  return names[k];
}

/* ---- numbers for people ------------------------------------------------- */

static const char *fmt_ns(double ns, char *buf, size_t cap) {
  if (ns < 1e3)
    snprintf(buf, cap, "%.0f ns", ns);
  else if (ns < 1e6)
    snprintf(buf, cap, "%.1f µs", ns / 1e3);
  else
    snprintf(buf, cap, "%.2f ms", ns / 1e6);
  return buf;
}

static const char *fmt_bytes(double b, char *buf, size_t cap) {
  if (b < 0)
    snprintf(buf, cap, "%.0f B", b);
  else if (b < 1024)
    snprintf(buf, cap, "%.0f B", b);
  else if (b < 1024 * 1024)
    snprintf(buf, cap, "%.1f KiB", b / 1024);
  else
    snprintf(buf, cap, "%.2f MiB", b / (1024 * 1024));
  return buf;
}

static const char *fmt_rate(double bps, char *buf, size_t cap) {
  snprintf(buf, cap, "%.0f MB/s", bps / 1e6);
  return buf;
}

/* A value in the unit of its kind. */
static const char *fmt_value(lab_kind k, double v, char *buf, size_t cap) {
  return k == LAB_IPC ? fmt_rate(v, buf, cap)
         : k == LAB_MEMORY ? fmt_bytes(v, buf, cap)
                          : fmt_ns(v, buf, cap);
}

const char *report_with_commas(long n, char *buf, size_t cap) {
  char digits[32];
  size_t len, o = 0;
  snprintf(digits, sizeof digits, "%ld", n);
  len = strlen(digits);
  for (size_t i = 0; i < len && o + 2 < cap; i++) {
    if (i > 0 && (len - i) % 3 == 0 && digits[i - 1] != '-')
      buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
  return buf;
}

/* User plus kernel bytes per unit: the median of the runs' sums. */
static double mem_total(const lab_row *r) { return r->s.median; }

/* ---- the Markdown section ----------------------------------------------- */

static void unit_table(FILE *out, const lab_data *lab, lab_kind kind,
                       const char *title, const char *intro) {
  char a[32], b[32], c[32], d[32];
  int any = 0;

  for (int i = 0; i < lab->nrows; i++)
    any |= lab->rows[i].kind == kind;
  if (!any)
    return;
  fprintf(out, "### %s\n\n%s\n\n", title, intro);
  fprintf(out, "| unit | model | one repetition | median | MAD | min – max "
          "|\n|---|---|---|---:|---:|---|\n");
  for (int i = 0; i < lab->nrows; i++) {
    const lab_row *r = &lab->rows[i];
    if (r->kind != kind)
      continue;
    fprintf(out, "| <a id=\"lab-%s\"></a>`%s` | %s | %s", r->name, r->name,
            r->model, r->what);
    if (strstr(r->name, "_large") != NULL)
      fprintf(out, " (parent: %ld MiB touched)", lab->big_mb);
    if (r->failed) {
      fprintf(out, " | FAILED | | %s |\n", r->why);
      continue;
    }
    fprintf(out, " | %s | %s | %s – %s |\n",
            fmt_value(kind, r->s.median, a, sizeof a),
            fmt_value(kind, r->s.mad, b, sizeof b),
            fmt_value(kind, r->s.min, c, sizeof c),
            fmt_value(kind, r->s.max, d, sizeof d));
  }
  fputc('\n', out);
}

static void memory_table(FILE *out, const lab_data *lab) {
  char a[32], b[32], c[32], n[32], m[32];
  int any = 0;

  for (int i = 0; i < lab->nrows; i++)
    any |= lab->rows[i].kind == LAB_MEMORY;
  if (!any)
    return;
  fputs("### Memory per waiting unit\n\n"
        "N units are made and left waiting; user memory is the growth of "
        "the resident set (for processes: the sum of Pss over the parent "
        "and every child, so that a shared page counts once), kernel memory "
        "the growth of KernelStack + PageTables in /proc/meminfo.  The "
        "kernel part is the whole system's: on a shared machine other "
        "programs move it too (it can even come out negative), so it is "
        "shown apart.  Medians over the runs; MAD of the sum.\n\n"
        "| unit | model | one waiting unit | N | user | kernel | sum | MAD "
        "|\n|---|---|---|---:|---:|---:|---:|---:|\n", out);
  for (int i = 0; i < lab->nrows; i++) {
    const lab_row *r = &lab->rows[i];
    if (r->kind != LAB_MEMORY)
      continue;
    fprintf(out, "| <a id=\"lab-%s\"></a>`%s` | %s | %s | %s", r->name,
            r->name, r->model, r->what,
            report_with_commas(r->count, n, sizeof n));
    if (r->failed)
      fprintf(out, " | FAILED | | | %s |\n", r->why);
    else
      fprintf(out, " | %s | %s | %s | %s |\n",
              fmt_bytes(r->user.median, a, sizeof a),
              fmt_bytes(r->kernel.median, b, sizeof b),
              fmt_bytes(r->s.median, c, sizeof c),
              fmt_bytes(r->s.mad, m, sizeof m));
  }
  fputc('\n', out);
}

/* The figure: 1,000,000 timers of 100 ms done within 1.5 s.
 * NULL if that level was not held. */
static const lab_level *timer_figure(const lab_data *lab) {
  const lab_sweep_result *s = sweep_find(lab, "async");
  for (int i = 0; s != NULL && i < s->nlevels; i++)
    if (s->levels[i].n == TIMER_FIGURE_N && s->levels[i].ok)
      return &s->levels[i];
  return NULL;
}

static void sweep_table(FILE *out, const lab_data *lab) {
  char why[128], n[32], big[32];
  const lab_level *fig = timer_figure(lab);

  if (lab->nsweeps == 0)
    return;
  fputs("### How far each model scales\n\n"
        "Waiting units held at once, 10, 100, 1,000, ... each level in a "
        "fresh process, until the cap set for this profile or until the "
        "system refuses (EAGAIN, ENOMEM: that is the limit, and what was "
        "made is torn down).  Timers wait 100 ms each; threads use the "
        "pool's stack size; processes block reading a pipe.  wall: from the "
        "first start until all are done; memory: peak resident (processes: "
        "the Pss of all).\n\n"
        "| model | waiting units | levels (n: wall, memory) | largest held "
        "| why it stopped |\n|---|---|---|---:|---|\n", out);
  for (int i = 0; i < lab->nsweeps; i++) {
    const lab_sweep_result *s = &lab->sweeps[i];
    fprintf(out, "| %s | %s | ", s->model, s->what);
    for (int k = 0; k < s->nlevels; k++) {
      const lab_level *lv = &s->levels[k];
      fprintf(out, "%s%s: ", k ? "; " : "",
              report_with_commas(lv->n, n, sizeof n));
      if (lv->ok)
        fprintf(out, "%.3f s, %s", lv->h.wall_s,
                fmt_bytes((double)lv->h.rss_kb * 1024, big, sizeof big));
      else
        fprintf(out, "%s", "not held");
    }
    lab_sweep_why(s, why, sizeof why);
    fprintf(out, " | %s | %s |\n", report_with_commas(s->largest, n, sizeof n),
            why);
  }
  fputc('\n', out);
  if (fig != NULL)
    fprintf(out, "**1,000,000 timers of 100 ms:** all fired in %.3f s "
            "(target: within %.1f s): %s.\n\n", fig->h.wall_s,
            TIMER_FIGURE_S, fig->h.wall_s <= TIMER_FIGURE_S ? "met"
                                                            : "MISSED");
  else if (sweep_find(lab, "async") != NULL)
    fprintf(out, "**1,000,000 timers of 100 ms:** not held in this run "
            "(target: within %.1f s).\n\n", TIMER_FIGURE_S);
}

/* ---- the comparison table, measured ------------------------------------- */

#define NA "not measured"

/* A cell: one measured row's median, or "not measured". */
static const char *cell(const lab_data *lab, const char *name, const char *fmt,
                        char *buf, size_t cap) {
  const lab_row *r = lab_row_find(lab, name);
  char v[32];
  if (r == NULL)
    return NA;
  if (r->kind == LAB_MEMORY)
    fmt_bytes(mem_total(r), v, sizeof v);
  else
    fmt_value(r->kind, r->s.median, v, sizeof v);
  snprintf(buf, cap, fmt, v);
  return buf;
}

static void row_memory(FILE *out, const lab_data *lab) {
  const lab_row *t = lab_row_find(lab, "mem_timer");
  const lab_row *th = lab_row_find(lab, "mem_thread_small");
  const lab_row *p = lab_row_find(lab, "mem_process");
  char a[96], b[96], c[96], e[96];

  if (th == NULL)
    th = lab_row_find(lab, "mem_thread");
  fprintf(out, "| Memory: async is light, threads cost more, processes the "
          "most | %s | %s",
          cell(lab, "mem_timer", "%s per pending timer", a, sizeof a),
          cell(lab, "mem_thread_small", "%s per sleeping thread (64 KiB "
               "stack)", b, sizeof b));
  if (lab_row_find(lab, "mem_thread") != NULL)
    fprintf(out, "; %s", cell(lab, "mem_thread", "%s with the default "
                              "stack", e, sizeof e));
  fprintf(out, " | %s | ",
          cell(lab, "mem_process", "%s per sleeping process", c, sizeof c));
  if (t == NULL || th == NULL || p == NULL) {
    fputs(NA " |\n", out);
    return;
  }
  if (mem_total(t) > 0 && mem_total(t) < mem_total(th) &&
      mem_total(th) < mem_total(p))
    fprintf(out, "holds: a thread holds %.0fx a timer's memory, a process "
            "%.0fx |\n", mem_total(th) / mem_total(t),
            mem_total(p) / mem_total(t));
  else
    fprintf(out, "does not hold here: the order is not timer < thread < "
            "process (%s, %s, %s) |\n", fmt_bytes(mem_total(t), a, sizeof a),
            fmt_bytes(mem_total(th), b, sizeof b),
            fmt_bytes(mem_total(p), c, sizeof c));
}

static void row_cpu(FILE *out, const lab_data *lab) {
  const lab_row *t = lab_row_find(lab, "uv_timer");
  const lab_row *th = lab_row_find(lab, "pthread");
  const lab_row *p = lab_row_find(lab, "fork");
  char a[96], b[96], c[96], d[96], e[96], f[96];

  fprintf(out, "| CPU overhead: async very low, threads more, processes "
          "the most (start one; one switch) | %s; %s | %s; %s | %s; %s | ",
          cell(lab, "uv_timer", "start+fire a timer %s", a, sizeof a),
          cell(lab, "uv_async", "thread-to-loop round trip %s", b, sizeof b),
          cell(lab, "pthread", "create+join %s", c, sizeof c),
          cell(lab, "cond_pingpong", "condvar round trip %s", d, sizeof d),
          cell(lab, "fork", "fork+wait %s", e, sizeof e),
          cell(lab, "pipe_procs", "pipe round trip %s", f, sizeof f));
  if (t == NULL || th == NULL || p == NULL) {
    fputs(NA " |\n", out);
    return;
  }
  if (t->s.median < th->s.median && th->s.median < p->s.median)
    fprintf(out, "holds: a thread costs %.0fx a timer to start, a process "
            "%.0fx |\n", th->s.median / t->s.median,
            p->s.median / t->s.median);
  else
    fprintf(out, "does not hold here: the order is not timer < thread < "
            "process |\n");
}

static void sweep_cell(const lab_data *lab, const char *model, char *buf,
                       size_t cap) {
  const lab_sweep_result *s = sweep_find(lab, model);
  char n[32], why[128];
  if (s == NULL) {
    snprintf(buf, cap, NA);
    return;
  }
  lab_sweep_why(s, why, sizeof why);
  snprintf(buf, cap, "%s held (%s)",
           report_with_commas(s->largest, n, sizeof n), why);
}

static void row_scale(FILE *out, const lab_data *lab) {
  const lab_sweep_result *a = sweep_find(lab, "async");
  const lab_sweep_result *t = sweep_find(lab, "threaded");
  const lab_sweep_result *p = sweep_find(lab, "multiproc");
  char ca[256], ct[256], cp[256];

  sweep_cell(lab, "async", ca, sizeof ca);
  sweep_cell(lab, "threaded", ct, sizeof ct);
  sweep_cell(lab, "multiproc", cp, sizeof cp);
  fprintf(out, "| Scalability: async scales to thousands of waiting tasks, "
          "threads and processes to fewer | %s | %s | %s | ", ca, ct, cp);
  if (a == NULL || t == NULL || p == NULL) {
    fputs(NA " |\n", out);
    return;
  }
  if (a->largest < 1000) {
    fputs("does not hold here: async held fewer than 1,000 |\n", out);
  } else if (t->stop == LAB_STOP_REFUSED && p->stop == LAB_STOP_REFUSED &&
             a->largest > t->largest && a->largest > p->largest) {
    fprintf(out, "holds: the system refused threads after %s and processes "
            "after %s, while %s timers waited |\n",
            report_with_commas(t->largest, ct, sizeof ct),
            report_with_commas(p->largest, cp, sizeof cp),
            report_with_commas(a->largest, ca, sizeof ca));
  } else if (t->stop == LAB_STOP_FAILED || p->stop == LAB_STOP_FAILED) {
    fputs("no verdict: a sweep failed (see the sweep table) |\n", out);
  } else {
    fprintf(out, "depends: async held %s;%s%s%s |\n",
            report_with_commas(a->largest, ca, sizeof ca),
            t->stop == LAB_STOP_CAP ? " threads reached their cap without a "
                                     "refusal;" : "",
            p->stop == LAB_STOP_CAP ? " processes reached their cap without "
                                     "a refusal;" : "",
            t->stop == LAB_STOP_CAP || p->stop == LAB_STOP_CAP
                ? " the limit found here is the cap set for this run, not "
                  "the model"
                : " the system refused them, but not below async's count");
  }
}

static void row_ipc(FILE *out, const lab_data *lab) {
  const lab_row *shm = lab_row_find(lab, "shm_bw");
  const lab_row *pipe = lab_row_find(lab, "pipe_bw");
  char a[96], b[96], c[96], d[96], e[96];

  fprintf(out, "| Resource sharing: threads share memory (with locks), "
          "processes need IPC, which costs | one thread: shares everything, "
          "no locks; %s | %s; %s | %s; %s | ",
          cell(lab, "uv_async", "another thread reaches the loop in %s",
               a, sizeof a),
          cell(lab, "shm_bw", "shared ring %s", b, sizeof b),
          cell(lab, "cond_pingpong", "condvar round trip %s", c, sizeof c),
          cell(lab, "pipe_bw", "pipe %s", d, sizeof d),
          cell(lab, "pipe_procs", "pipe round trip %s", e, sizeof e));
  if (shm == NULL || pipe == NULL) {
    fputs(NA " |\n", out);
    return;
  }
  if (shm->s.median > 1.2 * pipe->s.median)
    fprintf(out, "holds: shared memory moved bytes %.1fx as fast as a pipe, "
            "with the same two copies |\n", shm->s.median / pipe->s.median);
  else
    fprintf(out, "depends: a pipe moved bytes at %.0f%% of shared memory's "
            "speed; with the same two copies the kernel is not the "
            "bottleneck, and processes can share memory too (mmap) |\n",
            100 * pipe->s.median / shm->s.median);
}

/* The GIL: measured on both sides by the suite's C and CPython table,
 * where the suite has run into the same directory. */
static void row_gil(FILE *out, const lab_data *lab) {
  char verdict[320];
  if (!lab->gil) {
    fputs("| The GIL: threads cannot speed up CPU work | one loop runs on "
          "one core | no GIL in C: threads run on every core (see the "
          "primes table) | processes run on every core too (see the primes "
          "table) | does not hold in C (CPython's side: run `conclab "
          "suite` into this directory) |\n\n", out);
    return;
  }
  report_python_gil_verdict(lab->gil_c, lab->gil_py, verdict,
                            sizeof verdict);
  fprintf(out, "| The GIL: threads cannot speed up CPU work | one loop runs "
          "on one core | threads' speedup over seq: %.2fx in C, %.2fx in "
          "CPython ([C and CPython](#c-and-cpython)) | processes run on "
          "every core in both | %s |\n\n", lab->gil_c, lab->gil_py,
          verdict);
}

static void comparison(FILE *out, const lab_data *lab) {
  fputs("## The comparison table, measured\n\n"
        "The tutorials' closing table, row by row, with this machine's "
        "numbers per model (medians from the tables above) and a verdict "
        "worked out from them.\n\n"
        "| the tutorials' claim | async (libuv) | threaded (pthreads) | "
        "multiproc (fork) | verdict here |\n|---|---|---|---|---|\n", out);
  row_memory(out, lab);
  row_cpu(out, lab);
  row_scale(out, lab);
  row_ipc(out, lab);
  row_gil(out, lab);
}

/* One kind's costs, model by model (the first row each model has). */
static int why_costs(FILE *out, const lab_data *lab, lab_kind kind,
                     const char *lead) {
  static const char *const models[] = {"async", "threaded", "multiproc"};
  char v[32];
  int n = 0;
  for (size_t m = 0; m < sizeof models / sizeof models[0]; m++)
    for (int i = 0; i < lab->nrows; i++) {
      const lab_row *r = &lab->rows[i];
      if (r->kind != kind || r->failed || strcmp(r->model, models[m]) != 0)
        continue;
      fprintf(out, "%s%s [%s](#lab-%s)", n++ == 0 ? lead : ", ", r->model,
              fmt_value(kind, r->s.median, v, sizeof v), r->name);
      break;
    }
  return n;
}

void report_lab_why(FILE *out, const lab_data *lab) {
  int n = 0;
  fprintf(out, "**What one unit costs** (`conclab lab`, this machine): ");
  n += why_costs(out, lab, LAB_MEMORY, "one waiting unit holds ");
  n += why_costs(out, lab, LAB_START, n > 0 ? "; starting and finishing one "
                                               "takes "
                                             : "starting and finishing one "
                                               "takes ");
  if (n == 0)
    fprintf(out, "no unit was measured");
  fprintf(out, ". These costs, times the tasks in flight, are why the scale "
          "rows above part ways.\n");
}

void report_lab_markdown(FILE *out, const lab_data *lab) {
  const base_machine *m = &lab->machine;

  fprintf(out, "## The lab: what one unit of each model costs\n\n"
          "Measured by `conclab lab --profile %s`: every unit runs in a "
          "fresh process, one warm-up and then %d measured runs; median, "
          "MAD (median absolute deviation) and min – max over the runs.  "
          "Machine: %s, %d cores, %.1f GiB, %s; %s (%s).\n\n",
          lab->profile, lab->runs, m->cpu, m->cores, m->mem_gib, m->kernel,
          m->compiler, m->build_type);
  unit_table(out, lab, LAB_START, "Start and finish one unit",
             "Each repetition makes one unit, lets it finish and cleans up; "
             "the time is per repetition.  `fork_large` shows that fork "
             "copies the parent's page tables, so it costs more the more "
             "memory the parent has touched; `vfork` shares the parent's "
             "memory and does not grow.  `posix_spawn` includes exec and "
             "the start of /bin/true.");
  unit_table(out, lab, LAB_SWITCH, "Switch: one round trip",
             "One message there and one back, per repetition: two hand-offs "
             "between two units that wait for each other.");
  unit_table(out, lab, LAB_IPC, "Moving bytes",
             "64 KiB chunks from one unit to another.  A pipe copies each "
             "byte into the kernel and out again; the shared ring does the "
             "same two copies (memcpy in, memcpy out) with no kernel in "
             "between, so the difference is the kernel's part.  Both reuse "
             "the same buffers, so this is cache-to-cache copying, an upper "
             "bound.");
  memory_table(out, lab);
  sweep_table(out, lab);
  report_lab_overhead_markdown(out, lab);
  comparison(out, lab);
}

/* ---- lab.json ----------------------------------------------------------- */

static void json_summary(base_json_writer *w, const char *prefix,
                         base_summary s) {
  char key[48];
  snprintf(key, sizeof key, "%smedian", prefix);
  base_json_num(w, key, s.median);
  snprintf(key, sizeof key, "%smad", prefix);
  base_json_num(w, key, s.mad);
  snprintf(key, sizeof key, "%smin", prefix);
  base_json_num(w, key, s.min);
  snprintf(key, sizeof key, "%smax", prefix);
  base_json_num(w, key, s.max);
}

static cJSON *json_row(const lab_row *r) {
  base_json_writer w;
  base_json_begin(&w, NULL);
  base_json_str(&w, "name", r->name);
  base_json_str(&w, "model", r->model);
  base_json_str(&w, "kind", kind_name(r->kind));
  base_json_str(&w, "what", r->what);
  base_json_str(&w, "unit", kind_unit(r->kind));
  base_json_int(&w, "count", r->count);
  base_json_int(&w, "n", r->s.n);
  json_summary(&w, "", r->s);
  if (r->kind == LAB_MEMORY) {
    json_summary(&w, "user_bytes_", r->user);
    json_summary(&w, "kernel_bytes_", r->kernel);
  }
  base_json_int(&w, "failed", r->failed);
  base_json_str(&w, "why", r->why);
  return base_json_take(&w);
}

static cJSON *json_sweep(const lab_sweep_result *s) {
  cJSON *levels = base_json_need(cJSON_CreateArray());
  char why[128];
  base_json_writer w;

  lab_sweep_why(s, why, sizeof why);
  base_json_begin(&w, NULL);
  base_json_str(&w, "model", s->model);
  base_json_str(&w, "what", s->what);
  base_json_int(&w, "cap", s->cap);
  base_json_int(&w, "largest", s->largest);
  base_json_str(&w, "stop", s->stop == LAB_STOP_CAP       ? "cap"
                     : s->stop == LAB_STOP_REFUSED ? "refused"
                                                  : "failed");
  base_json_str(&w, "why", why);
  for (int k = 0; k < s->nlevels; k++) {
    const lab_level *lv = &s->levels[k];
    base_json_writer l;
    base_json_begin(&l, NULL);
    base_json_int(&l, "n", lv->n);
    base_json_int(&l, "got", lv->h.got);
    base_json_int(&l, "ok", lv->ok);
    base_json_num(&l, "wall_s", lv->h.wall_s);
    base_json_int(&l, "rss_kb", lv->h.rss_kb);
    base_json_str(&l, "err", lv->h.err ? lab_errno_name(lv->h.err) : "");
    cJSON_AddItemToArray(levels, base_json_take(&l));
  }
  cJSON_AddItemToObject(w.obj, "levels", levels);
  return base_json_take(&w);
}

void report_lab_json(FILE *out, const lab_data *lab) {
  const lab_level *fig = timer_figure(lab);
  cJSON *sweeps = base_json_need(cJSON_CreateArray()), *figure;
  base_json_writer w;

  base_json_begin(&w, NULL);
  base_json_stamp(w.obj);
  base_json_str(&w, "profile", lab->profile);
  base_json_int(&w, "runs", lab->runs);
  base_json_int(&w, "big_mb", lab->big_mb);
  base_json_add_fixed(w.obj, "elapsed_s", 3, lab->elapsed_s);
  cJSON_AddItemToObject(w.obj, "machine", base_machine_json(&lab->machine));
  for (int mem = 0; mem < 2; mem++) {
    cJSON *rows = base_json_need(cJSON_CreateArray());
    for (int i = 0; i < lab->nrows; i++)
      if ((lab->rows[i].kind == LAB_MEMORY) == mem)
        cJSON_AddItemToArray(rows, json_row(&lab->rows[i]));
    cJSON_AddItemToObject(w.obj, mem ? "memory" : "units", rows);
  }
  for (int i = 0; i < lab->nsweeps; i++)
    cJSON_AddItemToArray(sweeps, json_sweep(&lab->sweeps[i]));
  cJSON_AddItemToObject(w.obj, "sweeps", sweeps);
  report_lab_overhead_json(w.obj, lab);
  figure = base_json_need(cJSON_AddObjectToObject(w.obj, "timer_figure"));
  base_json_add_int(figure, "n", TIMER_FIGURE_N);
  base_json_add_int(figure, "delay_ms", LAB_TIMER_MS);
  base_json_add_fixed(figure, "target_s", 1, TIMER_FIGURE_S);
  base_json_add_int(figure, "held", fig != NULL);
  base_json_add_fixed(figure, "wall_s", 6, fig ? fig->h.wall_s : 0.0);
  base_json_add_int(figure, "met",
                    fig != NULL && fig->h.wall_s <= TIMER_FIGURE_S);
  base_json_print(out, base_json_take(&w));
}

/* ---- the plot data ------------------------------------------------------ */

/* The plots group their rows by model, in this order. */
static const char *const dat_models[] = {"async", "threaded", "multiproc"};
#define NDAT_MODELS ((int)(sizeof dat_models / sizeof dat_models[0]))

void report_lab_units_dat(FILE *out, const lab_data *lab) {
  fputs("# label model median_ns min_ns max_ns\n", out);
  for (int m = 0; m < NDAT_MODELS; m++)
    for (int i = 0; i < lab->nrows; i++) {
      const lab_row *r = &lab->rows[i];
      if ((r->kind == LAB_START || r->kind == LAB_SWITCH) && !r->failed &&
          strcmp(r->model, dat_models[m]) == 0)
        fprintf(out, "%s %s %.1f %.1f %.1f\n", r->name, r->model,
                r->s.median, r->s.min, r->s.max);
    }
}

void report_lab_ipc_dat(FILE *out, const lab_data *lab) {
  fputs("# label median_mb_s min_mb_s max_mb_s\n", out);
  for (int i = 0; i < lab->nrows; i++) {
    const lab_row *r = &lab->rows[i];
    if (r->kind == LAB_IPC && !r->failed)
      fprintf(out, "%s %.1f %.1f %.1f\n", r->name, r->s.median / 1e6,
              r->s.min / 1e6, r->s.max / 1e6);
  }
}

void report_lab_memory_dat(FILE *out, const lab_data *lab) {
  fputs("# label model user_bytes kernel_bytes\n", out);
  for (int m = 0; m < NDAT_MODELS; m++)
    for (int i = 0; i < lab->nrows; i++) {
      const lab_row *r = &lab->rows[i];
      if (r->kind == LAB_MEMORY && !r->failed &&
          strcmp(r->model, dat_models[m]) == 0)
        fprintf(out, "%s %s %.0f %.0f\n", r->name, r->model,
                r->user.median, r->kernel.median);
    }
}

void report_lab_sweep_dat(FILE *out, const lab_data *lab) {
  fputs("# model n wall_s rss_kb ok\n", out);
  for (int i = 0; i < lab->nsweeps; i++)
    for (int k = 0; k < lab->sweeps[i].nlevels; k++) {
      const lab_level *lv = &lab->sweeps[i].levels[k];
      fprintf(out, "%s %ld %.6f %ld %d\n", lab->sweeps[i].model, lv->n,
              lv->h.wall_s, lv->h.rss_kb, lv->ok);
    }
}

/* ---- the summary on stdout ---------------------------------------------- */

void report_lab_summary(FILE *out, const lab_data *lab) {
  char v[32], why[128], n[32];
  const lab_level *fig = timer_figure(lab);

  fprintf(out, "conclab lab (%s): medians of %d runs\n", lab->profile,
          lab->runs);
  for (int i = 0; i < lab->nrows; i++) {
    const lab_row *r = &lab->rows[i];
    if (r->failed)
      fprintf(out, "  %-18s FAILED: %s\n", r->name, r->why);
    else
      fprintf(out, "  %-18s %s\n", r->name,
              fmt_value(r->kind, r->s.median, v, sizeof v));
  }
  for (int i = 0; i < lab->nsweeps; i++) {
    lab_sweep_why(&lab->sweeps[i], why, sizeof why);
    fprintf(out, "  sweep %-12s %s held; %s\n", lab->sweeps[i].model,
            report_with_commas(lab->sweeps[i].largest, n, sizeof n), why);
  }
  if (fig != NULL)
    fprintf(out, "  1,000,000 timers of 100 ms: %.3f s (target %.1f s): %s\n",
            fig->h.wall_s, TIMER_FIGURE_S,
            fig->h.wall_s <= TIMER_FIGURE_S ? "met" : "MISSED");
  report_lab_overhead_summary(out, lab);
}

/* ---- the files, README.md last ------------------------------------------ */

/* base_atomic_write's argument: one of this file's writers and the lab. */
typedef struct lab_job {
  report_lab_writer write;
  const lab_data *lab;
} lab_job;

static void run_job(FILE *out, const void *arg) {
  const lab_job *job = arg;
  job->write(out, job->lab);
}

static int write_atomic(const char *dir, const char *name,
                        report_lab_writer write, const lab_data *lab) {
  char path[BASE_PATH_MAX];
  lab_job job = {write, lab};
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return base_atomic_write(path, run_job, &job);
}

/* The lab's section as a string (malloc'd), or NULL. */
static void lab_section_job(FILE *out, const void *arg) {
  report_lab_markdown(out, arg);
}

static void lab_why_job(FILE *out, const void *arg) {
  report_lab_why(out, arg);
}

static char *lab_section(const lab_data *lab) {
  return base_write_string(lab_section_job, lab);
}

/* README.md's head, from the old one: the lab's section replaced (or
 * added); the plots section and the list of files, which end it, are
 * written after it (report_compose_readme), as the suite writes them. */
static char *readme_head(const char *old, const void *arg) {
  char *doc = strdup(old != NULL ? old : "");
  char *text = lab_section(arg), *why = base_write_string(lab_why_job, arg);
  int bad = why == NULL || doc == NULL || text == NULL ||
            base_section_set(&doc, "plots", NULL) != 0 ||
            base_section_set(&doc, "files", NULL) != 0 ||
            base_section_set(&doc, REPORT_LAB_WHY, why) != 0 ||
            base_section_set(&doc, "lab", text) != 0;

  free(text);
  free(why);
  if (bad) {
    free(doc);
    return NULL;
  }
  return doc;
}

int report_lab_write_all(const char *dir, const lab_data *lab) {
  char *plots = NULL;
  int rc = 0;

  rc |= write_atomic(dir, "data/lab.json", report_lab_json, lab);
  rc |= write_atomic(dir, "data/lab_units.dat", report_lab_units_dat, lab);
  rc |= write_atomic(dir, "data/lab_ipc.dat", report_lab_ipc_dat, lab);
  rc |= write_atomic(dir, "data/lab_memory.dat", report_lab_memory_dat, lab);
  rc |= write_atomic(dir, "data/lab_sweep.dat", report_lab_sweep_dat, lab);
  if (rc != 0)
    return -1;
  report_lab_figures(dir, &plots); /* optional: says why if not */
  rc = report_compose_readme(dir, plots, readme_head, lab);
  free(plots);
  return rc;
}

