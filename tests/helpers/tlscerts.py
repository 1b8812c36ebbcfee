"""Test PKI for the TLS tests, generated with ``cryptography`` (never copied from elsewhere).

``make_pki(directory)`` writes PEM files and returns a ``Pki`` whose attributes are paths:

* ``ca`` (root, RSA), ``ca2`` (an unrelated root), ``inter`` (intermediate under ``ca``);
* server leaves, each ``(chainfile, keyfile)``: ``rsa`` (RSA-2048, signed by ``ca``), ``ecdsa``
  (P-256), and the bad-certificate matrix ``expired``, ``not_yet_valid``, ``wrong_host``,
  ``wrong_ip``, ``self_signed``, ``unknown_ca``, ``missing_inter`` (leaf under ``inter``,
  served without it), ``with_inter`` (same, served with it), ``wrong_eku`` (clientAuth only);
* ``client``: a client certificate (clientAuth) under ``ca``.

Every good server leaf names DNS ``localhost`` and IPs 127.0.0.1 and ::1.
"""
import datetime
import ipaddress
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certcore tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key(kind):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "rsa1024":   # below OpenSSL's default security level 2 (112-bit)
        return rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject_cn, key, issuer_cn, issuer_key, *, ca=False, sans=None, eku=None,
          not_before=None, not_after=None):
    b = (x509.CertificateBuilder()
         .subject_name(_name(subject_cn))
         .issuer_name(_name(issuer_cn))
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(not_before or NOW - DAY)
         .not_valid_after(not_after or NOW + 365 * DAY)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        b = b.add_extension(x509.ExtendedKeyUsage(eku or [ExtendedKeyUsageOID.SERVER_AUTH]),
                            critical=False)
    if issuer_key is not key:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                            critical=False)
    if sans is not None:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


GOOD_SANS = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
             x509.IPAddress(ipaddress.ip_address("::1"))]


@dataclass
class Pki:
    dir: str
    ca: str = ""
    ca2: str = ""
    inter: str = ""
    rsa: tuple = ()
    ecdsa: tuple = ()
    expired: tuple = ()
    not_yet_valid: tuple = ()
    wrong_host: tuple = ()
    wrong_ip: tuple = ()
    self_signed: tuple = ()
    unknown_ca: tuple = ()
    missing_inter: tuple = ()
    with_inter: tuple = ()
    wrong_eku: tuple = ()
    weak_key: tuple = ()
    client: tuple = ()


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def make_pki(directory):
    pki = Pki(directory)
    p = lambda name: os.path.join(directory, name)  # noqa: E731
    ca_key = _key("rsa")
    ca = _cert("certcore test root", ca_key, "certcore test root", ca_key, ca=True)
    ca2_key = _key("ec")
    ca2 = _cert("unrelated root", ca2_key, "unrelated root", ca2_key, ca=True)
    inter_key = _key("ec")
    inter = _cert("certcore test intermediate", inter_key, "certcore test root", ca_key, ca=True)
    pki.ca = _write(p("ca.pem"), _pem(ca))
    pki.ca2 = _write(p("ca2.pem"), _pem(ca2))
    pki.inter = _write(p("inter.pem"), _pem(inter))

    def leaf(name, kind="ec", issuer=("certcore test root", ca_key), extra_chain=(), **kw):
        key = _key(kind)
        if issuer is None:
            cert = _cert("localhost", key, "localhost", key, **kw)
        else:
            cert = _cert("localhost", key, issuer[0], issuer[1], **kw)
        chain = _write(p(name + ".pem"), _pem(cert) + b"".join(_pem(c) for c in extra_chain))
        keyfile = _write(p(name + ".key"), key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption()))
        return (chain, keyfile)

    pki.rsa = leaf("rsa", "rsa", sans=GOOD_SANS)
    pki.ecdsa = leaf("ecdsa", sans=GOOD_SANS)
    pki.expired = leaf("expired", sans=GOOD_SANS, not_before=NOW - 30 * DAY, not_after=NOW - DAY)
    pki.not_yet_valid = leaf("not_yet_valid", sans=GOOD_SANS, not_before=NOW + DAY,
                             not_after=NOW + 30 * DAY)
    pki.wrong_host = leaf("wrong_host", sans=[x509.DNSName("other.example")])
    pki.wrong_ip = leaf("wrong_ip", sans=[x509.DNSName("localhost"),
                                          x509.IPAddress(ipaddress.ip_address("10.9.8.7"))])
    pki.self_signed = leaf("self_signed", issuer=None, sans=GOOD_SANS)
    pki.unknown_ca = leaf("unknown_ca", issuer=("unrelated root", ca2_key), sans=GOOD_SANS)
    pki.missing_inter = leaf("missing_inter", issuer=("certcore test intermediate", inter_key),
                             sans=GOOD_SANS)
    pki.with_inter = leaf("with_inter", issuer=("certcore test intermediate", inter_key),
                          sans=GOOD_SANS, extra_chain=(inter,))
    pki.wrong_eku = leaf("wrong_eku", sans=GOOD_SANS, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    pki.weak_key = leaf("weak_key", "rsa1024", sans=GOOD_SANS)
    pki.client = leaf("client", eku=[ExtendedKeyUsageOID.CLIENT_AUTH],
                      sans=[x509.DNSName("client.example")])
    return pki


_PKI = None


def get_pki():
    """One PKI per test process (in a temporary directory removed at exit)."""
    global _PKI
    if _PKI is None:
        import atexit
        import shutil
        import tempfile

        d = tempfile.mkdtemp(prefix="certcore-pki-")
        atexit.register(shutil.rmtree, d, True)
        _PKI = make_pki(d)
    return _PKI
