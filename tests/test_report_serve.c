/*
 * test_report_serve.c - the server section's writers and verdicts, on the
 * quick profile's server cells filled in by hand (no server, no clock).
 *
 * The fixture's numbers tell the lesson the section is for: at /delay/100
 * async answers C x 9.5 requests/s, threaded is capped by its 64 threads,
 * multiproc by 8 processes, seq answers 10 and starves the rest; /cpu on
 * the loop has a p99 of C x 2 ms until offloaded, and light requests
 * beside K computing connections wait K x 2 ms there; a slow connection costs
 * async 2 KiB and threaded 64 KiB; seq FAILED once (cpu at C=100); wrk
 * agrees within 2% except at bytes async C=100 (conclab's 20% below).
 *
 * Checks: the section, data/servers.csv and summary.json's "servers"
 * byte for byte against tests/golden/servers.md, servers.csv and
 * servers.json, every table 8 columns at most; a FAILED cell says why;
 * the verdicts name the leader, the collapse, the offload's effect, the
 * memory per held connection and wrk's gap, and follow doctored numbers
 * (the order flips, the collapse goes, the gap goes); nothing of the
 * section is written when it did not run; and each profile's cells
 * (counts, wrk's cells and their length, async offload only where there
 * is CPU work).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "helpers.h"

#include <stdlib.h>

#include "json.h"
#include "report.h"
#include "suite.h"

/* The requests/s of a model at C, by scenario, and the rest from it. */
static void fake(suite_sv_cell *c) {
  const char *m = suite_sv_models[c->model].label;
  int n = c->connections, seq = !strcmp(m, "seq");
  int cap = !strcmp(m, "threaded") ? 64 : !strcmp(m, "multiproc") ? 8 : n;
  int held = n < cap ? n : cap;

  c->state = SUITE_SV_OK;
  c->elapsed_s = 0.5;
  c->server_rss_kb = 4096 + n * 8.0;
  c->p50_ms = 100;
  switch (c->scenario) {
  case SUITE_SV_DELAY:
  case SUITE_SV_OPEN:
    c->rps = seq ? 10 : held * 9.5;
    c->p99_ms = seq ? 100 : 100.0 * ((n + cap - 1) / cap) + 2;
    c->unanswered = seq ? n - 1 : n > cap ? n - cap : 0;
    if (c->scenario == SUITE_SV_OPEN) /* 500 due/s: 250 in the run */
      c->rps = c->rps < 500 ? c->rps : 480;
    break;
  case SUITE_SV_BYTES:
    c->rps = seq ? 60000 : !strcmp(m, "async") ? 150000 : 100000;
    c->p50_ms = 0.05;
    c->p99_ms = 0.2;
    c->unanswered = seq ? n - 1 : 0;
    break;
  case SUITE_SV_CPU:
    c->rps = seq || !strcmp(m, "async") ? 480 : 950;
    c->p50_ms = 2;
    c->p99_ms = !strcmp(m, "async") ? 2.0 * n : 4.5;
    c->unanswered = seq ? n - 1 : 0;
    break;
  case SUITE_SV_BESIDE: /* light requests beside c->beside computing */
    c->p50_ms = 0.1;
    c->p99_ms = !strcmp(m, "async") ? 2.0 * c->beside : 0.3;
    c->rps = !strcmp(m, "async") ? 400 : 20000;
    if (seq || (strstr(m, "async") == NULL && c->beside >= cap)) {
      /* every worker is held by a computing connection */
      c->rps = 0;
      c->unanswered = n;
    }
    break;
  default: /* slow: what each held connection costs */
    c->server_rss_kb = 4096 + c->slow * (!strcmp(m, "async") ? 2.0 : 64.0);
    c->rps = seq ? 0 : 20000;
    c->p50_ms = 0.1;
    c->p99_ms = 0.5;
    c->unanswered = seq ? n : 0;
  }
  c->requests = c->rps * c->elapsed_s;
  c->server_cpu_s = c->requests * 20e-6;
  c->load_cpu_s = c->requests * 5e-6;
  c->p999_ms = c->p99_ms * 1.1;
  c->max_ms = c->p99_ms * 1.3;
  c->slow_open = c->slow;
  if (c->wrk) {
    c->wrk_state = SUITE_WRK_OK;
    c->wrk_rps = c->rps * (c->scenario == SUITE_SV_BYTES &&
                                   !strcmp(m, "async") ? 1.25 : 1.02);
    c->wrk_p50_ms = c->p50_ms;
    c->wrk_p99_ms = c->p99_ms;
    c->wrk_requests = c->wrk_rps * c->elapsed_s;
    c->wrk_cpu_s = c->wrk_requests * 5.2e-6;
    c->wrk_server_cpu_s = c->wrk_requests * 19e-6;
  }
}

