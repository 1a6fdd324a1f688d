/*
 * workload.h - WHAT the work is, independent of HOW it is scheduled.
 *
 * A workload is data plus plain functions: its name and kind, how to make
 * task i's input, how to run one task the blocking way, and how to fold the
 * per-task results into one checksum.  Every model (seq, async, threaded,
 * multiproc) runs the same tasks and fills the same result slots, so their
 * checksums must agree with seq's, which is the correctness oracle.
 */
#ifndef CONCLAB_WORKLOAD_H
#define CONCLAB_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a task mostly does: wait (io), compute (cpu), or both (mixed:
 * pipeline fetches, computes and saves). */
typedef enum wl_kind { WL_KIND_IO, WL_KIND_CPU, WL_KIND_MIXED } wl_kind;

/* What each http task asks the server for. */
typedef enum wl_endpoint {
  WL_EP_DELAY, /* /delay/D: the answer comes after D ms */
  WL_EP_BYTES, /* /bytes/S: S bytes of body */
  WL_EP_STALL, /* /stall: no answer ever (for --timeout-ms) */
} wl_endpoint;
extern const char *const wl_endpoint_names[]; /* "delay", "bytes", "stall" */

/* http: the client.  native: conclab's own (async: on the event loop;
 * the others: plain blocking sockets); curl: libcurl. */
typedef enum wl_client { WL_CLIENT_NATIVE, WL_CLIENT_CURL } wl_client;
extern const char *const wl_client_names[]; /* "native", "curl" */

/* The outcome of one task.  A failed task never aborts its batch
 * (asyncio.gather(..., return_exceptions=True)). */
typedef enum wl_status {
  WL_PENDING = 0, /* not run (yet): a batch that ends with one is a bug */
  WL_OK,
  WL_ERROR, /* the task failed, or the worker running it died */
  WL_TIMEOUT,
} wl_status;
/* http tells its errors apart by wl_slot.http_status: an error with a status
 * (500, say) is an HTTP error; one without (0) a connection error. */

/* Parameters of one batch.  Each workload reads the fields it needs. */
typedef struct wl_params {
  int tasks;           /* N: number of tasks (for primes: number of chunks) */
  int concurrency;     /* C: at most C tasks in flight */
  int delay_ms;        /* sleep: every task waits this long... */
  int delay_spread_ms; /* ...plus a per-task extra in [0, spread] */
  int64_t limit;       /* primes: count primes below this */
  /* http: the request, and how the client treats failures */
  const char *url;      /* the server's base URL, "http://127.0.0.1:8080" */
  wl_endpoint endpoint; /* /delay/D, /bytes/S or /stall */
  int64_t size;         /* S for /bytes; files: each file's size */
  int no_reuse;         /* a new connection for every request */
  int timeout_ms;       /* each attempt's limit; 0: none */
  int retries;          /* K: retry a failed request up to K times... */
  int backoff_ms;       /* ...waiting about B, 2B, 4B, ... ms in between */
  wl_client client;     /* which client speaks HTTP: native or libcurl */
  double fail_rate;     /* p: this share of attempts asks for a failure */
  uint64_t seed;        /* which attempts those are */
  /* files: where, and whether each write waits for the disk (size: S) */
  const char *dir;
  int fsync;
  /* pipeline: rounds of the digest (fetches /bytes/S, saves into dir) */
  int rounds;
} wl_params;

/* Task i's input: small and flat, so it can travel in a pipe frame. */
typedef struct wl_task {
  uint32_t index;
  uint64_t a; /* sleep: delay in ms;   primes: first number;  http: unused */
  uint64_t b; /* sleep: unused;        primes: one past the last */
} wl_task;

/* Task i's result slot.  Slot i belongs to task i (gather order). */
typedef struct wl_slot {
  wl_status status;
  int worker; /* who ran it: seq and async 0 (the one thread, the loop),
               * threaded the pool thread (0..C-1), multiproc the worker
               * process (0..C-1) */
  uint64_t value;
  int http_status; /* http: the last attempt's HTTP status; 0 if none */
  int retries;     /* http: attempts after the first */
  int connects;    /* http: connections opened (CURLINFO_NUM_CONNECTS) */
  uint32_t compute_us; /* pipeline: CPU time of the task's compute step */
} wl_slot;

