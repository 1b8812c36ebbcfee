"""Types for certcore: every public name of ``certcore/__init__.py``, for the running Python.

certcore binds the stdlib's own objects (enums, CPython's numbering, OpenSSL constants) in a loop
that type checkers cannot follow, so this stub declares each one, re-exported from typeshed's
``ssl`` stub: at run time ``certcore.Options is ssl.Options``. The classes and functions certcore
implements itself are typed here or in the ``_certcore`` stubs they come from.
"""
import os
import socket as _socket
import ssl as _ssl
import sys
from typing import Dict, List, Optional, Union

from _certcore.asn1time import cert_time_to_seconds as cert_time_to_seconds
from _certcore.constants import (
    HAS_ALPN as HAS_ALPN,
    HAS_ECDH as HAS_ECDH,
    HAS_NEVER_CHECK_COMMON_NAME as HAS_NEVER_CHECK_COMMON_NAME,
    HAS_NPN as HAS_NPN,
    HAS_SNI as HAS_SNI,
    HAS_SSLv2 as HAS_SSLv2,
    HAS_SSLv3 as HAS_SSLv3,
    HAS_TLSv1 as HAS_TLSv1,
    HAS_TLSv1_1 as HAS_TLSv1_1,
    HAS_TLSv1_2 as HAS_TLSv1_2,
    HAS_TLSv1_3 as HAS_TLSv1_3,
)
from _certcore.errors import (
    CertificateError as CertificateError,
    SSLCertVerificationError as SSLCertVerificationError,
    SSLEOFError as SSLEOFError,
    SSLError as SSLError,
    SSLSyscallError as SSLSyscallError,
    SSLWantReadError as SSLWantReadError,
    SSLWantWriteError as SSLWantWriteError,
    SSLZeroReturnError as SSLZeroReturnError,
)
from _certcore.hostname import match_hostname as match_hostname
from _certcore.paths import DefaultVerifyPaths as DefaultVerifyPaths
from _certcore.paths import get_default_verify_paths as get_default_verify_paths
from _certcore.pem import (
    PEM_FOOTER as PEM_FOOTER,
    PEM_HEADER as PEM_HEADER,
    DER_cert_to_PEM_cert as DER_cert_to_PEM_cert,
    PEM_cert_to_DER_cert as PEM_cert_to_DER_cert,
)
from _certcore.rand import RAND_add as RAND_add, RAND_bytes as RAND_bytes, RAND_status as RAND_status
from _certcore.store import enum_certificates as enum_certificates, enum_crls as enum_crls
from _certcore.tls import MemoryBIO as MemoryBIO, SSLSession as SSLSession
from _certcore.truststore import TrustStore as TrustStore
from _certcore.verify import Verifier as Verifier
from _certcore.version import (
    OPENSSL_VERSION as OPENSSL_VERSION,
    OPENSSL_VERSION_INFO as OPENSSL_VERSION_INFO,
    OPENSSL_VERSION_NUMBER as OPENSSL_VERSION_NUMBER,
)
from _certcore.x509 import (
    AuthorityKeyIdentifier as AuthorityKeyIdentifier,
    BasicConstraints as BasicConstraints,
    CertificateExtension as CertificateExtension,
    NameConstraints as NameConstraints,
    Certificate as Certificate,
    check_hostnames as check_hostnames,
    decode_cert as decode_cert,
    load_certificates as load_certificates,
)

if sys.version_info < (3, 12):
    from _certcore.rand import RAND_pseudo_bytes as RAND_pseudo_bytes
if sys.version_info >= (3, 13):
    from _certcore.constants import HAS_PSK as HAS_PSK

# ssl.py's own socket imports, reachable through ssl (ssl.socket is socket.socket).
from socket import (
    SO_TYPE as SO_TYPE,
    SOCK_STREAM as SOCK_STREAM,
    SOL_SOCKET as SOL_SOCKET,
    create_connection as create_connection,
    socket as socket,
)

