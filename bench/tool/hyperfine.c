/*
 * hyperfine.c - hyperfine's JSON, read and written; the suite's cross-check.
 *
 * The lesson: a clock inside the process (the harness's wall_s, around the
 * batch only) and a clock outside it (hyperfine, around exec to exit) should
 * agree once the process's own start-up is taken off.  If they do not, one
 * of them measures something the other does not - and that is worth
 * knowing before trusting either.
 *
 * cJSON reads and writes the JSON; this file knows only hyperfine's
 * layout: which keys, which types, what may be missing.
 */
#include "hyperfine.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "guard.h"
#include "json.h"
#include "version.h"
#include "process.h"
#include "stats.h"

/* ---- writing ------------------------------------------------------------ */

/* v as the shortest of %.15g .. %.17g that reads back as the same double,
 * so 0.1 stays 0.1 and nothing is lost (cJSON's own printer may round to
 * 15 digits), as a raw item; JSON has no NaN: null. */
static cJSON *number(double v) {
  char buf[40];

  if (!isfinite(v))
    return base_json_need(cJSON_CreateNull());
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  /* hyperfine writes 0.0 for zero; any number is fine JSON, but keep a
   * float looking like one. */
  if (strpbrk(buf, ".eE") == NULL && strlen(buf) + 2 < sizeof buf)
    strcat(buf, ".0");
  return base_json_need(cJSON_CreateRaw(buf));
}

static void add(cJSON *obj, const char *key, cJSON *item) {
  cJSON_AddItemToObject(obj, key, base_json_need(item));
}

static cJSON *result_object(const tool_hf_result *r) {
  cJSON *obj = base_json_need(cJSON_CreateObject());
  cJSON *times = base_json_need(cJSON_CreateArray());
  cJSON *codes = base_json_need(cJSON_CreateArray());
  cJSON *params = base_json_need(cJSON_CreateObject());

  add(obj, "command", cJSON_CreateString(r->command ? r->command : ""));
  add(obj, "mean", number(r->mean));
  add(obj, "stddev", number(r->ntimes < 2 ? NAN : r->stddev));
  add(obj, "median", number(r->median));
  add(obj, "user", number(r->user));
  add(obj, "system", number(r->system));
  add(obj, "min", number(r->min));
  add(obj, "max", number(r->max));
  for (int k = 0; k < r->ntimes; k++)
    cJSON_AddItemToArray(times, number(r->times[k]));
  add(obj, "times", times);
  for (int k = 0; k < r->nexit; k++)
    cJSON_AddItemToArray(codes, base_json_need(r->exit_codes[k] < 0
                                              ? cJSON_CreateNull()
                                              : cJSON_CreateNumber(
                                                    r->exit_codes[k])));
  add(obj, "exit_codes", codes);
  for (int k = 0; k < r->nparams; k++)
    add(params, r->params[k].name, cJSON_CreateString(r->params[k].value));
  /* hyperfine leaves "parameters" out when a command has none */
  if (r->nparams > 0)
    add(obj, "parameters", params);
  else
    cJSON_Delete(params);
  return obj;
}

void tool_hf_write(FILE *out, const tool_hf_result *r, int n) {
  cJSON *doc = base_json_need(cJSON_CreateObject());
  cJSON *results = base_json_need(cJSON_CreateArray());

  for (int i = 0; i < n; i++)
    cJSON_AddItemToArray(results, result_object(&r[i]));
  add(doc, "results", results);
  /* hyperfine's scripts read "results" only: the stamp goes after it */
  base_json_stamp(doc);
  base_json_print(out, doc);
}

void tool_hf_fill_stats(tool_hf_result *r) {
  double sum = 0, sq = 0;
  int n = r->ntimes;

  r->mean = r->stddev = r->median = r->min = r->max = 0;
  if (n <= 0)
    return;
  r->min = r->max = r->times[0];
  for (int i = 0; i < n; i++) {
    sum += r->times[i];
    if (r->times[i] < r->min)
      r->min = r->times[i];
    if (r->times[i] > r->max)
      r->max = r->times[i];
  }
  r->mean = sum / n;
  for (int i = 0; i < n; i++)
    sq += (r->times[i] - r->mean) * (r->times[i] - r->mean);
  r->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0; /* as hyperfine: sample */
  r->median = base_median(r->times, n);
}

