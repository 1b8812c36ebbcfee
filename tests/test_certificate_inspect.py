"""Certificate's inspection properties, differential against ``cryptography.x509`` (and the
``openssl`` command for OpenSSL's own signature-algorithm names) on generated certificates.

Keys: RSA 2048/3000, P-256/P-384/P-521/secp256k1, Ed25519, Ed448, DSA. Extensions: each of
basicConstraints, keyUsage, extendedKeyUsage, SKI, AKI and nameConstraints present (critical or
not) and absent. Serials: small, huge, zero and negative (the last two patched into the DER,
since cryptography refuses to write them).
"""
import base64
import ctypes
import ctypes.util
import hashlib
import ipaddress
import pickle
import re
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import certcore
from helpers import certgen, pki

OPENSSL = shutil.which("openssl")
assert OPENSSL, "the openssl command line tool is needed (installed by .ci/run)"

_libcrypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
_libcrypto.ERR_peek_error.restype = ctypes.c_ulong


def error_queue_is_empty():
    """This thread's OpenSSL error queue (libcrypto is loaded once per process) is empty."""
    return _libcrypto.ERR_peek_error() == 0


def ours(issued_or_der):
    der = issued_or_der if isinstance(issued_or_der, bytes) else issued_or_der.der
    return certcore.Certificate(der)


def theirs(issued_or_der):
    if isinstance(issued_or_der, bytes):
        return x509.load_der_x509_certificate(issued_or_der)
    return issued_or_der.cert


def openssl_signature_name(der):
    """The signature algorithm as `openssl x509 -text` prints it (OpenSSL's long name)."""
    text = subprocess.run([OPENSSL, "x509", "-inform", "DER", "-noout", "-text"], input=der,
                          capture_output=True, check=True).stdout.decode()
    return re.search(r"Signature Algorithm: (\S+)", text).group(1)


def _key(kind):
    if kind == "ed448":
        return ed448.Ed448PrivateKey.generate()
    if kind == "p521":
        return ec.generate_private_key(ec.SECP521R1())
    if kind == "secp256k1":
        return ec.generate_private_key(ec.SECP256K1())
    return pki.shared_key(kind)


KEY_KINDS = ["ec", "ec384", "p521", "secp256k1", "rsa", "rsa3000", "rsa2049", "dsa", "ed25519", "ed448"]


@pytest.fixture(scope="module")
def ca():
    return pki.root(key=pki.shared_key("ec", slot=7))


@pytest.fixture(scope="module", params=KEY_KINDS)
def keyed(request, ca):
    """A self-signed certificate of each key kind (hash None for the EdDSA keys)."""
    key = _key(request.param)
    hash_alg = None if request.param in ("ed25519", "ed448") else hashes.SHA256()
    return request.param, pki.issue("keyed", None, key=key, ca=True, hash_alg=hash_alg)


# --- the public key ------------------------------------------------------------------------

def test_public_key_against_cryptography(keyed):
    kind, issued = keyed
    c, ref = ours(issued), theirs(issued)
    pub = ref.public_key()
    spki = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected_alg = {"ec384": "ec", "p521": "ec", "secp256k1": "ec", "rsa3000": "rsa", "rsa2049": "rsa"}.get(kind, kind)
    assert c.public_key_algorithm == expected_alg
    if expected_alg == "ec":
        assert c.public_key_curve == pub.curve.name
        assert c.public_key_size == pub.curve.key_size
    else:
        assert c.public_key_curve is None
    if expected_alg in ("rsa", "dsa"):
        assert c.public_key_size == pub.key_size
    if expected_alg in ("ed25519", "ed448"):
        # The raw key's bits (32 / 57 bytes), cryptography's only measure of these keys.
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        assert c.public_key_size == {"ed25519": 8 * len(raw), "ed448": 456}[kind]
        assert len(raw) == {"ed25519": 32, "ed448": 57}[kind]
    assert c.spki_der == spki
    assert c.spki_sha256 == hashlib.sha256(spki).digest()
    assert c.spki_pin == base64.b64encode(hashlib.sha256(spki).digest()).decode()
    assert isinstance(c.spki_pin, str) and len(c.spki_sha256) == 32
    assert error_queue_is_empty()


def test_signature_algorithm_against_cryptography_and_openssl(keyed):
    _, issued = keyed
    c, ref = ours(issued), theirs(issued)
    assert c.signature_algorithm_oid == ref.signature_algorithm_oid.dotted_string
    assert c.signature_algorithm == openssl_signature_name(issued.der)


