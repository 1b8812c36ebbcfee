# cython: language_level=3
# A small Cython module that uses certcore only through certcore_capi.pxd (from
# certcore.get_include()); the tests build it and call every entry of the C API with nogil.
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free
from certcore_capi cimport (
    certcore_import, CertcoreAPI, X509, CERTCORE_OK,
)

cdef extern from "openssl/x509.h" nogil:
    X509 *d2i_X509(X509 **a, const unsigned char **inp, long length)
    void X509_free(X509 *a)

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
