/*
 * test_impl.c - the copy of conclab an exercise builds around a student's
 * code (conclab-ex03, -ex07, -ex08) says "impl: ..." in the runs of the
 * model that code belongs to, and only there: its seq and its other
 * models are conclab's own code, and saying otherwise misleads the table
 * that compares them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "run.h"

/* What run prints, as text or as JSON, for one model. */
static char *printed(run_model model, int json) {
  run_opts o = {.wl = &wl_sleep, .model = model};
  run_result r = {.ok = 4};
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  o.params.tasks = 4;
  o.params.concurrency = 2;
  if (json)
    run_print_json(f, &o, &r);
  else
    run_print(f, &o, &r);
  assert_int_equal(fclose(f), 0);
  return buf;
}

static void impl_only_for_its_model(void **state) {
  static const run_model models[] = {RUN_SEQ, RUN_ASYNC, RUN_THREADED,
                                    RUN_MULTIPROC};
  (void)state;
  for (size_t p = 1; p < 4; p++) { /* the model the student's code is */
    run_impl = "the student's code";
    run_impl_model = models[p];
    for (size_t m = 0; m < 4; m++) {
      char *text = printed(models[m], 0), *json = printed(models[m], 1);
      int want = m == p;
      if ((strstr(text, "impl: the student's code") != NULL) != want)
        print_error("plugged %s, ran %s:\n%s", run_model_names[p],
                    run_model_names[m], text);
      assert_int_equal(strstr(text, "impl: the student's code") != NULL,
                       want);
      assert_int_equal(strstr(json, "\"impl\"") != NULL, want);
      free(text);
      free(json);
    }
  }
  /* conclab itself: no impl anywhere. */
  run_impl = NULL;
  for (size_t m = 0; m < 4; m++) {
    char *text = printed(models[m], 0);
    assert_null(strstr(text, "impl:"));
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(impl_only_for_its_model),
  };
  return cmocka_run_group_tests_name("impl", tests, NULL, NULL);
}
