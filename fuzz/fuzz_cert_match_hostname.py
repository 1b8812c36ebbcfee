"""Fuzz the Certificate name checks: Certificate.match_hostname (OpenSSL's X509_check_host /
X509_check_ip_asc path) against the dict rules of CPython 3.11's ssl.match_hostname.

Input format (text, like fuzz_match_hostname.py):
    line 1          the hostname
    S:DNS=name      a dNSName in subjectAltName (any bytes; non-ASCII kept as UTF-8)
    S:IP=address    an iPAddress in subjectAltName (IPv4/IPv6 text; unparsable -> skipped)
    S:email=x, S:URI=x   other SAN kinds (must not match anything)
    N:attr=value    a subject RDN (attr: CN, O, OU, C; value any text)
    other lines     a commonName RDN holding the whole line
A real certificate is built from that with `cryptography` (Ed25519, fast), then:
    Certificate.match_hostname(h)
    certcore.match_hostname(Certificate, h)
    certcore.match_hostname(cert.to_dict(), h)
must all give the outcome ssl.match_hostname gives on ssl._ssl._test_decode_cert's dict;
    Certificate.match_hostname(h, strict=True)
the outcome it gives on that dict without its "subject" (no commonName fallback); and
    check_hostnames([cert], [h], strict=False/True)
[True] exactly when the matching call above returns None (any error is False there).
"""
import datetime
import ipaddress
import os
import ssl
import tempfile
import warnings

import certcore
from _common import decode_text, main, outcome, same

_tmpdir = tempfile.mkdtemp(prefix="certcore-fuzz-names-")
_path = os.path.join(_tmpdir, "cert.pem")
_key = None
ATTRS = {}


def _init():
    global _key
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import NameOID

    _key = ed25519.Ed25519PrivateKey.generate()
    ATTRS.update(CN=NameOID.COMMON_NAME, O=NameOID.ORGANIZATION_NAME,
                 OU=NameOID.ORGANIZATIONAL_UNIT_NAME, C=NameOID.COUNTRY_NAME)


def build(data):
    """Fuzz bytes -> (DER certificate, hostname), or None if cryptography cannot encode it."""
    try:
        with warnings.catch_warnings():  # cryptography warns of every odd-length attribute
            warnings.simplefilter("ignore", UserWarning)
            return _build(data)
    except (ValueError, TypeError, UnicodeError):  # e.g. lone surrogates in a name
        return None


def _build(data):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    if _key is None:
        _init()
    lines = decode_text(data).split("\n")
    hostname, rest = lines[0], lines[1:]
    sans, rdns = [], []
    for line in rest:
        if line.startswith("S:"):
            kind, _, value = line[2:].partition("=")
            try:
                if kind == "DNS":
                    sans.append(x509.DNSName._init_without_validation(value))
                elif kind == "IP":
                    sans.append(x509.IPAddress(ipaddress.ip_address(value)))
                elif kind == "email":
                    sans.append(x509.RFC822Name._init_without_validation(value))
                elif kind == "URI":
                    sans.append(x509.UniformResourceIdentifier._init_without_validation(value))
            except ValueError:
                continue
        elif line.startswith("N:") and line[2:].partition("=")[0] in ATTRS:
            attr, _, value = line[2:].partition("=")
            rdns.append(x509.RelativeDistinguishedName([x509.NameAttribute(ATTRS[attr], value, _validate=False)]))
        else:
            cn = x509.NameAttribute(NameOID.COMMON_NAME, line, _validate=False)
            rdns.append(x509.RelativeDistinguishedName([cn]))
    name = x509.Name(rdns)
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([]))
        .public_key(_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    from cryptography.hazmat.primitives import serialization

    try:
        cert = builder.sign(_key, None)
    except (ValueError, TypeError, UnicodeError):
        return None
    return cert.public_bytes(serialization.Encoding.DER), hostname


def check(data):
    built = build(data)
    if built is None:
        return
    der, hostname = built
    with open(_path, "w") as f:
        f.write(ssl.DER_cert_to_PEM_cert(der))
    stdlib_dict = ssl._ssl._test_decode_cert(_path)
    theirs = outcome(ssl.match_hostname, stdlib_dict, hostname)
    cert = certcore.Certificate.from_der(der)
    same("match_hostname(to_dict())", outcome(certcore.match_hostname, cert.to_dict(), hostname), theirs,
         (stdlib_dict, hostname))
    same("Certificate.match_hostname", outcome(cert.match_hostname, hostname), theirs, (stdlib_dict, hostname))
    same("match_hostname(Certificate)", outcome(certcore.match_hostname, cert, hostname), theirs,
         (stdlib_dict, hostname))
    no_subject = {k: v for k, v in stdlib_dict.items() if k != "subject"}
    theirs_strict = outcome(ssl.match_hostname, no_subject, hostname)
    same("Certificate.match_hostname(strict=True)", outcome(cert.match_hostname, hostname, strict=True),
         theirs_strict, (no_subject, hostname))
    for strict, expected in ((False, theirs), (True, theirs_strict)):
        same(f"check_hostnames(strict={strict})",
             outcome(certcore.check_hostnames, [cert], [hostname], strict=strict),
             ("ok", [expected == ("ok", None)]), (stdlib_dict, hostname))


if __name__ == "__main__":
    main(check, instrument_funcs=[_build, ssl.match_hostname, ssl._dnsname_match, ssl._ipaddress_match])
