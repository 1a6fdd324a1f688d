/*
 * section.h - a named section of a Markdown file, between two markers:
 *
 *     <!-- NAME:begin -->
 *     ...the section...
 *     <!-- NAME:end -->
 *
 * so that two writers can share one file: `conclab lab` keeps its section
 * in results/README.md, and `conclab suite`, which rewrites that file,
 * takes the section out first (sec_extract) and puts it back.
 */
#ifndef CONCLAB_SECTION_H
#define CONCLAB_SECTION_H

/* Put text (ending in a newline, or not) between NAME's markers in the
 * file at path: replace the old section if the markers are there, append
 * the section at the end otherwise, create the file if it is missing.  The
 * rest of the file is left byte for byte.  Written to a temporary name and
 * renamed into place.  0, or -1 (printed). */
int sec_splice(const char *path, const char *name, const char *text);

/* The text between NAME's markers in the file (malloc'd; the caller frees
 * it), or NULL if the file or the markers are missing. */
char *sec_extract(const char *path, const char *name);

#endif
