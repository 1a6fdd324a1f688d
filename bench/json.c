/*
 * json.c - flat JSON objects (see json.h).
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

void json_write_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

void jw_begin(jw *w, FILE *out) {
  w->out = out;
  w->first = 1;
  fputc('{', out);
}

static void jw_key(jw *w, const char *key) {
  if (!w->first)
    fputs(", ", w->out);
  w->first = 0;
  json_write_string(w->out, key);
  fputs(": ", w->out);
}

void jw_str(jw *w, const char *key, const char *value) {
  jw_key(w, key);
  json_write_string(w->out, value);
}

void jw_int(jw *w, const char *key, long long value) {
  jw_key(w, key);
  fprintf(w->out, "%lld", value);
}

void jw_num(jw *w, const char *key, double value) {
  jw_key(w, key);
  fprintf(w->out, "%.6f", value);
}

void jw_end(jw *w) { fputs("}\n", w->out); }

/* Find `"key":` and return what follows it (spaces skipped), or NULL.
 * Enough for the flat objects we write ourselves: keys are unique, and no
 * string value of ours contains a quoted key followed by a colon. */
static const char *jr_find(const char *json, const char *key) {
  size_t klen = strlen(key);
  for (const char *p = strchr(json, '"'); p != NULL; p = strchr(p + 1, '"')) {
    if (strncmp(p + 1, key, klen) != 0 || p[klen + 1] != '"')
      continue;
    const char *q = p + klen + 2;
    while (*q == ' ')
      q++;
    if (*q != ':')
      continue;
    q++;
    while (*q == ' ')
      q++;
    return q;
  }
  return NULL;
}

int jr_num(const char *json, const char *key, double *out) {
  const char *v = jr_find(json, key);
  char *end;
  if (v == NULL)
    return -1;
  *out = strtod(v, &end);
  return end == v ? -1 : 0;
}

int jr_str(const char *json, const char *key, char *out, size_t cap) {
  const char *v = jr_find(json, key);
  size_t n = 0;
  if (v == NULL || *v != '"' || cap == 0)
    return -1;
  for (v++; *v != '"'; v++) {
    if (*v == '\0')
      return -1;
    if (*v == '\\' && v[1] != '\0')
      v++; /* our strings escape only quotes and backslashes */
    if (n + 1 < cap)
      out[n++] = *v;
  }
  out[n] = '\0';
  return 0;
}
