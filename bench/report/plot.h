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

/* The colour of a model in every plot: the hue is the model's (the label's
 * first word: seq, async, threaded, multiproc), the shade its variant's
 * ("async in-loop" light, "async offload" dark).  An "#rrggbb" string. */
const char *report_model_colour(const char *label);

/* Speedup against concurrency for one workload: one block per model (the
 * main and sweep cells of the same work as its seq cell; a model measured
 * at one C is a lone point), and a first block with the ideal.  Returns
 * how many models have two or more points; 0 means there is no line worth
 * drawing (and nothing should be written).  The script gives each model
 * its colour and frames the points with room around them. */
int report_speedup_count(const suite_matrix *s, const wl_workload *wl);
void report_speedup_data(FILE *out, const suite_matrix *s,
                         const wl_workload *wl);
void report_speedup_script(FILE *out, const suite_matrix *s,
                           const wl_workload *wl);

/* One bar of a task timeline: task `index` of a batch run on `model`, on
 * worker `track` (the loop, a thread, a process, a pool thread), from start
 * to end (seconds since the batch began); `phase` is NULL for the whole
 * task, or the part of it the bar is ("fetch", "compute", "save"). */
typedef struct report_bar {
  const char *model; /* the group label: "seq", "async in-loop", ... */
  const char *track; /* the worker's label within it: "loop", "thread 2" */
  int index;
  double start_s, end_s;
  const char *phase;
} report_bar;

/* The timeline: rows by model, then track, in the order given; one data
 * block (one colour and shade) per model and phase.  Bars that overlap on
 * one track (the loop) get lanes of their own. */
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
