/*
 * test_args.c - run_parse, the options of `conclab run`, and run_variant.
 *
 * Good command lines: the defaults of each workload (sleep: 10 tasks,
 * C = N, 100 ms; primes: 64 chunks, C = cores, below 2,000,000; seq always
 * runs with C = 1), "--flag value" and "--flag=value" giving the same
 * result, the largest and smallest values allowed, --offload, --json, and
 * -h / --help.
 *
 * Bad command lines, one table row each: every one must return
 * RUN_PARSE_USAGE, with one line of error text that names the flag (or the
 * missing/unknown word) and, for numbers, the allowed range.
 *
 * Command lines are written as one string and split on spaces, so a row
 * reads like what a user would type.
 *
 * And every suite cell's command line, in every profile, is one that
 * run_parse accepts: a flag that a workload's rows do not set is said at
 * its default, not as 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base.h"
#include "run.h"
#include "suite.h"

/* `conclab` exits with RUN_PARSE_USAGE on bad usage: it must stay 2. */
_Static_assert(RUN_PARSE_USAGE == 2, "bad usage is exit status 2");

/* Split `line` on spaces into argv and parse it.  err is always a string
 * afterwards (empty if the parser wrote nothing). */
static int parse(const char *line, run_opts *o, char *err, size_t errlen) {
  /* static: the options may point into argv (--url), as into main's */
  static char buf[512];
  char *argv[32], *tok;
  int argc = 0;

  assert_true(strlen(line) < sizeof buf);
  strcpy(buf, line);
  for (tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " ")) {
    assert_true(argc < 31);
    argv[argc++] = tok;
  }
  argv[argc] = NULL;
  err[0] = '\0';
  return run_parse(argc, argv, o, err, errlen);
}

/* Parse a line that must be accepted. */
static run_opts parse_ok(const char *line) {
  run_opts o;
  char err[256];
  int rc = parse(line, &o, err, sizeof err);
  if (rc != RUN_PARSE_OK) {
    print_error("'%s' was refused (rc %d): %s\n", line, rc, err);
    fail();
  }
  return o;
}

/* ---- good command lines: defaults ---------------------------------------- */

static void sleep_defaults(void **state) {
  (void)state;
  run_opts o = parse_ok("run sleep");

  assert_ptr_equal(o.wl, &wl_sleep);
  assert_int_equal(o.model, RUN_SEQ);
  assert_int_equal(o.params.tasks, 10);
  assert_int_equal(o.params.concurrency, 1); /* seq: one at a time */
  assert_int_equal(o.params.delay_ms, 100);
  assert_int_equal(o.params.delay_spread_ms, 0);
  assert_int_equal(o.offload, 0);
  assert_int_equal(o.json, 0);
}

static void sleep_defaults_concurrency_is_tasks(void **state) {
  (void)state;
  run_opts o = parse_ok("run sleep --model async");
  assert_int_equal(o.model, RUN_ASYNC);
  assert_int_equal(o.params.tasks, 10);
  assert_int_equal(o.params.concurrency, 10);

  o = parse_ok("run sleep --model threaded --tasks 25");
  assert_int_equal(o.model, RUN_THREADED);
  assert_int_equal(o.params.concurrency, 25);

  o = parse_ok("run sleep --model multiproc --tasks 7");
  assert_int_equal(o.model, RUN_MULTIPROC);
  assert_int_equal(o.params.concurrency, 7);
}

static void primes_defaults(void **state) {
  (void)state;
  run_opts o = parse_ok("run primes --model threaded");

  assert_ptr_equal(o.wl, &wl_primes);
  assert_int_equal(o.model, RUN_THREADED);
  assert_int_equal(o.params.tasks, 64);
  assert_int_equal(o.params.concurrency, base_cores());
  assert_int_equal(o.params.limit, 2000000);

  o = parse_ok("run primes");
  assert_int_equal(o.model, RUN_SEQ);
  assert_int_equal(o.params.tasks, 64);
  assert_int_equal(o.params.concurrency, 1);
  assert_int_equal(o.params.limit, 2000000);
}

