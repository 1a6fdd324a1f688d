/*
 * test_processes.c - the checks for exercise 08: frames over pipes, and
 * a worker process that dies.
 *
 * This program is linked with --wrap=read,--wrap=write (see
 * CMakeLists.txt): every read() and write() in it, yours included, calls
 * __wrap_read / __wrap_write below instead.  Normally they pass straight
 * through.  In "chaos" mode they do the worst a pipe and a signal can do:
 * each call moves only 1 to 3 bytes, or fails with EINTR before moving
 * anything.  A frame must still arrive whole.  fork() is wrapped too, to
 * note the child's pid: the watchdog below stops a stuck child with it.
 * And waitpid(), which in chaos mode fails every other call with EINTR,
 * as it does when a signal arrives while it waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "frame.h"
#include "worker_death.h"

/* ---- the wrappers ----------------------------------------------------- */

#define CHAOS_SHORT 1 /* cut every call to 1..3 bytes */
#define CHAOS_EINTR 2 /* fail every other call with EINTR */

static int chaos;         /* which of the two, or 0 */
static long chaos_calls;  /* calls seen in chaos mode */
static long chaos_cut;    /* calls cut short */
static long chaos_eintr;  /* calls failed with EINTR */

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);

/* 1: fail this call with EINTR.  0: go on, with *n perhaps cut down. */
static int chaos_step(size_t *n) {
  long k;

  if (chaos == 0)
    return 0;
  k = chaos_calls++;
  if ((chaos & CHAOS_EINTR) && k % 2 == 0) {
    chaos_eintr++;
    errno = EINTR;
    return 1;
  }
  if ((chaos & CHAOS_SHORT) && *n > (size_t)(1 + k % 3)) {
    *n = (size_t)(1 + k % 3);
    chaos_cut++;
  }
  return 0;
}

ssize_t __wrap_read(int fd, void *buf, size_t n) {
  return chaos_step(&n) ? -1 : __real_read(fd, buf, n);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n) {
  return chaos_step(&n) ? -1 : __real_write(fd, buf, n);
}

pid_t __real_fork(void);
static volatile pid_t last_child; /* the last fork's child, or 0 */
static int forks;                 /* fork calls */

pid_t __wrap_fork(void) {
  pid_t pid = __real_fork();
  if (pid > 0) {
    last_child = pid;
    forks++;
  }
  return pid;
}

pid_t __real_waitpid(pid_t pid, int *status, int options);
static long waitpid_calls; /* calls seen in chaos mode */

pid_t __wrap_waitpid(pid_t pid, int *status, int options) {
  if ((chaos & CHAOS_EINTR) && waitpid_calls++ % 2 == 0) {
    chaos_eintr++;
    errno = EINTR;
    return -1;
  }
  return __real_waitpid(pid, status, options);
}

/* A worker must end with _exit, never exit(): exit runs the handlers the
 * parent registered with atexit, in the child too.  This one notes when
 * that happens, in a pipe the tests read. */
static pid_t main_pid;
static int exit_note[2] = {-1, -1};

static void note_exit_in_a_child(void) {
  if (getpid() != main_pid && exit_note[1] >= 0)
    (void)__real_write(exit_note[1], "x", 1);
}

/* ---- helpers ---------------------------------------------------------- */

/* If a test never finishes, say what is likely stuck and stop - the stuck
 * child too, or it would hold the output pipe open - instead of hanging
 * until ctest's timeout.  Every test has 10 s. */
static const char frames_stuck[] =
    "\n08: this test did not finish within 10 s.  Is a read waiting for "
    "bytes that were never written (mp_frame_write must loop until every "
    "byte is out), or a loop retrying an error other than EINTR? "
    "(hint 1)\n";
static const char worker_stuck[] =
    "\n08: ex08_run_worker did not return within 10 s: is the worker "
    "still waiting for end of file on its task pipe? (hint 3)\n";
