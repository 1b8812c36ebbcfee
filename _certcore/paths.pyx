"""OpenSSL's default trust-store locations: ``get_default_verify_paths()``."""
import os as _os
from collections import namedtuple as _namedtuple

from openssl.x509 cimport (
    X509_get_default_cert_file, X509_get_default_cert_file_env,
    X509_get_default_cert_dir, X509_get_default_cert_dir_env,
)

# The stdlib's own class when it has one, so isinstance() and equality with ssl's result hold.
try:
    from ssl import DefaultVerifyPaths
except ImportError:  # pragma: no cover - every supported CPython has it
    DefaultVerifyPaths = _namedtuple(
        "DefaultVerifyPaths",
        "cafile capath openssl_cafile_env openssl_cafile openssl_capath_env openssl_capath",
    )

cdef object _fsdecode = _os.fsdecode
cdef object _environ = _os.environ
cdef object _isfile = _os.path.isfile
cdef object _isdir = _os.path.isdir

# OpenSSL's compiled-in values never change within a process: decode them once.
cdef str _CAFILE_ENV = _fsdecode(<bytes>X509_get_default_cert_file_env())
cdef str _CAFILE = _fsdecode(<bytes>X509_get_default_cert_file())
cdef str _CAPATH_ENV = _fsdecode(<bytes>X509_get_default_cert_dir_env())
cdef str _CAPATH = _fsdecode(<bytes>X509_get_default_cert_dir())


def get_default_verify_paths():
    """Return the paths to the default cafile and capath as a ``DefaultVerifyPaths`` named tuple.

    ``cafile``/``capath`` are the environment's override (``SSL_CERT_FILE``/``SSL_CERT_DIR``)
    or OpenSSL's compiled-in location, or ``None`` when that file/directory does not exist.
    The environment is read at every call.
    """
    cafile = _environ.get(_CAFILE_ENV, _CAFILE)
    capath = _environ.get(_CAPATH_ENV, _CAPATH)
    return DefaultVerifyPaths(
        cafile if _isfile(cafile) else None,
        capath if _isdir(capath) else None,
        _CAFILE_ENV, _CAFILE, _CAPATH_ENV, _CAPATH,
    )


def openssl_default_paths():
    """OpenSSL's compiled-in ``(cafile_env, cafile, capath_env, capath)``, as ``_ssl`` reports it."""
    return (_CAFILE_ENV, _CAFILE, _CAPATH_ENV, _CAPATH)