/* When task i ran, for the timeline (--trace): kept in an array of its
 * own beside the slots, made only when a run is traced (spans NULL
 * otherwise: a batch of a million timers carries no timeline it will not
 * draw).  Times are CLOCK_MONOTONIC (wl_now_ns), which is system-wide, so
 * a worker process can time its own task.  lane: async only, which of the
 * C semaphore permits the task ran under; tasks under one permit never
 * overlap, so each permit is one row of the loop's timeline (a viewer
 * cannot draw overlapping bars in a row).  off_start_ns, off_end_ns: the
 * task's compute step (pipeline; 0: none noted), so the timeline shows its
 * phases: fetch before it, save after it.  off_thread: who ran the step:
 * -1 the task's own thread (seq, threaded, multiproc, async in the loop),
 * else async --offload's pool thread on libuv's threadpool (0.., numbered
 * per batch in the order the threads first ran one).  pid: multiproc
 * only, the worker process that ran the task (0: none did), so the
 * timeline shows each process as itself. */
typedef struct wl_span {
  int64_t t_start_ns, t_end_ns;
  int64_t off_start_ns, off_end_ns;
  int lane, off_thread;
  int pid;
} wl_span;

/* ---- What the harness reads from a descriptor ----------------------------
 * The harness (bench/) knows no workload by name: it reads these tables and
 * calls these functions.  A workload says which flags it takes and how,
 * which of the harness's options apply to it, what its runs report beyond
 * the common figures, and which rows the suite measures. */

/* The largest values the workloads' flags allow (stated in --help and in
 * every range error). */
#define WL_MAX_DELAY_MS 60000
#define WL_MAX_LIMIT 1000000000LL
/* --size: what conclab serve's /bytes allows */
#define WL_MAX_SIZE (64LL * 1024 * 1024)
#define WL_MAX_RETRIES 100
#define WL_MAX_BACKOFF_MS 30000
#define WL_MAX_ROUNDS 100000

/* How a flag's value is read, and what it is stored as. */
typedef enum wl_flag_kind {
  WL_FLAG_INT,    /* a whole number in lo..hi, into an int */
  WL_FLAG_INT64,  /* the same, into an int64_t (or uint64_t) */
  WL_FLAG_SHARE,  /* a plain decimal from 0 to 1, into a double */
  WL_FLAG_NAME,   /* one of names[], its index into an int-sized enum */
  WL_FLAG_URL,    /* a base URL, http://HOST[:PORT][/PATH], kept as text */
  WL_FLAG_DIR,    /* a directory to work in, kept as text */
  WL_FLAG_SWITCH, /* no value: the int becomes 1 */
} wl_flag_kind;

/* Whether a suite cell's command line says the flag. */
typedef enum wl_flag_say {
  WL_SAY_ALWAYS = 0, /* with the cell's value, default or not */
  WL_SAY_IF_SET,     /* only when it is not 0 (or NULL) */
  WL_SAY_NEVER,      /* the suite's rows do not vary it */
} wl_flag_say;

/* The longest value a WL_FLAG_URL flag takes (a base URL: the workload
 * adds its path after it). */
#define WL_URL_MAX 400

/* The most flags one workload may have: the suite builds each cell's
 * command line in room for this many (tests/test_descriptors.c checks). */
#define WL_MAX_FLAGS 16

/* One flag of `conclab run WORKLOAD`.  A flag that several workloads take
 * (--size) has one row in each, with the same name and kind. */
typedef struct wl_flag {
  const char *name; /* "--delay-ms" */
  const char *arg;  /* its value in the help ("D"), NULL for a switch */
  const char *help; /* what it does, for this workload ("\n" between
                       lines); the help adds the range and the default */
  wl_flag_kind kind;
  size_t field;          /* where it goes: offsetof(wl_params, ...) */
  long long def, lo, hi; /* its default, and the values allowed */
  const char *const *names; /* WL_FLAG_NAME: the words, by value */
  int nnames;
  unsigned endpoints; /* applies only with these --endpoint values (bits
                         1u << WL_EP_x); 0: with any */
  wl_flag_say say;
} wl_flag;

