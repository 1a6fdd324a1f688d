/*
 * test_lab.c - `conclab lab` without forking: the sweep, the thread and
 * loop units, the report writers, and the README section splice.
 *
 * What is checked:
 *   - lab_sweep with a fake hold: a cap stops it (and no level above the
 *     cap is tried); a refusal (EAGAIN past some k) ends it cleanly with
 *     the limit and why; a failed attempt is reported as failed;
 *   - a real sweep of threads in this process (levels 10, 100, cap 100):
 *     every thread joined, no descriptor left;
 *   - each unit that does not fork, run with a tiny count: it succeeds and
 *     reports a positive cost (no timing thresholds); the uv units close
 *     their loops (they fail if uv_loop_close does not return 0);
 *   - the writers (Markdown section, lab.json, the .dat plot files) against
 *     tests/golden/lab_*, from a fixed lab with made-up numbers; and a
 *     verdict that must flip when the numbers contradict the claim;
 *   - lab.json read back (lab_read_json) gives the same lab: its JSON and
 *     Markdown are the same bytes again, a failed sweep's why included,
 *     also from a lab.json in the layout written before cJSON
 *     (tests/data/lab-before-cjson.json);
 *     lab_merge keeps the old units the new run did not measure, in
 *     lab_units order, and takes the new run's for the rest;
 *   - base_section_splice and base_section_extract: create, append, replace;
 * the text around the section untouched; base_section_put removes a section
 * with its blank line.
 *
 * Updating the golden files after an intended change:
 *     CONCLAB_UPDATE_GOLDEN=1 build/debug/tests/test_lab
 * then read `git diff tests/golden`.
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "lab_render.h"
#include "helpers.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "report.h"
#include "section.h"

/* ---- the sweep with a fake hold ---------------------------------------- */

typedef struct fake {
  long refuse_above; /* 0: never refuse */
  long fail_at;      /* 0: never fail */
  long tried[LAB_MAX_LEVELS];
  int ntried;
} fake;

static int fake_hold(void *ctx, long n, lab_hold *h) {
  fake *f = ctx;
  memset(h, 0, sizeof *h);
  f->tried[f->ntried++] = n;
  if (f->fail_at > 0 && n == f->fail_at) {
    snprintf(h->why, sizeof h->why, "killed by signal 9");
    h->err = EIO;
    return -1;
  }
  h->got = f->refuse_above > 0 && n > f->refuse_above ? f->refuse_above : n;
  h->err = h->got < n ? EAGAIN : 0;
  h->wall_s = 0.001 * (double)h->got;
  h->rss_kb = h->got;
  return 0;
}

static const long levels[] = {10, 100, 1000, 10000, 100000};
static const lab_sweep_ops fake_ops = {"threaded", "threads", fake_hold};

static void test_sweep_cap(void **state) {
  fake f = {0};
  lab_sweep_result r;
  char why[128];
  (void)state;

  assert_int_equal(lab_sweep(&fake_ops, &f, levels, 5, 1000, &r),
                   LAB_STOP_CAP);
  assert_int_equal(f.ntried, 3); /* 10, 100, 1000: nothing above the cap */
  assert_int_equal(f.tried[2], 1000);
  assert_int_equal(r.nlevels, 3);
  assert_int_equal(r.largest, 1000);
  for (int i = 0; i < 3; i++)
    assert_true(r.levels[i].ok);
  lab_sweep_why(&r, why, sizeof why);
  assert_string_equal(why, "cap reached (1000)");
  assert_string_equal(r.model, "threaded");
}

static void test_sweep_refused(void **state) {
  fake f = {.refuse_above = 812};
  lab_sweep_result r;
  char why[128];
  (void)state;

  assert_int_equal(lab_sweep(&fake_ops, &f, levels, 5, 100000, &r),
                   LAB_STOP_REFUSED);
  assert_int_equal(f.ntried, 3); /* stops at the first refusal */
  assert_int_equal(r.largest, 100);
  assert_int_equal(r.err, EAGAIN);
  assert_false(r.levels[2].ok);
  assert_int_equal(r.levels[2].h.got, 812);
  lab_sweep_why(&r, why, sizeof why);
  assert_string_equal(why, "refused at n=1000, 812 created: EAGAIN");
}

