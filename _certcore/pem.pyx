# cython: boundscheck=False, wraparound=False, cdivision=True
"""PEM and base64: certcore's one PEM scanner and one base64 decoder, in the two dialects it needs.

The stdlib's (``PEM_cert_to_DER_cert``, ``DER_cert_to_PEM_cert``, the C API), byte-for-byte as
CPython 3.11's ssl does it:
  DER -> PEM is ``base64.standard_b64encode`` (binascii.b2a_base64 without newline) cut into 64
  character lines between PEM_HEADER and PEM_FOOTER, LF line ends, one final LF.
  PEM -> DER checks ``startswith(PEM_HEADER)`` on the text and ``strip().endswith(PEM_FOOTER)``,
  ASCII-encodes what lies between, and decodes it like ``base64.decodebytes`` (non-strict
  ``binascii.a2b_base64``): characters outside the alphabet are skipped, decoding stops at the
  first complete padding, and an incomplete last quantum is a ``binascii.Error``.

OpenSSL's PEM reader's (``pem_blocks``: Certificate.from_pem/from_file, load_certificates,
decode_cert, the CLI), as ``PEM_read_bio_X509`` reads a file: "-----BEGIN <label>-----" at the
start of a line, optional RFC 1421 headers, a strict base64 body, "-----END <label>-----"; every
line ends at its first NUL (a file's BIO_gets is fgets, measured by strlen; a line starting with
one ends the read) and then loses its trailing junk as crypto/pem/pem_lib.c's sanitize_line strips it. The
fuzzers compare this dialect with OpenSSL itself (fuzz/fuzz_pem_bundle.py).

No other module scans PEM text. Two hand their bytes to OpenSSL's own reader instead: the
trust-store enumeration (store.pyx, PEM_read_bio), so that it lists what OpenSSL's verifier
loads from those files, and cadata (context.pyx, PEM_read_bio_X509, as CPython's _ssl.c), so
that its results and errors are _ssl.c's byte for byte.
"""
import base64 as _base64
import binascii as _binascii

from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBuffer_IsContiguous, PyBUF_SIMPLE
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE, PyBytes_FromStringAndSize
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from cpython.object cimport PyObject_GetItem
from libc.string cimport memcpy, memcmp, memchr

from pyapi cimport (
    PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_IS_ASCII, PyUnicode_New, Py_TYPE,
)
from _certcore.text cimport read_char, py_isspace

from posixsys.memmem cimport memmem

PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"
DEF _HLEN = 27
DEF _FLEN = 25
cdef const char *_HEADER = b"-----BEGIN CERTIFICATE-----"
cdef const char *_FOOTER = b"-----END CERTIFICATE-----"
cdef str _MSG_START = "Invalid PEM encoding; must start with %s" % PEM_HEADER
cdef str _MSG_END = "Invalid PEM encoding; must end with %s" % PEM_FOOTER
cdef object _Error = _binascii.Error
cdef object _BODY = slice(_HLEN, -_FLEN)

cdef enum:
    NOGIL_BYTES = 65536         # inputs at least this large are converted with the GIL released

# ---------------------------------------------------------------------------------------------
# The base64 alphabet, both ways

cdef const char *_ENC = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# Byte -> its 6-bit value, or a class. Every class has a bit of 0xc0 set, so that one test on
# four ORed entries tells whether all four are alphabet characters.
cdef enum:
    B64_PAD = 0x40              # '='
    B64_SPACE = 0x41            # space, tab, CR, LF: skipped by both dialects
    B64_OTHER = 0xff            # skipped by the stdlib's, an error in OpenSSL's

cdef unsigned char _B64[256]
cdef int _i
for _i in range(256):
    _B64[_i] = B64_OTHER
for _i in range(64):
    _B64[<unsigned char>_ENC[_i]] = <unsigned char>_i
for _i in (32, 9, 13, 10):
    _B64[_i] = B64_SPACE
_B64[61] = B64_PAD


cdef inline unsigned char *_encode3(const unsigned char *d, unsigned char *p) noexcept nogil:
    cdef unsigned int v = (<unsigned int>d[0] << 16) | (<unsigned int>d[1] << 8) | d[2]
    p[0] = _ENC[v >> 18]
    p[1] = _ENC[(v >> 12) & 63]
    p[2] = _ENC[(v >> 6) & 63]
    p[3] = _ENC[v & 63]
    return p + 4


