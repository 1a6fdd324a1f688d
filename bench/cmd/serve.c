/*
 * serve.c - `conclab serve`: parse its options, run the test server.
 *
 * Same rules as `conclab run`: every value is checked, and a bad one is
 * refused with one line that names the flag and what is allowed (exit 2).
 * The server itself, in each of its four models, lives in server/.
 */
#include "cmd.h"

#include "base.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h" /* the limits the help states */
#include "server.h"

static void serve_help(FILE *out) {
  fprintf(out,
"usage: conclab serve [options]\n"
"\n"
"A local HTTP/1.1 server to test and measure HTTP clients against, run\n"
"one of four ways (--model), each with the same endpoints and byte for\n"
"byte the same answers; keep-alive and pipelining in every model.  The\n"
"first line of stdout is the base URL, e.g.\n"
"http://127.0.0.1:41234 (useful with --port 0).  SIGINT or SIGTERM stops it\n"
"(exit status 0).\n"
"\n"
"endpoints (GET or HEAD; any other method gets 405, a query string is\n"
"ignored):\n"
"  /                 this list, as text\n"
"  /delay/<ms>       200 after <ms> milliseconds, 0..%d; async serves\n"
"                    other connections meanwhile, seq none, threaded and\n"
"                    multiproc those their other workers hold\n"
"  /bytes/<n>        200 with <n> bytes, byte i is 'a' + i %% 26, 0..%lld\n"
"  /status/<code>    that status, 200..%d, with a short text body\n"
"                    (204 and 304: no body)\n"
"  /cpu/<n>          200 with the number of primes below <n>, 0..%d,\n"
"                    counted by trial division as the request's own CPU\n"
"                    work (about 2.5 s of CPU at the top), where the\n"
"                    model runs it\n"
"  /drop             the connection is closed without an answer\n"
"  /stall            no answer, ever; the connection stays open until the\n"
"                    client closes it or the server stops\n"
"  anything else     404\n"
"A bad parameter gets 400.  A malformed request gets 400, a request head\n"
"(URL and headers) over %d bytes 431, a body over %d bytes 413, an HTTP\n"
"version other than 1.0 and 1.1 505, a request that does not arrive whole\n"
"within the head timeout 408; each closes the connection after the answer.\n"
"A keep-alive connection with no request under way is closed after the\n"
"idle timeout.  Neither timeout runs while a request is being answered\n"
"(/delay, /stall).\n"
"\n"
"models (CS:APP ch. 12's servers):\n"
"  async       one libuv event loop, every connection on it, at least\n"
"              10,000 at once (the default); /cpu runs on the loop and\n"
"              holds every other connection until it is done, unless\n"
"              --offload sends it to libuv's threadpool\n"
"  seq         one connection at a time, to its end (the iterative\n"
"              server): the others wait in the kernel's accept queue\n"
"  threaded    a main thread accepts, a pool of --workers threads (default\n"
"              %d) takes the connections from a bounded queue, one each\n"
"              at a time (prethreaded)\n"
"  multiproc   --workers pre-forked processes (default: the cores) each\n"
"              accept on the shared listening socket and serve one\n"
"              connection at a time; they die with the server\n"
"A kept-alive connection holds a seq server, a thread or a process until\n"
"it closes or the idle timeout ends it.\n"
"\n"
"options:\n"
"  --model M     seq, async, threaded or multiproc (default async)\n"
"  --workers K   threads (threaded) or processes (multiproc), 1..%d\n"
"  --offload     async only: /cpu on libuv's threadpool (uv_queue_work)\n"
"  --port P      TCP port, 0..65535; 0 picks a free one (default %d)\n"
"  --host ADDR   IPv4 address to bind (default %s; 0.0.0.0 for all)\n"
"  --header-timeout-ms MS\n"
"                time for a request (head and body) to arrive from its\n"
"                first byte, 1..%d (default %d)\n"
"  --idle-timeout-ms MS\n"
"                time a connection may wait for its next request, 1..%d\n"
"                (default %d)\n"
"  --quiet       no line on stderr when stopped, nor the open-file\n"
"                estimate at start (errors are still said)\n"
"  -h, --help    this help\n"
"\n"
"exit status: 0 stopped by SIGINT or SIGTERM, 1 could not listen (say,\n"
"the port is in use) or failed (say, a multiproc worker died), 2 bad\n"
"usage.\n"
"\n"
"example:\n"
"  conclab serve --port 0 &   # prints http://127.0.0.1:PORT\n"
"  curl -s http://127.0.0.1:PORT/delay/100\n",
          SV_DELAY_MAX_MS, SV_BYTES_MAX, SV_STATUS_MAX, SV_CPU_MAX,
          SV_HEAD_MAX, SV_BODY_MAX, SV_DEFAULT_THREADS, SV_WORKERS_MAX,
          SV_DEFAULT_PORT, SV_DEFAULT_HOST, SV_TIMEOUT_MAX_MS,
          SV_DEFAULT_HEADER_TIMEOUT_MS, SV_TIMEOUT_MAX_MS,
          SV_DEFAULT_IDLE_TIMEOUT_MS);
}

