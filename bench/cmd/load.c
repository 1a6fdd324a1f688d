/*
 * load.c - `conclab load URL`: the load generator (async/load.c) from the
 * command line, its figures as text or JSON.
 *
 * Same rules as the other commands: every value is checked, and a bad one
 * is refused with one line that names the flag and what is allowed
 * (exit 2).
 */
#include "cmd.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "base.h"
#include "json.h"
#include "load.h"

#define LOAD_CONN_MAX 100000
#define LOAD_DURATION_MAX 3600.0
#define LOAD_FD_SPARE 16 /* stdio, the loop's own, the resolver's */

static void load_help(FILE *out) {
  fprintf(out,
"usage: conclab load URL --connections C (--duration-s S | --requests N)\n"
"                    [--rate R] [--slow N] [--beside K --beside-path PATH]\n"
"                    [--json]\n"
"\n"
"Load an HTTP server with C keep-alive connections asking GET URL, and\n"
"report requests/s, errors by kind and latency percentiles (from a\n"
"histogram within 1%%), and this generator's own CPU.  At most %d\n"
"connects are in progress at once.\n"
"\n"
"closed loop (default): each connection sends its next request when the\n"
"  last answer is complete (as wrk): latency from the send.\n"
"open loop (--rate R): R requests/s in all, due at fixed times whatever\n"
"  the server does (as wrk2); latency from the due time, so a request\n"
"  kept waiting behind a slow answer counts its wait (coordinated\n"
"  omission).  The schedule's resolution is 1 ms.\n"
"\n"
"options:\n"
"  --connections C  active connections, 1..%d\n"
"  --duration-s S   stop after S seconds, 0.01..%g (requests still out\n"
"                   are not counted)\n"
"  --requests N     stop after N requests ended, 1..10^9\n"
"  --rate R         open loop at R requests/s, 1..10^7\n"
"  --slow N         first open N slow connections, 0..%d, each sending a\n"
"                   request head one byte every %d ms and never finishing\n"
"                   it: what the server pays per idle connection\n"
"  --beside K       K more connections, 0..%d, asking PATH on the same\n"
"                   host in closed loop, counted but not timed: the other\n"
"                   work the measured requests share the server with\n"
"  --beside-path PATH  what they ask, e.g. /cpu/50000 (needs --beside)\n"
"  --json           one JSON object on stdout\n"
"  -h, --help       this help\n"
"\n"
"SIGINT (Ctrl-C) or SIGTERM ends the run early, with its figures.\n"
"exit status: 0 done (errors are counted, not fatal), 1 could not run\n"
"(the host not found), 2 bad usage.\n",
          AS_LOAD_CONNECTS_MAX, LOAD_CONN_MAX, LOAD_DURATION_MAX,
          LOAD_CONN_MAX, AS_LOAD_TRICKLE_MS, LOAD_CONN_MAX);
}

