"""The certcore a test run imports is a built one, never the bare sources of this checkout.

``python -m pytest`` puts the working directory first on sys.path. In a checkout that was
installed (``pip install .``) rather than built in place, that directory's ``_certcore/`` holds
sources only and would shadow the installed build: every test would fail with
``ModuleNotFoundError: No module named '_certcore.asn1time'``. The conftests call
``require_a_built_certcore()`` from ``pytest_configure``, before any test module is imported: it
sets the checkout aside when a built certcore is importable without it, and otherwise stops the
run with one line saying what to run.
"""
import importlib
import importlib.machinery
import importlib.util
import os
import sys

import pytest

CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NOT_BUILT = ("certcore is not built here: run `pip install .` and then `pytest`, "
             "or `python setup.py build_ext --inplace`")


def package_dir(name):
    """The directory the package ``name`` would be imported from, or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(list(spec.submodule_search_locations)[0])


def compiled_modules(directory):
    return {n[: -len(s)] for n in os.listdir(directory)
            for s in importlib.machinery.EXTENSION_SUFFIXES if n.endswith(s)}


def is_built(directory):
    """True if ``directory`` has a compiled module for each of its ``.pyx`` sources (an
    installed package ships no ``.pyx``, but at least one compiled module)."""
    compiled = compiled_modules(directory)
    return bool(compiled) and {n[:-4] for n in os.listdir(directory) if n.endswith(".pyx")} <= compiled


def _is_checkout(entry):
    return os.path.realpath(entry or os.getcwd()) == os.path.realpath(CHECKOUT)


def use_a_built_certcore():
    """Make ``import certcore`` find a build. Returns None when it does (the checkout's own
    in-place build, or an installed one once the never-built checkout is off sys.path), else
    the one-line message to stop with. A half-built checkout (some modules compiled) is not set
    aside: its owner means to test it, and gets told to finish the build."""
    found = package_dir("_certcore")
    if found is not None and is_built(found):
        return None
    if (found is None or os.path.dirname(found) != os.path.realpath(CHECKOUT)
            or compiled_modules(found)):
        return NOT_BUILT
    sys.path[:] = [entry for entry in sys.path if not _is_checkout(entry)]
    for name in [m for m in sys.modules if m.split(".")[0] in ("certcore", "_certcore")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    found = package_dir("_certcore")
    if found is None or not is_built(found) or package_dir("certcore") is None:
        return NOT_BUILT
    return None


def describe():
    """Where certcore comes from, for pytest's report header."""
    return f"certcore: {package_dir('certcore')}, _certcore: {package_dir('_certcore')}"


def require_a_built_certcore():
    """use_a_built_certcore(), or stop the run with its message."""
    problem = use_a_built_certcore()
    if problem:
        pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)
