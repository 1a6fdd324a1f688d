/*
 * test_plot.c - the plot data and script writers, and drawing them.
 *
 * Checks:
 *   - report_speedup_data / report_speedup_script for the smoke profile's sleep
 * and primes rows, with made-up medians, byte for byte against golden files
 *     (tests/golden/plot_*); a workload with one point per model gives no
 *     plot (files);
 *   - report_timeline_data / report_timeline_script for fixed bars: overlapping
 *     tasks on one track get lanes of their own; golden files;
 *   - tool_gnuplot_render: without gnuplot on PATH it draws nothing and says
 * why; with gnuplot (CI installs it) it draws every script whose data exists
 *     into an SVG, skips the others, and leaves no temporary file;
 *   - the "Draw with" line of a script, run by hand, draws the SVG it names;
 *   - report_plots_markdown: the skipped message, and one link per SVG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "golden.h"
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "gnuplot.h"
#include "plot.h"
#include "suite.h"

/* A made-up wall time: seq 1 s; the others as if perfect up to 2 cores
 * (CPU) or to C waits (I/O), then 2% slower per model number. */
static double fake_wall(const suite_cell *c) {
  const wl_params *p = &c->opts.params;
  int conc = p->concurrency < p->tasks ? p->concurrency : p->tasks;
  double ideal = c->opts.wl->kind == WL_KIND_IO ? conc : (conc < 2 ? conc : 2);
  if (c->opts.model == RUN_SEQ)
    return 1.0;
  return (1.0 + 0.02 * c->opts.model + 0.01 * c->opts.offload) / ideal;
}

static int smoke_setup(void **state) {
  suite_matrix *s = calloc(1, sizeof *s);
  assert_non_null(s);
  assert_int_equal(suite_profile_build(s, "smoke", 2), 0);
  for (int i = 0; i < s->ncells; i++) {
    suite_cell *c = &s->cells[i];
    c->nresults = c->warmups + c->runs;
    c->results = calloc((size_t)c->nresults, sizeof *c->results);
    assert_non_null(c->results);
    for (int k = 0; k < c->nresults; k++) {
      c->results[k].parsed = 1;
      c->results[k].wall_s = fake_wall(c);
      c->results[k].ok = c->opts.params.tasks;
      snprintf(c->results[k].checksum, sizeof c->results[k].checksum, "00");
    }
  }
  suite_evaluate(s);
  *state = s;
  return 0;
}

static int smoke_teardown(void **state) {
  suite_free(*state);
  free(*state);
  return 0;
}

typedef void (*text_writer)(FILE *out, const void *arg);

static char *render(text_writer write, const void *arg) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  write(f, arg);
  assert_int_equal(fclose(f), 0);
  return text;
}

static const wl_workload *plotted_wl;
static void write_speedup(FILE *out, const void *s) {
  report_speedup_data(out, s, plotted_wl);
}
static void write_speedup_script(FILE *out, const void *s) {
  report_speedup_script(out, s, plotted_wl);
}

static void speedup_golden(void **state) {
  const suite_matrix *s = *state;
  char *text;

  assert_int_equal(report_speedup_count(s, &wl_sleep), 3);
  /* primes: async offload, threaded, multiproc; in-loop has one point */
  assert_int_equal(report_speedup_count(s, &wl_primes), 3);
  assert_int_equal(report_speedup_count(s, &wl_files), 0);

  plotted_wl = &wl_sleep;
  text = render(write_speedup, s);
  golden_check("plot_speedup_sleep.dat", text);
  free(text);
  plotted_wl = &wl_primes;
  text = render(write_speedup, s);
  /* the ideal of CPU work stops at the cores: C = 4 gives 2 */
  assert_non_null(strstr(text, "C \"ideal\"\n1 1.0000\n2 2.0000\n4 2.0000\n"));
  /* async in-loop's lone point is drawn too, in a lighter blue than
   * offload's; the frame leaves room above the ideal's top (2 * 1.15) */
  assert_non_null(strstr(text, "\n\n\nC \"async in-loop\"\n"));
  golden_check("plot_speedup_primes.dat", text);
  free(text);
  text = render(write_speedup_script, s);
  assert_non_null(strstr(text, "set yrange [0:2.3]\n"));
  assert_non_null(strstr(text, "lc rgb '#6baed6' title"));
  assert_non_null(strstr(text, "lc rgb '#08306b' title"));
  golden_check("plot_speedup_primes.gp", text);
  free(text);
}