static const char *volatile stuck_msg = frames_stuck;

static void watchdog(int sig) {
  (void)sig;
  (void)__real_write(2, stuck_msg, strlen(stuck_msg));
  if (last_child > 0)
    kill(last_child, SIGKILL);
  _exit(1);
}

static int setup(void **state) {
  struct sigaction ignore = {.sa_handler = SIG_IGN};
  struct sigaction on_alarm = {.sa_handler = watchdog};
  (void)state;
  /* A write to a closed pipe: EPIPE, not death by SIGPIPE. */
  sigaction(SIGPIPE, &ignore, NULL);
  sigaction(SIGALRM, &on_alarm, NULL);
  chaos = 0;
  chaos_calls = chaos_cut = chaos_eintr = waitpid_calls = 0;
  last_child = 0;
  forks = 0;
  stuck_msg = frames_stuck;
  alarm(10);
  return 0;
}

static void make_pipe(int fds[2]) { expect_int(pipe(fds), 0); }

static void close_pipe(int fds[2]) {
  if (fds[0] >= 0)
    close(fds[0]);
  if (fds[1] >= 0)
    close(fds[1]);
}

static void fill(unsigned char *buf, uint32_t n, unsigned seed) {
  for (uint32_t i = 0; i < n; i++)
    buf[i] = (unsigned char)(i * 31 + seed);
}

/* Write a frame of len bytes into a pipe and read it back. */
static void roundtrip(uint32_t len) {
  static unsigned char sent[MP_FRAME_MAX], got[MP_FRAME_MAX];
  int fds[2];
  uint32_t n = 12345;

  make_pipe(fds);
  fill(sent, len, len);
  memset(got, 0, sizeof got);
  expect_int(mp_frame_write(fds[1], sent, len), 0);
  expect_int(mp_frame_read(fds[0], got, sizeof got, &n), 1);
  expect_int(n, len);
  assert_memory_equal(got, sent, len);
  close_pipe(fds);
}

/* How many descriptors this process has open now. */
static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  assert_non_null(d);
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

/* ---- part one: frames -------------------------------------------------- */

/* Frames of every size up to the largest come back as they went. */
static void frame_roundtrip(void **state) {
  uint32_t sizes[] = {0, 1, 7, 100, MP_FRAME_MAX};
  (void)state;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    roundtrip(sizes[i]);
}

/* On the wire: the 4-byte length (this machine's byte order), then the
 * payload, nothing else. */
static void frame_is_a_length_then_the_payload(void **state) {
  unsigned char raw[16];
  uint32_t len;
  int fds[2];
  (void)state;

  make_pipe(fds);
  expect_int(mp_frame_write(fds[1], "hello", 5), 0);
  close(fds[1]);
  fds[1] = -1;
  expect_int(read(fds[0], raw, sizeof raw), 4 + 5);
  memcpy(&len, raw, sizeof len);
  expect_int(len, 5);
  assert_memory_equal(raw + 4, "hello", 5);
  close_pipe(fds);
}

/* Every read and write moves 1..3 bytes: the loops must carry on. */
static void frame_survives_short_reads_and_writes(void **state) {
  (void)state;
  chaos = CHAOS_SHORT;
  roundtrip(1);
  roundtrip(100);
  roundtrip(MP_FRAME_MAX);
  chaos = 0;
  /* at most 3 bytes a call: over 1,400 calls for the big frame's side */
  assert_true(chaos_cut > (4 + MP_FRAME_MAX) / 3);
}

/* Every other read and write fails with EINTR: try again, it is not an
 * error. */
static void frame_survives_eintr(void **state) {
  (void)state;
  chaos = CHAOS_EINTR;
  roundtrip(10);
  roundtrip(MP_FRAME_MAX);
  chaos = 0;
  assert_true(chaos_eintr >= 4);
}

