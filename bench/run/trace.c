/*
 * trace.c - the timeline writer and reader (see trace.h).
 *
 * Lesson: a trace is just the per-task start and end times every model
 * already records, laid out for a viewer.  The Chrome Trace Event format is
 * a JSON object whose "traceEvents" array holds, here, three kinds of event:
 *   "ph":"M"  metadata: the process's name and each track's ("seq",
 *             "thread 2", "loop, permit 0", "pool thread 1"); a multiproc
 *             worker is a process of its own, its real pid, "worker 1";
 *   "ph":"X"  a complete event: one bar, "ts" its start and "dur" its
 *             length, both in microseconds ("task 7"; where the workload
 *             notes its compute step also "compute 7", on the thread that
 *             ran it: inside the task's own bar, or with async --offload
 *             on a pool thread's track);
 *   "ph":"C"  a counter: async's loop lag, drawn as a graph over time.
 * Every event has a "cat" (category: "task", "compute", "lag"; metadata
 * "__metadata", as Chrome writes it), which some viewers insist on.
 * The writer reads no clock and prints integers exactly, so a fixed batch
 * always gives the same bytes (a golden file pins the layout).
 */
#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "json.h"
#include "version.h"

static const char *const status_names[] = {"pending", "ok", "error",
                                           "timeout"};

static const char *status_name(wl_status s) {
  return (unsigned)s < sizeof status_names / sizeof status_names[0]
             ? status_names[s]
             : "error";
}

