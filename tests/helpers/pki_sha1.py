"""SHA-1-signed certificates, which ``cryptography`` refuses to sign: made by the ``openssl`` command
(``openssl req`` for the request, ``openssl x509 -req -sha1`` to sign it) in a temporary directory,
with the extensions ``pki.issue`` gives the same shape, and returned as a ``pki.Issued`` (cryptography
loads a SHA-1 certificate; it only refuses to make one).

The validity starts when the command runs (OpenSSL 3.0's ``x509 -req`` has no way to set it), which
is later than ``pki.NOW``: compare verdicts at the current time, not at ``pki.NOW``.
"""
import shutil
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from helpers import pki

OPENSSL = shutil.which("openssl")


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def issue_sha1(cn, issuer, *, key="ec", ca=False, sans=("localhost",), serial=None, days=365):
    """A certificate for ``cn`` signed by ``issuer`` (a ``pki.Issued``) with SHA-1: a CA (critical
    basicConstraints CA:TRUE, keyUsage keyCertSign/cRLSign) or a serverAuth leaf with ``sans`` (DNS
    names), SKI and AKI (keyid) either way."""
    if OPENSSL is None:
        raise RuntimeError("the openssl command is needed to make SHA-1 certificates")
    k = pki.new_key(key) if isinstance(key, str) else key
    if ca:
        ext = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign"]
    else:
        ext = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment",
               "extendedKeyUsage=serverAuth"]
        if sans:
            ext.append("subjectAltName=" + ",".join(f"DNS:{s}" for s in sans))
    ext += ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid"]
    serial = serial if serial is not None else next(pki._serials)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        (d / "subject.key").write_bytes(_key_pem(k))
        (d / "issuer.key").write_bytes(_key_pem(issuer.key))
        (d / "issuer.pem").write_text(issuer.pem)
        (d / "ext.cnf").write_text("\n".join(ext) + "\n")
        run = dict(check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=60, cwd=d)
        subprocess.run([OPENSSL, "req", "-new", "-key", "subject.key", "-subj", f"/O=certcore tests/CN={cn}",
                        "-out", "req.csr"], **run)
        subprocess.run([OPENSSL, "x509", "-req", "-sha1", "-in", "req.csr", "-CA", "issuer.pem",
                        "-CAkey", "issuer.key", "-set_serial", str(serial), "-days", str(days),
                        "-extfile", "ext.cnf", "-out", "cert.pem"], **run)
        cert = x509.load_pem_x509_certificate((d / "cert.pem").read_bytes())
    return pki.Issued(cert, k)
