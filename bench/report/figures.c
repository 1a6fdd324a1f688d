/*
 * figures.c - which pictures the report has, and how they get made.
 *
 * The suite draws speedup against concurrency for every workload it swept,
 * and a task timeline from small traced batches (`conclab run ... --trace`:
 * the same data Perfetto opens).  The lab draws its unit costs, memory per
 * waiting unit and scale sweep.  Both end the same way: gnuplot draws every
 * script whose data exists, and the "Plots" section of README.md links the
 * SVGs - or says why there are none.  That section is handed back, not
 * written: the command puts it into README.md with everything else in one
 * rename (see manifest.h for how a reader tells which plots a README was
 * written with).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "figures.h"
#include "base.h"
#include "atomic.h"
#include "plot.h"
#include "process.h"
#include "gnuplot.h"
#include "trace.h"

static int make_dir(const char *path) {
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "conclab: mkdir %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* ---- speedup against concurrency ---- */

typedef struct speedup_arg {
  const suite_matrix *s;
  const wl_workload *wl;
} speedup_arg;

static void write_speedup_data(FILE *out, const void *arg) {
  const speedup_arg *a = arg;
  report_speedup_data(out, a->s, a->wl);
}

static void write_speedup_script(FILE *out, const void *arg) {
  const speedup_arg *a = arg;
  report_speedup_script(out, a->s, a->wl);
}

static int speedup_plots(const char *dir, const suite_matrix *s) {
  char path[BASE_PATH_MAX];
  int rc = 0;
  for (int i = 0; wl_all[i] != NULL; i++) {
    speedup_arg a = {s, wl_all[i]};
    if (report_speedup_count(s, wl_all[i]) == 0)
      continue;
    snprintf(path, sizeof path, "%s/data/speedup_%s.dat", dir, wl_all[i]->name);
    rc |= base_atomic_write(path, write_speedup_data, &a);
    snprintf(path, sizeof path, "%s/plots/speedup_%s.gp", dir,
             wl_all[i]->name);
    rc |= base_atomic_write(path, write_speedup_script, &a);
  }
  return rc ? -1 : 0;
}

/* ---- the task timeline ---- */

/* One small batch per model, of the workload whose descriptor has a
 * timeline (pipeline's waits and computes, so each model's way of
 * overlapping shows). */
typedef struct timeline_run {
  const char *label; /* the group's name in the plot */
  const char *file;  /* data/trace_FILE.json */
  const char *model;
  int offload;
} timeline_run;

static const timeline_run timeline_runs[] = {
    {"seq", "seq", "seq", 0},
    {"async in-loop", "async_in_loop", "async", 0},
    {"async offload", "async_offload", "async", 1},
    {"threaded", "threaded", "threaded", 0},
    {"multiproc", "multiproc", "multiproc", 0},
};
#define NTIMELINE ((int)(sizeof timeline_runs / sizeof timeline_runs[0]))

static const wl_workload *timeline_workload(void) {
  for (int i = 0; wl_all[i] != NULL; i++)
    if (wl_all[i]->timeline_args != NULL)
      return wl_all[i];
  return NULL;
}

/* `self run WORKLOAD --model M ARGS... --trace PATH [--offload]`, its
 * output discarded.  0 when it exited 0. */
static int run_traced(const char *self, const wl_workload *wl,
                      const timeline_run *t, const char *path) {
  const char *argv[40];
  const base_spawn_opts o = {.out = BASE_DEVNULL};
  char why[256];
  int n = 0, status;

  argv[n++] = self;
  argv[n++] = "run";
  argv[n++] = wl->name;
  argv[n++] = "--model";
  argv[n++] = t->model;
  for (int k = 0; wl->timeline_args[k] != NULL && n < 34; k++)
    argv[n++] = wl->timeline_args[k];
  argv[n++] = "--trace";
  argv[n++] = path;
  if (t->offload)
    argv[n++] = "--offload";
  argv[n] = NULL;
  status = base_run(self, (char *const *)argv, &o, NULL, 0, why, sizeof why);
  if (status < 0) {
    fprintf(stderr, "conclab: %s\n", why);
    return -1;
  }
  if (status != 0) {
    fprintf(stderr, "conclab: the traced %s batch failed; no timeline\n",
            t->label);
    return -1;
  }
  return 0;
}

