# cython: boundscheck=False, wraparound=False
"""ECDSA P-256 certificate signatures under issuer keys that sign many certificates.

A verification loop (an mTLS gateway checking client chains, a scanner, a CT monitor) checks many
new leaves under a few intermediates. OpenSSL verifies an ECDSA signature as x(u1*G + u2*Q) with
a precomputed table for the curve's generator G but a per-call window for the issuer key Q, so Q's
half is most of the time. Once a key has signed enough certificates in this process, this module
builds the same kind of table for Q: a copy of the P-256 group whose generator is Q, precomputed by
OpenSSL's own ``EC_GROUP_precompute_mult``. u2*Q is then a fixed-base multiplication like u1*G, by
OpenSSL's P-256 code (measured here in C: one P-256 X509_verify 66 us, this path about 30 us
with BN_mod_inverse; the inverse, the scalars and the final comparison are cheaper now, below).

What stays OpenSSL's: all point arithmetic and its on-curve checks, the signature's DER decoding,
the digest, the modular arithmetic except s^-1 (computed here, then checked with OpenSSL's). What
this module does itself is the rest of X509_verify for ecdsa-with-SHA256 under a P-256 key: the
two AlgorithmIdentifiers must be equal (X509_verify), the BIT STRING must have no unused bits
(ASN1_item_verify), the signature must be the exact DER of its (r, s) (ossl_ecdsa_verify
re-encodes and compares), 0 < r, s < n (ossl_ecdsa_simple_verify_sig), the digest taken over the
TBSCertificate's exact bytes, and the equation, whose x(R) is compared with r in Jacobian
coordinates. tests/test_ecverify.py compares every verdict with X509_verify on the same inputs.

When to build a table is a ski-rental choice: a table costs about 21.4 ms and 150 KB and saves
about 45 us a signature (measured here in a verification loop: 102-103 us a new leaf without,
57 us with), so a key gets one after DEFAULT_THRESHOLD = 472 signatures were checked under it
without a table: the break-even, where the cost is at worst twice the optimal one for any number
of later signatures.
At most TABLES tables are kept (least recently used goes first); a table in use by another thread
is freed by its last user.
"""
from cpython.pythread cimport (
    PyThread_type_lock, PyThread_allocate_lock, PyThread_acquire_lock, PyThread_release_lock, WAIT_LOCK,
)
from libc.stdlib cimport calloc, free
from libc.stdint cimport uint64_t
from libc.string cimport memcmp, memcpy, memset

from libc.limits cimport LONG_MAX
from openssl.asn1 cimport ASN1_STRING, ASN1_get_object, V_ASN1_BIT_STRING, V_ASN1_SEQUENCE
from openssl.bn cimport (
    BIGNUM, BN_CTX, BN_CTX_new, BN_CTX_free, BN_CTX_start, BN_CTX_get, BN_CTX_end, BN_bin2bn, BN_dup,
    BN_is_zero, BN_is_negative, BN_ucmp, BN_mod_inverse, BN_nnmod, BN_is_one, BN_lebin2bn, BN_free,
    BN_bn2lebinpad, BN_MONT_CTX, BN_MONT_CTX_new, BN_MONT_CTX_free, BN_MONT_CTX_set, BN_mod_mul_montgomery,
    BN_from_montgomery, BN_num_bits, BN_bn2bin, BN_cmp, BN_add, BN_mul, BN_nist_mod_256, BN_get0_nist_prime_256,
)
from openssl.crypto cimport OPENSSL_free
from openssl.ec cimport (
    EC_GROUP, EC_GROUP_new_by_curve_name, EC_GROUP_free, EC_GROUP_get0_order, EC_GROUP_get0_cofactor,
    EC_GROUP_set_generator, EC_GROUP_precompute_mult, EC_GROUP_have_precompute_mult,
    EC_POINT, EC_POINT_new, EC_POINT_free, EC_POINT_oct2point, EC_POINT_is_at_infinity, EC_POINT_add,
    EC_POINT_mul, EC_POINT_cmp, EC_POINT_get_affine_coordinates, EC_POINT_get_Jprojective_coordinates_GFp,
    ECDSA_SIG, d2i_ECDSA_SIG, ECDSA_SIG_free, ECDSA_SIG_get0,
)
from openssl.err cimport ERR_set_mark, ERR_pop_to_mark, ERR_clear_error
from openssl.evp cimport (
    EVP_MD, EVP_MD_fetch, EVP_Digest, EVP_PKEY, EVP_PKEY_EC, EVP_PKEY_get_base_id,
    EVP_PKEY_get_utf8_string_param, EVP_PKEY_get_octet_string_param,
)
from openssl.objects cimport NID_X9_62_prime256v1, NID_ecdsa_with_SHA256, OBJ_sn2nid
from openssl.params cimport OSSL_PKEY_PARAM_GROUP_NAME, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY
from openssl.x509 cimport (
    X509, X509_ALGOR, X509_get0_signature, X509_get0_tbs_sigalg, X509_ALGOR_cmp, X509_get_signature_nid,
    X509_get0_pubkey, X509_get_X509_PUBKEY, i2d_X509, i2d_X509_PUBKEY, d2i_X509, X509_free, X509_verify,
)

