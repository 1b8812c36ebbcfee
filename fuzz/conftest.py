"""The replays import certcore: the same guard as tests/conftest.py (helpers/checkout.py)."""
from helpers import checkout


def pytest_configure(config):
    checkout.require_a_built_certcore()
