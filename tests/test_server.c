/*
 * test_server.c - `conclab serve`, run as a child and spoken to over TCP.
 *
 * Each test starts `conclab serve --port 0 --quiet`, reads the URL it
 * prints, and talks raw HTTP to it (raw, so that malformed input can be
 * sent too).  Every test ends with SIGTERM and checks the server exits 0:
 * a clean stop is checked after every kind of traffic.  Timings are
 * asserted only with wide margins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "raw_client.h"

#define IO_TIMEOUT_S 10 /* a reply that takes longer is a failure */

/* ---- the server process ------------------------------------------------- */

typedef struct server {
  pid_t pid;
  int port;
  FILE *err; /* its stderr */
} server;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Read the first line of fd within IO_TIMEOUT_S. */
static void read_line(int fd, char *line, size_t cap) {
  size_t len = 0;
  while (len + 1 < cap) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n;
    if (poll(&pfd, 1, IO_TIMEOUT_S * 1000) <= 0)
      fail_msg("no line from the server within %d s", IO_TIMEOUT_S);
    n = read(fd, line + len, 1);
    if (n <= 0)
      fail_msg("the server exited before printing its URL");
    if (line[len] == '\n')
      break;
    len++;
  }
  line[len] = '\0';
}

/* Start conclab with up to 6 args after "conclab serve --port 0" (the
 * list ends at the first NULL); learn its port from the first line of its
 * stdout. */
static rlim_t g_server_nofile; /* > 0: the server's open-file limit */

