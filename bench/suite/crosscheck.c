/*
 * crosscheck.c - the suite's cross-check: a few cells and conclab's
 * start-up timed again as whole processes by hyperfine, beside the
 * harness's own medians taken just before.
 */
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyperfine.h"

/* Time one command into a check. */
static void check_one(suite_hfcheck *h, const char *hyperfine,
                      const char *command, int warmup, int runs) {
  tool_hf_result r;
  if (tool_hf_time(hyperfine, command, warmup, runs, &r, h->why,
                   sizeof h->why) != 0)
    return;
  h->ok = 1;
  h->runs = r.ntimes;
  h->median_s = r.median;
  h->mean_s = r.mean;
  h->stddev_s = r.stddev;
  h->min_s = r.min;
  h->max_s = r.max;
  free(r.command);
  free(r.times);
  free(r.exit_codes);
}

void suite_crosscheck(suite_matrix *s, const char *hyperfine,
                      const char *self) {
  char command[8192];
  char *startup[] = {(char *)self, "run", "sleep", "--model", "seq",
                     "--tasks", "1", "--delay-ms", "0", "--json", NULL};
  int runs = s->runs > 0 ? s->runs : 5;

  s->nhf = 0;
  s->hf_state = SUITE_HF_DONE;
  /* Start-up: exec, loading, argument parsing, one empty task, exit.
   * Cheap, so it gets more runs for a steadier median. */
  memset(&s->hf[0], 0, sizeof s->hf[0]);
  s->hf[0].cell = -1;
  fprintf(stderr, "conclab: hyperfine: start-up\n");
  if (tool_hf_command_line(startup, command, sizeof command) == 0)
    check_one(&s->hf[0], hyperfine, command, 3, runs < 20 ? 20 : runs);
  s->nhf = 1;
  /* The cells the workloads' rows mark for it (suite.h). */
  for (int i = 0; i < s->ncells && s->nhf < SUITE_HF_MAX; i++) {
    suite_hfcheck *h = &s->hf[s->nhf];
    char label[96];
    if (s->cells[i].table != SUITE_MAIN || !s->cells[i].crosscheck)
      continue;
    memset(h, 0, sizeof *h);
    h->cell = i;
    suite_cell_label(&s->cells[i], label, sizeof label);
    fprintf(stderr, "conclab: hyperfine: %s\n", label);
    /* This shared machine's speed drifts over minutes, so the harness
     * times the cell again right before hyperfine does: the two medians
     * compared come from the same few seconds. */
    if (suite_cell_command(&s->cells[i], self, command, sizeof command) != 0) {
      snprintf(h->why, sizeof h->why, "command line too long");
    } else {
      h->harness_s = suite_cell_rerun(self, &s->cells[i], runs);
      check_one(h, hyperfine, command, 1, runs);
    }
    s->nhf++;
  }
}