cdef inline Py_ssize_t _decode_quanta(const unsigned char *s, Py_ssize_t i, Py_ssize_t end,
                                      unsigned char **out) noexcept nogil:
    """Decode s[i:end] from a quantum boundary, four alphabet characters straight to three bytes
    at *out (advanced), up to the first group of four holding anything else; return where that
    group starts. Both dialects agree on such groups and differ only in the rest."""
    cdef unsigned char a, b, c, d
    cdef unsigned char *o = out[0]
    while i + 4 <= end:
        a = _B64[s[i]]
        b = _B64[s[i + 1]]
        c = _B64[s[i + 2]]
        d = _B64[s[i + 3]]
        if (a | b | c | d) & 0xc0:
            break
        o[0] = <unsigned char>((a << 2) | (b >> 4))
        o[1] = <unsigned char>((b << 4) | (c >> 2))
        o[2] = <unsigned char>((c << 6) | d)
        o += 3
        i += 4
    out[0] = o
    return i


# ---------------------------------------------------------------------------------------------
# DER -> PEM (the stdlib's)

cdef Py_ssize_t _DER_LIMIT = (<Py_ssize_t>(<size_t>-1 >> 1)) // 2


cdef Py_ssize_t pem_length(Py_ssize_t der_len) noexcept nogil:
    cdef Py_ssize_t b
    if der_len < 0 or der_len > _DER_LIMIT:
        return -1
    b = (der_len + 2) // 3 * 4
    return _HLEN + 1 + b + (b + 63) // 64 + _FLEN + 1


cdef Py_ssize_t der_to_pem_into(const unsigned char *der, Py_ssize_t n, char *out,
                                Py_ssize_t cap) noexcept nogil:
    cdef Py_ssize_t total = pem_length(n)
    cdef Py_ssize_t i = 0
    cdef unsigned char *p = <unsigned char *>out
    cdef unsigned int v
    if total < 0 or cap < total:
        return -1
    memcpy(p, _HEADER, _HLEN)
    p += _HLEN
    p[0] = b'\n'
    p += 1
    # whole 64-character lines: 48 input bytes each
    while n - i >= 48:
        for _ in range(16):
            p = _encode3(der + i, p)
            i += 3
        p[0] = b'\n'
        p += 1
    if i < n:
        while n - i >= 3:
            p = _encode3(der + i, p)
            i += 3
        if i < n:
            # one or two bytes left: a quantum padded with '=='/'='
            v = <unsigned int>der[i] << 16
            if n - i == 2:
                v |= <unsigned int>der[i + 1] << 8
            p[0] = _ENC[v >> 18]
            p[1] = _ENC[(v >> 12) & 63]
            p[2] = _ENC[(v >> 6) & 63] if n - i == 2 else b'='
            p[3] = b'='
            p += 4
        p[0] = b'\n'
        p += 1
    memcpy(p, _FOOTER, _FLEN)
    p += _FLEN
    p[0] = b'\n'
    p += 1
    return <char *>p - out


cdef str der_to_pem(const unsigned char *der, Py_ssize_t n):
    cdef Py_ssize_t total = pem_length(n)
    if total < 0:
        raise MemoryError()
    cdef str result = PyUnicode_New(total, 127)
    cdef char *out = <char *>PyUnicode_DATA(result)
    if n > NOGIL_BYTES:
        with nogil:
            der_to_pem_into(der, n, out, total)
    else:
        der_to_pem_into(der, n, out, total)
    return result


# ---------------------------------------------------------------------------------------------
# PEM -> DER (the stdlib's)

cdef Py_ssize_t der_max_length(Py_ssize_t b64_len) noexcept nogil:
    return (b64_len + 3) // 4 * 3


