"""Fills the C API table declared in include/certcore.h and publishes it as a capsule.

Each entry is a thin adapter from the header's (pointer, size_t length) contract to the nogil
cores of the other modules: argument checks, then the core, then its result mapped to the
CERTCORE_* return codes. Nothing here touches a Python object or the OpenSSL error queue it
leaves behind (cores clear what they cause), so every entry is callable without the GIL; the
one exception is verifier_handle, which turns a Python Verifier into the C handle verify_chain
takes and so needs the GIL.
"""
from cpython.pycapsule cimport PyCapsule_New
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memchr, memcpy, strlen
from libc.time cimport tm

# Before certcore.h is first included (by certcore_capi below): this module fills the table, so
# the header's consumer-side import helper is left out.
cdef extern from *:
    """
    #define CERTCORE_PROVIDER 1
    """

from certcore_capi cimport (
    CertcoreCAPI, CertcoreVerifier, X509, ASN1_TIME, stack_st_X509, CERTCORE_CAPSULE_NAME,
    CERTCORE_CAPI_VERSION, CERTCORE_OK, CERTCORE_MISMATCH, CERTCORE_EINVAL, CERTCORE_EWILDCARD,
    CERTCORE_ENOSPACE, CERTCORE_ENOMEM, CERTCORE_EOPENSSL, CERTCORE_NO_CN_FALLBACK,
)
cimport openssl.asn1
cimport openssl.x509
cimport openssl.x509_vfy
from openssl.asn1 cimport ASN1_OCTET_STRING, ASN1_OCTET_STRING_free, ASN1_STRING_get0_data, ASN1_STRING_length
from openssl.err cimport ERR_clear_error
from openssl.x509_vfy cimport X509_verify_cert_error_string, X509_V_OK, X509_V_ERR_UNSPECIFIED
from openssl.x509v3 cimport a2i_IPADDRESS
from _certcore.asn1time cimport civil_to_seconds, parse_cert_time_ascii, CT_OK
from _certcore.hostname cimport (
    Host, host_init, dns_match_ascii, IP_ENOMEM, WALK_MATCH, WALK_MISMATCH, WALK_EBADIP, WALK_ESOURCE,
    WALK_ENOMEM,
)
from _certcore.names cimport rules_verdict
from _certcore.pem cimport (
    pem_length, der_to_pem_into, der_max_length, pem_body_to_der, pem_find_body,
)
from _certcore.policy cimport StrictFailure
from _certcore.verify cimport Verifier, VerifyConfig, verify_x509

# Lengths beyond this cannot be indexed by the Py_ssize_t cores.
cdef size_t _MAX_LEN = <size_t>(<Py_ssize_t>(-1 ^ (<size_t>1 << (sizeof(Py_ssize_t) * 8 - 1))))


cdef int _walk_code(int rc) noexcept nogil:
    """A walk_names (or dns_match_ascii) result as the header's code."""
    if rc == WALK_MATCH:
        return CERTCORE_OK
    if rc == WALK_MISMATCH:
        return CERTCORE_MISMATCH
    if rc == WALK_EBADIP:
        return CERTCORE_EINVAL
    if rc == WALK_ESOURCE:
        return CERTCORE_EOPENSSL
    if rc == WALK_ENOMEM:
        return CERTCORE_ENOMEM
    return CERTCORE_EWILDCARD


cdef int _match_x509(X509 *cert, const char *hostname, size_t hostname_len,
                     unsigned int flags) noexcept nogil:
    cdef Host host
    if cert == NULL or hostname == NULL or hostname_len == 0 or hostname_len > _MAX_LEN:
        return CERTCORE_EINVAL
    if flags & ~(<unsigned int>CERTCORE_NO_CN_FALLBACK) or memchr(hostname, 0, hostname_len) != NULL:
        return CERTCORE_EINVAL
    if host_init(&host, hostname, <Py_ssize_t>hostname_len) == IP_ENOMEM:
        return CERTCORE_ENOMEM
    return _walk_code(rules_verdict(<openssl.x509.X509 *>cert, &host, (flags & CERTCORE_NO_CN_FALLBACK) != 0))