void tool_hf_param_add(tool_hf_result *r, const char *name, const char *value) {
  if (r->nparams >= TOOL_HF_MAX_PARAMS)
    return;
  snprintf(r->params[r->nparams].name, sizeof r->params[0].name, "%s", name);
  snprintf(r->params[r->nparams].value, sizeof r->params[0].value, "%s",
           value);
  r->nparams++;
}

void tool_hf_free(tool_hf_result *r, int n) {
  if (r == NULL)
    return;
  for (int i = 0; i < n; i++) {
    free(r[i].command);
    free(r[i].times);
    free(r[i].exit_codes);
  }
  free(r);
}

/* ---- reading: hyperfine's layout ---------------------------------------- */

/* cJSON reads the syntax; these check the shape, and the first thing that
 * is not as hyperfine writes it goes into err. */
typedef struct hf_reader {
  char err[96];
} hf_reader;

static int bad(hf_reader *x, const char *what) {
  if (x->err[0] == '\0')
    snprintf(x->err, sizeof x->err, "%s", what);
  return -1;
}

/* [n, n, ...] (null elements are NAN) into a malloc'd array. */
static int read_times(hf_reader *x, const cJSON *a, double **out, int *n) {
  const cJSON *e;
  int count = cJSON_GetArraySize(a), i = 0;

  if (!cJSON_IsArray(a))
    return bad(x, "\"times\" or \"exit_codes\" is not an array");
  *out = base_json_need(calloc((size_t)count + 1, sizeof **out));
  *n = count;
  cJSON_ArrayForEach(e, a) {
    if (!cJSON_IsNumber(e) && !cJSON_IsNull(e))
      return bad(x, "a time or exit code is not a number");
    (*out)[i++] = cJSON_IsNull(e) ? NAN : e->valuedouble;
  }
  return 0;
}

static int read_exit_codes(hf_reader *x, const cJSON *a, tool_hf_result *r) {
  double *codes = NULL;
  int count = 0, rc = read_times(x, a, &codes, &count);

  if (rc == 0) {
    r->exit_codes = base_json_need(calloc((size_t)count + 1, sizeof(int)));
    r->nexit = count;
    for (int i = 0; i < count; i++)
      r->exit_codes[i] = isnan(codes[i]) ? -1 : (int)codes[i];
  }
  free(codes);
  return rc;
}

/* {"name": "value", ...} */
static int read_params(hf_reader *x, const cJSON *obj, tool_hf_result *r) {
  const cJSON *p;

  if (!cJSON_IsObject(obj))
    return bad(x, "\"parameters\" is not an object");
  cJSON_ArrayForEach(p, obj) {
    if (!cJSON_IsString(p))
      return bad(x, "a parameter's value is not a string");
    tool_hf_param_add(r, p->string, p->valuestring);
  }
  return 0;
}

/* One result object.  command, median and times are required; the other
 * numbers default to 0 (stddev is null for a single run). */
static int read_result(hf_reader *x, const cJSON *obj, tool_hf_result *r) {
  static const struct {
    const char *key;
    size_t offset;
  } numbers[] = {
      {"mean", offsetof(tool_hf_result, mean)},
      {"stddev", offsetof(tool_hf_result, stddev)},
      {"median", offsetof(tool_hf_result, median)},
      {"user", offsetof(tool_hf_result, user)},
      {"system", offsetof(tool_hf_result, system)},
      {"min", offsetof(tool_hf_result, min)},
      {"max", offsetof(tool_hf_result, max)},
  };
  const cJSON *command = cJSON_GetObjectItemCaseSensitive(obj, "command");
  const cJSON *times = cJSON_GetObjectItemCaseSensitive(obj, "times");
  const cJSON *codes = cJSON_GetObjectItemCaseSensitive(obj, "exit_codes");
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(obj, "parameters");

  if (!cJSON_IsObject(obj))
    return bad(x, "a result is not an object");
  for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, numbers[k].key);
    double *field = (double *)((char *)r + numbers[k].offset);
    if (v != NULL && !cJSON_IsNumber(v) && !cJSON_IsNull(v))
      return bad(x, "a statistic is not a number");
    *field = cJSON_IsNumber(v) ? v->valuedouble : 0;
  }
  if (!cJSON_IsString(command) || times == NULL ||
      cJSON_GetObjectItemCaseSensitive(obj, "median") == NULL)
    return bad(x, "a result lacks command, median or times");
  r->command = base_json_need(strdup(command->valuestring));
  if (read_times(x, times, &r->times, &r->ntimes) != 0 ||
      (codes != NULL && read_exit_codes(x, codes, r) != 0) ||
      (params != NULL && read_params(x, params, r) != 0))
    return -1;
  return 0;
}

