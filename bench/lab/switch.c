/*
 * switch.c - what it costs to pass the turn, and bytes, between units.
 *
 * The lesson: a round trip between two threads (a condition variable, or a
 * pipe) and between two processes (a pipe) is two context switches through
 * the kernel; between a thread and a libuv loop it is uv_async_send, a
 * write to an eventfd that wakes the loop.  And moving bytes: a pipe copies
 * each byte twice (into the kernel, out of it); a ring of shared buffers
 * between threads is made to do the same two copies (memcpy in, memcpy
 * out), so the difference is the kernel's part, not the copying.
 */
#include "lab.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#define CHUNK (64 * 1024)

static int fail(const char *what, int err) {
  fprintf(stderr, "conclab: %s: %s\n", what, strerror(err));
  return -1;
}

static void per_unit(lab_measure *m, double t0, long count) {
  m->value = (lab_now_s() - t0) * 1e9 / (double)count;
}

/* ---- two threads, one condition variable each way ---------------------- */

typedef struct cond_pp {
  pthread_mutex_t lock;
  pthread_cond_t ping_cv, pong_cv;
  int ball; /* 1: the partner's turn, 0: the main thread's */
  long count;
} cond_pp;

static void *cond_partner(void *arg) {
  cond_pp *p = arg;
  pthread_mutex_lock(&p->lock);
  for (long i = 0; i < p->count; i++) {
    while (p->ball != 1)
      pthread_cond_wait(&p->ping_cv, &p->lock);
    p->ball = 0;
    pthread_cond_signal(&p->pong_cv);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

int lab_unit_cond_pingpong(long count, long big_mb, lab_measure *m) {
  cond_pp p = {.ball = 0, .count = count};
  pthread_t t;
  double t0;
  int rc;

  (void)big_mb;
  pthread_mutex_init(&p.lock, NULL);
  pthread_cond_init(&p.ping_cv, NULL);
  pthread_cond_init(&p.pong_cv, NULL);
  rc = pthread_create(&t, NULL, cond_partner, &p);
  if (rc != 0)
    return fail("pthread_create", rc);
  t0 = lab_now_s();
  pthread_mutex_lock(&p.lock);
  for (long i = 0; i < count; i++) {
    p.ball = 1;
    pthread_cond_signal(&p.ping_cv);
    while (p.ball != 0)
      pthread_cond_wait(&p.pong_cv, &p.lock);
  }
  pthread_mutex_unlock(&p.lock);
  per_unit(m, t0, count);
  pthread_join(t, NULL);
  pthread_cond_destroy(&p.ping_cv);
  pthread_cond_destroy(&p.pong_cv);
  pthread_mutex_destroy(&p.lock);
  return 0;
}

/* ---- a pair of pipes: between threads, and between processes ----------- */

/* One byte each way; EINTR retried.  0, or -1 at end of file or error. */
static int put_byte(int fd) {
  char c = 'x';
  ssize_t n;
  while ((n = write(fd, &c, 1)) < 0 && errno == EINTR)
    ;
  return n == 1 ? 0 : -1;
}

static int get_byte(int fd) {
  char c;
  ssize_t n;
  while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
    ;
  return n == 1 ? 0 : -1;
}

typedef struct pipes {
  int ping[2], pong[2]; /* main -> partner, partner -> main */
} pipes;

static int pipes_open(pipes *p) {
  if (pipe(p->ping) != 0)
    return fail("pipe", errno);
  if (pipe(p->pong) != 0) {
    int err = errno;
    close(p->ping[0]);
    close(p->ping[1]);
    return fail("pipe", err);
  }
  return 0;
}

static void pipes_close(pipes *p) {
  close(p->ping[0]);
  close(p->ping[1]);
  close(p->pong[0]);
  close(p->pong[1]);
}

/* The partner answers every byte until the main side closes its end. */
static void pipe_answer(int in, int out) {
  while (get_byte(in) == 0 && put_byte(out) == 0)
    ;
}

/* The partner closes its write end when it stops, so that a partner that
 * fails ends the main thread's read (end of file) instead of hanging it. */
static void *pipe_partner(void *arg) {
  pipes *p = arg;
  pipe_answer(p->ping[0], p->pong[1]);
  close(p->pong[1]);
  return NULL;
}

static int pipe_rounds(pipes *p, long count, lab_measure *m) {
  double t0 = lab_now_s();
  for (long i = 0; i < count; i++)
    if (put_byte(p->ping[1]) != 0 || get_byte(p->pong[0]) != 0)
      return fail("ping-pong over pipes", errno ? errno : EPIPE);
  per_unit(m, t0, count);
  return 0;
}

int lab_unit_pipe_threads(long count, long big_mb, lab_measure *m) {
  pipes p;
  pthread_t t;
  int rc;

  (void)big_mb;
  if (pipes_open(&p) != 0)
    return -1;
  rc = pthread_create(&t, NULL, pipe_partner, &p);
  if (rc != 0) {
    pipes_close(&p);
    return fail("pthread_create", rc);
  }
  rc = pipe_rounds(&p, count, m);
  close(p.ping[1]); /* the partner reads end of file and returns */
  p.ping[1] = -1;
  pthread_join(t, NULL);
  close(p.ping[0]);
  close(p.pong[0]); /* pong[1]: the partner closed it */
  return rc;
}

int lab_unit_pipe_procs(long count, long big_mb, lab_measure *m) {
  pipes p;
  pid_t pid;
  int rc;

  (void)big_mb;
  if (pipes_open(&p) != 0)
    return -1;
  pid = fork();
  if (pid == 0) {
    close(p.ping[1]);
    close(p.pong[0]);
    pipe_answer(p.ping[0], p.pong[1]);
    _exit(0);
  }
  if (pid < 0) {
    int err = errno;
    pipes_close(&p);
    return fail("fork", err);
  }
  close(p.ping[0]);
  close(p.pong[1]);
  rc = pipe_rounds(&p, count, m);
  close(p.ping[1]); /* the partner reads end of file and exits */
  close(p.pong[0]);
  return lab_reap(pid) == 0 ? rc : -1;
}

/* ---- a thread and a libuv loop: uv_async_send -------------------------- */

typedef struct async_pp {
  uv_async_t async;
  uv_sem_t answer;
  long count, seen; /* seen: only the loop's thread touches it */
} async_pp;

/* On the loop: answer the sender; after the last one, close the handle so
 * that uv_run returns. */
static void async_called(uv_async_t *a) {
  async_pp *p = a->data;
  p->seen++;
  uv_sem_post(&p->answer);
  if (p->seen == p->count)
    uv_close((uv_handle_t *)a, NULL);
}

static void async_sender(void *arg) {
  async_pp *p = arg;
  for (long i = 0; i < p->count; i++) {
    uv_async_send(&p->async);
    uv_sem_wait(&p->answer); /* so that no two sends coalesce into one */
  }
}

int lab_unit_uv_async(long count, long big_mb, lab_measure *m) {
  async_pp p = {.count = count, .seen = 0};
  uv_loop_t loop;
  uv_thread_t sender;
  double t0;
  int rc;

  (void)big_mb;
  if ((rc = uv_loop_init(&loop)) != 0 ||
      (rc = uv_sem_init(&p.answer, 0)) != 0) {
    fprintf(stderr, "conclab: uv_async: %s\n", uv_strerror(rc));
    return -1;
  }
  rc = uv_async_init(&loop, &p.async, async_called);
  if (rc != 0) {
    uv_loop_close(&loop);
    uv_sem_destroy(&p.answer);
    fprintf(stderr, "conclab: uv_async_init: %s\n", uv_strerror(rc));
    return -1;
  }
  p.async.data = &p;
  t0 = lab_now_s();
  rc = uv_thread_create(&sender, async_sender, &p);
  if (rc != 0) {
    uv_close((uv_handle_t *)&p.async, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    uv_sem_destroy(&p.answer);
    fprintf(stderr, "conclab: uv_thread_create: %s\n", uv_strerror(rc));
    return -1;
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_thread_join(&sender);
  per_unit(m, t0, count);
  uv_sem_destroy(&p.answer);
  rc = uv_loop_close(&loop);
  if (rc != 0)
    fprintf(stderr, "conclab: uv_loop_close: %s\n", uv_strerror(rc));
  return rc == 0 ? 0 : -1;
}

/* ---- bandwidth: a pipe between processes ------------------------------- */

static void per_second(lab_measure *m, double t0, long count) {
  m->value = (double)count * CHUNK / (lab_now_s() - t0);
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

int lab_unit_pipe_bw(long count, long big_mb, lab_measure *m) {
  char *buf = malloc(CHUNK);
  long long total = 0;
  int fd[2], rc = 0;
  double t0;
  pid_t pid;

  (void)big_mb;
  if (buf == NULL || pipe(fd) != 0) {
    free(buf);
    return fail("pipe bandwidth", buf == NULL ? ENOMEM : errno);
  }
  memset(buf, 'b', CHUNK);
  t0 = lab_now_s();
  pid = fork();
  if (pid == 0) { /* the writer: count chunks, then end of file */
    close(fd[0]);
    for (long i = 0; i < count; i++)
      if (write_all(fd[1], buf, CHUNK) != 0)
        _exit(1);
    _exit(0);
  }
  close(fd[1]);
  if (pid < 0) {
    rc = fail("fork", errno);
  } else {
    for (;;) { /* the reader: copy out of the kernel into buf */
      ssize_t n = read(fd[0], buf, CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      total += n;
    }
    per_second(m, t0, count);
    if (lab_reap(pid) != 0 || total != (long long)count * CHUNK)
      rc = fail("pipe bandwidth: short transfer", EIO);
  }
  close(fd[0]);
  free(buf);
  return rc;
}

/* ---- bandwidth: a ring of shared chunks between threads ---------------- */

#define RING 4

typedef struct ring {
  char *slot[RING];
  int filled; /* slots written and not yet read */
  pthread_mutex_t lock;
  pthread_cond_t not_full, not_empty;
  const char *src;
  long count;
} ring;

/* The producer copies in outside the lock: the slot it writes is one the
 * consumer will not touch until `filled` says so. */
static void *ring_producer(void *arg) {
  ring *r = arg;
  for (long i = 0; i < r->count; i++) {
    pthread_mutex_lock(&r->lock);
    while (r->filled == RING)
      pthread_cond_wait(&r->not_full, &r->lock);
    pthread_mutex_unlock(&r->lock);
    memcpy(r->slot[i % RING], r->src, CHUNK);
    pthread_mutex_lock(&r->lock);
    r->filled++;
    pthread_cond_signal(&r->not_empty);
    pthread_mutex_unlock(&r->lock);
  }
  return NULL;
}

static void ring_consume(ring *r, char *dst) {
  for (long i = 0; i < r->count; i++) {
    pthread_mutex_lock(&r->lock);
    while (r->filled == 0)
      pthread_cond_wait(&r->not_empty, &r->lock);
    pthread_mutex_unlock(&r->lock);
    memcpy(dst, r->slot[i % RING], CHUNK);
    pthread_mutex_lock(&r->lock);
    r->filled--;
    pthread_cond_signal(&r->not_full);
    pthread_mutex_unlock(&r->lock);
  }
}

int lab_unit_shm_bw(long count, long big_mb, lab_measure *m) {
  ring r = {.filled = 0, .count = count};
  char *mem = malloc((RING + 2) * (size_t)CHUNK);
  pthread_t t;
  double t0;
  int rc;

  (void)big_mb;
  if (mem == NULL)
    return fail("shared ring", ENOMEM);
  memset(mem, 's', (RING + 2) * (size_t)CHUNK);
  for (int i = 0; i < RING; i++)
    r.slot[i] = mem + (size_t)i * CHUNK;
  r.src = mem + (size_t)RING * CHUNK;
  pthread_mutex_init(&r.lock, NULL);
  pthread_cond_init(&r.not_full, NULL);
  pthread_cond_init(&r.not_empty, NULL);
  t0 = lab_now_s();
  rc = pthread_create(&t, NULL, ring_producer, &r);
  if (rc == 0) {
    ring_consume(&r, mem + (size_t)(RING + 1) * CHUNK);
    per_second(m, t0, count);
    pthread_join(t, NULL);
  }
  pthread_cond_destroy(&r.not_full);
  pthread_cond_destroy(&r.not_empty);
  pthread_mutex_destroy(&r.lock);
  free(mem);
  return rc == 0 ? 0 : fail("pthread_create", rc);
}
