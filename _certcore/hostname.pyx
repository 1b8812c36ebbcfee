"""match_hostname(cert, hostname): CPython 3.7-3.11's rules (RFC 6125), compiled.

Three layers:

* byte-level cores (``dns_match_ascii``, ``parse_ip_ascii``; see hostname.pxd) that touch no
  Python object and run without the GIL -- the C API calls them too;
* the walk (``walk_names``): which names are compared with the hostname, in which order, and what
  ends the walk, written once over a ``NameSource``. _certcore.names gives it an X509*'s names;
* the dict source below: the getpeercert() dict's names. For the shapes getpeercert() produces
  (tuples of 2-tuples of ASCII str) the walk stays on the byte-level cores and allocates nothing
  until it has to build an error message. Anything else -- non-ASCII text, subclasses, odd
  containers, non-str values -- goes through the "generic" helpers, a line-by-line port of the
  stdlib's Python code, so that every exception type and message (including those the stdlib
  raises by accident, like unpacking errors) is the stdlib's.

Unlike 3.10/3.11, ``match_hostname`` emits no DeprecationWarning: certcore does not deprecate it.
"""
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.sequence cimport PySequence_Check
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_1BYTE_DATA
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memchr, memcmp, memcpy

from posixsys.inet cimport in_addr, inet_aton, inet_pton, AF_INET6
from pyapi cimport PyUnicode_IS_ASCII, PyUnicode_New, Py_TYPE

import ssl as _ssl

# The stdlib's class, bound once (== ssl.SSLCertVerificationError since 3.7).
CertificateError = _ssl.CertificateError

cdef str _EMPTY_CERT = (
    "empty or no certificate, match_hostname needs a SSL socket or SSL context with either "
    "CERT_OPTIONAL or CERT_REQUIRED"
)

# ---------------------------------------------------------------------------------------------
# Byte-level cores (nogil, no Python objects)

cdef inline char _lower(char c) noexcept nogil:
    return c + (c'a' - c'A') if c'A' <= c <= c'Z' else c     # as str.lower() on ASCII


cdef inline bint _ieq(const char *a, Py_ssize_t alen, const char *b, Py_ssize_t blen) noexcept nogil:
    cdef Py_ssize_t i
    if alen != blen:
        return False
    if memcmp(a, b, <size_t>alen) == 0:
        return True
    for i in range(alen):
        if a[i] != b[i] and _lower(a[i]) != _lower(b[i]):
            return False
    return True


cdef int dns_match_ascii(const char *pattern, Py_ssize_t plen,
                         const char *host, Py_ssize_t hlen) noexcept nogil:
    cdef Py_ssize_t i, star = -1, dot = -1, hdot = -1
    cdef int stars = 0
    if plen <= 0:
        return DNS_NO_MATCH
    if memchr(pattern, c'*', <size_t>plen) == NULL:
        return DNS_MATCH if _ieq(pattern, plen, host, hlen) else DNS_NO_MATCH
    for i in range(plen):
        if pattern[i] == c'*':
            stars += 1
            if star < 0:
                star = i
        elif pattern[i] == c'.' and dot < 0:
            dot = i
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


cdef inline bint _strict_quad(const char *s, Py_ssize_t n, unsigned char *out) noexcept nogil:
    """True and the 4 bytes if s is exactly what inet_ntoa prints (no leading zeros, 0-255 x4).
    That is also the dotted quad libc's inet_pton accepts, alone or at the end of an IPv6 address."""
    cdef Py_ssize_t i = 0, end
    cdef unsigned int value, d
    cdef int part
    for part in range(4):
        if part:
            if i >= n or s[i] != c'.':
                return False
            i += 1
        if i >= n:
            return False
        value = <unsigned char>s[i] - 48u
        if value > 9:
            return False
        i += 1
        end = i + 2 if value else i     # up to 3 digits, and a 0 stands alone
        while i < end and i < n:
            d = <unsigned char>s[i] - 48u
            if d > 9:
                break
            value = value * 10 + d
            i += 1
        if value > 255:
            return False
        out[part] = <unsigned char>value
    return i == n


