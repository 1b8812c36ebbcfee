"""Benchmarks: certcore against the stdlib (or another peer), same run, same machine.

A benchmark test calls ``compare(name, ours, theirs, args, target=...)``:

* in a normal test run (``--benchmark-disable``, the default in pyproject.toml) both sides are
  called once and must give the same outcome -- a benchmark is also a correctness check;
* with benchmarks enabled (``ci/bench``), pytest-benchmark times certcore's side (its table and
  ``--benchmark-json`` hold those numbers), and both sides are then timed in *interleaved*
  rounds -- ours, theirs, theirs, ours, ... -- so that machine noise hits both alike. The
  ratio of the medians (theirs / ours, so >1 means certcore is faster) is printed in a table
  at the end, with the target the issue set. Timing never fails a test.
"""
import statistics
import time

import pytest

from helpers.outcome import outcome

_RESULTS = []

ROUNDS = 31


def _per_call_ns(func, args, number):
    t0 = time.perf_counter_ns()
    for _ in range(number):
        func(*args)
    return (time.perf_counter_ns() - t0) / number


def _calls_per_round(func, args):
    """Enough calls that one round takes about 2 ms."""
    number = 1
    while True:
        if _per_call_ns(func, args, number) * number > 2_000_000 or number >= 1 << 20:
            return number
        number *= 4


def interleaved_medians(ours, theirs, args, rounds=ROUNDS):
    number = max(_calls_per_round(ours, args), 1)
    if theirs is not None:
        number = min(number, _calls_per_round(theirs, args)) or 1
    mine, other = [], []
    for i in range(rounds):
        # the side that goes first alternates: a round can leave caches or the allocator in a
        # state that favours whatever runs next
        if theirs is not None and i % 2:
            other.append(_per_call_ns(theirs, args, number))
        mine.append(_per_call_ns(ours, args, number))
        if theirs is not None and not i % 2:
            other.append(_per_call_ns(theirs, args, number))
    return statistics.median(mine), (statistics.median(other) if other else None)


@pytest.fixture
def compare(benchmark, request):
    enabled = not benchmark.disabled

    def run(name, ours, theirs, args=(), target=None, peer="stdlib", check_same=True):
        if theirs is not None and check_same:
            assert outcome(ours, *args) == outcome(theirs, *args), name
        if not enabled:
            benchmark(ours, *args)
            return
        benchmark.group = name
        benchmark(ours, *args)
        ours_ns, theirs_ns = interleaved_medians(ours, theirs, args)
        _RESULTS.append((name, peer, ours_ns, theirs_ns, target))

    return run


@pytest.fixture
def record_ratio(request):
    """record_ratio(name, peer, ours_ns, theirs_ns, target): a ratio measured by the test itself
    (e.g. threads against one thread), printed in the same table. A no-op unless enabled."""

    def record(name, peer, ours_ns, theirs_ns, target=None):
        _RESULTS.append((name, peer, ours_ns, theirs_ns, target))

    # the same switch as pytest-benchmark's: --benchmark-enable wins over the addopts' --benchmark-disable
    opt = request.config.getoption
    record.enabled = bool(opt("benchmark_enable", False)) or not opt("benchmark_disable", False)
    return record


def pytest_terminal_summary(terminalreporter):
    if not _RESULTS:
        return
    tr = terminalreporter
    tr.section("certcore vs peers (medians of interleaved rounds; ratio = peer / certcore)")
    tr.write_line(f"{'benchmark':<52} {'peer':<14} {'certcore':>11} {'peer time':>11} {'ratio':>8}  target")
    for name, peer, ours, theirs, target in _RESULTS:
        if theirs is None:
            tr.write_line(f"{name:<52} {peer:<14} {ours:>9.0f}ns {'-':>11} {'-':>8}")
            continue
        ratio = theirs / ours
        verdict = "" if target is None else (f"{target:g}x met" if ratio >= target else f"{target:g}x MISSED")
        tr.write_line(f"{name:<52} {peer:<14} {ours:>9.0f}ns {theirs:>9.0f}ns {ratio:>7.1f}x  {verdict}")
