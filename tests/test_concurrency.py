"""Concurrency that has crashed TLS bindings over OpenSSL; the scenarios are in
helpers/concurrency.py, each run in its own subprocess: a crash fails the test with its signal
(and every thread's stack), a hang fails it too, and pytest lives on.

1. Context changes while other threads handshake: for every mutating SSLContext method and
   setter of the stdlib's API (concurrency.MUTATIONS; test_every_stdlib_mutator_is_covered keeps
   that list complete), one thread changes the client context, or the server context, in a loop
   while three threads do full handshakes + an echo with it through loopback sockets; and every
   mutation in turn, on each side, under memory-BIO handshakes. OpenSSL frees what a setter
   replaces (the cipher list, the certificate, the ALPN list...) while in-flight handshakes may be
   using it. Handshakes a mutation makes fail legitimately are counted, not failures; some must
   succeed, so a scenario cannot pass by doing nothing.
2. One socket, a reader thread and a writer thread, under a SIGALRM storm (every 0.5 ms, a Python
   handler counting): every byte of a deterministic 200 KB stream per connection must come back,
   in order, exactly once; against a certcore and a stdlib echo server.

CERTCORE_CONC_SECONDS: length of each mutation scenario (default 0.6 s, so about 1.2 s per
method over both sides); CERTCORE_CONC_CONNS: signal-storm connections per run (default 20).
ci/harden runs both longer. Only hangs are timed, with generous guards; speed never decides.
"""
import json
import os
import signal
import ssl
import subprocess
import sys

import pytest

import certcore
from helpers.concurrency import EXCLUDED, HANG, MUTATIONS, STREAM, Env, Kit, base_name, stdlib_mutators

SECONDS = float(os.environ.get("CERTCORE_CONC_SECONDS", "0.6"))
CONNS = int(os.environ.get("CERTCORE_CONC_CONNS", "20"))
TESTS = os.path.dirname(os.path.abspath(__file__))
RUNNER = [sys.executable, "-m", "helpers.concurrency"]    # run in TESTS, which holds helpers/


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return Kit.make(str(tmp_path_factory.mktemp("conc")))


def run_scenario(kit, args, budget):
    """Run one scenario of helpers/concurrency.py in a subprocess importing the same certcore as this
    process; returns its result, or fails the test naming the crash's signal or the hang."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(certcore.__file__)))
    env = dict(os.environ, CERTCORE_CONC_KIT=kit.to_json(),
               PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    args = [str(a) for a in args]
    what = " ".join(args)
    limit = budget + 3 * HANG     # the scenario's own guards fire first, with thread stacks
    try:
        proc = subprocess.run([*RUNNER, *args], cwd=TESTS, env=env, capture_output=True,
                              text=True, timeout=limit)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        pytest.fail(f"HANG: {what}: still running after {limit:.0f}s, killed\n{err[-4000:]}")
    tail = proc.stderr[-6000:]
    if proc.returncode < 0:
        pytest.fail(f"CRASH: {what}: died of {signal.Signals(-proc.returncode).name}\n{tail}")
    if proc.returncode == 3 or "Timeout (" in proc.stderr:
        pytest.fail(f"HANG: {what}: threads did not finish\n{proc.stdout[-2000:]}\n{tail}")
    if proc.returncode != 0:
        pytest.fail(f"{what}: exited with status {proc.returncode}\n{tail}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(what, result)
    assert not result["fatal"], result["fatal"]
    return result


CASES = [(side, name) for name, m in MUTATIONS.items() for side in m.sides]


@pytest.mark.parametrize("side,name", CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_context_mutation_during_handshakes(kit, side, name):
    counts = run_scenario(kit, ["mutate", "certcore", side, name, SECONDS], SECONDS)["counts"]
    assert counts.get("mutations", 0) > 0, counts
    assert counts.get("ok", 0) > 0, f"no handshake succeeded: {counts}"


BIO_CASES = [(side, name) for name in ("set_ciphers", "all") for side in ("client", "server")]


@pytest.mark.parametrize("side,name", BIO_CASES, ids=[f"{s}-{n}" for s, n in BIO_CASES])
def test_context_mutation_during_memory_bio_handshakes(kit, side, name):
    """Memory-BIO handshakes are the fastest (no socket, no server thread), so the most of them
    overlap a mutation: set_ciphers (the cipher list every handshake reads), and every quick
    mutation of the side in turn."""
    seconds = SECONDS if name != "all" else 2 * SECONDS
    counts = run_scenario(kit, ["mutate", "certcore", side, name, seconds, "bio"], seconds)["counts"]
    assert counts.get("mutations", 0) > 0, counts
    assert counts.get("ok", 0) > 0, f"no handshake succeeded: {counts}"


@pytest.mark.parametrize("server", ["certcore", "ssl"])
def test_reader_and_writer_threads_on_one_socket_under_a_signal_storm(kit, server):
    """CONNS connections (TLS 1.3, and 1.2 for every third; half with a timeout, half blocking),
    each with a writer and a reader thread on the one client socket: no crash, no hang, every
    byte back in order exactly once, and the SIGALRM handler really ran."""
    result = run_scenario(kit, ["storm", "certcore", server, CONNS], 5 * CONNS)
    counts = result["counts"]
    assert counts.get("connections", 0) == CONNS, counts
    assert counts.get("bytes checked", 0) == CONNS * STREAM, counts
    assert result["alarms"] > 0, "no SIGALRM was delivered"


def test_every_stdlib_mutator_is_covered():
    covered = {base_name(n) for n in MUTATIONS}
    missing = stdlib_mutators() - covered - set(EXCLUDED)
    assert not missing, f"SSLContext mutators with no concurrency scenario: {sorted(missing)}"


@pytest.mark.parametrize("modname", ["certcore", "ssl"])
def test_mutations_are_valid_calls(kit, modname):
    """Single-threaded: each mutation, in both states, succeeds on the sides it runs on (so the
    scenarios keep their contexts usable), and the stdlib refuses the server-only ones on a
    client context (so leaving those out there is no gap)."""
    mod = certcore if modname == "certcore" else ssl
    for side in ("client", "server"):
        env = Env(mod, kit, side)
        ctx = env.server if side == "server" else env.client
        for m in MUTATIONS.values():
            if m.certcore_only and mod is ssl:
                continue
            if side in m.sides:
                for i in range(2 if m.slow else 3):   # both states, and back
                    m.fn(ctx, i, env)
            elif mod is ssl:
                with pytest.raises(ValueError):
                    m.fn(ctx, 0, env)
