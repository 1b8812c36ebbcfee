"""Thread stress: many threads sharing one client SSLContext, one server SSLContext and a set
of Certificate objects, connecting (loopback sockets and memory BIOs), verifying (good and bad
hostnames) and decoding at once for a bounded time (CERTCORE_THREAD_SECONDS, default 3).

Checked: no crash, no wrong answer (every peer certificate, decoded dict, fingerprint, verdict
is compared with the value computed single-threaded up front), no deadlock (every thread must
finish within a grace period after the deadline).
"""
import os
import socket
import ssl
import threading
import time

import pytest

import certcore
from helpers.loops import Material, bio_handshake

SECONDS = float(os.environ.get("CERTCORE_THREAD_SECONDS", "3"))
GRACE = 20.0


@pytest.fixture(scope="module")
def world():
    m = Material.get()
    client = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(m.ca)
    server = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(m.chain, m.key)
    with open(m.ca) as f:
        ca_pem = f.read()
    certs = [certcore.Certificate.from_pem(m.pem), certcore.Certificate.from_pem(ca_pem),
             certcore.Certificate.from_der(m.der)]
    expected = [(c.to_dict(), c.fingerprint("sha256"), c.not_after, c.der) for c in certs]
    return m, client, server, certs, expected


class Server:
    """Loopback TLS echo server: an acceptor thread, one handler thread per connection."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.listener.settimeout(0.1)  # close() must not wait on a blocked accept()
        self.stopping = threading.Event()
        self.handlers = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self.handle, args=(conn,), daemon=True)
            t.start()
            self.handlers.append(t)

    def handle(self, conn):
        conn.settimeout(GRACE)  # (accepted sockets inherit the listener's timeout otherwise)
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                while True:
                    data = tls.recv(1024)
                    if not data:
                        break
                    tls.sendall(data)
        except (OSError, ssl.SSLError):
            pass  # clients that fail verification hang up mid-handshake

    def close(self):
        self.stopping.set()
        self.thread.join(GRACE)
        self.listener.close()
        for t in self.handlers:
            t.join(GRACE)


def test_many_threads_share_contexts_and_certificates(world):
    m, client, server, certs, expected = world
    srv = Server(server)
    deadline = time.monotonic() + SECONDS
    errors, counts = [], {}
    lock = threading.Lock()

    def record(kind):
        with lock:
            counts[kind] = counts.get(kind, 0) + 1

    def socket_client(i):
        while time.monotonic() < deadline:
            with socket.create_connection(("127.0.0.1", srv.port), timeout=GRACE) as raw:
                with client.wrap_socket(raw, server_hostname="localhost") as tls:
                    msg = b"thread %d" % i
                    tls.sendall(msg)
                    got = b""
                    while len(got) < len(msg):
                        got += tls.recv(1024)
                    if got != msg:
                        errors.append(f"echo {got!r} != {msg!r}")
                    if tls.getpeercert(True) != m.der:
                        errors.append("wrong peer certificate (binary)")
                    if tls.getpeercert() != expected[0][0]:
                        errors.append("wrong peer certificate (dict)")
            record("socket connections")

    def socket_bad_hostname():
        while time.monotonic() < deadline:
            with socket.create_connection(("127.0.0.1", srv.port), timeout=GRACE) as raw:
                try:
                    client.wrap_socket(raw, server_hostname="wrong.example").close()
                    errors.append("verification passed for a wrong hostname")
                except ssl.SSLCertVerificationError as exc:
                    if exc.verify_code != 62:  # X509_V_ERR_HOSTNAME_MISMATCH
                        errors.append(f"wrong verify_code {exc.verify_code}: {exc}")
            record("rejected connections")

    def bio_client():
        while time.monotonic() < deadline:
            c, s = bio_handshake(client, server)
            if c.getpeercert(True) != m.der:
                errors.append("wrong peer certificate over memory BIO")
            record("memory-BIO handshakes")

    def decoder(i):
        n = 0
        while time.monotonic() < deadline:
            k = (i + n) % len(certs)
            cert = certs[k]
            want = expected[k]
            got = (cert.to_dict(), cert.fingerprint("sha256"), cert.not_after, cert.der)
            if got != want:
                errors.append(f"certificate {k} decodes differently under threads")
            if certcore.decode_cert(cert.der) != want[0]:
                errors.append("decode_cert differs under threads")
            certcore.match_hostname(expected[0][0], "www.example.com")
            try:
                certcore.match_hostname(expected[0][0], "www.example.org")
                errors.append("match_hostname accepted a wrong name")
            except ssl.CertificateError:
                pass
            if k == 0:
                cert.match_hostname("localhost")
            n += 1
            record("decodes")

    def context_reader():
        while time.monotonic() < deadline:
            if client.cert_store_stats()["x509_ca"] != 1:
                errors.append(f"cert_store_stats changed: {client.cert_store_stats()}")
            client.get_ca_certs()
            record("context reads")
            time.sleep(0.001)

    def guarded(fn, *args):
        def run():
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 -- every exception is a failure here
                errors.append(f"{fn.__name__}{args}: {exc!r}")
        return run

    threads = [threading.Thread(target=guarded(socket_client, i)) for i in range(4)]
    threads += [threading.Thread(target=guarded(socket_bad_hostname)) for _ in range(2)]
    threads += [threading.Thread(target=guarded(bio_client)) for _ in range(2)]
    threads += [threading.Thread(target=guarded(decoder, i)) for i in range(4)]
    threads += [threading.Thread(target=guarded(context_reader))]
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join(SECONDS + GRACE)
    stuck = [t for t in threads if t.is_alive()]
    srv.close()
    assert not stuck, f"{len(stuck)} threads deadlocked/hung"
    assert not errors, f"{len(errors)} errors, first: {errors[:5]}"
    print(counts)
    for kind in ("socket connections", "rejected connections", "memory-BIO handshakes", "decodes"):
        assert counts.get(kind, 0) > 0, f"no {kind} completed: {counts}"
