/*
 * serve.c - the report's "Server" section: one table per scenario of the
 * server benchmark (bench/suite/serve.c), data/servers.csv, and its part
 * of summary.json.  Pure functions of the suite, as the other writers.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

static const char *const sv_titles[SUITE_SV_SCENARIOS] = {
    "waiting", "throughput", "a CPU-bound handler",
    "light requests beside CPU-bound ones", "slow clients",
    "open loop at a fixed rate"};

const char *report_serve_title(int scenario) { return sv_titles[scenario]; }

#define SV_INTRO_SLOW                                                     \
  "C is here the number of slow connections held open beside %d active "  \
  "ones asking `/bytes/1024`: each slow one sends a request head one "    \
  "byte every 500 ms and never finishes it (a slowloris). The peak RSS "  \
  "as C grows is what a held connection costs; the active connections' " \
  "requests/s and latency say whether the held ones block them."
#define SV_INTRO_BESIDE                                                   \
  "C is here the number of connections asking `/cpu/%d` (closed loop, "  \
  "counted, not timed) beside %d active ones asking `/bytes/1024`, "      \
  "whose requests/s and latency are shown: does one connection's CPU "   \
  "work hold up every other one? On the loop it does, until offloaded."
#define SV_INTRO_OPEN                                                     \
  "Open loop: %d connections, %.0f requests/s in all, due at fixed "      \
  "times whatever the server does; latency runs from the due time, so a " \
  "request kept waiting behind a slow answer counts its wait "            \
  "(coordinated omission), and requests due but never answered are "      \
  "counted in the last column."

static const char *const sv_intros[SUITE_SV_SCENARIOS] = {
    "Each request waits 100 ms in the server. A model that keeps waiting "
    "connections cheaply answers C x 10 requests/s; one that serves a "
    "connection at a time answers 10, and the other connections' requests "
    "are left unanswered (counted in the last column).",
    "1 KiB answered at once: requests/s is what a request costs the server "
    "(and the generator: both share the machine's cores).",
    "Each request counts primes by trial division (about 2 ms of CPU). On "
    "the loop it stalls every other connection; offloaded to libuv's "
    "threadpool, or on threads or processes, it can use every core.",
    SV_INTRO_BESIDE, SV_INTRO_SLOW, SV_INTRO_OPEN};

void report_serve_anchor(const suite_sv_cell *c, char *out, size_t cap) {
  size_t len = (size_t)snprintf(out, cap, "serve-%s-",
                                suite_sv_names[c->scenario]);
  for (const char *p = suite_sv_models[c->model].label;
       *p != '\0' && len + 1 < cap; p++)
    out[len++] = *p == ' ' ? '-' : *p;
  snprintf(out + len, cap - len, "-%s%d",
           c->slow > 0 ? "s" : c->beside > 0 ? "b" : "c", suite_sv_n(c));
}

/* The last column: wrk's figure and its gap, then what went wrong. */
static void last_column(const suite_sv_cell *c, char *out, size_t cap) {
  char num[32], part[96];
  double gap;
  size_t len = 0;
  out[0] = '\0';
  if (c->wrk_state == SUITE_WRK_OK && suite_sv_wrk_gap(c, &gap) == 0)
    len += (size_t)snprintf(out, cap, "wrk %s (%+.0f%%%s)",
                            report_with_commas((long)(c->wrk_rps + 0.5), num,
                                               sizeof num),
                            -gap, gap > SUITE_WRK_GAP_PCT ||
                                          gap < -SUITE_WRK_GAP_PCT
                                      ? ", **gap over 10%**" : "");
  else if (c->wrk_state == SUITE_WRK_FAILED)
    len += (size_t)snprintf(out, cap, "wrk failed: %s", c->wrk_why);
  const struct {
    double n;
    const char *what;
  } errs[] = {{c->failed, "failed"},
              {c->status_errors, "not 2xx"},
              {c->unanswered, "unanswered"}};
  for (size_t k = 0; k < 3 && len < cap; k++) {
    if (errs[k].n <= 0)
      continue;
    snprintf(part, sizeof part, "%s%s %s", len > 0 ? "; " : "",
             report_with_commas((long)errs[k].n, num, sizeof num),
             errs[k].what);
    len += (size_t)snprintf(out + len, cap - len, "%s", part);
  }
  if (out[0] == '\0')
    snprintf(out, cap, "-");
}

