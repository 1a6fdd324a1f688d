"""args.py - `conclab-py run`'s command line, checked as conclab checks it.

Lesson: one contract, two languages.  The same flags, defaults, ranges and
order of checks as bench/run/args.c; a bad value is refused with one line
naming the flag and what is allowed (`conclab-py: --tasks: ...`), exit 2.
"""

import re

from . import descriptors as d


class Usage(Exception):
    """A bad command line: the one line to print, exit status 2."""


class Params:
    """One batch's parameters and options (wl_params and run_opts)."""

    def __init__(self):
        self.workload = None
        self.model = "seq"
        self.tasks = self.concurrency = 0
        self.delay_ms, self.delay_spread_ms, self.limit = 100, 0, 2000000
        self.url = self.dir = None
        self.endpoint = d.DELAY
        self.size = self.no_reuse = self.timeout_ms = self.retries = 0
        self.client = 0  # d.CLIENTS
        self.backoff_ms, self.fail_rate, self.seed = 50, 0.0, 1
        self.fsync = self.rounds = 0
        self.offload = self.blocking_in_loop = self.threadpool = 0
        self.json = False
        self.loop = "asyncio"


VALUED = ("--model", "--tasks", "--concurrency", "--timeout-ms",
          "--threadpool", "--trace", "--loop")
SWITCHES = ("--json", "--offload", "--blocking-in-loop")


def _whole(flag, text, lo, hi):
    """base_parse_whole: digits (a '-' allowed, then out of range)."""
    if not re.fullmatch(r"-?[0-9]+", text):
        shown = "".join("?" if ord(c) < 32 or ord(c) == 127 else c
                        for c in text)[:63]
        raise Usage("%s: '%s' is not a whole number (allowed: %d..%d)"
                    % (flag, shown, lo, hi))
    v = int(text)
    if v < lo or v > hi or not -2**63 <= v < 2**63:
        raise Usage("%s: %s is out of range (allowed: %d..%d)"
                    % (flag, text, lo, hi))
    return v


def _share(flag, text):
    ok = re.fullmatch(r"[0-9.][0-9.eE+-]*", text) and "x" not in text.lower()
    try:
        v = float(text) if ok else -1.0
    except ValueError:
        v = -1.0
    if not 0.0 <= v <= 1.0:
        raise Usage("%s: '%s' is not a share (allowed: a number from 0 to 1)"
                    % (flag, text))
    return v


def _words(names, last):
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + last + names[-1]


def collect(argv):
    """Split argv into the given flags, as text, and the switches."""
    raw, given, switches, workload = {}, {}, set(), None
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        f = d.any_flag(name)
        if arg in ("-h", "--help"):
            return None
        if arg in SWITCHES:
            switches.add(arg)
        elif f is not None and not (f.kind == "switch" and eq):
            if f.kind == "switch":
                given.setdefault(f.name, "")
            else:
                if f.name in given:
                    raise Usage("%s: given twice (say it once)" % f.name)
                if not eq and i + 1 >= len(argv):
                    raise Usage("%s: missing value" % f.name)
                if not eq:
                    i += 1
                    value = argv[i]
                given[f.name] = value
        elif name in VALUED:
            if name in raw:
                raise Usage("%s: given twice (say it once)" % name)
            if not eq and i + 1 >= len(argv):
                raise Usage("%s: missing value" % name)
            if not eq:
                i += 1
                value = argv[i]
            raw[name] = value
        elif arg.startswith("-"):
            raise Usage("%s: unknown option (see conclab-py run --help)" % arg)
        elif workload is not None:
            raise Usage("'%s': only one workload per run" % arg)
        else:
            workload = arg
        i += 1
    return workload, raw, given, switches


def _workload_flags(wl, given, p):
    """The workload's own flags in its table's order: default, then value."""
    for f in wl.flags:
        setattr(p, f.field, None if f.kind in ("url", "dir") else f.default)
        if f.name not in given:
            continue
        text = given[f.name]
        if f.endpoints is not None and p.endpoint not in f.endpoints:
            where = ", ".join(d.ENDPOINTS[e] for e in sorted(f.endpoints))
            raise Usage("%s: applies only to --endpoint %s" % (f.name, where))
        if f.kind == "int":
            setattr(p, f.field, _whole(f.name, text, f.lo, f.hi))
        elif f.kind == "share":
            setattr(p, f.field, _share(f.name, text))
        elif f.kind == "switch":
            setattr(p, f.field, 1)
        elif f.kind == "name":
            if text not in f.names:
                raise Usage("%s: unknown %s '%s' (allowed: %s)" % (
                    f.name, f.name[2:], text, ", ".join(f.names)))
            setattr(p, f.field, f.names.index(text))
        elif f.kind == "url":
            if not text.startswith("http://") or len(text) == 7 or \
                    len(text) > 400:
                raise Usage("%s: '%s' is not a base URL (allowed: "
                            "http://HOST[:PORT][/PATH], at most 400 "
                            "characters)" % (f.name, text))
            setattr(p, f.field, text)
        elif f.kind == "dir":
            if text == "" or len(text) > 4096 - 16:
                raise Usage("%s: '%s' is not a usable directory name "
                            "(1..%d characters)" % (f.name, text, 4096 - 16))
            setattr(p, f.field, text)


