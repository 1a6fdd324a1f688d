/*
 * base.c - cores, the program's own path, and whole numbers (see base.h).
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "base.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int base_cores(void) {
  cpu_set_t set;
  long n;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

int base_self_exe(char *out, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", out, cap - 1);
  if (n < 0)
    return -1;
  if ((size_t)n >= cap - 1) {
    errno = ENAMETOOLONG;
    return -1;
  }
  out[n] = '\0';
  return 0;
}

/* Digits, with a '-' in front at most: strtoll alone would also take
 * leading white space and a '+', which a typo can bring.  A '-' is let
 * through so that "-3" is refused as out of range, which says more. */
int base_parse_whole(const char *text, long long lo, long long hi,
                     long long *out) {
  const char *digits = *text == '-' ? text + 1 : text;
  char *end;
  long long v;

  if (!isdigit((unsigned char)*digits))
    return BASE_WHOLE_JUNK;
  errno = 0;
  v = strtoll(text, &end, 10);
  if (*end != '\0')
    return BASE_WHOLE_JUNK;
  if (errno == ERANGE || v < lo || v > hi)
    return BASE_WHOLE_RANGE;
  *out = v;
  return BASE_WHOLE_OK;
}

int base_once(unsigned *seen, int k, const char *flag) {
  if (*seen & 1u << k) {
    fprintf(stderr, "conclab: %s: given twice (say it once)\n", flag);
    return 2;
  }
  *seen |= 1u << k;
  return 0;
}

