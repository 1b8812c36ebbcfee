# cython: boundscheck=False, wraparound=False, cdivision=True
"""DER <-> PEM for certificates, byte-for-byte as CPython 3.11's ssl does it, in C.

DER -> PEM is ``base64.standard_b64encode`` (binascii.b2a_base64 without newline) cut into 64
character lines between PEM_HEADER and PEM_FOOTER, LF line ends, one final LF.
PEM -> DER checks ``startswith(PEM_HEADER)`` on the text and ``strip().endswith(PEM_FOOTER)``,
ASCII-encodes what lies between, and decodes it like ``base64.decodebytes`` (non-strict
``binascii.a2b_base64``): characters outside the alphabet are skipped, decoding stops at the first
complete padding, and an incomplete last quantum is a ``binascii.Error``.
"""
import base64 as _base64
import binascii as _binascii

from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBuffer_IsContiguous, PyBUF_SIMPLE
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE, PyBytes_FromStringAndSize
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from cpython.object cimport PyObject_GetItem
from libc.string cimport memcpy, memcmp

from pytext cimport (PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_IS_ASCII,
                     PyUnicode_New, Py_TYPE, read_char, py_isspace)

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

cdef const char *_ENC = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# base64 alphabet -> 6-bit value; 0xff for everything else (skipped when decoding).
cdef unsigned char _DEC[256]
cdef int _i
for _i in range(256):
    _DEC[_i] = 0xff
for _i in range(64):
    _DEC[<unsigned char>_ENC[_i]] = <unsigned char>_i

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
    cdef Py_ssize_t i = 0, k
    cdef char *p = out
    cdef unsigned int v
    cdef int col = 0
    if total < 0 or cap < total:
        return -1
    memcpy(p, _HEADER, _HLEN)
    p += _HLEN
    p[0] = b'\n'
    p += 1
    # whole 64-character lines: 48 input bytes each
    while n - i >= 48:
        for k in range(16):
            v = (<unsigned int>der[i] << 16) | (<unsigned int>der[i + 1] << 8) | der[i + 2]
            p[0] = _ENC[v >> 18]
            p[1] = _ENC[(v >> 12) & 63]
            p[2] = _ENC[(v >> 6) & 63]
            p[3] = _ENC[v & 63]
            p += 4
            i += 3
        p[0] = b'\n'
        p += 1
    if i < n:
        while n - i >= 3:
            v = (<unsigned int>der[i] << 16) | (<unsigned int>der[i + 1] << 8) | der[i + 2]
            p[0] = _ENC[v >> 18]
            p[1] = _ENC[(v >> 12) & 63]
            p[2] = _ENC[(v >> 6) & 63]
            p[3] = _ENC[v & 63]
            p += 4
            i += 3
        if n - i == 1:
            v = <unsigned int>der[i] << 16
            p[0] = _ENC[v >> 18]
            p[1] = _ENC[(v >> 12) & 63]
            p[2] = b'='
            p[3] = b'='
            p += 4
        elif n - i == 2:
            v = (<unsigned int>der[i] << 16) | (<unsigned int>der[i + 1] << 8)
            p[0] = _ENC[v >> 18]
            p[1] = _ENC[(v >> 12) & 63]
            p[2] = _ENC[(v >> 6) & 63]
            p[3] = b'='
            p += 4
        p[0] = b'\n'
        p += 1
    memcpy(p, _FOOTER, _FLEN)
    p += _FLEN
    p[0] = b'\n'
    p += 1
    return p - out


cdef str der_to_pem(const unsigned char *der, Py_ssize_t n):
    cdef Py_ssize_t total = pem_length(n)
    if total < 0:
        raise MemoryError()
    cdef str result = PyUnicode_New(total, 127)
    cdef char *out = <char *>PyUnicode_DATA(result)
    if n > 65536:
        with nogil:
            der_to_pem_into(der, n, out, total)
    else:
        der_to_pem_into(der, n, out, total)
    return result


cdef Py_ssize_t der_max_length(Py_ssize_t b64_len) noexcept nogil:
    return (b64_len + 3) // 4 * 3


