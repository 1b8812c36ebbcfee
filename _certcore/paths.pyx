"""OpenSSL's default trust-store locations: ``get_default_verify_paths()``, and the same lookup
at C level for the trust-store enumeration (``default_location``, paths.pxd)."""
from pyapi cimport PyUnicode_DecodeFSDefault
from libc.stdlib cimport getenv
from posix.stat cimport stat, struct_stat, S_ISREG, S_ISDIR

from openssl.x509 cimport (
    X509_get_default_cert_file, X509_get_default_cert_file_env,
    X509_get_default_cert_dir, X509_get_default_cert_dir_env,
)

# The stdlib's own class (present in every supported CPython), so that the result is an
# ssl.DefaultVerifyPaths and compares equal to ssl.get_default_verify_paths().
from ssl import DefaultVerifyPaths

# OpenSSL's compiled-in values never change within a process: read and decode them once.
cdef const char *_CAFILE_ENV_C = X509_get_default_cert_file_env()
cdef const char *_CAFILE_C = X509_get_default_cert_file()
cdef const char *_CAPATH_ENV_C = X509_get_default_cert_dir_env()
cdef const char *_CAPATH_C = X509_get_default_cert_dir()
cdef str _CAFILE_ENV = PyUnicode_DecodeFSDefault(_CAFILE_ENV_C)
cdef str _CAFILE = PyUnicode_DecodeFSDefault(_CAFILE_C)
cdef str _CAPATH_ENV = PyUnicode_DecodeFSDefault(_CAPATH_ENV_C)
cdef str _CAPATH = PyUnicode_DecodeFSDefault(_CAPATH_C)
cdef object _new_paths = tuple.__new__


cdef const char *_existing(bint is_dir, bint *from_env) noexcept nogil:
    """The environment's SSL_CERT_FILE (is_dir: SSL_CERT_DIR), else OpenSSL's compiled-in
    location, if it names an existing file (is_dir: directory); else NULL.

    The process environment is read with getenv(): os.environ writes through to it (putenv),
    and it is what OpenSSL itself reads. stat() follows symlinks, as os.path.isfile/isdir do.
    """
    cdef struct_stat st
    cdef const char *value = getenv(_CAPATH_ENV_C if is_dir else _CAFILE_ENV_C)
    cdef const char *chosen = value if value != NULL else (_CAPATH_C if is_dir else _CAFILE_C)
    from_env[0] = value != NULL
    if stat(chosen, &st) != 0:
        return NULL
    if S_ISDIR(st.st_mode) if is_dir else S_ISREG(st.st_mode):
        return chosen
    return NULL


cdef object _existing_text(bint is_dir):
    cdef bint from_env = False
    cdef const char *chosen = _existing(is_dir, &from_env)
    if chosen == NULL:
        return None
    if from_env:
        return PyUnicode_DecodeFSDefault(chosen)
    return _CAPATH if is_dir else _CAFILE


cdef bytes default_location(bint is_dir):
    cdef bint from_env = False
    cdef const char *chosen = _existing(is_dir, &from_env)
    return None if chosen == NULL else <bytes>chosen


def get_default_verify_paths():
    """Return the paths to the default cafile and capath as a ``DefaultVerifyPaths`` named tuple.

    ``cafile``/``capath`` are the environment's override (``SSL_CERT_FILE``/``SSL_CERT_DIR``)
    or OpenSSL's compiled-in location, or ``None`` when that file/directory does not exist.
    The environment is read at every call.
    """
    return _new_paths(DefaultVerifyPaths, (
        _existing_text(False),
        _existing_text(True),
        _CAFILE_ENV, _CAFILE, _CAPATH_ENV, _CAPATH,
    ))


def openssl_default_paths():
    """OpenSSL's compiled-in ``(cafile_env, cafile, capath_env, capath)``, as ``_ssl`` reports it."""
    return (_CAFILE_ENV, _CAFILE, _CAPATH_ENV, _CAPATH)
