# SSLContext core: owns one SSL_CTX* (see context.pyx).
from openssl.ssl cimport SSL_CTX, SSL_CIPHER
from openssl.x509 cimport X509
from openssl.x509_vfy cimport X509_V_FLAG_PARTIAL_CHAIN, X509_V_FLAG_X509_STRICT
from pyapi cimport PY_VERSION_HEX
from _certcore.truststore cimport TrustStore


# The verify flags create_default_context() adds to a new context's: 3.13 ends a chain at the first
# trusted certificate and turns on OpenSSL's strict checks. client.py (through the module's
# DEFAULT_CONTEXT_VERIFY_FLAGS) and the Verifier both apply these.
cdef inline unsigned long default_context_verify_flags() noexcept nogil:
    if PY_VERSION_HEX >= 0x030D0000:
        return X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT
    return 0

# CPython's protocol numbers (ssl._SSLMethod) and ssl.TLSVersion's two sentinels.
cdef enum Protocol:
    P_TLS = 2
    P_TLSv1 = 3
    P_TLSv1_1 = 4
    P_TLSv1_2 = 5
    P_TLS_CLIENT = 16
    P_TLS_SERVER = 17

# CPython's verify modes (ssl.VerifyMode: CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED).
cdef enum CertReqs:
    PY_SSL_CERT_NONE = 0
    PY_SSL_CERT_OPTIONAL = 1
    PY_SSL_CERT_REQUIRED = 2

cdef enum VersionSentinel:
    MINIMUM_SUPPORTED = -2
    MAXIMUM_SUPPORTED = -1

cdef struct AlpnData:
    unsigned char *protos
    unsigned int length

cdef struct PwInfo:
    void *callable      # borrowed PyObject* (bytes or callable)
    void *exc           # owned PyObject*: what the Python callback raised, or NULL
    int is_bytes

cdef class ContextCore:
    cdef SSL_CTX *ctx
    # the configuration lock (see context.pyx): setters hold it exclusively, SSL_new and every
    # OpenSSL call on a connection shared
    cdef void *lock
    cdef readonly int protocol
    cdef bint _check_hostname
    cdef bint _post_handshake_auth
    cdef unsigned int hostflags
    cdef AlpnData alpn
    cdef object _sni_callback
    cdef object _msg_cb             # the _msg_callback callable, or None
    cdef object _psk_client_cb      # 3.13's PSK callbacks, or None
    cdef object _psk_server_cb
    cdef object _keylog_filename
    cdef int _keylog_fd             # certcore's own descriptor (O_APPEND), or -1
    cdef object _owner_ref          # weakref to the public certcore.SSLContext
    # Trust-store sharing: pristine = nothing loaded yet (the store may then simply be replaced by
    # a shared one); shared = the store is a TrustStore's (copied before anything is added).
    cdef bint _store_pristine
    cdef bint _store_shared
    cdef object __weakref__

    cdef object owner(self)
    cdef int _lock_exclusive(self) noexcept
    cdef int _set_verify_mode(self, int n) except -1
    cdef int _set_version(self, int v, bint is_max) except -1
    cdef int _load_fail(self, PwInfo *info, int err) except -1
    cdef int _load_verify_locked(self, bytes cf, bytes cp, object cadata) except -1
    cdef int _own_store(self) except -1
    cdef int _use_trust_store(self, TrustStore ts) except -1


cdef bytes x509_to_der(X509 *cert)
cdef dict cipher_to_dict(const SSL_CIPHER *c)


# The configuration lock, for the connection module. Tokens: pass what the take returned to
# ctx_unlock. ctx_try_lock_shared returns -1 when the lock is busy; the other two wait (the
# _gil one lets the GIL go while it waits; the nogil one must be called without the GIL).
cdef int ctx_lock_shared(void *lock) noexcept nogil
cdef int ctx_try_lock_shared(void *lock) noexcept nogil
cdef int ctx_lock_shared_gil(void *lock) noexcept
cdef void ctx_unlock(void *lock, int token) noexcept nogil
