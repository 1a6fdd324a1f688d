/*
 * test_choose.c - the checks for exercise 10.
 *
 * Nothing here is measured: the laws are checked against values worked
 * out by hand, and the chooser against made-up tables shaped like the
 * rows of results/README.md - with the traps a real table can hold (a
 * fast cell that FAILED, a tie, a missing seq row).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "expect.h"
#include "choose.h"

/* Doubles equal to within 1e-9 (cmocka's assert_float_equal is float). */
#define assert_near(a, b)                                                    \
  do {                                                                       \
    double got_ = (a), want_ = (b), d_ = got_ - want_;                       \
    if (d_ < 0)                                                              \
      d_ = -d_;                                                              \
    if (d_ > 1e-9)                                                           \
      fail_msg("%s is %.12g, not %.12g", #a, got_, want_);                  \
  } while (0)

/* ---- the laws --------------------------------------------------------------- */

static void amdahl_law(void **state) {
  (void)state;
  assert_near(cm_amdahl(0.0, 4), 4.0);        /* all parallel: n */
  assert_near(cm_amdahl(1.0, 8), 1.0);        /* all serial: 1 */
  assert_near(cm_amdahl(0.5, 1), 1.0);        /* one core: 1 */
  assert_near(cm_amdahl(0.5, 2), 1.0 / 0.75); /* 1 / (0.5 + 0.25) */
  assert_near(cm_amdahl(0.1, 2), 1.0 / 0.55);
  assert_near(cm_amdahl(0.1, 8), 1.0 / 0.2125);
  /* however many cores, never above 1 / s */
  assert_true(cm_amdahl(0.05, 1000000) < 20.0);
  assert_true(cm_amdahl(0.05, 1000000) > 19.99);
  assert_near(cm_amdahl(-0.1, 2), 0.0);
  assert_near(cm_amdahl(1.1, 2), 0.0);
  assert_near(cm_amdahl(0.1, 0), 0.0);
}

static void io_ideal(void **state) {
  (void)state;
  assert_near(cm_io_ideal(16, 16), 16.0); /* one round */
  assert_near(cm_io_ideal(16, 1), 1.0);   /* one at a time */
  assert_near(cm_io_ideal(16, 4), 4.0);
  assert_near(cm_io_ideal(16, 5), 4.0);   /* 4 rounds: 5, 5, 5, 1 */
  assert_near(cm_io_ideal(10, 3), 2.5);   /* 4 rounds */
  assert_near(cm_io_ideal(16, 100), 16.0); /* C above N: N */
  assert_near(cm_io_ideal(10000, 1000), 1000.0);
  assert_near(cm_io_ideal(INT_MAX, 2), INT_MAX / 1073741824.0);
  assert_near(cm_io_ideal(INT_MAX, INT_MAX), (double)INT_MAX);
  assert_near(cm_io_ideal(0, 4), 0.0);
  assert_near(cm_io_ideal(4, 0), 0.0);
}

static void serial_fraction(void **state) {
  const double s[] = {0.0, 0.05, 0.3, 1.0};
  const int n[] = {2, 4, 16};
  (void)state;
  for (int i = 0; i < 4; i++) /* Amdahl's law, there and back */
    for (int j = 0; j < 3; j++)
      assert_near(cm_serial_fraction(cm_amdahl(s[i], n[j]), n[j]), s[i]);
  assert_near(cm_serial_fraction(2.0, 2), 0.0);  /* perfect */
  assert_near(cm_serial_fraction(1.0, 2), 1.0);  /* no gain at all */
  assert_near(cm_serial_fraction(1.6, 2), 0.25); /* (0.625 - 0.5) / 0.5 */
  assert_near(cm_serial_fraction(2.5, 2), -0.2); /* superlinear */
  assert_near(cm_serial_fraction(1.5, 1), -1.0);
  assert_near(cm_serial_fraction(0.0, 4), -1.0);
}

/* ---- the chooser ------------------------------------------------------------- */

/* A CPU-bound workload on 2 cores (made-up numbers). */
static const cm_row cpu[] = {
    {"crunch", "seq", 0.80, 1, 7.6, 1.0},
    {"crunch", "async in-loop", 0.79, 1, 7.8, 2.0},
    {"crunch", "async offload", 0.43, 1, 7.9, 2.0},
    {"crunch", "threaded", 0.40, 1, 8.0, 2.0},
    {"crunch", "multiproc", 0.41, 1, 11.5, 2.0},
};

static const char *choose_model(const cm_row *rows, int n, const char *w,
                                double tie, cm_choice *c) {
  memset(c, 0, sizeof *c);
  expect_int(cm_choose(rows, n, w, tie, c), 0);
  assert_non_null(c->row);
  assert_true(c->row >= rows && c->row < rows + n); /* a row of the table */
  return c->row->model;
}

/* Within 5% of the fastest: threaded and multiproc; threaded is lighter.
 * async offload is lighter still, but 7.5% slower: outside the tie. */
static void fastest_within_tie_lightest(void **state) {
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(cpu, 5, "crunch", 0.05, &c), "threaded");
  assert_near(c.speedup, 2.0);
  assert_near(c.efficiency, 1.0);
}

