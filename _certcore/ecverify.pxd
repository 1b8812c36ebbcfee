# ECDSA P-256 certificate signatures under issuer keys that sign many certificates (see ecverify.pyx).
from openssl.evp cimport EVP_PKEY
from openssl.x509 cimport X509

# X509_verify(subject, pkey)'s verdict for an ecdsa-with-SHA256 signature under a P-256 key, from
# a fixed-base table of the key: 1 valid, 0 invalid, -1 not answered here (no table for this key
# yet, another algorithm, an internal failure): the caller then calls X509_verify. spki_sha256 is
# SHA-256 of the issuer's SubjectPublicKeyInfo DER (the table's key; pkey is that key decoded), der
# the subject's DER as i2d_X509 gives it. The error queue is left as it was.
cdef int ecdsa_p256_verify(X509 *subject, EVP_PKEY *pkey, const unsigned char *spki_sha256,
                           const unsigned char *der, size_t derlen) noexcept nogil
