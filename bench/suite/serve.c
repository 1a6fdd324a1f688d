/*
 * serve.c - the server benchmark: each server model under load, one
 * scenario at a time (see suite.h).
 *
 * Each cell is its own server process, so its peak memory and CPU time,
 * read from wait4 when SIGINT stops it, are that cell's alone; and its
 * own load process (`conclab load ... --json`), so the generator's CPU is
 * not the suite's.  A server that does not start, or does not stop
 * cleanly on SIGINT, or answers with errors fails its cell: the table
 * says why.  wrk gets a fresh server of its own, so its run does not
 * share the cell's memory and CPU figures.
 */
#include "suite.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "json.h"
#include "process.h"
#include "wrk.h"

#define SV_START_MS 5000
#define SV_STOP_MS 5000

const suite_sv_model suite_sv_models[] = {
    {"seq", "seq", 0},
    {"async", "async", 0},
    {"async offload", "async", 1},
    {"threaded", "threaded", 0},
    {"multiproc", "multiproc", 0},
};
const int suite_sv_nmodels =
    (int)(sizeof suite_sv_models / sizeof suite_sv_models[0]);

const char *const suite_sv_names[SUITE_SV_SCENARIOS] = {
    "delay", "bytes", "cpu", "beside", "slow", "open"};

int suite_sv_n(const suite_sv_cell *c) {
  return c->slow > 0 ? c->slow : c->beside > 0 ? c->beside : c->connections;
}

void suite_sv_path(const suite_serve *sv, int scenario, char *out,
                   size_t cap) {
  if (scenario == SUITE_SV_CPU)
    snprintf(out, cap, "/cpu/%d", sv->cpu_n);
  else if (scenario == SUITE_SV_BYTES || scenario == SUITE_SV_SLOW ||
           scenario == SUITE_SV_BESIDE)
    snprintf(out, cap, "/bytes/1024");
  else
    snprintf(out, cap, "/delay/100");
}

int suite_sv_wrk_gap(const suite_sv_cell *c, double *gap) {
  if (c->state != SUITE_SV_OK || c->wrk_state != SUITE_WRK_OK ||
      c->wrk_rps <= 0)
    return -1;
  *gap = (c->wrk_rps - c->rps) / c->wrk_rps * 100.0;
  return 0;
}

/* ---- the cells of a profile --------------------------------------------- */

typedef struct sv_profile {
  const char *name;
  int cs[5], ncs;  /* closed loop: C */
  int slows[4], nslows;
  int besides[3], nbesides;
  int wrk_cs[2], nwrk; /* wrk beside these C */
  double duration_s, open_duration_s, rate;
  int wrk_duration_s, open_c, active;
} sv_profile;

/* A closed loop of 100 ms answers counts whole rounds: over 0.5 s, 4 of
 * them, so a run short beside the wait reads low; the open loop runs
 * longer for the same reason. */
static const sv_profile profiles[] = {
    {"quick", {1, 10, 100, 1000}, 4, {10, 100, 1000}, 3, {1, 10, 100}, 3,
     {100}, 1, 0.5, 2.0, 500, 1, 100, 10},
    {"full", {1, 10, 100, 1000, 10000}, 5, {10, 100, 1000, 10000}, 4,
     {1, 10, 100}, 3, {100, 1000}, 2, 2.0, 5.0, 500, 2, 100, 10},
    /* the plumbing only: no wrk (as no hyperfine), tiny runs */
    {"smoke", {10}, 1, {10}, 1, {2}, 1, {0}, 0, 0.25, 0.5, 50, 1, 10, 2},
};

/* Does this scenario run this model? offload only where there is CPU
 * work to move off the loop. */
static int runs_model(int scenario, int model) {
  return !suite_sv_models[model].offload || scenario == SUITE_SV_CPU ||
         scenario == SUITE_SV_BESIDE;
}

static suite_sv_cell *add(suite_serve *sv, int scenario, int model, int c,
                          int slow, double rate, int wrk) {
  suite_sv_cell *cell = &sv->cells[sv->ncells++];
  memset(cell, 0, sizeof *cell);
  cell->scenario = scenario;
  cell->model = model;
  cell->connections = c;
  cell->slow = slow;
  cell->rate = rate;
  cell->wrk = wrk;
  cell->duration_s = wrk    ? sv->wrk_duration_s
                     : rate ? sv->open_duration_s
                            : sv->duration_s;
  return cell;
}

static int wrk_at(const sv_profile *p, int c) {
  for (int k = 0; k < p->nwrk; k++)
    if (p->wrk_cs[k] == c)
      return 1;
  return 0;
}

