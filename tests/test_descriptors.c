/*
 * test_descriptors.c - every workload's descriptor is one the harness can
 * read.
 *
 * bench/ knows no workload by name: it parses a workload's flags from its
 * table, writes its --json fields from another, and expands its suite
 * rows.  So a mistake in a descriptor is a mistake in the CLI, the JSON or
 * the suite.  These checks hold for every workload in wl_all, so a new one
 * is checked the moment it is registered:
 *   - each flag: a "--name", a field inside wl_params, a default inside its
 *     range, words for a named flag; a flag that several workloads take has
 *     the same kind in each (the command line is split before the workload
 *     is known);
 *   - each --json field: inside its struct, its key used once and not one
 *     of the keys every run writes;
 *   - the defaults of N and C, and the rows: sizes of at least one task,
 *     models named, options only where the workload has them, oracles on
 *     seq, a seq row in the main table for the others to compare with,
 *     other flags (wl_row.flags) that the workload takes, in range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "workload.h"

static size_t value_bytes(wl_value_kind kind) {
  switch (kind) {
  case WL_VALUE_INT64:
    return sizeof(int64_t);
  case WL_VALUE_NUM:
    return sizeof(double);
  case WL_VALUE_TEXT:
    return sizeof(const char *);
  default: /* INT, NAME, NOT */
    return sizeof(int);
  }
}

static void check_flag(const wl_workload *wl, const wl_flag *f) {
  print_message("%s %s\n", wl->name, f->name);
  assert_non_null(f->name);
  assert_int_equal(strncmp(f->name, "--", 2), 0);
  assert_true(f->field + wl_flag_bytes(f->kind) <= sizeof(wl_params));
  if (f->kind == WL_FLAG_INT || f->kind == WL_FLAG_INT64) {
    assert_true(f->lo <= f->def && f->def <= f->hi);
    if (f->kind == WL_FLAG_INT)
      assert_true(f->hi <= INT32_MAX);
  }
  if (f->kind == WL_FLAG_NAME) {
    assert_non_null(f->names);
    assert_true(f->nnames > 0 && f->def >= 0 && f->def < f->nnames);
  }
  /* the same flag in another workload: the same kind */
  for (int w = 0; wl_all[w] != NULL; w++) {
    const wl_flag *g = wl_flag_find(wl_all[w], f->name, strlen(f->name));
    if (g != NULL)
      assert_int_equal(g->kind, f->kind);
  }
}

static void flags_are_readable(void **state) {
  (void)state;
  for (int w = 0; wl_all[w] != NULL; w++) {
    const wl_workload *wl = wl_all[w];
    assert_true(wl->nflags == 0 || wl->flags != NULL);
    assert_true(wl->nflags <= WL_MAX_FLAGS); /* the suite's room */
    for (int k = 0; k < wl->nflags; k++)
      check_flag(wl, &wl->flags[k]);
  }
}

static void json_fields_are_readable(void **state) {
  /* what every run writes before the workload's own fields */
  static const char *const common[] = {
      "workload", "model", "variant", "impl", "tasks", "concurrency",
      "delay_ms", "delay_spread_ms", "limit", "threadpool_size", "workers",
      "workers_lost", "wall_s", "user_s", "sys_s", "max_rss_kb", "vol_ctx",
      "invol_ctx", "ok", "failed", "timeouts", "loop_lag_p50_ms",
      "loop_lag_p99_ms", "loop_lag_max_ms", "loop_lag_samples", "checksum"};
  (void)state;
  for (int w = 0; wl_all[w] != NULL; w++) {
    const wl_workload *wl = wl_all[w];
    for (int k = 0; k < wl->njson; k++) {
      const wl_field *f = &wl->json[k];
      size_t in = f->measured ? sizeof(wl_measured) : sizeof(wl_params);
      print_message("%s %s\n", wl->name, f->key);
      assert_true(f->field + value_bytes(f->kind) <= in);
      assert_true(f->kind != WL_VALUE_NAME || f->names != NULL);
      for (size_t c = 0; c < sizeof common / sizeof common[0]; c++)
        assert_string_not_equal(f->key, common[c]);
      for (int j = 0; j < k; j++)
        assert_string_not_equal(f->key, wl->json[j].key);
    }
  }
}

