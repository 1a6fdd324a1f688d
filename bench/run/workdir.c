/*
 * workdir.c - the files workload's directory: made before a run, removed
 * after it - also when the run fails, and on Ctrl-C, SIGTERM or SIGHUP, so
 * no half-written batch is left on disk.
 *
 * A run touches only what it made: its tasks write into a fresh directory
 * of its own, and the clean-up removes names only in there.  When that
 * directory cannot be made, the run stops before it starts - it never
 * falls back to the user's directory, whose files may have the tasks'
 * names.
 */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

/* What the signal handler needs, set before it is installed.  g_dir is
 * empty unless it names the directory this run made. */
static char g_dir[RUN_WORKDIR_MAX];
static int g_count;
static pid_t g_owner; /* forked workers inherit the handler, not the job */
static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIGNALS (int)(sizeof g_signals / sizeof g_signals[0])
static struct sigaction g_old[NSIGNALS];

/* DIR/f0000042 without snprintf, which a signal handler may not call.
 * The same names as wl_files_path. */
static void file_name(char *out, size_t cap, int i) {
  size_t n = strlen(g_dir);
  char digits[16];
  int k = 0;

  if (n + 12 > cap)
    n = cap - 12; /* cannot happen: g_dir is short enough */
  memcpy(out, g_dir, n);
  out[n++] = '/';
  out[n++] = 'f';
  do {
    digits[k++] = (char)('0' + i % 10);
    i /= 10;
  } while (i > 0);
  for (int pad = k; pad < 7; pad++)
    out[n++] = '0';
  while (k > 0)
    out[n++] = digits[--k];
  out[n] = '\0';
}

static void unlink_all(void) {
  char path[RUN_WORKDIR_MAX + 16];
  for (int i = 0; i < g_count; i++) {
    file_name(path, sizeof path, i);
    unlink(path);
  }
}

/* Only async-signal-safe calls: unlink and rmdir.  In a signal handler the
 * other threads still run, and one may be creating its file as we go;
 * wl_files_stopping stops new ones, and another pass takes any that
 * slipped through, until the directory can be removed. */
static void remove_files(void) {
  if (g_dir[0] == '\0') /* nothing of ours to remove: touch nothing */
    return;
  for (int pass = 0; pass < 20; pass++) {
    unlink_all();
    if (rmdir(g_dir) == 0 || errno != ENOTEMPTY)
      return;
  }
}

static void on_signal(int sig) {
  wl_files_stopping = 1;
  if (getpid() == g_owner) /* a worker process leaves it to its parent */
    remove_files();
  signal(sig, SIG_DFL); /* then die of it, as if we had not caught it */
  raise(sig);
}

/* Make a fresh directory under parent; 0, or -1 with errno set (and
 * g_dir empty). */
static int make_dir(const char *parent) {
  int n = snprintf(g_dir, sizeof g_dir, "%s/conclab-files-XXXXXX", parent);
  if (n < 0 || (size_t)n >= sizeof g_dir) {
    g_dir[0] = '\0';
    errno = ENAMETOOLONG;
    return -1;
  }
  if (mkdtemp(g_dir) == NULL) {
    g_dir[0] = '\0';
    return -1;
  }
  return 0;
}

int run_workdir_open(const char *who, const char *parent, int count, char *dir,
                     size_t cap) {
  const char *tmp = getenv("TMPDIR");
  const char *base = parent != NULL                  ? parent
                     : tmp != NULL && *tmp != '\0' ? tmp
                                                     : "/tmp";
  struct sigaction sa = {.sa_handler = on_signal};

  if (make_dir(base) != 0) {
    fprintf(stderr, "conclab: %s: cannot make a directory in %s%s: %s%s\n",
            who, parent != NULL ? "--dir " : "", base, strerror(errno),
            parent != NULL ? "" : " (give --dir)");
    return -1;
  }
  g_count = count;
  g_owner = getpid();
  snprintf(dir, cap, "%s", g_dir);
  sigemptyset(&sa.sa_mask);
  for (int k = 0; k < NSIGNALS; k++)
    sigaddset(&sa.sa_mask, g_signals[k]);
  for (int k = 0; k < NSIGNALS; k++) {
    sigaction(g_signals[k], NULL, &g_old[k]);
    if (g_old[k].sa_handler != SIG_IGN) /* ignored stays ignored (nohup) */
      sigaction(g_signals[k], &sa, NULL);
  }
  return 0;
}

void run_workdir_close(void) {
  /* Remove first, with the handler still in place: a Ctrl-C now only
   * finishes the same job. */
  remove_files();
  for (int k = 0; k < NSIGNALS; k++)
    sigaction(g_signals[k], &g_old[k], NULL);
  g_dir[0] = '\0'; /* removed: a second close has nothing to do */
}