static void server_start_with(server *s, const char *const *args) {
  const char *argv[11] = {"conclab", "serve", "--port", "0"};
  char line[128];
  int out[2];

  for (int i = 0; i < 6 && args[i] != NULL; i++)
    argv[4 + i] = args[i];
  s->err = tmpfile();
  assert_non_null(s->err);
  assert_int_equal(pipe(out), 0);
  fflush(NULL);
  s->pid = fork();
  assert_true(s->pid >= 0);
  if (s->pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(fileno(s->err), STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    if (g_server_nofile > 0 &&
        setrlimit(RLIMIT_NOFILE,
                  &(struct rlimit){g_server_nofile, g_server_nofile}) != 0)
      _exit(126);
    execv(CONCLAB_BIN, (char *const *)argv);
    _exit(127);
  }
  close(out[1]);
  read_line(out[0], line, sizeof line);
  close(out[0]); /* later writes to stdout would fail: the server makes none */
  if (sscanf(line, "http://127.0.0.1:%d", &s->port) != 1 || s->port <= 0)
    fail_msg("first line is not the URL: '%s'", line);
}

static void server_start(server *s, const char *quiet) {
  const char *args[] = {quiet, NULL};
  server_start_with(s, args);
}

/* Wait for the server to exit, at most timeout_ms; its exit status, or
 * 128 + the signal that killed it. */
static int server_wait(server *s, long timeout_ms) {
  int status;
  for (long waited = 0;; waited += 5) {
    pid_t r = waitpid(s->pid, &status, WNOHANG);
    if (r == s->pid)
      break;
    if (r < 0 && errno != EINTR)
      fail_msg("waitpid: %s", strerror(errno));
    if (waited >= timeout_ms) {
      kill(s->pid, SIGKILL);
      waitpid(s->pid, &status, 0);
      fail_msg("the server did not exit within %ld ms", timeout_ms);
    }
    sleep_ms(5);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Stop it with sig: it must exit promptly, with status 0. */
static void server_stop(server *s, int sig) {
  assert_int_equal(kill(s->pid, sig), 0);
  assert_int_equal(server_wait(s, 10000), 0);
}

static void server_stderr(server *s, char *buf, size_t cap) {
  size_t n;
  rewind(s->err);
  n = fread(buf, 1, cap - 1, s->err);
  buf[n] = '\0';
  fclose(s->err);
}

/* Open descriptors of the server, from /proc. */
static int server_fds(const server *s) {
  char path[64];
  DIR *d;
  int n = 0;
  snprintf(path, sizeof path, "/proc/%d/fd", (int)s->pid);
  d = opendir(path);
  assert_non_null(d);
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

static int setup(void **state) {
  static server s;
  server_start(&s, "--quiet");
  *state = &s;
  return 0;
}

static int teardown(void **state) {
  server *s = *state;
  server_stop(s, SIGTERM);
  fclose(s->err);
  return 0;
}

/* ---- a client ----------------------------------------------------------- */

typedef struct peer {
  int fd;
  char *buf; /* bytes received, not yet taken as a response; NUL-ended */
  size_t len, cap;
} peer;

typedef struct response {
  int status;
  long long length; /* Content-Length */
  int close;        /* Connection: close */
  char *body;       /* malloc'd, length bytes (none for HEAD) */
} response;

static void peer_open(peer *p, int port) {
  memset(p, 0, sizeof *p);
  p->fd = raw_connect(port, IO_TIMEOUT_S);
}

static void peer_close(peer *p) {
  if (p->fd >= 0)
    close(p->fd);
  p->fd = -1;
  free(p->buf);
  p->buf = NULL;
  p->len = p->cap = 0;
}

static void send_text(peer *p, const char *text) {
  raw_send(p->fd, text, strlen(text));
}

static void send_get(peer *p, const char *method, const char *path) {
  char req[512];
  snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: test\r\n\r\n", method,
           path);
  send_text(p, req);
}

/* Receive more bytes: how many, 0 at EOF, -1 on error or timeout. */
static ssize_t peer_fill(peer *p) {
  ssize_t n;
  if (p->cap - p->len < 65536) {
    p->cap = p->cap * 2 + 65536;
    p->buf = realloc(p->buf, p->cap);
    assert_non_null(p->buf);
  }
  do /* one byte kept for the NUL that sscanf and strstr need */
    n = recv(p->fd, p->buf + p->len, p->cap - p->len - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    p->len += (size_t)n;
  p->buf[p->len] = '\0';
  return n;
}

static const char *find(const char *hay, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(hay + i, needle, n) == 0)
      return hay + i;
  return NULL;
}

/* Parse one response at the start of p->buf; 0 if it is not all there. */
static size_t parse_response(peer *p, int head_only, response *r) {
  const char *end = find(p->buf, p->len, "\r\n\r\n"), *cl;
  size_t head_len, total;

  if (end == NULL)
    return 0;
  head_len = (size_t)(end - p->buf) + 4;
  memset(r, 0, sizeof *r);
  if (sscanf(p->buf, "HTTP/1.1 %d ", &r->status) != 1)
    fail_msg("bad status line: %.40s", p->buf);
  cl = find(p->buf, head_len, "\r\nContent-Length: ");
  if (cl == NULL)
    fail_msg("no Content-Length in: %.*s", (int)head_len, p->buf);
  r->length = atoll(cl + 18);
  r->close = find(p->buf, head_len, "\r\nConnection: close\r\n") != NULL;
  total = head_len + (head_only ? 0 : (size_t)r->length);
  if (p->len < total)
    return 0;
  r->body = malloc(total - head_len + 1);
  assert_non_null(r->body);
  memcpy(r->body, p->buf + head_len, total - head_len);
  r->body[total - head_len] = '\0';
  return total;
}

/* Read one whole response (fails the test on EOF or timeout). */
static void read_response(peer *p, int head_only, response *r) {
  size_t used;
  while ((used = parse_response(p, head_only, r)) == 0)
    if (peer_fill(p) <= 0)
      fail_msg("connection ended or timed out before a whole response "
               "(%zu bytes so far)", p->len);
  memmove(p->buf, p->buf + used, p->len - used + 1); /* with the NUL */
  p->len -= used;
}

static void response_free(response *r) {
  free(r->body);
  r->body = NULL;
}

/* The server closes: EOF, and nothing more before it. */
static void expect_eof(peer *p) {
  ssize_t n = peer_fill(p);
  if (n != 0 || p->len != 0)
    fail_msg("expected EOF, got %zd (%s), %zu bytes", n,
             n < 0 ? strerror(errno) : "data", p->len);
}

/* One request on a fresh connection. */
static void fetch(int port, const char *path, response *r) {
  peer p;
  peer_open(&p, port);
  send_get(&p, "GET", path);
  read_response(&p, 0, r);
  peer_close(&p);
}

/* ---- the endpoints ------------------------------------------------------ */

static void test_index(void **state) {
  server *s = *state;
  response r;
  fetch(s->port, "/", &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.close, 0);
  for (size_t i = 0; i < 5; i++) {
    static const char *const routes[] = {"/delay/", "/bytes/", "/status/",
                                         "/drop", "/stall"};
    assert_non_null(strstr(r.body, routes[i]));
  }
  response_free(&r);
}

static void test_bytes(void **state) {
  server *s = *state;
  response r;

  fetch(s->port, "/bytes/100000", &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.length, 100000);
  for (long i = 0; i < 100000; i++)
    if (r.body[i] != 'a' + i % 26)
      fail_msg("byte %ld is '%c'", i, r.body[i]);
  response_free(&r);

  fetch(s->port, "/bytes/0", &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.length, 0);
  response_free(&r);
  fetch(s->port, "/bytes/67108865", &r);
  assert_int_equal(r.status, 400);
  response_free(&r);
  fetch(s->port, "/bytes/7?ignored=query", &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "abcdefg");
  response_free(&r);
}

/* 64 MiB, the largest body, whole and right at both ends. */
static void test_bytes_max(void **state) {
  server *s = *state;
  response r;
  fetch(s->port, "/bytes/67108864", &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.length, 67108864);
  assert_memory_equal(r.body, "abcdefghijklmnopqrstuvwxyz", 26);
  assert_int_equal(r.body[67108863], 'a' + 67108863 % 26);
  response_free(&r);
}

static void test_status(void **state) {
  server *s = *state;
  response r;
  fetch(s->port, "/status/503", &r);
  assert_int_equal(r.status, 503);
  assert_string_equal(r.body, "status 503\n");
  response_free(&r);
  fetch(s->port, "/status/600", &r);
  assert_int_equal(r.status, 400);
  response_free(&r);
  fetch(s->port, "/nowhere", &r);
  assert_int_equal(r.status, 404);
  response_free(&r);
}

static void test_delay(void **state) {
  server *s = *state;
  response r;
  double t0 = monotonic_s();
  fetch(s->port, "/delay/150", &r);
  assert_int_equal(r.status, 200);
  assert_true(monotonic_s() - t0 >= 0.14); /* a timer never fires early */
  response_free(&r);
  fetch(s->port, "/delay/60001", &r);
  assert_int_equal(r.status, 400);
  response_free(&r);
}

static void test_drop(void **state) {
  server *s = *state;
  peer p;
  peer_open(&p, s->port);
  send_get(&p, "GET", "/drop");
  expect_eof(&p);
  peer_close(&p);
}

static void test_stall(void **state) {
  server *s = *state;
  struct pollfd pfd;
  response r;
  peer p;

  peer_open(&p, s->port);
  send_get(&p, "GET", "/stall");
  pfd = (struct pollfd){.fd = p.fd, .events = POLLIN};
  assert_int_equal(poll(&pfd, 1, 300), 0); /* nothing within 300 ms */
  peer_close(&p);
  fetch(s->port, "/status/200", &r); /* and the server goes on */
  assert_int_equal(r.status, 200);
  response_free(&r);
}

/* HEAD gets the head only; a method other than GET or HEAD gets 405. */
static void test_head_and_405(void **state) {
  server *s = *state;
  response r;
  peer p;

  peer_open(&p, s->port);
  send_get(&p, "HEAD", "/bytes/10");
  read_response(&p, 1, &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.length, 10);
  response_free(&r);
  send_text(&p, "POST /bytes/10 HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 405);
  assert_int_equal(r.close, 0);
  response_free(&r);
  send_get(&p, "DELETE", "/");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 405);
  response_free(&r);
  /* had HEAD sent a body, this would read it as a response */
  send_get(&p, "GET", "/status/201");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 201);
  response_free(&r);
  peer_close(&p);
}

/* ---- connections -------------------------------------------------------- */

static void test_keep_alive(void **state) {
  static const char *const paths[] = {"/bytes/100", "/status/202",
                                      "/delay/10", "/", "/nope",
                                      "/bytes/70000"};
  static const int want[] = {200, 202, 200, 200, 404, 200};
  server *s = *state;
  response r;
  peer p;

  peer_open(&p, s->port);
  for (int round = 0; round < 3; round++)
    for (size_t i = 0; i < 6; i++) {
      send_get(&p, "GET", paths[i]);
      read_response(&p, 0, &r);
      assert_int_equal(r.status, want[i]);
      assert_int_equal(r.close, 0);
      response_free(&r);
    }
  /* Connection: close is honoured: the reply says so, then EOF. */
  send_text(&p, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  read_response(&p, 0, &r);
  assert_int_equal(r.close, 1);
  response_free(&r);
  expect_eof(&p);
  peer_close(&p);
}

/* In one write: a slow request first, quick ones behind it.  The answers
 * come in request order all the same. */
static void test_pipelined_in_order(void **state) {
  server *s = *state;
  response r;
  peer p;

  peer_open(&p, s->port);
  send_text(&p, "GET /delay/200 HTTP/1.1\r\n\r\n"
                "GET /bytes/5 HTTP/1.1\r\n\r\n"
                "HEAD /bytes/3 HTTP/1.1\r\n\r\n"
                "GET /status/201 HTTP/1.1\r\n\r\n"
                "GET /status/202 HTTP/1.1\r\nConnection: close\r\n\r\n");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "delayed\n"); /* whatever the delay */
  response_free(&r);
  read_response(&p, 0, &r);
  assert_string_equal(r.body, "abcde");
  response_free(&r);
  read_response(&p, 1, &r);
  assert_int_equal(r.length, 3);
  response_free(&r);
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 201);
  response_free(&r);
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 202);
  assert_int_equal(r.close, 1);
  response_free(&r);
  expect_eof(&p);
  peer_close(&p);
}

