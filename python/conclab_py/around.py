"""around.py - what a run sets up around its batch: a server, a directory.

Lesson: a run cleans up after itself, also when interrupted.  http and
pipeline without --url start `conclab serve --port 0` (the C test server,
so both languages fetch the very same bytes) and stop it afterwards;
files and pipeline work in a fresh directory of their own, whose files
are removed afterwards - and on Ctrl-C, SIGTERM or SIGHUP, before the
process dies of the signal (bench/run/workdir.c).
"""

import ctypes
import os
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import time

from . import files

HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    """The run itself failed: the one line to print, exit status 1."""


# What the run must undo (stop the server, remove the directory, kill the
# workers), newest first: after the batch, or from the signal handler.
_undo = []
_owner = [0]  # the run's own process: a forked worker undoes nothing


def on_exit(fn):
    _undo.append(fn)


def undo_all():
    """Undo what the run set up, newest first; the first failure (the
    server's exit) is raised after the rest is undone."""
    failure = None
    while _undo:
        try:
            _undo.pop()()
        except Failure as e:
            failure = failure or e
    if failure is not None:
        raise failure


def _on_signal(sig, frame):
    """Ctrl-C, SIGTERM, SIGHUP: undo, then die of the signal.  Not an
    exception (KeyboardInterrupt): raised at any point, one can leave a
    pool's lock half released, and the clean-up would hang or fail on it;
    the interrupted code is never returned to."""
    files.STOPPING[0] = True  # no new file from a thread of ours
    if os.getpid() == _owner[0]:
        try:
            undo_all()
        except Failure:
            pass
    die_of(sig)


def catch_signals():
    """From now on a signal that ends the run cleans up first."""
    _owner[0] = os.getpid()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) != signal.SIG_IGN:  # nohup stays nohup
            signal.signal(sig, _on_signal)


def die_of(sig):
    """After the clean-up, die of the signal, as if it was not caught."""
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    time.sleep(1)
    os._exit(128 + sig)


def raise_fd_limit():
    """The open-file limit up to its hard limit (1,000 sockets at once)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---- the server -------------------------------------------------------------

def conclab_binary():
    """$CONCLAB, conclab on PATH, or a build of this checkout."""
    exe = os.environ.get("CONCLAB") or shutil.which("conclab")
    if exe:
        return exe
    root = os.path.dirname(os.path.dirname(HERE))
    for preset in ("release", "debug"):
        exe = os.path.join(root, "build", preset, "bench", "conclab")
        if os.access(exe, os.X_OK):
            return exe
    return None


def _pdeathsig():
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_server(who):
    """`conclab serve --port 0` as a child: (process, its base URL)."""
    exe = conclab_binary()
    if exe is None:
        raise Failure("%s: no conclab to serve (set CONCLAB=path/to/conclab, "
                      "or give --url)" % who)
    try:
        proc = subprocess.Popen([exe, "serve", "--port", "0", "--quiet"],
                                stdout=subprocess.PIPE,
                                preexec_fn=_pdeathsig)
    except OSError as e:
        raise Failure("%s: cannot start %s serve: %s" % (who, exe,
                                                         e.strerror))
    ready, _, _ = select.select([proc.stdout], [], [], 5.0)
    line = proc.stdout.readline().decode(errors="replace").strip() \
        if ready else ""
    proc.stdout.close()
    if not line.startswith("http://"):
        proc.kill()
        proc.wait()
        raise Failure("%s: the embedded server (%s serve) did not start; see "
                      "its error above, or give --url" % (who, exe))
    return proc, line


def stop_server(who, proc):
    proc.terminate()
    try:
        rc = proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise Failure("%s: the embedded server did not stop on SIGTERM "
                      "within 5000 ms; killed" % who)
    if rc != 0:
        raise Failure("%s: the embedded server exited with status %d"
                      % (who, rc))


# ---- the directory ----------------------------------------------------------

class Workdir:
    """A fresh directory under --dir, $TMPDIR or /tmp, removed afterwards."""

    def __init__(self, who, parent, count):
        base = parent or os.environ.get("TMPDIR") or "/tmp"
        try:
            self.path = tempfile.mkdtemp(prefix="conclab-files-", dir=base)
        except OSError as e:
            raise Failure("%s: cannot make a directory in %s%s: %s%s" % (
                who, "--dir " if parent else "", base, e.strerror,
                "" if parent else " (give --dir)"))
        self.count = count

    def remove(self):
        """Its files and itself; several passes, as a thread may still be
        creating its file when a signal arrives."""
        files.STOPPING[0] = True
        for _ in range(20):
            for i in range(self.count):
                try:
                    os.unlink("%s/f%07d" % (self.path, i))
                except OSError:
                    pass
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                continue
