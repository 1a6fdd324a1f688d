/*
 * test_trace.c - the timeline (bench/run/trace.c) and the times behind it.
 *
 * The writer's output is valid JSON (a strict checker, json_check.h), for
 * a fixed fake batch - whose exact bytes are pinned by golden files - and
 * for real batches of every model.  Every event has the fields viewers
 * rely on (check_events): a name, a "cat", "ph", a pid and tid, times
 * where its kind has them; every process that holds an event is named
 * (process_name), and so is every thread that holds a bar (thread_name).
 * A multiproc worker is a process of its own: the tasks it ran carry its
 * real pid (not the run's), one per worker started, named "worker N" after
 * the worker the tasks name; a replaced worker is a second process of the
 * same name; a task no worker ran stays in the run's process.  In a real
 * batch every task appears exactly once, every event lies inside the
 * batch's span, each task's track is one of the C workers (or async's C
 * permits), the tasks on one track never overlap (a viewer requires
 * it), and async has its loop-lag counters; async --offload has each
 * task's compute step on a pool thread, inside the task, and a pipeline
 * batch of every model each task's compute step inside its own bar.
 * run_trace_read_tasks reads back what run_trace_write wrote (each task's
 * compute step with it), and refuses
 * (-1) a file that is not such a trace.  The writer's work is counted,
 * not timed (run_trace_batch.slot_reads): a few slot reads a task, for a
 * thousand tasks and for a million; and the writer's source reads a slot
 * or a span (a task's times, wl_span) nowhere but in the counting
 * accessor.
 *
 * Golden files: CONCLAB_UPDATE_GOLDEN=1 build/debug/tests/test_trace
 * rewrites tests/golden/trace_*.json; read the diff before committing.
 * Under ThreadSanitizer the multiproc model is left out (it forks).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "golden.h"
#include "helpers.h"
#include "json.h"
#include "json_check.h"
#include "pipeline.h"
#include "trace.h"

/* ---- the checker itself can say no --------------------------------------- */

static void checker_accepts_json_and_rejects_the_rest(void **state) {
  static const char *const good[] = {
      "{}", "[]", " 0 ", "-0.5e+3", "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\"",
      "{\"a\":[1,-2.5E3,true,false,null,{\"b\":{}}], \"c\" : \"x\"}\n",
  };
  static const char *const bad[] = {
      "", "{", "{\"a\":1,}", "[1,]", "[01]", "[1.]", "[.5]", "[1e]",
      "{\"a\" 1}", "{'a':1}", "[1] 2", "\"abc", "\"a\x01\"", "\"\\x\"",
      "\"\\u12g4\"", "[tru]", "{\"a\":1}}", "nul", "[+1]",
  };
  (void)state;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    if (json_check(good[i]) != NULL)
      fail_msg("rejected valid JSON: %s", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (json_check(bad[i]) == NULL)
      fail_msg("accepted invalid JSON: %s", bad[i]);
}

/* ---- helpers ------------------------------------------------------------- */

static char *render(const run_trace_batch *b) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);

  assert_non_null(f);
  assert_int_equal(run_trace_write(f, b), 0);
  assert_int_equal(fclose(f), 0);
  return text;
}

static void temp_path(char *path, size_t cap) {
  snprintf(path, cap, "%s/conclab-trace-test-%ld.json",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
}

static void assert_valid_json(const char *text) {
  const char *bad = json_check(text);
  if (bad != NULL)
    fail_msg("not valid JSON at offset %ld: %.60s", (long)(bad - text), bad);
}

/* Lines of text that contain needle. */
static int count_lines_with(const char *text, const char *needle) {
  int n = 0;
  for (const char *line = text; line != NULL && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    const char *hit = strstr(line, needle);
    if (hit != NULL && hit < line + len)
      n++;
    line = end ? end + 1 : NULL;
  }
  return n;
}

/* ---- the fields every event has ------------------------------------------ */

/* What check_events found: the distinct pids that hold a task bar. */
typedef struct seen_pids {
  int pid[64], worker[64];
  int n;
} seen_pids;

static int has_key_of(const cJSON *obj, const char *key, int number) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return number ? cJSON_IsNumber(v) : cJSON_IsString(v) && *v->valuestring;
}

/* The metadata event naming pid (and tid, for a thread), or NULL. */
static const cJSON *named(const cJSON *events, const char *what, double pid,
                          double tid) {
  const cJSON *ev;
  cJSON_ArrayForEach(ev, events) {
    const cJSON *name = cJSON_GetObjectItem(ev, "name");
    if (strcmp(cJSON_GetObjectItem(ev, "ph")->valuestring, "M") == 0 &&
        strcmp(name->valuestring, what) == 0 &&
        cJSON_GetObjectItem(ev, "pid")->valuedouble == pid &&
        (tid < 0 || cJSON_GetObjectItem(ev, "tid")->valuedouble == tid))
      return ev;
  }
  return NULL;
}

