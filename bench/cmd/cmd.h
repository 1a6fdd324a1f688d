/*
 * cmd.h - the commands: argv in, calls to the layers below, an exit status
 * out (0 ok, 1 runtime failure, 2 usage error, 3 a run with failures).
 */
#ifndef CONCLAB_CMD_H
#define CONCLAB_CMD_H

int cmd_run(int argc, char **argv);   /* run.c */
int cmd_suite(int argc, char **argv); /* suite.c */
int cmd_lab(int argc, char **argv);   /* lab.c */
int cmd_serve(int argc, char **argv); /* serve.c */
int cmd_load(int argc, char **argv);  /* load.c */
int cmd_compare(int argc, char **argv); /* compare.c */
int cmd_version(int argc, char **argv); /* version.c */

/* --out DIR, DIR/data and (plots) DIR/plots, made if missing and
 * writable; else one line naming --out (a usage error: checked before
 * any run).  0, or -1. */
int cmd_prepare_out(const char *dir, int plots);

#endif