/* Print one usage line and return the usage exit status.  A value shown
 * in it keeps to that one line: control characters (a newline pasted in)
 * are shown as '?'. */
static int serve_usage(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  for (char *c = line; *c != '\0'; c++)
    if (iscntrl((unsigned char)*c))
      *c = '?';
  fprintf(stderr, "conclab: %s\n", line);
  return 2;
}

static int parse_port(const char *text, int *out) {
  long long v;
  switch (base_parse_whole(text, 0, 65535, &v)) {
  case BASE_WHOLE_JUNK:
    return serve_usage("--port: '%s' is not a whole number (allowed: "
                       "0..65535)", text);
  case BASE_WHOLE_RANGE:
    return serve_usage("--port: %s is out of range (allowed: 0..65535)",
                       text);
  }
  *out = (int)v;
  return 0;
}

/* A timeout in milliseconds, 1..SV_TIMEOUT_MAX_MS. */
static int parse_ms(const char *flag, const char *text, unsigned *out) {
  long long v;
  switch (base_parse_whole(text, 1, SV_TIMEOUT_MAX_MS, &v)) {
  case BASE_WHOLE_JUNK:
    return serve_usage("%s: '%s' is not a whole number of milliseconds "
                       "(allowed: 1..%d)", flag, text, SV_TIMEOUT_MAX_MS);
  case BASE_WHOLE_RANGE:
    return serve_usage("%s: %s is out of range (allowed: 1..%d)", flag,
                       text, SV_TIMEOUT_MAX_MS);
  }
  *out = (unsigned)v;
  return 0;
}

static int parse_model(const char *text, sv_model *out) {
  static const struct {
    const char *name;
    sv_model model;
  } models[] = {{"seq", SV_MODEL_SEQ},
                {"async", SV_MODEL_ASYNC},
                {"threaded", SV_MODEL_THREADED},
                {"multiproc", SV_MODEL_MULTIPROC}};
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    if (strcmp(text, models[i].name) == 0) {
      *out = models[i].model;
      return 0;
    }
  return serve_usage("--model: unknown model '%s' (allowed: seq, async, "
                     "threaded, multiproc)", text);
}

static int parse_workers(const char *text, int *out) {
  long long v;
  switch (base_parse_whole(text, 1, SV_WORKERS_MAX, &v)) {
  case BASE_WHOLE_JUNK:
    return serve_usage("--workers: '%s' is not a whole number (allowed: "
                       "1..%d)", text, SV_WORKERS_MAX);
  case BASE_WHOLE_RANGE:
    return serve_usage("--workers: %s is out of range (allowed: 1..%d)",
                       text, SV_WORKERS_MAX);
  }
  *out = (int)v;
  return 0;
}