int suite_serve_build(suite_serve *sv, const char *profile) {
  const sv_profile *p = NULL;
  for (size_t k = 0; k < sizeof profiles / sizeof profiles[0]; k++)
    if (strcmp(profiles[k].name, profile) == 0)
      p = &profiles[k];
  memset(sv, 0, sizeof *sv);
  if (p == NULL)
    return -1;
  sv->duration_s = p->duration_s;
  sv->open_duration_s = p->open_duration_s;
  sv->wrk_duration_s = p->wrk_duration_s;
  sv->cpu_n = 50000; /* ~2 ms of trial division a request */
  sv->active = p->active;
  sv->cells = calloc((size_t)(SUITE_SV_SCENARIOS * suite_sv_nmodels * 5),
                     sizeof *sv->cells);
  if (sv->cells == NULL)
    abort();
  for (int s = 0; s < SUITE_SV_SCENARIOS; s++)
    for (int m = 0; m < suite_sv_nmodels; m++) {
      if (!runs_model(s, m))
        continue;
      if (s == SUITE_SV_SLOW)
        for (int k = 0; k < p->nslows; k++)
          add(sv, s, m, p->active, p->slows[k], 0, 0);
      else if (s == SUITE_SV_BESIDE)
        for (int k = 0; k < p->nbesides; k++)
          add(sv, s, m, p->active, 0, 0, 0)->beside = p->besides[k];
      else if (s == SUITE_SV_OPEN)
        add(sv, s, m, p->open_c, 0, p->rate, 0);
      else
        for (int k = 0; k < p->ncs; k++)
          add(sv, s, m, p->cs[k], 0, 0, wrk_at(p, p->cs[k]));
    }
  return 0;
}

void suite_serve_free(suite_serve *sv) {
  free(sv->cells);
  sv->cells = NULL;
  sv->ncells = 0;
}

/* ---- one server --------------------------------------------------------- */

typedef struct sv_server {
  base_child child;
  char url[128];
} sv_server;

/* SIGINT, then SIGKILL after SV_STOP_MS: its exit status or 128 + signal,
 * its rusage in *ru, the first line of its stderr in line. */
static int stop_server(sv_server *sv, struct rusage *ru, char *line,
                       size_t cap) {
  return base_stop(&sv->child, SIGINT, SV_STOP_MS, ru, NULL, line, cap);
}

/* Start `self serve --model M [--offload] --port 0 --quiet`.  0, or
 * SUITE_SV_FAILED with why. */
static int start_server(const char *self, const suite_sv_model *m,
                        sv_server *sv, char *why, size_t cap) {
  char *argv[] = {(char *)self, "serve", "--model", (char *)m->model,
                  "--port", "0", "--quiet", m->offload ? "--offload" : NULL,
                  NULL};
  const base_spawn_opts o = {.out = BASE_CAPTURE, .err = BASE_CAPTURE,
                             .die_with_parent = 1};
  struct rusage ru;
  char line[128]; /* fits why after its prefix */

  if (base_spawn(self, argv, &o, &sv->child, why, cap) != 0)
    return SUITE_SV_FAILED;
  if (base_read_line(sv->child.out_fd, sv->url, sizeof sv->url,
                     SV_START_MS) == 0 &&
      strncmp(sv->url, "http://", 7) == 0)
    return 0;
  stop_server(sv, &ru, line, sizeof line); /* exited, or hung: stopped */
  snprintf(why, cap, "the server did not start: %.120s", line);
  return SUITE_SV_FAILED;
}

/* ---- one cell ----------------------------------------------------------- */

