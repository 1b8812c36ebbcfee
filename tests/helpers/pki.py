"""Generated PKIs for the trust-store, verifier and certificate-inspection tests (``cryptography``).

``issue(cn, issuer, ...)`` makes one certificate; ``root``/``intermediate``/``leaf`` are its common
shapes with the extensions a real PKI carries (basicConstraints, keyUsage, SKI/AKI, EKU, SAN), each of
which a keyword can change or drop, so a test can build a chain that breaks exactly one rule.

An ``Issued`` keeps the ``cryptography`` certificate and its private key; ``.der``/``.pem`` are the
encodings and ``.certcore`` the ``certcore.Certificate``.
"""
import datetime
import functools
import ipaddress
import itertools
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = datetime.timezone.utc
NOW = datetime.datetime.now(UTC).replace(microsecond=0)
DAY = datetime.timedelta(days=1)
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH

_serials = itertools.count(0x1000)
_DEFAULT = object()   # "the usual extension for this shape"; None drops it


def new_key(kind="ec"):
    """A fresh private key: "ec" (P-256), "ec384", "rsa" (2048), "rsa1024", "rsa3000", "rsa2056",
    "dsa", "ed25519"."""
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "ec384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:] or 2048))
    if kind == "dsa":
        return dsa.generate_private_key(key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(kind)


@functools.lru_cache(maxsize=None)
def shared_key(kind="ec", slot=0):
    """A key reused across tests (RSA and DSA generation is slow); ``slot`` gives distinct ones."""
    return new_key(kind)


def name(cn, org="certcore tests"):
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []
    if cn is not None:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


@dataclass
class Issued:
    cert: x509.Certificate
    key: object

    @property
    def der(self):
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def certcore(self):
        import certcore
        return certcore.Certificate.from_der(self.der)

    @property
    def subject(self):
        return self.cert.subject


def _ca_key_usage():
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def _leaf_key_usage():
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def issue(cn, issuer=None, *, key="ec", subject=None, ca=False, path_length=None,
          basic_constraints=_DEFAULT, key_usage=_DEFAULT, eku=_DEFAULT, sans=None, san_critical=False,
          ski=_DEFAULT, aki=_DEFAULT, not_before=None, not_after=None, serial=None, hash_alg=_DEFAULT,
          extensions=()):
    """One certificate. ``issuer`` is an ``Issued`` (None: self-signed). ``key`` is a kind for
    ``new_key`` or a private key. ``extensions`` is extra ``(extension, critical)`` pairs. Keywords
    left at their default give the usual extension for the shape (CA or leaf); None drops it."""
    k = new_key(key) if isinstance(key, str) else key
    subject = subject if subject is not None else name(cn)
    signer_key = issuer.key if issuer is not None else k
    b = (x509.CertificateBuilder()
         .subject_name(subject)
         .issuer_name(issuer.cert.subject if issuer is not None else subject)
         .public_key(k.public_key())
         .serial_number(serial if serial is not None else next(_serials))
         .not_valid_before(not_before or NOW - DAY)
         .not_valid_after(not_after or NOW + 365 * DAY))
    if basic_constraints is _DEFAULT:
        basic_constraints = (x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), True)
    if key_usage is _DEFAULT:
        key_usage = (_ca_key_usage() if ca else _leaf_key_usage(), True)
    if eku is _DEFAULT:
        eku = None if ca else [SERVER_AUTH]
    if ski is _DEFAULT:
        ski = x509.SubjectKeyIdentifier.from_public_key(k.public_key())
    if aki is _DEFAULT:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()) \
            if issuer is not None else None
    for ext in (basic_constraints, key_usage):
        if ext is not None:
            b = b.add_extension(*ext)
    if eku is not None:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if ski is not None:
        b = b.add_extension(ski, critical=False)
    if aki is not None:
        b = b.add_extension(aki, critical=False)
    if sans is not None:
        b = b.add_extension(x509.SubjectAlternativeName([_general_name(s) for s in sans]), critical=san_critical)
    for ext, critical in extensions:
        b = b.add_extension(ext, critical=critical)
    if hash_alg is _DEFAULT:
        hash_alg = None if isinstance(signer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return Issued(b.sign(signer_key, hash_alg), k)


def _general_name(s):
    """"DNS:x", "IP:1.2.3.4", "email:x", "URI:x", a bare DNS name, or a cryptography GeneralName."""
    if not isinstance(s, str):
        return s
    kind, _, value = s.partition(":") if s.split(":", 1)[0] in ("DNS", "IP", "email", "URI") else ("DNS", "", s)
    if kind == "IP":
        return x509.IPAddress(ipaddress.ip_address(value))
    if kind == "email":
        return x509.RFC822Name(value)
    if kind == "URI":
        return x509.UniformResourceIdentifier(value)
    return x509.DNSName(value)


def root(cn="certcore test root", **kw):
    kw.setdefault("ca", True)
    return issue(cn, None, **kw)


def intermediate(cn, parent, **kw):
    kw.setdefault("ca", True)
    return issue(cn, parent, **kw)


def leaf(cn, parent, sans=("localhost",), **kw):
    return issue(cn, parent, sans=sans, **kw)


@dataclass
class Chain:
    root: Issued
    inter: Issued
    leaf: Issued


def chain(key="ec", hostname="localhost"):
    """root -> intermediate -> leaf (serverAuth, SAN ``hostname``), all of key kind ``key``."""
    r = root(key=key)
    i = intermediate("certcore test intermediate", r, key=key)
    return Chain(r, i, leaf(hostname, i, sans=(hostname,), key=key))


def crl(issuer, revoked=(), next_update=30 * DAY):
    """A CRL signed by ``issuer`` (an ``Issued``) revoking the ``Issued`` certificates ``revoked``,
    issued a day ago and valid for ``next_update`` from now."""
    b = (x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
         .last_update(NOW - DAY).next_update(NOW + next_update))
    for c in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(c.cert.serial_number)
                                      .revocation_date(NOW - DAY).build())
    return b.sign(issuer.key, hashes.SHA256())