/* Every event of the trace text has name, cat, ph, pid, tid and args
 * (and ts, dur as its kind has them); the processes and threads that hold
 * events are named.  The distinct pids of the task bars, each with its
 * worker, into *out. */
static void check_events(const char *text, seen_pids *out) {
  cJSON *doc = cJSON_Parse(text);
  const cJSON *events = cJSON_GetObjectItem(doc, "traceEvents"), *ev;

  memset(out, 0, sizeof *out);
  assert_true(cJSON_IsArray(events));
  cJSON_ArrayForEach(ev, events) {
    const char *ph;
    double pid, tid;
    assert_true(has_key_of(ev, "name", 0) && has_key_of(ev, "cat", 0) &&
                has_key_of(ev, "ph", 0) && has_key_of(ev, "pid", 1) &&
                has_key_of(ev, "tid", 1));
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(ev, "args")));
    ph = cJSON_GetObjectItem(ev, "ph")->valuestring;
    pid = cJSON_GetObjectItem(ev, "pid")->valuedouble;
    tid = cJSON_GetObjectItem(ev, "tid")->valuedouble;
    assert_true(pid > 0 && tid >= 0);
    if (strcmp(ph, "M") == 0) {
      assert_string_equal(cJSON_GetObjectItem(ev, "cat")->valuestring,
                          "__metadata");
      assert_true(has_key_of(cJSON_GetObjectItem(ev, "args"), "name", 0));
      continue;
    }
    assert_true(strcmp(ph, "X") == 0 || strcmp(ph, "C") == 0);
    assert_true(has_key_of(ev, "ts", 1));
    if (strcmp(ph, "X") == 0) {
      const cJSON *worker =
          cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "args"), "worker");
      int k = 0;
      assert_true(has_key_of(ev, "dur", 1));
      if (named(events, "thread_name", pid, tid) == NULL)
        fail_msg("thread %g of process %g holds a bar but has no name", tid,
                 pid);
      while (k < out->n && out->pid[k] != (int)pid)
        k++;
      if (k == out->n && k < 64 && worker != NULL) {
        out->pid[k] = (int)pid;
        out->worker[k] = worker->valueint;
        out->n++;
      }
    }
    if (named(events, "process_name", pid, -1) == NULL)
      fail_msg("process %g holds events but has no name", pid);
  }
  cJSON_Delete(doc);
}

/* ---- a fixed fake batch: golden files ------------------------------------ */

#define T0 5000000000LL /* 5 s on the monotonic clock */

static const wl_slot fake_threaded_slots[] = {
    {.status = WL_OK, .worker = 0},
    {.status = WL_ERROR, .worker = 1},
    {.status = WL_TIMEOUT, .worker = 0},
    {.status = WL_ERROR, .worker = 1},
};
static const wl_span fake_threaded_spans[] = {
    {.t_start_ns = T0 + 1000, .t_end_ns = T0 + 20000500},
    {.t_start_ns = T0 + 1500, .t_end_ns = T0 + 7000000},
    {.t_start_ns = T0 + 20001000, .t_end_ns = T0 + 50000123},
    {0}, /* never ran (no times): an empty bar at 0 */
};

static run_trace_batch fake_threaded(void) {
  return (run_trace_batch){.workload = "sleep",
                           .model = "threaded",
                           .variant = "",
                           .tasks = 4,
                           .concurrency = 2,
                           .checksum = 0x0123456789abcdefULL,
                           .t0_ns = T0,
                           .t1_ns = T0 + 50000123,
                           .slots = fake_threaded_slots,
                           .spans = fake_threaded_spans};
}

/* Offloaded: tasks 0 and 2 computed on pool thread 0, task 1 on 1. */
static const wl_slot fake_async_slots[] = {
    {.status = WL_OK}, {.status = WL_OK}, {.status = WL_OK}};
static const wl_span fake_async_spans[] = {
    {.t_start_ns = T0 + 10, .t_end_ns = T0 + 3000000, .lane = 0,
     .off_start_ns = T0 + 500000, .off_end_ns = T0 + 2500000,
     .off_thread = 0},
    {.t_start_ns = T0 + 20, .t_end_ns = T0 + 4000000, .lane = 1,
     .off_start_ns = T0 + 600000, .off_end_ns = T0 + 3900000,
     .off_thread = 1},
    {.t_start_ns = T0 + 3000100, .t_end_ns = T0 + 6000000, .lane = 0,
     .off_start_ns = T0 + 3100000, .off_end_ns = T0 + 5000000,
     .off_thread = 0},
};

