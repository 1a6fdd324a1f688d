/*
 * test_frame.c - length-prefixed frames over pipes (multiproc/frame.c).
 *
 * This program is linked with --wrap=read,--wrap=write, so frame.c's calls
 * go through the wrappers below.  In "chaos" mode every other call fails
 * with EINTR and the rest move one byte at a time: the worst a pipe and a
 * signal can do.  A frame must still arrive whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "worker.h"

static int chaos;      /* 1: interrupt and shorten every call */
static long chaos_calls; /* calls seen in chaos mode */

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);

/* In chaos mode: 1 if this call is to fail with EINTR; otherwise cut the
 * request down to one byte and return 0. */
static int chaos_step(size_t *n) {
  if (!chaos)
    return 0;
  if (chaos_calls++ % 2 == 0) {
    errno = EINTR;
    return 1;
  }
  if (*n > 1)
    *n = 1;
  return 0;
}

ssize_t __wrap_read(int fd, void *buf, size_t n) {
  return chaos_step(&n) ? -1 : __real_read(fd, buf, n);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n) {
  return chaos_step(&n) ? -1 : __real_write(fd, buf, n);
}

static int setup(void **state) {
  (void)state;
  signal(SIGPIPE, SIG_IGN); /* writes to a closed pipe: EPIPE, not death */
  chaos = 0;
  chaos_calls = 0;
  return 0;
}

static void fill(unsigned char *buf, uint32_t n, unsigned seed) {
  for (uint32_t i = 0; i < n; i++)
    buf[i] = (unsigned char)(i * 31 + seed);
}

static void roundtrip(uint32_t len) {
  static unsigned char sent[MP_FRAME_MAX], got[MP_FRAME_MAX];
  int fds[2];
  uint32_t n = 12345;

  assert_int_equal(pipe(fds), 0);
  fill(sent, len, len);
  memset(got, 0, sizeof got);
  assert_int_equal(mp_frame_write(fds[1], sent, len), 0);
  assert_int_equal(mp_frame_read(fds[0], got, sizeof got, &n), 1);
  assert_int_equal(n, len);
  assert_memory_equal(got, sent, len);
  close(fds[0]);
  close(fds[1]);
}

static void test_roundtrip(void **state) {
  (void)state;
  uint32_t sizes[] = {0, 1, 7, 100, MP_FRAME_MAX};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    roundtrip(sizes[i]);
}

/* Short reads, short writes and EINTR on every step. */
static void test_roundtrip_short_and_interrupted(void **state) {
  (void)state;
  chaos = 1;
  roundtrip(1);
  roundtrip(100);
  roundtrip(MP_FRAME_MAX);
  chaos = 0;
  /* One byte per call, every other call interrupted: at least 2 calls a
   * byte on each side, so the loops really did run. */
  assert_true(chaos_calls >= 4 * (4 + MP_FRAME_MAX));
}

/* Two frames written back to back are read back as two frames. */
static void test_frames_do_not_merge(void **state) {
  int fds[2];
  char got[16];
  uint32_t n;
  (void)state;

  assert_int_equal(pipe(fds), 0);
  assert_int_equal(mp_frame_write(fds[1], "abc", 3), 0);
  assert_int_equal(mp_frame_write(fds[1], "defgh", 5), 0);
  assert_int_equal(mp_frame_read(fds[0], got, sizeof got, &n), 1);
  assert_int_equal(n, 3);
  assert_memory_equal(got, "abc", 3);
  assert_int_equal(mp_frame_read(fds[0], got, sizeof got, &n), 1);
  assert_int_equal(n, 5);
  assert_memory_equal(got, "defgh", 5);
  close(fds[0]);
  close(fds[1]);
}

/* The reader is gone: the write fails with EPIPE (SIGPIPE is ignored). */
static void test_write_to_closed_peer(void **state) {
  int fds[2];
  (void)state;

  assert_int_equal(pipe(fds), 0);
  close(fds[0]);
  errno = 0;
  assert_int_equal(mp_frame_write(fds[1], "x", 1), -1);
  assert_int_equal(errno, EPIPE);
  close(fds[1]);
}

/* The writer closed before a frame: a clean end (0), not an error. */
static void test_clean_eof(void **state) {
  int fds[2];
  char buf[8];
  uint32_t n;
  (void)state;

  assert_int_equal(pipe(fds), 0);
  close(fds[1]);
  assert_int_equal(mp_frame_read(fds[0], buf, sizeof buf, &n), 0);
  close(fds[0]);
}

