"""Interop with real peers over loopback: CPython's ssl on the other end (in a thread) and
``openssl s_server`` / ``s_client`` subprocesses, both directions."""
import hashlib
import os
import socket
import ssl
import sys
import threading

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import OPENSSL, OpenSSLServer, TLSServer, s_client

pki = get_pki()
needs_openssl_cli = pytest.mark.skipif(OPENSSL is None and not os.environ.get("CI"),
                                       reason="openssl CLI missing (in CI this fails instead)")
KEYS = ["rsa", "ecdsa"]
VERSIONS = [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3]


def std_server_ctx(key="rsa", version=None, client_auth=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*getattr(pki, key))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    if client_auth:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki.ca)
    return ctx


def cc_client_ctx(version=None):
    ctx = certcore.SSLContext(certcore.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca)
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    return ctx


def cc_server_ctx(key="rsa", version=None, client_auth=False):
    ctx = certcore.SSLContext(certcore.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*getattr(pki, key))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    if client_auth:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki.ca)
    return ctx


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_certcore_client_stdlib_server(key, version):
    with TLSServer(std_server_ctx(key, version)) as srv:
        with socket.create_connection(srv.addr) as raw:
            with cc_client_ctx().wrap_socket(raw, server_hostname="localhost") as s:
                assert isinstance(s, ssl.SSLSocket) and isinstance(s, certcore.SSLSocket)
                assert s.version() == {"TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3"}[version.name]
                name, proto, bits = s.cipher()
                assert proto == s.version() and bits >= 128
                assert ("ECDSA" in name) == (key == "ecdsa" and version == ssl.TLSVersion.TLSv1_2)
                s.sendall(b"ping")
                assert s.recv(100) == b"ping"
                cert = s.getpeercert()
                assert cert["subject"][-1] == (("commonName", "localhost"),)
                assert ("DNS", "localhost") in cert["subjectAltName"]
                der = s.getpeercert(True)
                assert ssl.DER_cert_to_PEM_cert(der).strip() == open(getattr(pki, key)[0]).read().strip()
                assert s.server_hostname == "localhost" and not s.server_side
    assert not srv.errors
    assert srv.infos[0]["sni"] == "localhost"


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_stdlib_client_certcore_server(key, version):
    with TLSServer(cc_server_ctx(key, version)) as srv:
        ctx = ssl.create_default_context(cafile=pki.ca)
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"x" * 10000)
                got = b""
                while len(got) < 10000:
                    got += s.recv(65536)
                assert got == b"x" * 10000
                assert s.version() == srv.context.maximum_version.name.replace("v1_", "v1.")
    assert not srv.errors, srv.errors
    info = srv.infos[0]
    assert info["sni"] == "localhost"
    assert info["peercert"] is None   # server did not ask for a client certificate


@pytest.mark.parametrize("server_side_lib", ["stdlib", "certcore"])
def test_client_certificate_required(server_side_lib):
    sctx = (std_server_ctx if server_side_lib == "stdlib" else cc_server_ctx)("ecdsa", client_auth=True)
    with TLSServer(sctx) as srv:
        ctx = cc_client_ctx()
        ctx.load_cert_chain(*pki.client)
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"hi")
                assert s.recv(10) == b"hi"
        # without a client certificate the server refuses (TLS 1.3: seen on first read)
        with socket.create_connection(srv.addr) as raw:
            with cc_client_ctx().wrap_socket(raw, server_hostname="localhost") as s:
                # the server's alert (or its close, if the write races it) ends the connection
                with pytest.raises(OSError):
                    s.sendall(b"hi")
                    s.recv(10)
    peer = srv.infos[0]["peercert"] if "peercert" in srv.infos[0] else srv.infos[1]["peercert"]
    assert ("DNS", "client.example") in peer["subjectAltName"]


def test_alpn_both_ways():
    sctx = cc_server_ctx()
    sctx.set_alpn_protocols(["h2", "http/1.1"])
    with TLSServer(sctx) as srv:
        for lib in (ssl, certcore):
            ctx = lib.create_default_context(cafile=pki.ca)
            ctx.set_alpn_protocols(["foo", "http/1.1"])
            with socket.create_connection(srv.addr) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    assert s.selected_alpn_protocol() == "http/1.1"
        ctx = cc_client_ctx()
        ctx.set_alpn_protocols(["nope"])
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.selected_alpn_protocol() is None
    # the server records each connection when its handler finishes, and handlers run side by side
    assert sorted(str(i["alpn"]) for i in srv.infos) == ["None", "http/1.1", "http/1.1"]
    with pytest.raises(ssl.SSLError, match="ALPN protocols must be 1 to 255 in length"):
        ctx.set_alpn_protocols([""])


