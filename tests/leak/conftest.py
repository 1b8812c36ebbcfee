import os

import pytest


def _enabled(config):
    return os.environ.get("CERTCORE_LEAKCHECK") == "1" or "leak" in (config.option.markexpr or "")


def pytest_collection_modifyitems(config, items):
    """Belt and braces: tests/conftest.py already keeps this directory out of ordinary runs."""
    # (a conftest's collection hook sees every collected item, not only this directory's)
    if not _enabled(config):
        here = os.path.dirname(os.path.abspath(__file__)) + os.sep
        leak = [i for i in items if str(i.fspath).startswith(here)]
        if leak:
            config.hook.pytest_deselected(items=leak)
            items[:] = [i for i in items if not str(i.fspath).startswith(here)]
