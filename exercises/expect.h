/*
 * expect.h - the exercises' checks, worded for a student.
 *
 * cmocka's assert_int_equal prints "0 != 0xffffffffffffffff" for a -1,
 * and does not say what was compared.  These print the quantity's name
 * and both values in decimal:
 *
 *   expect_eq_int("most in flight", got, 3)  ->  most in flight: got 5, want 3
 *   expect_int(s.in_flight, 0)               ->  s.in_flight: got -1, want 0
 *   expect_le_int("stack depth (bytes)", d, 65536)
 *                  ->  stack depth (bytes): got 91232, want at most 65536
 *   expect_eq_int_at("start order", i, order[i], i)
 *                                            ->  start order [4]: got 7, want 4
 *
 * Each evaluates its arguments once, then fails the test (with the file and
 * line, as cmocka's asserts do) when the relation does not hold.  Values
 * are compared as intmax_t.  Include after cmocka.h.
 */
#ifndef CONCLAB_EXERCISES_EXPECT_H
#define CONCLAB_EXERCISES_EXPECT_H

#include <stdint.h>

/* Print the failure: "what [index]: got G, want WORDING W".  index < 0:
 * no index.  Returns ok, so the macro below can fail() at its caller. */
static inline int expect_report_(int ok, const char *what, long index,
                                 intmax_t got, const char *wording,
                                 intmax_t want) {
  if (ok)
    return 1;
  if (index >= 0)
    print_error("%s [%ld]: got %jd, want %s%jd\n", what, index, got,
                wording, want);
  else
    print_error("%s: got %jd, want %s%jd\n", what, got, wording, want);
  return 0;
}

#define expect_cmp_(what, index, got, op, wording, want)                    \
  do {                                                                      \
    intmax_t got_ = (intmax_t)(got), want_ = (intmax_t)(want);              \
    if (!expect_report_(got_ op want_, (what), (long)(index), got_,         \
                        (wording), want_))                                  \
      fail();                                                               \
  } while (0)

/* got == want, got <= most, got >= least, got < bound. */
#define expect_eq_int(what, got, want) expect_cmp_(what, -1, got, ==, "", want)
#define expect_le_int(what, got, most)                                      \
  expect_cmp_(what, -1, got, <=, "at most ", most)
#define expect_ge_int(what, got, least)                                     \
  expect_cmp_(what, -1, got, >=, "at least ", least)
#define expect_lt_int(what, got, bound)                                     \
  expect_cmp_(what, -1, got, <, "less than ", bound)

/* The same, for element i of a list: the name says which one. */
#define expect_eq_int_at(what, i, got, want)                                \
  expect_cmp_(what, i, got, ==, "", want)

/* Unsigned, for values past INTMAX_MAX (64-bit hashes, say). */
#define expect_eq_uint_at(what, i, got, want)                               \
  do {                                                                      \
    uintmax_t got_ = (uintmax_t)(got), want_ = (uintmax_t)(want);           \
    if (got_ != want_) {                                                    \
      print_error("%s [%ld]: got %ju, want %ju\n", (what), (long)(i),     \
                  got_, want_);                                             \
      fail();                                                               \
    }                                                                       \
  } while (0)

/* Named by its own expression:
 * expect_int(r.len, 5)  ->  r.len: got 4, want 5 */
#define expect_int(got, want) expect_eq_int(#got, got, want)

#endif
