/*
 * trace.c - the timeline writer and reader (see trace.h).
 *
 * Lesson: a trace is just the per-task start and end times every model
 * already records, laid out for a viewer.  The Chrome Trace Event format is
 * a JSON object whose "traceEvents" array holds, here, three kinds of event:
 *   "ph":"M"  metadata: the process's name and each track's ("seq",
 *             "thread 2", "worker 1", "loop, permit 0", "pool thread 1");
 *   "ph":"X"  a complete event: one bar, "ts" its start and "dur" its
 *             length, both in microseconds ("task 7"; with async
 *             --offload also "compute 7", on the pool thread that ran it);
 *   "ph":"C"  a counter: async's loop lag, drawn as a graph over time.
 * The writer reads no clock and prints integers exactly, so a fixed batch
 * always gives the same bytes (a golden file pins the layout).
 */
#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "json.h"

static const char *const status_names[] = {"pending", "ok", "error",
                                           "timeout"};

static const char *status_name(wl_status s) {
  return (unsigned)s < sizeof status_names / sizeof status_names[0]
             ? status_names[s]
             : "error";
}

/* ns after the batch's start as microseconds, exactly: "1234.567". */
static void write_us(FILE *out, int64_t ns) {
  fprintf(out, "%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000));
}

static int64_t clamp(int64_t t, int64_t lo, int64_t hi) {
  return t < lo ? lo : t > hi ? hi : t;
}

/* Which track a task is drawn on, how many there are and what each is
 * called: seq's one; one per pool thread or worker process; and for async,
 * whose tasks all run on the loop's one thread but overlap, one per
 * semaphore permit ("loop, permit 3"): bars in one track must not overlap,
 * and the tasks under one permit never do. */
static int is_async(const run_trace_batch *b) {
  return strcmp(b->model, "async") == 0;
}

/* Every read of a slot goes through here, so that a test can count the
 * writer's work (run_trace_batch.slot_reads). */
static const wl_slot *slot_at(const run_trace_batch *b, int i) {
  if (b->slot_reads != NULL)
    ++*b->slot_reads;
  return &b->slots[i];
}

static int track_of(const run_trace_batch *b, const wl_slot *s) {
  return is_async(b) ? s->lane : s->worker;
}

/* How many tracks the batch needs, counted in one pass over the slots
 * before anything is written: tasks, the C workers or permits (seq: one);
 * pools, for async --offload, the threadpool threads that ran compute
 * steps, which get tracks of their own after the task tracks ("pool
 * thread 0", ...). */
typedef struct tracks {
  int tasks, pools;
} tracks;

static tracks count_tracks(const run_trace_batch *b) {
  int seq = strcmp(b->model, "seq") == 0;
  tracks t = {seq ? 1 : b->concurrency < b->tasks ? b->concurrency : b->tasks,
              0};

  for (int i = 0; i < b->tasks; i++) {
    const wl_slot *s = slot_at(b, i);
    if (!seq && track_of(b, s) >= t.tasks)
      t.tasks = track_of(b, s) + 1; /* cannot happen; never lose one */
    if (s->off_end_ns != 0 && s->off_thread >= t.pools)
      t.pools = s->off_thread + 1;
  }
  return t;
}

static void track_name(const run_trace_batch *b, int k, char *name, size_t cap) {
  if (is_async(b))
    snprintf(name, cap, "loop, permit %d", k);
  else if (strcmp(b->model, "threaded") == 0)
    snprintf(name, cap, "thread %d", k);
  else if (strcmp(b->model, "multiproc") == 0)
    snprintf(name, cap, "worker %d", k);
  else
    snprintf(name, cap, "%s", b->model);
}

/* Events are separated by ",\n": one per line, no comma after the last. */
static void begin_event(FILE *out, int *first) {
  fputs(*first ? "\n" : ",\n", out);
  *first = 0;
}

static void write_metadata(FILE *out, const run_trace_batch *b, tracks t,
                           int *first) {
  char name[128];

  snprintf(name, sizeof name, "conclab %s %s%s%s", b->workload, b->model,
           *b->variant ? " " : "", b->variant);
  begin_event(out, first);
  fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
        "\"args\":{\"name\":", out);
  base_json_string(out, name);
  fputs("}}", out);
  for (int k = 0; k < t.tasks; k++) {
    track_name(b, k, name, sizeof name);
    begin_event(out, first);
    /* tid = track + 1: some viewers treat thread 0 as special */
    fprintf(out, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,"
            "\"tid\":%d,\"args\":{\"name\":", k + 1);
    base_json_string(out, name);
    fputs("}}", out);
  }
  for (int k = 0; k < t.pools; k++) {
    begin_event(out, first);
    fprintf(out, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,"
            "\"tid\":%d,\"args\":{\"name\":\"pool thread %d\"}}",
            t.tasks + 1 + k, k);
  }
}