# The stdlib's own objects (certcore/__init__.py's _FROM_STDLIB).
from ssl import (
    AlertDescription as AlertDescription,
    Options as Options,
    Purpose as Purpose,
    SSLErrorNumber as SSLErrorNumber,
    TLSVersion as TLSVersion,
    VerifyFlags as VerifyFlags,
    VerifyMode as VerifyMode,
    _SSLMethod as _SSLMethod,
    CERT_NONE as CERT_NONE,
    CERT_OPTIONAL as CERT_OPTIONAL,
    CERT_REQUIRED as CERT_REQUIRED,
    PROTOCOL_SSLv23 as PROTOCOL_SSLv23,
    PROTOCOL_TLS as PROTOCOL_TLS,
    PROTOCOL_TLS_CLIENT as PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER as PROTOCOL_TLS_SERVER,
    PROTOCOL_TLSv1 as PROTOCOL_TLSv1,
    PROTOCOL_TLSv1_1 as PROTOCOL_TLSv1_1,
    PROTOCOL_TLSv1_2 as PROTOCOL_TLSv1_2,
    SSL_ERROR_EOF as SSL_ERROR_EOF,
    SSL_ERROR_INVALID_ERROR_CODE as SSL_ERROR_INVALID_ERROR_CODE,
    OP_ALL as OP_ALL,
    OP_CIPHER_SERVER_PREFERENCE as OP_CIPHER_SERVER_PREFERENCE,
    OP_ENABLE_MIDDLEBOX_COMPAT as OP_ENABLE_MIDDLEBOX_COMPAT,
    OP_IGNORE_UNEXPECTED_EOF as OP_IGNORE_UNEXPECTED_EOF,
    OP_NO_COMPRESSION as OP_NO_COMPRESSION,
    OP_NO_RENEGOTIATION as OP_NO_RENEGOTIATION,
    OP_NO_SSLv2 as OP_NO_SSLv2,
    OP_NO_SSLv3 as OP_NO_SSLv3,
    OP_NO_TICKET as OP_NO_TICKET,
    OP_NO_TLSv1 as OP_NO_TLSv1,
    OP_NO_TLSv1_1 as OP_NO_TLSv1_1,
    OP_NO_TLSv1_2 as OP_NO_TLSv1_2,
    OP_NO_TLSv1_3 as OP_NO_TLSv1_3,
    OP_SINGLE_DH_USE as OP_SINGLE_DH_USE,
    OP_SINGLE_ECDH_USE as OP_SINGLE_ECDH_USE,
    VERIFY_DEFAULT as VERIFY_DEFAULT,
    VERIFY_CRL_CHECK_LEAF as VERIFY_CRL_CHECK_LEAF,
    VERIFY_CRL_CHECK_CHAIN as VERIFY_CRL_CHECK_CHAIN,
    VERIFY_X509_STRICT as VERIFY_X509_STRICT,
    VERIFY_X509_TRUSTED_FIRST as VERIFY_X509_TRUSTED_FIRST,
    SSL_ERROR_SSL as SSL_ERROR_SSL,
    SSL_ERROR_WANT_READ as SSL_ERROR_WANT_READ,
    SSL_ERROR_WANT_WRITE as SSL_ERROR_WANT_WRITE,
    SSL_ERROR_WANT_X509_LOOKUP as SSL_ERROR_WANT_X509_LOOKUP,
    SSL_ERROR_SYSCALL as SSL_ERROR_SYSCALL,
    SSL_ERROR_ZERO_RETURN as SSL_ERROR_ZERO_RETURN,
    SSL_ERROR_WANT_CONNECT as SSL_ERROR_WANT_CONNECT,
    ALERT_DESCRIPTION_ACCESS_DENIED as ALERT_DESCRIPTION_ACCESS_DENIED,
    ALERT_DESCRIPTION_BAD_CERTIFICATE as ALERT_DESCRIPTION_BAD_CERTIFICATE,
    ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE as ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE,
    ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE as ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE,
    ALERT_DESCRIPTION_BAD_RECORD_MAC as ALERT_DESCRIPTION_BAD_RECORD_MAC,
    ALERT_DESCRIPTION_CERTIFICATE_EXPIRED as ALERT_DESCRIPTION_CERTIFICATE_EXPIRED,
    ALERT_DESCRIPTION_CERTIFICATE_REVOKED as ALERT_DESCRIPTION_CERTIFICATE_REVOKED,
    ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN as ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN,
    ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE as ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE,
    ALERT_DESCRIPTION_CLOSE_NOTIFY as ALERT_DESCRIPTION_CLOSE_NOTIFY,
    ALERT_DESCRIPTION_DECODE_ERROR as ALERT_DESCRIPTION_DECODE_ERROR,
    ALERT_DESCRIPTION_DECOMPRESSION_FAILURE as ALERT_DESCRIPTION_DECOMPRESSION_FAILURE,
    ALERT_DESCRIPTION_DECRYPT_ERROR as ALERT_DESCRIPTION_DECRYPT_ERROR,
    ALERT_DESCRIPTION_HANDSHAKE_FAILURE as ALERT_DESCRIPTION_HANDSHAKE_FAILURE,
    ALERT_DESCRIPTION_ILLEGAL_PARAMETER as ALERT_DESCRIPTION_ILLEGAL_PARAMETER,
    ALERT_DESCRIPTION_INSUFFICIENT_SECURITY as ALERT_DESCRIPTION_INSUFFICIENT_SECURITY,
    ALERT_DESCRIPTION_INTERNAL_ERROR as ALERT_DESCRIPTION_INTERNAL_ERROR,
    ALERT_DESCRIPTION_NO_RENEGOTIATION as ALERT_DESCRIPTION_NO_RENEGOTIATION,
    ALERT_DESCRIPTION_PROTOCOL_VERSION as ALERT_DESCRIPTION_PROTOCOL_VERSION,
    ALERT_DESCRIPTION_RECORD_OVERFLOW as ALERT_DESCRIPTION_RECORD_OVERFLOW,
    ALERT_DESCRIPTION_UNEXPECTED_MESSAGE as ALERT_DESCRIPTION_UNEXPECTED_MESSAGE,
    ALERT_DESCRIPTION_UNKNOWN_CA as ALERT_DESCRIPTION_UNKNOWN_CA,
    ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY as ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY,
    ALERT_DESCRIPTION_UNRECOGNIZED_NAME as ALERT_DESCRIPTION_UNRECOGNIZED_NAME,
    ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE as ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE,
    ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION as ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION,
    ALERT_DESCRIPTION_USER_CANCELLED as ALERT_DESCRIPTION_USER_CANCELLED,
    get_protocol_name as get_protocol_name,
    _DEFAULT_CIPHERS as _DEFAULT_CIPHERS,
)

