# Code-point helpers over PEP 393 str data, usable without the GIL (asn1time.pyx, pem.pyx).
from pyapi cimport Py_UCS1, Py_UCS2


cdef inline Py_UCS4 read_char(int kind, const void *data, Py_ssize_t i) noexcept nogil:
    """PyUnicode_READ without the GIL (the caller guarantees 0 <= i < length)."""
    if kind == 1:
        return (<const Py_UCS1 *>data)[i]
    if kind == 2:
        return (<const Py_UCS2 *>data)[i]
    return (<const Py_UCS4 *>data)[i]


cdef inline bint py_isspace(Py_UCS4 c) noexcept nogil:
    """str.isspace() for one code point, which is also what ``re``'s ``\\s`` matches in a str pattern.

    The set (Unicode White_Space plus the C0 separators 0x1C-0x1F) has not changed in any
    Unicode version CPython 3.9-3.13 ship, so it is spelled out rather than looked up.
    """
    if c < 128:
        return c == 32 or 9 <= c <= 13 or 28 <= c <= 31
    if c < 0x1680:
        return c == 0x85 or c == 0xA0
    return (c == 0x1680 or 0x2000 <= c <= 0x200A or c == 0x2028 or c == 0x2029
            or c == 0x202F or c == 0x205F or c == 0x3000)