static int read_results(hf_reader *x, const cJSON *doc, tool_hf_result **out,
                        int *n) {
  const cJSON *results = cJSON_GetObjectItemCaseSensitive(doc, "results");
  const cJSON *e;

  if (!cJSON_IsObject(doc))
    return bad(x, "not an object");
  if (results == NULL)
    return bad(x, "no \"results\"");
  if (!cJSON_IsArray(results))
    return bad(x, "\"results\" is not an array");
  *out = base_json_need(calloc((size_t)cJSON_GetArraySize(results) + 1,
                          sizeof **out));
  cJSON_ArrayForEach(e, results) {
    (*n)++; /* counted before it is read, so an error frees it too */
    if (read_result(x, e, &(*out)[*n - 1]) != 0)
      return -1;
  }
  return 0;
}

int tool_hf_parse(const char *text, const char *name, tool_hf_result **out,
                  int *n) {
  hf_reader x = {""};
  const char *end = NULL;
  cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);

  *out = NULL;
  *n = 0;
  if (doc == NULL) {
    long at = end != NULL ? (long)(end - text) : 0;
    snprintf(x.err, sizeof x.err, "%s at byte %ld",
             end != NULL && *end == '\0' ? "unexpected end of the text"
                                         : "bad JSON",
             at);
  } else if (read_results(&x, doc, out, n) == 0) {
    cJSON_Delete(doc);
    return 0;
  }
  fprintf(stderr, "conclab: %s: not hyperfine's JSON: %s\n", name, x.err);
  cJSON_Delete(doc);
  tool_hf_free(*out, *n);
  *out = NULL;
  *n = 0;
  return -1;
}

int tool_hf_read(const char *path, tool_hf_result **out, int *n) {
  FILE *f = fopen(path, "r");
  char *text = NULL;
  size_t len = 0, cap = 0, got;
  int rc;

  *out = NULL;
  *n = 0;
  if (f == NULL) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return -1;
  }
  do {
    if (cap - len < 4096) {
      char *grown = realloc(text, cap = cap ? 2 * cap : 8192);
      if (grown == NULL) {
        free(text);
        fclose(f);
        fprintf(stderr, "conclab: %s: out of memory\n", path);
        return -1;
      }
      text = grown;
    }
    got = fread(text + len, 1, cap - len - 1, f);
    len += got;
  } while (got > 0);
  if (ferror(f)) {
    fprintf(stderr, "conclab: %s: read error\n", path);
    free(text);
    fclose(f);
    return -1;
  }
  fclose(f);
  text[len] = '\0';
  if (strlen(text) != len) {
    fprintf(stderr, "conclab: %s: not hyperfine's JSON: a NUL byte\n", path);
    free(text);
    return -1;
  }
  rc = tool_hf_parse(text, path, out, n);
  free(text);
  return rc;
}

/* ---- running hyperfine -------------------------------------------------- */

/* Characters that need no quoting, for hyperfine's shell-words split as for
 * a shell. */
static int plain_word(const char *s) {
  if (*s == '\0')
    return 0;
  for (; *s; s++)
    if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "0123456789_-./=:,+@%", *s) == NULL)
      return 0;
  return 1;
}

/* Append c to out; -1 when out is full (one byte is kept for the NUL). */
static int put(char *out, size_t cap, size_t *len, char c) {
  if (*len + 1 >= cap)
    return -1;
  out[(*len)++] = c;
  return 0;
}

