# Verification keys made from a certificate's SubjectPublicKeyInfo without OpenSSL 3.0's decoder
# search (see spki.pyx), shared with x509.pyx's verification parse.
from openssl.crypto cimport OSSL_LIB_CTX
from openssl.x509 cimport X509

cdef bint install_key(X509 *x) noexcept nogil
cdef bint enable(OSSL_LIB_CTX *undecoded_ctx) noexcept