static const as_lag_sample fake_lag[] = {
    {.t_ns = T0 - 5, .ms = 0.0}, /* before the start: clamped to 0 */
    {.t_ns = T0 + 1001000, .ms = 0.25},
    {.t_ns = T0 + 5999999, .ms = 2.5},
};

static run_trace_batch fake_async(void) {
  return (run_trace_batch){.workload = "primes", .model = "async",
                    .variant = "offload", .tasks = 3, .concurrency = 2,
                    .checksum = 42, .t0_ns = T0, .t1_ns = T0 + 6000000,
                    .slots = fake_async_slots, .spans = fake_async_spans,
                    .lag = fake_lag, .lag_n = 3};
}

/* multiproc, C = 2: worker 0 (pid 4001) ran tasks 0 and 2; worker 1
 * (pid 4002) died in task 1, and its replacement (pid 4003) ran task 3;
 * task 4 no worker took (every fork failed): it stays in the run's
 * process (pid 77). */
static const wl_slot fake_mp_slots[] = {
    {.status = WL_OK, .worker = 0},    {.status = WL_ERROR, .worker = 1},
    {.status = WL_OK, .worker = 0},    {.status = WL_OK, .worker = 1},
    {.status = WL_ERROR, .worker = 0},
};
static const wl_span fake_mp_spans[] = {
    {.t_start_ns = T0 + 1000, .t_end_ns = T0 + 2000000, .pid = 4001},
    {.t_start_ns = T0 + 1200, .t_end_ns = T0 + 900000, .pid = 4002},
    {.t_start_ns = T0 + 2000100, .t_end_ns = T0 + 3000000, .pid = 4001},
    {.t_start_ns = T0 + 1500000, .t_end_ns = T0 + 2500000, .pid = 4003},
    {0},
};

static run_trace_batch fake_multiproc(void) {
  return (run_trace_batch){.workload = "primes", .model = "multiproc",
                           .variant = "", .pid = 77, .tasks = 5,
                           .concurrency = 2, .checksum = 7, .t0_ns = T0,
                           .t1_ns = T0 + 3000000, .slots = fake_mp_slots,
                           .spans = fake_mp_spans};
}

/* The trace of b, valid JSON, with every event's fields, and byte for
 * byte golden/name (golden.h). */
static void check_golden(const char *name, const run_trace_batch *b) {
  char *got = render(b);
  seen_pids pids;
  assert_valid_json(got);
  check_events(got, &pids);
  golden_check(name, got);
  free(got);
}

static void golden_threaded(void **state) {
  run_trace_batch b = fake_threaded();
  (void)state;
  check_golden("trace_threaded.json", &b);
}

static void golden_async(void **state) {
  run_trace_batch b = fake_async();
  (void)state;
  check_golden("trace_async.json", &b);
}

static void golden_multiproc(void **state) {
  run_trace_batch b = fake_multiproc();
  (void)state;
  check_golden("trace_multiproc.json", &b);
}

/* The fake multiproc batch: three worker processes, each named after its
 * worker, the replaced worker's two apart; the task no worker ran in the
 * run's process; and read back, each task's pid and track. */
static void multiproc_processes(void **state) {
  run_trace_batch b = fake_multiproc();
  char *text = render(&b), path[512], err[600];
  seen_pids pids;
  run_trace_task *t;
  int n;
  static const int want_pid[] = {4001, 4002, 4001, 4003, 77};
  (void)state;

  check_events(text, &pids);
  assert_int_equal(pids.n, 4); /* 4001, 4002, 4003, and 77 for task 4 */
  assert_non_null(strstr(text, "{\"name\":\"process_name\",\"cat\":"
                               "\"__metadata\",\"ph\":\"M\",\"pid\":4003,"
                               "\"tid\":4003,\"args\":{\"name\":"
                               "\"worker 1\"}}"));
  assert_int_equal(count_lines_with(text, "\"args\":{\"name\":\"worker 1\"}"),
                   2 * 2 + 1); /* 4002, 4003 (process, thread); track 1 */
  assert_non_null(strstr(text, "\"pid\":77,\"tid\":1,\"ts\":0.000"));
  free(text);

  temp_path(path, sizeof path);
  assert_int_equal(run_trace_file_write(path, &b, err, sizeof err), 0);
  assert_int_equal(run_trace_read_tasks(path, &t, &n), 0);
  assert_int_equal(n, 5);
  for (int i = 0; i < n; i++) {
    assert_int_equal(t[i].pid, want_pid[i]);
    assert_int_equal(t[i].track, fake_mp_slots[i].worker);
    assert_int_equal(t[i].worker, fake_mp_slots[i].worker);
  }
  free(t);
  assert_int_equal(unlink(path), 0);
}

