"""CPython 3.11's ``ssl`` as a test oracle, on every Python certcore supports.

certcore must behave like CPython 3.11's ``ssl`` everywhere, including on 3.12+ where the stdlib
no longer has ``match_hostname``. Tests therefore ask an *oracle* for the stdlib's outcome:

* on CPython 3.11 the oracle is the in-process ``ssl`` module;
* elsewhere it is a CPython 3.11 interpreter running ``serve()`` in a subprocess, fed pickled
  batches of calls. The interpreter is ``$CERTCORE_ORACLE_PYTHON`` if set, else
  ``python3.11`` on PATH, else pyenv's latest 3.11. Not finding one is an error, not a skip.

The oracle answers with *outcomes* (helpers/outcome.py) recorded with DeprecationWarnings
silenced and ``exc.args`` included; ``outcome(func, *args)`` here records certcore's side the
same way, so a test just compares the two.
"""
import functools
import os
import pickle
import shutil
import struct
import subprocess
import sys

from helpers.outcome import outcome as _outcome

ORACLE_VERSION = (3, 11)
HELPERS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

outcome = functools.partial(_outcome, quiet=True, with_args=True)


def _stdlib_function(name):
    import ssl

    if name == "_test_decode_cert":
        return ssl._ssl._test_decode_cert
    return getattr(ssl, name)


def serve():
    """Subprocess side: read (name, [args...]) batches, write [outcome...] lists."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return
        (size,) = struct.unpack("<Q", header)
        name, calls = pickle.loads(stdin.read(size))
        func = _stdlib_function(name)
        reply = pickle.dumps([outcome(func, *args) for args in calls])
        stdout.write(struct.pack("<Q", len(reply)) + reply)
        stdout.flush()


def find_oracle_python():
    explicit = os.environ.get("CERTCORE_ORACLE_PYTHON")
    if explicit:
        return explicit
    on_path = shutil.which("python3.11")
    if on_path:
        return on_path
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            latest = subprocess.run([pyenv, "latest", "3.11"], capture_output=True, text=True, check=True)
            prefix = subprocess.run(
                [pyenv, "prefix", latest.stdout.strip()], capture_output=True, text=True, check=True
            )
            candidate = os.path.join(prefix.stdout.strip(), "bin", "python3.11")
            if os.path.exists(candidate):
                return candidate
        except (OSError, subprocess.CalledProcessError):
            pass
    raise RuntimeError(
        "no CPython 3.11 found to serve as the ssl oracle: set CERTCORE_ORACLE_PYTHON "
        "to a python3.11 interpreter"
    )


class InProcessOracle:
    kind = "in-process ssl"

    def run(self, name, calls):
        func = _stdlib_function(name)
        return [outcome(func, *args) for args in calls]

    def close(self):
        pass


class SubprocessOracle:
    kind = "CPython 3.11 subprocess"

    def __init__(self, python):
        # -I keeps the oracle's own environment out; it also keeps PYTHONPATH and the script's
        # directory off sys.path, so the command line puts this package's parent there itself.
        serve = "import sys; sys.path.insert(0, sys.argv[1]); from helpers.oracle import serve; serve()"
        self.proc = subprocess.Popen(
            [python, "-I", "-W", "ignore", "-c", serve, HELPERS_ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def run(self, name, calls):
        request = pickle.dumps((name, list(calls)), protocol=4)
        self.proc.stdin.write(struct.pack("<Q", len(request)) + request)
        self.proc.stdin.flush()
        header = self.proc.stdout.read(8)
        if len(header) < 8:
            raise RuntimeError("the oracle subprocess died")
        (size,) = struct.unpack("<Q", header)
        return pickle.loads(self.proc.stdout.read(size))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def make_oracle():
    if sys.version_info[:2] == ORACLE_VERSION and sys.implementation.name == "cpython":
        return InProcessOracle()
    return SubprocessOracle(find_oracle_python())
