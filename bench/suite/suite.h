/*
 * suite.h - the benchmark matrix: cells, their runs, their statistics.
 *
 * A cell is one (workload, model, variant, concurrency, parameters).  Each
 * gets one warm-up run and R measured runs, each a fresh child process
 * `conclab run ... --json`, so each run's CPU time, peak memory and context
 * switches are its own.  The suite then compares every cell with the seq
 * cell of the same parameters: its speedup, and its checksum.
 */
#ifndef CONCLAB_SUITE_H
#define CONCLAB_SUITE_H

#include "run.h"
#include "machine.h"
#include "stats.h"

typedef enum suite_table {
  SUITE_MAIN,   /* one row per model: the headline comparison */
  SUITE_SWEEP,  /* the same work at C = 1, 2, 4, ... */
  SUITE_SCALE,  /* very many tasks in flight; seq is not timed (too long) */
  SUITE_ORACLE, /* an untimed seq run that only supplies a checksum */
  SUITE_REUSE,  /* http: keeping connections vs a new one per request */
  SUITE_PYTHON, /* C and CPython: each model run by both (cell.py) */
  SUITE_TABLES
} suite_table;
/* Each table's word in file names, anchors, runs.csv and summary.json:
 * "main", ..., "python". */
extern const char *const suite_table_names[SUITE_TABLES];

/* A figure the issues ask for, checked against the measured median. */
typedef struct suite_target {
  double eff_min;                /* efficiency >= this (0: none) */
  double speedup_lo, speedup_hi; /* speedup within [lo, hi] (0: none) */
  double wall_max_s;             /* median wall <= this (0: none) */
  double vs_in_loop_min;    /* pipeline: in-loop's wall / this >= (0: none) */
  double lag_p99_max_ms;    /* loop lag p99 < this (0: none) */
  double lag_p99_min_steps; /* loop lag p99 >= this many compute steps */
} suite_target;

/* One figure of a target, as the report states it, and whether it was
 * met (on the medians). */
typedef struct suite_clause {
  char text[48];
  int met;
} suite_clause;
#define SUITE_MAX_CLAUSES 6

/* One child run, parsed from its JSON. */
typedef struct suite_run {
  int exit_status; /* 0 ok, 3 tasks failed, else the run failed */
  int parsed;      /* its JSON was read */
  double wall_s, user_s, sys_s;
  double max_rss_kb, vol_ctx, invol_ctx;
  double connections; /* http: connections opened */
  double lag_p50_ms, lag_p99_ms, lag_max_ms; /* async: loop lag */
  double compute_ms; /* pipeline: mean CPU time of one compute step */
  int ok, failed, threadpool_size, workers;
  char checksum[24];
} suite_run;

enum { SUITE_TARGET_NONE = -1, SUITE_TARGET_MISSED = 0, SUITE_TARGET_MET = 1 };

typedef struct suite_cell {
  /* what to run */
  run_opts opts;
  suite_table table;
  suite_target target;
  int warmups, runs; /* runs: measured */
  /* what happened: runs[0..warmups) are warm-ups */
  suite_run *results;
  int nresults;
  /* derived */
  base_summary wall;
  double user_s, sys_s, max_rss_kb, vol_ctx, invol_ctx; /* medians */
  double connections;                                    /* median */
  double lag_p50_ms, lag_p99_ms, lag_max_ms; /* async: medians over runs */
  double compute_ms;                         /* pipeline: median */
  int threadpool_size; /* async: libuv's pool, as the runs reported it */
  int py;   /* run by CPython (`conclab run --impl python`), not by C */
  int peer; /* a CPython cell: the C cell of the same work, or -1 */
  int baseline;   /* the seq (or oracle) cell of the same work, or -1 */
  double speedup; /* 0 when not computed */
  double ideal, efficiency;
  int in_loop;       /* pipeline offload: the in-loop cell of its work, or -1 */
  double vs_in_loop; /* and that cell's median wall / this one's */
  int failed;     /* FAILED: never ranked */
  char why[160];  /* why it failed */
  char run_error[96]; /* the first failing run's exit status and message */
  int target_met; /* SUITE_TARGET_* */
  int crosscheck; /* the hyperfine cross-check times it (its row says so) */
  const char *variant; /* its row's variant (wl_row.variant), or NULL */
  char label[40];      /* then the model column's words: "async curl" */
} suite_cell;

