/*
 * version.c - `conclab --version`: which conclab this is, so a result can
 * be traced to the code that measured it.
 */
#include "cmd.h"

#include <stdio.h>

#include "version.h"

int cmd_version(int argc, char **argv) {
  if (argc > 1) {
    fprintf(stderr, "conclab: --version: takes no arguments (got '%s')\n",
            argv[1]);
    return 2;
  }
  printf("conclab %s\ncommit %s\njson schema %d\n", base_version(),
         base_build_commit(), BASE_SCHEMA);
  return 0;
}
