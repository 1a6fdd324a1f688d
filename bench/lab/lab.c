/*
 * lab.c - `conclab lab`: the command, its child mode, and the driver.
 *
 * The parent never measures in its own process: it runs each unit as a
 * child `conclab lab --unit NAME --count N --json` (one warm-up, then R
 * measured runs), and each level of the scale sweep as a child too, so
 * that one measurement's threads, memory and page tables never colour the
 * next.  Then it does the statistics and writes DIR/data/lab.json, the
 * plot data, and its section of DIR/README.md.
 */
#include "lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "run.h"
#include "figures.h"
#include "json.h"
#include "manifest.h"
#include "section.h"
#include "process.h"

enum { QUICK, FULL, SMOKE };
static const char *const profile_names[] = {"quick", "full", "smoke"};
static const int profile_runs[] = {5, 7, 2};
/* The sweep's caps per profile: timers, threads, processes. */
static const long sweep_caps[3][3] = {
    {1000000, 10000, 1000}, {1000000, 100000, 10000}, {1000, 100, 10}};
static const char *const sweep_names[] = {"sweep_timers", "sweep_threads",
                                          "sweep_processes"};
static const char *const sweep_models[] = {"async", "threaded", "multiproc"};
static const char *const sweep_whats[] = {
    "timers of 100 ms", "threads (128 KiB stacks)", "processes"};
static int (*const sweep_holds[])(long, lab_hold *) = {
    lab_hold_timers, lab_hold_threads, lab_hold_processes};

static void lab_help(FILE *out) {
  fputs(
"usage: conclab lab [--profile quick|full|smoke] [--out DIR]\n"
"                   [--only NAME[,NAME...]]\n"
"\n"
"Measure what one unit of each model costs, each unit in a fresh process\n"
"(one warm-up, then R runs; median, MAD, min and max): start and finish a\n"
"uv_timer, a uv_queue_work job, a thread, a hand-off through the pool's\n"
"queue, fork (small and large parent), vfork, posix_spawn; one round trip\n"
"between two threads, two processes, a thread and a loop; bytes per second\n"
"through a pipe and through shared memory; memory per waiting timer,\n"
"thread and process; and how many of each this machine holds at once.\n"
"Writes DIR/data/lab.json, DIR/data/lab_{units,ipc,memory,sweep}.dat (plot\n"
"data) and the lab's section of DIR/README.md (between <!-- lab:begin -->\n"
"and <!-- lab:end -->), with \"The comparison table, measured\";\n"
"README.md last, in one rename.  Exit status 3 when a unit failed (the\n"
"files are still written).\n"
"\n"
"options:\n"
"  --profile P   quick (default, R = 5; caps: 1,000,000 timers, 10,000\n"
"                threads, 1,000 processes; large parent 1 GiB), full (R = 7;\n"
"                100,000 threads, 10,000 processes) or smoke (R = 2, tiny\n"
"                counts, for tests)\n"
"  --out DIR     where to write (default results)\n"
"  --only LIST   only these units, comma-separated, merged into the\n"
"                results already in DIR/data/lab.json: uv_timer uv_queue_work\n"
"                pthread pool_handoff fork fork_large vfork vfork_large\n"
"                posix_spawn cond_pingpong pipe_threads pipe_procs uv_async\n"
"                pipe_bw shm_bw mem_timer mem_thread mem_thread_small\n"
"                mem_process sweep_timers sweep_threads sweep_processes\n"
"  -h, --help    this help\n"
"\n"
"used by the lab itself (one measured child):\n"
"  --unit NAME --count N [--big-mb M] --json\n",
      out);
}

/* ---- the child: measure once, print one JSON object --------------------- */

static int sweep_index(const char *name) {
  for (int i = 0; i < 3; i++)
    if (strcmp(name, sweep_names[i]) == 0)
      return i;
  return -1;
}