static suite_sv_cell *cell(suite_matrix *s, int scenario, const char *model,
                           int n) {
  for (int i = 0; i < s->serve.ncells; i++) {
    suite_sv_cell *c = &s->serve.cells[i];
    if (c->scenario == scenario &&
        !strcmp(suite_sv_models[c->model].label, model) &&
        (c->slow > 0 ? c->slow : c->connections) == n)
      return c;
  }
  fail_msg("no cell %s %s %d", suite_sv_names[scenario], model, n);
  return NULL;
}

static int setup(void **state) {
  suite_matrix *s = calloc(1, sizeof *s);
  suite_serve *sv = &s->serve;
  assert_non_null(s);
  assert_int_equal(suite_serve_build(sv, "quick"), 0);
  sv->ran = 1;
  sv->wrk_found = 1;
  sv->elapsed_s = 61;
  for (int i = 0; i < sv->ncells; i++)
    fake(&sv->cells[i]);
  suite_sv_cell *bad = cell(s, SUITE_SV_CPU, "seq", 100);
  bad->state = SUITE_SV_FAILED;
  snprintf(bad->why, sizeof bad->why,
           "the server exited with status 1 on SIGINT");
  *state = s;
  return 0;
}

static int teardown(void **state) {
  suite_matrix *s = *state;
  suite_serve_free(&s->serve);
  free(s);
  return 0;
}

__attribute__((noinline)) static char *render(report_writer w,
                                              const suite_matrix *s) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  w(f, s);
  assert_int_equal(fclose(f), 0);
  return text;
}

static void json_writer(FILE *out, const suite_matrix *s) {
  base_json_print(out, report_serve_json(s));
}

static void golden_files(void **state) {
  char *v = render(report_verdicts, *state);
  golden_check("servers-verdicts.md", v);
  free(v);
  char *md = render(report_serve_markdown, *state);
  golden_check("servers.md", md);
  golden_tables_narrow(md, 8);
  free(md);
  char *csv = render(report_servers_csv, *state);
  golden_check("servers.csv", csv);
  free(csv);
  char *json = render(json_writer, *state);
  golden_check("servers.json", json);
  free(json);
}

/* One scenario's verdict line, "- **server `path`** (title) ...". */
static char *verdict(const suite_matrix *s, const char *path,
                     const char *title) {
  char *md = render(report_verdicts, s), head[96], *at, *line;
  snprintf(head, sizeof head, "- **server `%s`** (%s)", path, title);
  at = strstr(md, head);
  assert_non_null(at);
  line = strndup(at, strcspn(at, "\n"));
  free(md);
  return line;
}

static char *wrk_line(const suite_matrix *s) {
  char *md = render(report_verdicts, s), *at, *line;
  at = strstr(md, "- **wrk cross-check**");
  assert_non_null(at);
  line = strndup(at, strcspn(at, "\n"));
  free(md);
  return line;
}

static void verdicts_from_numbers(void **state) {
  suite_matrix *s = *state;
  char *line = verdict(s, "/delay/100", "waiting");
  assert_non_null(strstr(line, "(waiting): at C=1,000: [async 9,500 req/s "
                               "at p99 102 ms](#serve-delay-async-c1000), "
                               "[threaded collapses to 608 req/s at p99 "
                               "1602 ms (936 of 1,000 connections "
                               "starved)]"));
  assert_non_null(strstr(line, "[seq collapses to 10 req/s at p99 100 ms "
                               "(999 of 1,000 connections starved)]"
                               "(#serve-delay-seq-c1000)"));
  free(line);
  line = verdict(s, "/cpu/50000", "a CPU-bound handler");
  /* judged at C=100 (not past it), where seq FAILED: left out */
  assert_non_null(strstr(line, "at C=100:"));
  assert_null(strstr(line, "seq"));
  assert_non_null(strstr(line, "offloaded, async's p99 goes from 200 ms "
                               "to 4.5 ms"));
  free(line);
  line = verdict(s, "/bytes/1024", "light requests beside CPU-bound ones");
  assert_non_null(strstr(line, "with 100 connections computing, the 10 "
                               "others get [async offload 20,000 req/s at "
                               "p99 0.300 ms](#serve-beside-async-offload-"
                               "b100), [async collapses to 400 req/s at "
                               "p99 200 ms]"));
  /* 64 threads, all held by the 100 computing connections */
  assert_non_null(strstr(line, "[threaded collapses to 0 req/s (10 of 10 "
                               "connections starved)]"));
  assert_non_null(strstr(line, "offloaded, async's p99 goes from 200 ms to "
                               "0.300 ms"));
  free(line);
  line = verdict(s, "/bytes/1024", "slow clients");
  assert_non_null(strstr(line, "(slow clients): with 1,000 slow "
                               "connections held, the 10 active ones get"));
  assert_non_null(strstr(line, "[seq collapses to 0 req/s (10 of 10 "
                               "connections starved)]"));
  assert_non_null(strstr(line, "each held connection costs seq 64.0 KiB "
                               "(and no answers), async 2.0 KiB, threaded "
                               "64.0 KiB"));
  free(line);
  line = wrk_line(s);
  assert_non_null(strstr(line, "within 10% of wrk's on 11 of 12 cells; "
                               "further apart: [bytes async at C=100: "
                               "-20%](#serve-bytes-async-c100) (CPU a "
                               "request, generator + server: conclab load "
                               "5.0 + 20.0 µs, wrk 5.2 + 19.0 µs: the "
                               "generators differ by 0.8% of a request's "
                               "CPU, the gap is the runs')."));
  free(line);
}

