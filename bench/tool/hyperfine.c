/*
 * hyperfine.c - hyperfine's JSON, read and written; the suite's cross-check.
 *
 * The lesson: a clock inside the process (the harness's wall_s, around the
 * batch only) and a clock outside it (hyperfine, around exec to exit) should
 * agree once the process's own start-up is taken off.  If they do not, one
 * of them measures something the other does not - and that is worth
 * knowing before trusting either.
 *
 * The reader is a small recursive-descent walk over JSON (objects, arrays,
 * strings, numbers, literals), not a search for keys in the text: hyperfine
 * nests objects in an array and pretty-prints them, and a key such as
 * "mean" appears once per result.
 */
#include "hyperfine.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"
#include "process.h"
#include "stats.h"

/* ---- writing ------------------------------------------------------------ */

static void write_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", out);
    else if (*p == '\t')
      fputs("\\t", out);
    else if (*p < 0x20)
      fprintf(out, "\\u%04x", *p);
    else
      fputc(*p, out);
  }
  fputc('"', out);
}

/* The shortest of %.15g .. %.17g that reads back as the same double, so
 * 0.1 stays 0.1 and nothing is lost.  JSON has no NaN: null. */
static void write_number(FILE *out, double v) {
  char buf[40];
  if (!isfinite(v)) {
    fputs("null", out);
    return;
  }
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  /* hyperfine writes 0.0 for zero; any number is fine JSON, but keep a
   * float looking like one. */
  if (strpbrk(buf, ".eE") == NULL && strlen(buf) + 2 < sizeof buf)
    strcat(buf, ".0");
  fputs(buf, out);
}

static void write_field(FILE *out, const char *key, double v) {
  fprintf(out, "      \"%s\": ", key);
  write_number(out, v);
  fputs(",\n", out);
}

