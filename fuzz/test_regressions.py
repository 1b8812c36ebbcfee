"""Replay every committed fuzz input (the seed corpora and fuzz/regressions/) through the
targets' ``check`` as plain pytest cases: a finding, once fixed, stays fixed.

    pytest fuzz/test_regressions.py          (ci/harden and ci/asan run it)

fuzz/regressions/<target>/<name> holds inputs that once failed (see docs/HARDENING.md for the
story of each). A target whose API is not there yet is skipped, not failed.
"""
import importlib
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TARGETS = {
    "match_hostname": "fuzz_match_hostname",
    "cert_time": "fuzz_cert_time",
    "pem_der": "fuzz_pem_der",
    "pem_bundle": "fuzz_pem_bundle",
    "decode_cert": "fuzz_decode_cert",
    "cert_match_hostname": "fuzz_cert_match_hostname",
    "tls_client": "fuzz_tls_client",
    "tls_server": "fuzz_tls_server",
}


def inputs():
    for target in sorted(TARGETS):
        for kind in ("regressions", "corpus"):
            d = os.path.join(HERE, kind, target)
            if os.path.isdir(d):
                for name in sorted(os.listdir(d)):
                    yield pytest.param(target, os.path.join(d, name), id=f"{target}/{kind}/{name}")


_ready = {}


def target_module(target):
    if target not in _ready:
        mod = importlib.import_module(TARGETS[target])
        try:
            mod.setup()
            _ready[target] = (mod, None)
        except SystemExit:  # the target's "missing API" exit
            _ready[target] = (mod, "API not implemented yet")
    mod, why = _ready[target]
    if why:
        pytest.skip(f"{target}: {why}")
    return mod


@pytest.mark.parametrize("target,path", list(inputs()))
def test_replay(target, path):
    mod = target_module(target)
    with open(path, "rb") as f:
        mod.check(f.read())