/* Two frames back to back in the pipe are read as two frames. */
static void frames_stay_apart(void **state) {
  char got[16];
  uint32_t n;
  int fds[2];
  (void)state;

  make_pipe(fds);
  expect_int(mp_frame_write(fds[1], "abc", 3), 0);
  expect_int(mp_frame_write(fds[1], "defgh", 5), 0);
  expect_int(mp_frame_read(fds[0], got, sizeof got, &n), 1);
  expect_int(n, 3);
  assert_memory_equal(got, "abc", 3);
  expect_int(mp_frame_read(fds[0], got, sizeof got, &n), 1);
  expect_int(n, 5);
  assert_memory_equal(got, "defgh", 5);
  close_pipe(fds);
}

/* mp_read_full reads all n bytes, however they come. */
static void read_full_reads_all_n(void **state) {
  unsigned char sent[200], got[200];
  int fds[2];
  (void)state;

  make_pipe(fds);
  fill(sent, sizeof sent, 3);
  expect_int(write(fds[1], sent, sizeof sent), (ssize_t)sizeof sent);
  chaos = CHAOS_SHORT | CHAOS_EINTR;
  expect_int(mp_read_full(fds[0], got, sizeof got),
                   (ssize_t)sizeof got);
  chaos = 0;
  assert_memory_equal(got, sent, sizeof sent);
  close_pipe(fds);
}

/* ... and stops early only at end of file, returning what it got. */
static void read_full_stops_at_end_of_file(void **state) {
  char got[20];
  int fds[2];
  (void)state;

  make_pipe(fds);
  expect_int(write(fds[1], "0123456789", 10), 10);
  close(fds[1]);
  fds[1] = -1;
  expect_int(mp_read_full(fds[0], got, sizeof got), 10);
  assert_memory_equal(got, "0123456789", 10);
  expect_int(mp_read_full(fds[0], got, sizeof got), 0);
  close_pipe(fds);
}

/* The writer closed between frames: a clean end (0), not an error. */
static void end_of_file_before_a_frame_is_0(void **state) {
  char buf[8];
  uint32_t n;
  int fds[2];
  (void)state;

  make_pipe(fds);
  close(fds[1]);
  fds[1] = -1;
  expect_int(mp_frame_read(fds[0], buf, sizeof buf, &n), 0);
  close_pipe(fds);
}

/* The writer died after 2 bytes of the 4-byte length. */
static void end_of_file_in_the_length_is_eproto(void **state) {
  char buf[16];
  uint32_t n, len = 10;
  int fds[2];
  (void)state;

  make_pipe(fds);
  expect_int(write(fds[1], &len, 2), 2);
  close(fds[1]);
  fds[1] = -1;
  errno = 0;
  expect_int(mp_frame_read(fds[0], buf, sizeof buf, &n), -1);
  expect_int(errno, EPROTO);
  close_pipe(fds);
}

/* The writer died after 3 bytes of a 10-byte payload. */
static void end_of_file_in_the_payload_is_eproto(void **state) {
  char buf[16];
  uint32_t n, len = 10;
  int fds[2];
  (void)state;

  make_pipe(fds);
  expect_int(write(fds[1], &len, sizeof len), (ssize_t)sizeof len);
  expect_int(write(fds[1], "abc", 3), 3);
  close(fds[1]);
  fds[1] = -1;
  errno = 0;
  expect_int(mp_frame_read(fds[0], buf, sizeof buf, &n), -1);
  expect_int(errno, EPROTO);
  close_pipe(fds);
}

/* A frame longer than the reader's buffer: refused, not overflowed. */
static void frame_longer_than_the_buffer_is_emsgsize(void **state) {
  char buf[8];
  uint32_t n;
  int fds[2];
  (void)state;

  make_pipe(fds);
  expect_int(mp_frame_write(fds[1], "0123456789", 10), 0);
  errno = 0;
  expect_int(mp_frame_read(fds[0], buf, sizeof buf, &n), -1);
  expect_int(errno, EMSGSIZE);
  close_pipe(fds);
}

