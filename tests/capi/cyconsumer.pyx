# cython: language_level=3
# A small Cython module that uses certcore only through certcore_capi.pxd (from
# certcore.get_include()); the tests build it and call every entry of the C API with nogil
# (verifier_handle, which needs the GIL, with it).
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free
from certcore_capi cimport (
    certcore_import, CertcoreAPI, CertcoreVerifier, X509, stack_st_X509, CERTCORE_OK,
)

cdef extern from "openssl/x509.h" nogil:
    X509 *d2i_X509(X509 **a, const unsigned char **inp, long length)
    int i2d_X509(X509 *a, unsigned char **out)
    void X509_free(X509 *a)
    stack_st_X509 *sk_X509_new_null()
    int sk_X509_push(stack_st_X509 *sk, X509 *x)
    int sk_X509_num(const stack_st_X509 *sk)
    X509 *sk_X509_value(const stack_st_X509 *sk, int i)
    void sk_X509_pop_free(stack_st_X509 *sk, void (*freefunc)(X509 *))

cdef extern from "openssl/err.h" nogil:
    unsigned long ERR_peek_error()
    void ERR_clear_error()

cdef extern from "openssl/crypto.h" nogil:
    void OPENSSL_free(void *p)

certcore_import()


def cert_time_to_seconds(bytes text):
    cdef int64_t seconds = 0
    cdef int rc
    cdef const char *p = text
    cdef size_t n = len(text)
    with nogil:
        rc = CertcoreAPI.cert_time_to_seconds(p, n, &seconds)
    return rc, seconds


def match_dns_pattern(bytes pattern, bytes host):
    cdef int rc
    cdef const char *p = pattern
    cdef const char *h = host
    cdef size_t pn = len(pattern), hn = len(host)
    with nogil:
        rc = CertcoreAPI.match_dns_pattern(p, pn, h, hn)
    return rc


def match_x509(bytes der, bytes host, unsigned int flags=0):
    cdef const unsigned char *d = der
    cdef X509 *cert = d2i_X509(NULL, &d, len(der))
    cdef const char *h = host
    cdef size_t hn = len(host)
    cdef int rc
    if cert == NULL:
        raise ValueError("d2i_X509 failed")
    try:
        with nogil:
            rc = CertcoreAPI.match_x509(cert, h, hn, flags)
    finally:
        X509_free(cert)
    return rc


def der_to_pem(bytes der):
    cdef size_t need = 0
    cdef const unsigned char *d = der
    cdef size_t n = len(der)
    cdef char *out
    cdef int rc
    with nogil:
        rc = CertcoreAPI.der_to_pem(d, n, NULL, 0, &need)
    out = <char *>malloc(need + 1)
    try:
        with nogil:
            rc = CertcoreAPI.der_to_pem(d, n, out, need, &need)
        return rc, out[:need].decode("ascii")
    finally:
        free(out)


def pem_to_der(bytes pem):
    cdef size_t need = 0
    cdef const char *p = pem
    cdef size_t n = len(pem)
    cdef unsigned char *out
    cdef int rc
    with nogil:
        rc = CertcoreAPI.pem_to_der(p, n, NULL, 0, &need)
    if rc != CERTCORE_OK and rc != -3:
        return rc, b""
    out = <unsigned char *>malloc(need + 1)
    try:
        with nogil:
            rc = CertcoreAPI.pem_to_der(p, n, out, need, &need)
        return rc, out[:need]
    finally:
        free(out)


cdef X509 *_parse(bytes der) except NULL:
    cdef const unsigned char *d = der
    cdef X509 *x = d2i_X509(NULL, &d, len(der))
    if x == NULL:
        ERR_clear_error()
        raise ValueError("d2i_X509 failed")
    return x


def verifier_handle(verifier):
    CertcoreAPI.verifier_handle(verifier)


def verify_chain(verifier, bytes leaf, list intermediates, host):
    """(rc, verify_code, message, chain DER list or None, error queue clean) of one verify_chain
    call made with nogil, the chain and message asked for."""
    cdef const CertcoreVerifier *handle = CertcoreAPI.verifier_handle(verifier)
    cdef X509 *x = _parse(leaf)
    cdef stack_st_X509 *untrusted = NULL
    cdef stack_st_X509 *chain = NULL
    cdef const char *h = NULL
    cdef size_t hn = 0, mlen = 0
    cdef char msg[256]
    cdef int rc, code = 0, i, n
    cdef X509 *xi
    cdef unsigned long queue
    cdef unsigned char *der
    try:
        if intermediates:
            untrusted = sk_X509_new_null()
            if untrusted == NULL:
                raise MemoryError()
            for der_i in intermediates:
                xi = _parse(der_i)
                if sk_X509_push(untrusted, xi) <= 0:
                    X509_free(xi)
                    raise MemoryError()
        if host is not None:
            h = <bytes>host
            hn = len(<bytes>host)
        with nogil:
            ERR_clear_error()
            rc = CertcoreAPI.verify_chain(handle, x, untrusted, h, hn, &code, &chain, msg, sizeof(msg), &mlen)
            queue = ERR_peek_error()
        chain_der = None
        if chain != NULL:
            chain_der = []
            for i in range(sk_X509_num(chain)):
                der = NULL
                n = i2d_X509(sk_X509_value(chain, i), &der)
                if n <= 0:
                    raise ValueError("i2d_X509 failed")
                chain_der.append(der[:n])
                OPENSSL_free(der)
        return rc, code, msg[:mlen].decode("ascii") if rc == CERTCORE_OK else None, chain_der, queue == 0
    finally:
        X509_free(x)
        if untrusted != NULL:
            sk_X509_pop_free(untrusted, X509_free)
        if chain != NULL:
            sk_X509_pop_free(chain, X509_free)
