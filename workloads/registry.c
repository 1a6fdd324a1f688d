/*
 * registry.c - the list of workloads, and the plumbing every model shares:
 * running task i into slot i, writing a buffer whole, saying why a task
 * failed, and folding slots into a checksum.
 */
#include "workload.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const wl_workload *const wl_all[] = {&wl_sleep, &wl_primes, &wl_http,
                                     &wl_files, &wl_pipeline, NULL};

const wl_workload *wl_find(const char *name) {
  for (int i = 0; wl_all[i] != NULL; i++)
    if (strcmp(wl_all[i]->name, name) == 0)
      return wl_all[i];
  return NULL;
}

const wl_flag *wl_flag_find(const wl_workload *wl, const char *name,
                            size_t len) {
  for (int k = 0; k < wl->nflags; k++)
    if (strlen(wl->flags[k].name) == len &&
        strncmp(wl->flags[k].name, name, len) == 0)
      return &wl->flags[k];
  return NULL;
}

void wl_flag_default(const wl_flag *f, wl_params *p) {
  void *field = (char *)p + f->field;
  switch (f->kind) {
  case WL_FLAG_INT:
  case WL_FLAG_NAME:
  case WL_FLAG_SWITCH:
    *(int *)field = (int)f->def;
    break;
  case WL_FLAG_INT64:
    *(int64_t *)field = f->def;
    break;
  case WL_FLAG_SHARE:
    *(double *)field = (double)f->def;
    break;
  case WL_FLAG_URL:
  case WL_FLAG_DIR:
    *(const char **)field = NULL; /* none: a server, a directory of our own */
    break;
  }
}

int wl_endpoint_applies(unsigned endpoints, const wl_params *p) {
  return endpoints == 0 || (endpoints & (1u << p->endpoint)) != 0;
}

size_t wl_flag_bytes(wl_flag_kind kind) {
  switch (kind) {
  case WL_FLAG_INT64:
    return sizeof(int64_t);
  case WL_FLAG_SHARE:
    return sizeof(double);
  case WL_FLAG_URL:
  case WL_FLAG_DIR:
    return sizeof(const char *);
  default: /* INT, NAME, SWITCH */
    return sizeof(int);
  }
}

double wl_mb_per_s(const wl_workload *wl, const wl_params *p, long ok,
                   double wall_s) {
  if (wl->task_bytes == NULL || wall_s <= 0)
    return 0;
  return (double)ok * wl->task_bytes(p) / wall_s / 1e6;
}

int wl_worker_open(const wl_workload *wl, const wl_params *p, void **worker) {
  *worker = NULL;
  return wl->worker_open != NULL ? wl->worker_open(p, worker) : 0;
}

void wl_worker_close(const wl_workload *wl, void *worker) {
  if (wl->worker_close != NULL && worker != NULL)
    wl->worker_close(worker);
}

int64_t wl_task_limit_ms(const wl_workload *wl, const wl_params *p) {
  if (p->timeout_ms <= 0)
    return 0;
  return wl->task_limit_ms != NULL ? wl->task_limit_ms(p) : p->timeout_ms;
}

int64_t wl_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for this clock */
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void wl_run_task(const wl_workload *wl, const wl_task *t, void *worker,
                 wl_slot *slot, wl_span *span) {
  wl_slot out = {0};

  wl_span_begin(span, 0);
  wl_span_enter(span, 0);
  out.status = wl->run_blocking(t, worker, &out);
  wl_span_leave();
  wl_span_end(span, 0);
  *slot = out;
}

void wl_run_one(const wl_workload *wl, const wl_params *p, uint32_t i,
                void *worker, wl_slot *slot, wl_span *spans) {
  wl_task task;

  wl->task_input(p, i, &task);
  wl_run_task(wl, &task, worker, slot, spans != NULL ? &spans[i] : NULL);
}

int wl_write_full(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return -1;
    }
    p += w; /* a short write: send the rest */
    n -= (size_t)w;
  }
  return 0;
}

static atomic_int error_reported;
static wl_report_sink *report_sink;
static void *report_arg;

void wl_report_to(wl_report_sink *sink, void *arg) {
  report_sink = sink;
  report_arg = arg;
}

/* While a model starts its workers, their first line waits here: if the
 * start fails, the start's own line is the run's one line. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int report_holding;
static char report_held[WL_REPORT_MAX];

static void report_emit(const char *line) {
  if (report_sink != NULL)
    report_sink(line, report_arg);
  else
    fprintf(stderr, "%s\n", line);
}

/* The run's first line goes out; every later one is dropped. */
static void report_line(const char *line) {
  if (atomic_exchange(&error_reported, 1) != 0)
    return;
  pthread_mutex_lock(&report_lock);
  if (report_holding)
    snprintf(report_held, sizeof report_held, "%s", line);
  else
    report_emit(line);
  pthread_mutex_unlock(&report_lock);
}

void wl_report_hold(void) {
  pthread_mutex_lock(&report_lock);
  report_holding = 1;
  report_held[0] = '\0';
  pthread_mutex_unlock(&report_lock);
}

void wl_report_release(int say) {
  pthread_mutex_lock(&report_lock);
  if (say && report_held[0] != '\0')
    report_emit(report_held);
  report_holding = 0;
  report_held[0] = '\0';
  pthread_mutex_unlock(&report_lock);
}

void wl_report_relay(const char *line) { report_line(line); }

void wl_report_reset(void) { atomic_store(&error_reported, 0); }

void wl_report_once(const char *fmt, ...) {
  char line[WL_REPORT_MAX];
  int n = snprintf(line, sizeof line, "conclab: ");
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
  va_end(ap);
  report_line(line);
}

void wl_report_error(const char *workload, uint32_t index, const char *what,
                     const char *object, const char *why) {
  wl_report_once("%s: task %u: %s %s: %s (further errors are counted, not "
                 "printed)", workload, (unsigned)index, what, object, why);
}

/* FNV-1a, 64 bit, one byte at a time: short, well known, order-sensitive. */
uint64_t wl_hash_bytes(uint64_t h, const void *data, size_t n) {
  const unsigned char *b = data;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* The same as hashing the word's 8 bytes one by one, in fewer steps: a
 * zero byte leaves h ^ 0 = h, so the word's high zero bytes (most of them,
 * in an index or a status) are one multiplication by the prime's power.
 * A million slots are checksummed in a third of the time. */
static const uint64_t fnv_prime_pow[9] = {
    0x0000000000000001ULL, 0x00000100000001b3ULL, 0x000366000002e329ULL,
    0x08a97b0004e7feabULL, 0x9ffaac085635bc91ULL, 0x0caee32a7d4f6a63ULL,
    0xdc966432edf1c639ULL, 0xc5527b8a51d3d2dbULL, 0x1efac7090aef4a21ULL};

uint64_t wl_hash_word(uint64_t h, uint64_t word) {
  int k = 0;
  for (; word != 0; k++, word >>= 8) {
    h ^= word & 0xff;
    h *= fnv_prime_pow[1];
  }
  return h * fnv_prime_pow[8 - k];
}

uint64_t wl_checksum(const wl_slot *slots, int n) {
  uint64_t h = WL_HASH_INIT;
  for (int i = 0; i < n; i++) {
    h = wl_hash_word(h, (uint64_t)i);
    h = wl_hash_word(h, (uint64_t)slots[i].status);
    h = wl_hash_word(h, slots[i].value);
  }
  return h;
}
