"""workloads.py - a workload's name to its module, and one task run safely.

Lesson: the same contract in every model.  Task i's input is made from the
batch's parameters, run by the workload's blocking or async function, and
whatever it raises becomes an error in slot i: the batch never aborts.
"""

from . import files, http, pipeline, primes, sleep, slot

MODULES = {"sleep": sleep, "primes": primes, "http": http, "files": files,
           "pipeline": pipeline}


def module(p):
    return MODULES[p.workload.name]


def open_worker(mod, p):
    """A worker's state (http: one kept connection), or None."""
    opener = getattr(mod, "open_worker", None)
    return opener(p) if opener is not None else None


def close_worker(mod, w):
    closer = getattr(mod, "close_worker", None)
    if closer is not None and w is not None:
        closer(w)


def run_one(mod, p, i, worker):
    """Task i the blocking way, into its slot (wl_run_one)."""
    try:
        return mod.run_blocking(mod.task_input(p, i), worker, p)
    except Exception as e:  # return_exceptions=True
        return slot.crashed(p.workload.name, i, e)
