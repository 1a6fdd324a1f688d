/*
 * base.h - the small things every layer of the harness reads the same way:
 * how long a path may be, how many cores this process may use, where its
 * own program is, and a whole number given as a flag's value.
 */
#ifndef CONCLAB_BASE_H
#define CONCLAB_BASE_H

#include <stddef.h>

/* Room for any path the harness builds: PATH_MAX, and a file name after
 * it ("DIR/plots/NAME.svg.tmp"). */
#define BASE_PATH_MAX 4200

/* The cores this process may run on: its CPU affinity (taskset, a
 * container's cpuset), not every core the machine has online. */
int base_cores(void);

/* This very program, by its real path (/proc/self/exe: under valgrind
 * readlink is answered for the client, not valgrind).  0, or -1 with errno
 * set. */
int base_self_exe(char *out, size_t cap);

/* The one reading of a numeric flag's value, for every command: digits
 * with a '-' in front at most; white space, a '+' or anything after the
 * digits is junk.  BASE_WHOLE_OK with *out set, or why not (the caller
 * words the message, naming its flag). */
enum { BASE_WHOLE_OK = 0, BASE_WHOLE_JUNK = -1, BASE_WHOLE_RANGE = -2 };
int base_parse_whole(const char *text, long long lo, long long hi,
                     long long *out);

/* For a command's own parser: 0 the first time flag number k of its
 * valued flags is seen, marked in *seen; the second time, one usage line
 * ("--out: given twice") and 2, as which value was meant is not ours to
 * guess. */
int base_once(unsigned *seen, int k, const char *flag);

#endif
