/*
 * test_timeouts.c - the checks for exercise 04.
 *
 * Each test makes pipes, hands their read ends to to_read_all, keeps the
 * write ends, and runs the loop.  A writer timer of the test's own writes
 * into a pipe later, when a test needs data to arrive during the wait.
 * Afterwards every read end must be closed (and no other descriptor), the
 * loop must close (no handle left open), and then the number of open
 * descriptors must be back where it was before the loop was made.  (Not
 * before: a loop keeps one descriptor of its own, a reserve libuv opens
 * with the loop's first stream and closes in uv_loop_close.  And libuv
 * keeps a pipe of its own for the whole process from the first loop on:
 * the group setup makes and closes one loop first, so that pipe is there
 * before any test counts.)
 *
 * This program is linked with --wrap=close (see CMakeLists.txt): every
 * close() in it, yours included, is counted by descriptor.  libuv's own
 * close, inside the library, is not.  So a read end whose pipe was opened
 * must show no close() at all: uv_close closed it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "timeouts.h"

enum { MAXOPS = 64 };

/* What done() saw. */
typedef struct probe {
  int n;
  int calls[MAXOPS]; /* done() calls per operation: must end at 1 */
  int bad_calls;     /* done() with a bad index, or a result not filled */
  const to_result *results;
} probe;

static void on_done(void *arg, int index) {
  probe *p = arg;
  if (index < 0 || index >= p->n ||
      p->results[index].status == TO_PENDING) {
    p->bad_calls++;
    return;
  }
  p->calls[index]++;
}

static void assert_each_reported_once(const probe *p) {
  expect_eq_int("done() calls with a bad index or no result", p->bad_calls,
                0);
  for (int i = 0; i < p->n; i++)
    expect_eq_int_at("done() calls for operation", i, p->calls[i], 1);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* How many descriptors this process has open (the directory's own
 * descriptor is counted every time, so the counts compare). */
static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int n = 0;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n;
}

static int fd_is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

/* close() calls on each descriptor number since the test began. */
enum { COUNTED_FDS = 1024 };
static int closes_of[COUNTED_FDS];

int __real_close(int fd);

int __wrap_close(int fd) {
  if (fd >= 0 && fd < COUNTED_FDS)
    closes_of[fd]++;
  return __real_close(fd);
}

/* The read end fd of an operation that started: closed, and by uv_close
 * alone - a close() of your own as well closes it twice (and the second
 * time may close a descriptor someone else has just opened). */
static void assert_closed_by_uv_close(int fd) {
  assert_false(fd_is_open(fd));
  if (fd < COUNTED_FDS && closes_of[fd] != 0)
    fail_msg("read end %d: close() was called on it %d time(s), but its "
             "pipe was open, so uv_close closed it already (hint 3)",
             fd, closes_of[fd]);
}

static void make_pipe(int *rd, int *wr) {
  int fds[2];
  expect_int(pipe(fds), 0);
  *rd = fds[0];
  *wr = fds[1];
}

static void write_text(int fd, const char *text) {
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) /* EPIPE: the reader gave up (timed out) and closed */
      return;
    off += (size_t)w;
  }
}

/* The test's writer: writes each text into its pipe when its timer
 * fires, some time after to_read_all has started waiting. */
typedef struct writer {
  uv_timer_t timer;
  int n;
  const int *fds;
  char (*texts)[16];
} writer;

static void writer_fire(uv_timer_t *t) {
  writer *w = t->data;
  for (int i = 0; i < w->n; i++)
    write_text(w->fds[i], w->texts[i]);
  uv_close((uv_handle_t *)t, NULL);
}

static void writer_start(uv_loop_t *loop, writer *w, uint64_t ms) {
  expect_int(uv_timer_init(loop, &w->timer), 0);
  w->timer.data = w;
  expect_int(uv_timer_start(&w->timer, writer_fire, ms, 0), 0);
}

/* The end of every test: the read ends are closed (to_read_all owned
 * them); the write ends are still open (they were never its to close),
 * and the test closes them.  (The teardown counts what is left.) */
static void assert_fds_clean(int n, const int *rd, const int *wr) {
  for (int i = 0; i < n; i++) {
    if (rd[i] >= 0)
      assert_closed_by_uv_close(rd[i]);
    assert_true(fd_is_open(wr[i]));
    expect_int(close(wr[i]), 0);
  }
}

/* Each test's loop, and how many descriptors were open before it. */
typedef struct fixture {
  uv_loop_t loop; /* first: a test's *state is its loop */
  int fds_before;
} fixture;

static int loop_setup(void **state) {
  fixture *f = malloc(sizeof *f);
  if (f == NULL)
    return -1;
  f->fds_before = count_fds();
  memset(closes_of, 0, sizeof closes_of);
  if (uv_loop_init(&f->loop) != 0)
    return -1;
  *state = f;
  return 0;
}