# What each byte is to the IPv6 parser: a hex digit's value (below _COLON), _COLON, _DOT or _OTHER.
cdef enum:
    _COLON = 16
    _DOT = 17
    _OTHER = 255
    _V6_GROUPS = 8              # the 16-bit groups of an IPv6 address (IP_V6 bytes)
    _GROUP_DIGITS = 4           # hex digits in one group at most
cdef unsigned char _V6_CLASS[256]


cdef void _fill_v6_class() noexcept:
    cdef int c
    for c in range(256):
        _V6_CLASS[c] = _OTHER
    for c in range(10):
        _V6_CLASS[c'0' + c] = c
    for c in range(6):
        _V6_CLASS[c'A' + c] = 10 + c
        _V6_CLASS[c'a' + c] = 10 + c
    _V6_CLASS[c':'] = _COLON
    _V6_CLASS[c'.'] = _DOT


_fill_v6_class()


cdef bint _ipv6(const char *s, Py_ssize_t n, unsigned char *out16) noexcept nogil:
    """True and the 16 bytes if libc's inet_pton(AF_INET6) accepts s: groups of 1-4 hex digits
    joined by ':', at most one '::' standing for one or more zero groups, optionally ending in a
    dotted quad that fills the last two groups. Parsing it here costs less than the copy to a
    NUL-terminated buffer that calling libc needs."""
    cdef unsigned int groups[_V6_GROUPS]
    cdef unsigned char quad[IP_V4]
    cdef Py_ssize_t i = 0, start = 0
    cdef int count = 0, gap = -1, digits = 0, d, k, at
    cdef unsigned int value = 0
    if n < 2:
        return False
    if s[0] == c':':
        if s[1] != c':':
            return False                # a lone leading ':'
        i = 1
    while i < n:
        d = _V6_CLASS[<unsigned char>s[i]]
        if d < _COLON:
            if digits == _GROUP_DIGITS:
                return False
            value = value * 16 + <unsigned int>d
            digits += 1
        elif d == _COLON:
            if digits == 0:
                if gap >= 0:
                    return False        # a second '::', or ':::'
                gap = count
            elif i + 1 == n or count == _V6_GROUPS:
                return False            # a trailing single ':', or a ninth group
            else:
                groups[count] = value
                count += 1
            start = i + 1
            digits = 0
            value = 0
        elif d == _DOT and count <= _V6_GROUPS - 2 and _strict_quad(s + start, n - start, quad):
            groups[count] = quad[0] << 8 | quad[1]
            groups[count + 1] = quad[2] << 8 | quad[3]
            count += 2
            digits = 0
            break
        else:
            return False
        i += 1
    if digits:
        if count == _V6_GROUPS:
            return False
        groups[count] = value
        count += 1
    if (count == _V6_GROUPS) == (gap >= 0):
        return False                    # too few groups, or a '::' that stands for none
    at = 0
    for k in range(count + 1):
        if k == gap:
            while at < 2 * (gap + _V6_GROUPS - count):
                out16[at] = 0
                at += 1
        if k < count:
            out16[at] = <unsigned char>(groups[k] >> 8)
            out16[at + 1] = <unsigned char>groups[k]
            at += 2
    return True


cdef inline bint _libc_may_accept(const char *s, Py_ssize_t n) noexcept nogil:
    """False when neither inet_aton (which wants a leading digit) nor inet_pton(AF_INET6) (which
    wants hex digits, ':' and '.' only) can accept s: most DNS names, decided without a copy."""
    cdef Py_ssize_t i
    if c'0' <= s[0] <= c'9':
        return True
    for i in range(n):
        if _V6_CLASS[<unsigned char>s[i]] == _OTHER:
            return False
    return True


