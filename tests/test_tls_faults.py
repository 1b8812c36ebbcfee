"""Faults: the peer vanishes mid-handshake, sends garbage or a truncated record, never answers,
closes without close_notify -- clean exceptions, no hang, no leaked file descriptors."""
import gc
import os
import socket
import ssl
import struct
import sys
import threading
import time

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer, count_fds

pki = get_pki()


def ctx():
    return certcore.create_default_context(cafile=pki.ca)


class RawServer:
    """Plain TCP server running ``behaviour(conn)`` per connection (no TLS)."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.addr = self.sock.getsockname()
        self.conns = []
        self.active = 0
        self.cond = threading.Condition()

    def wait_idle(self, timeout=10):
        """Wait until every accepted connection has been handled and closed server-side."""
        with self.cond:
            self.cond.wait_for(lambda: self.active == 0, timeout)

    def __enter__(self):
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()
        return self

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            with self.cond:
                self.active += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            self.behaviour(conn)
        except OSError:
            pass
        finally:
            conn.close()
            with self.cond:
                self.active -= 1
                self.cond.notify_all()

    def __exit__(self, *exc):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # wakes the blocked accept() on Linux
        except OSError:
            pass
        self.sock.close()
        self.t.join(5)
        for c in self.conns:
            c.close()


def read_client_hello(conn):
    conn.settimeout(5)
    return conn.recv(65536)


def close_mid_handshake(conn):
    read_client_hello(conn)
    conn.close()


def send_garbage(conn):
    read_client_hello(conn)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\x00" * 100)
    conn.close()


def truncated_record(conn):
    read_client_hello(conn)
    # a handshake record header announcing 2000 bytes, followed by only 10
    conn.sendall(struct.pack("!BHH", 22, 0x0303, 2000) + b"\x02" * 10)
    conn.shutdown(socket.SHUT_WR)
    time.sleep(0.2)
    conn.close()


def reset(conn):
    read_client_hello(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.mark.parametrize("behaviour,expected", [
    # (3.9 ignores unexpected EOFs, so the close reads as a clean one there)
    (close_mid_handshake, (ssl.SSLEOFError, ConnectionResetError, BrokenPipeError)
     + ((ssl.SSLZeroReturnError,) if sys.version_info < (3, 10) else ())),
    (send_garbage, (ssl.SSLError,)),
    (truncated_record, (ssl.SSLEOFError, ssl.SSLError)),
    (reset, (ConnectionResetError, ssl.SSLEOFError, BrokenPipeError)),
], ids=["close", "garbage", "truncated", "reset"])
def test_peer_faults_during_handshake(behaviour, expected):
    with RawServer(behaviour) as srv:
        gc.collect()
        before = count_fds()
        for _ in range(3):
            raw = socket.create_connection(srv.addr, timeout=5)
            with pytest.raises(expected) as ei:
                ctx().wrap_socket(raw, server_hostname="localhost")
            assert raw.fileno() == -1
        srv.wait_idle()
        gc.collect()
        assert count_fds() == before
    if behaviour is send_garbage:
        assert ei.value.reason == "WRONG_VERSION_NUMBER"
        assert ei.value.library == "SSL"


@pytest.mark.skipif(sys.version_info < (3, 10), reason="3.9's ssl maps these differently (not 3.11)")
def test_same_exceptions_as_stdlib():
    import re

    def describe(lib, behaviour):
        with RawServer(behaviour) as srv:
            raw = socket.create_connection(srv.addr, timeout=5)
            c = lib.create_default_context(cafile=pki.ca)
            try:
                c.wrap_socket(raw, server_hostname="localhost")
            except Exception as e:
                return (type(e), re.sub(r"_ssl\.c:\d+", "N", str(e)), e.args[0],
                        getattr(e, "library", "-"), getattr(e, "reason", "-"))

    for behaviour in (send_garbage, close_mid_handshake):
        assert describe(certcore, behaviour) == describe(ssl, behaviour)


def test_never_answers_timeout_fires_no_leak():
    hold = threading.Event()
    with RawServer(lambda conn: hold.wait(10)) as srv:
        gc.collect()
        before = count_fds()
        t0 = time.monotonic()
        raw = socket.create_connection(srv.addr, timeout=0.3)
        with pytest.raises(socket.timeout):
            ctx().wrap_socket(raw, server_hostname="localhost")
        assert 0.25 < time.monotonic() - t0 < 3
        hold.set()
        srv.wait_idle()
        gc.collect()
        assert count_fds() == before


def test_close_without_close_notify_then_errors_are_clean():
    def handler(s, info):
        s.sendall(b"data")
        s.close()          # no close_notify

    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    gc.collect()
    before = count_fds()
    with TLSServer(sctx, handler) as srv:
        for _ in range(5):
            with socket.create_connection(srv.addr) as raw:
                with ctx().wrap_socket(raw, server_hostname="localhost",
                                       suppress_ragged_eofs=False) as s:
                    assert s.recv(4) == b"data"
                    if sys.version_info < (3, 10):
                        assert s.recv(4) == b""     # 3.9 ignores unexpected EOFs
                    else:
                        with pytest.raises(ssl.SSLEOFError):
                            s.recv(4)
                    with pytest.raises(OSError):
                        for _ in range(50):
                            s.sendall(b"x" * 65536)
                            time.sleep(0.001)
    gc.collect()
    assert count_fds() == before


def test_many_connections_do_not_leak_fds():
    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    with TLSServer(sctx) as srv:
        c = ctx()
        with socket.create_connection(srv.addr) as raw:
            with c.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"x")
                s.recv(1)
        gc.collect()
        gc.collect()
        before = count_fds()
        for i in range(50):
            raw = socket.create_connection(srv.addr)
            s = c.wrap_socket(raw, server_hostname="localhost")
            s.sendall(b"y")
            assert s.recv(1) == b"y"
            if i % 2:
                s.close()
            else:
                del s      # dropped without close(): the socket finaliser closes the fd
        gc.collect()
        assert count_fds() == before


@pytest.mark.skipif(sys.version_info[:3] != (3, 11, 7), reason="exact _ssl.c line numbers are 3.11.7's")
def test_messages_byte_identical_to_3_11_7():
    from helpers.tlspeers import TLSServer as _S

    def handler(s, info):
        s.sendall(b"x")
        s.shutdown(socket.SHUT_RDWR)

    def run(lib):
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(*pki.ecdsa)
        out = []
        with _S(sctx, handler) as srv:
            c = lib.create_default_context(cafile=pki.ca)
            with c.wrap_socket(socket.create_connection(srv.addr), server_hostname="localhost",
                               suppress_ragged_eofs=False) as s:
                s.recv(1)
                for op in (lambda: s.recv(1), lambda: [s.sendall(b"x" * 65536) for _ in range(100)]):
                    try:
                        op()
                    except Exception as e:
                        out.append((type(e), e.args))
                    time.sleep(0.1)
        a, b = socket.socketpair()
        with a, b:
            for side, proto in ((False, ssl.PROTOCOL_TLS_SERVER), (True, ssl.PROTOCOL_TLS_CLIENT)):
                try:
                    c = lib.SSLContext(proto)
                    c.check_hostname = False
                    c.wrap_socket(socket.socket(fileno=os.dup(a.fileno())), server_side=side)
                except Exception as e:
                    out.append((type(e), e.args))
        return out

    assert run(certcore) == run(ssl)


def test_signal_interrupts_blocking_read_and_handshake():
    import signal

    class Interrupted(Exception):
        pass

    def on_alarm(signum, frame):
        raise Interrupted()

    hold = threading.Event()
    old = signal.signal(signal.SIGALRM, on_alarm)
    main = threading.get_ident()

    def alarm_main_thread_soon():
        # pthread_kill: the signal must hit the thread blocked in OpenSSL, not a server thread
        t = threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGALRM))
        t.daemon = True
        t.start()

    try:
        # a blocking handshake against a silent peer, then a blocking read on a silent TLS peer
        with RawServer(lambda conn: hold.wait(10)) as srv:
            raw = socket.create_connection(srv.addr)
            alarm_main_thread_soon()
            with pytest.raises(Interrupted):
                ctx().wrap_socket(raw, server_hostname="localhost")
            hold.set()
        hold.clear()
        sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(*pki.ecdsa)
        with TLSServer(sctx, lambda s, i: hold.wait(10)) as srv2:
            with socket.create_connection(srv2.addr) as raw:
                with ctx().wrap_socket(raw, server_hostname="localhost") as s:
                    alarm_main_thread_soon()
                    with pytest.raises(Interrupted):
                        s.recv(10)
            hold.set()
    finally:
        hold.set()
        signal.signal(signal.SIGALRM, old)