/* Every handle closed: uv_loop_close refuses (UV_EBUSY) otherwise.  Then
 * every descriptor the test made is closed again. */
static int loop_teardown(void **state) {
  fixture *f = *state;
  int rc = uv_loop_close(&f->loop), fds_after = count_fds();
  int fds_before = f->fds_before;
  if (rc != 0)
    fprintf(stderr, "uv_loop_close: %s (a handle was left open)\n",
            uv_err_name(rc));
  if (fds_after != fds_before)
    fprintf(stderr, "descriptors open: %d before, %d after (a leak)\n",
            fds_before, fds_after);
  free(f);
  return rc == 0 && fds_after == fds_before ? 0 : -1;
}

/* The data is there before the wait begins: OK, with the data, and the
 * 5 s timer is cancelled - the loop does not wait for it. */
static void data_first(void **state) {
  int rd, wr;
  const uint64_t timeout = 5000;
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  write_text(wr, "hello");
  double start = now_ms();
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p),
                   0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_lt_int("ms until the loop ended", now_ms() - start, 2500);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_OK is 1)", r.status, TO_OK);
  expect_int(r.len, 5);
  assert_memory_equal(r.data, "hello", 5);
  assert_fds_clean(1, &rd, &wr);
}

/* The data arrives 50 ms into a 5 s wait: OK, and again no 5 s wait. */
static void data_during_the_wait(void **state) {
  int rd, wr;
  const uint64_t timeout = 5000;
  char texts[1][16] = {"late"};
  writer w = {.n = 1, .fds = &wr, .texts = texts};
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  writer_start(*state, &w, 50);
  double start = now_ms();
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p),
                   0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_lt_int("ms until the loop ended", now_ms() - start, 2500);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_OK is 1)", r.status, TO_OK);
  expect_int(r.len, 4);
  assert_memory_equal(r.data, "late", 4);
  assert_fds_clean(1, &rd, &wr);
}

/* Nobody writes (the write end stays open, so no end of file either):
 * TIMEOUT, after about the timeout, not at once. */
static void nobody_writes(void **state) {
  int rd, wr;
  const uint64_t timeout = 150;
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  double start = now_ms();
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p),
                   0);
  uv_run(*state, UV_RUN_DEFAULT);
  double took = now_ms() - start;
  expect_ge_int("ms until the loop ended", took, 75);
  expect_lt_int("ms until the loop ended", took, 2500);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_TIMEOUT is 2)", r.status, TO_TIMEOUT);
  assert_fds_clean(1, &rd, &wr);
}

/* The writer closes its end without writing: the read ends with UV_EOF,
 * an error, well before the timeout. */
static void writer_closes(void **state) {
  int rd, wr;
  const uint64_t timeout = 5000;
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  expect_int(close(wr), 0);
  double start = now_ms();
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p),
                   0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_lt_int("ms until the loop ended", now_ms() - start, 2500);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_ERROR is 3)", r.status, TO_ERROR);
  expect_eq_int("err (UV_EOF)", r.err, UV_EOF);
  assert_closed_by_uv_close(rd);
}

/* Half the pipes have data, half never will; all wait at once.  One
 * after another the ten timeouts would take 2 s. */