static int child_unit(const char *name, long count, long big_mb) {
  const lab_unit *u = lab_unit_find(name);
  int s = sweep_index(name);
  base_json_writer w;

  if (s >= 0) {
    lab_hold h;
    if (sweep_holds[s](count, &h) != 0)
      return 1;
    base_json_begin(&w, stdout);
    base_json_str(&w, "unit", name);
    base_json_int(&w, "count", count);
    base_json_int(&w, "got", h.got);
    base_json_int(&w, "err", h.err);
    base_json_str(&w, "err_name", lab_errno_name(h.err));
    base_json_num(&w, "wall_s", h.wall_s);
    base_json_int(&w, "rss_kb", h.rss_kb);
    base_json_end(&w);
    return 0;
  }
  lab_measure m = {0, 0, 0};
  if (u->run(count, big_mb, &m) != 0)
    return 1;
  base_json_begin(&w, stdout);
  base_json_str(&w, "unit", name);
  base_json_int(&w, "count", count);
  base_json_num(&w, "value", m.value);
  base_json_num(&w, "user_bytes", m.user_bytes);
  base_json_num(&w, "kernel_bytes", m.kernel_bytes);
  base_json_end(&w);
  return 0;
}

/* ---- the parent: one child per measured run ----------------------------- */

typedef struct lab_ctx {
  const char *self;
  long big_mb;
  int sweep; /* which sweep, for sweep_hold */
} lab_ctx;

/* Run `self lab --unit NAME --count N --big-mb M --json`; out gets its
 * JSON.  0, or -1 with why. */
static int run_child(const lab_ctx *c, const char *name, long count,
                     char *out, size_t cap, char *why, size_t whylen) {
  char n[24], big[24], line[256];
  char *argv[] = {(char *)c->self, "lab", "--unit", (char *)name, "--count",
                  n, "--big-mb", big, "--json", NULL};
  int status;

  snprintf(n, sizeof n, "%ld", count);
  snprintf(big, sizeof big, "%ld", c->big_mb);
  status = base_spawn_run(c->self, argv, out, cap, line, sizeof line);
  if (status == 0)
    return 0;
  if (status < 0)
    snprintf(why, whylen, "%s", line);
  else
    snprintf(why, whylen, "exit %d: %s", status, line);
  return -1;
}

static void measure_unit(const lab_ctx *c, const lab_unit *u, long count,
                         int runs, lab_row *r) {
  double v[3][100];
  char out[4096];
  int n = 0;

  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", u->name);
  snprintf(r->model, sizeof r->model, "%s", u->model);
  snprintf(r->what, sizeof r->what, "%s", u->what);
  r->kind = u->kind;
  r->count = count;
  for (int k = 0; k < runs + 1 && !r->failed; k++) {
    double val, user = 0, kernel = 0;
    if (run_child(c, u->name, count, out, sizeof out, r->why,
                  sizeof r->why) != 0 ||
        base_json_num_of(out, "value", &val) != 0) {
      if (r->why[0] == '\0')
        snprintf(r->why, sizeof r->why, "no JSON from the child");
      r->failed = 1;
      break;
    }
    base_json_num_of(out, "user_bytes", &user);
    base_json_num_of(out, "kernel_bytes", &kernel);
    if (k == 0)
      continue; /* the warm-up */
    v[0][n] = val;
    v[1][n] = user;
    v[2][n] = kernel;
    n++;
  }
  if (r->failed)
    return;
  r->s = base_summarise(v[0], n);
  r->user = base_summarise(v[1], n);
  r->kernel = base_summarise(v[2], n);
}

static int sweep_hold(void *ctx, long n, lab_hold *h) {
  const lab_ctx *c = ctx;
  char out[4096];
  double v;

  memset(h, 0, sizeof *h);
  if (run_child(c, sweep_names[c->sweep], n, out, sizeof out, h->why,
                sizeof h->why) != 0 ||
      base_json_num_of(out, "got", &v) != 0) {
    if (h->why[0] == '\0')
      snprintf(h->why, sizeof h->why, "no JSON from the child");
    h->err = EIO;
    return -1;
  }
  h->got = (long)v;
  if (base_json_num_of(out, "err", &v) == 0)
    h->err = (int)v;
  base_json_num_of(out, "wall_s", &h->wall_s);
  if (base_json_num_of(out, "rss_kb", &v) == 0)
    h->rss_kb = (long)v;
  return 0;
}

static void run_sweep(lab_ctx *c, int s, long cap, lab_sweep_result *out) {
  lab_sweep_ops ops = {sweep_models[s], sweep_whats[s], sweep_hold};
  long levels[LAB_MAX_LEVELS];
  int n = 0;

  /* 10, 100, 1,000, ... up to the cap, and the cap itself. */
  for (long l = 10; l <= cap && n < LAB_MAX_LEVELS - 1; l *= 10)
    levels[n++] = l;
  if (n == 0 || levels[n - 1] != cap)
    levels[n++] = cap;
  c->sweep = s;
  lab_sweep(&ops, c, levels, n, cap, out);
}