/* seq ignores --concurrency: it runs one task at a time whatever is asked. */
static void seq_forces_concurrency_one(void **state) {
  (void)state;
  run_opts o = parse_ok("run sleep --tasks 50 --concurrency 8");
  assert_int_equal(o.model, RUN_SEQ);
  assert_int_equal(o.params.concurrency, 1);
}

/* ---- good command lines: forms and flags --------------------------------- */

static void space_and_equals_forms_agree(void **state) {
  (void)state;
  run_opts a = parse_ok("run sleep --model threaded --tasks 20 "
                           "--concurrency 5 --delay-ms 7 --delay-spread 3");
  run_opts b = parse_ok("run sleep --model=threaded --tasks=20 "
                           "--concurrency=5 --delay-ms=7 --delay-spread=3");

  assert_int_equal(a.model, RUN_THREADED);
  assert_int_equal(a.params.tasks, 20);
  assert_int_equal(a.params.concurrency, 5);
  assert_int_equal(a.params.delay_ms, 7);
  assert_int_equal(a.params.delay_spread_ms, 3);
  assert_ptr_equal(b.wl, a.wl);
  assert_int_equal(b.model, a.model);
  assert_int_equal(b.params.tasks, a.params.tasks);
  assert_int_equal(b.params.concurrency, a.params.concurrency);
  assert_int_equal(b.params.delay_ms, a.params.delay_ms);
  assert_int_equal(b.params.delay_spread_ms, a.params.delay_spread_ms);

  a = parse_ok("run primes --limit 5000 --tasks 8");
  b = parse_ok("run primes --limit=5000 --tasks=8");
  assert_int_equal(a.params.limit, 5000);
  assert_int_equal(a.params.tasks, 8);
  assert_int_equal(b.params.limit, 5000);
  assert_int_equal(b.params.tasks, 8);
}

/* The workload may come after the options. */
static void workload_after_options(void **state) {
  (void)state;
  run_opts o = parse_ok("run --model async --tasks=3 sleep");
  assert_ptr_equal(o.wl, &wl_sleep);
  assert_int_equal(o.model, RUN_ASYNC);
  assert_int_equal(o.params.tasks, 3);
}

static void limits_are_inclusive(void **state) {
  (void)state;
  run_opts o = parse_ok("run sleep --model async --tasks 1000000");
  assert_int_equal(o.params.tasks, RUN_MAX_TASKS);
  assert_int_equal(o.params.concurrency, RUN_MAX_C_ASYNC);

  o = parse_ok("run sleep --model threaded --tasks 1 --concurrency 20000");
  assert_int_equal(o.params.tasks, 1);
  assert_int_equal(o.params.concurrency, RUN_MAX_C_THREADED);

  o = parse_ok("run sleep --model multiproc --tasks 3000 --concurrency 2000");
  assert_int_equal(o.params.concurrency, RUN_MAX_C_MULTIPROC);

  o = parse_ok("run sleep --delay-ms 0 --delay-spread 60000");
  assert_int_equal(o.params.delay_ms, 0);
  assert_int_equal(o.params.delay_spread_ms, RUN_MAX_DELAY_MS);

  o = parse_ok("run sleep --delay-ms 60000");
  assert_int_equal(o.params.delay_ms, RUN_MAX_DELAY_MS);

  o = parse_ok("run primes --tasks 2 --limit 2");
  assert_int_equal(o.params.limit, 2);

  o = parse_ok("run primes --tasks 50 --limit 50"); /* N == M is fine */
  assert_int_equal(o.params.tasks, 50);

  o = parse_ok("run primes --limit 1000000000");
  assert_int_equal(o.params.limit, RUN_MAX_LIMIT);
}

