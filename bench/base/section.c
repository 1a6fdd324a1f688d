/*
 * section.c - a named section of a Markdown file (see section.h).
 */
#include "section.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"

/* The whole file, NUL-terminated, or NULL (errno says why). */
char *base_section_read(const char *path) {
  FILE *f = fopen(path, "r");
  char *buf = NULL;
  size_t len = 0, cap = 0;

  if (f == NULL)
    return NULL;
  for (;;) {
    size_t n;
    if (cap - len < 4096) {
      char *more = realloc(buf, cap + 65536);
      if (more == NULL) {
        free(buf);
        fclose(f);
        errno = ENOMEM;
        return NULL;
      }
      buf = more;
      cap += 65536;
    }
    n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
    if (n == 0)
      break;
  }
  buf[len] = '\0';
  if (ferror(f)) {
    free(buf);
    buf = NULL;
    errno = EIO;
  }
  fclose(f);
  return buf;
}

static void markers(const char *name, char *begin, char *end, size_t cap) {
  snprintf(begin, cap, "<!-- %s:begin -->\n", name);
  snprintf(end, cap, "<!-- %s:end -->", name);
}

/* Where the begin marker starts, where the section's text starts and ends,
 * and where the end marker ends; -1 if the markers are not both there, in
 * that order. */
static int find(const char *doc, const char *name, const char **begin_at,
                const char **text, const char **text_end,
                const char **end_at) {
  char begin[160], end[160];
  const char *b, *e;

  markers(name, begin, end, sizeof begin);
  b = strstr(doc, begin);
  if (b == NULL)
    return -1;
  e = strstr(b + strlen(begin), end);
  if (e == NULL)
    return -1;
  *begin_at = b;
  *text = b + strlen(begin);
  *text_end = e;
  *end_at = e + strlen(end);
  return 0;
}

char *base_section_get(const char *doc, const char *name) {
  const char *b, *text, *text_end, *e;

  if (doc == NULL || find(doc, name, &b, &text, &text_end, &e) != 0)
    return NULL;
  return strndup(text, (size_t)(text_end - text));
}

char *base_section_extract(const char *path, const char *name) {
  char *doc = base_section_read(path), *out = base_section_get(doc, name);
  free(doc);
  return out;
}

/* Print the new document: what came before, the marked section (unless it
 * is removed), what came after. */
static void put_doc(FILE *f, const char *before, size_t blen,
                    const char *gap, const char *name, const char *text,
                    const char *after) {
  char begin[160], end[160];

  fwrite(before, 1, blen, f);
  if (text != NULL) {
    size_t tlen = strlen(text);
    markers(name, begin, end, sizeof begin);
    fputs(gap, f);
    fputs(begin, f);
    fputs(text, f);
    if (tlen > 0 && text[tlen - 1] != '\n')
      fputc('\n', f);
    fputs(end, f);
  }
  fputs(after, f);
}

char *base_section_put(const char *doc, const char *name, const char *text) {
  const char *b, *body, *body_end, *e, *after = "\n", *gap = "";
  size_t blen = 0, len = 0;
  char *out = NULL;
  FILE *f;

  if (doc == NULL)
    doc = "";
  if (find(doc, name, &b, &body, &body_end, &e) == 0) {
    blen = (size_t)(b - doc); /* replace: keep what is around it */
    after = e;
    if (text == NULL) { /* remove: its line, and the blank line before */
      after = *e == '\n' ? e + 1 : e;
      if (blen >= 2 && doc[blen - 1] == '\n' && doc[blen - 2] == '\n')
        blen--;
    }
  } else if (text == NULL) {
    return strdup(doc);
  } else if (doc[0] != '\0') {
    blen = strlen(doc); /* append, after a blank line */
    gap = doc[blen - 1] == '\n' ? "\n" : "\n\n";
  }
  f = open_memstream(&out, &len);
  if (f == NULL)
    return NULL;
  put_doc(f, doc, blen, gap, name, text, after);
  if (fclose(f) != 0) {
    free(out);
    return NULL;
  }
  return out;
}

int base_section_set(char **doc, const char *name, const char *text) {
  char *next = base_section_put(*doc, name, text);
  if (next == NULL)
    return -1;
  free(*doc);
  *doc = next;
  return 0;
}

static void write_text(FILE *f, const void *arg) { fputs(arg, f); }

int base_section_write(const char *path, const char *doc) {
  return base_atomic_write(path, write_text, doc);
}

int base_section_splice(const char *path, const char *name, const char *text) {
  char *doc = base_section_read(path), *next;
  int rc;

  if (doc == NULL && errno != ENOENT) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return -1;
  }
  next = base_section_put(doc, name, text);
  free(doc);
  if (next == NULL) {
    fprintf(stderr, "conclab: %s: out of memory\n", path);
    return -1;
  }
  rc = base_section_write(path, next);
  free(next);
  return rc;
}
