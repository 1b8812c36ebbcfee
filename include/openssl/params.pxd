# Declarations from <openssl/params.h> and <openssl/core.h>: OSSL_PARAM arrays, the way a key's
# components are handed to a provider (EVP_PKEY_fromdata).

cdef extern from "openssl/core.h" nogil:
    ctypedef struct OSSL_PARAM:
        pass

cdef extern from "openssl/params.h" nogil:
    OSSL_PARAM OSSL_PARAM_construct_utf8_string(const char *key, char *buf, size_t bsize)
    OSSL_PARAM OSSL_PARAM_construct_end()
    void OSSL_PARAM_free(OSSL_PARAM *p)

cdef extern from "openssl/core_names.h" nogil:
    const char *OSSL_PKEY_PARAM_GROUP_NAME
    const char *OSSL_PKEY_PARAM_RSA_N
    const char *OSSL_PKEY_PARAM_RSA_E
    const char *OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY
