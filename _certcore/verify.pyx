"""certcore.Verifier: certificate chain verification without a socket.

A Verifier reproduces what OpenSSL's ``ssl_verify_cert_chain`` does during a handshake of a
``create_default_context()`` context: ``X509_STORE_CTX_init(store, leaf, untrusted)``,
``X509_STORE_CTX_set_default(ctx, "ssl_server")`` (``"ssl_client"`` for purpose "client"), the
security level as the auth level, then ``X509_VERIFY_PARAM_set1`` with the context's param (flags,
hostflags, depth). So its verdicts, codes and messages are those of a certcore/stdlib handshake.

CRL checks: a Verifier checks CRLs only when asked (``crl="leaf"`` is VERIFY_CRL_CHECK_LEAF,
``crl="chain"`` VERIFY_CRL_CHECK_CHAIN), as a context does only when its verify_flags say so; the
CRLs come from the TrustStore (cadata/cafile holding CRLs).
"""
import datetime as _datetime

from cpython.bytes cimport PyBytes_AS_STRING
from libc.limits cimport INT_MAX
from libc.stdlib cimport malloc, free
from libc.string cimport memset, memcmp, memcpy
from libc.time cimport time_t, time, tm
from cpython.pythread cimport (
    PyThread_type_lock, PyThread_allocate_lock, PyThread_acquire_lock, PyThread_release_lock, WAIT_LOCK,
)
from openssl.crypto cimport OPENSSL_free
from openssl.evp cimport EVP_MD, EVP_MD_fetch, EVP_Digest, EVP_PKEY
from openssl.x509 cimport i2d_X509, i2d_X509_PUBKEY, X509_get_X509_PUBKEY, X509_get0_pubkey, X509_verify
from openssl.x509 cimport X509_get0_notBefore, X509_get0_notAfter
from openssl.x509v3 cimport (
    X509_get_extension_flags, X509_get_key_usage, EXFLAG_SS, EXFLAG_CA, EXFLAG_KUSAGE, EXFLAG_PROXY,
    KU_KEY_CERT_SIGN, KU_DIGITAL_SIGNATURE,
)

from openssl.asn1 cimport ASN1_OCTET_STRING, ASN1_OCTET_STRING_free, ASN1_STRING_get0_data, ASN1_STRING_length
from openssl.err cimport ERR_clear_error
from openssl.ssl cimport SSL_CTX_get0_param, SSL_CTX_get_security_level
from openssl.x509 cimport X509, X509_free, X509_up_ref
from openssl.x509_vfy cimport *
from openssl.x509v3 cimport a2i_IPADDRESS

from _certcore.context cimport ContextCore, default_context_verify_flags
from _certcore.asn1time cimport cert_time_now, cmp_cert_time
from _certcore.ecverify cimport ecdsa_p256_verify
from _certcore.policy cimport StrictFailure, strict_chain_violation
from _certcore.errors cimport build_verify_error, raise_from_queue, SITE_CONTEXT
from _certcore.truststore cimport TrustStore, AnchorKey, anchor_spki_sha256
from _certcore.x509 cimport Certificate, certificate_from_x509, verification_x509, adopt_full

import ssl as _ssl

# The signature cache (process-wide: one intermediate serves every Verifier): an entry is
# SHA-256(certificate DER) || SHA-256(issuer SubjectPublicKeyInfo DER) of a signature that
# X509_verify (or ecverify) accepted; the certificate DER is the bytes its Certificate was parsed
# from, or i2d_X509's for an X509 of the C API. Bounded and two-way set-associative, least recently
# used out: the entry every chain through an intermediate hits stays however many new leaves land
# in its set, and two entries that share a set both stay (direct-mapped, one verification's own
# two entries could evict each other). The lock is held only for a lookup or an insert, never
# across a signature check.
cdef enum:
    CACHE_SETS = 2048
    CACHE_WAYS = 2      # way 0 is the set's most recently used entry
    KEY_LEN = 64

# verify_many's chunk: Items on the C stack (about 2.5 KB)
cdef enum:
    _CHUNK = 8

cdef unsigned char _cache[CACHE_SETS][CACHE_WAYS][KEY_LEN]
cdef bint _cache_used[CACHE_SETS][CACHE_WAYS]
cdef PyThread_type_lock _cache_lock = PyThread_allocate_lock()
cdef EVP_MD *_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)
cdef bint _own_verify = True        # False: OpenSSL's internal_verify (the differential tests' reference)
cdef unsigned long _hits = 0, _misses = 0
if _cache_lock == NULL or _sha256 == NULL:
    raise ImportError("certcore.verify: cannot set up the signature cache")


