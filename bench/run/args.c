/*
 * args.c - parsing `conclab run`'s options.
 *
 * Every value is checked: a non-number, a number out of range, an unknown
 * name or a flag that does not apply is refused with one line that names
 * the flag and what is allowed, and `conclab` exits with status 2.
 */
#include "run.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "async.h"
#include "base.h"

const char *const run_model_names[] = {"seq", "async", "threaded",
                                      "multiproc"};

/* ---- --help, from the workloads' descriptors ----------------------------- */

#define HELP_WIDTH 79

/* "  HEAD" and then text in a column from `col` on: each "\n" in text
 * starts a line, and a line longer than HELP_WIDTH wraps at a space. */
static void help_item(FILE *out, int col, const char *head, const char *text) {
  int at = fprintf(out, "  %s", head);
  const char *t = text;

  if (at >= col) { /* a head too wide for the column: text below it */
    fputc('\n', out);
    at = 0;
  }
  while (*t != '\0') {
    size_t len = strcspn(t, "\n"), cut = len;
    if (col + (int)len > HELP_WIDTH) { /* the last space that fits */
      for (cut = (size_t)(HELP_WIDTH - col); cut > 0 && t[cut] != ' '; cut--)
        ;
      if (cut == 0)
        cut = len;
      while (cut > 0 && t[cut - 1] == ' ') /* "T.  Next": end at the T. */
        cut--;
    }
    fprintf(out, "%*s%.*s\n", col - at, "", (int)cut, t);
    at = 0;
    t += cut;
    if (cut == len && *t == '\n')
      t++; /* the line's end */
    else
      while (*t == ' ')
        t++; /* the space it wrapped at */
  }
}

/* The range and default a flag's help ends with ("" for none). */
static void flag_range(const wl_flag *f, char *buf, size_t cap) {
  switch (f->kind) {
  case WL_FLAG_INT:
  case WL_FLAG_INT64:
    snprintf(buf, cap, "%lld..%lld (default %lld)", f->lo, f->hi, f->def);
    break;
  case WL_FLAG_SHARE:
    snprintf(buf, cap, "0..1 (default 0)");
    break;
  case WL_FLAG_NAME: {
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < f->nnames && n < cap; i++)
      n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " | " : "",
                            f->names[i]);
    if (n < cap)
      snprintf(buf + n, cap - n, " (default %s)", f->names[f->def]);
    break;
  }
  default: /* a switch, a URL, a directory: the help says it all */
    buf[0] = '\0';
  }
}

/* One workload's section: "http options:" and each of its flags. */
static void help_flags(FILE *out, const wl_workload *wl) {
  fprintf(out, "%s options:\n", wl->name);
  for (int i = 0; i < wl->nflags; i++) {
    const wl_flag *f = &wl->flags[i];
    char head[64], range[160], text[512];
    snprintf(head, sizeof head, "%s%s%s", f->name, f->arg ? " " : "",
             f->arg ? f->arg : "");
    flag_range(f, range, sizeof range);
    snprintf(text, sizeof text, "%s%s%s", f->help, range[0] ? "\n" : "",
             range);
    help_item(out, 23, head, text);
  }
  fputc('\n', out);
}

/* "sleep", "primes or pipeline", "http, files or pipeline" (last: " or "
 * or " and"): the workloads that say yes to has(). */
static void names_where(char *buf, size_t cap, const char *last,
                        int (*has)(const wl_workload *)) {
  int n = 0, total = 0;
  size_t len = 0;
  for (int i = 0; wl_all[i] != NULL; i++)
    total += has(wl_all[i]);
  buf[0] = '\0';
  for (int i = 0; wl_all[i] != NULL && len < cap; i++) {
    if (!has(wl_all[i]))
      continue;
    n++;
    len += (size_t)snprintf(buf + len, cap - len, "%s%s",
                            n == 1 ? "" : n == total ? last : ", ",
                            wl_all[i]->name);
  }
}

static int takes_offload(const wl_workload *wl) {
  return (wl->options & WL_OPT_OFFLOAD) != 0;
}
static int takes_blocking(const wl_workload *wl) {
  return (wl->options & WL_OPT_BLOCKING_IN_LOOP) != 0;
}
static int takes_threadpool(const wl_workload *wl) {
  return (wl->options & WL_OPT_THREADPOOL) != 0;
}
static int bounds_its_waits(const wl_workload *wl) {
  return wl->task_limit_ms != NULL;
}