/* Flags that only one model or two can use. */
static int check_model_flags(const sv_options *o) {
  if (o->offload && o->model != SV_MODEL_ASYNC)
    return serve_usage("--offload: only with --model async (the other "
                       "models run /cpu off the loop already)");
  if (o->workers > 0 && o->model != SV_MODEL_THREADED &&
      o->model != SV_MODEL_MULTIPROC)
    return serve_usage("--workers: only with --model threaded or multiproc");
  return 0;
}

static int parse_host(const char *text) {
  struct in_addr addr;
  if (inet_pton(AF_INET, text, &addr) != 1)
    return serve_usage("--host: '%s' is not an IPv4 address (allowed: a "
                       "dotted quad such as 127.0.0.1)", text);
  return 0;
}

/* The value of "--flag value" or "--flag=value"; NULL when arg is another
 * flag.  Advances *i past a separate value. */
static const char *flag_value(int argc, char **argv, int *i,
                              const char *flag, int *missing) {
  const char *arg = argv[*i];
  size_t n = strlen(flag);

  if (strncmp(arg, flag, n) != 0)
    return NULL;
  if (arg[n] == '=')
    return arg + n + 1;
  if (arg[n] != '\0')
    return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  return argv[++*i];
}

/* argv[0] is "serve".  0 ok, 1 help printed, 2 usage error printed. */
static int serve_parse(int argc, char **argv, sv_options *o) {
  o->model = SV_MODEL_ASYNC;
  o->workers = 0;
  o->offload = 0;
  o->host = SV_DEFAULT_HOST;
  o->port = SV_DEFAULT_PORT;
  o->quiet = 0;
  o->header_timeout_ms = SV_DEFAULT_HEADER_TIMEOUT_MS;
  o->idle_timeout_ms = SV_DEFAULT_IDLE_TIMEOUT_MS;
  unsigned seen = 0; /* the flags given so far: each at most once */
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *value;
    int missing = 0;

    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
      return 1;
    if (strcmp(arg, "--quiet") == 0) {
      o->quiet = 1;
    } else if (strcmp(arg, "--offload") == 0) {
      o->offload = 1;
    } else if ((value = flag_value(argc, argv, &i, "--model", &missing))) {
      if (base_once(&seen, 4, "--model") != 0 ||
          parse_model(value, &o->model) != 0)
        return 2;
    } else if ((value = flag_value(argc, argv, &i, "--workers", &missing))) {
      if (base_once(&seen, 5, "--workers") != 0 ||
          parse_workers(value, &o->workers) != 0)
        return 2;
    } else if ((value = flag_value(argc, argv, &i, "--port", &missing))) {
      if (base_once(&seen, 0, "--port") != 0 ||
          parse_port(value, &o->port) != 0)
        return 2;
    } else if ((value = flag_value(argc, argv, &i, "--host", &missing))) {
      if (base_once(&seen, 1, "--host") != 0 || parse_host(value) != 0)
        return 2;
      o->host = value;
    } else if ((value = flag_value(argc, argv, &i, "--header-timeout-ms",
                                   &missing))) {
      if (base_once(&seen, 2, "--header-timeout-ms") != 0 ||
          parse_ms("--header-timeout-ms", value, &o->header_timeout_ms) != 0)
        return 2;
    } else if ((value = flag_value(argc, argv, &i, "--idle-timeout-ms",
                                   &missing))) {
      if (base_once(&seen, 3, "--idle-timeout-ms") != 0 ||
          parse_ms("--idle-timeout-ms", value, &o->idle_timeout_ms) != 0)
        return 2;
    } else if (missing) {
      return serve_usage("%s: missing value", arg);
    } else if (arg[0] == '-') {
      return serve_usage("%s: unknown option (see conclab serve --help)",
                         arg);
    } else {
      return serve_usage("serve: '%s': no arguments expected, only options "
                         "(see conclab serve --help)", arg);
    }
  }
  return check_model_flags(o);
}

int cmd_serve(int argc, char **argv) {
  sv_options o;
  int rc = serve_parse(argc, argv, &o);
  if (rc == 1) {
    serve_help(stdout);
    return 0;
  }
  if (rc != 0)
    return rc;
  return sv_serve(&o);
}
