# memmem() from <string.h> (glibc, musl and the BSDs; Cython's libc/string.pxd lacks it).
cdef extern from "string.h" nogil:
    void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen)
