/*
 * plot.h - the results as pictures: data files, gnuplot scripts, SVGs.
 *
 * Each plot is a pair under the report's directory: a data file in data/
 * (plain columns, readable by anything) and a gnuplot script in plots/ that
 * draws it into plots/NAME.svg.  The writers are pure functions of what was
 * measured, so the tests can pin their bytes; only pl_render runs a
 * program.  gnuplot is optional: without it the data and scripts are still
 * written, and the report says the pictures were skipped and why.
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
int pl_speedup_count(const su_suite *s, const wl_workload *wl);
void pl_speedup_data(FILE *out, const su_suite *s, const wl_workload *wl);
void pl_speedup_script(FILE *out, const char *workload);

/* One bar of a task timeline: task `index` of a batch run on `model`, on
 * worker `track` (the loop, a thread, a process), from start to end
 * (seconds since the batch began). */
typedef struct pl_bar {
  const char *model; /* the group label: "seq", "async in-loop", ... */
  const char *track; /* the worker's label within it: "loop", "thread 2" */
  int index;
  double start_s, end_s;
} pl_bar;

/* The timeline: bars grouped by model, then track, in the order given.
 * Tasks that overlap on one track (the loop) get lanes of their own. */
void pl_timeline_data(FILE *out, const pl_bar *bars, int n);
void pl_timeline_script(FILE *out, const pl_bar *bars, int n,
                        const char *title);

/* The lab's plots, drawn from the lab's data files: unit costs on a log
 * scale, memory per waiting unit, and the scale sweep. */
void pl_lab_units_script(FILE *out);
void pl_lab_memory_script(FILE *out);
void pl_lab_sweep_script(FILE *out);

/* Run gnuplot over every plots/NAME.gp under dir whose data exists, giving
 * plots/NAME.svg.  Returns the number drawn, or -1 when gnuplot cannot be
 * run; why then says so in one sentence. */
int pl_render(const char *dir, char *why, size_t cap);

/* The report's "Plots" section: a link to each SVG under dir/plots, with
 * its caption, or why there are none. */
void pl_markdown(FILE *out, const char *dir, const char *skipped_why);

#endif
