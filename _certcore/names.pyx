"""match_hostname's rules on an ``X509*``: through OpenSSL's checks where they agree, else in C.

Why two engines. ``Certificate.match_hostname`` answers through ``X509_check_host`` /
``X509_check_ip`` -- OpenSSL's own name checks, the ones a TLS handshake uses -- but those differ
from CPython's ``match_hostname`` at the edges: OpenSSL rejects ``*.com`` as a wildcard while
CPython accepts it, CPython raises on ``f*.example.com`` where OpenSSL just skips the name,
CPython lower-cases with Unicode rules, OpenSSL only folds ASCII, and OpenSSL keeps looking at
the commonName when a certificate has IP but no DNS subjectAltNames. So each certificate is
summarized once: if every name it holds lies in the domain where both give the same verdict
(ASCII, no NUL, wildcards only as ``*.label.label...`` with LDH labels), and the hostname is a
plain LDH name or an IP address, OpenSSL's verdict is the answer; otherwise the caller uses the
exact dict-rules path. ``tests/test_names.py`` checks the two against each other.

The C API has no dict path to fall back on: ``rules_verdict`` runs hostname.walk_names over the
certificate's names (the source below), the same walk the dict path runs.
"""
from openssl.asn1 cimport ASN1_STRING, ASN1_STRING_length, ASN1_STRING_get0_data, ASN1_STRING_to_UTF8
from openssl.crypto cimport OPENSSL_free
from openssl.err cimport ERR_clear_error
from openssl.objects cimport NID_commonName, NID_subject_alt_name
from openssl.x509 cimport (
    X509, X509_NAME, X509_get_subject_name, X509_get_ext_d2i, X509_get_ext_by_NID,
    X509_NAME_get_index_by_NID, X509_NAME_get_entry, X509_NAME_ENTRY_get_data,
)
from openssl.x509v3 cimport (
    GEN_DNS, GEN_IPADD, GENERAL_NAME, GENERAL_NAMES, sk_GENERAL_NAME_num, sk_GENERAL_NAME_value,
    GENERAL_NAMES_free, X509_check_host, X509_check_ip,
    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
)
from _certcore.hostname cimport (
    Host, Name, NameSource, host_init, walk_names, cn_is_fallback, packed_ip_valid,
    NAME_DNS, NAME_IP, NAME_CN, NAME_FOUND, NAME_END, NAME_ERROR, FORM_TEXT, FORM_PACKED,
    IP_NONE, IP_ENOMEM,
)

# ---------------------------------------------------------------------------------------------
# The certificate's names as a hostname.NameSource

ctypedef struct _X509Source:
    NameSource base             # first, so that the walk's NameSource* is this struct
    GENERAL_NAMES *sans         # decoded subjectAltNames (owned), or NULL
    bint sans_undecodable       # the extension is there but OpenSSL cannot decode it
    int san_pos
    X509_NAME *subject
    int cn_pos
    unsigned char *utf8         # the current commonName as UTF-8 (owned), or NULL


cdef void _x509_source_open(_X509Source *src, X509 *x) noexcept nogil:
    src.base.next_san = _next_san
    src.base.next_cn = _next_cn
    src.base.match_object = NULL            # every name is FORM_TEXT or FORM_PACKED
    src.sans = <GENERAL_NAMES *>X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)
    src.sans_undecodable = False
    if src.sans == NULL:
        ERR_clear_error()
        src.sans_undecodable = X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0
    src.san_pos = 0
    src.subject = X509_get_subject_name(x)
    src.cn_pos = -1
    src.utf8 = NULL


cdef void _x509_source_close(_X509Source *src) noexcept nogil:
    if src.sans != NULL:
        GENERAL_NAMES_free(src.sans)
    OPENSSL_free(src.utf8)


cdef int _next_san(NameSource *base, Name *out) noexcept nogil:
    cdef _X509Source *src = <_X509Source *>base
    cdef GENERAL_NAME *gen
    cdef ASN1_STRING *s
    if src.sans == NULL:
        return NAME_END
    while src.san_pos < sk_GENERAL_NAME_num(src.sans):
        gen = sk_GENERAL_NAME_value(src.sans, src.san_pos)
        src.san_pos += 1
        if gen.type == GEN_DNS:
            out.kind = NAME_DNS
            out.form = FORM_TEXT
            s = <ASN1_STRING *>gen.d.ia5
        elif gen.type == GEN_IPADD:
            out.kind = NAME_IP
            out.form = FORM_PACKED
            s = <ASN1_STRING *>gen.d.ip
        else:
            continue
        out.data = <const char *>ASN1_STRING_get0_data(s)
        out.len = ASN1_STRING_length(s)
        return NAME_FOUND
    return NAME_END


cdef int _next_cn(NameSource *base, Name *out) noexcept nogil:
    """The next commonName; after NAME_ERROR (OpenSSL could not convert one) the one after."""
    cdef _X509Source *src = <_X509Source *>base
    cdef int length
    OPENSSL_free(src.utf8)
    src.utf8 = NULL
    if src.subject == NULL:
        return NAME_END
    src.cn_pos = X509_NAME_get_index_by_NID(src.subject, NID_commonName, src.cn_pos)
    if src.cn_pos < 0:
        return NAME_END
    length = ASN1_STRING_to_UTF8(&src.utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(src.subject, src.cn_pos)))
    if length < 0:
        ERR_clear_error()
        src.utf8 = NULL
        return NAME_ERROR
    out.kind = NAME_CN
    out.form = FORM_TEXT
    out.data = <const char *>src.utf8
    out.len = length
    return NAME_FOUND