int tool_hf_command_line(char *const argv[], char *out, size_t cap) {
  size_t len = 0;
  int rc = 0;

  if (cap == 0)
    return -1;
  for (int i = 0; argv[i] != NULL && rc == 0; i++) {
    const char *a = argv[i];
    int quote = !plain_word(a);
    if (i > 0)
      rc |= put(out, cap, &len, ' ');
    if (quote) /* 'it'\''s': end the quote, an escaped ', quote again */
      rc |= put(out, cap, &len, '\'');
    for (; *a && rc == 0; a++) {
      if (quote && *a == '\'')
        for (const char *e = "'\\'"; *e; e++)
          rc |= put(out, cap, &len, *e);
      rc |= put(out, cap, &len, *a);
    }
    if (quote)
      rc |= put(out, cap, &len, '\'');
  }
  out[len] = '\0';
  return rc == 0 ? 0 : -1;
}

int tool_hf_find(char *out, size_t cap) {
  return base_find_program("hyperfine", out, cap);
}

/* The export, which hyperfine writes by name: made with the signals held
 * and named to the guard at once, so that a signal removes it whenever it
 * comes.  0, or -1 (why filled). */
static int make_export(char *json, size_t cap, char *why, size_t whylen) {
  const char *tmpdir = getenv("TMPDIR");
  sigset_t old;
  int fd, e;

  if (tmpdir == NULL || *tmpdir == '\0')
    tmpdir = "/tmp";
  snprintf(json, cap, "%s/conclab-hf-XXXXXX", tmpdir);
  base_guard_hold(&old);
  fd = mkstemp(json);
  e = errno;
  if (fd >= 0) {
    base_guard_file(json);
    close(fd);
  }
  base_guard_release(&old);
  if (fd < 0)
    snprintf(why, whylen, "mkstemp in %s: %s", tmpdir, strerror(e));
  return fd < 0 ? -1 : 0;
}

/* The one result hyperfine exported, into *r.  0, or -1 (why filled). */
static int read_export(const char *json, tool_hf_result *r, char *why,
                       size_t whylen) {
  tool_hf_result *got = NULL;
  int n = 0;

  if (tool_hf_read(json, &got, &n) != 0) {
    snprintf(why, whylen, "cannot read hyperfine's export");
    return -1;
  }
  if (n != 1) {
    snprintf(why, whylen, "hyperfine exported %d results, not 1", n);
    tool_hf_free(got, n);
    return -1;
  }
  *r = got[0];
  free(got); /* the result's own arrays now belong to *r */
  return 0;
}

int tool_hf_time(const char *hyperfine, const char *command, int warmup,
                 int runs, tool_hf_result *r, char *why, size_t whylen) {
  char json[BASE_PATH_MAX], wtext[16], rtext[16], line[200];
  char *argv[] = {(char *)hyperfine, "-N", /* no shell: it splits */
                  "--style", "none", "--warmup", wtext, "--runs", rtext,
                  "--export-json", json, "--", (char *)command, NULL};
  /* In a process group of its own, which the guard passes a signal on to:
   * hyperfine and the run it is timing. */
  const base_spawn_opts o = {.out = BASE_DEVNULL, .err = BASE_CAPTURE,
                             .guarded = 1};
  int status, rc = -1;

  memset(r, 0, sizeof *r);
  why[0] = '\0';
  /* From here on a signal stops hyperfine and removes the export. */
  if (base_guard_arm() != 0) {
    snprintf(why, whylen, "cannot catch signals: %s", strerror(errno));
    return -1;
  }
  if (make_export(json, sizeof json, why, whylen) == 0) {
    snprintf(wtext, sizeof wtext, "%d", warmup);
    snprintf(rtext, sizeof rtext, "%d", runs);
    status = base_run(hyperfine, argv, &o, NULL, 0, line, sizeof line);
    if (status < 0)
      snprintf(why, whylen, "%s", line);
    else if (status > 0)
      snprintf(why, whylen, "hyperfine exit %d: %s", status, line);
    else
      rc = read_export(json, r, why, whylen);
    if (unlink(json) != 0 && errno != ENOENT)
      fprintf(stderr, "conclab: unlink %s: %s\n", json, strerror(errno));
  }
  base_guard_disarm();
  return rc;
}
