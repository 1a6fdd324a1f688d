/*
 * section.c - a named section of a Markdown file (see section.h).
 */
#include "section.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
static void write_doc(FILE *f, const char *before, size_t blen,
                      const char *gap, const char *name, const char *text,
                      const char *after) {
  char begin[160], end[160];
  size_t tlen = strlen(text);

  markers(name, begin, end, sizeof begin);
  fwrite(before, 1, blen, f);
  fputs(gap, f);
  fputs(begin, f);
  fputs(text, f);
  if (tlen > 0 && text[tlen - 1] != '\n')
    fputc('\n', f);
  fputs(end, f);
  fputs(after, f);
}

int sec_splice(const char *path, const char *name, const char *text) {
  char tmp[4200];
  char *doc = slurp(path);
  const char *b, *body, *e, *gap = "", *after = "\n";
  size_t blen = 0;
  FILE *f;
  int bad;

  if (doc == NULL && errno != ENOENT) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (doc != NULL && find(doc, name, &b, &body, &e) == 0) {
    blen = (size_t)(b - doc); /* replace: keep what is around it */
    after = e;
  } else if (doc != NULL && doc[0] != '\0') {
    blen = strlen(doc); /* append, after a blank line */
    gap = doc[blen - 1] == '\n' ? "\n" : "\n\n";
  }
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
      (int)sizeof tmp) {
    fprintf(stderr, "conclab: %s: path too long\n", path);
    free(doc);
    return -1;
  }
  f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "conclab: %s: %s\n", tmp, strerror(errno));
    free(doc);
    return -1;
  }
  write_doc(f, doc != NULL ? doc : "", blen, gap, name, text, after);
  bad = ferror(f);
  bad = fclose(f) != 0 || bad;
  free(doc);
  if (bad || rename(tmp, path) != 0) {
    fprintf(stderr, "conclab: writing %s: %s\n", path,
            strerror(bad ? EIO : errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}