# What the verification this thread is running knows of its certificates (Verifier.verify and
# verify_many set it around verify_x509; the C API does not): for the caller's Certificates,
# _signature_ok takes the DER from the Certificate instead of encoding the X509 again, and an
# intermediate's two digests from the Certificate, where they are computed once; for a trust
# anchor, its key's digest from the TrustStore. Thread-local, as verifications run in many threads
# at once without the GIL.
cdef struct Known:
    X509 *x                         # the verification X509 (set once it exists: _known_begin)
    const unsigned char *der        # the Certificate's DER, which that X509 was parsed from
    size_t n
    const unsigned char *sha256s    # Certificate.sha256s (DER, then SPKI), or NULL (the leaf)

cdef struct KnownSet:
    const Known *known              # the leaf, then the untrusted stack's certificates
    int nknown
    const AnchorKey *anchors
    Py_ssize_t nanchors

cdef extern from *:
    """
    static __thread const void *certcore_known_set_now = NULL;
    static inline void certcore_known_set(const void *set) { certcore_known_set_now = set; }
    static inline const void *certcore_known_get(void) { return certcore_known_set_now; }
    """
    void certcore_known_set(const void *known_set) nogil
    const void *certcore_known_get() nogil


cdef const Known *_known_of(X509 *x) noexcept nogil:
    cdef int i
    cdef const KnownSet *ks = <const KnownSet *>certcore_known_get()
    if ks != NULL:
        for i in range(ks.nknown):
            if ks.known[i].x == x:
                return &ks.known[i]
    return NULL


cdef const unsigned char *_anchor_spki_sha256(X509 *x) noexcept nogil:
    cdef const KnownSet *ks = <const KnownSet *>certcore_known_get()
    if ks == NULL:
        return NULL
    return anchor_spki_sha256(ks.anchors, ks.nanchors, x)


cdef int _sig_key(const unsigned char *der, int n, const Known *subject, X509 *issuer, const Known *ki,
                  unsigned char *key) noexcept nogil:
    """The cache key of (a certificate's DER, issuer's key); 0 when it cannot be computed."""
    cdef unsigned char *spki = NULL
    cdef unsigned int mdlen = 0
    cdef const unsigned char *anchor
    if subject != NULL and subject.sha256s != NULL:
        memcpy(key, subject.sha256s, 32)
    elif EVP_Digest(der, <size_t>n, key, &mdlen, _sha256, NULL) != 1 or mdlen != 32:
        return 0
    if ki != NULL and ki.sha256s != NULL:
        memcpy(key + 32, ki.sha256s + 32, 32)
        return 1
    anchor = _anchor_spki_sha256(issuer) if ki == NULL else NULL
    if anchor != NULL:
        memcpy(key + 32, anchor, 32)
        return 1
    n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki)
    if n <= 0:
        return 0
    if EVP_Digest(spki, <size_t>n, key + 32, &mdlen, _sha256, NULL) != 1 or mdlen != 32:
        OPENSSL_free(spki)
        return 0
    OPENSSL_free(spki)
    return 1


cdef inline size_t _set_of(const unsigned char *key) noexcept nogil:
    return ((<size_t>key[0] << 8) | key[1] | (<size_t>key[2] << 16)) % CACHE_SETS


cdef inline bint _in_way(size_t s, int w, const unsigned char *key) noexcept nogil:
    return _cache_used[s][w] and memcmp(_cache[s][w], key, KEY_LEN) == 0


cdef void _to_front(size_t s) noexcept nogil:
    """Under _cache_lock: set s's way 1 becomes its most recently used entry (way 0), and way 0 way 1."""
    cdef unsigned char held[KEY_LEN]
    cdef bint used = _cache_used[s][0]
    memcpy(held, _cache[s][0], KEY_LEN)
    memcpy(_cache[s][0], _cache[s][1], KEY_LEN)
    memcpy(_cache[s][1], held, KEY_LEN)
    _cache_used[s][0] = _cache_used[s][1]
    _cache_used[s][1] = used


cdef bint _cache_has(const unsigned char *key) noexcept nogil:
    cdef size_t s = _set_of(key)
    cdef bint found
    global _hits, _misses
    PyThread_acquire_lock(_cache_lock, WAIT_LOCK)
    found = _in_way(s, 0, key)
    if not found and _in_way(s, 1, key):
        _to_front(s)
        found = True
    if found:
        _hits += 1
    else:
        _misses += 1
    PyThread_release_lock(_cache_lock)
    return found


