/*
 * out.c - the --out directory of `conclab suite` and `conclab lab`,
 * checked before anything runs.
 */
#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"

int cmd_prepare_out(const char *dir, int plots) {
  static const char *const subs[] = {"", "/data", "/plots"};
  char path[BASE_PATH_MAX];

  /* Every file's path is DIR and a short name under it: within PATH_MAX,
   * they all fit BASE_PATH_MAX, and none is ever cut short. */
  if (strlen(dir) >= PATH_MAX) {
    fprintf(stderr, "conclab: --out: longer than %d bytes\n", PATH_MAX - 1);
    return -1;
  }
  for (int i = 0; i < (plots ? 3 : 2); i++) {
    snprintf(path, sizeof path, "%s%s", dir, subs[i]);
    if ((mkdir(path, 0777) != 0 && errno != EEXIST) ||
        access(path, W_OK | X_OK) != 0) {
      fprintf(stderr, "conclab: --out: cannot write to %s: %s\n", path,
              strerror(errno));
      return -1;
    }
  }
  return 0;
}