/* --tasks and --concurrency, with each workload's default. */
static void help_defaults(FILE *out) {
  char tasks[512], conc[512];
  size_t nt, nc;

  nt = (size_t)snprintf(tasks, sizeof tasks, "number of tasks, 1..%d; by "
                        "default", RUN_MAX_TASKS);
  nc = (size_t)snprintf(conc, sizeof conc, "at most C tasks in flight, up "
                        "to %d for async, %d threads, %d processes; by "
                        "default", RUN_MAX_C_ASYNC, RUN_MAX_C_THREADED,
                        RUN_MAX_C_MULTIPROC);
  for (int i = 0; wl_all[i] != NULL && nt < sizeof tasks &&
                  nc < sizeof conc; i++) {
    const wl_workload *wl = wl_all[i];
    int c = wl->default_concurrency;
    const char *sep = i == 0 ? " " : ", ";
    nt += (size_t)snprintf(tasks + nt, sizeof tasks - nt, "%s%s %d", sep,
                           wl->name, wl->default_tasks);
    if (c == WL_C_ALL)
      nc += (size_t)snprintf(conc + nc, sizeof conc - nc, "%s%s N (all at "
                             "once)", sep, wl->name);
    else if (c == WL_C_CORES)
      nc += (size_t)snprintf(conc + nc, sizeof conc - nc, "%s%s the cores",
                             sep, wl->name);
    else
      nc += (size_t)snprintf(conc + nc, sizeof conc - nc, "%s%s min(N, %d)",
                             sep, wl->name, c);
  }
  help_item(out, 23, "--tasks N", tasks);
  help_item(out, 23, "--concurrency C", conc);
}

void run_help(FILE *out) {
  char names[96], text[512];

  fputs("usage: conclab run WORKLOAD [options]\n\n"
        "Run one batch of N tasks on one model and report what it cost.\n\n"
        "workloads:\n", out);
  for (int i = 0; wl_all[i] != NULL; i++)
    help_item(out, 11, wl_all[i]->name, wl_all[i]->summary);
  fputs("\noptions:\n", out);
  help_item(out, 23, "--model M",
            "seq | async | threaded | multiproc   (default seq)\n"
            "seq: one task after another (the baseline/oracle)\n"
            "async: one libuv event loop, one thread\n"
            "threaded: a pool of C pthreads\n"
            "multiproc: C forked worker processes, pipes");
  help_defaults(out);
  names_where(names, sizeof names, " or ", takes_offload);
  snprintf(text, sizeof text, "async + %s: run the CPU work on libuv's "
           "threadpool (uv_queue_work); UV_THREADPOOL_SIZE is set to "
           "min(C, 1024).  Without it, it runs in the loop's callbacks and "
           "blocks the loop", names);
  help_item(out, 23, "--offload", text);
  names_where(names, sizeof names, " or ", takes_blocking);
  snprintf(text, sizeof text, "async + %s: wait with a blocking sleep "
           "inside the loop's callbacks (the pitfall: time.sleep() in a "
           "coroutine); the loop lag shows it", names);
  help_item(out, 23, "--blocking-in-loop", text);
  names_where(names, sizeof names, " or ", takes_threadpool);
  snprintf(text, sizeof text, "async + %s: UV_THREADPOOL_SIZE, 1..%d "
           "(default: libuv's 4); every uv_fs_* call runs on one of these "
           "threads", names, AS_THREADPOOL_MAX);
  help_item(out, 23, "--threadpool T", text);
  fputc('\n', out);
  for (int i = 0; wl_all[i] != NULL; i++)
    if (wl_all[i]->nflags > 0)
      help_flags(out, wl_all[i]);
  fputs("common:\n", out);
  names_where(names, sizeof names, " and ", bounds_its_waits);
  snprintf(text, sizeof text, "a task's limit, 0..%d (default 0: none; a "
           "run then waits as long as its tasks do).  %s, every model: each "
           "request attempt gives up after T.  multiproc, every workload: a "
           "worker whose task runs past its limit is killed and replaced, "
           "the task a timeout.  The other workloads on seq, async or "
           "threaded do not take it: a running task cannot be stopped",
           RUN_MAX_TIMEOUT_MS, names);
  help_item(out, 23, "--timeout-ms T", text);
  help_item(out, 23, "--json", "print one JSON object instead of text");
  help_item(out, 23, "--trace FILE", "also write the batch's timeline to "
            "FILE: Chrome Trace Event JSON (one bar per task on its "
            "worker's track; async: the loop lag too), for Perfetto "
            "(ui.perfetto.dev) or chrome://tracing");
  help_item(out, 23, "--impl c|python", "python: the same run in CPython "
            "(python/conclab-py, found via $CONCLAB_PY, the install or "
            "the source tree; needs python3 with aiohttp and aiofiles), "
            "the same flags and JSON keys, plus \"impl\"");
  help_item(out, 23, "-h, --help", "this help");
  fputs("\nexit status: 0 all tasks ok, 3 some tasks failed (results still "
        "printed),\n1 the run itself failed, 2 bad usage.\n", out);
}

