/*
 * test_dont_block.c - the checks for exercise 09.
 *
 * Two instruments, both the test's own:
 *
 *   the computation (watched_digest): a digest of the job's buffer that
 *   also counts how many computations are running at this moment, and
 *   notes whether it runs on the loop's thread;
 *
 *   the lag probe: a repeating 1 ms timer on the loop (asyncio's debug
 *   mode and conclab's async/lag.c do the same).  Each firing notes how
 *   late it is, and whether a computation was running at that moment.
 *
 * While a computation runs on the loop's thread, the probe cannot fire:
 * "firings while computing" is exactly 0, however fast the machine.  With
 * the computations on the pool, the loop is free and the probe keeps
 * firing while they run.  No test asserts a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "dont_block.h"

/* ---- the jobs -------------------------------------------------------------- */

enum { N_JOBS = 8, CHUNK = 16 * 1024, ROUNDS = 120, MANY = 200 };

static unsigned char *buffer; /* N_JOBS * CHUNK + N_JOBS bytes of noise */
static db_job jobs[N_JOBS], small_jobs[MANY];
static uint64_t expected[N_JOBS], small_expected[MANY];

/* The digest only reads a buffer that nobody writes once the jobs are
 * made, so ThreadSanitizer need not watch each of its loads (which would
 * make it some 20 times slower); it still watches everything else. */
#if defined(__SANITIZE_THREAD__)
#define NOT_WATCHED_BY_TSAN __attribute__((no_sanitize_thread))
#else
#define NOT_WATCHED_BY_TSAN
#endif

/* FNV-1a over the buffer, `rounds` times over: pure CPU, for ms on end. */
NOT_WATCHED_BY_TSAN static uint64_t digest(const db_job *job) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int r = 0; r < job->rounds; r++)
    for (size_t i = 0; i < job->len; i++) {
      h ^= job->data[i];
      h *= 0x100000001b3ULL;
    }
  return h;
}

/* Job i starts at byte i and is the longer the earlier it is: job 0 takes
 * the longest, so on the pool the later jobs tend to finish first - and
 * their values must still land in their own slots. */
static int jobs_setup(void **state) {
  size_t size = (size_t)N_JOBS * CHUNK + MANY;
  uint32_t x = 12345;
  (void)state;
  buffer = malloc(size);
  if (buffer == NULL)
    return -1;
  for (size_t i = 0; i < size; i++) {
    x = x * 1103515245u + 12345u;
    buffer[i] = (unsigned char)(x >> 16);
  }
  for (int i = 0; i < N_JOBS; i++) {
    jobs[i] = (db_job){buffer + i, (size_t)(N_JOBS - i) * CHUNK, ROUNDS};
    expected[i] = digest(&jobs[i]);
  }
  for (int i = 0; i < MANY; i++) {
    small_jobs[i] = (db_job){buffer + i, 64 + (size_t)i, 1};
    small_expected[i] = digest(&small_jobs[i]);
  }
  return 0;
}

static int jobs_teardown(void **state) {
  (void)state;
  free(buffer);
  return 0;
}

/* ---- the watched computation ------------------------------------------------ */

typedef struct watch {
  pthread_t loop_thread;  /* set before the run starts */
  const db_job *jobs;     /* the array handed to the function under test */
  int n;
  atomic_int in_flight;   /* computations running right now */
  atomic_int max_in_flight;
  atomic_int on_loop;     /* computations run on the loop's thread */
  atomic_int foreign;     /* called with a job not in jobs[0..n-1] */
  atomic_int calls[MANY]; /* per job */
} watch;

static uint64_t watched_digest(const db_job *job, void *arg) {
  watch *w = arg;
  int now = atomic_fetch_add(&w->in_flight, 1) + 1;
  int max = atomic_load(&w->max_in_flight);
  uint64_t value;

  while (now > max && !atomic_compare_exchange_weak(&w->max_in_flight, &max,
                                                    now))
    ;
  if (pthread_equal(pthread_self(), w->loop_thread))
    atomic_fetch_add(&w->on_loop, 1);
  if (job >= w->jobs && job < w->jobs + w->n)
    atomic_fetch_add(&w->calls[job - w->jobs], 1);
  else
    atomic_fetch_add(&w->foreign, 1);
  value = digest(job);
  atomic_fetch_sub(&w->in_flight, 1);
  return value;
}

/* ---- the lag probe ------------------------------------------------------------- */

typedef struct probe {
  uv_timer_t timer;
  watch *w;
  uint64_t due_ns;   /* when the next firing is due (uv_hrtime) */
  int firings;
  int busy_firings;  /* firings while a computation was running */
  double max_lag_ms; /* the latest it fired after it was due */
} probe;

static void probe_note(probe *p, uint64_t now) {
  double lag = now > p->due_ns ? (double)(now - p->due_ns) / 1e6 : 0.0;
  if (lag > p->max_lag_ms)
    p->max_lag_ms = lag;
  p->due_ns = now + 1000000u;
}

static void probe_on_timer(uv_timer_t *timer) {
  probe *p = timer->data;
  probe_note(p, uv_hrtime());
  p->firings++;
  if (atomic_load(&p->w->in_flight) > 0)
    p->busy_firings++;
}

/* ---- one run, from start to a closed loop -------------------------------- */

typedef struct run {
  uv_loop_t loop;
  watch w;
  probe p;
  uint64_t results[MANY];
  int rc;
} run;

typedef int (*db_run_fn)(uv_loop_t *, const db_job *, int, db_compute_fn,
                         void *, uint64_t *);