cdef Py_ssize_t pem_body_to_der(const char *s, Py_ssize_t n, unsigned char *out,
                                Py_ssize_t cap) noexcept nogil:
    # CPython 3.11's binascii_a2b_base64_impl with strict_mode=False, step for step, with whole
    # quanta at a quantum boundary decoded at once (pads is always 0 there).
    cdef const unsigned char *u = <const unsigned char *>s
    cdef Py_ssize_t i = 0
    cdef unsigned char *o = out
    cdef unsigned char ch, leftchar = 0
    cdef int quad_pos = 0, pads = 0
    if cap < der_max_length(n):
        return PEM_E_CAPACITY
    while i < n:
        if quad_pos == 0:
            i = _decode_quanta(u, i, n, &o)
            if i >= n:
                break
        ch = u[i]
        i += 1
        if ch == b'=':
            if quad_pos >= 2:
                pads += 1
                if quad_pos + pads >= 4:
                    return o - out          # a complete pad: stop here
            continue
        ch = _B64[ch]
        if ch & 0xc0:
            continue
        pads = 0
        if quad_pos == 0:
            quad_pos = 1
            leftchar = ch
        elif quad_pos == 1:
            quad_pos = 2
            o[0] = <unsigned char>((leftchar << 2) | (ch >> 4))
            o += 1
            leftchar = ch & 0x0f
        elif quad_pos == 2:
            quad_pos = 3
            o[0] = <unsigned char>((leftchar << 4) | (ch >> 2))
            o += 1
            leftchar = ch & 0x03
        else:
            quad_pos = 0
            o[0] = <unsigned char>((leftchar << 6) | ch)
            o += 1
            leftchar = 0
    if quad_pos == 1:
        return -2 - ((o - out) // 3 * 4 + 1)
    if quad_pos != 0:
        return PEM_E_PADDING
    return o - out


cdef inline bint _text_at(int kind, const void *data, Py_ssize_t i, const char *lit,
                          Py_ssize_t n) noexcept nogil:
    """The n code points of a str's data (kind 1, 2 or 4) at i are the ASCII lit."""
    cdef Py_ssize_t k
    if kind == 1:
        return memcmp(<const char *>data + i, lit, n) == 0
    for k in range(n):
        if read_char(kind, data, i + k) != <unsigned char>lit[k]:
            return False
    return True


cdef inline int _find_body(int kind, const void *data, Py_ssize_t n, Py_ssize_t *start,
                           Py_ssize_t *end) noexcept nogil:
    """PEM_cert_to_DER_cert's framing on n code points of a str's data (kind 1, 2 or 4)."""
    cdef Py_ssize_t e = n
    if n < _HLEN or not _text_at(kind, data, 0, _HEADER, _HLEN):
        return PEM_E_NO_HEADER
    while e > 0 and py_isspace(read_char(kind, data, e - 1)):
        e -= 1
    if e < _FLEN or not _text_at(kind, data, e - _FLEN, _FOOTER, _FLEN):
        return PEM_E_NO_FOOTER
    start[0] = _HLEN
    end[0] = e - _FLEN if e - _FLEN > _HLEN else _HLEN
    return 0


cdef int pem_find_body(const char *s, Py_ssize_t n, Py_ssize_t *start,
                       Py_ssize_t *end) noexcept nogil:
    return _find_body(1, s, n, start, end)


cdef object _decode(const char *s, Py_ssize_t n):
    """base64.decodebytes(s[:n]) as bytes, or the same binascii.Error."""
    cdef unsigned char stack[8192]
    cdef unsigned char *buf = stack
    cdef Py_ssize_t cap = der_max_length(n), r
    if cap > <Py_ssize_t>sizeof(stack):
        buf = <unsigned char *>PyMem_Malloc(cap)
        if buf == NULL:
            raise MemoryError()
    try:
        if n > NOGIL_BYTES:
            with nogil:
                r = pem_body_to_der(s, n, buf, cap)
        else:
            r = pem_body_to_der(s, n, buf, cap)
        if r >= 0:
            return PyBytes_FromStringAndSize(<char *>buf, r)
        if r == PEM_E_PADDING:
            raise _Error("Incorrect padding")
        raise _Error("Invalid base64-encoded string: number of data characters (%d) cannot be "
                     "1 more than a multiple of 4" % (-2 - r))
    finally:
        if buf != stack:
            PyMem_Free(buf)


def DER_cert_to_PEM_cert(der_cert_bytes):
    """Takes a certificate in binary DER format and returns the
    PEM version of it as a string."""
    cdef Py_buffer view
    if type(der_cert_bytes) is bytes:
        return der_to_pem(<const unsigned char *>PyBytes_AS_STRING(der_cert_bytes),
                          PyBytes_GET_SIZE(der_cert_bytes))
    PyObject_GetBuffer(der_cert_bytes, &view, PyBUF_SIMPLE)
    try:
        if not PyBuffer_IsContiguous(&view, b'C'):
            raise TypeError("b2a_base64() argument 1 must be contiguous buffer, not %s"
                            % (<bytes>Py_TYPE(der_cert_bytes).tp_name).decode())
        return der_to_pem(<const unsigned char *>view.buf, view.len)
    finally:
        PyBuffer_Release(&view)


cdef object _pem_generic(object pem_cert_string):
    # The stdlib's steps, literally, for anything but an exact str.
    if not pem_cert_string.startswith(PEM_HEADER):
        raise ValueError(_MSG_START)
    if not pem_cert_string.strip().endswith(PEM_FOOTER):
        raise ValueError(_MSG_END)
    d = PyObject_GetItem(pem_cert_string.strip(), _BODY)
    b = d.encode('ASCII', 'strict')
    if type(b) is bytes:
        return _decode(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b))
    return _base64.decodebytes(b)


