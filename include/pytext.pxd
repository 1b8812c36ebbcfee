# CPython's str internals (PEP 393) and helpers on code points, for C-speed text parsing.
# Cython's bundled cpython/*.pxd do not declare these with nogil, or at all.
cdef extern from "Python.h":
    ctypedef unsigned char Py_UCS1
    ctypedef unsigned short Py_UCS2
    int PyUnicode_1BYTE_KIND
    int PyUnicode_2BYTE_KIND
    int PyUnicode_4BYTE_KIND
    int PyUnicode_KIND(object o)
    void *PyUnicode_DATA(object o)
    bint PyUnicode_IS_ASCII(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    ctypedef struct PyTypeObject:
        const char *tp_name
    PyTypeObject *Py_TYPE(object o)


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