typedef struct timeline_arg {
  const report_bar *bars;
  int n;
  const char *title;
} timeline_arg;

static void write_timeline_data(FILE *out, const void *arg) {
  const timeline_arg *a = arg;
  report_timeline_data(out, a->bars, a->n);
}

static void write_timeline_script(FILE *out, const void *arg) {
  const timeline_arg *a = arg;
  report_timeline_script(out, a->bars, a->n, a->title);
}

/* The track names of the bars: "seq", "loop", "thread 2", "worker 1", and
 * after them the offload pool's "pool thread 0".. */
#define REPORT_MAX_TRACKS 16
static char track_names[NTIMELINE][2 * REPORT_MAX_TRACKS][24];

/* Rows come in order of first appearance and lanes in order of start
 * (plot.h), so the tasks are sorted by worker, then start. */
static int by_worker_start(const void *a, const void *b) {
  const run_trace_task *x = a, *y = b;
  if (x->worker != y->worker)
    return x->worker - y->worker;
  return (x->start_s > y->start_s) - (x->start_s < y->start_s);
}

static const char *track_name(int r, int worker) {
  const char *model = timeline_runs[r].model;
  int track = worker < REPORT_MAX_TRACKS ? worker : 0;
  char *name = track_names[r][track];
  if (strcmp(model, "seq") == 0)
    snprintf(name, sizeof track_names[r][track], "seq");
  else if (strcmp(model, "async") == 0)
    snprintf(name, sizeof track_names[r][track], "loop");
  else
    snprintf(name, sizeof track_names[r][track], "%s %d",
             strcmp(model, "threaded") == 0 ? "thread" : "worker", track);
  return name;
}

static const char *pool_name(int r, int thread) {
  int k = REPORT_MAX_TRACKS + (thread < REPORT_MAX_TRACKS ? thread : 0);
  snprintf(track_names[r][k], sizeof track_names[r][k], "pool thread %d",
           thread);
  return track_names[r][k];
}

static int by_start(const void *a, const void *b) {
  const report_bar *x = a, *y = b;
  return (x->start_s > y->start_s) - (x->start_s < y->start_s);
}

/* Each track's bars in order of start (plot.h's lanes need it): the
 * tasks come sorted by worker, so a track's bars are one stretch. */
static void sort_tracks(report_bar *bars, int first, int n) {
  for (int a = first, z; a < n; a = z) {
    for (z = a + 1; z < n && bars[z].track == bars[a].track; z++)
      ;
    qsort(bars + a, (size_t)(z - a), sizeof *bars, by_start);
  }
}

/* One run's bars, appended at bars[*n]: a task whose compute step is
 * known is three, fetch, compute and save, on its own track; where the
 * step was offloaded, fetch and save stay on the loop and compute goes to
 * its pool thread, whose rows come after the loop's, thread by thread.  A
 * task without one (it failed before it, or the workload has no steps) is
 * one bar. */
static void add_bars(report_bar *bars, int *n, int r,
                     const run_trace_task *tasks, int ntasks) {
  const char *label = timeline_runs[r].label;
  int first = *n, threads = 0;
  for (int k = 0; k < ntasks; k++) {
    const run_trace_task *t = &tasks[k];
    const char *track = track_name(r, t->worker);
    if (!t->has_compute) {
      bars[(*n)++] = (report_bar){label, track, t->index, t->start_s,
                                  t->end_s, NULL};
      continue;
    }
    bars[(*n)++] = (report_bar){label, track, t->index, t->start_s,
                                t->off_start_s, "fetch"};
    if (t->off_thread < 0)
      bars[(*n)++] = (report_bar){label, track, t->index, t->off_start_s,
                                  t->off_end_s, "compute"};
    bars[(*n)++] = (report_bar){label, track, t->index, t->off_end_s,
                                t->end_s, "save"};
    if (t->off_thread + 1 > threads)
      threads = t->off_thread + 1;
  }
  sort_tracks(bars, first, *n);
  for (int th = 0; th < threads; th++)
    for (int k = 0; k < ntasks; k++)
      if (tasks[k].has_compute && tasks[k].off_thread == th)
        bars[(*n)++] = (report_bar){label, pool_name(r, th), tasks[k].index,
                                    tasks[k].off_start_s, tasks[k].off_end_s,
                                    "compute"};
}

