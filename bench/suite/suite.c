/*
 * suite.c - the suite's runs: each cell's, one fresh process per run.
 *
 * Why a child process per run: getrusage, peak RSS and context switches
 * are per process, and a process's first run warms caches and the
 * allocator that later runs would inherit.  So the suite never runs a
 * model itself: it forks `conclab run ... --json`, reads the JSON line the
 * child prints, and does the statistics here.
 */
#include "suite.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hyperfine.h"
#include "json.h"
#include "process.h"
#include "term.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- one child run ------------------------------------------------------ */

/* The numbers of a cell's command line, as text: --tasks, --concurrency,
 * --threadpool and one per flag.  And the command line itself: sixteen
 * words of conclab's own at most, two per flag, then NULL. */
#define CELL_TEXTS (3 + WL_MAX_FLAGS)
typedef char cell_text[CELL_TEXTS][24];
#define CELL_ARGV (17 + 2 * WL_MAX_FLAGS)

static void cell_argv(const suite_cell *c, const char *self, cell_text text,
                      char **argv);

int suite_cell_command(const suite_cell *c, const char *self, char *out,
                       size_t cap) {
  cell_text text;
  char *argv[CELL_ARGV];
  cell_argv(c, self, text, argv);
  return tool_hf_command_line(argv, out, cap);
}

/* A workload flag's value in a cell, as text (numbers are written into
 * `text`); NULL when the cell's command line leaves the flag out. */
static const char *flag_text(const wl_flag *f, const wl_params *p,
                             char *text, size_t cap) {
  const void *field = (const char *)p + f->field;
  int set;

  if (f->say == WL_SAY_NEVER || !wl_endpoint_applies(f->endpoints, p))
    return NULL;
  switch (f->kind) {
  case WL_FLAG_INT:
    snprintf(text, cap, "%d", *(const int *)field);
    set = *(const int *)field != 0;
    break;
  case WL_FLAG_INT64:
    snprintf(text, cap, "%lld", (long long)*(const int64_t *)field);
    set = *(const int64_t *)field != 0;
    break;
  case WL_FLAG_SHARE:
    snprintf(text, cap, "%g", *(const double *)field);
    set = *(const double *)field != 0;
    break;
  case WL_FLAG_NAME:
    snprintf(text, cap, "%s", f->names[*(const int *)field]);
    set = *(const int *)field != 0;
    break;
  case WL_FLAG_SWITCH:
    text[0] = '\0';
    set = *(const int *)field != 0;
    break;
  default: /* URL, DIR: the text itself */
    return *(const char *const *)field;
  }
  return f->say == WL_SAY_ALWAYS || set ? text : NULL;
}

/* argv for `conclab run` of a cell; the numbers live in `text`. */
static void cell_argv(const suite_cell *c, const char *self, cell_text text,
                      char **argv) {
  const wl_params *p = &c->opts.params;
  const wl_workload *wl = c->opts.wl;
  int n = 0, t = 2;

  argv[n++] = (char *)self;
  argv[n++] = "run";
  argv[n++] = (char *)wl->name;
  argv[n++] = "--model";
  argv[n++] = (char *)run_model_names[c->opts.model];
  snprintf(text[0], 24, "%d", p->tasks);
  argv[n++] = "--tasks";
  argv[n++] = text[0];
  snprintf(text[1], 24, "%d", p->concurrency);
  argv[n++] = "--concurrency";
  argv[n++] = text[1];
  for (int k = 0; k < wl->nflags && k < WL_MAX_FLAGS; k++) {
    const wl_flag *f = &wl->flags[k];
    const char *value = flag_text(f, p, text[t], sizeof text[t]);
    if (value == NULL)
      continue;
    argv[n++] = (char *)f->name;
    if (f->kind != WL_FLAG_SWITCH)
      argv[n++] = (char *)value;
    if (value == text[t])
      t++;
  }
  if (c->opts.threadpool > 0) {
    snprintf(text[t], 24, "%d", c->opts.threadpool);
    argv[n++] = "--threadpool";
    argv[n++] = text[t];
  }
  if (c->opts.offload)
    argv[n++] = "--offload";
  if (c->opts.blocking_in_loop)
    argv[n++] = "--blocking-in-loop";
  if (c->py) { /* conclab becomes conclab-py: python.c in bench/run */
    argv[n++] = "--impl";
    argv[n++] = "python";
  }
  argv[n++] = "--json";
  argv[n] = NULL;
}

/* The child's --json line, parsed once (one JSON object and nothing
 * else); a field the workload or model does not print stays 0. */
