"""TLS faults: a small peer that misbehaves on purpose, against certcore as client and as
server, in blocking, timeout and non-blocking modes.

Each case must end in a clean exception (an OSError: ssl.SSLError and its subclasses,
socket.timeout/TimeoutError, ConnectionError) within its time bound, leave no file
descriptor open (/proc/self/fd is counted around it) and leave the process healthy (a good
handshake still works afterwards). Every case also runs against CPython's own ssl as a control:
for the deterministic faults certcore must raise the same exception class as the stdlib (on
3.11, the version certcore mirrors).

Faults (what the peer does once the TCP connection is up):
    close      reads the first flight, then closes (mid-handshake)
    garbage    reads the first flight, answers with non-TLS bytes, closes
    truncated  reads the first flight, sends part of a TLS record, closes
    stall      reads the first flight and says nothing (closes only after STALL_HOLD seconds)
    oversized  reads the first flight, sends a record header longer than TLS allows
    reset      reads the first flight, then resets the connection (RST via SO_LINGER 0)
"""
import gc
import os
import select
import socket
import ssl
import struct
import sys
import threading
import time

import pytest

import certcore
from helpers.loops import Material  # (certificates made with `cryptography`)

FAULTS = ["close", "garbage", "truncated", "stall", "oversized", "reset"]
MODES = ["blocking", "timeout", "nonblocking"]
TIMEOUT = 0.5        # the socket timeout in "timeout" mode, the wait budget in "nonblocking"
STALL_HOLD = 1.5     # how long a stalling peer holds the connection before closing
BOUND = 6.0          # no case may take longer than this
DETERMINISTIC = {"close", "garbage", "truncated", "oversized"}

IMPLS = {"certcore": certcore, "stdlib": ssl}
_seen = {}  # (fault, role, mode) -> exception class name seen with the stdlib


def fd_count():
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture(scope="module")
def material():
    return Material.get()


def contexts(mod, m):
    client = mod.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(m.ca)
    server = mod.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(m.chain, m.key)
    return client, server


def client_hello():
    """A real ClientHello flight (from CPython's ssl over memory BIOs)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    return out.read()


class FaultPeer(threading.Thread):
    """The misbehaving side of one connection (a thread with a plain socket)."""

    def __init__(self, sock, fault, first_flight=None):
        super().__init__(daemon=True)
        self.sock, self.fault, self.first_flight = sock, fault, first_flight
        self.stop = threading.Event()

    def run(self):
        s = self.sock
        try:
            s.settimeout(BOUND)
            if self.first_flight is not None:   # we are the client: speak first
                s.sendall(self.first_flight[: len(self.first_flight) // 2] if self.fault in ("close", "reset")
                          else self.first_flight if self.fault == "stall" else b"")
            else:
                s.recv(65536)                   # we are the server: read the ClientHello
            if self.fault == "garbage":
                s.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + os.urandom(64))
            elif self.fault == "truncated":
                s.sendall(b"\x16\x03\x03\x01\x00" + b"\x02\x00\x00\xfc\x03\x03" + os.urandom(30))
            elif self.fault == "oversized":
                s.sendall(b"\x16\x03\x03" + struct.pack(">H", 2**14 + 2048 + 1) + os.urandom(512))
            elif self.fault == "stall":
                self.stop.wait(STALL_HOLD)
            elif self.fault == "reset":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if self.fault in ("garbage", "truncated", "oversized"):
                time.sleep(0.05)  # let the bytes arrive before the FIN
        except OSError:
            pass
        finally:
            s.close()


def drive(tls, mode):
    """Run the handshake (plus one read) the way each mode does; return the exception raised."""
    try:
        if mode == "nonblocking":
            deadline = time.monotonic() + BOUND - 1
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    r, _, _ = select.select([tls], [], [], max(0.0, deadline - time.monotonic()))
                    if not r:
                        return TimeoutError("non-blocking handshake made no progress (peer stalled)")
                except ssl.SSLWantWriteError:
                    select.select([], [tls], [], max(0.0, deadline - time.monotonic()))
        else:
            tls.do_handshake()
        tls.recv(1)
    except Exception as exc:  # noqa: BLE001 -- classified by the caller
        return exc
    return None


def prepare(sock, mode):
    if mode == "blocking":
        sock.settimeout(None)
    elif mode == "timeout":
        sock.settimeout(TIMEOUT)
    else:
        sock.setblocking(False)


def run_case(mod, role, fault, mode, m):
    client_ctx, server_ctx = contexts(mod, m)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    result = {}

    if role == "client":   # certcore is the client, the peer is a fake server
        def accept():
            conn, _ = listener.accept()
            peer = FaultPeer(conn, fault)
            result["peer"] = peer
            peer.start()
        t = threading.Thread(target=accept, daemon=True)
        t.start()
        sock = socket.create_connection(("127.0.0.1", port))
        t.join(BOUND)
        prepare(sock, mode)
        tls = client_ctx.wrap_socket(sock, server_hostname="localhost", do_handshake_on_connect=False)
    else:                  # certcore is the server, the peer is a fake client
        raw = socket.create_connection(("127.0.0.1", port))
        peer = FaultPeer(raw, fault, first_flight=client_hello())
        result["peer"] = peer
        conn, _ = listener.accept()
        prepare(conn, mode)
        tls = server_ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        peer.start()  # only now: wrapping an already reset socket is a different (stdlib) story
    listener.close()

    start = time.monotonic()
    worker = threading.Thread(target=lambda: result.update(exc=drive(tls, mode)), daemon=True)
    worker.start()
    worker.join(BOUND)
    took = time.monotonic() - start
    assert not worker.is_alive(), f"{role}/{fault}/{mode}: hung for more than {BOUND}s"
    tls.close()
    result["peer"].stop.set()
    result["peer"].join(BOUND)
    return result.get("exc"), took


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("role", ["client", "server"])
@pytest.mark.parametrize("impl", ["stdlib", "certcore"])  # stdlib first: it is the reference
def test_fault(impl, role, fault, mode, material):
    gc.collect()
    before = fd_count()
    exc, took = run_case(IMPLS[impl], role, fault, mode, material)
    gc.collect()
    assert fd_count() == before, f"file descriptors leaked: {before} -> {fd_count()}"
    assert exc is not None, "the handshake succeeded against a misbehaving peer"
    assert isinstance(exc, OSError), f"not a clean exception: {exc!r}"
    assert took < BOUND
    if fault == "stall" and mode == "timeout":
        assert isinstance(exc, (socket.timeout, TimeoutError)), repr(exc)
        assert took < TIMEOUT + 1.0, f"timeout of {TIMEOUT}s fired after {took:.2f}s"
    key = (role, fault, mode)
    if impl == "stdlib":
        _seen[key] = type(exc)
    elif fault in DETERMINISTIC and key in _seen and sys.version_info[:2] == (3, 11):
        # (certcore behaves like 3.11's ssl on every Python; other stdlibs are no reference)
        assert type(exc) is _seen[key], f"certcore raised {exc!r}, the stdlib {_seen[key].__name__}"


@pytest.mark.parametrize("impl", ["stdlib", "certcore"])
def test_still_healthy_after_faults(impl, material):
    """After all the faults, a good handshake and a round trip still work, fds are stable."""
    mod = IMPLS[impl]
    client_ctx, server_ctx = contexts(mod, material)
    gc.collect()
    before = fd_count()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(tls.recv(5))

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    with client_ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as tls:
        tls.sendall(b"hello")
        assert tls.recv(5) == b"hello"
    t.join(BOUND)
    listener.close()
    gc.collect()
    assert fd_count() == before
