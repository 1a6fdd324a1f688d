"""files.py - the file workload: write N files, read them back (aiofiles).

Lesson: "async file I/O" is threads underneath.  Task i writes its file
(S bytes fixed by i), reads it back and hashes it; the hash is its value.
seq, threads and processes use plain open/write/read.  The async model
uses aiofiles, which hands every call to the loop's default executor, a
thread pool (4 threads here, libuv's default, or --threadpool T): Linux has
no readiness-based file I/O for a loop to wait on.  The reads come right
after the writes, so the page cache serves them.
"""

import os

from . import fnv, slot

CHUNK = 64 * 1024
STOPPING = [False]  # set by the signal handler: no new file after that


def path(p, i):
    return "%s/f%07d" % (p.dir, i)


# wl_files_fill: byte j of file i is (j*7 + (j>>8) + i*131) & 255.  Over an
# aligned block of 256 bytes, j>>8 is one number m and j*7 runs through
# the same 256 values, so each block is one of 256 rows, shifted by m.
_ROWS = [bytes((7 * k + s) & 255 for k in range(256)) for s in range(256)]


def fill(i, offset, n):
    """Bytes [offset, offset + n) of file i; offset a multiple of 256."""
    first, last = offset // 256, (offset + n + 255) // 256
    data = b"".join(_ROWS[(m + i * 131) & 255] for m in range(first, last))
    return data[:n]


def _write(p, i, f):
    for off in range(0, p.size, CHUNK):
        f.write(fill(i, off, min(CHUNK, p.size - off)))
    if p.fsync:
        f.flush()
        os.fsync(f.fileno())


def _read(p, f):
    h, n = fnv.INIT, 0
    while n <= p.size:  # one byte more than it should hold is enough
        data = f.read(CHUNK)
        if not data:
            break
        h = fnv.hash_bytes(h, data)
        n += len(data)
    return h, n


def run_blocking(task, worker, p):
    i = task
    name, what = path(p, i), "open for writing"
    try:
        if STOPPING[0]:
            raise InterruptedError("the run is being stopped")
        with open(name, "wb") as f:
            what = "write"
            _write(p, i, f)
        what = "read"
        with open(name, "rb") as f:
            h, n = _read(p, f)
    except OSError as e:
        return slot.failed("files", i, what, name, e.strerror or e)
    if n != p.size:
        return slot.failed("files", i, "read back (short)", name,
                           "Input/output error")
    return slot.Slot(slot.OK, h)


async def run_async(task, ctx, p):
    """The same steps through aiofiles: each call a trip to a pool thread;
    the hashing runs in the coroutine, on the loop."""
    import aiofiles

    i = task
    name, what = path(p, i), "open for writing"
    try:
        if STOPPING[0]:
            raise InterruptedError("the run is being stopped")
        async with aiofiles.open(name, "wb") as f:
            what = "write"
            for off in range(0, p.size, CHUNK):
                await f.write(fill(i, off, min(CHUNK, p.size - off)))
            if p.fsync:
                await f.flush()
                await ctx.loop.run_in_executor(None, os.fsync, f.fileno())
        what = "read"
        h, n = fnv.INIT, 0
        async with aiofiles.open(name, "rb") as f:
            while n <= p.size:
                data = await f.read(CHUNK)
                if not data:
                    break
                h = fnv.hash_bytes(h, data)
                n += len(data)
    except OSError as e:
        return slot.failed("files", i, what, name, e.strerror or e)
    if n != p.size:
        return slot.failed("files", i, "read back (short)", name,
                           "Input/output error")
    return slot.Slot(slot.OK, h)


def task_input(p, i):
    return i
