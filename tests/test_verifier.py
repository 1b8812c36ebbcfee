"""certcore.Verifier against real handshakes: every chain goes through the Verifier and through a
TLS handshake whose client is the running Python's ``ssl.create_default_context()`` (the policy
the Verifier claims), over memory BIOs; verdict, verify_code, verify_message and text must match."""
import datetime
import re
import ssl
import sys
import threading

import pytest
from cryptography import x509

from helpers import pki
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier

UTC = datetime.timezone.utc


def _line(text):
    """The message without its "(_ssl.c:NNN)" line: certcore reports 3.11.7's line on every Python
    (errors.pyx), the running Python its own."""
    return re.sub(r"\(_ssl\.c:\d+\)", "(_ssl.c:N)", text)


def _handshake(tmp_path, roots, served, key, hostname):
    """The client's outcome of a real handshake: None (accepted) or the SSLCertVerificationError."""
    chain_file = tmp_path / "chain.pem"
    key_file = tmp_path / "key.pem"
    chain_file.write_bytes("".join(c.pem for c in served).encode())
    from cryptography.hazmat.primitives import serialization
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.set_ciphers("DEFAULT:@SECLEVEL=0")   # the server must be able to send weak test chains
    server_ctx.load_cert_chain(chain_file, key_file)
    client_ctx = ssl.create_default_context(cadata="".join(r.pem for r in roots))
    if hostname is None:
        client_ctx.check_hostname = False
    bios = [ssl.MemoryBIO() for _ in range(4)]
    client = client_ctx.wrap_bio(bios[0], bios[1], server_hostname=hostname)
    server = server_ctx.wrap_bio(bios[1], bios[0], server_side=True)
    for _ in range(20):
        for side in (client, server):
            try:
                side.do_handshake()
                if side is client:
                    return None
            except ssl.SSLCertVerificationError as e:
                return e
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                if side is client:
                    raise
    raise AssertionError("handshake did not finish")


def _verifier_outcome(roots, leaf, inters, hostname, **kw):
    v = Verifier(TrustStore([r.certcore for r in roots]), **kw)
    try:
        chain = v.verify(leaf.certcore, [i.certcore for i in inters], hostname)
    except ssl.SSLCertVerificationError as e:
        return e
    assert chain[0] == leaf.certcore
    return chain