@pytest.mark.parametrize("hash_alg", [hashes.SHA224(), hashes.SHA384(), hashes.SHA512()])
def test_signature_algorithm_hashes(hash_alg):
    for kind in ("ec", "rsa"):
        issued = pki.issue("h", None, key=pki.shared_key(kind), hash_alg=hash_alg)
        c = ours(issued)
        assert c.signature_algorithm_oid == issued.cert.signature_algorithm_oid.dotted_string
        assert c.signature_algorithm == openssl_signature_name(issued.der)


def test_known_openssl_long_names():
    # The names the brief promises, checked against OpenSSL's own output as well as literally.
    assert ours(pki.issue("e", None, key=pki.shared_key("ec"))).signature_algorithm == "ecdsa-with-SHA256"
    assert ours(pki.issue("r", None, key=pki.shared_key("rsa"))).signature_algorithm == "sha256WithRSAEncryption"


# --- serials ---------------------------------------------------------------------------------

@pytest.mark.parametrize("serial", [1, 0x80, 0xFF00, (1 << 152), (1 << 159) - 1])
def test_serial_against_cryptography(serial):
    issued = pki.issue("s", None, serial=serial)
    assert ours(issued).serial == issued.cert.serial_number == serial


def _elements(content):
    """The TLVs of a DER content, each as bytes (short and long length forms)."""
    out, i = [], 0
    while i < len(content):
        n, head = content[i + 1], 2
        if n & 0x80:
            size = n & 0x7F
            n, head = int.from_bytes(content[i + 2:i + 2 + size], "big"), 2 + size
        out.append(content[i:i + head + n])
        i += head + n
    return out


def _content(tlv):
    return tlv[2 + (tlv[1] & 0x7F if tlv[1] & 0x80 else 0):]


def _with_serial(content):
    """A certificate whose serial INTEGER's content octets are ``content``, re-encoded around it
    (the signature no longer verifies: only parsing matters here)."""
    tbs, alg, sig = _elements(_content(pki.issue("p", None).der))
    fields = _elements(_content(tbs))
    assert fields[0][0] == 0xA0 and fields[1][0] == 0x02    # [0] version, then the serial
    fields[1] = certgen.tlv(0x02, content)
    return certgen.seq(certgen.seq(*fields), alg, sig)


@pytest.mark.parametrize("content", [
    b"\x80\x00\x00\x00\x00\x00\x00\x01",      # negative, 8 bytes
    b"\xfe",                                  # -2
    b"\x00",                                  # zero
    b"\x7f" + b"\xff" * 40,                   # 41 bytes: past RFC 5280's 20, still an int
])
def test_zero_negative_and_huge_serials(content):
    c = ours(_with_serial(content))
    assert c.serial == int.from_bytes(content, "big", signed=True)
    assert c.serial == c.serial_number
    assert error_queue_is_empty()


def test_corpus_serials():
    for label, der in certgen.corpus().items():
        if label.startswith("serial_"):
            assert ours(der).serial == theirs(der).serial_number, label


# --- extensions ------------------------------------------------------------------------------

def _ku(**set_bits):
    names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]
    return x509.KeyUsage(**{n: set_bits.get(n, False) for n in names})


def _their_key_usage(ku):
    out = set()
    for n in ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
              "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"):
        try:
            if getattr(ku, n):
                out.add(n)
        except ValueError:     # encipher_only/decipher_only are undefined without key_agreement
            pass
    return frozenset(out)


def _their_ext(ref, cls):
    try:
        return ref.extensions.get_extension_for_class(cls)
    except x509.ExtensionNotFound:
        return None


def _their_general_name(gn):
    """cryptography's GeneralName as getpeercert()-style (kind, value)."""
    if isinstance(gn, x509.DNSName):
        return ("DNS", gn.value)
    if isinstance(gn, x509.RFC822Name):
        return ("email", gn.value)
    if isinstance(gn, x509.UniformResourceIdentifier):
        return ("URI", gn.value)
    if isinstance(gn, x509.DirectoryName):
        return ("DirName", gn.value)
    if isinstance(gn, x509.IPAddress):
        net = gn.value
        if isinstance(net, ipaddress.IPv4Network):
            return ("IP Address", f"{net.network_address}/{net.netmask}")
        if isinstance(net, ipaddress.IPv6Network):
            def text(addr):
                return ":".join(f"{int.from_bytes(addr.packed[i:i + 2], 'big'):X}" for i in range(0, 16, 2))
            return ("IP Address", f"{text(net.network_address)}/{text(net.netmask)}")
        return ("IP Address", str(net))
    raise AssertionError(gn)