def PEM_cert_to_DER_cert(pem_cert_string):
    """Takes a certificate in ASCII PEM format and returns the
    DER-encoded version of it as a byte sequence"""
    cdef Py_ssize_t i, start = 0, end = 0
    cdef int kind, rc
    cdef const void *data
    cdef char *tmp
    if type(pem_cert_string) is not str:
        return _pem_generic(pem_cert_string)
    kind = PyUnicode_KIND(pem_cert_string)
    data = PyUnicode_DATA(pem_cert_string)
    rc = _find_body(kind, data, PyUnicode_GET_LENGTH(pem_cert_string), &start, &end)
    if rc == PEM_E_NO_HEADER:
        raise ValueError(_MSG_START)
    if rc == PEM_E_NO_FOOTER:
        raise ValueError(_MSG_END)
    if not PyUnicode_IS_ASCII(pem_cert_string):
        for i in range(start, end):
            if read_char(kind, data, i) >= 128:
                (<str>pem_cert_string)[start:end].encode('ASCII', 'strict')   # raises
    if kind == 1:
        return _decode(<const char *>data + start, end - start)
    # 2- and 4-byte strings whose body is ASCII: decode a 1-byte copy of it
    tmp = <char *>PyMem_Malloc(end - start + 1)
    if tmp == NULL:
        raise MemoryError()
    try:
        for i in range(start, end):
            tmp[i - start] = <char>read_char(kind, data, i)
        return _decode(tmp, end - start)
    finally:
        PyMem_Free(tmp)


# ---------------------------------------------------------------------------------------------
# PEM blocks (OpenSSL's reader)

# Results of _next_block.
cdef enum:
    PB_OK = 0
    PB_NONE = 1             # no further BEGIN line
    PB_NO_END = -1          # BEGIN without a matching END line
    PB_BAD_END = -2         # the END line names another type
    PB_BAD_HEADER = -3      # header lines without the blank line that ends them
    PB_ENCRYPTED = -4       # Proc-Type: 4,ENCRYPTED
    PB_CERT_HEADER = -5     # other header lines in a certificate block


cdef inline bint _eay_junk(unsigned char c) noexcept nogil:
    """A byte OpenSSL's PEM reader strips from the end of every line (sanitize_line in
    PEM_FLAG_EAY_COMPATIBLE mode compares a plain, signed, char with ' ': so control characters,
    NUL, space and every byte >= 0x80)."""
    return c <= 0x20 or c >= 0x80


cdef inline Py_ssize_t _stripped_end(const unsigned char *s, Py_ssize_t start, Py_ssize_t eol) noexcept nogil:
    """End of the line s[start:eol] without its trailing _eay_junk bytes."""
    while eol > start and _eay_junk(s[eol - 1]):
        eol -= 1
    return eol


