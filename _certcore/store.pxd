# The trust-location rules of store.pyx that other modules share (truststore.pyx counts a hashed
# directory's certificate files by the same names OpenSSL looks up).

# What a store name / a hashed file name selects.
cdef enum:
    WANT_ROOT = 1   # trust anchors
    WANT_CA = 2     # other certificates found in the trust locations
    WANT_CRL = 4

# WANT_ROOT|WANT_CA for `openssl rehash` certificate names (<8 hex>.<n>), WANT_CRL for CRL names
# (<8 hex>.r<n>), 0 for anything else.
cdef int _hashed_kind(const char *name) noexcept nogil
