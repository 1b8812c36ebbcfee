# Declarations from <openssl/bn.h>: big integers (an RSA key's modulus and exponent).

cdef extern from "openssl/bn.h" nogil:
    ctypedef struct BIGNUM:
        pass
    BIGNUM *BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret)
    void BN_free(BIGNUM *a)

# Arithmetic modulo a curve's order (the ECDSA equation in ecverify.pyx).
cdef extern from "openssl/bn.h" nogil:
    ctypedef struct BN_CTX:
        pass
    BN_CTX *BN_CTX_new()
    void BN_CTX_free(BN_CTX *c)
    void BN_CTX_start(BN_CTX *ctx)
    BIGNUM *BN_CTX_get(BN_CTX *ctx)
    void BN_CTX_end(BN_CTX *ctx)
    BIGNUM *BN_dup(const BIGNUM *a)
    int BN_is_zero(const BIGNUM *a)
    int BN_is_negative(const BIGNUM *b)
    int BN_ucmp(const BIGNUM *a, const BIGNUM *b)
    BIGNUM *BN_mod_inverse(BIGNUM *ret, const BIGNUM *a, const BIGNUM *n, BN_CTX *ctx)
    int BN_mod_mul(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, const BIGNUM *m, BN_CTX *ctx)
    int BN_nnmod(BIGNUM *r, const BIGNUM *m, const BIGNUM *d, BN_CTX *ctx)
    int BN_is_one(const BIGNUM *a)
    # little-endian octets: 64-bit limbs on the little-endian machines certcore builds for
    BIGNUM *BN_lebin2bn(const unsigned char *s, int len, BIGNUM *ret)
    int BN_bn2lebinpad(const BIGNUM *a, unsigned char *to, int tolen)
    # x(R) compared with r in Jacobian coordinates: products modulo the P-256 field prime
    int BN_num_bits(const BIGNUM *a)
    int BN_bn2bin(const BIGNUM *a, unsigned char *to)
    int BN_cmp(const BIGNUM *a, const BIGNUM *b)
    int BN_add(BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
    int BN_mul(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, BN_CTX *ctx)
    int BN_nist_mod_256(BIGNUM *r, const BIGNUM *a, const BIGNUM *p, BN_CTX *ctx)
    const BIGNUM *BN_get0_nist_prime_256()
    # u1 and u2 as Montgomery products modulo the order, with s^-1 taken in Montgomery form
    ctypedef struct BN_MONT_CTX:
        pass
    BN_MONT_CTX *BN_MONT_CTX_new()
    void BN_MONT_CTX_free(BN_MONT_CTX *mont)
    int BN_MONT_CTX_set(BN_MONT_CTX *mont, const BIGNUM *mod, BN_CTX *ctx)
    int BN_mod_mul_montgomery(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, BN_MONT_CTX *mont, BN_CTX *ctx)
    int BN_from_montgomery(BIGNUM *r, const BIGNUM *a, BN_MONT_CTX *mont, BN_CTX *ctx)
