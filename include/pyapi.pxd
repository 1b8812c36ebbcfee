# The CPython C API that certcore uses and Cython's bundled cpython/*.pxd do not declare (or not
# for use without the GIL): PEP 393 str internals for C-speed text parsing, the type slots
# behind CPython's own TypeError texts, and filesystem decoding.
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
    # A new, writable (until shared) str of `size` code points <= maxchar.
    str PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    str PyUnicode_DecodeFSDefault(const char *s)

    # The two slots certcore reads to reproduce CPython's messages ("... is not iterable").
    ctypedef struct PyTypeObject:
        const char *tp_name
        void *tp_iter
    PyTypeObject *Py_TYPE(object o)
