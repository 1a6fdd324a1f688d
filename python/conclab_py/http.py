"""http.py - the network workload: N GET requests to conclab serve.

Lesson: the tutorials' aiohttp example, on real sockets.  Task i asks for
/delay/D (or /bytes/S, or /stall); its value hashes the last answer's body
and status, so every model agrees with C's seq.  A failed request is data:
each task records what came of it and how many retries it used, and the
batch always finishes (return_exceptions=True).  The blocking models keep
one http.client connection per worker, alive between its requests (a
ClientSession of one); async keeps one aiohttp ClientSession for the batch.
The URLs, the seeded failures and the backoff are workloads/http.c's.
"""

import asyncio
import http.client
import socket
import time
import urllib.parse

from . import descriptors as d
from . import fnv, slot

BACKOFF_CAP_MS = 30000
DRAW_FAIL, DRAW_KIND, DRAW_JITTER = 0, 1, 2


def url_path(p, index, attempt):
    """The path attempt `attempt` of task `index` asks for (wl_http_url)."""
    if p.fail_rate > 0 and fnv.draw(p.seed, index, attempt,
                                    DRAW_FAIL) < p.fail_rate:
        drop = fnv.draw(p.seed, index, attempt, DRAW_KIND) < 0.5
        return "/drop" if drop else "/status/500"
    if p.endpoint == d.DELAY:
        return "/delay/%d" % p.delay_ms
    if p.endpoint == d.BYTES:
        return "/bytes/%d" % p.size
    return "/stall"


def base(p):
    """The base URL without its trailing slashes."""
    return p.url.rstrip("/")


def retry_ms(p, index, attempt, status, http_status):
    """The wait before the next attempt, or -1: none (wl_http_retry_ms)."""
    if status == slot.OK or attempt >= p.retries:
        return -1
    if http_status != 0 and http_status < 500:
        return -1  # a 4xx: asking again won't help
    b = p.backoff_ms
    for _ in range(attempt):
        if b >= BACKOFF_CAP_MS:
            break
        b *= 2
    b = min(b, BACKOFF_CAP_MS)
    return b // 2 + int(fnv.draw(p.seed, index, attempt, DRAW_JITTER) *
                        (b // 2 + 1))


def value(body_hash, http_status):
    return fnv.hash_word(body_hash, http_status)


# ---- the blocking client: seq, threads, processes ------------------------

class Client:
    """One worker's kept-alive connection (curl's easy handle in C)."""

    def __init__(self, p):
        u = urllib.parse.urlsplit(base(p))
        self.host, self.port = u.hostname, u.port or 80
        self.prefix = u.path
        self.timeout = p.timeout_ms / 1000 if p.timeout_ms else None
        self.no_reuse = p.no_reuse
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _once(self, path, out):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port,
                                                   timeout=self.timeout)
            out.connects += 1
        self.conn.request("GET", self.prefix + path)
        resp = self.conn.getresponse()
        body = resp.read()
        if self.no_reuse or resp.will_close:
            self.close()
        return resp.status, body

    def get(self, path, out):
        """(status, body) of one GET; raises OSError or HTTPException.
        A kept connection the server closed meanwhile is opened afresh
        once, as curl does.  --timeout-ms bounds each wait on the socket
        (curl's bounds the whole attempt): a silent server times out the
        same way."""
        reused = self.conn is not None
        try:
            try:
                return self._once(path, out)
            except ConnectionError:  # RemoteDisconnected, a reset, a pipe
                if not reused:
                    raise
                self.close()
                return self._once(path, out)
        except BaseException:
            self.close()
            raise


def why(e):
    if isinstance(e, (TimeoutError, socket.timeout)):
        return "Timeout was reached"
    return str(e) or type(e).__name__


def run_blocking(task, worker, p):
    i, out = task, slot.Slot()
    for attempt in range(p.retries + 1):
        path = url_path(p, i, attempt)
        try:
            out.http_status, body = worker.get(path, out)
            h = fnv.hash_bytes(fnv.INIT, body)
            ok = 200 <= out.http_status < 300
            out.status = slot.OK if ok else slot.ERROR
            reason = "HTTP status %d" % out.http_status
        except (OSError, http.client.HTTPException) as e:
            out.http_status, h = 0, fnv.INIT
            out.status = slot.TIMEOUT if isinstance(e, TimeoutError) \
                else slot.ERROR
            reason = why(e)
        wait = retry_ms(p, i, attempt, out.status, out.http_status)
        if wait < 0:
            break
        time.sleep(wait / 1000)
        out.retries += 1
    if out.status != slot.OK:
        out.error = "http: task %d: GET %s%s: %s" % (i, base(p), path, reason)
    out.value = value(h, out.http_status)
    return out


def open_worker(p):
    return Client(p)


def close_worker(w):
    w.close()


def task_input(p, i):
    return i


# ---- the async client: one aiohttp ClientSession -------------------------

async def open_session(p, limit):
    """One session for the whole batch, with its connections counted (a
    trace hook on each new connection) and as many as C in flight."""
    import aiohttp

    trace = aiohttp.TraceConfig()
    counter = [0]

    async def on_connect(session, ctx, params):
        counter[0] += 1

    trace.on_connection_create_end.append(on_connect)
    timeout = aiohttp.ClientTimeout(
        total=p.timeout_ms / 1000 if p.timeout_ms else None)
    conn = aiohttp.TCPConnector(limit=limit, force_close=bool(p.no_reuse))
    session = aiohttp.ClientSession(connector=conn, timeout=timeout,
                                    trace_configs=[trace])
    return session, counter


async def get_async(session, url):
    """(status, body) of one GET on the session."""
    async with session.get(url, allow_redirects=False) as resp:
        return resp.status, await resp.read()


async def run_async(task, ctx, p):
    import aiohttp

    i, out = task, slot.Slot()
    for attempt in range(p.retries + 1):
        path = url_path(p, i, attempt)
        try:
            out.http_status, body = await get_async(ctx.session,
                                                    base(p) + path)
            h = fnv.hash_bytes(fnv.INIT, body)
            ok = 200 <= out.http_status < 300
            out.status = slot.OK if ok else slot.ERROR
            reason = "HTTP status %d" % out.http_status
        except asyncio.TimeoutError:
            out.http_status, h, out.status = 0, fnv.INIT, slot.TIMEOUT
            reason = "Timeout was reached"
        except (aiohttp.ClientError, OSError) as e:
            out.http_status, h, out.status = 0, fnv.INIT, slot.ERROR
            reason = str(e) or type(e).__name__
        wait = retry_ms(p, i, attempt, out.status, out.http_status)
        if wait < 0:
            break
        await asyncio.sleep(wait / 1000)
        out.retries += 1
    if out.status != slot.OK:
        out.error = "http: task %d: GET %s%s: %s" % (i, base(p), path, reason)
    out.value = value(h, out.http_status)
    return out