cdef void _cache_add(const unsigned char *key) noexcept nogil:
    cdef size_t s = _set_of(key)
    PyThread_acquire_lock(_cache_lock, WAIT_LOCK)
    if _in_way(s, 1, key):          # another thread added it meanwhile
        _to_front(s)
    elif not _in_way(s, 0, key):    # the least recently used entry goes
        memcpy(_cache[s][1], _cache[s][0], KEY_LEN)
        _cache_used[s][1] = _cache_used[s][0]
        memcpy(_cache[s][0], key, KEY_LEN)
        _cache_used[s][0] = True
    PyThread_release_lock(_cache_lock)


cdef int _signature_ok(X509 *subject, X509 *issuer, EVP_PKEY *pkey) noexcept nogil:
    """X509_verify(subject, pkey) > 0, answered from the cache when this exact certificate was
    verified under this exact key before, and by ecverify's table when this key has one."""
    cdef unsigned char key[KEY_LEN]
    cdef unsigned char *enc = NULL
    cdef const unsigned char *der
    cdef const Known *ks = _known_of(subject)
    cdef int n, have
    cdef int ok = -1
    if ks != NULL:
        der = ks.der
        n = <int>ks.n
    else:
        n = i2d_X509(subject, &enc)
        der = enc
    have = n > 0 and _sig_key(der, n, ks, issuer, _known_of(issuer), key)
    if have:
        if _cache_has(key):
            OPENSSL_free(enc)
            return 1
        ok = ecdsa_p256_verify(subject, pkey, key + 32, der, <size_t>n)
    OPENSSL_free(enc)
    if ok < 0:
        ok = X509_verify(subject, pkey) > 0
    if ok and have:
        _cache_add(key)
    return ok


cdef int _fail(X509_STORE_CTX *ctx, X509 *x, int depth, int err) noexcept nogil:
    """OpenSSL's verify_cb_cert: report err at depth to the verify callback; its answer."""
    cdef X509_STORE_CTX_verify_cb cb = X509_STORE_CTX_get_verify_cb(ctx)
    X509_STORE_CTX_set_error_depth(ctx, depth)
    X509_STORE_CTX_set_current_cert(ctx, x if x != NULL else sk_X509_value(X509_STORE_CTX_get0_chain(ctx), depth))
    if err != X509_V_OK:
        X509_STORE_CTX_set_error(ctx, err)
    return cb(0, ctx)


cdef int _check_time(X509_STORE_CTX *ctx, X509 *x, int depth, const tm *now, time_t *ptime) noexcept nogil:
    """OpenSSL 3.0's x509_check_cert_time (depth >= 0 here), against the time _internal_verify
    took once for the whole chain (now: broken down; NULL: X509_cmp_time with ptime)."""
    cdef int i
    i = cmp_cert_time(X509_get0_notBefore(x), now) if now != NULL else X509_cmp_time(X509_get0_notBefore(x), ptime)
    if i == 0 and not _fail(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD):
        return 0
    if i > 0 and not _fail(ctx, x, depth, X509_V_ERR_CERT_NOT_YET_VALID):
        return 0
    i = cmp_cert_time(X509_get0_notAfter(x), now) if now != NULL else X509_cmp_time(X509_get0_notAfter(x), ptime)
    if i == 0 and not _fail(ctx, x, depth, X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD):
        return 0
    if i < 0 and not _fail(ctx, x, depth, X509_V_ERR_CERT_HAS_EXPIRED):
        return 0
    return 1


cdef inline bint _ku_reject(X509 *x, unsigned int usage) noexcept nogil:
    return (X509_get_extension_flags(x) & EXFLAG_KUSAGE) != 0 and (X509_get_key_usage(x) & usage) == 0


cdef int _signing_allowed(X509 *issuer, X509 *subject) noexcept nogil:
    """OpenSSL 3.0's x509_signing_allowed."""
    if X509_get_extension_flags(subject) & EXFLAG_PROXY:
        if _ku_reject(issuer, KU_DIGITAL_SIGNATURE):
            return X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE
    elif _ku_reject(issuer, KU_KEY_CERT_SIGN):
        return X509_V_ERR_KEYUSAGE_NO_CERTSIGN
    return X509_V_OK


