"""match_hostname(cert, hostname): CPython 3.7-3.11's rules (RFC 6125), compiled.

Two layers:

* byte-level cores (``dns_match_ascii``, ``parse_ip_ascii``; see hostname.pxd) that touch no
  Python object and run without the GIL -- the C API calls them too;
* ``match_cert_dict`` (dict cert, str hostname): walks the getpeercert() dict. For the shapes
  getpeercert() produces (tuples of 2-tuples of ASCII str) it stays on the byte-level cores and
  allocates nothing until it has to build an error message. Anything else -- non-ASCII text,
  subclasses, odd containers, non-str values -- takes the "generic" helpers below, which are a
  line-by-line port of the stdlib's Python code, so that every exception type and message
  (including those the stdlib raises by accident, like unpacking errors) is the stdlib's.

``match_hostname`` itself takes the generic walk for a non-dict cert or a non-str hostname.
Unlike 3.10/3.11 it emits no DeprecationWarning: certcore does not deprecate it.
"""
from cpython.object cimport PyObject, Py_TYPE
from cpython.sequence cimport PySequence_Check
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_1BYTE_DATA
from libc.stdlib cimport malloc, free
from libc.string cimport memchr, memcmp, memcpy

from posixnet cimport in_addr, inet_aton, inet_pton, AF_INET6
from pyunicodeobject cimport PyUnicode_IS_ASCII, PyTypeObject_iter, PyUnicode_New

import ssl as _ssl

# The stdlib's class, bound once (== ssl.SSLCertVerificationError since 3.7).
CertificateError = _ssl.CertificateError

cdef str _EMPTY_CERT = (
    "empty or no certificate, match_hostname needs a SSL socket or SSL context with either "
    "CERT_OPTIONAL or CERT_REQUIRED"
)

# ---------------------------------------------------------------------------------------------
# Byte-level cores (nogil, no Python objects)

cdef inline unsigned char _lower(unsigned char c) noexcept nogil:
    return c + 32 if 65 <= c <= 90 else c     # 'A'..'Z' only, as str.lower() on ASCII


cdef inline bint _ieq(const char *a, Py_ssize_t alen, const char *b, Py_ssize_t blen) noexcept nogil:
    cdef Py_ssize_t i
    if alen != blen:
        return False
    for i in range(alen):
        if a[i] != b[i] and _lower(<unsigned char>a[i]) != _lower(<unsigned char>b[i]):
            return False
    return True


cdef int dns_match_ascii(const char *pattern, Py_ssize_t plen,
                         const char *host, Py_ssize_t hlen) noexcept nogil:
    cdef Py_ssize_t i, star = -1, dot = -1, hdot = -1
    cdef int stars = 0
    if plen <= 0:
        return DNS_NO_MATCH
    for i in range(plen):
        if pattern[i] == c'*':
            stars += 1
            if star < 0:
                star = i
        elif pattern[i] == c'.' and dot < 0:
            dot = i
    if stars == 0:
        return DNS_MATCH if _ieq(pattern, plen, host, hlen) else DNS_NO_MATCH
    if stars > 1:
        return DNS_ETOO_MANY
    if dot >= 0 and star > dot:
        return DNS_ELEFTMOST
    if dot < 0:
        return DNS_ESOLE
    if dot != 1:                    # the single '*' is in the leftmost label, which is not just '*'
        return DNS_EPARTIAL
    for i in range(hlen):
        if host[i] == c'.':
            hdot = i
            break
    if hdot <= 0:                   # no '.' in host, or an empty leftmost label
        return DNS_NO_MATCH
    return DNS_MATCH if _ieq(pattern + 2, plen - 2, host + hdot + 1, hlen - hdot - 1) else DNS_NO_MATCH


