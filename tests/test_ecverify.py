"""ECDSA P-256 signatures checked with a fixed-base table of the issuer key (_certcore/ecverify.pyx).

Once an issuer key has signed enough certificates in the process, certcore checks its signatures
with OpenSSL's P-256 code through a precomputed table of the key instead of X509_verify, and does
the rest of X509_verify itself (algorithm identifiers, unused bits, DER signature, 0 < r, s < n, the
ECDSA equation). The oracle is X509_verify in the same process on the same certificate and key
(``ecverify._check`` returns both verdicts), and at chain level OpenSSL's own internal_verify
(``verify._set_own_verify(False)``). Bad signatures are made by DER surgery on generated
certificates: a signature that fails is only interesting if it is a near miss.
"""
import random
import ssl
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from helpers import pki, pki_raw
from helpers.certgen import oid_der, seq, tlv
from _certcore import ecverify
from _certcore import verify as _verify
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from _certcore.x509 import Certificate

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551    # P-256's group order
ECDSA_SHA256 = oid_der("1.2.840.10045.4.3.2")
HOST = "localhost"


@pytest.fixture(autouse=True)
def _tables_from_the_first_signature():
    """Every signature under a P-256 key goes through a table in these tests; afterwards the
    process is back to its defaults, with no table left. No test needs BN_mod_inverse: s is
    invertible whenever 0 < s < n, so the limb inverse must always give the confirmed answer."""
    old = ecverify._set_threshold(1)
    ecverify._clear()
    _verify._cache_clear()
    fallbacks = ecverify._inverse_fallbacks()
    yield
    ecverify._set_threshold(old)
    ecverify._clear()
    _verify._set_own_verify(True)
    _verify._cache_clear()
    assert ecverify._inverse_fallbacks() == fallbacks


@pytest.fixture(scope="module")
def ca():
    r = pki.root()
    return r, pki.intermediate("ecverify intermediate", r)


@pytest.fixture(scope="module")
def leaf(ca):
    return pki.leaf(HOST, ca[1], sans=(HOST,))


def _parts(der):
    """(TBSCertificate, outer AlgorithmIdentifier, signature BIT STRING content) of a certificate."""
    _tag, start, end = pki_raw._read(der, 0)
    (_t, tbs), (_a, alg), (_s, bits) = pki_raw._elements(der[start:end])
    _tag, bstart, bend = pki_raw._read(bits, 0)
    return tbs, alg, bits[bstart:bend]


def _assemble(tbs, alg, bit_string_content):
    return seq(tbs, alg, tlv(0x03, bit_string_content))


def _der_int(value, pad=0):
    """A DER INTEGER: minimal two's complement, with ``pad`` extra leading zero octets."""
    size = value.bit_length() // 8 + 1
    return tlv(0x02, b"\x00" * pad + value.to_bytes(size, "big", signed=True))


def _rs(der):
    return decode_dss_signature(_parts(der)[2][1:])


def _with_signature(der, sig_der, unused=0):
    tbs, alg, _bits = _parts(der)
    return _assemble(tbs, alg, bytes([unused]) + sig_der)


def _agree(subject_der, issuer_der, answered=True):
    """Both verdicts; the table's must be X509_verify's (and given, when answered)."""
    fast, ref = ecverify._check(subject_der, issuer_der)
    if answered:
        assert fast in (0, 1), (fast, ref)
    else:
        assert fast == -1, (fast, ref)
    assert (fast == 1) == (ref == 1) or fast == -1, (fast, ref)
    return fast, ref


def test_valid_signature(ca, leaf):
    assert _agree(leaf.der, ca[1].der) == (1, 1)
    assert _agree(ca[1].der, ca[0].der) == (1, 1)


def test_malleated_s_is_valid_both_ways(ca, leaf):
    # (r, n - s) is a valid ECDSA signature too; neither side enforces low s
    r, s = _rs(leaf.der)
    assert _agree(_with_signature(leaf.der, seq(_der_int(r), _der_int(N - s))), ca[1].der) == (1, 1)


def _scalar_cases(r, s):
    yield "r+1", r + 1, s
    yield "s+1", r, s + 1
    yield "swapped", s, r
    yield "r=0", 0, s
    yield "s=0", r, 0
    yield "r=n", N, s
    yield "s=n", r, N
    yield "r+n", r + N, s
    yield "s+n", r, s + N
    yield "r=-r", -r, s
    yield "s=-s", r, -s
    yield "r=n-r", N - r, s
    yield "r=1", 1, s
    yield "s=1", r, 1
    yield "r=n-1", N - 1, s
    yield "s=n-1", r, N - 1


