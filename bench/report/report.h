/*
 * report.h - the suite's outputs: Markdown tables, CSV, JSON.
 *
 * The writers take the evaluated suite and print; they measure nothing and
 * read no clock, so the same suite always gives the same bytes (the tests
 * compare them with golden files).
 */
#ifndef CONCLAB_REPORT_H
#define CONCLAB_REPORT_H

#include <stdio.h>

#include "lab.h"
#include "suite.h"

void report_markdown(FILE *out, const suite_matrix *s);     /* DIR/README.md */
void report_summary(FILE *out, const suite_matrix *s);  /* the speedup matrix */
void report_runs_csv(FILE *out, const suite_matrix *s); /* DIR/data/runs.csv */
void report_summary_json(FILE *out,
                         const suite_matrix *s); /* DIR/data/summary.json */

/* DIR/data/hyperfine/NAME.json (hfexport.c): the runs in the layout of
 * `hyperfine --export-json`, one file per experiment - the cells one
 * hyperfine invocation could have timed: a table's cells as several
 * commands, or a sweep's cells of one model as one command whose only
 * parameter is "concurrency". */
typedef struct report_hf_file {
  char name[80]; /* "sleep-main", "primes-sweep-async-offload" */
  int first;     /* its first cell; the others follow it */
  int sweep;     /* each result has "parameters": {"concurrency": "C"} */
} report_hf_file;
/* The experiments of s, in cell order, into *out (free it): the count. */
int report_hf_files(const suite_matrix *s, report_hf_file **out);
/* One experiment's file. */
void report_hf_write(FILE *out, const suite_matrix *s,
                     const report_hf_file *f);
/* Every experiment's file under dir/data/hyperfine (made if missing;
 * a .json there that this suite does not write is removed).  0, or -1. */
int report_write_hyperfine(const char *dir, const suite_matrix *s);

/* ---- the first screen (verdict.c) ---------------------------------------- */

/* The warnings that say when the numbers cannot be trusted (a non-release
 * build, load above the cores at the start, CPU steal over 3%, a governor
 * not `performance`, noisy cells, FAILED cells), one line each after lead,
 * each saying what it means for the numbers: the count.  out NULL: only
 * count them. */
int report_warnings(FILE *out, const suite_matrix *s, const char *lead);
/* The same as a list under the report's title (nothing when none holds). */
void report_warnings_markdown(FILE *out, const suite_matrix *s);
/* A cell whose MAD is over 10% of its median, or whose slowest run is over
 * 5 MADs and 10% above its median (a FAILED cell is not noisy). */
int report_cell_noisy(const suite_cell *c);
/* "## Verdicts": one line per workload, from this run's numbers, each
 * figure linking its row; then the lab's line (section REPORT_LAB_WHY,
 * which `conclab lab` fills and the suite carries over). */
void report_verdicts(FILE *out, const suite_matrix *s);
/* The "C and CPython" section (python.c): each model of the C and
 * CPython table run by both, the ratio, and the GIL's verdict; or why it
 * was not run.  Nothing when the suite has no such cells nor a reason. */
void report_python_markdown(FILE *out, const suite_matrix *s);
/* The GIL: threads' speedup over seq on CPU work, in C and in CPython
 * (the first CPU-bound workload with both cells on both sides).  1 with
 * the speedups, or 0 when there is no such pair. */
int report_python_gil(const suite_matrix *s, double *c_speedup,
                      double *py_speedup);
/* The same two speedups from a suite's summary.json at path: 1, or 0
 * when the file or those cells are missing (or FAILED). */
int report_python_gil_read(const char *path, double *c_speedup,
                           double *py_speedup);
/* Its verdict, one sentence from those numbers. */
void report_python_gil_verdict(double c_speedup, double py_speedup,
                               char *out, size_t cap);
/* A cell's row anchor, "sleep-main-async-c16-n16". */
void report_cell_anchor(const suite_cell *c, char *out, size_t cap);
#define REPORT_LAB_WHY "labwhy"

/* ---- the server benchmark (serve.c, serve_verdict.c) -------------------- */

/* README.md's "Server" section: one table per scenario (nothing when the
 * section did not run). */
void report_serve_markdown(FILE *out, const suite_matrix *s);
/* data/servers.csv: one row per server cell. */
void report_servers_csv(FILE *out, const suite_matrix *s);
/* summary.json's "servers" object. */
cJSON *report_serve_json(const suite_matrix *s);
/* The verdicts' lines, one per scenario and one for wrk's cross-check. */
void report_serve_verdicts(FILE *out, const suite_matrix *s);
/* A scenario's title ("waiting", "slow clients"). */
const char *report_serve_title(int scenario);
/* A server row's anchor, "serve-delay-async-c1000" ("-s100": slow). */
void report_serve_anchor(const suite_sv_cell *c, char *out, size_t cap);

typedef void (*report_writer)(FILE *out, const suite_matrix *s);
/* Write path by way of a temporary file renamed into place, so a reader
 * never sees half a file.  0, or -1 (printed). */
int report_write_atomic(const char *path, report_writer write,
                        const suite_matrix *s);
/* The data files under dir/data (which must exist).  0, or -1. */
int report_write_data(const char *dir, const suite_matrix *s);
/* dir/README.md, built whole in memory and written with one rename: the
 * suite's tables, the lab's section carried over from the old README.md,
 * the "Plots" section (plots; NULL: the old file's), and the list of the
 * files under data/ and plots/ it was written with (manifest.h).  Written
 * after every other file, so it is the run's commit point.  0, or -1. */
int report_write_readme(const char *dir, const suite_matrix *s,
                        const char *plots);
/* The data files, then README.md (with the old plots section).  0, or -1. */
int report_write_all(const char *dir, const suite_matrix *s);

/* ---- the lab's outputs (lab.c): pure functions of the lab ---------------- */

typedef void (*report_lab_writer)(FILE *out, const lab_data *lab);

void report_lab_markdown(FILE *out,
                         const lab_data *lab); /* README.md's lab section */
void report_lab_json(FILE *out, const lab_data *lab);     /* data/lab.json */
void report_lab_units_dat(FILE *out,
                          const lab_data *lab); /* data/lab_units.dat */
void report_lab_ipc_dat(FILE *out, const lab_data *lab); /* data/lab_ipc.dat */
void report_lab_memory_dat(FILE *out,
                           const lab_data *lab); /* data/lab_memory.dat */
void report_lab_sweep_dat(FILE *out,
                          const lab_data *lab); /* data/lab_sweep.dat */
/* The verdicts' line of unit costs (README.md's REPORT_LAB_WHY section). */
void report_lab_why(FILE *out, const lab_data *lab);
void report_lab_summary(FILE *out,
                        const lab_data *lab); /* stdout, at the end */
/* 1234567 -> "1,234,567", into buf; returns buf. */
const char *report_with_commas(long n, char *buf, size_t cap);

/* The harness-overhead rows' parts of the lab's reports (overhead.c):
 * its README table, the "overhead" array of lab.json (doc: lab.json's
 * object; nothing when no such row ran), its summary lines. */
void report_lab_overhead_markdown(FILE *out, const lab_data *lab);
void report_lab_overhead_json(cJSON *doc, const lab_data *lab);
void report_lab_overhead_summary(FILE *out, const lab_data *lab);

/* data/lab.json, the plot data, the plots and the lab's section of
 * dir/README.md (last, in one rename).  0, or -1 (printed). */
int report_lab_write_all(const char *dir, const lab_data *lab);

#endif