/* Four models: seq's two tasks one after another, the first in its three
 * phases; async's three tasks on the loop, two of them overlapping;
 * threaded on two threads; async offload's one task split between the
 * loop and a pool thread. */
static const report_bar bars[] = {
    /* task 0's phases on its own row; task 1 one bar (it failed first) */
    {"seq", "seq", 0, 0.000, 0.003, "fetch"},
    {"seq", "seq", 0, 0.003, 0.008, "compute"},
    {"seq", "seq", 0, 0.008, 0.010, "save"},
    {"seq", "seq", 1, 0.010, 0.020, NULL},
    {"async", "loop", 0, 0.000, 0.012, NULL},
    {"async", "loop", 1, 0.001, 0.011, NULL},
    {"async", "loop", 2, 0.012, 0.020, NULL},
    {"threaded", "thread 0", 0, 0.000, 0.010, NULL},
    {"threaded", "thread 1", 1, 0.000, 0.011, NULL},
    {"async offload", "loop", 0, 0.000, 0.002, "fetch"},
    {"async offload", "loop", 0, 0.008, 0.009, "save"},
    {"async offload", "pool thread 0", 0, 0.002, 0.008, "compute"},
};
#define NBARS ((int)(sizeof bars / sizeof bars[0]))

static void write_timeline(FILE *out, const void *arg) {
  (void)arg;
  report_timeline_data(out, bars, NBARS);
}
static void write_timeline_script(FILE *out, const void *arg) {
  (void)arg;
  report_timeline_script(out, bars, NBARS, "a test batch");
}

static void timeline_golden(void **state) {
  char *text = render(write_timeline, NULL);
  (void)state;
  /* async's first two tasks overlap: two lanes of height 0.4 in row 1,
   * centred at 0.8 and 1.2 (rows count down the page); the third task
   * reuses the first lane. */
  assert_non_null(strstr(text, "0.8000 0.000 12.000 0 0.4000\n"));
  assert_non_null(strstr(text, "1.2000 1.000 11.000 1 0.4000\n"));
  assert_non_null(strstr(text, "0.8000 12.000 20.000 2 0.4000\n"));
  /* each model and phase is a block of its own */
  assert_non_null(strstr(text, "\n\nmodel \"async offload: compute\"\n"
                               "5.0000 2.000 8.000 0 0.8000\n"));
  /* seq's phases and tasks share one full-height lane in row 0: the
   * phases follow each other, block by block */
  assert_non_null(strstr(text, "model \"seq: fetch\"\n"
                               "0.0000 0.000 3.000 0 0.8000\n"));
  assert_non_null(strstr(text, "model \"seq: compute\"\n"
                               "0.0000 3.000 8.000 0 0.8000\n"));
  assert_non_null(
      strstr(text, "model \"seq\"\n0.0000 10.000 20.000 1 0.8000\n"));
  golden_check("plot_timeline.dat", text);
  free(text);
  text = render(write_timeline_script, NULL);
  assert_non_null(strstr(text, "\"threaded: thread 1\" 3, "));
  /* the offloaded task: its compute on the pool's row, after the loop's */
  assert_non_null(strstr(text, "\"async offload: pool thread 0\" 5)"));
  /* one colour per model, the shade per phase: compute dark, fetch pale */
  assert_non_null(strstr(text, "fs solid 0.95 border lc rgb 'black' "
                               "lc rgb '#08306b' title"));
  assert_non_null(strstr(text, "fs solid 0.25 border lc rgb 'black' "
                               "lc rgb '#08306b' title"));
  assert_non_null(strstr(text, "lc rgb '#1f6fb4' title"));
  golden_check("plot_timeline.gp", text);
  free(text);
}