/* The fake batch's shape, beyond the bytes: one line per event, the
 * frame around them, and the numbers exact. */
static void fake_layout(void **state) {
  run_trace_batch b = fake_async();
  char *text = render(&b);
  (void)state;

  assert_true(strncmp(text, "{\"traceEvents\":[\n", 17) == 0);
  /* the process, two permits, two pool threads */
  assert_int_equal(count_lines_with(text, "\"ph\":\"M\""), 1 + 2 + 2);
  assert_int_equal(count_lines_with(text, "\"cat\":\"__metadata\""), 5);
  assert_int_equal(count_lines_with(text, "\"cat\":\"task\""), 3);
  assert_int_equal(count_lines_with(text, "\"cat\":\"compute\""), 3);
  assert_int_equal(count_lines_with(text, "\"cat\":\"lag\""), 3);
  assert_int_equal(count_lines_with(text, "\"ph\":\"X\""), 3 + 3);
  assert_int_equal(count_lines_with(text, "\"name\":\"compute "), 3);
  assert_non_null(
      strstr(text, "\"tid\":4,\"args\":{\"name\":\"pool thread 1\"}"));
  assert_int_equal(count_lines_with(text, "\"ph\":\"C\""), 3);
  assert_non_null(strstr(text, "\"ts\":0.000,\"args\":{\"lag_ms\":0.000}"));
  assert_non_null(strstr(text, "\"ts\":3000.100,\"dur\":2999.900"));
  assert_non_null(strstr(text, "\"displayTimeUnit\":\"ms\""));
  assert_non_null(strstr(text, "\"name\":\"conclab primes async offload\""));
  free(text);
}

/* ---- the writer's work grows linearly with the tasks --------------------- */

/* The slots run_trace_write reads for n async tasks on n permits (sleep's
 * default: as many permits as tasks), each with an offloaded compute
 * step: the most tracks a batch can have.  Counted, not timed: a loaded
 * machine cannot change the count. */
static long slot_reads_for(int n) {
  wl_slot *slots = calloc((size_t)n, sizeof *slots);
  wl_span *spans = calloc((size_t)n, sizeof *spans);
  long reads = 0;
  FILE *sink = fopen("/dev/null", "w");
  run_trace_batch b = {.workload = "sleep",
                       .model = "async",
                       .variant = "offload",
                       .tasks = n,
                       .concurrency = n,
                       .t0_ns = T0,
                       .t1_ns = T0 + 2LL * n + 1000,
                       .slots = slots,
                       .spans = spans,
                       .slot_reads = &reads};

  assert_non_null(slots);
  assert_non_null(spans);
  assert_non_null(sink);
  for (int i = 0; i < n; i++) {
    slots[i] = (wl_slot){.status = WL_OK};
    spans[i] = (wl_span){.t_start_ns = T0 + i, .t_end_ns = T0 + i + 1000,
                         .lane = i, .off_start_ns = T0 + i + 10,
                         .off_end_ns = T0 + i + 900, .off_thread = i % 4};
  }
  assert_int_equal(run_trace_write(sink, &b), 0);
  assert_int_equal(fclose(sink), 0);
  free(spans);
  free(slots);
  return reads;
}

/* A few reads per task, whatever the count: twice the tasks, about twice
 * the work (a writer that rescans the slots per track or per event does
 * n times more: a million reads for a thousand tasks). */
static void writer_work_is_linear(void **state) {
  long small = slot_reads_for(1000), big = slot_reads_for(2000);
  (void)state;
  if (small > 4 * 1000L || big > 2 * small)
    fail_msg("slot reads: %ld for 1000 tasks, %ld for 2000 (at most 4 a "
             "task expected)", small, big);
}

/* The count sees every slot (and span) the writer reads only if every
 * read goes through slot_at: a rescan written as b->slots[i] (a track
 * count redone per event, say) would do n times the work uncounted.  So
 * the source of bench/run/trace.c is read here: "slots" and "spans" each
 * appear as a member (->slots or .slots, an alias taken included) exactly
 * once, in slot_at's body.  (By hand: grep -n 's\(lot\|pan\)s\b'
 * bench/run/trace.c.) */
static void only_in_body(const char *src, const char *body,
                         const char *body_end, const char *word) {
  size_t len = strlen(word);
  const char *only = NULL;
  int members = 0;

  for (const char *at = strstr(src, word); at != NULL;
       at = strstr(at + 1, word)) {
    int member = (at - src >= 2 && strncmp(at - 2, "->", 2) == 0) ||
                 (at - src >= 1 && at[-1] == '.');
    int whole = !(at[len] == '_' || (at[len] >= 'a' && at[len] <= 'z'));
    if (member && whole) {
      members++;
      only = at;
    }
  }
  if (members != 1 || only < body || only > body_end)
    fail_msg("bench/run/trace.c reads the %s outside slot_at (%d reads of "
             "a %s member): the writer's count would miss them", word,
             members, word);
}