cdef inline Py_ssize_t _line_end(const unsigned char *s, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """Index of the '\n' ending the line at i (or n)."""
    cdef const unsigned char *nl = <const unsigned char *>memchr(s + i, b'\n', n - i)
    return n if nl == NULL else nl - s


cdef inline Py_ssize_t _content_end(const unsigned char *s, Py_ssize_t start, Py_ssize_t eol) noexcept nogil:
    """End of what OpenSSL's reader sees of the line s[start:eol]: BIO_gets on a file is fgets,
    whose length is strlen's, so the line stops at its first NUL."""
    cdef const unsigned char *nul = <const unsigned char *>memchr(s + start, 0, eol - start)
    return eol if nul == NULL else nul - s


cdef inline bint _nul_line(const unsigned char *s, Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    """Whether a line beginning in s[start:stop] (start at a line start or on a '\n') starts with
    a NUL: fgets then gives an empty string, BIO_gets 0, and OpenSSL's reader stops there."""
    cdef const unsigned char *hit
    if start >= stop:
        return False
    if (start == 0 or s[start - 1] == b'\n') and s[start] == 0:
        return True
    hit = <const unsigned char *>memmem(s + start, stop - start, b"\n\x00", 2)
    return hit != NULL and hit - s + 1 < stop


cdef Py_ssize_t _body_to_der(const unsigned char *s, Py_ssize_t n, unsigned char *out) noexcept nogil:
    """Strict base64 (OpenSSL's PEM body rules) of s[:n] into out, which holds n // 4 * 3 + 3
    bytes: each line first loses its trailing junk (_eay_junk), then alphabet and whitespace
    only, complete quanta, at most two '=' and nothing but whitespace after them. Returns the
    length or -1."""
    cdef Py_ssize_t i = 0, j, keep_end, line_end
    cdef unsigned char *o = out
    cdef unsigned int acc = 0
    cdef int k = 0, pads = 0
    cdef unsigned char v
    while i < n:
        line_end = _line_end(s, n, i)
        keep_end = _stripped_end(s, i, _content_end(s, i, line_end))
        j = i
        while j < keep_end:
            if k == 0 and pads == 0:
                j = _decode_quanta(s, j, keep_end, &o)
                if j >= keep_end:
                    break
            v = _B64[s[j]]
            j += 1
            if v < 64:
                if pads:
                    return -1
                acc = (acc << 6) | v
                k += 1
                if k == 4:
                    o[0] = (acc >> 16) & 0xFF
                    o[1] = (acc >> 8) & 0xFF
                    o[2] = acc & 0xFF
                    o += 3
                    k = 0
                    acc = 0
            elif v == B64_PAD:
                pads += 1
                if pads > 2 or k + pads > 4:
                    return -1
                if k + pads == 4:
                    if k < 2:
                        return -1
                    acc <<= 6 * pads
                    o[0] = (acc >> 16) & 0xFF
                    if k == 3:
                        o[1] = (acc >> 8) & 0xFF
                    o += k - 1
                    k = 0
                    acc = 0
            elif v != B64_SPACE:
                return -1
        i = line_end + 1
    if k != 0:
        return -1
    return o - out


cdef int _next_block(const unsigned char *s, Py_ssize_t n, Py_ssize_t *pos, Py_ssize_t *body,
                     Py_ssize_t *body_end, bint *is_cert) noexcept nogil:
    """Find the next PEM block from *pos, as OpenSSL's reader does: "-----BEGIN <label>-----" at
    the start of a line, optional RFC 1421 headers, the body, "-----END <label>-----"."""
    cdef Py_ssize_t i = pos[0], eol, lab, lab_end, j, end_line, k
    cdef const unsigned char *hit
    while True:
        if i >= n:
            return PB_NONE
        hit = <const unsigned char *>memmem(s + i, n - i, b"-----BEGIN ", 11)
        if hit == NULL or _nul_line(s, i, hit - s):
            return PB_NONE
        i = hit - s
        eol = _line_end(s, n, i)
        if i > 0 and s[i - 1] != b'\n' and not (i == 3 and memcmp(s, b"\xef\xbb\xbf", 3) == 0):
            i = eol
            continue
        lab = i + 11
        # OpenSSL strips the line's trailing junk, then wants it to end with "-----": the label is
        # everything in between.
        j = _stripped_end(s, i, _content_end(s, i, eol))
        if j - i < 16 or memcmp(s + j - 5, b"-----", 5) != 0:
            i = eol
            continue
        lab_end = j - 5
        break
    is_cert[0] = ((lab_end - lab == 11 and memcmp(s + lab, b"CERTIFICATE", 11) == 0) or
                  (lab_end - lab == 16 and memcmp(s + lab, b"X509 CERTIFICATE", 16) == 0))
    body[0] = eol + 1 if eol < n else n
    # The END line: the first line starting with "-----END ".
    j = body[0]
    while True:
        if j >= n or s[j] == 0:
            return PB_NO_END        # a line starting with a NUL ends OpenSSL's read of the block
        if n - j >= 9 and memcmp(s + j, b"-----END ", 9) == 0:
            break
        j = _line_end(s, n, j) + 1
    end_line = j
    k = _stripped_end(s, end_line, _content_end(s, end_line, _line_end(s, n, end_line)))
    if (k - end_line != 14 + (lab_end - lab) or memcmp(s + end_line + 9, s + lab, lab_end - lab) != 0
            or memcmp(s + end_line + 9 + (lab_end - lab), b"-----", 5) != 0):
        return PB_BAD_END
    body_end[0] = end_line
    pos[0] = _line_end(s, n, end_line)
    # RFC 1421 headers ("Proc-Type: ...") when the first body line has a ':'; a blank line ends them.
    eol = _content_end(s, body[0], _line_end(s, n, body[0]))
    if eol > body[0] and memchr(s + body[0], b':', eol - body[0]) != NULL:
        j = body[0]
        while True:
            if j >= end_line:
                return PB_BAD_HEADER
            eol = _line_end(s, n, j)
            k = j
            while k < _content_end(s, j, eol) and _eay_junk(s[k]):
                k += 1
            if k == _content_end(s, j, eol):
                break
            j = eol + 1
        if is_cert[0]:
            # OpenSSL then wants "Proc-Type: 4,ENCRYPTED" (and a password) or fails.
            if memmem(s + body[0], j - body[0], b"ENCRYPTED", 9) != NULL:
                return PB_ENCRYPTED
            return PB_CERT_HEADER
        body[0] = eol + 1
    return PB_OK


cdef list pem_blocks(bytes text, bint first_only):
    cdef const unsigned char *s = <const unsigned char *>PyBytes_AS_STRING(text)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(text)
    cdef Py_ssize_t pos = 0, body = 0, body_end = 0, m
    cdef bint is_cert = False
    cdef int rc
    cdef int index = 0
    cdef list out = []
    cdef bytes der
    cdef unsigned char *out_buf
    cdef unsigned char *scratch
    if n == 0:
        raise ValueError("empty PEM data")
    while True:
        rc = _next_block(s, n, &pos, &body, &body_end, &is_cert)
        if rc == PB_NONE:
            break
        index += 1
        if rc == PB_NO_END:
            raise ValueError(f"bad PEM block #{index}: no END line")
        if rc == PB_BAD_END:
            raise ValueError(f"bad PEM block #{index}: the END line does not match the BEGIN line")
        if rc == PB_BAD_HEADER:
            raise ValueError(f"bad PEM block #{index}: bad header lines")
        if rc == PB_ENCRYPTED:
            raise ValueError(f"bad PEM block #{index}: encrypted certificate blocks are not supported")
        if rc == PB_CERT_HEADER:
            raise ValueError(f"bad PEM block #{index}: header lines in a certificate block")
        if not is_cert:
            # OpenSSL's reader decodes every block it passes, so a broken block of another
            # type before the certificate makes the whole read fail: do the same.
            scratch = <unsigned char *>PyMem_Malloc((body_end - body) // 4 * 3 + 3)
            if scratch == NULL:
                raise MemoryError()
            m = _body_to_der(s + body, body_end - body, scratch)
            PyMem_Free(scratch)
            if m < 0:
                raise ValueError(f"bad PEM block #{index}: bad base64 decode")
            continue
        der = PyBytes_FromStringAndSize(NULL, (body_end - body) // 4 * 3 + 3)
        out_buf = <unsigned char *>PyBytes_AS_STRING(der)
        if body_end - body >= NOGIL_BYTES:
            with nogil:
                m = _body_to_der(s + body, body_end - body, out_buf)
        else:
            m = _body_to_der(s + body, body_end - body, out_buf)
        if m < 0:
            raise ValueError(f"bad PEM block #{index}: bad base64 decode")
        out.append(der[:m])
        if first_only:
            break
    if not out:
        raise ValueError("no PEM certificate found (no -----BEGIN CERTIFICATE----- block)")
    return out


# ---------------------------------------------------------------------------------------------
# Test hooks for the C-level cores (bytes in, (return code, output) out)

def _test_pem_body_to_der(bytes s, Py_ssize_t cap):
    cdef bytes out = PyBytes_FromStringAndSize(NULL, cap + 1)
    cdef Py_ssize_t r = pem_body_to_der(s, len(s), <unsigned char *>PyBytes_AS_STRING(out), cap)
    return r, out[:r] if r > 0 else b""


def _test_der_to_pem_into(bytes der, Py_ssize_t cap):
    cdef bytes out = PyBytes_FromStringAndSize(NULL, cap + 1)
    cdef Py_ssize_t r = der_to_pem_into(<const unsigned char *>PyBytes_AS_STRING(der), len(der),
                                        PyBytes_AS_STRING(out), cap)
    return r, out[:r] if r > 0 else b""


def _test_pem_find_body(bytes s):
    cdef Py_ssize_t start = 0, end = 0
    cdef int rc = pem_find_body(s, len(s), &start, &end)
    return rc, start, end


def _test_pem_length(Py_ssize_t n):
    return pem_length(n)