/* A wider tie takes in async offload, the lightest of the three. */
static void wider_tie_lighter_model(void **state) {
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(cpu, 5, "crunch", 0.10, &c),
                      "async offload");
  assert_near(c.speedup, 0.80 / 0.43);
  assert_near(c.efficiency, 0.80 / 0.43 / 2.0);
}

/* No tie at all: simply the fastest. */
static void zero_tie_fastest(void **state) {
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(cpu, 5, "crunch", 0.0, &c), "threaded");
}

/* The fastest cell FAILED (its checksum differed from seq's): never
 * chosen, and it does not set the pace for the others either. */
static void failed_cell_never_chosen(void **state) {
  const cm_row rows[] = {
      {"crunch", "seq", 0.80, 1, 7.6, 1.0},
      {"crunch", "threaded", 0.30, 0, 7.9, 2.0}, /* FAILED */
      {"crunch", "multiproc", 0.40, 1, 11.5, 2.0},
      {"crunch", "async offload", 0.45, 1, 7.9, 2.0},
  };
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(rows, 4, "crunch", 0.05, &c), "multiproc");
  assert_near(c.speedup, 2.0);
}

/* Waiting work: all three overlap the waits and finish within 1% of each
 * other; the loop, with the least memory, is the choice. */
static void tie_goes_to_lighter(void **state) {
  const cm_row rows[] = {
      {"wait", "seq", 0.80, 1, 7.6, 1.0},
      {"wait", "async", 0.0502, 1, 7.8, 16.0},
      {"wait", "threaded", 0.0500, 1, 7.9, 16.0},
      {"wait", "multiproc", 0.0499, 1, 39.6, 16.0},
  };
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(rows, 4, "wait", 0.05, &c), "async");
  assert_near(c.speedup, 0.80 / 0.0502);
  assert_near(c.efficiency, 0.80 / 0.0502 / 16.0);
}

/* Equal memory: the faster; equal in both: the first in the table. */
static void tie_breakers(void **state) {
  const cm_row rows[] = {
      {"wait", "seq", 0.80, 1, 7.6, 1.0},
      {"wait", "async", 0.0502, 1, 7.8, 16.0},
      {"wait", "threaded", 0.0500, 1, 7.8, 16.0},
  };
  const cm_row twins[] = {
      {"wait", "seq", 0.80, 1, 7.6, 1.0},
      {"wait", "threaded", 0.0500, 1, 7.8, 16.0},
      {"wait", "async", 0.0500, 1, 7.8, 16.0},
  };
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(rows, 3, "wait", 0.05, &c), "threaded");
  choose_model(twins, 3, "wait", 0.05, &c);
  assert_ptr_equal(c.row, &twins[1]);
}

/* seq can be the best: nothing beat it by more than the tie, and it is
 * the lightest.  Its speedup is 1. */
