/*
 * json.h - just enough JSON: write flat objects, read them back.
 *
 * `conclab run --json` prints one flat object (string and number values,
 * no nesting); the suite reads those objects back from its children.
 */
#ifndef CONCLAB_JSON_H
#define CONCLAB_JSON_H

#include <stdio.h>

/* Writing: base_json_begin, then fields, then base_json_end.  `first` tracks commas. */
typedef struct base_json_writer {
  FILE *out;
  int first;
} base_json_writer;

void base_json_begin(base_json_writer *w, FILE *out);
void base_json_str(base_json_writer *w, const char *key, const char *value);
void base_json_int(base_json_writer *w, const char *key, long long value);
void base_json_num(base_json_writer *w, const char *key, double value);
void base_json_end(base_json_writer *w); /* closes the object and ends the line */

/* Write s as a JSON string literal, quotes and escapes included. */
void base_json_string(FILE *out, const char *s);

/* Reading a flat object: 0 and the value, or -1 if the key is absent or
 * its value has the wrong type. */
int base_json_num_of(const char *json, const char *key, double *out);
int base_json_str_of(const char *json, const char *key, char *out, size_t cap);

#endif
