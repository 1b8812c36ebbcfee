# certcore's X.509 core, shared at C level with the TLS, store and C-API modules.
#
# FIXED INTERFACE (other modules cimport it):
#   Certificate             owns one X509* (X509_free in __dealloc__); immutable; eq/hash by DER
#   certificate_from_x509   wraps any X509*, taking its own reference (X509_up_ref)
#   decode_x509             the getpeercert() dict (CPython 3.11 shape) for any X509*
#   CERT_FILE_LIMIT         the most certcore reads from one certificate file
#                           (MAX_CERT_FILE_BYTES in Python)
from openssl.x509 cimport X509
from _certcore.names cimport NameSummary


cdef enum:
    # 64 MiB: some 300 times a real bundle (every public CA of a distribution's trust store in one
    # PEM file is about 220 KiB), yet small enough that a device, a FIFO that never ends or a
    # mistaken multi-gigabyte path fails at once instead of filling memory.
    CERT_FILE_LIMIT = 64 * 1024 * 1024


cdef class Certificate:
    cdef X509* _x509        # parsed for inspection (may live in certcore's provider-less libctx)
    cdef bytes _der         # the exact DER encoding; identity for ==, hash and pickling
    cdef object _hash       # cached hash(_der), None until asked
    cdef X509* _full        # lazily: _x509 itself once its key is installed, else a normal parse; or NULL
    cdef object _dict       # cached decode (a dict never handed out: to_dict() copies it)
    cdef NameSummary _names  # what match_hostname needs to know about the names (once _names_known)
    cdef bint _names_known
    cdef unsigned char _sha256s[64]   # SHA-256 of _der, then of the SubjectPublicKeyInfo DER (once _sha256s_known)
    cdef bint _sha256s_known

    cdef X509* full_x509(self) except NULL   # the fully-parsed X509 (borrowed), for verification
    cdef dict _decoded(self)                  # the cached decode_x509 dict (do not mutate)
    cdef const NameSummary* names(self) except NULL   # summarized on first use
    cdef const unsigned char *sha256s(self) except NULL  # _sha256s, computed on first use (with the GIL)


cdef Certificate certificate_from_x509(X509* x)
# The publication of a verification X509 as the Certificate's _full (with the GIL; x's
# reference moves).
cdef void adopt_full(Certificate cert, X509 *x) noexcept
# Without the GIL: a new reference to the X509 that verification uses (the inspection parse
# given its key by spki.install_key, or a normal parse), NULL on failure.
cdef X509 *verification_x509(X509 *inspected, const unsigned char *der, Py_ssize_t n) noexcept nogil
cdef dict decode_x509(X509* x)