static void writer_reads_slots_only_through_slot_at(void **state) {
  char *src = golden_slurp(CONCLAB_SOURCE_DIR "/bench/run/trace.c");
  const char *body, *body_end;
  (void)state;

  assert_non_null(src);
  body = strstr(src, "static const wl_slot *slot_at(");
  assert_non_null(body);
  body_end = strstr(body, "\n}\n");
  assert_non_null(body_end);
  only_in_body(src, body, body_end, "slots");
  only_in_body(src, body, body_end, "spans");
  free(src);
}

/* The same bound for a million tasks: the trace of a big batch is
 * written in about the time the batch took, not in hours. */
static void writer_work_for_a_million_tasks(void **state) {
  long reads = slot_reads_for(1000000);
  (void)state;
  if (reads > 4 * 1000000L)
    fail_msg("slot reads for 1,000,000 tasks: %ld", reads);
}

/* ---- reading back -------------------------------------------------------- */

static void read_back_what_was_written(void **state) {
  run_trace_batch b = fake_threaded();
  char path[512], err[600];
  run_trace_task *t;
  int n;
  (void)state;

  temp_path(path, sizeof path);
  assert_int_equal(run_trace_file_check(path, err, sizeof err), 0);
  assert_int_equal(access(path, F_OK), -1); /* the check leaves nothing */
  assert_int_equal(run_trace_file_write(path, &b, err, sizeof err), 0);
  assert_int_equal(run_trace_read_tasks(path, &t, &n), 0);
  assert_int_equal(n, 4);
  for (int i = 0; i < n; i++) {
    const wl_slot *s = &fake_threaded_slots[i];
    const wl_span *sp = &fake_threaded_spans[i];
    int64_t start = sp->t_start_ns > T0 ? sp->t_start_ns - T0 : 0;
    int64_t end = sp->t_end_ns > sp->t_start_ns ? sp->t_end_ns - T0 : start;
    assert_int_equal(t[i].index, i);
    assert_int_equal(t[i].worker, s->worker);
    assert_int_equal(t[i].track, s->worker);
    assert_int_equal(t[i].pid, 1); /* the run's own: 0 is written as 1 */
    assert_true(fabs(t[i].start_s - (double)start / 1e9) < 1e-9);
    assert_true(fabs(t[i].end_s - (double)end / 1e9) < 1e-9);
  }
  assert_string_equal(t[0].status, "ok");
  assert_string_equal(t[1].status, "error");
  assert_string_equal(t[2].status, "timeout");
  free(t);
  assert_int_equal(unlink(path), 0);
}

/* An offloaded batch read back: each task carries its compute step (pool
 * thread and span); a task of a batch without one has off_thread -1. */
static void read_back_compute_steps(void **state) {
  run_trace_batch b = fake_async();
  char path[512], err[600];
  run_trace_task *t;
  int n;
  (void)state;

  temp_path(path, sizeof path);
  assert_int_equal(run_trace_file_write(path, &b, err, sizeof err), 0);
  assert_int_equal(run_trace_read_tasks(path, &t, &n), 0);
  assert_int_equal(n, 3);
  for (int i = 0; i < n; i++) {
    const wl_span *sp = &fake_async_spans[t[i].index];
    assert_int_equal(t[i].off_thread, sp->off_thread);
    assert_true(fabs(t[i].off_start_s - (sp->off_start_ns - T0) / 1e9) <
                1e-9);
    assert_true(fabs(t[i].off_end_s - (sp->off_end_ns - T0) / 1e9) < 1e-9);
  }
  free(t);
  b = fake_threaded();
  assert_int_equal(run_trace_file_write(path, &b, err, sizeof err), 0);
  assert_int_equal(run_trace_read_tasks(path, &t, &n), 0);
  for (int i = 0; i < n; i++)
    assert_int_equal(t[i].off_thread, -1);
  free(t);
  assert_int_equal(unlink(path), 0);
}