static int usage(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return RUN_PARSE_USAGE;
}

/* text as it can be shown inside one line: control characters (a tab, a
 * newline pasted in) as '?'. */
static const char *one_line(const char *text, char *buf, size_t cap) {
  size_t n = 0;
  for (; *text != '\0' && n + 1 < cap; text++)
    buf[n++] = iscntrl((unsigned char)*text) ? '?' : *text;
  buf[n] = '\0';
  return buf;
}

/* A whole number in [lo, hi], or a usage error naming the flag. */
static int parse_num(const char *flag, const char *text, long long lo,
                     long long hi, long long *out, char *err, size_t errlen) {
  char shown[64];
  switch (base_parse_whole(text, lo, hi, out)) {
  case BASE_WHOLE_JUNK:
    return usage(err, errlen, "%s: '%s' is not a whole number (allowed: "
                 "%lld..%lld)", flag, one_line(text, shown, sizeof shown), lo,
                 hi);
  case BASE_WHOLE_RANGE:
    return usage(err, errlen, "%s: %s is out of range (allowed: %lld..%lld)",
                 flag, text, lo, hi);
  }
  return RUN_PARSE_OK;
}

static int parse_model(const char *text, run_model *out, char *err,
                       size_t errlen) {
  for (int m = RUN_SEQ; m <= RUN_MULTIPROC; m++)
    if (strcmp(text, run_model_names[m]) == 0) {
      *out = (run_model)m;
      return RUN_PARSE_OK;
    }
  return usage(err, errlen, "--model: unknown model '%s' (allowed: seq, "
               "async, threaded, multiproc)", text);
}

static long long max_concurrency(run_model m) {
  switch (m) {
  case RUN_ASYNC: return RUN_MAX_C_ASYNC;
  case RUN_THREADED: return RUN_MAX_C_THREADED;
  case RUN_MULTIPROC: return RUN_MAX_C_MULTIPROC;
  default: return RUN_MAX_C_ASYNC;
  }
}

/* A workload's own flag as given: its name (as its descriptor spells it)
 * and its text ("" for a switch). */
typedef struct given_flag {
  const char *name, *value;
} given_flag;
#define MAX_GIVEN 64 /* more than all the workloads' flags together */

/* Flags given on the command line, kept as text until the workload and
 * the model are known (which flags apply depends on the one, the range of
 * --concurrency on the other). */
typedef struct raw_opts {
  const char *workload, *model, *tasks, *concurrency, *timeout, *threadpool;
  const char *trace;
  given_flag wl[MAX_GIVEN]; /* the workloads' own flags, in argv order */
  int nwl;
} raw_opts;

/* The row of flag `name` (len characters) in any workload's table. */
static const wl_flag *any_flag(const char *name, size_t len) {
  for (int w = 0; wl_all[w] != NULL; w++) {
    const wl_flag *f = wl_flag_find(wl_all[w], name, len);
    if (f != NULL)
      return f;
  }
  return NULL;
}

