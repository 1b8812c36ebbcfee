"""Verification keys made without OpenSSL 3.0's decoder (_certcore/spki.pyx).

For RSA and the NIST curves certcore makes a certificate's verification key from the
SubjectPublicKeyInfo's bytes with EVP_PKEY_fromdata / EVP_PKEY_set1_encoded_public_key and
installs it on the inspection parse; every other key and every non-canonical encoding is left
to OpenSSL's decoder. The oracle is OpenSSL itself, in the same process: the key of a normal
parse (``_verification_key``), and every verdict repeated with the fast path switched off
(``_use_decoder_only``), which is how certcore verified before. Certificates whose keys OpenSSL
cannot decode, or decodes differently, are made by DER surgery on a generated certificate and
re-signed by its issuer (helpers.pki_raw).
"""
import random
import ssl
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from helpers import pki, pki_raw
from helpers.certgen import oid_der, seq, tlv
from _certcore import spki as _spki
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from _certcore.x509 import Certificate, _verification_key

HOST = "localhost"


EC_PUBLIC_KEY = oid_der("1.2.840.10045.2.1")
RSA_ENCRYPTION = oid_der("1.2.840.113549.1.1.1")
RSASSA_PSS = oid_der("1.2.840.113549.1.1.10")
P256, P384, SECP256K1 = oid_der("1.2.840.10045.3.1.7"), oid_der("1.3.132.0.34"), oid_der("1.3.132.0.10")
NULL = b"\x05\x00"


_alg = seq


def _int(content):
    return tlv(0x02, content)