/* ---- arguments ---------------------------------------------------------- */

typedef struct lab_args {
  int profile;
  const char *out, *only, *unit;
  long count, big_mb;
  int json;
} lab_args;

static int known(const char *name) {
  return lab_unit_find(name) != NULL || sweep_index(name) >= 0;
}

/* Is name in the comma-separated list (NULL: everything is)? */
static int selected(const char *only, const char *name) {
  size_t len = strlen(name);
  if (only == NULL)
    return 1;
  for (const char *p = only; *p != '\0';) {
    size_t n = strcspn(p, ",");
    if (n == len && strncmp(p, name, len) == 0)
      return 1;
    p += n + (p[n] == ',');
  }
  return 0;
}

static int check_only(const char *only) {
  char name[64];
  for (const char *p = only;;) {
    size_t n = strcspn(p, ",");
    if (n == 0) { /* "", ",x", "x,,y" or "x," */
      fprintf(stderr, "conclab: --only: an empty unit name in '%s' (a "
              "comma-separated list of units; see conclab lab --help)\n",
              only);
      return -1;
    }
    snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), p);
    if (!known(name)) {
      fprintf(stderr, "conclab: --only: unknown unit '%s' (see conclab lab "
              "--help for the list)\n", name);
      return -1;
    }
    if (p[n] == '\0')
      return 0;
    p += n + 1;
  }
}

static int parse_long(const char *flag, const char *v, long lo, long hi,
                      long *out) {
  long long x;
  if (base_parse_whole(v, lo, hi, &x) != BASE_WHOLE_OK) {
    fprintf(stderr, "conclab: %s: '%s' is not a whole number in %ld..%ld\n",
            flag, v, lo, hi);
    return -1;
  }
  *out = (long)x;
  return 0;
}

/* -1: go on; otherwise the exit status. */
static int parse_args(int argc, char **argv, lab_args *a) {
  static const char *const valued[] = {"--profile", "--out",   "--only",
                                       "--unit",    "--count", "--big-mb"};
  enum { NVALUED = sizeof valued / sizeof valued[0] };
  unsigned seen = 0;
  int k;
  for (int i = 1; i < argc; i++) {
    const char *f = argv[i], *v;
    if (strcmp(f, "-h") == 0 || strcmp(f, "--help") == 0) {
      lab_help(stdout);
      return 0;
    }
    if (strcmp(f, "--json") == 0) {
      a->json = 1;
      continue;
    }
    for (k = 0; k < NVALUED && strcmp(f, valued[k]) != 0; k++)
      ;
    if (k == NVALUED) {
      fprintf(stderr, "conclab: %s: unknown option (see conclab lab "
              "--help)\n", f);
      return 2;
    }
    if (base_once(&seen, k, f) != 0)
      return 2;
    if (i + 1 >= argc) {
      fprintf(stderr, "conclab: %s: missing value\n", f);
      return 2;
    }
    v = argv[++i];
    if (strcmp(f, "--profile") == 0) {
      a->profile = -1;
      for (int p = 0; p < 3; p++)
        if (strcmp(v, profile_names[p]) == 0)
          a->profile = p;
      if (a->profile < 0) {
        fprintf(stderr, "conclab: --profile: unknown profile '%s' (allowed: "
                "quick, full, smoke)\n", v);
        return 2;
      }
    } else if (strcmp(f, "--out") == 0) {
      if (*v == '\0') {
        fprintf(stderr, "conclab: --out: empty directory name\n");
        return 2;
      }
      a->out = v;
    } else if (strcmp(f, "--only") == 0) {
      if (check_only(v) != 0)
        return 2;
      a->only = v;
    } else if (strcmp(f, "--unit") == 0) {
      if (!known(v)) {
        fprintf(stderr, "conclab: --unit: unknown unit '%s'\n", v);
        return 2;
      }
      a->unit = v;
    } else if (strcmp(f, "--count") == 0) {
      if (parse_long(f, v, 1, 100000000, &a->count) != 0)
        return 2;
    } else if (parse_long(f, v, 0, 65536, &a->big_mb) != 0) {
      return 2;
    }
  }
  return -1;
}

