# cython: boundscheck=False, wraparound=False, cdivision=True
"""Certificate time strings -> seconds since the Epoch, in C.

``cert_time_to_seconds`` reproduces CPython 3.11's ``ssl.cert_time_to_seconds``, which looks the
month up in a fixed English table (``cert_time[:3].title()``) and hands the rest to
``time.strptime(rest, ' %d %H:%M:%S %Y GMT')``. That format compiles (``_strptime.TimeRE``, with
``re.IGNORECASE``) to::

    \\s+(3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])\\s+(2[0-3]|[0-1]\\d|\\d):([0-5]\\d|\\d):(6[0-1]|[0-5]\\d|\\d)\\s+(\\d\\d\\d\\d)\\s+GMT

matched at the start (not the end) of the text. ``\\s`` is ``str.isspace``, ``\\d`` any Unicode
decimal digit (Unicode 14, the database of 3.11), and ``GMT`` matches only ASCII letters in any case.
Every alternative above is followed by a single fixed character class (``:`` or ``\\s``), so the
regex's backtracking reduces to "try the alternatives in order, each with its follower": the C
parser below does exactly that. The date is then ``timegm((year, month, day, H, M, S))`` with the
day never checked against the month (strptime validates it against January), and year 0 rejected
by ``datetime.date``.
"""
from cpython.long cimport PyLong_FromLongLong
from cpython.object cimport PyObject_GetItem

from pytext cimport PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH, read_char, py_isspace

cdef str _FORMAT = ' %d %H:%M:%S %Y GMT'
cdef tuple _MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
cdef object _HEAD = slice(None, 3)
cdef object _TAIL = slice(3, None)

# Lower-case month names packed as c0 << 16 | c1 << 8 | c2.
cdef int[12] _MONTH_KEYS = [
    0x6a616e, 0x666562, 0x6d6172, 0x617072, 0x6d6179, 0x6a756e,
    0x6a756c, 0x617567, 0x736570, 0x6f6374, 0x6e6f76, 0x646563,
]

# The zero of every run of Unicode decimal digits (category Nd) in Unicode 14.0, CPython 3.11's
# database: ``re``'s ``\d`` and ``int()`` accept exactly these runs of ten.
cdef Py_UCS4[66] _ZEROS = [
    0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66,
    0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90,
    0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
    0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
    0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0,
    0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
]


cdef inline int _decimal(unsigned int c) noexcept nogil:
    """The value of a Unicode decimal digit, or -1."""
    cdef int lo, hi, mid
    cdef unsigned int off
    if c < 128:
        return <int>c - 48 if 48 <= c <= 57 else -1
    if c < 0x660 or c > 0x1fbf9:
        return -1
    lo, hi = 1, 65          # largest zero <= c
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if _ZEROS[mid] <= c:
            lo = mid
        else:
            hi = mid - 1
    off = c - <unsigned int>_ZEROS[lo]
    return <int>off if off < 10 else -1


cdef inline int _month_ascii(unsigned int a, unsigned int b, unsigned int c) noexcept nogil:
    """1..12 for a case-insensitive ASCII month abbreviation, else 0."""
    cdef int i, key
    if a >= 128 or b >= 128 or c >= 128:
        return 0
    if 65 <= a <= 90: a += 32
    if 65 <= b <= 90: b += 32
    if 65 <= c <= 90: c += 32
    key = <int>(a << 16 | b << 8 | c)
    for i in range(12):
        if _MONTH_KEYS[i] == key:
            return i + 1
    return 0


