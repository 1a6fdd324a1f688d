/*
 * hfexport.c - the suite's runs as hyperfine would have exported them.
 *
 * hyperfine's scripts (plot_whisker.py, welch_ttest.py,
 * plot_parametrized.py, advanced_statistics.py) read one export file: the
 * commands of one hyperfine invocation.  So the suite writes one file per
 * experiment, each the cells that one invocation could have timed:
 *   a main, scale, oracle or reuse table of a workload: its cells as
 *     several commands (`hyperfine CMD1 CMD2 ...`: no "parameters");
 *   a concurrency sweep: one model's cells as one command with a parameter
 *     (`hyperfine -L concurrency 1,2,4 '... --concurrency {concurrency}'`:
 *     each result's "parameters" is {"concurrency": "4"}).
 * Every file has the keys, nesting and units (seconds) of
 * `hyperfine --export-json` (tests/test_hyperfine_export.c compares them
 * with a real export, key by key).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "base.h"
#include "hyperfine.h"
#include "report.h"

/* A cell's command line with its concurrency set to c. */
static void command_at(const suite_cell *cell, int c, char *out, size_t cap) {
  suite_cell copy = *cell;

  copy.opts.params.concurrency = c;
  if (suite_cell_command(&copy, "conclab", out, cap) != 0)
    out[0] = '\0';
}

/* Could one hyperfine invocation have timed cells a and b together?  The
 * same workload and table; in a sweep, also the same command but for its
 * concurrency (the one parameter). */
static int same_experiment(const suite_matrix *s, int a, int b) {
  const suite_cell *x = &s->cells[a], *y = &s->cells[b];
  char cx[8192], cy[8192];

  if (x->opts.wl != y->opts.wl || x->table != y->table)
    return 0;
  if (x->table != SUITE_SWEEP)
    return 1;
  command_at(x, 0, cx, sizeof cx);
  command_at(y, 0, cy, sizeof cy);
  return strcmp(cx, cy) == 0;
}

/* "async offload" -> "async-offload": a file name's part. */
static void dashed(const char *label, char *out, size_t cap) {
  snprintf(out, cap, "%s", label);
  for (char *p = out; *p; p++)
    if (*p == ' ')
      *p = '-';
}

static int name_taken(const report_hf_file *f, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(f[i].name, name) == 0)
      return 1;
  return 0;
}

/* Experiment f's file name: "sleep-main", "primes-sweep-async-offload";
 * "-2", "-3", ... when an earlier experiment has it already. */
static void name_file(const suite_matrix *s, report_hf_file *f, int n) {
  const suite_cell *c = &s->cells[f[n].first];
  char base[sizeof f[n].name - 16], model[32];

  if (c->table == SUITE_SWEEP) {
    dashed(suite_model_label(c), model, sizeof model);
    snprintf(base, sizeof base, "%s-sweep-%s", c->opts.wl->name, model);
  } else {
    snprintf(base, sizeof base, "%s-%s", c->opts.wl->name,
             suite_table_names[c->table]);
  }
  snprintf(f[n].name, sizeof f[n].name, "%s", base);
  for (int k = 2; name_taken(f, n, f[n].name); k++)
    snprintf(f[n].name, sizeof f[n].name, "%s-%d", base, k);
}

int report_hf_files(const suite_matrix *s, report_hf_file **out) {
  report_hf_file *f =
      calloc((size_t)(s->ncells > 0 ? s->ncells : 1), sizeof *f);
  int n = 0;

  if (f == NULL)
    abort();
  for (int i = 0; i < s->ncells; i++) {
    int known = 0;
    for (int k = 0; k < n && !known; k++)
      known = same_experiment(s, f[k].first, i);
    if (known)
      continue;
    f[n].first = i;
    f[n].sweep = s->cells[i].table == SUITE_SWEEP;
    name_file(s, f, n);
    n++;
  }
  *out = f;
  return n;
}

/* Cell c as one of hyperfine's results: its command line, its measured
 * runs' wall times and exit statuses (warm-ups left out), the mean user
 * and system CPU of those runs. */
static void fill_result(const suite_cell *c, int sweep, tool_hf_result *r) {
  int nm = c->nresults - c->warmups;
  double user = 0, sys = 0;
  char command[8192], text[16];

  memset(r, 0, sizeof *r);
  command_at(c, c->opts.params.concurrency, command, sizeof command);
  r->command = strdup(command);
  r->times = calloc((size_t)(nm > 0 ? nm : 1), sizeof(double));
  r->exit_codes = calloc((size_t)(nm > 0 ? nm : 1), sizeof(int));
  if (r->command == NULL || r->times == NULL || r->exit_codes == NULL)
    abort();
  for (int k = 0; k < nm; k++) {
    const suite_run *run = &c->results[c->warmups + k];
    r->times[k] = run->wall_s;
    r->exit_codes[k] = run->exit_status;
    user += run->user_s;
    sys += run->sys_s;
  }
  r->ntimes = r->nexit = nm > 0 ? nm : 0;
  tool_hf_fill_stats(r);
  r->user = nm > 0 ? user / nm : 0;
  r->system = nm > 0 ? sys / nm : 0;
  if (sweep) {
    snprintf(text, sizeof text, "%d", c->opts.params.concurrency);
    tool_hf_param_add(r, "concurrency", text);
  }
}

void report_hf_write(FILE *out, const suite_matrix *s,
                     const report_hf_file *f) {
  tool_hf_result *r =
      calloc((size_t)(s->ncells > 0 ? s->ncells : 1), sizeof *r);
  int n = 0;

  if (r == NULL)
    abort();
  for (int i = f->first; i < s->ncells; i++)
    if (i == f->first || same_experiment(s, f->first, i))
      fill_result(&s->cells[i], f->sweep, &r[n++]);
  tool_hf_write(out, r, n);
  tool_hf_free(r, n);
}

/* base_atomic_write's argument: one experiment of a suite. */
typedef struct hf_job {
  const suite_matrix *s;
  const report_hf_file *f;
} hf_job;

static void write_job(FILE *out, const void *arg) {
  const hf_job *job = arg;
  report_hf_write(out, job->s, job->f);
}

/* A file of dir that this suite does not write: one left by a run of
 * another profile, whose experiments differ.  Removed, so that the
 * directory holds this run's experiments only. */
static void remove_others(const char *dir, const report_hf_file *f, int n) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[BASE_PATH_MAX + sizeof e->d_name + 1];

  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    int ours = 0;
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
      continue;
    for (int i = 0; i < n && !ours; i++)
      ours = strlen(f[i].name) == len - 5 &&
             strncmp(f[i].name, e->d_name, len - 5) == 0;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (!ours && unlink(path) != 0 && errno != ENOENT)
      fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
  }
  closedir(d);
}

int report_write_hyperfine(const char *dir, const suite_matrix *s) {
  char sub[BASE_PATH_MAX], path[BASE_PATH_MAX + 96];
  report_hf_file *f;
  int n = report_hf_files(s, &f), rc = 0;

  snprintf(sub, sizeof sub, "%s/data/hyperfine", dir);
  if (mkdir(sub, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "conclab: mkdir %s: %s\n", sub, strerror(errno));
    free(f);
    return -1;
  }
  remove_others(sub, f, n);
  for (int i = 0; i < n; i++) {
    hf_job job = {s, &f[i]};
    snprintf(path, sizeof path, "%s/%s.json", sub, f[i].name);
    rc |= base_atomic_write(path, write_job, &job);
  }
  free(f);
  return rc ? -1 : 0;
}