cdef inline int _strict_quad(const char *s, Py_ssize_t n, unsigned char *out) noexcept nogil:
    """1 and the 4 bytes if s is exactly what inet_ntoa prints (no leading zeros, 0-255 x4)."""
    cdef Py_ssize_t i = 0
    cdef int part, value, digits
    for part in range(4):
        if part:
            if i >= n or s[i] != c'.':
                return 0
            i += 1
        value = 0
        digits = 0
        while i < n and c'0' <= s[i] <= c'9':
            if digits and value == 0:       # leading zero
                return 0
            value = value * 10 + (s[i] - c'0')
            digits += 1
            i += 1
            if value > 255:
                return 0
        if digits == 0:
            return 0
        out[part] = <unsigned char>value
    return i == n


cdef int parse_ip_ascii(const char *s, Py_ssize_t n, unsigned char *out16) noexcept nogil:
    cdef char stackbuf[64]
    cdef char *buf = stackbuf
    cdef in_addr a4
    cdef int rc
    if n < 0:
        return IP_NONE
    if _strict_quad(s, n, out16):
        return IP_V4
    if n and memchr(s, 0, <size_t>n) != NULL:
        return IP_ENUL
    # The rest is exactly the stdlib's test: libc inet_aton, else libc inet_pton(AF_INET6).
    if n >= <Py_ssize_t>sizeof(stackbuf):
        buf = <char *>malloc(<size_t>n + 1)
        if buf == NULL:
            return IP_ENOMEM
    memcpy(buf, s, <size_t>n)
    buf[n] = 0
    if inet_aton(buf, &a4):
        rc = IP_ENOTQUAD            # accepted, but _strict_quad said inet_ntoa would differ
    elif inet_pton(AF_INET6, buf, out16) == 1:
        rc = IP_V6
    else:
        rc = IP_NONE
    if buf != stackbuf:
        free(buf)
    return rc

# ---------------------------------------------------------------------------------------------
# Object level: stdlib-exact exceptions

cdef object _wildcard_error(int code, object dn):
    if code == DNS_ETOO_MANY:
        return CertificateError("too many wildcards in certificate DNS name: {!r}.".format(dn))
    if code == DNS_ELEFTMOST:
        return CertificateError("wildcard can only be present in the leftmost label: {!r}.".format(dn))
    if code == DNS_ESOLE:
        return CertificateError(
            "sole wildcard without additional labels are not support: {!r}.".format(dn))
    return CertificateError("partial wildcards in leftmost label are not supported: {!r}.".format(dn))


cdef int _inet_paton(object ipname, unsigned char *out16) except -1:
    """ssl._inet_paton(ipname) -> 4 or 16 (bytes in out16), or the stdlib's exception."""
    cdef Py_ssize_t n
    cdef const char *s
    cdef int rc
    if not isinstance(ipname, str):
        # socket.inet_aton's argument check, worded as in 3.11 on every Python
        raise TypeError("inet_aton() argument 1 must be str, not %s"
                        % ("None" if ipname is None else _tp_name(ipname, 50)))
    s = PyUnicode_AsUTF8AndSize(ipname, &n)        # UnicodeEncodeError for lone surrogates, as "s"
    rc = parse_ip_ascii(s, n, out16)
    if rc > 0:
        return rc
    if rc == IP_ENUL:
        raise ValueError("embedded null character")
    if rc == IP_ENOMEM:
        raise MemoryError()
    if rc == IP_ENOTQUAD:
        raise ValueError("{!r} is not a quad-dotted IPv4 address.".format(ipname))
    raise ValueError("{!r} is neither an IPv4 nor an IP6 address.".format(ipname))


cdef object _dnsname_match_generic(object dn, object hostname):
    """ssl._dnsname_match, line by line (any types); returns the stdlib's (truthy) result."""
    if not dn:
        return False
    wildcards = dn.count('*')
    if not wildcards:
        return dn.lower() == hostname.lower()
    if wildcards > 1:
        raise _wildcard_error(DNS_ETOO_MANY, dn)
    dn_leftmost, sep, dn_remainder = _unpack3(dn.partition('.'))
    if '*' in dn_remainder:
        raise _wildcard_error(DNS_ELEFTMOST, dn)
    if not sep:
        raise _wildcard_error(DNS_ESOLE, dn)
    if dn_leftmost != '*':
        raise _wildcard_error(DNS_EPARTIAL, dn)
    hostname_leftmost, sep, hostname_remainder = _unpack3(hostname.partition('.'))
    if not hostname_leftmost or not sep:
        return False
    return dn_remainder.lower() == hostname_remainder.lower()


