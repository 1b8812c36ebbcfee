# Python C-API pieces that Cython's bundled cpython/*.pxd do not declare (from "Python.h":
# unicodeobject.h and object.h), used by _certcore.hostname's allocation-free fast path.
cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    # The two PyTypeObject fields needed to reproduce CPython's unpacking error messages.
    ctypedef struct PyTypeObject_iter "PyTypeObject":
        const char *tp_name
        void *tp_iter
    # A new, writable (until shared) str of `size` code points <= maxchar.
    str PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