static int timeline_plot(const char *self, const char *dir) {
  const wl_workload *wl = timeline_workload();
  report_bar *bars = NULL;
  int n = 0, rc = 0;
  char path[BASE_PATH_MAX];

  if (wl == NULL)
    return 0; /* no workload asks for one */
  for (int r = 0; r < NTIMELINE && rc == 0; r++) {
    const timeline_run *t = &timeline_runs[r];
    run_trace_task *tasks = NULL;
    int ntasks = 0;
    if (t->offload && !(wl->options & WL_OPT_OFFLOAD))
      continue;
    snprintf(path, sizeof path, "%s/data/trace_%s.json", dir, t->file);
    if (run_traced(self, wl, t, path) != 0 ||
        run_trace_read_tasks(path, &tasks, &ntasks) != 0) {
      rc = -1;
      break;
    }
    qsort(tasks, (size_t)ntasks, sizeof *tasks, by_worker_start);
    bars = realloc(bars, (size_t)(n + 3 * ntasks) * sizeof *bars);
    if (bars == NULL)
      abort();
    add_bars(bars, &n, r, tasks, ntasks);
    free(tasks);
  }
  if (rc == 0) {
    timeline_arg a = {bars, n, wl->timeline_title};
    snprintf(path, sizeof path, "%s/data/timeline.dat", dir);
    rc |= base_atomic_write(path, write_timeline_data, &a);
    snprintf(path, sizeof path, "%s/plots/timeline.gp", dir);
    rc |= base_atomic_write(path, write_timeline_script, &a);
  }
  free(bars);
  return rc;
}

/* ---- drawing, and the report's section ---- */

char *report_render(const char *dir) {
  char why[256], *text = NULL;
  size_t len = 0;
  int drawn = tool_gnuplot_render(dir, why, sizeof why);
  FILE *mem = open_memstream(&text, &len);

  if (mem == NULL)
    return NULL;
  report_plots_markdown(mem, dir, drawn < 0 ? why : NULL);
  if (fclose(mem) != 0) {
    free(text);
    return NULL;
  }
  if (drawn < 0)
    fprintf(stderr, "conclab: plots skipped: %s\n", why);
  else
    fprintf(stderr, "conclab: drew %d plots into %s/plots\n", drawn, dir);
  return text;
}

int report_suite_figures(const char *self, const char *dir,
                         const suite_matrix *s, char **section) {
  char path[BASE_PATH_MAX];
  int rc = 0;

  *section = NULL;
  snprintf(path, sizeof path, "%s/plots", dir);
  if (make_dir(path) != 0)
    return -1;
  rc |= speedup_plots(dir, s);
  rc |= timeline_plot(self, dir);
  *section = report_render(dir);
  return rc || *section == NULL ? -1 : 0;
}

static void write_units(FILE *out, const void *arg) {
  (void)arg;
  report_lab_units_script(out);
}
static void write_memory(FILE *out, const void *arg) {
  (void)arg;
  report_lab_memory_script(out);
}
static void write_sweep(FILE *out, const void *arg) {
  (void)arg;
  report_lab_sweep_script(out);
}

int report_lab_figures(const char *dir, char **section) {
  static const struct {
    const char *name;
    base_writer write;
  } scripts[] = {{"lab_units", write_units},
                 {"lab_memory", write_memory},
                 {"lab_sweep", write_sweep}};
  char path[BASE_PATH_MAX];
  int rc = 0;

  *section = NULL;
  snprintf(path, sizeof path, "%s/plots", dir);
  if (make_dir(path) != 0)
    return -1;
  for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
    snprintf(path, sizeof path, "%s/plots/%s.gp", dir, scripts[i].name);
    rc |= base_atomic_write(path, scripts[i].write, NULL);
  }
  *section = report_render(dir);
  return rc || *section == NULL ? -1 : 0;
}
