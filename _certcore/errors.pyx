"""OpenSSL's error queue -> Python exceptions, and the stdlib's exception classes.

Every certcore module that calls OpenSSL reports failures through the functions here, so that
(a) the exception classes are the stdlib's own (``except ssl.SSLError`` keeps working), and
(b) the thread-local OpenSSL error queue is always drained at the point of failure and never
left dirty for the next call.

Message layout is CPython's ``fill_and_set_sslerror``: ``"[LIB: REASON] text (_ssl.c:NNN)"``,
``"[LIB] text (_ssl.c:NNN)"`` or ``"text (_ssl.c:NNN)"``, and for certificate verification
``"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: <verify_message> (_ssl.c:NNN)"``.

The ``(_ssl.c:NNN)`` suffix: certcore reproduces it, with NNN the line CPython 3.11.7 reports for
the same operation (see ``Site`` in errors.pxd), so a certcore message is byte-for-byte the one
3.11.7 gives and code that parses or strips the suffix keeps working. NNN changes with every
CPython release; nothing should match on it.

``library``/``reason`` are OpenSSL's mnemonics (``'SSL'``, ``'CERTIFICATE_VERIFY_FAILED'``), read
from the table ci/gen_error_names.py generates from the OpenSSL headers (_error_names.pxi).
"""
import os as _os
import ssl as _ssl

from openssl.err cimport (
    ERR_get_error, ERR_peek_last_error, ERR_clear_error, ERR_GET_LIB, ERR_GET_REASON, ERR_reason_error_string,
)
from openssl.ssl cimport (
    SSL, SSL_get_verify_result,
    SSL_ERROR_SSL, SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE,
    SSL_ERROR_WANT_X509_LOOKUP, SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN, SSL_ERROR_WANT_CONNECT,
    SSL_R_CERTIFICATE_VERIFY_FAILED, SSL_R_UNEXPECTED_EOF_WHILE_READING,
)
from openssl.x509_vfy cimport (
    X509_verify_cert_error_string, X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH,
)
from openssl.err cimport ERR_LIB_SSL

include "_error_names.pxi"

# The stdlib's classes, bound once: certcore raises these and never subclasses them.
SSLError = _ssl.SSLError
SSLZeroReturnError = _ssl.SSLZeroReturnError
SSLWantReadError = _ssl.SSLWantReadError
SSLWantWriteError = _ssl.SSLWantWriteError
SSLSyscallError = _ssl.SSLSyscallError
SSLEOFError = _ssl.SSLEOFError
SSLCertVerificationError = _ssl.SSLCertVerificationError
CertificateError = _ssl.CertificateError

cdef object _OSError_from_errno = OSError


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


cdef inline object _lib_name(unsigned long code):
    return _LIB_NAMES.get(ERR_GET_LIB(code))


cdef inline object _reason_name(unsigned long code):
    return _REASON_NAMES.get((<unsigned long>ERR_GET_LIB(code) << 23) | <unsigned long>ERR_GET_REASON(code))


cdef object _verify_message(long verify_code, object server_hostname):
    """The handshake's verify_message for an X509_V_ERR code (CPython's hostname/IP texts)."""
    cdef const char *text
    if verify_code == X509_V_ERR_HOSTNAME_MISMATCH:
        return f"Hostname mismatch, certificate is not valid for '{server_hostname}'."
    if verify_code == X509_V_ERR_IP_ADDRESS_MISMATCH:
        return f"IP address mismatch, certificate is not valid for '{server_hostname}'."
    text = X509_verify_cert_error_string(verify_code)
    return text.decode("utf-8", "replace") if text != NULL else None


