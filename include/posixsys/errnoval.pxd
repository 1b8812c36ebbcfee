# errno as functions: assigning to a cimported ``errno`` inside a Cython function creates a
# local variable, so certcore reads and clears the C errno only through these.
cdef extern from *:
    """
    #include <errno.h>
    static inline void certcore_set_errno(int v) { errno = v; }
    static inline int certcore_get_errno(void) { return errno; }
    """
    void set_errno "certcore_set_errno"(int v) nogil
    int get_errno "certcore_get_errno"() nogil