cdef int parse_ip_ascii(const char *s, Py_ssize_t n, unsigned char *out16) noexcept nogil:
    cdef char stackbuf[64]
    cdef char *buf = stackbuf
    cdef in_addr a4
    cdef int rc
    if n <= 0:
        return IP_NONE
    if _strict_quad(s, n, out16):
        return IP_V4
    # An IPv6 address holds a ':' and no white space, so inet_aton, which the stdlib tries
    # first, rejects it: accepting it here keeps the stdlib's order.
    if _ipv6(s, n, out16):
        return IP_V6
    if memchr(s, 0, <size_t>n) != NULL:
        return IP_ENUL
    if not _libc_may_accept(s, n):
        return IP_NONE
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


cdef int host_init(Host *host, const char *name, Py_ssize_t n) noexcept nogil:
    cdef int rc = parse_ip_ascii(name, n, host.ip)
    host.name = name
    host.len = n
    host.ip_len = rc if rc > 0 else IP_NONE
    return rc

# ---------------------------------------------------------------------------------------------
# The walk

cdef inline bint _is_ascii_space(char c) noexcept nogil:
    # str.isspace() on ASCII: space, \t \n \v \f \r, and the separators \x1c-\x1f
    return c == c' ' or c'\t' <= c <= c'\r' or c'\x1c' <= c <= c'\x1f'


cdef int _match_ip(const Name *name, const Host *host) noexcept nogil:
    """ssl._ipaddress_match: the SAN's address (text with trailing white space stripped, or
    octets) against the hostname's."""
    cdef unsigned char packed[IP_V6]
    cdef const unsigned char *octets = <const unsigned char *>name.data
    cdef Py_ssize_t n = name.len
    if name.form == FORM_TEXT:
        while n > 0 and _is_ascii_space(name.data[n - 1]):
            n -= 1
        n = parse_ip_ascii(name.data, n, packed)
        if n == IP_ENOMEM:
            return WALK_ENOMEM
        octets = packed
    if not packed_ip_valid(n):
        return WALK_EBADIP
    return WALK_MATCH if n == host.ip_len and memcmp(octets, host.ip, <size_t>n) == 0 else WALK_MISMATCH


cdef inline int _match_name(NameSource *src, const Name *name, const Host *host) noexcept nogil:
    if name.form == FORM_OBJECT or (name.kind != NAME_IP and host.name == NULL):
        return src.match_object(src, name, host)
    if name.kind == NAME_IP:
        return _match_ip(name, host)
    return dns_match_ascii(name.data, name.len, host.name, host.len)


cdef int walk_names(NameSource *src, const Host *host, bint strict) noexcept nogil:
    cdef Name name
    cdef Py_ssize_t sans = 0
    cdef int rc
    while True:
        rc = src.next_san(src, &name)
        if rc == NAME_END:
            break
        if rc == NAME_ERROR:
            return WALK_ESOURCE
        sans += 1
        # DNS names answer for DNS hostnames, IP addresses for IP addresses; both kinds count
        # against the commonName fallback either way.
        if (name.kind == NAME_IP) == (host.ip_len != IP_NONE):
            rc = _match_name(src, &name, host)
            if rc != WALK_MISMATCH:
                return rc
    if not cn_is_fallback(sans, strict):
        return WALK_MISMATCH
    while True:
        rc = src.next_cn(src, &name)
        if rc == NAME_END:
            return WALK_MISMATCH
        if rc == NAME_ERROR:
            return WALK_ESOURCE
        rc = _match_name(src, &name, host)         # as a DNS name, even for an IP address
        if rc != WALK_MISMATCH:
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
    raise _ip_error(rc, ipname)


