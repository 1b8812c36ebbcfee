"""Certificates ``cryptography`` refuses to build (version 1, zero / negative / over-long serial numbers):
take a ``cryptography``-built certificate, edit its TBSCertificate at the DER level and re-sign it with
the issuer's key, so everything else (names, keys, extensions, validity) stays as ``pki.issue`` made it.

Only definite-length DER is handled, which is all ``cryptography`` writes.
"""
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

_INTEGER, _BIT_STRING, _SEQUENCE, _VERSION, _EXTENSIONS = 0x02, 0x03, 0x30, 0xA0, 0xA3


def _read(buf, off):
    """One TLV at ``off``: (tag, start of content, end of element)."""
    tag = buf[off]
    n = buf[off + 1]
    pos = off + 2
    if n & 0x80:
        count = n & 0x7F
        n = int.from_bytes(buf[pos:pos + count], "big")
        pos += count
    return tag, pos, pos + n


def _elements(content):
    """The DER elements of a constructed value's content, each as (tag, whole element bytes)."""
    out, off = [], 0
    while off < len(content):
        tag, _start, end = _read(content, off)
        out.append((tag, content[off:end]))
        off = end
    return out


def _tlv(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def _sign(key, tbs):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(tbs, PKCS1v15(), hashes.SHA256())
    raise TypeError(f"pki_raw signs with EC or RSA keys, not {type(key).__name__}")


@dataclass
class RawIssued:
    """Like ``pki.Issued`` but held as DER only (``cryptography`` may refuse to load it)."""
    der: bytes
    key: object

    @property
    def pem(self):
        import base64
        body = base64.encodebytes(self.der).decode("ascii").replace("\n", "")
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"

    @property
    def certcore(self):
        import certcore
        return certcore.Certificate.from_der(self.der)


def edit_tbs(issued, signer_key, edit):
    """Re-sign ``issued`` (a ``pki.Issued``) with ``signer_key`` after ``edit(elements)`` rewrote the
    list of its TBSCertificate's (tag, element-DER) pairs. The signature algorithm stays SHA-256 with
    the signer's key type, as ``pki.issue`` chose."""
    der = issued.cert.public_bytes(serialization.Encoding.DER)
    _tag, start, end = _read(der, 0)
    (_t, tbs), (_a, sigalg), _sig = _elements(der[start:end])
    _tag, tstart, tend = _read(tbs, 0)
    fields = edit(_elements(tbs[tstart:tend]))
    new_tbs = _tlv(_SEQUENCE, b"".join(element for _tag, element in fields))
    signature = _tlv(_BIT_STRING, b"\x00" + _sign(signer_key, new_tbs))
    return RawIssued(_tlv(_SEQUENCE, new_tbs + sigalg + signature), issued.key)


def with_serial(issued, signer_key, content):
    """``issued`` with the serialNumber INTEGER's content octets replaced by ``content`` (raw two's
    complement: b"\\x00" is zero, b"\\xff" is -1, 21 octets is over RFC 5280's limit)."""
    def edit(fields):
        i = 1 if fields[0][0] == _VERSION else 0
        assert fields[i][0] == _INTEGER
        fields[i] = (_INTEGER, _tlv(_INTEGER, content))
        return fields
    return edit_tbs(issued, signer_key, edit)


def as_version1(issued, signer_key):
    """``issued`` as a version-1 certificate: no version field (v1 is the DEFAULT) and no extensions."""
    def edit(fields):
        return [(tag, element) for tag, element in fields if tag not in (_VERSION, _EXTENSIONS)]
    return edit_tbs(issued, signer_key, edit)


def spki_of(issued):
    """The DER SubjectPublicKeyInfo of ``issued`` (a ``pki.Issued``)."""
    return issued.cert.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


def with_spki(issued, signer_key, spki):
    """``issued`` with its subjectPublicKeyInfo replaced by the DER ``spki`` (any bytes: it need not
    be a key OpenSSL can decode), re-signed by ``signer_key``; its private key stays ``issued.key``."""
    def edit(fields):
        i = (1 if fields[0][0] == _VERSION else 0) + 5     # serial, signature, issuer, validity, subject
        assert fields[i][0] == _SEQUENCE
        fields[i] = (_SEQUENCE, spki)
        return fields
    return edit_tbs(issued, signer_key, edit)


def spki(algorithm, key_bits, unused_bits=0):
    """A SubjectPublicKeyInfo from its AlgorithmIdentifier's DER and the BIT STRING's content."""
    return _tlv(_SEQUENCE, algorithm + _tlv(_BIT_STRING, bytes([unused_bits]) + key_bits))


def spki_parts(der):
    """(AlgorithmIdentifier DER, BIT STRING content without the unused-bits octet) of an SPKI."""
    _tag, start, end = _read(der, 0)
    (_a, algorithm), (_b, bits) = _elements(der[start:end])
    _tag, bstart, _bend = _read(bits, 0)
    return algorithm, bits[bstart + 1:]
