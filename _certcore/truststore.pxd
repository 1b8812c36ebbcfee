# Trust stores shared between contexts and verifiers (see truststore.pyx).
from openssl.x509_vfy cimport X509_STORE


# A store certificate's SubjectPublicKeyInfo SHA-256, by the certificate's address: the issuer half
# of the Verifier's signature-cache key for signatures a trust anchor's key made.
cdef struct AnchorKey:
    const void *x
    unsigned char spki_sha256[32]


cdef class TrustStore:
    cdef X509_STORE *store      # one owned reference (every sharer takes its own X509_STORE_up_ref)
    cdef AnchorKey *anchor_keys     # NULL until _anchor_keys(): then the store's certificates, sorted by address
    cdef Py_ssize_t nanchor_keys
    cdef Py_ssize_t _count      # certificates at build time, plus the hashed directories' files
    cdef Py_ssize_t _crls       # CRLs at build time
    cdef bint _system           # built by system_trust_store()
    cdef bint _built            # __init__ ran (the store is immutable from then on)
    cdef object __weakref__

    cdef int _finish(self, bytes dirs) except -1
    cdef int _anchor_keys(self) except -1


# The process-wide system store: exactly what X509_STORE_set_default_paths loads, re-read when
# the default file or directory changes.
cdef TrustStore system_trust_store()
# A new X509_STORE (one reference, the caller's) with the same certificates, CRLs, verify
# parameters and hashed-directory lookups as `store`.
cdef X509_STORE *private_copy(X509_STORE *store) except NULL
# Add src's certificates, CRLs and hashed-directory lookups to dst.
cdef int merge_store(X509_STORE *dst, X509_STORE *src) except -1
# cadata as SSLContext.load_verify_locations(cadata=...) takes it (str PEM, bytes-like DER),
# loaded into `store` with CPython's acceptance and errors.
cdef int add_cadata(X509_STORE *store, object cadata) except -1
# Load a hashed directory (a LIST_SEPARATOR list) into `store` and remember it for private_copy.
cdef int add_hashed_dir(X509_STORE *store, bytes path) except -1
# A path argument as file-system bytes, with _ssl.c's errors (None stays None).
cdef object fs_path(object path, str what)

# The SPKI SHA-256 of the certificate at address x if it is one of keys (sorted by address), else NULL.
cdef const unsigned char *anchor_spki_sha256(const AnchorKey *keys, Py_ssize_t n, const void *x) noexcept nogil
