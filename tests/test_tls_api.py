"""SSLContext/SSLSocket surface against the stdlib: defaults, setters, loader errors, the
getpeercert state table, blocking/non-blocking/timeout behaviour, module wrap_socket."""
import errno
import functools
import gc
import re
import socket
import ssl
import sys
import warnings

import pytest

import certcore
from helpers.outcome import outcome as _outcome
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer

pki = get_pki()
PROTOCOLS = [ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER]
# certcore behaves like 3.11 everywhere; the in-process stdlib is only a faithful 3.11 stand-in
# on 3.10+ (3.9 differs: REFERENCE section 0, and it sets OP_IGNORE_UNEXPECTED_EOF).
like_311 = pytest.mark.skipif(sys.version_info < (3, 10),
                              reason="the in-process stdlib (3.9) is not 3.11; see the fixed-value tests")
VERIFY_X509_PARTIAL_CHAIN = 0x80000


def both(protocol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return certcore.SSLContext(protocol), ssl.SSLContext(protocol)


def strip(msg):
    return re.sub(r"_ssl\.c:\d+", "_ssl.c:N", msg)


outcome = functools.partial(_outcome, quiet=True, text=strip)


# The values CPython 3.10-3.13 and 3.9 give, written out (tests/test_context_args.py compares
# with the running stdlib): 3.9 also sets OP_IGNORE_UNEXPECTED_EOF and keeps OpenSSL's floor.
PY39 = sys.version_info < (3, 10)


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.name)
def test_context_defaults_fixed_values(protocol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = certcore.SSLContext(protocol)
    assert ctx.options == (0x825200D0 if PY39 else 0x82520050) and type(ctx.options) is ssl.Options
    assert ctx.minimum_version == (ssl.TLSVersion.MINIMUM_SUPPORTED if PY39 else ssl.TLSVersion.TLSv1_2)
    assert ctx.maximum_version == ssl.TLSVersion.MAXIMUM_SUPPORTED
    assert ctx.verify_flags == ssl.VERIFY_X509_TRUSTED_FIRST
    client = protocol == ssl.PROTOCOL_TLS_CLIENT
    assert ctx.check_hostname is client
    assert ctx.verify_mode == (ssl.CERT_REQUIRED if client else ssl.CERT_NONE)
    assert ctx.get_ciphers()[0]["name"] == "TLS_AES_256_GCM_SHA384"
    assert certcore.create_default_context().protocol == (ssl.PROTOCOL_TLS if PY39 else ssl.PROTOCOL_TLS_CLIENT)


@like_311
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.name)
def test_context_defaults_equal_stdlib(protocol):
    ours, theirs = both(protocol)
    assert isinstance(ours, ssl.SSLContext)
    for name in ("protocol", "verify_mode", "check_hostname", "options", "verify_flags",
                 "minimum_version", "maximum_version", "post_handshake_auth",
                 "hostname_checks_common_name", "keylog_filename", "sni_callback", "num_tickets",
                 "security_level"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert a == b and type(a) is type(b), name
    assert ours.get_ciphers() == theirs.get_ciphers()
    assert ours.cert_store_stats() == theirs.cert_store_stats()
    assert ours.session_stats() == theirs.session_stats()


@like_311
def test_context_setters_like_stdlib():
    for protocol in PROTOCOLS:
        ours, theirs = both(protocol)
        for ctx in (ours, theirs):
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.options |= ssl.OP_NO_TICKET
            ctx.options &= ~ssl.OP_NO_COMPRESSION
            ctx.verify_flags |= ssl.VERIFY_X509_STRICT | VERIFY_X509_PARTIAL_CHAIN
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
            ctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
            ctx.hostname_checks_common_name = False
            ctx.post_handshake_auth = True
        for name in ("verify_mode", "check_hostname", "options", "verify_flags", "minimum_version",
                     "maximum_version", "hostname_checks_common_name", "post_handshake_auth"):
            assert getattr(ours, name) == getattr(theirs, name), name
    ours, theirs = both(ssl.PROTOCOL_TLS_CLIENT)
    for ctx in (ours, theirs):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.check_hostname = True        # switches verify_mode to CERT_REQUIRED
    assert ours.verify_mode == theirs.verify_mode == ssl.CERT_REQUIRED
    for value in (ssl.CERT_NONE, 5, None, "x"):
        assert outcome(setattr, ours, "verify_mode", value) == outcome(setattr, theirs, "verify_mode", value)
    for value in (0x7777, None):
        assert (outcome(setattr, ours, "minimum_version", value)[:2]
                == outcome(setattr, theirs, "minimum_version", value)[:2])


@like_311
def test_loader_errors_like_stdlib(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    ours, theirs = both(ssl.PROTOCOL_TLS_CLIENT)
    calls = [
        ("load_verify_locations", (), {}),
        ("load_verify_locations", (str(tmp_path / "missing.pem"),), {}),
        ("load_verify_locations", (str(bad),), {}),
        ("load_verify_locations", (None, str(tmp_path / "nodir")), {}),
        ("load_verify_locations", (), {"cadata": "junk"}),
        ("load_verify_locations", (), {"cadata": b"junk"}),
        ("load_verify_locations", (), {"cadata": 42}),
        ("load_verify_locations", (42,), {}),
        ("load_verify_locations", (), {"cadata": open(pki.ca).read() + open(pki.ca2).read()}),
        ("load_cert_chain", (str(tmp_path / "missing.pem"),), {}),
        ("load_cert_chain", (str(bad),), {}),
        ("load_cert_chain", (pki.rsa[0], pki.ecdsa[1]), {}),
        ("load_cert_chain", (pki.rsa[0], pki.rsa[1]), {"password": 42}),
        ("load_cert_chain", (None,), {}),
        ("set_ciphers", ("nonsense",), {}),
        ("set_ciphers", ("ECDHE+AESGCM",), {}),
        ("set_alpn_protocols", (["x" * 256],), {}),
        ("load_default_certs", ("x",), {}),
        ("set_default_verify_paths", (), {}),
        ("set_ecdh_curve", ("prime256v1",), {}),
        ("set_ecdh_curve", ("nonsense",), {}),
        ("load_verify_locations", ("a\0b",), {}),
    ]
    for name, args, kwargs in calls:
        a = outcome(getattr(ours, name), *args, **kwargs)
        b = outcome(getattr(theirs, name), *args, **kwargs)
        assert a == b, (name, args, kwargs)
    assert ours.cert_store_stats() == theirs.cert_store_stats()
    assert ours.get_ca_certs() == theirs.get_ca_certs()
    assert ours.get_ca_certs(True) == theirs.get_ca_certs(True)


def test_encrypted_key_passwords(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(open(pki.ecdsa[1], "rb").read(), None)
    enc = tmp_path / "enc.key"
    enc.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(b"s3cret")))
    for password in ("s3cret", b"s3cret", bytearray(b"s3cret"), lambda: "s3cret", lambda: b"s3cret"):
        ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki.ecdsa[0], str(enc), password)
    for password in ("wrong", lambda: 42, lambda: 1 / 0, "x" * 2000):
        ours, theirs = both(ssl.PROTOCOL_TLS_SERVER)
        a = outcome(ours.load_cert_chain, pki.ecdsa[0], str(enc), password)
        b = outcome(theirs.load_cert_chain, pki.ecdsa[0], str(enc), password)
        assert a[:3] == b[:3]


