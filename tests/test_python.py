"""test_python.py - the CPython implementation (python/) held to C's.

  tests/python.sh CONCLAB_BIN      (ctest: test_python)

For every workload and every model, on small sizes, `conclab-py run`
gives the checksum of `conclab run`'s seq and the same JSON keys as
conclab's run of that model; failed tasks are counted per task and the run
exits 3; Ctrl-C (and SIGTERM) leaves no child process and no file behind;
a bad flag is one line naming it, exit 2, in the words conclab uses.
`conclab run --impl python` becomes conclab-py (the same JSON line, C's
checksum), and says in one line, exit 2, what it cannot find: the script,
its python3, a package; the suite then leaves its C and CPython table out
and says why, and still exits 0.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.path.join(os.path.dirname(HERE), "python", "conclab-py")
C = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CONCLAB_BIN")
MODELS = ("seq", "async", "threaded", "multiproc")
ENV = dict(os.environ, CONCLAB=C or "")

# Small batches of each workload: every model must agree with C's seq.
CASES = [
    ("sleep", ["--tasks", "6", "--delay-ms", "5", "--delay-spread", "7"]),
    ("primes", ["--tasks", "6", "--limit", "20000"]),
    ("http", ["--tasks", "8", "--delay-ms", "2"]),
    ("http", ["--tasks", "6", "--endpoint", "bytes", "--size", "3001"]),
    ("http", ["--tasks", "12", "--delay-ms", "1", "--fail-rate", "0.4",
              "--retries", "2", "--backoff-ms", "1", "--seed", "7"]),
    ("files", ["--tasks", "5", "--size", "70001"]),
    ("pipeline", ["--tasks", "5", "--size", "3000", "--rounds", "2"]),
]


def run(argv, prog=None, **kw):
    """(exit status, stdout, stderr) of conclab-py run (or conclab run)."""
    cmd = [prog or PY, "run"] + argv
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV,
                       timeout=120, **kw)
    return p.returncode, p.stdout, p.stderr


def run_json(argv, prog=None, want=0):
    rc, out, err = run(argv + ["--json"], prog)
    assert rc == want, "%s: exit %d, want %d: %s" % (argv, rc, want, err)
    return json.loads(out)


def children(pid):
    """The pids whose parent is pid, from /proc."""
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(name))
    return kids


def has_files(parent):
    """Whether the run's directory in parent has a file yet: its batch
    has started."""
    return any(os.listdir(os.path.join(parent, d))
               for d in os.listdir(parent))


def default_sigint():
    """A job started in the background of a script inherits SIGINT
    ignored, and python3 then leaves it ignored: give it back."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Server:
    """One `conclab serve --port 0` for the tests that give --url."""

    def __enter__(self):
        self.proc = subprocess.Popen([C, "serve", "--port", "0", "--quiet"],
                                     stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://"), self.url
        return self

    def __exit__(self, *exc):
        self.proc.stdout.close()
        self.proc.terminate()
        self.proc.wait(10)


class Checksums(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__()

    def url(self, wl):
        return ["--url", self.server.url] if wl in ("http", "pipeline") \
            else []

    def test_every_model_agrees_with_c_seq(self):
        for wl, argv in CASES:
            argv = [wl] + argv + self.url(wl)
            rc, out, err = run(argv + ["--json"], C)
            ref = json.loads(out)
            for m in MODELS:
                with self.subTest(workload=wl, model=m, argv=argv):
                    got = run_json(argv + ["--model", m], want=rc)
                    self.assertEqual(got["checksum"], ref["checksum"])
                    for k in ("ok", "failed", "timeouts", "tasks"):
                        self.assertEqual(got[k], ref[k], k)
                    c_keys = list(run_json(argv + ["--model", m], C,
                                           want=rc).keys())
                    py_keys = [k for k in got if k != "impl"]
                    self.assertEqual(py_keys, c_keys)
                    self.assertEqual(got["workload"], wl)
                    self.assertEqual(got["model"], m)

    def test_async_variants_agree(self):
        """run_in_executor (--offload), the blocking pitfall, and a set
        executor size compute the same values."""
        for wl, argv, extra in (
                ("primes", ["--tasks", "5", "--limit", "9000"],
                 ["--offload"]),
                ("pipeline", ["--tasks", "4", "--size", "2000",
                              "--rounds", "2"], ["--offload"]),
                ("sleep", ["--tasks", "4", "--delay-ms", "3"],
                 ["--blocking-in-loop"]),
                ("files", ["--tasks", "4", "--size", "1000"],
                 ["--threadpool", "2"])):
            argv = [wl] + argv + self.url(wl)
            ref = run_json(argv, C)["checksum"]
            with self.subTest(workload=wl, extra=extra):
                got = run_json(argv + ["--model", "async"] + extra)
                self.assertEqual(got["checksum"], ref)
                if extra[0] == "--offload":
                    self.assertEqual(got["variant"], "offload")

    def test_uvloop(self):
        try:
            import uvloop  # noqa: F401
        except ImportError:
            self.skipTest("no python3-uvloop")
        argv = ["http", "--tasks", "5", "--delay-ms", "2"] + self.url("http")
        ref = run_json(argv, C)["checksum"]
        got = run_json(argv + ["--model", "async", "--loop", "uvloop"])
        self.assertEqual(got["checksum"], ref)

    def test_own_server_and_directory(self):
        """Without --url it starts conclab serve; the directory goes."""
        with tempfile.TemporaryDirectory() as tmp:
            argv = ["--tasks", "3", "--size", "500", "--rounds", "1",
                    "--dir", tmp]
            got = run_json(["pipeline"] + argv)
            ref = run_json(["pipeline"] + argv, C)
            self.assertEqual(got["checksum"], ref["checksum"])
            self.assertTrue(got["url"].startswith("http://127.0.0.1:"))
            self.assertEqual(os.listdir(tmp), [])

    def test_same_version_and_schema(self):
        got = run_json(["sleep", "--tasks", "1", "--delay-ms", "0"])
        ref = run_json(["sleep", "--tasks", "1", "--delay-ms", "0"], C)
        self.assertEqual(got["schema"], ref["schema"])
        self.assertEqual(got["conclab_version"], ref["conclab_version"])


class Errors(unittest.TestCase):
    def test_failed_tasks_counted_exit_3(self):
        """--fail-rate with no retries: each failure stays in its slot;
        the batch finishes, exit 3, one line on stderr."""
        with Server() as s:
            argv = ["http", "--tasks", "16", "--delay-ms", "1",
                    "--fail-rate", "0.5", "--retries", "0", "--url", s.url]
            ref = run_json(argv, C, want=3)
            self.assertGreater(ref["failed"], 0)
            for m in MODELS:
                with self.subTest(model=m):
                    rc, out, err = run(argv + ["--model", m, "--json"])
                    self.assertEqual(rc, 3, err)
                    got = json.loads(out)
                    self.assertEqual(got["failed"], ref["failed"])
                    self.assertEqual(got["ok"] + got["failed"], 16)
                    self.assertEqual(got["http_errors"] + got["conn_errors"],
                                     got["failed"])
                    self.assertEqual(got["checksum"], ref["checksum"])
                    lines = err.strip().splitlines()
                    self.assertEqual(len(lines), 1, err)
                    self.assertRegex(lines[0],
                                     r"^conclab-py: http: task \d+: GET ")

    def test_timeouts_counted(self):
        with Server() as s:
            for m in MODELS:
                with self.subTest(model=m):
                    got = run_json(["http", "--tasks", "2", "--endpoint",
                                    "stall", "--timeout-ms", "100", "--url",
                                    s.url, "--model", m], want=3)
                    self.assertEqual(got["timeouts"], 2)

    def test_bad_flags_one_line_exit_2(self):
        cases = [["sleep", "--tasks", "0"], ["sleep", "--tasks", "x1"],
                 ["sleep", "--tasks", "1", "--tasks", "2"],
                 ["sleep", "--model", "fast"], ["sleep", "--limit", "5"],
                 ["nosuch"], [], ["http", "--endpoint", "bytes",
                                  "--delay-ms", "5"],
                 ["http", "--fail-rate", "1.5"], ["http", "--url", "ftp://x"],
                 ["primes", "--tasks", "10", "--limit", "5"],
                 ["primes", "--offload"], ["files", "--threadpool", "4"],
                 ["sleep", "--model", "threaded", "--concurrency", "20001"],
                 ["http", "--endpoint", "stall"]]
        for argv in cases:
            with self.subTest(argv=argv):
                rc, out, err = run(argv)
                self.assertEqual(rc, 2)
                self.assertEqual(out, "")
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertTrue(err.startswith("conclab-py: "), err)
                _, _, c_err = run(argv, C)
                self.assertEqual(err[len("conclab-py: "):],
                                 c_err[len("conclab: "):])
        for argv in (["sleep", "--timeout-ms", "5"],
                     ["sleep", "--trace", "x"]):
            rc, out, err = run(argv)
            self.assertEqual((rc, len(err.splitlines())), (2, 1), err)
            self.assertRegex(err, "^conclab-py: --t")
        # libcurl is C's: CPython has only its own clients
        rc, out, err = run(["http", "--client", "curl"])
        self.assertEqual((rc, len(err.splitlines())), (2, 1), err)
        self.assertIn("--client: unknown client 'curl' (allowed: native)", err)


def c_run(argv, env=None):
    """(exit status, stdout, stderr) of conclab run (argv after "run")."""
    p = subprocess.run([C, "run"] + argv, capture_output=True, text=True,
                       env=env or os.environ, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Impl(unittest.TestCase):
    """conclab run --impl python, and what the suite does without it."""

    def test_impl_python_agrees_with_c(self):
        for wl, argv in (CASES[1], CASES[2]):
            with self.subTest(workload=wl):
                rc, out, err = c_run([wl] + argv + ["--model", "threaded",
                                                    "--json"])
                self.assertEqual(rc, 0, err)
                c = json.loads(out)
                rc, out, err = c_run([wl, "--impl", "python"] + argv +
                                     ["--model", "threaded", "--json"])
                self.assertEqual(rc, 0, err)
                py = json.loads(out)
                self.assertTrue(py["impl"].startswith("CPython "))
                self.assertNotIn("impl", c)
                self.assertEqual(py["checksum"], c["checksum"])
                self.assertEqual(py["tasks"], c["tasks"])

    def one_line(self, argv, env, *words):
        rc, out, err = c_run(argv, dict(os.environ, **env))
        self.assertEqual(rc, 2, err)
        self.assertEqual(out, "")
        self.assertEqual(err.count("\n"), 1, err)
        self.assertTrue(err.startswith("conclab: --impl"), err)
        for w in words:
            self.assertIn(w, err)

    def test_missing_pieces_one_line_exit_2(self):
        argv = ["primes", "--tasks", "2", "--limit", "100", "--impl",
                "python"]
        with tempfile.TemporaryDirectory() as tmp:
            self.one_line(argv, {"CONCLAB_PY": tmp + "/none"},
                          "CONCLAB_PY=" + tmp + "/none",
                          "No such file or directory")
            script = os.path.join(tmp, "conclab-py")
            with open(script, "w") as f:
                f.write("#!%s/python3\n" % tmp)
            self.one_line(argv, {"CONCLAB_PY": script}, tmp + "/python3",
                          "install python3")
            # a python3 without the packages: it says what it lacks
            fake = os.path.join(tmp, "python3")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\necho 'python3 lacks aiohttp' >&2\n"
                        "exit 1\n")
            os.chmod(fake, 0o755)
            self.one_line(argv, {"CONCLAB_PY": script},
                          "python3 lacks aiohttp", "python3-aiohttp")
        self.one_line(["primes", "--impl", "ruby"], {},
                      "unknown implementation 'ruby'", "c, python")

    def test_suite_without_python_says_why(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run(
                [C, "suite", "--profile", "smoke", "--serve", "off",
                 "--no-hyperfine", "--out", tmp + "/out"],
                capture_output=True, text=True, timeout=240,
                env=dict(os.environ, CONCLAB_PY=tmp + "/none"))
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(tmp + "/out/README.md") as f:
                readme = f.read()
            self.assertIn("## C and CPython\n\nNot run: CONCLAB_PY=%s/none"
                          % tmp, readme)
            with open(tmp + "/out/data/summary.json") as f:
                cells = json.load(f)["cells"]
            self.assertTrue(cells)
            self.assertFalse([c for c in cells if c["impl"] != "c"])


class Signals(unittest.TestCase):
    def interrupt(self, argv, sig, want_kids, started=None):
        """Start a run, wait for its children, signal it: it dies of the
        signal and leaves no child behind.  The batches would take minutes:
        a run that finished its tasks first would not end within the
        30 s communicate() allows."""
        proc = subprocess.Popen([PY, "run"] + argv, env=ENV,
                                preexec_fn=default_sigint,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        kids, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline:
            kids = children(proc.pid)
            if len(kids) >= want_kids and (started is None or started()):
                break
            time.sleep(0.05)
        time.sleep(0.1)
        kids = children(proc.pid)
        self.assertGreaterEqual(len(kids), want_kids)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, -sig, err)
        self.assertNotIn("Traceback", err)
        time.sleep(0.2)  # a dying child's parent death signal
        self.assertEqual([k for k in kids if alive(k)], [])

    def test_sigint_every_model(self):
        for m in MODELS:
            with self.subTest(model=m), tempfile.TemporaryDirectory() as tmp:
                argv = ["files", "--tasks", "20000", "--size", "100000",
                        "--concurrency", "3", "--dir", tmp, "--model", m]
                self.interrupt(argv, signal.SIGINT,
                               3 if m == "multiproc" else 0,
                               lambda: has_files(tmp))
                self.assertEqual(os.listdir(tmp), [])

    def test_sigint_http_stops_server_and_workers(self):
        for m in ("async", "multiproc"):
            with self.subTest(model=m):
                self.interrupt(["http", "--tasks", "6", "--delay-ms",
                                "60000", "--model", m], signal.SIGINT,
                               1 + (6 if m == "multiproc" else 0))

    def test_sigterm_pipeline(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.interrupt(["pipeline", "--tasks", "2000", "--size", "50000",
                            "--concurrency", "2", "--model", "multiproc",
                            "--dir", tmp], signal.SIGTERM, 3,
                           lambda: has_files(tmp))
            self.assertEqual(os.listdir(tmp), [])


if __name__ == "__main__":
    if not C or not os.access(C, os.X_OK):
        sys.exit("usage: test_python.py CONCLAB_BIN")
    unittest.main(argv=sys.argv[:1], verbosity=2)