/* Start the probe, run fn on jobs[0..n-1], stop the probe, and check that
 * the loop closes: every handle fn opened must be closed by now.  The
 * probe is unreferenced, so it does not keep fn's uv_run going. */
static run *run_jobs(db_run_fn fn, const db_job *js, int n, const char *what) {
  run *r = calloc(1, sizeof *r);
  assert_non_null(r);
  expect_int(uv_loop_init(&r->loop), 0);
  r->w.loop_thread = pthread_self();
  r->w.jobs = js;
  r->w.n = n;
  r->p.w = &r->w;
  r->p.timer.data = &r->p;
  for (int i = 0; i < n; i++)
    r->results[i] = 0xdeadbeef;
  expect_int(uv_timer_init(&r->loop, &r->p.timer), 0);
  uv_update_time(&r->loop);
  r->p.due_ns = uv_hrtime() + 1000000u;
  expect_int(uv_timer_start(&r->p.timer, probe_on_timer, 1, 1), 0);
  uv_unref((uv_handle_t *)&r->p.timer);

  r->rc = fn(&r->loop, js, n, watched_digest, &r->w, r->results);

  /* A loop held up to the very end never let the probe fire: the firing
   * still to come is then late already, by the whole run (as in conclab's
   * async/lag.c). */
  probe_note(&r->p, uv_hrtime());
  uv_timer_stop(&r->p.timer);
  uv_close((uv_handle_t *)&r->p.timer, NULL);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  expect_int(uv_loop_close(&r->loop), 0);
  print_message("%s: %d jobs; probe fired %d times, %d of them while a "
                "computation ran; worst lag %.1f ms; at most %d "
                "computations at once\n",
                what, n, r->p.firings, r->p.busy_firings, r->p.max_lag_ms,
                atomic_load(&r->w.max_in_flight));
  return r;
}

/* Every job computed exactly once, with the job the caller passed. */
static void assert_each_once(run *r, int n) {
  expect_int(atomic_load(&r->w.foreign), 0);
  for (int i = 0; i < n; i++)
    expect_int(atomic_load(&r->w.calls[i]), 1);
}

/* ---- the tests ----------------------------------------------------------------- */

/* The pitfall, as given: right values, but every computation ran on the
 * loop's thread, and the probe never fired while one did. */
static void in_loop_blocks_the_probe(void **state) {
  run *r = run_jobs(db_run_in_loop, jobs, N_JOBS, "in the loop");
  (void)state;
  expect_int(r->rc, N_JOBS);
  assert_each_once(r, N_JOBS);
  for (int i = 0; i < N_JOBS; i++)
    expect_eq_uint_at("result of job", i, r->results[i], expected[i]);
  expect_int(atomic_load(&r->w.on_loop), N_JOBS);
  expect_int(r->p.busy_firings, 0);
  free(r);
}

/* Offloaded: job i's value in slot i, whatever order they finished in. */
static void offloaded_results_in_order(void **state) {
  run *r = run_jobs(db_run_offloaded, jobs, N_JOBS, "offloaded");
  (void)state;
  expect_int(r->rc, N_JOBS);
  assert_each_once(r, N_JOBS);
  for (int i = 0; i < N_JOBS; i++)
    expect_eq_uint_at("result of job", i, r->results[i], expected[i]);
  free(r);
}

/* Offloaded: no computation ran on the loop's thread. */
static void offloaded_runs_off_the_loop(void **state) {
  run *r = run_jobs(db_run_offloaded, jobs, N_JOBS, "offloaded");
  (void)state;
  expect_int(r->rc, N_JOBS);
  assert_each_once(r, N_JOBS);
  expect_int(atomic_load(&r->w.on_loop), 0);
  free(r);
}

/* Offloaded: the loop kept serving its timers while the computations
 * ran.  (In the loop this is exactly 0; on the pool it is usually tens.) */
static void offloaded_loop_keeps_firing(void **state) {
  run *r = run_jobs(db_run_offloaded, jobs, N_JOBS, "offloaded");
  (void)state;
  expect_int(r->rc, N_JOBS);
  expect_ge_int("probe firings while a job ran", r->p.busy_firings, 1);
  free(r);
}

/* Many more jobs than pool threads: all of them, each in its slot. */
static void offloaded_many_small_jobs(void **state) {
  run *r = run_jobs(db_run_offloaded, small_jobs, MANY, "offloaded, small");
  (void)state;
  expect_int(r->rc, MANY);
  assert_each_once(r, MANY);
  expect_int(atomic_load(&r->w.on_loop), 0);
  for (int i = 0; i < MANY; i++)
    expect_eq_uint_at("result of job", i, r->results[i], small_expected[i]);
  free(r);
}

static void offloaded_no_jobs(void **state) {
  run *r = run_jobs(db_run_offloaded, jobs, 0, "offloaded, none");
  (void)state;
  expect_int(r->rc, 0);
  expect_int(atomic_load(&r->w.max_in_flight), 0);
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(in_loop_blocks_the_probe),
      cmocka_unit_test(offloaded_results_in_order),
      cmocka_unit_test(offloaded_runs_off_the_loop),
      cmocka_unit_test(offloaded_loop_keeps_firing),
      cmocka_unit_test(offloaded_many_small_jobs),
      cmocka_unit_test(offloaded_no_jobs),
  };
  return cmocka_run_group_tests_name("09-dont-block", tests, jobs_setup,
                                     jobs_teardown);
}