def test_keylog_filename(tmp_path):
    path = tmp_path / "keys.log"
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    ctx = certcore.create_default_context(cafile=pki.ca)
    ctx.keylog_filename = str(path)
    assert ctx.keylog_filename == str(path)
    with TLSServer(sctx) as srv:
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost"):
                pass
    text = path.read_text()
    assert text.startswith("# TLS secrets log file")
    assert "CLIENT_HANDSHAKE_TRAFFIC_SECRET" in text
    ctx.keylog_filename = None


@like_311
def test_create_default_context_like_stdlib():
    ours = certcore.create_default_context()
    theirs = ssl.create_default_context()
    for name in ("protocol", "verify_mode", "check_hostname", "options", "minimum_version"):
        assert getattr(ours, name) == getattr(theirs, name)
    assert ours.cert_store_stats() == theirs.cert_store_stats()
    server = certcore.create_default_context(ssl.Purpose.CLIENT_AUTH)
    assert server.protocol == ssl.PROTOCOL_TLS_SERVER and server.verify_mode == ssl.CERT_NONE
    with pytest.raises(TypeError):
        certcore.create_default_context("x")


def test_every_stdlib_method_is_overridden():
    for ours, theirs in ((certcore.SSLSocket, ssl.SSLSocket), (certcore.SSLObject, ssl.SSLObject),
                         (certcore.SSLContext, ssl.SSLContext)):
        missing = {n for n in vars(theirs) if not n.startswith("__")} - set(vars(ours))
        missing -= {"_sslcopydoc", "_windows_cert_stores", "_load_windows_store_certs",
                    "_sslobject_factory", "_sslsocket_factory"}
        assert not missing, (ours, missing)
    base = {n for n in dir(ssl._ssl._SSLContext) if not n.startswith("__")}
    assert not base - set(vars(certcore.SSLContext))