static given_flag *given(raw_opts *raw, const char *name) {
  for (int k = 0; k < raw->nwl; k++)
    if (strcmp(raw->wl[k].name, name) == 0)
      return &raw->wl[k];
  return NULL;
}

/* A workload's flag: switches stand alone, the others take a value. */
static int collect_workload_flag(const wl_flag *f, const char *eq, int argc,
                                 char **argv, int *i, raw_opts *raw,
                                 char *err, size_t errlen) {
  given_flag *g = given(raw, f->name);

  if (f->kind == WL_FLAG_SWITCH) {
    if (g == NULL && raw->nwl < MAX_GIVEN)
      raw->wl[raw->nwl++] = (given_flag){f->name, ""};
    return RUN_PARSE_OK;
  }
  if (g != NULL) /* which one was meant is not ours to guess */
    return usage(err, errlen, "%s: given twice (say it once)", f->name);
  if (eq == NULL && *i + 1 >= argc)
    return usage(err, errlen, "%s: missing value", f->name);
  if (raw->nwl < MAX_GIVEN)
    raw->wl[raw->nwl++] = (given_flag){f->name, eq ? eq + 1 : argv[++*i]};
  return RUN_PARSE_OK;
}

/* Split argv into raw_opts.  Accepts "--flag value" and "--flag=value". */
static int collect(int argc, char **argv, raw_opts *raw, run_opts *o,
                   char *err, size_t errlen) {
  static const struct { const char *flag; size_t off; } valued[] = {
      {"--model", offsetof(raw_opts, model)},
      {"--tasks", offsetof(raw_opts, tasks)},
      {"--concurrency", offsetof(raw_opts, concurrency)},
      {"--timeout-ms", offsetof(raw_opts, timeout)},
      {"--threadpool", offsetof(raw_opts, threadpool)},
      {"--trace", offsetof(raw_opts, trace)},
  };
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *eq = strchr(arg, '=');
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    const wl_flag *f = any_flag(arg, name_len);
    int matched = 0, rc;

    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
      return RUN_PARSE_HELP;
    if (strcmp(arg, "--json") == 0) {
      o->json = 1;
      continue;
    }
    if (strcmp(arg, "--offload") == 0) {
      o->offload = 1;
      continue;
    }
    if (strcmp(arg, "--blocking-in-loop") == 0) {
      o->blocking_in_loop = 1;
      continue;
    }
    if (f != NULL && !(f->kind == WL_FLAG_SWITCH && eq != NULL)) {
      rc = collect_workload_flag(f, eq, argc, argv, &i, raw, err, errlen);
      if (rc != RUN_PARSE_OK)
        return rc;
      continue;
    }
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
      if (strlen(valued[k].flag) != name_len ||
          strncmp(arg, valued[k].flag, name_len) != 0)
        continue;
      const char **slot = (const char **)((char *)raw + valued[k].off);
      if (*slot != NULL) /* which one was meant is not ours to guess */
        return usage(err, errlen, "%s: given twice (say it once)",
                     valued[k].flag);
      if (eq != NULL)
        *slot = eq + 1;
      else if (i + 1 < argc)
        *slot = argv[++i];
      else
        return usage(err, errlen, "%s: missing value", valued[k].flag);
      matched = 1;
      break;
    }
    if (matched)
      continue;
    if (arg[0] == '-')
      return usage(err, errlen, "%s: unknown option (see conclab run --help)",
                   arg);
    if (raw->workload != NULL)
      return usage(err, errlen, "'%s': only one workload per run", arg);
    raw->workload = arg;
  }
  return RUN_PARSE_OK;
}

/* The workloads that take a flag (or, flag NULL, have one of the options;
 * option 0: every workload), as words: "sleep", "sleep and http", "http,
 * files and pipeline" (last: what goes before the last name). */
static const char *workloads_with(const char *flag, unsigned option,
                                  const char *last, char *buf, size_t cap) {
  const char *names[16];
  int n = 0;
  size_t len = 0;

  for (int w = 0; wl_all[w] != NULL && n < 16; w++)
    if (flag != NULL ? wl_flag_find(wl_all[w], flag, strlen(flag)) != NULL
                     : option == 0 || (wl_all[w]->options & option) != 0)
      names[n++] = wl_all[w]->name;
  buf[0] = '\0';
  for (int k = 0; k < n && len < cap; k++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%s",
                            k == 0 ? "" : k == n - 1 ? last : ", ", names[k]);
  return buf;
}

