"""Certificate public keys for verification, made without OpenSSL 3.0's decoder search.

On OpenSSL 3.0 ``d2i_X509`` decodes the subject public key through ``OSSL_DECODER_CTX_new_for_pkey``,
which assembles a decoder chain out of every decoder of every loaded provider on each call: for
a P-256 leaf that costs about twice the ECDSA signature check itself, and it was most of what
verifying a new certificate cost. For the keys of the Web PKI (rsaEncryption, and id-ecPublicKey
on P-256, P-384 and P-521 named by OID) certcore hands the key's components straight to the
provider's key import (``EVP_PKEY_fromdata``; an EC key copies its curve from a parameter-only
key and then takes its point) -- the steps the decoder chain ends in -- and gets the same key
(``EVP_PKEY_eq``, same type, size and security bits) for a fraction of the cost. Every other
key, and every encoding that is not the canonical one (compressed or hybrid EC points,
non-minimal or negative RSA integers, explicit curve parameters, trailing bytes), is left to
OpenSSL's own decode, so no input is accepted here that OpenSSL rejects.

OpenSSL has no public call that gives an already-parsed ``X509`` its key: ``X509_set_pubkey``
re-encodes the SubjectPublicKeyInfo and marks the TBSCertificate modified, after which the
signature would be checked over a re-encoding instead of the bytes received. The key therefore
goes into the cached-key field of the certificate's ``X509_PUBKEY`` (the third pointer, after
``algor`` and ``public_key``; ``X509_PUBKEY_free`` frees it), and only when the import-time probe
below has confirmed that layout on the running libcrypto; otherwise ``install_key`` declines and
the caller parses the normal way.
"""
from openssl.asn1 cimport (
    ASN1_OBJECT, ASN1_STRING, ASN1_STRING_get0_data, ASN1_item_d2i_ex, V_ASN1_OBJECT, V_ASN1_NULL,
)
from openssl.bn cimport BIGNUM, BN_bin2bn, BN_free
from openssl.crypto cimport OSSL_LIB_CTX, OpenSSL_version_num
from openssl.evp cimport (
    EVP_PKEY, EVP_PKEY_CTX, EVP_PKEY_PUBLIC_KEY, EVP_PKEY_CTX_new_from_name, EVP_PKEY_CTX_free,
    EVP_PKEY_fromdata_init, EVP_PKEY_fromdata, EVP_PKEY_free, EVP_PKEY_eq, EVP_PKEY_new,
    EVP_PKEY_KEY_PARAMETERS, EVP_PKEY_copy_parameters, EVP_PKEY_set1_encoded_public_key,
)
from openssl.objects cimport (
    OBJ_obj2nid, NID_rsaEncryption, NID_X9_62_id_ecPublicKey, NID_X9_62_prime256v1, NID_secp384r1,
    NID_secp521r1,
)
from openssl.params cimport (
    OSSL_PARAM, OSSL_PARAM_construct_utf8_string, OSSL_PARAM_construct_end, OSSL_PARAM_free,
    OSSL_PKEY_PARAM_GROUP_NAME, OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
)
from openssl.param_build cimport (
    OSSL_PARAM_BLD, OSSL_PARAM_BLD_new, OSSL_PARAM_BLD_free, OSSL_PARAM_BLD_push_BN,
    OSSL_PARAM_BLD_to_param,
)
from openssl.x509 cimport (
    X509, X509_PUBKEY, X509_ALGOR, X509_get_X509_PUBKEY, X509_PUBKEY_get0_param, X509_ALGOR_get0,
    X509_PUBKEY_it, X509_PUBKEY_free, X509_PUBKEY_get0,
)
from _certcore.errors cimport clear_error_queue

cdef enum:
    KEY_SLOT = 2                    # X509_PUBKEY: algor, public_key, pkey, ...
    RSA_MAX_MODULUS_BYTES = 2048    # OpenSSL's RSA verify limit (16384 bits); larger: the decoder


cdef bint _probe_passed = False    # the import-time probe's verdict
cdef bint _slot_usable = False     # install_key works: the probe passed (and no test hook said no)


