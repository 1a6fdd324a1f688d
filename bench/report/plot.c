/*
 * plot.c - the results as pictures (see plot.h).
 *
 * gnuplot reads plain columns; a blank line pair starts a new "index" block,
 * which is how one file holds one line per model.  Each script begins with
 * a "# caption:" line, which the report prints under the picture.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

#include "base.h"
#include "gnuplot.h"

/* The first lines of every script: an SVG of a fixed size on white, with
 * text taken literally (no "enhanced" sub/superscripts for "_").  The
 * output is NAME.svg unless the caller names another (tool/gnuplot.c draws
 * into a temporary name with -e "out='...'" and renames it into place). */
static void script_head(FILE *out, const char *name, const char *caption,
                        int width, int height) {
  fprintf(out, "# caption: %s\n", caption);
  fprintf(out, "# Draw with: cd plots && gnuplot %s.gp\n", name);
  fprintf(out,
          "set terminal svg size %d,%d dynamic noenhanced font 'sans,11' "
          "background rgb 'white'\n",
          width, height);
  fprintf(out, "if (!exists('out')) out = '%s.svg'\n", name);
  fprintf(out, "set output out\n");
}

/* ---- one colour per model ---- */

/* The hue is the model's (the first word of a label), the shade its
 * variant's: "async in-loop" a lighter blue than "async offload", so the
 * same model reads the same in every plot and its variants as kin. */
static const struct {
  const char *model;
  const char *shade[3]; /* plain, lighter variant, darker variant */
} palette[] = {
    {"seq", {"#555555", "#999999", "#222222"}},
    {"async", {"#1f6fb4", "#6baed6", "#08306b"}},
    {"threaded", {"#e6780b", "#fdae6b", "#a63603"}},
    {"multiproc", {"#2a9d3a", "#74c476", "#00441b"}},
};

const char *report_model_colour(const char *label) {
  size_t len = strcspn(label, " :");
  const char *variant = label + len;
  for (size_t i = 0; i < sizeof palette / sizeof palette[0]; i++) {
    if (strlen(palette[i].model) != len ||
        strncmp(label, palette[i].model, len) != 0)
      continue;
    if (*variant == '\0' || *variant == ':')
      return palette[i].shade[0];
    return strstr(variant, "offload") != NULL ? palette[i].shade[2]
                                               : palette[i].shade[1];
  }
  return "#7f3f98"; /* no model of ours: set apart */
}

/* ---- speedup against concurrency ---- */

static int effective_c(const suite_cell *c) {
  const wl_params *p = &c->opts.params;
  return p->concurrency < p->tasks ? p->concurrency : p->tasks;
}

/* A point of the plot: a timed, ranked cell of the same work as the main
 * seq cell of wl. */
static int is_point(const suite_matrix *s, const suite_cell *c,
                    const wl_workload *wl) {
  const suite_cell *b;
  if (c->opts.wl != wl || c->opts.model == RUN_SEQ || c->failed ||
      c->speedup <= 0 || c->baseline < 0 ||
      (c->table != SUITE_MAIN && c->table != SUITE_SWEEP))
    return 0;
  b = &s->cells[c->baseline];
  return b->table == SUITE_MAIN;
}

static int points_of(const suite_matrix *s, const wl_workload *wl,
                     const char *label) {
  int n = 0;
  for (int i = 0; i < s->ncells; i++)
    if (is_point(s, &s->cells[i], wl) &&
        strcmp(suite_model_label(&s->cells[i]), label) == 0)
      n++;
  return n;
}

/* Is cell i the first point of its label (so each line is written once)? */
static int first_of_label(const suite_matrix *s, const wl_workload *wl, int i) {
  const char *label = suite_model_label(&s->cells[i]);
  for (int j = 0; j < i; j++)
    if (is_point(s, &s->cells[j], wl) &&
        strcmp(suite_model_label(&s->cells[j]), label) == 0)
      return 0;
  return 1;
}

/* A plot is worth drawing when some model has a line (two points or more);
 * then every model with a point is drawn, a lone point included (async
 * in-loop's CPU work is measured at one C only). */
int report_speedup_count(const suite_matrix *s, const wl_workload *wl) {
  int lines = 0;
  for (int i = 0; i < s->ncells; i++)
    if (is_point(s, &s->cells[i], wl) && first_of_label(s, wl, i) &&
        points_of(s, wl, suite_model_label(&s->cells[i])) >= 2)
      lines++;
  return lines;
}

/* The points of one label, or of every model (label NULL: for the ideal),
 * by increasing C; each C once. */
