"""cli.py - `conclab-py run WORKLOAD [options]`: one batch, measured.

Lesson: the harness's contract.  The clock covers the whole batch
(starting and stopping the pool, the loop or the processes included); CPU
time and context switches are this process's plus its workers' (reaped
children); peak memory is this process's plus each worker's peak.  Exit
status: 0 all tasks ok, 3 some failed (the figures are still printed), 1
the run itself failed, 2 bad usage (one line naming the flag).
"""

import resource
import sys
import time

from . import aio, args, around, fnv, models, report, slot

PROG = "conclab-py"

HELP = """usage: conclab-py run WORKLOAD [options]

The workloads of `conclab run` in CPython, with the same flags, defaults,
ranges and JSON keys, and the same checksums as conclab's seq:
  sleep, primes, http, files, pipeline (see conclab run --help for each flag)

  --model M   seq: a for loop (the oracle)
              async: asyncio, gather + Semaphore(C) (aiohttp, aiofiles)
              threaded: concurrent.futures.ThreadPoolExecutor(C)
              multiproc: concurrent.futures.ProcessPoolExecutor(C)
  --offload   async + primes or pipeline: the CPU work through
              loop.run_in_executor on a thread pool (the GIL still holds)
  --loop L    async: asyncio (default) or uvloop (python3-uvloop)
  --json      one JSON object, the keys of conclab run --json

Differences: --trace is not taken; --timeout-ms is taken by http and
pipeline only (a ProcessPoolExecutor cannot stop one running task).
http and pipeline start `conclab serve --port 0` unless --url is given
($CONCLAB, conclab on PATH, or build/*/bench/conclab of this checkout).

exit status: 0 all tasks ok, 3 some tasks failed (results still printed),
1 the run itself failed, 2 bad usage."""


def _usage_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r, c


def measure(p):
    """Run the batch and measure it: the result's figures, its slots."""
    r = {"wl": p.workload, "p": p, "threadpool_size": 0, "workers": 0,
         "lag": (0.0, 0.0, 0.0, 0)}
    usage = {}
    s0, c0 = _usage_self()
    t0 = time.monotonic()
    if p.model == "seq":
        slots = models.run_seq(p)
    elif p.model == "threaded":
        slots = models.run_threaded(p)
    elif p.model == "multiproc":
        slots = models.run_multiproc(p, usage)
    else:
        slots = aio.run_async(p, r)
    r["wall_s"] = time.monotonic() - t0
    s1, c1 = _usage_self()
    kids = p.model == "multiproc"  # the server is reaped later, not counted
    for key, field in (("user_s", "ru_utime"), ("sys_s", "ru_stime"),
                       ("vol_ctx", "ru_nvcsw"), ("invol_ctx", "ru_nivcsw")):
        r[key] = getattr(s1, field) - getattr(s0, field)
        if kids:
            r[key] += getattr(c1, field) - getattr(c0, field)
    r["max_rss_kb"] = s1.ru_maxrss + usage.get("rss_kb", 0)
    r["workers"] = usage.get("workers", 0)
    r["checksum"] = fnv.checksum(slots)
    report.count(slots, r)
    return r, slots


def run(p):
    """The whole run: server and directory around the measured batch."""
    who = p.workload.name
    lack = aio.missing(p) if p.model == "async" else None
    if lack:
        raise around.Failure("%s: --model async needs %s (apt-get install "
                             "%s; .ci/deps does)" % (who, lack, lack))
    try:
        if p.workload.serves and p.url is None:
            server, p.url = around.start_server(who)
            around.on_exit(lambda: around.stop_server(who, server))
        if p.workload.writes_dir:
            workdir = around.Workdir(who, p.dir, p.tasks)
            p.dir = workdir.path
            around.on_exit(workdir.remove)
        if p.model == "multiproc":  # first undone: before the files go
            around.on_exit(models.kill_workers)
        r, slots = measure(p)
    finally:
        around.undo_all()
    slot.say_first_error(slots)
    print(report.json_line(p, r) if p.json else report.text(p, r))
    return 3 if r["failed"] else 0


def main(argv):
    if len(argv) < 1 or argv[0] in ("-h", "--help"):
        print(HELP, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] != "run":
        print("%s: '%s': unknown command (allowed: run)" % (PROG, argv[0]),
              file=sys.stderr)
        return 2
    try:
        p = args.parse(argv[1:])
    except args.Usage as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2
    if p is None:
        print(HELP)
        return 0
    around.catch_signals()
    around.raise_fd_limit()
    try:
        return run(p)
    except around.Failure as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 1
