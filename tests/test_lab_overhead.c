/*
 * test_lab_overhead.c - the lab's harness-overhead rows: conclab against
 * bare references.
 *
 * What is checked:
 *   - the writers (README section, lab.json, the stdout summary) against
 *     tests/golden/lab_overhead*, from a fixed lab with made-up numbers:
 *     every reference, one with the 1,000,000-timer targets, one failed;
 *   - the verdict is worked out from the numbers: met at the targets,
 *     MISSED when the time or the memory ratio is doctored above its
 *     target, no verdict for a failed row or a row without targets;
 *   - lab.json read back keeps the rows (the same bytes again), and
 *     lab_merge keeps the old rows --only did not run, in lab_refs order;
 *   - the bare references, small and real: every thread joined, every
 *     task handed out and its result read back, every worker reaped;
 *   - `conclab lab --only overhead_threads` end to end (smoke profile),
 *     then `--only overhead_procs` merged into it; and as nobody with too
 *     few processes for the workers: the row FAILED, saying why, the
 *     files still written, exit 3.
 * No timing thresholds: what is measured is only checked to be there.
 *
 * Updating the golden files after an intended change:
 *     CONCLAB_UPDATE_GOLDEN=1 build/debug/tests/test_lab_overhead
 * then read `git diff tests/golden`.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "golden.h"
#include "lab_render.h"
#include "helpers.h"
#include "run_conclab.h"
#include "run_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab.h"
#include "report.h"
#include "section.h"

/* ---- a fixed lab --------------------------------------------------------- */

static base_summary summary(double median) {
  return (base_summary){5, median, median / 50, median * 0.95, median * 1.1};
}

static void overhead(lab_data *lab, const char *name, long n, double bare_s,
                     double conclab_s, double bare_kb, double conclab_kb) {
  const lab_ref *ref = lab_ref_find(name);
  lab_overhead *o = &lab->overheads[lab->noverheads++];

  assert_non_null(ref);
  memset(o, 0, sizeof *o);
  snprintf(o->name, sizeof o->name, "%s", name);
  snprintf(o->model, sizeof o->model, "%s", ref->model);
  snprintf(o->what, sizeof o->what, "%s", ref->bare);
  o->n = n;
  o->workers = ref->per_worker > 0 ? n / ref->per_worker : n;
  o->bare_s = summary(bare_s);
  o->conclab_s = summary(conclab_s);
  o->bare_kb = summary(bare_kb);
  o->conclab_kb = summary(conclab_kb);
  if (n == ref->target_n) {
    o->target_time = ref->target_time;
    o->target_memory = ref->target_memory;
  }
}

static void fixture(lab_data *lab) {
  lab_fixture_head(lab, 30.25);
  overhead(lab, "overhead_timers_100k", 100000, 0.128, 0.158, 22000, 41000);
  overhead(lab, "overhead_timers_1m", 1000000, 0.640, 0.980, 152000, 340000);
  overhead(lab, "overhead_threads", 1000, 0.124, 0.125, 16000, 16500);
  overhead(lab, "overhead_procs", 1000, 1.036, 1.046, 212000, 228000);
  lab->overheads[3].failed = 1;
  snprintf(lab->overheads[3].why, sizeof lab->overheads[3].why,
           "bare: refused: 0 of 1000 (EAGAIN)");
}

static void test_golden(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  char *md;
  (void)state;
  fixture(lab);
  check_golden("lab_overhead.md", report_lab_markdown, lab);
  md = render(report_lab_markdown, lab);
  golden_tables_narrow(md, 8);
  free(md);
  check_golden("lab_overhead.json", report_lab_json, lab);
  check_golden("lab_overhead_summary.txt", report_lab_summary, lab);
  free(lab);
}

/* The overhead row named `name` of a lab.json text: key's value as text
 * (a string as it is, a number printed), or NULL; free it. */
static char *row_value(const char *json, const char *name, const char *key) {
  cJSON *doc = cJSON_Parse(json), *row;
  char *out = NULL;

  cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(doc, "overhead")) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(row, "name");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
    if (!cJSON_IsString(n) || strcmp(n->valuestring, name) != 0 || v == NULL)
      continue;
    out =
        cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
    break;
  }
  cJSON_Delete(doc);
  return out;
}

/* ---- the verdict follows the numbers ------------------------------------- */

