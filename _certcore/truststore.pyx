"""TrustStore: a set of trust anchors (one X509_STORE) that contexts and verifiers share.

A TrustStore is immutable once built, so any number of contexts and threads can use its
X509_STORE at once (each holds its own X509_STORE_up_ref); a context that then adds to its trust
gets a private copy first (``private_copy``). The system store (``system_trust_store``) is built
with the very call ``SSL_CTX_set_default_verify_paths`` makes, once per process, and re-read only
when the default CA file or directory changes on disk.
"""
import os as _os
import threading as _threading

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.buffer cimport PyObject_CheckBuffer, PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE
from libc.limits cimport INT_MAX
from libc.stdlib cimport getenv, malloc, free, qsort
from pyapi cimport PY_VERSION_HEX
from posixsys.errnoval cimport set_errno, get_errno

from openssl.err cimport ERR_clear_error, ERR_peek_last_error, ERR_GET_LIB, ERR_GET_REASON
from openssl.err cimport ERR_LIB_PEM, ERR_LIB_ASN1, ERR_LIB_X509
from openssl.crypto cimport OPENSSL_free
from openssl.evp cimport EVP_MD, EVP_MD_fetch, EVP_Digest
from openssl.x509 cimport i2d_X509_PUBKEY, X509_get_X509_PUBKEY
from openssl.x509 cimport (
    X509, X509_free, d2i_X509_bio, X509_R_CERT_ALREADY_IN_HASH_TABLE,
    X509_get_default_cert_file, X509_get_default_cert_file_env,
    X509_get_default_cert_dir, X509_get_default_cert_dir_env,
)
from openssl.x509_vfy cimport *
from openssl.bio cimport BIO, BIO_new_mem_buf, BIO_free, BIO_eof
from openssl.pem cimport PEM_read_bio_X509, PEM_R_NO_START_LINE
from openssl.asn1 cimport ASN1_R_HEADER_TOO_LONG
from _certcore.errors cimport raise_from_queue, raise_load_error, SITE_CADATA, SITE_VERIFY_LOCATIONS, SITE_CONTEXT
from _certcore.x509 cimport Certificate, certificate_from_x509
from _certcore.store cimport _hashed_kind, WANT_ROOT, WANT_CA