static void test_sweep_failed(void **state) {
  fake f = {.fail_at = 100};
  lab_sweep_result r;
  char why[128];
  (void)state;

  assert_int_equal(lab_sweep(&fake_ops, &f, levels, 5, 100000, &r),
                   LAB_STOP_FAILED);
  assert_int_equal(r.largest, 10);
  assert_int_equal(r.nlevels, 2);
  lab_sweep_why(&r, why, sizeof why);
  assert_string_equal(why, "failed at n=100: killed by signal 9");
}

/* ---- a real sweep of threads, in this process --------------------------- */

static int task_count(void) {
  return dir_entries("/proc/self/task");
}

/* The thread count, once it is back to want or below (a leak shows as
 * more threads; fewer means one counted at the start was still going): a thread
 * that pthread_join has returned for can stay listed in /proc/self/task for a
 * moment (the kernel wakes the joiner before it has reaped the thread), and
 * libuv's threadpool threads are still starting when uv_queue_work's first job
 * is done.  So wait for it, up to 5 s - a wait, not a timing assertion. */
static int settled_task_count(int want) {
  int n = task_count();
  for (int i = 0; i < 500 && n > want; i++) {
    usleep(10000);
    n = task_count();
  }
  return n;
}

static int threads_hold(void *ctx, long n, lab_hold *h) {
  (void)ctx;
  return lab_hold_threads(n, h);
}

static void test_sweep_threads_real(void **state) {
  lab_sweep_ops ops = {"threaded", "threads", threads_hold};
  int fds = open_fd_count(), tasks = task_count();
  lab_sweep_result r;
  (void)state;

  assert_int_equal(lab_sweep(&ops, NULL, levels, 5, 100, &r), LAB_STOP_CAP);
  assert_int_equal(r.largest, 100);
  assert_int_equal(r.nlevels, 2);
  assert_int_equal(r.levels[1].h.got, 100);
  assert_true(r.levels[1].h.rss_kb > 0);
  assert_true(settled_task_count(tasks) <= tasks); /* all joined */
  assert_int_equal(open_fd_count(), fds);
}

static void test_hold_timers(void **state) {
  lab_hold h;
  (void)state;
  assert_int_equal(lab_hold_timers(200, &h), 0);
  assert_int_equal(h.got, 200);
  /* 200 timers of 100 ms, started together: at least 100 ms, and nowhere
   * near 200 x 100 ms. */
  assert_true(h.wall_s >= 0.09);
  assert_true(h.wall_s < 10.0);
}

/* ---- the units that do not fork ---------------------------------------- */

/* pool_stays: libuv's threadpool, once started, stays for the whole
 * process, so its threads are not counted as left over. */
static void run_unit_in(const char *name, long count, int pool_stays) {
  const lab_unit *u = lab_unit_find(name);
  lab_measure m = {0, 0, 0};
  int fds = open_fd_count(), tasks = task_count();

  assert_non_null(u);
  if (u->run(count, 0, &m) != 0)
    fail_msg("unit %s failed", name);
  /* A cost is positive; a memory row's kernel part is the whole system's
   * and may move either way while other programs run, so it is not. */
  if (u->kind != LAB_MEMORY && !(m.value > 0))
    fail_msg("unit %s reported %g", name, m.value);
  assert_int_equal(open_fd_count(), fds);
  if (!pool_stays)
    assert_true(settled_task_count(tasks) <= tasks);
}

static void run_unit(const char *name, long count) {
  run_unit_in(name, count, 0);
}

static void test_units_async(void **state) {
  (void)state;
  run_unit("uv_timer", 20);
  run_unit_in("uv_queue_work", 20, 1);
  run_unit("uv_async", 20);
}

static void test_units_threads(void **state) {
  (void)state;
  run_unit("pthread", 10);
  run_unit("pool_handoff", 20);
  run_unit("cond_pingpong", 20);
  run_unit("pipe_threads", 20);
  run_unit("shm_bw", 16);
}