cdef inline bint _dnsname_match(object dn, object hostname) except -1:
    cdef int rc
    if (type(dn) is str and type(hostname) is str
            and PyUnicode_IS_ASCII(dn) and PyUnicode_IS_ASCII(hostname)):
        rc = dns_match_ascii(<const char *>PyUnicode_DATA(dn), PyUnicode_GET_LENGTH(dn),
                             <const char *>PyUnicode_DATA(hostname), PyUnicode_GET_LENGTH(hostname))
        if rc < 0:
            raise _wildcard_error(rc, dn)
        return rc
    return bool(_dnsname_match_generic(dn, hostname))


cdef inline bint _is_ascii_space(unsigned char c) noexcept nogil:
    # str.isspace() on ASCII: \t \n \v \f \r, \x1c-\x1f, space
    return c == 32 or 9 <= c <= 13 or 28 <= c <= 31


cdef bint _ipaddress_match(object cert_ipaddress, const unsigned char *host_ip, int host_len) except -1:
    """ssl._ipaddress_match: _inet_paton(cert_ipaddress.rstrip()) == host_ip."""
    cdef unsigned char packed[16]
    cdef const char *s
    cdef Py_ssize_t n
    cdef int rc
    if type(cert_ipaddress) is str and PyUnicode_IS_ASCII(cert_ipaddress):
        s = <const char *>PyUnicode_DATA(cert_ipaddress)
        n = PyUnicode_GET_LENGTH(cert_ipaddress)
        while n > 0 and _is_ascii_space(<unsigned char>s[n - 1]):
            n -= 1
        rc = parse_ip_ascii(s, n, packed)
        if rc > 0:
            return rc == host_len and memcmp(packed, host_ip, <size_t>rc) == 0
        # an error: let the object path word it (with the stripped text's repr)
        cert_ipaddress = cert_ipaddress[:n]
    else:
        cert_ipaddress = cert_ipaddress.rstrip()
    rc = _inet_paton(cert_ipaddress, packed)
    return rc == host_len and memcmp(packed, host_ip, <size_t>rc) == 0


cdef inline int _host_ip(str hostname, unsigned char *out16) except -1:
    """_inet_paton(hostname) with the stdlib's `except ValueError: host_ip = None` -> 0."""
    cdef int rc
    if PyUnicode_IS_ASCII(hostname):
        rc = parse_ip_ascii(<const char *>PyUnicode_DATA(hostname), PyUnicode_GET_LENGTH(hostname), out16)
        if rc == IP_ENOMEM:
            raise MemoryError()
        return rc if rc > 0 else 0
    try:
        return _inet_paton(hostname, out16)
    except ValueError:                  # includes UnicodeEncodeError (lone surrogates)
        return 0


cdef int _object_host_ip(object hostname, unsigned char *out16) except -1:
    if type(hostname) is str:
        return _host_ip(<str>hostname, out16)
    try:
        return _inet_paton(hostname, out16)
    except ValueError:
        return 0


# -- unpacking with the interpreter's (3.11) messages; Cython's own wording differs -----------

cdef inline str _tp_name(object v, Py_ssize_t limit):
    return (<bytes>(<PyTypeObject_iter *>Py_TYPE(v)).tp_name)[:limit].decode("utf-8", "replace")


