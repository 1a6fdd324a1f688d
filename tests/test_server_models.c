/*
 * test_server_models.c - `conclab serve --model M`: every model answers
 * as the async server does, byte for byte, and stops clean.
 *
 * For each of seq, threaded, multiproc and async --offload, a server of
 * that model and a reference async server run side by side; each request
 * below goes to both, and the two byte streams must be equal.  Then the
 * things a blocking server can get wrong: keep-alive and pipelining,
 * clients that vanish mid-request or mid-reply (more of them than the
 * model has workers, so one wedged worker would show), and SIGINT with
 * connections open: exit 0, and no descriptor, thread or process left.
 * No timing is asserted: a wait that never ends fails after IO_TIMEOUT_S.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "raw_client.h"

#define IO_TIMEOUT_S 10 /* a reply or a stop that takes longer fails */

typedef struct model {
  const char *name;
  const char *args[4]; /* after --port 0 --quiet; ends at 4 or a NULL */
  int workers;         /* threads or processes; 0: none */
  int processes;       /* the workers are processes */
} model;

static const model m_seq = {"seq", {"--model", "seq"}, 0, 0};
static const model m_threaded = {
    "threaded", {"--model", "threaded", "--workers", "3"}, 3, 0};
static const model m_multiproc = {
    "multiproc", {"--model", "multiproc", "--workers", "2"}, 2, 1};
static const model m_offload = {"async --offload", {"--offload"}, 0, 0};

typedef struct server {
  pid_t pid;
  int port;
} server;

static server g_ref; /* the async server every answer is compared with */

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Start `conclab serve --port 0 --quiet ARGS MORE` (each up to 4, ending
 * at a NULL; more may be NULL) and read its URL. */
static void server_start_with(server *s, const char *const *args,
                              const char *const *more) {
  const char *argv[14] = {"conclab", "serve", "--port", "0", "--quiet"};
  char line[128];
  size_t len = 0, n = 5;
  int out[2];

  for (int i = 0; i < 4 && args[i] != NULL; i++)
    argv[n++] = args[i];
  for (int i = 0; more != NULL && i < 4 && more[i] != NULL; i++)
    argv[n++] = more[i];
  assert_int_equal(pipe(out), 0);
  fflush(NULL);
  s->pid = fork();
  assert_true(s->pid >= 0);
  if (s->pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execv(CONCLAB_BIN, (char *const *)argv);
    _exit(127);
  }
  close(out[1]);
  while (len + 1 < sizeof line) {
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    if (poll(&p, 1, IO_TIMEOUT_S * 1000) <= 0 ||
        read(out[0], line + len, 1) != 1)
      fail_msg("no URL from conclab serve %s", args[0]);
    if (line[len] == '\n')
      break;
    len++;
  }
  line[len] = '\0';
  close(out[0]);
  if (sscanf(line, "http://127.0.0.1:%d", &s->port) != 1)
    fail_msg("first line is not the URL: '%s'", line);
}

static void server_start(server *s, const char *const *args) {
  server_start_with(s, args, NULL);
}