static void test_units_memory(void **state) {
  const lab_unit *u = lab_unit_find("mem_timer");
  lab_measure m = {0, 0, 0};
  (void)state;

  /* 5,000 timers: the array is fresh memory, so the resident set grows. */
  assert_int_equal(u->run(5000, 0, &m), 0);
  assert_true(m.user_bytes > 0);
  run_unit("mem_thread", 10);
  run_unit("mem_thread_small", 10);
}

static void test_unit_names(void **state) {
  (void)state;
  assert_null(lab_unit_find("no_such_unit"));
  for (int i = 0; i < lab_nunits; i++) {
    assert_ptr_equal(lab_unit_find(lab_units[i].name), &lab_units[i]);
    assert_null(strchr(lab_units[i].name, ' ')); /* plot labels */
    for (int p = 0; p < 3; p++)
      assert_true(lab_units[i].count[p] > 0);
  }
}

/* ---- the writers, against golden files --------------------------------- */

static void row(lab_data *lab, const char *name, const char *model,
                lab_kind kind, double median, double user, double kernel) {
  lab_row *r = &lab->rows[lab->nrows++];
  snprintf(r->name, sizeof r->name, "%s", name);
  snprintf(r->model, sizeof r->model, "%s", model);
  snprintf(r->what, sizeof r->what, "what %s measures", name);
  r->kind = kind;
  r->count = 1000;
  r->s = (base_summary){5, median, median / 20, median * 0.9, median * 1.2};
  r->user = (base_summary){5, user, user / 20, user * 0.9, user * 1.2};
  r->kernel = (base_summary){5, kernel, 0, kernel, kernel};
}

static void sweep(lab_data *lab, const char *model, const char *what,
                  long cap, long refuse_above) {
  fake f = {.refuse_above = refuse_above};
  lab_sweep_ops ops = {model, what, fake_hold};
  lab_sweep(&ops, &f, (const long[]){10, 100, 1000, 10000, 100000, 1000000}, 6,
            cap, &lab->sweeps[lab->nsweeps++]);
}

static void fixture(lab_data *lab) {
  lab_fixture_head(lab, 61.5);
  snprintf(lab->machine.commit, sizeof lab->machine.commit, "abc1234");
  row(lab, "uv_timer", "async", LAB_START, 250, 0, 0);
  row(lab, "pthread", "threaded", LAB_START, 25000, 0, 0);
  row(lab, "fork", "multiproc", LAB_START, 150000, 0, 0);
  row(lab, "fork_large", "multiproc", LAB_START, 4000000, 0, 0);
  row(lab, "cond_pingpong", "threaded", LAB_SWITCH, 6000, 0, 0);
  row(lab, "pipe_procs", "multiproc", LAB_SWITCH, 9000, 0, 0);
  row(lab, "uv_async", "async", LAB_SWITCH, 12000, 0, 0);
  row(lab, "pipe_bw", "multiproc", LAB_IPC, 2.5e9, 0, 0);
  row(lab, "shm_bw", "threaded", LAB_IPC, 5e9, 0, 0);
  row(lab, "mem_timer", "async", LAB_MEMORY, 160, 160, 0);
  row(lab, "mem_thread_small", "threaded", LAB_MEMORY, 30000, 10000, 20000);
  row(lab, "mem_process", "multiproc", LAB_MEMORY, 200000, 120000, 80000);
  lab->rows[lab->nrows] = lab->rows[1];
  snprintf(lab->rows[lab->nrows].name, 32, "vfork");
  lab->rows[lab->nrows].failed = 1;
  snprintf(lab->rows[lab->nrows++].why, 160, "exit 1: vfork: EAGAIN");
  sweep(lab, "async", "timers of 100 ms", 1000000, 0);
  sweep(lab, "threaded", "threads", 10000, 0);
  sweep(lab, "multiproc", "processes", 1000, 812);
}

static void test_golden(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  (void)state;
  fixture(lab);
  check_golden("lab.md", report_lab_markdown, lab);
  check_golden("lab.json", report_lab_json, lab);
  check_golden("lab_units.dat", report_lab_units_dat, lab);
  check_golden("lab_ipc.dat", report_lab_ipc_dat, lab);
  check_golden("lab_memory.dat", report_lab_memory_dat, lab);
  check_golden("lab_sweep.dat", report_lab_sweep_dat, lab);
  free(lab);
}