static void mixed_batch(void **state) {
  enum { N = 20 };
  int rd[N], wr[N];
  uint64_t timeout[N];
  char texts[N][16];
  to_result r[N];
  probe p = {.n = N, .results = r};

  for (int i = 0; i < N; i++) {
    make_pipe(&rd[i], &wr[i]);
    timeout[i] = 200;
    snprintf(texts[i], sizeof texts[i], "msg %d", i);
    if (i % 2 == 0)
      write_text(wr[i], texts[i]);
  }
  double start = now_ms();
  expect_int(to_read_all(*state, rd, timeout, N, r, on_done, &p), 0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_lt_int("ms until the loop ended", now_ms() - start, 1500);
  assert_each_reported_once(&p);
  for (int i = 0; i < N; i++) {
    if (i % 2 == 0) {
      expect_eq_int_at("status (TO_OK is 1) of operation", i, r[i].status,
                       TO_OK);
      expect_eq_int_at("bytes read (len) by operation", i, r[i].len,
                       strlen(texts[i]));
      assert_memory_equal(r[i].data, texts[i], r[i].len);
    } else {
      expect_eq_int_at("status (TO_TIMEOUT is 2) of operation", i,
                       r[i].status, TO_TIMEOUT);
    }
  }
  assert_fds_clean(N, rd, wr);
}

/* Data and timeout due at nearly the same moment: the writer fires at
 * 40 ms, the timeouts are 39, 40 and 41 ms.  Either may win each race,
 * but each operation reports once, with the right data if it was OK. */
static void photo_finish(void **state) {
  enum { N = MAXOPS };
  int rd[N], wr[N];
  uint64_t timeout[N];
  char texts[N][16];
  writer w = {.n = N, .fds = wr, .texts = texts};
  to_result r[N];
  probe p = {.n = N, .results = r};

  for (int i = 0; i < N; i++) {
    make_pipe(&rd[i], &wr[i]);
    timeout[i] = 39 + (uint64_t)(i % 3);
    snprintf(texts[i], sizeof texts[i], "x%d", i);
  }
  writer_start(*state, &w, 40);
  expect_int(to_read_all(*state, rd, timeout, N, r, on_done, &p), 0);
  uv_run(*state, UV_RUN_DEFAULT);
  assert_each_reported_once(&p);
  for (int i = 0; i < N; i++) {
    assert_true(r[i].status == TO_OK || r[i].status == TO_TIMEOUT);
    if (r[i].status == TO_OK) {
      expect_eq_int_at("bytes read (len) by operation", i, r[i].len,
                       strlen(texts[i]));
      assert_memory_equal(r[i].data, texts[i], r[i].len);
    }
  }
  assert_fds_clean(N, rd, wr);
}

/* An operation that cannot start (-1 is no descriptor) reports an error;
 * the one beside it is not disturbed. */
static void bad_descriptor(void **state) {
  int rd[2], wr[2];
  const uint64_t timeout[2] = {5000, 5000};
  to_result r[2];
  probe p = {.n = 2, .results = r};

  make_pipe(&rd[1], &wr[1]);
  rd[0] = -1;
  write_text(wr[1], "fine");
  expect_int(to_read_all(*state, rd, timeout, 2, r, on_done, &p), 0);
  uv_run(*state, UV_RUN_DEFAULT);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_ERROR is 3) of operation 0", r[0].status,
                TO_ERROR);
  expect_lt_int("err of operation 0", r[0].err, 0);
  expect_eq_int("status (TO_OK is 1) of operation 1", r[1].status, TO_OK);
  assert_memory_equal(r[1].data, "fine", 4);
  assert_closed_by_uv_close(rd[1]);
  expect_int(close(wr[1]), 0);
}

/* More than TO_DATA_MAX bytes are waiting: the first read takes at most
 * TO_DATA_MAX of them (the buffer libuv reads into holds no more). */
static void more_data_than_fits(void **state) {
  int rd, wr;
  const uint64_t timeout = 5000;
  char text[TO_DATA_MAX * 2 + 1];
  to_result r;
  probe p = {.n = 1, .results = &r};

  memset(text, 'a', sizeof text - 1);
  for (int i = 0; i < TO_DATA_MAX * 2; i += 7)
    text[i] = (char)('0' + i % 10);
  text[sizeof text - 1] = '\0';
  make_pipe(&rd, &wr);
  write_text(wr, text);
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p), 0);
  uv_run(*state, UV_RUN_DEFAULT);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_OK is 1)", r.status, TO_OK);
  expect_eq_int("bytes kept (len)", r.len, TO_DATA_MAX);
  assert_memory_equal(r.data, text, TO_DATA_MAX);
  assert_fds_clean(1, &rd, &wr);
}

/* A second descriptor for the same pipe, watched by the test: it takes
 * the first bytes that arrive, once, then stops watching. */
typedef struct thief {
  uv_poll_t watcher;
  int fd;
  int stolen; /* bytes it took */
} thief;

static void thief_on_readable(uv_poll_t *watcher, int status, int events) {
  thief *t = watcher->data;
  char buf[16];
  ssize_t n = read(t->fd, buf, sizeof buf); /* non-blocking: libuv set it */
  (void)status;
  (void)events;
  if (n > 0)
    t->stolen += (int)n;
  uv_close((uv_handle_t *)watcher, NULL);
}

/* libuv calls the read callback with nread 0 when a read finds nothing
 * after all (EAGAIN): no data and no end of file, so keep waiting.  The
 * test makes that happen.  "x" wakes both the operation and the test's
 * own watcher on a second descriptor for the pipe; the watcher runs first
 * and takes the byte, and the operation's read finds nothing.  "real"
 * comes 40 ms later: that is what the operation must report. */