if sys.version_info >= (3, 10):
    from ssl import (
        VERIFY_ALLOW_PROXY_CERTS as VERIFY_ALLOW_PROXY_CERTS,
        VERIFY_X509_PARTIAL_CHAIN as VERIFY_X509_PARTIAL_CHAIN,
    )

if sys.version_info >= (3, 12):
    from ssl import (
        OP_ENABLE_KTLS as OP_ENABLE_KTLS,
        OP_LEGACY_SERVER_CONNECT as OP_LEGACY_SERVER_CONNECT,
    )

socket_error = OSError
if sys.version_info >= (3, 10):
    _GLOBAL_DEFAULT_TIMEOUT: object

_PROTOCOL_NAMES: Dict[int, str]
_OPENSSL_API_VERSION: tuple[int, int, int, int, int]
__version__: str

_StrOrBytesPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
_CaData = Union[str, bytes, bytearray, memoryview]

CHANNEL_BINDING_TYPES: List[str]

# certcore's classes subclass the stdlib's (isinstance(certcore.SSLContext(...), ssl.SSLContext)),
# so they take typeshed's signatures. The overrides say what differs: certcore's objects come back,
# wrap_bio takes either library's MemoryBIO, and sessions are certcore's SSLSession (the stdlib's
# is rejected with TypeError, as the stdlib rejects certcore's), hence the ignores.
class SSLContext(_ssl.SSLContext):
    # certcore's addition on every Python: OpenSSL's TLS 1.3 cipher suite list (SSL_CTX_set_ciphersuites).
    def set_ciphersuites(self, suites: str) -> None: ...
    def load_trust_store(self, store: TrustStore) -> None:
        """Trust a TrustStore's anchors: a context with nothing loaded yet shares the store (no
        copy); otherwise they are added to this context's own store. A context that shares a
        store copies it before any later load (copy on write), so no load changes another
        context's or the TrustStore's trust."""
    sslobject_class: type[SSLObject]
    sslsocket_class: type[SSLSocket]
    def wrap_socket(  # type: ignore[override]
        self,
        sock: _socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: Union[str, bytes, None] = None,
        session: Optional[SSLSession] = None,
    ) -> SSLSocket: ...
    def wrap_bio(  # type: ignore[override]
        self,
        incoming: Union[MemoryBIO, _ssl.MemoryBIO],
        outgoing: Union[MemoryBIO, _ssl.MemoryBIO],
        server_side: bool = False,
        server_hostname: Union[str, bytes, None] = None,
        session: Optional[SSLSession] = None,
    ) -> SSLObject: ...

