# Declarations from <openssl/bn.h>: big numbers.
cdef extern from "openssl/bn.h" nogil:
    ctypedef struct BIGNUM:
        pass
    void BN_free(BIGNUM *a)
    int BN_num_bytes(const BIGNUM *a)
    char *BN_bn2hex(const BIGNUM *a)
