/*
 * test_hist.c - the latency histogram on data whose percentiles we know.
 *
 * Checks: 1..10,000 (uniform: p50 near 5,000, p99 near 9,900, within the
 * bucket error), a spike (99 fast values and one slow: p99 fast, p99.9
 * and max slow), one value (every percentile is it), empty (all zero);
 * merge equals recording both sets into one; and the error bound: every
 * value from 0 to 2^63 (a dense stretch plus every power of two and its
 * neighbours) is reported back within 1/2^WL_HIST_SUB_BITS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"

#include <stdlib.h>

#include "hist.h"

/* |got - want| <= want / 2^SUB_BITS, said when not. */
static void assert_within(uint64_t got, uint64_t want) {
  double err = got > want ? (double)(got - want) : (double)(want - got);
  if (err > (double)want / WL_HIST_SUB) {
    print_error("got %llu for %llu: beyond the bound\n",
                (unsigned long long)got, (unsigned long long)want);
    fail();
  }
}

static wl_hist *new_hist(void) {
  wl_hist *h = malloc(sizeof *h);
  assert_non_null(h);
  wl_hist_init(h);
  return h;
}

static void uniform(void **state) {
  (void)state;
  wl_hist *h = new_hist();
  for (uint64_t v = 10000; v >= 1; v--) /* order does not matter */
    wl_hist_record(h, v);
  assert_int_equal(wl_hist_count(h), 10000);
  assert_within(wl_hist_percentile(h, 50), 5000);
  assert_within(wl_hist_percentile(h, 99), 9900);
  assert_within(wl_hist_percentile(h, 99.9), 9990);
  assert_int_equal(wl_hist_percentile(h, 0), 1);
  assert_int_equal(wl_hist_percentile(h, 100), 10000);
  assert_int_equal(wl_hist_max(h), 10000);
  assert_near(wl_hist_mean(h), 5000.5);
  free(h);
}

static void spike(void **state) {
  (void)state;
  wl_hist *h = new_hist();
  for (int i = 0; i < 999; i++)
    wl_hist_record(h, 1000000); /* 1 ms */
  wl_hist_record(h, 250000000); /* one of 250 ms */
  assert_within(wl_hist_percentile(h, 50), 1000000);
  assert_within(wl_hist_percentile(h, 99), 1000000);
  assert_within(wl_hist_percentile(h, 99.9), 1000000); /* rank 999 */
  assert_within(wl_hist_percentile(h, 99.95), 250000000);
  assert_int_equal(wl_hist_max(h), 250000000);
  assert_near(wl_hist_mean(h), (999 * 1e6 + 250e6) / 1000);
  free(h);
}

static void one_value(void **state) {
  (void)state;
  wl_hist *h = new_hist();
  wl_hist_record(h, 123456789);
  /* clamped to what was recorded: exact, not the bucket's middle */
  assert_int_equal(wl_hist_percentile(h, 0), 123456789);
  assert_int_equal(wl_hist_percentile(h, 50), 123456789);
  assert_int_equal(wl_hist_percentile(h, 99.9), 123456789);
  assert_int_equal(wl_hist_max(h), 123456789);
  free(h);
}

static void empty(void **state) {
  (void)state;
  wl_hist *h = new_hist();
  assert_int_equal(wl_hist_count(h), 0);
  assert_int_equal(wl_hist_percentile(h, 50), 0);
  assert_int_equal(wl_hist_percentile(h, 99), 0);
  assert_int_equal(wl_hist_max(h), 0);
  assert_near(wl_hist_mean(h), 0);
  free(h);
}

static void merge_is_recording_both(void **state) {
  (void)state;
  wl_hist *a = new_hist(), *b = new_hist(), *both = new_hist();
  for (uint64_t v = 1; v <= 3000; v++) {
    wl_hist_record(v % 3 ? a : b, v * 977);
    wl_hist_record(both, v * 977);
  }
  wl_hist_merge(a, b);
  assert_int_equal(wl_hist_count(a), 3000);
  assert_int_equal(wl_hist_max(a), wl_hist_max(both));
  assert_near(wl_hist_mean(a), wl_hist_mean(both));
  for (double p = 0; p <= 100; p += 0.5)
    assert_int_equal(wl_hist_percentile(a, p), wl_hist_percentile(both, p));
  wl_hist_merge(a, b); /* b again: its counts add again */
  assert_int_equal(wl_hist_count(a), 4000);
  free(a);
  free(b);
  free(both);
}

/* A bucket's value stands for every value in it within the bound. */
static void check_value(uint64_t v) {
  unsigned i = wl_hist_index(v);
  assert_true(i < WL_HIST_BUCKETS);
  assert_within(wl_hist_value_at(i), v);
}

static void error_bound_over_the_range(void **state) {
  (void)state;
  for (uint64_t v = 0; v < 1u << 20; v++) /* exact, then row by row */
    check_value(v);
  for (int k = 1; k < 64; k++) {
    uint64_t p = 1ull << k;
    check_value(p - 1);
    check_value(p);
    check_value(p + 1);
    check_value(p + p / 3);
  }
  check_value(UINT64_MAX);
  /* and through the percentile: one value each, reported within it */
  wl_hist *h = new_hist();
  for (uint64_t v = 3; v < (1ull << 62); v = v * 3 + 1) {
    wl_hist_init(h);
    wl_hist_record(h, v);
    wl_hist_record(h, v + v / 1000); /* two values, 0.1% apart */
    assert_within(wl_hist_percentile(h, 50), v);
  }
  free(h);
}

/* Buckets grow with the values: a larger value never lands in a lower
 * bucket, so the percentiles are monotonic. */
static void index_is_monotonic(void **state) {
  (void)state;
  unsigned last = 0;
  for (uint64_t v = 0; v < 1u << 22; v++) {
    unsigned i = wl_hist_index(v);
    assert_true(i >= last);
    assert_true(i <= last + 1);
    last = i;
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(uniform),
      cmocka_unit_test(spike),
      cmocka_unit_test(one_value),
      cmocka_unit_test(empty),
      cmocka_unit_test(merge_is_recording_both),
      cmocka_unit_test(error_bound_over_the_range),
      cmocka_unit_test(index_is_monotonic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
