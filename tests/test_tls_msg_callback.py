"""SSLContext._msg_callback: the TLS message trace hook, differential against the stdlib.

The same handshake (a stdlib server over a socketpair) is traced once with a stdlib client and
once with a certcore client; the traces -- direction, version, content type, message type, data
length, in order, with the stdlib's enums -- must be equal. TLS 1.3 traces carry random lengths
in places (session tickets), so 1.3 compares the sequence of (direction, type) pairs.
"""
import socket
import ssl
import threading

import pytest

import certcore
from helpers.tlscerts import get_pki


def _trace(mod, version, callback=None):
    pki = get_pki()
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(*pki.rsa)
    client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(pki.ca)
    client.maximum_version = version
    seen = []

    def record(conn, direction, ver, content_type, msg_type, data):
        assert isinstance(conn, mod.SSLSocket) and isinstance(data, bytes)
        seen.append((direction, repr(ver), repr(content_type), repr(msg_type), len(data)))

    client._msg_callback = callback or record
    def serve():
        try:
            server.wrap_socket(b, server_side=True).close()
        except OSError:     # the client gave up (its callback raised)
            pass

    a, b = socket.socketpair()
    with a, b:
        t = threading.Thread(target=serve)
        t.start()
        try:
            with client.wrap_socket(a, server_hostname="localhost"):
                pass
        finally:
            t.join()
    return seen


def test_tls12_trace_equals_the_stdlibs():
    mine, theirs = _trace(certcore, ssl.TLSVersion.TLSv1_2), _trace(ssl, ssl.TLSVersion.TLSv1_2)
    assert len(theirs) > 10
    assert mine == theirs


def test_tls13_trace_equals_the_stdlibs():
    def shape(trace):
        return [t[:4] for t in trace]
    mine, theirs = _trace(certcore, ssl.TLSVersion.TLSv1_3), _trace(ssl, ssl.TLSVersion.TLSv1_3)
    assert shape(mine) == shape(theirs)


@pytest.mark.parametrize("mod", [ssl, certcore], ids=["ssl", "certcore"])
def test_getter_setter_and_type_check(mod):
    ctx = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    assert ctx._msg_callback is None

    def cb(*args):
        pass

    ctx._msg_callback = cb
    assert ctx._msg_callback is cb
    with pytest.raises(TypeError, match="is not callable"):
        ctx._msg_callback = object()
    ctx._msg_callback = None
    assert ctx._msg_callback is None


@pytest.mark.parametrize("mod", [ssl, certcore], ids=["ssl", "certcore"])
def test_an_exception_in_the_callback_reaches_the_caller(mod):
    class Boom(Exception):
        pass

    def cb(*args):
        raise Boom()

    with pytest.raises(Boom):
        _trace(mod, ssl.TLSVersion.TLSv1_3, callback=cb)
