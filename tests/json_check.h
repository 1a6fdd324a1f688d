/*
 * json_check.h - a strict JSON syntax checker for tests (RFC 8259).
 *
 * Recursive descent: a value is an object, an array, a string, a number,
 * true, false or null; nothing may follow the top value but white space.
 * It checks syntax only - enough to say that a viewer's parser will accept
 * what we wrote.  json_check returns NULL when text is valid JSON, else a
 * pointer to where it first went wrong.
 */
#ifndef CONCLAB_TEST_JSON_CHECK_H
#define CONCLAB_TEST_JSON_CHECK_H

#include <string.h>

static const char *jc_value(const char *p, int depth);

static const char *jc_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

static int jc_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/* A string: no raw control characters, only the escapes JSON knows. */
static const char *jc_string(const char *p) {
  if (*p++ != '"')
    return NULL;
  for (;;) {
    unsigned char c = (unsigned char)*p;
    if (c == '"')
      return p + 1;
    if (c < 0x20)
      return NULL; /* end of text, or a control character */
    if (c == '\\') {
      p++;
      if (*p == 'u') {
        for (int i = 1; i <= 4; i++)
          if (!jc_hex(p[i]))
            return NULL;
        p += 4;
      } else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
        return NULL;
      }
    }
    p++;
  }
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static const char *jc_number(const char *p) {
  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    while (*p >= '0' && *p <= '9')
      p++;
  else
    return NULL;
  if (*p == '.') {
    p++;
    if (!(*p >= '0' && *p <= '9'))
      return NULL;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    if (!(*p >= '0' && *p <= '9'))
      return NULL;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  return p;
}

/* [ value (, value)* ] or { string : value (, string : value)* } */
static const char *jc_container(const char *p, int depth) {
  char close = *p == '{' ? '}' : ']';
  p = jc_space(p + 1);
  if (*p == close)
    return p + 1;
  for (;;) {
    p = jc_space(p);
    if (close == '}') {
      p = jc_string(p);
      if (p == NULL)
        return NULL;
      p = jc_space(p);
      if (*p++ != ':')
        return NULL;
    }
    p = jc_value(p, depth + 1);
    if (p == NULL)
      return NULL;
    p = jc_space(p);
    if (*p == close)
      return p + 1;
    if (*p++ != ',')
      return NULL;
  }
}

static const char *jc_value(const char *p, int depth) {
  p = jc_space(p);
  if (depth > 64)
    return NULL;
  if (*p == '{' || *p == '[')
    return jc_container(p, depth);
  if (*p == '"')
    return jc_string(p);
  if (strncmp(p, "true", 4) == 0)
    return p + 4;
  if (strncmp(p, "false", 5) == 0)
    return p + 5;
  if (strncmp(p, "null", 4) == 0)
    return p + 4;
  return jc_number(p);
}

/* NULL if text is one valid JSON value (with white space around it). */
static inline const char *json_check(const char *text) {
  const char *end = jc_value(text, 0);
  if (end == NULL)
    return text; /* somewhere inside; good enough to fail a test */
  end = jc_space(end);
  return *end == '\0' ? NULL : end;
}

#endif