cdef int _internal_verify(X509_STORE_CTX *ctx) noexcept nogil:
    """OpenSSL 3.0's internal_verify (x509_vfy.c) with the signature check through the cache.
    (bare_ta_signed is DANE's, which a Verifier never enables.)"""
    cdef stack_st_X509 *chain = X509_STORE_CTX_get0_chain(ctx)
    cdef int n = sk_X509_num(chain) - 1
    cdef X509 *xi = sk_X509_value(chain, n)
    cdef X509 *xs
    cdef EVP_PKEY *pkey
    cdef int issuer_depth, ret
    cdef unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(ctx))
    cdef X509_STORE_CTX_verify_cb cb = X509_STORE_CTX_get_verify_cb(ctx)
    cdef X509_STORE_CTX_check_issued_fn check_issued = X509_STORE_CTX_get_check_issued(ctx)
    cdef bint skip_sig = False
    cdef bint check_time = True
    cdef time_t t
    cdef time_t *ptime = NULL
    cdef tm now_tm
    cdef const tm *now = NULL
    if flags & X509_V_FLAG_USE_CHECK_TIME:
        t = X509_VERIFY_PARAM_get_time(X509_STORE_CTX_get0_param(ctx))
        ptime = &t
    elif flags & X509_V_FLAG_NO_CHECK_TIME:
        check_time = False
    else:
        t = time(NULL)
        ptime = &t
    if check_time and cert_time_now(t, &now_tm):
        now = &now_tm
    if check_issued(ctx, xi, xi):
        xs = xi     # the typical case: the last certificate is self-issued
    elif flags & X509_V_FLAG_PARTIAL_CHAIN:
        xs = xi
        skip_sig = True
    elif n <= 0:
        if not _fail(ctx, xi, 0, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE):
            return 0
        xs = xi
        skip_sig = True
    else:
        n -= 1
        X509_STORE_CTX_set_error_depth(ctx, n)
        xs = sk_X509_value(chain, n)
    while n >= 0:
        if not skip_sig and (xs != xi or ((flags & X509_V_FLAG_CHECK_SS_SIGNATURE) != 0
                                          and (X509_get_extension_flags(xi) & EXFLAG_SS) != 0)):
            issuer_depth = n + (0 if xs == xi else 1)
            if xs == xi and (X509_get_extension_flags(xi) & EXFLAG_CA) == 0:
                ret = X509_V_OK
            else:
                ret = _signing_allowed(xi, xs)
            if ret != X509_V_OK and not _fail(ctx, xi, issuer_depth, ret):
                return 0
            pkey = X509_get0_pubkey(xi)
            if pkey == NULL:
                if not _fail(ctx, xi, issuer_depth, X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY):
                    return 0
            elif not _signature_ok(xs, xi, pkey):
                if not _fail(ctx, xs, n, X509_V_ERR_CERT_SIGNATURE_FAILURE):
                    return 0
        skip_sig = False
        # in addition to RFC 5280, the trusted (root) certificate's time is checked too
        if check_time and not _check_time(ctx, xs, n, now, ptime):
            return 0
        # success at this depth (the previous error, if any, stays)
        X509_STORE_CTX_set_current_cert(ctx, xs)
        X509_STORE_CTX_set_error_depth(ctx, n)
        if not cb(1, ctx):
            return 0
        n -= 1
        if n >= 0:
            xi = xs
            xs = sk_X509_value(chain, n)
    return 1


def _set_own_verify(bint on):
    """Tests: True (default) uses certcore's signature pass and cache, False OpenSSL's own."""
    global _own_verify
    _own_verify = on


def _cache_clear():
    """Tests: forget every cached signature; the (hits, misses) so far."""
    global _hits, _misses
    cdef tuple counts
    with nogil:
        PyThread_acquire_lock(_cache_lock, WAIT_LOCK)
        memset(_cache_used, 0, sizeof(_cache_used))
    counts = (_hits, _misses)
    _hits = _misses = 0
    PyThread_release_lock(_cache_lock)
    return counts


def _cache_counts():
    """Tests: (hits, misses) since the last _cache_clear."""
    return (_hits, _misses)


def _cache_set(Certificate c not None):
    """Tests: the cache set that c's signature entries (under any issuer key) go to."""
    return _set_of(c.sha256s())


cdef object _PROTOCOL_TLS_CLIENT = _ssl.PROTOCOL_TLS_CLIENT
cdef object _PROTOCOL_TLS_SERVER = _ssl.PROTOCOL_TLS_SERVER
cdef object _SSLCertVerificationError = _ssl.SSLCertVerificationError


