"""certcore.TrustStore: what each source loads (against the stdlib's SSLContext loading the same
source), the same errors as load_verify_locations, the shared system store and its refresh, and
sharing between threads."""
import datetime
import os
import pickle
import ssl
import subprocess
import sys
import textwrap
import threading

import pytest
from cryptography.hazmat.primitives import serialization

import certcore
from helpers import pki


@pytest.fixture(scope="module")
def cas():
    root = pki.root("truststore root")
    inter = pki.intermediate("truststore intermediate", root)
    other = pki.root("truststore other root")
    return root, inter, other


def stdlib_ders(**sources):
    """DER of every certificate the stdlib's context holds after loading `sources` (the CA ones
    by get_ca_certs; these tests load only CAs), and its cert_store_stats()."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(**sources)
    return sorted(ctx.get_ca_certs(binary_form=True)), ctx.cert_store_stats()


def ders(store):
    return sorted(c.der for c in store)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


# --- sources -------------------------------------------------------------------------------------

def test_certificates(cas):
    store = certcore.TrustStore([c.certcore for c in cas])
    assert len(store) == 3
    assert ders(store) == sorted(c.der for c in cas)
    assert store.crls == 0
    assert repr(store) == "<TrustStore certificates=3 crls=0>"


def test_certificates_any_iterable_and_duplicates(cas):
    root = cas[0]
    store = certcore.TrustStore(c.certcore for c in (root, root, cas[1]))
    assert ders(store) == sorted([root.der, cas[1].der])
    assert len(store) == 2


def test_cafile_with_crl_matches_stdlib(cas, tmp_path):
    root = cas[0]
    crl = pki.crl(root)
    pem = "".join(c.pem for c in cas).encode() + crl.public_bytes(serialization.Encoding.PEM)
    path = write(tmp_path / "bundle.pem", pem)
    store = certcore.TrustStore(cafile=path)
    expected, stats = stdlib_ders(cafile=path)
    assert ders(store) == expected
    assert len(store) == stats["x509"] == 3
    assert store.crls == stats["crl"] == 1
    assert repr(store) == "<TrustStore certificates=3 crls=1>"


@pytest.mark.parametrize("form", ["str", "der", "bytearray", "memoryview"])
def test_cadata_matches_stdlib(cas, form):
    if form == "str":
        data = "".join(c.pem for c in cas)
    else:
        data = b"".join(c.der for c in cas)
        data = {"der": data, "bytearray": bytearray(data), "memoryview": memoryview(data)}[form]
    store = certcore.TrustStore(cadata=data)
    expected, stats = stdlib_ders(cadata=data)
    assert ders(store) == expected
    assert len(store) == stats["x509"]


def hashed_dir(tmp_path, issued):
    d = tmp_path / "hashed"
    d.mkdir()
    for i, c in enumerate(issued):
        pem = write(tmp_path / f"c{i}.pem", c.pem.encode())
        h = subprocess.run(["openssl", "x509", "-noout", "-hash", "-in", pem],
                           check=True, capture_output=True, text=True).stdout.strip()
        write(d / f"{h}.0", c.pem.encode())
    (d / "README").write_text("not a certificate name")
    (d / "0123abcd.r0").write_text("a CRL name: not counted as a certificate")
    return d


def test_capath_counts_files_without_loading(cas, tmp_path):
    d = hashed_dir(tmp_path, cas)
    store = certcore.TrustStore(capath=d)
    # OpenSSL reads the directory lazily: nothing loaded yet, exactly as the stdlib's context
    expected, stats = stdlib_ders(capath=str(d))
    assert ders(store) == expected == []
    assert len(store) == 3
    assert store.crls == stats["crl"] == 0


def test_all_sources_together(cas, tmp_path):
    root, inter, other = cas
    path = write(tmp_path / "one.pem", inter.pem.encode())
    store = certcore.TrustStore([root.certcore], cafile=path, cadata=other.der)
    assert ders(store) == sorted(c.der for c in cas)


# --- errors: the same as load_verify_locations ------------------------------------------------

def outcome(call):
    try:
        call()
    except Exception as exc:   # noqa: BLE001 - the comparison is the point
        if isinstance(exc, ssl.SSLError):
            return type(exc), exc.library, exc.reason
        if isinstance(exc, OSError):
            return type(exc), exc.errno
        return type(exc), str(exc)
    return None


BAD = {
    "missing cafile": dict(cafile="/nonexistent/certcore/bundle.pem"),
    "nul cafile": dict(cafile="a\0b"),
    "nul capath": dict(capath=b"a\0b"),
    "int cafile": dict(cafile=3),
    "list capath": dict(capath=["x"]),
    "empty cadata bytes": dict(cadata=b""),
    "empty cadata str": dict(cadata=""),
    "garbage cadata str": dict(cadata="hello"),
    "garbage cadata bytes": dict(cadata=b"\x00\x01garbage"),
    "non-ascii cadata": dict(cadata="\u00e9"),
    "cadata int": dict(cadata=5),
    "PEM as bytes (read as DER)": dict(cadata=b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
    "cadata list": dict(cadata=[b"x"]),
    "directory as cafile": dict(cafile="."),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_errors_match_load_verify_locations(name, cas):
    kwargs = BAD[name]
    expected = outcome(lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(**kwargs))
    assert expected is not None
    assert outcome(lambda: certcore.TrustStore(**kwargs)) == expected
    assert outcome(lambda: certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(**kwargs)) == expected


@pytest.mark.parametrize("cut", [1, 10, 100, -1])
def test_truncated_der_matches_stdlib(cas, cut):
    data = cas[0].der[:cut]
    expected = outcome(lambda: ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=data))
    assert expected is not None
    assert outcome(lambda: certcore.TrustStore(cadata=data)) == expected
    assert ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).cert_store_stats()  # queue left clean: next call works
    assert len(certcore.TrustStore(cadata=cas[0].der)) == 1


def test_no_source_is_a_type_error():
    with pytest.raises(TypeError, match="cannot be all omitted"):
        certcore.TrustStore()
    with pytest.raises(TypeError, match="cannot be all omitted"):
        certcore.TrustStore(())


@pytest.mark.parametrize("bad", [b"pem bytes", "a string", [b"der"], [None], 5])
def test_certificates_wrong_types(bad):
    with pytest.raises(TypeError):
        certcore.TrustStore(bad)


def test_explicit_empty_iterable_is_an_empty_store():
    store = certcore.TrustStore([])
    assert len(store) == 0 and list(store) == [] and store.crls == 0


def test_immutable_identity_and_not_picklable(cas):
    store = certcore.TrustStore([cas[0].certcore])
    with pytest.raises(TypeError, match="immutable"):
        store.__init__([cas[1].certcore])
    assert ders(store) == [cas[0].der]
    twin = certcore.TrustStore([cas[0].certcore])
    assert store == store and store != twin and ders(twin) == ders(store)
    with pytest.raises(TypeError):
        pickle.dumps(store)


# --- the system store ---------------------------------------------------------------------------

def test_system_store_is_the_stdlibs_default_store():
    system = certcore.TrustStore.system()
    assert system is certcore.TrustStore.system()
    stdlib = ssl.create_default_context()
    stats = stdlib.cert_store_stats()
    held = ders(system)
    assert len(held) == stats["x509"]
    assert system.crls == stats["crl"]
    assert set(stdlib.get_ca_certs(binary_form=True)) <= set(held)
    assert repr(system).startswith("<system TrustStore certificates=")


REFRESH = textwrap.dedent("""
    import os, sys, certcore
    path, first, second = sys.argv[1:4]
    def put(src):
        with open(src, "rb") as f:
            data = f.read()
        tmp = path + ".new"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    put(first)
    a = certcore.TrustStore.system()
    b = certcore.TrustStore.system()
    put(second)
    c = certcore.TrustStore.system()
    print(len(a), a is b, len(c), c is a, sorted(x.der for x in c) == sorted(
        x.der for x in certcore.load_certificates(open(second, "rb").read())))