/* The verdicts follow the numbers: make a thread lighter than a timer and
 * a pipe faster than shared memory, and the claims no longer hold. */
static void test_verdicts_follow_numbers(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  char *md;
  (void)state;

  fixture(lab);
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "| holds: a thread holds 188x a timer's "
                             "memory, a process 1250x |"));
  assert_non_null(strstr(md, "| holds: shared memory moved bytes 2.0x"));
  assert_non_null(strstr(md, "refused at n=1000, 812 created: EAGAIN"));
  assert_non_null(strstr(md, "all fired in 1000.000 s (target: within "
                             "1.5 s): MISSED"));
  free(md);
  lab->rows[10].s.median = 10;       /* mem_thread_small */
  lab->rows[7].s.median = 9e9;       /* pipe_bw */
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "does not hold here: the order is not timer "
                             "< thread < process (160 B, 10 B,"));
  assert_non_null(strstr(md, "depends: a pipe moved bytes at 180% of"));
  assert_non_null(strstr(md, "depends: async held 1,000,000; threads "
                             "reached their cap without a refusal; the"));
  free(md);
  /* every model refused, and timers held the most: the claim holds */
  lab->sweeps[1].stop = LAB_STOP_REFUSED;
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "holds: the system refused threads after "
                             "10,000 and processes after 100, while "
                             "1,000,000 timers waited"));
  free(md);
  free(lab);
}

/* The GIL row: measured by the suite (lab->gil), its verdict follows the
 * two speedups. */
static void test_gil_row(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  char *md;
  (void)state;

  fixture(lab);
  lab->gil = 1;
  lab->gil_c = 1.92;
  lab->gil_py = 0.95;
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "threads' speedup over seq: 1.92x in C, 0.95x "
                             "in CPython ([C and CPython](#c-and-cpython))"));
  assert_non_null(strstr(md, "| threads speed CPU work up 1.92x in C, 0.95x "
                             "in CPython: the GIL: one CPython thread"));
  free(md);
  lab->gil_py = 1.9;
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "1.90x in CPython: CPython's threads gained "
                             "too"));
  free(md);
  free(lab);
}

/* The verdicts' line of unit costs: each model's first memory and start
 * row, linked to its row's anchor; a failed row is passed over. */
static void test_why_line(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  char *md;
  (void)state;

  fixture(lab);
  md = render(report_lab_why, lab);
  assert_non_null(strstr(md, "one waiting unit holds async "
                             "[160 B](#lab-mem_timer), threaded "
                             "[29.3 KiB](#lab-mem_thread_small), multiproc "
                             "[195.3 KiB](#lab-mem_process); starting"));
  assert_non_null(strstr(md, "threaded [25.0 µs](#lab-pthread)"));
  free(md);
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "<a id=\"lab-mem_timer\"></a>`mem_timer`"));
  assert_non_null(strstr(md, "<a id=\"lab-pthread\"></a>`pthread`"));
  free(md);
  lab->nrows = 0;
  md = render(report_lab_why, lab);
  assert_non_null(strstr(md, "no unit was measured"));
  free(md);
  free(lab);
}

/* ---- lab.json read back, and --only's merge ----------------------------- */

static void test_json_read_back(void **state) {
  lab_data *lab = calloc(1, sizeof *lab), *back = calloc(1, sizeof *back);
  fake f = {.fail_at = 1000};
  lab_sweep_ops ops = {"threaded", "threads", fake_hold};
  char *json, *md;
  (void)state;

  fixture(lab);
  /* a sweep that failed, with its why */
  lab_sweep(&ops, &f, (const long[]){10, 100, 1000}, 3, 10000, &lab->sweeps[1]);
  json = render(report_lab_json, lab);
  assert_int_equal(lab_read_json(json, back), 0);
  assert_reads_back(lab, back, json, 1);
  md = render(report_lab_markdown, lab);
  assert_non_null(strstr(md, "killed by signal 9"));
  assert_int_equal(lab_read_json("{\"profile\": \"quick\"}", back), -1);
  assert_int_equal(lab_read_json("not json", back), -1);
  free(json);
  free(md);
  free(lab);
  free(back);
}

