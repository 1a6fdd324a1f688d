/*
 * lab_render.h - for the tests of the lab's reports: a fixed lab's head
 * (profile, runs, machine), a writer's output as a string, and that
 * compared with its golden file (tests/golden/).
 */
#ifndef CONCLAB_TEST_LAB_RENDER_H
#define CONCLAB_TEST_LAB_RENDER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "lab.h"
#include "report.h"

/* An empty quick lab of elapsed seconds on a fixed 2-core test machine. */
static inline void lab_fixture_head(lab_data *lab, double elapsed) {
  memset(lab, 0, sizeof *lab);
  snprintf(lab->profile, sizeof lab->profile, "quick");
  lab->runs = 5;
  lab->big_mb = 1024;
  lab->elapsed_s = elapsed;
  snprintf(lab->machine.cpu, sizeof lab->machine.cpu, "Test CPU");
  lab->machine.cores = 2;
  lab->machine.mem_gib = 8;
  snprintf(lab->machine.kernel, sizeof lab->machine.kernel, "Linux 6.1");
  snprintf(lab->machine.compiler, sizeof lab->machine.compiler, "GNU 12");
  snprintf(lab->machine.build_type, sizeof lab->machine.build_type,
           "Release");
}

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

/* back, read from lab's lab.json text json, writes that lab.json again
 * (and, with md, the same README section): the machine and the elapsed
 * time are the run's own, not read back. */
static inline void assert_reads_back(const lab_data *lab, lab_data *back,
                                     const char *json, int md) {
  char *again;
  back->machine = lab->machine;
  back->elapsed_s = lab->elapsed_s;
  again = render(report_lab_json, back);
  assert_string_equal(again, json);
  free(again);
  if (md) {
    char *want = render(report_lab_markdown, lab);
    char *got = render(report_lab_markdown, back);
    assert_string_equal(got, want);
    free(want);
    free(got);
  }
}

#endif