# The hashed directories a store looks up lazily live inside OpenSSL's BY_DIR lookup, which has
# no getter: certcore remembers them in the store's own ex_data (freed with the store), so that a
# copy of any X509_STORE -- a TrustStore's or a context's -- can add the same lookups.
cdef extern from *:
    """
    #include <string.h>
    #include <openssl/crypto.h>
    #include <openssl/x509_vfy.h>

    static int certcore_dirs_idx = -1;

    static void certcore_dirs_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
                                   long argl, void *argp) {
        OPENSSL_free(ptr);
    }

    static int certcore_dirs_init(void) {
        if (certcore_dirs_idx < 0)
            certcore_dirs_idx = X509_STORE_get_ex_new_index(0, NULL, NULL, NULL, certcore_dirs_free);
        return certcore_dirs_idx >= 0;
    }

    /* Remember `dir` (a LIST_SEPARATOR list) among the store's hashed directories. The caller
       owns the store exclusively (it is being built). */
    static int certcore_note_dir(X509_STORE *store, const char *dir) {
        char *old = X509_STORE_get_ex_data(store, certcore_dirs_idx);
        size_t n = strlen(dir), m = old ? strlen(old) : 0;
        char *joined = OPENSSL_malloc(m + n + 2);
        if (joined == NULL)
            return 0;
        if (old) {
            memcpy(joined, old, m);
            joined[m++] = ':';   /* OpenSSL's LIST_SEPARATOR_CHAR on POSIX */
        }
        memcpy(joined + m, dir, n + 1);
        if (!X509_STORE_set_ex_data(store, certcore_dirs_idx, joined)) {
            OPENSSL_free(joined);
            return 0;
        }
        OPENSSL_free(old);
        return 1;
    }

    /* Add src's certificates, CRLs and hashed-directory lookups to dst (dst != src). */
    static int certcore_store_merge(X509_STORE *dst, X509_STORE *src) {
        STACK_OF(X509_OBJECT) *objs;
        X509_OBJECT *o;
        char *dirs = NULL;
        const char *src_dirs;
        int i, ok = 1;
        if (!X509_STORE_lock(src))
            return 0;
        objs = X509_STORE_get0_objects(src);
        for (i = 0; ok && i < sk_X509_OBJECT_num(objs); i++) {
            o = sk_X509_OBJECT_value(objs, i);
            if (X509_OBJECT_get_type(o) == X509_LU_X509)
                ok = X509_STORE_add_cert(dst, X509_OBJECT_get0_X509(o));
            else if (X509_OBJECT_get_type(o) == X509_LU_CRL)
                ok = X509_STORE_add_crl(dst, X509_OBJECT_get0_X509_CRL(o));
        }
        src_dirs = X509_STORE_get_ex_data(src, certcore_dirs_idx);
        if (ok && src_dirs != NULL) {
            dirs = OPENSSL_strdup(src_dirs);
            ok = dirs != NULL;
        }
        X509_STORE_unlock(src);
        if (ok && dirs != NULL)
            ok = X509_STORE_load_path(dst, dirs) && certcore_note_dir(dst, dirs);
        OPENSSL_free(dirs);
        return ok;
    }

    static X509_STORE *certcore_store_copy(X509_STORE *src) {
        X509_STORE *dst = X509_STORE_new();
        if (dst == NULL)
            return NULL;
        if (!X509_VERIFY_PARAM_set1(X509_STORE_get0_param(dst), X509_STORE_get0_param(src))
                || !certcore_store_merge(dst, src)) {
            X509_STORE_free(dst);
            return NULL;
        }
        return dst;
    }

    /* Certificates and CRLs in the store now. */
    static void certcore_store_counts(X509_STORE *store, Py_ssize_t *certs, Py_ssize_t *crls) {
        STACK_OF(X509_OBJECT) *objs;
        int i, t;
        *certs = *crls = 0;
        if (!X509_STORE_lock(store))
            return;
        objs = X509_STORE_get0_objects(store);
        for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
            t = X509_OBJECT_get_type(sk_X509_OBJECT_value(objs, i));
            if (t == X509_LU_X509)
                ++*certs;
            else if (t == X509_LU_CRL)
                ++*crls;
        }
        X509_STORE_unlock(store);
    }
    """
    int certcore_dirs_init() nogil
    int certcore_note_dir(X509_STORE *store, const char *dir) nogil
    X509_STORE *certcore_store_copy(X509_STORE *src) nogil
    int certcore_store_merge(X509_STORE *dst, X509_STORE *src) nogil
    void certcore_store_counts(X509_STORE *store, Py_ssize_t *certs, Py_ssize_t *crls) nogil


if not certcore_dirs_init():
    raise_from_queue(SITE_CONTEXT)


cdef object fs_path(object path, str what):
    if path is None:
        return None
    try:
        b = _os.fsencode(path)
    except TypeError:
        raise TypeError(f"{what} should be a valid filesystem path") from None
    if b"\0" in b:
        raise ValueError("embedded null byte")
    return b


cdef X509_STORE *private_copy(X509_STORE *store) except NULL:
    cdef X509_STORE *copy
    with nogil:
        copy = certcore_store_copy(store)
    if copy == NULL:
        raise_from_queue(SITE_CONTEXT)
    return copy


cdef int merge_store(X509_STORE *dst, X509_STORE *src) except -1:
    cdef int ok
    with nogil:
        ok = certcore_store_merge(dst, src)
    if not ok:
        raise_from_queue(SITE_CONTEXT)
    return 0


cdef int add_hashed_dir(X509_STORE *store, bytes path) except -1:
    cdef const char *p = path
    cdef int ok
    with nogil:
        ok = X509_STORE_load_path(store, p) and certcore_note_dir(store, p)
    if not ok:
        raise_from_queue(SITE_VERIFY_LOCATIONS)
    return 0


