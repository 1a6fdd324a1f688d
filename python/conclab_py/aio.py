"""aio.py - the async model: one asyncio event loop, gather + Semaphore(C).

Lesson: the tutorials' idiom, measured.
    sem = asyncio.Semaphore(C)
    async def one(i):
        async with sem: return await work(i)
    await asyncio.gather(*(one(i) for i in range(N)), return_exceptions=True)
One thread, thousands of tasks in flight.  The workload's shared state
lives on the loop (http and pipeline: one aiohttp ClientSession; files:
aiofiles on the default executor, 4 threads unless --threadpool T;
--offload: run_in_executor on a pool of its own).  A 1 ms probe task runs
alongside and measures how late the loop gets to it: about 0 on a healthy
loop, the length of the block when a coroutine computes or blocks.
"""

import asyncio
import concurrent.futures as cf
import time

from . import descriptors as d
from . import slot, workloads

LAG_PERIOD_S = 0.001


class Context:
    """What the batch's coroutines share: the loop, the pools, a session."""

    def __init__(self, loop):
        self.loop, self.pool, self.session = loop, None, None
        self.connects = [0]


def pool_size(p):
    """The threads run_in_executor gets: --threadpool T; for offloaded CPU
    work one per task in flight, at most one per core when it also writes
    files; else libuv's default, 4 (async_pool_size in bench/run/run.c)."""
    if p.threadpool:
        return p.threadpool
    if not p.offload:
        return 4
    c = p.concurrency
    if p.workload.writes_dir and c > d.cores():
        c = d.cores()
    return min(c, d.MAX_THREADPOOL)


def missing(p):
    """The first Debian package this async run needs and lacks, or None."""
    wanted = (["aiohttp"] if p.workload.serves else []) + \
        (["aiofiles"] if p.workload.writes_dir else []) + \
        (["uvloop"] if p.loop == "uvloop" else [])
    for name in wanted:
        try:
            __import__(name)
        except ImportError:
            return "python3-" + name
    return None


def uses_pool(p):
    return bool(p.offload or p.workload.writes_dir)


async def probe(lags, stop):
    """The loop-lag probe: how late a 1 ms sleep wakes, again and again."""
    while not stop.is_set():
        due = time.monotonic() + LAG_PERIOD_S
        await asyncio.sleep(LAG_PERIOD_S)
        lags.append(max(0.0, time.monotonic() - due) * 1000)


def summarise(lags):
    """p50, p99, max by nearest rank (as_lag_summarise)."""
    n = len(lags)
    if n == 0:
        return 0.0, 0.0, 0.0
    s = sorted(lags)
    return s[(n * 50 + 99) // 100 - 1], s[(n * 99 + 99) // 100 - 1], s[-1]


async def batch(p, out):
    mod = workloads.module(p)
    loop = asyncio.get_running_loop()
    ctx = Context(loop)
    if uses_pool(p):
        ctx.pool = cf.ThreadPoolExecutor(max_workers=pool_size(p))
        loop.set_default_executor(ctx.pool)  # aiofiles' calls run here
        out["threadpool_size"] = pool_size(p)
    if p.workload.serves:
        ctx.session, ctx.connects = await workloads.http.open_session(
            p, p.concurrency)
    sem = asyncio.Semaphore(p.concurrency)
    lags, stop = [], asyncio.Event()
    prober = asyncio.create_task(probe(lags, stop))

    async def one(i):
        async with sem:
            return await mod.run_async(mod.task_input(p, i), ctx, p)

    try:
        results = await asyncio.gather(*(one(i) for i in range(p.tasks)),
                                       return_exceptions=True)
    finally:
        stop.set()
        await prober
        if ctx.session is not None:
            await ctx.session.close()
    slots = [r if isinstance(r, slot.Slot) else
             slot.crashed(p.workload.name, i, r)
             for i, r in enumerate(results)]
    if slots:
        slots[0].connects += ctx.connects[0]  # the session's, counted once
    out["lag"] = summarise(lags) + (len(lags),)
    return slots


def run_async(p, out):
    """The batch on a fresh loop: asyncio's own, or uvloop's (--loop
    uvloop: asyncio's API on libuv, the loop conclab's async model uses)."""
    if p.loop == "uvloop":
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return asyncio.run(batch(p, out))