static int sorted_points(const suite_matrix *s, const wl_workload *wl,
                         const char *label, const suite_cell **out, int cap) {
  int n = 0;
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    int k, dup = 0;
    if (!is_point(s, c, wl) ||
        (label != NULL && strcmp(suite_model_label(c), label) != 0))
      continue;
    for (k = 0; k < n; k++)
      dup |= effective_c(out[k]) == effective_c(c);
    if (dup || n == cap)
      continue;
    for (k = n; k > 0 && effective_c(out[k - 1]) > effective_c(c); k--)
      out[k] = out[k - 1];
    out[k] = c;
    n++;
  }
  return n;
}

void report_speedup_data(FILE *out, const suite_matrix *s,
                         const wl_workload *wl) {
  const suite_cell *pts[64];
  int n = sorted_points(s, wl, NULL, pts, 64);

  fprintf(out, "# conclab: %s, speedup over seq against concurrency C.\n",
          wl->name);
  fprintf(out, "# One block per line; each block's first row names it.\n");
  fprintf(out, "C \"ideal\"\n");
  for (int k = 0; k < n; k++)
    fprintf(out, "%d %.4f\n", effective_c(pts[k]),
            suite_ideal(pts[k], s->cores));
  for (int i = 0; i < s->ncells; i++) {
    const char *label = suite_model_label(&s->cells[i]);
    if (!is_point(s, &s->cells[i], wl) || !first_of_label(s, wl, i))
      continue;
    fprintf(out, "\n\nC \"%s\"\n", label);
    n = sorted_points(s, wl, label, pts, 64);
    for (int k = 0; k < n; k++)
      fprintf(out, "%d %.4f\n", effective_c(pts[k]), pts[k]->speedup);
  }
}

/* The axes' ranges: every point inside, with room around (a line on the
 * frame is hidden by it, the ideal's top point most of all). */
static void speedup_ranges(const suite_matrix *s, const wl_workload *wl,
                           double *cmax, double *ymax) {
  *cmax = 1;
  *ymax = 1;
  for (int i = 0; i < s->ncells; i++) {
    const suite_cell *c = &s->cells[i];
    if (!is_point(s, c, wl))
      continue;
    if (effective_c(c) > *cmax)
      *cmax = effective_c(c);
    if (c->speedup > *ymax)
      *ymax = c->speedup;
    if (suite_ideal(c, s->cores) > *ymax)
      *ymax = suite_ideal(c, s->cores);
  }
}

void report_speedup_script(FILE *out, const suite_matrix *s,
                           const wl_workload *wl) {
  char name[64], caption[200];
  double cmax, ymax;
  int block = 0;

  snprintf(name, sizeof name, "speedup_%s", wl->name);
  snprintf(caption, sizeof caption,
           "%s: speedup over seq against concurrency, one colour per model "
           "(a lone point: measured at one C); the dashed line is the "
           "ideal.", wl->name);
  speedup_ranges(s, wl, &cmax, &ymax);
  script_head(out, name, caption, 640, 400);
  fprintf(out,
          "set title '%s: speedup against concurrency'\n"
          "set logscale x 2\n"
          "set xrange [0.7:%.4g]\n"
          "set xlabel 'concurrency C (tasks in flight)'\n"
          "set ylabel 'speedup over seq'\n"
          "set yrange [0:%.4g]\n"
          "set key left top\n"
          "set grid\n"
          "plot '../data/%s.dat' index 0 using 1:2 with lines dt 2 lw 1.5 "
          "lc rgb 'black' title columnheader(2)",
          wl->name, cmax * 1.4, ymax * 1.15, name);
  for (int i = 0; i < s->ncells; i++) {
    const char *label = suite_model_label(&s->cells[i]);
    if (!is_point(s, &s->cells[i], wl) || !first_of_label(s, wl, i))
      continue;
    fprintf(out,
            ", \\\n     '' index %d using 1:2 with linespoints pt 7 ps 0.8 "
            "lw 1.5 lc rgb '%s' title columnheader(2)",
            ++block, report_model_colour(label));
  }
  fputc('\n', out);
}

/* ---- the task timeline ---- */

#define REPORT_MAX_LANES 64

/* Rows from the top: each model's tracks in order of first appearance.
 * A bar's row is the index of its (model, track) pair. */