cdef object _ip_error(int rc, object ipname):
    """_inet_paton's exception for a parse_ip_ascii result that is not an address."""
    if rc == IP_ENUL:
        return ValueError("embedded null character")
    if rc == IP_ENOMEM:
        return MemoryError()
    if rc == IP_ENOTQUAD:
        return ValueError("{!r} is not a quad-dotted IPv4 address.".format(ipname))
    return ValueError("{!r} is neither an IPv4 nor an IP6 address.".format(ipname))


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


cdef bint _ipaddress_match(object cert_ipaddress, const Host *host) except -1:
    """ssl._ipaddress_match, line by line (any types)."""
    cdef unsigned char packed[IP_V6]
    cdef int n = _inet_paton(cert_ipaddress.rstrip(), packed)
    return n == host.ip_len and memcmp(packed, host.ip, <size_t>n) == 0


cdef int _host_from_object(Host *host, object hostname) except -1:
    """The stdlib's `host_ip = _inet_paton(hostname)`, with `except ValueError: host_ip = None`."""
    if type(hostname) is str and PyUnicode_IS_ASCII(hostname):
        if host_init(host, <const char *>PyUnicode_DATA(hostname), PyUnicode_GET_LENGTH(hostname)) == IP_ENOMEM:
            raise MemoryError()
        return 0
    host.name = NULL                    # compared by _dnsname_match_generic
    host.len = 0
    try:
        host.ip_len = _inet_paton(hostname, host.ip)
    except ValueError:                  # includes UnicodeEncodeError (lone surrogates)
        host.ip_len = IP_NONE
    return 0


# -- unpacking with the interpreter's (3.11) messages; Cython's own wording differs -----------

cdef inline str _tp_name(object v, Py_ssize_t limit):
    return (<bytes>Py_TYPE(v).tp_name)[:limit].decode("utf-8", "replace")


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
        if Py_TYPE(v).tp_iter == NULL and not PySequence_Check(v):
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
    cdef const char *p
    cdef Py_ssize_t i, n, total
    cdef bint squote = False, dquote = False
    cdef char c
    if type(s) is not str or not PyUnicode_IS_ASCII(s):
        return -1
    p = <const char *>PyUnicode_DATA(s)
    n = PyUnicode_GET_LENGTH(s)
    total = n + 2
    for i in range(n):
        c = p[i]
        if c == c"'":
            squote = True
        elif c == c'"':
            dquote = True
        elif c == c"\\" or c == c"\t" or c == c"\n" or c == c"\r":
            total += 1
        elif c < c" " or c == c"\x7f":
            total += 3
    if squote and dquote:
        for i in range(n):
            if p[i] == c"'":
                total += 1
    return total


cdef Py_ssize_t _put_repr(char *out, Py_ssize_t at, object s) noexcept:
    cdef const char *p = <const char *>PyUnicode_DATA(s)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(s)
    cdef char c, quote = c"'"
    cdef const char *hexdigits = "0123456789abcdef"
    if memchr(p, c"'", <size_t>n) != NULL and memchr(p, c'"', <size_t>n) == NULL:
        quote = c'"'
    out[at] = quote
    at += 1
    for i in range(n):
        c = p[i]
        if c == quote or c == c"\\":
            out[at] = c"\\"
            out[at + 1] = c
            at += 2
        elif c == c"\t" or c == c"\n" or c == c"\r":
            out[at] = c"\\"
            out[at + 1] = c"t" if c == c"\t" else (c"n" if c == c"\n" else c"r")
            at += 2
        elif c < c" " or c == c"\x7f":
            out[at] = c"\\"
            out[at + 1] = c"x"
            out[at + 2] = hexdigits[<unsigned char>c >> 4]
            out[at + 3] = hexdigits[<unsigned char>c & 15]
            at += 4
        else:
            out[at] = c
            at += 1
    out[at] = quote
    return at + 1


# The mismatch messages' words, shared by the fast builder and the general one.
cdef str _HOSTNAME = "hostname "
cdef str _MATCH_ONE = " doesn't match "
cdef str _MATCH_MANY = " doesn't match either of "
cdef str _COMMA = ", "


