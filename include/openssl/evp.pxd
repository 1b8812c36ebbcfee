# Declarations from <openssl/evp.h>: message digests and key objects.
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

    ctypedef struct EVP_PKEY:
        pass
    enum:
        EVP_PKEY_DH
    void EVP_PKEY_free(EVP_PKEY *pkey)
    # Key parameters (e.g. DH) of a given type from DER.
    EVP_PKEY *d2i_KeyParams(int type, EVP_PKEY **a, const unsigned char **pp, long length)

# Key type and size (the strict verification policy's DSA and RSA-modulus rules).
cdef extern from "openssl/evp.h" nogil:
    enum:
        EVP_PKEY_RSA
        EVP_PKEY_RSA_PSS
        EVP_PKEY_DSA
    int EVP_PKEY_get_base_id(const EVP_PKEY *pkey)
    int EVP_PKEY_get_bits(const EVP_PKEY *pkey)
