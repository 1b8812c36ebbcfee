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
    DNS_ESOLE = -3           # '*' and no '.'              "sole wildcard without additional labels are not support: %r."
    DNS_EPARTIAL = -4        # leftmost label is not '*'   "partial wildcards in leftmost label are not supported: %r."

cdef int dns_match_ascii(const char *pattern, Py_ssize_t plen,
                         const char *host, Py_ssize_t hlen) noexcept nogil

# parse_ip_ascii(s, n, out16): the stdlib's ssl._inet_paton on the UTF-8 bytes of a string.
# Writes the packed address to out16 (room for 16 bytes) and returns:
cdef enum:
    IP_V4 = 4                # IPv4, strictly dotted-quad (inet_ntoa(inet_aton(s)) == s); 4 bytes written
    IP_V6 = 16               # IPv6 accepted by libc inet_pton(AF_INET6); 16 bytes written
    IP_NONE = 0              # neither: "%r is neither an IPv4 nor an IP6 address."
    IP_ENOTQUAD = -1         # libc inet_aton accepts it but it is not canonical ('127.1', '1.2.3.4 x'):
                             #   "%r is not a quad-dotted IPv4 address."
    IP_ENUL = -2             # contains a NUL byte: ValueError("embedded null character")
    IP_ENOMEM = -3           # could not allocate a temporary copy (inputs > 63 bytes)

cdef int parse_ip_ascii(const char *s, Py_ssize_t n, unsigned char *out16) noexcept nogil

# The object level: match_hostname(cert, hostname) for a dict cert and a str hostname, with
# exactly the stdlib's results, exceptions and messages. Returns None or raises.
cdef match_cert_dict(dict cert, str hostname)

# certcore.match_hostname(cert, hostname) also takes a _certcore.x509.Certificate, which the x509
# module (which cimports this one) registers here at import.
cdef void register_certificate_type(type certificate_type) noexcept