static int row_of(const report_bar *bars, int i) {
  int row = 0;
  for (int j = 0; j < i; j++) {
    int seen = 0;
    for (int k = 0; k < j; k++)
      seen |= strcmp(bars[k].model, bars[j].model) == 0 &&
              strcmp(bars[k].track, bars[j].track) == 0;
    if (!seen)
      row++;
    if (strcmp(bars[j].model, bars[i].model) == 0 &&
        strcmp(bars[j].track, bars[i].track) == 0)
      return row - 1;
  }
  return row;
}

static int same_row(const report_bar *a, const report_bar *b) {
  return strcmp(a->model, b->model) == 0 && strcmp(a->track, b->track) == 0;
}

/* Bars that overlap on one row (tasks waiting together on the loop) each
 * take the first lane free at their start; lanes split the row's height. */
static int lane_of(const report_bar *bars, int i, int *lanes_in_row) {
  double lane_end[REPORT_MAX_LANES];
  int lanes = 0, mine = 0;
  for (int j = 0; j <= i; j++) {
    int k;
    if (!same_row(&bars[j], &bars[i]))
      continue;
    for (k = 0; k < lanes && lane_end[k] > bars[j].start_s; k++)
      ;
    if (k == lanes && lanes < REPORT_MAX_LANES)
      lanes++;
    if (k == REPORT_MAX_LANES)
      k = REPORT_MAX_LANES - 1;
    lane_end[k] = bars[j].end_s;
    if (j == i)
      mine = k;
  }
  *lanes_in_row = lanes;
  return mine;
}

static int row_lanes(const report_bar *bars, int n, int i) {
  int most = 1, lanes;
  for (int j = 0; j < n; j++)
    if (same_row(&bars[j], &bars[i])) {
      lane_of(bars, j, &lanes);
      if (lanes > most)
        most = lanes;
    }
  return most;
}

static int same_phase(const report_bar *a, const report_bar *b) {
  return a->phase == b->phase ||
         (a->phase != NULL && b->phase != NULL &&
          strcmp(a->phase, b->phase) == 0);
}

/* Blocks of the data file: one per (model, phase), in order of first
 * appearance, so each gets its legend entry and its shade. */
static int first_of_block(const report_bar *bars, int i) {
  for (int j = 0; j < i; j++)
    if (strcmp(bars[j].model, bars[i].model) == 0 &&
        same_phase(&bars[j], &bars[i]))
      return 0;
  return 1;
}

static void block_name(const report_bar *b, char *out, size_t cap) {
  if (b->phase != NULL)
    snprintf(out, cap, "%s: %s", b->model, b->phase);
  else
    snprintf(out, cap, "%s", b->model);
}

void report_timeline_data(FILE *out, const report_bar *bars, int n) {
  char name[96];
  int block = 0;

  fprintf(out, "# conclab: task timeline.  One block per model (and phase, "
               "where the phases are known), named by its first row; then "
               "one row per bar:\n");
  fprintf(out, "# y  start_ms  end_ms  task  height  (y: the worker's row; "
               "height: its lane's)\n");
  for (int i = 0; i < n; i++) {
    if (!first_of_block(bars, i))
      continue;
    block_name(&bars[i], name, sizeof name);
    fprintf(out, "%smodel \"%s\"\n", block++ == 0 ? "" : "\n\n", name);
    for (int j = i; j < n; j++) {
      int lanes, lane;
      double h, y;
      if (strcmp(bars[j].model, bars[i].model) != 0 ||
          !same_phase(&bars[j], &bars[i]))
        continue;
      lane = lane_of(bars, j, &lanes);
      h = 0.8 / row_lanes(bars, n, j);
      y = row_of(bars, j) - 0.4 + h * (lane + 0.5);
      fprintf(out, "%.4f %.3f %.3f %d %.4f\n", y, 1e3 * bars[j].start_s,
              1e3 * bars[j].end_s, bars[j].index, h);
    }
  }
}

/* A phase's fill: the waits pale, the computing dark, a whole task (its
 * phases not known) between. */
static double phase_fill(const char *phase) {
  if (phase == NULL)
    return 0.7;
  return strcmp(phase, "compute") == 0 ? 0.95
         : strcmp(phase, "fetch") == 0 ? 0.25
                                       : 0.45;
}

static void timeline_ytics(FILE *out, const report_bar *bars, int n) {
  int first = 1;
  fprintf(out, "set ytics (");
  for (int i = 0; i < n; i++) {
    int seen = 0;
    for (int j = 0; j < i; j++)
      seen |= same_row(&bars[j], &bars[i]);
    if (seen)
      continue;
    if (strcmp(bars[i].model, bars[i].track) == 0) /* seq: one track */
      fprintf(out, "%s\"%s\" %d", first ? "" : ", ", bars[i].model,
              row_of(bars, i));
    else
      fprintf(out, "%s\"%s: %s\" %d", first ? "" : ", ", bars[i].model,
              bars[i].track, row_of(bars, i));
    first = 0;
  }
  fprintf(out, ")\n");
}

