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
    int EVP_PKEY_get_security_bits(const EVP_PKEY *pkey)

# Making a public key from its components (a certificate's SubjectPublicKeyInfo without OpenSSL
# 3.0's decoder search), and comparing keys.
from openssl.params cimport OSSL_PARAM

cdef extern from "openssl/evp.h" nogil:
    ctypedef struct EVP_PKEY_CTX:
        pass
    enum:
        EVP_PKEY_PUBLIC_KEY
        EVP_PKEY_KEY_PARAMETERS
    EVP_PKEY *EVP_PKEY_new()
    int EVP_PKEY_copy_parameters(EVP_PKEY *to, const EVP_PKEY *source)
    int EVP_PKEY_set1_encoded_public_key(EVP_PKEY *pkey, const unsigned char *pub, size_t publen)
    EVP_PKEY_CTX *EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX *libctx, const char *name, const char *propquery)
    void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx)
    int EVP_PKEY_fromdata_init(EVP_PKEY_CTX *ctx)
    int EVP_PKEY_fromdata(EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey, int selection, OSSL_PARAM *params)
    int EVP_PKEY_eq(const EVP_PKEY *a, const EVP_PKEY *b)

# An EC key's curve and point (the fixed-base tables of ecverify.pyx).
cdef extern from "openssl/evp.h" nogil:
    enum:
        EVP_PKEY_EC
    int EVP_PKEY_get_utf8_string_param(const EVP_PKEY *pkey, const char *key_name, char *str,
                                       size_t max_buf_sz, size_t *out_len)
    int EVP_PKEY_get_octet_string_param(const EVP_PKEY *pkey, const char *key_name, unsigned char *buf,
                                        size_t max_buf_sz, size_t *out_len)