/* More pipelined requests than the server buffers (64 KiB): it stops
 * reading, answers, reads on.  Sent and read at once with poll, so that
 * neither side waits on the other. */
static void test_pipelined_flood(void **state) {
  enum { N = 4000 }; /* 4000 x 27 bytes = 108,000 bytes */
  server *s = *state;
  size_t out_len = 0, out_off = 0;
  char *out = malloc(N * 32);
  int got = 0;
  peer p;

  assert_non_null(out);
  for (int i = 0; i < N; i++)
    out_len += (size_t)sprintf(out + out_len, "GET /status/%d HTTP/1.1\r\n\r\n",
                               200 + i % 100);
  peer_open(&p, s->port);
  fcntl(p.fd, F_SETFL, O_NONBLOCK);
  while (got < N) {
    struct pollfd pfd = {.fd = p.fd,
                         .events = POLLIN | (out_off < out_len ? POLLOUT : 0)};
    response r;
    size_t used;
    assert_true(poll(&pfd, 1, IO_TIMEOUT_S * 1000) > 0);
    if (pfd.revents & POLLOUT) {
      ssize_t n = send(p.fd, out + out_off, out_len - out_off, MSG_NOSIGNAL);
      if (n > 0)
        out_off += (size_t)n;
    }
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = peer_fill(&p);
      if (n == 0 || (n < 0 && errno != EAGAIN))
        fail_msg("connection ended after %d responses", got);
    }
    while ((used = parse_response(&p, 0, &r)) > 0) {
      if (r.status != 200 + got % 100)
        fail_msg("response %d has status %d", got, r.status);
      response_free(&r);
      memmove(p.buf, p.buf + used, p.len - used + 1); /* with the NUL */
      p.len -= used;
      got++;
    }
  }
  free(out);
  peer_close(&p);
}

