/*
 * lab.h - `conclab lab`: what one unit of each model costs, and how far
 * each model scales on this machine.
 *
 * The tutorials end with a table of claims (async is light, threads cost
 * more, processes cost the most and need IPC, the GIL limits threads).  The
 * lab measures each claim's ingredients one unit at a time: starting and
 * finishing one timer, thread or process; one switch between two of them;
 * bytes per second between them; resident memory per waiting one; the
 * largest number this machine holds at once; and what the harness itself
 * costs, `conclab run` against the same batch with no harness around it.
 *
 * Like the suite, the lab never measures in its own process: each measured
 * run is a fresh child, `conclab lab --unit NAME --count N --json`, which
 * prints one flat JSON object.  The parent does the statistics (median,
 * MAD, min, max over R runs) and writes the reports, which are pure
 * functions of the lab_data struct below (no clock), so golden files pin them.
 */
#ifndef CONCLAB_LAB_H
#define CONCLAB_LAB_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>

#include "machine.h"
#include "stats.h"

/* ---- the measured units (units.c) --------------------------------------- */

typedef enum lab_kind {
  LAB_START,  /* start and finish one unit: ns per unit */
  LAB_SWITCH, /* one round trip between two units: ns per round trip */
  LAB_IPC,    /* bytes per second between two units */
  LAB_MEMORY, /* bytes per waiting unit: user and kernel */
} lab_kind;

/* What a child measured.  value: ns per unit (start, switch) or bytes per
 * second (ipc); user_bytes and kernel_bytes: per unit (memory). */
typedef struct lab_measure {
  double value;
  double user_bytes, kernel_bytes;
} lab_measure;

typedef struct lab_unit {
  const char *name;  /* the --only and --unit name, e.g. "uv_timer" */
  const char *model; /* async, threaded, multiproc */
  lab_kind kind;
  const char *what;  /* one line: what one repetition is */
  long count[3];     /* repetitions per run: quick, full, smoke */
  /* Run count repetitions; 0 with the result, or -1 (printed). */
  int (*run)(long count, long big_mb, lab_measure *m);
} lab_unit;

extern const lab_unit lab_units[];
extern const int lab_nunits;
const lab_unit *lab_unit_find(const char *name);

/* The large parent of fork_large and vfork_large, in MiB, per profile. */
long lab_big_mb(int profile);

/* ---- holding n waiting units at once: the scale sweep (hold.c) ---------- */

/* What holding n units gave: got of them (got < n: refused, with err),
 * the wall time to start them all and see them finish, and peak memory. */
typedef struct lab_hold {
  long got;
  int err;       /* errno of the refusal, or 0 */
  double wall_s; /* timers: started and all fired; threads and processes:
                    created, released and reaped */
  long rss_kb;   /* peak resident (processes: with every child's Pss) */
  char why[80];  /* a failed attempt: what went wrong */
} lab_hold;

int lab_hold_timers(long n, lab_hold *h);    /* each 100 ms */
int lab_hold_threads(long n, lab_hold *h);   /* TH_STACK_SIZE stacks */
int lab_hold_processes(long n, lab_hold *h); /* forked, blocked in read */

#define LAB_TIMER_MS 100

/* ---- the sweep (sweep.c) ------------------------------------------------ */

/* How a sweep holds n units.  0 when it ran (h->got may be less than n:
 * refused), -1 when the attempt itself failed (h->err says why). */
typedef struct lab_sweep_ops {
  const char *model; /* async, threaded, multiproc */
  const char *what;  /* "timers of 100 ms", ... */
  int (*hold)(void *ctx, long n, lab_hold *h);
} lab_sweep_ops;

typedef enum lab_stop {
  LAB_STOP_CAP,     /* every level up to the cap held */
  LAB_STOP_REFUSED, /* the system refused a level: the limit */
  LAB_STOP_FAILED,  /* a level failed for another reason */
} lab_stop;

#define LAB_MAX_LEVELS 10

typedef struct lab_level {
  long n;
  lab_hold h;
  int ok; /* held all n */
} lab_level;