@pytest.mark.parametrize("case", [c[0] for c in _scalar_cases(1, 1)])
def test_near_miss_scalars(ca, leaf, case):
    r, s = _rs(leaf.der)
    _name, r2, s2 = next(c for c in _scalar_cases(r, s) if c[0] == case)
    fast, ref = _agree(_with_signature(leaf.der, seq(_der_int(r2), _der_int(s2))), ca[1].der)
    assert fast == 0 and ref != 1


def _encoding_cases(r, s):
    ri, si = _der_int(r), _der_int(s)
    body = ri + si
    yield "padded r", seq(_der_int(r, pad=1), si)
    yield "padded s", seq(ri, _der_int(s, pad=1))
    yield "long-form length", b"\x30\x81" + bytes([len(body)]) + body
    yield "trailing byte", seq(ri, si) + b"\x00"
    yield "third integer", seq(ri, si, _der_int(1))
    yield "one integer", seq(ri)
    yield "truncated", seq(ri, si)[:-1]
    yield "empty", b""
    yield "indefinite length", b"\x30\x80" + body + b"\x00\x00"
    yield "set, not sequence", tlv(0x31, body)
    yield "octet strings", seq(tlv(0x04, ri[2:]), tlv(0x04, si[2:]))


@pytest.mark.parametrize("case", [c[0] for c in _encoding_cases(1, 1)])
def test_signature_encodings(ca, leaf, case):
    r, s = _rs(leaf.der)
    sig = next(c[1] for c in _encoding_cases(r, s) if c[0] == case)
    fast, ref = _agree(_with_signature(leaf.der, sig), ca[1].der)
    assert fast == 0 and ref != 1


def test_unused_bits(ca):
    # the right signature bytes, but the BIT STRING says its last bits are padding. Where those
    # bits are zero the bytes decode unchanged, so only ASN1_item_verify's own unused-bits check
    # refuses the signature: leaves are made until the signature's last octet ends in zero bits
    i = ca[1]
    for unused, mask in ((1, 0x01), (3, 0x07)):
        for _ in range(400):
            der = pki.leaf(HOST, i, sans=(HOST,)).der
            sig = _parts(der)[2][1:]
            if sig[-1] & mask == 0:
                break
        else:
            raise AssertionError("no signature ending in zero bits")
        assert _agree(der, i.der) == (1, 1)
        fast, ref = _agree(_with_signature(der, sig, unused=unused), i.der)
        assert fast == 0 and ref != 1


