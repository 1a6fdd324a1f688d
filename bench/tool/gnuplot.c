/*
 * gnuplot.c - drawing the report's plots with gnuplot, an outside tool:
 * each script under DIR/plots/ whose data has rows becomes an SVG, written
 * under a temporary name and renamed into place.
 */
#include "gnuplot.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "process.h"

/* The data file a script reads, as "data/NAME": from its first
 * '../data/NAME' (every script reads one). */
static int script_data(const char *script_path, char *data, size_t cap) {
  char line[1024];
  FILE *f = fopen(script_path, "r");
  int found = 0;
  if (f == NULL)
    return -1;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    char *p = strstr(line, "'../data/");
    char *q = p ? strchr(p + 1, '\'') : NULL;
    if (q != NULL && (size_t)(q - p - 4) < cap) {
      memcpy(data, p + 4, (size_t)(q - p - 4));
      data[q - p - 4] = '\0';
      found = 1;
    }
  }
  fclose(f);
  return found ? 0 : -1;
}

/* Run `gnuplot -e "out='NAME.svg.tmp'" NAME.gp` in the plots directory
 * (the scripts name their files relative to it, and draw into `out`, or
 * NAME.svg when run by hand).  Its exit status, or 127 if it did not
 * start. */
static int run_gnuplot(const char *plots, const char *script,
                       const char *tmp_name) {
  char out[BASE_PATH_MAX + 16];
  char *argv[] = {"gnuplot", "-e", out, (char *)script, NULL};
  const base_spawn_opts o = {.dir = plots};
  char why[256];
  int rc;
  if (snprintf(out, sizeof out, "out='%s'", tmp_name) >= (int)sizeof out)
    return 127;
  rc = base_run("gnuplot", argv, &o, NULL, 0, why, sizeof why);
  return rc < 0 ? 127 : rc;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int tool_gnuplot_list(const char *dir, const char *suffix, char ***out) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL;
  int n = 0, cap = 0;
  size_t sl = strlen(suffix);

  *out = NULL;
  if (d == NULL)
    return -1;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len <= sl || strcmp(e->d_name + len - sl, suffix) != 0)
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      names = realloc(names, (size_t)cap * sizeof *names);
      if (names == NULL)
        abort();
    }
    names[n] = strndup(e->d_name, len - sl);
    if (names[n] == NULL)
      abort();
    n++;
  }
  closedir(d);
  if (n > 0)
    qsort(names, (size_t)n, sizeof *names, by_name);
  *out = names;
  return n;
}

void tool_gnuplot_free_list(char **names, int n) {
  for (int i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* Does the data file exist and hold a row that is not a "#" comment? */
static int has_rows(const char *path) {
  char line[512];
  FILE *f = fopen(path, "r");
  int rows = 0;
  if (f == NULL)
    return 0;
  while (!rows && fgets(line, sizeof line, f) != NULL)
    rows = line[0] != '#' && line[0] != '\n';
  fclose(f);
  return rows;
}

/* snprintf into a path buffer: 0, or -1 when it did not fit. */
static int path_fmt(char *out, size_t cap, const char *fmt, const char *a,
                    const char *b) {
  int n = snprintf(out, cap, fmt, a, b);
  return n >= 0 && (size_t)n < cap ? 0 : -1;
}

/* Draw one script; 1 when its SVG is in place. */
static int render_one(const char *dir, const char *name) {
  char plots[BASE_PATH_MAX], script[BASE_PATH_MAX], data[256];
  char path[BASE_PATH_MAX], tmp[BASE_PATH_MAX];
  int rc;

  if (path_fmt(plots, sizeof plots, "%s/%s", dir, "plots") != 0 ||
      path_fmt(script, sizeof script, "%s/%s.gp", plots, name) != 0 ||
      script_data(script, data, sizeof data) != 0 ||
      path_fmt(path, sizeof path, "%s/%s", dir, data) != 0) /* "data/X" */
    return 0;
  if (!has_rows(path))
    return 0; /* that part of the report has not been run (or measured
                 nothing, as `lab --only` can): no picture */
  if (path_fmt(script, sizeof script, "%s%s.gp", "", name) != 0 ||
      path_fmt(tmp, sizeof tmp, "%s/%s.svg.tmp", plots, name) != 0 ||
      path_fmt(path, sizeof path, "%s/%s.svg", plots, name) != 0)
    return 0;
  rc = run_gnuplot(plots, script, strrchr(tmp, '/') + 1);
  if (rc == 0 && rename(tmp, path) == 0)
    return 1;
  fprintf(stderr, "conclab: gnuplot %s/%s.gp: %s\n", plots, name,
          rc == 0 ? strerror(errno) : "failed");
  unlink(tmp);
  return 0;
}

int tool_gnuplot_render(const char *dir, char *why, size_t cap) {
  char plots[BASE_PATH_MAX];
  char **names;
  int n, drawn = 0;

  if (base_find_program("gnuplot", plots, sizeof plots) != 0) {
    snprintf(why, cap, "gnuplot was not found on PATH (on Debian: "
                       "apt-get install gnuplot-nox)");
    return -1;
  }
  snprintf(plots, sizeof plots, "%s/plots", dir);
  n = tool_gnuplot_list(plots, ".gp", &names);
  for (int i = 0; i < n; i++)
    drawn += render_one(dir, names[i]);
  tool_gnuplot_free_list(names, n);
  return drawn;
}