static void write_units_script(FILE *out, const void *arg) {
  (void)arg;
  report_lab_units_script(out);
}

static void write_memory_script(FILE *out, const void *arg) {
  (void)arg;
  report_lab_memory_script(out);
}
static void write_header_only(FILE *out, const void *arg) {
  (void)arg;
  fputs("# label model user_bytes kernel_bytes\n", out);
}

/* A report directory with data/ and plots/: one speedup plot whose data
 * exists, and the lab's units script, whose data does not. */
static void make_report_dir(char *dir, const suite_matrix *s) {
  char path[1200];
  strcpy(dir, "/tmp/conclab_test_plot_XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/plots", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  plotted_wl = &wl_primes;
  snprintf(path, sizeof path, "%s/data/speedup_primes.dat", dir);
  assert_int_equal(base_atomic_write(path, write_speedup, s), 0);
  snprintf(path, sizeof path, "%s/plots/speedup_primes.gp", dir);
  assert_int_equal(base_atomic_write(path, write_speedup_script, s), 0);
  snprintf(path, sizeof path, "%s/plots/lab_units.gp", dir);
  assert_int_equal(base_atomic_write(path, write_units_script, NULL), 0);
  /* the lab's memory data with no rows (`lab --only` some other unit) */
  snprintf(path, sizeof path, "%s/data/lab_memory.dat", dir);
  assert_int_equal(base_atomic_write(path, write_header_only, NULL), 0);
  snprintf(path, sizeof path, "%s/plots/lab_memory.gp", dir);
  assert_int_equal(base_atomic_write(path, write_memory_script, NULL), 0);
}

static void remove_report_dir(const char *dir) {
  const char *files[] = {"data/speedup_primes.dat", "plots/speedup_primes.gp",
                         "plots/speedup_primes.svg", "plots/lab_units.gp",
                         "data/lab_memory.dat", "plots/lab_memory.gp"};
  char path[1200];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(rmdir(path), 0);
  snprintf(path, sizeof path, "%s/plots", dir);
  assert_int_equal(rmdir(path), 0); /* nothing else was left there */
  assert_int_equal(rmdir(dir), 0);
}

static void render_without_gnuplot(void **state) {
  char dir[64], why[256] = "", *path_was, *text = NULL;
  size_t len;
  FILE *f;

  make_report_dir(dir, *state);
  path_was = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
  assert_non_null(path_was);
  setenv("PATH", dir, 1); /* a directory with no gnuplot in it */
  assert_int_equal(tool_gnuplot_render(dir, why, sizeof why), -1);
  setenv("PATH", path_was, 1);
  free(path_was);
  assert_non_null(strstr(why, "gnuplot was not found"));

  f = open_memstream(&text, &len);
  assert_non_null(f);
  report_plots_markdown(f, dir, why);
  assert_int_equal(fclose(f), 0);
  assert_non_null(strstr(text, "Plots were skipped: gnuplot was not found"));
  free(text);
  remove_report_dir(dir);
}

static void render_with_gnuplot(void **state) {
  char dir[64], why[256] = "", path[1200], *text = NULL;
  struct stat st;
  size_t len;
  FILE *f;

  if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
    print_message("gnuplot is not installed: skipped (.ci/deps installs "
                  "it)\n");
    skip();
  }
  make_report_dir(dir, *state);
  /* drawn: the speedup plot; skipped: the lab's units, whose data is
   * missing, and its memory, whose data has no rows (no gnuplot error) */
  assert_int_equal(tool_gnuplot_render(dir, why, sizeof why), 1);
  snprintf(path, sizeof path, "%s/plots/speedup_primes.svg", dir);
  assert_int_equal(stat(path, &st), 0);
  assert_true(st.st_size > 1000);
  text = golden_slurp(path);
  assert_non_null(text);
  assert_non_null(strstr(text, "<svg"));
  assert_non_null(strstr(text, "threaded")); /* a line's title */
  free(text);
  text = NULL;

  f = open_memstream(&text, &len);
  assert_non_null(f);
  report_plots_markdown(f, dir, NULL);
  assert_int_equal(fclose(f), 0);
  assert_non_null(strstr(text, "![speedup_primes](plots/speedup_primes.svg)"));
  assert_null(strstr(text, "lab_units.svg"));
  free(text);

  /* the script's own "Draw with" line, run by hand, draws the SVG it names */
  snprintf(path, sizeof path, "%s/plots/speedup_primes.svg", dir);
  assert_int_equal(unlink(path), 0);
  snprintf(path, sizeof path, "%s/plots/speedup_primes.gp", dir);
  text = golden_slurp(path);
  assert_non_null(strstr(text, "\n# Draw with: cd plots && gnuplot "
                               "speedup_primes.gp\n"));
  free(text);
  snprintf(path, sizeof path, "cd %s && cd plots && gnuplot speedup_primes.gp",
           dir);
  assert_int_equal(system(path), 0);
  snprintf(path, sizeof path, "%s/plots/speedup_primes.svg", dir);
  assert_int_equal(stat(path, &st), 0);
  assert_true(st.st_size > 1000);
  remove_report_dir(dir); /* fails if a .tmp file was left */
}