def _server(handler=lambda s, i: s.recv(1), key="ecdsa", **kw):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*getattr(pki, key))
    return TLSServer(sctx, handler, **kw)


def client_ctx():
    return certcore.create_default_context(cafile=pki.ca)


def test_getpeercert_state_table():
    ctx = client_ctx()
    s = ctx.wrap_socket(socket.socket(), server_hostname="localhost")
    with pytest.raises(OSError) as ei:
        s.getpeercert()
    assert ei.value.errno == errno.ENOTCONN
    with _server() as srv:
        s.do_handshake_on_connect = False
        s.connect(srv.addr)
        with pytest.raises(ValueError, match="handshake not done yet"):
            s.getpeercert()
        assert s.version() is None and s.cipher() is None and s.get_channel_binding() is None
        s.do_handshake()
        assert s.getpeercert()["subject"]
        assert isinstance(s.getpeercert(1), bytes)
        assert isinstance(s.get_channel_binding("tls-unique"), bytes)
        with pytest.raises(ValueError, match="'foo' channel binding type not implemented"):
            s.get_channel_binding("foo")
        # a client's shared_ciphers() is None from 3.10; 3.9 lists the enabled ciphers
        assert (s.shared_ciphers() is None) is not PY39
        assert s.compression() is None and s.pending() == 0
        s.sendall(b"x")
        s.close()
        with pytest.raises(AttributeError):
            s.getpeercert()
        with pytest.raises(ValueError, match="Read on closed or unwrapped SSL socket."):
            s.read()
        with pytest.raises(ValueError, match="Write on closed or unwrapped SSL socket."):
            s.write(b"x")
        with pytest.raises(ValueError, match="foo channel binding type not implemented"):
            s.get_channel_binding("foo")


