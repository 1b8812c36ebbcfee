"""Certificates generated for the tests (with ``cryptography``), shared by the x509 tests.

``corpus()`` returns ``{name: der}`` covering every subjectAltName kind (including hand-encoded
ones cryptography cannot build: bad IP lengths, x400Address, ediPartyName, NULs and non-UTF-8
bytes), AIA and CRL distribution points in their odd shapes, many RDN shapes and string types,
empty names, validity years 1900/1950/2049/2050/9999, and small/huge serials.
"""
import datetime
import functools
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID, NameOID, ObjectIdentifier

try:
    from cryptography.x509.name import _ASN1Type
except ImportError:  # pragma: no cover - very old cryptography
    _ASN1Type = None

UTC = datetime.timezone.utc


@functools.lru_cache(maxsize=None)
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


@functools.lru_cache(maxsize=None)
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.lru_cache(maxsize=None)
def ed_key():
    return ed25519.Ed25519PrivateKey.generate()


# --- tiny DER encoder for the extension values cryptography will not build ----------------------

def _len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + _len(len(content)) + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def oid_der(dotted):
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def gn_dns(raw):
    return tlv(0x82, raw)


def gn_email(raw):
    return tlv(0x81, raw)


def gn_uri(raw):
    return tlv(0x86, raw)


def gn_ip(raw):
    return tlv(0x87, raw)


def gn_rid(dotted):
    body = oid_der(dotted)
    header = 2 if body[1] < 0x80 else 2 + (body[1] & 0x7F)
    return tlv(0x88, body[header:])


def gn_x400():
    # ORAddress ::= SEQUENCE { built-in-standard-attributes SEQUENCE {...} ... } (minimal)
    return tlv(0xA3, tlv(0x30, b""))


def gn_edi():
    # EDIPartyName ::= SEQUENCE { nameAssigner [0] OPTIONAL, partyName [1] DirectoryString }
    return tlv(0xA5, tlv(0xA1, tlv(0x0C, b"party")))


def raw_san(*names):
    return x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, seq(*names))


def raw_crldp(*dps):
    return x509.UnrecognizedExtension(ExtensionOID.CRL_DISTRIBUTION_POINTS, seq(*dps))


def raw_aia(*descs):
    return x509.UnrecognizedExtension(ExtensionOID.AUTHORITY_INFORMATION_ACCESS, seq(*descs))


# --- builder --------------------------------------------------------------------------------------

def name(*rdns):
    """name(("CN", "x"), [("O", "a"), ("OU", "b")]) -> x509.Name; a list is a multi-valued RDN."""
    oids = {
        "C": NameOID.COUNTRY_NAME, "ST": NameOID.STATE_OR_PROVINCE_NAME, "L": NameOID.LOCALITY_NAME,
        "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "CN": NameOID.COMMON_NAME, "E": NameOID.EMAIL_ADDRESS, "DC": NameOID.DOMAIN_COMPONENT,
        "SN": NameOID.SERIAL_NUMBER, "UID": NameOID.USER_ID, "GN": NameOID.GIVEN_NAME,
        "BC": NameOID.BUSINESS_CATEGORY, "JC": NameOID.JURISDICTION_COUNTRY_NAME,
    }

    def attr(item):
        key, value = item[0], item[1]
        oid = oids.get(key) or ObjectIdentifier(key)
        if len(item) > 2 and _ASN1Type is not None:
            return x509.NameAttribute(oid, value, _type=item[2])
        return x509.NameAttribute(oid, value)

    out = []
    for rdn in rdns:
        items = rdn if isinstance(rdn, list) else [rdn]
        out.append(x509.RelativeDistinguishedName([attr(i) for i in items]))
    return x509.Name(out)


def build(subject=None, issuer=None, extensions=(), serial=0x1234, not_before=None, not_after=None,
          key="ec", hash_alg="sha256"):
    k = {"ec": ec_key, "rsa": rsa_key, "ed25519": ed_key}[key]()
    subject = subject if subject is not None else name(("CN", "test.example"))
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer if issuer is not None else subject)
        .public_key(k.public_key())
        .serial_number(serial)
        .not_valid_before(not_before or datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))
        .not_valid_after(not_after or datetime.datetime(2040, 6, 7, 8, 9, 10, tzinfo=UTC))
    )
    for ext in extensions:
        b = b.add_extension(ext, critical=False)
    algo = None if key == "ed25519" else {"sha256": hashes.SHA256(), "sha1": hashes.SHA1()}[hash_alg]
    return b.sign(k, algo).public_bytes(serialization.Encoding.DER)


def _dt(y, mo=1, d=1, h=0, mi=0, s=0):
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=UTC)