/* Write text to a temporary file; its path in path. */
static void write_temp(char *path, size_t cap, const char *text) {
  FILE *f;

  temp_path(path, cap);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* The reader says no, with -1 and nothing allocated, to a file that is
 * not JSON, not a trace, of a schema it does not read, or has a task bar
 * without its fields; a trace with no task bars reads as none. */
static void read_refuses_what_is_not_a_trace(void **state) {
  static const char *const bad[] = {
      "",
      "{\"traceEvents\":[",                          /* cut short */
      "{\"traceEvents\":[]} x",                      /* text after it */
      "[]",                                           /* not an object */
      "{\"events\":[]}",                              /* no traceEvents */
      "{\"traceEvents\":{}}",                         /* not an array */
      "{\"traceEvents\":[],\"schema\":99}",           /* a newer layout */
      "{\"traceEvents\":[{\"name\":\"task 0\",\"ph\":\"X\",\"pid\":1,"
      "\"tid\":1,\"ts\":0.0,\"dur\":1.0,\"args\":{\"index\":0,"
      "\"worker\":0}}]}",                             /* no status */
      "{\"traceEvents\":[{\"name\":\"task 0\",\"ph\":\"X\",\"pid\":1,"
      "\"tid\":1,\"ts\":0.0,\"dur\":1.0,\"args\":{\"index\":0,"
      "\"worker\":0,\"status\":\"ok\"}}]}",            /* no track */
      "{\"traceEvents\":[{\"name\":\"task 0\",\"ph\":\"X\",\"pid\":1,"
      "\"tid\":1,\"ts\":\"0\",\"dur\":1.0,\"args\":{\"index\":0,"
      "\"worker\":0,\"track\":0,\"status\":\"ok\"}}]}", /* ts a string */
  };
  char path[512];
  run_trace_task *t = (run_trace_task *)1;
  int n = 99;
  (void)state;

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_temp(path, sizeof path, bad[i]);
    if (run_trace_read_tasks(path, &t, &n) != -1)
      fail_msg("accepted: %s", bad[i]);
    assert_null(t);
    assert_int_equal(n, 0);
    assert_int_equal(unlink(path), 0);
  }
  write_temp(path, sizeof path,
             "{\"traceEvents\":[{\"name\":\"compute 0\",\"ph\":\"X\"}],"
             "\"displayTimeUnit\":\"ms\"}\n");
  assert_int_equal(run_trace_read_tasks(path, &t, &n), 0);
  assert_int_equal(n, 0);
  free(t);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(run_trace_read_tasks("/nonexistent-conclab/x.json", &t, &n),
                   -1);
}

static void check_refuses_what_cannot_be_written(void **state) {
  char err[600];
  (void)state;
  assert_int_equal(
      run_trace_file_check("/nonexistent-conclab/x.json", err, sizeof err), -1);
  assert_non_null(strstr(err, "--trace"));
  assert_int_equal(run_trace_file_check("/tmp", err, sizeof err), -1);
  assert_non_null(strstr(err, "directory"));
}

/* ---- real batches of every model ----------------------------------------- */

/* The number at key of obj, which must be there. */
static double number_at(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItem(obj, key);
  assert_true(cJSON_IsNumber(v));
  return v->valuedouble;
}

/* The "compute I" events of a batch whose workload notes its compute
 * step: one a task, inside the task's span.  pool_size > 0 (async
 * --offload): on one of the pool's threads, one step at a time per
 * thread; 0: on the task's own thread ("pool_thread" -1), its track in
 * this process or its worker process's one thread. */
static void check_compute_steps(const char *text, const run_trace_task *t,
                                int n, int pool_size) {
  double *start = calloc((size_t)n, sizeof *start);
  double *end = calloc((size_t)n, sizeof *end);
  int *thread = calloc((size_t)n, sizeof *thread), count = 0;

  cJSON *doc = cJSON_Parse(text);
  const cJSON *ev;

  assert_true(start != NULL && end != NULL && thread != NULL);
  cJSON_ArrayForEach(ev, cJSON_GetObjectItem(doc, "traceEvents")) {
    const cJSON *args = cJSON_GetObjectItem(ev, "args");
    double index, pool, ts, dur;
    int i;
    if (strncmp(cJSON_GetObjectItem(ev, "name")->valuestring, "compute ",
                8) != 0)
      continue;
    index = number_at(args, "index");
    pool = number_at(args, "pool_thread");
    ts = number_at(ev, "ts");
    dur = number_at(ev, "dur");
    i = (int)index;
    assert_true(i >= 0 && i < n && t[i].index == i);
    start[i] = ts / 1e6;
    end[i] = (ts + dur) / 1e6;
    thread[i] = (int)pool;
    if (pool_size > 0) {
      assert_true(thread[i] >= 0 && thread[i] < pool_size);
    } else {
      int own = t[i].pid != (int)getpid() ? t[i].pid : t[i].track + 1;
      assert_int_equal(thread[i], -1);
      assert_int_equal((int)number_at(ev, "pid"), t[i].pid);
      assert_int_equal((int)number_at(ev, "tid"), own);
    }
    assert_true(start[i] >= t[i].start_s && end[i] <= t[i].end_s);
    /* the reader puts it on its task */
    assert_true(t[i].has_compute);
    assert_int_equal(t[i].off_thread, thread[i]);
    assert_true(t[i].off_start_s >= t[i].start_s &&
                t[i].off_start_s <= t[i].off_end_s &&
                t[i].off_end_s <= t[i].end_s);
    count++;
  }
  assert_int_equal(count, n);
  cJSON_Delete(doc);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (pool_size > 0 && thread[i] == thread[j])
        assert_true(end[i] <= start[j] || end[j] <= start[i]);
  free(start);
  free(end);
  free(thread);
}

