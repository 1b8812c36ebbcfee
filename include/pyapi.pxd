# The CPython C API that certcore uses and Cython's bundled cpython/*.pxd do not declare (or not
# for use without the GIL): PEP 393 str internals for C-speed text parsing, the type slots
# behind CPython's own TypeError texts, and filesystem decoding.
from cpython.object cimport PyObject

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
    # An uninitialised bytes object to read into (v == NULL), shrunk afterwards: no copy.
    PyObject *PyBytes_FromStringAndSize_raw "PyBytes_FromStringAndSize" (const char *v, Py_ssize_t n)
    int _PyBytes_Resize(PyObject **bytes, Py_ssize_t newsize) except -1

    # The two slots certcore reads to reproduce CPython's messages ("... is not iterable").
    ctypedef struct PyTypeObject:
        const char *tp_name
        void *tp_iter
    PyTypeObject *Py_TYPE(object o)
    PyTypeObject PyLong_Type

    # The running interpreter's version: certcore follows that version's ssl where they differ.
    int PY_VERSION_HEX
    # CPython's own argument parser, so that certcore's argument errors are the running
    # interpreter's, text for text (_ssl.c parses its setters with it).
    int PyArg_Parse(object arg, const char *format, ...) except 0
    int PyArg_ParseTuple(object args, const char *format, ...) except 0

cdef extern from *:
    """
    /* Argument clinic's int converter: public as PyLong_AsInt from 3.13, private before. */
    static int certcore_long_as_int(PyObject *o) {
    #if PY_VERSION_HEX >= 0x030D0000
        return PyLong_AsInt(o);
    #else
        return _PyLong_AsInt(o);
    #endif
    }
    """
    int PyLong_AsInt "certcore_long_as_int"(object o) except? -1


cdef inline int clinic_int(object n) except? -1:
    """Argument clinic's ``int`` converter as the running CPython applies it."""
    if PY_VERSION_HEX < 0x030A0000 and isinstance(n, float):
        # 3.9's clinic refuses floats before converting; 3.10+ refuses them in __index__
        raise TypeError("integer argument expected, got float")
    return PyLong_AsInt(n)
