/*
 * guard.h - leave nothing behind when a signal ends the process.
 *
 * Lesson: Ctrl-C, SIGTERM (a timeout, a CI runner) or SIGHUP (a closed
 * terminal) can come at any instant, also in the middle of writing a file
 * or of waiting for a child.  Between base_guard_arm and base_guard_disarm such
 * a signal first undoes what is in progress - passes the signal on to the
 * child's process group and waits for the child, then removes the temporary
 * file - and then does what it would have done anyway: the handler that was
 * there before (workdir.c's, during a files batch), or the default, so the
 * process dies of the signal and its parent sees that it did.  A signal
 * that was ignored (nohup) stays ignored.
 *
 * The handler may only make async-signal-safe calls (kill, waitpid,
 * nanosleep, unlink, sigaction, raise), and must never see half a path:
 * base_guard_file and base_guard_child change what it undoes with the signals
 * held.  A file or a child that comes into being in a call that returns its
 * name (mkstemp, posix_spawn) is made between base_guard_hold and
 * base_guard_release, so no signal falls between its birth and its guard.  One
 * guard at a time.
 */
#ifndef CONCLAB_GUARD_H
#define CONCLAB_GUARD_H

#include <signal.h>
#include <sys/types.h>

/* Catch SIGINT, SIGTERM and SIGHUP.  0, or -1 (errno set; EBUSY: armed
 * already). */
int base_guard_arm(void);
/* Forget the file and the child; the handlers from before base_guard_arm. */
void base_guard_disarm(void);

/* The temporary file a signal removes (NULL: none).  Set it before the
 * file is made, or while held. */
void base_guard_file(const char *path);
/* The child a signal is passed on to (0: none).  It leads its own process
 * group (posix_spawn's POSIX_SPAWN_SETPGROUP), so the group gets the
 * signal: the child and whatever it started. */
void base_guard_child(pid_t pid);

/* Block SIGINT, SIGTERM and SIGHUP, the mask before in *old (a spawned
 * child should get *old back); then base_guard_release(old) delivers any that
 * came meanwhile. */
void base_guard_hold(sigset_t *old);
void base_guard_release(const sigset_t *old);

#endif