/* A gap's cause follows the measured CPU a request: a generator cheaper
 * than wrk by a share of a request's CPU at least half the gap is named
 * as the cause; a smaller difference is not; none is claimed where wrk's
 * CPU was not measured. */
static void wrk_gap_cause(void **state) {
  suite_matrix *s = *state;
  suite_sv_cell *byt = cell(s, SUITE_SV_BYTES, "async", 100);
  suite_sv_cell saved = *byt;
  char *line;
  byt->wrk_rps = byt->rps / 1.2; /* conclab load ahead */
  byt->wrk_requests = byt->wrk_rps * byt->elapsed_s;
  byt->wrk_cpu_s = byt->wrk_requests * 8e-6;
  byt->wrk_server_cpu_s = byt->wrk_requests * 20e-6;
  line = wrk_line(s);
  assert_non_null(strstr(line, "[bytes async at C=100: +20%](#serve-bytes-"
                               "async-c100) (CPU a request, generator + "
                               "server: conclab load 5.0 + 20.0 µs, wrk 8.0 "
                               "+ 20.0 µs: conclab load leaves the server "
                               "11% of a request's CPU)."));
  free(line);
  byt->wrk_cpu_s = byt->wrk_requests * 5.5e-6; /* 2% of 25.5 us: not it */
  line = wrk_line(s);
  assert_non_null(strstr(line, "wrk 5.5 + 20.0 µs: the generators differ "
                               "by 2.0% of a request's CPU, the gap is the "
                               "runs')."));
  free(line);
  byt->wrk_cpu_s = 0; /* not measured: no cause */
  line = wrk_line(s);
  assert_non_null(strstr(line, "+20%](#serve-bytes-async-c100)."));
  free(line);
  *byt = saved;
}

static void verdicts_flip(void **state) {
  suite_matrix *s = *state;
  suite_sv_cell *thr = cell(s, SUITE_SV_DELAY, "threaded", 1000);
  suite_sv_cell *seq = cell(s, SUITE_SV_DELAY, "seq", 1000);
  suite_sv_cell *byt = cell(s, SUITE_SV_BYTES, "async", 100);
  suite_sv_cell saved_thr = *thr, saved_seq = *seq, saved_byt = *byt;

  thr->rps = 9900; /* threaded ahead, answering every connection */
  thr->unanswered = 0;
  seq->rps = 5000; /* and seq no longer a tenth of it */
  seq->unanswered = 0;
  byt->wrk_rps = byt->rps * 1.05;
  suite_sv_cell *sq = cell(s, SUITE_SV_BYTES, "seq", 100);
  sq->wrk_rps = sq->rps * 2; /* one connection's ping-pong: it varies */
  char *line = verdict(s, "/delay/100", "waiting");
  assert_non_null(strstr(line, "at C=1,000: [threaded 9,900 req/s"));
  assert_true(strstr(line, "threaded") < strstr(line, "[async"));
  assert_null(strstr(line, "seq collapses"));
  assert_non_null(strstr(line, "[seq 5,000 req/s at p99 100 ms]"));
  free(line);
  /* a model that starves connections ranks after those that do not,
   * however fast its one connection goes */
  suite_sv_cell *sq100 = cell(s, SUITE_SV_BYTES, "seq", 100);
  double sq_rps = sq100->rps;
  sq100->rps = 500000;
  line = verdict(s, "/bytes/1024", "throughput");
  assert_non_null(strstr(line, "at C=100: [async 150,000 req/s"));
  assert_non_null(strstr(line, ", [seq 500,000 req/s at p99 0.200 ms (99 "
                               "of 100 connections starved)]"));
  free(line);
  sq100->rps = sq_rps;
  line = wrk_line(s);
  assert_non_null(strstr(line, "on 11 of 12 cells; further apart: [bytes "
                               "seq at C=100: -50% (99 of 100 connections "
                               "starved)](#serve-bytes-seq-c100)."));
  free(line);
  sq->wrk_rps = sq->rps;
  *thr = saved_thr;
  *seq = saved_seq;
  *byt = saved_byt;
}