void tool_hf_write(FILE *out, const tool_hf_result *r, int n) {
  fputs("{\n  \"results\": [", out);
  for (int i = 0; i < n; i++) {
    fputs(i > 0 ? ",\n    {\n" : "\n    {\n", out);
    fputs("      \"command\": ", out);
    write_string(out, r[i].command ? r[i].command : "");
    fputs(",\n", out);
    write_field(out, "mean", r[i].mean);
    write_field(out, "stddev", r[i].ntimes < 2 ? NAN : r[i].stddev);
    write_field(out, "median", r[i].median);
    write_field(out, "user", r[i].user);
    write_field(out, "system", r[i].system);
    write_field(out, "min", r[i].min);
    write_field(out, "max", r[i].max);
    fputs("      \"times\": [", out);
    for (int k = 0; k < r[i].ntimes; k++) {
      fputs(k > 0 ? ",\n        " : "\n        ", out);
      write_number(out, r[i].times[k]);
    }
    fputs(r[i].ntimes > 0 ? "\n      ],\n" : "],\n", out);
    fputs("      \"exit_codes\": [", out);
    for (int k = 0; k < r[i].nexit; k++) {
      fputs(k > 0 ? ",\n        " : "\n        ", out);
      if (r[i].exit_codes[k] < 0)
        fputs("null", out);
      else
        fprintf(out, "%d", r[i].exit_codes[k]);
    }
    fputs(r[i].nexit > 0 ? "\n      ],\n" : "],\n", out);
    fputs("      \"parameters\": {", out);
    for (int k = 0; k < r[i].nparams; k++) {
      fputs(k > 0 ? ",\n        " : "\n        ", out);
      write_string(out, r[i].params[k].name);
      fputs(": ", out);
      write_string(out, r[i].params[k].value);
    }
    fputs(r[i].nparams > 0 ? "\n      }\n    }" : "}\n    }", out);
  }
  fputs(n > 0 ? "\n  ]\n}\n" : "]\n}\n", out);
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

/* ---- reading: a cursor over the text ------------------------------------ */

typedef struct tool_hf_parser {
  const char *start, *p;
  char err[96]; /* the first error, with its byte offset */
} tool_hf_parser;

static int bad(tool_hf_parser *x, const char *what) {
  if (*x->p == '\0') /* the usual case: a file cut short */
    what = "unexpected end of the text";
  if (x->err[0] == '\0')
    snprintf(x->err, sizeof x->err, "%s at byte %ld", what,
             (long)(x->p - x->start));
  return -1;
}

static void skip_ws(tool_hf_parser *x) {
  while (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r')
    x->p++;
}

/* The next significant character, not consumed. */
static char peek(tool_hf_parser *x) {
  skip_ws(x);
  return *x->p;
}

static int expect(tool_hf_parser *x, char c) {
  char msg[32];
  if (peek(x) != c) {
    snprintf(msg, sizeof msg, "expected '%c'", c);
    return bad(x, msg);
  }
  x->p++;
  return 0;
}

static int literal(tool_hf_parser *x, const char *word) {
  size_t n = strlen(word);
  if (strncmp(x->p, word, n) != 0)
    return bad(x, "unexpected character");
  x->p += n;
  return 0;
}

static int hex4(const char *s, unsigned *out) {
  *out = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return -1;
    *out = *out * 16 + (unsigned)d;
  }
  return 0;
}

/* Append code point cp to buf as UTF-8 (buf has room: see parse_string). */
static size_t put_utf8(char *buf, unsigned cp) {
  if (cp < 0x80) {
    buf[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    buf[0] = (char)(0xC0 | (cp >> 6));
    buf[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    buf[0] = (char)(0xE0 | (cp >> 12));
    buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  buf[0] = (char)(0xF0 | (cp >> 18));
  buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  buf[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A string literal, unescaped, into a malloc'd *out.  The decoded text is
 * never longer than the literal (an escape of 6 characters gives at most 3
 * bytes, a pair of 12 gives 4), so one allocation of the literal's length
 * is enough. */
static int parse_string(tool_hf_parser *x, char **out) {
  const char *end;
  char *buf;
  size_t len = 0;

  *out = NULL;
  if (peek(x) != '"')
    return bad(x, "expected a string");
  x->p++;
  for (end = x->p; *end != '"'; end++) {
    if (*end == '\0')
      return bad(x, "unterminated string");
    if (*end == '\\' && end[1] != '\0')
      end++;
  }
  buf = malloc((size_t)(end - x->p) + 1);
  if (buf == NULL)
    return bad(x, "out of memory");
  while (*x->p != '"') {
    unsigned char c = (unsigned char)*x->p++;
    unsigned cp, lo;
    if (c < 0x20) {
      free(buf);
      return bad(x, "control character in a string");
    }
    if (c != '\\') {
      buf[len++] = (char)c;
      continue;
    }
    c = (unsigned char)*x->p++;
    switch (c) {
    case '"': case '\\': case '/': buf[len++] = (char)c; break;
    case 'b': buf[len++] = '\b'; break;
    case 'f': buf[len++] = '\f'; break;
    case 'n': buf[len++] = '\n'; break;
    case 'r': buf[len++] = '\r'; break;
    case 't': buf[len++] = '\t'; break;
    case 'u':
      if (hex4(x->p, &cp) != 0)
        goto bad_escape;
      x->p += 4;
      /* A high surrogate must be followed by \u and a low one. */
      if (cp >= 0xD800 && cp < 0xDC00) {
        if (x->p[0] != '\\' || x->p[1] != 'u' || hex4(x->p + 2, &lo) != 0 ||
            lo < 0xDC00 || lo >= 0xE000)
          goto bad_escape;
        x->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        goto bad_escape;
      }
      len += put_utf8(buf + len, cp);
      break;
    default:
      goto bad_escape;
    }
  }
  x->p++; /* the closing quote */
  buf[len] = '\0';
  *out = buf;
  return 0;
bad_escape:
  free(buf);
  return bad(x, "bad escape in a string");
}

/* A number as JSON spells it: -?int(.digits)?([eE][+-]?digits)? */
static int parse_number(tool_hf_parser *x, double *out) {
  const char *s = (skip_ws(x), x->p), *q = s;
  char buf[64];

  if (*q == '-')
    q++;
  if (*q < '0' || *q > '9')
    return bad(x, "expected a number");
  while (*q >= '0' && *q <= '9')
    q++;
  if (*q == '.') {
    q++;
    if (*q < '0' || *q > '9')
      return bad(x, "bad number");
    while (*q >= '0' && *q <= '9')
      q++;
  }
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-')
      q++;
    if (*q < '0' || *q > '9')
      return bad(x, "bad number");
    while (*q >= '0' && *q <= '9')
      q++;
  }
  if ((size_t)(q - s) >= sizeof buf)
    return bad(x, "number too long");
  memcpy(buf, s, (size_t)(q - s));
  buf[q - s] = '\0';
  *out = strtod(buf, NULL);
  x->p = q;
  return 0;
}

/* A number, or null (then *out = NAN). */
static int parse_number_or_null(tool_hf_parser *x, double *out) {
  if (peek(x) == 'n') {
    *out = NAN;
    return literal(x, "null");
  }
  return parse_number(x, out);
}

/* Members and elements.  After '{' (or '['), each call moves to the next
 * member (element): 1 when there is one (for an object, its key read and
 * the ':' consumed), 0 at the closing bracket, -1 on an error.  *count
 * tracks the commas. */
static int next_member(tool_hf_parser *x, int *count, char **key) {
  *key = NULL;
  if (peek(x) == '}') {
    x->p++;
    return 0;
  }
  if (*count > 0 && expect(x, ',') != 0)
    return -1;
  if (parse_string(x, key) != 0)
    return -1;
  if (expect(x, ':') != 0) {
    free(*key);
    *key = NULL;
    return -1;
  }
  (*count)++;
  return 1;
}

static int next_element(tool_hf_parser *x, int *count) {
  if (peek(x) == ']') {
    x->p++;
    return 0;
  }
  if (*count > 0 && expect(x, ',') != 0)
    return -1;
  (*count)++;
  return 1;
}

/* Any value, thrown away (keys this reader does not know). */
static int skip_value(tool_hf_parser *x, int depth) {
  char c = peek(x), *s;
  int count = 0, more;
  double d;

  if (depth > 64)
    return bad(x, "nested too deeply");
  if (c == '"') {
    if (parse_string(x, &s) != 0)
      return -1;
    free(s);
    return 0;
  }
  if (c == '{') {
    x->p++;
    while ((more = next_member(x, &count, &s)) == 1) {
      free(s);
      if (skip_value(x, depth + 1) != 0)
        return -1;
    }
    return more;
  }
  if (c == '[') {
    x->p++;
    while ((more = next_element(x, &count)) == 1)
      if (skip_value(x, depth + 1) != 0)
        return -1;
    return more;
  }
  if (c == 't')
    return literal(x, "true");
  if (c == 'f')
    return literal(x, "false");
  if (c == 'n')
    return literal(x, "null");
  return parse_number(x, &d);
}

/* ---- reading: hyperfine's layout ---------------------------------------- */

/* [n, n, ...] into a malloc'd array; null elements are NAN. */
static int parse_times(tool_hf_parser *x, double **out, int *n) {
  int count = 0, more, cap = 0;
  double v;

  if (expect(x, '[') != 0)
    return -1;
  while ((more = next_element(x, &count)) == 1) {
    if (parse_number_or_null(x, &v) != 0)
      return -1;
    if (*n == cap) {
      double *grown;
      cap = cap ? 2 * cap : 16;
      grown = realloc(*out, (size_t)cap * sizeof **out);
      if (grown == NULL)
        return bad(x, "out of memory");
      *out = grown;
    }
    (*out)[(*n)++] = v;
  }
  return more;
}

static int parse_exit_codes(tool_hf_parser *x, int **out, int *n) {
  double *codes = NULL;
  int count = 0;

  if (parse_times(x, &codes, &count) != 0) {
    free(codes);
    return -1;
  }
  *out = count > 0 ? malloc((size_t)count * sizeof **out) : NULL;
  if (count > 0 && *out == NULL) {
    free(codes);
    return bad(x, "out of memory");
  }
  for (int i = 0; i < count; i++)
    (*out)[i] = isnan(codes[i]) ? -1 : (int)codes[i];
  *n = count;
  free(codes);
  return 0;
}

/* {"name": "value", ...} */
static int parse_params(tool_hf_parser *x, tool_hf_result *r) {
  int count = 0, more;
  char *key, *value;

  if (expect(x, '{') != 0)
    return -1;
  while ((more = next_member(x, &count, &key)) == 1) {
    if (parse_string(x, &value) != 0) {
      free(key);
      return bad(x, "a parameter's value is not a string");
    }
    tool_hf_param_add(r, key, value);
    free(key);
    free(value);
  }
  return more;
}

/* One result object.  command, median and times are required; the other
 * numbers default to 0 (stddev is null for a single run). */
static int parse_result(tool_hf_parser *x, tool_hf_result *r) {
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
  int count = 0, more, have_median = 0, have_times = 0;
  char *key;

  if (expect(x, '{') != 0)
    return -1;
  while ((more = next_member(x, &count, &key)) == 1) {
    int rc = 0, known = 0;
    for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++)
      if (strcmp(key, numbers[k].key) == 0) {
        double *field = (double *)((char *)r + numbers[k].offset);
        known = 1;
        rc = parse_number_or_null(x, field);
        if (rc == 0 && isnan(*field))
          *field = 0;
        have_median |= k == 2;
      }
    if (known)
      ;
    else if (strcmp(key, "command") == 0 && r->command == NULL)
      rc = parse_string(x, &r->command);
    else if (strcmp(key, "times") == 0 && !have_times) {
      rc = parse_times(x, &r->times, &r->ntimes);
      have_times = 1;
    } else if (strcmp(key, "exit_codes") == 0 && r->exit_codes == NULL)
      rc = parse_exit_codes(x, &r->exit_codes, &r->nexit);
    else if (strcmp(key, "parameters") == 0 && r->nparams == 0)
      rc = parse_params(x, r);
    else
      rc = skip_value(x, 1);
    free(key);
    if (rc != 0)
      return -1;
  }
  if (more != 0)
    return -1;
  if (r->command == NULL || !have_median || !have_times)
    return bad(x, "a result lacks command, median or times");
  return 0;
}

static int parse_results(tool_hf_parser *x, tool_hf_result **out, int *n) {
  int count = 0, more, cap = 0;

  if (expect(x, '[') != 0)
    return -1;
  while ((more = next_element(x, &count)) == 1) {
    if (*n == cap) {
      tool_hf_result *grown;
      cap = cap ? 2 * cap : 8;
      grown = realloc(*out, (size_t)cap * sizeof **out);
      if (grown == NULL)
        return bad(x, "out of memory");
      *out = grown;
    }
    memset(&(*out)[*n], 0, sizeof **out);
    (*n)++; /* counted before it is parsed, so an error frees it too */
    if (parse_result(x, &(*out)[*n - 1]) != 0)
      return -1;
  }
  return more;
}

int tool_hf_parse(const char *text, const char *name, tool_hf_result **out, int *n) {
  tool_hf_parser x = {text, text, ""};
  int count = 0, more, have_results = 0;
  char *key;

  *out = NULL;
  *n = 0;
  if (expect(&x, '{') != 0)
    goto fail;
  while ((more = next_member(&x, &count, &key)) == 1) {
    int rc;
    if (strcmp(key, "results") == 0 && !have_results) {
      rc = parse_results(&x, out, n);
      have_results = 1;
    } else {
      rc = skip_value(&x, 1);
    }
    free(key);
    if (rc != 0)
      goto fail;
  }
  if (more != 0)
    goto fail;
  if (peek(&x) != '\0') {
    bad(&x, "text after the end");
    goto fail;
  }
  if (!have_results) {
    bad(&x, "no \"results\"");
    goto fail;
  }
  return 0;
fail:
  fprintf(stderr, "conclab: %s: not hyperfine's JSON: %s\n", name, x.err);
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
  char json[4200], wtext[16], rtext[16], line[200];
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
