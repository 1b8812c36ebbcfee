# _certcore.hostname: match_hostname's rules (CPython 3.7-3.11, RFC 6125) at C level.
#
# The byte-level cores take (pointer, length) pairs, never need a NUL terminator, touch no Python
# object and never raise: they are safe to call without the GIL (the C API calls them).

# dns_match_ascii(pattern, plen, host, hlen): does certificate DNS name `pattern` match `host`?
# Both are ASCII bytes (bytes >= 0x80 are compared exactly; only A-Z fold to a-z, which for
# ASCII is what str.lower() does). NUL bytes are ordinary characters. No trailing-dot
# normalisation and no IDNA conversion, as in the stdlib. Return codes, checked in this order
# (the stdlib's order of CertificateError messages):
cdef enum:
    DNS_MATCH = 1            # matches
    DNS_NO_MATCH = 0         # does not match (also: empty pattern)
    DNS_ETOO_MANY = -1       # more than one '*'          "too many wildcards in certificate DNS name: %r."
    DNS_ELEFTMOST = -2       # '*' after the first '.'     "wildcard can only be present in the leftmost label: %r."
    # '*' and no '.': "sole wildcard without additional labels are not support: %r."
    DNS_ESOLE = -3
    DNS_EPARTIAL = -4        # leftmost label is not '*'   "partial wildcards in leftmost label are not supported: %r."

cdef int dns_match_ascii(const char *pattern, Py_ssize_t plen,
                         const char *host, Py_ssize_t hlen) noexcept nogil

# parse_ip_ascii(s, n, out16): the stdlib's ssl._inet_paton on the UTF-8 bytes of a string.
# Writes the packed address to out16 (room for 16 bytes) and returns:
cdef enum:
    IP_V4 = 4                # IPv4, strictly dotted-quad (inet_ntoa(inet_aton(s)) == s); 4 bytes written
    IP_V6 = 16               # IPv6 accepted by libc inet_pton(AF_INET6); 16 bytes written
    IP_NONE = 0              # neither: "%r is neither an IPv4 nor an IP6 address."
    # libc inet_aton accepts it but it is not canonical ('127.1', '1.2.3.4 x'):
    # "%r is not a quad-dotted IPv4 address."
    IP_ENOTQUAD = -1
    IP_ENUL = -2             # contains a NUL byte: ValueError("embedded null character")
    IP_ENOMEM = -3           # could not allocate a temporary copy (inputs > 63 bytes)

cdef int parse_ip_ascii(const char *s, Py_ssize_t n, unsigned char *out16) noexcept nogil

# ---------------------------------------------------------------------------------------------
# The walk: which of a certificate's names are compared with the hostname, in which order, and
# what ends the walk. It is written once (walk_names) and reads the names through a NameSource,
# so that the getpeercert() dict, an X509* and the C API all follow the same rules.

# The hostname as the walk sees it.
ctypedef struct Host:
    # its ASCII bytes; NULL when only the source can compare it with a name (a non-ASCII or
    # non-str hostname, dict source only)
    const char *name
    Py_ssize_t len
    int ip_len               # IP_V4 or IP_V6 when it is an IP address (octets in ip), else IP_NONE
    unsigned char ip[IP_V6]

# host_init(host, name, n): Host for the ASCII bytes name[:n]; returns parse_ip_ascii's result
# (IP_ENOMEM is the only one that is not an answer).
cdef int host_init(Host *host, const char *name, Py_ssize_t n) noexcept nogil

# One certificate name.
cdef enum:
    NAME_DNS = 1             # a DNS subjectAltName
    NAME_IP = 2              # an IP Address subjectAltName
    NAME_CN = 3              # a subject commonName
cdef enum:
    FORM_TEXT = 1            # data[:len] is text: a DNS pattern, or an IP address as printed
    FORM_PACKED = 2          # data[:len] is an IP address's octets (from the certificate itself)
    FORM_OBJECT = 3          # only the source can compare it (a Python object that is not ASCII str)

ctypedef struct Name:
    int kind
    int form
    const char *data
    Py_ssize_t len

# A source of names. next_san yields the DNS and IP subjectAltNames in certificate order (other
# kinds are skipped); next_cn the subject's commonNames in order, and is only called once the
# subjectAltNames are exhausted. Both return NAME_FOUND (with *out filled), NAME_END or
# NAME_ERROR (the source could not read the next name). match_object compares a FORM_OBJECT name
# (or any non-IP name when host.name is NULL) and returns a WALK_* code.
cdef enum:
    NAME_FOUND = 1
    NAME_END = 0
    NAME_ERROR = -1

cdef struct NameSource
ctypedef int (*next_name_fn)(NameSource *src, Name *out) noexcept nogil
ctypedef int (*match_object_fn)(NameSource *src, const Name *name, const Host *host) noexcept nogil
cdef struct NameSource:
    next_name_fn next_san
    next_name_fn next_cn
    match_object_fn match_object

# walk_names results. A malformed wildcard ends the walk with its DNS_E* code (-1 .. -4).
cdef enum:
    WALK_MATCH = DNS_MATCH
    WALK_MISMATCH = DNS_NO_MATCH
    WALK_EBADIP = -5         # an IP SAN that is not an address, met while matching an IP address
    WALK_ESOURCE = -6        # the source failed (NAME_ERROR, or match_object's own error)
    WALK_ENOMEM = -7

# match_hostname's walk over src for host. strict: never fall back to the commonName. The GIL
# is needed only if src needs it (the dict source does).
cdef int walk_names(NameSource *src, const Host *host, bint strict) noexcept nogil

# Whether the subject's commonNames are consulted, given how many DNS and IP subjectAltNames the
# certificate has.
cdef inline bint cn_is_fallback(Py_ssize_t sans, bint strict) noexcept nogil:
    return sans == 0 and not strict

# Whether an IP SAN's octets make an address (the walk reports any other length as WALK_EBADIP).
cdef inline bint packed_ip_valid(Py_ssize_t n) noexcept nogil:
    return n == IP_V4 or n == IP_V6

# ---------------------------------------------------------------------------------------------
# The object level: match_hostname(cert, hostname) for a dict cert and a str hostname, with
# exactly the stdlib's results, exceptions and messages. Returns None or raises.
cdef match_cert_dict(dict cert, str hostname)

# certcore.match_hostname(cert, hostname) also takes a _certcore.x509.Certificate, which the x509
# module (which cimports this one) registers here at import.
cdef void register_certificate_type(type certificate_type) noexcept
