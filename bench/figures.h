/*
 * figures.h - the report's pictures: what the suite and the lab draw.
 */
#ifndef CONCLAB_FIGURES_H
#define CONCLAB_FIGURES_H

#include "suite.h"

/* The suite's plots under dir: speedup against concurrency for each swept
 * workload, and the task timeline from small traced batches run with the
 * binary self.  Then draws and links (fg_render_and_link).  0, or -1
 * (printed); the report is still usable without them. */
int fg_suite_figures(const char *self, const char *dir, const su_suite *s);

/* The lab's plot scripts under dir/plots (its data files are the lab's),
 * then draws and links. */
int fg_lab_figures(const char *dir);

/* gnuplot over every script whose data exists, then the "Plots" section
 * of dir/README.md: the SVGs with captions, or why they were skipped. */
int fg_render_and_link(const char *dir);

#endif
