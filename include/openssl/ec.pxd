# Declarations from <openssl/ec.h>: elliptic-curve groups.
cdef extern from "openssl/ec.h" nogil:
    ctypedef struct EC_GROUP:
        pass
    EC_GROUP *EC_GROUP_new_by_curve_name(int nid)
    void EC_GROUP_free(EC_GROUP *group)
    # A named curve's field size in bits (the EC key size, as EVP_PKEY_get_bits reports it).
    int EC_GROUP_get_degree(const EC_GROUP *group)

# Points, ECDSA signatures and fixed-base tables: verification under an issuer key that signs
# many certificates (ecverify.pyx).
from openssl.bn cimport BIGNUM, BN_CTX

cdef extern from "openssl/ec.h" nogil:
    ctypedef struct EC_POINT:
        pass
    ctypedef struct ECDSA_SIG:
        pass
    const BIGNUM *EC_GROUP_get0_order(const EC_GROUP *group)
    const BIGNUM *EC_GROUP_get0_cofactor(const EC_GROUP *group)
    int EC_GROUP_set_generator(EC_GROUP *group, const EC_POINT *generator, const BIGNUM *order,
                               const BIGNUM *cofactor)
    EC_POINT *EC_POINT_new(const EC_GROUP *group)
    void EC_POINT_free(EC_POINT *point)
    int EC_POINT_oct2point(const EC_GROUP *group, EC_POINT *p, const unsigned char *buf, size_t len,
                           BN_CTX *ctx)
    int EC_POINT_is_at_infinity(const EC_GROUP *group, const EC_POINT *p)
    int EC_POINT_add(const EC_GROUP *group, EC_POINT *r, const EC_POINT *a, const EC_POINT *b,
                     BN_CTX *ctx)
    int EC_POINT_mul(const EC_GROUP *group, EC_POINT *r, const BIGNUM *n, const EC_POINT *q,
                     const BIGNUM *m, BN_CTX *ctx)
    int EC_POINT_cmp(const EC_GROUP *group, const EC_POINT *a, const EC_POINT *b, BN_CTX *ctx)
    int EC_POINT_get_affine_coordinates(const EC_GROUP *group, const EC_POINT *p, BIGNUM *x,
                                        BIGNUM *y, BN_CTX *ctx)
    ECDSA_SIG *d2i_ECDSA_SIG(ECDSA_SIG **sig, const unsigned char **pp, long length)
    int i2d_ECDSA_SIG(const ECDSA_SIG *sig, unsigned char **pp)
    void ECDSA_SIG_free(ECDSA_SIG *sig)
    void ECDSA_SIG_get0(const ECDSA_SIG *sig, const BIGNUM **pr, const BIGNUM **ps)
    # Deprecated in OpenSSL 3.0, with no replacement: the only public way to build a fixed-base
    # table for a point. setup.py compiles ecverify (and only it) with deprecated declarations
    # visible; any other module that used these would fail to compile.
    int EC_GROUP_precompute_mult(EC_GROUP *group, BN_CTX *ctx)
    int EC_GROUP_have_precompute_mult(const EC_GROUP *group)
    # Deprecated likewise: a point's Jacobian coordinates (x = X/Z^2), which let ecverify compare
    # x with r without the field inversion an affine conversion costs.
    int EC_POINT_get_Jprojective_coordinates_GFp(const EC_GROUP *group, const EC_POINT *p, BIGNUM *x,
                                                 BIGNUM *y, BIGNUM *z, BN_CTX *ctx)