cdef inline EVP_PKEY **_key_slot(X509_PUBKEY *pub) noexcept nogil:
    return <EVP_PKEY **>(<void **>pub + KEY_SLOT)


cdef EVP_PKEY *_fromdata(const char *keytype, OSSL_PARAM *params) noexcept nogil:
    """A public key of keytype from params in the default library context, or NULL."""
    cdef EVP_PKEY *key = NULL
    cdef EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL)
    if ctx == NULL:
        return NULL
    if EVP_PKEY_fromdata_init(ctx) != 1 or EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1:
        key = NULL
    EVP_PKEY_CTX_free(ctx)
    return key


# Parameter-only keys of the three curves, made once by enable(): a new key copies its curve from
# one (EVP_PKEY_copy_parameters shares the curve's precomputation instead of building the group
# anew, a quarter of EVP_PKEY_fromdata's cost) and then takes its point. Read-only afterwards.
cdef EVP_PKEY *_curve_p256 = NULL
cdef EVP_PKEY *_curve_p384 = NULL
cdef EVP_PKEY *_curve_p521 = NULL


cdef EVP_PKEY *_curve_template(const char *group) noexcept:
    cdef OSSL_PARAM params[2]
    cdef EVP_PKEY *key = NULL
    cdef EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, b"EC", NULL)
    if ctx == NULL:
        return NULL
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, <char *>group, 0)
    params[1] = OSSL_PARAM_construct_end()
    if EVP_PKEY_fromdata_init(ctx) != 1 or EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEY_PARAMETERS, params) != 1:
        key = NULL
    EVP_PKEY_CTX_free(ctx)
    return key


cdef EVP_PKEY *_ec_key(int curve, const unsigned char *point, int n) noexcept nogil:
    """P-256/384/521 from an uncompressed point of exactly the curve's length; else NULL."""
    cdef EVP_PKEY *curve_key
    cdef EVP_PKEY *key
    cdef int want
    if curve == NID_X9_62_prime256v1:
        curve_key = _curve_p256
        want = 65
    elif curve == NID_secp384r1:
        curve_key = _curve_p384
        want = 97
    elif curve == NID_secp521r1:
        curve_key = _curve_p521
        want = 133
    else:
        return NULL
    if curve_key == NULL or n != want or point[0] != 0x04:
        return NULL
    key = EVP_PKEY_new()
    if key == NULL:
        return NULL
    # the point goes through EC_POINT_oct2point, which refuses a point not on the curve
    if EVP_PKEY_copy_parameters(key, curve_key) != 1 or EVP_PKEY_set1_encoded_public_key(key, point, <size_t>n) != 1:
        EVP_PKEY_free(key)
        return NULL
    return key


cdef Py_ssize_t _der_length(const unsigned char *d, Py_ssize_t n, Py_ssize_t *pos) noexcept nogil:
    """The minimal-DER length at d[*pos] (advancing *pos), or -1 when it is not one. Not
    ASN1_get_object (x509.pyx's reader for inspection): that one takes non-minimal lengths, and
    only the canonical encoding may take this path."""
    cdef Py_ssize_t i = pos[0], length, k
    cdef unsigned char b
    if i >= n:
        return -1
    b = d[i]
    i += 1
    if b < 0x80:
        pos[0] = i
        return b
    k = b & 0x7F
    if k == 0 or k > 3 or i + k > n or d[i] == 0:
        return -1
    length = 0
    while k > 0:
        length = (length << 8) | d[i]
        i += 1
        k -= 1
    if length < 0x80:
        return -1
    pos[0] = i
    return length


cdef bint _der_uint(const unsigned char *d, Py_ssize_t n, Py_ssize_t *pos,
                    const unsigned char **value, Py_ssize_t *vlen) noexcept nogil:
    """A positive, minimally encoded DER INTEGER at d[*pos]: its magnitude (no leading zero)."""
    cdef Py_ssize_t length
    if pos[0] >= n or d[pos[0]] != 0x02:
        return False
    pos[0] += 1
    length = _der_length(d, n, pos)
    if length <= 0 or pos[0] + length > n:
        return False
    value[0] = d + pos[0]
    vlen[0] = length
    pos[0] += length
    if value[0][0] & 0x80:
        return False                            # negative
    if value[0][0] == 0:
        if length == 1 or not (value[0][1] & 0x80):
            return False                        # zero, or a needless leading zero
        value[0] += 1
        vlen[0] -= 1
    return True


