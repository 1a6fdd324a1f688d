/*
 * guard.c - leave nothing behind when a signal ends the process (see
 * guard.h).
 */
#include "guard.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base.h"

/* What the handler undoes; changed only with the signals held. */
static char g_file[BASE_PATH_MAX]; /* a temporary: PATH.tmp.PID */
static pid_t g_child;
static pid_t g_owner; /* a forked child inherits the handler, not the job */
static int g_armed;
static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIGNALS (int)(sizeof g_signals / sizeof g_signals[0])
static struct sigaction g_old[NSIGNALS];

/* The child's group has the signal; give it a moment to finish - the
 * child, and what it started (a run that hyperfine was timing may have its
 * own files to remove) - then make sure. */
static void stop_child(int sig) {
  const struct timespec tick = {0, 10 * 1000 * 1000};
  int reaped = 0;

  kill(-g_child, sig);
  for (int i = 0; i < 200; i++) { /* 2 s */
    if (!reaped) {
      pid_t r = waitpid(g_child, NULL, WNOHANG);
      reaped = r == g_child || (r < 0 && errno != EINTR);
    }
    if (reaped && kill(-g_child, 0) != 0) /* the group is empty */
      return;
    nanosleep(&tick, NULL);
  }
  kill(-g_child, SIGKILL);
  while (!reaped && waitpid(g_child, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* What the signal would have done without us. */
static void pass_on(int sig, siginfo_t *info, void *context) {
  for (int k = 0; k < NSIGNALS; k++) {
    const struct sigaction *old = &g_old[k];
    if (g_signals[k] != sig)
      continue;
    if (old->sa_flags & SA_SIGINFO) {
      old->sa_sigaction(sig, info, context);
      return;
    }
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
      old->sa_handler(sig);
      return;
    }
  }
  /* Blocked while we run: it is delivered, by default, as we return. */
  signal(sig, SIG_DFL);
  raise(sig);
}

static void on_signal(int sig, siginfo_t *info, void *context) {
  int saved = errno;

  if (getpid() == g_owner) {
    if (g_child > 0)
      stop_child(sig);
    if (g_file[0] != '\0')
      unlink(g_file);
  }
  pass_on(sig, info, context);
  errno = saved;
}

void base_guard_hold(sigset_t *old) {
  sigset_t set;
  sigemptyset(&set);
  for (int k = 0; k < NSIGNALS; k++)
    sigaddset(&set, g_signals[k]);
  pthread_sigmask(SIG_BLOCK, &set, old);
}

void base_guard_release(const sigset_t *old) {
  pthread_sigmask(SIG_SETMASK, old, NULL);
}

int base_guard_arm(void) {
  struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};

  if (g_armed) {
    errno = EBUSY;
    return -1;
  }
  g_file[0] = '\0';
  g_child = 0;
  g_owner = getpid();
  /* One signal's cleanup is not cut short by another's. */
  sigemptyset(&sa.sa_mask);
  for (int k = 0; k < NSIGNALS; k++)
    sigaddset(&sa.sa_mask, g_signals[k]);
  for (int k = 0; k < NSIGNALS; k++)
    if (sigaction(g_signals[k], NULL, &g_old[k]) != 0)
      return -1;
  for (int k = 0; k < NSIGNALS; k++)
    if (g_old[k].sa_handler != SIG_IGN && /* ignored stays ignored */
        sigaction(g_signals[k], &sa, NULL) != 0) {
      while (k-- > 0)
        sigaction(g_signals[k], &g_old[k], NULL);
      return -1;
    }
  g_armed = 1;
  return 0;
}

void base_guard_disarm(void) {
  sigset_t old;

  if (!g_armed)
    return;
  base_guard_hold(&old);
  for (int k = 0; k < NSIGNALS; k++)
    sigaction(g_signals[k], &g_old[k], NULL);
  g_file[0] = '\0';
  g_child = 0;
  g_armed = 0;
  base_guard_release(&old);
}

void base_guard_file(const char *path) {
  sigset_t old;
  size_t n = path != NULL ? strlen(path) : 0;

  base_guard_hold(&old);
  if (n >= sizeof g_file)
    n = 0; /* cannot happen: longer paths cannot be opened either */
  memcpy(g_file, path != NULL ? path : "", n);
  g_file[n] = '\0';
  base_guard_release(&old);
}

void base_guard_child(pid_t pid) {
  sigset_t old;
  base_guard_hold(&old);
  g_child = pid;
  base_guard_release(&old);
}