cdef int add_cadata(X509_STORE *store, object cadata) except -1:
    cdef Py_buffer view
    if isinstance(cadata, str):
        try:
            data = cadata.encode("ascii")
        except UnicodeEncodeError:
            raise TypeError("cadata should be an ASCII string or a bytes-like object") from None
        _add_ca_certs(store, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), True)
    elif PyObject_CheckBuffer(cadata):
        PyObject_GetBuffer(cadata, &view, PyBUF_SIMPLE)   # BufferError when not contiguous
        try:
            _add_ca_certs(store, <const char *>view.buf, view.len, False)
        finally:
            PyBuffer_Release(&view)
    else:
        raise TypeError("cadata should be an ASCII string or a bytes-like object")
    return 0


cdef int _add_ca_certs(X509_STORE *store, const char *data, Py_ssize_t n, bint pem) except -1:
    # cadata is read by OpenSSL's own PEM reader (PEM_read_bio_X509), as CPython's _ssl.c
    # _add_ca_certs reads it, not by certcore's scanner in pem.pyx: what it accepts and the
    # errors it raises are then _ssl.c's, byte for byte.
    cdef BIO *bio
    cdef X509 *cert
    cdef int loaded = 0, r
    cdef unsigned long err
    # 3.12+ reads DER to the end of the buffer, so trailing bytes are an error there
    cdef bint der_to_end = not pem and PY_VERSION_HEX >= 0x030C0000
    if n <= 0:
        raise ValueError("Empty certificate data")
    if n > INT_MAX:
        raise OverflowError("Certificate data is too long.")
    bio = BIO_new_mem_buf(data, <int>n)
    if bio == NULL:
        raise_from_queue(SITE_CADATA)
    try:
        with nogil:     # parsing a large bundle lets other threads run
            while True:
                if pem:
                    cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)
                elif der_to_end and BIO_eof(bio):
                    break
                else:
                    cert = d2i_X509_bio(bio, NULL)
                if cert == NULL:
                    break
                r = X509_STORE_add_cert(store, cert)
                X509_free(cert)
                if not r:
                    err = ERR_peek_last_error()
                    if (ERR_GET_LIB(err) == ERR_LIB_X509
                            and ERR_GET_REASON(err) == X509_R_CERT_ALREADY_IN_HASH_TABLE):
                        ERR_clear_error()
                    else:
                        break
                loaded += 1
    finally:
        BIO_free(bio)
    err = ERR_peek_last_error()
    if loaded == 0:
        ERR_clear_error()
        raise_from_queue(SITE_CADATA,
                         "no start line: cadata does not contain a certificate" if pem else
                         "not enough data: cadata does not contain a certificate")
    elif (not pem and not der_to_end and ERR_GET_LIB(err) == ERR_LIB_ASN1
          and ERR_GET_REASON(err) == ASN1_R_HEADER_TOO_LONG):
        ERR_clear_error()
    elif pem and ERR_GET_LIB(err) == ERR_LIB_PEM and ERR_GET_REASON(err) == PEM_R_NO_START_LINE:
        ERR_clear_error()
    elif err != 0:
        raise_from_queue(SITE_CADATA)
    return 0


cdef Py_ssize_t _hashed_files(bytes dirs) except -1:
    """The certificate files (OpenSSL's <hash>.<n> names) of a LIST_SEPARATOR list of hashed
    directories, counted by name without reading them; an unreadable directory counts 0, as
    OpenSSL's lazy lookup then finds nothing there."""
    cdef Py_ssize_t n = 0
    for d in dirs.split(_os.pathsep.encode()):
        if not d:
            continue
        try:
            names = _os.listdir(d)
        except OSError:
            continue
        for name in names:
            if _hashed_kind(name) & (WANT_ROOT | WANT_CA):
                n += 1
    return n


cdef EVP_MD *_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)
if _sha256 == NULL:
    raise ImportError("certcore.truststore: cannot fetch SHA256")


cdef int _compare_anchor_keys(const void *a, const void *b) noexcept nogil:
    cdef size_t x = <size_t>(<const AnchorKey *>a).x
    cdef size_t y = <size_t>(<const AnchorKey *>b).x
    return (x > y) - (x < y)


cdef const unsigned char *anchor_spki_sha256(const AnchorKey *keys, Py_ssize_t n, const void *x) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if <size_t>keys[mid].x < <size_t>x:
            lo = mid + 1
        else:
            hi = mid
    if lo < n and keys[lo].x == x:
        return keys[lo].spki_sha256
    return NULL