static void assert_verdict(const lab_data *lab, const char *md_has,
                           const char *verdict, int met) {
  char *md = render(report_lab_markdown, lab),
       *json = render(report_lab_json, lab);
  char *got = row_value(json, lab->overheads[1].name, "verdict");
  assert_int_equal(lab_overhead_met(&lab->overheads[1]), met);
  assert_non_null(strstr(md, md_has));
  assert_non_null(got);
  assert_string_equal(got, verdict);
  free(got);
  free(md);
  free(json);
}

static void test_verdict_follows_numbers(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  lab_overhead *o = &lab->overheads[1];
  (void)state;

  fixture(lab);
  assert_verdict(lab, "1.53x the time (target: at most 1.15x), 2.24x the "
                 "peak memory (target: at most 1.50x): MISSED.",
                 "missed", 0);
  /* at both targets exactly: met */
  o->conclab_s.median = 0.640 * 1.15;
  o->conclab_kb.median = 152000 * 1.5;
  assert_verdict(lab, "1.15x the time (target: at most 1.15x), 1.50x the "
                 "peak memory (target: at most 1.50x): met.",
                 "met", 1);
  /* the time alone over its target */
  o->conclab_s.median = 0.640 * 1.16;
  assert_verdict(lab, "1.16x the time", "missed", 0);
  /* the memory alone over its target */
  o->conclab_s.median = 0.640;
  o->conclab_kb.median = 152000 * 1.51;
  assert_verdict(lab, "1.51x the peak memory", "missed", 0);
  /* failed: no verdict, and the line says why */
  o->failed = 1;
  snprintf(o->why, sizeof o->why, "conclab run: exit 1: out of memory");
  assert_verdict(lab, "not measured in this run (conclab run: exit 1: out "
                 "of memory)", "none", -1);
  /* no targets at this n: no verdict */
  assert_int_equal(lab_overhead_met(&lab->overheads[0]), -1);
  free(lab);
}

/* ---- lab.json read back, and --only's merge ------------------------------ */

static void test_json_read_back(void **state) {
  lab_data *lab = calloc(1, sizeof *lab), *back = calloc(1, sizeof *back);
  char *json, *bad, *key;
  (void)state;

  fixture(lab);
  json = render(report_lab_json, lab);
  assert_int_equal(lab_read_json(json, back), 0);
  assert_int_equal(back->noverheads, 4);
  assert_int_equal(back->overheads[3].failed, 1);
  assert_int_equal(lab_overhead_met(&back->overheads[1]), 0);
  assert_reads_back(lab, back, json, 1);
  /* a row with a key missing is not a lab.json as report_lab_json writes it */
  bad = strdup(json);
  assert_non_null(bad);
  key = strstr(bad, "\"conclab_rss_kb_median\"");
  assert_non_null(key);
  key[1] = 'x';
  assert_int_equal(lab_read_json(bad, back), -1);
  free(bad);
  free(json);
  free(lab);
  free(back);
}

static void test_merge(void **state) {
  lab_data *old = calloc(1, sizeof *old), *now = calloc(1, sizeof *now);
  (void)state;

  fixture(old);
  snprintf(now->profile, sizeof now->profile, "quick");
  overhead(now, "overhead_procs", 1000, 1.0, 1.5, 200000, 300000);
  assert_int_equal(lab_merge(now, old), 0);
  assert_int_equal(now->noverheads, 4);
  for (int i = 0; i < 4; i++) /* in lab_refs order */
    assert_string_equal(now->overheads[i].name, lab_refs[i].name);
  assert_int_equal(now->overheads[3].failed, 0); /* the new one */
  assert_near(lab_overhead_time_ratio(&now->overheads[3]), 1.5);
  assert_near(now->overheads[1].conclab_s.median, 0.980); /* the old one */
  free(old);
  free(now);
}

/* ---- the bare references, small and real --------------------------------- */

static void test_bare_threads(void **state) {
  lab_hold h;
  (void)state;
  assert_int_equal(lab_bare_threads(16, &h), 0);
  assert_int_equal(h.got, 16);
  assert_int_equal(h.err, 0);
  assert_true(h.wall_s > 0);
  assert_true(h.rss_kb > 0);
}

static void test_bare_procs(void **state) {
  lab_hold h;
  (void)state;
  assert_int_equal(lab_bare_procs(20, 4, &h), 0);
  assert_int_equal(h.got, 20);
  assert_true(h.wall_s > 0);
  assert_true(h.rss_kb > 0);
  /* more workers than tasks: the idle ones still see end of file */
  assert_int_equal(lab_bare_procs(3, 5, &h), 0);
  assert_int_equal(h.got, 3);
}

