/*
 * json.c - flat JSON objects (see json.h).  cJSON does the syntax: the
 * escaping, the parsing; this file only fixes how numbers are printed.
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void *base_json_need(void *p) {
  if (p == NULL)
    abort();
  return p;
}

void base_json_string(FILE *out, const char *s) {
  cJSON *item = base_json_need(cJSON_CreateString(s));
  char *text = base_json_need(cJSON_PrintUnformatted(item));

  fputs(text, out);
  cJSON_free(text);
  cJSON_Delete(item);
}

void base_json_add_fixed(cJSON *obj, const char *key, int decimals, double v) {
  char buf[64];

  if (!isfinite(v)) { /* JSON has no inf or nan */
    base_json_need(cJSON_AddNullToObject(obj, key));
    return;
  }
  snprintf(buf, sizeof buf, "%.*f", decimals, v);
  base_json_need(cJSON_AddRawToObject(obj, key, buf));
}

/* Raw, not cJSON's number: a double prints only 15 digits for sure. */
void base_json_add_int(cJSON *obj, const char *key, long long v) {
  char buf[32];

  snprintf(buf, sizeof buf, "%lld", v);
  base_json_need(cJSON_AddRawToObject(obj, key, buf));
}

void base_json_print(FILE *out, cJSON *doc) {
  char *text = base_json_need(cJSON_Print(doc));

  fputs(text, out);
  fputc('\n', out);
  cJSON_free(text);
  cJSON_Delete(doc);
}

void base_json_begin(base_json_writer *w, FILE *out) {
  w->out = out;
  w->obj = base_json_need(cJSON_CreateObject());
}

void base_json_str(base_json_writer *w, const char *key, const char *value) {
  base_json_need(cJSON_AddStringToObject(w->obj, key, value));
}

void base_json_int(base_json_writer *w, const char *key, long long value) {
  base_json_add_int(w->obj, key, value);
}

void base_json_num(base_json_writer *w, const char *key, double value) {
  base_json_add_fixed(w->obj, key, 6, value);
}

void base_json_end(base_json_writer *w) {
  char *text = base_json_need(cJSON_PrintUnformatted(w->obj));

  fputs(text, w->out);
  fputc('\n', w->out);
  cJSON_free(text);
  cJSON_Delete(w->obj);
  w->obj = NULL;
}

cJSON *base_json_take(base_json_writer *w) {
  cJSON *obj = w->obj;

  w->obj = NULL;
  return obj;
}

int base_json_obj_num(const cJSON *obj, const char *key, double *out) {
  const cJSON *v = cJSON_IsObject(obj)
                       ? cJSON_GetObjectItemCaseSensitive(obj, key)
                       : NULL;

  if (!cJSON_IsNumber(v))
    return -1;
  *out = v->valuedouble;
  return 0;
}

int base_json_obj_str(const cJSON *obj, const char *key, char *out,
                      size_t cap) {
  const cJSON *v = cJSON_IsObject(obj)
                       ? cJSON_GetObjectItemCaseSensitive(obj, key)
                       : NULL;

  if (!cJSON_IsString(v) || cap == 0)
    return -1;
  snprintf(out, cap, "%s", v->valuestring);
  return 0;
}

/* The text must be one JSON object and nothing else. */
int base_json_num_of(const char *json, const char *key, double *out) {
  cJSON *doc = cJSON_ParseWithOpts(json, NULL, 1);
  int rc = base_json_obj_num(doc, key, out);

  cJSON_Delete(doc);
  return rc;
}

int base_json_str_of(const char *json, const char *key, char *out, size_t cap) {
  cJSON *doc = cJSON_ParseWithOpts(json, NULL, 1);
  int rc = base_json_obj_str(doc, key, out, cap);

  cJSON_Delete(doc);
  return rc;
}
