/*
 * lab.c - the lab's driver, and its child mode.
 *
 * The parent never measures in its own process: it runs each unit as a
 * child `conclab lab --unit NAME --count N --json` (one warm-up, then R
 * measured runs), and each level of the scale sweep as a child too, so
 * that one measurement's threads, memory and page tables never colour the
 * next.  Then it does the statistics; report/lab.c writes the results.
 */
#include "lab.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "json.h"
#include "version.h"
#include "section.h"
#include "process.h"
#include "term.h"

const char *const lab_profile_names[] = {"quick", "full", "smoke"};
static const int profile_runs[] = {5, 7, 2};
/* The sweep's caps per profile: timers, threads, processes. */
static const long sweep_caps[3][3] = {
    {1000000, 10000, 1000}, {1000000, 100000, 10000}, {1000, 100, 10}};
static const char *const sweep_names[] = {"sweep_timers", "sweep_threads",
                                          "sweep_processes"};
static const char *const sweep_models[] = {"async", "threaded", "multiproc"};
static const char *const sweep_whats[] = {
    "timers of 100 ms", "threads (128 KiB stacks)", "processes"};
static int (*const sweep_holds[])(long, lab_hold *) = {
    lab_hold_timers, lab_hold_threads, lab_hold_processes};

/* ---- the child: measure once, print one JSON object --------------------- */

static int sweep_index(const char *name) {
  for (int i = 0; i < 3; i++)
    if (strcmp(name, sweep_names[i]) == 0)
      return i;
  return -1;
}

int lab_child(const char *name, long count, long big_mb) {
  const lab_unit *u = lab_unit_find(name);
  int s = sweep_index(name);
  base_json_writer w;

  if (lab_ref_find(name) != NULL)
    return lab_overhead_child(lab_ref_find(name), count);
  if (s >= 0) {
    lab_hold h;
    if (sweep_holds[s](count, &h) != 0)
      return 1;
    base_json_begin(&w, stdout);
    base_json_str(&w, "unit", name);
    base_json_int(&w, "count", count);
    base_json_int(&w, "got", h.got);
    base_json_int(&w, "err", h.err);
    base_json_str(&w, "err_name", lab_errno_name(h.err));
    base_json_num(&w, "wall_s", h.wall_s);
    base_json_int(&w, "rss_kb", h.rss_kb);
    base_json_end(&w);
    return 0;
  }
  lab_measure m = {0, 0, 0};
  if (u->run(count, big_mb, &m) != 0)
    return 1;
  base_json_begin(&w, stdout);
  base_json_str(&w, "unit", name);
  base_json_int(&w, "count", count);
  base_json_num(&w, "value", m.value);
  base_json_num(&w, "user_bytes", m.user_bytes);
  base_json_num(&w, "kernel_bytes", m.kernel_bytes);
  base_json_end(&w);
  return 0;
}

/* ---- the parent: one child per measured run ----------------------------- */

typedef struct lab_ctx {
  const char *self;
  long big_mb;
  int sweep; /* which sweep, for sweep_hold */
} lab_ctx;

/* Run `self lab --unit NAME --count N --big-mb M --json`; out gets its
 * JSON.  0, or -1 with why. */
static int run_child(const lab_ctx *c, const char *name, long count,
                     char *out, size_t cap, char *why, size_t whylen) {
  char n[24], big[24], line[256];
  char *argv[] = {(char *)c->self, "lab", "--unit", (char *)name, "--count",
                  n, "--big-mb", big, "--json", NULL};
  int status;

  snprintf(n, sizeof n, "%ld", count);
  snprintf(big, sizeof big, "%ld", c->big_mb);
  status = base_spawn_run(c->self, argv, out, cap, line, sizeof line);
  if (status == 0)
    return 0;
  base_spawn_why(why, whylen, status, line);
  return -1;
}

static void measure_unit(const lab_ctx *c, const lab_unit *u, long count,
                         int runs, lab_row *r) {
  double v[3][100];
  char out[4096];
  int n = 0;

  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", u->name);
  snprintf(r->model, sizeof r->model, "%s", u->model);
  snprintf(r->what, sizeof r->what, "%s", u->what);
  r->kind = u->kind;
  r->count = count;
  for (int k = 0; k < runs + 1 && !r->failed; k++) {
    double val, user = 0, kernel = 0;
    if (run_child(c, u->name, count, out, sizeof out, r->why,
                  sizeof r->why) != 0 ||
        base_json_num_of(out, "value", &val) != 0) {
      if (r->why[0] == '\0')
        snprintf(r->why, sizeof r->why, "no JSON from the child");
      r->failed = 1;
      break;
    }
    base_json_num_of(out, "user_bytes", &user);
    base_json_num_of(out, "kernel_bytes", &kernel);
    if (k == 0)
      continue; /* the warm-up */
    v[0][n] = val;
    v[1][n] = user;
    v[2][n] = kernel;
    n++;
  }
  if (r->failed)
    return;
  r->s = base_summarise(v[0], n);
  r->user = base_summarise(v[1], n);
  r->kernel = base_summarise(v[2], n);
}

