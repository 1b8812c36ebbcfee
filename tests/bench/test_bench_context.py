"""Context construction: certcore against the stdlib, same run.

``create_default_context()`` after the first call shares the process-wide system store (no
bundle re-read): target 20x the stdlib's. The first call reads the bundle once, as the stdlib
does every time (measured in fresh interpreters). ``SSLContext(PROTOCOL_TLS_CLIENT)``: target
no slower than the stdlib's.

Run: pytest tests/bench/test_bench_context.py --benchmark-enable
"""
import ssl
import statistics
import subprocess
import tempfile
import sys

import certcore


def test_create_default_context(compare):
    certcore.create_default_context()   # the first call builds the shared system store
    compare("create_default_context() (warm)", certcore.create_default_context, ssl.create_default_context,
            target=20, check_same=False)


def test_sslcontext_client(compare):
    compare("SSLContext(PROTOCOL_TLS_CLIENT)", certcore.SSLContext, ssl.SSLContext, (ssl.PROTOCOL_TLS_CLIENT,),
            target=1, check_same=False)


FIRST = """
import time, sys
import {mod} as lib
t = time.perf_counter_ns()
lib.create_default_context()
print(time.perf_counter_ns() - t)
"""


def _first_call_ns(mod):
    # cwd outside the checkout: "-c" puts the cwd first on sys.path, and the checkout's _certcore
    # has no built modules when certcore is installed (as in CI)
    proc = subprocess.run([sys.executable, "-c", FIRST.format(mod=mod)], capture_output=True, text=True,
                          cwd=tempfile.gettempdir())
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout)


def test_create_default_context_first_call(record_ratio):
    # correctness in every run: the first call trusts what the stdlib's trusts
    ours = certcore.create_default_context()
    assert ours.cert_store_stats() == ssl.create_default_context().cert_store_stats()
    if not record_ratio.enabled:
        return
    mine, theirs = [], []
    for _ in range(7):   # interleaved fresh interpreters
        mine.append(_first_call_ns("certcore"))
        theirs.append(_first_call_ns("ssl"))
    record_ratio("create_default_context() (first call)", "stdlib", statistics.median(mine),
                 statistics.median(theirs), 1)