def _cases():
    r = pki.root()
    i = pki.intermediate("inter", r)
    past = pki.NOW - 400 * pki.DAY
    cases = {
        "ok": ([r], pki.leaf("localhost", i), [i], "localhost"),
        "dns mismatch": ([r], pki.leaf("localhost", i), [i], "example.org"),
        "ip match": ([r], pki.leaf("ip", i, sans=("IP:127.0.0.1",)), [i], "127.0.0.1"),
        "ip mismatch": ([r], pki.leaf("ip", i, sans=("IP:127.0.0.1",)), [i], "127.0.0.2"),
        "expired": ([r], pki.leaf("localhost", i, not_before=past, not_after=pki.NOW - pki.DAY), [i],
                    "localhost"),
        "not yet valid": ([r], pki.leaf("localhost", i, not_before=pki.NOW + pki.DAY), [i], "localhost"),
        "clientAuth only": ([r], pki.leaf("localhost", i, eku=[pki.CLIENT_AUTH]), [i], "localhost"),
        "missing intermediate": ([r], pki.leaf("localhost", i), [], "localhost"),
        "untrusted root": ([pki.root("other root")], pki.leaf("localhost", i), [i], "localhost"),
        "rsa1024": ([r], pki.leaf("localhost", i, key="rsa1024"), [i], "localhost"),
        "unknown critical": ([r], pki.leaf("localhost", i, extensions=[
            (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00"), True)]),
            [i], "localhost"),
    }
    i0 = pki.intermediate("ca false", r, ca=False, key_usage=None, eku=None)
    cases["CA:FALSE intermediate"] = ([r], pki.leaf("localhost", i0), [i0], "localhost")
    r0 = pki.root("pathlen0 root", path_length=0)
    i1 = pki.intermediate("under pathlen0", r0)
    i2 = pki.intermediate("second level", i1)
    cases["path length"] = ([r0], pki.leaf("localhost", i2), [i2, i1], "localhost")
    nc = x509.NameConstraints(permitted_subtrees=[x509.DNSName("example.com")], excluded_subtrees=None)
    inc = pki.intermediate("constrained", r, extensions=[(nc, True)])
    cases["name constraint DNS"] = ([r], pki.leaf("localhost", inc), [inc], "localhost")
    cases["name constraint DNS ok"] = ([r], pki.leaf("a.example.com", inc, sans=("a.example.com",)), [inc],
                                       "a.example.com")
    import ipaddress
    ncip = x509.NameConstraints(permitted_subtrees=None,
                                excluded_subtrees=[x509.IPAddress(ipaddress.ip_network("127.0.0.0/8"))])
    iip = pki.intermediate("ip constrained", r, extensions=[(ncip, True)])
    cases["name constraint IP excluded"] = ([r], pki.leaf("ip", iip, sans=("IP:127.0.0.1",)), [iip],
                                            "127.0.0.1")
    # cross-signed: the intermediate's key also certified by a second root; only the cross cert
    # leads to the trusted root
    r2 = pki.root("cross root")
    cross = pki.issue("inter", r2, key=i.key, subject=i.cert.subject, ca=True)
    cases["cross-signed alternative"] = ([r2], pki.leaf("localhost", i), [i, cross], "localhost")
    return cases


CASES = _cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_policy_matches_handshake(name, tmp_path):
    roots, leaf, inters, hostname = CASES[name]
    want = _handshake(tmp_path, roots, [leaf, *inters], leaf.key, hostname)
    got = _verifier_outcome(roots, leaf, inters, hostname)
    if want is None:
        assert isinstance(got, list), got
    else:
        assert isinstance(got, ssl.SSLCertVerificationError), (name, want)
        assert (got.verify_code, got.verify_message, _line(str(got)), got.args[0]) == \
            (want.verify_code, want.verify_message, _line(str(want)), want.args[0]), name


def test_expected_rejections_happen():
    # the differential test could pass with both sides accepting everything: pin the verdicts that
    # are RFC 5280 facts (not OpenSSL choices) to "rejected"
    for name in ("dns mismatch", "ip mismatch", "expired", "not yet valid", "missing intermediate",
                 "untrusted root", "CA:FALSE intermediate", "path length", "name constraint DNS",
                 "name constraint IP excluded", "unknown critical", "clientAuth only"):
        roots, leaf, inters, hostname = CASES[name]
        assert isinstance(_verifier_outcome(roots, leaf, inters, hostname), ssl.SSLCertVerificationError), name


def test_at_moves_the_clock():
    r = pki.root(not_before=pki.NOW - 30 * pki.DAY)
    i = pki.intermediate("inter", r, not_before=pki.NOW - 30 * pki.DAY)
    old = pki.leaf("localhost", i, not_before=pki.NOW - 10 * pki.DAY, not_after=pki.NOW - 5 * pki.DAY)
    inside = pki.NOW - 7 * pki.DAY
    assert isinstance(_verifier_outcome([r], old, [i], "localhost", at=inside), list)
    assert isinstance(_verifier_outcome([r], old, [i], "localhost", at=int(inside.timestamp())), list)
    e = _verifier_outcome([r], old, [i], "localhost", at=pki.NOW - 20 * pki.DAY)
    assert e.verify_message == "certificate is not yet valid"
    e = _verifier_outcome([r], old, [i], "localhost")
    assert e.verify_message == "certificate has expired"


def test_max_depth():
    c = pki.chain()
    assert isinstance(_verifier_outcome([c.root], c.leaf, [c.inter], "localhost", max_depth=1), list)
    e = _verifier_outcome([c.root], c.leaf, [c.inter], "localhost", max_depth=0)
    assert e.verify_message == "certificate chain too long"


def test_purpose_client():
    r = pki.root()
    i = pki.intermediate("inter", r)
    client_leaf = pki.leaf("client", i, eku=[pki.CLIENT_AUTH])
    assert isinstance(_verifier_outcome([r], client_leaf, [i], None, purpose="client"), list)
    server_leaf = pki.leaf("server", i)
    e = _verifier_outcome([r], server_leaf, [i], None, purpose="client")
    assert e.verify_message == "unsuitable certificate purpose"


def test_crl_leaf(tmp_path):
    r = pki.root()
    i = pki.intermediate("inter", r)
    good = pki.leaf("localhost", i)
    bad = pki.leaf("localhost", i)
    crl = pki.crl(i, [bad])
    from cryptography.hazmat.primitives import serialization
    # a PEM file carries CRLs (cadata takes only certificates, as the stdlib's does)
    cafile = tmp_path / "ca.pem"
    cafile.write_text(r.pem + crl.public_bytes(serialization.Encoding.PEM).decode())
    store = TrustStore(cafile=str(cafile))
    v = Verifier(store, crl="leaf")
    assert v.verify(good.certcore, [i.certcore], "localhost")[0] == good.certcore
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        v.verify(bad.certcore, [i.certcore], "localhost")
    # the same store in a stdlib context with VERIFY_CRL_CHECK_LEAF says the same
    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    want = _handshake_ctx(tmp_path, ctx, [bad, i], bad.key)
    assert (info.value.verify_code, _line(str(info.value))) == (want.verify_code, _line(str(want)))
    assert info.value.verify_message == "certificate revoked"
    # without crl= the CRL is not consulted, as a default context does not
    assert Verifier(store).verify(bad.certcore, [i.certcore], "localhost")[0] == bad.certcore


def _handshake_ctx(tmp_path, client_ctx, served, key):
    from cryptography.hazmat.primitives import serialization
    (tmp_path / "c.pem").write_bytes("".join(c.pem for c in served).encode())
    (tmp_path / "k.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    a, b = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(a, b, server_hostname="localhost")
    server = server_ctx.wrap_bio(b, a, server_side=True)
    for _ in range(20):
        for side in (client, server):
            try:
                side.do_handshake()
                if side is client:
                    return None
            except ssl.SSLCertVerificationError as e:
                return e
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                if side is client:
                    raise
    raise AssertionError("handshake did not finish")


def test_verify_many_matches_verify():
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    items = [(c.leaf.certcore, [c.inter.certcore], "localhost"), (c.leaf.certcore, [], "localhost"),
             (c.leaf.certcore, [c.inter.certcore], "nope"), c.leaf.certcore]
    got = v.verify_many(items)
    assert got[0] == v.verify(*items[0])
    for g, (leaf, inters, host) in zip(got[1:3], items[1:3]):
        with pytest.raises(ssl.SSLCertVerificationError) as info:
            v.verify(leaf, inters, host)
        assert (type(g), g.args, g.verify_code) == (type(info.value), info.value.args, info.value.verify_code)
    assert isinstance(got[3], ssl.SSLCertVerificationError)
    assert v.verify_many([]) == []


def test_threads_agree():
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    want = v.verify(c.leaf.certcore, [c.inter.certcore], "localhost")
    results, errors = [], []

    def run():
        try:
            for _ in range(20):
                results.append(v.verify_many([(c.leaf.certcore, [c.inter.certcore], "localhost")] * 5))
        except Exception as e:   # pragma: no cover - reported below
            errors.append(e)
    ts = [threading.Thread(target=run) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert len(results) == 80 and all(r == [want] * 5 for r in results)


def test_fresh_certificates_parsed_without_the_gil_by_racing_threads():
    # verify()/verify_many() make a fresh Certificate's verification parse without the GIL and
    # publish it afterwards: threads racing on the same fresh objects (and one object appearing
    # twice in a batch, as leaf and as intermediate of another item) must all get the same chain
    from _certcore.x509 import Certificate
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    want = [x.der for x in v.verify(c.leaf.certcore, [c.inter.certcore], "localhost")]
    for _ in range(30):
        leaf, inter = Certificate(c.leaf.der), Certificate(c.inter.der)
        barrier = threading.Barrier(4)
        results, errors = [], []

        def run(i, leaf=leaf, inter=inter, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait()
                if i % 2:
                    got = [v.verify(leaf, [inter], "localhost")]
                else:
                    got = v.verify_many([(leaf, [inter], "localhost"), (leaf, [inter, inter], "localhost"),
                                         (inter, [], None)])
                results.append(got)
            except Exception as e:   # pragma: no cover - reported below
                errors.append(e)
        ts = [threading.Thread(target=run, args=(i,)) for i in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert not errors
        for got in results:
            assert [x.der for x in got[0]] == want
            if len(got) == 3:
                assert [x.der for x in got[1]] == want
                assert [x.der for x in got[2]] == want[1:]


def test_chain_returns_the_callers_objects():
    # the leaf and intermediates in the verified chain are the Certificates passed in; the anchor
    # comes from the store (equal by DER to the root given to the TrustStore)
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    leaf, inter = c.leaf.certcore, c.inter.certcore
    unused = pki.intermediate("unused", pki.root("other")).certcore
    anchors = []
    for got in (v.verify(leaf, [unused, inter], "localhost"),
                v.verify_many([(leaf, [unused, inter], "localhost")])[0]):
        assert got[0] is leaf and got[1] is inter
        assert got[2] == c.root.certcore and got[2].to_dict() == c.root.certcore.to_dict()
        anchors.append(got[2])
    # the Verifier wraps a store certificate once: the same anchor object for other callers' chains
    other = v.verify(c.leaf.certcore, [c.inter.certcore], "localhost")
    assert other[0] is not leaf and other[2] is anchors[0] is anchors[1]
    assert Verifier(TrustStore([c.root.certcore])).verify(leaf, [inter])[2] is not anchors[0]
    # an intermediate the store also holds is taken from the store (trusted first): a new object
    v2 = Verifier(TrustStore([c.root.certcore, inter]))
    got = v2.verify(leaf, [inter], "localhost")
    assert got[0] is leaf and got[1] == inter and len(got) == 2 + (sys.version_info < (3, 13))


def test_uninitialized_certificates_are_refused():
    from _certcore.x509 import Certificate
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    empty = Certificate.__new__(Certificate)
    with pytest.raises(ValueError, match="not initialized"):
        v.verify(empty, [c.inter.certcore])
    with pytest.raises(ValueError, match="not initialized"):
        v.verify(c.leaf.certcore, [empty])
    with pytest.raises(ValueError, match="not initialized"):
        v.verify_many([(c.leaf.certcore, [c.inter.certcore, empty], None)])


@pytest.mark.parametrize("kw, exc", [
    ({"purpose": "both"}, ValueError), ({"purpose": 1}, TypeError),
    ({"at": datetime.datetime(2020, 1, 1)}, ValueError), ({"at": "now"}, TypeError), ({"at": True}, TypeError),
    ({"max_depth": -1}, ValueError), ({"max_depth": 1.5}, TypeError), ({"crl": "all"}, ValueError),
    ({"strict": 1}, TypeError),
])
def test_constructor_argument_checks(kw, exc):
    c = pki.chain()
    with pytest.raises(exc):
        Verifier(TrustStore([c.root.certcore]), **kw)


def test_argument_checks():
    c = pki.chain()
    with pytest.raises(TypeError):
        Verifier(object())
    v = Verifier(TrustStore([c.root.certcore]))
    with pytest.raises(TypeError):
        v.verify(c.leaf.der)
    with pytest.raises(TypeError):
        v.verify(c.leaf.certcore, [c.inter.der])
    with pytest.raises(TypeError):
        v.verify(c.leaf.certcore, c.inter.certcore)
    with pytest.raises(TypeError):
        v.verify(c.leaf.certcore, (), b"localhost")
    for bad in ("", ".localhost", "local\0host", "h\u00e9"):
        with pytest.raises(ValueError):
            v.verify(c.leaf.certcore, [c.inter.certcore], bad)
    with pytest.raises(TypeError):
        v.verify_many([("x",)])
    with pytest.raises(ValueError):
        Verifier.__new__(Verifier).verify(c.leaf.certcore)


def test_strict_adds_the_strict_policy():
    # a leaf without an AKI: OpenSSL's default policy accepts it, RFC 5280 (4.2.1.1) says MUST
    # carry one; strict=True rejects it (OpenSSL's X509_STRICT catches this one before the strict policy)
    r = pki.root()
    i = pki.intermediate("inter", r)
    leaf = pki.leaf("localhost", i, aki=None)
    store = TrustStore([r.certcore])
    if sys.version_info >= (3, 13):
        # 3.13's create_default_context sets VERIFY_X509_STRICT: its default policy refuses it too
        with pytest.raises(ssl.SSLCertVerificationError):
            Verifier(store).verify(leaf.certcore, [i.certcore], "localhost")
    else:
        assert Verifier(store).verify(leaf.certcore, [i.certcore], "localhost")[0] == leaf.certcore
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        Verifier(store, strict=True).verify(leaf.certcore, [i.certcore], "localhost")
    e = info.value
    assert e.verify_code != 0 and e.verify_message in str(e)
    assert "CERTIFICATE_VERIFY_FAILED" in str(e)
    # and a conforming chain passes strict unchanged
    c = pki.chain()
    got = Verifier(TrustStore([c.root.certcore]), strict=True).verify(c.leaf.certcore, [c.inter.certcore],
                                                                        "localhost")
    assert got == [c.leaf.certcore, c.inter.certcore, c.root.certcore]


@pytest.mark.parametrize("name", sorted(CASES))
def test_own_signature_pass_matches_openssls(name):
    # certcore's internal_verify (with its signature cache, cold then warm) against OpenSSL's own
    from _certcore import verify
    roots, leaf, inters, hostname = CASES[name]

    def key(x):
        return [c.der for c in x] if isinstance(x, list) else (type(x), x.verify_code, x.verify_message, x.args)
    verify._set_own_verify(False)
    try:
        want = key(_verifier_outcome(roots, leaf, inters, hostname))
    finally:
        verify._set_own_verify(True)
    verify._cache_clear()
    assert key(_verifier_outcome(roots, leaf, inters, hostname)) == want
    assert key(_verifier_outcome(roots, leaf, inters, hostname)) == want


def test_signature_cache_hits_and_never_accepts_a_changed_certificate():
    from _certcore import verify
    from _certcore.x509 import Certificate
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    verify._cache_clear()
    v.verify(c.leaf.certcore, [c.inter.certcore], "localhost")
    hits, misses = verify._cache_counts()
    assert (hits, misses) == (0, 2)           # leaf under intermediate, intermediate under root
    other = pki.leaf("localhost", c.inter)    # a new leaf under the known intermediate: one check
    v.verify(other.certcore, [c.inter.certcore], "localhost")
    assert verify._cache_counts() == (1, 3)
    # same key, mutated bytes: the signature's last byte flipped
    der = bytearray(c.leaf.der)
    der[-1] ^= 1
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        v.verify(Certificate(bytes(der)), [c.inter.certcore], "localhost")
    assert info.value.verify_message == "certificate signature failure"
    # a look-alike intermediate (same name and SKI, another key): the cache knows (leaf, real key),
    # not (leaf, fake key), so the leaf's signature is checked under the fake key and fails
    real_ski = c.inter.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    fake_inter = pki.issue("certcore test intermediate", c.root, subject=c.inter.cert.subject, ca=True,
                           ski=real_ski)
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        v.verify(c.leaf.certcore, [fake_inter.certcore], "localhost")
    assert info.value.verify_message == "certificate signature failure"
    # same TBS, signed by another key: the cached (DER, key) pair does not cover it
    real_aki = c.leaf.cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    resigned = pki.issue("localhost", fake_inter, key=c.leaf.key, subject=c.leaf.cert.subject,
                         sans=("localhost",), serial=c.leaf.cert.serial_number, aki=real_aki,
                         not_before=c.leaf.cert.not_valid_before_utc, not_after=c.leaf.cert.not_valid_after_utc)
    assert resigned.cert.tbs_certificate_bytes == c.leaf.cert.tbs_certificate_bytes
    assert resigned.der != c.leaf.der
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        v.verify(resigned.certcore, [c.inter.certcore], "localhost")
    assert info.value.verify_message == "certificate signature failure"
    # and the genuine chain still verifies from the cache
    assert v.verify(c.leaf.certcore, [c.inter.certcore], "localhost")[0] == c.leaf.certcore


def _leaves_sharing_a_cache_set(c, count):
    """``count`` new leaves under c.inter whose signature entries share one cache set, not the
    intermediate's (pigeonhole: at most (sets - 1) * (count - 1) + 1 leaves are made)."""
    from _certcore import verify
    avoid = verify._cache_set(c.inter.certcore)
    key = pki.shared_key()
    by_set = {}
    while True:
        leaf = pki.leaf("localhost", c.inter, key=key).certcore
        s = verify._cache_set(leaf)
        if s != avoid:
            group = by_set.setdefault(s, [])
            group.append(leaf)
            if len(group) == count:
                return group


def test_signature_cache_keeps_a_sets_two_most_recent_entries():
    from _certcore import verify
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    a, b, d = _leaves_sharing_a_cache_set(c, 3)

    def counted(leaf):
        """(hits, misses) of one verification: the intermediate's entry, then the leaf's."""
        h0, m0 = verify._cache_counts()
        assert v.verify(leaf, [c.inter.certcore], "localhost")[0] == leaf
        h, m = verify._cache_counts()
        return h - h0, m - m0

    verify._cache_clear()
    assert counted(a) == (0, 2)
    assert counted(b) == (1, 1)
    assert counted(a) == (2, 0)     # a stays beside b in their set
    assert counted(d) == (1, 1)     # d comes in; b, the least recently used, goes
    assert counted(a) == (2, 0)
    assert counted(b) == (1, 1)
    assert counted(d) == (1, 1)     # b came back in place of d (a was the more recent)
    assert counted(a) == (1, 1)     # and a, after b and d, was the least recent


def test_signature_cache_keeps_both_entries_of_one_chain_in_one_set():
    # a leaf whose entry lands in its intermediate's set: one verification adds both entries, and
    # the next verification of the same chain must find both
    from _certcore import verify
    c = pki.chain()
    v = Verifier(TrustStore([c.root.certcore]))
    inter_set = verify._cache_set(c.inter.certcore)
    key = pki.shared_key()
    while True:     # about 2048 leaves on average
        leaf = pki.leaf("localhost", c.inter, key=key).certcore
        if verify._cache_set(leaf) == inter_set:
            break
    verify._cache_clear()
    v.verify(leaf, [c.inter.certcore], "localhost")
    assert verify._cache_counts() == (0, 2)
    v.verify(leaf, [c.inter.certcore], "localhost")
    assert verify._cache_counts() == (2, 2)