cdef inline Py_ssize_t _put(char *out, Py_ssize_t at, str text) noexcept:
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    memcpy(out + at, PyUnicode_DATA(text), <size_t>n)
    return at + n


cdef str _fast_mismatch_message(object hostname, list names):
    """The message below for ASCII str names and hostname, built in one allocation (else None)."""
    cdef Py_ssize_t total, k, at = 0
    cdef char *out
    cdef Py_ssize_t count = len(names)
    cdef str verb = _MATCH_MANY if count > 1 else _MATCH_ONE
    total = _ascii_repr_len(hostname)
    if total < 0:
        return None
    total += len(_HOSTNAME) + len(verb) + len(_COMMA) * (count - 1)
    for name in names:
        k = _ascii_repr_len(name)
        if k < 0:
            return None
        total += k
    msg = PyUnicode_New(total, 127)
    out = <char *>PyUnicode_1BYTE_DATA(msg)
    at = _put(out, at, _HOSTNAME)
    at = _put_repr(out, at, hostname)
    at = _put(out, at, verb)
    for k in range(count):
        if k:
            at = _put(out, at, _COMMA)
        at = _put_repr(out, at, names[k])
    return msg


cdef str _mismatch_message(object hostname, list names):
    cdef str msg
    if not names:
        return "no appropriate commonName or subjectAltName fields were found"
    msg = _fast_mismatch_message(hostname, names)
    if msg is not None:
        return msg
    return (_HOSTNAME + repr(hostname) + (_MATCH_MANY if len(names) > 1 else _MATCH_ONE)
            + _COMMA.join(map(repr, names)))

# ---------------------------------------------------------------------------------------------
# The dict source: the names of a getpeercert()-shaped cert, for walk_names. It runs with the
# GIL held (match_hostname never releases it); next_san/next_cn read only C data.

cdef enum:
    _INLINE_NAMES = 8           # room for a typical certificate's names without an allocation

ctypedef struct _DictName:
    Name name
    # the object it was read from: borrowed from a tuple the walk holds, or held by `keep`
    PyObject *value

ctypedef struct _DictSource:
    NameSource base             # first, so that the walk's NameSource* is this struct
    PyObject *cert              # borrowed: the caller holds cert and hostname throughout
    PyObject *hostname
    bint cert_is_dict
    # the DNS and IP subjectAltNames, then (once asked for) the commonNames; inline_names until
    # more are needed
    _DictName *names
    Py_ssize_t count
    Py_ssize_t capacity
    Py_ssize_t pos              # the next name to hand out; pos - 1 is the walk's current one
    Py_ssize_t cn_start         # where the commonNames start; -1 until the walk asks for them
    PyObject *keep              # a list owning what no held tuple does, or NULL
    PyObject *error             # owned: the exception the walk ends with at `count`, or NULL
    _DictName inline_names[_INLINE_NAMES]


cdef void _dict_source_init(_DictSource *src, object cert, object hostname, bint cert_is_dict) noexcept:
    src.base.next_san = _dict_next_san
    src.base.next_cn = _dict_next_cn
    src.base.match_object = _dict_match_object
    src.cert = <PyObject *>cert
    src.hostname = <PyObject *>hostname
    src.cert_is_dict = cert_is_dict
    src.names = src.inline_names
    src.count = 0
    src.capacity = _INLINE_NAMES
    src.pos = 0
    src.cn_start = -1
    src.keep = NULL
    src.error = NULL


cdef void _dict_source_clear(_DictSource *src) noexcept:
    if src.names != src.inline_names:
        free(src.names)
    Py_XDECREF(src.keep)
    Py_XDECREF(src.error)


cdef int _keep(_DictSource *src, object value) except -1:
    cdef list keep
    if src.keep == NULL:
        keep = [value]
        Py_INCREF(keep)
        src.keep = <PyObject *>keep
    else:
        (<list>src.keep).append(value)
    return 0