cdef tuple _unpack(object v, Py_ssize_t expected):
    """`a, b(, c) = v` as the 3.11 interpreter does it (its messages; Cython words them differently).
    An exact tuple of the right size is returned as is (no allocation)."""
    cdef Py_ssize_t i
    if type(v) is tuple and len(<tuple>v) == expected:
        return <tuple>v
    if type(v) is list and len(<list>v) == expected:
        return tuple(<list>v)
    try:
        it = iter(v)
    except TypeError:
        if (<PyTypeObject_iter *>Py_TYPE(v)).tp_iter == NULL and not PySequence_Check(v):
            raise TypeError("cannot unpack non-iterable %s object" % _tp_name(v, 200))
        raise
    items = []
    for i in range(expected):
        try:
            w = next(it)
        except StopIteration:
            raise ValueError("not enough values to unpack (expected %d, got %d)" % (expected, i)) from None
        items.append(w)
    try:
        next(it)
    except StopIteration:
        return tuple(items)
    raise ValueError("too many values to unpack (expected %d)" % expected)


cdef inline tuple _unpack3(object v):
    return _unpack(v, 3)


cdef inline Py_ssize_t _ascii_repr_len(object s) noexcept:
    r"""len(repr(s)) for an exact ASCII str (else -1), following str.__repr__: quotes are ' unless
    the text has ' and no ", escapes for \\, the chosen quote, \t \n \r, and \xNN for other
    control characters and DEL."""
    cdef const unsigned char *p
    cdef Py_ssize_t i, n, total
    cdef bint squote = False, dquote = False
    cdef unsigned char c
    if type(s) is not str or not PyUnicode_IS_ASCII(s):
        return -1
    p = <const unsigned char *>PyUnicode_DATA(s)
    n = PyUnicode_GET_LENGTH(s)
    total = n + 2
    for i in range(n):
        c = p[i]
        if c == 0x27:
            squote = True
        elif c == 0x22:
            dquote = True
        elif c == 0x5c or c == 9 or c == 10 or c == 13:
            total += 1
        elif c < 0x20 or c == 0x7f:
            total += 3
    if squote and dquote:
        for i in range(n):
            if p[i] == 0x27:
                total += 1
    return total


cdef Py_ssize_t _put_repr(char *out, Py_ssize_t at, object s) noexcept:
    cdef const unsigned char *p = <const unsigned char *>PyUnicode_DATA(s)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(s)
    cdef unsigned char c, quote = 0x27
    cdef const char *hexdigits = "0123456789abcdef"
    if memchr(p, 0x27, <size_t>n) != NULL and memchr(p, 0x22, <size_t>n) == NULL:
        quote = 0x22
    out[at] = <char>quote
    at += 1
    for i in range(n):
        c = p[i]
        if c == quote or c == 0x5c:
            out[at] = c"\\"
            out[at + 1] = <char>c
            at += 2
        elif c == 9 or c == 10 or c == 13:
            out[at] = c"\\"
            out[at + 1] = c"t" if c == 9 else (c"n" if c == 10 else c"r")
            at += 2
        elif c < 0x20 or c == 0x7f:
            out[at] = c"\\"
            out[at + 1] = c"x"
            out[at + 2] = hexdigits[c >> 4]
            out[at + 3] = hexdigits[c & 15]
            at += 4
        else:
            out[at] = <char>c
            at += 1
    out[at] = <char>quote
    return at + 1


cdef inline Py_ssize_t _put(char *out, Py_ssize_t at, const char *text, Py_ssize_t n) noexcept:
    memcpy(out + at, text, <size_t>n)
    return at + n


cdef str _fast_mismatch_message(object hostname, list names):
    """The common case of the message below, built in one allocation (or None if not plain)."""
    cdef Py_ssize_t total, k, at = 0
    cdef char *out
    cdef Py_ssize_t count = len(names)
    total = _ascii_repr_len(hostname)
    if total < 0:
        return None
    total += 9 + (25 if count > 1 else 15)    # "hostname " + " doesn't match either of " / " doesn't match "
    for name in names:
        k = _ascii_repr_len(name)
        if k < 0:
            return None
        total += k
    total += 2 * (count - 1)
    msg = PyUnicode_New(total, 127)
    out = <char *>PyUnicode_1BYTE_DATA(msg)
    at = _put(out, at, "hostname ", 9)
    at = _put_repr(out, at, hostname)
    if count > 1:
        at = _put(out, at, " doesn't match either of ", 25)
    else:
        at = _put(out, at, " doesn't match ", 15)
    for k in range(count):
        if k:
            at = _put(out, at, ", ", 2)
        at = _put_repr(out, at, names[k])
    return msg


