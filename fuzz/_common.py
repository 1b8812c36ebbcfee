"""Shared machinery for certcore's atheris fuzz targets (see docs/HARDENING.md).

Every target module in fuzz/ defines ``check(data: bytes)`` -- one fuzz iteration, raising
``Finding`` (or letting any unexpected exception escape) when something is wrong -- and calls
``main(check, ...)`` under ``if __name__ == "__main__"``.  ``check`` is importable without
atheris running, so fuzz/test_regressions.py replays the corpus and every recorded finding
as ordinary pytest cases.

``outcome`` is the tests' (tests/helpers/outcome.py) with DeprecationWarnings silenced: certcore
raises the stdlib's own exception classes, so outcomes of certcore and of CPython 3.11's ``ssl``
compare directly. The targets run as scripts (atheris, ci/fuzz), so this module puts tests/ on
sys.path for the helpers package itself.
"""
import functools
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(os.path.dirname(HERE), "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from helpers.outcome import outcome as _outcome  # noqa: E402


class Finding(AssertionError):
    """A disagreement with the stdlib or a broken invariant: libFuzzer records the input."""


outcome = functools.partial(_outcome, quiet=True)


def is_value_error(out):
    """True if an outcome is a raised ValueError (subclasses included: UnicodeDecodeError is
    what the stdlib's decoder raises on a non-UTF-8 URI, and certcore matches it)."""
    if out[0] != "raise":
        return False
    import importlib

    module, _, qualname = out[1].rpartition(".")
    try:
        cls = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        return False
    return isinstance(cls, type) and issubclass(cls, ValueError)


def same(label, mine, theirs, data):
    # feedback: which outcome shape was reached (type and the first words of the message)
    feature((label, theirs[0], theirs[1] if theirs[0] == "raise" else type(theirs[1]).__name__,
             theirs[2][:12] if theirs[0] == "raise" else None))
    if mine != theirs:
        raise Finding(
            f"{label}: certcore and the stdlib disagree\n"
            f"  input:    {data!r}\n  certcore: {mine!r}\n  stdlib:   {theirs!r}"
        )


def decode_text(data):
    """Fuzz bytes -> str that can hold any code point, lone surrogates included."""
    return data.decode("utf-8", "surrogateescape")


def instrument(*funcs):
    """Give libFuzzer coverage feedback from the (pure-Python) stdlib oracle functions."""
    import atheris

    for f in funcs:
        try:
            atheris.instrument_func(f)
        except Exception:  # a builtin or already instrumented: no feedback from it, no harm
            pass


def main(check, instrument_funcs=()):
    import atheris

    instrument(check, _feature, *instrument_funcs)
    # libFuzzer runs argv[0] through the shell for -merge=1 (and -fork): make it a command that
    # starts this interpreter on this script, not the bare script name.
    command = shlex.join([sys.executable, os.path.abspath(sys.argv[0])])
    atheris.Setup([command] + sys.argv[1:], check)
    atheris.Fuzz()


def _make_feature(n=256):
    # A function with one branch per bucket: once atheris instruments it, every distinct
    # bucket value is new coverage. It turns progress that happens in native code (which
    # libFuzzer cannot see in a gcc build, and never inside OpenSSL, which is not rebuilt with
    # its coverage hooks) into feedback -- e.g. which error an input reached, how far a
    # handshake got -- so that the fuzzer keeps inputs that get further.
    src = ["def feature(bucket):"]
    src += [f"    if bucket == {i}:\n        return {i}" for i in range(n)]
    src.append("    return -1")
    ns = {}
    exec(compile("\n".join(src), "<feature>", "exec"), ns)
    return ns["feature"]


_feature = _make_feature()


def feature(*values):
    """Report native-side progress (any hashable values) as coverage; see _make_feature."""
    for v in values:
        _feature(v if isinstance(v, int) and 0 <= v < 256 else hash(v) % 256)