void report_timeline_script(FILE *out, const report_bar *bars, int n,
                            const char *title) {
  int rows = 0, block = 0;
  double end = 0;
  for (int i = 0; i < n; i++) {
    if (row_of(bars, i) + 1 > rows)
      rows = row_of(bars, i) + 1;
    if (bars[i].end_s > end)
      end = bars[i].end_s;
  }
  script_head(out, "timeline",
              "One row per worker (the loop, a thread, a process, a pool "
              "thread), one bar per task, one colour per model: "
              "sequential, concurrent and parallel at a glance.  Where the "
              "workload notes its compute step, a task shows its phases in "
              "three shades: fetch (pale), compute (dark), save (lighter), "
              "the compute on a pool thread's row where it is offloaded; "
              "elsewhere a bar is the whole task.",
              900, 140 + 24 * rows);
  fprintf(out, "set title '%s'\n", title);
  /* the range from the bars' ends: autoscaling follows the centres */
  fprintf(out, "set xlabel 'time since the batch began (ms)'\n"
               "set xrange [0:%.3f]\n"
               "set yrange [%d.5:-0.5]\n"
               "set grid xtics\n"
               "set key outside right\n",
          1e3 * end * 1.02, rows - 1);
  timeline_ytics(out, bars, n);
  fprintf(out, "plot ");
  for (int i = 0; i < n; i++) {
    if (!first_of_block(bars, i))
      continue;
    fprintf(out,
            "%s'%s' index %d using (($2+$3)/2):1:2:3:($1-$5/2):($1+$5/2) "
            "with boxxyerror fs solid %.2f border lc rgb 'black' "
            "lc rgb '%s' title columnheader(2)",
            block == 0 ? "" : ", \\\n     ",
            block == 0 ? "../data/timeline.dat" : "", block,
            phase_fill(bars[i].phase), report_model_colour(bars[i].model));
    block++;
  }
  fputc('\n', out);
}

/* ---- the lab's plots ---- */

/* The lab's data files name each row's model (async, threaded,
 * multiproc): a gnuplot function gives its colour as a number for
 * "lc rgb variable", and a legend entry per model says which is which. */
static void lab_colours(FILE *out) {
  fputs("colour(m) = ", out);
  for (size_t i = 0; i < sizeof palette / sizeof palette[0]; i++)
    fprintf(out, "m eq '%s' ? 0x%s : ", palette[i].model,
            palette[i].shade[0] + 1);
  fputs("0x7f3f98\n", out);
}

static void lab_legend(FILE *out) {
  for (size_t i = 1; i < sizeof palette / sizeof palette[0]; i++)
    fprintf(out, ", \\\n     NaN with boxes fs solid 0.8 lc rgb '%s' "
                 "title '%s'",
            palette[i].shade[0], palette[i].model);
  fputc('\n', out);
}

void report_lab_units_script(FILE *out) {
  script_head(out, "lab_units",
              "The cost of one unit of each model (median; the whiskers are "
              "min and max), grouped and coloured by model, on a log scale.",
              760, 520);
  lab_colours(out);
  fputs("set title 'unit costs (log scale)'\n"
        "set logscale x 10\n"
        "set xlabel 'nanoseconds per unit'\n"
        "set format x '%.0s%c'\n"
        "set yrange [*:*] reverse\n"
        "set ytics nomirror\n"
        "set style fill solid 0.6\n"
        "set grid xtics\n"
        "set key outside right top\n"
        "plot '../data/lab_units.dat' using 3:0:(1):3:($0-0.35):($0+0.35)"
        ":(colour(strcol(2))):ytic(1) with boxxyerror lc rgb variable "
        "notitle, \\\n"
        "     '' using 3:0:4:5 with xerrorbars pt 7 ps 0.4 "
        "lc rgb 'black' notitle",
        out);
  lab_legend(out);
}