def test_server_side_getpeercert_none_and_shared_ciphers():
    got = {}

    def handler(s, info):
        got["peer"] = s.getpeercert()
        got["shared"] = s.shared_ciphers()
        s.recv(1)

    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    with TLSServer(sctx, handler) as srv:
        with socket.create_connection(srv.addr) as raw:
            with client_ctx().wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"x")
    assert got["peer"] is None
    assert ("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256) in got["shared"]


def test_socket_surface_errors():
    with pytest.raises(TypeError, match="does not have a public constructor"):
        certcore.SSLSocket()
    with pytest.raises(TypeError, match="does not have a public constructor"):
        certcore.SSLObject()
    ctx = client_ctx()
    with pytest.raises(ValueError, match="check_hostname requires server_hostname"):
        ctx.wrap_socket(socket.socket())
    with pytest.raises(NotImplementedError, match="only stream sockets are supported"):
        ctx.wrap_socket(socket.socket(type=socket.SOCK_DGRAM), server_hostname="x")
    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(ValueError, match="server_hostname can only be specified in client mode"):
        sctx.wrap_socket(socket.socket(), server_side=True, server_hostname="x")
    s = ctx.wrap_socket(socket.socket(), server_hostname="pythön.org")
    assert s.server_hostname == "xn--pythn-mua.org"
    with pytest.raises(NotImplementedError, match="Can't dup"):
        s.dup()
    with pytest.raises(NotImplementedError, match="sendmsg not allowed"):
        s.sendmsg([b"x"])
    with pytest.raises(ValueError, match="No SSL wrapper around"):
        s.unwrap()
    s.close()
    with _server() as srv:
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                message = r"non-zero flags not allowed in calls to recv\(\) on <class 'certcore.sslsocket.SSLSocket'>"
                with pytest.raises(ValueError, match=message):
                    s.recv(1, socket.MSG_PEEK)
                with pytest.raises(ValueError, match="recvfrom not allowed"):
                    s.recvfrom(1)
                with pytest.raises(ValueError, match="attempt to connect already-connected SSLSocket!"):
                    s.connect(srv.addr)
                assert s.write(b"") == 0
                assert s.read(0) == b""
                with pytest.raises(ValueError, match="size should not be negative"):
                    s.read(-1)
                with pytest.raises(TypeError):
                    s.write("str")
                s.sendall(b"x")
    # 3.10+ refuses the role up front (errno 0); 3.9's OpenSSL refuses it in the handshake
    wrong_role = "called a function you should not call" if PY39 else \
        "Cannot create a client socket with a PROTOCOL_TLS_SERVER context"
    with pytest.raises(ssl.SSLError, match=wrong_role) as ei:
        with _server() as srv:
            with socket.create_connection(srv.addr) as raw:
                sctx.wrap_socket(raw)
    assert ei.value.args[0] == (1 if PY39 else 0)


def test_connect_ex_and_accept():
    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    listener = sctx.wrap_socket(socket.socket(), server_side=True)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    import threading

    def serve():
        conn, addr = listener.accept()
        with conn:
            assert isinstance(conn, certcore.SSLSocket) and conn.server_side
            conn.sendall(conn.recv(10).upper())

    t = threading.Thread(target=serve)
    t.start()
    s = client_ctx().wrap_socket(socket.socket(), server_hostname="localhost")
    assert s.connect_ex(listener.getsockname()) == 0
    s.sendall(b"abc")
    assert s.recv(10) == b"ABC"
    s.close()
    t.join(10)
    listener.close()
    s = client_ctx().wrap_socket(socket.socket(), server_hostname="localhost")
    rc = s.connect_ex(("127.0.0.1", 1))
    assert rc == errno.ECONNREFUSED
    s.close()


def test_nonblocking_handshake_want_read():
    import threading
    hold = threading.Event()
    with _server(lambda s, i: hold.wait(10), wrap=False) as srv:   # TCP peer that never speaks TLS
        raw = socket.create_connection(srv.addr)
        raw.setblocking(False)
        s = client_ctx().wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
        for _ in range(2):
            with pytest.raises(ssl.SSLWantReadError) as ei:
                s.do_handshake()
            assert ei.value.args[0] == ssl.SSL_ERROR_WANT_READ
            assert strip(str(ei.value)) == "The operation did not complete (read) (_ssl.c:N)"
        s.close()
        hold.set()


def test_nonblocking_handshake_and_io():
    import select

    with _server(lambda s, i: s.sendall(s.recv(10))) as srv:
        raw = socket.create_connection(srv.addr)
        raw.setblocking(False)
        ctx = client_ctx()
        message = "do_handshake_on_connect should not be specified for non-blocking sockets"
        with pytest.raises(ValueError, match=message):
            ctx.wrap_socket(raw, server_hostname="localhost")
        raw = socket.create_connection(srv.addr)
        raw.setblocking(False)
        s = ctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
        while True:
            try:
                s.do_handshake()
                break
            except ssl.SSLWantReadError:
                select.select([s], [], [], 5)
        with pytest.raises(ssl.SSLWantReadError):
            s.recv(10)
        s.send(b"hello")
        select.select([s], [], [], 5)
        data = b""
        while len(data) < 5:
            try:
                data += s.recv(10)
            except ssl.SSLWantReadError:
                select.select([s], [], [], 5)
        assert data == b"hello"
        s.close()


def test_timeouts():
    import threading
    hold = threading.Event()

    def silent(s, info):
        hold.wait(10)

    # the server accepts TCP but never speaks TLS
    with _server(silent, wrap=False) as srv:
        raw = socket.create_connection(srv.addr)
        raw.settimeout(0.2)
        with pytest.raises(socket.timeout) as ei:
            client_ctx().wrap_socket(raw, server_hostname="localhost")
        assert re.fullmatch(r"_ssl\.c:\d+: The handshake operation timed out", str(ei.value))
        assert raw.fileno() == -1
        hold.set()
    hold.clear()
    with _server(silent) as srv:
        with socket.create_connection(srv.addr, timeout=0.2) as raw:
            with client_ctx().wrap_socket(raw, server_hostname="localhost") as s:
                assert s.gettimeout() == 0.2
                with pytest.raises(socket.timeout, match="^The read operation timed out$"):
                    s.recv(10)
                s.settimeout(None)
                s.settimeout(0.3)
                with pytest.raises(socket.timeout, match="^The write operation timed out$"):
                    for _ in range(10000):
                        s.sendall(b"x" * 65536)
        hold.set()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_module_wrap_socket():
    assert certcore.wrap_socket.__name__ == "wrap_socket"
    with pytest.raises(ValueError, match="certfile must be specified for server-side operations"):
        certcore.wrap_socket(socket.socket(), server_side=True)
    with pytest.raises(ValueError, match="^certfile must be specified$"):
        certcore.wrap_socket(socket.socket(), keyfile="x")
    with pytest.raises(TypeError):
        certcore.wrap_socket(socket.socket(), server_hostname="x")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with _server(lambda s, i: s.sendall(s.recv(10))) as srv:
            with socket.create_connection(srv.addr) as raw:
                s = certcore.wrap_socket(raw)
                with s:
                    assert s.context.protocol == ssl.PROTOCOL_TLS
                    assert s.context.check_hostname is False and s.context.verify_mode == ssl.CERT_NONE
                    assert s.server_hostname is None
                    s.sendall(b"abc")
                    assert s.recv(10) == b"abc"
            with socket.create_connection(srv.addr) as raw:
                with pytest.raises(ssl.SSLCertVerificationError) as ei:
                    certcore.wrap_socket(raw, cert_reqs=ssl.CERT_REQUIRED)
                assert ei.value.verify_code == 20
            with socket.create_connection(srv.addr) as raw:
                with certcore.wrap_socket(raw, cert_reqs=ssl.CERT_REQUIRED, ca_certs=pki.ca,
                                          ciphers="ECDHE+AESGCM") as s:
                    assert s.getpeercert()["subject"]
                    s.sendall(b"z")
    assert any("ssl.wrap_socket() is deprecated" in str(x.message) for x in w)
    with pytest.raises(ssl.SSLError, match="No cipher can be selected"):
        certcore.wrap_socket(socket.socket(), ciphers="nonsense")


def test_get_server_certificate():
    with _server(lambda s, i: None) as srv:
        pem = certcore.get_server_certificate(srv.addr)
        assert pem == ssl.get_server_certificate(srv.addr)
        assert pem.strip() == open(pki.ecdsa[0]).read().strip()
        assert certcore.get_server_certificate(srv.addr, ca_certs=pki.ca) == pem
        with pytest.raises(ssl.SSLCertVerificationError) as ei:
            certcore.get_server_certificate(srv.addr, ca_certs=pki.ca2)
        assert ei.value.verify_code == 20
    with _server(lambda s, i: None, key="with_inter") as srv:
        chain = certcore.get_server_certificate_chain(srv.addr)
        assert len(chain) == 2
        assert chain[1].pem.strip() == open(pki.inter).read().strip()


@pytest.mark.parametrize("hostname", [".leading-dot.example", b"k\xf6nig.example"])
def test_failed_wrap_socket_closes_the_socket(hostname):
    # the socket certcore took over must be closed, not left to the garbage collector
    # (3.13's own test_check_hostname_idn checks the same for the stdlib)
    ctx = certcore.create_default_context()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = socket.socket()
        with pytest.raises((UnicodeError, TypeError, ValueError)):
            ctx.wrap_socket(raw, server_hostname=hostname)
        del raw
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