static void a_read_of_nothing_keeps_waiting(void **state) {
  int rd, wr;
  const uint64_t timeout = 5000;
  char first[1][16] = {"x"}, second[1][16] = {"real"};
  writer w1 = {.n = 1, .fds = &wr, .texts = first};
  writer w2 = {.n = 1, .fds = &wr, .texts = second};
  thief t = {.stolen = 0};
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  t.fd = dup(rd);
  expect_ge_int("dup(rd)", t.fd, 0);
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p), 0);
  /* Watched after the operation's pipe, so woken before it (Linux wakes
   * the newest waiter on a pipe first). */
  expect_int(uv_poll_init(*state, &t.watcher, t.fd), 0);
  t.watcher.data = &t;
  expect_int(uv_poll_start(&t.watcher, UV_READABLE, thief_on_readable), 0);
  writer_start(*state, &w1, 20);
  writer_start(*state, &w2, 60);
  uv_run(*state, UV_RUN_DEFAULT);
  assert_each_reported_once(&p);
  expect_eq_int("status (TO_OK is 1)", r.status, TO_OK);
  if (t.stolen == 0) { /* the operation read "x" first: nothing to test */
    printf("    (the operation was woken first here: it read \"x\")\n");
    expect_eq_int("bytes read (len)", r.len, 1);
  } else {
    expect_eq_int("bytes read (len): a read of 0 bytes is no data", r.len,
                  4);
    assert_memory_equal(r.data, "real", 4);
  }
  expect_int(close(t.fd), 0);
  assert_fds_clean(1, &rd, &wr);
}

/* A real descriptor that uv_pipe_open refuses: the loop watches it already
 * (the test's own uv_poll_t), so the open fails with UV_EEXIST.  The pipe
 * never took the fd, so closing the pipe handle does not close it: the
 * error is reported at once, and the fd is closed all the same. */
static void on_readable(uv_poll_t *watcher, int status, int events) {
  (void)watcher;
  (void)status;
  (void)events;
}

static void refused_descriptor_is_closed(void **state) {
  int rd, wr;
  const uint64_t timeout = 5000;
  uv_poll_t watcher;
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  expect_int(uv_poll_init(*state, &watcher, rd), 0);
  expect_int(uv_poll_start(&watcher, UV_READABLE, on_readable), 0);
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, on_done, &p), 0);
  expect_eq_int("done() calls before to_read_all returned", p.calls[0], 1);
  expect_eq_int("status (TO_ERROR is 3)", r.status, TO_ERROR);
  expect_eq_int("err (UV_EEXIST)", r.err, UV_EEXIST);
  if (fd_is_open(rd))
    fail_msg("fd %d is still open: uv_pipe_open failed, so the pipe never "
             "took it; close it yourself (hint 3)", rd);
  expect_eq_int("close() calls on the refused fd", closes_of[rd], 1);
  uv_poll_stop(&watcher);
  uv_close((uv_handle_t *)&watcher, NULL);
  uv_run(*state, UV_RUN_DEFAULT);
  assert_each_reported_once(&p);
  expect_int(close(wr), 0);
}

static void no_operations_and_bad_arguments(void **state) {
  int rd, wr;
  const uint64_t timeout = 100;
  to_result r;
  probe p = {.n = 1, .results = &r};

  make_pipe(&rd, &wr);
  expect_int(to_read_all(*state, &rd, &timeout, -1, &r, on_done, &p),
                   UV_EINVAL);
  expect_int(to_read_all(*state, &rd, &timeout, 1, &r, NULL, &p),
                   UV_EINVAL);
  expect_int(to_read_all(*state, NULL, NULL, 0, NULL, on_done, &p), 0);
  uv_run(*state, UV_RUN_DEFAULT);
  expect_int(p.calls[0] + p.bad_calls, 0);
  /* On UV_EINVAL the descriptors stay the caller's: still open. */
  assert_true(fd_is_open(rd));
  expect_int(close(rd), 0);
  expect_int(close(wr), 0);
}

/* The first loop of the process opens libuv's process-wide signal pipe,
 * which stays open; make it now, before the tests count descriptors. */
static int group_setup(void **state) {
  uv_loop_t loop;
  (void)state;
  if (uv_loop_init(&loop) != 0)
    return -1;
  return uv_loop_close(&loop);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(data_first, loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(data_during_the_wait, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(nobody_writes, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(writer_closes, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(mixed_batch, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(photo_finish, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(bad_descriptor, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(more_data_than_fits, loop_setup,
                                      loop_teardown),
      cmocka_unit_test_setup_teardown(a_read_of_nothing_keeps_waiting,
                                      loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(refused_descriptor_is_closed,
                                      loop_setup, loop_teardown),
      cmocka_unit_test_setup_teardown(no_operations_and_bad_arguments,
                                      loop_setup, loop_teardown),
  };
  /* A writer may write after its reader timed out and closed: that must
   * be EPIPE, not a SIGPIPE that ends the test. */
  signal(SIGPIPE, SIG_IGN);
  return cmocka_run_group_tests_name("04-timeouts", tests, group_setup,
                                     NULL);
}