cdef int verify_x509(const VerifyConfig *cfg, X509 *leaf, stack_st_X509 *untrusted,
                     const char *host, size_t hostlen, const unsigned char *ip, size_t iplen,
                     stack_st_X509 **chain_out, StrictFailure *failure) noexcept nogil:
    cdef X509_STORE_CTX *ctx
    cdef stack_st_X509 *chain
    cdef int sv
    cdef X509_VERIFY_PARAM *param
    cdef int rc, code = X509_V_ERR_UNSPECIFIED
    if chain_out != NULL:
        chain_out[0] = NULL
    if failure != NULL:
        failure.code = 0
    ctx = X509_STORE_CTX_new()
    if ctx == NULL:
        ERR_clear_error()
        return X509_V_ERR_UNSPECIFIED
    try:
        if X509_STORE_CTX_init(ctx, cfg.store, leaf, untrusted) != 1:
            return X509_V_ERR_UNSPECIFIED
        # ssl_verify_cert_chain's order: the purpose's defaults, then the context's param over them
        if X509_STORE_CTX_set_default(ctx, cfg.purpose) != 1:
            return X509_V_ERR_UNSPECIFIED
        param = X509_STORE_CTX_get0_param(ctx)
        if X509_VERIFY_PARAM_set1(param, cfg.param) != 1:
            return X509_V_ERR_UNSPECIFIED
        if _own_verify:
            X509_STORE_CTX_set_verify(ctx, _internal_verify)
        if host != NULL and X509_VERIFY_PARAM_set1_host(param, host, hostlen) != 1:
            return X509_V_ERR_UNSPECIFIED
        if ip != NULL and X509_VERIFY_PARAM_set1_ip(param, ip, iplen) != 1:
            return X509_V_ERR_UNSPECIFIED
        rc = X509_verify_cert(ctx)
        code = X509_STORE_CTX_get_error(ctx)
        if rc != 1:
            # an internal failure (rc < 0) may leave the code at OK: it is still a rejection
            if code == X509_V_OK:
                code = X509_V_ERR_UNSPECIFIED
        elif chain_out != NULL or cfg.strict:
            chain = X509_STORE_CTX_get1_chain(ctx)
            if chain == NULL:
                return X509_V_ERR_OUT_OF_MEM
            if cfg.strict:
                if failure == NULL:
                    _free_chain(chain)
                    return X509_V_ERR_UNSPECIFIED
                sv = strict_chain_violation(chain, failure)
                if sv != 0:
                    _free_chain(chain)
                    if sv < 0:
                        failure.code = 0
                        return X509_V_ERR_UNSPECIFIED
                    return failure.code
            if chain_out != NULL:
                chain_out[0] = chain
            else:
                _free_chain(chain)
        return code
    finally:
        X509_STORE_CTX_free(ctx)
        ERR_clear_error()


cdef void _free_chain(stack_st_X509 *sk) noexcept nogil:
    if sk != NULL:
        sk_X509_pop_free(sk, X509_free)


# A certificate whose verification X509 (verification_x509) is still to be made, without the GIL.
cdef struct Pending:
    X509 *inspected             # the Certificate's inspection parse (borrowed, as der)
    const unsigned char *der    # the Certificate's DER (its bytes object is kept by _Prepared)
    Py_ssize_t n
    int index                   # -1: the leaf; else its position in the untrusted stack
    X509 *x                     # owned once made, until adopt_full hands it to the Certificate


# One converted input: what verify_x509 takes, plus the Python objects that own its memory.
cdef struct Item:
    X509 *leaf                  # borrowed: a Certificate's full X509, or a Pending's
    Pending *pending            # borrowed from the item's _Prepared
    int npending
    bint parse_failed
    stack_st_X509 *untrusted    # owned (references taken), or NULL
    const char *host
    size_t hostlen
    const unsigned char *ip
    size_t iplen
    int code
    stack_st_X509 *chain        # owned result
    StrictFailure failure       # the strict policy's verdict (failure.code != 0: its message applies)
    Known *known                # borrowed from the item's _Prepared: the leaf, then the untrusted stack's
    int nknown


cdef class _Prepared:
    """Owner of one converted input's Python-side memory and of its pending parses."""
    cdef object leaf_obj, host_bytes, hostname
    cdef list inters            # the intermediates' Certificates, in the untrusted stack's order
    cdef ASN1_OCTET_STRING *ip
    cdef Pending *pending
    cdef int npending
    cdef list pending_certs     # the Certificate of each Pending, same order
    cdef Known *known           # the leaf, then the intermediates (their DER, kept by leaf_obj and inters)

    cdef int add_pending(self, Certificate c, int index, int capacity) except -1:
        cdef bytes der = c._der
        if self.pending == NULL:
            self.pending = <Pending *>malloc(capacity * sizeof(Pending))
            if self.pending == NULL:
                raise MemoryError()
            self.pending_certs = []
        self.pending[self.npending].inspected = c._x509
        self.pending[self.npending].der = <const unsigned char *>PyBytes_AS_STRING(der)
        self.pending[self.npending].n = len(der)
        self.pending[self.npending].index = index
        self.pending[self.npending].x = NULL
        self.npending += 1
        self.pending_certs.append(c)
        return 0

    cdef void publish(self) noexcept:
        """Hand every parsed X509 to its Certificate (with the GIL), so later calls reuse it."""
        cdef int i
        for i in range(self.npending):
            if self.pending[i].x != NULL:
                adopt_full(<Certificate>self.pending_certs[i], self.pending[i].x)
                self.pending[i].x = NULL

    def __dealloc__(self):
        cdef int i
        free(self.known)
        if self.ip != NULL:
            ASN1_OCTET_STRING_free(self.ip)
        if self.pending != NULL:
            for i in range(self.npending):
                if self.pending[i].x != NULL:
                    X509_free(self.pending[i].x)
            free(self.pending)