/* Signal the server; it must exit 0 within IO_TIMEOUT_S. */
static void server_stop(server *s, int sig) {
  int status = 0;
  assert_int_equal(kill(s->pid, sig), 0);
  for (int waited = 0;; waited += 5) {
    pid_t r = waitpid(s->pid, &status, WNOHANG);
    if (r == s->pid)
      break;
    if (waited > IO_TIMEOUT_S * 1000) {
      kill(s->pid, SIGKILL);
      waitpid(s->pid, &status, 0);
      fail_msg("the server did not stop within %d s", IO_TIMEOUT_S);
    }
    sleep_ms(5);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("the server did not exit 0 (wait status %#x)", status);
}

static int group_setup(void **state) {
  static const char *const plain[] = {NULL};
  (void)state;
  server_start(&g_ref, plain);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  server_stop(&g_ref, SIGTERM);
  return 0;
}

/* Each test gets a fresh server of its model as *state. */
typedef struct fixture {
  const model *m;
  server s;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->m = *state;
  server_start(&f->s, f->m->args);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  if (f->s.pid > 0)
    server_stop(&f->s, SIGTERM);
  free(f);
  return 0;
}

/* ---- a raw client ------------------------------------------------------- */

typedef struct bytes {
  char *data;
  size_t len;
} bytes;

/* Read until EOF (or, with want > 0, until want bytes); NUL-ended. */
static bytes recv_until(int fd, size_t want) {
  bytes b = {NULL, 0};
  size_t cap = 0;
  for (;;) {
    size_t room;
    ssize_t n;
    if (cap - b.len < 65536) {
      cap = cap * 2 + 65536;
      b.data = realloc(b.data, cap);
      assert_non_null(b.data);
    }
    b.data[b.len] = '\0';
    if (want > 0 && b.len >= want)
      break;
    room = cap - b.len - 1; /* one byte kept for the NUL */
    if (want > 0 && want - b.len < room)
      room = want - b.len;
    n = recv(fd, b.data + b.len, room, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail_msg("recv after %zu bytes: %s", b.len, strerror(errno));
    if (n == 0)
      break;
    b.len += (size_t)n;
  }
  return b;
}

/* Send text on a fresh connection; everything until the server closes. */
static bytes exchange(int port, const char *text, size_t len) {
  int fd = raw_connect(port, IO_TIMEOUT_S);
  bytes b;
  raw_send(fd, text, len);
  b = recv_until(fd, 0);
  close(fd);
  return b;
}

/* The first line, printable, for messages. */
static const char *first_line(const char *text, char *buf, size_t cap) {
  size_t i = 0;
  for (; i + 1 < cap && text[i] != '\0' && text[i] != '\r'; i++)
    buf[i] = isprint((unsigned char)text[i]) ? text[i] : '?';
  buf[i] = '\0';
  return buf;
}

static void expect_same(const bytes *got, const bytes *want,
                        const char *model_name, const char *request) {
  char line[80];
  if (got->len != want->len ||
      (want->len > 0 && memcmp(got->data, want->data, want->len) != 0))
    fail_msg("%s: '%s': %zu bytes differ from async's %zu", model_name,
             first_line(request, line, sizeof line), got->len, want->len);
}

/* ---- the same answers ----------------------------------------------------- */

#define CLOSE "Connection: close\r\n\r\n"
static const char *const requests[] = {
    "GET / HTTP/1.1\r\n" CLOSE,
    "GET /bytes/0 HTTP/1.1\r\n" CLOSE,
    "GET /bytes/1 HTTP/1.1\r\n" CLOSE,
    "GET /bytes/1024 HTTP/1.1\r\n" CLOSE,
    "GET /bytes/3000000 HTTP/1.1\r\n" CLOSE, /* several writes */
    "HEAD /bytes/5000 HTTP/1.1\r\n" CLOSE,
    "GET /bytes/x HTTP/1.1\r\n" CLOSE,
    "GET /status/200 HTTP/1.1\r\n" CLOSE,
    "GET /status/204 HTTP/1.1\r\n" CLOSE,
    "GET /status/418 HTTP/1.1\r\n" CLOSE,
    "GET /status/600 HTTP/1.1\r\n" CLOSE,
    "GET /delay/20 HTTP/1.1\r\n" CLOSE,
    "GET /delay/60001 HTTP/1.1\r\n" CLOSE,
    "GET /cpu/100000 HTTP/1.1\r\n" CLOSE,
    "GET /cpu/10000001 HTTP/1.1\r\n" CLOSE,
    "GET /nope?x=1 HTTP/1.1\r\n" CLOSE,
    "GET http://example.com/status/201 HTTP/1.1\r\n" CLOSE,
    "POST / HTTP/1.1\r\nContent-Length: 3\r\n" CLOSE "abc",
    "GET /status/202 HTTP/1.0\r\n\r\n", /* 1.0: closes by default */
    "GET /drop HTTP/1.1\r\n\r\n",       /* nothing, then the close */
    /* malformed: the same 4xx, then the close */
    "GARBAGE\r\n\r\n",
    "GET / HTTP/2.0\r\n\r\n",
    "GET / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n",
    "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
};

static void test_same_answers(void **state) {
  fixture *f = *state;
  for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    size_t len = strlen(requests[i]);
    bytes want = exchange(g_ref.port, requests[i], len);
    bytes got = exchange(f->s.port, requests[i], len);
    expect_same(&got, &want, f->m->name, requests[i]);
    free(want.data);
    free(got.data);
  }
}

/* A head over 8 KiB: 431 from each. */
static void test_same_431(void **state) {
  fixture *f = *state;
  size_t len = 12000;
  char *text = malloc(len + 1);
  bytes want, got;
  assert_non_null(text);
  memset(text, 'a', len);
  memcpy(text, "GET /", 5);
  text[len] = '\0';
  want = exchange(g_ref.port, text, len);
  got = exchange(f->s.port, text, len);
  assert_non_null(strstr(want.data, " 431 ")); /* want.data has the head */
  expect_same(&got, &want, f->m->name, "GET /aaa... (12000 bytes)");
  free(want.data);
  free(got.data);
  free(text);
}

/* /cpu's answer is the count itself, in every model. */
static void test_cpu_count(void **state) {
  fixture *f = *state;
  const char *req = "GET /cpu/100000 HTTP/1.1\r\n" CLOSE;
  bytes got = exchange(f->s.port, req, strlen(req));
  const char *body = "\r\n\r\nprimes below 100000: 9592\n";
  size_t n = strlen(body);
  assert_true(got.len > n);
  assert_memory_equal(got.data + got.len - n, body, n);
  free(got.data);
}

/* Keep-alive: three requests one after another on one connection, then
 * three pipelined in one send; both streams as async's. */
static void test_keep_alive_and_pipelining(void **state) {
  fixture *f = *state;
  static const char *const reqs[] = {
      "GET /bytes/100 HTTP/1.1\r\n\r\n", "GET /cpu/1000 HTTP/1.1\r\n\r\n",
      "GET /status/404 HTTP/1.1\r\n\r\n"};
  const char *pipelined = "GET /bytes/10 HTTP/1.1\r\n\r\n"
                          "HEAD /status/500 HTTP/1.1\r\n\r\n"
                          "GET /delay/5 HTTP/1.1\r\n" CLOSE;
  int fd = raw_connect(f->s.port, IO_TIMEOUT_S);
  bytes want, got;

  for (size_t i = 0; i < 3; i++) {
    size_t len = strlen(reqs[i]);
    int ref = raw_connect(g_ref.port, IO_TIMEOUT_S);
    raw_send(ref, reqs[i], len);
    shutdown(ref, SHUT_WR); /* async answers, then closes */
    want = recv_until(ref, 0);
    close(ref);
    raw_send(fd, reqs[i], len);
    got = recv_until(fd, want.len); /* the connection stays open */
    expect_same(&got, &want, f->m->name, reqs[i]);
    free(want.data);
    free(got.data);
  }
  close(fd);
  want = exchange(g_ref.port, pipelined, strlen(pipelined));
  got = exchange(f->s.port, pipelined, strlen(pipelined));
  expect_same(&got, &want, f->m->name, pipelined);
  free(want.data);
  free(got.data);
}

/* A request that does not arrive whole within the head timeout gets 408,
 * as from async; a connection that sends nothing is closed at the idle
 * timeout, and its worker is free again. */
static void test_timeouts(void **state) {
  static const char *const short_timeouts[] = {
      "--header-timeout-ms", "100", "--idle-timeout-ms", "100"};
  const char *partial = "GET /status/200 HTTP/1.1\r\nHo";
  fixture *f = *state;
  server s;
  bytes got, idle;
  int fd;

  server_start_with(&s, f->m->args, short_timeouts);
  fd = raw_connect(s.port, IO_TIMEOUT_S);
  idle = recv_until(fd, 0); /* no request: closed, nothing said */
  close(fd);
  assert_int_equal(idle.len, 0);
  free(idle.data);
  got = exchange(s.port, partial, strlen(partial));
  if (got.len < 13 || memcmp(got.data, "HTTP/1.1 408 ", 13) != 0)
    fail_msg("%s: no 408 for a request cut short", f->m->name);
  assert_non_null(strstr(got.data, "Connection: close\r\n"));
  free(got.data);
  server_stop(&s, SIGTERM);
}

/* ---- clients that vanish --------------------------------------------------- */

/* Close with a reset rather than a FIN: unread bytes or SO_LINGER 0. */
static void close_reset(int fd) {
  struct linger l = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

/* More vanishing clients of each kind than the model has workers: one
 * connection a worker could not let go would leave the server unable to
 * answer the last fetch (which then fails after IO_TIMEOUT_S). */
static void test_vanishing_clients(void **state) {
  fixture *f = *state;
  int rounds = (f->m->workers > 0 ? f->m->workers : 1) + 2;
  const char *req = "GET /status/200 HTTP/1.1\r\n" CLOSE;
  bytes want = exchange(g_ref.port, req, strlen(req)), got;

  for (int i = 0; i < rounds; i++) {
    int fd = raw_connect(f->s.port, IO_TIMEOUT_S); /* mid-request */
    raw_send(fd, "GET /by", 7);
    close(fd);
    fd = raw_connect(f->s.port, IO_TIMEOUT_S); /* mid-request, with a reset */
    raw_send(fd, "GET /status/200 HTTP/1.1\r\nHo", 28);
    close_reset(fd);
    fd = raw_connect(f->s.port, IO_TIMEOUT_S); /* mid-reply: 20 MB asked, 1 KB read */
    raw_send(fd, "GET /bytes/20000000 HTTP/1.1\r\n\r\n", 33);
    free(recv_until(fd, 1024).data);
    close_reset(fd);
    fd = raw_connect(f->s.port, IO_TIMEOUT_S); /* waiting on the server */
    raw_send(fd, "GET /stall HTTP/1.1\r\n\r\n", 23);
    close(fd);
    fd = raw_connect(f->s.port, IO_TIMEOUT_S);
    raw_send(fd, "GET /delay/30 HTTP/1.1\r\n\r\n", 26);
    close_reset(fd);
  }
  got = exchange(f->s.port, req, strlen(req));
  expect_same(&got, &want, f->m->name, req);
  free(want.data);
  free(got.data);
}

/* ---- a clean stop ----------------------------------------------------------- */

static int count_fds(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
  return dir_entries(path);
}

static int count_threads(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  return dir_entries(path);
}

/* The children of pid, from every /proc/N/stat; how many (up to cap). */
static int children_of(pid_t pid, pid_t *out, int cap) {
  DIR *d = opendir("/proc");
  struct dirent *e;
  int n = 0;
  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    char path[300], buf[512], *close_paren;
    FILE *fp;
    int ppid;
    if (!isdigit((unsigned char)e->d_name[0]))
      continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    if ((fp = fopen(path, "r")) == NULL)
      continue; /* gone meanwhile */
    if (fgets(buf, sizeof buf, fp) != NULL &&
        (close_paren = strrchr(buf, ')')) != NULL &&
        sscanf(close_paren + 2, "%*c %d", &ppid) == 1 && ppid == pid &&
        n < cap)
      out[n++] = (pid_t)atoi(e->d_name);
    fclose(fp);
  }
  closedir(d);
  return n;
}

/* Wait until count(pid) == want; fail after IO_TIMEOUT_S. */
static void wait_count(int (*count)(pid_t), pid_t pid, int want,
                       const char *what) {
  int got = -1;
  for (int waited = 0; waited <= IO_TIMEOUT_S * 1000; waited += 10) {
    if ((got = count(pid)) == want)
      return;
    sleep_ms(10);
  }
  fail_msg("%s of %d: %d, not back to %d", what, (int)pid, got, want);
}

static int count_children(pid_t pid) {
  pid_t kids[64];
  return children_of(pid, kids, 64);
}

/* The workers' processes, each with its descriptor count at rest. */
typedef struct census {
  int fds, threads, nkids;
  pid_t kids[16];
  int kid_fds[16];
} census;

static void take_census(const fixture *f, census *c) {
  pid_t pid = f->s.pid;
  int want_kids = f->m->processes ? f->m->workers : 0;
  /* The pool and main (a sanitizer may add a thread of its own). */
  for (int waited = 0; !f->m->processes && f->m->workers > 0 &&
                       count_threads(pid) < f->m->workers + 1;
       waited += 10) {
    if (waited > IO_TIMEOUT_S * 1000)
      fail_msg("the pool of %d threads did not start", f->m->workers);
    sleep_ms(10);
  }
  wait_count(count_children, pid, want_kids, "children");
  c->fds = count_fds(pid);
  c->threads = count_threads(pid);
  c->nkids = children_of(pid, c->kids, 16);
  for (int i = 0; i < c->nkids; i++)
    c->kid_fds[i] = count_fds(c->kids[i]);
}

/* Traffic of every kind; then all clients gone, descriptors, threads and
 * processes are as before; SIGINT with a stalled, an idle kept-alive and
 * a half-sent request open stops it with 0, leaving no process behind. */
static void test_sigint_leaves_nothing(void **state) {
  fixture *f = *state;
  census before, after;
  int stall, idle, half;
  const char *req = "GET /bytes/1000 HTTP/1.1\r\n\r\n";

  take_census(f, &before);
  assert_int_equal(before.nkids, f->m->processes ? f->m->workers : 0);
  test_vanishing_clients(state);
  take_census(f, &after);
  wait_count(count_fds, f->s.pid, before.fds, "descriptors");
  assert_int_equal(after.threads, before.threads);
  assert_int_equal(after.nkids, before.nkids);
  for (int i = 0; i < before.nkids; i++) {
    assert_int_equal(after.kids[i], before.kids[i]); /* none replaced */
    wait_count(count_fds, before.kids[i], before.kid_fds[i],
               "a worker's descriptors");
  }

  /* First the one that must be answered: seq serves only it. */
  idle = raw_connect(f->s.port, IO_TIMEOUT_S);
  raw_send(idle, req, strlen(req));
  free(recv_until(idle, 1).data); /* answered: now idle, kept alive */
  stall = raw_connect(f->s.port, IO_TIMEOUT_S);
  raw_send(stall, "GET /stall HTTP/1.1\r\n\r\n", 23);
  half = raw_connect(f->s.port, IO_TIMEOUT_S);
  raw_send(half, "GET /st", 7);
  server_stop(&f->s, SIGINT);
  f->s.pid = 0;
  for (int i = 0; i < before.nkids; i++)
    if (kill(before.kids[i], 0) == 0 || errno != ESRCH)
      fail_msg("worker %d outlived the server", (int)before.kids[i]);
  close(stall);
  close(idle);
  close(half);
}

/* multiproc: a parent killed outright (no chance to stop its workers)
 * takes its workers with it. */
static void test_workers_die_with_parent(void **state) {
  fixture *f = *state;
  census c;
  int status;
  take_census(f, &c);
  assert_int_equal(c.nkids, f->m->workers);
  assert_int_equal(kill(f->s.pid, SIGKILL), 0);
  assert_int_equal(waitpid(f->s.pid, &status, 0), f->s.pid);
  f->s.pid = 0;
  for (int i = 0; i < c.nkids; i++)
    for (int waited = 0; kill(c.kids[i], 0) == 0; waited += 10) {
      if (waited > IO_TIMEOUT_S * 1000)
        fail_msg("worker %d outlived its parent", (int)c.kids[i]);
      sleep_ms(10);
    }
}

/* multiproc: a worker that dies (here, killed) is not quietly lost: the
 * server says so and stops, exit 1, reaping the others. */
static void test_worker_death_stops_server(void **state) {
  fixture *f = *state;
  census c;
  int status = 0;
  take_census(f, &c);
  assert_int_equal(c.nkids, f->m->workers);
  assert_int_equal(kill(c.kids[0], SIGKILL), 0);
  for (int waited = 0; waitpid(f->s.pid, &status, WNOHANG) != f->s.pid;
       waited += 10) {
    if (waited > IO_TIMEOUT_S * 1000)
      fail_msg("the server did not stop after a worker died");
    sleep_ms(10);
  }
  f->s.pid = 0;
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 1);
  for (int i = 0; i < c.nkids; i++)
    if (kill(c.kids[i], 0) == 0 || errno != ESRCH)
      fail_msg("worker %d outlived the server", (int)c.kids[i]);
}