static void offload_and_variant(void **state) {
  (void)state;
  run_opts o = parse_ok("run primes --model async --offload");
  assert_int_equal(o.offload, 1);
  assert_string_equal(run_variant(&o), "offload");

  o = parse_ok("run primes --model async");
  assert_int_equal(o.offload, 0);
  assert_string_equal(run_variant(&o), "in-loop");

  /* variants exist only for async with CPU work */
  o = parse_ok("run sleep --model async");
  assert_string_equal(run_variant(&o), "");
  o = parse_ok("run primes --model threaded");
  assert_string_equal(run_variant(&o), "");
  o = parse_ok("run primes");
  assert_string_equal(run_variant(&o), "");
}

static void json_flag(void **state) {
  (void)state;
  run_opts o = parse_ok("run sleep --json");
  assert_int_equal(o.json, 1);
  o = parse_ok("run --json primes --model multiproc");
  assert_int_equal(o.json, 1);
  assert_int_equal(o.model, RUN_MULTIPROC);
}

static void help(void **state) {
  (void)state;
  static const char *const lines[] = {
      "run -h", "run --help", "run sleep --help", "run sleep --tasks 5 -h",
  };
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    run_opts o;
    char err[256];
    int rc = parse(lines[i], &o, err, sizeof err);
    if (rc != RUN_PARSE_HELP) {
      print_error("'%s': rc %d, expected RUN_PARSE_HELP\n", lines[i], rc);
      fail();
    }
  }
}

/* ---- bad command lines --------------------------------------------------- */

/* A bad command line and the words its error must contain. */
typedef struct bad_case {
  const char *line;
  const char *must[3]; /* up to 3 substrings; NULL ends the list */
} bad_case;

