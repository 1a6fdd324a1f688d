/*
 * workdir.c - the files workload's directory: made before a run, emptied
 * (and removed, when it is ours) after it - also when the run fails, and
 * on Ctrl-C or SIGTERM, so no half-written batch is left on disk.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

/* What the signal handler needs, set before it is installed. */
static char g_dir[CL_WORKDIR_MAX];
static int g_count, g_ours;

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
  char path[CL_WORKDIR_MAX + 16];
  for (int i = 0; i < g_count; i++) {
    file_name(path, sizeof path, i);
    unlink(path);
  }
}

/* Only async-signal-safe calls: unlink and rmdir.  In a signal handler the
 * other threads (or worker processes) still run, and one may be creating
 * its file as we go; wl_files_stopping stops new ones, and a second pass
 * takes any that slipped through. */
static void remove_files(void) {
  for (int pass = 0; pass < 20; pass++) {
    unlink_all();
    if (!g_ours || rmdir(g_dir) == 0 || errno != ENOTEMPTY)
      return;
  }
}

static void on_signal(int sig) {
  wl_files_stopping = 1;
  remove_files();
  signal(sig, SIG_DFL); /* then die of it, as if we had not caught it */
  raise(sig);
}

int cl_workdir_open(const char *parent, int count, char *dir, size_t cap) {
  struct sigaction sa = {.sa_handler = on_signal};

  if (parent != NULL) { /* the user's: used as it is, never removed */
    snprintf(g_dir, sizeof g_dir, "%s", parent);
    g_ours = 0;
  } else {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/conclab-files-XXXXXX",
             tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(g_dir) == NULL) {
      fprintf(stderr, "conclab: files: cannot make a directory in %s: %s "
              "(give --dir)\n", tmp != NULL && *tmp != '\0' ? tmp : "/tmp",
              strerror(errno));
      return -1;
    }
    g_ours = 1;
  }
  g_count = count;
  snprintf(dir, cap, "%s", g_dir);
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  return 0;
}

void cl_workdir_close(void) {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  remove_files();
}