/* ---- flags ---------------------------------------------------------------- */

/* Exit status and stderr of `conclab serve ARGS` (which must not start). */
static int serve_fails(const char *a, const char *b, const char *c,
                       char *err, size_t cap) {
  const char *argv[] = {"conclab", "serve", "--port", "0", a, b, c, NULL};
  int pipefd[2], status;
  ssize_t n;
  size_t len = 0;
  pid_t pid;
  assert_int_equal(pipe(pipefd), 0);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    execv(CONCLAB_BIN, (char *const *)argv);
    _exit(127);
  }
  close(pipefd[1]);
  while (len + 1 < cap && (n = read(pipefd[0], err + len, cap - 1 - len)) > 0)
    len += (size_t)n;
  err[len] = '\0';
  close(pipefd[0]);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_usage(void **state) {
  static const struct {
    const char *a, *b, *c, *want;
  } cases[] = {
      {"--model", "fork", NULL, "conclab: --model: unknown model 'fork'"},
      {"--model=threaded", "--workers", "0",
       "conclab: --workers: 0 is out of range"},
      {"--model=multiproc", "--workers", "2x",
       "conclab: --workers: '2x' is not a whole number"},
      {"--model", "threaded", "--offload",
       "conclab: --offload: only with --model async"},
      {"--workers", "4", NULL,
       "conclab: --workers: only with --model threaded or multiproc"},
      {"--model=seq", "--model=async", NULL, "conclab: --model:"},
  };
  char err[1024];
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_int_equal(serve_fails(cases[i].a, cases[i].b, cases[i].c, err,
                                 sizeof err), 2);
    if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0 ||
        strchr(err, '\n') != err + strlen(err) - 1)
      fail_msg("case %zu: want one line starting '%s', got '%s'", i,
               cases[i].want, err);
  }
}