static const bad_case bad_cases[] = {
    /* the workload */
    {"run", {"WORKLOAD", "sleep, primes, http, files, pipeline"}},
    {"run --model async", {"WORKLOAD", "sleep, primes, http"}},
    {"run fetch", {"'fetch'", "sleep, primes, http, files, pipeline"}},
    /* pipeline's flags */
    {"run pipeline --rounds -1", {"--rounds", "0..100000"}},
    {"run pipeline --rounds 100001", {"--rounds", "out of range"}},
    {"run pipeline --rounds x", {"--rounds", "not a whole number"}},
    {"run sleep --rounds 3", {"--rounds", "only to pipeline"}},
    {"run pipeline --fsync", {"--fsync", "only to files"}},
    {"run pipeline --endpoint delay", {"--endpoint", "only to http"}},
    {"run pipeline --threadpool 4", {"--threadpool", "--model async"}},
    {"run pipeline --url ftp://x", {"--url", "not a base URL"}},
    {"run pipeline --dir=", {"--dir", "not a usable directory"}},
    {"run pipeline --model threaded --offload", {"--offload", "pipeline"}},
    {"run primes --dir /tmp", {"--dir", "files and pipeline"}},
    {"run sleep primes", {"'primes'", "one workload"}},
    {"run sleep --tasks 5 10", {"'10'", "one workload"}},
    /* the model */
    {"run sleep --model fibers", {"--model", "'fibers'",
                                  "seq, async, threaded, multiproc"}},
    {"run sleep --model=", {"--model", "seq, async, threaded, multiproc"}},
    /* options that do not exist, or lack their value */
    {"run sleep --bogus", {"--bogus", "unknown option"}},
    {"run sleep --fast=1", {"--fast", "unknown option"}},
    {"run sleep -x", {"-x", "unknown option"}},
    {"run sleep --json=1", {"--json", "unknown option"}},
    {"run sleep --tasks", {"--tasks", "missing value"}},
    {"run sleep --concurrency", {"--concurrency", "missing value"}},
    {"run primes --limit", {"--limit", "missing value"}},
    /* --tasks: not a number, out of range */
    {"run sleep --tasks 0", {"--tasks", "1..1000000"}},
    {"run sleep --tasks=0", {"--tasks", "1..1000000"}},
    {"run sleep --tasks -1", {"--tasks", "1..1000000"}},
    {"run sleep --tasks abc", {"--tasks", "'abc'", "1..1000000"}},
    {"run sleep --tasks 12x", {"--tasks", "'12x'", "1..1000000"}},
    {"run sleep --tasks 1.5", {"--tasks", "1..1000000"}},
    {"run sleep --tasks=", {"--tasks", "1..1000000"}},
    {"run sleep --tasks 99999999999999999999", {"--tasks", "1..1000000"}},
    {"run sleep --tasks 1000001", {"--tasks", "1..1000000"}},
    /* white space or a sign around a number is junk too (strtoll would
     * skip the one and take the other) */
    {"run sleep --tasks \t5", {"--tasks", "not a whole number"}},
    {"run sleep --tasks=\n5", {"--tasks", "not a whole number"}},
    {"run sleep --tasks 5\t", {"--tasks", "not a whole number"}},
    {"run sleep --tasks +5", {"--tasks", "not a whole number"}},
    {"run sleep --concurrency \v3", {"--concurrency", "not a whole"}},
    {"run sleep --delay-ms \t-5", {"--delay-ms", "not a whole number"}},
    {"run primes --limit \t100", {"--limit", "not a whole number"}},
    {"run http --seed \t1", {"--seed", "not a whole number"}},
    {"run http --fail-rate \t0.5", {"--fail-rate", "not a share"}},
    {"run http --fail-rate 0.5\t", {"--fail-rate", "not a share"}},
    {"run http --fail-rate +0.5", {"--fail-rate", "not a share"}},
    {"run files --size \f100", {"--size", "not a whole number"}},
    /* --concurrency: the range depends on the model */
    {"run sleep --concurrency 0", {"--concurrency", "1.."}},
    {"run sleep --model async --concurrency 0", {"--concurrency",
                                                 "1..1000000"}},
    {"run sleep --model async --concurrency 1000001", {"--concurrency",
                                                       "1..1000000"}},
    {"run sleep --model threaded --concurrency 20001", {"--concurrency",
                                                        "1..20000"}},
    {"run sleep --model multiproc --concurrency 2001", {"--concurrency",
                                                        "1..2000"}},
    {"run sleep --concurrency=2001 --model=multiproc", {"--concurrency",
                                                        "1..2000"}},
    {"run sleep --model threaded --concurrency x", {"--concurrency",
                                                    "1..20000"}},
    /* ...and so does the default C = N */
    {"run sleep --model multiproc --tasks 5000", {"--concurrency",
                                                  "1..2000"}},
    {"run sleep --model threaded --tasks 20001", {"--concurrency",
                                                  "1..20000"}},
    /* --delay-ms, --delay-spread */
    {"run sleep --delay-ms -5", {"--delay-ms", "0..60000"}},
    {"run sleep --delay-ms 60001", {"--delay-ms", "0..60000"}},
    {"run sleep --delay-ms soon", {"--delay-ms", "0..60000"}},
    {"run sleep --delay-spread bad", {"--delay-spread", "'bad'", "0..60000"}},
    {"run sleep --delay-spread -1", {"--delay-spread", "0..60000"}},
    {"run sleep --delay-spread 60001", {"--delay-spread", "0..60000"}},
    /* --limit, and N <= M */
    {"run primes --limit 1", {"--limit", "2..1000000000"}},
    {"run primes --limit 1000000001", {"--limit", "2..1000000000"}},
    {"run primes --limit 2e6", {"--limit", "2..1000000000"}},
    {"run primes --tasks 100 --limit 50", {"--tasks", "N <= M"}},
    /* --offload: async with CPU work only */
    {"run sleep --offload", {"--offload"}},
    {"run sleep --model async --offload", {"--offload"}},
    {"run primes --offload", {"--offload"}},
    {"run primes --model threaded --offload", {"--offload"}},
    {"run primes --model multiproc --offload", {"--offload"}},
    /* --blocking-in-loop: async with sleep only */
    {"run sleep --blocking-in-loop", {"--blocking-in-loop", "async"}},
    {"run sleep --model threaded --blocking-in-loop", {"--blocking-in-loop"}},
    {"run primes --model async --blocking-in-loop", {"--blocking-in-loop",
                                                     "sleep"}},
    {"run http --model async --blocking-in-loop", {"--blocking-in-loop"}},
    /* flags of one workload given to another */
    {"run primes --delay-ms 5", {"--delay-ms", "sleep and http"}},
    {"run sleep --limit 100", {"--limit", "only to primes"}},
    {"run http --delay-spread 5", {"--delay-spread", "only to sleep"}},
    {"run sleep --no-reuse", {"--no-reuse", "only to http"}},
    {"run sleep --url http://x", {"--url", "only to http"}},
    {"run primes --retries 2", {"--retries", "only to http"}},
    {"run sleep --fail-rate 0.1", {"--fail-rate", "only to http"}},
    /* http */
    {"run http --endpoint slow", {"--endpoint", "'slow'",
                                  "delay, bytes, stall"}},
    {"run http --size 10", {"--size", "--endpoint bytes"}},
    {"run http --endpoint bytes --delay-ms 5", {"--delay-ms",
                                                "--endpoint delay"}},
    {"run http --endpoint bytes --size 67108865", {"--size",
                                                   "0..67108864"}},
    {"run http --endpoint stall", {"stall", "--timeout-ms"}},
    {"run http --url ftp://host", {"--url", "'ftp://host'", "http://"}},
    {"run http --url http://", {"--url", "http://HOST"}},
    {"run http --timeout-ms -1", {"--timeout-ms", "0..600000"}},
    {"run http --retries 101", {"--retries", "0..100"}},
    {"run http --backoff-ms x", {"--backoff-ms", "0..30000"}},
    {"run http --fail-rate 1.5", {"--fail-rate", "'1.5'", "0 to 1"}},
    {"run http --fail-rate nan", {"--fail-rate", "0 to 1"}},
    {"run http --fail-rate", {"--fail-rate", "missing value"}},
    {"run http --seed -1", {"--seed", "0..9223372036854775807"}},
    {"run http --model threaded --tasks 20001", {"--concurrency",
                                                 "1..20000"}},
};

