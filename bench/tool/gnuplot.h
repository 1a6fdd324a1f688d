/*
 * gnuplot.h - gnuplot, the outside tool that draws the report's plots.
 */
#ifndef CONCLAB_GNUPLOT_H
#define CONCLAB_GNUPLOT_H

#include <stddef.h>

/* Run gnuplot over every plots/NAME.gp under dir whose data exists, giving
 * plots/NAME.svg.  Returns the number drawn, or -1 when gnuplot cannot be
 * run; why then says so in one sentence. */
int tool_gnuplot_render(const char *dir, char *why, size_t cap);

/* The names (without the suffix) of the files in dir ending in suffix, in
 * byte order; free with tool_gnuplot_free_list.  -1 if dir cannot be
 * read. */
int tool_gnuplot_list(const char *dir, const char *suffix, char ***out);
void tool_gnuplot_free_list(char **names, int n);

#endif