/* ---- bad input ---------------------------------------------------------- */

/* Send raw bytes; expect one response with status and a close, then EOF. */
static void expect_refused(int port, const char *data, size_t len,
                           int status) {
  response r;
  peer p;
  peer_open(&p, port);
  raw_send(p.fd, data, len);
  read_response(&p, 0, &r);
  assert_int_equal(r.status, status);
  assert_int_equal(r.close, 1);
  response_free(&r);
  expect_eof(&p);
  peer_close(&p);
}

static void test_malformed_400(void **state) {
  server *s = *state;
  static const char garbage[] = "GARBAGE\r\n\r\n";
  static const char binary[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
  static const char bad_header[] = "GET / HTTP/1.1\r\nno colon\r\n\r\n";
  expect_refused(s->port, garbage, strlen(garbage), 400);
  expect_refused(s->port, binary, sizeof binary - 1, 400); /* a TLS hello */
  expect_refused(s->port, bad_header, strlen(bad_header), 400);
}

static void test_oversized_431_and_413(void **state) {
  server *s = *state;
  size_t cap = 64 * 1024, n;
  char *big = malloc(cap);

  assert_non_null(big);
  n = (size_t)sprintf(big, "GET / HTTP/1.1\r\nX-Big: ");
  memset(big + n, 'v', 10000);
  n += 10000;
  n += (size_t)sprintf(big + n, "\r\n\r\n");
  expect_refused(s->port, big, n, 431);

  n = (size_t)sprintf(big, "GET /");
  memset(big + n, 'u', 9000);
  n += 9000;
  n += (size_t)sprintf(big + n, " HTTP/1.1\r\n\r\n");
  expect_refused(s->port, big, n, 431);

  n = (size_t)sprintf(big, "POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
  memset(big + n, 'b', 30000); /* part of the body: it is never read */
  expect_refused(s->port, big, n + 30000, 413);
  free(big);
}

/* Clients that vanish mid-request, mid-delay, mid-body: the server stays
 * up and answers the next client. */
static void test_client_disconnects(void **state) {
  server *s = *state;
  response r;
  peer p;

  peer_open(&p, s->port);
  send_text(&p, "GET /del");
  peer_close(&p);

  peer_open(&p, s->port);
  send_get(&p, "GET", "/delay/200");
  peer_close(&p);

  peer_open(&p, s->port);
  send_get(&p, "GET", "/bytes/67108864");
  assert_true(peer_fill(&p) > 0); /* the body has started */
  peer_close(&p);                 /* with most of it unread: a reset */

  peer_open(&p, s->port);
  send_get(&p, "GET", "/stall");
  shutdown(p.fd, SHUT_WR); /* EOF with a request pending */
  expect_eof(&p);
  peer_close(&p);

  sleep_ms(300); /* past the delay */
  fetch(s->port, "/status/200", &r);
  assert_int_equal(r.status, 200);
  response_free(&r);
}

/* A client that shuts down its side after sending still gets its answers,
 * all of them. */
static void test_half_close_still_answered(void **state) {
  server *s = *state;
  response r;
  peer p;

  peer_open(&p, s->port);
  send_text(&p, "GET /delay/50 HTTP/1.1\r\n\r\nGET /bytes/4 HTTP/1.1\r\n\r\n");
  shutdown(p.fd, SHUT_WR);
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 200);
  response_free(&r);
  read_response(&p, 0, &r);
  assert_string_equal(r.body, "abcd");
  response_free(&r);
  expect_eof(&p);
  peer_close(&p);
}

/* A /stall (or a slow /delay), then more pipelined requests than the
 * server keeps (64 KiB): it stops reading that connection.  Returns the
 * text, malloc'd. */
static char *stalled_pipeline(const char *first, size_t *len) {
  enum { REQS = 3000 }; /* 3000 x 27 bytes = 81,000 bytes */
  char *out = malloc(REQS * 32 + 64);
  size_t n;

  assert_non_null(out);
  n = (size_t)sprintf(out, "GET %s HTTP/1.1\r\n\r\n", first);
  for (int i = 0; i < REQS; i++)
    n += (size_t)sprintf(out + n, "GET /status/200 HTTP/1.1\r\n\r\n");
  *len = n;
  return out;
}

/* Wait until the server has at most `want` descriptors open, up to 10 s;
 * how many it has then. */
static int wait_fds_down_to(const server *s, int want) {
  int now = server_fds(s);
  for (int waited = 0; waited < 10000 && now > want; waited += 20) {
    sleep_ms(20);
    now = server_fds(s);
  }
  return now;
}

/* The server has ended the connection: EOF, or a reset (it closed with
 * requests of ours still unread), within IO_TIMEOUT_S, and no answer
 * before it. */
static void expect_gone(peer *p) {
  ssize_t n = peer_fill(p);
  if (!(n == 0 || (n < 0 && errno == ECONNRESET)) || p->len != 0)
    fail_msg("expected the connection to end, got %zd (%s), %zu bytes", n,
             n < 0 ? strerror(errno) : "data", p->len);
}

/* Clients whose pipelined requests filled the server's buffer behind a
 * /stall or a one-minute /delay, so that it stopped reading them, then
 * left: a third behind /stall and a third behind /delay close normally (a
 * FIN), the last third behind /delay reset.  Each must be released at
 * once, not held (in CLOSE-WAIT) until the server stops or the minute is
 * up.  Seen from outside: the server's descriptor count returns to the
 * base. */
static void test_paused_clients_released(void **state) {
  enum { N = 60 };
  server *s = *state;
  peer peers[N];
  size_t len, delay_len;
  char *out = stalled_pipeline("/stall", &len);
  char *delay_out = stalled_pipeline("/delay/60000", &delay_len);
  int base = server_fds(s), now;

  for (int i = 0; i < N; i++) {
    peer_open(&peers[i], s->port);
    if (i % 3 == 0) {
      raw_send(peers[i].fd, out, len);
    } else {
      raw_send(peers[i].fd, delay_out, delay_len);
    }
    if (i % 3 == 2) {
      struct linger reset = {.l_onoff = 1, .l_linger = 0};
      setsockopt(peers[i].fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
  }
  for (int waited = 0; waited < 10000 && server_fds(s) < base + N;
       waited += 10)
    sleep_ms(10); /* until it has accepted them all */
  assert_true(server_fds(s) >= base + N);
  for (int i = 0; i < N; i++)
    peer_close(&peers[i]);
  now = wait_fds_down_to(s, base);
  if (now != base)
    fail_msg("%d closed clients' descriptors still open after 10 s (%d "
             "open, base %d; a paused connection has two)", now - base, now,
             base);
  free(out);
  free(delay_out);
}

/* Behind a one-minute /delay, with the server's buffer full, the client
 * only shuts down its sending side.  The server cannot tell that from
 * leaving (it has stopped reading), and takes it as leaving: the
 * connection ends at once, without the answers. */
static void test_paused_half_close_released(void **state) {
  server *s = *state;
  size_t len;
  char *out = stalled_pipeline("/delay/60000", &len);
  int base = server_fds(s), now;
  peer p;

  peer_open(&p, s->port);
  raw_send(p.fd, out, len);
  shutdown(p.fd, SHUT_WR);
  expect_gone(&p); /* within IO_TIMEOUT_S, not after the minute */
  peer_close(&p);
  now = wait_fds_down_to(s, base);
  assert_int_equal(now, base);
  free(out);
}

/* Behind a /delay, as many pipelined requests as the server keeps without
 * pausing (27,000 bytes of its 64 KiB), then the client shuts down its
 * sending side: it is still reading, so every answer comes, then EOF. */
static void test_half_close_pipelined_answered(void **state) {
  enum { REQS = 1000 };
  server *s = *state;
  char *out = malloc(REQS * 32 + 64);
  size_t len;
  response r;
  peer p;

  assert_non_null(out);
  len = (size_t)sprintf(out, "GET /delay/200 HTTP/1.1\r\n\r\n");
  for (int i = 0; i < REQS; i++)
    len += (size_t)sprintf(out + len, "GET /status/200 HTTP/1.1\r\n\r\n");
  peer_open(&p, s->port);
  raw_send(p.fd, out, len);
  shutdown(p.fd, SHUT_WR);
  read_response(&p, 0, &r);
  assert_string_equal(r.body, "delayed\n");
  response_free(&r);
  for (int i = 0; i < REQS; i++) {
    read_response(&p, 0, &r);
    if (r.status != 200)
      fail_msg("answer %d has status %d", i, r.status);
    response_free(&r);
  }
  expect_eof(&p);
  peer_close(&p);
  free(out);
}

/* ---- timeouts and versions ---------------------------------------------- */

/* A server with short timeouts (ms): one for a request head (and body) to
 * arrive, one for an idle keep-alive connection. */
static void server_start_timeouts(server *s, const char *head_ms,
                                  const char *idle_ms) {
  const char *args[] = {"--quiet", "--header-timeout-ms", head_ms,
                        "--idle-timeout-ms", idle_ms, NULL};
  server_start_with(s, args);
}

/* Send text, then wait: a 408 that says close, then EOF, well within the
 * client's IO_TIMEOUT_S, and not before the head timeout. */
static void expect_408(int port, const char *text) {
  double t0 = monotonic_s();
  response r;
  peer p;

  peer_open(&p, port);
  send_text(&p, text);
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 408);
  assert_int_equal(r.close, 1);
  response_free(&r);
  expect_eof(&p);
  assert_true(monotonic_s() - t0 >= 0.29); /* a timer never fires early */
  peer_close(&p);
}

/* Half a head, or a body shorter than its Content-Length: 408, closed. */
static void test_head_timeout_408(void **state) {
  server s;
  (void)state;
  server_start_timeouts(&s, "300", "60000");
  expect_408(s.port, "GET /status/200 HTTP/1.1\r\nHost: te");
  expect_408(s.port, "G");
  expect_408(s.port, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");
  server_stop(&s, SIGTERM);
  fclose(s.err);
}

/* A keep-alive connection with nothing to do is closed after the idle
 * timeout (a fresh one too), with no answer.  The idle timer starts at
 * accept: a second is far more than the gap between connect and send on
 * a loaded machine. */
static void test_idle_timeout(void **state) {
  server s;
  response r;
  peer p;
  (void)state;

  server_start_timeouts(&s, "60000", "1000");
  peer_open(&p, s.port);
  send_get(&p, "GET", "/status/200");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.close, 0);
  response_free(&r);
  expect_eof(&p); /* within IO_TIMEOUT_S */
  peer_close(&p);
  peer_open(&p, s.port);
  expect_eof(&p);
  peer_close(&p);
  server_stop(&s, SIGTERM);
  fclose(s.err);
}

/* Waiting on the server's own answer is not idle: /delay and /stall
 * outlast both timeouts, three times over.  The idle timer runs from
 * accept to the request's first byte: a second leaves room for a loaded
 * machine between connect and send. */
static void test_timeouts_spare_delay_and_stall(void **state) {
  struct pollfd pfd;
  server s;
  response r;
  peer p;
  (void)state;

  server_start_timeouts(&s, "1000", "1000");
  peer_open(&p, s.port);
  send_get(&p, "GET", "/delay/3000");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.close, 0);
  response_free(&r);
  peer_close(&p);

  peer_open(&p, s.port);
  send_get(&p, "GET", "/stall");
  pfd = (struct pollfd){.fd = p.fd, .events = POLLIN};
  assert_int_equal(poll(&pfd, 1, 3000), 0); /* no answer, and no EOF */
  peer_close(&p);
  server_stop(&s, SIGTERM);
  fclose(s.err);
}

/* Only HTTP/1.0 and 1.1 are spoken: another version gets 505, closed. */
static void test_version_505(void **state) {
  static const char v99[] = "GET / HTTP/9.9\r\n\r\n";
  static const char v20[] = "GET /status/200 HTTP/2.0\r\nHost: x\r\n\r\n";
  server *s = *state;
  response r;
  peer p;

  expect_refused(s->port, v99, strlen(v99), 505);
  expect_refused(s->port, v20, strlen(v20), 505);
  peer_open(&p, s->port);
  send_text(&p, "GET /status/203 HTTP/1.0\r\n\r\n");
  read_response(&p, 0, &r);
  assert_int_equal(r.status, 203);
  response_free(&r);
  peer_close(&p);
}

/* ---- load --------------------------------------------------------------- */


/* Under a low open-file limit the server says about how many connections
 * fit at once, and holds that many: each answered while all are open. */
static server g_limited; /* killed by its teardown if a check fails */

static int kill_limited(void **state) {
  (void)state;
  if (g_limited.pid > 0 && waitpid(g_limited.pid, NULL, WNOHANG) == 0) {
    kill(g_limited.pid, SIGKILL);
    waitpid(g_limited.pid, NULL, 0);
  }
  g_limited.pid = 0;
  return 0;
}

static void test_fd_limit_estimate(void **state) {
  enum { LIMIT = 32 };
  server *s = &g_limited;
  peer p[LIMIT];
  response r;
  char err[4096];
  const char *said;
  int fit = -1;
  size_t n;
  (void)state;

  g_server_nofile = LIMIT;
  server_start(s, NULL);
  g_server_nofile = 0;
  fflush(s->err);
  rewind(s->err);
  n = fread(err, 1, sizeof err - 1, s->err);
  err[n] = '\0';
  said = strstr(err, "so about ");
  if (said == NULL || sscanf(said, "so about %d", &fit) != 1)
    fail_msg("no estimate on stderr: %s", err);
  if (fit < 4 || fit >= LIMIT) /* what the test has open is inherited */
    fail_msg("about %d connections said to fit in %d descriptors", fit,
             LIMIT);
  for (int i = 0; i < fit; i++)
    peer_open(&p[i], s->port);
  for (int i = 0; i < fit; i++)
    send_get(&p[i], "GET", "/bytes/1");
  for (int i = 0; i < fit; i++) {
    read_response(&p[i], 0, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
  }
  for (int i = 0; i < fit; i++)
    peer_close(&p[i]);
  server_stop(s, SIGTERM);
  s->pid = 0;
  fclose(s->err);
}

/* 500 clients each wait 200 ms, all at once: one after another would take
 * 100 s; on one loop it takes a little over 0.2 s.  Asserted: under 20 s. */
static void test_many_concurrent_delays(void **state) {
  enum { N = 500 };
  server *s = *state;
  peer *peers = calloc(N, sizeof *peers);
  double t0;

  assert_non_null(peers);
  t0 = monotonic_s();
  for (int i = 0; i < N; i++) {
    peer_open(&peers[i], s->port);
    send_get(&peers[i], "GET", "/delay/200");
  }
  for (int i = 0; i < N; i++) {
    response r;
    read_response(&peers[i], 0, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    peer_close(&peers[i]);
  }
  assert_true(monotonic_s() - t0 < 20.0);
  free(peers);
}

/* After a round of every kind of connection is over, the server's
 * descriptor count returns to what it was. */
static void test_no_fd_leak(void **state) {
  enum { N = 20 };
  server *s = *state;
  peer peers[N];
  response r;
  int base, now;

  base = server_fds(s); /* before any connection, none can be closing */
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < N; i++) {
      peer_open(&peers[i], s->port);
      switch (i % 7) {
      case 0: send_get(&peers[i], "GET", "/drop"); break;
      case 1: send_get(&peers[i], "GET", "/stall"); break;
      case 2: send_get(&peers[i], "GET", "/delay/50"); break;
      case 3: send_text(&peers[i], "BAD\r\n\r\n"); break;
      case 4: send_text(&peers[i], "GET /part"); break;
      case 5: send_get(&peers[i], "GET", "/bytes/10000000"); break;
      case 6: send_get(&peers[i], "GET", "/status/200"); break;
      }
    }
    for (int i = 0; i < N; i++)
      if (i % 7 == 6) {
        read_response(&peers[i], 0, &r);
        response_free(&r);
      }
    sleep_ms(20);
    for (int i = 0; i < N; i++)
      peer_close(&peers[i]);
  }
  now = wait_fds_down_to(s, base);
  assert_int_equal(now, base);
}

/* ---- stopping ----------------------------------------------------------- */

/* Stop with sig while connections are open: idle, stalled, delayed,
 * mid-request, mid-body, and paused (its buffer full behind /stall).
 * Exit 0, promptly. */
static void stop_while_busy(int sig, const char *quiet) {
  enum { N = 30 };
  server s;
  peer peers[N];
  size_t len;
  char *pipeline = stalled_pipeline("/stall", &len);
  int base;

  server_start(&s, quiet);
  base = server_fds(&s);
  for (int i = 0; i < N; i++) {
    peer_open(&peers[i], s.port);
    switch (i % 6) {
    case 0: break; /* idle */
    case 1: send_get(&peers[i], "GET", "/stall"); break;
    case 2: send_get(&peers[i], "GET", "/delay/30000"); break;
    case 3: send_text(&peers[i], "GET /status/2"); break;
    case 4: send_get(&peers[i], "GET", "/bytes/67108864"); break; /* unread */
    case 5: raw_send(peers[i].fd, pipeline, len); break;
    }
  }
  for (int waited = 0; waited < 10000 && server_fds(&s) < base + N;
       waited += 10)
    sleep_ms(10); /* until it has accepted them all */
  assert_true(server_fds(&s) >= base + N);
  server_stop(&s, sig);
  for (int i = 0; i < N; i++)
    peer_close(&peers[i]);
  free(pipeline);
}

static void test_sigterm_while_busy(void **state) {
  char err[1024];
  server s;
  (void)state;
  stop_while_busy(SIGTERM, "--quiet");
  /* and with nothing going on at all */
  server_start(&s, "--quiet");
  server_stop(&s, SIGTERM);
  server_stderr(&s, err, sizeof err);
  assert_string_equal(err, ""); /* --quiet: not a word */
}

static void test_sigint_says_what_it_served(void **state) {
  char err[1024];
  response r;
  server s;
  (void)state;

  stop_while_busy(SIGINT, "--quiet");
  server_start(&s, NULL); /* not quiet */
  fetch(s.port, "/", &r);
  response_free(&r);
  fetch(s.port, "/status/200", &r);
  response_free(&r);
  server_stop(&s, SIGINT);
  server_stderr(&s, err, sizeof err);
  assert_string_equal(err, "conclab serve: stopped after 2 connections, "
                           "2 requests\n");
}

/* ---- the command line --------------------------------------------------- */

/* Run conclab to its end; exit status, stdout and stderr. */
static int run_conclab(const char *const *argv, char *out, char *err,
                       size_t cap) {
  FILE *o = tmpfile(), *e = tmpfile();
  server s; /* for server_wait */
  int status;
  size_t n;

  assert_non_null(o);
  assert_non_null(e);
  fflush(NULL);
  s.pid = fork();
  assert_true(s.pid >= 0);
  if (s.pid == 0) {
    dup2(fileno(o), STDOUT_FILENO);
    dup2(fileno(e), STDERR_FILENO);
    execv(CONCLAB_BIN, (char *const *)argv);
    _exit(127);
  }
  status = server_wait(&s, 10000);
  rewind(o);
  n = fread(out, 1, cap - 1, o);
  out[n] = '\0';
  rewind(e);
  n = fread(err, 1, cap - 1, e);
  err[n] = '\0';
  fclose(o);
  fclose(e);
  return status;
}

static void test_usage(void **state) {
  static const char *const bad[][6] = {
      {"conclab", "serve", "--port", "65536", NULL},
      {"conclab", "serve", "--port", "-1", NULL},
      {"conclab", "serve", "--port=eighty", NULL},
      {"conclab", "serve", "--port", NULL},
      {"conclab", "serve", "--host", "localhost", NULL},
      {"conclab", "serve", "--header-timeout-ms", "0", NULL},
      {"conclab", "serve", "--header-timeout-ms=5s", NULL},
      {"conclab", "serve", "--idle-timeout-ms", "3600001", NULL},
      {"conclab", "serve", "--idle-timeout-ms", NULL},
      /* white space or a sign around a number is junk, as for every
       * numeric flag (strtol would skip the one and take the other) */
      {"conclab", "serve", "--header-timeout-ms", " 5", NULL},
      {"conclab", "serve", "--header-timeout-ms=+7", NULL},
      {"conclab", "serve", "--idle-timeout-ms", "\t5", NULL},
      {"conclab", "serve", "--idle-timeout-ms", "+7", NULL},
      {"conclab", "serve", "--port", " 80", NULL},
      {"conclab", "serve", "--port=+0", NULL},
      {"conclab", "serve", "--port", "8\n0", NULL}, /* still one line */
      {"conclab", "serve", "--port", "0", "--port=1", NULL}, /* twice */
      {"conclab", "serve", "--bogus", NULL},
      {"conclab", "serve", "extra", NULL},
  };
  static const char *const must_say[] = {
      "--port", "--port", "--port", "--port", "--host",
      "--header-timeout-ms", "--header-timeout-ms", "--idle-timeout-ms",
      "--idle-timeout-ms", "--header-timeout-ms", "--header-timeout-ms",
      "--idle-timeout-ms", "--idle-timeout-ms", "--port", "--port",
      "--port", "--port: given twice", "--bogus", "extra"};
  static const char *const help_words[] = {
      "/delay/", "/bytes/", "/status/", "/drop", "/stall", "--port",
      "--host", "--quiet", "--help", "405", "404", "431", "413", "408",
      "505", "--header-timeout-ms", "--idle-timeout-ms"};
  const char *help[] = {"conclab", "serve", "--help", NULL};
  char out[8192], err[8192];
  (void)state;

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int status = run_conclab(bad[i], out, err, sizeof out);
    if (status != 2 || strstr(err, must_say[i]) == NULL ||
        strncmp(err, "conclab: ", 9) != 0 || strchr(err, '\n') == NULL ||
        strchr(err, '\n')[1] != '\0')
      fail_msg("case %zu: status %d, stderr: %s", i, status, err);
    assert_string_equal(out, "");
  }
  assert_non_null(strstr(err, "(see conclab serve --help)"));
  assert_int_equal(run_conclab(help, out, err, sizeof out), 0);
  for (size_t i = 0; i < sizeof help_words / sizeof help_words[0]; i++)
    if (strstr(out, help_words[i]) == NULL)
      fail_msg("--help does not mention %s", help_words[i]);
}