static void write_sweep_script(FILE *out, const void *arg) {
  (void)arg;
  report_lab_sweep_script(out);
}
static void copy_text(FILE *out, const void *text) {
  fputs(text, out);
}

/* The lab's three scripts draw the lab's own data (its golden files,
 * written by test_lab from a made-up lab) without a gnuplot error. */
static void lab_scripts_draw(void **state) {
  static const char *const names[] = {"lab_units", "lab_memory",
                                      "lab_sweep"};
  static const base_writer scripts[] = {write_units_script, write_memory_script,
                                      write_sweep_script};
  char dir[] = "/tmp/conclab_test_plot_lab_XXXXXX", path[1200], why[256];
  (void)state;

  if (system("command -v gnuplot >/dev/null 2>&1") != 0)
    skip();
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/data", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/plots", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  for (int i = 0; i < 3; i++) {
    char *text;
    snprintf(path, sizeof path, "%s/%s.dat", CONCLAB_GOLDEN_DIR, names[i]);
    text = golden_slurp(path);
    assert_non_null(text);
    snprintf(path, sizeof path, "%s/data/%s.dat", dir, names[i]);
    assert_int_equal(base_atomic_write(path, copy_text, text), 0);
    free(text);
    snprintf(path, sizeof path, "%s/plots/%s.gp", dir, names[i]);
    assert_int_equal(base_atomic_write(path, scripts[i], NULL), 0);
  }
  assert_int_equal(tool_gnuplot_render(dir, why, sizeof why), 3);
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/plots/%s.svg", dir, names[i]);
    assert_int_equal(access(path, R_OK), 0);
  }
  assert_int_equal(walk_tree(dir, 0), 0);
  walk_tree(dir, 1);
}

/* No SVG at all (nothing was drawn): the section says so. */
static void markdown_without_svgs(void **state) {
  char dir[] = "/tmp/conclab_test_plot_none_XXXXXX", path[1200], *text = NULL;
  size_t len;
  FILE *f;
  (void)state;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/plots", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  f = open_memstream(&text, &len);
  assert_non_null(f);
  report_plots_markdown(f, dir, NULL);
  assert_int_equal(fclose(f), 0);
  assert_non_null(strstr(text, "No plots were drawn."));
  free(text);
  walk_tree(dir, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(speedup_golden),
      cmocka_unit_test(timeline_golden),
      cmocka_unit_test(render_without_gnuplot),
      cmocka_unit_test(render_with_gnuplot),
      cmocka_unit_test(lab_scripts_draw),
      cmocka_unit_test(markdown_without_svgs),
  };
  return cmocka_run_group_tests(tests, smoke_setup, smoke_teardown);
}