/* The bytes a flag's field in wl_params holds, by its kind. */
size_t wl_flag_bytes(wl_flag_kind kind);

/* The harness's options of an async run that a workload can take. */
enum {
  WL_OPT_OFFLOAD = 1u << 0,          /* --offload: its CPU work on the pool */
  WL_OPT_BLOCKING_IN_LOOP = 1u << 1, /* --blocking-in-loop: wait blocking */
  WL_OPT_THREADPOOL = 1u << 2,       /* --threadpool T: size libuv's pool */
};

/* --concurrency's default: all N at once, one per core, or min(N, k). */
enum { WL_C_ALL = 0, WL_C_CORES = -1 };

/* The ideal speedup over seq that the report states for a cell. */
typedef enum wl_ideal {
  WL_IDEAL_OVERLAP, /* waits that overlap: N / ceil(N / C) */
  WL_IDEAL_CORES,   /* one core per task in flight: min(C, cores) */
  WL_IDEAL_WORKERS, /* one core per worker (async: the pool's threads) */
} wl_ideal;

/* The report's extra columns (the harness computes and formats them). */
enum {
  WL_COL_MB_PER_S = 1u << 0, /* bytes written and read per second */
  WL_COL_OFFLOAD = 1u << 1,  /* pool, compute step, vs async in-loop */
};

/* What a run measured that a workload's own lines report (bench fills
 * it in from the run's results). */
typedef struct wl_measured {
  double mb_per_s;   /* bytes written + read by the ok tasks, per second */
  double compute_ms; /* the mean CPU time of one compute step */
  int timeouts, http_errors, conn_errors;
  int64_t retries, connects;
} wl_measured;

/* Where a --json field's value is read: a field of wl_params, or (with
 * `measured`) of wl_measured. */
typedef enum wl_value_kind {
  WL_VALUE_INT,   /* an int */
  WL_VALUE_INT64, /* an int64_t */
  WL_VALUE_NUM,   /* a double */
  WL_VALUE_TEXT,  /* a const char * */
  WL_VALUE_NAME,  /* an int-sized enum, written as names[value] */
  WL_VALUE_NOT,   /* an int, written as 1 - it (reuse is !no_reuse) */
} wl_value_kind;

typedef struct wl_field {
  const char *key; /* in the --json line, after the common keys */
  wl_value_kind kind;
  size_t field; /* offsetof(wl_params or wl_measured, ...) */
  int measured;
  const char *const *names; /* WL_VALUE_NAME */
  unsigned endpoints; /* as for flags: 0 is written when it does not apply */
} wl_field;

/* A --json field of a wl_params member, or of a wl_measured one. */
#define WL_FIELD_PARAM(key_, kind_, member)                                    \
  {.key = key_, .kind = kind_, .field = offsetof(wl_params, member)}
#define WL_FIELD_MEASURED(key_, kind_, member)                                 \
  {.key = key_, .kind = kind_, .field = offsetof(wl_measured, member),        \
   .measured = 1}

/* ---- The suite's rows ---------------------------------------------------- */

/* Which table of the report a row goes to (the harness's suite_table). */
typedef enum wl_table {
  WL_TABLE_MAIN,   /* one row per model: the headline comparison */
  WL_TABLE_SWEEP,  /* the same work at several C */
  WL_TABLE_SCALE,  /* very many tasks in flight; seq not timed */
  WL_TABLE_ORACLE, /* an untimed seq run that only supplies a checksum */
  WL_TABLE_REUSE,  /* keeping connections vs a new one per request */
  WL_TABLE_PYTHON, /* the same work by conclab and by CPython (conclab-py):
                      each model a C cell and a CPython cell; sizes small
                      enough for CPython, which is slower at CPU work */
} wl_table;

/* Models, as a set (the harness's run_model order: seq, async, threaded,
 * multiproc). */
