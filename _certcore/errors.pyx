"""OpenSSL's error queue -> Python exceptions, and the stdlib's exception classes.

Every certcore module that calls OpenSSL reports failures through the functions here, so that
(a) the exception classes are the stdlib's own (``except ssl.SSLError`` keeps working), and
(b) the thread-local OpenSSL error queue is always drained at the point of failure and never
left dirty for the next call.
"""
import ssl as _ssl

from openssl.err cimport (
    ERR_get_error, ERR_peek_last_error, ERR_clear_error, ERR_GET_LIB, ERR_GET_REASON,
    ERR_lib_error_string, ERR_reason_error_string,
)

# The stdlib's classes, bound once: certcore raises these and never subclasses them.
SSLError = _ssl.SSLError
SSLZeroReturnError = _ssl.SSLZeroReturnError
SSLWantReadError = _ssl.SSLWantReadError
SSLWantWriteError = _ssl.SSLWantWriteError
SSLSyscallError = _ssl.SSLSyscallError
SSLEOFError = _ssl.SSLEOFError
SSLCertVerificationError = _ssl.SSLCertVerificationError
CertificateError = _ssl.CertificateError

# OpenSSL library codes -> the short names CPython reports in ``SSLError.library``
# (the names of the corresponding <openssl/*.h> headers, upper-cased).
cdef dict _LIB_NAMES = {
    2: "SYS", 3: "BN", 4: "RSA", 5: "DH", 6: "EVP", 7: "BUF", 8: "OBJ", 9: "PEM", 10: "DSA",
    11: "X509", 13: "ASN1", 14: "CONF", 15: "CRYPTO", 16: "EC", 20: "SSL", 32: "BIO",
    33: "PKCS7", 34: "X509V3", 35: "PKCS12", 36: "RAND", 37: "DSO", 38: "ENGINE", 39: "OCSP",
    40: "UI", 41: "COMP", 42: "ECDSA", 43: "ECDH", 44: "OSSL_STORE", 45: "FIPS", 46: "CMS",
    47: "TS", 48: "HMAC", 50: "CT", 51: "ASYNC", 52: "KDF", 53: "SM2", 54: "ESS", 55: "PROP",
    56: "CRMF", 57: "PROV", 58: "CMP", 59: "OSSL_ENCODER", 60: "OSSL_DECODER", 61: "HTTP",
}


cdef void clear_error_queue() noexcept nogil:
    ERR_clear_error()


cdef object pop_error_text():
    """Return OpenSSL's description of the most recent queued error (or None) and empty the queue."""
    cdef unsigned long code = ERR_peek_last_error()
    cdef const char *reason
    ERR_clear_error()
    if code == 0:
        return None
    reason = ERR_reason_error_string(code)
    if reason == NULL:
        return None
    return reason.decode("utf-8", "replace")


cdef int raise_value_error(object what) except -1:
    """Raise ``ValueError(what)``, with OpenSSL's reason appended when one is queued."""
    detail = pop_error_text()
    if detail is not None:
        raise ValueError(f"{what} ({detail})")
    raise ValueError(what)


cdef int raise_ssl_error(object exc_type, object fallback) except -1:
    """Raise ``exc_type(code, "[LIB] reason")`` from the most recent queued OpenSSL error.

    The message layout and the ``library``/``reason`` attributes follow CPython's ``_ssl``;
    ``fallback`` is the text used when the queue is empty. The queue is emptied either way.
    """
    cdef unsigned long code = ERR_peek_last_error()
    cdef int lib, reason_code
    cdef const char *reason_text
    ERR_clear_error()
    if code == 0:
        exc = exc_type(0, fallback)
        exc.library = None
        exc.reason = None
        raise exc
    lib = ERR_GET_LIB(code)
    reason_code = ERR_GET_REASON(code)
    reason_text = ERR_reason_error_string(code)
    description = reason_text.decode("utf-8", "replace") if reason_text != NULL else fallback
    library = _LIB_NAMES.get(lib)
    message = f"[{library}] {description}" if library is not None else description
    exc = exc_type(reason_code, message)
    exc.library = library
    exc.reason = None
    raise exc