class SSLSocket(_ssl.SSLSocket):
    context: SSLContext
    session: Optional[SSLSession]  # type: ignore[assignment]
    def get_verified_chain(self) -> List[bytes]: ...
    def get_unverified_chain(self) -> List[bytes]: ...

class SSLObject(_ssl.SSLObject):
    context: SSLContext
    session: Optional[SSLSession]  # type: ignore[assignment]
    def get_verified_chain(self) -> List[bytes]: ...
    def get_unverified_chain(self) -> List[bytes]: ...

def create_default_context(
    purpose: _ssl.Purpose = ...,
    *,
    cafile: Optional[_StrOrBytesPath] = None,
    capath: Optional[_StrOrBytesPath] = None,
    cadata: Optional[_CaData] = None,
    trust_store: Optional[TrustStore] = None,
) -> SSLContext:
    """The running Python's ``create_default_context``. Without cafile/capath/cadata the context
    shares the process-wide system store (``TrustStore.system()``). ``trust_store`` (a certcore
    addition): the context trusts that store instead of the system's; cafile/capath/cadata still
    load on top, into a private copy (copy on write)."""
def _create_unverified_context(
    protocol: Optional[int] = None,
    *,
    cert_reqs: int = ...,
    check_hostname: bool = False,
    purpose: _ssl.Purpose = ...,
    certfile: Optional[_StrOrBytesPath] = None,
    keyfile: Optional[_StrOrBytesPath] = None,
    cafile: Optional[_StrOrBytesPath] = None,
    capath: Optional[_StrOrBytesPath] = None,
    cadata: Optional[_CaData] = None,
) -> SSLContext: ...

_create_stdlib_context = _create_unverified_context
_create_default_https_context = create_default_context

# 3.11's module-level wrap_socket, kept on every Python (it warns DeprecationWarning when called).
def wrap_socket(
    sock: _socket.socket,
    keyfile: Optional[_StrOrBytesPath] = None,
    certfile: Optional[_StrOrBytesPath] = None,
    server_side: bool = False,
    cert_reqs: int = ...,
    ssl_version: int = ...,
    ca_certs: Optional[_StrOrBytesPath] = None,
    do_handshake_on_connect: bool = True,
    suppress_ragged_eofs: bool = True,
    ciphers: Optional[str] = None,
) -> SSLSocket: ...
def get_server_certificate(
    addr: tuple[str, int], ssl_version: int = ..., ca_certs: Optional[str] = None, timeout: float = ...
) -> str: ...
def get_server_certificate_chain(
    addr: tuple[str, int], ssl_version: int = ..., ca_certs: Optional[str] = None, timeout: float = ...
) -> List[Certificate]: ...
def get_include() -> str: ...

# certcore.inject's functions, declared here so that checking a program does not check inject.py.
def inject_into_ssl() -> None: ...
def extract_from_ssl() -> None: ...