cdef void _set_error(_DictSource *src, object exc) noexcept:
    Py_XDECREF(src.error)
    Py_INCREF(exc)
    src.error = <PyObject *>exc


cdef int _grow(_DictSource *src) except -1:
    cdef _DictName *grown
    if src.names == src.inline_names:
        grown = <_DictName *>malloc(<size_t>(2 * src.capacity) * sizeof(_DictName))
        if grown != NULL:
            memcpy(grown, src.names, <size_t>src.count * sizeof(_DictName))
    else:
        grown = <_DictName *>realloc(src.names, <size_t>(2 * src.capacity) * sizeof(_DictName))
    if grown == NULL:
        raise MemoryError()
    src.names = grown
    src.capacity *= 2
    return 0


cdef inline int _add_name(_DictSource *src, int kind, object value, bint held) except -1:
    """Append a name; held: a tuple the walk holds keeps value alive (else `keep` does)."""
    cdef _DictName *entry
    if src.count == src.capacity:
        _grow(src)
    if not held:
        _keep(src, value)
    entry = &src.names[src.count]
    entry.value = <PyObject *>value
    entry.name.kind = kind
    if type(value) is str and PyUnicode_IS_ASCII(value):
        entry.name.form = FORM_TEXT
        entry.name.data = <const char *>PyUnicode_DATA(value)
        entry.name.len = PyUnicode_GET_LENGTH(value)
    else:
        entry.name.form = FORM_OBJECT
        entry.name.data = NULL
        entry.name.len = 0
    src.count += 1
    return 0


# The getpeercert() keys the walk reads.
cdef str _SAN_KEY = "subjectAltName"
cdef str _SUBJECT_KEY = "subject"
cdef str _DNS_KEY = "DNS"
cdef str _IP_KEY = "IP Address"
cdef str _CN_KEY = "commonName"


cdef inline bint _same_ascii(str s, str key) noexcept:
    """s == key for an exact str s and an ASCII key, without a rich comparison."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(key)
    return (PyUnicode_GET_LENGTH(s) == n and PyUnicode_IS_ASCII(s)
            and memcmp(PyUnicode_DATA(s), PyUnicode_DATA(key), <size_t>n) == 0)


cdef inline int _san_kind(str key) noexcept:
    if _same_ascii(key, _DNS_KEY):
        return NAME_DNS
    if _same_ascii(key, _IP_KEY):
        return NAME_IP
    return 0


cdef bint _collect_sans_fast(_DictSource *src, tuple sans) except -1:
    """_collect_sans for getpeercert()'s shape, a tuple of (str, value) tuples, which reads
    without calling into Python. False, with nothing added, for any other shape."""
    cdef Py_ssize_t i
    cdef PyObject *entry
    cdef PyObject *key
    cdef int kind
    for i in range(PyTuple_GET_SIZE(sans)):
        entry = PyTuple_GET_ITEM(sans, i)
        if type(<object>entry) is not tuple or PyTuple_GET_SIZE(<object>entry) != 2:
            src.count = 0
            return False
        key = PyTuple_GET_ITEM(<object>entry, 0)
        if type(<object>key) is not str:
            src.count = 0
            return False
        kind = _san_kind(<str>key)
        if kind:
            _add_name(src, kind, <object>PyTuple_GET_ITEM(<object>entry, 1), True)
    return True


cdef int _collect_sans(_DictSource *src, object sans) except -1:
    """The DNS and IP Address entries of subjectAltName, in order. An exception from the loop
    itself (iterating, unpacking, comparing keys) is kept and raised only if the walk gets that
    far, since the stdlib's loop returns or raises at any earlier entry that decides."""
    cdef tuple kv
    cdef bint held = type(sans) is tuple
    if held and _collect_sans_fast(src, <tuple>sans):
        return 0
    try:
        for entry in sans:
            kv = _unpack(entry, 2)
            key = kv[0]
            if key == _DNS_KEY:
                _add_name(src, NAME_DNS, kv[1], held and kv is entry)
            elif key == _IP_KEY:
                _add_name(src, NAME_IP, kv[1], held and kv is entry)
    except BaseException as exc:
        _set_error(src, exc)
    return 0


