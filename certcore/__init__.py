"""certcore: the certificate API of Python's ``ssl`` module, compiled over OpenSSL.

Every function here is the compiled one (``certcore.match_hostname is
_certcore.hostname.match_hostname``): there is no Python wrapper on a hot path and no
pure-Python fallback. Exceptions are the stdlib's own classes, so existing
``except ssl.CertificateError`` / ``except ssl.SSLError`` code keeps working.
"""
import ssl as _ssl

from _certcore.asn1time import cert_time_to_seconds
from _certcore.errors import (
    CertificateError,
    SSLCertVerificationError,
    SSLEOFError,
    SSLError,
    SSLSyscallError,
    SSLWantReadError,
    SSLWantWriteError,
    SSLZeroReturnError,
)
from _certcore.hostname import match_hostname
from _certcore.paths import DefaultVerifyPaths, get_default_verify_paths
from _certcore.pem import PEM_FOOTER, PEM_HEADER, DER_cert_to_PEM_cert, PEM_cert_to_DER_cert
from _certcore.store import enum_certificates, enum_crls
from _certcore.x509 import Certificate, check_hostnames, decode_cert, load_certificates
from _certcore.tls import MemoryBIO, SSLSession
from _certcore.version import OPENSSL_VERSION, OPENSSL_VERSION_INFO, OPENSSL_VERSION_NUMBER

from certcore.sslsocket import SSLContext, SSLObject, SSLSocket
from certcore.client import (
    create_default_context,
    get_server_certificate,
    get_server_certificate_chain,
    wrap_socket,
)

__version__ = "0.1.0"


def get_include():
    """The directory holding ``certcore.h`` and ``certcore_capi.pxd``, certcore's C API.

    Add it to the include path of a C or Cython extension that calls certcore from C.
    """
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "include")
    if os.path.isfile(os.path.join(installed, "certcore.h")):
        return installed
    # A development checkout (pip install -e .): the canonical files in the repository.
    return os.path.join(os.path.dirname(here), "include")


# The stdlib's enum members, so that ``certcore.CERT_REQUIRED is ssl.CERT_REQUIRED``.
CERT_NONE = _ssl.CERT_NONE
CERT_OPTIONAL = _ssl.CERT_OPTIONAL
CERT_REQUIRED = _ssl.CERT_REQUIRED
PROTOCOL_TLS = _ssl.PROTOCOL_TLS
PROTOCOL_TLS_CLIENT = _ssl.PROTOCOL_TLS_CLIENT
PROTOCOL_TLS_SERVER = _ssl.PROTOCOL_TLS_SERVER

__all__ = [
    "get_include",
    "Certificate",
    "decode_cert",
    "load_certificates",
    "check_hostnames",
    "match_hostname",
    "cert_time_to_seconds",
    "DER_cert_to_PEM_cert",
    "PEM_cert_to_DER_cert",
    "get_default_verify_paths",
    "DefaultVerifyPaths",
    "enum_certificates",
    "enum_crls",
    "PEM_HEADER",
    "PEM_FOOTER",
    "CERT_NONE",
    "CERT_OPTIONAL",
    "CERT_REQUIRED",
    "PROTOCOL_TLS",
    "PROTOCOL_TLS_CLIENT",
    "PROTOCOL_TLS_SERVER",
    "OPENSSL_VERSION",
    "OPENSSL_VERSION_INFO",
    "OPENSSL_VERSION_NUMBER",
    "CertificateError",
    "SSLError",
    "SSLZeroReturnError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLSyscallError",
    "SSLEOFError",
    "SSLCertVerificationError",
    "SSLContext",
    "SSLSocket",
    "SSLObject",
    "SSLSession",
    "MemoryBIO",
    "wrap_socket",
    "create_default_context",
    "get_server_certificate",
    "get_server_certificate_chain",
]
