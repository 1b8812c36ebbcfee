# Declarations from <openssl/bn.h>: big integers (an RSA key's modulus and exponent).

cdef extern from "openssl/bn.h" nogil:
    ctypedef struct BIGNUM:
        pass
    BIGNUM *BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret)
    void BN_free(BIGNUM *a)
