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


def pytest_ignore_collect(collection_path, config):
    """tests/leak (100,000-call loops, 1,000 TLS connections) runs only when asked for:
    CERTCORE_LEAKCHECK=1 (ci/harden sets it) or -m leak."""
    if collection_path.name == "leak" and collection_path.parent == Path(__file__).parent:
        enabled = os.environ.get("CERTCORE_LEAKCHECK") == "1" or "leak" in (config.option.markexpr or "")
        return not enabled
    return None