cdef class TrustStore:
    """An immutable set of trust anchors (and CRLs) that contexts and verifiers share.

    ``TrustStore(certificates=(), *, cafile=None, capath=None, cadata=None)``: certificates from an
    iterable of ``certcore.Certificate``, a PEM file (its CRLs too), a hashed directory (read
    lazily by OpenSSL during verification, as ``load_verify_locations(capath=...)``) and/or
    ``cadata`` (as ``SSLContext.load_verify_locations``). ``TrustStore.system()`` is the shared
    system store.
    """

    def __cinit__(self, *args, **kwargs):
        self.store = X509_STORE_new()
        if self.store == NULL:
            raise_from_queue(SITE_CONTEXT)

    def __dealloc__(self):
        free(self.anchor_keys)
        X509_STORE_free(self.store)

    def __init__(self, certificates=(), *, cafile=None, capath=None, cadata=None):
        cdef Certificate cert
        cdef int r, err
        cdef const char *cfile
        if self._built:
            raise TypeError("TrustStore is immutable")
        if cafile is None and capath is None and cadata is None and type(certificates) is tuple and not certificates:
            raise TypeError("certificates, cafile, capath and cadata cannot be all omitted")
        cf = fs_path(cafile, "cafile")
        cp = fs_path(capath, "capath")
        if isinstance(certificates, (str, bytes, bytearray, memoryview)):
            raise TypeError("certificates must be an iterable of certcore.Certificate, "
                            f"not {type(certificates).__name__}")
        for c in certificates:
            if not isinstance(c, Certificate):
                raise TypeError(f"certificates must hold certcore.Certificate objects, not {type(c).__name__}")
            cert = c
            if not X509_STORE_add_cert(self.store, cert.full_x509()):
                raise_from_queue(SITE_CONTEXT)
        if cadata is not None:
            add_cadata(self.store, cadata)
        if cf is not None:
            cfile = cf
            with nogil:
                set_errno(0)
                r = X509_STORE_load_file(self.store, cfile)
                err = get_errno()
            if r != 1:
                raise_load_error(err, SITE_VERIFY_LOCATIONS)
        if cp is not None:
            add_hashed_dir(self.store, cp)
        self._finish(cp)

    cdef int _finish(self, bytes dirs) except -1:
        cdef Py_ssize_t certs, crls
        certcore_store_counts(self.store, &certs, &crls)
        self._count = certs + (_hashed_files(dirs) if dirs is not None else 0)
        self._crls = crls
        self._built = True
        return 0

    cdef int _anchor_keys(self) except -1:
        """The SPKI SHA-256 of every certificate in the store now, made once, when a Verifier is
        first built on the store: contexts (create_default_context's shared system store above
        all) never need them. Certificates a hashed directory adds later have none, and the
        Verifier digests their keys itself. Called with the GIL, which orders it before any
        verification reads the array."""
        if self.anchor_keys != NULL:
            return 0
        cdef stack_st_X509_OBJECT *objs
        cdef X509_OBJECT *obj
        cdef X509 *x
        cdef unsigned char *spki
        cdef unsigned int size
        cdef int i, n
        cdef AnchorKey *keys
        cdef Py_ssize_t nkeys = 0
        X509_STORE_lock(self.store)
        try:
            objs = X509_STORE_get0_objects(self.store)
            keys = <AnchorKey *>malloc((sk_X509_OBJECT_num(objs) + 1) * sizeof(AnchorKey))
            if keys == NULL:
                raise MemoryError()
            for i in range(sk_X509_OBJECT_num(objs)):
                obj = sk_X509_OBJECT_value(objs, i)
                if X509_OBJECT_get_type(obj) != X509_LU_X509:
                    continue
                x = X509_OBJECT_get0_X509(obj)
                spki = NULL
                n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki)
                if n > 0 and EVP_Digest(spki, <size_t>n, keys[nkeys].spki_sha256, &size, _sha256, NULL) == 1 \
                        and size == 32:
                    keys[nkeys].x = x
                    nkeys += 1
                OPENSSL_free(spki)
        finally:
            X509_STORE_unlock(self.store)
        ERR_clear_error()
        qsort(keys, nkeys, sizeof(AnchorKey), _compare_anchor_keys)
        # published only complete and sorted: a non-NULL array is the "made" flag
        self.nanchor_keys = nkeys
        self.anchor_keys = keys
        return 0

    @classmethod
    def system(cls):
        """The process-wide system store: what ``SSLContext.set_default_verify_paths()`` loads
        (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured), re-read when that file or directory changes."""
        return system_trust_store()

    def __len__(self):
        return self._count

    def __iter__(self):
        cdef stack_st_X509_OBJECT *objs
        cdef X509_OBJECT *obj
        cdef int i
        cdef list result = []
        X509_STORE_lock(self.store)
        try:
            objs = X509_STORE_get0_objects(self.store)
            for i in range(sk_X509_OBJECT_num(objs)):
                obj = sk_X509_OBJECT_value(objs, i)
                if X509_OBJECT_get_type(obj) == X509_LU_X509:
                    result.append(certificate_from_x509(X509_OBJECT_get0_X509(obj)))
        finally:
            X509_STORE_unlock(self.store)
        return iter(result)

    @property
    def crls(self):
        """How many CRLs the store holds (those of cafile/cadata PEM)."""
        return self._crls

    def __repr__(self):
        kind = "system " if self._system else ""
        return f"<{kind}TrustStore certificates={self._count} crls={self._crls}>"

    def __reduce__(self):
        raise TypeError("cannot pickle 'TrustStore' object")