cdef void _parse_pending(Item *item) noexcept nogil:
    """Make the verification X509s _prepare left for later, without the GIL: making a key is a
    fair part of a new certificate's cost (all of OpenSSL 3.0's decode for the keys spki.pyx
    leaves to it), and threads must not queue for the GIL through it."""
    cdef int i
    cdef Pending *p
    for i in range(item.npending):
        p = &item.pending[i]
        p.x = verification_x509(p.inspected, p.der, p.n)
        if p.x == NULL:
            item.parse_failed = True
            return
        if p.index < 0:
            item.leaf = p.x
        else:
            if X509_up_ref(p.x) != 1:
                item.parse_failed = True
                return
            # the stack's reference (freed with the stack); the slot held NULL until now
            sk_X509_set(item.untrusted, p.index, p.x)


cdef int _finish_prepared(Item *item, _Prepared p) except -1:
    """After the nogil pass: publish the parses; a failed one is the caller's ValueError."""
    p.publish()
    if item.parse_failed:
        raise ValueError("invalid DER certificate")
    return 0


cdef _Prepared _prepare(object leaf, object intermediates, object hostname, Item *item):
    """Check and convert one (leaf, intermediates, hostname) into *item (untrusted owned by item)."""
    cdef _Prepared p = _Prepared.__new__(_Prepared)
    cdef Certificate c
    cdef bytes host
    cdef Py_ssize_t i
    if not isinstance(leaf, Certificate):
        raise TypeError(f"leaf must be a certcore.Certificate, not {type(leaf).__name__}")
    if isinstance(intermediates, (str, bytes, Certificate)):
        raise TypeError("intermediates must be an iterable of certcore.Certificate")
    inters = list(intermediates)
    for x in inters:
        if not isinstance(x, Certificate):
            raise TypeError(f"intermediates must hold certcore.Certificate, not {type(x).__name__}")
    p.leaf_obj = leaf
    p.inters = inters
    p.hostname = hostname
    c = <Certificate>leaf
    if c._der is None:
        raise ValueError("Certificate object is not initialized")
    if c._full != NULL:
        item.leaf = c._full
    else:
        p.add_pending(c, -1, len(inters) + 1)
    if hostname is not None:
        if not isinstance(hostname, str):
            raise TypeError(f"hostname must be str or None, not {type(hostname).__name__}")
        try:
            host = hostname.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("hostname must be an ASCII (IDNA-encoded) name or an IP address") from None
        if len(host) == 0 or host[:1] == b".":
            raise ValueError("hostname cannot be an empty string or start with a leading dot.")
        if b"\0" in host:
            raise ValueError("hostname must not contain NUL characters")
        p.ip = a2i_IPADDRESS(host)
        if p.ip == NULL:
            ERR_clear_error()
            p.host_bytes = host
            item.host = PyBytes_AS_STRING(host)
            item.hostlen = <size_t>len(host)
        else:
            item.ip = ASN1_STRING_get0_data(p.ip)
            item.iplen = <size_t>ASN1_STRING_length(p.ip)
    if inters:
        item.untrusted = sk_X509_new_null()
        if item.untrusted == NULL:
            raise MemoryError()
        for x in inters:
            c = <Certificate>x
            if c._der is None:
                raise ValueError("Certificate object is not initialized")
            xp = c._full
            if xp == NULL:
                # a NULL slot, filled by _parse_pending
                p.add_pending(c, sk_X509_num(item.untrusted), len(inters) + 1)
            elif X509_up_ref(xp) != 1:
                raise MemoryError()
            if sk_X509_push(item.untrusted, xp) <= 0:
                if xp != NULL:
                    X509_free(xp)
                raise MemoryError()
    p.known = <Known *>malloc((len(inters) + 1) * sizeof(Known))
    if p.known == NULL:
        raise MemoryError()
    c = <Certificate>leaf
    p.known[0].x = NULL
    p.known[0].der = <const unsigned char *>PyBytes_AS_STRING(c._der)
    p.known[0].n = <size_t>len(c._der)
    p.known[0].sha256s = NULL       # a new leaf's DER is digested once, without the GIL
    for i, x in enumerate(inters):
        c = <Certificate>x
        p.known[i + 1].x = NULL
        p.known[i + 1].der = <const unsigned char *>PyBytes_AS_STRING(c._der)
        p.known[i + 1].n = <size_t>len(c._der)
        p.known[i + 1].sha256s = c.sha256s()
    item.known = p.known
    item.nknown = len(inters) + 1
    item.pending = p.pending
    item.npending = p.npending
    return p


