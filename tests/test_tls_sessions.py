"""Sessions are shared by reference (one SSL_SESSION, SSL_SESSION_up_ref), not copied through
i2d/d2i like the stdlib. These tests show that sharing is safe: many threads resume from the
same SSLSession at once, and the shared session's serialised form never changes."""
import gc
import socket
import ssl
import threading

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer

pki = get_pki()


def _first_session(ctx, addr):
    with socket.create_connection(addr) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"a")
            s.recv(1)
            return s.session


def test_concurrent_resumption_from_one_session():
    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        with TLSServer(sctx) as srv:
            ctx = certcore.create_default_context(cafile=pki.ca)
            ctx.maximum_version = version
            sess = _first_session(ctx, srv.addr)
            frozen = sess._serialized()
            results, errors = [], []

            def worker():
                try:
                    for _ in range(10):
                        with socket.create_connection(srv.addr) as raw:
                            with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                                s.sendall(b"b")
                                s.recv(1)
                                results.append(s.session_reused)
                                s.session   # take (and drop) references concurrently too
                except Exception as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=worker) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not errors, errors
            assert results == [True] * 80
            # the shared SSL_SESSION was never modified by the 80 connections that used it
            assert sess._serialized() == frozen
            assert not srv.errors


def test_session_survives_its_connection_and_dirty_closes():
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.rsa)
    with TLSServer(sctx) as srv:
        ctx = certcore.create_default_context(cafile=pki.ca)
        sess = _first_session(ctx, srv.addr)     # its connection is closed (no close_notify)
        gc.collect()
        for _ in range(3):
            with socket.create_connection(srv.addr) as raw:
                s = ctx.wrap_socket(raw, server_hostname="localhost", session=sess)
                assert s.session_reused
                s.sendall(b"c")
                s.recv(1)
                s.close()                        # dirty close of a resumed connection
        assert sess == sess
        with pytest.raises(TypeError, match="unhashable"):   # as the stdlib's SSLSession
            hash(sess)
        assert sess.id and sess.time > 0 and sess.ticket_lifetime_hint >= 0


def test_session_from_stdlib_is_rejected():
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.rsa)
    with TLSServer(sctx) as srv:
        std = ssl.create_default_context(cafile=pki.ca)
        with socket.create_connection(srv.addr) as raw:
            with std.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"a")
                s.recv(1)
                std_sess = s.session
        ctx = certcore.create_default_context(cafile=pki.ca)
        with socket.create_connection(srv.addr) as raw:
            try:
                ctx.wrap_socket(raw, server_hostname="localhost", session=std_sess)
            except TypeError as e:
                assert str(e) == "Value is not a SSLSession."
            else:
                raise AssertionError("accepted a stdlib session")


def test_fatal_error_on_a_resumed_connection_does_not_poison_the_session():
    def handler(s, info):
        s.recv(1)
        if info.get("session_reused"):
            # a forged application-data record: the client fails with a fatal alert
            socket.socket.send(s, b"\x17\x03\x03\x00\x20" + b"\x00" * 32)
        else:
            s.sendall(b"a")
        s.recv(1)

    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    with TLSServer(sctx, handler) as srv:
        ctx = certcore.create_default_context(cafile=pki.ca)
        sess = _first_session(ctx, srv.addr)
        # no new tickets: the failing connection's session stays the one it resumed from
        sctx.num_tickets = 0
        for _ in range(2):
            with socket.create_connection(srv.addr) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                    assert s.session_reused
                    s.sendall(b"b")
                    try:
                        s.recv(1)
                    except ssl.SSLError as e:
                        assert e.reason in ("DECRYPTION_FAILED_OR_BAD_RECORD_MAC", "BAD_RECORD_MAC")
                    else:
                        raise AssertionError("forged record accepted")
        # the SSLSession used by the failed connections is still resumable
        with socket.create_connection(srv.addr) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost", session=sess) as s:
                assert s.session_reused
