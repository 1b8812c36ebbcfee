"""Leak checks: every certcore API in a loop (100,000 calls; 1,000 TLS connections) must keep
the process's resident memory flat.

    CERTCORE_LEAKCHECK=1 pytest tests/leak        or        pytest -m leak

Method: build the workload, run a warm-up (10% of the iterations: caches, free lists and
allocator arenas settle), read RSS from /proc/self/statm, run the full count, collect garbage,
read RSS again. Growth above the bound fails. A leak of 32 bytes per call is 3 MiB over
100,000 calls; one of 2 KiB per connection is 2 MiB over 1,000 connections.
"""
import gc
import os

import pytest

from helpers import loops

pytestmark = pytest.mark.leak

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024
BOUND = {"calls": 2 * MIB, "connections": 3 * MIB}


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


@pytest.mark.parametrize("name", list(loops.WORKLOADS))
def test_memory_stays_flat(name):
    factory, count = loops.WORKLOADS[name]
    once = factory()
    for _ in range(max(1, count // 10)):
        once()
    gc.collect()
    before = rss()
    for _ in range(count):
        once()
    gc.collect()
    grown = rss() - before
    bound = BOUND["connections" if count == loops.CONNECTIONS else "calls"]
    assert grown <= bound, (f"{name}: RSS grew {grown / MIB:.2f} MiB over {count} iterations "
                            f"(bound {bound / MIB:.0f} MiB)")
