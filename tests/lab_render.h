/*
 * lab_render.h - a lab writer's output as a string, and compared with its
 * golden file (tests/golden/), for the tests of the lab's reports.
 */
#ifndef CONCLAB_TEST_LAB_RENDER_H
#define CONCLAB_TEST_LAB_RENDER_H

#include <stdio.h>
#include <stdlib.h>

#include "golden.h"
#include "lab.h"

static inline char *render(void (*w)(FILE *, const lab_data *),
                           const lab_data *lab) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  w(f, lab);
  assert_int_equal(fclose(f), 0);
  return text;
}

static inline void check_golden(const char *name,
                                void (*w)(FILE *, const lab_data *),
                                const lab_data *lab) {
  char *got = render(w, lab);
  golden_check(name, got);
  free(got);
}

#endif