/* --blocking-in-loop: taken for async sleep, and named in the variant. */
static void blocking_in_loop_variant(void **state) {
  run_opts o = parse_ok("run sleep --model async --blocking-in-loop");
  (void)state;
  assert_int_equal(o.blocking_in_loop, 1);
  assert_string_equal(run_variant(&o), "blocking-in-loop");
}

/* http: the defaults, and every flag taken. */
static void http_defaults_and_flags(void **state) {
  run_opts o;
  (void)state;

  o = parse_ok("run http");
  assert_int_equal(o.params.tasks, 10);
  assert_int_equal(o.params.concurrency, 1); /* seq */
  assert_int_equal(o.params.endpoint, WL_EP_DELAY);
  assert_int_equal(o.params.delay_ms, 100);
  assert_null(o.params.url); /* conclab run starts its own server */
  assert_int_equal(o.params.no_reuse, 0);
  assert_int_equal(o.params.timeout_ms, 0);
  assert_int_equal(o.params.retries, 0);
  assert_int_equal(o.params.backoff_ms, 50);
  assert_true(o.params.fail_rate == 0.0);
  assert_int_equal(o.params.seed, 1);
  assert_string_equal(run_variant(&o), "");

  o = parse_ok("run http --model async --tasks 30 --endpoint bytes "
               "--size 4096 --url http://127.0.0.1:9/ --no-reuse "
               "--timeout-ms 250 --retries 3 --backoff-ms 7 --fail-rate 0.25 "
               "--seed 42");
  assert_int_equal(o.params.concurrency, 30); /* all in flight */
  assert_int_equal(o.params.endpoint, WL_EP_BYTES);
  assert_int_equal(o.params.size, 4096);
  assert_string_equal(o.params.url, "http://127.0.0.1:9/");
  assert_int_equal(o.params.no_reuse, 1);
  assert_int_equal(o.params.timeout_ms, 250);
  assert_int_equal(o.params.retries, 3);
  assert_int_equal(o.params.backoff_ms, 7);
  assert_true(o.params.fail_rate == 0.25);
  assert_int_equal(o.params.seed, 42);
  assert_string_equal(run_variant(&o), "no-reuse");

  o = parse_ok("run http --endpoint stall --timeout-ms 100 --fail-rate=1");
  assert_int_equal(o.params.endpoint, WL_EP_STALL);
  assert_true(o.params.fail_rate == 1.0);
}

