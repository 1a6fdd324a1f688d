/*
 * json.h - just enough JSON: write flat objects, read them back.
 *
 * `conclab run --json` prints one flat object (string and number values,
 * no nesting); the suite reads those objects back from its children.
 */
#ifndef CONCLAB_JSON_H
#define CONCLAB_JSON_H

#include <stdio.h>

/* Writing: jw_begin, then fields, then jw_end.  `first` tracks commas. */
typedef struct jw {
  FILE *out;
  int first;
} jw;

void jw_begin(jw *w, FILE *out);
void jw_str(jw *w, const char *key, const char *value);
void jw_int(jw *w, const char *key, long long value);
void jw_num(jw *w, const char *key, double value);
void jw_end(jw *w); /* closes the object and ends the line */

/* Write s as a JSON string literal, quotes and escapes included. */
void json_write_string(FILE *out, const char *s);

/* Reading a flat object: 0 and the value, or -1 if the key is absent or
 * its value has the wrong type. */
int jr_num(const char *json, const char *key, double *out);
int jr_str(const char *json, const char *key, char *out, size_t cap);

#endif