cdef long long civil_to_seconds(long long year, int month, int day, int hour, int minute,
                                int second) noexcept nogil:
    # days_from_civil (H. Hinnant), for the 1st of the month; the day is then added linearly,
    # as calendar.timegm does, so that out-of-range days and seconds roll over the same way.
    cdef long long y, era, yoe, doy, doe, m
    m = month - 1
    y = year + (m // 12 if m >= 0 else -((11 - m) // 12))
    m = m - 12 * (m // 12 if m >= 0 else -((11 - m) // 12)) + 1
    if m <= 2:
        y -= 1
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return ((era * 146097 + doe - 719468 + day - 1) * 24 + hour) * 3600 + <long long>minute * 60 + second


cdef inline bint _ws_at(int kind, const void *d, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    return i < n and py_isspace(read_char(kind, d, i))


cdef inline Py_UCS4 _at(int kind, const void *d, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    # NUL stands for "past the end": it is neither a digit, a space, ':' nor a letter.
    return read_char(kind, d, i) if i < n else 0


cdef int _parse_rest(int kind, const void *d, Py_ssize_t i, Py_ssize_t n, int *f,
                     Py_ssize_t *end) noexcept nogil:
    """Match ``' %d %H:%M:%S %Y GMT'`` at d[i:n] as strptime does.

    f receives day, hour, minute, second, year. Returns CT_OK, CT_NO_MATCH, or CT_UNCONVERTED with
    *end = where the match stopped.
    """
    cdef unsigned int c0, c1, c2
    cdef int v0, v1, v2, v3
    cdef Py_ssize_t j
    # \s+
    j = i
    while _ws_at(kind, d, j, n):
        j += 1
    if j == i:
        return CT_NO_MATCH
    # %d then \s
    c0 = _at(kind, d, j, n)
    c1 = _at(kind, d, j + 1, n)
    v1 = _decimal(c1)
    if c0 == 51 and (c1 == 48 or c1 == 49) and _ws_at(kind, d, j + 2, n):        # 3[0-1]
        f[0] = 30 + v1
        j += 2
    elif (c0 == 49 or c0 == 50) and v1 >= 0 and _ws_at(kind, d, j + 2, n):     # [1-2]\d
        f[0] = (<int>c0 - 48) * 10 + v1
        j += 2
    elif c0 == 48 and 49 <= c1 <= 57 and _ws_at(kind, d, j + 2, n):            # 0[1-9]
        f[0] = v1
        j += 2
    elif 49 <= c0 <= 57 and _ws_at(kind, d, j + 1, n):                        # [1-9]
        f[0] = <int>c0 - 48
        j += 1
    else:
        return CT_NO_MATCH
    # \s+   (' [1-9]' needs a space the greedy \s+ already took: it can only repeat [1-9])
    while _ws_at(kind, d, j, n):
        j += 1
    # %H then ':'
    c0 = _at(kind, d, j, n)
    c1 = _at(kind, d, j + 1, n)
    c2 = _at(kind, d, j + 2, n)
    v0 = _decimal(c0)
    v1 = _decimal(c1)
    if c0 == 50 and 48 <= c1 <= 51 and c2 == 58:                 # 2[0-3]
        f[1] = 20 + v1
        j += 3
    elif (c0 == 48 or c0 == 49) and v1 >= 0 and c2 == 58:        # [0-1]\d
        f[1] = v0 * 10 + v1
        j += 3
    elif v0 >= 0 and c1 == 58:                                   # \d
        f[1] = v0
        j += 2
    else:
        return CT_NO_MATCH
    # %M then ':'
    c0 = _at(kind, d, j, n)
    c1 = _at(kind, d, j + 1, n)
    c2 = _at(kind, d, j + 2, n)
    v0 = _decimal(c0)
    v1 = _decimal(c1)
    if 48 <= c0 <= 53 and v1 >= 0 and c2 == 58:                  # [0-5]\d
        f[2] = v0 * 10 + v1
        j += 3
    elif v0 >= 0 and c1 == 58:                                   # \d
        f[2] = v0
        j += 2
    else:
        return CT_NO_MATCH
    # %S then \s
    c0 = _at(kind, d, j, n)
    c1 = _at(kind, d, j + 1, n)
    v0 = _decimal(c0)
    v1 = _decimal(c1)
    if c0 == 54 and (c1 == 48 or c1 == 49) and _ws_at(kind, d, j + 2, n):   # 6[0-1]
        f[3] = 60 + v1
        j += 2
    elif 48 <= c0 <= 53 and v1 >= 0 and _ws_at(kind, d, j + 2, n):          # [0-5]\d
        f[3] = v0 * 10 + v1
        j += 2
    elif v0 >= 0 and _ws_at(kind, d, j + 1, n):                             # \d
        f[3] = v0
        j += 1
    else:
        return CT_NO_MATCH
    # \s+ %Y (four \d) \s+
    while _ws_at(kind, d, j, n):
        j += 1
    v0 = _decimal(_at(kind, d, j, n))
    v1 = _decimal(_at(kind, d, j + 1, n))
    v2 = _decimal(_at(kind, d, j + 2, n))
    v3 = _decimal(_at(kind, d, j + 3, n))
    if v0 < 0 or v1 < 0 or v2 < 0 or v3 < 0:
        return CT_NO_MATCH
    f[4] = ((v0 * 10 + v1) * 10 + v2) * 10 + v3
    j += 4
    if not _ws_at(kind, d, j, n):
        return CT_NO_MATCH
    while _ws_at(kind, d, j, n):
        j += 1
    # GMT, ASCII letters in either case (no other code point case-folds to g, m or t)
    c0 = _at(kind, d, j, n)
    c1 = _at(kind, d, j + 1, n)
    c2 = _at(kind, d, j + 2, n)
    if not ((c0 == 71 or c0 == 103) and (c1 == 77 or c1 == 109) and (c2 == 84 or c2 == 116)):
        return CT_NO_MATCH
    j += 3
    if j != n:
        end[0] = j
        return CT_UNCONVERTED
    return CT_OK


cdef int parse_cert_time_ascii(const char *s, Py_ssize_t n, long long *out) noexcept nogil:
    cdef int f[5]
    cdef int month, rc
    cdef Py_ssize_t end = 0
    if n < 3:
        return CT_BAD_MONTH
    month = _month_ascii(<unsigned char>s[0], <unsigned char>s[1], <unsigned char>s[2])
    if month == 0:
        return CT_BAD_MONTH
    rc = _parse_rest(1, s, 3, n, f, &end)
    if rc == CT_UNCONVERTED:
        out[0] = end
        return rc
    if rc != CT_OK:
        return rc
    if f[4] == 0:
        return CT_YEAR_ZERO
    out[0] = civil_to_seconds(f[4], month, f[0], f[1], f[2], f[3])
    return CT_OK


cdef object _month_error(object cert_time):
    return ValueError('time data %r does not match format "%%b%s"' % (cert_time, _FORMAT))


cdef object _seconds_from_rest(str s, Py_ssize_t start, int month):
    """Parse s[start:] as strptime(s[start:], _FORMAT) and combine with month."""
    cdef int f[5]
    cdef Py_ssize_t end = 0
    cdef int rc = _parse_rest(PyUnicode_KIND(s), PyUnicode_DATA(s), start, PyUnicode_GET_LENGTH(s), f, &end)
    if rc == CT_NO_MATCH:
        raise ValueError("time data %r does not match format %r" % (s[start:], _FORMAT))
    if rc == CT_UNCONVERTED:
        raise ValueError("unconverted data remains: %s" % s[end:])
    if f[4] == 0:
        raise ValueError("year 0 is out of range")
    return PyLong_FromLongLong(civil_to_seconds(f[4], month, f[0], f[1], f[2], f[3]))


cdef object _generic(object cert_time):
    """The stdlib's steps, literally, for anything but an exact str (and for non-ASCII months)."""
    title = PyObject_GetItem(cert_time, _HEAD).title()
    try:
        month = _MONTHS.index(title) + 1
    except ValueError:
        raise _month_error(cert_time)
    rest = PyObject_GetItem(cert_time, _TAIL)
    if not isinstance(rest, str):
        raise TypeError("strptime() argument 0 must be str, not {}".format(type(rest)))
    return _seconds_from_rest(str(rest) if type(rest) is not str else <str>rest, 0, month)


def cert_time_to_seconds(cert_time):
    """Return the time in seconds since the Epoch, given the timestring
    representing the "notBefore" or "notAfter" date from a certificate
    in ``"%b %d %H:%M:%S %Y %Z"`` strptime format (C locale).

    "notBefore" or "notAfter" dates must use UTC (RFC 5280).

    Month is one of: Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec
    UTC should be specified as GMT (see ASN1_TIME_print())
    """
    cdef int kind, month
    cdef const void *data
    cdef Py_ssize_t n
    cdef unsigned int a, b, c
    if type(cert_time) is not str:
        return _generic(cert_time)
    n = PyUnicode_GET_LENGTH(cert_time)
    kind = PyUnicode_KIND(cert_time)
    data = PyUnicode_DATA(cert_time)
    if n < 3:
        a = read_char(kind, data, 0) if n > 0 else 0
        b = read_char(kind, data, 1) if n > 1 else 0
        if a >= 128 or b >= 128:
            return _generic(cert_time)   # str.title() may lengthen non-ASCII text
        raise _month_error(cert_time)
    a = read_char(kind, data, 0)
    b = read_char(kind, data, 1)
    c = read_char(kind, data, 2)
    if a >= 128 or b >= 128 or c >= 128:
        return _generic(cert_time)       # e.g. 'ſep'.title() == 'Sep'
    month = _month_ascii(a, b, c)
    if month == 0:
        raise _month_error(cert_time)
    return _seconds_from_rest(<str>cert_time, 3, month)
