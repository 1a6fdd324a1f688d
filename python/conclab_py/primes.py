"""primes.py - the CPU-bound workload: count the primes below M.

Lesson: the GIL.  [0, M) is cut into N chunks; each task counts the primes
of its chunk by trial division, in pure Python.  Threads share one
interpreter lock, so ThreadPoolExecutor runs the chunks one at a time (its
speedup over seq is about 1.0); ProcessPoolExecutor gives each worker an
interpreter of its own, and the chunks run on every core.  In the event
loop the counting holds the loop; --offload hands it to run_in_executor's
threads, which frees the loop but not the GIL.
"""

import asyncio
from math import isqrt

from . import slot


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    for d in range(3, isqrt(n) + 1, 2):  # C: d * d <= n
        if n % d == 0:
            return False
    return True


def count(lo, hi):
    return sum(1 for n in range(lo, hi) if is_prime(n))


def task_input(p, i):
    """Chunk i: [M*i/N, M*(i+1)/N), as primes_task_input."""
    return i, p.limit * i // p.tasks, p.limit * (i + 1) // p.tasks


def run_blocking(task, worker, p):
    _, lo, hi = task
    return slot.Slot(slot.OK, count(lo, hi))


async def run_async(task, ctx, p):
    _, lo, hi = task
    if p.offload:
        n = await asyncio.get_running_loop().run_in_executor(
            ctx.pool, count, lo, hi)
    else:
        n = count(lo, hi)  # in the coroutine: the loop waits for it
    return slot.Slot(slot.OK, n)
