import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


def _enabled(config):
    return os.environ.get("CERTCORE_LEAKCHECK") == "1" or "leak" in (config.option.markexpr or "")


def pytest_collection_modifyitems(config, items):
    """The leak loops take a while: they run only when asked for (CERTCORE_LEAKCHECK=1 or -m leak)."""
    if _enabled(config):
        return
    skip = pytest.mark.skip(reason="leak checks run with CERTCORE_LEAKCHECK=1 or pytest -m leak")
    for item in items:
        if "leak" in item.keywords:
            item.add_marker(skip)
