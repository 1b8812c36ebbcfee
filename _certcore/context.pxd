# SSLContext core: owns one SSL_CTX* (see context.pyx).
from openssl.ssl cimport SSL_CTX

cdef struct AlpnData:
    unsigned char *protos
    unsigned int length

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