static int load_usage(const char *fmt, ...) {
  va_list ap;
  fputs("conclab: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
}

static int parse_count(const char *flag, const char *v, long long lo,
                       long long hi, long long *out) {
  if (base_parse_whole(v, lo, hi, out) == BASE_WHOLE_OK)
    return 0;
  return load_usage("%s: '%s' is not a whole number in %lld..%lld", flag, v,
                    lo, hi);
}

static int parse_real(const char *flag, const char *v, double lo, double hi,
                      double *out) {
  char *end;
  *out = strtod(v, &end);
  if (end != v && *end == '\0' && isfinite(*out) && *out >= lo && *out <= hi)
    return 0;
  return load_usage("%s: '%s' is not a number in %g..%g", flag, v, lo, hi);
}

/* One valued flag; 0, or 2 (printed). */
static int set_flag(as_load_opts *o, int k, const char *flag,
                    const char *v) {
  long long n;
  switch (k) {
  case 0:
    if (parse_count(flag, v, 1, LOAD_CONN_MAX, &n) != 0)
      return 2;
    o->connections = (int)n;
    return 0;
  case 1:
    return parse_real(flag, v, 0.01, LOAD_DURATION_MAX, &o->duration_s);
  case 2:
    if (parse_count(flag, v, 1, 1000000000, &n) != 0)
      return 2;
    o->requests = (uint64_t)n;
    return 0;
  case 3:
    return parse_real(flag, v, 1, 1e7, &o->rate);
  case 4:
    if (parse_count(flag, v, 0, LOAD_CONN_MAX, &n) != 0)
      return 2;
    o->slow = (int)n;
    return 0;
  case 5:
    if (parse_count(flag, v, 0, LOAD_CONN_MAX, &n) != 0)
      return 2;
    o->beside = (int)n;
    return 0;
  default:
    o->beside_path = v;
    return 0;
  }
}

/* argv[0] is "load".  0 ok, 1 help printed, 2 usage error printed. */
static int load_parse(int argc, char **argv, as_load_opts *o, int *json) {
  static const char *const valued[] = {
      "--connections", "--duration-s", "--requests", "--rate",
      "--slow",        "--beside",     "--beside-path"};
  const int nvalued = (int)(sizeof valued / sizeof valued[0]);
  unsigned seen = 0;
  char why[160];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int k = 0;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
      return 1;
    if (!strcmp(a, "--json")) {
      *json = 1;
      continue;
    }
    if (a[0] != '-') {
      if (o->url != NULL)
        return load_usage("load: '%s': one URL only", a);
      o->url = a;
      continue;
    }
    /* "--flag value" or "--flag=value", as the other commands take */
    size_t len = strcspn(a, "=");
    const char *value = a[len] == '=' ? a + len + 1 : NULL;
    while (k < nvalued && (strncmp(a, valued[k], len) != 0 ||
                           valued[k][len] != '\0'))
      k++;
    if (k == nvalued)
      return load_usage("%.*s: unknown option (see conclab load --help)",
                        (int)len, a);
    if (value == NULL && i + 1 >= argc)
      return load_usage("%s: missing value", a);
    if (value == NULL)
      value = argv[++i];
    if (base_once(&seen, k, valued[k]) != 0 ||
        set_flag(o, k, valued[k], value) != 0)
      return 2;
  }
  if (o->url == NULL)
    return load_usage("load: URL: missing (e.g. http://127.0.0.1:8080/)");
  if (as_load_check(o, why, sizeof why) != 0)
    return load_usage("%s", why);
  if (!(seen & 1))
    return load_usage("--connections: missing (how many, e.g. 100)");
  if ((seen & 2) && (seen & 4))
    return load_usage("--requests: contradicts --duration-s (give one)");
  if (!(seen & 6))
    return load_usage("--duration-s: missing (or --requests)");
  if ((o->beside > 0) != (o->beside_path != NULL))
    return load_usage(o->beside > 0 ? "--beside-path: missing (what the "
                                      "beside connections ask)"
                                    : "--beside-path: needs --beside K");
  return 0;
}

static double ms(const wl_hist *h, double p) {
  return (double)wl_hist_percentile(h, p) / 1e6;
}

static void print_text(const as_load_opts *o, const as_load_result *r) {
  const wl_hist *h = &r->latency;
  double cpu = r->user_s + r->sys_s;
  printf("%llu requests in %.2f s: %.1f requests/s (%s loop, %d "
         "connections%s)\n", (unsigned long long)r->requests, r->elapsed_s,
         r->elapsed_s > 0 ? (double)r->requests / r->elapsed_s : 0.0,
         o->rate > 0 ? "open" : "closed", o->connections,
         o->slow > 0 ? ", slow ones beside" : "");
  printf("errors:");
  for (int k = 0; k < AS_LOAD_E_KINDS; k++)
    printf(" %s %llu%s", as_load_error_names[k],
           (unsigned long long)r->errors[k],
           k + 1 < AS_LOAD_E_KINDS ? "," : "");
  printf("\nunanswered at the stop: %llu",
         (unsigned long long)r->unanswered);
  printf("\nlatency: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms, "
         "mean %.3f ms\n", ms(h, 50), ms(h, 99), ms(h, 99.9),
         (double)wl_hist_max(h) / 1e6, wl_hist_mean(h) / 1e6);
  printf("generator CPU: %.3f s (%.1f us a request)\n", cpu,
         r->requests > 0 ? cpu * 1e6 / (double)r->requests : 0.0);
  if (o->slow > 0)
    printf("slow connections open at the end: %d of %d\n", r->slow_open,
           o->slow);
  if (o->beside > 0)
    printf("beside: %d connections asking %s, %llu answers (%llu not 2xx "
           "or 3xx)\n", o->beside, o->beside_path,
           (unsigned long long)r->beside_requests,
           (unsigned long long)r->beside_errors);
}