/* Run `conclab run ARGS --trace PATH` in this process and check its trace. */
static void check_real_batch(const char *const *args) {
  char path[512], err[256];
  char *argv[24];
  int argc = 0;
  run_opts o;
  run_result r;
  run_where at;
  run_trace_task *t;
  int n, *seen;
  char *text;
  seen_pids pids;

  temp_path(path, sizeof path);
  argv[argc++] = (char *)"run";
  for (; *args != NULL; args++)
    argv[argc++] = (char *)*args;
  argv[argc++] = (char *)"--trace";
  argv[argc++] = path;
  argv[argc] = NULL;
  assert_int_equal(run_parse(argc, argv, &o, err, sizeof err),
                   RUN_PARSE_OK);
  /* its directory too, for a workload that writes (pipeline's saves) */
  assert_int_equal(run_whole(&o, &at, &r), 0);
  assert_int_equal(r.failed, 0);

  text = golden_slurp(path);
  assert_non_null(text);
  assert_valid_json(text);
  check_events(text, &pids);
  assert_int_equal(run_trace_read_tasks(path, &t, &n), 0);
  assert_int_equal(n, o.params.tasks);

  /* multiproc: each worker started is a process of its own, its real pid
   * (not this one's), named after the one worker whose tasks it holds;
   * the other models' tasks are all in this process */
  if (o.model == RUN_MULTIPROC) {
    assert_int_equal(pids.n, r.workers);
    for (int k = 0; k < pids.n; k++) {
      assert_true(pids.pid[k] != (int)getpid());
      for (int j = k + 1; j < pids.n; j++)
        assert_true(pids.worker[k] != pids.worker[j]); /* none replaced */
    }
    for (int i = 0; i < n; i++) {
      int k = 0;
      while (k < pids.n && pids.pid[k] != t[i].pid)
        k++;
      assert_true(k < pids.n && pids.worker[k] == t[i].worker);
    }
  } else {
    assert_int_equal(pids.n, 1);
    for (int i = 0; i < n; i++)
      assert_int_equal(t[i].pid, (int)getpid());
  }

  /* every task exactly once, inside the span, on one of C tracks */
  seen = calloc((size_t)n, sizeof *seen);
  assert_non_null(seen);
  for (int i = 0; i < n; i++) {
    assert_true(t[i].index >= 0 && t[i].index < n);
    seen[t[i].index]++;
    assert_true(t[i].start_s >= 0);
    assert_true(t[i].start_s <= t[i].end_s);
    assert_true(t[i].end_s <= r.wall_s + 1e-9);
    assert_true(t[i].track >= 0 && t[i].track < o.params.concurrency);
    assert_true(t[i].worker >= 0 && t[i].worker < o.params.concurrency);
    if (o.model == RUN_SEQ || o.model == RUN_ASYNC)
      assert_int_equal(t[i].worker, 0);
    assert_string_equal(t[i].status, "ok");
  }
  for (int i = 0; i < n; i++)
    assert_int_equal(seen[i], 1);

  /* on one track, one task at a time: no two bars overlap */
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (t[i].track == t[j].track)
        assert_true(t[i].end_s <= t[j].start_s ||
                    t[j].end_s <= t[i].start_s);

  /* async: the first C tasks all start before the loop runs, and none can
   * end before it does, so some bars overlap in time (on other permits) */
  if (o.model == RUN_ASYNC && o.params.concurrency > 1) {
    int overlap = 0;
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++)
        overlap |= t[i].start_s < t[j].end_s && t[j].start_s < t[i].end_s;
    assert_true(overlap);
  }

  /* each task's compute step once, inside the task: async --offload's on
   * one of the pool's threads, one step at a time per thread; pipeline's,
   * noted by the workload, on the task's own thread in every other model.
   * A workload that notes no step has none. */
  if (o.model == RUN_ASYNC && o.offload)
    check_compute_steps(text, t, n, r.threadpool_size);
  else if (o.wl == &wl_pipeline)
    check_compute_steps(text, t, n, 0);
  else
    assert_null(strstr(text, "\"name\":\"compute "));

  /* async: the loop-lag counter, inside the span too */
  if (o.model == RUN_ASYNC) {
    int counters = 0;
    cJSON *doc = cJSON_Parse(text);
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItem(doc, "traceEvents")) {
      double ts, lag;
      if (strcmp(cJSON_GetObjectItem(ev, "ph")->valuestring, "C") != 0)
        continue;
      ts = number_at(ev, "ts");
      lag = number_at(cJSON_GetObjectItem(ev, "args"), "lag_ms");
      assert_true(ts >= 0 && ts / 1e6 <= r.wall_s + 1e-9);
      assert_true(lag >= 0);
      counters++;
    }
    cJSON_Delete(doc);
    /* every probe firing, and the batch outlasted the 1 ms probe */
    assert_int_equal(counters, r.lag_samples);
    if (r.wall_s > 0.005)
      assert_true(counters >= 1);
  } else {
    assert_null(strstr(text, "\"ph\":\"C\""));
  }
  free(seen);
  free(t);
  free(text);
  assert_int_equal(unlink(path), 0);
}

