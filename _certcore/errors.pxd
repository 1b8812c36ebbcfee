# The one place where OpenSSL's error queue becomes a Python exception (see errors.pyx).
cdef int raise_ssl_error(object exc_type, object fallback) except -1
cdef int raise_value_error(object what) except -1
cdef object pop_error_text()
cdef void clear_error_queue() noexcept nogil