cdef int rules_verdict(X509 *x, const Host *host, bint strict) noexcept nogil:
    cdef _X509Source src
    cdef int rc
    _x509_source_open(&src, x)
    rc = walk_names(&src.base, host, strict)
    _x509_source_close(&src)
    return rc

# ---------------------------------------------------------------------------------------------
# OpenSSL's engine and the domain where it gives the rules' verdict

cdef inline bint _is_alnum(unsigned char c) noexcept nogil:
    return (b'a' <= c <= b'z') or (b'A' <= c <= b'Z') or (b'0' <= c <= b'9')


cdef bint _ldh_labels(const unsigned char *p, Py_ssize_t n, bint strict_hyphens) noexcept nogil:
    """p[:n] is one or more non-empty labels of letters, digits and '-' joined by single dots.

    strict_hyphens: also no label starts or ends with '-' (OpenSSL's rule for the part of a
    wildcard pattern after the star)."""
    cdef Py_ssize_t i
    cdef Py_ssize_t label_start = 0
    if n <= 0:
        return False
    for i in range(n + 1):
        if i == n or p[i] == b'.':
            if i == label_start:
                return False                            # empty label (or leading/trailing dot)
            if strict_hyphens and (p[label_start] == b'-' or p[i - 1] == b'-'):
                return False
            label_start = i + 1
        elif not (_is_alnum(p[i]) or p[i] == b'-'):
            return False
    return True


cdef bint _pattern_in_domain(const Name *name) noexcept nogil:
    """Do OpenSSL's X509_check_host and CPython's _dnsname_match agree on this certificate name
    for every LDH hostname?"""
    cdef const unsigned char *p = <const unsigned char *>name.data
    cdef Py_ssize_t i, n = name.len
    cdef Py_ssize_t stars = 0, dots = 0
    if n <= 0:
        return False
    for i in range(n):
        if p[i] < 0x21 or p[i] > 0x7e:                  # NUL, space, control, non-ASCII
            return False
        if p[i] == b'*':
            stars += 1
        elif p[i] == b'.':
            dots += 1
    if stars == 0:
        return True                                     # both: ASCII case-insensitive equality
    # The one wildcard form both accept alike: "*." then >= 2 LDH labels (OpenSSL wants two
    # dots), no label starting or ending with '-', nothing else special.
    return n >= 2 and p[0] == b'*' and p[1] == b'.' and dots >= 2 and _ldh_labels(p + 2, n - 2, True)


cdef int summarize_names(X509 *x, NameSummary *out) noexcept nogil:
    cdef _X509Source src
    cdef Name name
    cdef int rc
    out.dns_sans = 0
    out.ip_sans = 0
    out.sans_in_domain = True
    out.cns_in_domain = True
    _x509_source_open(&src, x)
    if src.sans_undecodable:
        # Present but undecodable (or duplicated): leave it to the exact path.
        out.sans_in_domain = False
        out.cns_in_domain = False
        _x509_source_close(&src)
        return 0
    while _next_san(&src.base, &name) == NAME_FOUND:
        if name.kind == NAME_DNS:
            out.dns_sans += 1
            if not _pattern_in_domain(&name):
                out.sans_in_domain = False
        else:
            out.ip_sans += 1
            if not packed_ip_valid(name.len):
                out.sans_in_domain = False
    while True:
        rc = _next_cn(&src.base, &name)
        if rc == NAME_END:
            break
        if rc == NAME_ERROR or not _pattern_in_domain(&name):
            out.cns_in_domain = False
    _x509_source_close(&src)
    return 0


cdef int openssl_verdict(X509 *x, const NameSummary *names, const char *host, Py_ssize_t n,
                         bint strict) noexcept nogil:
    cdef Host h
    cdef unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
    cdef bint fallback = cn_is_fallback(names.dns_sans + names.ip_sans, strict)
    if n <= 0 or not names.sans_in_domain:
        return VERDICT_UNDECIDED
    if host_init(&h, host, n) == IP_ENOMEM:
        return VERDICT_UNDECIDED                        # could not even parse: exact path
    if h.ip_len != IP_NONE and not fallback:
        return _verdict(X509_check_ip(x, h.ip, h.ip_len, 0))   # IP SANs only, never the subject
    # A DNS name, or an address where the rules compare its *text* with the commonNames.
    if not _ldh_labels(<const unsigned char *>host, n, False):
        return VERDICT_UNDECIDED
    if fallback and not names.cns_in_domain:
        return VERDICT_UNDECIDED
    if not fallback:
        # OpenSSL skips the subject only when a DNS SAN exists; the rules also when an IP SAN
        # does, and always when strict.
        flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
    return _verdict(X509_check_host(x, host, n, flags, NULL))


cdef inline int _verdict(int rc) noexcept nogil:
    if rc == 1:
        return VERDICT_MATCH
    if rc == 0:
        return VERDICT_MISMATCH
    ERR_clear_error()
    return VERDICT_UNDECIDED
