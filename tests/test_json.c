/*
 * test_json.c - the flat-JSON writer (jw_*, base_json_string) and reader
 * (base_json_num_of, base_json_str_of).
 *
 * Both go through cJSON; these tests pin what conclab relies on.
 * Writer: the exact bytes of a small object and of an empty one (one
 * line, cJSON's compact layout, numbers as %.6f, inf and nan as null);
 * escaping of quotes, backslashes and control characters in both keys and
 * values.  Reader: a present key, an absent key (-1), a key that is a
 * suffix or a prefix of another key, a key that only appears as a string
 * value, a value of the wrong type (-1), an escaped quote and backslash
 * inside a string, truncation into a small buffer (never past its end),
 * an unterminated string, text that is not one whole object (-1), and
 * reading back what the writer wrote.
 *
 * Output goes to open_memstream, so each test sees exactly what was
 * written as one string.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A memory stream: open it, write to `f`, close it, read `text`. */
typedef struct memout {
  FILE *f;
  char *text;
  size_t len;
} memout;

static void mem_open(memout *m) {
  m->text = NULL;
  m->len = 0;
  m->f = open_memstream(&m->text, &m->len);
  assert_non_null(m->f);
}

/* Closes the stream and returns the text (owned by m; free with mem_free). */
static const char *mem_close(memout *m) {
  assert_int_equal(fclose(m->f), 0);
  m->f = NULL;
  assert_non_null(m->text);
  return m->text;
}

static void mem_free(memout *m) { free(m->text); }

/* base_json_string(s), as a string. */
static char *quoted(const char *s) {
  memout m;
  mem_open(&m);
  base_json_string(m.f, s);
  mem_close(&m);
  return m.text;
}

/* ---- writing ------------------------------------------------------------ */

static void writer_small_object(void **state) {
  (void)state;
  memout m;
  base_json_writer w;

  mem_open(&m);
  base_json_begin(&w, m.f);
  base_json_str(&w, "workload", "sleep");
  base_json_int(&w, "tasks", 10);
  base_json_int(&w, "delta", -3);
  base_json_num(&w, "wall_s", 0.5);
  base_json_str(&w, "variant", "");
  base_json_end(&w);
  assert_string_equal(mem_close(&m),
                      "{\"workload\":\"sleep\",\"tasks\":10,"
                      "\"delta\":-3,\"wall_s\":0.500000,"
                      "\"variant\":\"\"}\n");
  mem_free(&m);
}

static void writer_empty_object(void **state) {
  (void)state;
  memout m;
  base_json_writer w;

  mem_open(&m);
  base_json_begin(&w, m.f);
  base_json_end(&w);
  assert_string_equal(mem_close(&m), "{}\n");
  mem_free(&m);
}

static void writer_big_int(void **state) {
  (void)state;
  memout m;
  base_json_writer w;

  mem_open(&m);
  base_json_begin(&w, m.f);
  base_json_int(&w, "limit", 1000000000000LL); /* more than an int holds */
  base_json_end(&w);
  assert_string_equal(mem_close(&m), "{\"limit\":1000000000000}\n");
  mem_free(&m);
}

static void escape_quotes_and_backslashes(void **state) {
  (void)state;
  char *s;

  s = quoted("plain");
  assert_string_equal(s, "\"plain\"");
  free(s);
  s = quoted("");
  assert_string_equal(s, "\"\"");
  free(s);
  s = quoted("say \"hi\"");
  assert_string_equal(s, "\"say \\\"hi\\\"\"");
  free(s);
  s = quoted("C:\\dir\\");
  assert_string_equal(s, "\"C:\\\\dir\\\\\"");
  free(s);
}

static void escape_control_characters(void **state) {
  (void)state;
  char *s;

  /* every byte below 0x20 is escaped: newline and tab by name, the
   * others as \u00XX */
  s = quoted("a\nb\tc\x01" "d\x1f");
  assert_string_equal(s, "\"a\\nb\\tc\\u0001d\\u001f\"");
  free(s);
  /* 0x20 and up, UTF-8 included, pass through unchanged */
  s = quoted(" ~\x7f\xc3\xa9");
  assert_string_equal(s, "\" ~\x7f\xc3\xa9\"");
  free(s);
}

static void writer_escapes_keys_and_values(void **state) {
  (void)state;
  memout m;
  base_json_writer w;

  mem_open(&m);
  base_json_begin(&w, m.f);
  base_json_str(&w, "a\"b", "line1\nline2");
  base_json_end(&w);
  assert_string_equal(mem_close(&m),
                      "{\"a\\\"b\":\"line1\\nline2\"}\n");
  mem_free(&m);
}

/* ---- reading ------------------------------------------------------------ */

static const char *const run_json =
    "{\"workload\": \"primes\", \"model\": \"threaded\", \"variant\": \"\", "
    "\"tasks\": 64, \"ok_tasks\": 63, \"wall_s\": 1.250000, "
    "\"delta\": -2.5e-3, \"checksum\": \"0123456789abcdef\"}";