static void parse_run(const char *json, suite_run *r) {
  cJSON *doc = cJSON_ParseWithOpts(json, NULL, 1);
  double v;

  r->parsed = base_json_obj_num(doc, "wall_s", &r->wall_s) == 0 &&
              base_json_obj_str(doc, "checksum", r->checksum,
                                sizeof r->checksum) == 0;
  base_json_obj_num(doc, "user_s", &r->user_s);
  base_json_obj_num(doc, "sys_s", &r->sys_s);
  base_json_obj_num(doc, "max_rss_kb", &r->max_rss_kb);
  base_json_obj_num(doc, "vol_ctx", &r->vol_ctx);
  base_json_obj_num(doc, "invol_ctx", &r->invol_ctx);
  if (base_json_obj_num(doc, "ok", &v) == 0)
    r->ok = (int)v;
  if (base_json_obj_num(doc, "failed", &v) == 0)
    r->failed = (int)v;
  if (base_json_obj_num(doc, "threadpool_size", &v) == 0)
    r->threadpool_size = (int)v;
  if (base_json_obj_num(doc, "workers", &v) == 0)
    r->workers = (int)v;
  base_json_obj_num(doc, "connections", &r->connections); /* http only */
  base_json_obj_num(doc, "loop_lag_p50_ms", &r->lag_p50_ms); /* async only */
  base_json_obj_num(doc, "loop_lag_p99_ms", &r->lag_p99_ms);
  base_json_obj_num(doc, "loop_lag_max_ms", &r->lag_max_ms);
  base_json_obj_num(doc, "compute_ms", &r->compute_ms); /* pipeline only */
  cJSON_Delete(doc);
}

/* Run one child; fill r.  bench/base/process.c does the fork, exec and reading;
 * the child's first stderr line explains a failure. */
static void spawn_run(const char *self, const suite_cell *c, suite_run *r,
                      char *why, size_t whylen) {
  char *argv[CELL_ARGV], out[16384], line[256];
  cell_text text;
  int status;

  memset(r, 0, sizeof *r);
  r->exit_status = -1;
  cell_argv(c, self, text, argv);
  status = base_spawn_run(self, argv, out, sizeof out, line, sizeof line);
  if (status < 0) {
    base_spawn_why(why, whylen, status, line);
    return;
  }
  r->exit_status = status;
  parse_run(out, r);
  if (r->exit_status != 0 && r->exit_status != 3 && why[0] == '\0')
    base_spawn_why(why, whylen, r->exit_status, line);
}

double suite_cell_rerun(const char *self, const suite_cell *c, int runs) {
  double walls[100];
  char why[160] = "";
  suite_run r;

  if (runs > 100)
    runs = 100;
  for (int k = 0; k < runs; k++) {
    spawn_run(self, c, &r, why, sizeof why);
    if (r.exit_status != 0 || !r.parsed)
      return 0;
    walls[k] = r.wall_s;
  }
  return runs > 0 ? base_median(walls, runs) : 0;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct progress {
  int width; /* the terminal's columns, 0: plain lines (term.h) */
  double start;
  int runs_total, runs_done;
} progress;

/* The line redrawn in place: the cell's label is cut so the whole line
 * fits the terminal (a line that wraps is not redrawn, it scrolls). */
static void progress_redraw(const progress *pg, const suite_matrix *s, int i,
                            int run, char *label, double elapsed) {
  const suite_cell *c = &s->cells[i];
  char head[32], tail[96], line[256];
  /* Time left: the mean run so far, times the runs still to go. */
  double left = pg->runs_done > 0 ? elapsed / pg->runs_done *
                                        (pg->runs_total - pg->runs_done)
                                  : 0;
  size_t room;

  snprintf(head, sizeof head, "[cell %d/%d] ", i + 1, s->ncells);
  snprintf(tail, sizeof tail, ": run %d/%d, %.0f s elapsed, ~%.0f s left",
           run + 1, c->warmups + c->runs, elapsed, left);
  room = (size_t)pg->width - 1; /* the last column: some terminals wrap */
  if (strlen(head) + strlen(tail) + 8 <= room)
    base_term_fit(label, room - strlen(head) - strlen(tail));
  snprintf(line, sizeof line, "%s%s%s", head, label, tail);
  base_term_fit(line, room);
  fprintf(stderr, "\r\033[K%s", line);
}

static void progress_show(progress *pg, const suite_matrix *s, int i, int run) {
  const suite_cell *c = &s->cells[i];
  int total = c->warmups + c->runs;
  char label[96];
  double elapsed = now_s() - pg->start;

  suite_cell_label(c, label, sizeof label);
  if (pg->width > 0)
    progress_redraw(pg, s, i, run, label, elapsed);
  else if (run == 0)
    fprintf(stderr, "conclab: [cell %d/%d] %s (%d runs), %.0f s elapsed\n",
            i + 1, s->ncells, label, total, elapsed);
}

/* ---- every cell ---------------------------------------------------------- */

int suite_run_cells(suite_matrix *s, const char *self) {
  progress pg = {0};

  pg.width = base_term_width(STDERR_FILENO);
  pg.start = now_s();
  for (int i = 0; i < s->ncells; i++)
    pg.runs_total += s->cells[i].warmups + s->cells[i].runs;

  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    c->nresults = c->warmups + c->runs;
    c->results = calloc((size_t)c->nresults, sizeof *c->results);
    if (c->results == NULL) {
      fprintf(stderr, "conclab: suite: out of memory for the runs of cell "
              "%d\n", i + 1);
      return -1;
    }
    for (int k = 0; k < c->nresults; k++) {
      progress_show(&pg, s, i, k);
      spawn_run(self, c, &c->results[k], c->run_error,
                sizeof c->run_error);
      pg.runs_done++;
    }
  }
  s->elapsed_s = now_s() - pg.start;
  if (pg.width > 0)
    fprintf(stderr, "\r\033[K");
  fprintf(stderr, "conclab: %d cells, %d runs in %.0f s\n", s->ncells,
          pg.runs_total, s->elapsed_s);

  return 0;
}