static void pipeline_defaults_and_flags(void **state) {
  run_opts o;
  (void)state;

  o = parse_ok("run pipeline --model async");
  assert_int_equal(o.params.tasks, 32);
  assert_int_equal(o.params.concurrency, 8);
  assert_int_equal(o.params.endpoint, WL_EP_BYTES);
  assert_int_equal(o.params.size, 65536);
  assert_int_equal(o.params.rounds, 100);
  assert_null(o.params.url); /* conclab run starts its own server */
  assert_null(o.params.dir); /* and makes its own directory */
  assert_string_equal(run_variant(&o), "in-loop");

  o = parse_ok("run pipeline --model async --offload --tasks 5 --size 10 "
               "--rounds 0 --url http://127.0.0.1:9 --dir /tmp "
               "--threadpool 3");
  assert_int_equal(o.params.concurrency, 5); /* min(N, 8) */
  assert_int_equal(o.params.size, 10);
  assert_int_equal(o.params.rounds, 0);
  assert_string_equal(o.params.url, "http://127.0.0.1:9");
  assert_string_equal(o.params.dir, "/tmp");
  assert_int_equal(o.threadpool, 3);
  assert_string_equal(run_variant(&o), "offload");

  o = parse_ok("run pipeline --model multiproc --rounds=100000");
  assert_int_equal(o.params.rounds, 100000);
  assert_string_equal(run_variant(&o), "");
}

static void bad_command_lines(void **state) {
  (void)state;
  int failures = 0;

  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    const bad_case *b = &bad_cases[i];
    run_opts o;
    char err[256];
    int rc = parse(b->line, &o, err, sizeof err);

    if (rc != RUN_PARSE_USAGE) {
      print_error("'%s': rc %d, expected RUN_PARSE_USAGE (2)\n", b->line, rc);
      failures++;
      continue;
    }
    if (err[0] == '\0' || strchr(err, '\n') != NULL) {
      print_error("'%s': the error is not one line: \"%s\"\n", b->line, err);
      failures++;
    }
    for (int k = 0; k < 3 && b->must[k] != NULL; k++)
      if (strstr(err, b->must[k]) == NULL) {
        print_error("'%s': error \"%s\" does not mention \"%s\"\n", b->line,
                    err, b->must[k]);
        failures++;
      }
  }
  /* Report every bad row, then fail once. */
  assert_int_equal(failures, 0);
}

/* The one parser every command's numeric flags go through (run, serve,
 * suite, lab): digits, a '-' at most in front, nothing around them. */
