import os
from pathlib import Path

import pytest

from helpers import checkout
from helpers.oracle import make_oracle


def pytest_configure(config):
    checkout.require_a_built_certcore()


def pytest_report_header(config):
    return checkout.describe()


@pytest.fixture(scope="session")
def oracle():
    """CPython 3.11's ssl (in-process on 3.11, a 3.11 subprocess elsewhere); see helpers/oracle.py."""
    o = make_oracle()
    yield o
    o.close()


LEAK = Path(__file__).parent / "leak"


def leak_checks_requested(config):
    """tests/leak (100,000-call loops, 1,000 TLS connections) runs only when asked for:
    CERTCORE_LEAKCHECK=1 (ci/harden sets it) or -m leak."""
    return os.environ.get("CERTCORE_LEAKCHECK") == "1" or "leak" in (config.option.markexpr or "")


def pytest_ignore_collect(collection_path, config):
    if collection_path == LEAK and not leak_checks_requested(config):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """Deselect tests/leak when it or one of its files is named on the command line (paths
    given there are collected without asking pytest_ignore_collect)."""
    if not leak_checks_requested(config):
        leak = [item for item in items if LEAK in item.path.parents]
        if leak:
            config.hook.pytest_deselected(items=leak)
            items[:] = [item for item in items if LEAK not in item.path.parents]