/* DIR and DIR/data, made if missing and writable; else one line. */
static int prepare_out(const char *dir) {
  char data[4200];
  snprintf(data, sizeof data, "%s/data", dir);
  if ((mkdir(dir, 0777) != 0 && errno != EEXIST) ||
      (mkdir(data, 0777) != 0 && errno != EEXIST) ||
      access(data, W_OK) != 0 || access(dir, W_OK) != 0) {
    fprintf(stderr, "conclab: --out: cannot write to %s: %s\n", dir,
            strerror(errno));
    return -1;
  }
  return 0;
}

/* ---- writing the results ------------------------------------------------ */

typedef void (*report_lab_writer)(FILE *out, const lab_data *lab);

/* base_atomic_write's argument: one of lab_report.c's writers and the lab. */
typedef struct lab_job {
  report_lab_writer write;
  const lab_data *lab;
} lab_job;

static void run_job(FILE *out, const void *arg) {
  const lab_job *job = arg;
  job->write(out, job->lab);
}

static int write_atomic(const char *dir, const char *name, report_lab_writer write,
                        const lab_data *lab) {
  char path[4200];
  lab_job job = {write, lab};
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return base_atomic_write(path, run_job, &job);
}

/* The lab's section as a string (malloc'd), or NULL. */
static char *lab_section(const lab_data *lab) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);

  if (mem == NULL)
    return NULL;
  report_lab_markdown(mem, lab);
  if (fclose(mem) != 0) {
    free(text);
    return NULL;
  }
  return text;
}

/* README.md's head, from the old one: the lab's section replaced (or
 * added); the plots section and the list of files, which end it, are
 * written after it (report_compose_readme), as the suite writes them. */
static char *readme_head(const char *old, const void *arg) {
  char *doc = strdup(old != NULL ? old : "");
  char *text = lab_section(arg);
  int bad = doc == NULL || text == NULL ||
            base_section_set(&doc, "plots", NULL) != 0 ||
            base_section_set(&doc, "files", NULL) != 0 ||
            base_section_set(&doc, "lab", text) != 0;

  free(text);
  if (bad) {
    free(doc);
    return NULL;
  }
  return doc;
}

/* The data, the plots, and README.md last.  0, or -1. */
static int write_all(const char *dir, const lab_data *lab) {
  char *plots = NULL;
  int rc = 0;

  rc |= write_atomic(dir, "data/lab.json", report_lab_json, lab);
  rc |= write_atomic(dir, "data/lab_units.dat", report_lab_units_dat, lab);
  rc |= write_atomic(dir, "data/lab_ipc.dat", report_lab_ipc_dat, lab);
  rc |= write_atomic(dir, "data/lab_memory.dat", report_lab_memory_dat, lab);
  rc |= write_atomic(dir, "data/lab_sweep.dat", report_lab_sweep_dat, lab);
  if (rc != 0)
    return -1;
  report_lab_figures(dir, &plots); /* optional: says why if not */
  rc = report_compose_readme(dir, plots, readme_head, lab);
  free(plots);
  return rc;
}

/* --only: the results already in DIR/data/lab.json, to merge the units
 * run now into (*old stays NULL if there are none).  A file that cannot be
 * read back, or holds another profile's run, is refused before anything
 * runs: merging would lose it or mix two profiles in one table. */
static int load_old(const char *dir, const char *profile, lab_data **old) {
  char path[4200], *text;

  *old = NULL;
  snprintf(path, sizeof path, "%s/data/lab.json", dir);
  text = base_section_read(path);
  if (text == NULL && errno == ENOENT)
    return 0;
  *old = calloc(1, sizeof **old);
  if (text == NULL || *old == NULL || lab_read_json(text, *old) != 0) {
    fprintf(stderr, "conclab: --only: %s cannot be read back to merge the "
            "units into (move it away, or run the whole lab)\n", path);
  } else if (strcmp((*old)->profile, profile) != 0) {
    fprintf(stderr, "conclab: --only: %s holds a --profile %s lab; "
            "merging a %s run would mix the two (use --profile %s, or "
            "another --out)\n", path, (*old)->profile, profile,
            (*old)->profile);
  } else {
    free(text);
    return 0;
  }
  free(text);
  free(*old);
  *old = NULL;
  return -1;
}

/* The units and sweeps of this run that failed, said in one line: 0 when
 * none did.  (A sweep the system refused has measured its limit.) */