static int sweep_hold(void *ctx, long n, lab_hold *h) {
  const lab_ctx *c = ctx;
  char out[4096];
  double v;

  memset(h, 0, sizeof *h);
  if (run_child(c, sweep_names[c->sweep], n, out, sizeof out, h->why,
                sizeof h->why) != 0 ||
      base_json_num_of(out, "got", &v) != 0) {
    if (h->why[0] == '\0')
      snprintf(h->why, sizeof h->why, "no JSON from the child");
    h->err = EIO;
    return -1;
  }
  h->got = (long)v;
  if (base_json_num_of(out, "err", &v) == 0)
    h->err = (int)v;
  base_json_num_of(out, "wall_s", &h->wall_s);
  if (base_json_num_of(out, "rss_kb", &v) == 0)
    h->rss_kb = (long)v;
  return 0;
}

static void run_sweep(lab_ctx *c, int s, long cap, lab_sweep_result *out) {
  lab_sweep_ops ops = {sweep_models[s], sweep_whats[s], sweep_hold};
  long levels[LAB_MAX_LEVELS];
  int n = 0;

  /* 10, 100, 1,000, ... up to the cap, and the cap itself. */
  for (long l = 10; l <= cap && n < LAB_MAX_LEVELS - 1; l *= 10)
    levels[n++] = l;
  if (n == 0 || levels[n - 1] != cap)
    levels[n++] = cap;
  c->sweep = s;
  lab_sweep(&ops, c, levels, n, cap, out);
}

/* ---- which units -------------------------------------------------------- */

int lab_known(const char *name) {
  return lab_unit_find(name) != NULL || sweep_index(name) >= 0 ||
         lab_ref_find(name) != NULL;
}

/* Is name in the comma-separated list (NULL: everything is)? */
/* A progress line on stderr: whole in a file or a pipe, cut to the width of
 * a terminal (term.h), so each step stays one line there. */
__attribute__((format(printf, 1, 2))) static void progress(const char *fmt,
                                                          ...) {
  char line[512];
  int width = base_term_width(STDERR_FILENO);
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (width > 1)
    base_term_fit(line, (size_t)width - 1);
  fprintf(stderr, "%s\n", line);
}

static int selected(const char *only, const char *name) {
  size_t len = strlen(name);
  if (only == NULL)
    return 1;
  for (const char *p = only; *p != '\0';) {
    size_t n = strcspn(p, ",");
    if (n == len && strncmp(p, name, len) == 0)
      return 1;
    p += n + (p[n] == ',');
  }
  return 0;
}

int lab_check_only(const char *only) {
  char name[64];
  for (const char *p = only;;) {
    size_t n = strcspn(p, ",");
    if (n == 0) { /* "", ",x", "x,,y" or "x," */
      fprintf(stderr, "conclab: --only: an empty unit name in '%s' (a "
              "comma-separated list of units; see conclab lab --help)\n",
              only);
      return -1;
    }
    snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), p);
    if (!lab_known(name)) {
      fprintf(stderr, "conclab: --only: unknown unit '%s' (see conclab lab "
              "--help for the list)\n", name);
      return -1;
    }
    if (p[n] == '\0')
      return 0;
    p += n + 1;
  }
}

/* 1 if text is a JSON object of a schema this conclab cannot read (said
 * in one line), else 0. */
static int schema_refused(const char *path, const char *text) {
  cJSON *doc = cJSON_Parse(text);
  char why[160];
  int refused =
      doc != NULL && base_json_schema_check(doc, why, sizeof why) != 0;

  if (refused)
    fprintf(stderr, "conclab: --only: %s: %s (move it away, or run the "
            "whole lab)\n", path, why);
  cJSON_Delete(doc);
  return refused;
}

/* --only: the results already in DIR/data/lab.json, to merge the units
 * run now into (*old stays NULL if there are none).  A file that cannot be
 * read back, or holds another profile's run, is refused before anything
 * runs: merging would lose it or mix two profiles in one table. */
