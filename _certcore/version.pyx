"""What certcore was built against and runs with: the linked OpenSSL's version."""
from openssl.crypto cimport OpenSSL_version, OpenSSL_version_num, OPENSSL_VERSION as _OPENSSL_VERSION_TYPE

#: OpenSSL's version text, e.g. ``"OpenSSL 3.0.19 27 Jan 2026"`` (as ``ssl.OPENSSL_VERSION``).
OPENSSL_VERSION = (<bytes>OpenSSL_version(_OPENSSL_VERSION_TYPE)).decode("ascii", "replace")
#: OpenSSL's version number, ``0xMNN00PP0L`` (as ``ssl.OPENSSL_VERSION_NUMBER``).
OPENSSL_VERSION_NUMBER = OpenSSL_version_num()


def _version_info(unsigned long n):
    # Same decomposition as CPython's _ssl: major, minor, fix, patch, status.
    status = n & 0xF
    n >>= 4
    patch = n & 0xFF
    n >>= 8
    fix = n & 0xFF
    n >>= 8
    minor = n & 0xFF
    n >>= 8
    major = n & 0xFF
    return (major, minor, fix, patch, status)


#: ``(major, minor, fix, patch, status)`` (as ``ssl.OPENSSL_VERSION_INFO``).
OPENSSL_VERSION_INFO = _version_info(OPENSSL_VERSION_NUMBER)