static int count_failed(const lab_data *lab) {
  int failed = 0;
  for (int i = 0; i < lab->nrows; i++)
    failed += lab->rows[i].failed != 0;
  for (int i = 0; i < lab->nsweeps; i++)
    failed += lab->sweeps[i].stop == LAB_STOP_FAILED;
  if (failed > 0)
    fprintf(stderr, "conclab: lab: %d of %d units failed (see the lab's "
            "summary)\n", failed, lab->nrows + lab->nsweeps);
  return failed;
}

/* ---- the command -------------------------------------------------------- */

static int run_lab(const lab_args *a, lab_data *lab) {
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  lab_ctx c = {self, lab_big_mb(a->profile), 0};
  double t0 = lab_now_s();
  int total = 0, done = 0;

  if (len < 0) {
    fprintf(stderr, "conclab: /proc/self/exe: %s\n", strerror(errno));
    return -1;
  }
  self[len] = '\0';
  snprintf(lab->profile, sizeof lab->profile, "%s", profile_names[a->profile]);
  lab->runs = profile_runs[a->profile];
  lab->big_mb = c.big_mb;
  base_machine_read(&lab->machine);
  for (int i = 0; i < lab_nunits; i++)
    total += selected(a->only, lab_units[i].name);
  for (int s = 0; s < 3; s++)
    total += selected(a->only, sweep_names[s]);

  for (int i = 0; i < lab_nunits && lab->nrows < LAB_MAX_ROWS; i++) {
    const lab_unit *u = &lab_units[i];
    long count = u->count[a->profile];
    lab_row *r = &lab->rows[lab->nrows];
    if (!selected(a->only, u->name))
      continue;
    fprintf(stderr, "conclab: lab [%d/%d] %s: 1 warm-up + %d runs of %ld, "
            "%.0f s elapsed\n", ++done, total, u->name, lab->runs, count,
            lab_now_s() - t0);
    measure_unit(&c, u, count, lab->runs, r);
    if (r->failed)
      fprintf(stderr, "conclab: lab: %s failed: %s\n", u->name, r->why);
    lab->nrows++;
  }
  for (int s = 0; s < 3; s++) {
    lab_sweep_result *out = &lab->sweeps[lab->nsweeps];
    char why[128];
    if (!selected(a->only, sweep_names[s]))
      continue;
    fprintf(stderr, "conclab: lab [%d/%d] %s: up to %ld, %.0f s elapsed\n",
            ++done, total, sweep_names[s], sweep_caps[a->profile][s],
            lab_now_s() - t0);
    run_sweep(&c, s, sweep_caps[a->profile][s], out);
    lab_sweep_why(out, why, sizeof why);
    fprintf(stderr, "conclab: lab: %s: %ld held, %s\n", sweep_names[s],
            out->largest, why);
    lab->nsweeps++;
  }
  lab->elapsed_s = lab_now_s() - t0;
  return 0;
}

int cmd_lab(int argc, char **argv) {
  lab_args a = {QUICK, "results", NULL, NULL, 0, 0, 0};
  lab_data *lab, *old = NULL;
  int failed = 0, rc = parse_args(argc, argv, &a);

  if (rc >= 0)
    return rc;
  if (a.unit != NULL) { /* a measured child */
    if (a.count <= 0) {
      fprintf(stderr, "conclab: --unit needs --count N\n");
      return 2;
    }
    return child_unit(a.unit, a.count, a.big_mb);
  }
  if (prepare_out(a.out) != 0)
    return 2;
  if (a.only != NULL &&
      load_old(a.out, profile_names[a.profile], &old) != 0)
    return 2;
  lab = calloc(1, sizeof *lab);
  if (lab == NULL) {
    fprintf(stderr, "conclab: lab: out of memory\n");
    free(old);
    return 1;
  }
  rc = run_lab(&a, lab);
  if (rc == 0)
    failed = count_failed(lab);
  if (rc == 0 && old != NULL)
    rc = lab_merge(lab, old);
  if (rc == 0)
    rc = write_all(a.out, lab);
  if (rc == 0) {
    report_lab_summary(stdout, lab);
    fprintf(stderr, "conclab: lab done in %.0f s; wrote %s/data/lab.json, "
            "%s/data/lab_*.dat and the lab section of %s/README.md\n",
            lab->elapsed_s, a.out, a.out, a.out);
  }
  free(lab);
  free(old);
  return rc != 0 ? 1 : failed > 0 ? 3 : 0;
}