/* Whether a workload has a seq row in the main table. */
static int has_main_seq(const wl_workload *wl) {
  for (int k = 0; k < wl->nrows; k++)
    if (wl->rows[k].table == WL_TABLE_MAIN &&
        (wl->rows[k].models & WL_SEQ) != 0)
      return 1;
  return 0;
}

static void check_row(const wl_workload *wl, const wl_row *r) {
  assert_true(r->tasks.real >= 1 && r->tasks.smoke >= 1);
  assert_true(r->models != 0 && (r->models & ~(WL_SEQ | WL_MODELS)) == 0);
  assert_int_equal(r->offload_models & ~r->models, 0);
  if (r->offload_models != 0)
    assert_true(wl->options & WL_OPT_OFFLOAD);
  if (r->blocking_in_loop)
    assert_true(wl->options & WL_OPT_BLOCKING_IN_LOOP);
  if (r->threadpool > 0)
    assert_true(wl->options & WL_OPT_THREADPOOL);
  if (r->table == WL_TABLE_ORACLE)
    assert_int_equal(r->models, WL_SEQ);
  if (r->models & ~WL_SEQ) /* a model's row needs its C */
    assert_true(r->concurrency.real != 0 && r->concurrency.smoke != 0);
  /* its other flags: whole-number flags of this workload, in range, or
   * names by their index */
  for (int k = 0; k < WL_ROW_FLAGS && r->flags[k].name != NULL; k++) {
    const char *name = r->flags[k].name;
    const wl_flag *f = wl_flag_find(wl, name, strlen(name));
    long long lo = f != NULL ? f->lo : 0, hi = f != NULL ? f->hi : 0;
    print_message("%s row flag %s\n", wl->name, name);
    assert_non_null(f);
    assert_true(f->kind == WL_FLAG_INT || f->kind == WL_FLAG_INT64 ||
                f->kind == WL_FLAG_NAME);
    if (f->kind == WL_FLAG_NAME)
      hi = f->nnames - 1;
    assert_true(lo <= r->flags[k].value.real && r->flags[k].value.real <= hi);
    assert_true(lo <= r->flags[k].value.smoke &&
                r->flags[k].value.smoke <= hi);
  }
}

static void rows_are_runnable(void **state) {
  (void)state;
  for (int w = 0; wl_all[w] != NULL; w++) {
    const wl_workload *wl = wl_all[w];
    print_message("%s\n", wl->name);
    assert_true(wl->default_tasks >= 1);
    assert_true(wl->default_concurrency == WL_C_ALL ||
                wl->default_concurrency == WL_C_CORES ||
                wl->default_concurrency > 0);
    /* a timeline has its title; the cross-check marks main rows only */
    assert_int_equal(wl->timeline_args != NULL, wl->timeline_title != NULL);
    for (int k = 0; k < wl->nrows; k++)
      if (wl->rows[k].crosscheck)
        assert_int_equal(wl->rows[k].table, WL_TABLE_MAIN);
    /* an MB/s column needs the bytes a task moves, and only it */
    assert_int_equal((wl->columns & WL_COL_MB_PER_S) != 0,
                     wl->task_bytes != NULL);
    if (wl->nrows == 0)
      continue;
    assert_non_null(wl->report_intro);
    assert_true(has_main_seq(wl));
    for (int k = 0; k < wl->nrows; k++)
      check_row(wl, &wl->rows[k]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(flags_are_readable),
      cmocka_unit_test(json_fields_are_readable),
      cmocka_unit_test(rows_are_runnable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
