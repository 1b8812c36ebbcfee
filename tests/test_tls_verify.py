"""The bad-certificate matrix: verification on -> SSLCertVerificationError with the stdlib's
verify_code/verify_message (compared with the stdlib client against the same server); CERT_NONE
-> the handshake succeeds."""
import re
import socket
import ssl

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer

pki = get_pki()

# case -> (server cert attribute, server_hostname, verify_code)
CASES = {
    "expired": ("expired", "localhost", 10),
    "not_yet_valid": ("not_yet_valid", "localhost", 9),
    "wrong_host": ("wrong_host", "localhost", 62),
    "wrong_ip": ("wrong_ip", "127.0.0.1", 64),
    "self_signed": ("self_signed", "localhost", 18),
    "unknown_ca": ("unknown_ca", "localhost", 20),
    "missing_intermediate": ("missing_inter", "localhost", 20),
    "wrong_eku": ("wrong_eku", "localhost", 26),
    "weak_key": ("weak_key", "localhost", 66),         # EE certificate key too weak (RSA-1024)
}


def _strip_line(msg):
    return re.sub(r"_ssl\.c:\d+", "_ssl.c:N", msg)


def _server(attr):
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if attr == "weak_key":
        sctx.set_ciphers("DEFAULT:@SECLEVEL=0")      # only so that the server can load the key
    sctx.load_cert_chain(*getattr(pki, attr))
    return TLSServer(sctx, handler=lambda s, info: None)


def _attempt(lib, addr, hostname, verify=True):
    ctx = lib.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(addr) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname=hostname) as s:
                return ("ok", s.version(), s.getpeercert(), len(s.getpeercert(True)))
        except ssl.SSLCertVerificationError as e:
            return ("verify", type(e), e.verify_code, e.verify_message, e.library, e.reason,
                    e.args[0], _strip_line(str(e)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_certificate_rejected_like_stdlib(case):
    attr, host, code = CASES[case]
    with _server(attr) as srv:
        ours = _attempt(certcore, srv.addr, host)
        theirs = _attempt(ssl, srv.addr, host)
    assert ours[0] == "verify", ours
    assert ours[2] == code, ours
    assert ours == theirs
    assert ours[4:6] == ("SSL", "CERTIFICATE_VERIFY_FAILED")
    assert ours[7].startswith("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_certificate_accepted_with_cert_none(case):
    attr, host, code = CASES[case]
    with _server(attr) as srv:
        ours = _attempt(certcore, srv.addr, host, verify=False)
    assert ours[0] == "ok" and ours[2] == {} and ours[3] > 100


def test_intermediate_sent_by_server_verifies():
    with _server("with_inter") as srv:
        assert _attempt(certcore, srv.addr, "localhost")[0] == "ok"


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.1", "::1"])
def test_good_names(host):
    hostaddr = "::1" if host == "::1" else "127.0.0.1"
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    try:
        srv = TLSServer(sctx, handler=lambda s, info: None, host=hostaddr)
    except OSError:
        pytest.skip("no IPv6 loopback")
    with srv:
        assert _attempt(certcore, srv.addr, host)[0] == "ok"
    info = srv.infos[0]
    assert info["sni"] == (None if host[0].isdigit() or ":" in host else host)   # case kept, like the stdlib


def test_hostname_mismatch_message_and_check_hostname_off():
    with _server("wrong_host") as srv:
        r = _attempt(certcore, srv.addr, "localhost")
        assert r[3] == "Hostname mismatch, certificate is not valid for 'localhost'."
        ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(pki.ca)
        ctx.check_hostname = False
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.getpeercert()["subjectAltName"] == (("DNS", "other.example"),)


def test_cert_optional_gets_dict_and_getpeercert_rule():
    with _server("ecdsa") as srv:
        ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw) as s:
                assert s.getpeercert() == {}
                # the rule reads the context's verify mode at call time (REFERENCE 7.4)
                ctx.verify_mode = ssl.CERT_REQUIRED
                assert s.getpeercert()["subject"][-1] == (("commonName", "localhost"),)


def test_unknown_ca_then_load_ca_via_cadata():
    with _server("ecdsa") as srv:
        ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        with socket.create_connection(srv.addr) as raw:
            with pytest.raises(ssl.SSLCertVerificationError) as ei:
                ctx.wrap_socket(raw, server_hostname="localhost")
        assert ei.value.verify_code == 20
        assert ei.value.verify_message == "unable to get local issuer certificate"
        pem = open(pki.ca).read()
        ctx.load_verify_locations(cadata=ssl.PEM_cert_to_DER_cert(pem))   # DER form
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.version()
