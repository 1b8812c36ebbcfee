import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from oracle import make_oracle  # noqa: E402


@pytest.fixture(scope="session")
def oracle():
    """CPython 3.11's ssl (in-process on 3.11, a 3.11 subprocess elsewhere); see oracle.py."""
    o = make_oracle()
    yield o
    o.close()
