# SSLContext core: owns one SSL_CTX* (see context.pyx).
from openssl.ssl cimport SSL_CTX, SSL_CIPHER
from openssl.x509 cimport X509

cdef struct AlpnData:
    unsigned char *protos
    unsigned int length

cdef struct PwInfo:
    void *callable      # borrowed PyObject* (bytes or callable)
    int error           # the Python callback raised / returned a bad value
    int is_bytes

cdef class ContextCore:
    cdef SSL_CTX *ctx
    cdef readonly int protocol
    cdef bint _check_hostname
    cdef bint _post_handshake_auth
    cdef unsigned int hostflags
    cdef AlpnData alpn
    cdef object _sni_callback
    cdef object _keylog_filename
    cdef object _keylog_file
    cdef object _owner_ref          # weakref to the public certcore.SSLContext
    cdef object __weakref__

    cdef object owner(self)
    cdef int _set_verify_mode(self, int n) except -1
    cdef int _set_version(self, int v, bint is_max) except -1
    cdef int _load_fail(self, PwInfo *info, int err) except -1
    cdef int _add_ca_certs(self, bytes data, bint pem) except -1


cdef bytes x509_to_der(X509 *cert)
cdef dict cipher_to_dict(const SSL_CIPHER *c)
