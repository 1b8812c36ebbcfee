"""certcore: Python's ``ssl`` module, compiled over OpenSSL (``import certcore as ssl``).

Every public name of the running interpreter's ``ssl`` is here (but for ssl.py's own imports such
as ``ssl.os``: tests/test_module_names.py lists the deliberate differences), from one of two places:

* **certcore's own**: everything that calls OpenSSL or describes certcore's OpenSSL build -- the
  functions and classes (compiled, or thin Python over the compiled core), ``RAND_*``, the
  ``HAS_*`` flags and the ``OPENSSL_VERSION*`` values. Every hot function is the compiled one
  (``certcore.match_hostname is _certcore.hostname.match_hostname``): no wrapper on a hot path, no
  pure-Python fallback. The exception classes are the stdlib's own, so ``except ssl.SSLError``
  code keeps working.
* **the stdlib's objects, re-exported** (``_FROM_STDLIB`` below): data that does not depend on
  certcore's build (the enum classes and members, CPython's own numbering, socket names that
  ``ssl`` re-exports), so that ``certcore.OP_NO_TLSv1 is ssl.OP_NO_TLSv1``.
  tests/test_module_names.py checks every OpenSSL-derived one against the headers certcore was
  compiled with.

``__all__`` is the stdlib's public names plus certcore's additions, for the running Python.
"""
import ssl as _ssl
import sys as _sys

from _certcore import constants as _constants
from _certcore.asn1time import cert_time_to_seconds
from _certcore.constants import (
    HAS_ALPN,
    HAS_ECDH,
    HAS_NEVER_CHECK_COMMON_NAME,
    HAS_NPN,
    HAS_SNI,
    HAS_SSLv2,
    HAS_SSLv3,
    HAS_TLSv1,
    HAS_TLSv1_1,
    HAS_TLSv1_2,
    HAS_TLSv1_3,
)
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
from _certcore.rand import RAND_add, RAND_bytes, RAND_status
from _certcore.store import enum_certificates, enum_crls
from _certcore.x509 import Certificate, check_hostnames, decode_cert, load_certificates
from _certcore.x509 import AuthorityKeyIdentifier, BasicConstraints, CertificateExtension, NameConstraints
from _certcore.tls import MemoryBIO, SSLSession
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from _certcore.version import OPENSSL_VERSION, OPENSSL_VERSION_INFO, OPENSSL_VERSION_NUMBER

from certcore.sslsocket import CHANNEL_BINDING_TYPES, SSLContext, SSLObject, SSLSocket
# `import x as x` marks a re-export that __all__ does not list (underscored, or version-dependent).
from certcore.client import _create_stdlib_context as _create_stdlib_context
from certcore.client import _create_unverified_context as _create_unverified_context
from certcore.client import (
    create_default_context,
    get_server_certificate,
    get_server_certificate_chain,
    wrap_socket,
)
from certcore.inject import extract_from_ssl, inject_into_ssl

if _sys.version_info < (3, 12):
    from _certcore.rand import RAND_pseudo_bytes as RAND_pseudo_bytes
if _sys.version_info >= (3, 13):
    from _certcore.constants import HAS_PSK as HAS_PSK

# http.client and urllib.request call it through ssl; the stdlib binds the same function.
_create_default_https_context = create_default_context
# The OpenSSL version in the headers certcore was compiled with (CPython's test_ssl reads it).
_OPENSSL_API_VERSION = _constants.OPENSSL_API_VERSION

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


# certcore's own public names: the stdlib's that certcore implements, then what certcore adds.
__all__ = [
    "SSLContext", "SSLSocket", "SSLObject", "SSLSession", "MemoryBIO",
    "CertificateError", "SSLError", "SSLZeroReturnError", "SSLWantReadError", "SSLWantWriteError",
    "SSLSyscallError", "SSLEOFError", "SSLCertVerificationError",
    "create_default_context", "get_server_certificate", "cert_time_to_seconds",
    "DER_cert_to_PEM_cert", "PEM_cert_to_DER_cert", "PEM_HEADER", "PEM_FOOTER",
    "get_default_verify_paths", "DefaultVerifyPaths", "CHANNEL_BINDING_TYPES",
    "RAND_add", "RAND_bytes", "RAND_status",
    "OPENSSL_VERSION", "OPENSSL_VERSION_INFO", "OPENSSL_VERSION_NUMBER",
    "HAS_ALPN", "HAS_ECDH", "HAS_NEVER_CHECK_COMMON_NAME", "HAS_NPN", "HAS_SNI",
    "HAS_SSLv2", "HAS_SSLv3", "HAS_TLSv1", "HAS_TLSv1_1", "HAS_TLSv1_2", "HAS_TLSv1_3",
    # the stdlib removed these in 3.12; certcore keeps 3.11's behaviour everywhere
    "match_hostname", "wrap_socket",
    # certcore's additions (the stdlib has enum_* on Windows only)
    "get_include", "Certificate", "decode_cert", "load_certificates", "check_hostnames",
    "get_server_certificate_chain", "enum_certificates", "enum_crls",
    "inject_into_ssl", "extract_from_ssl", "TrustStore", "Verifier",
    # Certificate's inspection results
    "BasicConstraints", "AuthorityKeyIdentifier", "NameConstraints", "CertificateExtension",
]
if _sys.version_info < (3, 12):
    __all__.append("RAND_pseudo_bytes")
if _sys.version_info >= (3, 13):
    __all__.append("HAS_PSK")