enum {
  WL_SEQ = 1u << 0,
  WL_ASYNC = 1u << 1,
  WL_THREADED = 1u << 2,
  WL_MULTIPROC = 1u << 3,
  WL_MODELS = WL_ASYNC | WL_THREADED | WL_MULTIPROC, /* all but seq */
};

/* Which profiles a row is in: quick (and smoke, its tiny copy) and full
 * have the same rows but for these. */
typedef enum wl_when {
  WL_ALWAYS = 0,
  WL_FULL,        /* only in full */
  WL_QUICK_TAIL,  /* not in full; after every workload's other rows */
} wl_when;

/* A row's sizes, for the real profiles (quick, full) and for smoke. */
typedef struct wl_size {
  long long real, smoke;
} wl_size;

/* A figure the issues ask for, checked against the measured median
 * (0: none). */
typedef struct wl_target {
  double eff_min, speedup_lo, speedup_hi, wall_max_s;
  double wall_max_delays;    /* wall <= this many times the delay */
  double vs_in_loop_per_thread; /* vs in-loop >= this x min(pool, cores) */
  double lag_p99_max_ms, lag_p99_min_steps;
} wl_target;

/* Any other flag a row sets: its name ("--passes"), and its whole-number
 * value in the real profiles and in smoke. */
typedef struct wl_row_flag {
  const char *name;
  wl_size value;
} wl_row_flag;
#define WL_ROW_FLAGS 2

/* --concurrency of a row: a number, or one of these. */
enum {
  WL_ROW_C_ALL = -1,      /* N: all at once */
  WL_ROW_C_CORES = -2,    /* the cores */
  WL_ROW_C_2CORES = -3,   /* twice the cores */
  WL_ROW_C_DOUBLING = -4, /* one cell each at C = 1, 2, 4, ... up to N */
};

/* One or more cells of the suite: the same work on a set of models. */
typedef struct wl_row {
  wl_table table;
  wl_when when;
  unsigned models;          /* WL_SEQ | ... */
  unsigned offload_models;  /* of those, the ones run with --offload */
  int blocking_in_loop, threadpool;
  wl_size tasks, concurrency; /* concurrency: a number or WL_ROW_C_* */
  /* the workload's parameters: these (0 when the row leaves them out),
   * and up to WL_ROW_FLAGS other flags by name (the rest: their
   * defaults) */
  wl_size delay_ms, limit, size, rounds;
  wl_endpoint endpoint;
  int no_reuse;
  wl_row_flag flags[WL_ROW_FLAGS]; /* name NULL: none */
  wl_target target;
  /* The suite's hyperfine cross-check times this row's cells too (a few
   * short ones that start no server: a whole process then holds little
   * the harness does not time). */
  int crosscheck;
  /* A word for these cells when the row repeats another with a flag
   * changed ("curl": the model column reads "async curl", and a run's
   * summary names the variant); NULL: none. */
  const char *variant;
} wl_row;

