"""OpenSSL's random generator as the stdlib's ``ssl.RAND_*`` functions, over libcrypto.

Arguments are checked the way CPython's argument clinic checks ``_ssl.RAND_*`` on the running
interpreter, so bad input raises the stdlib's exception with its text: ``n`` goes through
clinic's C ``int`` converter (pyapi's ``PyLong_AsInt``, with 3.9's float refusal in front of it),
``RAND_add`` takes a ``str`` (UTF-8) or any contiguous buffer and a real number. Results and
errors follow ``_ssl.c``'s ``PySSL_RAND``.

Unlike ``_ssl.c``, every call starts and ends with an empty OpenSSL error queue, so a failure
reports its own cause and leaves nothing behind for the next call.
"""
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING
from cpython.exc cimport PyErr_WarnEx
from cpython.float cimport PyFloat_AsDouble
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.limits cimport INT_MAX
from libc.string cimport memset
from pyapi cimport PY_VERSION_HEX, clinic_int

from openssl.rand cimport RAND_bytes as _RAND_bytes, RAND_status as _RAND_status, RAND_add as _RAND_add
from _certcore.errors cimport clear_error_queue, raise_rand_error


cdef object _random_bytes(int num, bint pseudo):
    cdef bytes out
    cdef unsigned char *buf
    cdef int ok
    if num < 0:
        raise ValueError("num must be positive")
    out = PyBytes_FromStringAndSize(NULL, num)
    buf = <unsigned char *>PyBytes_AS_STRING(out)
    clear_error_queue()
    # Drawing can block until the generator is seeded (early boot) and takes time for large n.
    with nogil:
        ok = _RAND_bytes(buf, num)
    if ok == 1:
        return (out, True) if pseudo else out
    if pseudo and ok == 0:
        # RAND_pseudo_bytes reports a failed draw as (bytes, False) rather than raising; the
        # bytes are zeros here, not whatever the allocator left.
        memset(buf, 0, num)
        clear_error_queue()
        return (out, False)
    raise_rand_error()


def RAND_bytes(n, /):
    """Return ``n`` cryptographically strong random bytes; ``ssl.SSLError`` if the generator
    cannot produce them (it is not seeded, or OpenSSL's random provider is unavailable)."""
    return _random_bytes(clinic_int(n), False)


def RAND_pseudo_bytes(n, /):
    """Return ``(bytes, is_cryptographic)``: ``n`` random bytes and whether they are
    cryptographically strong. The stdlib has it up to 3.11 and deprecates it from 3.10."""
    cdef int num = clinic_int(n)
    if PY_VERSION_HEX >= 0x030A0000:
        PyErr_WarnEx(DeprecationWarning, b"ssl.RAND_pseudo_bytes() is deprecated", 1)
    return _random_bytes(num, True)


def RAND_status():
    """Whether OpenSSL's generator is seeded with enough entropy (an ``int`` 1/0 on 3.9, as there)."""
    cdef int status = _RAND_status()
    clear_error_queue()
    if PY_VERSION_HEX >= 0x030A0000:
        return status != 0
    return status


cdef void _add(const char *buf, Py_ssize_t length, double entropy) noexcept nogil:
    # RAND_add takes an int length: feed longer input in INT_MAX pieces, and call it at least
    # once (for empty input too), as _ssl.c does.
    cdef int piece
    while True:
        piece = <int>(length if length < INT_MAX else INT_MAX)
        _RAND_add(buf, piece, entropy)
        buf += piece
        length -= piece
        if length <= 0:
            break


def RAND_add(string, entropy, /):
    """Mix ``string`` (``str``, encoded as UTF-8, or any bytes-like object) into OpenSSL's
    generator, crediting it with ``entropy`` bytes of randomness (a real number)."""
    cdef Py_buffer view
    cdef const char *data
    cdef Py_ssize_t length
    cdef double credit
    if isinstance(string, str):
        data = PyUnicode_AsUTF8AndSize(string, &length)
        credit = PyFloat_AsDouble(entropy)
        with nogil:
            _add(data, length, credit)
    else:
        PyObject_GetBuffer(string, &view, PyBUF_SIMPLE)
        try:
            credit = PyFloat_AsDouble(entropy)
            with nogil:
                _add(<const char *>view.buf, view.len, credit)
        finally:
            PyBuffer_Release(&view)
    # RAND_add returns nothing; whatever it queued (an unavailable generator) is dropped, as the
    # stdlib ignores it too.
    clear_error_queue()
