"""conclab_py - the tutorials' own language beside C.

The same five workloads as conclab (sleep, primes, http, files, pipeline),
written the way the asyncio tutorials write them, run four ways: seq (a for
loop), async (asyncio: gather + Semaphore), threaded (ThreadPoolExecutor)
and multiproc (ProcessPoolExecutor).  Every task computes the same value as
conclab's C code, so the checksums agree and the harness can set the two
implementations side by side.
"""
