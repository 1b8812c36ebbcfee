"""What certcore's OpenSSL build offers, in the ``ssl`` module's terms.

Everything here is read from the OpenSSL headers certcore was compiled with, never from the
stdlib's ``_ssl`` (which may be linked to another OpenSSL):

* the ``HAS_*`` flags and ``OPENSSL_API_VERSION``, which ``certcore`` exports as its own because
  they describe certcore's build;
* ``OPENSSL_VALUES`` and ``TLS_VERSIONS``: for each constant that the stdlib's ``ssl`` takes from
  an OpenSSL macro (``OP_*``, ``VERIFY_*``, ``ALERT_DESCRIPTION_*``, ``SSL_ERROR_*`` and the
  ``TLSVersion`` members), the value that macro has here, by CPython's ``_ssl.c`` formula.
  ``certcore`` re-exports the stdlib's enum members themselves (``certcore.OP_ALL is
  ssl.OP_ALL``); tests/test_module_names.py checks each one against these tables, and
  ``certcore`` falls back to them for a name the stdlib's build lacks.

Numbers that are CPython's own (``CERT_*``, ``PROTOCOL_*``, ``SSL_ERROR_EOF``,
``SSL_ERROR_INVALID_ERROR_CODE``, ``TLSVersion.MINIMUM_SUPPORTED``/``MAXIMUM_SUPPORTED``) have
no OpenSSL macro and are not here.
"""
from openssl.crypto cimport OPENSSL_VERSION_NUMBER
from openssl.opensslconf cimport (
    OPENSSL_NO_SSL3, OPENSSL_NO_TLS1, OPENSSL_NO_TLS1_1, OPENSSL_NO_TLS1_2, OPENSSL_NO_TLS1_3,
    OPENSSL_NO_EC, OPENSSL_NO_PSK,
)
from openssl.ssl cimport (
    SSL3_VERSION, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION,
    SSL_OP_ALL, SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS, SSL_OP_NO_SSLv2, SSL_OP_NO_SSLv3,
    SSL_OP_NO_TLSv1, SSL_OP_NO_TLSv1_1, SSL_OP_NO_TLSv1_2, SSL_OP_NO_TLSv1_3,
    SSL_OP_CIPHER_SERVER_PREFERENCE, SSL_OP_SINGLE_DH_USE, SSL_OP_SINGLE_ECDH_USE, SSL_OP_NO_TICKET,
    SSL_OP_NO_COMPRESSION, SSL_OP_ENABLE_MIDDLEBOX_COMPAT, SSL_OP_NO_RENEGOTIATION,
    SSL_OP_IGNORE_UNEXPECTED_EOF, SSL_OP_LEGACY_SERVER_CONNECT, SSL_OP_ENABLE_KTLS,
    SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_X509_LOOKUP,
    SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN, SSL_ERROR_WANT_CONNECT,
    SSL_AD_CLOSE_NOTIFY, SSL_AD_UNEXPECTED_MESSAGE, SSL_AD_BAD_RECORD_MAC, SSL_AD_RECORD_OVERFLOW,
    SSL_AD_DECOMPRESSION_FAILURE, SSL_AD_HANDSHAKE_FAILURE, SSL_AD_BAD_CERTIFICATE,
    SSL_AD_UNSUPPORTED_CERTIFICATE, SSL_AD_CERTIFICATE_REVOKED, SSL_AD_CERTIFICATE_EXPIRED,
    SSL_AD_CERTIFICATE_UNKNOWN, SSL_AD_ILLEGAL_PARAMETER, SSL_AD_UNKNOWN_CA, SSL_AD_ACCESS_DENIED,
    SSL_AD_DECODE_ERROR, SSL_AD_DECRYPT_ERROR, SSL_AD_PROTOCOL_VERSION, SSL_AD_INSUFFICIENT_SECURITY,
    SSL_AD_INTERNAL_ERROR, SSL_AD_USER_CANCELLED, SSL_AD_NO_RENEGOTIATION, SSL_AD_UNSUPPORTED_EXTENSION,
    SSL_AD_CERTIFICATE_UNOBTAINABLE, SSL_AD_UNRECOGNIZED_NAME, SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE,
    SSL_AD_BAD_CERTIFICATE_HASH_VALUE, SSL_AD_UNKNOWN_PSK_IDENTITY,
)
from openssl.x509_vfy cimport (
    X509_V_FLAG_CRL_CHECK, X509_V_FLAG_CRL_CHECK_ALL, X509_V_FLAG_X509_STRICT,
    X509_V_FLAG_ALLOW_PROXY_CERTS, X509_V_FLAG_TRUSTED_FIRST, X509_V_FLAG_PARTIAL_CHAIN,
)
from openssl.x509v3 cimport X509_CHECK_FLAG_NEVER_CHECK_SUBJECT

from _certcore.version import _version_info

