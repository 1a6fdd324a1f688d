"""slot.py - one task's result, and the run's one error line.

Lesson: return_exceptions=True.  A failed task is data, not a crash: its
slot records the outcome (ok, error, timeout) and the batch goes on.  Slot
i belongs to task i (gather order), whichever thread or process ran it.
"""

import os
import resource
import sys

PENDING, OK, ERROR, TIMEOUT = 0, 1, 2, 3


class Slot:
    """wl_slot: status, value, and what http and pipeline add."""

    __slots__ = ("status", "value", "http_status", "retries", "connects",
                 "compute_us", "error", "pid", "rss_kb")

    def __init__(self, status=PENDING, value=0):
        self.status, self.value = status, value
        self.http_status = self.retries = self.connects = 0
        self.compute_us = 0
        self.error = None  # why it failed: "WORKLOAD: task I: WHAT: WHY"
        self.pid = self.rss_kb = 0  # multiproc: who ran it, its peak

    def __getstate__(self):  # pickled across a process pool
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state):
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)


def failed(workload, index, what, obj, why, status=ERROR):
    """A failed task's slot, with its line (wl_report_error's words)."""
    s = Slot(status)
    s.error = "%s: task %d: %s %s: %s" % (workload, index, what, obj, why)
    return s


def crashed(workload, index, exc):
    """A task that raised: an error slot naming the exception."""
    return failed(workload, index, "raised", type(exc).__name__, exc)


def say_first_error(slots):
    """Every run prints its first failed task's reason, once."""
    for s in slots:
        if s is not None and s.error:
            print("conclab-py: %s (further errors are counted, not printed)"
                  % s.error, file=sys.stderr)
            return


def stamp(s):
    """A multiproc worker's mark on its slot: its pid and peak memory."""
    s.pid = os.getpid()
    s.rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return s