static void real_seq(void **state) {
  const char *const args[] = {"sleep", "--model", "seq", "--tasks", "5",
                              "--delay-ms", "2", NULL};
  (void)state;
  check_real_batch(args);
}

static void real_async(void **state) {
  const char *const args[] = {"sleep", "--model", "async", "--tasks", "12",
                              "--concurrency", "4", "--delay-ms", "20",
                              NULL};
  (void)state;
  check_real_batch(args);
}

static void real_async_offload(void **state) {
  const char *const args[] = {"primes", "--model", "async", "--offload",
                              "--tasks", "8", "--concurrency", "2",
                              "--limit", "20000", NULL};
  (void)state;
  check_real_batch(args);
}

static void real_async_in_loop(void **state) {
  const char *const args[] = {"primes", "--model", "async", "--tasks", "8",
                              "--concurrency", "3", "--limit", "300000",
                              NULL};
  (void)state;
  check_real_batch(args);
}

static void real_threaded(void **state) {
  const char *const args[] = {"sleep", "--model", "threaded", "--tasks",
                              "10", "--concurrency", "3", "--delay-ms", "3",
                              NULL};
  (void)state;
  check_real_batch(args);
}

#if !defined(__SANITIZE_THREAD__)
static void real_multiproc(void **state) {
  const char *const args[] = {"primes", "--model", "multiproc", "--tasks",
                              "8", "--concurrency", "3", "--limit", "20000",
                              NULL};
  (void)state;
  check_real_batch(args);
}
#endif

/* pipeline, on every model, against a real `conclab serve`: the blocking
 * way (seq, threaded, multiproc's worker process) and async's in-loop
 * step note the compute step on the task's own thread, --offload on the
 * pool. */
static void real_pipeline(void **state) {
  static const char *const models[][2] = {
      {"seq", NULL},      {"async", NULL}, {"async", "--offload"},
      {"threaded", NULL},
#if !defined(__SANITIZE_THREAD__)
      {"multiproc", NULL},
#endif
  };
  char url[64];
  pid_t server;
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  assert_int_equal(
      run_server_start("trace", CONCLAB_BIN, url, sizeof url, &server), 0);
  for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
    const char *args[16] = {"pipeline", "--model", models[m][0], "--url",
                            url, "--tasks", "6", "--concurrency", "3",
                            "--size", "4096", "--rounds", "20", NULL};
    if (models[m][1] != NULL)
      args[13] = models[m][1];
    check_real_batch(args);
  }
  assert_int_equal(run_server_stop("trace", server), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(checker_accepts_json_and_rejects_the_rest),
      cmocka_unit_test(golden_threaded),
      cmocka_unit_test(golden_async),
      cmocka_unit_test(golden_multiproc),
      cmocka_unit_test(multiproc_processes),
      cmocka_unit_test(fake_layout),
      cmocka_unit_test(writer_work_is_linear),
      cmocka_unit_test(writer_reads_slots_only_through_slot_at),
      cmocka_unit_test(writer_work_for_a_million_tasks),
      cmocka_unit_test(read_back_what_was_written),
      cmocka_unit_test(read_back_compute_steps),
      cmocka_unit_test(read_refuses_what_is_not_a_trace),
      cmocka_unit_test(check_refuses_what_cannot_be_written),
      cmocka_unit_test(real_seq),
      cmocka_unit_test(real_async),
      cmocka_unit_test(real_async_offload),
      cmocka_unit_test(real_async_in_loop),
      cmocka_unit_test(real_threaded),
      cmocka_unit_test(real_pipeline),
#if !defined(__SANITIZE_THREAD__)
      cmocka_unit_test(real_multiproc),
#endif
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