def _dn_matches(our_dn, their_name):
    """certcore's getpeercert()-style DN against a cryptography Name, through decode_cert of a
    certificate with that name as subject (the dict decoder is itself differential-tested)."""
    probe = pki.issue("probe", None, subject=their_name)
    return our_dn == ours(probe).subject


def compare_extensions(der):
    """Every inspection property of der against cryptography."""
    c, ref = ours(der), theirs(der)
    # extensions: order, oid, critical, DER value
    assert c.extensions == tuple(
        (e.oid.dotted_string, e.critical, e.value.public_bytes()) for e in ref.extensions)
    for ext in c.extensions:
        assert isinstance(ext, certcore.CertificateExtension)
        assert type(ext.critical) is bool
    bc = _their_ext(ref, x509.BasicConstraints)
    if bc is None:
        assert c.basic_constraints is None
    else:
        assert c.basic_constraints == (bc.value.ca, bc.value.path_length)
        assert isinstance(c.basic_constraints, certcore.BasicConstraints)
        assert c.basic_constraints.ca is bc.value.ca
    ku = _their_ext(ref, x509.KeyUsage)
    assert c.key_usage == (None if ku is None else _their_key_usage(ku.value))
    eku = _their_ext(ref, x509.ExtendedKeyUsage)
    assert c.extended_key_usage == (None if eku is None else tuple(o.dotted_string for o in eku.value))
    ski = _their_ext(ref, x509.SubjectKeyIdentifier)
    assert c.subject_key_identifier == (None if ski is None else ski.value.digest)
    aki = _their_ext(ref, x509.AuthorityKeyIdentifier)
    if aki is None:
        assert c.authority_key_identifier is None
    else:
        got = c.authority_key_identifier
        assert isinstance(got, certcore.AuthorityKeyIdentifier)
        assert got.key_identifier == aki.value.key_identifier
        assert got.serial == aki.value.authority_cert_serial_number
        if aki.value.authority_cert_issuer is None:
            assert got.issuer is None
        else:
            assert len(got.issuer) == len(aki.value.authority_cert_issuer)
            for (kind, value), gn in zip(got.issuer, aki.value.authority_cert_issuer):
                ref_kind, ref_value = _their_general_name(gn)
                assert kind == ref_kind
                assert _dn_matches(value, ref_value) if kind == "DirName" else value == ref_value
    nc = _their_ext(ref, x509.NameConstraints)
    if nc is None:
        assert c.name_constraints is None
    else:
        got = c.name_constraints
        assert isinstance(got, certcore.NameConstraints)
        for mine, their in ((got.permitted, nc.value.permitted_subtrees), (got.excluded, nc.value.excluded_subtrees)):
            their = their or []
            assert len(mine) == len(their)
            for (kind, value), gn in zip(mine, their):
                ref_kind, ref_value = _their_general_name(gn)
                assert kind == ref_kind
                assert _dn_matches(value, ref_value) if kind == "DirName" else value == ref_value
    assert c.is_self_issued == (ref.subject == ref.issuer)
    assert error_queue_is_empty()


def _nc(permitted=None, excluded=None):
    return (x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded), True)


DIRNAME = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "XY"),
                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Constrained Org")])