# SSL_OP_* are uint64_t macros in OpenSSL 3 (SSL_OP_ALL has bit 31 set): every option goes
# through this type on its way to Python so that no bit is lost to an int conversion.
ctypedef unsigned long long op_t


# --- the ssl module's HAS_* flags, for this build --------------------------------------------
# CPython derives them from the same macros (Modules/_ssl.c); where certcore's own SSLContext
# lacks the feature, the flag says so even when OpenSSL has it, because programs test the flag
# before calling the feature.

#: Server Name Indication (``server_hostname``, ``sni_callback``): in every OpenSSL 3.
HAS_SNI = True
#: Application-Layer Protocol Negotiation (``set_alpn_protocols``): in every OpenSSL 3.
HAS_ALPN = True
#: ``set_ecdh_curve``: needs elliptic-curve support in the build.
HAS_ECDH = not OPENSSL_NO_EC
#: Next Protocol Negotiation: certcore, like CPython 3.10+, does not offer it
#: (``set_npn_protocols`` raises NotImplementedError).
HAS_NPN = False
#: No OpenSSL that certcore builds with (3.0 or newer) implements SSL 2.0.
HAS_SSLv2 = False
HAS_SSLv3 = not OPENSSL_NO_SSL3
HAS_TLSv1 = not OPENSSL_NO_TLS1
HAS_TLSv1_1 = not OPENSSL_NO_TLS1_1
HAS_TLSv1_2 = not OPENSSL_NO_TLS1_2
HAS_TLSv1_3 = not OPENSSL_NO_TLS1_3
#: ``hostname_checks_common_name = False`` works through this OpenSSL host-check flag.
HAS_NEVER_CHECK_COMMON_NAME = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT != 0
#: Whether this OpenSSL build has TLS-PSK cipher suites (CPython 3.13's ``HAS_PSK`` test).
OPENSSL_HAS_PSK = not OPENSSL_NO_PSK
#: CPython 3.13's ``HAS_PSK``: False while certcore's SSLContext has no working
#: ``set_psk_client_callback``/``set_psk_server_callback`` (they raise NotImplementedError);
#: tests/test_module_names.py fails when the flag and those methods disagree.
HAS_PSK = False

#: The OpenSSL version in the headers certcore was compiled with, as a
#: ``(major, minor, fix, patch, status)`` tuple (the stdlib's ``ssl._OPENSSL_API_VERSION``).
OPENSSL_API_VERSION = _version_info(OPENSSL_VERSION_NUMBER)


# --- OpenSSL's values for the ssl module's constants -----------------------------------------