def _uint(value):
    return _int(value.to_bytes(value.bit_length() // 8 + 1, "big"))   # minimal, positive


def _rsa_public_key(*integers, trailing=b""):
    return seq(*integers) + trailing


@pytest.fixture(scope="module")
def ca():
    r = pki.root()
    return r, pki.intermediate("keys intermediate", r)


@pytest.fixture(autouse=True)
def _fast_path_back_on():
    yield
    _spki._use_decoder_only(False)


def _verdict(root_der, leaf_der, inter_der):
    """What a fresh Verifier says of fresh Certificates: the chain's DERs or the error."""
    try:
        leaf = Certificate(leaf_der)
        inters = [Certificate(inter_der)] if inter_der is not None else []
        verifier = Verifier(TrustStore([Certificate(root_der)]))
    except ValueError as e:
        return ("ValueError", str(e))
    try:
        return ("ok", [c.der for c in verifier.verify(leaf, inters, HOST)])
    except ssl.SSLCertVerificationError as e:
        return ("rejected", e.verify_code, e.verify_message)


def _both_ways(root_der, leaf_der, inter_der):
    """The verdict with certcore's keys, asserted equal to the verdict with OpenSSL's decoder."""
    ours = _verdict(root_der, leaf_der, inter_der)
    _spki._use_decoder_only(True)
    try:
        theirs = _verdict(root_der, leaf_der, inter_der)
    finally:
        _spki._use_decoder_only(False)
    assert ours == theirs
    return ours


def _assert_key_consistent(der):
    """A key installed here is the decoder's key; one not installed is the decoder's own."""
    try:
        cert = Certificate(der)
    except ValueError:
        return None
    in_place, facts, decoder_facts, equal = _verification_key(cert)
    assert facts == decoder_facts
    if in_place:
        assert facts is not None and equal is True
    elif facts is not None:
        assert equal is True
    return in_place


def test_probe_passes_on_this_openssl():
    # the layout probe must hold on the OpenSSL the suite runs with, or the fast path would be
    # silently off and nothing below would test it
    assert _spki.fast_keys_enabled()
    _spki._use_decoder_only(True)
    assert not _spki.fast_keys_enabled()
    assert _verification_key(pki.issue("off", key="ec").certcore)[0] is False
    _spki._use_decoder_only(False)
    assert _spki.fast_keys_enabled()


def _ec_private(curve):
    return ec.generate_private_key(curve)


HANDLED = {
    "P-256": lambda: _ec_private(ec.SECP256R1()),
    "P-384": lambda: _ec_private(ec.SECP384R1()),
    "P-521": lambda: _ec_private(ec.SECP521R1()),
    "RSA-1024": lambda: pki.shared_key("rsa1024"),
    "RSA-2048": lambda: pki.shared_key("rsa"),
    "RSA-3072": lambda: rsa.generate_private_key(public_exponent=3, key_size=3072),
    "RSA-4096": lambda: rsa.generate_private_key(public_exponent=65537, key_size=4096),
}
DECODER_ONLY = {
    "P-224": lambda: _ec_private(ec.SECP224R1()),
    "secp256k1": lambda: _ec_private(ec.SECP256K1()),
    "brainpoolP256r1": lambda: _ec_private(ec.BrainpoolP256R1()),
    "Ed25519": ed25519.Ed25519PrivateKey.generate,
    "Ed448": ed448.Ed448PrivateKey.generate,
    "DSA": lambda: pki.shared_key("dsa"),
}


@pytest.mark.parametrize("kind", sorted(HANDLED))
def test_handled_keys_are_made_here_and_equal_the_decoders(kind, ca):
    r, i = ca
    key = HANDLED[kind]()
    leaf = pki.leaf(HOST, i, key=key)
    assert _assert_key_consistent(leaf.der) is True
    # as an intermediate too: its key checks the leaf's signature
    inter = pki.intermediate(f"{kind} intermediate", r, key=key)
    below = pki.leaf(HOST, inter)
    assert _assert_key_consistent(inter.der) is True
    # RSA-1024 is under the default context's security level: refused both ways, as a leaf and
    # as an intermediate
    expected = "rejected" if kind == "RSA-1024" else "ok"
    assert _both_ways(r.der, leaf.der, i.der)[0] == expected
    assert _both_ways(r.der, below.der, inter.der)[0] == expected


@pytest.mark.parametrize("kind", sorted(DECODER_ONLY))
def test_other_keys_are_left_to_openssls_decoder(kind, ca):
    r, i = ca
    leaf = pki.leaf(HOST, i, key=DECODER_ONLY[kind]())
    assert _assert_key_consistent(leaf.der) is False
    _both_ways(r.der, leaf.der, i.der)


def _openssl_explicit_spki(key):
    """The SPKI of an EC key with its curve spelled out (explicit parameters), by the openssl CLI."""
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    out = subprocess.run(["openssl", "ec", "-pubin", "-pubout", "-param_enc", "explicit", "-outform", "DER"],
                         input=pem, capture_output=True, check=True)
    return out.stdout


def _ec_variants(issued):
    alg, point = pki_raw.spki_parts(pki_raw.spki_of(issued))
    x, y = point[1:33], point[33:]
    parity = y[-1] & 1
    return {
        "canonical": pki_raw.spki(alg, point),
        "compressed": pki_raw.spki(alg, bytes([2 + parity]) + x),
        "compressed-wrong-parity": pki_raw.spki(alg, bytes([3 - parity]) + x),
        "hybrid": pki_raw.spki(alg, bytes([6 + parity]) + x + y),
        "infinity": pki_raw.spki(alg, b"\x00"),
        "off-curve": pki_raw.spki(alg, point[:-1] + bytes([point[-1] ^ 1])),
        "short": pki_raw.spki(alg, point[:-1]),
        "long": pki_raw.spki(alg, point + b"\x00"),
        "empty": pki_raw.spki(alg, b""),
        "unused-bits": pki_raw.spki(alg, point, unused_bits=1),
        "secp256k1-oid": pki_raw.spki(_alg(EC_PUBLIC_KEY, SECP256K1), point),
        "p384-oid": pki_raw.spki(_alg(EC_PUBLIC_KEY, P384), point),
        "no-parameters": pki_raw.spki(_alg(EC_PUBLIC_KEY), point),
        "null-parameters": pki_raw.spki(_alg(EC_PUBLIC_KEY, NULL), point),
        "explicit-parameters": _openssl_explicit_spki(issued.key),
    }


def _rsa_variants(issued):
    numbers = issued.key.public_key().public_numbers()
    n, e = numbers.n, numbers.e
    nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    alg = _alg(RSA_ENCRYPTION, NULL)
    canonical = _rsa_public_key(_uint(n), _uint(e))
    assert pki_raw.spki(alg, canonical) == pki_raw.spki_of(issued)
    body = _uint(n) + _uint(e)
    return {
        "canonical": pki_raw.spki(alg, canonical),
        "n-leading-zeros": pki_raw.spki(alg, _rsa_public_key(_int(b"\x00\x00" + nb), _uint(e))),
        "n-negative": pki_raw.spki(alg, _rsa_public_key(_int(nb), _uint(e))),
        "e-leading-zeros": pki_raw.spki(alg, _rsa_public_key(_uint(n), _int(b"\x00\x01\x00\x01"))),
        "e-zero": pki_raw.spki(alg, _rsa_public_key(_uint(n), _int(b"\x00"))),
        "e-negative": pki_raw.spki(alg, _rsa_public_key(_uint(n), _int(b"\xff"))),
        "e-one": pki_raw.spki(alg, _rsa_public_key(_uint(n), _uint(1))),
        "e-longer-than-n": pki_raw.spki(alg, _rsa_public_key(_uint(n), _uint(n * 4 + 1))),
        "n-tiny": pki_raw.spki(alg, _rsa_public_key(_uint(0xC5), _uint(e))),
        "n-empty": pki_raw.spki(alg, _rsa_public_key(_int(b""), _uint(e))),
        "third-integer": pki_raw.spki(alg, _rsa_public_key(_uint(n), _uint(e), _uint(1))),
        "trailing-bytes": pki_raw.spki(alg, _rsa_public_key(_uint(n), _uint(e), trailing=b"\x00")),
        "long-form-length": pki_raw.spki(alg, b"\x30\x83" + len(body).to_bytes(3, "big") + body),
        "no-parameters": pki_raw.spki(_alg(RSA_ENCRYPTION), canonical),
        "rsassa-pss-oid": pki_raw.spki(_alg(RSASSA_PSS), canonical),
        "unused-bits": pki_raw.spki(alg, canonical, unused_bits=3),
    }


def _variant_cases():
    # (family, variant name): the variants are made per test from fixtures
    cases = []
    for fam, names in (("ec", _EC_NAMES), ("rsa", _RSA_NAMES)):
        cases += [(fam, name) for name in names]
    return cases


_EC_NAMES = ["canonical", "compressed", "compressed-wrong-parity", "hybrid", "infinity", "off-curve", "short",
             "long", "empty", "unused-bits", "secp256k1-oid", "p384-oid", "no-parameters", "null-parameters",
             "explicit-parameters"]
_RSA_NAMES = ["canonical", "n-leading-zeros", "n-negative", "e-leading-zeros", "e-zero", "e-negative", "e-one",
              "e-longer-than-n", "n-tiny", "n-empty", "third-integer", "trailing-bytes", "long-form-length",
              "no-parameters", "rsassa-pss-oid", "unused-bits"]


@pytest.fixture(scope="module")
def variant_pkis(ca):
    r, i = ca
    out = {}
    for fam, kind in (("ec", "ec"), ("rsa", "rsa")):
        leaf = pki.leaf(HOST, i, key=pki.shared_key(kind, 5))
        inter = pki.intermediate(f"{fam} variant intermediate", r, key=pki.shared_key(kind, 6))
        below = pki.leaf(HOST, inter)
        variants = (_ec_variants if fam == "ec" else _rsa_variants)
        out[fam] = (leaf, variants(leaf), inter, variants(inter), below)
    return out


# Encodings whose key certcore must leave to OpenSSL (whatever OpenSSL then makes of them); the
# others are canonical encodings of unusual keys (e = 1, a one-octet modulus, unused bits that
# both sides ignore), for which a key made here must simply equal the decoder's.
NOT_CANONICAL = {
    "compressed", "compressed-wrong-parity", "hybrid", "infinity", "off-curve", "short", "long", "empty",
    "secp256k1-oid", "p384-oid", "no-parameters", "null-parameters", "explicit-parameters",
    "n-leading-zeros", "n-negative", "e-leading-zeros", "e-zero", "e-negative", "e-longer-than-n",
    "n-empty", "third-integer", "trailing-bytes", "long-form-length", "rsassa-pss-oid",
}


@pytest.mark.parametrize("family,name", _variant_cases())
def test_key_encodings_get_openssls_verdict(family, name, ca, variant_pkis):
    """Each encoding as the leaf's key (it decides the security level check) and as the
    intermediate's (it checks the leaf's signature): the same verdict, code and message as with
    OpenSSL's decoder, and a key made here only for the canonical encoding."""
    r, i = ca
    leaf, leaf_variants, inter, inter_variants, below = variant_pkis[family]
    edited_leaf = pki_raw.with_spki(leaf, i.key, leaf_variants[name])
    edited_inter = pki_raw.with_spki(inter, r.key, inter_variants[name])
    for der in (edited_leaf.der, edited_inter.der):
        in_place = _assert_key_consistent(der)
        if name == "canonical":
            assert in_place is True
        elif name in NOT_CANONICAL:
            assert in_place is False
    as_leaf = _both_ways(r.der, edited_leaf.der, i.der)
    as_inter = _both_ways(r.der, below.der, edited_inter.der)
    if name == "canonical":
        assert as_leaf[0] == as_inter[0] == "ok"


def test_every_key_encoding_is_tested():
    assert set(_EC_NAMES) == set(_ec_variants(pki.issue("names", key=pki.shared_key("ec", 5))))
    assert set(_RSA_NAMES) == set(_rsa_variants(pki.issue("names", key=pki.shared_key("rsa", 5))))


@pytest.mark.parametrize("family", ["ec", "rsa"])
def test_random_spki_mutations_get_openssls_verdict(family, ca, variant_pkis):
    """Random byte changes anywhere in the SubjectPublicKeyInfo, as leaf and as intermediate."""
    r, i = ca
    leaf, _lv, inter, _iv, below = variant_pkis[family]
    rng = random.Random(f"spki-{family}")
    made_here = 0
    for round_ in range(60):
        target, signer = (leaf, i.key) if round_ % 2 == 0 else (inter, r.key)
        spki = bytearray(pki_raw.spki_of(target))
        for _ in range(rng.choice((1, 1, 2, 3))):
            pos = rng.randrange(len(spki))
            spki[pos] = rng.choice((spki[pos] ^ (1 << rng.randrange(8)), rng.randrange(256), 0x00, 0x80, 0xFF))
        edited = pki_raw.with_spki(target, signer, bytes(spki))
        made_here += bool(_assert_key_consistent(edited.der))
        if target is leaf:
            _both_ways(r.der, edited.der, i.der)
        else:
            _both_ways(r.der, below.der, edited.der)
    if family == "rsa":
        # a changed modulus is still a canonical RSA key: some rounds take the fast path
        assert made_here > 0