typedef struct wl_workload {
  const char *name;
  wl_kind kind;
  const char *summary; /* for --help ("\n" between lines) */
  /* Fill task i's input from the batch parameters. */
  void (*task_input)(const wl_params *p, uint32_t i, wl_task *out);
  /* Run one task the blocking way; return its status, store its value (and
   * anything else it reports) in out.  worker is the caller's state from
   * worker_open, or NULL for a workload without one. */
  wl_status (*run_blocking)(const wl_task *t, void *worker, wl_slot *out);
  /* Optional: state a worker keeps across its tasks (http: one reused curl
   * handle).  seq opens one, each thread and each worker process its own.
   * 0, or -1 when it could not be made (printed); every model then runs
   * that worker's tasks with worker = NULL, and the workload fails them. */
  int (*worker_open)(const wl_params *p, void **worker);
  void (*worker_close)(void *worker);
  /* Optional: how long one task may take, in ms, when --timeout-ms is T
   * and the workload bounds its own waits with T (http: every attempt and
   * the backoffs between them; pipeline: the fetch, then the digest and
   * the save).  Without it a task's limit is T itself. */
  int64_t (*task_limit_ms)(const wl_params *p);
  /* What a run must set up around the tasks: an HTTP server (its own,
   * unless --url), and a directory of its own to write into (--dir; on
   * async its uv_fs_* calls run on libuv's threadpool). */
  int serves, writes_dir;
  /* Descriptors one task in flight holds, for the open-file check
   * (tests/test_fdlimit.c runs each at the limit it implies): on a
   * blocking worker (seq, threaded), beside `fixed` of the run's own, and
   * on the loop.  0 and 0: nothing per task.  (A multiproc worker costs
   * its parent two pipe ends whatever it runs.) */
  struct { int fixed, blocking, async; } fds;
  /* One unit of --concurrency in words, for that check's message. */
  const char *unit_one, *unit_many;

  /* ---- what the harness reads (see above) ---- */
  const wl_flag *flags; /* its own flags, in the order they are checked */
  int nflags;           /* at most WL_MAX_FLAGS */
  unsigned options; /* WL_OPT_* */
  int default_tasks, default_concurrency; /* WL_C_* or min(N, this) */
  /* Optional: after the flags, refuse what they do not allow together
   * (one line into err, nonzero) and fill what follows from them. */
  int (*settle)(wl_params *p, char *err, size_t errlen);
  /* Its --json fields after the common ones, and its lines of
   * `conclab run`'s text after the common ones. */
  const wl_field *json;
  int njson;
  void (*print_run)(FILE *out, const wl_params *p, const wl_measured *m);
  /* The suite: its rows, the report's extra columns, the ideal speedup,
   * and the paragraph above its table (p: a model's cell of the main
   * table). */
  const wl_row *rows;
  int nrows;
  unsigned columns; /* WL_COL_* */
  /* WL_COL_MB_PER_S: the bytes one task moves (written plus read). */
  double (*task_bytes)(const wl_params *p);
  wl_ideal ideal;
  void (*report_intro)(FILE *out, const wl_params *p, int cores);
  /* The report's verdict: the lesson its numbers teach, one sentence
   * (why the winner wins), from which the numbers then say who won. */
  const char *lesson;
  /* The report's task-timeline figure, drawn from the workload that has
   * one: its small batch's options (NULL-terminated) and the figure's
   * title. */
  const char *const *timeline_args;
  const char *timeline_title;
} wl_workload;

/* The registry. */
const wl_workload *wl_find(const char *name);
/* MB/s of a batch: the bytes the ok tasks moved (task_bytes each), per
 * second of wall time; 0 for a workload that moves none.  The one formula
 * of both `conclab run` and the suite's report. */
double wl_mb_per_s(const wl_workload *wl, const wl_params *p, long ok,
                   double wall_s);
extern const wl_workload *const wl_all[]; /* NULL-terminated */

/* A workload's row of flag `name` (its first len characters: "--size" of
 * "--size=5"), or NULL when it takes no such flag. */
const wl_flag *wl_flag_find(const wl_workload *wl, const char *name,
                            size_t len);
/* Flag f's default, into its field of p (a URL or a directory: NULL, the
 * run's own).  `conclab run` starts from these, and so does each suite
 * cell, before its row's values. */
void wl_flag_default(const wl_flag *f, wl_params *p);
/* Whether a flag or field with these endpoint bits applies to p. */
int wl_endpoint_applies(unsigned endpoints, const wl_params *p);

extern const wl_workload wl_sleep;
extern const wl_workload wl_primes;
extern const wl_workload wl_http;
extern const wl_workload wl_files;
extern const wl_workload wl_pipeline;

/* sleep's pieces, shared with the async model (which waits with a timer). */
uint64_t wl_sleep_value(uint32_t index); /* fetch_number(n) -> n * 10 */
int wl_sleep_ms(uint64_t ms);            /* nanosleep, EINTR-safe */

/* primes' piece: count primes in [lo, hi) by trial division. */
uint64_t wl_primes_count(uint64_t lo, uint64_t hi);

/* A worker's state, for workloads that keep one (else *worker = NULL). */
int wl_worker_open(const wl_workload *wl, const wl_params *p, void **worker);
void wl_worker_close(const wl_workload *wl, void *worker);

/* The longest one task of this batch may run before multiproc's watchdog
 * kills its worker and records a timeout: 0 when there is no --timeout-ms
 * (then a run waits as long as its tasks do). */
