#!/usr/bin/env python3
"""Regenerate the seed corpora in fuzz/corpus/<target>/ (small; committed).

    python fuzz/make_corpus.py            # rewrites fuzz/corpus/

Certificates are generated here with `cryptography` (never copied from another project); TLS
seeds are flights recorded from a CPython-ssl handshake over memory BIOs. ci/fuzz adds some
certificates from the system store (/etc/ssl/certs) to the decode_cert working corpus at run
time.
"""
import datetime
import hashlib
import ipaddress
import os
import shutil
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
OUT = os.path.join(HERE, "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


HOSTNAME_SEEDS = [
    "example.com\nS:DNS=example.com",
    "www.example.com\nS:DNS=*.example.com",
    "a.b.example.com\nS:DNS=*.example.com",
    "foo.example.com\nS:DNS=f*.example.com",
    "xn--bcher-kva.example\nS:DNS=xn--*.example",
    "bücher.example\nS:DNS=*.example",
    "example.com.\nS:DNS=example.com",
    "EXAMPLE.com\nS:DNS=example.COM",
    "127.0.0.1\nS:IP Address=127.0.0.1",
    "127.0.0.1\nS:DNS=127.0.0.1",
    "127.1\nS:IP Address=127.0.0.1",
    "::1\nS:IP Address=0:0:0:0:0:0:0:1",
    "::ffff:1.2.3.4\nS:IP Address=::ffff:102:304",
    "1.2.3.4 \nS:IP Address=1.2.3.4\n",
    "example.com\nN:commonName=example.com",
    "example.com\nN:commonName=other.com\n+commonName=example.com",
    "example.com\nS:email=a@example.com\nN:commonName=example.com",
    "example.com\nS:DNS=other.com\nN:commonName=example.com",
    "example.com\nS:DNS=a.com\nS:DNS=b.com\nS:IP Address=1.1.1.1",
    "example.com",
    "example.com\nX:empty",
    "example.com\nX:nosan\nX:nosubject",
    "example.com\nS:DNS=example.com\nX:list",
    "\nS:DNS=",
    "*.com\nS:DNS=*.com",
    "a.example.com\nS:DNS=*",
    "a.example.com\nS:DNS=a.*.com",
    "a..example.com\nS:DNS=*..example.com",
    "a\x00.example.com\nS:DNS=a\x00.example.com",
]

NAME_SEEDS = [
    "example.com\nS:DNS=example.com",
    "www.example.com\nS:DNS=*.example.com",
    "a.b.example.com\nS:DNS=*.example.com",
    "foo.example.com\nS:DNS=f*.example.com",
    "127.0.0.1\nS:IP=127.0.0.1",
    "127.0.0.1\nS:DNS=127.0.0.1",
    "::1\nS:IP=::1",
    "example.com\nN:CN=example.com",
    "example.com\nN:O=example.com",
    "example.com\nS:email=a@example.com\nN:CN=example.com",
    "example.com\nS:URI=https://example.com/\nN:CN=example.com",
    "example.com\nS:DNS=other.com\nN:CN=example.com",
    "example.com\nS:IP=1.1.1.1\nN:CN=example.com",
    "1.1.1.1\nN:CN=1.1.1.1",
    "EXAMPLE.com.\nS:DNS=example.com",
    "a.example.com\nS:DNS=*",
    "xn--a.example.com\nS:DNS=xn--*.example.com",
]

TIME_SEEDS = [
    "Jan  5 09:34:43 2018 GMT",
    "May  9 00:00:00 2007 GMT",
    "Dec 31 23:59:60 2008 GMT",
    "Jan  1 00:00:00 1970 GMT",
    "Dec 31 23:59:59 9999 GMT",
    "Jan  1 00:00:00 1950 GMT",
    "Feb 29 12:00:00 2020 GMT",
    "Feb 30 12:00:00 2021 GMT",
    "jan 05 09:34:43 2018 gmt",
    "JAN 5 9:4:3 2018 GMT",
    "Jan  5 09:34:43 2018 UTC",
    "Jan  5 09:34:43 2018",
    "Jan\t5 09:34:43  2018\nGMT",
    "Jan 5 09:34:43 2018 GMT ",
    "Xyz  5 09:34:43 2018 GMT",
    "\x01Jan  5 09:34:43 2018 GMT",
    "Jan 5 09:34:61 2018 GMT",
    "",
]


def pem_der_seeds(ders):
    seeds = [b"\x00" + ssl.DER_cert_to_PEM_cert(ders[0]).encode()]
    seeds.append(b"\x00" + ssl.DER_cert_to_PEM_cert(b"\x30\x03\x02\x01\x01").replace("\n", "\r\n").encode())
    seeds.append(b"\x00-----BEGIN CERTIFICATE-----\nMAA\n-----END CERTIFICATE-----")
    seeds.append(b"\x00  -----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----  ")
    seeds.append(b"\x01" + ders[0][:100])
    seeds.append(b"\x01")
    seeds.append(b"\x02" + bytes(range(256)))
    seeds.append(b"\x03-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")
    seeds.append(b"\x04MIIB\n====\n")
    seeds.append(b"\x04M I I B\x00!@#")
    return seeds


def pem_bundle_seeds(ders):
    pems = [ssl.DER_cert_to_PEM_cert(d) for d in ders]
    seeds = [b"\x00" + pems[0].encode(), b"\x01" + pems[1].encode()]
    seeds.append(b"\x00" + ("junk before\n" + pems[2] + "between\n" + pems[3] + "after").encode())
    seeds.append(b"\x00" + pems[0].replace("\n", "\r\n").encode())
    seeds.append(b"\x00" + pems[4].replace("CERTIFICATE", "X509 CERTIFICATE").encode())
    seeds.append(b"\x00" + pems[5].replace("CERTIFICATE", "TRUSTED CERTIFICATE").encode())
    seeds.append(b"\x00-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n" + pems[6].encode())
    seeds.append(b"\x00" + pems[7][:-40].encode())
    seeds.append(b"\x00" + pems[8].replace("\n", "").encode())
    seeds.append(b"\x01-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nMAA=\n-----END CERTIFICATE-----\n")
    return seeds


def certificates():
    """A handful of DER certificates covering the decoder's branches."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024 if False else 2048)

    def name(*pairs):
        return x509.Name([x509.NameAttribute(oid, v, _validate=False) for oid, v in pairs])

    def build(subject, key, algo, sans=None, extra=(), before=None, after=None, serial=1, issuer=None):
        before = before or datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        after = after or datetime.datetime(2034, 1, 1, tzinfo=datetime.timezone.utc)
        b = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer or subject)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(before).not_valid_after(after)
        )
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        for ext, crit in extra:
            b = b.add_extension(ext, critical=crit)
        return b.sign(key, algo).public_bytes(serialization.Encoding.DER)

    cn = NameOID.COMMON_NAME
    out = []
    out.append(build(name((cn, "plain.example")), ec_key, hashes.SHA256()))
    out.append(build(name((cn, "ed.example"), (NameOID.ORGANIZATION_NAME, "Org"), (NameOID.COUNTRY_NAME, "DE")),
                     ed_key, None, serial=2**159 - 1))
    out.append(build(
        name((cn, "all-sans.example"), (NameOID.EMAIL_ADDRESS, "x@example.com")), rsa_key, hashes.SHA256(),
        sans=[
            x509.DNSName("all-sans.example"), x509.DNSName("*.wild.example"),
            x509.IPAddress(ipaddress.ip_address("192.0.2.1")), x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
            x509.RFC822Name("user@example.com"), x509.UniformResourceIdentifier("https://example.com/x"),
            x509.DirectoryName(name((cn, "dirname"), (NameOID.ORGANIZATION_NAME, "O"))),
            x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4")),
            x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), b"\x0c\x03abc"),
        ],
        extra=[
            (x509.AuthorityInformationAccess([
                x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier("http://ocsp.example.com/")),
                x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                       x509.UniformResourceIdentifier("http://ca.example.com/ca.der")),
            ]), False),
            (x509.CRLDistributionPoints([
                x509.DistributionPoint([x509.UniformResourceIdentifier("http://crl.example.com/a.crl")],
                                       None, None, None),
                x509.DistributionPoint(None, x509.RelativeDistinguishedName([x509.NameAttribute(cn, "rel")]),
                                       None, None),
            ]), False),
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (x509.KeyUsage(True, False, True, False, False, False, False, False, False), True),
        ],
    ))
    out.append(build(name((cn, "nul\x00byte.example")), ec_key, hashes.SHA256(),
                     sans=[x509.DNSName._init_without_validation("nul\x00byte.example")]))
    out.append(build(name((cn, "bücher.example"), (NameOID.ORGANIZATIONAL_UNIT_NAME, "ünït")), ec_key, hashes.SHA256(),
                     sans=[x509.DNSName("xn--bcher-kva.example")]))
    out.append(build(name((cn, "old-and-far.example")), ec_key, hashes.SHA256(),
                     before=datetime.datetime(1950, 1, 1, tzinfo=datetime.timezone.utc),
                     after=datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)))
    out.append(build(x509.Name([x509.RelativeDistinguishedName([
        x509.NameAttribute(cn, "multi"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "valued")])]),
        ec_key, hashes.SHA256()))
    out.append(build(name(), ec_key, hashes.SHA256(), sans=[x509.DNSName("empty-subject.example")]))
    issuer = name((cn, "issuer"))
    out.append(build(name((cn, "issued.example")), ec_key, hashes.SHA256(), issuer=issuer, serial=0x00FF))
    return out


def tls_seeds():
    """Recorded flights: what a CPython-ssl server sends to a client and what a client sends."""
    import _tls

    client, server = [], []
    for flags in range(4):
        cctx = _tls.client_context(ssl, flags)
        sctx = _tls.server_context(ssl, flags)
        c, c_in, c_out = _tls.endpoint(ssl, cctx, False)
        s, s_in, s_out = _tls.endpoint(ssl, sctx, True)
        to_client, to_server = b"", b""
        for _ in range(10):
            for obj in (c, s):
                try:
                    obj.do_handshake()
                except ssl.SSLWantReadError:
                    pass
            a, b = c_out.read(), s_out.read()
            to_server += a
            to_client += b
            s_in.write(a)
            c_in.write(b)
        client.append(bytes([flags, 0]) + to_client)
        client.append(bytes([flags, 200]) + to_client)
        server.append(bytes([flags, 0]) + to_server)
        server.append(bytes([flags, 7]) + to_server)
    for flags in range(4):
        client.append(bytes([4 | flags, 0]))
        client.append(bytes([4 | flags, 0, 0, 5, 0x01, 0, 9, 0x00]))
        server.append(bytes([4 | flags, 0]))
        server.append(bytes([4 | flags, 0, 0, 3, 0xFF]))
    client.append(b"\x00\x00" + b"\x16\x03\x03\xff\xff" + b"\x02" * 40)
    server.append(b"\x00\x01" + b"\x80\x2e\x01\x00\x02" + b"\x00" * 46)
    return client, server


def verify_keys_seeds():
    """SubjectPublicKeyInfos: each key type certcore makes itself, some it leaves to OpenSSL's
    decoder, and non-canonical encodings of a P-256 and an RSA key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    def spki(key):
        return key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    keys = [ec.generate_private_key(c) for c in (ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1(), ec.SECP224R1())]
    keys += [rsa.generate_private_key(public_exponent=65537, key_size=n) for n in (1024, 2048)]
    keys.append(ed25519.Ed25519PrivateKey.generate())
    seeds = [spki(k) for k in keys]
    def tlv(tag, content):
        n = len(content)
        return bytes([tag]) + (bytes([n]) if n < 0x80 else bytes([0x81, n])) + content
    p256, rsa1024 = seeds[0], seeds[4]
    alg, point = p256[2:2 + 2 + p256[3]], p256[-65:]
    parity = point[-1] & 1
    seeds.append(tlv(0x30, alg + tlv(0x03, bytes([0, 2 + parity]) + point[1:33])))     # compressed point
    seeds.append(tlv(0x30, alg + tlv(0x03, bytes([0, 6 + parity]) + point[1:])))       # hybrid point
    seeds.append(rsa1024[:-1] + bytes([rsa1024[-1] ^ 1]))                             # another exponent
    return seeds


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for s in HOSTNAME_SEEDS:
        put("match_hostname", s)
    for s in NAME_SEEDS:
        put("cert_match_hostname", s)
    for s in TIME_SEEDS:
        put("cert_time", s)
    ders = certificates()
    for d in ders:
        put("decode_cert", d)
    for s in pem_der_seeds(ders):
        put("pem_der", s)
    for s in pem_bundle_seeds(ders):
        put("pem_bundle", s)
    for s in verify_keys_seeds():
        put("verify_keys", s)
    client, server = tls_seeds()
    for s in client:
        put("tls_client", s)
    for s in server:
        put("tls_server", s)
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