/* ---- the command, end to end --------------------------------------------- */

static void test_cli(void **state) {
  char dir[64] = "/tmp/conclab_overhead_XXXXXX", path[128];
  const char *threads[] = {"conclab", "lab", "--profile", "smoke", "--only",
                           "overhead_threads", "--out", dir, NULL};
  const char *procs[] = {"conclab", "lab", "--profile", "smoke", "--only",
                         "overhead_procs", "--out", dir, NULL};
  const char *bad[] = {"conclab", "lab", "--only", "overhead_nothing", NULL};
  output *o;
  char *text;
  (void)state;

  assert_non_null(mkdtemp(dir));
  o = conclab(threads);
  assert_int_equal(o->status, 0);
  assert_non_null(strstr(o->out, "overhead_threads   N=20 time"));
  o = conclab(procs);
  assert_int_equal(o->status, 0);
  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  text = golden_slurp(path);
  assert_non_null(text);
  for (int i = 0; i < 2; i++) {
    char *name = row_value(text, i ? "overhead_procs" : "overhead_threads",
                           "name");
    assert_non_null(name);
    free(name);
  }
  free(text);
  snprintf(path, sizeof path, "%s/README.md", dir);
  text = golden_slurp(path);
  assert_non_null(text);
  assert_non_null(strstr(text, "### Harness overhead"));
  assert_non_null(strstr(text, "| `overhead_threads` |"));
  assert_non_null(strstr(text, "| `overhead_procs` | 40 |"));
  assert_non_null(strstr(text, "against `conclab run sleep --model "
                               "multiproc --tasks 40 --concurrency 4`"));
  free(text);
  o = conclab(bad);
  assert_int_equal(o->status, 2);
  assert_non_null(strstr(o->err, "conclab: --only: unknown unit "
                                 "'overhead_nothing'"));
  walk_tree(dir, 1);
}

/* As nobody with at most 3 processes, the lab and its bare child run, but
 * the bare child cannot fork its 4 workers. */
static void test_cli_failed_row(void **state) {
  char dir[64] = "/tmp/conclab_overhead_XXXXXX", path[128];
  const char *argv[] = {"conclab", "lab", "--profile", "smoke", "--only",
                        "overhead_procs", "--out", dir, NULL};
  run_env limited = {.as_nobody = 1, .nproc = 3};
  output *o;
  char *text;
  (void)state;

  assert_non_null(mkdtemp(dir));
  assert_int_equal(chmod(dir, 0777), 0); /* for nobody */
  o = conclab_in(argv, &limited);
  if (o->status == RUN_ENV_NO_SETUP) {
    walk_tree(dir, 1);
    skip(); /* not root: cannot become nobody */
  }
  if (o->status != 3)
    fail_msg("exit %d: %s", o->status, o->err);
  assert_non_null(strstr(o->err, "conclab: lab: overhead_procs failed: "
                                 "bare: "));
  assert_non_null(strstr(o->err, "conclab: lab: 1 of 1 units failed"));
  assert_non_null(strstr(o->out, "overhead_procs     N=40 FAILED: bare: "));
  snprintf(path, sizeof path, "%s/README.md", dir);
  text = golden_slurp(path);
  assert_non_null(text);
  assert_non_null(strstr(text, "| `overhead_procs` | 40 | FAILED | | | | "
                               "| bare: "));
  free(text);
  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  text = golden_slurp(path);
  assert_non_null(text);
  {
    char *failed = row_value(text, "overhead_procs", "failed");
    char *why = row_value(text, "overhead_procs", "why");
    assert_non_null(failed);
    assert_non_null(why);
    assert_string_equal(failed, "1");
    assert_true(strncmp(why, "bare: ", 6) == 0);
    free(failed);
    free(why);
  }
  free(text);
  walk_tree(dir, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_golden),
      cmocka_unit_test(test_verdict_follows_numbers),
      cmocka_unit_test(test_json_read_back),
      cmocka_unit_test(test_merge),
      cmocka_unit_test(test_bare_threads),
      cmocka_unit_test(test_bare_procs),
      cmocka_unit_test(test_cli),
      cmocka_unit_test(test_cli_failed_row),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