cdef str _mismatch_message(object hostname, list names):
    cdef str msg
    if names is not None and len(names) > 0:
        msg = _fast_mismatch_message(hostname, names)
        if msg is not None:
            return msg
    if names is not None and len(names) > 1:
        return "hostname %r doesn't match either of %s" % (hostname, ', '.join(map(repr, names)))
    if names is not None and len(names) == 1:
        return "hostname %r doesn't match %r" % (hostname, names[0])
    return "no appropriate commonName or subjectAltName fields were found"


# ---------------------------------------------------------------------------------------------
# The walk


cdef str _walk(object cert, object hostname, bint cert_is_dict):
    """match_hostname's body after `if not cert`: None on a match, else the CertificateError
    message (returned, not raised, so that the raise happens once, in the caller: each Cython
    frame an exception passes through costs a traceback entry, which dominated the miss time)."""
    cdef unsigned char host_ip[16]
    cdef int host_len
    cdef tuple kv
    cdef list names = None
    if type(hostname) is str:
        host_len = _host_ip(<str>hostname, host_ip)
    else:
        host_len = _object_host_ip(hostname, host_ip)
    san = (<dict>cert).get('subjectAltName', ()) if cert_is_dict else cert.get('subjectAltName', ())
    for entry in san:
        kv = _unpack(entry, 2)
        key = kv[0]
        value = kv[1]
        if key == 'DNS':
            if host_len == 0 and _dnsname_match(value, hostname):
                return None
        elif key == 'IP Address':
            if host_len != 0 and _ipaddress_match(value, host_ip, host_len):
                return None
        else:
            continue
        if names is None:
            names = []
        names.append(value)
    if names is None:
        subject = (<dict>cert).get('subject', ()) if cert_is_dict else cert.get('subject', ())
        for sub in subject:
            for entry in sub:
                kv = _unpack(entry, 2)
                key = kv[0]
                value = kv[1]
                if key == 'commonName':
                    if _dnsname_match(value, hostname):
                        return None
                    if names is None:
                        names = []
                    names.append(value)
    return _mismatch_message(hostname, names)


cdef match_cert_dict(dict cert, str hostname):
    if not cert:
        raise ValueError(_EMPTY_CERT)
    msg = _walk(cert, hostname, True)
    if msg is not None:
        raise CertificateError(msg)


def match_hostname(cert, hostname):
    """Verify that *cert* (in decoded format as returned by SSLSocket.getpeercert()) matches the
    *hostname*, with the rules of CPython 3.7-3.11's ssl.match_hostname (RFC 2818 / RFC 6125).

    IP addresses are matched against the IP subjectAltNames when *hostname* is one (strict
    dotted-quad IPv4, or IPv6); otherwise DNS subjectAltNames are used, and the subject's
    commonName only when there are no DNS or IP subjectAltNames. Returns None on success;
    raises ssl.CertificateError on a mismatch and ValueError for an empty or missing cert.

    *cert* may also be a certcore.Certificate: the same verdicts and errors, without building
    the dict (see Certificate.match_hostname).
    """
    cdef str msg
    cdef bint is_dict = type(cert) is dict
    if not is_dict and _certificate_type is not None and isinstance(cert, _certificate_type):
        return cert.match_hostname(hostname)
    if not cert:
        raise ValueError(_EMPTY_CERT)
    msg = _walk(cert, hostname, is_dict)
    if msg is not None:
        raise CertificateError(msg)


cdef type _certificate_type = None


cdef void register_certificate_type(type certificate_type) noexcept:
    global _certificate_type
    _certificate_type = certificate_type