/* The hyperfine cross-check (crosscheck.c): one command timed as a
 * whole process.  hf[0] is the start-up command, the others chosen cells. */
typedef struct suite_hfcheck {
  int cell;   /* index into cells; -1 for the start-up command */
  int ok;     /* hyperfine ran and its export was read */
  int runs;   /* measured runs */
  double median_s, mean_s, stddev_s, min_s, max_s;
  double harness_s; /* the harness's median over runs taken just before
                       hyperfine's (0: none; the cell's own is used) */
  char why[160]; /* why it failed */
} suite_hfcheck;
#define SUITE_HF_MAX 6
enum { SUITE_HF_OFF = 0, SUITE_HF_DONE = 1, SUITE_HF_SKIPPED = 2 };

/* ---- the server benchmark (serve.c) -------------------------------------
 * Each server model under conclab's own load generator (`conclab load`),
 * one scenario at a time: for each cell a fresh `conclab serve --model M
 * --port 0 --quiet`, one load run against it, then SIGINT, and its peak
 * RSS and CPU from wait4.  wrk times the same URL on a server of its own
 * beside chosen cells. */
typedef enum suite_sv_scenario {
  SUITE_SV_DELAY, /* /delay/100: waiting; connections scale on the loop */
  SUITE_SV_BYTES, /* /bytes/1024: throughput */
  SUITE_SV_CPU,   /* /cpu/N: a CPU-bound handler, offloaded or not */
  SUITE_SV_BESIDE, /* /bytes/1024 while other connections ask /cpu/N */
  SUITE_SV_SLOW,  /* slow connections held beside a few active ones */
  SUITE_SV_OPEN,  /* /delay/100 in open loop at a fixed rate */
  SUITE_SV_SCENARIOS
} suite_sv_scenario;

/* The server's variants: "seq", "async", "async offload", ... */
typedef struct suite_sv_model {
  const char *label, *model;
  int offload;
} suite_sv_model;
extern const suite_sv_model suite_sv_models[];
extern const int suite_sv_nmodels;

enum { SUITE_SV_OK = 0, SUITE_SV_FAILED };
enum { SUITE_WRK_NONE = 0, SUITE_WRK_OK, SUITE_WRK_FAILED };

typedef struct suite_sv_cell {
  /* what to run */
  int scenario, model; /* suite_sv_scenario, index into suite_sv_models */
  int connections;     /* active */
  int slow;            /* slow connections held beside them */
  int beside;          /* connections asking /cpu/N beside them */
  double rate;         /* open loop: requests/s in all (0: closed) */
  double duration_s;   /* of its load run */
  int wrk;             /* wrk runs beside it (for as long: wrk_duration_s) */
  /* what happened */
  int state; /* SUITE_SV_* */
  char why[160];
  double requests, failed, status_errors, unanswered, slow_open;
  double beside_requests, beside_errors; /* answers to the beside ones */
  double elapsed_s, rps, p50_ms, p99_ms, p999_ms, max_ms;
  double load_cpu_s;               /* the load generator's */
  double server_rss_kb, server_cpu_s; /* wait4's */
  int wrk_state; /* SUITE_WRK_* */
  double wrk_rps, wrk_p50_ms, wrk_p99_ms;
  /* wrk's own CPU and its server's: set against load_cpu_s and
   * server_cpu_s, a request each, they say whether a gap is the
   * generator's cost or the run's */
  double wrk_requests, wrk_cpu_s, wrk_server_cpu_s;
  long wrk_errors;
  char wrk_why[160];
} suite_sv_cell;

typedef struct suite_serve {
  int ran;           /* the section was run (not --serve off) */
  double duration_s; /* of a load run; open loop: open_duration_s; a cell
                        beside wrk: wrk_duration_s, so both count the
                        same rounds of answers */
  double open_duration_s;
  int wrk_duration_s;
  int cpu_n;         /* /cpu/N */
  int active;        /* slow and beside scenarios: the active connections */
  int wrk_found;     /* wrk on PATH (else wrk_skipped says why not) */
  char wrk_skipped[160];
  suite_sv_cell *cells;
  int ncells;
  double elapsed_s;
} suite_serve;

