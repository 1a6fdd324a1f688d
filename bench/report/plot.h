/*
 * plot.h - the results as pictures: data files, gnuplot scripts, SVGs.
 *
 * Each plot is a pair under the report's directory: a data file in data/
 * (plain columns, readable by anything) and a gnuplot script in plots/ that
 * draws it into plots/NAME.svg.  The writers are pure functions of what was
 * measured, so the tests can pin their bytes; the drawing is
 * tool/gnuplot.c's.  gnuplot is optional: without it the data and scripts are
 * still written, and the report says the pictures were skipped and why.
 */
#ifndef CONCLAB_PLOT_H
#define CONCLAB_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "suite.h"

/* Speedup against concurrency for one workload: one block per model (the
 * main and sweep cells of the same work as its seq cell), and a first
 * block with the ideal.  Returns how many models have two or more points;
 * 0 means there is no line worth drawing (and nothing should be written). */
int report_speedup_count(const suite_matrix *s, const wl_workload *wl);
void report_speedup_data(FILE *out, const suite_matrix *s,
                         const wl_workload *wl);
void report_speedup_script(FILE *out, const char *workload);

/* One bar of a task timeline: task `index` of a batch run on `model`, on
 * worker `track` (the loop, a thread, a process), from start to end
 * (seconds since the batch began). */
typedef struct report_bar {
  const char *model; /* the group label: "seq", "async in-loop", ... */
  const char *track; /* the worker's label within it: "loop", "thread 2" */
  int index;
  double start_s, end_s;
} report_bar;

/* The timeline: bars grouped by model, then track, in the order given.
 * Tasks that overlap on one track (the loop) get lanes of their own. */
void report_timeline_data(FILE *out, const report_bar *bars, int n);
void report_timeline_script(FILE *out, const report_bar *bars, int n,
                            const char *title);

/* The lab's plots, drawn from the lab's data files: unit costs on a log
 * scale, memory per waiting unit, and the scale sweep. */
void report_lab_units_script(FILE *out);
void report_lab_memory_script(FILE *out);
void report_lab_sweep_script(FILE *out);

/* The report's "Plots" section: a link to each SVG under dir/plots, with
 * its caption, or why there are none. */
void report_plots_markdown(FILE *out, const char *dir, const char *skipped_why);

#endif
