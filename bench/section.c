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
static char *slurp(const char *path) {
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

/* Where the begin marker starts, where the section's text starts, and
 * where the end marker ends; -1 if the markers are not both there, in
 * that order. */
static int find(const char *doc, const char *name, const char **begin_at,
                const char **text, const char **end_at) {
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
  *end_at = e + strlen(end);
  return 0;
}

char *sec_extract(const char *path, const char *name) {
  char *doc = slurp(path), *out = NULL;
  const char *b, *text, *e;

  if (doc != NULL && find(doc, name, &b, &text, &e) == 0) {
    size_t n = (size_t)(e - text) - strlen("<!-- :end -->") - strlen(name);
    out = malloc(n + 1);
    if (out != NULL) {
      memcpy(out, text, n);
      out[n] = '\0';
    }
  }
  free(doc);
  return out;
}

/* The new file: what came before, the marked section, what came after. */
typedef struct sec_doc {
  const char *before; /* its first blen bytes */
  size_t blen;
  const char *gap, *name, *text, *after;
} sec_doc;

static void write_doc(FILE *f, const void *arg) {
  const sec_doc *d = arg;
  char begin[160], end[160];
  size_t tlen = strlen(d->text);

  markers(d->name, begin, end, sizeof begin);
  fwrite(d->before, 1, d->blen, f);
  fputs(d->gap, f);
  fputs(begin, f);
  fputs(d->text, f);
  if (tlen > 0 && d->text[tlen - 1] != '\n')
    fputc('\n', f);
  fputs(end, f);
  fputs(d->after, f);
}

int sec_splice(const char *path, const char *name, const char *text) {
  char *doc = slurp(path);
  const char *b, *body, *e;
  sec_doc d = {"", 0, "", name, text, "\n"};
  int rc;

  if (doc == NULL && errno != ENOENT) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (doc != NULL) {
    d.before = doc;
    if (find(doc, name, &b, &body, &e) == 0) {
      d.blen = (size_t)(b - doc); /* replace: keep what is around it */
      d.after = e;
    } else if (doc[0] != '\0') {
      d.blen = strlen(doc); /* append, after a blank line */
      d.gap = doc[d.blen - 1] == '\n' ? "\n" : "\n\n";
    }
  }
  rc = aw_write(path, write_doc, &d);
  free(doc);
  return rc;
}
