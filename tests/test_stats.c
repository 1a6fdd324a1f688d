/*
 * test_stats.c - base_median and base_summarise on data whose answers we know.
 *
 * Checks: the median of odd and even n (the mean of the middle two), of a
 * single value and of negative values; that the input array is left as it
 * was (the functions sort a copy); the MAD on a set worked out by hand;
 * min and max; and that n is reported back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"

#include <math.h>
#include <string.h>

#include "stats.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* base_summarise's result, field by field. */
static void assert_summary(base_summary s, int n, double median, double mad,
                           double min, double max) {
  assert_int_equal(s.n, n);
  assert_near(s.median, median);
  assert_near(s.mad, mad);
  assert_near(s.min, min);
  assert_near(s.max, max);
}

static void median_odd_n(void **state) {
  (void)state;
  const double v[] = {5, 1, 3};
  assert_near(base_median(v, N(v)), 3.0);
}

static void median_even_n_is_mean_of_middle_two(void **state) {
  (void)state;
  const double v[] = {4, 1, 3, 2};        /* sorted: 1 2 3 4 */
  assert_near(base_median(v, N(v)), 2.5);
}

static void median_single_value(void **state) {
  (void)state;
  const double v[] = {42.5};
  assert_near(base_median(v, 1), 42.5);
}

static void median_negative_values(void **state) {
  (void)state;
  const double odd[] = {-1, -10, -5, 3, -7}; /* sorted: -10 -7 -5 -1 3 */
  const double even[] = {-2, -8, 4, -4};     /* sorted: -8 -4 -2 4 */
  assert_near(base_median(odd, N(odd)), -5.0);
  assert_near(base_median(even, N(even)), -3.0);
}

static void median_with_duplicates(void **state) {
  (void)state;
  const double v[] = {7, 7, 1, 7, 1};        /* sorted: 1 1 7 7 7 */
  assert_near(base_median(v, N(v)), 7.0);
}

static void input_is_not_modified(void **state) {
  (void)state;
  double v[] = {9, 2, 6, 1, 4, 1, 2};
  double copy[N(v)];
  memcpy(copy, v, sizeof v);

  (void)base_median(v, N(v));
  assert_memory_equal(v, copy, sizeof v);
  (void)base_summarise(v, N(v));
  assert_memory_equal(v, copy, sizeof v);
}

/* {1,1,2,2,4,6,9}: median 2; |x - 2| = {1,1,0,0,2,4,7}, whose median
 * (sorted 0 0 1 1 2 4 7) is 1. */
static void summarise_known_set(void **state) {
  (void)state;
  const double v[] = {6, 1, 9, 2, 1, 4, 2}; /* the set, shuffled */
  assert_summary(base_summarise(v, N(v)), 7, 2.0, 1.0, 1.0,
                 9.0);
}

/* Even n: median (2 + 4) / 2 = 3; deviations {2,1,1,5} -> sorted 1 1 2 5
 * -> MAD (1 + 2) / 2 = 1.5. */
static void summarise_even_n(void **state) {
  (void)state;
  const double v[] = {4, 1, 8, 2};
  assert_summary(base_summarise(v, N(v)), 4, 3.0, 1.5, 1.0,
                 8.0);
}

static void summarise_single_value(void **state) {
  (void)state;
  const double v[] = {0.25};
  assert_summary(base_summarise(v, 1), 1, 0.25, 0.0, 0.25,
                 0.25);
}

/* min/max must not start from 0: with all values negative, a max that
 * started at 0 would wrongly stay 0. */
static void summarise_negative_values(void **state) {
  (void)state;
  const double v[] = {-3, -1, -7, -2, -5}; /* sorted: -7 -5 -3 -2 -1 */
  base_summary s = base_summarise(v, N(v));

  /* deviations from -3: {0,2,4,1,2} -> sorted 0 1 2 2 4 -> MAD 2 */
  assert_near(s.median, -3.0);
  assert_near(s.mad, 2.0);
  assert_near(s.min, -7.0);
  assert_near(s.max, -1.0);
}

/* One outlier moves the mean a lot, the median and MAD hardly at all:
 * the reason the suite quotes them. */
static void summarise_is_robust_to_an_outlier(void **state) {
  (void)state;
  const double v[] = {1.0, 1.1, 0.9, 1.0, 100.0};
  base_summary s = base_summarise(v, N(v));

  assert_near(s.median, 1.0);
  assert_near(s.mad, 0.1);
  assert_near(s.max, 100.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(median_odd_n),
      cmocka_unit_test(median_even_n_is_mean_of_middle_two),
      cmocka_unit_test(median_single_value),
      cmocka_unit_test(median_negative_values),
      cmocka_unit_test(median_with_duplicates),
      cmocka_unit_test(input_is_not_modified),
      cmocka_unit_test(summarise_known_set),
      cmocka_unit_test(summarise_even_n),
      cmocka_unit_test(summarise_single_value),
      cmocka_unit_test(summarise_negative_values),
      cmocka_unit_test(summarise_is_robust_to_an_outlier),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
