/*
 * golden.h - compare a writer's output with a golden file.
 *
 * A golden file under tests/golden/ holds the exact bytes a writer gave
 * for fixed input.  When a change to an output is intended, run the test
 * with CONCLAB_UPDATE_GOLDEN=1, which writes the golden files instead of
 * comparing with them; then read `git diff tests/golden` and commit only
 * what you meant to change.  Include after <cmocka.h>.
 */
#ifndef CONCLAB_TEST_GOLDEN_H
#define CONCLAB_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole file as a string (free it), or NULL if it cannot be read. */
static inline char *golden_slurp(const char *path) {
  FILE *f = fopen(path, "r");
  char *text = NULL;
  size_t len = 0;
  FILE *mem;
  int ch;

  if (f == NULL)
    return NULL;
  mem = open_memstream(&text, &len);
  assert_non_null(mem);
  while ((ch = fgetc(f)) != EOF)
    fputc(ch, mem);
  fclose(f);
  assert_int_equal(fclose(mem), 0);
  return text;
}

/* 1 if got and want are the same text; else 0, after showing the first
 * line where they differ. */
static inline int golden_same(const char *got, const char *want,
                              const char *name) {
  int line = 1;
  const char *g = got, *w = want;

  if (strcmp(got, want) == 0)
    return 1;
  for (; *g != '\0' && *g == *w; g++, w++)
    if (*g == '\n') {
      line++;
      got = g + 1;
      want = w + 1;
    }
  print_error("%s differs at line %d:\n  got:  %.*s\n  want: %.*s\n", name,
              line, (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"),
              want);
  return 0;
}

/* Compare got with CONCLAB_GOLDEN_DIR/name, or write that file when
 * CONCLAB_UPDATE_GOLDEN=1. */
static inline void golden_check(const char *name, const char *got) {
  const char *update = getenv("CONCLAB_UPDATE_GOLDEN");
  char path[1024];
  char *want;

  snprintf(path, sizeof path, "%s/%s", CONCLAB_GOLDEN_DIR, name);
  if (update != NULL && strcmp(update, "1") == 0) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(got, f);
    assert_int_equal(fclose(f), 0);
    print_message("wrote %s\n", path);
    return;
  }
  want = golden_slurp(path);
  if (want == NULL) {
    print_error("cannot read %s (make it with CONCLAB_UPDATE_GOLDEN=1)\n",
                path);
    fail();
  }
  if (!golden_same(got, want, name)) {
    print_error("(if the change is intended: CONCLAB_UPDATE_GOLDEN=1, then "
                "read git diff tests/golden)\n");
    free(want);
    fail();
  }
  free(want);
}

/* The visible tables of Markdown md (those outside a <details> block)
 * have at most max columns: a header row's cells, counted by its
 * unescaped pipes.  Fails naming the first wider header. */
static inline void golden_tables_narrow(const char *md, int max) {
  int folded = 0;
  for (const char *line = md; *line != '\0';) {
    const char *end = strchr(line, '\n');
    size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
    if (len >= 8 && strncmp(line, "<details", 8) == 0)
      folded = 1;
    if (len >= 10 && strncmp(line, "</details>", 10) == 0)
      folded = 0;
    /* a header: a row followed by the |---| line */
    if (!folded && len > 0 && line[0] == '|' && end != NULL &&
        strncmp(end + 1, "|---", 4) == 0) {
      int cols = -1;
      for (size_t k = 0; k < len; k++)
        cols += line[k] == '|' && (k == 0 || line[k - 1] != '\\');
      if (cols > max)
        fail_msg("a table of %d columns (at most %d): %.*s", cols, max,
                 (int)len, line);
    }
    line += len + (end != NULL);
  }
}

#endif
