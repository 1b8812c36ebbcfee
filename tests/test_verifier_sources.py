"""A Verifier over the sources a TrustStore holds besides certificates: a hashed directory (read
lazily by OpenSSL's lookup, so a root added later is found) and CRLs, each against a handshake
whose client is the stdlib's create_default_context() on the same source; and verdicts from many
threads sharing one Verifier equal one thread's."""
import os
import ssl
import subprocess
import threading

import pytest
from cryptography.hazmat.primitives import serialization

from helpers import pki
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from test_verifier import _handshake_ctx, _line


def outcome(verifier, leaf, inters, host):
    """What the Verifier says: the chain's DER, or the error's code and text."""
    try:
        return [c.der for c in verifier.verify(leaf.certcore, [i.certcore for i in inters], host)]
    except ssl.SSLCertVerificationError as e:
        return (e.verify_code, _line(str(e)))


def stdlib(tmp_path, client_ctx, leaf, inters):
    """The stdlib client's verdict in a handshake with a server sending leaf + inters, in
    outcome()'s shape (the chain is not visible to the client before 3.13: only acceptance)."""
    e = _handshake_ctx(tmp_path, client_ctx, [leaf, *inters], leaf.key)
    return "accepted" if e is None else (e.verify_code, _line(str(e)))


def shape(o):
    return "accepted" if isinstance(o, list) else o


@pytest.fixture(scope="module")
def pkis():
    r = pki.root("sources root")
    i = pki.intermediate("sources intermediate", r)
    other = pki.root("sources other root")
    oi = pki.intermediate("sources other intermediate", other)
    return r, i, other, oi


def in_threads(n, body):
    """body() in n threads released together; the first exception any of them raised, re-raised."""
    barrier = threading.Barrier(n)
    errors = []

    def run():
        try:
            barrier.wait()
            body()
        except BaseException as e:   # noqa: BLE001 - re-raised below
            errors.append(e)
    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def hashed_link(d, cert, name):
    (d / name).write_text(cert.pem)
    h = subprocess.run(["openssl", "x509", "-noout", "-subject_hash", "-in", str(d / name)],
                       capture_output=True, text=True, check=True).stdout.strip()
    os.symlink(name, d / f"{h}.0")


def test_hashed_directory_matches_the_stdlib(pkis, tmp_path):
    r, i, other, oi = pkis
    d = tmp_path / "certs"
    d.mkdir()
    hashed_link(d, r, "root.pem")
    mine = pki.leaf("localhost", i)
    theirs = pki.leaf("localhost", oi)
    v = Verifier(TrustStore(capath=str(d)))
    cases = [(mine, [i]), (mine, []), (theirs, [oi])]
    for leaf, inters in cases:
        want = stdlib(tmp_path, ssl.create_default_context(capath=str(d)), leaf, inters)
        assert shape(outcome(v, leaf, inters, "localhost")) == want
    assert outcome(v, mine, [i], "localhost") == [mine.der, i.der, r.der]
    assert outcome(v, theirs, [oi], "localhost")[0] == 20     # unable to get local issuer certificate
    # the other root arrives in the directory: the same Verifier finds it, as a new context does
    hashed_link(d, other, "other.pem")
    for leaf, inters in cases:
        want = stdlib(tmp_path, ssl.create_default_context(capath=str(d)), leaf, inters)
        assert shape(outcome(v, leaf, inters, "localhost")) == want
    assert outcome(v, theirs, [oi], "localhost") == [theirs.der, oi.der, other.der]


def test_crls_from_threads_match_the_stdlib(pkis, tmp_path):
    r, i, _, _ = pkis
    good = pki.leaf("localhost", i)
    bad = pki.leaf("localhost", i)
    crl = pki.crl(i, [bad])
    cafile = tmp_path / "ca.pem"
    cafile.write_text(r.pem + crl.public_bytes(serialization.Encoding.PEM).decode())
    v = Verifier(TrustStore(cafile=str(cafile)), crl="leaf")
    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    want = (stdlib(tmp_path, ctx, good, [i]), stdlib(tmp_path, ctx, bad, [i]))
    assert want[0] == "accepted" and want[1][0] == 23       # certificate revoked
    verdicts = []

    def body():
        for _ in range(25):
            verdicts.append((shape(outcome(v, good, [i], "localhost")), outcome(v, bad, [i], "localhost")))
    in_threads(4, body)
    assert len(verdicts) == 100
    assert all(got == want for got in verdicts)


def test_many_threads_get_one_threads_verdicts(pkis):
    r, i, other, oi = pkis
    mine = pki.leaf("localhost", i)
    cases = [(mine, [i], "localhost"),          # accepted
             (mine, [i], "example.org"),        # wrong name
             (mine, [], "localhost"),           # missing intermediate
             (pki.leaf("localhost", oi), [oi], "localhost")]   # untrusted root
    want = [outcome(Verifier(TrustStore([r.certcore])), *case) for case in cases]
    assert isinstance(want[0], list) and all(isinstance(w, tuple) for w in want[1:])
    v = Verifier(TrustStore([r.certcore]))
    batch_in = [(leaf.certcore, [x.certcore for x in inters], host) for leaf, inters, host in cases] * 3
    singles, batches = [], []

    def body():
        for _ in range(15):
            singles.append([outcome(v, *case) for case in cases])
            batches.append([[c.der for c in x] if isinstance(x, list) else (x.verify_code, _line(str(x)))
                            for x in v.verify_many(batch_in)])
    in_threads(12, body)
    assert len(singles) == len(batches) == 15 * 12
    assert all(g == want for g in singles) and all(g == want * 3 for g in batches)