cdef enum:
    TABLES = 16         # tables kept, about 150 KB each
    COUNTERS = 256      # per-key counts of signatures checked without a table (direct-mapped)
    DEFAULT_THRESHOLD = 472
    SPARES = 8          # scratch spaces kept between verifications (one per thread at work)

cdef struct Table:
    unsigned char spki[32]
    EC_GROUP *group         # P-256 with generator Q and Q's precomputed multiples; read-only once built
    int refs                # verifications using it now
    bint evicted            # no longer in _tables: the last user frees it
    unsigned long long used

cdef struct Scratch:
    BN_CTX *bn              # with its BIGNUMs from earlier verifications: no allocation once warm
    EC_POINT *pt
    EC_POINT *pq
    Scratch *next

cdef struct Counter:
    unsigned char spki[32]
    int count               # signatures checked without a table; -1: this key gets none

cdef enum:
    LIMBS = 4       # _inverse's numbers: below n, so 256 bits

cdef uint64_t _n[LIMBS]     # the group order in little-endian 64-bit limbs (_inverse)
cdef Table *_tables[TABLES]
cdef Counter _counters[COUNTERS]
cdef Scratch *_spares = NULL     # a stack of up to SPARES, under _lock
cdef int _nspares = 0
cdef unsigned long long _clock = 0
cdef int _threshold = DEFAULT_THRESHOLD
cdef unsigned long _answered = 0, _built = 0
cdef unsigned long _fallbacks = 0      # inverses BN_mod_inverse computed (the check refused _inverse's)
cdef PyThread_type_lock _lock = PyThread_allocate_lock()
cdef EVP_MD *_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)
cdef EC_GROUP *_p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)
cdef BIGNUM *_order = BN_dup(EC_GROUP_get0_order(_p256)) if _p256 != NULL else NULL
cdef const BIGNUM *_prime = BN_get0_nist_prime_256()
cdef BN_MONT_CTX *_mont = _order_mont()
if (_lock == NULL or _sha256 == NULL or _p256 == NULL or _order == NULL or _prime == NULL or _mont == NULL
        or BN_bn2lebinpad(_order, <unsigned char *>_n, 32) != 32):
    raise ImportError("certcore.ecverify: cannot set up P-256")
# the limbs are the order's little-endian octets: on a big-endian machine _inverse is not used
cdef uint64_t _ninv = _minus_inverse_2_64(_n[0])    # -n^-1 mod 2^64 (_inverse's Montgomery steps)
cdef bint _limbs_ok = _n[0] == 0xF3B9CAC2FC632551 and _n[3] == 0xFFFFFFFF00000000 and _n[0] * _ninv + 1 == 0


cdef BN_MONT_CTX *_order_mont():
    """Montgomery arithmetic modulo the group order, or NULL."""
    cdef BN_MONT_CTX *m = NULL
    cdef BN_CTX *bn = BN_CTX_new()
    if bn != NULL and _order != NULL:
        m = BN_MONT_CTX_new()
        if m != NULL and BN_MONT_CTX_set(m, _order, bn) != 1:
            BN_MONT_CTX_free(m)
            m = NULL
    BN_CTX_free(bn)
    return m


cdef void _table_free(Table *t) noexcept nogil:
    EC_GROUP_free(t.group)
    free(t)


cdef bint _probe(EC_GROUP *group, const EC_POINT *q, BN_CTX *bn) noexcept nogil:
    """The table computes k*Q: compared with OpenSSL's variable-base k*Q for a k taken from the
    key's own coordinates (any fixed k would do; this one differs per key)."""
    cdef EC_POINT *a = EC_POINT_new(_p256)
    cdef EC_POINT *b = EC_POINT_new(_p256)
    cdef BIGNUM *k
    cdef bint ok = False
    BN_CTX_start(bn)
    k = BN_CTX_get(bn)
    if (a != NULL and b != NULL and k != NULL
            and EC_POINT_get_affine_coordinates(_p256, q, k, NULL, bn) == 1
            and BN_nnmod(k, k, _order, bn) == 1 and not BN_is_zero(k)
            and EC_POINT_mul(group, a, k, NULL, NULL, bn) == 1
            and EC_POINT_mul(_p256, b, NULL, q, k, bn) == 1):
        ok = EC_POINT_cmp(_p256, a, b, bn) == 0
    BN_CTX_end(bn)
    EC_POINT_free(a)
    EC_POINT_free(b)
    return ok


cdef Table *_build(const unsigned char *spki, EVP_PKEY *pkey) noexcept nogil:
    """A table for pkey if it is a P-256 key, else NULL."""
    cdef char name[64]
    cdef unsigned char pub[160]
    cdef size_t n = 0
    cdef Table *t = NULL
    cdef EC_GROUP *group = NULL
    cdef EC_POINT *q = NULL
    cdef BN_CTX *bn = NULL
    cdef bint ok = False
    if EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &n) != 1:
        return NULL
    if OBJ_sn2nid(name) != NID_X9_62_prime256v1:
        return NULL
    if EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof(pub), &n) != 1:
        return NULL
    t = <Table *>calloc(1, sizeof(Table))
    bn = BN_CTX_new()
    group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)
    if t != NULL and bn != NULL and group != NULL:
        q = EC_POINT_new(group)
        ok = (q != NULL
              and EC_POINT_oct2point(group, q, pub, n, bn) == 1
              and not EC_POINT_is_at_infinity(group, q)
              and EC_GROUP_set_generator(group, q, EC_GROUP_get0_order(_p256), EC_GROUP_get0_cofactor(_p256)) == 1
              and EC_GROUP_precompute_mult(group, bn) == 1
              and EC_GROUP_have_precompute_mult(group) == 1
              and _probe(group, q, bn))
    EC_POINT_free(q)
    BN_CTX_free(bn)
    if not ok:
        EC_GROUP_free(group)
        free(t)
        return NULL
    memcpy(t.spki, spki, 32)
    t.group = group
    return t