static void print_json(const as_load_opts *o, const as_load_result *r) {
  cJSON *doc = base_json_need(cJSON_CreateObject());
  cJSON *err = base_json_need(cJSON_AddObjectToObject(doc, "errors"));
  const wl_hist *h = &r->latency;
  cJSON_AddStringToObject(doc, "url", o->url);
  base_json_add_int(doc, "connections", o->connections);
  base_json_add_int(doc, "slow", o->slow);
  base_json_add_int(doc, "beside", o->beside);
  cJSON_AddStringToObject(doc, "beside_path",
                          o->beside_path != NULL ? o->beside_path : "");
  base_json_add_int(doc, "beside_requests", (long long)r->beside_requests);
  base_json_add_int(doc, "beside_errors", (long long)r->beside_errors);
  base_json_add_fixed(doc, "rate", 1, o->rate);
  base_json_add_int(doc, "requests", (long long)r->requests);
  for (int k = 0; k < AS_LOAD_E_KINDS; k++)
    base_json_add_int(err, as_load_error_names[k], (long long)r->errors[k]);
  base_json_add_int(doc, "failed", (long long)as_load_failed(r));
  base_json_add_int(doc, "unanswered", (long long)r->unanswered);
  base_json_add_int(doc, "connects", (long long)r->connects);
  base_json_add_int(doc, "slow_open", r->slow_open);
  base_json_add_fixed(doc, "elapsed_s", 6, r->elapsed_s);
  base_json_add_fixed(doc, "rps", 1, r->elapsed_s > 0
                                         ? (double)r->requests / r->elapsed_s
                                         : 0.0);
  base_json_add_fixed(doc, "p50_ms", 4, ms(h, 50));
  base_json_add_fixed(doc, "p99_ms", 4, ms(h, 99));
  base_json_add_fixed(doc, "p999_ms", 4, ms(h, 99.9));
  base_json_add_fixed(doc, "max_ms", 4, (double)wl_hist_max(h) / 1e6);
  base_json_add_fixed(doc, "mean_ms", 4, wl_hist_mean(h) / 1e6);
  base_json_add_fixed(doc, "user_s", 6, r->user_s);
  base_json_add_fixed(doc, "sys_s", 6, r->sys_s);
  base_json_print(stdout, doc);
}

/* Each connection is a descriptor: say so when the open-file limit
 * (raised to the hard limit by main) cannot hold them all - the ones
 * past it fail to connect and are counted as connect errors. */
static void check_fd_limit(const as_load_opts *o) {
  struct rlimit rl;
  unsigned long long want = (unsigned long long)o->connections +
                            (unsigned long long)o->slow +
                            (unsigned long long)o->beside + LOAD_FD_SPARE;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
      rl.rlim_cur >= want)
    return;
  fprintf(stderr, "conclab: load: the open-file limit is %llu, so about "
          "%llu connections fit at once, not %llu (see ulimit -Hn)\n",
          (unsigned long long)rl.rlim_cur,
          rl.rlim_cur > LOAD_FD_SPARE ? (unsigned long long)rl.rlim_cur -
                                            LOAD_FD_SPARE : 0ull,
          want - LOAD_FD_SPARE);
}

int cmd_load(int argc, char **argv) {
  as_load_opts o = {0};
  as_load_result *r;
  int json = 0, rc = load_parse(argc, argv, &o, &json);
  char why[256];

  if (rc == 1) {
    load_help(stdout);
    return 0;
  }
  if (rc != 0)
    return rc;
  r = malloc(sizeof *r); /* the histogram: ~60 KB, not for the stack */
  if (r == NULL) {
    fprintf(stderr, "conclab: load: out of memory\n");
    return 1;
  }
  check_fd_limit(&o);
  rc = as_load_run(&o, r, why, sizeof why);
  if (rc != 0)
    fprintf(stderr, "conclab: load: %s\n", why);
  else if (json)
    print_json(&o, r);
  else
    print_text(&o, r);
  free(r);
  return rc != 0 ? 1 : 0;
}