static double tv_s(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* `self load URL --connections C --duration-s D [--rate R] [--slow S]
 * [--beside K --beside-path /cpu/N] --json`, its figures into c.  0, or -1
 * with c->why. */
static int run_load(const suite_serve *sv, suite_sv_cell *c,
                    const char *self, const char *url) {
  char conns[16], dur[24], rate[24], slow[16], beside[16], path[32];
  char out[8192], line[256];
  char *argv[18] = {(char *)self, "load", (char *)url, "--connections",
                    conns, "--duration-s", dur, "--json"};
  int n = 8, status;
  cJSON *doc, *errors;
  double v;

  snprintf(conns, sizeof conns, "%d", c->connections);
  snprintf(dur, sizeof dur, "%g", c->duration_s);
  if (c->rate > 0) {
    snprintf(rate, sizeof rate, "%g", c->rate);
    argv[n++] = "--rate";
    argv[n++] = rate;
  }
  if (c->slow > 0) {
    snprintf(slow, sizeof slow, "%d", c->slow);
    argv[n++] = "--slow";
    argv[n++] = slow;
  }
  if (c->beside > 0) {
    snprintf(beside, sizeof beside, "%d", c->beside);
    suite_sv_path(sv, SUITE_SV_CPU, path, sizeof path);
    argv[n++] = "--beside";
    argv[n++] = beside;
    argv[n++] = "--beside-path";
    argv[n++] = path;
  }
  argv[n] = NULL;
  status = base_spawn_run(self, argv, out, sizeof out, line, sizeof line);
  if (status != 0) {
    base_spawn_why(c->why, sizeof c->why, status, line);
    return -1;
  }
  doc = cJSON_Parse(out);
  errors = cJSON_GetObjectItemCaseSensitive(doc, "errors");
  if (base_json_obj_num(doc, "rps", &c->rps) != 0 ||
      base_json_obj_num(doc, "requests", &c->requests) != 0) {
    snprintf(c->why, sizeof c->why, "conclab load's JSON is unreadable");
    cJSON_Delete(doc);
    return -1;
  }
  base_json_obj_num(doc, "failed", &c->failed);
  base_json_obj_num(errors, "status", &c->status_errors);
  base_json_obj_num(doc, "unanswered", &c->unanswered);
  base_json_obj_num(doc, "slow_open", &c->slow_open);
  base_json_obj_num(doc, "beside_requests", &c->beside_requests);
  base_json_obj_num(doc, "beside_errors", &c->beside_errors);
  base_json_obj_num(doc, "elapsed_s", &c->elapsed_s);
  base_json_obj_num(doc, "p50_ms", &c->p50_ms);
  base_json_obj_num(doc, "p99_ms", &c->p99_ms);
  base_json_obj_num(doc, "p999_ms", &c->p999_ms);
  base_json_obj_num(doc, "max_ms", &c->max_ms);
  if (base_json_obj_num(doc, "user_s", &v) == 0)
    c->load_cpu_s = v;
  if (base_json_obj_num(doc, "sys_s", &v) == 0)
    c->load_cpu_s += v;
  cJSON_Delete(doc);
  return 0;
}

/* The cell's server, its load, its stop. */
static void run_cell(const suite_serve *sv, suite_sv_cell *c,
                     const char *self) {
  sv_server server;
  struct rusage ru;
  char url[192], path[32], line[128];
  int status;

  c->state = start_server(self, &suite_sv_models[c->model], &server, c->why,
                          sizeof c->why);
  if (c->state != SUITE_SV_OK)
    return;
  suite_sv_path(sv, c->scenario, path, sizeof path);
  snprintf(url, sizeof url, "%s%s", server.url, path);
  if (run_load(sv, c, self, url) != 0)
    c->state = SUITE_SV_FAILED;
  memset(&ru, 0, sizeof ru);
  status = stop_server(&server, &ru, line, sizeof line);
  c->server_rss_kb = (double)ru.ru_maxrss;
  c->server_cpu_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
  if (status != 0 && c->state == SUITE_SV_OK) {
    c->state = SUITE_SV_FAILED;
    snprintf(c->why, sizeof c->why, "the server exited with status %d on "
             "SIGINT", status);
  }
  /* Errors for answers: its requests/s would not be the work's. */
  if (c->status_errors > 0 && c->state == SUITE_SV_OK) {
    c->state = SUITE_SV_FAILED;
    snprintf(c->why, sizeof c->why, "%.0f of %.0f answers were not 2xx or "
             "3xx", c->status_errors, c->requests);
  }
  if (c->beside_errors > 0 && c->state == SUITE_SV_OK) {
    c->state = SUITE_SV_FAILED;
    snprintf(c->why, sizeof c->why, "%.0f of %.0f answers beside were not "
             "2xx or 3xx", c->beside_errors, c->beside_requests);
  }
}

/* wrk on a fresh server of the same model, the same URL and C. */
static void run_wrk(const suite_serve *sv, suite_sv_cell *c, const char *self,
                    const char *wrk) {
  sv_server server;
  struct rusage ru;
  tool_wrk_result r;
  char url[192], path[32], line[128];

  if (start_server(self, &suite_sv_models[c->model], &server, c->wrk_why,
                   sizeof c->wrk_why) != 0) {
    c->wrk_state = SUITE_WRK_FAILED;
    return;
  }
  suite_sv_path(sv, c->scenario, path, sizeof path);
  snprintf(url, sizeof url, "%s%s", server.url, path);
  if (tool_wrk_run(wrk, url, c->connections, sv->wrk_duration_s, &r,
                   c->wrk_why, sizeof c->wrk_why) == 0) {
    c->wrk_state = SUITE_WRK_OK;
    c->wrk_rps = r.rps;
    c->wrk_p50_ms = r.p50_ms;
    c->wrk_p99_ms = r.p99_ms;
    c->wrk_requests = r.requests;
    c->wrk_cpu_s = r.cpu_s;
    c->wrk_errors = tool_wrk_errors(&r) + r.non2xx;
  } else {
    c->wrk_state = SUITE_WRK_FAILED;
  }
  memset(&ru, 0, sizeof ru);
  stop_server(&server, &ru, line, sizeof line);
  c->wrk_server_cpu_s = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void suite_serve_run(suite_serve *sv, const char *self, const char *wrk) {
  double start = now_s();
  sv->ran = 1;
  sv->wrk_found = wrk != NULL;
  if (wrk == NULL && sv->wrk_skipped[0] == '\0')
    snprintf(sv->wrk_skipped, sizeof sv->wrk_skipped,
             "wrk was not found on PATH");
  for (int i = 0; i < sv->ncells; i++) {
    suite_sv_cell *c = &sv->cells[i];
    fprintf(stderr, "conclab: [serve %d/%d] %s, %s, C=%d%s\n", i + 1,
            sv->ncells, suite_sv_names[c->scenario],
            suite_sv_models[c->model].label, suite_sv_n(c),
            c->slow > 0 ? " slow" : c->beside > 0 ? " beside" : "");
    run_cell(sv, c, self);
    if (c->wrk && wrk != NULL && c->state == SUITE_SV_OK)
      run_wrk(sv, c, self, wrk);
  }
  sv->elapsed_s = now_s() - start;
}