cdef Table *_acquire(const unsigned char *spki, EVP_PKEY *pkey, Scratch **sc) noexcept nogil:
    """This key's table with a reference taken (release with _release), or NULL; counts the
    signature and builds the table when the count reaches the threshold. With a table, *sc is a
    kept scratch space taken under the same lock, or NULL when none is kept."""
    global _clock, _built
    cdef Table *t
    cdef Counter *c = &_counters[((<size_t>spki[0] << 8) | spki[1]) % COUNTERS]
    cdef int i, oldest
    PyThread_acquire_lock(_lock, WAIT_LOCK)
    for i in range(TABLES):
        t = _tables[i]
        if t != NULL and memcmp(t.spki, spki, 32) == 0:
            t.refs += 1
            _clock += 1
            t.used = _clock
            sc[0] = _pop_spare()
            PyThread_release_lock(_lock)
            return t
    if memcmp(c.spki, spki, 32) != 0:
        memcpy(c.spki, spki, 32)
        c.count = 0
    if c.count < 0 or c.count + 1 < _threshold:
        if c.count >= 0:
            c.count += 1
        PyThread_release_lock(_lock)
        return NULL
    c.count = -1        # while this thread builds, the others go on without a table
    PyThread_release_lock(_lock)

    t = _build(spki, pkey)

    PyThread_acquire_lock(_lock, WAIT_LOCK)
    if memcmp(c.spki, spki, 32) == 0:
        c.count = 0 if t != NULL else -1    # 0: if the table is evicted later, it is earned again
    if t == NULL:
        PyThread_release_lock(_lock)
        return NULL
    _built += 1
    oldest = 0
    for i in range(TABLES):
        if _tables[i] == NULL:
            oldest = i
            break
        if _tables[i].used < _tables[oldest].used:
            oldest = i
    if _tables[oldest] != NULL:
        _tables[oldest].evicted = True
        if _tables[oldest].refs == 0:
            _table_free(_tables[oldest])
    _clock += 1
    t.used = _clock
    t.refs = 1
    _tables[oldest] = t
    sc[0] = _pop_spare()
    PyThread_release_lock(_lock)
    return t


cdef void _scratch_free(Scratch *sc) noexcept nogil:
    if sc != NULL:
        EC_POINT_free(sc.pt)
        EC_POINT_free(sc.pq)
        BN_CTX_free(sc.bn)
        free(sc)


cdef Scratch *_pop_spare() noexcept nogil:
    """A kept scratch space, or NULL (the caller holds _lock)."""
    global _spares, _nspares
    cdef Scratch *sc = _spares
    if sc != NULL:
        _spares = sc.next
        _nspares -= 1
    return sc


cdef Scratch *_scratch_new() noexcept nogil:
    """A new scratch space; NULL when out of memory."""
    cdef Scratch *sc = <Scratch *>calloc(1, sizeof(Scratch))
    if sc == NULL:
        return NULL
    sc.bn = BN_CTX_new()
    sc.pt = EC_POINT_new(_p256)
    sc.pq = EC_POINT_new(_p256)
    if sc.bn == NULL or sc.pt == NULL or sc.pq == NULL:
        _scratch_free(sc)
        return NULL
    return sc


cdef void _release(Table *t, bint answered, Scratch *sc) noexcept nogil:
    """Drop a reference taken by _acquire and give back a scratch space (kept unless SPARES are),
    counting an answered signature under the same lock."""
    global _answered, _spares, _nspares
    cdef bint last
    PyThread_acquire_lock(_lock, WAIT_LOCK)
    if answered:
        _answered += 1
    t.refs -= 1
    last = t.refs == 0 and t.evicted
    if sc != NULL and _nspares < SPARES:
        sc.next = _spares
        _spares = sc
        _nspares += 1
        sc = NULL
    PyThread_release_lock(_lock)
    if last:
        _table_free(t)
    _scratch_free(sc)


cdef bint _tbs(const unsigned char *der, size_t n, const unsigned char **tbs, size_t *tbslen) noexcept nogil:
    """The TBSCertificate's bytes inside a certificate's DER (i2d_X509 output): the first element
    of the outer SEQUENCE. They are the bytes X509_verify digests (the cached encoding i2d_X509
    copies). ASN1_get_object reads the headers, as x509.pyx does; an error it queues is dropped
    by the caller's error mark."""
    cdef const unsigned char *p = der
    cdef const unsigned char *start
    cdef long length = 0
    cdef int tag = 0, cls = 0
    if n > <size_t>LONG_MAX:
        return False
    if ASN1_get_object(&p, &length, &tag, &cls, <long>n) != 0x20 or tag != V_ASN1_SEQUENCE or cls != 0:
        return False
    start = p
    if (ASN1_get_object(&p, &length, &tag, &cls, <long>(der + n - p)) != 0x20
            or tag != V_ASN1_SEQUENCE or cls != 0):
        return False
    tbs[0] = start
    tbslen[0] = <size_t>(p - start) + <size_t>length
    return True


