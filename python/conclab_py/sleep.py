"""sleep.py - the I/O-bound workload: simulated latency.

Lesson: the tutorials' first example,
    async def fetch_number(n): await asyncio.sleep(d); return n * 10
A waiting task uses no CPU, so N waits can overlap.  With
--blocking-in-loop, the pitfall: time.sleep() inside the coroutine holds
the whole loop, and the waits add up again.
"""

import asyncio
import time

from . import slot


def task_input(p, i):
    """Task i's delay in ms: D plus a fixed scramble of i in [0, S]."""
    extra = (i * 2654435761) % (p.delay_spread_ms + 1) \
        if p.delay_spread_ms > 0 else 0
    return i, p.delay_ms + extra


def run_blocking(task, worker, p):
    i, ms = task
    time.sleep(ms / 1000)
    return slot.Slot(slot.OK, i * 10)


async def run_async(task, ctx, p):
    i, ms = task
    if p.blocking_in_loop:
        time.sleep(ms / 1000)  # the pitfall: the loop stops for it
    else:
        await asyncio.sleep(ms / 1000)
    return slot.Slot(slot.OK, i * 10)
