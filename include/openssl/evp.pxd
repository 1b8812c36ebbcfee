# Declarations from <openssl/evp.h>: message digests.
from openssl.crypto cimport OSSL_LIB_CTX

cdef extern from "openssl/evp.h" nogil:
    enum:
        EVP_MAX_MD_SIZE
    ctypedef struct EVP_MD:
        pass
    ctypedef struct ENGINE:
        pass
    EVP_MD *EVP_MD_fetch(OSSL_LIB_CTX *ctx, const char *algorithm, const char *properties)
    void EVP_MD_free(EVP_MD *md)
    int EVP_MD_get_size(const EVP_MD *md)
    int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
                   const EVP_MD *type, ENGINE *impl)