# s^-1 mod n by T. Pornin's optimized binary GCD ("Optimized Binary GCD for Modular Inversion",
# 2020), on 64-bit limbs in C: BN_mod_inverse takes about 9 us here, a third of a table-backed
# verification, and a bit-by-bit binary Euclid still 4 us, because every step of either is a
# multi-limb operation behind an unpredictable branch. Here 31 steps at a time run without
# branches on 64-bit approximations of the two numbers (their low 31 bits, exact, and their top 33
# bits), and their combined effect, a matrix of factors below 2^31, is then applied to the full
# numbers and to their coefficients modulo n (with one Montgomery division by 2^31). The caller
# checks w*s = 1 (mod n) with OpenSSL's arithmetic and falls back to BN_mod_inverse otherwise, so
# a wrong inverse can only cost time, never a verdict.
cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    typedef unsigned __int128 certcore_u128;

    static inline int certcore_is_zero4(const uint64_t *a) { return (a[0] | a[1] | a[2] | a[3]) == 0; }
    static inline int certcore_is_one4(const uint64_t *a) { return a[0] == 1 && (a[1] | a[2] | a[3]) == 0; }

    static inline int certcore_bitlen4(const uint64_t *a) {
        for (int i = 3; i >= 0; i--)
            if (a[i])
                return 64 * i + 64 - __builtin_clzll(a[i]);
        return 0;
    }

    /* bits [s, s + 33) of a, 0 <= s <= 223 */
    static inline uint64_t certcore_bits33(const uint64_t *a, int s) {
        int limb = s >> 6, off = s & 63;
        uint64_t v = a[limb] >> off;
        if (off && limb < 3)
            v |= a[limb + 1] << (64 - off);
        return v & ((((uint64_t)1) << 33) - 1);
    }

    /* r = a*f + b*g (five limbs, two's complement) for a, b < 2^256 and |f| + |g| <= 2^31 */
    static inline void certcore_combine(uint64_t *r, const uint64_t *a, int64_t f, const uint64_t *b, int64_t g) {
        uint64_t fm = f < 0 ? ~(uint64_t)0 : 0, gm = g < 0 ? ~(uint64_t)0 : 0;
        uint64_t fa = ((uint64_t)f ^ fm) - fm, ga = ((uint64_t)g ^ gm) - gm;
        uint64_t x[5], y[5], c = 0, cx = fm & 1, cy = gm & 1, carry = 0;
        for (int i = 0; i < 4; i++) {
            certcore_u128 t = (certcore_u128)a[i] * fa + c;
            x[i] = (uint64_t)t;
            c = (uint64_t)(t >> 64);
        }
        x[4] = c;
        c = 0;
        for (int i = 0; i < 4; i++) {
            certcore_u128 t = (certcore_u128)b[i] * ga + c;
            y[i] = (uint64_t)t;
            c = (uint64_t)(t >> 64);
        }
        y[4] = c;
        for (int i = 0; i < 5; i++) {     /* (x negated when f < 0) + (y negated when g < 0) */
            certcore_u128 tx = (certcore_u128)(x[i] ^ fm) + cx;
            certcore_u128 ty = (certcore_u128)(y[i] ^ gm) + cy;
            certcore_u128 sum = (certcore_u128)(uint64_t)tx + (uint64_t)ty + carry;
            cx = (uint64_t)(tx >> 64);
            cy = (uint64_t)(ty >> 64);
            r[i] = (uint64_t)sum;
            carry = (uint64_t)(sum >> 64);
        }
    }

    /* a = |t| / 2^31 for t (five limbs, two's complement) a multiple of 2^31; the all-ones mask
       when t < 0; *ok cleared when |t| / 2^31 does not fit 256 bits */
    static inline uint64_t certcore_abs_shift31(uint64_t *a, uint64_t *t, int *ok) {
        uint64_t neg = 0 - (t[4] >> 63), c = neg & 1;
        for (int i = 0; i < 5; i++) {
            certcore_u128 sum = (certcore_u128)(t[i] ^ neg) + c;
            t[i] = (uint64_t)sum;
            c = (uint64_t)(sum >> 64);
        }
        for (int i = 0; i < 4; i++)
            a[i] = (t[i] >> 31) | (t[i + 1] << 33);
        if (t[4] >> 31)
            *ok = 0;
        return neg;
    }

    /* a -= b modulo 2^256; the borrow out */
    static inline uint64_t certcore_sub4(uint64_t *a, const uint64_t *b) {
        uint64_t borrow = 0;
        for (int i = 0; i < 4; i++) {
            certcore_u128 t = (certcore_u128)a[i] - b[i] - borrow;
            a[i] = (uint64_t)t;
            borrow = (uint64_t)(t >> 64) & 1;
        }
        return borrow;
    }

    /* x = t / 2^31 mod m for t (five limbs, two's complement) with |t| < 2^31 * m, m odd,
       minv = -m^-1 mod 2^64, m31 = m * 2^31 (five limbs) */
    static inline void certcore_div31_mod(uint64_t *x, uint64_t *t, const uint64_t *m, const uint64_t *m31,
                                          uint64_t minv) {
        uint64_t neg = 0 - (t[4] >> 63), carry = 0, q, d[4], keep;
        for (int i = 0; i < 5; i++) {      /* t += 2^31 * m when negative: 0 <= t < 2^31 * m */
            certcore_u128 sum = (certcore_u128)t[i] + (m31[i] & neg) + carry;
            t[i] = (uint64_t)sum;
            carry = (uint64_t)(sum >> 64);
        }
        q = (t[0] * minv) & 0x7FFFFFFF;    /* t + q*m is a multiple of 2^31, below 2^32 * m */
        carry = 0;
        for (int i = 0; i < 4; i++) {
            certcore_u128 sum = (certcore_u128)q * m[i] + t[i] + carry;
            t[i] = (uint64_t)sum;
            carry = (uint64_t)(sum >> 64);
        }
        t[4] += carry;
        for (int i = 0; i < 4; i++)
            x[i] = (t[i] >> 31) | (t[i + 1] << 33);
        /* the quotient is below 2m, which may exceed 2^256 (bit 256 is t[4] >> 31): x - m when
           x >= m, that is when the subtraction does not borrow or bit 256 is set */
        memcpy(d, x, sizeof(d));
        keep = (certcore_sub4(d, m) - 1) | (0 - (t[4] >> 31));
        for (int i = 0; i < 4; i++)
            x[i] = (d[i] & keep) | (x[i] & ~keep);
    }

    /* w = y^-1 mod m for 0 < y < m, m odd and below 2^256, minv = -m^-1 mod 2^64; 0 when not
       found (y not invertible, or a bug). Invariants: a = u*y and b = v*y (mod m), b odd. */
    static int certcore_inverse4(const uint64_t *y, uint64_t *w, const uint64_t *m, uint64_t minv) {
        uint64_t a[4], b[4], u[4] = {1, 0, 0, 0}, v[4] = {0, 0, 0, 0}, m31[5], ta[5], tb[5];
        memcpy(a, y, sizeof(a));
        memcpy(b, m, sizeof(b));
        m31[0] = m[0] << 31;
        for (int i = 1; i < 4; i++)
            m31[i] = (m[i] << 31) | (m[i - 1] >> 33);
        m31[4] = m[3] >> 33;
        for (int round = 0; round < 40; round++) {     /* 17 suffice for 256 bits */
            uint64_t abar, bbar, f0 = 1, g0 = 0, f1 = 0, g1 = 1, na, nb;
            int n, nbits, ok = 1;
            if (certcore_is_one4(b)) {
                memcpy(w, v, sizeof(v));
                return 1;
            }
            if (certcore_is_zero4(a))
                return 0;                           /* gcd(y, m) = b, not 1 */
            n = certcore_bitlen4(a);
            nbits = certcore_bitlen4(b);
            if (nbits > n)
                n = nbits;
            if (n <= 64) {
                abar = a[0];
                bbar = b[0];
            } else {
                abar = (a[0] & 0x7FFFFFFF) | (certcore_bits33(a, n - 33) << 31);
                bbar = (b[0] & 0x7FFFFFFF) | (certcore_bits33(b, n - 33) << 31);
            }
            /* 31 steps of the binary GCD on the approximations: when a is odd, the larger goes
               to a and b is subtracted from it; then a is halved. The factors (two's complement)
               track 2^j * a = f0*a0 + g0*b0 and 2^j * b = f1*a0 + g1*b0; the low bits being
               exact, the divisions by 2^31 below are exact, and an approximate comparison only
               costs convergence (a or b may come out negative: negated, with its factors) */
            for (int j = 0; j < 31; j++) {
                uint64_t odd = 0 - (abar & 1), swap = odd & (0 - (uint64_t)(abar < bbar)), x;
                x = (abar ^ bbar) & swap;
                abar ^= x;
                bbar ^= x;
                x = (f0 ^ f1) & swap;
                f0 ^= x;
                f1 ^= x;
                x = (g0 ^ g1) & swap;
                g0 ^= x;
                g1 ^= x;
                abar -= bbar & odd;
                f0 -= f1 & odd;
                g0 -= g1 & odd;
                abar >>= 1;
                f1 <<= 1;
                g1 <<= 1;
            }
            certcore_combine(ta, a, (int64_t)f0, b, (int64_t)g0);
            certcore_combine(tb, a, (int64_t)f1, b, (int64_t)g1);
            na = certcore_abs_shift31(a, ta, &ok);
            nb = certcore_abs_shift31(b, tb, &ok);
            if (!ok)
                return 0;
            f0 = (f0 ^ na) - na;
            g0 = (g0 ^ na) - na;
            f1 = (f1 ^ nb) - nb;
            g1 = (g1 ^ nb) - nb;
            certcore_combine(ta, u, (int64_t)f0, v, (int64_t)g0);
            certcore_combine(tb, u, (int64_t)f1, v, (int64_t)g1);
            certcore_div31_mod(u, ta, m, m31, minv);
            certcore_div31_mod(v, tb, m, m31, minv);
        }
        return 0;
    }
    """
    int certcore_inverse4(const uint64_t *s, uint64_t *w, const uint64_t *n, uint64_t ninv) nogil


cdef uint64_t _minus_inverse_2_64(uint64_t a) noexcept nogil:
    """-a^-1 mod 2^64 for odd a (Newton's iteration doubles the correct low bits each round)."""
    cdef uint64_t x = a      # a*a = 1 mod 8: three bits
    cdef int _
    for _ in range(5):
        x = x * (2 - a * x)
    return 0 - x


cdef bint _inverse(const BIGNUM *s, BIGNUM *w) noexcept nogil:
    """w = s^-1 mod n for 0 < s < n; False if it cannot be computed here."""
    cdef uint64_t a[LIMBS]
    cdef uint64_t r[LIMBS]
    if BN_bn2lebinpad(s, <unsigned char *>a, 32) != 32:
        return False
    if not certcore_inverse4(a, r, _n, _ninv):
        return False
    return BN_lebin2bn(<unsigned char *>r, 32, w) != NULL


cdef bint _inverse_mont(const BIGNUM *s, BIGNUM *w, BIGNUM *tmp, BN_CTX *bn) noexcept nogil:
    """w = s^-1 * R mod n (R = 2^256, Montgomery form), so that Montgomery products with w give
    a*s^-1: the inverse of s*R^-1 by _inverse, confirmed by Mont(w, s) = 1, else BN_mod_inverse's."""
    if BN_from_montgomery(tmp, s, _mont, bn) != 1:
        return False
    global _fallbacks
    if (_limbs_ok and _inverse(tmp, w) and BN_mod_mul_montgomery(tmp, w, s, _mont, bn) == 1
            and BN_is_one(tmp)):
        return True
    PyThread_acquire_lock(_lock, WAIT_LOCK)
    _fallbacks += 1
    PyThread_release_lock(_lock)
    return BN_from_montgomery(tmp, s, _mont, bn) == 1 and BN_mod_inverse(w, tmp, _order, bn) != NULL


cdef bint _scalars(const unsigned char *md, const BIGNUM *r, const BIGNUM *s, BIGNUM *u1, BIGNUM *u2,
                   BIGNUM *w, BIGNUM *tmp, BN_CTX *bn) noexcept nogil:
    """u1 = e/s and u2 = r/s (mod n) for 0 < r, s < n, as Montgomery products with w = s^-1 * R.
    e is the whole SHA-256 md (P-256's n has 256 bits) and may exceed n: a Montgomery product
    needs only e*w < n*R, which e < 2^256 = R and w < n give."""
    return (_inverse_mont(s, w, tmp, bn)
            and BN_bin2bn(md, 32, u1) != NULL
            and BN_mod_mul_montgomery(u1, u1, w, _mont, bn) == 1
            and BN_mod_mul_montgomery(u2, r, w, _mont, bn) == 1)


cdef bint _canonical(const ASN1_STRING *sig, const BIGNUM *r, const BIGNUM *s) noexcept nogil:
    """sig's bytes are exactly the DER of ECDSA-Sig-Value {r, s} for 0 < r, s < n: what
    ossl_ecdsa_verify's re-encode-and-compare asks (i2d_ECDSA_SIG's output, written here without
    its allocation: a SEQUENCE of two minimal positive INTEGERs, under 128 bytes for P-256)."""
    cdef unsigned char enc[80]
    cdef int rn = (BN_num_bits(r) + 8) // 8     # one octet more when the top bit is set: the 0x00
    cdef int sn = (BN_num_bits(s) + 8) // 8
    cdef int n = 6 + rn + sn
    if rn > 33 or sn > 33 or sig.length != n:
        return False
    memset(enc, 0, sizeof(enc))
    enc[0] = 0x30
    enc[1] = <unsigned char>(n - 2)
    enc[2] = 0x02
    enc[3] = <unsigned char>rn
    BN_bn2bin(r, enc + 4 + rn - (BN_num_bits(r) + 7) // 8)
    enc[4 + rn] = 0x02
    enc[5 + rn] = <unsigned char>sn
    BN_bn2bin(s, enc + 6 + rn + sn - (BN_num_bits(s) + 7) // 8)
    return memcmp(enc, sig.data, <size_t>n) == 0


cdef inline bint _mul_p(BIGNUM *r, const BIGNUM *a, const BIGNUM *b, BN_CTX *bn) noexcept nogil:
    """r = a*b mod p (P-256's field prime) for 0 <= a, b < p."""
    return BN_mul(r, a, b, bn) == 1 and BN_nist_mod_256(r, r, _prime, bn) == 1


cdef int _x_matches(const BIGNUM *X, const BIGNUM *Z, const BIGNUM *r, BN_CTX *bn) noexcept nogil:
    """1 when x mod n == r for the Jacobian x = X/Z^2 (0 <= X, Z < p, Z != 0, 0 < r < n), 0 when
    not, -1 on error. As p < 2n, x mod n == r exactly when x == r or x == r + n < p, that is when
    X == c*Z^2 (mod p) for c = r or c = r + n < p: no field inversion, which an affine
    conversion costs."""
    cdef BIGNUM *z2
    cdef BIGNUM *c
    cdef int rc = -1
    BN_CTX_start(bn)
    z2 = BN_CTX_get(bn)
    c = BN_CTX_get(bn)
    if c != NULL and _mul_p(z2, Z, Z, bn) and _mul_p(c, r, z2, bn):
        if BN_cmp(c, X) == 0:
            rc = 1
        elif BN_add(c, r, _order) != 1:
            rc = -1
        elif BN_ucmp(c, _prime) >= 0:
            rc = 0
        elif _mul_p(c, c, z2, bn):
            rc = 1 if BN_cmp(c, X) == 0 else 0
    BN_CTX_end(bn)
    return rc


cdef int _x_is(const EC_POINT *pt, const BIGNUM *r, BN_CTX *bn) noexcept nogil:
    """1 when x(pt) mod n == r (pt not at infinity, 0 < r < n), 0 when not, -1 on error."""
    cdef BIGNUM *X
    cdef BIGNUM *Z
    cdef int rc = -1
    BN_CTX_start(bn)
    X = BN_CTX_get(bn)
    Z = BN_CTX_get(bn)
    if Z != NULL and EC_POINT_get_Jprojective_coordinates_GFp(_p256, pt, X, NULL, Z, bn) == 1:
        rc = _x_matches(X, Z, r, bn)
    BN_CTX_end(bn)
    return rc


cdef int _verify(Table *t, Scratch *sc, X509 *subject, const unsigned char *der, size_t derlen) noexcept nogil:
    cdef const ASN1_STRING *sig = NULL
    cdef const X509_ALGOR *alg = NULL
    cdef const unsigned char *tbs
    cdef const unsigned char *p
    cdef size_t tbslen
    cdef unsigned char md[32]
    cdef unsigned int mdlen = 0
    cdef ECDSA_SIG *es = NULL
    cdef const BIGNUM *r
    cdef const BIGNUM *s
    cdef BN_CTX *bn = sc.bn
    cdef BIGNUM *w
    cdef BIGNUM *u1
    cdef BIGNUM *u2
    cdef BIGNUM *x
    cdef EC_POINT *pt = sc.pt
    cdef EC_POINT *pq = sc.pq
    X509_get0_signature(&sig, &alg, subject)
    # X509_verify: the signature's algorithm must be the one the TBSCertificate names
    if X509_ALGOR_cmp(alg, X509_get0_tbs_sigalg(subject)) != 0:
        return 0
    # ASN1_item_verify: a BIT STRING signature with unused bits is refused
    if sig.type == V_ASN1_BIT_STRING and (sig.flags & 0x7) != 0:
        return 0
    if not _tbs(der, derlen, &tbs, &tbslen):
        return -1
    if EVP_Digest(tbs, tbslen, md, &mdlen, _sha256, NULL) != 1 or mdlen != 32:
        return -1
    # ossl_ecdsa_verify: DER only, nothing after it
    p = sig.data
    es = d2i_ECDSA_SIG(NULL, &p, sig.length)
    if es == NULL:
        return 0
    BN_CTX_start(bn)
    try:
        # ossl_ecdsa_simple_verify_sig: 0 < r, s < n (OpenSSL compares the re-encoding first;
        # either failure is an invalid signature)
        ECDSA_SIG_get0(es, &r, &s)
        if (BN_is_zero(r) or BN_is_negative(r) or BN_ucmp(r, _order) >= 0
                or BN_is_zero(s) or BN_is_negative(s) or BN_ucmp(s, _order) >= 0):
            return 0
        if not _canonical(sig, r, s):
            return 0
        w = BN_CTX_get(bn)
        u1 = BN_CTX_get(bn)
        u2 = BN_CTX_get(bn)
        x = BN_CTX_get(bn)
        if (x == NULL
                or not _scalars(md, r, s, u1, u2, w, x, bn)
                or EC_POINT_mul(_p256, pt, u1, NULL, NULL, bn) != 1
                or EC_POINT_mul(t.group, pq, u2, NULL, NULL, bn) != 1
                or EC_POINT_add(_p256, pt, pt, pq, bn) != 1):
            return -1
        if EC_POINT_is_at_infinity(_p256, pt):
            return 0        # OpenSSL: no affine coordinates, so not a valid signature
        return _x_is(pt, r, bn)
    finally:
        BN_CTX_end(bn)
        ECDSA_SIG_free(es)


cdef int ecdsa_p256_verify(X509 *subject, EVP_PKEY *pkey, const unsigned char *spki_sha256,
                           const unsigned char *der, size_t derlen) noexcept nogil:
    cdef Table *t
    cdef Scratch *sc = NULL
    cdef int rc
    if X509_get_signature_nid(subject) != NID_ecdsa_with_SHA256 or EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC:
        return -1
    ERR_set_mark()
    t = _acquire(spki_sha256, pkey, &sc)
    if t == NULL:
        ERR_pop_to_mark()
        return -1
    if sc == NULL:
        sc = _scratch_new()
    rc = _verify(t, sc, subject, der, derlen) if sc != NULL else -1
    _release(t, rc >= 0, sc)
    ERR_pop_to_mark()
    return rc


cdef BIGNUM *_bn_of(object v) except NULL:
    """Tests: a new BIGNUM holding the integer 0 <= v < 2^256."""
    cdef bytes raw = int(v).to_bytes(32, "big")
    cdef BIGNUM *x = BN_bin2bn(<const unsigned char *>raw, 32, NULL)
    if x == NULL:
        raise MemoryError()
    return x


cdef object _int_of(const BIGNUM *x):
    """Tests: a BIGNUM below 2^256 as an int (None if it does not fit)."""
    cdef unsigned char buf[32]
    if BN_bn2lebinpad(x, buf, 32) != 32:
        return None
    return int.from_bytes(buf[:32], "little")


def _test_inverse(s):
    """Tests: _inverse's own result for 0 < s < n (None where it gives up), without the check."""
    cdef BIGNUM *a = NULL
    cdef BIGNUM *w = NULL
    if not 0 < s < (1 << 256):
        raise ValueError("s must be a positive 256-bit integer")
    try:
        a = _bn_of(s)
        w = _bn_of(s)
        if not _limbs_ok or not _inverse(a, w):
            return None
        return _int_of(w)
    finally:
        BN_free(a)
        BN_free(w)


def _test_scalars(e, r, s):
    """Tests: (u1, u2) as _verify computes them for the 256-bit digest e and 0 < r, s < n."""
    cdef bytes md
    cdef BIGNUM *b[2]
    cdef BIGNUM *u[4]
    cdef BN_CTX *bn = BN_CTX_new()
    cdef int i
    b[0] = b[1] = NULL
    try:
        if bn == NULL:
            raise MemoryError()
        if not (0 <= e < (1 << 256) and 0 < r < (1 << 256) and 0 < s < (1 << 256)):
            raise ValueError("e, r and s must be 256-bit integers, r and s positive")
        md = int(e).to_bytes(32, "big")
        b[0] = _bn_of(r)
        b[1] = _bn_of(s)
        BN_CTX_start(bn)
        for i in range(4):
            u[i] = BN_CTX_get(bn)
        if u[3] == NULL:
            raise MemoryError()
        if not _scalars(<const unsigned char *>md, b[0], b[1], u[0], u[1], u[2], u[3], bn):
            ERR_clear_error()
            return None
        return (_int_of(u[0]), _int_of(u[1]))
    finally:
        BN_free(b[0])
        BN_free(b[1])
        BN_CTX_free(bn)


def _test_x_matches(X, Z, r):
    """Tests: _x_matches's answer for Jacobian X, Z (0 <= X, Z < p, Z != 0) and 0 < r < n."""
    cdef BIGNUM *b[3]
    cdef BN_CTX *bn = BN_CTX_new()
    cdef int i, rc = -1
    b[0] = b[1] = b[2] = NULL
    try:
        if bn == NULL:
            raise MemoryError()
        for i, v in enumerate((X, Z, r)):
            if not 0 <= v < (1 << 256):
                raise ValueError("X, Z and r must be 256-bit non-negative integers")
            b[i] = _bn_of(v)
        rc = _x_matches(b[0], b[1], b[2], bn)
        ERR_clear_error()
        return rc
    finally:
        for i in range(3):
            BN_free(b[i])
        BN_CTX_free(bn)


def _set_threshold(int n):
    """Tests: build a key's table after n signatures checked under it (0 or 1: at the first);
    the previous threshold."""
    global _threshold
    old = _threshold
    _threshold = n
    return old


def _clear():
    """Tests: drop every table (those in use are freed by their last user) and every count."""
    cdef int i
    with nogil:
        PyThread_acquire_lock(_lock, WAIT_LOCK)
        for i in range(TABLES):
            if _tables[i] != NULL:
                _tables[i].evicted = True
                if _tables[i].refs == 0:
                    _table_free(_tables[i])
                _tables[i] = NULL
        memset(_counters, 0, sizeof(_counters))
        PyThread_release_lock(_lock)


def _inverse_fallbacks():
    """Tests: how many inverses fell back to BN_mod_inverse (0 unless _inverse is wrong or fails)."""
    return _fallbacks


def _counts():
    """Tests and benchmarks: (signatures answered here, tables built, tables kept now)."""
    cdef int i, kept = 0
    for i in range(TABLES):
        if _tables[i] != NULL:
            kept += 1
    return (_answered, _built, kept)


def _check(bytes subject_der, bytes issuer_der):
    """Tests: (this module's verdict, X509_verify's) for subject's signature under issuer's key,
    with a table built for that key now (regardless of the threshold). The verdicts are 1 valid,
    0 invalid, -1 not answered (this module) or error (X509_verify)."""
    cdef const unsigned char *p
    cdef X509 *subject = NULL
    cdef X509 *issuer = NULL
    cdef unsigned char *der = NULL
    cdef unsigned char *spki = NULL
    cdef unsigned char spki_md[32]
    cdef unsigned int mdlen
    cdef int n, m, fast, ref
    cdef int old = _threshold
    global _threshold
    p = <const unsigned char *>subject_der
    subject = d2i_X509(NULL, &p, len(subject_der))
    p = <const unsigned char *>issuer_der
    issuer = d2i_X509(NULL, &p, len(issuer_der))
    try:
        if subject == NULL or issuer == NULL or X509_get0_pubkey(issuer) == NULL:
            ERR_clear_error()
            raise ValueError("cannot decode the certificates or the issuer key")
        n = i2d_X509(subject, &der)
        m = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki)
        if n <= 0 or m <= 0 or EVP_Digest(spki, <size_t>m, spki_md, &mdlen, _sha256, NULL) != 1:
            raise ValueError("cannot encode the certificates")
        _threshold = 0
        try:
            fast = ecdsa_p256_verify(subject, X509_get0_pubkey(issuer), spki_md, der, <size_t>n)
        finally:
            _threshold = old
        ERR_set_mark()
        ref = X509_verify(subject, X509_get0_pubkey(issuer))
        ERR_pop_to_mark()
        return (fast, ref)
    finally:
        OPENSSL_free(der)
        OPENSSL_free(spki)
        X509_free(subject)
        X509_free(issuer)