cdef EVP_PKEY *_rsa_key(const unsigned char *d, int n) noexcept nogil:
    """RSA from a DER RSAPublicKey (SEQUENCE { n INTEGER, e INTEGER }, nothing after); else NULL."""
    cdef Py_ssize_t pos = 1, length, mlen, elen
    cdef const unsigned char *m
    cdef const unsigned char *e
    cdef BIGNUM *bn_n = NULL
    cdef BIGNUM *bn_e = NULL
    cdef OSSL_PARAM_BLD *bld = NULL
    cdef OSSL_PARAM *params = NULL
    cdef EVP_PKEY *key = NULL
    if n < 2 or d[0] != 0x30:
        return NULL
    length = _der_length(d, n, &pos)
    if length < 0 or pos + length != n:
        return NULL
    if not _der_uint(d, n, &pos, &m, &mlen) or not _der_uint(d, n, &pos, &e, &elen) or pos != n:
        return NULL
    if mlen > RSA_MAX_MODULUS_BYTES or elen > mlen:
        return NULL
    bn_n = BN_bin2bn(m, <int>mlen, NULL)
    bn_e = BN_bin2bn(e, <int>elen, NULL)
    bld = OSSL_PARAM_BLD_new()
    if (bn_n != NULL and bn_e != NULL and bld != NULL
            and OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1
            and OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1):
        params = OSSL_PARAM_BLD_to_param(bld)
        if params != NULL:
            key = _fromdata(b"RSA", params)
            OSSL_PARAM_free(params)
    OSSL_PARAM_BLD_free(bld)
    BN_free(bn_n)
    BN_free(bn_e)
    return key


cdef EVP_PKEY *_key_of(X509_PUBKEY *pub) noexcept nogil:
    """The key of a SubjectPublicKeyInfo this module handles, or NULL (the decoder's job)."""
    cdef ASN1_OBJECT *alg = NULL
    cdef const unsigned char *pk = NULL
    cdef int pklen = 0
    cdef X509_ALGOR *pa = NULL
    cdef const ASN1_OBJECT *aobj = NULL
    cdef int ptype = 0
    cdef const void *pval = NULL
    cdef int nid
    if X509_PUBKEY_get0_param(&alg, &pk, &pklen, &pa, pub) != 1 or pa == NULL or pk == NULL or pklen <= 0:
        return NULL
    X509_ALGOR_get0(&aobj, &ptype, &pval, pa)
    nid = OBJ_obj2nid(aobj)
    if nid == NID_X9_62_id_ecPublicKey:
        if ptype != V_ASN1_OBJECT:
            return NULL                         # explicit curve parameters, or none
        return _ec_key(OBJ_obj2nid(<const ASN1_OBJECT *>pval), pk, pklen)
    if nid == NID_rsaEncryption:
        if ptype != V_ASN1_NULL:
            return NULL
        return _rsa_key(pk, pklen)
    return NULL


cdef extern from *:
    """
    /* The key slot is written once, by whichever thread gets there first: threads verifying the
       same new certificate make its key side by side, without the GIL. */
    static inline int certcore_publish_ptr(void **slot, void *value) {
        void *expected = NULL;
        return __atomic_compare_exchange_n(slot, &expected, value, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    static inline void *certcore_load_ptr(void **slot) {
        return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    }
    """
    bint certcore_publish_ptr(void **slot, void *value) nogil
    void *certcore_load_ptr(void **slot) nogil