/* ns after the batch's start as microseconds, exactly: "1234.567". */
static void format_us(char *buf, size_t cap, int64_t ns) {
  snprintf(buf, cap, "%lld.%03lld", (long long)(ns / 1000),
           (long long)(ns % 1000));
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

/* Every read of a task's slot and span goes through here, so that a test
 * can count the writer's work (run_trace_batch.slot_reads). */
static const wl_slot *slot_at(const run_trace_batch *b, int i,
                              const wl_span **sp) {
  if (b->slot_reads != NULL)
    ++*b->slot_reads;
  *sp = &b->spans[i];
  return &b->slots[i];
}

static int track_of(const run_trace_batch *b, const wl_slot *s,
                    const wl_span *sp) {
  return is_async(b) ? sp->lane : s->worker;
}

/* How many tracks the batch needs, counted in one pass over the slots
 * before anything is written: tasks, the C workers or permits (seq: one);
 * pools, for async --offload, the threadpool threads that ran compute
 * steps, which get tracks of their own after the task tracks ("pool
 * thread 0", ...). */
typedef struct trace_proc {
  int pid, worker;
} trace_proc;

typedef struct tracks {
  int tasks, pools;
  int in_run;        /* tasks drawn in the run's own process */
  trace_proc *procs; /* the worker processes that ran tasks (multiproc) */
  int nprocs;
} tracks;

/* A task ran in worker process pid, number w: a process to name, unless
 * it is the one w had last (a worker's tasks come in index order, and a
 * replacement's after the one it replaced: one look back suffices). */
static void note_proc(tracks *t, int *last, int nlast, int pid, int w) {
  if (w >= 0 && w < nlast) {
    if (last[w] == pid)
      return;
    last[w] = pid;
  } else { /* cannot happen: a worker past C; look them all up */
    for (int k = 0; k < t->nprocs; k++)
      if (t->procs[k].pid == pid)
        return;
  }
  t->procs = base_json_need(
      realloc(t->procs, (size_t)(t->nprocs + 1) * sizeof *t->procs));
  t->procs[t->nprocs++] = (trace_proc){pid, w};
}

static tracks count_tracks(const run_trace_batch *b) {
  int seq = strcmp(b->model, "seq") == 0;
  tracks t = {seq ? 1 : b->concurrency < b->tasks ? b->concurrency : b->tasks,
              0, 0, NULL, 0};
  int nlast = t.tasks;
  int *last = base_json_need(calloc((size_t)nlast + 1, sizeof *last));

  for (int i = 0; i < b->tasks; i++) {
    const wl_span *sp;
    const wl_slot *s = slot_at(b, i, &sp);
    if (!seq && track_of(b, s, sp) >= t.tasks)
      t.tasks = track_of(b, s, sp) + 1; /* cannot happen; never lose one */
    if (sp->off_end_ns != 0 && sp->off_thread >= t.pools)
      t.pools = sp->off_thread + 1;
    if (sp->pid != 0)
      note_proc(&t, last, nlast, sp->pid, s->worker);
    else
      t.in_run++;
  }
  free(last);
  return t;
}

static void track_name(const run_trace_batch *b, int k, char *name,
                       size_t cap) {
  if (is_async(b))
    snprintf(name, cap, "loop, permit %d", k);
  else if (strcmp(b->model, "threaded") == 0)
    snprintf(name, cap, "thread %d", k);
  else if (strcmp(b->model, "multiproc") == 0)
    snprintf(name, cap, "worker %d", k);
  else
    snprintf(name, cap, "%s", b->model);
}

/* One event as cJSON sees it, built once per kind and refilled for every
 * event of that kind: a million tasks print through the same few items,
 * so memory stays flat and nothing is allocated per event.  The items
 * point at the text buffers below (references: cJSON neither copies nor
 * frees them).  Numbers are raw text we format, integers too: cJSON's own
 * number printer tries %.15g and reads it back with sscanf, which would
 * triple the writer's time at a million tasks. */
typedef struct event {
  cJSON *obj, *args, *status;
  char name[48], pid[16], tid[16], ts[32], dur[32], index[16], who[16];
  char track[16], lag[32];
  char label[128]; /* a track's name */
} event;

/* A raw item (printed as it stands: "1234.567", exactly) that reads its
 * text from buf.  cJSON has string references but no raw ones. */
static cJSON *raw_ref(char *buf) {
  cJSON *item = base_json_need(cJSON_CreateStringReference(buf));
  item->type = cJSON_Raw | cJSON_IsReference;
  return item;
}

static cJSON *add(cJSON *obj, const char *key, cJSON *item) {
  base_json_need(item);
  cJSON_AddItemToObjectCS(obj, key, item);
  return item;
}

/* {"name":NAME,"cat":CAT,"ph":PH,"pid":P,"tid":T[,"ts":TS[,"dur":DUR]],
 * "args":{}}: times is how many of ts and dur the kind has.  pid starts
 * as the run's own (set_pid changes it). */
static void event_init(event *e, const run_trace_batch *b, const char *cat,
                       const char *ph, int times) {
  memset(e, 0, sizeof *e);
  e->obj = base_json_need(cJSON_CreateObject());
  add(e->obj, "name", cJSON_CreateStringReference(e->name));
  add(e->obj, "cat", cJSON_CreateString(cat));
  add(e->obj, "ph", cJSON_CreateString(ph));
  add(e->obj, "pid", raw_ref(e->pid));
  add(e->obj, "tid", raw_ref(e->tid));
  snprintf(e->pid, sizeof e->pid, "%d", b->pid > 0 ? b->pid : 1);
  if (times >= 1)
    add(e->obj, "ts", raw_ref(e->ts));
  if (times >= 2)
    add(e->obj, "dur", raw_ref(e->dur));
  e->args = add(e->obj, "args", cJSON_CreateObject());
}

static void set_int(char *buf, size_t cap, int v) {
  snprintf(buf, cap, "%d", v);
}

/* Events are separated by ",\n": one per line, no comma after the last.
 * cJSON prints each into buf, which is big enough for any of ours (the
 * longest is a process name of 128 bytes, escaped). */
typedef struct writer {
  FILE *out;
  int first, failed;
  char buf[1024];
} writer;

static void emit(writer *w, cJSON *obj) {
  if (!cJSON_PrintPreallocated(obj, w->buf, (int)sizeof w->buf, 0)) {
    w->failed = 1;
    return;
  }
  fputs(w->first ? "\n" : ",\n", w->out);
  fputs(w->buf, w->out);
  w->first = 0;
}

/* A "ph":"M" event: {"name":"thread_name","ph":"M","pid":1,"tid":T,
 * "args":{"name":LABEL}}; async has one track per permit, up to a
 * million of them. */
static void meta_event_init(event *e, const run_trace_batch *b) {
  event_init(e, b, "__metadata", "M", 0);
  add(e->args, "name", cJSON_CreateStringReference(e->label));
}

/* The event naming track tid (0: the process) with label. */
static void write_name(writer *w, event *e, const char *what, int tid) {
  snprintf(e->name, sizeof e->name, "%s", what);
  set_int(e->tid, sizeof e->tid, tid);
  emit(w, e->obj);
}

/* A worker process: its name, and its one thread's (whose id, on Linux,
 * is the pid). */
static void write_proc(writer *w, event *e, const trace_proc *p) {
  snprintf(e->pid, sizeof e->pid, "%d", p->pid);
  snprintf(e->label, sizeof e->label, "worker %d", p->worker);
  write_name(w, e, "process_name", p->pid);
  write_name(w, e, "thread_name", p->pid);
}

static void write_metadata(writer *w, const run_trace_batch *b, tracks t) {
  event e;

  meta_event_init(&e, b);
  snprintf(e.label, sizeof e.label, "conclab %s %s%s%s", b->workload,
           b->model, *b->variant ? " " : "", b->variant);
  write_name(w, &e, "process_name", 0);
  for (int k = 0; k < t.tasks && t.in_run > 0; k++) {
    track_name(b, k, e.label, sizeof e.label);
    /* tid = track + 1: some viewers treat thread 0 as special */
    write_name(w, &e, "thread_name", k + 1);
  }
  for (int k = 0; k < t.pools; k++) {
    snprintf(e.label, sizeof e.label, "pool thread %d", k);
    write_name(w, &e, "thread_name", t.tasks + 1 + k);
  }
  for (int k = 0; k < t.nprocs; k++)
    write_proc(w, &e, &t.procs[k]);
  cJSON_Delete(e.obj);
}

static void task_event_init(event *e, const run_trace_batch *b) {
  event_init(e, b, "task", "X", 2);
  add(e->args, "index", raw_ref(e->index));
  add(e->args, "worker", raw_ref(e->who));
  add(e->args, "track", raw_ref(e->track));
  e->status = add(e->args, "status", cJSON_CreateStringReference(""));
}

/* A task is drawn in its worker's process (multiproc: pid and tid both
 * the worker's pid), or on its track in the run's own. */
static void write_task(writer *w, event *e, const run_trace_batch *b, int i) {
  const wl_span *sp;
  const wl_slot *s = slot_at(b, i, &sp);
  int64_t span = b->t1_ns - b->t0_ns;
  int64_t start = clamp(sp->t_start_ns - b->t0_ns, 0, span);
  int64_t end = clamp(sp->t_end_ns - b->t0_ns, start, span);
  int track = track_of(b, s, sp);

  snprintf(e->name, sizeof e->name, "task %d", i);
  set_int(e->pid, sizeof e->pid,
          sp->pid != 0 ? sp->pid : b->pid > 0 ? b->pid : 1);
  set_int(e->tid, sizeof e->tid, sp->pid != 0 ? sp->pid : track + 1);
  set_int(e->track, sizeof e->track, track);
  format_us(e->ts, sizeof e->ts, start);
  format_us(e->dur, sizeof e->dur, end - start);
  set_int(e->index, sizeof e->index, i);
  set_int(e->who, sizeof e->who, s->worker);
  e->status->valuestring = (char *)status_name(s->status); /* a reference */
  emit(w, e->obj);
}

static void compute_event_init(event *e, const run_trace_batch *b) {
  event_init(e, b, "compute", "X", 2);
  add(e->args, "index", raw_ref(e->index));
  add(e->args, "pool_thread", raw_ref(e->who));
}

/* The compute step of task i (span s): offloaded, on its pool thread's
 * track, after the t.tasks task tracks ("pool_thread" 0..); else on the
 * task's own track, inside its bar ("pool_thread" -1). */
static void write_compute(writer *w, event *e, const run_trace_batch *b,
                          tracks t, int i, const wl_slot *slot,
                          const wl_span *s) {
  int64_t span = b->t1_ns - b->t0_ns;
  int64_t start = clamp(s->off_start_ns - b->t0_ns, 0, span);
  int64_t end = clamp(s->off_end_ns - b->t0_ns, start, span);

  snprintf(e->name, sizeof e->name, "compute %d", i);
  set_int(e->pid, sizeof e->pid,
          s->pid != 0 ? s->pid : b->pid > 0 ? b->pid : 1);
  if (s->off_thread >= 0)
    set_int(e->tid, sizeof e->tid, t.tasks + 1 + s->off_thread);
  else
    set_int(e->tid, sizeof e->tid,
            s->pid != 0 ? s->pid : track_of(b, slot, s) + 1);
  format_us(e->ts, sizeof e->ts, start);
  format_us(e->dur, sizeof e->dur, end - start);
  set_int(e->index, sizeof e->index, i);
  set_int(e->who, sizeof e->who, s->off_thread);
  emit(w, e->obj);
}

static void lag_event_init(event *e, const run_trace_batch *b) {
  event_init(e, b, "lag", "C", 1);
  snprintf(e->name, sizeof e->name, "loop lag");
  set_int(e->tid, sizeof e->tid, 1);
  add(e->args, "lag_ms", raw_ref(e->lag));
}

static void write_lag(writer *w, event *e, const run_trace_batch *b, int i) {
  int64_t t = clamp(b->lag[i].t_ns - b->t0_ns, 0, b->t1_ns - b->t0_ns);

  format_us(e->ts, sizeof e->ts, t);
  snprintf(e->lag, sizeof e->lag, "%.3f", b->lag[i].ms);
  emit(w, e->obj);
}

/* What follows the events: "displayTimeUnit" and "otherData", printed by
 * cJSON as an object of their own whose '{' the caller leaves out. */
static char *print_tail(const run_trace_batch *b) {
  cJSON *tail = base_json_need(cJSON_CreateObject()), *other;
  char text[32], *printed;

  add(tail, "displayTimeUnit", cJSON_CreateString("ms"));
  base_json_stamp(tail);
  other = add(tail, "otherData", cJSON_CreateObject());
  add(other, "workload", cJSON_CreateString(b->workload));
  add(other, "model", cJSON_CreateString(b->model));
  add(other, "variant", cJSON_CreateString(b->variant));
  add(other, "tasks", cJSON_CreateNumber(b->tasks));
  add(other, "concurrency", cJSON_CreateNumber(b->concurrency));
  snprintf(text, sizeof text, "%016llx", (unsigned long long)b->checksum);
  add(other, "checksum", cJSON_CreateString(text));
  format_us(text, sizeof text, b->t1_ns - b->t0_ns);
  add(other, "wall_us", cJSON_CreateRaw(text));
  add(other, "clock", cJSON_CreateString("CLOCK_MONOTONIC, microseconds "
                                         "after the batch's start"));
  printed = base_json_need(cJSON_PrintUnformatted(tail));
  cJSON_Delete(tail);
  return printed;
}

/* Linear in the tasks: one pass to count the tracks, then one per kind of
 * event, each slot read once a pass.  The document is streamed, never
 * held: {"traceEvents":[ the events ], then the tail's members}. */
int run_trace_write(FILE *out, const run_trace_batch *b) {
  tracks t = count_tracks(b);
  writer w = {out, 1, 0, ""};
  event e;
  char *tail;

  fputs("{\"traceEvents\":[", out);
  write_metadata(&w, b, t);
  task_event_init(&e, b);
  for (int i = 0; i < b->tasks; i++)
    write_task(&w, &e, b, i);
  cJSON_Delete(e.obj);
  compute_event_init(&e, b);
  for (int i = 0; i < b->tasks; i++) {
    const wl_span *sp;
    const wl_slot *s = slot_at(b, i, &sp);
    if (sp->off_end_ns != 0)
      write_compute(&w, &e, b, t, i, s, sp);
  }
  cJSON_Delete(e.obj);
  lag_event_init(&e, b);
  for (int i = 0; i < b->lag_n; i++)
    write_lag(&w, &e, b, i);
  cJSON_Delete(e.obj);
  tail = print_tail(b);
  fputs("\n],", out);
  fputs(tail + 1, out); /* its members and its '}' close the document */
  fputc('\n', out);
  cJSON_free(tail);
  free(t.procs);
  return w.failed || ferror(out) ? -1 : 0;
}

/* One "ph":"X" event of a task back into a task. */
static int read_task(const cJSON *ev, run_trace_task *t) {
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(ev, "args");
  double index, worker, track, pid, ts, dur;

  if (base_json_obj_num(args, "index", &index) != 0 ||
      base_json_obj_num(ev, "pid", &pid) != 0 ||
      base_json_obj_num(args, "worker", &worker) != 0 ||
      base_json_obj_num(args, "track", &track) != 0 ||
      base_json_obj_num(ev, "ts", &ts) != 0 ||
      base_json_obj_num(ev, "dur", &dur) != 0 ||
      base_json_obj_str(args, "status", t->status, sizeof t->status) != 0)
    return -1;
  t->index = (int)index;
  t->worker = (int)worker;
  t->track = (int)track;
  t->pid = (int)pid;
  t->start_s = ts / 1e6;
  t->end_s = (ts + dur) / 1e6;
  return 0;
}

/* Is ev a task's bar ("ph":"X", "name":"task N")?  Metadata, compute steps
 * and counters are not. */
static int is_task(const cJSON *ev) {
  const cJSON *ph = cJSON_GetObjectItemCaseSensitive(ev, "ph");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");

  return cJSON_IsString(ph) && strcmp(ph->valuestring, "X") == 0 &&
         cJSON_IsString(name) && strncmp(name->valuestring, "task ", 5) == 0;
}

/* A "compute N" event onto its task, if it has one: its span and pool
 * thread (-1: the task's own).  Events that do not parse are left out. */
static void read_compute(const cJSON *ev, run_trace_task *tasks, int n) {
  const cJSON *ph = cJSON_GetObjectItemCaseSensitive(ev, "ph");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(ev, "args");
  double index, thread, ts, dur;

  if (!cJSON_IsString(ph) || strcmp(ph->valuestring, "X") != 0 ||
      !cJSON_IsString(name) || strncmp(name->valuestring, "compute ", 8) ||
      base_json_obj_num(args, "index", &index) != 0 ||
      base_json_obj_num(args, "pool_thread", &thread) != 0 ||
      base_json_obj_num(ev, "ts", &ts) != 0 ||
      base_json_obj_num(ev, "dur", &dur) != 0)
    return;
  for (int i = 0; i < n; i++)
    if (tasks[i].index == (int)index) {
      tasks[i].has_compute = 1;
      tasks[i].off_thread = (int)thread;
      tasks[i].off_start_s = ts / 1e6;
      tasks[i].off_end_s = (ts + dur) / 1e6;
    }
}

/* The whole file as a string (free it), or NULL with the message given. */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "r");
  char *text = NULL;
  size_t len = 0;
  FILE *mem;
  char chunk[65536];
  size_t got;

  if (f == NULL) {
    fprintf(stderr, "conclab: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  mem = base_json_need(open_memstream(&text, &len));
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    fwrite(chunk, 1, got, mem);
  if (ferror(f) || fclose(mem) != 0) {
    fprintf(stderr, "conclab: %s: read error\n", path);
    fclose(f);
    free(text);
    return NULL;
  }
  fclose(f);
  return text;
}

/* The file is parsed whole: traces are read back only by the figures and
 * the tests, never at a million tasks in a run. */
int run_trace_read_tasks(const char *path, run_trace_task **out, int *n) {
  char *text = read_text(path);
  const char *end = NULL;
  cJSON *doc;
  const cJSON *events, *ev;
  run_trace_task *tasks;
  char why[160];
  int count = 0;

  *out = NULL;
  *n = 0;
  if (text == NULL)
    return -1;
  doc = cJSON_ParseWithOpts(text, &end, 1);
  events = cJSON_GetObjectItemCaseSensitive(doc, "traceEvents");
  if (!cJSON_IsArray(events)) {
    if (doc == NULL)
      fprintf(stderr, "conclab: %s: not a trace: bad JSON at byte %ld\n",
              path, end != NULL ? (long)(end - text) : 0L);
    else
      fprintf(stderr, "conclab: %s: not a trace: no \"traceEvents\" "
              "array\n", path);
    cJSON_Delete(doc);
    free(text);
    return -1;
  }
  if (base_json_schema_check(doc, why, sizeof why) != 0) {
    fprintf(stderr, "conclab: %s: %s\n", path, why);
    cJSON_Delete(doc);
    free(text);
    return -1;
  }
  tasks = base_json_need(
      calloc((size_t)cJSON_GetArraySize(events) + 1, sizeof *tasks));
  cJSON_ArrayForEach(ev, events) {
    if (!is_task(ev))
      continue;
    if (read_task(ev, &tasks[count]) != 0) {
      fprintf(stderr, "conclab: %s: a task event without pid, index, worker, "
              "track, ts, dur or status\n", path);
      free(tasks);
      cJSON_Delete(doc);
      free(text);
      return -1;
    }
    tasks[count].off_thread = -1;
    count++;
  }
  cJSON_ArrayForEach(ev, events) read_compute(ev, tasks, count);
  cJSON_Delete(doc);
  free(text);
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
