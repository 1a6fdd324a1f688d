/*
 * python.c - `conclab run --impl python`: the same run in CPython.
 *
 * The tutorials' own language under the same harness: conclab finds
 * python/conclab-py and becomes it (exec), so the process a caller waits
 * for, and whose JSON line it reads, is CPython's own, measured as a C
 * run is (conclab-py takes the same flags and prints the same keys).
 */
#define _DEFAULT_SOURCE /* realpath */
#include "run.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "process.h"
#include "version.h"

#define PY_SCRIPT "python/conclab-py"

static int readable(const char *path) { return access(path, R_OK) == 0; }

/* The script: $CONCLAB_PY, else beside an installed binary
 * (PREFIX/share/conclab/), else the source tree this binary was built
 * from. */
static int find_script(const char *self, char *path, size_t cap, char *why,
                       size_t whylen) {
  const char *env = getenv("CONCLAB_PY");
  char real[PATH_MAX], *slash;

  if (env != NULL && env[0] != '\0') {
    snprintf(path, cap, "%s", env);
    if (readable(path))
      return 0;
    snprintf(why, whylen, "CONCLAB_PY=%s: %s", env, strerror(errno));
    return -1;
  }
  if (realpath(self, real) != NULL && (slash = strrchr(real, '/')) != NULL) {
    *slash = '\0';
    snprintf(path, cap, "%s/../share/conclab/%s", real, PY_SCRIPT);
    if (readable(path))
      return 0;
  }
  snprintf(path, cap, "%s/%s", base_source_dir(), PY_SCRIPT);
  if (readable(path))
    return 0;
  snprintf(why, whylen, "%s not found (neither beside this binary nor in "
           "%s; set CONCLAB_PY=path/to/conclab-py)", PY_SCRIPT,
           base_source_dir());
  return -1;
}

/* The script's interpreter, from its "#!" line (Debian's python3, which
 * has python3-aiohttp and python3-aiofiles). */
static int find_python(const char *script, char *python, size_t cap,
                       char *why, size_t whylen) {
  char line[512] = "";
  FILE *f = fopen(script, "r");
  char *end;

  if (f == NULL || fgets(line, sizeof line, f) == NULL ||
      strncmp(line, "#!", 2) != 0) {
    snprintf(why, whylen, "%s: no #! line naming its python3", script);
    if (f != NULL)
      fclose(f);
    return -1;
  }
  fclose(f);
  end = line + strcspn(line, " \t\r\n");
  *end = '\0';
  snprintf(python, cap, "%s", line + 2);
  if (access(python, X_OK) == 0)
    return 0;
  snprintf(why, whylen, "%s (the python3 of %s): %s (install python3, "
           "e.g. .ci/deps)", python, script, strerror(errno));
  return -1;
}

/* Does that python3 have the packages the async models import? */
static int check_packages(const char *python, char *why, size_t whylen) {
  char *argv[] = {(char *)python, "-c",
                  "import importlib.util, sys\n"
                  "m = [n for n in ('aiohttp', 'aiofiles')"
                  " if importlib.util.find_spec(n) is None]\n"
                  "sys.exit('%s lacks %s' % (sys.executable, ', '.join(m))"
                  " if m else 0)\n",
                  NULL};
  char out[64], line[256] = "";
  int status = base_spawn_run(python, argv, out, sizeof out, line,
                              sizeof line);
  if (status == 0)
    return 0;
  snprintf(why, whylen, "%s (install python3-aiohttp and python3-aiofiles, "
           "e.g. .ci/deps)", line[0] ? line : "python3 failed to start");
  return -1;
}

int run_py_find(const char *self, char *script, size_t cap, char *python,
                size_t pycap, char *why, size_t whylen) {
  if (find_script(self, script, cap, why, whylen) != 0 ||
      find_python(script, python, pycap, why, whylen) != 0 ||
      check_packages(python, why, whylen) != 0)
    return -1;
  return 0;
}

int run_py_exec(const char *self, int argc, char **argv) {
  char script[PATH_MAX], python[PATH_MAX], real[PATH_MAX];
  char why[PATH_MAX + 256];
  char **pyargv;

  if (run_py_find(self, script, sizeof script, python, sizeof python, why,
                  sizeof why) != 0) {
    fprintf(stderr, "conclab: --impl python: %s\n", why);
    return 2;
  }
  /* conclab-py serves http and pipeline with this conclab's server */
  if (realpath(self, real) == NULL || setenv("CONCLAB", real, 1) != 0) {
    fprintf(stderr, "conclab: --impl python: %s: %s\n", self,
            strerror(errno));
    return 1;
  }
  pyargv = calloc((size_t)argc + 3, sizeof *pyargv);
  if (pyargv == NULL) {
    fprintf(stderr, "conclab: --impl python: out of memory\n");
    return 1;
  }
  pyargv[0] = python;
  pyargv[1] = script;
  for (int i = 0; i < argc; i++)
    pyargv[2 + i] = argv[i];
  execv(python, pyargv);
  fprintf(stderr, "conclab: --impl python: %s: %s\n", python,
          strerror(errno));
  free(pyargv);
  return 1;
}
