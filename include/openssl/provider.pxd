# Declarations from <openssl/provider.h>: loading providers into a library context.
from openssl.crypto cimport OSSL_LIB_CTX

cdef extern from "openssl/provider.h" nogil:
    ctypedef struct OSSL_PROVIDER:
        pass
    OSSL_PROVIDER *OSSL_PROVIDER_load(OSSL_LIB_CTX *libctx, const char *name)
    int OSSL_PROVIDER_unload(OSSL_PROVIDER *prov)