static void write_task(FILE *out, const run_trace_batch *b, int i, int *first) {
  const wl_slot *s = slot_at(b, i);
  int64_t span = b->t1_ns - b->t0_ns;
  int64_t start = clamp(s->t_start_ns - b->t0_ns, 0, span);
  int64_t end = clamp(s->t_end_ns - b->t0_ns, start, span);

  begin_event(out, first);
  fprintf(out, "{\"name\":\"task %d\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,"
          "\"ts\":", i, track_of(b, s) + 1);
  write_us(out, start);
  fputs(",\"dur\":", out);
  write_us(out, end - start);
  fprintf(out, ",\"args\":{\"index\":%d,\"worker\":%d,\"status\":\"%s\"}}",
          i, s->worker, status_name(s->status));
}

/* The offloaded compute step of task i (slot s), on its pool thread's
 * track, after the t.tasks task tracks. */
static void write_compute(FILE *out, const run_trace_batch *b, tracks t, int i,
                          const wl_slot *s, int *first) {
  int64_t span = b->t1_ns - b->t0_ns;
  int64_t start = clamp(s->off_start_ns - b->t0_ns, 0, span);
  int64_t end = clamp(s->off_end_ns - b->t0_ns, start, span);

  begin_event(out, first);
  fprintf(out, "{\"name\":\"compute %d\",\"ph\":\"X\",\"pid\":1,"
          "\"tid\":%d,\"ts\":", i, t.tasks + 1 + s->off_thread);
  write_us(out, start);
  fputs(",\"dur\":", out);
  write_us(out, end - start);
  fprintf(out, ",\"args\":{\"index\":%d,\"pool_thread\":%d}}", i,
          s->off_thread);
}

static void write_lag(FILE *out, const run_trace_batch *b, int i, int *first) {
  int64_t t = clamp(b->lag[i].t_ns - b->t0_ns, 0, b->t1_ns - b->t0_ns);

  begin_event(out, first);
  fputs("{\"name\":\"loop lag\",\"ph\":\"C\",\"pid\":1,\"tid\":1,\"ts\":",
        out);
  write_us(out, t);
  fprintf(out, ",\"args\":{\"lag_ms\":%.3f}}", b->lag[i].ms);
}

static void write_other_data(FILE *out, const run_trace_batch *b) {
  fputs("\"otherData\":{\"workload\":", out);
  base_json_string(out, b->workload);
  fputs(",\"model\":", out);
  base_json_string(out, b->model);
  fputs(",\"variant\":", out);
  base_json_string(out, b->variant);
  fprintf(out, ",\"tasks\":%d,\"concurrency\":%d,\"checksum\":\"%016llx\","
          "\"wall_us\":", b->tasks, b->concurrency,
          (unsigned long long)b->checksum);
  write_us(out, b->t1_ns - b->t0_ns);
  fputs(",\"clock\":\"CLOCK_MONOTONIC, microseconds after the batch's "
        "start\"}", out);
}

/* Linear in the tasks: one pass to count the tracks, then one per kind of
 * event, each slot read once a pass. */
int run_trace_write(FILE *out, const run_trace_batch *b) {
  tracks t = count_tracks(b);
  int first = 1;

  fputs("{\"traceEvents\":[", out);
  write_metadata(out, b, t, &first);
  for (int i = 0; i < b->tasks; i++)
    write_task(out, b, i, &first);
  for (int i = 0; i < b->tasks; i++) {
    const wl_slot *s = slot_at(b, i);
    if (s->off_end_ns != 0)
      write_compute(out, b, t, i, s, &first);
  }
  for (int i = 0; i < b->lag_n; i++)
    write_lag(out, b, i, &first);
  fputs("\n],\"displayTimeUnit\":\"ms\",", out);
  write_other_data(out, b);
  fputs("}\n", out);
  return ferror(out) ? -1 : 0;
}

/* One "ph":"X" line back into a task. */
static int read_task(const char *line, run_trace_task *t) {
  double index, worker, tid, ts, dur;

  if (base_json_num_of(line, "index", &index) != 0 || base_json_num_of(line, "tid", &tid) != 0 ||
      base_json_num_of(line, "worker", &worker) != 0 || base_json_num_of(line, "ts", &ts) != 0 ||
      base_json_num_of(line, "dur", &dur) != 0 ||
      base_json_str_of(line, "status", t->status, sizeof t->status) != 0)
    return -1;
  t->index = (int)index;
  t->worker = (int)worker;
  t->track = (int)tid - 1;
  t->start_s = ts / 1e6;
  t->end_s = (ts + dur) / 1e6;
  return 0;
}

int run_trace_read_tasks(const char *path, run_trace_task **out, int *n) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  run_trace_task *tasks = NULL;
  int count = 0, room = 0, rc = 0;

  *out = NULL;
  *n = 0;
  if (f == NULL) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return -1;
  }
  while (rc == 0 && getline(&line, &cap, f) >= 0) {
    if (strstr(line, "\"ph\":\"X\"") == NULL ||
        strncmp(line, "{\"name\":\"task ", 14) != 0)
      continue; /* metadata, compute steps, counters, the frame */
    if (count == room) {
      int grown_room = room ? 2 * room : 64;
      run_trace_task *grown = realloc(tasks, (size_t)grown_room * sizeof *grown);
      if (grown == NULL) {
        fprintf(stderr, "conclab: %s: out of memory\n", path);
        rc = -1;
        break;
      }
      tasks = grown;
      room = grown_room;
    }
    if (read_task(line, &tasks[count]) != 0) {
      fprintf(stderr, "conclab: %s: a task event without index, worker, ts, "
              "dur or status\n", path);
      rc = -1;
      break;
    }
    count++;
  }
  if (rc == 0 && ferror(f)) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    rc = -1;
  }
  free(line);
  fclose(f);
  if (rc != 0) {
    free(tasks);
    return -1;
  }
  *out = tasks;
  *n = count;
  return 0;
}

/* base_atomic_write_errno's writer. */
static void write_batch(FILE *out, const void *b) {
  run_trace_write(out, b); /* its errors show in ferror(out) */
}

int run_trace_file_check(const char *path, char *err, size_t errlen) {
  /* Make the temporary file and remove it at once: the batch can take
   * minutes, and a run stopped meanwhile should leave nothing behind. */
  int e = base_atomic_check_errno(path);

  if (e == ENAMETOOLONG)
    snprintf(err, errlen, "--trace %s: path too long", path);
  else if (e == EISDIR)
    snprintf(err, errlen, "--trace %s: is a directory", path);
  else if (e != 0)
    snprintf(err, errlen, "--trace %s: cannot create a file there: %s", path,
             strerror(e));
  return e != 0 ? -1 : 0;
}

int run_trace_file_write(const char *path, const run_trace_batch *b, char *err,
                  size_t errlen) {
  int e = base_atomic_write_errno(path, write_batch, b);

  if (e == ENAMETOOLONG)
    snprintf(err, errlen, "--trace %s: path too long", path);
  else if (e != 0)
    snprintf(err, errlen, "--trace %s: writing it: %s", path, strerror(e));
  return e != 0 ? -1 : 0;
}