#: ``ssl.<name>`` -> the value of the OpenSSL macro it stands for, by CPython's formula.
OPENSSL_VALUES = {
    # Options: CPython leaves the CBC empty-fragment countermeasure out of OP_ALL.
    "OP_ALL": <op_t>SSL_OP_ALL & ~<op_t>SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS,
    "OP_NO_SSLv2": <op_t>SSL_OP_NO_SSLv2,
    "OP_NO_SSLv3": <op_t>SSL_OP_NO_SSLv3,
    "OP_NO_TLSv1": <op_t>SSL_OP_NO_TLSv1,
    "OP_NO_TLSv1_1": <op_t>SSL_OP_NO_TLSv1_1,
    "OP_NO_TLSv1_2": <op_t>SSL_OP_NO_TLSv1_2,
    "OP_NO_TLSv1_3": <op_t>SSL_OP_NO_TLSv1_3,
    "OP_CIPHER_SERVER_PREFERENCE": <op_t>SSL_OP_CIPHER_SERVER_PREFERENCE,
    "OP_SINGLE_DH_USE": <op_t>SSL_OP_SINGLE_DH_USE,
    "OP_SINGLE_ECDH_USE": <op_t>SSL_OP_SINGLE_ECDH_USE,
    "OP_NO_TICKET": <op_t>SSL_OP_NO_TICKET,
    "OP_NO_COMPRESSION": <op_t>SSL_OP_NO_COMPRESSION,
    "OP_ENABLE_MIDDLEBOX_COMPAT": <op_t>SSL_OP_ENABLE_MIDDLEBOX_COMPAT,
    "OP_NO_RENEGOTIATION": <op_t>SSL_OP_NO_RENEGOTIATION,
    "OP_IGNORE_UNEXPECTED_EOF": <op_t>SSL_OP_IGNORE_UNEXPECTED_EOF,
    "OP_LEGACY_SERVER_CONNECT": <op_t>SSL_OP_LEGACY_SERVER_CONNECT,
    "OP_ENABLE_KTLS": <op_t>SSL_OP_ENABLE_KTLS,
    # VerifyFlags: X509_V_FLAG_*; VERIFY_DEFAULT is "no flag", VERIFY_CRL_CHECK_CHAIN two of them.
    "VERIFY_DEFAULT": 0,
    "VERIFY_CRL_CHECK_LEAF": X509_V_FLAG_CRL_CHECK,
    "VERIFY_CRL_CHECK_CHAIN": X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL,
    "VERIFY_X509_STRICT": X509_V_FLAG_X509_STRICT,
    "VERIFY_ALLOW_PROXY_CERTS": X509_V_FLAG_ALLOW_PROXY_CERTS,
    "VERIFY_X509_TRUSTED_FIRST": X509_V_FLAG_TRUSTED_FIRST,
    "VERIFY_X509_PARTIAL_CHAIN": X509_V_FLAG_PARTIAL_CHAIN,
    # SSLErrorNumber: the SSL_get_error() results that have an OpenSSL namesake.
    "SSL_ERROR_SSL": SSL_ERROR_SSL,
    "SSL_ERROR_WANT_READ": SSL_ERROR_WANT_READ,
    "SSL_ERROR_WANT_WRITE": SSL_ERROR_WANT_WRITE,
    "SSL_ERROR_WANT_X509_LOOKUP": SSL_ERROR_WANT_X509_LOOKUP,
    "SSL_ERROR_SYSCALL": SSL_ERROR_SYSCALL,
    "SSL_ERROR_ZERO_RETURN": SSL_ERROR_ZERO_RETURN,
    "SSL_ERROR_WANT_CONNECT": SSL_ERROR_WANT_CONNECT,
    # AlertDescription: SSL_AD_*.
    "ALERT_DESCRIPTION_CLOSE_NOTIFY": SSL_AD_CLOSE_NOTIFY,
    "ALERT_DESCRIPTION_UNEXPECTED_MESSAGE": SSL_AD_UNEXPECTED_MESSAGE,
    "ALERT_DESCRIPTION_BAD_RECORD_MAC": SSL_AD_BAD_RECORD_MAC,
    "ALERT_DESCRIPTION_RECORD_OVERFLOW": SSL_AD_RECORD_OVERFLOW,
    "ALERT_DESCRIPTION_DECOMPRESSION_FAILURE": SSL_AD_DECOMPRESSION_FAILURE,
    "ALERT_DESCRIPTION_HANDSHAKE_FAILURE": SSL_AD_HANDSHAKE_FAILURE,
    "ALERT_DESCRIPTION_BAD_CERTIFICATE": SSL_AD_BAD_CERTIFICATE,
    "ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE": SSL_AD_UNSUPPORTED_CERTIFICATE,
    "ALERT_DESCRIPTION_CERTIFICATE_REVOKED": SSL_AD_CERTIFICATE_REVOKED,
    "ALERT_DESCRIPTION_CERTIFICATE_EXPIRED": SSL_AD_CERTIFICATE_EXPIRED,
    "ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN": SSL_AD_CERTIFICATE_UNKNOWN,
    "ALERT_DESCRIPTION_ILLEGAL_PARAMETER": SSL_AD_ILLEGAL_PARAMETER,
    "ALERT_DESCRIPTION_UNKNOWN_CA": SSL_AD_UNKNOWN_CA,
    "ALERT_DESCRIPTION_ACCESS_DENIED": SSL_AD_ACCESS_DENIED,
    "ALERT_DESCRIPTION_DECODE_ERROR": SSL_AD_DECODE_ERROR,
    "ALERT_DESCRIPTION_DECRYPT_ERROR": SSL_AD_DECRYPT_ERROR,
    "ALERT_DESCRIPTION_PROTOCOL_VERSION": SSL_AD_PROTOCOL_VERSION,
    "ALERT_DESCRIPTION_INSUFFICIENT_SECURITY": SSL_AD_INSUFFICIENT_SECURITY,
    "ALERT_DESCRIPTION_INTERNAL_ERROR": SSL_AD_INTERNAL_ERROR,
    "ALERT_DESCRIPTION_USER_CANCELLED": SSL_AD_USER_CANCELLED,
    "ALERT_DESCRIPTION_NO_RENEGOTIATION": SSL_AD_NO_RENEGOTIATION,
    "ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION": SSL_AD_UNSUPPORTED_EXTENSION,
    "ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE": SSL_AD_CERTIFICATE_UNOBTAINABLE,
    "ALERT_DESCRIPTION_UNRECOGNIZED_NAME": SSL_AD_UNRECOGNIZED_NAME,
    "ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE": SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE,
    "ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE": SSL_AD_BAD_CERTIFICATE_HASH_VALUE,
    "ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY": SSL_AD_UNKNOWN_PSK_IDENTITY,
}

#: ``ssl.TLSVersion.<name>`` -> OpenSSL's protocol version number (``SSL3_VERSION``, ``TLS1_*_VERSION``).
TLS_VERSIONS = {
    "SSLv3": SSL3_VERSION,
    "TLSv1": TLS1_VERSION,
    "TLSv1_1": TLS1_1_VERSION,
    "TLSv1_2": TLS1_2_VERSION,
    "TLSv1_3": TLS1_3_VERSION,
}