static void md_row(FILE *out, const suite_sv_cell *c) {
  char anchor[96], num[32], last[320];
  report_serve_anchor(c, anchor, sizeof anchor);
  fprintf(out, "| <a id=\"%s\"></a>%s | %d |", anchor,
          suite_sv_models[c->model].label,
          suite_sv_n(c));
  if (c->state == SUITE_SV_FAILED) {
    fprintf(out, " FAILED | - | - | - | - | %s |\n", c->why);
    return;
  }
  last_column(c, last, sizeof last);
  fprintf(out, " %s | %.2f | %.2f | %.1f |",
          report_with_commas((long)(c->rps + 0.5), num, sizeof num),
          c->p50_ms, c->p99_ms, c->server_rss_kb / 1024.0);
  if (c->requests > 0)
    fprintf(out, " %.0f |", c->server_cpu_s * 1e6 / c->requests);
  else
    fprintf(out, " - |");
  fprintf(out, " %s |\n", last);
}

static void md_scenario(FILE *out, const suite_serve *sv, int scenario) {
  char path[32];
  const suite_sv_cell *first = NULL;
  for (int i = 0; i < sv->ncells && first == NULL; i++)
    if (sv->cells[i].scenario == scenario)
      first = &sv->cells[i];
  if (first == NULL)
    return;
  suite_sv_path(sv, scenario, path, sizeof path);
  fprintf(out, "### `%s`: %s\n\n", path, sv_titles[scenario]);
  if (scenario == SUITE_SV_SLOW)
    fprintf(out, SV_INTRO_SLOW, first->connections);
  else if (scenario == SUITE_SV_BESIDE)
    fprintf(out, SV_INTRO_BESIDE, sv->cpu_n, first->connections);
  else if (scenario == SUITE_SV_OPEN)
    fprintf(out, SV_INTRO_OPEN, first->connections, first->rate);
  else
    fputs(sv_intros[scenario], out);
  fprintf(out, "\n\n| model | C | requests/s | p50 (ms) | p99 (ms) | server "
          "peak RSS (MiB) | server CPU / request (us) | wrk requests/s; "
          "errors |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
  for (int i = 0; i < sv->ncells; i++)
    if (sv->cells[i].scenario == scenario)
      md_row(out, &sv->cells[i]);
  fprintf(out, "\n");
}

void report_serve_markdown(FILE *out, const suite_matrix *s) {
  const suite_serve *sv = &s->serve;
  if (!sv->ran)
    return;
  fprintf(out, "## Server\n\n");
  fprintf(out, "The test server run four ways (`conclab serve --model M`) "
          "under conclab's own load generator (`conclab load`: keep-alive "
          "connections on a libuv loop, closed loop unless said). Each row "
          "is a fresh server process and one load run of %g s against it "
          "(%g s in open loop, %d s beside wrk), "
          "then SIGINT: the server's peak RSS and CPU time come from wait4 "
          "(multiproc: the peak of its largest process; the CPU of its "
          "workers included). p50 and p99 come from a histogram within 1%%; "
          "server CPU / request is its CPU time over the answered requests. "
          "The server section took %.0f s. ", sv->duration_s,
          sv->open_duration_s, sv->wrk_duration_s, sv->elapsed_s);
  if (sv->wrk_found)
    fprintf(out, "Beside some rows wrk (`wrk -t1 -cC -d%ds`, on a fresh "
            "server of the same model, the same URL and C) gives its "
            "requests/s, and in brackets how far conclab load's figure is "
            "from it; a gap over %.0f%% is marked. The two generators share "
            "the machine's cores with the server, so the one that costs "
            "less CPU a request leaves the server more; the verdicts give "
            "each gap's measured CPU a request, generator and server, for "
            "both runs. ",
            sv->wrk_duration_s, SUITE_WRK_GAP_PCT);
  else
    fprintf(out, "No wrk cross-check: %s. ", sv->wrk_skipped);
  fprintf(out, "Errors: requests that got no answer (failed), answers "
          "that were not 2xx or 3xx, and requests still owed when the run "
          "stopped that had waited longer than the slowest answer, or in "
          "open loop had fallen due and were never sent (unanswered: "
          "starved, not just in flight). Per-cell data: "
          "`data/servers.csv`.\n\n");
  for (int k = 0; k < SUITE_SV_SCENARIOS; k++)
    md_scenario(out, sv, k);
}

/* ---- data ---------------------------------------------------------------- */

static const char *const state_names[] = {"ok", "FAILED"};
static const char *const wrk_names[] = {"none", "ok", "failed"};

void report_servers_csv(FILE *out, const suite_matrix *s) {
  const suite_serve *sv = &s->serve;
  fprintf(out, "scenario,path,model,connections,slow,beside,rate,"
          "duration_s,state,"
          "requests,failed,status_errors,unanswered,slow_open,elapsed_s,rps,"
          "p50_ms,p99_ms,p999_ms,max_ms,load_cpu_s,server_rss_kb,"
          "server_cpu_s,wrk,wrk_rps,wrk_p50_ms,wrk_p99_ms,wrk_errors,"
          "wrk_gap_pct,wrk_cpu_s,wrk_server_cpu_s\n");
  for (int i = 0; i < sv->ncells; i++) {
    const suite_sv_cell *c = &sv->cells[i];
    char path[32];
    double gap = 0;
    suite_sv_path(sv, c->scenario, path, sizeof path);
    suite_sv_wrk_gap(c, &gap);
    fprintf(out, "%s,%s,%s,%d,%d,%d,%.0f,%g,%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.6f,"
            "%.1f,%.4f,%.4f,%.4f,%.4f,%.6f,%.0f,%.6f,%s,%.1f,%.4f,%.4f,%ld,"
            "%.1f,%.6f,%.6f\n",
            suite_sv_names[c->scenario], path,
            suite_sv_models[c->model].label, c->connections, c->slow,
            c->beside,
            c->rate, c->duration_s, state_names[c->state], c->requests,
            c->failed, c->status_errors, c->unanswered, c->slow_open,
            c->elapsed_s, c->rps, c->p50_ms, c->p99_ms, c->p999_ms,
            c->max_ms, c->load_cpu_s, c->server_rss_kb, c->server_cpu_s,
            wrk_names[c->wrk_state], c->wrk_rps, c->wrk_p50_ms,
            c->wrk_p99_ms, c->wrk_errors, gap, c->wrk_cpu_s,
            c->wrk_server_cpu_s);
  }
}

cJSON *report_serve_json(const suite_matrix *s) {
  const suite_serve *sv = &s->serve;
  cJSON *cells = base_json_need(cJSON_CreateArray());
  base_json_writer doc, w;

  base_json_begin(&doc, NULL);
  base_json_num(&doc, "duration_s", sv->duration_s);
  base_json_num(&doc, "open_duration_s", sv->open_duration_s);
  base_json_int(&doc, "wrk_duration_s", sv->wrk_duration_s);
  base_json_str(&doc, "wrk", sv->wrk_found ? "on" : sv->wrk_skipped);
  base_json_int(&doc, "cpu_n", sv->cpu_n);
  base_json_num(&doc, "elapsed_s", sv->elapsed_s);
  cJSON_AddItemToObject(doc.obj, "cells", cells);
  for (int i = 0; i < sv->ncells; i++) {
    const suite_sv_cell *c = &sv->cells[i];
    char path[32];
    double gap = 0;
    suite_sv_path(sv, c->scenario, path, sizeof path);
    suite_sv_wrk_gap(c, &gap);
    base_json_begin(&w, NULL);
    base_json_str(&w, "scenario", suite_sv_names[c->scenario]);
    base_json_str(&w, "path", path);
    base_json_str(&w, "model", suite_sv_models[c->model].label);
    base_json_int(&w, "connections", c->connections);
    base_json_int(&w, "slow", c->slow);
    base_json_int(&w, "beside", c->beside);
    base_json_num(&w, "rate", c->rate);
    base_json_num(&w, "duration_s", c->duration_s);
    base_json_str(&w, "state", state_names[c->state]);
    base_json_str(&w, "why", c->state == SUITE_SV_OK ? "" : c->why);
    base_json_num(&w, "requests", c->requests);
    base_json_num(&w, "failed", c->failed);
    base_json_num(&w, "status_errors", c->status_errors);
    base_json_num(&w, "unanswered", c->unanswered);
    base_json_num(&w, "beside_requests", c->beside_requests);
    base_json_num(&w, "rps", c->rps);
    base_json_num(&w, "p50_ms", c->p50_ms);
    base_json_num(&w, "p99_ms", c->p99_ms);
    base_json_num(&w, "p999_ms", c->p999_ms);
    base_json_num(&w, "max_ms", c->max_ms);
    base_json_num(&w, "load_cpu_s", c->load_cpu_s);
    base_json_num(&w, "server_rss_kb", c->server_rss_kb);
    base_json_num(&w, "server_cpu_s", c->server_cpu_s);
    base_json_str(&w, "wrk", wrk_names[c->wrk_state]);
    base_json_num(&w, "wrk_rps", c->wrk_rps);
    base_json_num(&w, "wrk_p50_ms", c->wrk_p50_ms);
    base_json_num(&w, "wrk_p99_ms", c->wrk_p99_ms);
    base_json_int(&w, "wrk_errors", c->wrk_errors);
    base_json_num(&w, "wrk_gap_pct", gap);
    base_json_num(&w, "wrk_cpu_s", c->wrk_cpu_s);
    base_json_num(&w, "wrk_server_cpu_s", c->wrk_server_cpu_s);
    cJSON_AddItemToArray(cells, base_json_take(&w));
  }
  return base_json_take(&doc);
}