""")


def test_edited_bundle_is_reread(cas, tmp_path):
    first = write(tmp_path / "first.pem", cas[0].pem.encode())
    second = write(tmp_path / "second.pem", "".join(c.pem for c in cas).encode())
    env = dict(os.environ, SSL_CERT_FILE=str(tmp_path / "bundle.pem"), SSL_CERT_DIR=str(tmp_path / "nodir"))
    # cwd outside the checkout: "-c" puts the cwd first on sys.path, and the checkout's _certcore
    # has no built modules when certcore is installed (as in CI)
    proc = subprocess.run([sys.executable, "-c", REFRESH, str(tmp_path / "bundle.pem"), first, second],
                          env=env, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "True", "3", "False", "True"]


# --- sharing ------------------------------------------------------------------------------------

def test_threads_share_one_store(cas):
    store = certcore.TrustStore([c.certcore for c in cas])
    expected = ders(store)
    errors = []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            for _ in range(200):
                assert ders(store) == expected and len(store) == 3
                assert certcore.TrustStore.system() is certcore.TrustStore.system()
        except BaseException as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_expired_anchor_is_held_as_given():
    old = pki.root("expired", not_before=pki.NOW - 20 * pki.DAY, not_after=pki.NOW - 10 * pki.DAY)
    store = certcore.TrustStore(cadata=old.pem)
    assert ders(store) == [old.der]
    assert isinstance(pki.NOW, datetime.datetime)


def test_anchor_keys_are_each_certificates_own(cas):
    # a Verifier keys the signatures a trust anchor's key made by that key's SPKI digest, which the
    # store computes once per certificate, by the certificate's address: each must be that very
    # certificate's (hashlib over its SPKI is the oracle), and another object has none
    import hashlib
    from _certcore import truststore
    root, _, other = cas
    store = certcore.TrustStore([*certcore.TrustStore.system(), root.certcore, other.certcore])
    certs = list(store)
    assert len(certs) >= 2
    for c in certs:
        assert truststore._anchor_key(store, c) == hashlib.sha256(c.spki_der).digest(), c.subject
    assert truststore._anchor_key(store, certcore.Certificate(root.der)) is None


LAZY_ANCHOR_KEYS = textwrap.dedent("""
    import ssl
    import certcore
    from _certcore import truststore
    certcore.create_default_context()
    certcore.create_default_context()
    system = certcore.TrustStore.system()
    print(truststore._anchor_keys_made(system))
    certcore.Verifier(system)
    print(truststore._anchor_keys_made(system))
""")


def test_anchor_keys_are_made_for_verifiers_only(cas, tmp_path):
    # digesting every anchor's key costs create_default_context()'s first call 1.5% and only a
    # Verifier uses the digests: a store contexts share has none, the first Verifier makes them
    from _certcore import truststore
    root, _, _ = cas
    store = certcore.TrustStore([root.certcore])
    certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_trust_store(store)
    assert not truststore._anchor_keys_made(store)
    certcore.Verifier(store)
    assert truststore._anchor_keys_made(store)
    # the process-wide system store, in a fresh interpreter (a test here may have verified with it)
    proc = subprocess.run([sys.executable, "-c", LAZY_ANCHOR_KEYS], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"]