# The runtime's __all__ for each Python (``from certcore import *`` exports exactly these).
__all__ = [
    "SSLContext", "SSLSocket", "SSLObject", "SSLSession", "MemoryBIO", "CertificateError", "SSLError",
    "SSLZeroReturnError", "SSLWantReadError", "SSLWantWriteError", "SSLSyscallError", "SSLEOFError",
    "SSLCertVerificationError", "create_default_context", "get_server_certificate", "cert_time_to_seconds",
    "DER_cert_to_PEM_cert", "PEM_cert_to_DER_cert", "PEM_HEADER", "PEM_FOOTER", "get_default_verify_paths",
    "DefaultVerifyPaths", "CHANNEL_BINDING_TYPES", "RAND_add", "RAND_bytes", "RAND_status", "OPENSSL_VERSION",
    "OPENSSL_VERSION_INFO", "OPENSSL_VERSION_NUMBER", "HAS_ALPN", "HAS_ECDH", "HAS_NEVER_CHECK_COMMON_NAME",
    "HAS_NPN", "HAS_SNI", "HAS_SSLv2", "HAS_SSLv3", "HAS_TLSv1", "HAS_TLSv1_1", "HAS_TLSv1_2", "HAS_TLSv1_3",
    "match_hostname", "wrap_socket", "get_include", "Certificate", "decode_cert", "load_certificates",
    "check_hostnames", "get_server_certificate_chain", "enum_certificates", "enum_crls", "inject_into_ssl",
    "extract_from_ssl", "TrustStore", "Verifier", "BasicConstraints", "AuthorityKeyIdentifier", "NameConstraints",
    "CertificateExtension", "AlertDescription", "Options", "Purpose", "SSLErrorNumber", "TLSVersion", "VerifyFlags",
    "VerifyMode", "CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED", "PROTOCOL_SSLv23", "PROTOCOL_TLS",
    "PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER", "PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1", "PROTOCOL_TLSv1_2",
    "SSL_ERROR_EOF", "SSL_ERROR_INVALID_ERROR_CODE", "OP_ALL", "OP_CIPHER_SERVER_PREFERENCE",
    "OP_ENABLE_MIDDLEBOX_COMPAT", "OP_IGNORE_UNEXPECTED_EOF", "OP_NO_COMPRESSION", "OP_NO_RENEGOTIATION",
    "OP_NO_SSLv2", "OP_NO_SSLv3", "OP_NO_TICKET", "OP_NO_TLSv1", "OP_NO_TLSv1_1", "OP_NO_TLSv1_2",
    "OP_NO_TLSv1_3", "OP_SINGLE_DH_USE", "OP_SINGLE_ECDH_USE", "VERIFY_DEFAULT", "VERIFY_CRL_CHECK_LEAF",
    "VERIFY_CRL_CHECK_CHAIN", "VERIFY_X509_STRICT", "VERIFY_X509_TRUSTED_FIRST", "SSL_ERROR_SSL",
    "SSL_ERROR_WANT_READ", "SSL_ERROR_WANT_WRITE", "SSL_ERROR_WANT_X509_LOOKUP", "SSL_ERROR_SYSCALL",
    "SSL_ERROR_ZERO_RETURN", "SSL_ERROR_WANT_CONNECT", "ALERT_DESCRIPTION_ACCESS_DENIED",
    "ALERT_DESCRIPTION_BAD_CERTIFICATE", "ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE",
    "ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE", "ALERT_DESCRIPTION_BAD_RECORD_MAC",
    "ALERT_DESCRIPTION_CERTIFICATE_EXPIRED", "ALERT_DESCRIPTION_CERTIFICATE_REVOKED",
    "ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN", "ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE",
    "ALERT_DESCRIPTION_CLOSE_NOTIFY", "ALERT_DESCRIPTION_DECODE_ERROR", "ALERT_DESCRIPTION_DECOMPRESSION_FAILURE",
    "ALERT_DESCRIPTION_DECRYPT_ERROR", "ALERT_DESCRIPTION_HANDSHAKE_FAILURE",
    "ALERT_DESCRIPTION_ILLEGAL_PARAMETER", "ALERT_DESCRIPTION_INSUFFICIENT_SECURITY",
    "ALERT_DESCRIPTION_INTERNAL_ERROR", "ALERT_DESCRIPTION_NO_RENEGOTIATION",
    "ALERT_DESCRIPTION_PROTOCOL_VERSION", "ALERT_DESCRIPTION_RECORD_OVERFLOW",
    "ALERT_DESCRIPTION_UNEXPECTED_MESSAGE", "ALERT_DESCRIPTION_UNKNOWN_CA",
    "ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY", "ALERT_DESCRIPTION_UNRECOGNIZED_NAME",
    "ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE", "ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION",
    "ALERT_DESCRIPTION_USER_CANCELLED", "socket", "create_connection", "socket_error", "SOCK_STREAM",
    "SOL_SOCKET", "SO_TYPE", "get_protocol_name",
]
if sys.version_info >= (3, 10):
    __all__ += ["VERIFY_ALLOW_PROXY_CERTS", "VERIFY_X509_PARTIAL_CHAIN"]
if sys.version_info < (3, 12):
    __all__ += ["RAND_pseudo_bytes"]
if sys.version_info >= (3, 12):
    __all__ += ["OP_ENABLE_KTLS", "OP_LEGACY_SERVER_CONNECT"]
if sys.version_info >= (3, 13):
    __all__ += ["HAS_PSK"]