static void test_port_in_use(void **state) {
  server *s = *state;
  char port[16], out[4096], err[4096], want[128];
  const char *argv[] = {"conclab", "serve", "--port", port, "--quiet", NULL};

  snprintf(port, sizeof port, "%d", s->port);
  assert_int_equal(run_conclab(argv, out, err, sizeof out), 1);
  snprintf(want, sizeof want, "conclab: serve: listen on 127.0.0.1:%d: "
           "address already in use\n", s->port);
  assert_string_equal(err, want);
  assert_string_equal(out, "");
}

int main(void) {
  struct rlimit rl;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_index, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bytes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bytes_max, setup, teardown),
      cmocka_unit_test_setup_teardown(test_status, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delay, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stall, setup, teardown),
      cmocka_unit_test_setup_teardown(test_head_and_405, setup, teardown),
      cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pipelined_in_order, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_pipelined_flood, setup, teardown),
      cmocka_unit_test_setup_teardown(test_malformed_400, setup, teardown),
      cmocka_unit_test_setup_teardown(test_oversized_431_and_413, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_client_disconnects, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_half_close_still_answered, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_paused_clients_released, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_paused_half_close_released, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_half_close_pipelined_answered,
                                      setup, teardown),
      cmocka_unit_test(test_head_timeout_408),
      cmocka_unit_test(test_idle_timeout),
      cmocka_unit_test(test_timeouts_spare_delay_and_stall),
      cmocka_unit_test_setup_teardown(test_version_505, setup, teardown),
      cmocka_unit_test_teardown(test_fd_limit_estimate, kill_limited),
      cmocka_unit_test_setup_teardown(test_many_concurrent_delays, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_no_fd_leak, setup, teardown),
      cmocka_unit_test(test_sigterm_while_busy),
      cmocka_unit_test(test_sigint_says_what_it_served),
      cmocka_unit_test(test_usage),
      cmocka_unit_test_setup_teardown(test_port_in_use, setup, teardown),
  };

  /* 500 clients at once need 500 descriptors. */
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
