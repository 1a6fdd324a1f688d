/*
 * merge.c - `conclab lab --only`: the units run now, merged into the
 * results already in DIR/data/lab.json.
 *
 * `--only` re-measures a few units; the others' results stay what they
 * were, so lab.json, the plot data and the README's section are written
 * from the merge, not from the few units alone.  lab.json is parsed whole
 * by cJSON and read back field by field, as report/lab.c wrote it.
 */
#include "lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "version.h"

static int kind_of(const char *name, lab_kind *k) {
  static const char *const names[] = {"start", "switch", "ipc", "memory"};
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) {
      *k = (lab_kind)i;
      return 0;
    }
  return -1;
}

/* lab_errno_name backwards ("none" and unknown names: 0). */
static int errno_of(const char *name) {
  for (int e = 1; e < 256; e++)
    if (strcmp(lab_errno_name(e), name) == 0)
      return e;
  return 0;
}

int lab_read_summary(const cJSON *obj, const char *prefix,
                     base_summary *s) {
  static const char *const keys[] = {"median", "mad", "min", "max"};
  double *v[] = {&s->median, &s->mad, &s->min, &s->max};
  char key[48];
  for (int i = 0; i < 4; i++) {
    snprintf(key, sizeof key, "%s%s", prefix, keys[i]);
    if (base_json_obj_num(obj, key, v[i]) != 0)
      return -1;
  }
  return 0;
}

static int read_row(const cJSON *obj, lab_row *r) {
  char kind[16];
  double count, n, failed;

  memset(r, 0, sizeof *r);
  if (base_json_obj_str(obj, "name", r->name, sizeof r->name) != 0 ||
      base_json_obj_str(obj, "model", r->model, sizeof r->model) != 0 ||
      base_json_obj_str(obj, "kind", kind, sizeof kind) != 0 ||
      kind_of(kind, &r->kind) != 0 ||
      base_json_obj_str(obj, "what", r->what, sizeof r->what) != 0 ||
      base_json_obj_num(obj, "count", &count) != 0 ||
      base_json_obj_num(obj, "n", &n) != 0 ||
      lab_read_summary(obj, "", &r->s) != 0 ||
      base_json_obj_num(obj, "failed", &failed) != 0 ||
      base_json_obj_str(obj, "why", r->why, sizeof r->why) != 0)
    return -1;
  if (r->kind == LAB_MEMORY &&
      (lab_read_summary(obj, "user_bytes_", &r->user) != 0 ||
       lab_read_summary(obj, "kernel_bytes_", &r->kernel) != 0))
    return -1;
  r->count = (long)count;
  r->s.n = r->user.n = r->kernel.n = (int)n;
  r->failed = (int)failed;
  return 0;
}

static int read_sweep(const cJSON *obj, lab_sweep_result *s) {
  char stop[16];
  double cap, largest;

  memset(s, 0, sizeof *s);
  if (base_json_obj_str(obj, "model", s->model, sizeof s->model) != 0 ||
      base_json_obj_str(obj, "what", s->what, sizeof s->what) != 0 ||
      base_json_obj_num(obj, "cap", &cap) != 0 ||
      base_json_obj_num(obj, "largest", &largest) != 0 ||
      base_json_obj_str(obj, "stop", stop, sizeof stop) != 0)
    return -1;
  s->cap = (long)cap;
  s->largest = (long)largest;
  s->stop = strcmp(stop, "cap") == 0       ? LAB_STOP_CAP
            : strcmp(stop, "refused") == 0 ? LAB_STOP_REFUSED
                                           : LAB_STOP_FAILED;
  return 0;
}

/* A level; the sweep's errno and a failure's why come from its last. */
static int read_level(const cJSON *obj, lab_sweep_result *s) {
  char err[32];
  double n, got, ok, rss;
  lab_level *lv;

  if (s->nlevels >= LAB_MAX_LEVELS)
    return -1;
  lv = &s->levels[s->nlevels];
  if (base_json_obj_num(obj, "n", &n) != 0 ||
      base_json_obj_num(obj, "got", &got) != 0 ||
      base_json_obj_num(obj, "ok", &ok) != 0 ||
      base_json_obj_num(obj, "wall_s", &lv->h.wall_s) != 0 ||
      base_json_obj_num(obj, "rss_kb", &rss) != 0 ||
      base_json_obj_str(obj, "err", err, sizeof err) != 0)
    return -1;
  lv->n = (long)n;
  lv->h.got = (long)got;
  lv->ok = (int)ok;
  lv->h.rss_kb = (long)rss;
  lv->h.err = err[0] ? errno_of(err) : 0;
  s->err = lv->h.err;
  s->nlevels++;
  return 0;
}

/* A failed sweep's why, "failed at n=N: WHY" (the head's), gives back
 * its last level's own why. */
static void failed_why(const char *head_why, lab_sweep_result *s) {
  const char *colon = strstr(head_why, ": ");
  if (s->stop != LAB_STOP_FAILED || s->nlevels == 0 || colon == NULL)
    return;
  snprintf(s->levels[s->nlevels - 1].h.why,
           sizeof s->levels[0].h.why, "%s", colon + 2);
}