/* Every workload that serves its own HTTP server, as words. */
static const char *serving_workloads(char *buf, size_t cap) {
  size_t len = 0;
  int n = 0, total = 0;

  for (int w = 0; wl_all[w] != NULL; w++)
    total += wl_all[w]->serves != 0;
  buf[0] = '\0';
  for (int w = 0; wl_all[w] != NULL && len < cap; w++)
    if (wl_all[w]->serves) {
      n++;
      len += (size_t)snprintf(buf + len, cap - len, "%s%s",
                              n == 1 ? "" : n == total ? " and " : ", ",
                              wl_all[w]->name);
    }
  return buf;
}

/* A flag given for a workload it does not apply to: a usage error. */
static int misplaced(const raw_opts *raw, const wl_workload *wl, char *err,
                     size_t errlen) {
  char names[128];

  for (int k = 0; k < raw->nwl; k++) {
    const char *flag = raw->wl[k].name;
    if (wl_flag_find(wl, flag, strlen(flag)) == NULL)
      return usage(err, errlen, "%s: applies only to %s", flag,
                   workloads_with(flag, 0, " and ", names, sizeof names));
  }
  if (raw->threadpool != NULL && !(wl->options & WL_OPT_THREADPOOL))
    return usage(err, errlen, "--threadpool: applies only to %s",
                 workloads_with(NULL, WL_OPT_THREADPOOL, " and ", names,
                                sizeof names));
  return RUN_PARSE_OK;
}

/* An optional whole-number flag: parsed into *out (an int) when given. */
static int parse_int_flag(const char *flag, const char *text, long long lo,
                          long long hi, int *out, char *err, size_t errlen) {
  long long v;
  int rc;
  if (text == NULL)
    return RUN_PARSE_OK;
  if ((rc = parse_num(flag, text, lo, hi, &v, err, errlen)) != RUN_PARSE_OK)
    return rc;
  *out = (int)v;
  return RUN_PARSE_OK;
}

/* A share from 0 to 1: a plain decimal, no white space, sign or hex. */
static int parse_share(const char *flag, const char *text, double *out,
                       char *err, size_t errlen) {
  char *end, shown[64];

  errno = 0;
  *out = strtod(text, &end);
  if (!(isdigit((unsigned char)*text) || *text == '.') ||
      strpbrk(text, "xX") != NULL || *end != '\0' || errno != 0 ||
      !(*out >= 0.0 && *out <= 1.0))
    return usage(err, errlen, "%s: '%s' is not a share (allowed: a number "
                 "from 0 to 1)", flag, one_line(text, shown, sizeof shown));
  return RUN_PARSE_OK;
}

/* One of a flag's words: its index. */
static int parse_name(const wl_flag *f, const char *text, int *out,
                      char *err, size_t errlen) {
  char allowed[128];
  size_t len = 0;

  for (int k = 0; k < f->nnames; k++)
    if (strcmp(text, f->names[k]) == 0) {
      *out = k;
      return RUN_PARSE_OK;
    }
  allowed[0] = '\0';
  for (int k = 0; k < f->nnames && len < sizeof allowed; k++)
    len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s",
                            k > 0 ? ", " : "", f->names[k]);
  return usage(err, errlen, "%s: unknown %s '%s' (allowed: %s)", f->name,
               f->name + 2, text, allowed);
}

