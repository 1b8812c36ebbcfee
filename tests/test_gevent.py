"""certcore under ``gevent.monkey.patch_all()``: its sockets wait through gevent's hub, as the patched
stdlib's do, and keep the stdlib's timeouts.

Each test runs a client script (CLIENT) in a fresh interpreter -- monkey patching has to come before
every other import -- against a stdlib TLS server that runs in threads of this (unpatched) process,
so the server keeps its own pace however long the client's hub is stalled. While the client waits
(for a late reply, a late handshake, a late reader), a ticker greenlet sleeps 10 ms at a time and
the client records the longest gap between its ticks: the hub's longest stall. Each scenario runs in
three modes: ``certcore`` (as a program gets it), ``bypass`` (certcore with its connection's waiter
removed: waits in C, the control that shows the measurement can fail) and ``gevent`` (gevent's own
ssl, the patched stdlib, the reference).
"""
import errno
import json
import os
import re
import socket
import ssl
import subprocess
import tempfile
import sys
import threading
import time

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer, free_port

DELAY = 1.0       # how late the server is
STALL_OK = 0.2    # a cooperative wait lets the 10 ms ticker run well within this (loaded machine)
STALL_BAD = 0.7   # a wait that blocks the hub stalls it for about DELAY
PAYLOAD = 8 << 20
SMALL_BUFFER = 1 << 16

CLIENT = r'''
import gevent.monkey
gevent.monkey.patch_all()

import json
import socket
import ssl
import sys
import time
import traceback

import gevent

import certcore

args = json.loads(sys.argv[1])
port, payload = args["port"], args["payload"]
contexts = {"certcore": certcore.create_default_context(cafile=args["ca"]),
            "gevent": ssl.create_default_context(cafile=args["ca"])}
contexts["bypass"] = contexts["certcore"]
assert type(contexts["gevent"]).__module__ == "gevent.ssl", type(contexts["gevent"])
server_contexts = {"certcore": certcore.SSLContext(certcore.PROTOCOL_TLS_SERVER),
                   "gevent": ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)}
for ctx in server_contexts.values():
    ctx.load_cert_chain(args["chain"], args["key"])
server_contexts["bypass"] = server_contexts["certcore"]


def measure(fn):
    """fn()'s outcome, how long it took and the hub's longest stall meanwhile."""
    gap = [0.0]

    def tick():
        last = time.monotonic()
        while True:
            gevent.sleep(0.01)
            now = time.monotonic()
            gap[0] = max(gap[0], now - last)
            last = now

    ticker = gevent.spawn(tick)
    gevent.sleep(0.03)
    start = time.monotonic()
    try:
        res = {"value": fn()}
    except Exception as exc:
        res = {"error": [type(exc).__name__, str(exc), getattr(exc, "errno", None),
                         isinstance(exc, socket.timeout)]}
    res["elapsed"] = time.monotonic() - start
    gevent.sleep(0.03)     # the ticker's first tick after fn() sees a stall fn() caused
    ticker.kill()
    res["stall"] = gap[0]
    return res


def connect(mode, timeout=None, sndbuf=None):
    """An unshaken TLS socket to the server; in bypass mode the connection waits in C."""
    raw = socket.socket()
    if sndbuf:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    raw.connect(("127.0.0.1", port))
    raw.settimeout(timeout)
    s = contexts[mode].wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
    if mode == "bypass":
        s._sslobj.waiter = None
    return s


def slow_reply(mode):
    with connect(mode) as s:
        s.do_handshake()
        s.sendall(b"ping")
        return measure(lambda: s.recv(100).decode())


def slow_handshake(mode):
    with connect(mode) as s:
        res = measure(s.do_handshake)
        s.sendall(b"echo")
        res["echo"] = s.recv(100).decode()
        return res


def slow_reader(mode):
    with connect(mode, sndbuf=16384) as s:
        s.do_handshake()
        res = measure(lambda: s.sendall(b"x" * payload))
        res["reply"] = s.recv(100).decode()
        return res


def read_timeout(mode):
    with connect(mode) as s:
        s.do_handshake()
        s.settimeout(0.3)
        s.sendall(b"ping")
        return measure(lambda: s.recv(100))


def write_timeout(mode):
    with connect(mode, sndbuf=16384) as s:
        s.do_handshake()
        s.settimeout(0.3)
        return measure(lambda: s.sendall(b"x" * payload))


def handshake_timeout(mode):
    with connect(mode, timeout=0.3) as s:
        return measure(s.do_handshake)


def closed_meanwhile(mode):
    with connect(mode) as s:
        s.do_handshake()
        s.sendall(b"ping")
        gevent.spawn_later(0.3, s.close)
        return measure(lambda: s.recv(100))


def nonblocking_read(mode):
    with connect(mode) as s:
        s.do_handshake()
        s.setblocking(False)
        return measure(lambda: s.recv(100))


listener = None


def slow_client(mode):
    """The server side: accept, handshake and a read that waits for a late request."""
    global listener
    if listener is None:
        listener = socket.socket()
        listener.bind(("127.0.0.1", port))
        listener.listen()
    conn, _ = listener.accept()
    with server_contexts[mode].wrap_socket(conn, server_side=True, do_handshake_on_connect=False) as s:
        if mode == "bypass":
            s._sslobj.waiter = None
        s.do_handshake()
        res = measure(lambda: s.recv(100).decode())
        s.sendall(b"pong")
        return res


results = {}
for mode in args["modes"]:
    try:
        results[mode] = globals()[args["scenario"]](mode)
    except Exception:
        results[mode] = {"crash": traceback.format_exc()}
print(json.dumps(results, default=repr))
'''