/* A lab.json in the layout written before cJSON (one record a line, as
 * results/ directories still hold) reads back as the same lab: --only
 * merges into such a file too. */
static void test_json_read_old_layout(void **state) {
  lab_data *lab = calloc(1, sizeof *lab), *back = calloc(1, sizeof *back);
  char *old = golden_slurp(CONCLAB_DATA_DIR "/lab-before-cjson.json");
  char *json;
  (void)state;

  assert_non_null(old);
  fixture(lab);
  assert_int_equal(lab_read_json(old, back), 0);
  json = render(report_lab_json, lab);
  assert_reads_back(lab, back, json, 0);
  free(json);
  free(old);
  free(lab);
  free(back);
}

static void test_merge(void **state) {
  lab_data *old = calloc(1, sizeof *old), *now = calloc(1, sizeof *now);
  const lab_row *r;
  (void)state;

  fixture(old);
  /* now: pthread measured again, and the async sweep */
  snprintf(now->profile, sizeof now->profile, "quick");
  row(now, "pthread", "threaded", LAB_START, 99999, 0, 0);
  sweep(now, "async", "timers of 100 ms", 1000, 0);
  assert_int_equal(lab_merge(now, old), 0);
  assert_int_equal(now->nrows, old->nrows);
  assert_int_equal(now->nsweeps, 3);
  r = lab_row_find(now, "pthread");
  assert_non_null(r);
  assert_near(r->s.median, 99999);
  r = lab_row_find(now, "uv_timer");
  assert_non_null(r);
  assert_near(r->s.median, 250);
  assert_int_equal(now->sweeps[0].cap, 1000); /* the new async sweep */
  assert_int_equal(now->sweeps[2].largest, 100); /* the old multiproc */
  /* in lab_units order */
  for (int i = 1, last = -1; i <= now->nrows; i++) {
    int at = -1;
    for (int k = 0; k < lab_nunits; k++)
      if (strcmp(lab_units[k].name, now->rows[i - 1].name) == 0)
        at = k;
    assert_true(at > last);
    last = at;
  }
  free(old);
  free(now);
}


/* ---- the README section ------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static void test_section_splice(void **state) {
  char path[128], *doc, *sec;
  (void)state;

  snprintf(tmpdir, sizeof tmpdir, "/tmp/conclab_lab_XXXXXX");
  assert_non_null(mkdtemp(tmpdir));
  snprintf(path, sizeof path, "%s/README.md", tmpdir);

  /* create */
  assert_null(base_section_extract(path, "lab"));
  assert_int_equal(base_section_splice(path, "lab", "first\n"), 0);
  doc = golden_slurp(path);
  assert_string_equal(doc, "<!-- lab:begin -->\nfirst\n<!-- lab:end -->\n");
  free(doc);
  sec = base_section_extract(path, "lab");
  assert_string_equal(sec, "first\n");
  free(sec);

  /* replace: the text around it untouched, other sections too */
  write_file(path, "# Title\n\nbefore\n<!-- lab:begin -->\nold\nolder\n"
                   "<!-- lab:end -->\nafter <!-- x:begin -->\nx\n"
                   "<!-- x:end -->\nend");
  assert_int_equal(base_section_splice(path, "lab", "new"), 0);
  doc = golden_slurp(path);
  assert_string_equal(doc, "# Title\n\nbefore\n<!-- lab:begin -->\nnew\n"
                           "<!-- lab:end -->\nafter <!-- x:begin -->\nx\n"
                           "<!-- x:end -->\nend");
  free(doc);
  sec = base_section_extract(path, "x");
  assert_string_equal(sec, "x\n");
  free(sec);

  /* append: a file without the markers keeps all it had */
  write_file(path, "# Suite\n\ntables");
  assert_int_equal(base_section_splice(path, "lab", "lab text\n"), 0);
  doc = golden_slurp(path);
  assert_string_equal(doc, "# Suite\n\ntables\n\n<!-- lab:begin -->\n"
                           "lab text\n<!-- lab:end -->\n");
  free(doc);
  /* and a second splice replaces, never appends twice */
  assert_int_equal(base_section_splice(path, "lab", "again\n"), 0);
  doc = golden_slurp(path);
  assert_string_equal(doc, "# Suite\n\ntables\n\n<!-- lab:begin -->\n"
                           "again\n<!-- lab:end -->\n");
  free(doc);
  assert_int_equal(dir_entries(tmpdir), 1); /* no temporary file left */

  /* remove: the section and the blank line before it go, the rest stays */
  doc = base_section_put("# Suite\n\n<!-- x:begin -->\nx\n<!-- x:end -->\n\n"
                "<!-- lab:begin -->\nlab\n<!-- lab:end -->\n", "x", NULL);
  assert_string_equal(doc, "# Suite\n\n<!-- lab:begin -->\nlab\n"
                           "<!-- lab:end -->\n");
  sec = base_section_put(doc, "lab", NULL);
  assert_string_equal(sec, "# Suite\n");
  free(sec);
  sec = base_section_put(doc, "absent", NULL);
  assert_string_equal(sec, doc);
  free(sec);
  free(doc);

  /* an unwritable place: -1, nothing left */
  assert_int_equal(
      base_section_splice("/nonexistent/dir/README.md", "lab", "x"), -1);
  unlink(path);
  rmdir(tmpdir);
}