cdef object build_verify_error(long verify_code, object server_hostname, object verify_message=None):
    """The SSLCertVerificationError a handshake raises when chain verification fails with
    verify_code (what a failed SSL_do_handshake gives: SSL's CERTIFICATE_VERIFY_FAILED);
    verify_message replaces OpenSSL's text for a code certcore's own checks report."""
    cdef unsigned long errcode = ((<unsigned long>ERR_LIB_SSL) << 23) | <unsigned long>SSL_R_CERTIFICATE_VERIFY_FAILED
    cdef object verify_obj = (verify_message if verify_message is not None
                              else _verify_message(verify_code, server_hostname))
    cdef object lib_obj = _lib_name(errcode), reason_obj = _reason_name(errcode)
    exc = SSLCertVerificationError(
        PY_SSL_ERROR_SSL,
        f"[{lib_obj}: {reason_obj}] certificate verify failed: {verify_obj} (_ssl.c:{<int>SITE_HANDSHAKE})")
    exc.reason = reason_obj
    exc.library = lib_obj
    exc.verify_code = verify_code
    exc.verify_message = verify_obj
    return exc


cdef object build_ssl_error(object exc_type, int ssl_errno, object errstr, int site,
                            unsigned long errcode, SSL *ssl, object server_hostname):
    """CPython's fill_and_set_sslerror, as a function returning the exception."""
    cdef object lib_obj = None, reason_obj = None, verify_obj = None
    cdef const char *text
    cdef long verify_code = 0
    if errcode != 0:
        lib_obj = _lib_name(errcode)
        reason_obj = _reason_name(errcode)
        if errstr is None:
            text = ERR_reason_error_string(errcode)
            if text != NULL:
                errstr = text.decode("utf-8", "replace")
    if errstr is None:
        errstr = "unknown error"
    if ssl != NULL and exc_type is SSLCertVerificationError:
        verify_code = SSL_get_verify_result(ssl)
        verify_obj = _verify_message(verify_code, server_hostname)
    suffix = f" (_ssl.c:{site})" if site else ""
    if verify_obj is not None and reason_obj is not None and lib_obj is not None:
        msg = f"[{lib_obj}: {reason_obj}] {errstr}: {verify_obj}{suffix}"
    elif reason_obj is not None and lib_obj is not None:
        msg = f"[{lib_obj}: {reason_obj}] {errstr}{suffix}"
    elif lib_obj is not None:
        msg = f"[{lib_obj}] {errstr}{suffix}"
    else:
        msg = f"{errstr}{suffix}"
    exc = exc_type(ssl_errno, msg)
    exc.reason = reason_obj
    exc.library = lib_obj
    if ssl != NULL and exc_type is SSLCertVerificationError:
        exc.verify_code = verify_code
        exc.verify_message = verify_obj
    return exc


cdef int raise_from_queue(int site, object errstr=None) except -1:
    """CPython's ``_setSSLError``: an SSLError from the most recent queued OpenSSL error."""
    cdef unsigned long code = 0
    if errstr is None:
        code = ERR_peek_last_error()
    ERR_clear_error()
    raise build_ssl_error(SSLError, ERR_GET_REASON(code), errstr, site, code, NULL, None)


cdef int raise_load_error(int err, int site) except -1:
    """_ssl.c after a failed certificate/key load (load_cert_chain, load_verify_locations): the
    errno the load left as OSError when there is one, else the queue's error as SSLError."""
    if err != 0:
        ERR_clear_error()
        raise OSError(err, _os.strerror(err))
    raise_from_queue(site)


