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
"""
from libc.string cimport memcmp

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
from _certcore.hostname cimport dns_match_ascii, parse_ip_ascii, DNS_MATCH, DNS_NO_MATCH, IP_V4, IP_V6

cdef extern from "certcore.h" nogil:
    enum:
        CERTCORE_OK
        CERTCORE_MISMATCH
        CERTCORE_EINVAL
        CERTCORE_EWILDCARD
        CERTCORE_ENOMEM
        CERTCORE_EOPENSSL


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


cdef bint _pattern_in_domain(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    """Do OpenSSL's X509_check_host and CPython's _dnsname_match agree on this certificate name
    for every LDH hostname?"""
    cdef Py_ssize_t i
    cdef Py_ssize_t dots = 0
    if n <= 0:
        return False
    for i in range(n):
        if p[i] < 0x21 or p[i] > 0x7e:                  # NUL, space, control, non-ASCII
            return False
    if memchr_star(p, n) < 0:
        return True                                     # both: ASCII case-insensitive equality
    # The one wildcard form both accept alike: "*." then >= 2 LDH labels (OpenSSL wants two
    # dots), no label starting or ending with '-', nothing else special.
    if n < 2 or p[0] != b'*' or p[1] != b'.':
        return False
    for i in range(2, n):
        if p[i] == b'.':
            dots += 1
    return dots >= 1 and _ldh_labels(p + 2, n - 2, True)


cdef inline Py_ssize_t memchr_star(const unsigned char *p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if p[i] == b'*':
            return i
    return -1


cdef int summarize_names(X509 *x, NameSummary *out) noexcept nogil:
    cdef GENERAL_NAMES *gens
    cdef GENERAL_NAME *gen
    cdef X509_NAME *subject
    cdef ASN1_STRING *s
    cdef unsigned char *utf8 = NULL
    cdef int i, n, length, pos
    out.dns_sans = 0
    out.ip_sans = 0
    out.sans_in_domain = True
    out.cns_in_domain = True

    gens = <GENERAL_NAMES *>X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)
    if gens == NULL:
        ERR_clear_error()
        if X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0:
            # Present but undecodable (or duplicated): leave it to the exact path.
            out.sans_in_domain = False
            out.cns_in_domain = False
            return 0
    else:
        n = sk_GENERAL_NAME_num(gens)
        for i in range(n):
            gen = sk_GENERAL_NAME_value(gens, i)
            if gen.type == GEN_DNS:
                out.dns_sans += 1
                s = <ASN1_STRING *>gen.d.ia5
                if not _pattern_in_domain(ASN1_STRING_get0_data(s), ASN1_STRING_length(s)):
                    out.sans_in_domain = False
            elif gen.type == GEN_IPADD:
                out.ip_sans += 1
                length = ASN1_STRING_length(<ASN1_STRING *>gen.d.ip)
                if length != 4 and length != 16:
                    out.sans_in_domain = False
        GENERAL_NAMES_free(gens)

    subject = X509_get_subject_name(x)
    if subject == NULL:
        return 0
    pos = -1
    while True:
        pos = X509_NAME_get_index_by_NID(subject, NID_commonName, pos)
        if pos < 0:
            break
        s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, pos))
        length = ASN1_STRING_to_UTF8(&utf8, s)
        if length < 0:
            ERR_clear_error()
            out.cns_in_domain = False
            continue
        if not _pattern_in_domain(utf8, length):
            out.cns_in_domain = False
        OPENSSL_free(utf8)
        utf8 = NULL
    return 0


cdef int openssl_verdict(X509 *x, const NameSummary *names, const char *host, Py_ssize_t n,
                         bint strict) noexcept nogil:
    cdef unsigned char ip[16]
    cdef int kind, rc
    cdef unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
    cdef bint has_sans = names.dns_sans > 0 or names.ip_sans > 0
    if n <= 0 or not names.sans_in_domain:
        return VERDICT_UNDECIDED
    kind = parse_ip_ascii(host, n, ip)
    if kind < 0 and kind != -1 and kind != -2:
        return VERDICT_UNDECIDED                        # could not even parse: exact path
    if kind == IP_V4 or kind == IP_V6:
        if has_sans:
            rc = X509_check_ip(x, ip, kind, 0)          # IP SANs only, never the subject
            return _verdict(rc)
        if strict:
            return VERDICT_MISMATCH
        # No SANs at all: the rules compare the address *text* with the commonNames.
        if not names.cns_in_domain or not _ldh_labels(<const unsigned char *>host, n, False):
            return VERDICT_UNDECIDED
        return _verdict(X509_check_host(x, host, n, flags, NULL))

    if not _ldh_labels(<const unsigned char *>host, n, False):
        return VERDICT_UNDECIDED
    if not has_sans and not strict and not names.cns_in_domain:
        return VERDICT_UNDECIDED
    if strict or names.ip_sans > 0:
        # The rules skip the commonName when any DNS *or IP* SAN exists; OpenSSL only when a DNS
        # SAN exists.
        flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
    return _verdict(X509_check_host(x, host, n, flags, NULL))


cdef inline int _verdict(int rc) noexcept nogil:
    if rc == 1:
        return VERDICT_MATCH
    if rc == 0:
        return VERDICT_MISMATCH
    ERR_clear_error()
    return VERDICT_UNDECIDED


cdef int rules_verdict(X509 *x, const char *host, Py_ssize_t n, bint strict) noexcept nogil:
    cdef unsigned char ip[16]
    cdef int kind, rc, i, count, length, pos
    cdef int seen = 0
    cdef bint is_ip
    cdef GENERAL_NAMES *gens
    cdef GENERAL_NAME *gen
    cdef ASN1_STRING *s
    cdef X509_NAME *subject
    cdef unsigned char *utf8 = NULL

    if host == NULL or n <= 0:
        return CERTCORE_EINVAL
    for i in range(n):
        if host[i] == 0:
            return CERTCORE_EINVAL
    kind = parse_ip_ascii(host, n, ip)
    if kind == -3:
        return CERTCORE_ENOMEM
    is_ip = kind == IP_V4 or kind == IP_V6

    gens = <GENERAL_NAMES *>X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)
    if gens == NULL:
        ERR_clear_error()
    else:
        count = sk_GENERAL_NAME_num(gens)
        for i in range(count):
            gen = sk_GENERAL_NAME_value(gens, i)
            if gen.type == GEN_DNS:
                seen += 1
                if not is_ip:
                    s = <ASN1_STRING *>gen.d.ia5
                    rc = dns_match_ascii(<const char *>ASN1_STRING_get0_data(s), ASN1_STRING_length(s),
                                         host, n)
                    if rc != DNS_NO_MATCH:
                        GENERAL_NAMES_free(gens)
                        return CERTCORE_OK if rc == DNS_MATCH else CERTCORE_EWILDCARD
            elif gen.type == GEN_IPADD:
                seen += 1
                if is_ip:
                    s = <ASN1_STRING *>gen.d.ip
                    length = ASN1_STRING_length(s)
                    if length != 4 and length != 16:
                        GENERAL_NAMES_free(gens)
                        return CERTCORE_EINVAL           # the rules raise ValueError here
                    if length == kind and memcmp(ASN1_STRING_get0_data(s), ip, length) == 0:
                        GENERAL_NAMES_free(gens)
                        return CERTCORE_OK
        GENERAL_NAMES_free(gens)
    if seen or strict:
        return CERTCORE_MISMATCH

    subject = X509_get_subject_name(x)
    if subject == NULL:
        return CERTCORE_MISMATCH
    pos = -1
    while True:
        pos = X509_NAME_get_index_by_NID(subject, NID_commonName, pos)
        if pos < 0:
            return CERTCORE_MISMATCH
        s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, pos))
        length = ASN1_STRING_to_UTF8(&utf8, s)
        if length < 0:
            ERR_clear_error()
            return CERTCORE_EOPENSSL
        rc = dns_match_ascii(<const char *>utf8, length, host, n)
        OPENSSL_free(utf8)
        utf8 = NULL
        if rc != DNS_NO_MATCH:
            return CERTCORE_OK if rc == DNS_MATCH else CERTCORE_EWILDCARD