def test_sni_callback_switches_context():
    other = cc_server_ctx("ecdsa")
    seen = []

    def cb(sslsock, name, ctx):
        seen.append((type(sslsock).__name__, name, type(ctx).__name__))
        if name == "switch.example":
            sslsock.context = other

    sctx = cc_server_ctx("rsa")
    sctx.sni_callback = cb
    with TLSServer(sctx) as srv:
        for host in ("localhost", "switch.example"):
            ctx = cc_client_ctx()
            ctx.check_hostname = False
            with socket.create_connection(srv.addr) as raw:
                with ctx.wrap_socket(raw, server_hostname=host) as s:
                    der = s.getpeercert(True)
                    want = pki.rsa if host == "localhost" else pki.ecdsa
                    assert ssl.DER_cert_to_PEM_cert(der).strip() == open(want[0]).read().strip()
    assert seen == [("SSLSocket", "localhost", "SSLContext"), ("SSLSocket", "switch.example", "SSLContext")]
    with pytest.raises(ValueError, match="sni_callback cannot be set on TLS_CLIENT context"):
        cc_client_ctx().sni_callback = cb


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_session_resumption(version):
    with TLSServer(std_server_ctx("ecdsa", version)) as srv:
        ctx = cc_client_ctx()
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.session_reused is False
                s.sendall(b"a")
                s.recv(1)        # TLS 1.3 tickets arrive after the handshake
                sess = s.session
        assert isinstance(sess, certcore.SSLSession) and type(sess).__name__ == "SSLSession"
        assert sess.has_ticket and sess.timeout > 0 and sess.id
        for _ in range(3):
            with socket.create_connection(srv.addr) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                    s.sendall(b"b")
                    s.recv(1)
                    assert s.session_reused is True
        # session attribute rules (CPython texts)
        with socket.create_connection(srv.addr) as raw:
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            with s:
                with pytest.raises(ValueError, match="Cannot set session after handshake."):
                    s.session = sess
                with pytest.raises(TypeError, match="Value is not a SSLSession."):
                    s.session = "x"
        other = cc_client_ctx()
        with socket.create_connection(srv.addr) as raw:
            with pytest.raises(ValueError, match="Session refers to a different SSLContext."):
                other.wrap_socket(raw, server_hostname="localhost", session=sess)
    # the server's per-connection records arrive in completion order (one thread each), not in
    # connection order: count them (the client side checked the order above)
    reused = [i.get("session_reused") for i in srv.infos]
    assert reused.count(True) == 3 and reused.count(False) >= 2


def test_unwrap_to_plain_tcp():
    def handler(s, info):
        assert s.recv(5) == b"hello"
        s.sendall(b"world")
        plain = s.unwrap()
        assert plain.recv(9) == b"plaintext"
        plain.sendall(b"PLAIN")

    with TLSServer(std_server_ctx(), handler) as srv:
        with socket.create_connection(srv.addr) as raw:
            s = cc_client_ctx().wrap_socket(raw, server_hostname="localhost")
            s.sendall(b"hello")
            assert s.recv(5) == b"world"
            plain = s.unwrap()
            assert plain is s and s._sslobj is None and s.version() is None
            plain.sendall(b"plaintext")
            assert plain.recv(5) == b"PLAIN"
            with pytest.raises(ValueError, match="No SSL wrapper around"):
                s.unwrap()
            s.close()
    assert not srv.errors, srv.errors


@pytest.mark.parametrize("suppress", [True, False])
def test_ragged_eof(suppress):
    def handler(s, info):
        s.sendall(b"bye")
        s.shutdown(socket.SHUT_RDWR)   # drops TLS without close_notify

    with TLSServer(std_server_ctx(), handler) as srv:
        with socket.create_connection(srv.addr) as raw:
            with cc_client_ctx().wrap_socket(raw, server_hostname="localhost",
                                             suppress_ragged_eofs=suppress) as s:
                assert s.recv(3) == b"bye"
                if suppress or sys.version_info < (3, 10):     # 3.9 ignores unexpected EOFs
                    assert s.recv(10) == b""
                    assert s.recv(10) == b""
                    assert s.recv_into(bytearray(10)) == 0
                else:
                    with pytest.raises(ssl.SSLEOFError) as ei:
                        s.recv(10)
                    assert ei.value.args[0] == ssl.SSL_ERROR_EOF
                    assert ei.value.reason == "UNEXPECTED_EOF_WHILE_READING"
                    assert str(ei.value).startswith(
                        "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:")


