# Cython declarations of certcore's C API (include/certcore.h).
#
#     from certcore_capi cimport certcore_import, CertcoreAPI, CERTCORE_OK
#     if certcore_import() < 0: raise ImportError("certcore C API")   # at module init, GIL held
#     with nogil:
#         rc = CertcoreAPI.cert_time_to_seconds(text, n, &seconds)
#
# Chain verification: `handle = CertcoreAPI.verifier_handle(verifier)` with the GIL (raises
# TypeError / ValueError; keep a reference to `verifier` while using the handle), then
# `CertcoreAPI.verify_chain(handle, leaf, untrusted, ...)` from any thread with nogil.
#
# Build with certcore.get_include() on the include path.
from libc.stdint cimport int64_t

cdef extern from "openssl/x509.h" nogil:
    ctypedef struct X509:
        pass
    ctypedef struct ASN1_TIME:
        pass
    # STACK_OF(X509)
    ctypedef struct stack_st_X509 "struct stack_st_X509":
        pass

cdef extern from "certcore.h" nogil:
    const char *CERTCORE_CAPSULE_NAME
    enum:
        CERTCORE_CAPI_VERSION
        CERTCORE_OK
        CERTCORE_MISMATCH
        CERTCORE_EINVAL
        CERTCORE_EWILDCARD
        CERTCORE_ENOSPACE
        CERTCORE_ENOMEM
        CERTCORE_EOPENSSL
        CERTCORE_NO_CN_FALLBACK

    ctypedef struct CertcoreVerifier:
        pass

    ctypedef struct CertcoreCAPI:
        unsigned int version
        size_t size
        int (*match_x509)(X509 *cert, const char *hostname, size_t hostname_len, unsigned int flags) noexcept nogil
        int (*match_dns_pattern)(const char *pattern, size_t pattern_len,
                                 const char *hostname, size_t hostname_len) noexcept nogil
        int (*cert_time_to_seconds)(const char *text, size_t text_len, int64_t *seconds) noexcept nogil
        int (*asn1_time_to_seconds)(const ASN1_TIME *time, int64_t *seconds) noexcept nogil
        int (*der_to_pem)(const unsigned char *der, size_t der_len,
                          char *out, size_t out_cap, size_t *out_len) noexcept nogil
        int (*pem_to_der)(const char *pem, size_t pem_len,
                          unsigned char *out, size_t out_cap, size_t *out_len) noexcept nogil
        # version 2; verifier_handle needs the GIL
        const CertcoreVerifier *(*verifier_handle)(object verifier) except NULL
        int (*verify_chain)(const CertcoreVerifier *verifier, X509 *leaf, stack_st_X509 *untrusted,
                            const char *hostname, size_t hostname_len, int *verify_code,
                            stack_st_X509 **chain, char *message, size_t message_cap,
                            size_t *message_len) noexcept nogil

    const CertcoreCAPI *CertcoreAPI
    int certcore_import() except -1
