"""report.py - one run's figures: the JSON line and the text, as conclab's.

Lesson: one format for both languages.  The same keys in the same order as
bench/run/run.c's run_print_json (plus "impl"), numbers with six decimals,
so the harness reads a Python run as it reads a C one.
"""

import json
import platform

from . import descriptors as d
from . import slot

SCHEMA, VERSION = 1, "0.1.0"
IMPL = "CPython %s" % platform.python_version()


def count(slots, r):
    """The outcomes, counted into r (count_results)."""
    for k in ("ok", "failed", "timeouts", "http_errors", "conn_errors",
              "retries", "connects"):
        r[k] = 0
    compute_ms = 0.0
    for s in slots:
        r["ok" if s.status == slot.OK else "failed"] += 1
        r["timeouts"] += s.status == slot.TIMEOUT
        r["http_errors"] += s.status == slot.ERROR and s.http_status != 0
        r["conn_errors"] += s.status == slot.ERROR and s.http_status == 0
        r["retries"] += s.retries
        r["connects"] += s.connects
        if s.status == slot.OK:
            compute_ms += s.compute_us / 1000
    r["compute_ms"] = compute_ms / r["ok"] if r["ok"] else 0.0
    # files: each task writes its S bytes and reads them back
    per_task = 2.0 * r["p"].size if r["wl"].moves_bytes else 0
    r["mb_per_s"] = (r["ok"] * per_task / r["wall_s"] / 1e6
                     if per_task and r["wall_s"] > 0 else 0.0)


def variant(p):
    """run_variant: the label of a run's variant, "" for most."""
    wl = p.workload
    if p.no_reuse:
        return "no-reuse"
    if p.blocking_in_loop:
        return "blocking-in-loop"
    if p.threadpool and not wl.offload:
        return "threadpool-set"
    if p.model != "async" or not wl.offload:
        return ""
    return "offload" if p.offload else "in-loop"


class _Num(float):
    """A number written with six decimals (base_json_num)."""

    def __repr__(self):
        return "%.6f" % self


def _fields(p, r):
    items = [("schema", SCHEMA), ("conclab_version", VERSION),
             ("workload", p.workload.name), ("model", p.model),
             ("variant", variant(p)), ("impl", IMPL),
             ("tasks", p.tasks), ("concurrency", p.concurrency),
             ("delay_ms", p.delay_ms), ("delay_spread_ms", p.delay_spread_ms),
             ("limit", p.limit), ("threadpool_size", r["threadpool_size"]),
             ("workers", r["workers"]), ("workers_lost", 0)]
    for k in ("wall_s", "user_s", "sys_s"):
        items.append((k, _Num(r[k])))
    items += [(k, r[k]) for k in ("max_rss_kb", "vol_ctx", "invol_ctx", "ok",
                                  "failed", "timeouts")]
    if p.model == "async":
        p50, p99, mx, n = r["lag"]
        items += [("loop_lag_p50_ms", _Num(p50)), ("loop_lag_p99_ms",
                  _Num(p99)), ("loop_lag_max_ms", _Num(mx)),
                  ("loop_lag_samples", n)]
    for key, kind, field, endpoints in p.workload.json:
        applies = endpoints is None or p.endpoint in endpoints
        if kind.startswith("m:"):
            v = r[field]
            v = _Num(v) if kind == "m:num" else int(v)
        else:
            v = getattr(p, field)
            if kind == "name":
                v = d.ENDPOINTS[v]
            elif kind == "client":
                v = d.CLIENTS[v]
            elif kind == "not":
                v = int(not v)
            elif kind == "num":
                v = _Num(v if applies else 0)
            elif kind == "int":
                v = v if applies else 0
        items.append((key, v))
    items.append(("checksum", "%016x" % r["checksum"]))
    return items


def json_line(p, r):
    parts = []
    for k, v in _fields(p, r):
        text = repr(v) if isinstance(v, _Num) else json.dumps(v)
        parts.append("%s:%s" % (json.dumps(k), text))
    return "{" + ",".join(parts) + "}"


def text(p, r):
    v = variant(p)
    lines = ["%s on %s%s%s: %d tasks, concurrency %d" % (
        p.workload.name, p.model, " " if v else "", v, p.tasks,
        p.concurrency), "  impl: %s" % IMPL,
        "  wall %.4f s, user %.4f s, sys %.4f s, peak RSS %d KiB" % (
            r["wall_s"], r["user_s"], r["sys_s"], r["max_rss_kb"]),
        "  context switches: %d voluntary, %d involuntary" % (
            r["vol_ctx"], r["invol_ctx"])]
    if r["threadpool_size"]:
        lines.append("  executor threads: %d" % r["threadpool_size"])
    if p.model == "async":
        lines.append("  loop lag: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d "
                     "probes)" % r["lag"])
    if p.model == "multiproc":
        lines.append("  workers: %d processes" % r["workers"])
    own = ["%s %s" % (k, v) for k, v in _fields(p, r)
           if k in [f[0] for f in p.workload.json]]
    if own:
        lines.append("  %s: %s" % (p.workload.name, ", ".join(own)))
    t = " (%d past --timeout-ms)" % r["timeouts"] if r["timeouts"] else ""
    lines.append("  tasks: %d ok, %d failed%s; checksum %016x" % (
        r["ok"], r["failed"], t, r["checksum"]))
    return "\n".join(lines)