cdef void _known_begin(Item *item, const VerifyConfig *cfg, KnownSet *ks) noexcept nogil:
    """Make item's certificates and cfg's anchors what this thread's verification knows (the
    item's X509s exist now)."""
    cdef int i
    item.known[0].x = item.leaf
    for i in range(1, item.nknown):
        item.known[i].x = sk_X509_value(item.untrusted, i - 1)
    ks.known = item.known
    ks.nknown = item.nknown
    ks.anchors = cfg.anchors
    ks.nanchors = cfg.nanchors
    certcore_known_set(ks)


cdef inline void _known_end() noexcept nogil:
    certcore_known_set(NULL)


cdef object _result(Item *item, _Prepared p, dict anchors):
    """The chain as a list of Certificates, or the SSLCertVerificationError (not raised).

    A chain certificate that is the caller's leaf or one of its intermediates (the same X509) is
    that very Certificate object, and a certificate from the store is the one Certificate the
    Verifier made for it the first time (anchors, keyed by the X509's address: the Certificate
    holds a reference, so the address cannot be reused while the entry exists). That keeps the
    work done with the GIL (verify_many's threads queue for it) small: no DER encoding per call."""
    cdef int i, j, n
    cdef X509 *x
    if item.code != X509_V_OK:
        if item.failure.code != 0:
            return build_verify_error(item.code, p.hostname, item.failure.message.decode("utf-8", "replace"))
        return build_verify_error(item.code, p.hostname)
    n = sk_X509_num(item.untrusted) if item.untrusted != NULL else 0
    chain = []
    for i in range(sk_X509_num(item.chain)):
        x = sk_X509_value(item.chain, i)
        if x == item.leaf:
            chain.append(p.leaf_obj)
            continue
        for j in range(n):
            if x == sk_X509_value(item.untrusted, j):
                chain.append(p.inters[j])
                break
        else:
            anchor = anchors.get(<size_t>x)
            if anchor is None:
                anchor = anchors[<size_t>x] = certificate_from_x509(x)
            chain.append(anchor)
    return chain