void report_lab_memory_script(FILE *out) {
  script_head(out, "lab_memory",
              "Memory per waiting unit in KiB, coloured by model: user "
              "memory (resident pages, dark) and the kernel's own on top "
              "(stacks, page tables, pale), on a log scale.",
              760, 360);
  lab_colours(out);
  fputs("set title 'memory per waiting unit (log scale)'\n"
        "set logscale x 10\n"
        "set xlabel 'KiB per unit'\n"
        "set yrange [*:*] reverse\n"
        "set ytics nomirror\n"
        "set grid xtics\n"
        "set key outside right top\n"
        "kib(b) = b > 10 ? b / 1024.0 : 10 / 1024.0\n"
        "set xrange [10 / 1024.0:*]\n"
        "plot '../data/lab_memory.dat' using (kib($3+$4)):0:(kib(1))"
        ":(kib($3+$4)):($0-0.35):($0+0.35):(colour(strcol(2))):ytic(1) "
        "with boxxyerror fs solid 0.3 lc rgb variable notitle, \\\n"
        "     '' using (kib($3)):0:(kib(1)):(kib($3)):($0-0.35):($0+0.35)"
        ":(colour(strcol(2))) with boxxyerror fs solid 0.9 "
        "lc rgb variable notitle, \\\n"
        "     NaN with boxes fs solid 0.9 lc rgb 'gray40' title 'user', "
        "\\\n     NaN with boxes fs solid 0.3 lc rgb 'gray40' "
        "title '+ kernel'",
        out);
  lab_legend(out);
}

void report_lab_sweep_script(FILE *out) {
  script_head(out, "lab_sweep",
              "The scale sweep: time to start and finish N waiting units, "
              "per model (log-log); a line ends where the cap or the "
              "system stopped it.", 640, 400);
  lab_colours(out);
  fputs("set title 'waiting units in flight'\n"
        "set logscale xy 10\n"
        "set xlabel 'units in flight N'\n"
        "set format x '%.0s%c'\n"
        "set ylabel 'wall time (s)'\n"
        "set format y '%g'\n"
        "set key right bottom\n"
        "set offsets graph 0.04, graph 0.04, graph 0.04, graph 0.04\n"
        "set grid\n"
        "plot for [m in 'async threaded multiproc'] '../data/lab_sweep.dat' "
        "using ((strcol(1) eq m && $5 == 1) ? $2 : NaN):3 "
        "with linespoints pt 7 lw 1.5 lc rgb sprintf('#%06x', colour(m)) "
        "title m.(m eq 'async' ? ' (timers)' : "
        "m eq 'threaded' ? ' (threads)' : ' (processes)')\n",
        out);
}

/* Where a plot stands in the report: the timeline, the speedups, the lab. */
static int plot_rank(const char *name) {
  return strncmp(name, "timeline", 8) == 0  ? 0
         : strncmp(name, "speedup_", 8) == 0 ? 1
                                             : 2;
}

static int by_rank(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  int d = plot_rank(x) - plot_rank(y);
  return d != 0 ? d : strcmp(x, y);
}

/* A script's caption: the text after "# caption: " on its first line. */
static void read_caption(const char *plots, const char *name, char *out,
                         size_t cap) {
  char path[BASE_PATH_MAX], line[512];
  FILE *f;

  snprintf(out, cap, "%s", name);
  if (snprintf(path, sizeof path, "%s/%s.gp", plots, name) >=
      (int)sizeof path)
    return; /* cannot be: the plots are named by this program */
  f = fopen(path, "r");
  if (f == NULL)
    return;
  if (fgets(line, sizeof line, f) != NULL &&
      strncmp(line, "# caption: ", 11) == 0) {
    line[strcspn(line, "\n")] = '\0';
    snprintf(out, cap, "%s", line + 11);
  }
  fclose(f);
}

void report_plots_markdown(FILE *out, const char *dir,
                           const char *skipped_why) {
  char plots[BASE_PATH_MAX], caption[512];
  char **names;
  int n;

  fprintf(out, "## Plots\n\n");
  if (skipped_why != NULL) {
    fprintf(out,
            "Plots were skipped: %s.  The data (`data/*.dat`) and the "
            "gnuplot scripts (`plots/*.gp`) are written anyway; draw one "
            "with `cd plots && gnuplot NAME.gp`.\n\n",
            skipped_why);
    return;
  }
  snprintf(plots, sizeof plots, "%s/plots", dir);
  n = tool_gnuplot_list(plots, ".svg", &names);
  if (n > 0)
    qsort(names, (size_t)n, sizeof *names, by_rank);
  if (n <= 0)
    fprintf(out, "No plots were drawn.\n\n");
  for (int i = 0; i < n; i++) {
    read_caption(plots, names[i], caption, sizeof caption);
    fprintf(out, "![%s](plots/%s.svg)\n\n%s Data: `data/` (see the script "
                 "`plots/%s.gp`).\n\n",
            names[i], names[i], caption, names[i]);
  }
  tool_gnuplot_free_list(names, n);
}
