/*
 * figures.h - the report's pictures: what the suite and the lab draw.
 */
#ifndef CONCLAB_FIGURES_H
#define CONCLAB_FIGURES_H

#include "suite.h"

/* The suite's plots under dir: speedup against concurrency for each swept
 * workload, and the task timeline from small traced batches run with the
 * binary self.  Then draws them (report_render).  *section: the README's
 * "Plots" section (malloc'd), or NULL.  0, or -1 (printed); the report is
 * still usable without them. */
int report_suite_figures(const char *self, const char *dir,
                         const suite_matrix *s, char **section);

/* The lab's plot scripts under dir/plots (its data files are the lab's),
 * then draws them; *section as above. */
int report_lab_figures(const char *dir, char **section);

/* gnuplot over every script whose data exists; the README's "Plots"
 * section (malloc'd): the SVGs with captions, or why they were skipped.
 * NULL when out of memory. */
char *report_render(const char *dir);

#endif