def test_tbs_changed_after_signing(ca, leaf):
    tbs, alg, bits = _parts(leaf.der)
    for pos in (len(tbs) // 3, len(tbs) // 2, len(tbs) - 1):
        bad = bytearray(tbs)
        bad[pos] ^= 0x01
        fast, ref = _agree(_assemble(bytes(bad), alg, bits), ca[1].der)
        assert fast == 0 and ref != 1


def test_outer_algorithm_differs_from_tbs(ca, leaf):
    # same OID, but NULL parameters outside only: X509_verify compares the two identifiers first
    tbs, _alg, bits = _parts(leaf.der)
    fast, ref = _agree(_assemble(tbs, seq(ECDSA_SHA256, b"\x05\x00"), bits), ca[1].der)
    assert fast == 0 and ref != 1


def test_null_parameters_on_both_sides(ca):
    # NULL parameters in both identifiers, signed that way: OpenSSL ignores ECDSA parameters
    r, i = ca
    base = pki.leaf(HOST, i, sans=(HOST,))

    def edit(fields):
        idx = 2 if fields[0][0] == 0xA0 else 1
        fields[idx] = (0x30, seq(ECDSA_SHA256, b"\x05\x00"))
        return fields
    raw = pki_raw.edit_tbs(base, i.key, edit)
    tbs, _alg, bits = _parts(raw.der)
    fixed = _assemble(tbs, seq(ECDSA_SHA256, b"\x05\x00"), bits)
    assert _agree(fixed, i.der) == (1, 1)


def test_wrong_issuer_key(ca, leaf):
    # same names, another P-256 key
    other = pki.intermediate("ecverify intermediate", ca[0])
    fast, ref = _agree(leaf.der, other.der)
    assert fast == 0 and ref != 1


def test_other_algorithms_are_left_to_openssl(ca):
    r, i = ca
    sha384 = pki.leaf(HOST, i, sans=(HOST,), hash_alg=hashes.SHA384())
    assert _agree(sha384.der, i.der, answered=False) == (-1, 1)
    p384 = pki.intermediate("ecverify P-384", r, key="ec384")
    assert _agree(pki.leaf(HOST, p384, sans=(HOST,)).der, p384.der, answered=False) == (-1, 1)
    rsa = pki.intermediate("ecverify RSA", r, key=pki.shared_key("rsa", 1))
    rsa_leaf = pki.leaf(HOST, rsa, sans=(HOST,))
    assert _agree(rsa_leaf.der, rsa.der, answered=False) == (-1, 1)
    # an RSA signature relabelled ecdsa-with-SHA256 on both sides: X509_verify refuses the key type
    tbs, _alg, bits = _parts(rsa_leaf.der)
    fast, ref = ecverify._check(_assemble(tbs, seq(ECDSA_SHA256), bits), rsa.der)
    assert fast == -1 and ref != 1


def test_random_signature_mutations(ca, leaf):
    rng = random.Random(13)
    tbs, alg, bits = _parts(leaf.der)
    seen = set()
    undecodable = 0
    for _ in range(300):
        b = bytearray(bits)
        for _ in range(rng.choice((1, 1, 2, 3))):
            pos = rng.randrange(len(b))
            b[pos] = rng.randrange(256) if rng.random() < 0.5 else b[pos] ^ (1 << rng.randrange(8))
        if rng.random() < 0.1:
            b = b[:rng.randrange(len(b))] if rng.random() < 0.5 else b + bytes([rng.randrange(256)])
        try:
            fast, ref = ecverify._check(_assemble(tbs, alg, bytes(b)), ca[1].der)
        except ValueError:      # an unused-bits octet over 7: not a certificate at all
            undecodable += 1
            continue
        assert fast in (0, 1) and (fast == 1) == (ref == 1), (bytes(b).hex(), fast, ref)
        seen.add((fast, ref))
    assert undecodable < 30 and (0, 1) not in seen and (1, 0) not in seen


def test_random_keys_and_messages():
    # 60 independent keys and leaves (a table each): every genuine signature passes, and the
    # same signature under the neighbouring key fails
    r = pki.root()
    inters = [pki.intermediate(f"ecverify key {n}", r) for n in range(30)]
    for n, i in enumerate(inters):
        for _ in range(2):
            der = pki.leaf(HOST, i, sans=(HOST,)).der
            assert _agree(der, i.der) == (1, 1)
            assert _agree(der, inters[(n + 1) % len(inters)].der)[0] == 0


# --- through Verifier: tables in real verifications ---------------------------------------------

def _verdict(verifier, leaf_der, inter_der):
    try:
        return ("ok", [c.der for c in verifier.verify(Certificate(leaf_der), [Certificate(inter_der)], HOST)])
    except ssl.SSLCertVerificationError as e:
        return ("rejected", e.verify_code, e.verify_message)


def _openssl_verdict(verifier, leaf_der, inter_der):
    _verify._set_own_verify(False)
    try:
        return _verdict(verifier, leaf_der, inter_der)
    finally:
        _verify._set_own_verify(True)


def test_chains_agree_with_openssl(ca):
    r, i = ca
    verifier = Verifier(TrustStore([r.certcore]))
    good = [pki.leaf(HOST, i, sans=(HOST,)).der for _ in range(5)]
    r_, s_ = _rs(good[0])
    bad = [
        _with_signature(good[1], seq(_der_int(r_), _der_int(s_ + 1))),
        _with_signature(good[2], seq(_der_int(r_), _der_int(N - s_))),     # another leaf's (r, n-s)
        pki.leaf(HOST, pki.intermediate("ecverify intermediate", r), sans=(HOST,)).der,  # other key
    ]
    before = ecverify._counts()[0]
    for der in good + bad:
        _verify._cache_clear()
        ours = _verdict(verifier, der, i.der)
        _verify._cache_clear()
        assert ours == _openssl_verdict(verifier, der, i.der)
        assert (ours[0] == "ok") == (der in good)
    # leaf and intermediate per chain; the other key's leaf is refused before any signature check
    # (its AKI names another key, so the chain is never built)
    assert ecverify._counts()[0] - before == 2 * (len(good) + 2)


def test_table_is_built_at_the_threshold(ca):
    r, i = ca
    verifier = Verifier(TrustStore([r.certcore]))
    ecverify._set_threshold(4)
    inter = Certificate(i.der)
    leaves = [Certificate(pki.leaf(HOST, i, sans=(HOST,)).der) for _ in range(6)]
    built = []
    for leaf in leaves:
        verifier.verify(leaf, [inter], HOST)
        built.append(ecverify._counts()[1])
    # the intermediate's signature is checked once (then cached); the leaves' key counts to 4
    assert built[2] == built[0] and built[3] == built[0] + 1 and built[5] == built[3]


def test_many_keys_evict_tables_under_threads():
    # more issuer keys than tables, verified from two threads at once: tables are evicted while
    # the other thread may be using them; every verdict must stay right
    r = pki.root()
    inters = [pki.intermediate(f"ecverify evict {n}", r) for n in range(24)]
    items, expect = [], []
    for n, i in enumerate(inters):
        good = pki.leaf(HOST, i, sans=(HOST,))
        other = inters[(n + 1) % len(inters)]
        items.append((good.certcore, [i.certcore], HOST))
        expect.append(True)
        items.append((good.certcore, [other.certcore], HOST))     # signed by another key
        expect.append(False)
    verifier = Verifier(TrustStore([r.certcore]))
    built0 = ecverify._counts()[1]
    errors = []

    def work(seed):
        rng = random.Random(seed)
        try:
            for _ in range(6):
                _verify._cache_clear()
                order = list(range(len(items)))
                rng.shuffle(order)
                results = verifier.verify_many([items[k] for k in order])
                for k, res in zip(order, results):
                    assert isinstance(res, list) == expect[k], (k, res)
        except BaseException as e:       # re-raised in the main thread
            errors.append(e)
    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert ecverify._counts()[1] - built0 > 16     # more tables built than are kept: evictions
    assert ecverify._counts()[2] <= 16


def test_p256_key_with_cached_intermediate_and_default_threshold(ca):
    # the process default: no table below the threshold, so a one-off key costs nothing extra
    r, i = ca
    ecverify._set_threshold(10 ** 6)
    verifier = Verifier(TrustStore([r.certcore]))
    built = ecverify._counts()[1]
    for _ in range(3):
        verifier.verify(Certificate(pki.leaf(HOST, i, sans=(HOST,)).der), [Certificate(i.der)], HOST)
    assert ecverify._counts()[1] == built


def test_check_refuses_undecodable_input(ca):
    with pytest.raises(ValueError):
        ecverify._check(b"\x30\x00", ca[1].der)
    with pytest.raises(ValueError):
        ecverify._check(ca[1].der, b"")


def test_signature_cache_still_keyed_by_exact_bytes(ca, leaf):
    # a verified leaf is cached; the same leaf with one TBS bit changed is not a hit
    r, i = ca
    verifier = Verifier(TrustStore([r.certcore]))
    verifier.verify(Certificate(leaf.der), [Certificate(i.der)], HOST)
    tbs, alg, bits = _parts(leaf.der)
    bad = bytearray(tbs)
    bad[-1] ^= 0x01
    with pytest.raises(ssl.SSLCertVerificationError):
        verifier.verify(Certificate(_assemble(bytes(bad), alg, bits)), [Certificate(i.der)], HOST)


def test_key_of_the_table_is_the_spki(ca):
    # two certificates with the same P-256 key share one table; a key's table never answers for
    # another key even when the subject names match
    r, i = ca
    twin = pki.intermediate("ecverify intermediate", r, key=i.key)
    der = pki.leaf(HOST, i, sans=(HOST,)).der
    built = ecverify._counts()[1]
    assert _agree(der, i.der) == (1, 1)
    assert _agree(der, twin.der) == (1, 1)
    assert ecverify._counts()[1] == built + 1
    k = ec.generate_private_key(ec.SECP256R1())
    stranger = pki.intermediate("ecverify intermediate", r, key=k)
    assert _agree(der, stranger.der)[0] == 0


def test_inverse_modulo_the_order():
    # the limb arithmetic itself (the verifier also checks w*s = 1 with OpenSSL's arithmetic and
    # falls back to BN_mod_inverse, which would hide a wrong answer here); Python's pow is the oracle
    rng = random.Random(5)
    edges = [1, 2, 3, N - 1, N - 2, (N + 1) // 2, 2 ** 255, 2 ** 128 + 1, 2 ** 64 - 1, 2 ** 64, 2 ** 192 - 1]
    # whole zero limbs: more than 63 trailing zero bits stripped in one number
    edges += [2 ** 128, 2 ** 192, 3 * 2 ** 70, 2 ** 200 + 2 ** 130, N - 2 ** 64]
    values = edges + [rng.randrange(1, N) for _ in range(5000)] + [rng.randrange(1, 2 ** 64) for _ in range(500)]
    for s in values:
        assert ecverify._test_inverse(s) == pow(s, -1, N), hex(s)
    # no inverse: the loop must end and say so
    assert ecverify._test_inverse(N) is None
    with pytest.raises(ValueError):
        ecverify._test_inverse(0)


P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF    # P-256's field prime


def test_x_compared_in_jacobian_coordinates():
    # x(R) mod n == r is decided as X == c*Z^2 (mod p) for c = r or r + n < p; Python's modular
    # arithmetic is the oracle, with x drawn on both sides of n (x >= n: r = x - n) and Z random
    rng = random.Random(11)
    assert P - N < 2 ** 129 and N < P < 2 * N
    xs = [rng.randrange(1, N) for _ in range(400)] + [rng.randrange(N, P) for _ in range(400)]
    xs += [1, N - 1, N + 1, P - 1]      # the extremes of both ranges
    for x in xs:
        z = rng.randrange(1, P)
        X = x * z * z % P
        r = x % N
        assert ecverify._test_x_matches(X, z, r) == 1, hex(x)
        for wrong in {(r + 1) % N or 1, (r - 1) % N or N - 1, (x + 1) % P % N or 1}:
            if wrong != r:
                assert ecverify._test_x_matches(X, z, wrong) == 0, (hex(x), hex(wrong))
    # r + n >= p is no candidate: for r >= p - n only x == r matches
    r = P - N + 5
    z = rng.randrange(1, P)
    assert ecverify._test_x_matches((r + N - P) * z * z % P, z, r) == 0
    assert ecverify._test_x_matches(r * z * z % P, z, r) == 1


def test_scalars_as_montgomery_products():
    # u1 = e/s and u2 = r/s (mod n), with s^-1 taken in Montgomery form; digests at and above n
    # (one in 2^32 SHA-256 values) go in unreduced; Python's modular arithmetic is the oracle
    rng = random.Random(13)
    es = [0, 1, N - 1, N, N + 1, 2 ** 256 - 1] + [rng.randrange(0, 2 ** 256) for _ in range(300)]
    es += [rng.randrange(N, 2 ** 256) for _ in range(100)]
    fallbacks = ecverify._inverse_fallbacks()
    for e in es:
        r, s = rng.randrange(1, N), rng.choice([1, 2, N - 1, rng.randrange(1, N)])
        w = pow(s, -1, N)
        assert ecverify._test_scalars(e, r, s) == (e * w % N, r * w % N), (hex(e), hex(r), hex(s))
    # every inverse was the limb algorithm's, confirmed: BN_mod_inverse, the fallback, was not needed
    assert ecverify._inverse_fallbacks() == fallbacks


def _ber_outer(der):
    # the same certificate with its outer SEQUENCE length in a non-minimal long form: a Certificate
    # keeps these bytes, while i2d_X509 would give the minimal form
    assert der[0] == 0x30 and der[1] == 0x82
    return bytes([0x30, 0x83, 0x00]) + der[2:]


@pytest.mark.parametrize("own", [True, False])
def test_certificates_digested_from_their_own_bytes(ca, own):
    # the signature pass takes each Certificate's DER as given (and an intermediate's digests,
    # computed once per object) instead of re-encoding the X509: verdicts stay OpenSSL's
    # internal_verify's (own=False) for good and bad signatures, with the intermediate object
    # reused across calls and both certificates in a non-minimal outer encoding
    r, i = ca
    _verify._set_own_verify(own)
    verifier = Verifier(TrustStore([r.certcore]))
    inter = Certificate(_ber_outer(i.der))
    assert inter.spki_sha256 == Certificate(i.der).spki_sha256
    for _ in range(4):
        der = _ber_outer(pki.leaf(HOST, i, sans=(HOST,)).der)
        chain = verifier.verify(Certificate(der), [inter], HOST)
        assert [c.der for c in chain][:2] == [der, inter.der]
        tbs, alg, bits = _parts(pki.leaf(HOST, i, sans=(HOST,)).der)
        bad = bytearray(tbs)
        assert bad[4] == 0xA0 and bad[9] == 0x02 and bad[10] >= 2     # version, then the serial
        bad[12] ^= 0x01         # a serial octet: only the signature can tell
        with pytest.raises(ssl.SSLCertVerificationError) as err:
            verifier.verify(Certificate(_ber_outer(_assemble(bytes(bad), alg, bits))), [inter], HOST)
        assert err.value.verify_code == 7     # X509_V_ERR_CERT_SIGNATURE_FAILURE
        # the same bad leaf again (no cache entry was made for it) and the good one again (cached)
        with pytest.raises(ssl.SSLCertVerificationError):
            verifier.verify(Certificate(_ber_outer(_assemble(bytes(bad), alg, bits))), [inter], HOST)
        assert len(verifier.verify(Certificate(der), [inter], HOST)) == 3