cdef int _match_dns_pattern(const char *pattern, size_t pattern_len,
                            const char *hostname, size_t hostname_len) noexcept nogil:
    if pattern == NULL or hostname == NULL or pattern_len > _MAX_LEN or hostname_len > _MAX_LEN:
        return CERTCORE_EINVAL
    if (memchr(pattern, 0, pattern_len) != NULL or memchr(hostname, 0, hostname_len) != NULL):
        return CERTCORE_EINVAL
    return _walk_code(dns_match_ascii(pattern, <Py_ssize_t>pattern_len, hostname, <Py_ssize_t>hostname_len))


cdef int _cert_time_to_seconds(const char *text, size_t text_len, int64_t *seconds) noexcept nogil:
    cdef long long value
    if text == NULL or seconds == NULL or text_len > _MAX_LEN:
        return CERTCORE_EINVAL
    if memchr(text, 0, text_len) != NULL:
        return CERTCORE_EINVAL
    if parse_cert_time_ascii(text, <Py_ssize_t>text_len, &value) != CT_OK:
        return CERTCORE_EINVAL
    seconds[0] = value
    return CERTCORE_OK


cdef int _asn1_time_to_seconds(const ASN1_TIME *time, int64_t *seconds) noexcept nogil:
    cdef tm t
    if time == NULL or seconds == NULL:
        return CERTCORE_EINVAL
    if openssl.asn1.ASN1_TIME_to_tm(<const openssl.asn1.ASN1_TIME *>time, &t) != 1:
        ERR_clear_error()
        return CERTCORE_EINVAL
    seconds[0] = civil_to_seconds(<long long>t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                                  t.tm_hour, t.tm_min, t.tm_sec)
    return CERTCORE_OK


cdef int _der_to_pem(const unsigned char *der, size_t der_len, char *out, size_t out_cap,
                     size_t *out_len) noexcept nogil:
    cdef Py_ssize_t need
    if (der == NULL and der_len) or out_len == NULL or der_len > _MAX_LEN:
        return CERTCORE_EINVAL
    need = pem_length(<Py_ssize_t>der_len)
    if need < 0:
        return CERTCORE_EINVAL
    out_len[0] = <size_t>need
    if out == NULL or out_cap < <size_t>need:
        return CERTCORE_ENOSPACE
    der_to_pem_into(der, <Py_ssize_t>der_len, out, <Py_ssize_t>need)
    return CERTCORE_OK


cdef int _pem_to_der(const char *pem, size_t pem_len, unsigned char *out, size_t out_cap,
                     size_t *out_len) noexcept nogil:
    cdef Py_ssize_t start, end, i, cap, n
    cdef unsigned char *buf
    if pem == NULL or out_len == NULL or pem_len > _MAX_LEN:
        return CERTCORE_EINVAL
    if pem_find_body(pem, <Py_ssize_t>pem_len, &start, &end) != 0:
        return CERTCORE_EINVAL
    for i in range(start, end):
        if <unsigned char>pem[i] >= 0x80:           # the stdlib's .encode('ASCII') fails
            return CERTCORE_EINVAL
    cap = der_max_length(end - start)
    if out != NULL and out_cap >= <size_t>cap:
        n = pem_body_to_der(pem + start, end - start, out, cap)
        if n < 0:
            return CERTCORE_EINVAL
        out_len[0] = <size_t>n
        return CERTCORE_OK
    # The caller's buffer may or may not be enough: decode aside to learn the exact size.
    buf = <unsigned char *>malloc(cap if cap > 0 else 1)
    if buf == NULL:
        return CERTCORE_ENOMEM
    n = pem_body_to_der(pem + start, end - start, buf, cap)
    if n < 0:
        free(buf)
        return CERTCORE_EINVAL
    out_len[0] = <size_t>n
    if out == NULL or out_cap < <size_t>n:
        free(buf)
        return CERTCORE_ENOSPACE
    memcpy(out, buf, n)
    free(buf)
    return CERTCORE_OK


cdef const CertcoreVerifier *_verifier_handle(object verifier) except NULL:
    """The Verifier's VerifyConfig, which lives (unchanged after __init__) as long as the object."""
    if not isinstance(verifier, Verifier):
        raise TypeError(f"verifier must be a certcore.Verifier, not {type(verifier).__name__}")
    (<Verifier>verifier)._check_ready()
    return <const CertcoreVerifier *>&(<Verifier>verifier).cfg


