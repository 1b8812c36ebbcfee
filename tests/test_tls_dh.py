"""SSLContext.load_dh_params: the stdlib's errors for every bad input, and a real TLS 1.2 DHE
handshake with the loaded group (certcore server, CPython ssl client)."""
import os
import socket
import ssl
import subprocess
import sys
import threading

import pytest

import certcore
from helpers.outcome import outcome
from helpers.tlscerts import get_pki

pki = get_pki()
is_311 = sys.version_info[:2] == (3, 11)


@pytest.fixture(scope="module")
def dh_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("dh")
    files = {}
    for name, group in (("ffdhe2048", "ffdhe2048"), ("ffdhe_small", None)):
        path = d / f"{name}.pem"
        if group:
            cmd = ["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", f"group:{group}"]
        else:
            cmd = ["openssl", "dhparam", "512"]
        out = subprocess.run(cmd, capture_output=True, check=True).stdout
        path.write_bytes(out)
        files[name] = str(path)
    (d / "garbage.pem").write_text("not parameters\n")
    files["garbage"] = str(d / "garbage.pem")
    files["cert"] = pki.rsa[0]                   # PEM, but no DH PARAMETERS block
    files["missing"] = str(d / "missing.pem")
    files["dir"] = str(d)
    return files


def load_dh_outcome(ctx, path):
    return outcome(ctx.load_dh_params, path, with_args=True)


@pytest.mark.parametrize("name", ["ffdhe2048", "ffdhe_small", "garbage", "cert", "missing", "dir"])
def test_outcomes_match_the_stdlib(dh_files, name):
    ours = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    theirs = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    got, expected = load_dh_outcome(ours, dh_files[name]), load_dh_outcome(theirs, dh_files[name])
    if not is_311 and expected[:2] == ("raise", "ssl.SSLError"):
        # other versions print other _ssl.c line numbers; compare the type and the library
        got, expected = (got[1], got[3]), (expected[1], expected[3])
    assert got == expected


def test_bad_path_types(dh_files):
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(TypeError):
        ctx.load_dh_params(None)
    with pytest.raises(ValueError):
        ctx.load_dh_params(dh_files["ffdhe2048"] + "\0")
    ctx.load_dh_params(os.fsencode(dh_files["ffdhe2048"]))


def test_dhe_handshake_uses_the_loaded_group(dh_files):
    server_ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(*pki.rsa)
    server_ctx.load_dh_params(dh_files["ffdhe2048"])
    server_ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    server_ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256")
    client_ctx = ssl.create_default_context(cafile=pki.ca)
    listener = socket.create_server(("127.0.0.1", 0))
    result = {}

    def serve():
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            result["server_cipher"] = tls.cipher()
            tls.sendall(tls.recv(100))

    t = threading.Thread(target=serve)
    t.start()
    try:
        with socket.create_connection(listener.getsockname()) as raw:
            with client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"dhe")
                assert tls.recv(100) == b"dhe"
                assert tls.cipher()[0] == "DHE-RSA-AES128-GCM-SHA256"
    finally:
        t.join(10)
        listener.close()
    assert result["server_cipher"][0] == "DHE-RSA-AES128-GCM-SHA256"


def test_without_dh_params_dhe_is_not_negotiated():
    server_ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(*pki.rsa)
    server_ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    server_ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256")
    client_ctx = ssl.create_default_context(cafile=pki.ca)
    listener = socket.create_server(("127.0.0.1", 0))
    errors = []

    def serve():
        conn, _ = listener.accept()
        try:
            server_ctx.wrap_socket(conn, server_side=True).close()
        except ssl.SSLError as e:
            errors.append(e)
        finally:
            conn.close()

    t = threading.Thread(target=serve)
    t.start()
    try:
        with socket.create_connection(listener.getsockname()) as raw:
            with pytest.raises(ssl.SSLError):
                client_ctx.wrap_socket(raw, server_hostname="localhost")
    finally:
        t.join(10)
        listener.close()
    assert errors and errors[0].reason == "NO_SHARED_CIPHER"