int64_t wl_task_limit_ms(const wl_workload *wl, const wl_params *p);

/* Now on CLOCK_MONOTONIC, in ns: the clock of every task's start and end. */
int64_t wl_now_ns(void);

/* The timing helper (span.c): task i begins, task i ends, or (multiproc,
 * which hears the times from its worker) task i ran from start to end.
 * Each does nothing when spans is NULL (the run is not traced). */
void wl_span_begin(wl_span *spans, uint32_t i);
void wl_span_end(wl_span *spans, uint32_t i);
void wl_span_set(wl_span *spans, uint32_t i, int64_t start, int64_t end);
/* A task's compute step, noted by the workload with one call each side:
 * wl_span_step_begin and _end write into this thread's current span, set
 * by whoever runs the task (wl_run_one; async's loop around an in-loop
 * step; a multiproc worker) with wl_span_enter (spans NULL: none) and
 * cleared with wl_span_leave.  With no current span they do nothing: an
 * untraced run reads no clock for them. */
void wl_span_enter(wl_span *spans, uint32_t i);
void wl_span_leave(void);
void wl_span_step_begin(void);
void wl_span_step_end(void);

/* Run task i of a batch the blocking way into its slot (any model), timing
 * it into spans[i] when spans is not NULL (slot->worker is left 0: the
 * caller knows who it is). */
void wl_run_one(const wl_workload *wl, const wl_params *p, uint32_t i,
                void *worker, wl_slot *slot, wl_span *spans);
/* The same for a task whose input is made already (a multiproc worker
 * gets it in a frame), timed into *span when span is not NULL. */
void wl_run_task(const wl_workload *wl, const wl_task *t, void *worker,
                 wl_slot *slot, wl_span *span);

/* Write all n bytes to fd, looping over short writes and EINTR.  0, or -1
 * with errno set (EPIPE: a pipe's reader is gone; EIO: nothing written and
 * no reason given, rather than spinning). */
int wl_write_full(int fd, const void *buf, size_t n);

/* Say why a task failed - once per run, so a batch of 10,000 failing
 * tasks prints one line, not 10,000 (the JSON counts them all):
 * "conclab: WORKLOAD: task I: WHAT OBJECT: WHY". */
void wl_report_error(const char *workload, uint32_t index, const char *what,
                     const char *object, const char *why);
/* The same for any failure a run repeats once per worker (a worker that
 * cannot open its state): "conclab: " and the formatted line, only if no
 * other line was reported before it in this run. */
void wl_report_once(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Where this process's one line goes instead of stderr: a multiproc worker
 * hands it to its parent (one line per run, not per process).  line has
 * no "\n"; NULL: back to stderr. */
typedef void wl_report_sink(const char *line, void *arg);
/* (A sink runs with the report's lock held: it must not report.) */
void wl_report_to(wl_report_sink *sink, void *arg);
/* A run starts: its first line will be printed again. */
void wl_report_reset(void);
/* A line a worker process reported: printed here, if it is the run's
 * first. */
void wl_report_relay(const char *line);
/* Hold the run's first line back while workers start (they may fail for
 * the same reason the start does), then print it (say) or drop it: a
 * start that failed has said why itself. */
void wl_report_hold(void);
void wl_report_release(int say);
#define WL_REPORT_MAX 512 /* the longest line reported, "\n" included */

/* FNV-1a, 64 bit: the hash behind every value and checksum. */
#define WL_HASH_INIT 0xcbf29ce484222325ULL
uint64_t wl_hash_bytes(uint64_t h, const void *data, size_t n);
uint64_t wl_hash_word(uint64_t h, uint64_t word); /* its 8 bytes, LSB first */

/* Fold the slots, in order, into one checksum (FNV-1a over index, status,
 * value).  Order matters: results out of order change the checksum. */
uint64_t wl_checksum(const wl_slot *slots, int n);

/* seq: one task after another.  The baseline and the oracle.  spans: the
 * timeline's array (--trace), or NULL. */
int seq_run(const wl_workload *wl, const wl_params *p, wl_slot *slots,
            wl_span *spans);

#endif
