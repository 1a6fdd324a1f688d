"""descriptors.py - what each workload takes and reports, as in workloads/*.c.

Lesson: one table per workload, not code per workload.  The flags, their
defaults and ranges, the JSON fields after the common ones: the same rows
as the C descriptors (wl_flag, wl_field), so `conclab-py run` takes the
same command line as `conclab run` and prints the same keys.
"""

import os

ENDPOINTS = ("delay", "bytes", "stall")
# --client: C has its own client and libcurl; CPython has only its own
# (http.client in the blocking models, one aiohttp ClientSession on the
# loop), so only "native" is taken.
CLIENTS = ("native",)
DELAY, BYTES, STALL = 0, 1, 2

MAX_DELAY_MS = 60000
MAX_LIMIT = 1000000000
MAX_SIZE = 64 * 1024 * 1024
MAX_TASKS = 1000000
MAX_TIMEOUT_MS = 600000
MAX_THREADPOOL = 1024
MAX_C = {"seq": 1000000, "async": 1000000, "threaded": 20000,
         "multiproc": 2000}
MODELS = ("seq", "async", "threaded", "multiproc")
C_ALL, C_CORES = 0, -1


class Flag:
    """One flag of a workload (wl_flag): kind int, share, name, url, dir,
    switch; the field of Params it sets; which endpoints it applies to."""

    def __init__(self, name, kind, field, default=0, lo=0, hi=0,
                 endpoints=None, names=ENDPOINTS):
        self.name, self.kind, self.field = name, kind, field
        self.default, self.lo, self.hi = default, lo, hi
        self.endpoints = endpoints  # None: any
        self.names = names  # kind name: the words it takes


class Workload:
    """A workload's descriptor: its flags, defaults, options, JSON fields."""

    def __init__(self, name, flags, default_tasks, default_c, json,
                 offload=False, blocking=False, threadpool=False,
                 serves=False, writes_dir=False, moves_bytes=False):
        self.name, self.flags, self.json = name, flags, json
        self.default_tasks, self.default_c = default_tasks, default_c
        self.offload, self.blocking = offload, blocking
        self.threadpool, self.serves, self.writes_dir = (threadpool, serves,
                                                         writes_dir)
        self.moves_bytes = moves_bytes  # its MB/s: 2 S per ok task

    def flag(self, name):
        return next((f for f in self.flags if f.name == name), None)


def _url():
    return Flag("--url", "url", "url")


def _dir():
    return Flag("--dir", "dir", "dir")


SLEEP = Workload("sleep", [
    Flag("--delay-ms", "int", "delay_ms", 100, 0, MAX_DELAY_MS),
    Flag("--delay-spread", "int", "delay_spread_ms", 0, 0, MAX_DELAY_MS),
], 10, C_ALL, [], blocking=True)

PRIMES = Workload("primes", [
    Flag("--limit", "int", "limit", 2000000, 2, MAX_LIMIT),
], 64, C_CORES, [], offload=True)

# JSON fields: (key, kind, field, endpoints); kind "m:" reads a measured
# figure, the others a parameter.
HTTP = Workload("http", [
    Flag("--endpoint", "name", "endpoint", DELAY),
    Flag("--delay-ms", "int", "delay_ms", 100, 0, MAX_DELAY_MS, {DELAY}),
    Flag("--size", "int", "size", 1024, 0, MAX_SIZE, {BYTES}),
    _url(),
    Flag("--client", "name", "client", 0, names=CLIENTS),
    Flag("--no-reuse", "switch", "no_reuse"),
    Flag("--retries", "int", "retries", 0, 0, 100),
    Flag("--backoff-ms", "int", "backoff_ms", 50, 0, 30000),
    Flag("--fail-rate", "share", "fail_rate", 0.0),
    Flag("--seed", "int", "seed", 1, 0, 2**63 - 1),
], 10, C_ALL, [
    ("endpoint", "name", "endpoint", None),
    ("size", "int", "size", {BYTES}),
    ("url", "text", "url", None),
    ("client", "client", "client", None),
    ("reuse", "not", "no_reuse", None),
    ("timeout_ms", "int", "timeout_ms", None),
    ("max_retries", "int", "retries", None),
    ("backoff_ms", "int", "backoff_ms", None),
    ("fail_rate", "num", "fail_rate", None),
    ("http_errors", "m:int", "http_errors", None),
    ("conn_errors", "m:int", "conn_errors", None),
    ("retries", "m:int", "retries", None),
    ("connections", "m:int", "connects", None),
], serves=True)

FILES = Workload("files", [
    Flag("--size", "int", "size", 1024 * 1024, 0, MAX_SIZE),
    Flag("--fsync", "switch", "fsync"),
    _dir(),
], 100, 64, [
    ("size", "int", "size", None),
    ("fsync", "int", "fsync", None),
    ("dir", "text", "dir", None),
    ("mb_per_s", "m:num", "mb_per_s", None),
], threadpool=True, writes_dir=True, moves_bytes=True)

PIPELINE = Workload("pipeline", [
    Flag("--size", "int", "size", 65536, 0, MAX_SIZE),
    Flag("--rounds", "int", "rounds", 100, 0, 100000),
    _url(),
    _dir(),
], 32, 8, [
    ("size", "int", "size", None),
    ("rounds", "int", "rounds", None),
    ("url", "text", "url", None),
    ("dir", "text", "dir", None),
    ("compute_ms", "m:num", "compute_ms", None),
], offload=True, threadpool=True, serves=True, writes_dir=True)

ALL = (SLEEP, PRIMES, HTTP, FILES, PIPELINE)


def find(name):
    return next((w for w in ALL if w.name == name), None)


def any_flag(name):
    """The row of flag `name` in any workload's table (the first)."""
    for w in ALL:
        f = w.flag(name)
        if f is not None:
            return f
    return None


def cores():
    """The cores this process may run on (base_cores)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except OSError:
        return os.cpu_count() or 1