/* The writer died inside a frame: in the header, or in the payload. */
static void test_eof_inside_a_frame(void **state) {
  int fds[2];
  char buf[16];
  uint32_t n, len = 10;
  (void)state;

  assert_int_equal(pipe(fds), 0);
  assert_int_equal(write(fds[1], &len, 2), 2); /* half a header */
  close(fds[1]);
  errno = 0;
  assert_int_equal(mp_frame_read(fds[0], buf, sizeof buf, &n), -1);
  assert_int_equal(errno, EPROTO);
  close(fds[0]);

  assert_int_equal(pipe(fds), 0);
  assert_int_equal(write(fds[1], &len, sizeof len), (ssize_t)sizeof len);
  assert_int_equal(write(fds[1], "abc", 3), 3); /* 3 of 10 bytes */
  close(fds[1]);
  errno = 0;
  assert_int_equal(mp_frame_read(fds[0], buf, sizeof buf, &n), -1);
  assert_int_equal(errno, EPROTO);
  close(fds[0]);
}

/* Frames too long for the reader's buffer, or for the protocol. */
static void test_oversized(void **state) {
  static char big[MP_FRAME_MAX + 1];
  int fds[2];
  char buf[8];
  uint32_t n;
  (void)state;

  assert_int_equal(pipe(fds), 0);
  assert_int_equal(mp_frame_write(fds[1], "0123456789", 10), 0);
  errno = 0;
  assert_int_equal(mp_frame_read(fds[0], buf, sizeof buf, &n), -1);
  assert_int_equal(errno, EMSGSIZE);
  errno = 0;
  assert_int_equal(mp_frame_write(fds[1], big, MP_FRAME_MAX + 1), -1);
  assert_int_equal(errno, EMSGSIZE);
  close(fds[0]);
  close(fds[1]);
}

/* A real error from read() or write() is passed up, not retried. */
static void test_bad_descriptor(void **state) {
  char buf[8];
  uint32_t n;
  (void)state;

  errno = 0;
  assert_int_equal(mp_frame_read(-1, buf, sizeof buf, &n), -1);
  assert_int_equal(errno, EBADF);
  errno = 0;
  assert_int_equal(mp_frame_write(-1, "x", 1), -1);
  assert_int_equal(errno, EBADF);
}

/* A result message carries the child's own start and end times (the clock
 * is system-wide) and its compute step's, and has no padding: every byte that crosses the pipe is
 * a field's. */
static void test_result_message_carries_times(void **state) {
  mp_result_msg sent = {.index = 7, .status = 1, .value = 0x0123456789abcdefULL,
                        .http_status = 200, .retries = 2, .connects = 1,
                        .compute_us = 4242,
                        .t_start_ns = 1234567890123456789LL,
                        .t_end_ns = 1234567890987654321LL,
                        .step_start_ns = 1234567890300000000LL,
                        .step_end_ns = 1234567890700000000LL};
  mp_result_msg got;
  int fds[2];
  uint32_t n = 0;
  (void)state;

  assert_int_equal(sizeof sent, 4 + 4 + 8 + 3 * 4 + 4 + 4 * 8);
  assert_int_equal(pipe(fds), 0);
  chaos = 1;
  assert_int_equal(mp_frame_write(fds[1], &sent, sizeof sent), 0);
  memset(&got, 0, sizeof got);
  assert_int_equal(mp_frame_read(fds[0], &got, sizeof got, &n), 1);
  chaos = 0;
  assert_int_equal(n, sizeof sent);
  assert_int_equal(got.index, 7);
  assert_true(got.t_start_ns == 1234567890123456789LL);
  assert_true(got.t_end_ns == 1234567890987654321LL);
  assert_true(got.step_start_ns == 1234567890300000000LL);
  assert_true(got.step_end_ns == 1234567890700000000LL);
  assert_memory_equal(&got, &sent, sizeof sent);
  close(fds[0]);
  close(fds[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_roundtrip, setup),
      cmocka_unit_test_setup(test_roundtrip_short_and_interrupted, setup),
      cmocka_unit_test_setup(test_frames_do_not_merge, setup),
      cmocka_unit_test_setup(test_write_to_closed_peer, setup),
      cmocka_unit_test_setup(test_clean_eof, setup),
      cmocka_unit_test_setup(test_eof_inside_a_frame, setup),
      cmocka_unit_test_setup(test_oversized, setup),
      cmocka_unit_test_setup(test_bad_descriptor, setup),
      cmocka_unit_test_setup(test_result_message_carries_times, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