typedef struct lab_sweep_result {
  char model[16];
  char what[48];
  long cap;
  lab_level levels[LAB_MAX_LEVELS];
  int nlevels;
  long largest; /* the largest level held in full */
  lab_stop stop;
  int err;      /* refused or failed: the errno */
} lab_sweep_result;

/* Try each level in order (levels ascending; at most LAB_MAX_LEVELS), up to
 * and including cap; stop at the first that is refused or fails.  Returns
 * out->stop.  Whatever a level created is the hold's to tear down. */
lab_stop lab_sweep(const lab_sweep_ops *ops, void *ctx, const long *levels,
                   int nlevels, long cap, lab_sweep_result *out);
/* "cap reached (10000)", "refused at n=1000, 812 created: EAGAIN", ... */
void lab_sweep_why(const lab_sweep_result *r, char *buf, size_t cap);

/* ---- the harness's own cost (bare.c, overhead.c) ------------- */

/* The bare references: n sleeping threads created and joined; n tasks
 * handed to w forked workers through a pipe (h->got: n, or 0 if refused). */
int lab_bare_threads(long n, lab_hold *h);
int lab_bare_procs(long n, long w, lab_hold *h);

/* One reference row: a bare batch against `conclab run sleep --model M`
 * with the same tasks, each side a fresh child, taken in turns. */
typedef struct lab_ref {
  const char *name;  /* the --only and --unit name */
  const char *model; /* conclab's model */
  const char *bare;  /* what the bare child is, for the table */
  long n[3];         /* tasks per profile: quick, full, smoke */
  long per_worker;   /* multiproc: tasks per worker; 0: all at once */
  long target_n;     /* the targets hold at this n (0: no target) */
  double target_time, target_memory; /* at most these ratios */
} lab_ref;

extern const lab_ref lab_refs[];
extern const int lab_nrefs;
const lab_ref *lab_ref_find(const char *name);

typedef struct lab_overhead {
  char name[32];
  char model[16];
  char what[160];
  long n, workers;               /* tasks; at most this many at once */
  base_summary bare_s, conclab_s;   /* wall seconds of the batch */
  base_summary bare_kb, conclab_kb; /* peak resident, KiB */
  double target_time, target_memory; /* at most these ratios; 0: none */
  int failed;
  char why[160];
} lab_overhead;

#define LAB_MAX_OVERHEADS 8

/* The child: run ref's bare batch of n, print one JSON object. */
int lab_overhead_child(const lab_ref *ref, long n);
/* The parent: one warm-up pair and runs measured pairs, bare then conclab
 * (self: conclab's path); o->failed with why if a side failed. */
void lab_overhead_measure(const char *self, const lab_ref *ref, int profile,
                          int runs, lab_overhead *o);
/* conclab's median over the bare one's (0 if not measured). */
double lab_overhead_time_ratio(const lab_overhead *o);
double lab_overhead_memory_ratio(const lab_overhead *o);
/* 1: both targets met, 0: one missed, -1: no target or not measured. */
int lab_overhead_met(const lab_overhead *o);

/* ---- the whole lab: what the reports are made from --------------------- */

#define LAB_MAX_ROWS 32

typedef struct lab_row {
  char name[32];
  char model[16];
  lab_kind kind;
  char what[160];
  long count;     /* repetitions (or units held, for memory) per run */
  base_summary s;   /* value over the measured runs (kind's unit) */
  base_summary user, kernel; /* memory rows: bytes per unit */
  int failed;
  char why[160];
} lab_row;

typedef struct lab_data {
  char profile[16];
  int runs;     /* measured runs per unit (plus one warm-up) */
  long big_mb;  /* the large parent of the *_large units */
  base_machine machine;
  lab_row rows[LAB_MAX_ROWS];
  int nrows;
  lab_sweep_result sweeps[3];
  int nsweeps;
  double elapsed_s;
  lab_overhead overheads[LAB_MAX_OVERHEADS]; /* the harness against bare */
  int noverheads;
  /* The GIL row of the comparison table, from the suite's summary.json in
   * the same directory (its C and CPython table): threads' speedup over
   * seq on CPU work in C and in CPython.  gil 0: not measured there. */
  int gil;
  double gil_c, gil_py;
} lab_data;