cdef int raise_io_error(SSL *ssl, int ssl_err, int saved_errno, unsigned long errcode,
                        int site, object server_hostname) except -1:
    """CPython's ``PySSL_SetError`` for a failed handshake/read/write/shutdown.

    ``errcode`` is ``ERR_peek_last_error()`` and ``saved_errno`` the errno, both captured right
    after the failing call. The error queue is cleared.
    """
    cdef object exc_type = SSLError
    cdef object errstr = None
    cdef int p
    ERR_clear_error()
    if ssl_err == SSL_ERROR_ZERO_RETURN:
        errstr, exc_type, p = "TLS/SSL connection has been closed (EOF)", SSLZeroReturnError, PY_SSL_ERROR_ZERO_RETURN
    elif ssl_err == SSL_ERROR_WANT_READ:
        errstr, exc_type, p = "The operation did not complete (read)", SSLWantReadError, PY_SSL_ERROR_WANT_READ
    elif ssl_err == SSL_ERROR_WANT_WRITE:
        errstr, exc_type, p = "The operation did not complete (write)", SSLWantWriteError, PY_SSL_ERROR_WANT_WRITE
    elif ssl_err == SSL_ERROR_WANT_X509_LOOKUP:
        errstr, p = "The operation did not complete (X509 lookup)", PY_SSL_ERROR_WANT_X509_LOOKUP
    elif ssl_err == SSL_ERROR_WANT_CONNECT:
        errstr, p = "The operation did not complete (connect)", PY_SSL_ERROR_WANT_CONNECT
    elif ssl_err == SSL_ERROR_SYSCALL:
        if errcode == 0:
            # saved_errno is 0 when the call returned 0 (CPython: ret == 0 means EOF).
            if saved_errno != 0:
                raise _OSError_from_errno(saved_errno, _strerror(saved_errno))
            errstr, exc_type, p = "EOF occurred in violation of protocol", SSLEOFError, PY_SSL_ERROR_EOF
        elif (ERR_GET_LIB(errcode) == ERR_LIB_SSL
                and ERR_GET_REASON(errcode) == SSL_R_UNEXPECTED_EOF_WHILE_READING):
            errstr, exc_type, p = "EOF occurred in violation of protocol", SSLEOFError, PY_SSL_ERROR_EOF
        else:
            errstr, exc_type, p = "Some I/O error occurred", SSLSyscallError, PY_SSL_ERROR_SYSCALL
    elif ssl_err == SSL_ERROR_SSL:
        p = PY_SSL_ERROR_SSL
        if errcode == 0:
            errstr = "A failure in the SSL library occurred"
        if ERR_GET_LIB(errcode) == ERR_LIB_SSL:
            if ERR_GET_REASON(errcode) == SSL_R_CERTIFICATE_VERIFY_FAILED:
                exc_type = SSLCertVerificationError
            elif ERR_GET_REASON(errcode) == SSL_R_UNEXPECTED_EOF_WHILE_READING:
                # OpenSSL 3 reports a ragged EOF this way; CPython makes it SSLEOFError/8.
                errstr, exc_type, p = "EOF occurred in violation of protocol", SSLEOFError, PY_SSL_ERROR_EOF
    else:
        errstr, p = "Invalid error code", PY_SSL_ERROR_INVALID_ERROR_CODE
    raise build_ssl_error(exc_type, p, errstr, site, errcode, ssl, server_hostname)


cdef object _strerror(int e):
    import os
    return os.strerror(e)


cdef int raise_ssl_error(object exc_type, object fallback) except -1:
    """Raise ``exc_type(code, "[LIB] reason")`` from the most recent queued OpenSSL error.

    Kept for the certificate modules; ``fallback`` is the text used when the queue is empty.
    The queue is emptied either way.
    """
    cdef unsigned long code = ERR_peek_last_error()
    cdef const char *reason_text
    ERR_clear_error()
    if code == 0:
        exc = exc_type(0, fallback)
        exc.library = None
        exc.reason = None
        raise exc
    reason_text = ERR_reason_error_string(code)
    description = reason_text.decode("utf-8", "replace") if reason_text != NULL else fallback
    library = _lib_name(code)
    reason = _reason_name(code)
    if library is not None and reason is not None:
        message = f"[{library}: {reason}] {description}"
    elif library is not None:
        message = f"[{library}] {description}"
    else:
        message = description
    exc = exc_type(ERR_GET_REASON(code), message)
    exc.library = library
    exc.reason = reason
    raise exc


cdef int raise_rand_error() except -1:
    """_ssl.c's PySSL_RAND failure, a layout of its own: SSLError(packed code, reason text), no
    "[LIB: REASON]" prefix, no library/reason attributes. The caller emptied the queue before
    the call, so its oldest error is the cause."""
    cdef unsigned long code = ERR_get_error()
    cdef const char *text = ERR_reason_error_string(code)
    ERR_clear_error()
    raise SSLError(code, text.decode("utf-8", "replace") if text != NULL else None)