def _misplaced(wl, raw, given):
    for name in given:
        if wl.flag(name) is None:
            raise Usage("%s: applies only to %s" % (name, _words(
                [w.name for w in d.ALL if w.flag(name)], " and ")))
    if "--threadpool" in raw and not wl.threadpool:
        raise Usage("--threadpool: applies only to %s" % _words(
            [w.name for w in d.ALL if w.threadpool], " and "))


def _settle(wl, p):
    if wl is d.PRIMES and p.tasks > p.limit:
        raise Usage("--tasks: %d chunks of numbers below %d: need N <= M"
                    % (p.tasks, p.limit))
    if wl is d.HTTP and p.endpoint == d.STALL and p.timeout_ms == 0:
        raise Usage("--endpoint stall: needs --timeout-ms (a stalled "
                    "request never ends by itself)")
    if wl is d.PIPELINE:
        p.endpoint = d.BYTES  # the fetch is /bytes/S


def _timeout(wl, raw, p):
    """--timeout-ms T: http and pipeline bound each attempt with it."""
    if "--timeout-ms" in raw:
        if not wl.serves:
            raise Usage("--timeout-ms: for %s, applies only to http and "
                        "pipeline here (neither a thread, the event loop nor "
                        "a ProcessPoolExecutor can stop one running task)"
                        % wl.name)
        p.timeout_ms = _whole("--timeout-ms", raw["--timeout-ms"], 0,
                              d.MAX_TIMEOUT_MS)


def _threadpool(raw, p):
    """--threadpool T: the async model's executor threads."""
    if "--threadpool" in raw:
        if p.model != "async":
            raise Usage("--threadpool: applies only to --model async (the "
                        "other models use their own workers)")
        p.threadpool = _whole("--threadpool", raw["--threadpool"], 1,
                              d.MAX_THREADPOOL)


def _loop_options(wl, raw, switches, p):
    """After the workload's own checks, as bench/run/args.c orders them."""
    p.offload = int("--offload" in switches)
    p.blocking_in_loop = int("--blocking-in-loop" in switches)
    if p.offload and not (p.model == "async" and wl.offload):
        raise Usage("--offload: applies only to --model async with CPU "
                    "work (primes, pipeline)")
    if p.blocking_in_loop and not (p.model == "async" and wl.blocking):
        raise Usage("--blocking-in-loop: applies only to --model async "
                    "with sleep")
    if "--loop" in raw:
        if p.model != "async":
            raise Usage("--loop: applies only to --model async")
        if raw["--loop"] not in ("asyncio", "uvloop"):
            raise Usage("--loop: unknown loop '%s' (allowed: asyncio, uvloop)"
                        % raw["--loop"])
        p.loop = raw["--loop"]
    if "--trace" in raw:
        raise Usage("--trace: not in the Python version (conclab run "
                    "--trace draws the C models' timelines)")


def parse(argv):
    """argv after "run": a Params, or None for --help.  Raises Usage."""
    got = collect(argv)
    if got is None:
        return None
    workload, raw, given, switches = got
    p = Params()
    names = ", ".join(w.name for w in d.ALL)
    if workload is None:
        raise Usage("run: missing WORKLOAD (allowed: %s)" % names)
    wl = d.find(workload)
    if wl is None:
        raise Usage("run: unknown workload '%s' (allowed: %s)"
                    % (workload, names))
    p.workload = wl
    if "--model" in raw:
        if raw["--model"] not in d.MODELS:
            raise Usage("--model: unknown model '%s' (allowed: seq, async, "
                        "threaded, multiproc)" % raw["--model"])
        p.model = raw["--model"]
    _misplaced(wl, raw, given)
    cmax = d.MAX_C[p.model]
    p.tasks = wl.default_tasks
    if "--tasks" in raw:
        p.tasks = _whole("--tasks", raw["--tasks"], 1, d.MAX_TASKS)
    c = wl.default_c
    p.concurrency = (d.cores() if c == d.C_CORES else
                     p.tasks if c == d.C_ALL or c > p.tasks else c)
    if "--concurrency" in raw:
        p.concurrency = _whole("--concurrency", raw["--concurrency"], 1, cmax)
    if p.concurrency > cmax:
        raise Usage("--concurrency: the default, %d, is more than %s allows "
                    "(1..%d); give a smaller --concurrency"
                    % (p.concurrency, p.model, cmax))
    _timeout(wl, raw, p)
    _workload_flags(wl, given, p)
    _threadpool(raw, p)
    _settle(wl, p)
    _loop_options(wl, raw, switches, p)
    p.json = "--json" in switches
    if p.model == "seq":
        p.concurrency = 1
    return p