def test_clean_close_notify_reads_empty():
    def handler(s, info):
        s.sendall(b"x")
        s.unwrap()

    with TLSServer(std_server_ctx(), handler) as srv:
        with socket.create_connection(srv.addr) as raw:
            with cc_client_ctx().wrap_socket(raw, server_hostname="localhost",
                                             suppress_ragged_eofs=False) as s:
                assert s.recv(1) == b"x"
                assert s.recv(1) == b""
                assert s.read(1) == b""


def _bulk(client_lib, server_lib, total=64 << 20):
    chunk = os.urandom(1 << 16)
    digest = hashlib.sha256()
    for _ in range(total // len(chunk)):
        digest.update(chunk)
    expect = digest.hexdigest()

    def handler(s, info):
        h = hashlib.sha256()
        buf = bytearray(1 << 17)
        n = 0
        while n < total:
            k = s.recv_into(buf)
            if not k:
                break
            h.update(memoryview(buf)[:k])
            n += k
        s.sendall(h.hexdigest().encode())

    sctx = (std_server_ctx if server_lib == "stdlib" else cc_server_ctx)("ecdsa")
    with TLSServer(sctx, handler) as srv:
        ctx = (cc_client_ctx() if client_lib == "certcore" else ssl.create_default_context(cafile=pki.ca))
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                for _ in range(total // len(chunk)):
                    s.sendall(chunk)
                assert s.recv(64).decode() == expect
    assert not srv.errors


def test_large_transfer_certcore_to_stdlib():
    _bulk("certcore", "stdlib")


def test_large_transfer_stdlib_to_certcore():
    _bulk("stdlib", "certcore")


def test_many_small_writes():
    n = 20000

    def handler(s, info):
        got = bytearray()
        while len(got) < n * 3:
            d = s.recv(65536)
            if not d:
                break
            got += d
        s.sendall(hashlib.sha256(got).digest())

    with TLSServer(cc_server_ctx(), handler) as srv:
        with socket.create_connection(srv.addr) as raw:
            with cc_client_ctx().wrap_socket(raw, server_hostname="localhost") as s:
                h = hashlib.sha256()
                for i in range(n):
                    m = b"%03d" % (i % 1000)
                    h.update(m)
                    assert s.write(m) == 3
                assert s.recv(32) == h.digest()


def test_makefile_and_sendfile(tmp_path):
    data = os.urandom(300000)
    path = tmp_path / "f.bin"
    path.write_bytes(data)

    def handler(s, info):
        f = s.makefile("rwb")
        line = f.readline()
        f.write(line.upper())
        f.flush()
        got = f.read(len(data))
        f.write(hashlib.sha256(got).digest())
        f.flush()

    with TLSServer(std_server_ctx(), handler) as srv:
        with socket.create_connection(srv.addr) as raw:
            with cc_client_ctx().wrap_socket(raw, server_hostname="localhost") as s:
                f = s.makefile("rwb")
                f.write(b"hello line\n")
                f.flush()
                assert f.readline() == b"HELLO LINE\n"
                with open(path, "rb") as src:
                    assert s.sendfile(src) == len(data)
                    assert src.tell() == len(data)
                assert f.read(32) == hashlib.sha256(data).digest()
                f.close()


@needs_openssl_cli
@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("tls", ["-tls1_2", "-tls1_3"])
def test_certcore_client_openssl_s_server(key, tls):
    with OpenSSLServer(*getattr(pki, key), tls, "-alpn", "h2,http/1.1") as srv:
        ctx = cc_client_ctx()
        ctx.set_alpn_protocols(["http/1.1"])
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.version() == {"-tls1_2": "TLSv1.2", "-tls1_3": "TLSv1.3"}[tls]
                assert s.selected_alpn_protocol() == "http/1.1"
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                body = b""
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    body += d
                assert body.startswith(b"HTTP/1.0 200 ok")
                assert s.cipher()[0].encode() in body
                sess = s.session
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                assert s.session_reused


@needs_openssl_cli
@pytest.mark.parametrize("tls", ["-tls1_2", "-tls1_3"])
def test_openssl_s_client_certcore_server(tls):
    sctx = cc_server_ctx("ecdsa", client_auth=True)
    sctx.set_alpn_protocols(["h2"])

    def handler(s, info):
        data = s.recv(100)
        s.sendall(data.upper())
        info["data"] = data
        s.unwrap()

    with TLSServer(sctx, handler) as srv:
        r = s_client(srv.port, tls, "-CAfile", pki.ca, "-servername", "localhost", "-alpn", "h2",
                     "-cert", pki.client[0], "-key", pki.client[1], "-verify_return_error",
                     "-ign_eof", data=b"hello from s_client\n")
        out = r.stdout.decode(errors="replace")
        assert "HELLO FROM S_CLIENT" in out, out + r.stderr.decode(errors="replace")
        assert "Verify return code: 0 (ok)" in out
        assert "ALPN protocol: h2" in out
    assert not srv.errors, srv.errors
    info = srv.infos[0]
    assert info["sni"] == "localhost" and info["alpn"] == "h2"
    assert ("DNS", "client.example") in info["peercert"]["subjectAltName"]


def test_concurrent_clients_and_server_threads():
    errors = []

    def client(i):
        try:
            ctx = cc_client_ctx()
            for _ in range(5):
                with socket.create_connection(srv.addr) as raw:
                    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                        payload = os.urandom(50000)
                        s.sendall(payload)
                        got = b""
                        while len(got) < len(payload):
                            got += s.recv(65536)
                        assert got == payload
        except Exception as exc:
            errors.append(exc)

    with TLSServer(cc_server_ctx("ecdsa")) as srv:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    assert not srv.errors and len(srv.infos) == 40


def test_post_handshake_auth():
    got = {}

    def handler(s, info):
        got["before"] = s.getpeercert()
        s.sendall(b"go")
        s.verify_client_post_handshake()
        s.sendall(b"x")            # carries the CertificateRequest
        assert s.recv(4) == b"done"
        got["after"] = s.getpeercert()

    sctx = cc_server_ctx("ecdsa", version=ssl.TLSVersion.TLSv1_3)
    sctx.verify_mode = ssl.CERT_REQUIRED
    sctx.load_verify_locations(pki.ca)
    sctx.post_handshake_auth = True
    sctx.verify_mode = ssl.CERT_OPTIONAL
    with TLSServer(sctx, handler) as srv:
        ctx = cc_client_ctx()
        ctx.load_cert_chain(*pki.client)
        ctx.post_handshake_auth = True
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.recv(2) == b"go"
                assert s.recv(1) == b"x"
                s.sendall(b"done")
                s.recv(1)
    assert not srv.errors, srv.errors
    assert got["before"] is None
    assert ("DNS", "client.example") in got["after"]["subjectAltName"]


def _sni_outcome(module, returns):
    """Handshake a stdlib client against a `module` server whose SNI callback returns or raises
    `returns`, over memory BIOs: (what sys.unraisablehook got, the client's error text)."""
    import sys

    def cb(sslobj, name, ctx):
        if isinstance(returns, BaseException):
            raise returns
        return returns

    sctx = module.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    sctx.sni_callback = cb
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(pki.ca)
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), module.MemoryBIO(), module.MemoryBIO()
    client = cctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = sctx.wrap_bio(s_in, s_out, server_side=True)
    seen = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append((u.exc_type, u.object is cb, u.object == returns))
    client_error = server_error = None
    try:
        for _ in range(10):
            for end, err_name in ((client, "client"), (server, "server")):
                try:
                    end.do_handshake()
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except ssl.SSLError as e:
                    if err_name == "client":
                        client_error = client_error or e.reason
                    else:
                        server_error = server_error or e.reason
            s_in.write(c_out.read())
            c_in.write(s_out.read())
    finally:
        sys.unraisablehook = old_hook
    return seen, client_error, server_error


@pytest.mark.parametrize("returns", ["112", 112.5, ZeroDivisionError("boom"), 112],
                         ids=["str", "float", "raises", "int"])
def test_sni_callback_failures_reported_like_the_stdlib(returns):
    ours = _sni_outcome(certcore, returns)
    theirs = _sni_outcome(ssl, returns)
    assert ours == theirs
    if isinstance(returns, (str, BaseException)):    # a float is an int on 3.9 (via __int__)
        assert ours[0], "the failure reaches sys.unraisablehook"