static void read_present_keys(void **state) {
  (void)state;
  double v = 0;
  char s[32];

  assert_int_equal(base_json_num_of(run_json, "wall_s", &v), 0);
  assert_near(v, 1.25);
  assert_int_equal(base_json_num_of(run_json, "delta", &v), 0);
  assert_near(v, -0.0025);
  assert_int_equal(base_json_str_of(run_json, "model", s, sizeof s), 0);
  assert_string_equal(s, "threaded");
  assert_int_equal(base_json_str_of(run_json, "checksum", s, sizeof s), 0);
  assert_string_equal(s, "0123456789abcdef");
  assert_int_equal(base_json_str_of(run_json, "variant", s, sizeof s), 0);
  assert_string_equal(s, "");
}

static void read_absent_key(void **state) {
  (void)state;
  double v = 0;
  char s[32];

  assert_int_equal(base_json_num_of(run_json, "user_s", &v), -1);
  assert_int_equal(base_json_str_of(run_json, "error", s, sizeof s), -1);
  assert_int_equal(base_json_num_of("{}", "tasks", &v), -1);
  assert_int_equal(base_json_num_of("", "tasks", &v), -1);
}

/* "tasks" must find "tasks", not the "tasks" at the end of "ok_tasks"
 * (which comes first in one object and last in the other), and "task"
 * must not match "tasks". */
static void read_key_that_is_a_suffix_or_prefix(void **state) {
  (void)state;
  double v = 0;

  assert_int_equal(
      base_json_num_of("{\"ok_tasks\": 63, \"tasks\": 64}", "tasks", &v), 0);
  assert_near(v, 64);
  assert_int_equal(
      base_json_num_of("{\"tasks\": 64, \"ok_tasks\": 63}", "tasks", &v), 0);
  assert_near(v, 64);
  assert_int_equal(base_json_num_of("{\"ok_tasks\": 63}", "tasks", &v), -1);
  assert_int_equal(base_json_num_of("{\"tasks\": 64}", "task", &v), -1);
  assert_int_equal(base_json_num_of("{\"tasks\": 64}", "asks", &v), -1);
}

/* A string value that reads like the key is not the key. */
static void read_key_that_is_also_a_value(void **state) {
  (void)state;
  double v = 0;

  assert_int_equal(
      base_json_num_of("{\"name\": \"tasks\", \"tasks\": 4}", "tasks", &v), 0);
  assert_near(v, 4);
  assert_int_equal(base_json_num_of("{\"name\": \"tasks\"}", "tasks", &v), -1);
}

static void read_wrong_type(void **state) {
  (void)state;
  double v = 0;
  char s[32];

  assert_int_equal(base_json_num_of(run_json, "model", &v), -1); /* a string */
  assert_int_equal(base_json_num_of("{\"n\": \"12\"}", "n", &v),
                   -1); /* quoted */
  assert_int_equal(base_json_num_of("{\"n\": true}", "n", &v), -1);
  assert_int_equal(base_json_str_of(run_json, "tasks", s, sizeof s),
                   -1); /* a number */
}

static void read_escaped_quote_and_backslash(void **state) {
  (void)state;
  /* the JSON text: {"msg": "say \"hi\" \\ ok", "n": 2} */
  const char *json = "{\"msg\": \"say \\\"hi\\\" \\\\ ok\", \"n\": 2}";
  char s[32];
  double v = 0;

  assert_int_equal(base_json_str_of(json, "msg", s, sizeof s), 0);
  assert_string_equal(s, "say \"hi\" \\ ok");
  /* the escaped quotes did not end the string early: "n" is still found */
  assert_int_equal(base_json_num_of(json, "n", &v), 0);
  assert_near(v, 2);

  /* a value ending in a backslash: \\ then the closing quote */
  json = "{\"dir\": \"C:\\\\\", \"n\": 3}"; /* {"dir": "C:\\", "n": 3} */
  assert_int_equal(base_json_str_of(json, "dir", s, sizeof s), 0);
  assert_string_equal(s, "C:\\");
  assert_int_equal(base_json_num_of(json, "n", &v), 0);
  assert_near(v, 3);
}

/* A quoted key hidden inside a string value (escaped quotes and all) is
 * not taken for a key. */
static void read_key_inside_a_string_value(void **state) {
  (void)state;
  const char *json = "{\"msg\": \"x\\\"n\\\": 5\", \"n\": 7}";
  double v = 0;

  assert_int_equal(base_json_num_of(json, "n", &v), 0);
  assert_near(v, 7);
}

static void read_spaces_around_colon(void **state) {
  (void)state;
  double v = 0;
  char s[8];

  assert_int_equal(base_json_num_of("{\"n\"  :   9}", "n", &v), 0);
  assert_near(v, 9);
  assert_int_equal(base_json_str_of("{\"s\":\"x\"}", "s", s, sizeof s), 0);
  assert_string_equal(s, "x");
}