cdef bint install_key(X509 *x) noexcept nogil:
    """Make sure x (parsed with its key left undecoded) holds the key OpenSSL's decoder would
    have made: True when it does, made now or by an earlier call, in any thread (the slot is
    published once, atomically; a thread that loses the race frees its equal key). False,
    leaving x untouched, when the probe failed, the key is not one handled here or its import
    failed: the caller then parses the normal way. The error queue is left clean."""
    cdef X509_PUBKEY *pub
    cdef EVP_PKEY *key
    if not _slot_usable:
        return False
    pub = X509_get_X509_PUBKEY(x)
    if pub == NULL:
        return False
    if certcore_load_ptr(<void **>_key_slot(pub)) != NULL:
        return True
    key = _key_of(pub)
    clear_error_queue()
    if key == NULL:
        return False
    if not certcore_publish_ptr(<void **>_key_slot(pub), key):    # owned by pub once published
        EVP_PKEY_free(key)
    return True


# A P-256 SubjectPublicKeyInfo: the probe's sample.
_PROBE_SPKI = bytes.fromhex(
    "3059301306072a8648ce3d020106082a8648ce3d030107034200045aad987239fd8a0b82006716c3f5ae0375df9b64"
    "d614684f35145ffa32b3a441bd850205a07503779bac91f0379adc385ab8ec106494866fb7e75c7410866a1b"
)


cdef bint _probe(OSSL_LIB_CTX *undecoded_ctx) noexcept:
    """True when the running libcrypto keeps an X509_PUBKEY's key where install_key puts it:
    a normally decoded sample has its algor, bit string and key in the three first pointers, a
    sample parsed in undecoded_ctx has no key there, and once installed, X509_PUBKEY_get0 returns
    the installed key, which equals the decoded one."""
    cdef bytes der = _PROBE_SPKI
    cdef const unsigned char *p
    cdef X509_PUBKEY *decoded = NULL
    cdef X509_PUBKEY *bare = NULL
    cdef const unsigned char *pk = NULL
    cdef int pklen = 0
    cdef X509_ALGOR *pa = NULL
    cdef EVP_PKEY *key = NULL
    cdef bint ok = False
    if OpenSSL_version_num() >> 28 != 3:
        return False
    p = der
    decoded = <X509_PUBKEY *>ASN1_item_d2i_ex(NULL, &p, len(der), X509_PUBKEY_it(), NULL, NULL)
    p = der
    bare = <X509_PUBKEY *>ASN1_item_d2i_ex(NULL, &p, len(der), X509_PUBKEY_it(), undecoded_ctx, NULL)
    if decoded != NULL and bare != NULL and X509_PUBKEY_get0(decoded) != NULL:
        ok = (X509_PUBKEY_get0_param(NULL, &pk, &pklen, &pa, decoded) == 1 and pa != NULL
              and (<void **>decoded)[0] == <void *>pa
              and ASN1_STRING_get0_data(<ASN1_STRING *>(<void **>decoded)[1]) == pk
              and _key_slot(decoded)[0] == X509_PUBKEY_get0(decoded)
              and _key_slot(bare)[0] == NULL)
        if ok:
            key = _key_of(bare)
            ok = key != NULL and EVP_PKEY_eq(key, X509_PUBKEY_get0(decoded)) == 1
            if ok:
                _key_slot(bare)[0] = key
                ok = X509_PUBKEY_get0(bare) == key
            else:
                EVP_PKEY_free(key)
    X509_PUBKEY_free(decoded)
    X509_PUBKEY_free(bare)
    clear_error_queue()
    return ok


cdef bint enable(OSSL_LIB_CTX *undecoded_ctx) noexcept:
    """Run the probe once (x509's import does, with its provider-less library context)."""
    global _slot_usable, _probe_passed, _curve_p256, _curve_p384, _curve_p521
    _curve_p256 = _curve_template(b"prime256v1")
    _curve_p384 = _curve_template(b"secp384r1")
    _curve_p521 = _curve_template(b"secp521r1")
    clear_error_queue()
    _probe_passed = _probe(undecoded_ctx)
    _slot_usable = _probe_passed
    return _slot_usable


def fast_keys_enabled():
    """Whether verification keys are made here (the probe passed and no test turned it off)."""
    return _slot_usable


def _use_decoder_only(bint on):
    """Test hook: on, install_key declines every key (OpenSSL's decoder makes them all, as
    before this module); off, back to the probe's verdict. For differential verdicts."""
    global _slot_usable
    _slot_usable = _probe_passed and not on
