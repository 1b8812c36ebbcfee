# PEM and base64 at C level (see pem.pyx): the stdlib's dialect for the C API and Certificate.pem,
# OpenSSL's PEM reader's dialect for the certificate loaders. The nogil cores need no Python objects.

# pem_body_to_der / pem_find_body error codes.
cdef enum:
    PEM_E_PADDING = -1      # binascii.Error("Incorrect padding")
    PEM_E_CAPACITY = -2     # out is smaller than der_max_length(n)
    # ret <= -3: 4k+1 base64 data characters (a lone one at the end); k*4+1 == -2 - ret
    PEM_E_NO_HEADER = -1    # pem_find_body: does not start with PEM_HEADER
    PEM_E_NO_FOOTER = -2    # pem_find_body: stripped text does not end with PEM_FOOTER

# DER_cert_to_PEM_cert's exact str for n bytes at der.
cdef str der_to_pem(const unsigned char *der, Py_ssize_t n)
# Length of that PEM text (ASCII characters) for der_len bytes; -1 if der_len is negative or huge.
cdef Py_ssize_t pem_length(Py_ssize_t der_len) noexcept nogil
# Write the PEM text (no NUL terminator) into out; return its length, or -1 if cap < pem_length(n).
cdef Py_ssize_t der_to_pem_into(const unsigned char *der, Py_ssize_t n, char *out,
                                Py_ssize_t cap) noexcept nogil
# Upper bound of the DER size decoded from n base64 characters: (n + 3) // 4 * 3.
cdef Py_ssize_t der_max_length(Py_ssize_t b64_len) noexcept nogil
# base64.decodebytes (binascii.a2b_base64, non-strict, CPython 3.11) of s[:n] into out, which must
# hold der_max_length(n) bytes. Returns the DER length, or PEM_E_PADDING, PEM_E_CAPACITY, or
# <= -3 for a lone trailing data character (see above).
cdef Py_ssize_t pem_body_to_der(const char *s, Py_ssize_t n, unsigned char *out,
                                Py_ssize_t cap) noexcept nogil
# PEM_cert_to_DER_cert's framing checks on s[:n] (read as Latin-1; "strip" is str.strip()): 0 and
# the body's [start, end) offsets, or PEM_E_NO_HEADER / PEM_E_NO_FOOTER.
cdef int pem_find_body(const char *s, Py_ssize_t n, Py_ssize_t *start,
                       Py_ssize_t *end) noexcept nogil
# The DER bytes of the CERTIFICATE (and "X509 CERTIFICATE") blocks of a PEM text, in order (the
# first only if first_only), read as OpenSSL's PEM reader reads them: text outside the blocks and
# well-formed blocks of other types are skipped; an empty text, a malformed block, or no
# certificate block at all raises ValueError.
cdef list pem_blocks(bytes text, bint first_only)
