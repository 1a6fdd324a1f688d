/*
 * json.c - flat JSON objects (see json.h).
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void base_json_string(FILE *out, const char *s) {
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

void base_json_begin(base_json_writer *w, FILE *out) {
  w->out = out;
  w->first = 1;
  fputc('{', out);
}

static void json_key(base_json_writer *w, const char *key) {
  if (!w->first)
    fputs(", ", w->out);
  w->first = 0;
  base_json_string(w->out, key);
  fputs(": ", w->out);
}

void base_json_str(base_json_writer *w, const char *key, const char *value) {
  json_key(w, key);
  base_json_string(w->out, value);
}

void base_json_int(base_json_writer *w, const char *key, long long value) {
  json_key(w, key);
  fprintf(w->out, "%lld", value);
}

void base_json_num(base_json_writer *w, const char *key, double value) {
  json_key(w, key);
  if (isfinite(value))
    fprintf(w->out, "%.6f", value);
  else
    fputs("null", w->out); /* JSON has no inf or nan */
}

void base_json_end(base_json_writer *w) { fputs("}\n", w->out); }

/* Find `"key":` and return what follows it (spaces skipped), or NULL.
 * Enough for the flat objects we write ourselves: keys are unique, and no
 * string value of ours contains a quoted key followed by a colon. */
static const char *json_find(const char *json, const char *key) {
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

int base_json_num_of(const char *json, const char *key, double *out) {
  const char *v = json_find(json, key);
  char *end;
  if (v == NULL)
    return -1;
  *out = strtod(v, &end);
  return end == v ? -1 : 0;
}

int base_json_str_of(const char *json, const char *key, char *out, size_t cap) {
  const char *v = json_find(json, key);
  size_t n = 0;
  if (v == NULL || *v != '"' || cap == 0)
    return -1;
  for (v++; *v != '"'; v++) {
    char c = *v;
    if (c == '\0')
      return -1;
    if (c == '\\' && v[1] == 'u') { /* \u00XX: what we write for controls */
      char hex[5] = {0};
      if (strlen(v + 2) < 4)
        return -1;
      memcpy(hex, v + 2, 4);
      c = (char)strtol(hex, NULL, 16);
      v += 5;
    } else if (c == '\\' && v[1] != '\0') {
      c = *++v; /* \" and \\ */
    }
    if (n + 1 < cap)
      out[n++] = c;
  }
  out[n] = '\0';
  return 0;
}