cdef void _collect_cns(_DictSource *src) noexcept with gil:
    """The subject's commonNames, in order; an exception is kept as in _collect_sans."""
    cdef object cert = <object>src.cert
    cdef tuple kv
    cdef bint held
    src.cn_start = src.count
    try:
        subject = (<dict>cert).get(_SUBJECT_KEY, ()) if src.cert_is_dict else cert.get(_SUBJECT_KEY, ())
        held = type(subject) is tuple
        if held:
            _keep(src, subject)
        for rdn in subject:
            for entry in rdn:
                kv = _unpack(entry, 2)
                if kv[0] == _CN_KEY:
                    _add_name(src, NAME_CN, kv[1], held and type(rdn) is tuple and kv is entry)
    except BaseException as exc:
        _set_error(src, exc)


cdef int _dict_next_san(NameSource *base, Name *out) noexcept nogil:
    cdef _DictSource *src = <_DictSource *>base
    if src.pos < src.count:
        out[0] = src.names[src.pos].name
        src.pos += 1
        return NAME_FOUND
    return NAME_ERROR if src.error != NULL else NAME_END


cdef int _dict_next_cn(NameSource *base, Name *out) noexcept nogil:
    cdef _DictSource *src = <_DictSource *>base
    if src.cn_start < 0:
        _collect_cns(src)
    return _dict_next_san(base, out)


cdef int _dict_match_object(NameSource *base, const Name *name, const Host *host) noexcept with gil:
    cdef _DictSource *src = <_DictSource *>base
    cdef object value = <object>src.names[src.pos - 1].value
    try:
        if name.kind == NAME_IP:
            matched = _ipaddress_match(value, host)
        else:
            matched = _dnsname_match_generic(value, <object>src.hostname)
        return WALK_MATCH if matched else WALK_MISMATCH
    except BaseException as exc:
        _set_error(src, exc)
        return WALK_ESOURCE


cdef int _raise_walk_error(_DictSource *src, int rc) except -1:
    cdef unsigned char packed[IP_V6]
    cdef str text
    if rc == WALK_ESOURCE:
        raise <object>src.error
    if rc == WALK_ENOMEM:
        raise MemoryError()
    value = <object>src.names[src.pos - 1].value
    if rc == WALK_EBADIP:                           # an ASCII str (FORM_TEXT) that is no address
        text = value.rstrip()
        raise _ip_error(parse_ip_ascii(<const char *>PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), packed),
                        text)
    raise _wildcard_error(rc, value)


cdef str _walk(object cert, object hostname, bint cert_is_dict):
    """match_hostname's body after `if not cert`: None on a match, else the CertificateError
    message (returned, not raised, so that the raise happens once, in the caller: each Cython
    frame an exception passes through adds a traceback entry, most of what a miss costs)."""
    cdef Host host
    cdef _DictSource src
    cdef Py_ssize_t i
    cdef int rc
    _host_from_object(&host, hostname)
    sans = (<dict>cert).get(_SAN_KEY, ()) if cert_is_dict else cert.get(_SAN_KEY, ())
    _dict_source_init(&src, cert, hostname, cert_is_dict)
    try:
        _collect_sans(&src, sans)
        rc = walk_names(&src.base, &host, False)
        if rc == WALK_MATCH:
            return None
        if rc == WALK_MISMATCH:
            # The names the stdlib lists: those of the part the walk ended in.
            return _mismatch_message(hostname, [<object>src.names[i].value for i in
                                                range(max(src.cn_start, 0), src.count)])
        _raise_walk_error(&src, rc)
    finally:
        _dict_source_clear(&src)


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
