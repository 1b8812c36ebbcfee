"""Contexts sharing trust stores: a context that loads more anchors never changes another
context's (or a TrustStore's) trust -- real handshakes against a certcore server, with the
stdlib's context loading the same anchors as the oracle."""
import ssl
import threading

import pytest

import certcore
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer

pki = get_pki()


@pytest.fixture(scope="module")
def server():
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*pki.ecdsa)
    with TLSServer(ctx, handler=lambda s, info: None) as srv:
        yield srv


def verdict(ctx, srv):
    """"ok", or the verification error code the client saw."""
    import socket
    with socket.create_connection(srv.addr, timeout=20) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname="localhost"):
                return "ok"
        except ssl.SSLCertVerificationError as exc:
            return exc.verify_code


def stdlib_ctx(*cafiles, defaults=False):
    ctx = ssl.create_default_context() if defaults else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    for f in cafiles:
        ctx.load_verify_locations(f)
    return ctx


def ders(store):
    return sorted(c.der for c in store)


def test_loading_into_one_context_leaves_the_others(server):
    ts = certcore.TrustStore(cafile=pki.ca2)
    before = ders(ts)
    a = certcore.create_default_context(trust_store=ts)
    b = certcore.create_default_context(trust_store=ts)
    b.load_verify_locations(pki.ca)
    assert verdict(b, server) == verdict(stdlib_ctx(pki.ca2, pki.ca), server) == "ok"
    assert verdict(a, server) == verdict(stdlib_ctx(pki.ca2), server) != "ok"
    assert ders(ts) == before and len(ts) == 1
    assert sorted(a.get_ca_certs(True)) == sorted(stdlib_ctx(pki.ca2).get_ca_certs(True))
    assert sorted(b.get_ca_certs(True)) == sorted(stdlib_ctx(pki.ca2, pki.ca).get_ca_certs(True))


def test_default_contexts_share_the_system_store_copy_on_write(server):
    plain = certcore.create_default_context()
    loaded = certcore.create_default_context()
    loaded.load_verify_locations(cadata=open(pki.ca).read())
    oracle = ssl.create_default_context()
    assert plain.cert_store_stats() == oracle.cert_store_stats()
    assert sorted(plain.get_ca_certs(True)) == sorted(oracle.get_ca_certs(True))
    oracle.load_verify_locations(pki.ca)
    assert loaded.cert_store_stats() == oracle.cert_store_stats()
    assert verdict(loaded, server) == verdict(oracle, server) == "ok"
    assert verdict(plain, server) == verdict(ssl.create_default_context(), server) != "ok"
    assert verdict(certcore.create_default_context(), server) != "ok"
    system = certcore.TrustStore.system()
    assert certcore.Certificate.from_file(pki.ca).der not in ders(system)


def test_create_default_context_with_trust_store(server):
    good = certcore.TrustStore(cafile=pki.ca)
    bad = certcore.TrustStore(cafile=pki.ca2)
    assert verdict(certcore.create_default_context(trust_store=good), server) == "ok"
    assert verdict(certcore.create_default_context(trust_store=bad), server) == verdict(
        stdlib_ctx(pki.ca2), server) != "ok"
    # cafile loads on top of the store, into the context's own copy
    ctx = certcore.create_default_context(trust_store=bad, cafile=pki.ca)
    assert verdict(ctx, server) == "ok"
    assert len(bad) == 1 and verdict(certcore.create_default_context(trust_store=bad), server) != "ok"


def test_load_trust_store_merges_into_a_loaded_context(server):
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca2)
    ts = certcore.TrustStore(cafile=pki.ca)
    ctx.load_trust_store(ts)
    assert sorted(ctx.get_ca_certs(True)) == sorted(stdlib_ctx(pki.ca2, pki.ca).get_ca_certs(True))
    assert verdict(ctx, server) == "ok"
    assert len(ts) == 1


def test_default_paths_on_a_loaded_context_match_the_stdlib():
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca)
    ctx.load_default_certs()
    oracle = stdlib_ctx(pki.ca)
    oracle.load_default_certs()
    assert ctx.cert_store_stats() == oracle.cert_store_stats()
    # and the system store itself did not take the test CA
    assert ctx.cert_store_stats()["x509"] == len(list(certcore.TrustStore.system())) + 1


def test_shared_context_then_more_default_paths(server):
    ctx = certcore.create_default_context(trust_store=certcore.TrustStore(cafile=pki.ca))
    ctx.load_default_certs()
    oracle = stdlib_ctx(pki.ca)
    oracle.load_default_certs()
    assert ctx.cert_store_stats() == oracle.cert_store_stats()
    assert verdict(ctx, server) == "ok"


def test_load_trust_store_wrong_type():
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    for bad in (None, pki.ca, ssl.create_default_context()):
        with pytest.raises(TypeError):
            ctx.load_trust_store(bad)


def test_threads_loading_never_change_each_others_trust(server):
    ts = certcore.TrustStore(cafile=pki.ca2)
    results = {}
    errors = []
    barrier = threading.Barrier(8)

    def work(i):
        try:
            ctx = certcore.create_default_context(trust_store=ts)
            barrier.wait()
            if i % 2:
                ctx.load_verify_locations(pki.ca)
            results[i] = [verdict(ctx, server) for _ in range(3)]
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    unknown = verdict(stdlib_ctx(pki.ca2), server)
    for i, got in results.items():
        assert got == (["ok"] * 3 if i % 2 else [unknown] * 3), i
    assert len(ts) == 1


def test_copy_keeps_the_hashed_directory_lookup(server, tmp_path):
    import shutil
    import subprocess
    h = subprocess.run(["openssl", "x509", "-noout", "-hash", "-in", pki.ca],
                       check=True, capture_output=True, text=True).stdout.strip()
    shutil.copy(pki.ca, tmp_path / f"{h}.0")
    ts = certcore.TrustStore(capath=tmp_path)
    assert len(ts) == 1 and list(ts) == []
    # cadata makes the context copy the store: the copy must still look in the directory
    ctx = certcore.create_default_context(trust_store=ts, cadata=open(pki.ca2).read())
    oracle = ssl.create_default_context(capath=str(tmp_path))
    oracle.load_verify_locations(cadata=open(pki.ca2).read())
    assert verdict(ctx, server) == verdict(oracle, server) == "ok"
    without = certcore.create_default_context(cadata=open(pki.ca2).read())
    assert verdict(without, server) != "ok"