/* conclab lab after conclab suite: its line under the suite's verdicts is
 * replaced where it stands, and its section added. */
static void test_write_all_why_in_place(void **state) {
  lab_data *lab = calloc(1, sizeof *lab);
  char dir[] = "/tmp/conclab_lab_why_XXXXXX", path[128], *doc, *why;
  (void)state;

  fixture(lab);
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(mkdir(path, 0777), 0);
  snprintf(path, sizeof path, "%s/README.md", dir);
  write_file(path, "# suite\n\n## Verdicts\n\n<!-- labwhy:begin -->\n"
                   "(run conclab lab)\n<!-- labwhy:end -->\n\n## Machine\n");
  assert_int_equal(report_lab_write_all(dir, lab), 0);
  doc = golden_slurp(path);
  assert_non_null(doc);
  why = base_section_get(doc, "labwhy");
  assert_non_null(why);
  assert_non_null(strstr(why, "one waiting unit holds async [160 B]"));
  assert_null(strstr(doc, "(run conclab lab)"));
  assert_true(strstr(doc, "## Verdicts") < strstr(doc, "<!-- labwhy:begin"));
  assert_true(strstr(doc, "<!-- labwhy:end") < strstr(doc, "## Machine"));
  assert_true(strstr(doc, "## Machine") < strstr(doc, "<!-- lab:begin"));
  free(why);
  free(doc);
  assert_int_equal(walk_tree(dir, 1), 0);
  free(lab);
}

/* ThreadSanitizer starts a thread of its own at the first pthread_create:
 * start and join one thread first, so that the task counts compare like
 * with like. */
static void *nothing(void *arg) { return arg; }

static int start_one_thread(void **state) {
  pthread_t t;
  (void)state;
  if (pthread_create(&t, NULL, nothing, NULL) != 0)
    return -1;
  return pthread_join(t, NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sweep_cap),
      cmocka_unit_test(test_sweep_refused),
      cmocka_unit_test(test_sweep_failed),
      cmocka_unit_test(test_sweep_threads_real),
      cmocka_unit_test(test_hold_timers),
      cmocka_unit_test(test_units_async),
      cmocka_unit_test(test_units_threads),
      cmocka_unit_test(test_units_memory),
      cmocka_unit_test(test_unit_names),
      cmocka_unit_test(test_golden),
      cmocka_unit_test(test_verdicts_follow_numbers),
      cmocka_unit_test(test_why_line),
      cmocka_unit_test(test_gil_row),
      cmocka_unit_test(test_write_all_why_in_place),
      cmocka_unit_test(test_json_read_back),
      cmocka_unit_test(test_json_read_old_layout),
      cmocka_unit_test(test_merge),
      cmocka_unit_test(test_section_splice),
  };
  return cmocka_run_group_tests(tests, start_one_thread, NULL);
}