/* A value longer than the buffer: cut to cap - 1 bytes, terminated, and
 * nothing written past the end of the buffer. */
static void read_truncates_into_small_buffer(void **state) {
  (void)state;
  char buf[16];

  memset(buf, 'X', sizeof buf);
  assert_int_equal(base_json_str_of(run_json, "checksum", buf, 8), 0);
  assert_string_equal(buf, "0123456");
  for (size_t i = 8; i < sizeof buf; i++)
    assert_int_equal(buf[i], 'X');

  memset(buf, 'X', sizeof buf);
  assert_int_equal(base_json_str_of(run_json, "checksum", buf, 1), 0);
  assert_string_equal(buf, "");
  assert_int_equal(buf[1], 'X');

  assert_int_equal(base_json_str_of(run_json, "checksum", buf, 0), -1);
}

static void read_unterminated_string(void **state) {
  (void)state;
  char s[32];

  assert_int_equal(base_json_str_of("{\"s\": \"abc", "s", s, sizeof s), -1);
  assert_int_equal(base_json_str_of("{\"s\": \"abc\\", "s", s, sizeof s), -1);
}

/* The text must be one JSON object and nothing else (white space after it
 * is fine: the line's newline); keys are looked up at its top level only;
 * \u escapes are decoded. */
static void read_only_one_whole_object(void **state) {
  (void)state;
  double v = 0;
  char s[16];

  assert_int_equal(base_json_num_of("{\"n\": 1}\n", "n", &v), 0);
  assert_near(v, 1);
  assert_int_equal(base_json_num_of("[{\"n\": 1}]", "n", &v), -1);
  assert_int_equal(base_json_num_of("{\"n\": 1} x", "n", &v), -1);
  assert_int_equal(base_json_num_of("{\"n\": 1},", "n", &v),
                   -1); /* a trace line */
  assert_int_equal(base_json_num_of("{\"n\": 1, }", "n", &v), -1);
  assert_int_equal(base_json_num_of("{\"a\": {\"n\": 1}}", "n", &v),
                   -1); /* nested */
  assert_int_equal(base_json_num_of("{\"n\": null}", "n", &v), -1);
  assert_int_equal(
      base_json_str_of("{\"s\": \"caf\\u00e9\"}", "s", s, sizeof s), 0);
  assert_string_equal(s, "caf\xc3\xa9");
}

/* JSON has no inf or nan: the writer gives null, which reads as absent. */
static void writer_not_finite_is_null(void **state) {
  (void)state;
  memout m;
  base_json_writer w;
  double v = 0;

  mem_open(&m);
  base_json_begin(&w, m.f);
  base_json_num(&w, "inf", 1.0 / 0.0);
  base_json_num(&w, "nan", 0.0 / 0.0);
  base_json_end(&w);
  assert_string_equal(mem_close(&m), "{\"inf\":null,\"nan\":null}\n");
  assert_int_equal(base_json_num_of(m.text, "inf", &v), -1);
  mem_free(&m);
}

/* What the writer writes, the reader reads back. */
static void round_trip(void **state) {
  (void)state;
  memout m;
  base_json_writer w;
  const char *text;
  char s[64];
  double v = 0;

  mem_open(&m);
  base_json_begin(&w, m.f);
  base_json_str(&w, "path", "C:\\x \"y\"");
  base_json_int(&w, "ok", 16);
  base_json_int(&w, "failed", 0);
  base_json_num(&w, "wall_s", 0.123456);
  base_json_end(&w);
  text = mem_close(&m);

  assert_int_equal(base_json_str_of(text, "path", s, sizeof s), 0);
  assert_string_equal(s, "C:\\x \"y\"");
  assert_int_equal(base_json_num_of(text, "ok", &v), 0);
  assert_near(v, 16);
  assert_int_equal(base_json_num_of(text, "failed", &v), 0);
  assert_near(v, 0);
  assert_int_equal(base_json_num_of(text, "wall_s", &v), 0);
  assert_near(v, 0.123456);
  mem_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(writer_small_object),
      cmocka_unit_test(writer_empty_object),
      cmocka_unit_test(writer_big_int),
      cmocka_unit_test(escape_quotes_and_backslashes),
      cmocka_unit_test(escape_control_characters),
      cmocka_unit_test(writer_escapes_keys_and_values),
      cmocka_unit_test(read_present_keys),
      cmocka_unit_test(read_absent_key),
      cmocka_unit_test(read_key_that_is_a_suffix_or_prefix),
      cmocka_unit_test(read_key_that_is_also_a_value),
      cmocka_unit_test(read_wrong_type),
      cmocka_unit_test(read_escaped_quote_and_backslash),
      cmocka_unit_test(read_key_inside_a_string_value),
      cmocka_unit_test(read_spaces_around_colon),
      cmocka_unit_test(read_truncates_into_small_buffer),
      cmocka_unit_test(read_unterminated_string),
      cmocka_unit_test(read_only_one_whole_object),
      cmocka_unit_test(writer_not_finite_is_null),
      cmocka_unit_test(round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