@pytest.fixture(scope="module")
def pki():
    return get_pki()


def child_env():
    """The environment of a child interpreter that imports the same certcore as this process (run it
    outside the checkout: `python -c` puts the working directory first on sys.path)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(certcore.__file__)))
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))


def run_client(pki, scenario, port, modes=("certcore", "bypass", "gevent")):
    """CLIENT's results for `scenario`, one per mode, in a fresh interpreter."""
    args = dict(scenario=scenario, port=port, ca=pki.ca, chain=pki.rsa[0], key=pki.rsa[1], payload=PAYLOAD,
                modes=list(modes))
    proc = subprocess.run([sys.executable, "-c", CLIENT, json.dumps(args)], env=child_env(), capture_output=True,
                          text=True, timeout=120, cwd=pki.dir)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    print(scenario, json.dumps(results, indent=1))
    return results


def server_context(pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*pki.rsa)
    return ctx


def serve(pki, handler, wrap=True, rcvbuf=None):
    server = TLSServer(server_context(pki), handler, wrap=wrap)
    if rcvbuf:
        # accepted sockets inherit it: a small window makes a large sendall wait for the reader
        server.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    return server


def check(res, expect):
    """Each mode's outcome passes expect(outcome); certcore's and gevent's waits let the hub run,
    the bypass's (the control) block it. certcore comes first: it is what the test is about."""
    for mode in ("certcore", "gevent", "bypass"):
        if mode not in res:
            continue
        out = res[mode]
        assert "crash" not in out, f"{mode}: {out['crash']}"
        expect(out)
        if mode == "bypass":
            assert out["stall"] > STALL_BAD, f"control: waiting in C should stall the hub: {out}"
        else:
            assert out["stall"] < STALL_OK, f"{mode}: the hub stalled for {out['stall']:.3f}s: {out}"


def late(out):
    """The call did wait for the late peer (whose delay starts a little before the measurement)."""
    assert out["elapsed"] > DELAY / 2, out


def test_slow_read_does_not_stall_the_hub(pki):
    def handler(sock, info):
        data = sock.recv(100)
        time.sleep(DELAY)
        sock.sendall(b"pong:" + data)

    def expect(out):
        assert out.get("value") == "pong:ping", out
        late(out)

    with serve(pki, handler) as server:
        res = run_client(pki, "slow_reply", server.port)
    check(res, expect)
    assert not server.errors, server.errors


def test_handshake_cooperates(pki):
    ctx = server_context(pki)

    def handler(conn, info):
        time.sleep(DELAY)
        with ctx.wrap_socket(conn, server_side=True) as s:
            s.sendall(s.recv(100))

    def expect(out):
        assert "error" not in out and out["echo"] == "echo", out
        late(out)

    with serve(pki, handler, wrap=False) as server:
        res = run_client(pki, "slow_handshake", server.port)
    check(res, expect)
    assert not server.errors, server.errors


def test_sendall_of_a_large_payload_cooperates(pki):
    def handler(sock, info):
        time.sleep(DELAY)
        got = 0
        while got < PAYLOAD:
            data = sock.recv(1 << 20)
            if not data:
                break
            got += len(data)
        sock.sendall(str(got).encode())

    def expect(out):
        assert "error" not in out and out["reply"] == str(PAYLOAD), out
        late(out)

    with serve(pki, handler, rcvbuf=SMALL_BUFFER) as server:
        res = run_client(pki, "slow_reader", server.port)
    check(res, expect)
    assert not server.errors, server.errors


def never_answering_server(pki, wrap=True, rcvbuf=None):
    """A server that reads nothing after the handshake (and does no handshake with wrap=False)
    until the test is over; returns (server, release)."""
    done = threading.Event()

    def handler(sock, info):
        done.wait(10)     # a client that hangs (waiting in C for the hub) is let go after that

    return serve(pki, handler, wrap=wrap, rcvbuf=rcvbuf), done