/* A workload flag's text, checked, into its field. */
static int flag_value(const wl_flag *f, const char *text, wl_params *p,
                      char *err, size_t errlen) {
  void *field = (char *)p + f->field;
  long long v;
  int rc;

  switch (f->kind) {
  case WL_FLAG_INT:
  case WL_FLAG_INT64:
    if ((rc = parse_num(f->name, text, f->lo, f->hi, &v, err, errlen)))
      return rc;
    if (f->kind == WL_FLAG_INT)
      *(int *)field = (int)v;
    else
      *(int64_t *)field = v;
    return RUN_PARSE_OK;
  case WL_FLAG_SHARE:
    return parse_share(f->name, text, (double *)field, err, errlen);
  case WL_FLAG_NAME:
    return parse_name(f, text, (int *)field, err, errlen);
  case WL_FLAG_URL: /* NULL: conclab run starts its own server */
    if (strncmp(text, "http://", 7) != 0 || text[7] == '\0' ||
        strlen(text) > WL_URL_MAX)
      return usage(err, errlen, "%s: '%s' is not a base URL (allowed: "
                   "http://HOST[:PORT][/PATH], at most %d characters)",
                   f->name, text, WL_URL_MAX);
    break;
  case WL_FLAG_DIR: /* NULL: a temporary directory */
    if (*text == '\0' || strlen(text) > RUN_WORKDIR_MAX - 16)
      return usage(err, errlen, "%s: '%s' is not a usable directory name "
                   "(1..%d characters)", f->name, text, RUN_WORKDIR_MAX - 16);
    break;
  case WL_FLAG_SWITCH:
    *(int *)field = 1;
    return RUN_PARSE_OK;
  }
  *(const char **)field = text;
  return RUN_PARSE_OK;
}

/* The endpoints of a flag's bits, as words ("delay"). */
static const char *endpoint_words(unsigned endpoints, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  for (int e = WL_EP_DELAY; e <= WL_EP_STALL && len < cap; e++)
    if (endpoints & (1u << e))
      len += (size_t)snprintf(buf + len, cap - len, "%s%s",
                              len > 0 ? ", " : "", wl_endpoint_names[e]);
  return buf;
}

/* The workload's own flags, in its table's order: each one's default,
 * then the value given, if any. */
static int parse_workload_flags(const raw_opts *raw, run_opts *o,
                                char *err, size_t errlen) {
  wl_params *p = &o->params;
  char words[64];
  int rc;

  for (int k = 0; k < o->wl->nflags; k++) {
    const wl_flag *f = &o->wl->flags[k];
    const given_flag *g = given((raw_opts *)raw, f->name);

    wl_flag_default(f, p);
    if (g == NULL)
      continue;
    if (!wl_endpoint_applies(f->endpoints, p))
      return usage(err, errlen, "%s: applies only to --endpoint %s", f->name,
                   endpoint_words(f->endpoints, words, sizeof words));
    if ((rc = flag_value(f, g->value, p, err, errlen)))
      return rc;
  }
  return RUN_PARSE_OK;
}

/* --threadpool T (files, pipeline): libuv's pool size, for async only. */
static int parse_threadpool(const raw_opts *raw, run_opts *o, char *err,
                            size_t errlen) {
  if (raw->threadpool == NULL)
    return RUN_PARSE_OK;
  if (o->model != RUN_ASYNC)
    return usage(err, errlen, "--threadpool: applies only to --model "
                 "async (the other models use their own workers)");
  return parse_int_flag("--threadpool", raw->threadpool, 1, AS_THREADPOOL_MAX,
                        &o->threadpool, err, errlen);
}

/* --timeout-ms T, a task's limit.  http and pipeline bound their waits
 * with it in every model; other work only where a running task can be
 * stopped from outside, a worker process (multiproc's watchdog): a thread
 * or the event loop cannot stop a task in the middle. */
static int parse_timeout(const raw_opts *raw, run_opts *o, char *err,
                         size_t errlen) {
  char names[128];
  /* a workload that talks to a server bounds its own waits */
  if (raw->timeout != NULL && !o->wl->serves && o->model != RUN_MULTIPROC)
    return usage(err, errlen, "--timeout-ms: for %s, applies only to --model "
                 "multiproc (a thread or the event loop cannot stop a running "
                 "task; %s take it in every model)", o->wl->name,
                 serving_workloads(names, sizeof names));
  return parse_int_flag("--timeout-ms", raw->timeout, 0, RUN_MAX_TIMEOUT_MS,
                        &o->params.timeout_ms, err, errlen);
}

/* --concurrency's default for this workload and N. */
static int default_concurrency(const wl_workload *wl, int tasks) {
  int c = wl->default_concurrency;
  if (c == WL_C_CORES)
    return base_cores();
  return c == WL_C_ALL || c > tasks ? tasks : c;
}

