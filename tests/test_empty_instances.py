"""No certcore class crashes when used empty: made by ``cls.__new__(cls)``, or through a Python
subclass whose ``__init__`` does not call the base's.

Every class that certcore and the ``_certcore`` modules define (public or ``_single``-underscore,
exceptions aside; the stdlib classes certcore re-exports are not its own) is walked in a
subprocess of its own, so that a crash fails one test with the signal and the member that raised
it instead of killing the run. The walk reads every attribute and calls every method (with no
argument, then, on TypeError, with each of a few plausible ones), and tries repr, str, hash,
==, !=, pickle and copy. Any Python exception is an acceptable answer; a signal or a hang is not.
A class whose ``__new__`` refuses to make an empty instance passes as it is.

Run directly (``python test_empty_instances.py MODE MODULE QUALNAME``) this file is the walker.
"""
import copy
import faulthandler
import importlib
import inspect
import json
import os
import pickle
import pkgutil
import signal
import subprocess
import sys
import warnings

import pytest

# Each walk is one subprocess; a walk that has not finished in this time is a hang.
WALK_TIMEOUT = 60

# The arguments tried, one at a time, when a member called with none raises TypeError.
PLAUSIBLE_ARGS = ("x", b"x", 0)

# Members never called (their reads still happen where they are attributes).
NOT_CALLED = {
    "__new__": "the walk's own way of making the instance, called first",
    "__init__": "would fill the empty instance: it is called last instead",
}

REQUIRED = {"Certificate", "SSLSession", "TLSConnection", "MemoryBIO", "ContextCore", "SSLContext",
            "SSLSocket", "SSLObject"}


# ------------------------------------------------------------------------------------------
# The classes

def _own(obj):
    """A class certcore defines (not an exception, not a re-exported stdlib class)."""
    return (isinstance(obj, type) and not issubclass(obj, BaseException)
            and obj.__module__.split(".")[0] in ("certcore", "_certcore"))


def _modules():
    import _certcore
    import certcore

    yield certcore
    for package in (certcore, _certcore):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name != "__main__":    # importing it runs the command line
                yield importlib.import_module(f"{package.__name__}.{info.name}")


def own_classes():
    """Every class certcore defines that its modules make reachable, each once, by name."""
    found = {}
    for module in _modules():
        for name in dir(module):
            if name.startswith("__"):
                continue
            obj = getattr(module, name)
            if _own(obj):
                found[f"{obj.__module__}:{obj.__qualname__}"] = obj
    return dict(sorted(found.items()))


# ------------------------------------------------------------------------------------------
# The walker (runs in the subprocess)

def _step(text):
    """Say what comes next, so that a crash can be pinned on it."""
    print(f"STEP {text}", flush=True)


def _try(text, func, *args):
    _step(text)
    try:
        return True, func(*args)
    except (Exception, SystemExit) as exc:    # noqa: BLE001 -- every Python exception is an answer
        return False, exc   # (argparse's exit()/error() raise SystemExit: an answer, not the end)


def _call(text, func):
    ok, result = _try(f"{text}()", func)
    if not ok and isinstance(result, TypeError):
        for arg in PLAUSIBLE_ARGS:
            _try(f"{text}({arg!r})", func, arg)


def _skip_init(self, *args, **kwargs):
    pass


def _make(cls, mode):
    """(instance, second instance) or (None, why the class has no empty instance)."""
    if mode == "subclass":
        try:
            cls = type(f"Sub{cls.__name__}", (cls,), {"__init__": _skip_init})
        except TypeError as exc:
            return None, f"not subclassable: {exc}"
        make = cls
    else:
        def make():
            return cls.__new__(cls)
    try:
        return make(), make()
    except Exception as exc:    # noqa: BLE001
        return None, f"no empty instance: {type(exc).__name__}: {exc}"


def walk(cls, mode):
    obj, other = _make(cls, mode)
    if obj is None:
        return {"created": False, "why": other, "members": 0}
    members = 0
    _try("repr", repr, obj)
    _try("str", str, obj)
    _try("hash", hash, obj)
    _try("== itself", lambda: obj == obj)
    _try("== another empty one", lambda: obj == other)
    _try("!= another empty one", lambda: obj != other)
    _try("== None", lambda: obj == None)    # noqa: E711 -- the comparison itself is under test
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        ok, data = _try(f"pickle.dumps(protocol={proto})", pickle.dumps, obj, proto)
        if ok:
            _try(f"pickle.loads(protocol={proto})", pickle.loads, data)
    _try("copy.copy", copy.copy, obj)
    _try("copy.deepcopy", copy.deepcopy, obj)
    for name in sorted(set(dir(obj)) - set(NOT_CALLED)):
        members += 1
        ok, value = _try(f"read .{name}", getattr, obj, name)
        static = inspect.getattr_static(obj, name, None)
        if ok and callable(value) and not isinstance(value, type) and not inspect.isdatadescriptor(static):
            _call(f".{name}", value)
    _call(".__init__", obj.__init__)
    return {"created": True, "members": members}


def _main(mode, module, qualname):
    faulthandler.enable()
    warnings.simplefilter("ignore")
    cls = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    print("RESULT " + json.dumps(walk(cls, mode)), flush=True)


# ------------------------------------------------------------------------------------------
# The tests

CLASSES = own_classes()


MODES = {"new": "cls.__new__(cls)", "subclass": "a subclass skipping __init__"}


def test_the_walk_covers_certcores_classes():
    print("walked:", ", ".join(CLASSES))
    names = {cls.__name__ for cls in CLASSES.values()}
    assert names >= REQUIRED, f"walked {sorted(CLASSES)}; missing {sorted(REQUIRED - names)}"


def _last_step(output):
    steps = [line[5:] for line in (output or "").splitlines() if line.startswith("STEP ")]
    return steps[-1] if steps else "(before the walk)"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("key", CLASSES)
def test_empty_instance_does_not_crash(mode, key, tmp_path):
    module, qualname = key.split(":")
    what = f"{key} via {MODES[mode]}"
    try:
        # A scratch directory: methods called with "x" may look for (or make) a file of that name.
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), mode, module, qualname],
                              cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=WALK_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"{what}: no answer within {WALK_TIMEOUT} s, at {_last_step(out)}")
    if proc.returncode < 0:
        pytest.fail(f"{what}: killed by {signal.Signals(-proc.returncode).name} at "
                    f"{_last_step(proc.stdout)}\n{proc.stderr[-3000:]}")
    assert proc.returncode == 0, f"{what}: exit status {proc.returncode}\n{proc.stderr[-3000:]}"
    results = [line[7:] for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert results, f"{what}: the walker reported nothing\n{proc.stderr[-3000:]}"
    result = json.loads(results[-1])
    assert not result["created"] or result["members"] > 0, f"{what}: no members walked"


if __name__ == "__main__":
    _main(*sys.argv[1:])