cdef Py_ssize_t pem_body_to_der(const char *s, Py_ssize_t n, unsigned char *out,
                                Py_ssize_t cap) noexcept nogil:
    # CPython 3.11's binascii_a2b_base64_impl with strict_mode=False, step for step, plus a fast
    # path: at a quantum boundary, four alphabet characters in a row decode straight to 3 bytes
    # (what the step-by-step loop would do; pads is always 0 there).
    cdef Py_ssize_t i = 0
    cdef unsigned char *o = out
    cdef unsigned char ch, leftchar = 0, a, b, c, d
    cdef int quad_pos = 0, pads = 0
    if cap < der_max_length(n):
        return PEM_E_CAPACITY
    while i < n:
        if quad_pos == 0:
            while i + 4 <= n:
                a = _DEC[<unsigned char>s[i]]
                b = _DEC[<unsigned char>s[i + 1]]
                c = _DEC[<unsigned char>s[i + 2]]
                d = _DEC[<unsigned char>s[i + 3]]
                if (a | b | c | d) & 0xc0:
                    break
                o[0] = <unsigned char>((a << 2) | (b >> 4))
                o[1] = <unsigned char>((b << 4) | (c >> 2))
                o[2] = <unsigned char>((c << 6) | d)
                o += 3
                i += 4
            if i >= n:
                break
        ch = <unsigned char>s[i]
        i += 1
        if ch == b'=':
            if quad_pos >= 2:
                pads += 1
                if quad_pos + pads >= 4:
                    return o - out          # a complete pad: stop here
            continue
        ch = _DEC[ch]
        if ch == 0xff:
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


cdef int pem_find_body(const char *s, Py_ssize_t n, Py_ssize_t *start,
                       Py_ssize_t *end) noexcept nogil:
    cdef Py_ssize_t e = n
    if n < _HLEN or memcmp(s, _HEADER, _HLEN) != 0:
        return PEM_E_NO_HEADER
    while e > 0 and py_isspace(<unsigned char>s[e - 1]):
        e -= 1
    if e < _FLEN or memcmp(s + e - _FLEN, _FOOTER, _FLEN) != 0:
        return PEM_E_NO_FOOTER
    start[0] = _HLEN
    end[0] = e - _FLEN if e - _FLEN > _HLEN else _HLEN
    return 0


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
        if n > 65536:
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
    cdef Py_ssize_t n, e, i, b0, b1
    cdef int kind
    cdef const void *data
    cdef char *tmp
    if type(pem_cert_string) is not str:
        return _pem_generic(pem_cert_string)
    n = PyUnicode_GET_LENGTH(pem_cert_string)
    kind = PyUnicode_KIND(pem_cert_string)
    data = PyUnicode_DATA(pem_cert_string)
    if kind == 1:
        if n < _HLEN or memcmp(data, _HEADER, _HLEN) != 0:
            raise ValueError(_MSG_START)
        e = n
        while e > 0 and py_isspace((<const unsigned char *>data)[e - 1]):
            e -= 1
        if e < _FLEN or memcmp(<const char *>data + e - _FLEN, _FOOTER, _FLEN) != 0:
            raise ValueError(_MSG_END)
        b0 = _HLEN
        b1 = e - _FLEN if e - _FLEN > _HLEN else _HLEN
        if not PyUnicode_IS_ASCII(pem_cert_string):
            for i in range(b0, b1):
                if (<const unsigned char *>data)[i] >= 128:
                    (<str>pem_cert_string)[b0:b1].encode('ASCII', 'strict')   # raises
        return _decode(<const char *>data + b0, b1 - b0)
    # 2- and 4-byte strings: same steps, reading code points
    if n < _HLEN:
        raise ValueError(_MSG_START)
    for i in range(_HLEN):
        if read_char(kind, data, i) != <unsigned char>_HEADER[i]:
            raise ValueError(_MSG_START)
    e = n
    while e > 0 and py_isspace(read_char(kind, data, e - 1)):
        e -= 1
    if e < _FLEN:
        raise ValueError(_MSG_END)
    for i in range(_FLEN):
        if read_char(kind, data, e - _FLEN + i) != <unsigned char>_FOOTER[i]:
            raise ValueError(_MSG_END)
    b0 = _HLEN
    b1 = e - _FLEN if e - _FLEN > _HLEN else _HLEN
    for i in range(b0, b1):
        if read_char(kind, data, i) >= 128:
            (<str>pem_cert_string)[b0:b1].encode('ASCII', 'strict')   # raises
    tmp = <char *>PyMem_Malloc(b1 - b0 + 1)
    if tmp == NULL:
        raise MemoryError()
    try:
        for i in range(b0, b1):
            tmp[i - b0] = <char>read_char(kind, data, i)
        return _decode(tmp, b1 - b0)
    finally:
        PyMem_Free(tmp)


def _test_pem_body_to_der(bytes s, Py_ssize_t cap):
    """Test hooks for the C-level cores (bytes in, (return code, output) out)."""
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