static void parse_whole_is_strict(void **state) {
  static const struct {
    const char *text;
    long long lo, hi;
    int rc;
    long long value;
  } cases[] = {
      {"5", 1, 10, BASE_WHOLE_OK, 5},
      {"007", 0, 10, BASE_WHOLE_OK, 7},
      {"0", 0, 65535, BASE_WHOLE_OK, 0},
      {"65535", 0, 65535, BASE_WHOLE_OK, 65535},
      {"-3", -5, 5, BASE_WHOLE_OK, -3},
      {"9223372036854775807", 0, INT64_MAX, BASE_WHOLE_OK, INT64_MAX},
      {"65536", 0, 65535, BASE_WHOLE_RANGE, 0},
      {"-1", 0, 65535, BASE_WHOLE_RANGE, 0},
      {"99999999999999999999", 0, INT64_MAX, BASE_WHOLE_RANGE, 0},
      {" 5", 1, 10, BASE_WHOLE_JUNK, 0},
      {"\t5", 1, 10, BASE_WHOLE_JUNK, 0},
      {"5 ", 1, 10, BASE_WHOLE_JUNK, 0},
      {"+7", 1, 10, BASE_WHOLE_JUNK, 0},
      {"- 3", -5, 5, BASE_WHOLE_JUNK, 0},
      {"-", -5, 5, BASE_WHOLE_JUNK, 0},
      {"", 0, 10, BASE_WHOLE_JUNK, 0},
      {"5s", 1, 10, BASE_WHOLE_JUNK, 0},
      {"1e3", 1, 10000, BASE_WHOLE_JUNK, 0},
      {"0x10", 0, 100, BASE_WHOLE_JUNK, 0},
  };
  (void)state;

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    long long v = -999;
    int rc = base_parse_whole(cases[i].text, cases[i].lo, cases[i].hi, &v);
    if (rc != cases[i].rc)
      fail_msg("'%s' in %lld..%lld: result %d, expected %d", cases[i].text,
               cases[i].lo, cases[i].hi, rc, cases[i].rc);
    if (rc == BASE_WHOLE_OK && v != cases[i].value)
      fail_msg("'%s': read as %lld, expected %lld", cases[i].text, v,
               cases[i].value);
    if (rc != BASE_WHOLE_OK && v != -999)
      fail_msg("'%s': refused, but the value was written", cases[i].text);
  }
}

/* Every cell of every profile, as the suite runs it. */
static void suite_cells_parse(void **state) {
  static const char *const profiles[] = {"smoke", "quick", "full"};
  (void)state;
  for (size_t k = 0; k < sizeof profiles / sizeof profiles[0]; k++) {
    suite_matrix s = {0};
    char line[512];

    assert_int_equal(suite_profile_build(&s, profiles[k], 2), 0);
    for (int i = 0; i < s.ncells; i++) {
      char *impl;
      assert_int_equal(suite_cell_command(&s.cells[i], "conclab", line,
                                          sizeof line), 0);
      /* `conclab run` takes --impl python out before it parses (the rest
       * is conclab-py's, the same flags) */
      impl = strstr(line, " --impl python");
      assert_true(impl == NULL || s.cells[i].py);
      if (impl != NULL)
        memmove(impl, impl + strlen(" --impl python"),
                strlen(impl + strlen(" --impl python")) + 1);
      parse_ok(line + strlen("conclab "));
    }
    suite_free(&s);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sleep_defaults),
      cmocka_unit_test(sleep_defaults_concurrency_is_tasks),
      cmocka_unit_test(primes_defaults),
      cmocka_unit_test(seq_forces_concurrency_one),
      cmocka_unit_test(space_and_equals_forms_agree),
      cmocka_unit_test(workload_after_options),
      cmocka_unit_test(limits_are_inclusive),
      cmocka_unit_test(offload_and_variant),
      cmocka_unit_test(json_flag),
      cmocka_unit_test(help),
      cmocka_unit_test(bad_command_lines),
      cmocka_unit_test(parse_whole_is_strict),
      cmocka_unit_test(http_defaults_and_flags),
      cmocka_unit_test(pipeline_defaults_and_flags),
      cmocka_unit_test(blocking_in_loop_variant),
      cmocka_unit_test(suite_cells_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
