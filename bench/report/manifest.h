/*
 * manifest.h - which files a report was written with.
 *
 * A command writes many files (data, plot scripts, SVGs) and README.md
 * last, in one rename: README.md is the commit point.  A command killed
 * before that rename leaves the old README.md beside some new files; one
 * killed after it has written everything.  Rather than build the whole
 * directory aside and swap it in (hard links of the other command's files,
 * a recursive copy and delete, and renameat2's exchange, which not every
 * file system has), README.md ends with this list: each file under data/
 * and plots/ with its size and POSIX cksum, as they were when README.md
 * was written.  `cksum FILE` prints the same two numbers for every file
 * of that run; a file that differs is from a later, interrupted run.
 */
#ifndef CONCLAB_MANIFEST_H
#define CONCLAB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The CRC that POSIX cksum prints for len bytes (the length included). */
uint32_t report_cksum(const unsigned char *bytes, size_t len);

/* The same for a file; 0, or -1 (errno set). */
int report_cksum_file(const char *path, uint32_t *crc, long long *size);

/* README.md's "Files of this report" section: every regular file under
 * dir/data and dir/plots (writers' temporaries left out), sorted, with its
 * cksum and size. */
void report_manifest_markdown(FILE *out, const char *dir);
/* The same as a string (malloc'd), or NULL when out of memory. */
char *report_manifest_section(const char *dir);

/* README.md of dir, replaced in one rename: head(the old README.md or
 * NULL, arg) gives its first part (malloc'd, NULL when out of memory);
 * then comes the plots section (plots, or the old README's when plots is
 * NULL, if it had one) and, last, the list of the files under dir.  0, or
 * -1 (printed). */
typedef char *report_readme_head(const char *old, const void *arg);
int report_compose_readme(const char *dir, const char *plots,
                          report_readme_head *head, const void *arg);

#endif
