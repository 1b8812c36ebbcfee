# Declarations from <openssl/param_build.h>: building an OSSL_PARAM array that owns its data
# (big integers in the host's byte order, which OSSL_PARAM_construct_BN leaves to the caller).
from openssl.bn cimport BIGNUM
from openssl.params cimport OSSL_PARAM

cdef extern from "openssl/param_build.h" nogil:
    ctypedef struct OSSL_PARAM_BLD:
        pass
    OSSL_PARAM_BLD *OSSL_PARAM_BLD_new()
    void OSSL_PARAM_BLD_free(OSSL_PARAM_BLD *bld)
    int OSSL_PARAM_BLD_push_BN(OSSL_PARAM_BLD *bld, const char *key, const BIGNUM *bn)
    OSSL_PARAM *OSSL_PARAM_BLD_to_param(OSSL_PARAM_BLD *bld)
