/*
 * fds.c - will this run's descriptors fit under the open-file limit?
 * Checked before the clock, so that a --concurrency too large for
 * `ulimit -n` is refused with the largest that fits, instead of failing
 * tasks half way through.
 */
#include "run.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* What a run holds open at its peak, beside what is open before it:
 * fixed + per_unit x C descriptors.  Measured (tests/test_fdlimit.c runs
 * each model and workload at exactly the limit this check calls enough,
 * and one below): per task, what the workload's descriptor says; libuv's
 * own descriptors (epoll, eventfds, the signal pipe) are the loop's fixed
 * part; a multiproc worker costs the parent its two pipe ends, the
 * sockets and files being the worker's own. */
typedef struct fd_cost {
  int fixed, per_unit;
} fd_cost;

static fd_cost run_fd_cost(const run_opts *o) {
  if (o->model == RUN_MULTIPROC)
    return (fd_cost){6, 2};
  if (o->wl->fds.blocking == 0 && o->wl->fds.async == 0)
    return (fd_cost){0, 0};
  if (o->model == RUN_ASYNC)
    return (fd_cost){10, o->wl->fds.async};
  return (fd_cost){o->wl->fds.fixed, o->wl->fds.blocking};
}

/* The embedded server (http, pipeline without --url) is a process of its
 * own under the same limit: what it inherits from us (as many as we have
 * open, at most), its loop, its listening socket, libuv's spare for a
 * failed accept, and one connection per request in flight. */
static const fd_cost server_fd_cost = {10, 1};

/* Descriptors open now (main's stdio, and whatever it inherited). */
static long open_fds_now(void) {
  DIR *d = opendir("/proc/self/fd");
  long n = -1; /* the directory's own descriptor, counted below */

  if (d == NULL)
    return 3;
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n - 2; /* . and .. */
}

/* The largest C whose run fits in `limit` descriptors (0: not even 1). */
static long fds_max_units(const run_opts *o, long limit, long base) {
  fd_cost c = run_fd_cost(o);
  long most = (limit - base - c.fixed) / c.per_unit;
  int serves = o->wl->serves && o->params.url == NULL;

  long server_most =
      (limit - base - server_fd_cost.fixed) / server_fd_cost.per_unit;

  if (serves && server_most < most)
    most = server_most;
  return most < 0 ? 0 : most;
}

/* The smallest limit that fits `units` (from `from` up). */
static long fds_needed(const run_opts *o, long units, long base,
                       long from) {
  while (fds_max_units(o, from, base) < units)
    from++;
  return from;
}

/* What one unit of --concurrency is, in words, for n of them. */
static const char *unit_name(const run_opts *o, long n) {
  if (o->model == RUN_MULTIPROC)
    return n == 1 ? "worker process" : "worker processes";
  return n == 1 ? o->wl->unit_one : o->wl->unit_many;
}

/* main raised the soft limit to the hard one; if that is still too low for
 * this run, say so now, with what would fit, rather than fail tasks with
 * EMFILE halfway through. */
int run_fds_enough(const run_opts *o) {
  const wl_params *p = &o->params;
  int units = o->model == RUN_SEQ            ? 1
              : p->concurrency < p->tasks ? p->concurrency
                                          : p->tasks;
  const char *flag = o->model == RUN_SEQ ? "--model seq" : "--concurrency";
  struct rlimit rl;
  long base, most, limit;

  if (run_fd_cost(o).per_unit == 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 ||
      rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 1 << 30)
    return 1;
  limit = (long)rl.rlim_cur;
  base = open_fds_now();
  most = fds_max_units(o, limit, base);
  if (most >= units)
    return 1;
  if (most == 0)
    fprintf(stderr, "conclab: %s: even 1 %s needs about %ld open files, but "
            "the limit is %ld (ulimit -n): raise it to at least that\n", flag,
            unit_name(o, 1), fds_needed(o, 1, base, limit + 1), limit);
  else
    fprintf(stderr, "conclab: %s: %d %s need about %ld open files, but the "
            "limit is %ld (ulimit -n): allowed here 1..%ld\n", flag, units,
            unit_name(o, units), fds_needed(o, units, base, limit + 1), limit,
            most);
  return 0;
}