static void seq_can_win(void **state) {
  const cm_row rows[] = {
      {"files", "async", 0.104, 1, 12.5, 2.0},
      {"files", "seq", 0.100, 1, 7.6, 1.0},
      {"files", "threaded", 0.110, 1, 8.1, 2.0},
  };
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(rows, 3, "files", 0.05, &c), "seq");
  assert_near(c.speedup, 1.0);
  assert_near(c.efficiency, 1.0);
}

/* Everything but seq FAILED: seq it is. */
static void only_seq_ok(void **state) {
  const cm_row rows[] = {
      {"crunch", "seq", 0.80, 1, 7.6, 1.0},
      {"crunch", "threaded", 0.40, 0, 7.9, 2.0},
      {"crunch", "multiproc", 0.41, 0, 11.5, 2.0},
  };
  cm_choice c;
  (void)state;
  assert_string_equal(choose_model(rows, 3, "crunch", 0.05, &c), "seq");
  assert_near(c.speedup, 1.0);
}

/* No seq row, a FAILED seq row, no rows of that workload: no verdict. */
static void no_baseline_no_choice(void **state) {
  const cm_row no_seq[] = {
      {"crunch", "threaded", 0.40, 1, 7.9, 2.0},
      {"crunch", "multiproc", 0.41, 1, 11.5, 2.0},
      {"wait", "seq", 0.80, 1, 7.6, 1.0}, /* another workload's seq */
  };
  const cm_row bad_seq[] = {
      {"crunch", "seq", 0.80, 0, 7.6, 1.0},
      {"crunch", "threaded", 0.40, 1, 7.9, 2.0},
  };
  cm_choice c;
  (void)state;
  expect_int(cm_choose(no_seq, 3, "crunch", 0.05, &c), -1);
  expect_int(cm_choose(bad_seq, 2, "crunch", 0.05, &c), -1);
  expect_int(cm_choose(cpu, 5, "nothing", 0.05, &c), -1);
  expect_int(cm_choose(cpu, 0, "crunch", 0.05, &c), -1);
}

/* A suite's table holds every workload: only the asked one counts, and
 * its own seq row is the baseline - the first, if there are two. */
static void other_workloads_ignored(void **state) {
  const cm_row rows[] = {
      {"wait", "seq", 0.80, 1, 7.6, 1.0},
      {"wait", "async", 0.05, 1, 7.8, 16.0},
      {"crunch", "seq", 2.00, 1, 7.6, 1.0},
      {"crunch", "threaded", 1.00, 1, 7.9, 2.0},
      {"crunch", "seq", 4.00, 1, 7.6, 1.0}, /* a second seq: ignored */
      {"wait", "threaded", 0.04, 1, 7.7, 16.0},
  };
  cm_choice c;
  (void)state;
  choose_model(rows, 6, "crunch", 0.05, &c);
  assert_ptr_equal(c.row, &rows[3]);
  assert_near(c.speedup, 2.0);
  assert_near(c.efficiency, 1.0);
  choose_model(rows, 6, "wait", 0.05, &c);
  assert_ptr_equal(c.row, &rows[5]);
  assert_near(c.speedup, 20.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(amdahl_law),
      cmocka_unit_test(io_ideal),
      cmocka_unit_test(serial_fraction),
      cmocka_unit_test(fastest_within_tie_lightest),
      cmocka_unit_test(wider_tie_lighter_model),
      cmocka_unit_test(zero_tie_fastest),
      cmocka_unit_test(failed_cell_never_chosen),
      cmocka_unit_test(tie_goes_to_lighter),
      cmocka_unit_test(tie_breakers),
      cmocka_unit_test(seq_can_win),
      cmocka_unit_test(only_seq_ok),
      cmocka_unit_test(no_baseline_no_choice),
      cmocka_unit_test(other_workloads_ignored),
  };
  return cmocka_run_group_tests_name("10-choose-model", tests, NULL, NULL);
}
