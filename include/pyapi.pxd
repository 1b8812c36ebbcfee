# Python C-API functions that Cython's bundled cpython/*.pxd files do not declare.
cdef extern from "Python.h":
    unicode PyUnicode_DecodeFSDefault(const char *s)