@functools.lru_cache(maxsize=None)
def corpus():
    c = {}
    G = x509
    c["plain"] = build()
    c["rsa"] = build(key="rsa")
    c["ed25519"] = build(key="ed25519")
    c["empty_subject"] = build(subject=x509.Name([]), issuer=name(("CN", "issuer")))
    c["empty_both"] = build(subject=x509.Name([]))
    c["rdn_shapes"] = build(subject=name(
        ("DC", "org"), ("DC", "python"), [("SN", "1234"), ("CN", "multi")], ("C", "XY"),
        ("ST", "State"), ("L", "Castle Anthrax"), ("O", "PSF"), ("OU", "unit"), ("E", "a@b.example"),
        ("UID", "uid1"), ("GN", "Given"), ("BC", "Private Organization"), ("JC", "DE"),
        ("1.2.3.4.5.6", "unknown oid"), [("O", "b"), ("O", "a"), ("OU", "c")],
    ))
    c["unicode_names"] = build(subject=name(
        ("CN", "bücher.example"), ("O", "日本語 組織"), ("L", "Zürich 🙂"), ("OU", "\u00e9\u0301"),
    ))
    if _ASN1Type is not None:
        c["string_types"] = build(subject=name(
            ("CN", "bmp ü 日本", _ASN1Type.BMPString), ("O", "universal 🙂", _ASN1Type.UniversalString),
            ("OU", "printable", _ASN1Type.PrintableString), ("L", "ia5", _ASN1Type.IA5String),
            ("ST", "t61", _ASN1Type.T61String),
        ))
    c["nul_names"] = build(subject=name(("CN", "null.python.org\x00example.org"), ("O", "o\x00o")))
    c["long_cn"] = build(subject=name(("CN", "x" * 64), ("OU", "y" * 3000)))

    c["san_basic"] = build(extensions=[G.SubjectAlternativeName([
        G.DNSName("www.example.org"), G.DNSName("*.Example.ORG"), G.RFC822Name("user@example.org"),
        G.UniformResourceIdentifier("https://www.python.org/"),
        G.IPAddress(ipaddress.ip_address("127.0.0.1")), G.IPAddress(ipaddress.ip_address("0.0.0.0")),
        G.IPAddress(ipaddress.ip_address("::1")), G.IPAddress(ipaddress.ip_address("2001:db8::abc")),
        G.IPAddress(ipaddress.ip_address("fe80::1")), G.IPAddress(ipaddress.ip_address("ffff:ffff::ffff")),
        G.RegisteredID(ObjectIdentifier("1.2.3.4.5")), G.RegisteredID(ObjectIdentifier("2.5.4.3")),
        G.DirectoryName(name(("C", "XY"), ("L", "Castle Anthrax"), [("O", "PSF"), ("CN", "dirname")])),
        G.OtherName(ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), tlv(0x0C, b"user@example.com")),
        G.OtherName(ObjectIdentifier("1.3.6.1.5.5.7.8.5"), tlv(0x0C, b"romeo@montague.net")),
        G.OtherName(ObjectIdentifier("1.2.3.4"), tlv(0x0C, b"some value")),
        G.OtherName(ObjectIdentifier("1.3.6.1.5.5.7.8.7"), tlv(0x16, b"_sip.example.com")),
        G.OtherName(ObjectIdentifier("1.3.6.1.5.5.7.8.9"), tlv(0x0C, "ü@example.com".encode())),
        G.OtherName(ObjectIdentifier("1.3.6.1.5.5.7.8.8"), tlv(0x0C, b"example.com")),
    ])])
    c["san_idn"] = build(extensions=[G.SubjectAlternativeName([
        G.DNSName("xn--knig-5qa.idn.pythontest.net"), G.DNSName("xn--nxasmm1c.example"),
    ])])
    c["san_empty"] = build(extensions=[raw_san()])
    c["san_raw_odd"] = build(extensions=[raw_san(
        gn_dns(b"altnull.python.org\x00example.com"), gn_email(b"null@python.org\x00user@example.org"),
        gn_uri(b"http://null.python.org\x00http://example.org"), gn_ip(b"\x01\x02\x03\x04\x05"),
        gn_ip(b""), gn_ip(b"\x01" * 8), gn_ip(b"\xff" * 16), gn_dns(b"UPPER.Case.Example"),
        gn_dns("ünïcode.example".encode()), gn_rid("1.3.6.1.4.1.99999.1.2.3"),
    )])
    c["san_x400_edi"] = build(extensions=[raw_san(gn_dns(b"a.example"), gn_x400(), gn_edi())])
    c["san_mid_rid"] = build(extensions=[raw_san(gn_rid("1.2." + ".".join(["123456789"] * 60)))])
    c["san_bad_utf8"] = build(extensions=[raw_san(gn_dns(b"bad\xff.example"))])
    c["san_long_rid"] = build(extensions=[raw_san(gn_rid("1.2." + ".".join(["123456789"] * 220)))])

    ocsp, cai = AuthorityInformationAccessOID.OCSP, AuthorityInformationAccessOID.CA_ISSUERS
    c["aia"] = build(extensions=[G.AuthorityInformationAccess([
        G.AccessDescription(ocsp, G.UniformResourceIdentifier("http://ocsp.example/1")),
        G.AccessDescription(cai, G.UniformResourceIdentifier("http://ca.example/ca.cer")),
        G.AccessDescription(ocsp, G.DNSName("ocsp-dns.example")),
        G.AccessDescription(ocsp, G.UniformResourceIdentifier("http://ocsp.example/2")),
        G.AccessDescription(ObjectIdentifier("1.3.6.1.5.5.7.48.5"), G.UniformResourceIdentifier("http://x/")),
    ])])
    c["aia_ocsp_only"] = build(extensions=[G.AuthorityInformationAccess([
        G.AccessDescription(ocsp, G.UniformResourceIdentifier("http://ocsp.example/")),
    ])])
    c["aia_no_uri"] = build(extensions=[G.AuthorityInformationAccess([
        G.AccessDescription(cai, G.DNSName("ca.example")),
    ])])
    c["aia_empty"] = build(extensions=[raw_aia()])
    c["crldp"] = build(extensions=[G.CRLDistributionPoints([
        G.DistributionPoint([G.UniformResourceIdentifier("http://crl.example/1.crl"),
                             G.DNSName("crl.example"),
                             G.UniformResourceIdentifier("ldap://crl.example/cn=x")], None, None, None),
        G.DistributionPoint(None, None, None, [G.DirectoryName(name(("CN", "crl issuer")))]),
        G.DistributionPoint(None, x509.RelativeDistinguishedName(
            [x509.NameAttribute(NameOID.COMMON_NAME, "relative")]), None, None),
        G.DistributionPoint([G.UniformResourceIdentifier("http://crl.example/2.crl")], None,
                            frozenset([G.ReasonFlags.key_compromise]), None),
    ])])
    c["crldp_no_uri"] = build(extensions=[G.CRLDistributionPoints([
        G.DistributionPoint([G.DNSName("crl.example")], None, None, None),
    ])])
    c["crldp_empty"] = build(extensions=[raw_crldp()])
    c["everything"] = build(
        subject=name(("C", "XY"), ("CN", "everything")), issuer=name(("CN", "Some CA")),
        extensions=[
            G.SubjectAlternativeName([G.DNSName("e.example"), G.IPAddress(ipaddress.ip_address("10.0.0.1"))]),
            G.AuthorityInformationAccess([
                G.AccessDescription(ocsp, G.UniformResourceIdentifier("http://o/")),
                G.AccessDescription(cai, G.UniformResourceIdentifier("http://c/"))]),
            G.CRLDistributionPoints([
                G.DistributionPoint([G.UniformResourceIdentifier("http://l/")], None, None, None)]),
            G.BasicConstraints(ca=False, path_length=None),
            G.KeyUsage(True, False, True, False, False, False, False, False, False),
        ])

    years = {
        "y1950": (_dt(1950, 1, 1), _dt(1950, 12, 31, 23, 59, 59)),
        "y2049": (_dt(2049, 12, 31, 23, 59, 59), _dt(2049, 12, 31, 23, 59, 59)),
        "y2050": (_dt(2050, 1, 1), _dt(2050, 1, 1, 0, 0, 1)),
        "y9999": (_dt(1970, 1, 1), _dt(9999, 12, 31, 23, 59, 59)),
        "leap": (_dt(2000, 2, 29, 12), _dt(2100, 2, 28, 12)),
        "day_pad": (_dt(2019, 5, 8, 1, 2, 3), _dt(2969, 5, 3, 0, 0, 1)),
    }
    for label, (nb, na) in years.items():
        c[label] = build(not_before=nb, not_after=na)

    # Pre-1950 needs GeneralizedTime, which cryptography refuses to write: patch the encoded
    # time strings in place (same length; the signature no longer verifies, parsing is all we do).
    marker = build(not_before=_dt(2051, 7, 7, 7, 7, 7), not_after=_dt(2052, 8, 8, 8, 8, 8))
    for label, (nb, na) in {"y1900_gt": (b"19000301010203Z", b"19691231235959Z"),
                            "y1969_gt": (b"19691231235959Z", b"19700101000000Z"),
                            "y0001_gt": (b"00010101000000Z", b"99991231235959Z")}.items():
        der = marker.replace(b"20510707070707Z", nb).replace(b"20520808080808Z", na)
        assert der != marker
        c[label] = der

    for label, serial in {"serial_1": 1, "serial_0x80": 0x80, "serial_0xff00": 0xFF00,
                          "serial_huge": (1 << 159) - 1, "serial_20_bytes": 1 << 152}.items():
        c[label] = build(serial=serial)
    try:
        c["serial_0"] = build(serial=0)
    except ValueError:
        pass
    return c