/* A payload over MP_FRAME_MAX is refused before anything is written. */
static void writing_too_much_is_emsgsize(void **state) {
  static char big[MP_FRAME_MAX + 1];
  char byte;
  int fds[2];
  (void)state;

  make_pipe(fds);
  errno = 0;
  expect_int(mp_frame_write(fds[1], big, MP_FRAME_MAX + 1), -1);
  expect_int(errno, EMSGSIZE);
  close(fds[1]);
  fds[1] = -1;
  expect_int(read(fds[0], &byte, 1), 0); /* the pipe stayed empty */
  close_pipe(fds);
}

/* A real error is passed up with its errno, not retried forever. */
static void real_errors_are_passed_up(void **state) {
  char buf[8];
  uint32_t n;
  int fds[2];
  (void)state;

  errno = 0;
  expect_int(mp_frame_read(-1, buf, sizeof buf, &n), -1);
  expect_int(errno, EBADF);
  errno = 0;
  expect_int(mp_frame_write(-1, "x", 1), -1);
  expect_int(errno, EBADF);
  make_pipe(fds); /* the reader is gone: EPIPE (SIGPIPE is ignored) */
  close(fds[0]);
  fds[0] = -1;
  errno = 0;
  expect_int(mp_frame_write(fds[1], "x", 1), -1);
  expect_int(errno, EPIPE);
  close_pipe(fds);
}

/* ---- part two: a worker that dies ------------------------------------- */

/* The tasks' work, run in the worker.  Task 0 is never sent. */
static uint32_t square(uint32_t task, int result_fd) {
  (void)result_fd;
  return task * task;
}

static uint32_t exit_7_at_task_3(uint32_t task, int result_fd) {
  (void)result_fd;
  if (task == 3)
    _exit(7);
  return task * task;
}

static uint32_t killed_at_task_2(uint32_t task, int result_fd) {
  (void)result_fd;
  if (task == 2)
    raise(SIGKILL); /* as the OOM killer, or kill -9, would */
  return task * task;
}

/* Task 3: half of a result frame's length, then death. */
static uint32_t half_a_frame_at_task_3(uint32_t task, int result_fd) {
  if (task == 3) {
    uint32_t len = 4;
    (void)__real_write(result_fd, &len, 2);
    _exit(5);
  }
  return task * task;
}

/* Task 3: answers, but first closes every descriptor it has except the
 * result pipe (so the task pipe has no reader left), then exits 6.  The
 * parent gets result 3, and its write of task 4 fails with EPIPE: the
 * worker is gone, which is not the parent's error. */
static uint32_t answer_and_leave_at_task_3(uint32_t task, int result_fd) {
  if (task == 3) {
    unsigned char frame[8];
    uint32_t len = 4, result = task * task;
    for (int fd = 3; fd < 1024; fd++)
      if (fd != result_fd)
        close(fd);
    memcpy(frame, &len, 4);
    memcpy(frame + 4, &result, 4);
    (void)__real_write(result_fd, frame, sizeof frame);
    _exit(6);
  }
  return task * task;
}

/* The work: how many descriptors the worker has open (as open_fds counts,
 * but without cmocka: this runs in the child). */