/* The array at key of doc, which must be there. */
static const cJSON *array_at(const cJSON *doc, const char *key) {
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, key);
  return cJSON_IsArray(a) ? a : NULL;
}

/* One sweep: its head, then its levels. */
static int read_sweep_levels(const cJSON *obj, lab_sweep_result *sweep) {
  const cJSON *levels = array_at(obj, "levels"), *lv;
  char head_why[128];

  if (levels == NULL || read_sweep(obj, sweep) != 0 ||
      base_json_obj_str(obj, "why", head_why, sizeof head_why) != 0)
    return -1;
  cJSON_ArrayForEach(lv, levels) {
    if (read_level(lv, sweep) != 0)
      return -1;
    failed_why(head_why, sweep);
  }
  return 0;
}

static int read_lab(const cJSON *doc, lab_data *lab) {
  const cJSON *units = array_at(doc, "units"),
              *memory = array_at(doc, "memory");
  const cJSON *sweeps = array_at(doc, "sweeps"), *e;
  double runs, big;

  if (base_json_obj_str(doc, "profile", lab->profile, sizeof lab->profile) !=
          0 ||
      base_json_obj_num(doc, "runs", &runs) != 0 ||
      base_json_obj_num(doc, "big_mb", &big) != 0 || units == NULL ||
      memory == NULL || sweeps == NULL)
    return -1;
  lab->runs = (int)runs;
  lab->big_mb = (long)big;
  for (int mem = 0; mem < 2; mem++) {
    const cJSON *rows = mem ? memory : units;
    cJSON_ArrayForEach(e, rows) {
      if (lab->nrows >= LAB_MAX_ROWS ||
          read_row(e, &lab->rows[lab->nrows++]) != 0)
        return -1;
    }
  }
  cJSON_ArrayForEach(e, sweeps) {
    if (lab->nsweeps >= 3 ||
        read_sweep_levels(e, &lab->sweeps[lab->nsweeps++]) != 0)
      return -1;
  }
  /* "overhead": only in a lab that ran such rows */
  cJSON_ArrayForEach(e, array_at(doc, "overhead")) {
    if (lab->noverheads >= LAB_MAX_OVERHEADS ||
        lab_overhead_read(e, &lab->overheads[lab->noverheads++]) != 0)
      return -1;
  }
  return 0;
}

int lab_read_json(const char *text, lab_data *lab) {
  cJSON *doc = cJSON_ParseWithOpts(text, NULL, 1);
  int rc;

  char why[160];

  memset(lab, 0, sizeof *lab);
  rc = doc != NULL && base_json_schema_check(doc, why, sizeof why) == 0
           ? read_lab(doc, lab)
           : -1;
  cJSON_Delete(doc);
  return rc;
}

/* The row or sweep of that name in lab, or NULL. */
static const lab_row *row_named(const lab_data *lab, const char *name) {
  for (int i = 0; i < lab->nrows; i++)
    if (strcmp(lab->rows[i].name, name) == 0)
      return &lab->rows[i];
  return NULL;
}

static const lab_sweep_result *sweep_of(const lab_data *lab,
                                        const char *model) {
  for (int i = 0; i < lab->nsweeps; i++)
    if (strcmp(lab->sweeps[i].model, model) == 0)
      return &lab->sweeps[i];
  return NULL;
}

static const lab_overhead *overhead_named(const lab_data *lab,
                                          const char *name) {
  for (int i = 0; i < lab->noverheads; i++)
    if (strcmp(lab->overheads[i].name, name) == 0)
      return &lab->overheads[i];
  return NULL;
}

int lab_merge(lab_data *now, const lab_data *old) {
  static const char *const models[] = {"async", "threaded", "multiproc"};
  lab_data *m = malloc(sizeof *m);

  if (m == NULL)
    return -1;
  *m = *now;
  m->nrows = m->nsweeps = 0;
  for (int i = 0; i < lab_nunits && m->nrows < LAB_MAX_ROWS; i++) {
    const lab_row *r = row_named(now, lab_units[i].name);
    if (r == NULL)
      r = row_named(old, lab_units[i].name);
    if (r != NULL)
      m->rows[m->nrows++] = *r;
  }
  for (int i = 0; i < 3; i++) {
    const lab_sweep_result *s = sweep_of(now, models[i]);
    if (s == NULL)
      s = sweep_of(old, models[i]);
    if (s != NULL)
      m->sweeps[m->nsweeps++] = *s;
  }
  m->noverheads = 0;
  for (int i = 0; i < lab_nrefs && m->noverheads < LAB_MAX_OVERHEADS; i++) {
    const lab_overhead *o = overhead_named(now, lab_refs[i].name);
    if (o == NULL)
      o = overhead_named(old, lab_refs[i].name);
    if (o != NULL)
      m->overheads[m->noverheads++] = *o;
  }
  *now = *m;
  free(m);
  return 0;
}

const lab_row *lab_row_find(const lab_data *lab, const char *name) {
  for (int i = 0; i < lab->nrows; i++)
    if (strcmp(lab->rows[i].name, name) == 0 && !lab->rows[i].failed)
      return &lab->rows[i];
  return NULL;
}
