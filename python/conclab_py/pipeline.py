"""pipeline.py - the mixed workload: fetch, compute, save.

Lesson: real programs mix waiting and computing, and an event loop only
helps with the waiting.  Task i fetches /bytes/S (a wait), digests the body
K rounds (FNV-1a: CPU), and saves the digest as a line of hex to its file
(a short wait).  In a coroutine the digest holds the loop; --offload hands
it to loop.run_in_executor, whose threads free the loop but share the GIL;
only processes digest on every core.  The steps and the digest are
workloads/pipeline.c's, so the checksums agree.
"""

import asyncio
import time
from http.client import HTTPException

from . import files, fnv, http, slot


def digest(index, data, rounds):
    """K passes of FNV-1a over the body, each seeded with the last."""
    h = fnv.hash_word(fnv.INIT, index)
    for r in range(rounds):
        h = fnv.hash_bytes(fnv.hash_word(h, r), data)
    return h


def compute(index, data, rounds):
    """The digest, and the CPU time this thread spent on it, in us."""
    t0 = time.thread_time()
    h = digest(index, data, rounds)
    return h, int((time.thread_time() - t0) * 1e6)


def _fetched(p, i, status, body, out, reason):
    """Ok only for a 200 with exactly S bytes (wl_pipeline_fetched)."""
    out.http_status = status
    if status == 200 and len(body) == p.size:
        return True
    if reason is None:
        reason = ("HTTP status %d" % status if status != 200 else
                  "%d bytes, not %d" % (len(body), p.size))
    out.error = "pipeline: task %d: fetch %s%s: %s" % (
        i, http.base(p), http.url_path(p, i, 0), reason)
    return False


def _line(h):
    return b"%016x\n" % h


def _save_failed(i, what, name, e):
    return slot.failed("pipeline", i, what, name, e.strerror or e)


def run_blocking(task, worker, p):
    i, out = task, slot.Slot(slot.ERROR)
    try:
        status, body = worker.get(http.url_path(p, i, 0), out)
        reason = None
    except (OSError, HTTPException) as e:
        status, body, reason = 0, b"", http.why(e)
        if isinstance(e, TimeoutError):
            out.status = slot.TIMEOUT
    if not _fetched(p, i, status, body, out, reason):
        return out
    h, out.compute_us = compute(i, body, p.rounds)
    name = files.path(p, i)
    try:
        if files.STOPPING[0]:
            raise InterruptedError("the run is being stopped")
        with open(name, "wb") as f:
            f.write(_line(h))
    except OSError as e:
        return _save_failed(i, "write", name, e)
    out.status, out.value = slot.OK, h
    return out


async def run_async(task, ctx, p):
    import aiofiles
    import aiohttp

    i, out = task, slot.Slot(slot.ERROR)
    reason, status, body = None, 0, b""
    try:
        status, body = await http.get_async(
            ctx.session, http.base(p) + http.url_path(p, i, 0))
    except asyncio.TimeoutError:
        out.status, reason = slot.TIMEOUT, "Timeout was reached"
    except (aiohttp.ClientError, OSError) as e:
        reason = str(e) or type(e).__name__
    if not _fetched(p, i, status, body, out, reason):
        return out
    if p.offload:
        h, out.compute_us = await ctx.loop.run_in_executor(
            ctx.pool, compute, i, body, p.rounds)
    else:
        h, out.compute_us = compute(i, body, p.rounds)  # holds the loop
    name = files.path(p, i)
    try:
        if files.STOPPING[0]:
            raise InterruptedError("the run is being stopped")
        async with aiofiles.open(name, "wb") as f:
            await f.write(_line(h))
    except OSError as e:
        return _save_failed(i, "write", name, e)
    out.status, out.value = slot.OK, h
    return out


open_worker = http.open_worker
close_worker = http.close_worker


def task_input(p, i):
    return i