cdef int _check_hostname(const char *hostname, size_t hostname_len) noexcept nogil:
    """Verifier.verify's hostname rules (its ValueErrors) as CERTCORE_EINVAL."""
    cdef size_t i
    if hostname_len == 0 or hostname_len > _MAX_LEN or hostname[0] == c'.':
        return CERTCORE_EINVAL
    for i in range(hostname_len):
        if hostname[i] == 0 or <unsigned char>hostname[i] >= 0x80:
            return CERTCORE_EINVAL
    return CERTCORE_OK


cdef int _verify_chain(const CertcoreVerifier *verifier, X509 *leaf, stack_st_X509 *untrusted,
                       const char *hostname, size_t hostname_len, int *verify_code,
                       stack_st_X509 **chain, char *message, size_t message_cap,
                       size_t *message_len) noexcept nogil:
    cdef char *text
    cdef ASN1_OCTET_STRING *ip = NULL
    cdef const char *host = NULL
    cdef size_t hostlen = 0, need
    cdef const unsigned char *ipbytes = NULL
    cdef size_t iplen = 0
    cdef StrictFailure failure
    cdef const char *msg
    cdef openssl.x509_vfy.stack_st_X509 *verified = NULL
    cdef int code, rc
    # A caller that ignores the return code must still never read an acceptance from an error.
    if verify_code != NULL:
        verify_code[0] = X509_V_ERR_UNSPECIFIED
    if chain != NULL:
        chain[0] = NULL
    if verifier == NULL or leaf == NULL or verify_code == NULL or (message != NULL and message_len == NULL):
        return CERTCORE_EINVAL
    if hostname == NULL:
        if hostname_len != 0:
            return CERTCORE_EINVAL
    else:
        rc = _check_hostname(hostname, hostname_len)
        if rc != CERTCORE_OK:
            return rc
        # An IP literal is checked against IP subjectAltNames, as Verifier.verify's _prepare does;
        # a2i_IPADDRESS wants a C string.
        text = <char *>malloc(hostname_len + 1)
        if text == NULL:
            return CERTCORE_ENOMEM
        memcpy(text, hostname, hostname_len)
        text[hostname_len] = 0
        ip = a2i_IPADDRESS(text)
        free(text)
        if ip == NULL:
            ERR_clear_error()
            host = hostname
            hostlen = hostname_len
        else:
            ipbytes = ASN1_STRING_get0_data(ip)
            iplen = <size_t>ASN1_STRING_length(ip)
    failure.code = 0
    code = verify_x509(<const VerifyConfig *>verifier, <openssl.x509.X509 *>leaf,
                       <openssl.x509_vfy.stack_st_X509 *>untrusted, host, hostlen, ipbytes, iplen,
                       &verified if chain != NULL else NULL, &failure)
    if ip != NULL:
        ASN1_OCTET_STRING_free(ip)
    verify_code[0] = code
    if message_len != NULL:
        # Verifier.verify's verify_message, except that a name mismatch keeps OpenSSL's text
        # (the Python one quotes the hostname)
        if code != X509_V_OK and failure.code != 0:
            msg = failure.message
        else:
            msg = X509_verify_cert_error_string(code)
            if msg == NULL:
                msg = ""
        need = strlen(msg)
        message_len[0] = need
        if message == NULL or message_cap < need:
            if verified != NULL:
                openssl.x509_vfy.sk_X509_pop_free(verified, openssl.x509.X509_free)
            return CERTCORE_ENOSPACE
        memcpy(message, msg, need)
    if chain != NULL:
        chain[0] = <stack_st_X509 *>verified
    return CERTCORE_OK


cdef CertcoreCAPI _API
_API.version = CERTCORE_CAPI_VERSION
_API.size = sizeof(CertcoreCAPI)
_API.match_x509 = _match_x509
_API.match_dns_pattern = _match_dns_pattern
_API.cert_time_to_seconds = _cert_time_to_seconds
_API.asn1_time_to_seconds = _asn1_time_to_seconds
_API.der_to_pem = _der_to_pem
_API.pem_to_der = _pem_to_der
_API.verifier_handle = _verifier_handle
_API.verify_chain = _verify_chain

#: The capsule that certcore_import() (include/certcore.h) looks up as "_certcore.capi.CAPI".
CAPI = PyCapsule_New(<void *>&_API, CERTCORE_CAPSULE_NAME, NULL)
#: The version of the table behind CAPI.
CAPI_VERSION = CERTCORE_CAPI_VERSION
