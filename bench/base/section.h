/*
 * section.h - a named section of a Markdown file, between two markers:
 *
 *     <!-- NAME:begin -->
 *     ...the section...
 *     <!-- NAME:end -->
 *
 * so that two writers can share one file: `conclab lab` keeps its section
 * in results/README.md, and `conclab suite`, which rewrites that file,
 * carries the lab's section over.  A command builds the whole new file in
 * memory (base_section_read, base_section_put, ...) and writes it with one
 * rename (base_section_write), so a reader, or a command killed half way, never
 * leaves a file with some sections new and others lost.
 */
#ifndef CONCLAB_SECTION_H
#define CONCLAB_SECTION_H

/* The whole file, NUL-terminated (malloc'd), or NULL: errno says why
 * (ENOENT: there is none). */
char *base_section_read(const char *path);

/* A new document (malloc'd; doc is not freed): doc with text between
 * NAME's markers - replacing the old section if the markers are there,
 * appended at the end otherwise; text NULL removes the section (and the
 * blank line before it).  The rest is kept byte for byte.  doc may be
 * NULL (an empty document).  NULL only when out of memory. */
char *base_section_put(const char *doc, const char *name, const char *text);

/* base_section_put in place: *doc becomes the new document (the old one is
 * freed). 0, or -1 when out of memory (*doc is then left as it was). */
int base_section_set(char **doc, const char *name, const char *text);

/* The text between NAME's markers in doc (malloc'd), or NULL if doc is
 * NULL or the markers are missing. */
char *base_section_get(const char *doc, const char *name);

/* Write doc to path under a temporary name, renamed into place: one
 * rename.  0, or -1 (printed). */
int base_section_write(const char *path, const char *doc);

/* One section into the file at path (read, put, write), creating the file
 * if it is missing.  0, or -1 (printed). */
int base_section_splice(const char *path, const char *name, const char *text);

/* The text between NAME's markers in the file, or NULL. */
char *base_section_extract(const char *path, const char *name);

#endif