/* The number a cell's row is about: its slow connections, its beside
 * ones, or else its active ones (C). */
int suite_sv_n(const suite_sv_cell *c);
/* The scenario's URL path ("/delay/100"), and a short name ("delay"). */
void suite_sv_path(const suite_serve *sv, int scenario, char *out,
                   size_t cap);
extern const char *const suite_sv_names[SUITE_SV_SCENARIOS];
/* The cells of a profile (quick, full, smoke).  0, or -1 (unknown). */
int suite_serve_build(suite_serve *sv, const char *profile);
void suite_serve_free(suite_serve *sv);
/* Run every cell with the binary self; wrk: its path, or NULL to skip
 * it.  Progress on stderr. */
void suite_serve_run(suite_serve *sv, const char *self, const char *wrk);
/* The gap between wrk's requests/s and conclab load's, in % of wrk's;
 * 0 with *gap set, or -1 when there is no pair to compare. */
int suite_sv_wrk_gap(const suite_sv_cell *c, double *gap);
#define SUITE_WRK_GAP_PCT 10.0

typedef struct suite_matrix {
  char profile[16];
  int runs, warmups;
  int cores;
  suite_cell *cells;
  int ncells, cap;
  base_machine machine;
  double elapsed_s;
  /* the hyperfine cross-check: SUITE_HF_*, why it was skipped, the checks */
  int hf_state;
  char hf_skipped[160];
  suite_hfcheck hf[SUITE_HF_MAX];
  int nhf;
  suite_serve serve; /* the server benchmark (serve.c) */
  /* Why the C and CPython cells were left out (no python3, a package
   * missing: suite_profile_build then adds none); "" when they ran. */
  char py_skipped[200];
} suite_matrix;

/* The C and CPython table's measured runs per cell: at most this many
 * (CPython's runs are the suite's slowest). */
#define SUITE_PY_RUNS 3

/* Fill the matrix of a profile ("quick" or "full") for this many cores.
 * With s->py_skipped set, it leaves out the C and CPython cells.
 * 0, or -1 for an unknown profile. */
int suite_profile_build(suite_matrix *s, const char *profile, int cores);
/* The same for the rows of these workloads only (NULL-terminated, in
 * wl_all's order): a test's fixture stays the same when a workload is
 * added. */
int suite_profile_build_of(suite_matrix *s, const char *profile, int cores,
                           const wl_workload *const *wls);
void suite_free(suite_matrix *s);

/* Run every cell's warm-ups and measured runs, with progress on stderr,
 * into its results.  0, or -1 (printed) when out of memory. */
int suite_run_cells(suite_matrix *s, const char *self);

/* The hyperfine cross-check (crosscheck.c): time the start-up command and
 * a few chosen cells with hyperfine, into s->hf.  self: the conclab
 * binary; hyperfine: its path. */
void suite_crosscheck(suite_matrix *s, const char *hyperfine,
                      const char *self);

/* Run cell c `runs` more times with the binary self, as the suite does;
 * the median wall time, or 0 if a run failed. */
double suite_cell_rerun(const char *self, const suite_cell *c, int runs);

/* From the runs: statistics, baselines' comparisons, failures, targets. */
void suite_evaluate(suite_matrix *s);
/* The figures of a cell's target, each with its verdict: the count. */
int suite_target_clauses(const suite_cell *c,
                         suite_clause out[SUITE_MAX_CLAUSES]);
/* The ideal speedup over seq stated for a cell (see the report's notes). */
double suite_ideal(const suite_cell *c, int cores);
/* Short labels used in tables and progress lines. */
const char *suite_model_label(const suite_cell *c); /* "async offload" */
/* The cell's variant for runs.csv and summary.json: its row's, else the
 * run's (run_variant: "offload", "no-reuse", ...). */
const char *suite_cell_variant(const suite_cell *c);
void suite_cell_label(const suite_cell *c, char *out, size_t cap);
/* The command line a cell's runs execute, `self run ... --json`, quoted
 * for hyperfine -N (and a shell).  0, or -1 if it does not fit in cap. */
int suite_cell_command(const suite_cell *c, const char *self, char *out,
                       size_t cap);

#endif