/* A FAILED row says why, and the verdict leaves it out; with every model
 * failed, the line says no model ran. */
static void all_failed(void **state) {
  suite_matrix *s = *state;
  suite_sv_cell saved[64];
  int n = 0;
  for (int i = 0; i < s->serve.ncells; i++) {
    suite_sv_cell *c = &s->serve.cells[i];
    if (c->scenario != SUITE_SV_OPEN)
      continue;
    saved[n++] = *c;
    c->state = SUITE_SV_FAILED;
    snprintf(c->why, sizeof c->why, "the server did not start: conclab: "
             "serve: listen on 127.0.0.1:0: Too many open files");
  }
  char *md = render(report_serve_markdown, s);
  assert_non_null(strstr(md, "<a id=\"serve-open-threaded-c100\"></a>"
                             "threaded | 100 | FAILED | - | - | - | - | the "
                             "server did not start: conclab: serve: listen "
                             "on 127.0.0.1:0: Too many open files |"));
  free(md);
  char *line = verdict(s, "/delay/100", "waiting");
  free(line); /* the delay scenario is unaffected */
  md = render(report_verdicts, s);
  assert_non_null(strstr(md, "(open loop at a fixed rate): no model ran"));
  free(md);
  for (int i = 0, k = 0; i < s->serve.ncells; i++)
    if (s->serve.cells[i].scenario == SUITE_SV_OPEN)
      s->serve.cells[i] = saved[k++];
}

static void nothing_when_not_run(void **state) {
  suite_matrix copy = *(const suite_matrix *)*state;
  copy.serve.ran = 0;
  char *md = render(report_serve_markdown, &copy);
  assert_string_equal(md, "");
  free(md);
  md = render(report_verdicts, &copy);
  assert_null(strstr(md, "server `"));
  assert_null(strstr(md, "wrk cross-check"));
  free(md);
  md = render(report_summary_json, &copy);
  assert_null(strstr(md, "\"servers\""));
  free(md);
}

/* The profiles' cells: every model in every scenario (async offload only
 * where there is CPU work), wrk only beside C=100 (and 1,000 in full), a
 * cell beside wrk as long as wrk's run. */
static void profiles_cells(void **state) {
  static const struct {
    const char *name;
    int cells, wrk;
  } want[] = {{"quick", 83, 13}, {"full", 100, 26}, {"smoke", 26, 0}};
  suite_serve sv;
  (void)state;
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    int wrk = 0, offload = 0;
    assert_int_equal(suite_serve_build(&sv, want[k].name), 0);
    assert_int_equal(sv.ncells, want[k].cells);
    for (int i = 0; i < sv.ncells; i++) {
      const suite_sv_cell *c = &sv.cells[i];
      wrk += c->wrk;
      if (c->wrk) {
        assert_true(c->connections == 100 || c->connections == 1000);
        assert_true(c->duration_s == sv.wrk_duration_s);
      }
      if (suite_sv_models[c->model].offload) {
        offload++;
        assert_true(c->scenario == SUITE_SV_CPU ||
                    c->scenario == SUITE_SV_BESIDE);
      }
      assert_true(c->rate == 0 || c->scenario == SUITE_SV_OPEN);
    }
    assert_int_equal(wrk, want[k].wrk);
    assert_true(offload > 0);
    suite_serve_free(&sv);
  }
  assert_int_equal(suite_serve_build(&sv, "huge"), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(golden_files),
      cmocka_unit_test(verdicts_from_numbers),
      cmocka_unit_test(wrk_gap_cause),
      cmocka_unit_test(verdicts_flip),
      cmocka_unit_test(all_failed),
      cmocka_unit_test(nothing_when_not_run),
      cmocka_unit_test(profiles_cells),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
