# _certcore.names: match_hostname's rules evaluated on an X509* itself, two ways.
#
#  * openssl_verdict: through OpenSSL's X509_check_host / X509_check_ip, with the flags that give
#    match_hostname's verdict -- but only inside the domain where the two provably agree (every
#    name ASCII, no NUL, every wildcard of the one form both accept). Outside it, or on OpenSSL
#    failure, it says VERDICT_UNDECIDED and the caller takes the exact (dict) path.
#  * rules_verdict: hostname.walk_names over the certificate's names, for the C API (ASCII
#    hostnames; bytes >= 0x80 compare exactly).
#
# Both touch no Python object and are safe without the GIL.
from openssl.x509 cimport X509
from _certcore.hostname cimport Host

# What the hostname rules need to know about one certificate, computed once per certificate.
ctypedef struct NameSummary:
    int dns_sans            # DNS subjectAltNames
    int ip_sans             # IP subjectAltNames
    # every DNS SAN is a pattern on which OpenSSL and the rules agree, and every IP SAN is 4 or 16
    # bytes (else the rules raise ValueError)
    bint sans_in_domain
    bint cns_in_domain      # the same for every subject commonName (used when there are no SANs)

# Fill *out for x. Returns 0 (a name OpenSSL cannot decode puts the summary out of the domain).
cdef int summarize_names(X509 *x, NameSummary *out) noexcept nogil

cdef enum:
    VERDICT_MATCH = 1
    VERDICT_MISMATCH = 0
    VERDICT_UNDECIDED = -1

# host[:n] (ASCII bytes of the hostname str) against x. strict: never fall back to commonName.
cdef int openssl_verdict(X509 *x, const NameSummary *names, const char *host, Py_ssize_t n,
                         bint strict) noexcept nogil

# walk_names over x's names (hostname.pxd's WALK_* results). A commonName OpenSSL cannot convert
# to UTF-8 ends the walk with WALK_ESOURCE; an undecodable subjectAltName extension counts as none.
cdef int rules_verdict(X509 *x, const Host *host, bint strict) noexcept nogil