/* lab.json read back (merge.c): profile, runs, big_mb, the rows,
 * the sweeps and the overhead rows (not the machine or elapsed time).  0, or -1
 * if text is not a lab.json as report_lab_json writes it. */
int lab_read_json(const char *text, lab_data *lab);
/* now, with old's rows, sweeps and overhead rows for the units now did
 * not run, in the order of lab_units, the sweeps (async, threaded,
 * multiproc) and lab_refs.  0, or -1 when out of memory. */
int lab_merge(lab_data *now, const lab_data *old);
/* The row of that name, or NULL. */
const lab_row *lab_row_find(const lab_data *lab, const char *name);
/* The four figures PREFIXmedian, PREFIXmad, PREFIXmin, PREFIXmax of a
 * lab.json object into s (merge.c): 0, or -1 when one is missing. */
int lab_read_summary(const cJSON *obj, const char *prefix, base_summary *s);
/* One overhead row of lab.json read back (overhead.c): 0, or -1. */
int lab_overhead_read(const cJSON *obj, lab_overhead *o);

/* ---- small helpers the lab's files share (memory.c) --------------- */

double lab_now_s(void);             /* CLOCK_MONOTONIC, in seconds */
int lab_reap(pid_t pid);            /* waitpid, EINTR retried: 0 or -1 */
long lab_rss_bytes(void);           /* this process's resident set */
long lab_kernel_bytes(void);        /* KernelStack + PageTables, system-wide */
long lab_pss_bytes(pid_t pid);      /* Pss of a process (smaps_rollup), or -1 */
const char *lab_errno_name(int err); /* "EAGAIN", ... or "another error" */

/* N waiting units, for the memory rows and the sweep (memory.c). */
typedef struct lab_sleepers {
  pthread_mutex_t lock;
  pthread_cond_t ready_cv, release_cv;
  long ready;
  int released;
} lab_sleepers;

/* Start up to n threads (stack bytes each; 0: the default) that sleep on
 * a condition variable; wait until each is asleep.  Returns how many
 * started; *err: pthread_create's error if fewer.  Release wakes and joins
 * them. */
long lab_threads_hold(lab_sleepers *s, pthread_t *t, long n, size_t stack,
                      int *err);
void lab_threads_release(lab_sleepers *s, pthread_t *t, long got);
/* Fork up to n children that each say they are ready, then block reading
 * hold[0] until its write end closes; wait until each is ready.  Returns
 * how many were forked; *err: fork's errno if fewer.  Release closes both
 * ends of hold (every child reads end of file and exits) and reaps them. */
long lab_procs_hold(pid_t *pids, long n, int hold[2], int *err);
void lab_procs_release(pid_t *pids, long got, int hold[2]);
/* The Pss of this process plus each child's, in bytes. */
long lab_procs_pss(const pid_t *pids, long got);

/* ---- the whole lab (lab.c) ---------------------------------------------- */

enum { LAB_QUICK, LAB_FULL, LAB_SMOKE }; /* profiles */
extern const char *const lab_profile_names[]; /* indexed by profile */

typedef struct lab_args {
  int profile;
  const char *out, *only, *unit;
  long count, big_mb;
  int json;
} lab_args;

/* Is name a unit or a sweep?  And --only's list: 0, or -1 (printed). */
int lab_known(const char *name);
int lab_check_only(const char *only);
/* The measured child: one unit or sweep level, one JSON object on stdout.
 * Its exit status. */
int lab_child(const char *name, long count, long big_mb);
/* Every selected unit and sweep, each run in fresh children of this
 * binary, into lab.  0, or -1 (printed). */
int lab_run(const lab_args *a, lab_data *lab);
/* --only: the lab.json already in dir, to merge into (*old NULL if none).
 * 0, or -1 (printed) when it cannot be read or is another profile's. */
int lab_load_old(const char *dir, const char *profile, lab_data **old);
/* The units and sweeps that failed, said in one line: 0 when none did. */
int lab_count_failed(const lab_data *lab);

#endif