#define MODEL_TESTS(m)                                                       \
  cmocka_unit_test_prestate_setup_teardown(test_same_answers, setup,         \
                                           teardown, (void *)&m),            \
      cmocka_unit_test_prestate_setup_teardown(test_same_431, setup,         \
                                               teardown, (void *)&m),        \
      cmocka_unit_test_prestate_setup_teardown(test_cpu_count, setup,        \
                                               teardown, (void *)&m),        \
      cmocka_unit_test_prestate_setup_teardown(                              \
          test_keep_alive_and_pipelining, setup, teardown, (void *)&m),      \
      cmocka_unit_test_prestate_setup_teardown(test_timeouts, setup,         \
                                               teardown, (void *)&m),        \
      cmocka_unit_test_prestate_setup_teardown(                              \
          test_vanishing_clients, setup, teardown, (void *)&m),              \
      cmocka_unit_test_prestate_setup_teardown(                              \
          test_sigint_leaves_nothing, setup, teardown, (void *)&m)

int main(void) {
  const struct CMUnitTest tests[] = {
      MODEL_TESTS(m_seq),
      MODEL_TESTS(m_threaded),
      MODEL_TESTS(m_multiproc),
      MODEL_TESTS(m_offload),
      cmocka_unit_test_prestate_setup_teardown(test_workers_die_with_parent,
                                               setup, teardown,
                                               (void *)&m_multiproc),
      cmocka_unit_test_prestate_setup_teardown(
          test_worker_death_stops_server, setup, teardown,
          (void *)&m_multiproc),
      cmocka_unit_test(test_usage),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