@pytest.mark.parametrize("scenario,message", [
    ("read_timeout", "The read operation timed out"),
    ("write_timeout", "The write operation timed out"),
    ("handshake_timeout", r"_ssl\.c:\d+: The handshake operation timed out"),
])
def test_timeouts_hold_while_the_hub_runs(pki, scenario, message):
    """settimeout(0.3) on a peer that never answers: the stdlib's TimeoutError (socket.timeout on
    3.9) with its message after about 0.3 s, the same as when certcore waits in C -- and the hub
    keeps ticking meanwhile (in bypass mode it stalls for the 0.3 s)."""
    server, done = never_answering_server(pki, wrap=scenario != "handshake_timeout",
                                          rcvbuf=SMALL_BUFFER if scenario == "write_timeout" else None)
    with server:
        try:
            res = run_client(pki, scenario, server.port, modes=("certcore", "bypass"))
        finally:
            done.set()
    for mode in ("certcore", "bypass"):
        assert "crash" not in res[mode], f"{mode}: {res[mode]['crash']}"
        name, text, _errno, is_timeout = res[mode].get("error") or (None, None, None, False)
        assert is_timeout and name in ("TimeoutError", "timeout"), res[mode]
        assert re.fullmatch(message, text), res[mode]
        assert 0.25 < res[mode]["elapsed"] < 0.3 + STALL_BAD, res[mode]
        if mode == "certcore":
            assert res[mode]["stall"] < STALL_OK, f"the hub stalled for {res[mode]['stall']:.3f}s: {res[mode]}"
    assert res["certcore"]["error"] == res["bypass"]["error"]


def test_close_in_another_greenlet_wakes_the_reader(pki):
    """gevent's rule for its sockets: closing one cancels the waits on it, the waiting greenlet
    gets EBADF instead of staying parked for ever."""
    server, done = never_answering_server(pki)
    with server:
        try:
            res = run_client(pki, "closed_meanwhile", server.port, modes=("certcore", "gevent"))
        finally:
            done.set()

    def expect(out):
        assert out.get("error") is not None and out["error"][2] == errno.EBADF, out
        assert out["elapsed"] < 0.3 + STALL_BAD, out

    check(res, expect)
    assert res["certcore"]["error"] == res["gevent"]["error"]


def test_nonblocking_sockets_still_raise_want_read(pki):
    """A non-blocking socket never waits: SSLWantReadError at once, as without gevent."""
    server, done = never_answering_server(pki)
    with server:
        try:
            res = run_client(pki, "nonblocking_read", server.port, modes=("certcore", "gevent"))
        finally:
            done.set()

    def expect(out):
        assert out.get("error") is not None and out["error"][0] == "SSLWantReadError", out
        assert re.fullmatch(r"The operation did not complete \(read\) \(_ssl\.c:\d+\)", out["error"][1]), out
        assert out["elapsed"] < STALL_OK, out

    check(res, expect)


def test_server_side_waits_cooperate(pki):
    """certcore as the server under gevent: its read of a request that comes DELAY late lets the
    hub run. The clients are stdlib ones in a thread of this process."""
    port = free_port()
    modes = ("certcore", "bypass", "gevent")
    replies, errors = [], []

    def clients():
        ctx = ssl.create_default_context(cafile=pki.ca)
        try:
            for _ in modes:
                deadline = time.monotonic() + 30
                while True:     # until the child listens
                    try:
                        raw = socket.create_connection(("127.0.0.1", port))
                        break
                    except ConnectionRefusedError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.05)
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    time.sleep(DELAY)
                    s.sendall(b"ping")
                    replies.append(s.recv(100))
        except Exception as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=clients, daemon=True)
    thread.start()
    res = run_client(pki, "slow_client", port, modes=modes)
    thread.join(30)

    def expect(out):
        assert out.get("value") == "ping", out
        late(out)

    check(res, expect)
    assert not errors and replies == [b"pong"] * len(modes), (errors, replies)


NO_GEVENT = r'''
import socket
import sys

import certcore

plain = sys.argv[1] == "plain"
if not plain:
    import gevent   # imported, but nothing patched: sockets stay the OS's, as the stdlib's do
a, b = socket.socketpair()
with a, b:
    s = certcore.create_default_context().wrap_socket(a, server_side=False, server_hostname="x",
                                                      do_handshake_on_connect=False)
    print(s._sslobj.waiter, "gevent" in sys.modules)
'''


@pytest.mark.parametrize("mode", ["plain", "gevent-unpatched"])
def test_without_patching_connections_wait_in_c(mode):
    """No waiter (and no import of gevent) unless the socket is gevent's."""
    proc = subprocess.run([sys.executable, "-c", NO_GEVENT, mode], env=child_env(), capture_output=True,
                          text=True, timeout=60, cwd=tempfile.gettempdir())
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.split() == ["None", str(mode != "plain")]


def test_waiter_accepts_callables_only(pki):
    a, b = socket.socketpair()
    with a, b:
        s = certcore.create_default_context(cafile=pki.ca).wrap_socket(
            a, server_hostname="localhost", do_handshake_on_connect=False)
        with s:
            conn = s._sslobj
            assert conn.waiter is None
            with pytest.raises(TypeError, match="waiter must be callable or None, not int"):
                conn.waiter = 1
            conn.waiter = print
            assert conn.waiter is print
            conn.waiter = None
            assert conn.waiter is None