/* --offload and --blocking-in-loop: async, and a workload that has them. */
static int parse_async_options(const run_opts *o, char *err,
                               size_t errlen) {
  int async = o->model == RUN_ASYNC;
  char names[128];

  if (o->offload && !(async && (o->wl->options & WL_OPT_OFFLOAD)))
    return usage(
        err, errlen,
        "--offload: applies only to --model async with "
        "CPU work (%s)",
        workloads_with(NULL, WL_OPT_OFFLOAD, ", ", names, sizeof names));
  if (o->blocking_in_loop &&
      !(async && (o->wl->options & WL_OPT_BLOCKING_IN_LOOP)))
    return usage(err, errlen, "--blocking-in-loop: applies only to --model "
                 "async with %s", workloads_with(NULL, WL_OPT_BLOCKING_IN_LOOP,
                                                 " and ", names,
                                                 sizeof names));
  return RUN_PARSE_OK;
}

int run_parse(int argc, char **argv, run_opts *o, char *err, size_t errlen) {
  raw_opts raw = {0};
  char names[128];
  int rc;

  memset(o, 0, sizeof *o);
  o->model = RUN_SEQ;
  rc = collect(argc, argv, &raw, o, err, errlen);
  if (rc != RUN_PARSE_OK)
    return rc;

  workloads_with(NULL, 0, ", ", names, sizeof names);
  if (raw.workload == NULL)
    return usage(err, errlen, "run: missing WORKLOAD (allowed: %s)", names);
  o->wl = wl_find(raw.workload);
  if (o->wl == NULL)
    return usage(err, errlen, "run: unknown workload '%s' (allowed: %s)",
                 raw.workload, names);
  if (raw.model && parse_model(raw.model, &o->model, err, errlen))
    return RUN_PARSE_USAGE;
  if ((rc = misplaced(&raw, o->wl, err, errlen)))
    return rc;

  wl_params *p = &o->params;
  /* Every run's JSON states these two: sleep's delay and primes' limit
   * (a workload that takes the flag sets its own default below). */
  p->delay_ms = 100;
  p->limit = 2000000;
  p->tasks = o->wl->default_tasks;
  if ((rc = parse_int_flag("--tasks", raw.tasks, 1, RUN_MAX_TASKS, &p->tasks,
                           err, errlen)))
    return rc;
  p->concurrency = default_concurrency(o->wl, p->tasks);
  if ((rc = parse_int_flag("--concurrency", raw.concurrency, 1,
                           max_concurrency(o->model), &p->concurrency, err,
                           errlen)))
    return rc;
  if (p->concurrency > max_concurrency(o->model))
    return usage(err, errlen, "--concurrency: the default, %d, is more than "
                 "%s allows (1..%lld); give a smaller --concurrency",
                 p->concurrency, run_model_names[o->model],
                 max_concurrency(o->model));
  if ((rc = parse_timeout(&raw, o, err, errlen)) ||
      (rc = parse_workload_flags(&raw, o, err, errlen)) ||
      (rc = parse_threadpool(&raw, o, err, errlen)))
    return rc;
  if (o->wl->settle != NULL && o->wl->settle(p, err, errlen) != 0)
    return RUN_PARSE_USAGE;
  if ((rc = parse_async_options(o, err, errlen)))
    return rc;
  if (raw.trace != NULL && *raw.trace == '\0')
    return usage(err, errlen, "--trace: missing file name");
  o->trace = raw.trace; /* whether it can be written: checked before the run */
  if (o->model == RUN_SEQ)
    p->concurrency = 1; /* one at a time, whatever was asked */
  return RUN_PARSE_OK;
}

const char *run_variant(const run_opts *o) {
  if (o->params.no_reuse)
    return "no-reuse";
  if (o->blocking_in_loop)
    return "blocking-in-loop";
  /* a pool set for files' uv_fs calls; with offloaded work, it is the
   * offload's pool */
  if (o->threadpool > 0 && !(o->wl->options & WL_OPT_OFFLOAD))
    return "threadpool-set";
  if (o->model != RUN_ASYNC || !(o->wl->options & WL_OPT_OFFLOAD))
    return "";
  return o->offload ? "offload" : "in-loop";
}
