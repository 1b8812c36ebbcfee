# The one place where OpenSSL's error queue becomes a Python exception (see errors.pyx).
from openssl.ssl cimport SSL

# Call sites, each with the _ssl.c line CPython 3.11.7 reports for the same operation, so that
# messages read exactly like 3.11.7's: "... (_ssl.c:NNN)". Never match on NNN.
cdef enum Site:
    SITE_NONE = 0
    SITE_HANDSHAKE = 1006
    SITE_HANDSHAKE_TIMEOUT = 989
    SITE_READ = 2580
    SITE_WRITE = 2427
    SITE_SHUTDOWN = 2706
    SITE_CERT_CHAIN = 3905
    SITE_VERIFY_LOCATIONS = 4154
    SITE_CADATA = 4020
    SITE_CONTEXT = 3182
    SITE_PHA = 2717
    SITE_DH_PARAMS = 4202
    SITE_DH_SET = 4208
    SITE_ECDH_CURVE = 4383
    SITE_PSK_CLIENT = 4799          # 3.13.0's lines: the PSK setters are 3.13's
    SITE_PSK_SERVER = 4909
    SITE_NAME_ATTRIBUTE = 1080      # _create_tuple_for_attribute: ASN1_STRING_to_UTF8 failed
    SITE_SERVER_ON_CLIENT_CONTEXT = 802     # _ssl__SSLContext__wrap_socket_impl / wrap_bio
    SITE_CLIENT_ON_SERVER_CONTEXT = 809

# CPython's py_ssl_error codes (ssl.SSLErrorNumber): the errno of the SSLError it raises.
cdef enum PySSLError:
    PY_SSL_ERROR_NONE = 0
    PY_SSL_ERROR_SSL = 1
    PY_SSL_ERROR_WANT_READ = 2
    PY_SSL_ERROR_WANT_WRITE = 3
    PY_SSL_ERROR_WANT_X509_LOOKUP = 4
    PY_SSL_ERROR_SYSCALL = 5
    PY_SSL_ERROR_ZERO_RETURN = 6
    PY_SSL_ERROR_WANT_CONNECT = 7
    PY_SSL_ERROR_EOF = 8
    PY_SSL_ERROR_NO_SOCKET = 9
    PY_SSL_ERROR_INVALID_ERROR_CODE = 10

# The certificate modules' converters: the queue's text as exc_type (or `fallback` when empty),
# ValueError("<what>: <queue text>"), the queue's text, and a silent drain.
cdef int raise_ssl_error(object exc_type, object fallback) except -1
cdef int raise_value_error(object what) except -1
cdef object pop_error_text()
cdef void clear_error_queue() noexcept nogil

# CPython's _setSSLError: SSLError(reason, "[LIB: REASON] text (_ssl.c:N)") from the queue's
# last error (errstr overrides the text); the queue is cleared.
cdef int raise_from_queue(int site, object errstr=*) except -1
# After a failed load_cert_chain/load_verify_locations step: OSError(errno) when the load left an
# errno, else raise_from_queue(site).
cdef int raise_load_error(int err, int site) except -1
# _ssl.c's PySSL_RAND failure: SSLError(packed code, reason text), the queue's oldest error.
cdef int raise_rand_error() except -1
# CPython's PySSL_SetError: the exception for a failed SSL_do_handshake/read/write/shutdown,
# given SSL_get_error()'s result and the errno/queue state captured right after the call.
# server_hostname feeds the hostname-mismatch verify_message.
cdef int raise_io_error(SSL *ssl, int ssl_err, int saved_errno, unsigned long errcode,
                        int site, object server_hostname) except -1
# The fully built exception object (not raised), same layout.
cdef object build_ssl_error(object exc_type, int ssl_errno, object errstr, int site,
                            unsigned long errcode, SSL *ssl, object server_hostname)
# The SSLCertVerificationError a failed handshake raises for verify_code (X509_V_ERR_*), built
# without an SSL object (Verifier); server_hostname feeds the hostname-mismatch text, and
# verify_message (when given) replaces the code's text.
cdef object build_verify_error(long verify_code, object server_hostname, object verify_message=*)
