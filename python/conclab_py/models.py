"""models.py - seq, threads and processes: one blocking function, three ways.

Lesson: concurrent.futures.  seq is the for loop the tutorials start from
and the oracle every checksum is held to.  threaded submits the N tasks to
a ThreadPoolExecutor(C): waits overlap, but the GIL lets one thread run
Python at a time.  multiproc submits them to a ProcessPoolExecutor(C):
each worker is a process with its own interpreter, so CPU work runs on
every core, at the price of pickling each task and result.  Each worker
keeps its own state (http: one kept-alive connection), and a finished
task's result lands in slot i, whichever worker ran it.
"""

import concurrent.futures as cf
import ctypes
import multiprocessing
import signal
import threading

from . import slot, workloads


def run_seq(p):
    mod = workloads.module(p)
    worker = workloads.open_worker(mod, p)
    try:
        return [workloads.run_one(mod, p, i, worker) for i in range(p.tasks)]
    finally:
        workloads.close_worker(mod, worker)


def run_threaded(p):
    mod = workloads.module(p)
    local, opened = threading.local(), []

    def task(i):
        if not hasattr(local, "worker"):  # this pool thread's first task
            local.worker = workloads.open_worker(mod, p)
            opened.append(local.worker)
        return workloads.run_one(mod, p, i, local.worker)

    pool = cf.ThreadPoolExecutor(max_workers=p.concurrency)
    try:
        futures = [pool.submit(task, i) for i in range(p.tasks)]
        slots = [f.result() for f in futures]
    except BaseException:
        abandon(pool)
        raise
    pool.shutdown()
    for w in opened:
        workloads.close_worker(mod, w)
    return slots


def abandon(pool):
    """The batch failed: drop the tasks not started and do not wait for
    the running ones (`with pool:` would).  (A signal ends the run from
    around.py's handler, which does not return here.)"""
    pool.shutdown(wait=False, cancel_futures=True)


# ---- processes: the worker's side -----------------------------------------

_proc = {}  # this worker process's workload, parameters and state


def _die_with_parent():
    """PR_SET_PDEATHSIG: SIGKILL this worker when the parent dies, as C's
    multiproc workers do, so no worker outlives a killed run."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass  # not Linux: the parent's clean-up still kills them


def _proc_init(p):
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    mod = workloads.module(p)
    _proc.update(mod=mod, p=p, worker=workloads.open_worker(mod, p))


def _proc_task(i):
    s = workloads.run_one(_proc["mod"], _proc["p"], i, _proc["worker"])
    return slot.stamp(s)


def run_multiproc(p, usage):
    """usage gets the workers' count and the sum of their peak memory."""
    n = min(p.concurrency, p.tasks)
    ctx = multiprocessing.get_context("fork")
    pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=ctx,
                                  initializer=_proc_init, initargs=(p,))
    try:
        futures = [pool.submit(_proc_task, i) for i in range(p.tasks)]
        slots = []
        for i, f in enumerate(futures):
            try:
                slots.append(f.result())
            except Exception as e:  # a worker died: its task failed
                slots.append(slot.crashed(p.workload.name, i, e))
    except BaseException:
        kill_workers()  # the workers go now, not after their tasks
        abandon(pool)
        raise
    pool.shutdown()
    peaks = {}
    for s in slots:
        if s.pid:
            peaks[s.pid] = max(peaks.get(s.pid, 0), s.rss_kb)
    usage["workers"] = n
    usage["rss_kb"] = sum(peaks.values())
    return slots


def kill_workers():
    """Any worker process left (a run cut short) is killed and reaped."""
    for child in multiprocessing.active_children():
        child.kill()
    for child in multiprocessing.active_children():
        child.join(1)
