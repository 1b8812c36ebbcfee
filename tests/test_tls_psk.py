"""Pre-shared keys (3.13's set_psk_client_callback / set_psk_server_callback), certcore against
the stdlib on the other end in both roles, TLS 1.2 and 1.3. On Pythons whose ssl has no PSK
callbacks certcore has none either."""
import socket
import ssl
import sys
import threading

import pytest

import certcore

HAS_PSK = hasattr(ssl.SSLContext, "set_psk_client_callback")
PSK = bytes.fromhex("deadbeef")


def test_psk_methods_exist_exactly_where_the_stdlib_has_them():
    assert hasattr(certcore.SSLContext, "set_psk_client_callback") == HAS_PSK
    assert hasattr(certcore.SSLContext, "set_psk_server_callback") == HAS_PSK


def _contexts(client_mod, server_mod, version, client_cb, server_cb, hint=None):
    client = client_mod.SSLContext(client_mod.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    server = server_mod.SSLContext(server_mod.PROTOCOL_TLS_SERVER)
    for ctx in (client, server):
        ctx.minimum_version = ctx.maximum_version = version
        ctx.set_ciphers("PSK")
    client.set_psk_client_callback(client_cb)
    server.set_psk_server_callback(server_cb, hint)
    return client, server


def _handshake(client, server):
    a, b = socket.socketpair()
    errors = []

    def serve():
        try:
            with server.wrap_socket(b, server_side=True) as s:
                s.sendall(s.recv(4))
        except OSError as exc:
            errors.append(exc)

    t = threading.Thread(target=serve)
    t.start()
    try:
        with client.wrap_socket(a) as s:
            s.sendall(b"ping")
            return s.recv(4), s.version()
    finally:
        a.close()
        t.join()
        b.close()


PAIRS = [(certcore, ssl), (ssl, certcore), (certcore, certcore)]
IDS = ["certcore-client", "certcore-server", "certcore-both"]
VERSIONS = [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3]


@pytest.mark.skipif(not HAS_PSK, reason="this Python's ssl has no PSK callbacks (3.13+)")
@pytest.mark.parametrize("version", VERSIONS, ids=["tls1.2", "tls1.3"])
@pytest.mark.parametrize("client_mod,server_mod", PAIRS, ids=IDS)
def test_psk_handshake_and_identities(client_mod, server_mod, version):
    seen = {}

    def client_cb(hint):
        seen["hint"] = hint
        return "client-identité", PSK

    def server_cb(identity):
        seen["identity"] = identity
        return PSK

    client, server = _contexts(client_mod, server_mod, version, client_cb, server_cb, "hint-暗示")
    data, ver = _handshake(client, server)
    assert data == b"ping" and ver == {VERSIONS[0]: "TLSv1.2", VERSIONS[1]: "TLSv1.3"}[version]
    assert seen["identity"] == "client-identité"
    # TLS 1.3 does not carry the server's identity hint
    assert seen["hint"] == ("hint-暗示" if version == VERSIONS[0] else None)


@pytest.mark.skipif(not HAS_PSK, reason="this Python's ssl has no PSK callbacks (3.13+)")
@pytest.mark.parametrize("client_mod,server_mod", PAIRS, ids=IDS)
def test_a_wrong_key_fails_the_handshake(client_mod, server_mod):
    client, server = _contexts(client_mod, server_mod, VERSIONS[0], lambda hint: (None, b"\xca\xfe"),
                               lambda identity: PSK)
    with pytest.raises(ssl.SSLError):
        _handshake(client, server)


@pytest.mark.skipif(not HAS_PSK, reason="this Python's ssl has no PSK callbacks (3.13+)")
@pytest.mark.parametrize("result", ["not a tuple", ("id", "not bytes"), ("id", b"x" * 1024), None])
def test_a_bad_callback_result_is_reported_as_the_stdlib_reports_it(result, monkeypatch):
    def reports_for(mod):
        reports = []
        monkeypatch.setattr(sys, "unraisablehook", reports.append)
        client, server = _contexts(mod, ssl, VERSIONS[0], lambda hint: result, lambda identity: PSK)
        with pytest.raises(ssl.SSLError):
            _handshake(client, server)
        return [(type(r.exc_value), str(r.exc_value)) for r in reports]

    assert reports_for(certcore) == reports_for(ssl)


@pytest.mark.skipif(not HAS_PSK, reason="this Python's ssl has no PSK callbacks (3.13+)")
@pytest.mark.parametrize("mod", [ssl, certcore], ids=["ssl", "certcore"])
def test_wrong_role_and_argument_errors(mod):
    client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    with pytest.raises(ssl.SSLError, match="Cannot add PSK server callback"):
        client.set_psk_server_callback(lambda identity: PSK)
    with pytest.raises(ssl.SSLError, match="Cannot add PSK client callback"):
        server.set_psk_client_callback(lambda hint: (None, PSK))
    with pytest.raises(TypeError, match="callback must be callable"):
        server.set_psk_server_callback(5)
    with pytest.raises(TypeError, match="must be str or None, not bytes"):
        server.set_psk_server_callback(lambda identity: PSK, b"hint")
    with pytest.raises(ValueError, match="embedded null character"):
        server.set_psk_server_callback(lambda identity: PSK, "a\0b")