# The stdlib's objects that certcore re-exports as they are. A row: (first Python that has the
# names or None, first Python without them or None, the names).
_FROM_STDLIB = (
    # The enum classes; _SSLMethod is PROTOCOL_*'s class, behind get_protocol_name.
    (None, None, "AlertDescription Options Purpose SSLErrorNumber TLSVersion VerifyFlags VerifyMode _SSLMethod"),
    # CPython's own numbering (no OpenSSL macro): certificate requirements, protocol selectors,
    # the SSLError errno values that SSL_get_error() does not have.
    (None, None, "CERT_NONE CERT_OPTIONAL CERT_REQUIRED"),
    (None, None, "PROTOCOL_SSLv23 PROTOCOL_TLS PROTOCOL_TLS_CLIENT PROTOCOL_TLS_SERVER"
                 " PROTOCOL_TLSv1 PROTOCOL_TLSv1_1 PROTOCOL_TLSv1_2 _PROTOCOL_NAMES"),
    (None, None, "SSL_ERROR_EOF SSL_ERROR_INVALID_ERROR_CODE"),
    # OpenSSL's values: the same in every OpenSSL certcore builds with, checked against its headers.
    (None, None, "OP_ALL OP_CIPHER_SERVER_PREFERENCE OP_ENABLE_MIDDLEBOX_COMPAT OP_IGNORE_UNEXPECTED_EOF"
                 " OP_NO_COMPRESSION OP_NO_RENEGOTIATION OP_NO_SSLv2 OP_NO_SSLv3 OP_NO_TICKET OP_NO_TLSv1"
                 " OP_NO_TLSv1_1 OP_NO_TLSv1_2 OP_NO_TLSv1_3 OP_SINGLE_DH_USE OP_SINGLE_ECDH_USE"),
    ((3, 12), None, "OP_ENABLE_KTLS OP_LEGACY_SERVER_CONNECT"),
    (None, None, "VERIFY_DEFAULT VERIFY_CRL_CHECK_LEAF VERIFY_CRL_CHECK_CHAIN VERIFY_X509_STRICT"
                 " VERIFY_X509_TRUSTED_FIRST"),
    ((3, 10), None, "VERIFY_ALLOW_PROXY_CERTS VERIFY_X509_PARTIAL_CHAIN"),
    (None, None, "SSL_ERROR_SSL SSL_ERROR_WANT_READ SSL_ERROR_WANT_WRITE SSL_ERROR_WANT_X509_LOOKUP"
                 " SSL_ERROR_SYSCALL SSL_ERROR_ZERO_RETURN SSL_ERROR_WANT_CONNECT"),
    (None, None, "ALERT_DESCRIPTION_ACCESS_DENIED ALERT_DESCRIPTION_BAD_CERTIFICATE"
                 " ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE"
                 " ALERT_DESCRIPTION_BAD_RECORD_MAC ALERT_DESCRIPTION_CERTIFICATE_EXPIRED"
                 " ALERT_DESCRIPTION_CERTIFICATE_REVOKED ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN"
                 " ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE ALERT_DESCRIPTION_CLOSE_NOTIFY"
                 " ALERT_DESCRIPTION_DECODE_ERROR ALERT_DESCRIPTION_DECOMPRESSION_FAILURE"
                 " ALERT_DESCRIPTION_DECRYPT_ERROR ALERT_DESCRIPTION_HANDSHAKE_FAILURE"
                 " ALERT_DESCRIPTION_ILLEGAL_PARAMETER ALERT_DESCRIPTION_INSUFFICIENT_SECURITY"
                 " ALERT_DESCRIPTION_INTERNAL_ERROR ALERT_DESCRIPTION_NO_RENEGOTIATION"
                 " ALERT_DESCRIPTION_PROTOCOL_VERSION ALERT_DESCRIPTION_RECORD_OVERFLOW"
                 " ALERT_DESCRIPTION_UNEXPECTED_MESSAGE ALERT_DESCRIPTION_UNKNOWN_CA"
                 " ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY ALERT_DESCRIPTION_UNRECOGNIZED_NAME"
                 " ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION"
                 " ALERT_DESCRIPTION_USER_CANCELLED"),
    # socket names that ssl.py imports for itself and that programs and CPython's tests reach
    # through ssl (ssl.socket is socket.socket, ssl.socket_error is OSError).
    (None, None, "socket create_connection socket_error SOCK_STREAM SOL_SOCKET SO_TYPE"),
    ((3, 10), None, "_GLOBAL_DEFAULT_TIMEOUT"),
    # A lookup in _PROTOCOL_NAMES; no OpenSSL involved.
    (None, None, "get_protocol_name"),
    # CPython's default cipher string, the text programs pass to set_ciphers().
    (None, None, "_DEFAULT_CIPHERS"),
)


def _from_stdlib(name):
    try:
        return getattr(_ssl, name)
    except AttributeError:
        # An OpenSSL constant that the stdlib's own OpenSSL build lacks (e.g. OP_ENABLE_KTLS when
        # _ssl is linked to OpenSSL 1.1.1): certcore's OpenSSL decides, with its header value.
        return _constants.OPENSSL_VALUES[name]


# Bind the rows that hold for the running Python; their public names join __all__.
_namespace = globals()
for _since, _until, _names in _FROM_STDLIB:
    if (_since is None or _sys.version_info >= _since) and (_until is None or _sys.version_info < _until):
        for _name in _names.split():
            _namespace[_name] = _from_stdlib(_name)
            if not _name.startswith("_"):
                __all__.append(_name)
del _namespace, _since, _until, _names, _name