EXTENSION_CASES = {
    "leaf_defaults": {},
    "ca_defaults": {"ca": True},
    "ca_pathlen_0": {"ca": True, "path_length": 0},
    "ca_pathlen_5": {"ca": True, "path_length": 5},
    "bc_not_critical": {"basic_constraints": (x509.BasicConstraints(ca=True, path_length=2), False)},
    "no_bc": {"basic_constraints": None},
    "no_ku": {"key_usage": None},
    "ku_all": {"key_usage": (_ku(digital_signature=True, content_commitment=True, key_encipherment=True,
                                 data_encipherment=True, key_agreement=True, key_cert_sign=True, crl_sign=True,
                                 encipher_only=True, decipher_only=False), True)},
    "ku_decipher_only": {"key_usage": (_ku(key_agreement=True, decipher_only=True), False)},
    "ku_crl_sign_only": {"key_usage": (_ku(crl_sign=True), True)},
    "no_eku": {"eku": None},
    "eku_many": {"eku": [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH,
                         ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.OCSP_SIGNING,
                         x509.ObjectIdentifier("1.3.6.1.4.1.99999.1.2.3")]},
    "no_ski": {"ski": None},
    "ski_custom": {"ski": x509.SubjectKeyIdentifier(b"\x00\x01\x02 custom id")},
    "aki_full": {"aki": x509.AuthorityKeyIdentifier(
        key_identifier=b"\xaa" * 20, authority_cert_issuer=[x509.DirectoryName(DIRNAME)],
        authority_cert_serial_number=(1 << 150) + 7)},
    "aki_issuer_serial_only": {"aki": x509.AuthorityKeyIdentifier(
        key_identifier=None, authority_cert_issuer=[x509.DNSName("ca.example")],
        authority_cert_serial_number=1)},
    "nc_dns": {"ca": True, "extensions": [_nc(permitted=[x509.DNSName("example.com"), x509.DNSName(".example.org")])]},
    "nc_ip": {"ca": True, "extensions": [_nc(
        permitted=[x509.IPAddress(ipaddress.ip_network("10.0.0.0/8")),
                   x509.IPAddress(ipaddress.ip_network("2001:db8::/32"))],
        excluded=[x509.IPAddress(ipaddress.ip_network("10.1.2.0/24")),
                  x509.IPAddress(ipaddress.ip_network("::/0"))])]},
    "nc_email_uri": {"ca": True, "extensions": [_nc(
        permitted=[x509.RFC822Name("example.com"), x509.RFC822Name("user@example.net")],
        excluded=[x509.UniformResourceIdentifier(".bad.example")])]},
    "nc_dirname_excluded_only": {"ca": True, "extensions": [_nc(excluded=[x509.DirectoryName(DIRNAME)])]},
    "nc_not_critical_mixed": {"ca": True, "extensions": [(x509.NameConstraints(
        permitted_subtrees=[x509.DNSName("a.example"), x509.DirectoryName(DIRNAME),
                            x509.IPAddress(ipaddress.ip_network("192.168.0.0/16"))],
        excluded_subtrees=[x509.DNSName("b.a.example")]), False)]},
    "san_critical": {"sans": ["DNS:x.example", "IP:127.0.0.1"], "san_critical": True},
    "nothing": {"basic_constraints": None, "key_usage": None, "eku": None, "ski": None, "aki": None},
}


@pytest.mark.parametrize("case", sorted(EXTENSION_CASES))
def test_extensions_against_cryptography(case, ca):
    kw = dict(EXTENSION_CASES[case])
    issued = pki.issue(case, ca, key=pki.shared_key("ec"), **kw)
    compare_extensions(issued.der)


def test_extensions_corpus():
    # The x509 corpus: odd SAN/AIA/CRLDP shapes; everything cryptography reads must agree.
    compared = 0
    for _label, der in certgen.corpus().items():
        try:
            list(theirs(der).extensions)
        except Exception:   # noqa: BLE001 -- what cryptography cannot read has no reference answer
            continue
        compare_extensions(der)
        compared += 1
    assert compared >= len(certgen.corpus()) // 2


def test_named_tuples_pickle_and_export():
    issued = pki.issue("t", None, ca=True, path_length=3)
    c = ours(issued)
    for value in (c.basic_constraints, c.extensions[0]):
        assert pickle.loads(pickle.dumps(value)) == value
    assert certcore.BasicConstraints(True, 3) == c.basic_constraints
    assert c.basic_constraints.path_length == 3
    assert certcore.BasicConstraints._fields == ("ca", "path_length")
    assert certcore.AuthorityKeyIdentifier._fields == ("key_identifier", "issuer", "serial")
    assert certcore.NameConstraints._fields == ("permitted", "excluded")
    assert certcore.CertificateExtension._fields == ("oid", "critical", "value")


def test_duplicate_extension_is_a_value_error():
    # RFC 5280 allows each extension once; a certificate with two basicConstraints is refused
    # clearly by the decoded property and still listed by `extensions`.
    issued = pki.issue("dup", None, basic_constraints=None, key_usage=None, eku=None, ski=None,
                       extensions=[(x509.BasicConstraints(ca=True, path_length=None), True),
                                   (x509.SubjectKeyIdentifier(b"\x01" * 4), False)])
    der = issued.der
    # Turn the SKI extension's OID (2.5.29.14) into basicConstraints' (2.5.29.19): same length.
    old = bytes.fromhex("0603551d0e")
    assert der.count(old) == 1
    der = der.replace(old, bytes.fromhex("0603551d13"))
    c = ours(der)
    assert [e.oid for e in c.extensions] == ["2.5.29.19", "2.5.29.19"]
    with pytest.raises(ValueError, match="more than once"):
        c.basic_constraints
    assert error_queue_is_empty()


# --- self-issued and signatures -----------------------------------------------------------------