cdef class Verifier:
    """Verifies certificate chains against a TrustStore with the verdicts of a
    ``create_default_context()`` handshake."""

    def __cinit__(self):
        self.cfg.param = NULL
        self.cfg.store = NULL
        self._anchors = {}

    def __init__(self, trust, *, purpose="server", at=None, max_depth=None, strict=False, crl=None):
        cdef ContextCore core
        cdef long t
        if not isinstance(trust, TrustStore):
            raise TypeError(f"trust must be a certcore.TrustStore, not {type(trust).__name__}")
        if self.cfg.param != NULL:
            raise RuntimeError("Verifier is already initialized")
        if not isinstance(purpose, str):
            raise TypeError(f"purpose must be 'server' or 'client', not {type(purpose).__name__}")
        if purpose not in ("server", "client"):
            raise ValueError(f"purpose must be 'server' or 'client', not {purpose!r}")
        if crl is not None and crl not in ("leaf", "chain"):
            raise ValueError(f"crl must be None, 'leaf' or 'chain', not {crl!r}")
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be a bool, not {type(strict).__name__}")
        if at is not None:
            if isinstance(at, _datetime.datetime):
                if at.tzinfo is None or at.utcoffset() is None:
                    raise ValueError("at must be a timezone-aware datetime (a naive one is ambiguous)")
                at = int(at.timestamp())
            elif isinstance(at, bool) or not isinstance(at, int):
                raise TypeError(f"at must be None, int seconds or an aware datetime, not {type(at).__name__}")
            if not (-(1 << 62) < at < (1 << 62)):
                raise OverflowError("at is out of range")
            t = at
        if max_depth is not None:
            if isinstance(max_depth, bool) or not isinstance(max_depth, int):
                raise TypeError(f"max_depth must be None or an int, not {type(max_depth).__name__}")
            if max_depth < 0:
                raise ValueError("max_depth must be >= 0")
            if max_depth > INT_MAX:
                raise OverflowError("max_depth is too large")
        # The param of the context create_default_context builds for this purpose (context.pyx
        # is the one home of its defaults; 3.13's extra flags are client.py's rule, repeated here
        # because _certcore never imports certcore)
        core = ContextCore(_PROTOCOL_TLS_CLIENT if purpose == "server" else _PROTOCOL_TLS_SERVER)
        self.cfg.param = X509_VERIFY_PARAM_new()
        if self.cfg.param == NULL:
            raise_from_queue(SITE_CONTEXT)
        if X509_VERIFY_PARAM_set1(self.cfg.param, SSL_CTX_get0_param(core.ctx)) != 1:
            raise_from_queue(SITE_CONTEXT)
        X509_VERIFY_PARAM_set_auth_level(self.cfg.param, SSL_CTX_get_security_level(core.ctx))
        if default_context_verify_flags():
            X509_VERIFY_PARAM_set_flags(self.cfg.param, default_context_verify_flags())
        if strict:
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_X509_STRICT)
        if crl == "leaf":
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_CRL_CHECK)
        elif crl == "chain":
            X509_VERIFY_PARAM_set_flags(self.cfg.param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL)
        if at is not None:
            X509_VERIFY_PARAM_set_time(self.cfg.param, t)
        if max_depth is not None:
            X509_VERIFY_PARAM_set_depth(self.cfg.param, <int>max_depth)
        self._trust = trust
        self.cfg.store = (<TrustStore>trust).store
        (<TrustStore>trust)._anchor_keys()
        self.cfg.anchors = (<TrustStore>trust).anchor_keys
        self.cfg.nanchors = (<TrustStore>trust).nanchor_keys
        self.cfg.purpose = "ssl_server" if purpose == "server" else "ssl_client"
        self.cfg.strict = strict
        self.purpose = purpose
        self.strict = strict

    def __dealloc__(self):
        if self.cfg.param != NULL:
            X509_VERIFY_PARAM_free(self.cfg.param)

    cdef int _check_ready(self) except -1:
        if self.cfg.param == NULL or self.cfg.store == NULL:
            raise ValueError("Verifier is not initialized")
        return 0

    def verify(self, leaf, intermediates=(), hostname=None):
        """The verified chain (leaf first, ending at the trust anchor) as a list of Certificates;
        raises ssl.SSLCertVerificationError as a handshake would."""
        cdef Item item
        cdef KnownSet ks
        self._check_ready()
        memset(&item, 0, sizeof(Item))
        try:
            _keep = _prepare(leaf, intermediates, hostname, &item)
            with nogil:
                _parse_pending(&item)
                if not item.parse_failed:
                    _known_begin(&item, &self.cfg, &ks)
                    item.code = verify_x509(&self.cfg, item.leaf, item.untrusted, item.host, item.hostlen,
                                            item.ip, item.iplen, &item.chain, &item.failure)
                    _known_end()
            _finish_prepared(&item, <_Prepared>_keep)
            result = _result(&item, <_Prepared>_keep, self._anchors)
        finally:
            _free_chain(item.untrusted)
            _free_chain(item.chain)
        if isinstance(result, _SSLCertVerificationError):
            raise result
        return result

    def verify_many(self, items):
        """Verify every ``(leaf, intermediates, hostname)`` tuple (or bare leaf) with the GIL
        released; a list of verified chains or SSLCertVerificationError instances (not raised)."""
        # The batch goes through in chunks whose Items live on the stack: one heap block for a
        # whole batch is over glibc's 1 KiB large-request threshold, and every such malloc
        # consolidates the calling thread's fastbins, which OpenSSL's small allocations keep full
        cdef Item arr[_CHUNK]
        cdef Py_ssize_t n, i, start, m
        cdef const VerifyConfig *cfg = &self.cfg
        cdef KnownSet ks
        self._check_ready()
        entries = []
        # every entry's shape is checked before any verification
        for entry in items:
            if isinstance(entry, Certificate):
                entries.append((entry, (), None))
            elif isinstance(entry, tuple) and len(entry) == 3:
                entries.append(entry)
            else:
                raise TypeError("verify_many items must be Certificates or (leaf, intermediates, hostname) tuples")
        n = len(entries)
        results = []
        for start in range(0, n, _CHUNK):
            m = min(<Py_ssize_t>_CHUNK, n - start)
            memset(arr, 0, sizeof(arr))
            keep = []
            try:
                for i in range(m):
                    leaf, inters, host = <tuple>entries[start + i]
                    keep.append(_prepare(leaf, inters, host, &arr[i]))
                with nogil:
                    for i in range(m):
                        _parse_pending(&arr[i])
                        if not arr[i].parse_failed:
                            _known_begin(&arr[i], cfg, &ks)
                            arr[i].code = verify_x509(cfg, arr[i].leaf, arr[i].untrusted, arr[i].host,
                                                      arr[i].hostlen, arr[i].ip, arr[i].iplen, &arr[i].chain,
                                                      &arr[i].failure)
                            _known_end()
                for i in range(m):
                    _finish_prepared(&arr[i], <_Prepared>keep[i])
                for i in range(m):
                    results.append(_result(&arr[i], <_Prepared>keep[i], self._anchors))
            finally:
                for i in range(m):
                    _free_chain(arr[i].untrusted)
                    _free_chain(arr[i].chain)
        return results
