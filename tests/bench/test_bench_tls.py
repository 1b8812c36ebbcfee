"""TLS benchmarks: certcore's client against the stdlib's client, same server, same run.

The server is a certcore server in a thread (GIL released while it works), identical for both
clients, so the ratio measures the client side. Targets (issue 4): bulk 256 MiB TLS 1.3
AES-128-GCM in 64 KiB writes >= stdlib; full TLS 1.3 handshakes (ECDSA P-256, RSA-2048, client
verifying) >= stdlib; resumed handshakes >= 1.5x stdlib.

Measured 2026-11-27 (CPython 3.11.7, OpenSSL 3.0.19, 2 vCPUs shared with other jobs, load 2-12),
ratio = stdlib time / certcore time over several runs: bulk 0.9-1.1x (parity: both are one
SSL_write_ex per 64 KiB, reads land in the caller's buffer); full handshakes 0.98-1.04x; resumed
handshakes over sockets 1.3-1.4x by interleaved rounds, 1.5-1.7x by alternating single calls; over
memory BIOs 1.4-1.8x. The stdlib's session set alone costs ~360 us with an RSA peer (i2d + d2i,
which re-parses the peer certificate) against ~3 us for certcore's SSL_SESSION_dup; the rest of a
resumed handshake (~400-700 us here, both sides, shared server) is common to both.
"""
import os
import socket
import ssl
import threading

import pytest

import certcore
from helpers.tlscerts import get_pki

pki = get_pki()
BULK = 256 << 20
CHUNK = 64 << 10


class Server:
    """certcore server: per connection, handshake, then count bytes until EOF and report."""

    def __init__(self, key, suites=None):
        self.ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(*getattr(pki, key))
        if suites:
            self.ctx.set_ciphersuites(suites)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.addr = self.sock.getsockname()
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        buf = bytearray(1 << 20)
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                s = self.ctx.wrap_socket(conn, server_side=True)
                total = 0
                while True:
                    n = s.recv_into(buf)
                    if not n:
                        break
                    total += n
                    if buf[n - 1:n] == b"!":
                        s.sendall(str(total).encode())
                        break
                s.close()
            except OSError:
                conn.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@pytest.fixture(scope="module")
def servers():
    s = {"ecdsa": Server("ecdsa"), "rsa": Server("rsa"),
         "bulk": Server("ecdsa", "TLS_AES_128_GCM_SHA256")}
    yield s
    for v in s.values():
        v.close()


def client_ctx(lib):
    return lib.create_default_context(cafile=pki.ca)


def bulk(ctx, addr, payload):
    view = memoryview(payload)
    with socket.create_connection(addr) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.cipher()[0] == "TLS_AES_128_GCM_SHA256"
            for _ in range(BULK // CHUNK - 1):
                s.sendall(view)
            s.sendall(payload[:-1] + b"!")
            return int(s.recv(64))


def test_bench_bulk_256mib_tls13_aes128gcm(compare, servers):
    payload = os.urandom(CHUNK).replace(b"!", b"?")
    ours, theirs = client_ctx(certcore), client_ctx(ssl)
    addr = servers["bulk"].addr
    compare("tls: 256 MiB TLS1.3 AES-128-GCM, 64 KiB writes",
            lambda: bulk(ours, addr, payload), lambda: bulk(theirs, addr, payload), target=1.0)


def handshake(ctx, addr, session=None):
    with socket.create_connection(addr) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            return (s.version(), s.session_reused)


@pytest.mark.parametrize("key", ["ecdsa", "rsa"])
def test_bench_full_handshake_tls13(compare, servers, key):
    ours, theirs = client_ctx(certcore), client_ctx(ssl)
    addr = servers[key].addr
    compare(f"tls: full TLS1.3 handshake, {key}, verifying",
            lambda: handshake(ours, addr), lambda: handshake(theirs, addr), target=1.0)


def _session(ctx, addr):
    with socket.create_connection(addr) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"!")
            s.recv(64)       # tickets arrive after the handshake
            return s.session


@pytest.mark.parametrize("key", ["ecdsa", "rsa"])
def test_bench_resumed_handshake_tls13(compare, servers, key):
    ours, theirs = client_ctx(certcore), client_ctx(ssl)
    addr = servers[key].addr
    s_ours, s_theirs = _session(ours, addr), _session(theirs, addr)
    compare(f"tls: resumed TLS1.3 handshake, {key}",
            lambda: handshake(ours, addr, s_ours), lambda: handshake(theirs, addr, s_theirs),
            target=1.5)
    assert handshake(ours, addr, s_ours) == ("TLSv1.3", True)


# --- the same handshakes over memory BIOs: CPU cost only (no sockets, threads or scheduler) ----
def _server_ctx(key):
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*getattr(pki, key))
    return ctx


def bio_handshake(lib, cctx, sctx, session=None, want_session=False):
    c_in, c_out = lib.MemoryBIO(), lib.MemoryBIO()
    s_in, s_out = certcore.MemoryBIO(), certcore.MemoryBIO()
    c = cctx.wrap_bio(c_in, c_out, server_hostname="localhost", session=session)
    s = sctx.wrap_bio(s_in, s_out, server_side=True)
    cdone = sdone = False
    while not (cdone and sdone):
        if not cdone:
            try:
                c.do_handshake()
                cdone = True
            except ssl.SSLWantReadError:
                pass
        s_in.write(c_out.read())
        if not sdone:
            try:
                s.do_handshake()
                sdone = True
            except ssl.SSLWantReadError:
                pass
        c_in.write(s_out.read())
    if want_session:
        try:
            c.read(1)          # processes the TLS 1.3 session tickets
        except ssl.SSLWantReadError:
            pass
        return c.session
    return (c.version(), c.session_reused)


@pytest.mark.parametrize("key", ["ecdsa", "rsa"])
def test_bench_bio_full_handshake_tls13(compare, key):
    sctx = _server_ctx(key)
    ours, theirs = client_ctx(certcore), client_ctx(ssl)
    compare(f"tls: full TLS1.3 handshake, {key}, memory BIO",
            lambda: bio_handshake(certcore, ours, sctx), lambda: bio_handshake(ssl, theirs, sctx),
            target=1.0)


@pytest.mark.parametrize("key", ["ecdsa", "rsa"])
def test_bench_bio_resumed_handshake_tls13(compare, key):
    sctx = _server_ctx(key)
    ours, theirs = client_ctx(certcore), client_ctx(ssl)
    s_ours = bio_handshake(certcore, ours, sctx, want_session=True)
    s_theirs = bio_handshake(ssl, theirs, sctx, want_session=True)
    compare(f"tls: resumed TLS1.3 handshake, {key}, memory BIO",
            lambda: bio_handshake(certcore, ours, sctx, s_ours),
            lambda: bio_handshake(ssl, theirs, sctx, s_theirs), target=1.5)
    assert bio_handshake(certcore, ours, sctx, s_ours) == ("TLSv1.3", True)