@pytest.fixture(scope="module", params=["ec", "rsa", "ed25519", "dsa"])
def chain(request):
    """root -> intermediate -> leaf, each with a key of its own."""
    kind = request.param
    r = pki.root(key=pki.shared_key(kind, slot=3))
    i = pki.intermediate("certcore test intermediate", r, key=pki.shared_key(kind, slot=4))
    return pki.Chain(r, i, pki.leaf("localhost", i, key=pki.shared_key(kind, slot=5)))


def test_is_self_issued(chain):
    for issued in (chain.root, chain.inter, chain.leaf):
        assert ours(issued).is_self_issued == (issued.cert.subject == issued.cert.issuer)
    assert ours(chain.root).is_self_issued is True
    assert ours(chain.leaf).is_self_issued is False


def _cryptography_says(child, parent):
    try:
        child.cert.verify_directly_issued_by(parent.cert)
        return True
    except Exception:   # noqa: BLE001 -- any refusal (bad signature, name mismatch) is "no"
        return False


def test_is_signed_by_against_cryptography(chain):
    certs = [chain.root, chain.inter, chain.leaf]
    for child in certs:
        for parent in certs:
            got = ours(child).is_signed_by(ours(parent))
            # cryptography also wants issuer name == subject; a signature check alone is what
            # is_signed_by answers, so only the name-matching pairs are compared directly.
            if child.cert.issuer == parent.cert.subject:
                assert got == _cryptography_says(child, parent), (child.cert.subject, parent.cert.subject)
            else:
                assert got is False
            assert error_queue_is_empty()
    assert ours(chain.leaf).is_signed_by(ours(chain.inter)) is True
    assert ours(chain.inter).is_signed_by(ours(chain.root)) is True
    assert ours(chain.root).is_signed_by(ours(chain.root)) is True
    assert ours(chain.leaf).is_signed_by(ours(chain.root)) is False


def test_is_signed_by_wrong_key_same_name():
    # Same subject, different key: the signature does not verify.
    real = pki.root("same name", key=pki.new_key("ec"))
    impostor = pki.root("same name", key=pki.new_key("ec"))
    child = pki.leaf("c", real)
    assert ours(child).is_signed_by(ours(real)) is True
    assert ours(child).is_signed_by(ours(impostor)) is False
    assert error_queue_is_empty()


def test_is_signed_by_tampered_signature():
    r = pki.root(key=pki.shared_key("rsa"))
    child = pki.leaf("c", r)
    der = bytearray(child.der)
    der[-1] ^= 0x01      # the last byte belongs to the signature BIT STRING
    assert ours(bytes(der)).is_signed_by(ours(r)) is False
    assert error_queue_is_empty()


@pytest.mark.parametrize("bad", [None, b"", "issuer", 0, object()])
def test_is_signed_by_wrong_type(bad):
    c = ours(pki.root())
    with pytest.raises(TypeError, match="Certificate"):
        c.is_signed_by(bad)


def test_is_signed_by_cryptography_object_is_a_type_error():
    issued = pki.root()
    with pytest.raises(TypeError):
        ours(issued).is_signed_by(issued.cert)


# --- uninitialized instances ------------------------------------------------------------------

PROPERTIES = ["public_key_algorithm", "public_key_size", "public_key_curve", "spki_der", "spki_sha256",
              "spki_pin", "signature_algorithm", "signature_algorithm_oid", "serial", "basic_constraints",
              "key_usage", "extended_key_usage", "subject_key_identifier", "authority_key_identifier",
              "name_constraints", "extensions", "is_self_issued"]


class SkipsInit(certcore.Certificate):
    def __init__(self, *args):
        pass


@pytest.mark.parametrize("make", [lambda: certcore.Certificate.__new__(certcore.Certificate),
                                  lambda: SkipsInit(b"x")], ids=["__new__", "subclass"])
def test_uninitialized(make):
    empty = make()
    for name in PROPERTIES:
        with pytest.raises(ValueError, match="not initialized"):
            getattr(empty, name)
    good = ours(pki.root())
    with pytest.raises(ValueError, match="not initialized"):
        empty.is_signed_by(good)
    with pytest.raises(ValueError, match="not initialized"):
        good.is_signed_by(empty)
    assert error_queue_is_empty()


def test_every_property_is_listed():
    # A new inspection property must be added to PROPERTIES (and so to the uninitialized test).
    inspected = {n for n in dir(certcore.Certificate) if n.startswith(("public_key", "spki", "signature_algorithm"))
                 or n in ("serial", "basic_constraints", "key_usage", "extended_key_usage", "subject_key_identifier",
                          "authority_key_identifier", "name_constraints", "extensions", "is_self_issued")}
    assert inspected == set(PROPERTIES)
