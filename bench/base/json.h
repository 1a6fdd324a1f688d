/*
 * json.h - flat JSON objects through cJSON: write them, read them back.
 *
 * `conclab run --json` prints one flat object (string and number values,
 * no nesting) on one line; the suite and the lab read those objects back
 * from their children.  The same builder makes the records of the bigger
 * documents (summary.json, lab.json), which nest them with base_json_take.
 */
#ifndef CONCLAB_JSON_H
#define CONCLAB_JSON_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* Writing: base_json_begin, then fields, then base_json_end (or
 * base_json_take). */
typedef struct base_json_writer {
  FILE *out; /* where base_json_end prints; NULL when the object is taken */
  cJSON *obj;
} base_json_writer;

void base_json_begin(base_json_writer *w, FILE *out);
void base_json_str(base_json_writer *w, const char *key, const char *value);
void base_json_int(base_json_writer *w, const char *key, long long value);
/* %.6f; null if not finite */
void base_json_num(base_json_writer *w, const char *key, double value);
/* Print the object on one line, and free it. */
void base_json_end(base_json_writer *w);
/* The object, for the caller to nest (and free). */
cJSON *base_json_take(base_json_writer *w);

/* Write s as a JSON string literal, quotes and escapes included. */
void base_json_string(FILE *out, const char *s);

/* Add key: v printed with `decimals` digits after the point (null if v is
 * not finite): the fixed layouts the reports have always had. */
void base_json_add_fixed(cJSON *obj, const char *key, int decimals, double v);
/* Add key: v as an exact integer. */
void base_json_add_int(cJSON *obj, const char *key, long long v);
/* Print doc (indented, as cJSON does) and a newline to out; frees doc. */
void base_json_print(FILE *out, cJSON *doc);
/* A cJSON call's result, or abort: like malloc, only memory can fail. */
void *base_json_need(void *p);

/* Reading a parsed object: 0 and the value at key, or -1 if obj is not an
 * object, the key is absent or its value has the wrong type.  A string
 * longer than cap - 1 bytes is cut there. */
int base_json_obj_num(const cJSON *obj, const char *key, double *out);
int base_json_obj_str(const cJSON *obj, const char *key, char *out, size_t cap);

/* Reading a flat object: 0 and the value, or -1 if the text is not one
 * JSON object, the key is absent or its value has the wrong type. */
int base_json_num_of(const char *json, const char *key, double *out);
int base_json_str_of(const char *json, const char *key, char *out, size_t cap);

#endif
