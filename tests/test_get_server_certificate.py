"""get_server_certificate / get_server_certificate_chain against real local servers -- openssl
s_server, CPython's ssl and certcore's own server side -- over 127.0.0.1 and ::1, with SNI for
names, verification with ca_certs, and the timeout bounding a server that never answers."""
import socket
import ssl
import time

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import OpenSSLServer, TLSServer, free_port

pki = get_pki()
HOSTS = ["127.0.0.1", "::1"]


def server(kind, host, leaf="ecdsa"):
    cert, key = getattr(pki, leaf)
    if kind == "openssl":
        # s_server sends only the first certificate of -cert; the intermediates go in -cert_chain
        return OpenSSLServer(cert, key, *(["-cert_chain", pki.inter] if leaf == "with_inter" else []), host=host)
    lib = ssl if kind == "stdlib" else certcore
    ctx = lib.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return TLSServer(ctx, handler=lambda s, info: None, host=host)


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("kind", ["openssl", "stdlib", "certcore"])
def test_same_pem_as_the_stdlib(kind, host):
    with server(kind, host) as srv:
        pem = certcore.get_server_certificate(srv.addr)
        assert pem == ssl.get_server_certificate(srv.addr)
        assert pem == certcore.DER_cert_to_PEM_cert(certcore.PEM_cert_to_DER_cert(open(pki.ecdsa[0]).read()))
        # verified against the right CA; SSLCertVerificationError against another one
        assert certcore.get_server_certificate(srv.addr, ca_certs=pki.ca) == pem
        with pytest.raises(ssl.SSLCertVerificationError) as ei:
            certcore.get_server_certificate(srv.addr, ca_certs=pki.ca2)
        assert ei.value.verify_code == 20


@pytest.mark.parametrize("kind", ["openssl", "stdlib", "certcore"])
def test_chain_is_what_the_server_sends(kind):
    with server(kind, "127.0.0.1", leaf="with_inter") as srv:
        chain = certcore.get_server_certificate_chain(srv.addr)
    assert [c.pem for c in chain] == [certcore.Certificate.from_pem(open(pki.with_inter[0]).read()).pem,
                                      certcore.Certificate.from_pem(open(pki.inter).read()).pem]
    assert all(isinstance(c, certcore.Certificate) for c in chain)


@pytest.mark.parametrize("kind", ["stdlib", "certcore"])
def test_sni_sent_for_names_only(kind):
    with server(kind, "127.0.0.1") as srv:
        certcore.get_server_certificate(("localhost", srv.port))
        certcore.get_server_certificate(("127.0.0.1", srv.port))
        deadline = time.monotonic() + 5
        while len(srv.infos) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert sorted(str(i.get("sni")) for i in srv.infos[:2]) == ["None", "localhost"]


def test_timeout_bounds_a_silent_server():
    with socket.create_server(("127.0.0.1", 0)) as silent:      # accepts TCP, never speaks TLS
        t0 = time.monotonic()
        with pytest.raises(socket.timeout):
            certcore.get_server_certificate(silent.getsockname(), timeout=0.5)
        assert time.monotonic() - t0 < 5


def test_connection_refused():
    port = free_port()
    with pytest.raises(ConnectionRefusedError):
        certcore.get_server_certificate(("127.0.0.1", port), timeout=5)