# --- the system store ----------------------------------------------------------------------

cdef object _system_lock = _threading.Lock()
cdef tuple _system_cached = None    # (key, TrustStore): replaced whole, so a reader sees a pair


cdef bytes _env_or(const char *env_name, const char *compiled):
    cdef const char *value = getenv(env_name)
    return <bytes>(value if value != NULL else compiled)


cdef tuple _system_key():
    """Where OpenSSL's default paths point now, and what is there: (file path, its (size,
    mtime_ns, inode, device)), (dir path, its (mtime_ns, inode)); None for what does not exist."""
    cdef bytes f = _env_or(X509_get_default_cert_file_env(), X509_get_default_cert_file())
    cdef bytes d = _env_or(X509_get_default_cert_dir_env(), X509_get_default_cert_dir())
    try:
        st = _os.stat(f)
        fkey = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
    except (OSError, ValueError):
        fkey = None
    try:
        st = _os.stat(d)
        dkey = (st.st_mtime_ns, st.st_ino)
    except (OSError, ValueError):
        dkey = None
    return (f, fkey, d, dkey)


cdef TrustStore system_trust_store():
    global _system_cached
    cdef tuple key = _system_key()
    cdef tuple cached = _system_cached
    cdef TrustStore ts
    cdef bytes d
    cdef int ok
    if cached is not None and cached[0] == key:
        return cached[1]
    with _system_lock:
        cached = _system_cached
        if cached is not None and cached[0] == key:
            return cached[1]
        ts = TrustStore.__new__(TrustStore)
        with nogil:     # it reads the whole system bundle; the same call as SSL_CTX_set_default_verify_paths
            ok = X509_STORE_set_default_paths(ts.store)
        if not ok:
            raise_from_queue(SITE_CONTEXT)
        ERR_clear_error()
        d = key[2]
        if b"\0" not in d and d and not certcore_note_dir(ts.store, d):
            raise_from_queue(SITE_CONTEXT)
        ts._system = True
        ts._finish(d)
        _system_cached = (key, ts)
        return ts


def _anchor_keys_made(TrustStore store):
    """Tests: whether the store's anchor keys exist yet (without making them)."""
    return store.anchor_keys != NULL


def _anchor_key(TrustStore store, Certificate cert):
    """Tests: the SPKI SHA-256 the store keeps for the X509 that cert wraps (the same object, as
    iterating the store gives), or None."""
    cdef const unsigned char *k
    store._anchor_keys()
    k = anchor_spki_sha256(store.anchor_keys, store.nanchor_keys, <const void *>cert.full_x509())
    return None if k == NULL else k[:32]