int lab_load_old(const char *dir, const char *profile, lab_data **old) {
  char path[BASE_PATH_MAX], *text;

  *old = NULL;
  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  text = base_section_read(path);
  if (text == NULL && errno == ENOENT)
    return 0;
  *old = calloc(1, sizeof **old);
  if (text != NULL && schema_refused(path, text)) {
    /* said */
  } else if (text == NULL || *old == NULL || lab_read_json(text, *old) != 0) {
    fprintf(stderr, "conclab: --only: %s cannot be read back to merge the "
            "units into (move it away, or run the whole lab)\n", path);
  } else if (strcmp((*old)->profile, profile) != 0) {
    fprintf(stderr, "conclab: --only: %s holds a --profile %s lab; "
            "merging a %s run would mix the two (use --profile %s, or "
            "another --out)\n", path, (*old)->profile, profile,
            (*old)->profile);
  } else {
    free(text);
    return 0;
  }
  free(text);
  free(*old);
  *old = NULL;
  return -1;
}

/* The units and sweeps of this run that failed, said in one line: 0 when
 * none did.  (A sweep the system refused has measured its limit.) */
int lab_count_failed(const lab_data *lab) {
  int failed = 0;
  for (int i = 0; i < lab->nrows; i++)
    failed += lab->rows[i].failed != 0;
  for (int i = 0; i < lab->nsweeps; i++)
    failed += lab->sweeps[i].stop == LAB_STOP_FAILED;
  for (int i = 0; i < lab->noverheads; i++)
    failed += lab->overheads[i].failed != 0;
  if (failed > 0)
    fprintf(stderr, "conclab: lab: %d of %d units failed (see the lab's "
            "summary)\n", failed,
            lab->nrows + lab->nsweeps + lab->noverheads);
  return failed;
}

/* ---- the whole lab ------------------------------------------------------- */

int lab_run(const lab_args *a, lab_data *lab) {
  char self[BASE_PATH_MAX];
  lab_ctx c = {self, lab_big_mb(a->profile), 0};
  double t0 = lab_now_s();
  int total = 0, done = 0;

  if (base_self_exe(self, sizeof self) != 0) {
    fprintf(stderr, "conclab: /proc/self/exe: %s\n", strerror(errno));
    return -1;
  }
  snprintf(lab->profile, sizeof lab->profile, "%s",
           lab_profile_names[a->profile]);
  lab->runs = profile_runs[a->profile];
  lab->big_mb = c.big_mb;
  base_machine_read(&lab->machine);
  for (int i = 0; i < lab_nunits; i++)
    total += selected(a->only, lab_units[i].name);
  for (int s = 0; s < 3; s++)
    total += selected(a->only, sweep_names[s]);
  for (int i = 0; i < lab_nrefs; i++)
    total += selected(a->only, lab_refs[i].name);

  for (int i = 0; i < lab_nunits && lab->nrows < LAB_MAX_ROWS; i++) {
    const lab_unit *u = &lab_units[i];
    long count = u->count[a->profile];
    lab_row *r = &lab->rows[lab->nrows];
    if (!selected(a->only, u->name))
      continue;
    progress("conclab: lab [%d/%d] %s: 1 warm-up + %d runs of %ld, "
             "%.0f s elapsed", ++done, total, u->name, lab->runs, count,
             lab_now_s() - t0);
    measure_unit(&c, u, count, lab->runs, r);
    if (r->failed)
      fprintf(stderr, "conclab: lab: %s failed: %s\n", u->name, r->why);
    lab->nrows++;
  }
  for (int s = 0; s < 3; s++) {
    lab_sweep_result *out = &lab->sweeps[lab->nsweeps];
    char why[128];
    if (!selected(a->only, sweep_names[s]))
      continue;
    progress("conclab: lab [%d/%d] %s: up to %ld, %.0f s elapsed", ++done,
             total, sweep_names[s], sweep_caps[a->profile][s],
             lab_now_s() - t0);
    run_sweep(&c, s, sweep_caps[a->profile][s], out);
    lab_sweep_why(out, why, sizeof why);
    fprintf(stderr, "conclab: lab: %s: %ld held, %s\n", sweep_names[s],
            out->largest, why);
    lab->nsweeps++;
  }
  for (int i = 0; i < lab_nrefs && lab->noverheads < LAB_MAX_OVERHEADS; i++) {
    lab_overhead *o = &lab->overheads[lab->noverheads];
    if (!selected(a->only, lab_refs[i].name))
      continue;
    progress("conclab: lab [%d/%d] %s: 1 warm-up + %d pairs (bare, "
             "conclab) of %ld, %.0f s elapsed", ++done, total,
             lab_refs[i].name, lab->runs, lab_refs[i].n[a->profile],
             lab_now_s() - t0);
    lab_overhead_measure(self, &lab_refs[i], a->profile, lab->runs, o);
    if (o->failed)
      fprintf(stderr, "conclab: lab: %s failed: %s\n", o->name, o->why);
    lab->noverheads++;
  }
  lab->elapsed_s = lab_now_s() - t0;
  return 0;
}