static uint32_t count_worker_fds(uint32_t task, int result_fd) {
  DIR *d = opendir("/proc/self/fd");
  uint32_t n = 0;
  (void)task;
  (void)result_fd;
  if (d == NULL)
    return 0;
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

static const uint32_t five_tasks[5] = {1, 2, 3, 4, 5};

/* Run the worker (with the watchdog on); check what must hold however it
 * died: it was a real child, it is reaped, no descriptor is left open,
 * it did not call exit(). */
static int run_worker(ex08_task_fn fn, int n, uint32_t *results,
                      ex08_report *report) {
  int fds_before = open_fds(), got, st;
  char note;

  memset(report, 0xff, sizeof *report); /* it must fill every field */
  stuck_msg = worker_stuck;
  alarm(10);
  got = ex08_run_worker(fn, five_tasks, n, results, report);
  alarm(0);
  stuck_msg = frames_stuck;
  if (forks != 1)
    fail_msg("ex08_run_worker must fork one worker; it forked %d times",
             forks);
  expect_int(report->pid, last_child);
  /* Reaped: the worker is no child of ours any more - not even a zombie. */
  errno = 0;
  if (__real_waitpid(report->pid, &st, WNOHANG) != -1 || errno != ECHILD)
    fail_msg("worker %d was not reaped: call waitpid for it",
             (int)report->pid);
  if (open_fds() != fds_before)
    fail_msg("%d descriptors open before, %d after: close both pipes' "
             "ends", fds_before, open_fds());
  if (__real_read(exit_note[0], &note, 1) == 1)
    fail_msg("the worker ended with exit(), which ran the parent's atexit "
             "handlers in the child: end it with _exit (hint 3)");
  expect_eq_int("ex08_run_worker's return (results received)", got,
                report->results);
  return got;
}

/* A healthy worker answers every task, then exits 0 when the task pipe
 * closes. */
static void worker_answers_every_task(void **state) {
  uint32_t results[5] = {0};
  ex08_report r;
  (void)state;

  expect_int(run_worker(square, 5, results, &r), 5);
  for (int i = 0; i < 5; i++)
    expect_eq_int_at("result of task", i, results[i],
                     five_tasks[i] * five_tasks[i]);
  expect_int(r.exited, 1);
  expect_int(r.exit_code, 0);
  expect_int(r.signaled, 0);
}

/* No tasks at all: the worker still starts, sees end of file, exits 0. */
static void no_tasks_worker_exits_cleanly(void **state) {
  uint32_t results[1] = {0};
  ex08_report r;
  (void)state;

  expect_int(run_worker(square, 0, results, &r), 0);
  expect_int(r.exited, 1);
  expect_int(r.exit_code, 0);
}

/* The worker exits (status 7) in the middle of task 3: two results came,
 * then end of file; the parent reports the status. */
static void worker_exits_mid_task(void **state) {
  uint32_t results[5] = {0};
  ex08_report r;
  (void)state;

  expect_int(run_worker(exit_7_at_task_3, 5, results, &r), 2);
  expect_int(results[0], 1);
  expect_int(results[1], 4);
  expect_int(r.exited, 1);
  expect_int(r.exit_code, 7);
  expect_int(r.signaled, 0);
}

/* A signal kills the worker in task 2: one result, and the signal's
 * number. */
static void worker_killed_by_a_signal(void **state) {
  uint32_t results[5] = {0};
  ex08_report r;
  (void)state;

  expect_int(run_worker(killed_at_task_2, 5, results, &r), 1);
  expect_int(results[0], 1);
  expect_int(r.signaled, 1);
  expect_int(r.signal, SIGKILL);
  expect_int(r.exited, 0);
}

/* The worker dies halfway through writing a result frame: the parent's
 * read sees end of file inside the frame (EPROTO), and that too means
 * "the worker is gone", not "the parent failed". */
static void worker_dies_inside_a_result_frame(void **state) {
  uint32_t results[5] = {0};
  ex08_report r;
  (void)state;

  expect_int(run_worker(half_a_frame_at_task_3, 5, results, &r), 2);
  expect_int(results[1], 4);
  expect_int(r.exited, 1);
  expect_int(r.exit_code, 5);
}

/* The task pipe has no reader any more: sending task 4 fails with EPIPE,
 * and that means the worker is gone - three results, and its status. */
static void worker_gone_before_a_task_is_sent(void **state) {
  uint32_t results[5] = {0};
  ex08_report r;
  (void)state;

  expect_eq_int("results received",
                run_worker(answer_and_leave_at_task_3, 5, results, &r), 3);
  expect_eq_int("result of task 3", results[2], 9);
  expect_eq_int("exited", r.exited, 1);
  expect_eq_int("exit_code", r.exit_code, 6);
}

/* The worker holds its two ends and nothing more: the parent's ends are
 * closed in the child at once.  (It starts with all the parent has; the
 * parent opened four pipe ends, and the worker keeps two of them.) */
static void worker_keeps_only_its_own_ends(void **state) {
  uint32_t results[2] = {0};
  ex08_report r;
  int base = open_fds();
  (void)state;

  expect_eq_int("results received",
                run_worker(count_worker_fds, 2, results, &r), 2);
  for (int i = 0; i < 2; i++)
    expect_le_int("descriptors open in the worker, beyond its two pipe ends",
                  (intmax_t)results[i] - 2 - base, 0);
}

/* The whole conversation, with every read and write on both sides cut
 * short or interrupted (the child inherits chaos mode with fork). */
static void worker_survives_short_io(void **state) {
  uint32_t results[5] = {0};
  ex08_report r;
  (void)state;

  chaos = CHAOS_SHORT | CHAOS_EINTR;
  expect_eq_int("results received", run_worker(square, 5, results, &r), 5);
  chaos = 0;
  expect_ge_int("waitpid calls (every other one fails with EINTR)",
                waitpid_calls, 1);
  for (int i = 0; i < 5; i++)
    expect_eq_int_at("result of task", i, results[i],
                     five_tasks[i] * five_tasks[i]);
  expect_int(r.exited, 1);
  expect_int(r.exit_code, 0);
}

int main(void) {
  int failed;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(frame_roundtrip, setup),
      cmocka_unit_test_setup(frame_is_a_length_then_the_payload, setup),
      cmocka_unit_test_setup(frame_survives_short_reads_and_writes, setup),
      cmocka_unit_test_setup(frame_survives_eintr, setup),
      cmocka_unit_test_setup(frames_stay_apart, setup),
      cmocka_unit_test_setup(read_full_reads_all_n, setup),
      cmocka_unit_test_setup(read_full_stops_at_end_of_file, setup),
      cmocka_unit_test_setup(end_of_file_before_a_frame_is_0, setup),
      cmocka_unit_test_setup(end_of_file_in_the_length_is_eproto, setup),
      cmocka_unit_test_setup(end_of_file_in_the_payload_is_eproto, setup),
      cmocka_unit_test_setup(frame_longer_than_the_buffer_is_emsgsize,
                             setup),
      cmocka_unit_test_setup(writing_too_much_is_emsgsize, setup),
      cmocka_unit_test_setup(real_errors_are_passed_up, setup),
      cmocka_unit_test_setup(worker_answers_every_task, setup),
      cmocka_unit_test_setup(no_tasks_worker_exits_cleanly, setup),
      cmocka_unit_test_setup(worker_exits_mid_task, setup),
      cmocka_unit_test_setup(worker_killed_by_a_signal, setup),
      cmocka_unit_test_setup(worker_dies_inside_a_result_frame, setup),
      cmocka_unit_test_setup(worker_gone_before_a_task_is_sent, setup),
      cmocka_unit_test_setup(worker_keeps_only_its_own_ends, setup),
      cmocka_unit_test_setup(worker_survives_short_io, setup),
  };
  main_pid = getpid();
  if (pipe(exit_note) != 0 || fcntl(exit_note[0], F_SETFL, O_NONBLOCK) != 0)
    return 1;
  atexit(note_exit_in_a_child);
  setvbuf(stdout, NULL, _IONBF, 0); /* a crash still shows the tests before */
  failed = cmocka_run_group_tests_name("08-processes", tests, NULL, NULL);
  alarm(0); /* the last test's watchdog */
  return failed;
}
