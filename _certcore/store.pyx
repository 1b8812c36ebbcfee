"""The trust store OpenSSL uses, enumerated the way CPython's Windows-only functions do it.

``enum_certificates(store_name)`` and ``enum_crls(store_name)`` exist in the stdlib only on
Windows, where they read the system certificate stores. certcore implements them on POSIX over
the locations OpenSSL's default verify paths name -- the CA file and the hashed CA directory,
resolved by ``_certcore.paths`` as ``get_default_verify_paths()`` resolves them (``SSL_CERT_FILE`` /
``SSL_CERT_DIR`` first, then OpenSSL's compiled-in paths; a path that is not an existing file /
directory is ignored) -- with the Windows return shapes.

Reading and parsing happen in C with the GIL released; only building the result list needs it.
"""
from libc.stdlib cimport malloc, realloc, free, qsort
from libc.string cimport strcmp, strlen, memcpy
from libc.stdio cimport snprintf
from posix.stat cimport stat, struct_stat, S_ISREG
from cpython.bytes cimport PyBytes_FromStringAndSize
import os as _os

from openssl.crypto cimport OPENSSL_free
from openssl.err cimport ERR_peek_last_error, ERR_clear_error, ERR_GET_LIB, ERR_GET_REASON, ERR_LIB_PEM
from _certcore.x509 cimport CERT_FILE_LIMIT
from _certcore.paths cimport default_location
from openssl.asn1 cimport stack_st_ASN1_OBJECT, sk_ASN1_OBJECT_num, sk_ASN1_OBJECT_value, ASN1_get_object
from openssl.objects cimport OBJ_obj2txt
from openssl.bio cimport BIO, BIO_new_file, BIO_free, BIO_tell
from openssl.x509 cimport (
    X509, X509_CRL, d2i_X509, d2i_X509_AUX, X509_free, d2i_X509_CRL, X509_CRL_free, X509_self_signed,
)
from openssl.x509_vfy cimport X509_get0_trust_objects, X509_get0_reject_objects
from openssl.pem cimport PEM_read_bio, PEM_R_NO_START_LINE
from posixsys.dirent cimport DIR, dirent, opendir, readdir, closedir

import errno as _errno

# What each store name selects (WANT_* in store.pxd). Windows opens system store names
# case-insensitively.
cdef dict _CERT_STORES = {"ROOT": WANT_ROOT, "CA": WANT_CA, "MY": 0}
cdef dict _CRL_STORES = {"ROOT": 0, "CA": WANT_CRL, "MY": 0}

cdef str _X509_ASN = "x509_asn"
cdef str _ANY_EKU = "2.5.29.37.0"
# The extended key usages OpenSSL's verifier checks trust for (its X509_TRUST table: SSL client,
# SSL server, S/MIME, object signing, OCSP signing, OCSP request, time stamping). A trust
# setting that means "every purpose but these" is spelled out over this set.
cdef frozenset _OPENSSL_PURPOSES = frozenset({
    "1.3.6.1.5.5.7.3.1",   # serverAuth
    "1.3.6.1.5.5.7.3.2",   # clientAuth
    "1.3.6.1.5.5.7.3.3",   # codeSigning
    "1.3.6.1.5.5.7.3.4",   # emailProtection
    "1.3.6.1.5.5.7.3.8",   # timeStamping
    "1.3.6.1.5.5.7.3.9",   # OCSPSigning
    "1.3.6.1.5.5.7.48.1",  # OCSP (request signing)
})
cdef frozenset _NOTHING = frozenset()


# ---------------------------------------------------------------------------------------------
# C side, GIL released: read the PEM blocks of the trust locations, then parse the distinct ones.

cdef enum BlockKind:
    CERT = 1
    TRUSTED_CERT = 2
    CRL = 3


cdef struct Block:
    BlockKind kind
    unsigned char *data   # the PEM block's bytes (OPENSSL_malloc'ed, owned)
    long length
    long der_length       # bytes of data that are the certificate / CRL itself (0: unparseable)
    void *obj             # X509* / X509_CRL* once parsed and selected (owned), else NULL


cdef struct Blocks:
    Block *items
    size_t n
    size_t cap
    bint out_of_memory


cdef int _grow(void **items, size_t *cap, size_t item_size) noexcept nogil:
    cdef size_t new_cap = cap[0] * 2 if cap[0] else 256
    cdef void *grown = realloc(items[0], new_cap * item_size)
    if grown == NULL:
        return -1
    items[0], cap[0] = grown, new_cap
    return 0


cdef long _outer_tlv_length(const unsigned char *data, long length) noexcept nogil:
    """Length of the first DER element of data (a certificate before its trust settings), or 0."""
    cdef const unsigned char *p = data
    cdef long content
    cdef int tag, xclass
    cdef int ret = ASN1_get_object(&p, &content, &tag, &xclass, length)
    if ret & 0x80 or ret == 0x21:  # error, or indefinite length (not DER)
        return 0
    return (p - data) + content


cdef void _keep_block(Blocks *blocks, const char *name, unsigned char *data, long length,
                      int want) noexcept nogil:
    """Keep one PEM block if `want` asks for its kind; takes ownership of data either way."""
    cdef BlockKind kind
    cdef Block *block
    if strcmp(name, b"X509 CRL") == 0:
        kind = CRL
        if not (want & WANT_CRL):
            OPENSSL_free(data)
            return
    elif strcmp(name, b"CERTIFICATE") == 0 or strcmp(name, b"X509 CERTIFICATE") == 0:
        kind = CERT
    elif strcmp(name, b"TRUSTED CERTIFICATE") == 0:
        kind = TRUSTED_CERT
    else:
        OPENSSL_free(data)  # keys, requests, parameters...: not the store's business
        return
    if kind != CRL and not (want & (WANT_ROOT | WANT_CA)):
        OPENSSL_free(data)
        return
    if blocks.n == blocks.cap and _grow(<void **>&blocks.items, &blocks.cap, sizeof(Block)) != 0:
        blocks.out_of_memory = True
        OPENSSL_free(data)
        return
    block = &blocks.items[blocks.n]
    blocks.n += 1
    block.kind, block.data, block.length, block.obj = kind, data, length, NULL
    block.der_length = _outer_tlv_length(data, length)
    ERR_clear_error()


cdef void _read_pem_file(const char *path, int want, Blocks *blocks) noexcept nogil:
    """Every PEM block of `path`; unreadable files, broken blocks and files larger than
    MAX_CERT_FILE_BYTES are skipped.

    The blocks are read by OpenSSL's own PEM reader (PEM_read_bio, as X509_load_cert_crl_file
    reads these locations for the verifier), not by certcore's scanner in pem.pyx: the store
    lists what OpenSSL finds in its trust locations, every label and broken block included.
    """
    cdef struct_stat st
    cdef BIO *bio
    cdef char *name
    cdef char *header
    cdef unsigned char *data
    cdef long length
    cdef int before
    cdef unsigned long code
    # Regular files only (stat follows symlinks): a FIFO named like a certificate must not block.
    if stat(path, &st) != 0 or not S_ISREG(st.st_mode) or st.st_size > CERT_FILE_LIMIT:
        return
    bio = BIO_new_file(path, "rb")
    if bio == NULL:
        ERR_clear_error()
        return
    # A file can grow after stat(): the read stops at the bound all the same.
    while not blocks.out_of_memory and BIO_tell(bio) <= CERT_FILE_LIMIT:
        name = header = NULL
        data = NULL
        before = BIO_tell(bio)
        if PEM_read_bio(bio, &name, &header, &data, &length):
            _keep_block(blocks, name, data, length, want)
            OPENSSL_free(name)
            OPENSSL_free(header)
            continue
        # A failed read has consumed the broken block; "no start line" means nothing is left.
        code = ERR_peek_last_error()
        ERR_clear_error()
        if (ERR_GET_LIB(code) == ERR_LIB_PEM and ERR_GET_REASON(code) == PEM_R_NO_START_LINE) \
                or BIO_tell(bio) <= before:
            break
    BIO_free(bio)
    ERR_clear_error()


cdef void _parse_selected(Blocks *blocks, const unsigned char *distinct, int want) noexcept nogil:
    """Parse the distinct blocks; keep the certificates of the wanted store and the CRLs."""
    cdef size_t i
    cdef Block *block
    cdef const unsigned char *p
    cdef X509 *x
    cdef bint anchor
    for i in range(blocks.n):
        block = &blocks.items[i]
        if not distinct[i]:
            continue
        p = block.data
        if block.kind == CRL:
            block.obj = d2i_X509_CRL(NULL, &p, block.length)
            continue
        x = d2i_X509_AUX(NULL, &p, block.length) if block.kind == TRUSTED_CERT \
            else d2i_X509(NULL, &p, block.length)
        if x == NULL:
            continue
        # A trust anchor is what OpenSSL's chain builder takes for one: a self-signed
        # certificate (X509_verify_cert's test: names, key identifiers and keyUsage agree; the
        # signature is not checked), or any certificate with explicit trust settings.
        anchor = X509_self_signed(x, 0) == 1 or X509_get0_trust_objects(x) != NULL
        if want & (WANT_ROOT if anchor else WANT_CA):
            block.obj = x
        else:
            X509_free(x)
    ERR_clear_error()


cdef void _free_blocks(Blocks *blocks) noexcept nogil:
    cdef size_t i
    for i in range(blocks.n):
        if blocks.items[i].obj != NULL:
            if blocks.items[i].kind == CRL:
                X509_CRL_free(<X509_CRL *>blocks.items[i].obj)
            else:
                X509_free(<X509 *>blocks.items[i].obj)
        OPENSSL_free(blocks.items[i].data)
    free(blocks.items)
    blocks.items, blocks.n, blocks.cap = NULL, 0, 0


cdef int _hashed_kind(const char *name) noexcept nogil:
    """WANT_ROOT|WANT_CA for `openssl rehash` certificate names (<8 hex>.<n>), WANT_CRL for
    CRL names (<8 hex>.r<n>), 0 for anything else. OpenSSL looks up lower-case hex only."""
    cdef size_t i, n = strlen(name)
    cdef int kind = WANT_ROOT | WANT_CA
    if n < 10 or name[8] != b'.':
        return 0
    for i in range(8):
        if not (b'0' <= name[i] <= b'9' or b'a' <= name[i] <= b'f'):
            return 0
    i = 9
    if name[i] == b'r':
        kind = WANT_CRL
        i += 1
    if i == n:
        return 0
    while i < n:
        if not (b'0' <= name[i] <= b'9'):
            return 0
        i += 1
    return kind


cdef int _compare_names(const void *a, const void *b) noexcept nogil:
    return strcmp((<const char **>a)[0], (<const char **>b)[0])


cdef struct Names:
    char **items
    size_t n
    size_t cap


cdef void _free_names(Names *names) noexcept nogil:
    cdef size_t i
    for i in range(names.n):
        free(names.items[i])
    free(names.items)
    names.items, names.n, names.cap = NULL, 0, 0


cdef enum:
    NAMES_UNREADABLE = -1
    NAMES_NO_MEMORY = -2


cdef int _hashed_names(const char *path, int want, Names *names) noexcept nogil:
    """The names in directory `path` whose _hashed_kind `want` asks for, in name order: 0, or
    NAMES_UNREADABLE (nothing listed), or NAMES_NO_MEMORY (the names listed so far)."""
    cdef DIR *d = opendir(path)
    cdef dirent *entry
    cdef char *copy
    cdef size_t size
    cdef int rc = 0
    if d == NULL:
        return NAMES_UNREADABLE
    while True:
        entry = readdir(d)
        if entry == NULL:
            break
        if not (_hashed_kind(entry.d_name) & want):
            continue
        size = strlen(entry.d_name) + 1
        copy = <char *>malloc(size)
        if copy == NULL or (names.n == names.cap and _grow(<void **>&names.items, &names.cap, sizeof(char *)) != 0):
            free(copy)
            rc = NAMES_NO_MEMORY
            break
        memcpy(copy, entry.d_name, size)
        names.items[names.n] = copy
        names.n += 1
    closedir(d)
    if names.n:
        qsort(names.items, names.n, sizeof(char *), _compare_names)
    return rc


cdef void _read_hashed_dir(const char *path, int want, Blocks *blocks) noexcept nogil:
    """The certificate / CRL files of a hashed directory, in name order."""
    cdef Names names
    cdef char *full
    cdef size_t i, size, dirlen = strlen(path)
    names.items, names.n, names.cap = NULL, 0, 0
    if _hashed_names(path, want, &names) == NAMES_NO_MEMORY:
        blocks.out_of_memory = True
    for i in range(names.n):
        if blocks.out_of_memory:
            break
        size = dirlen + strlen(names.items[i]) + 2
        full = <char *>malloc(size)
        if full == NULL:
            blocks.out_of_memory = True
            break
        snprintf(full, size, "%s/%s", path, names.items[i])
        # <hash>.<n> files give certificates only, <hash>.r<n> files CRLs only (as OpenSSL
        # loads them).
        _read_pem_file(full, want & _hashed_kind(names.items[i]), blocks)
        free(full)
    _free_names(&names)


# ---------------------------------------------------------------------------------------------
# Python side.

cdef int _store_flags(object store_name, dict stores, str func) except -1:
    if not isinstance(store_name, str):
        raise TypeError(f"{func}() argument 'store_name' must be str, not {type(store_name).__name__}")
    if "\0" in store_name:
        raise ValueError("embedded null character")
    flags = stores.get(store_name.upper() if store_name.isascii() else None)
    if flags is None:
        # Windows: no system location has a store of that name -> OSError from GetLastError(),
        # ERROR_FILE_NOT_FOUND, which Python maps to FileNotFoundError.
        raise FileNotFoundError(_errno.ENOENT, "No such certificate store", store_name)
    return flags


cdef set _oid_texts(stack_st_ASN1_OBJECT *objs):
    cdef char buf[128]
    cdef int i, n
    cdef set texts = set()
    for i in range(sk_ASN1_OBJECT_num(objs)):
        n = OBJ_obj2txt(buf, sizeof(buf), sk_ASN1_OBJECT_value(objs, i), 1)
        if 0 < n < <int>sizeof(buf):
            texts.add(buf[:n].decode("ascii"))
    return texts


cdef object _trust(X509 *x):
    """The Windows-shaped trust of a certificate, from its OpenSSL trust settings.

    Mirrors OpenSSL 3's obj_trust(): no settings -> True; anyExtendedKeyUsage rejected ->
    trusted for nothing; a trust list -> the listed purposes less the rejected ones; a reject
    list alone (OpenSSL then trusts the self-signed certificate for every other purpose) or a
    trusted anyExtendedKeyUsage next to rejections -> OpenSSL's purposes less the rejected ones.
    """
    cdef stack_st_ASN1_OBJECT *trust_objs = X509_get0_trust_objects(x)
    cdef stack_st_ASN1_OBJECT *reject_objs = X509_get0_reject_objects(x)
    if trust_objs == NULL and reject_objs == NULL:
        return True
    rejected = _oid_texts(reject_objs) if reject_objs != NULL else set()
    if _ANY_EKU in rejected:
        return _NOTHING
    if trust_objs == NULL:
        return frozenset(_OPENSSL_PURPOSES - rejected)
    trusted = _oid_texts(trust_objs)
    if _ANY_EKU in trusted:
        if not rejected:
            return True
        trusted.discard(_ANY_EKU)
        trusted |= _OPENSSL_PURPOSES
    return frozenset(trusted - rejected)


cdef list _enumerate(int want):
    """Entries from the CA file, then the hashed directory; the same DER listed once."""
    cdef Blocks blocks
    cdef bytes cafile = default_location(False)
    cdef bytes capath = default_location(True)
    cdef const char *cafile_c = NULL
    cdef const char *capath_c = NULL
    cdef size_t i
    cdef Block *block
    cdef bytearray distinct
    cdef unsigned char *distinct_c
    cdef list result = []
    cdef set seen = set()
    cdef list ders = []
    blocks.items, blocks.n, blocks.cap, blocks.out_of_memory = NULL, 0, 0, False
    if cafile is not None:
        cafile_c = cafile
    if capath is not None:
        capath_c = capath
    try:
        with nogil:
            if cafile_c != NULL:
                _read_pem_file(cafile_c, want, &blocks)
            if capath_c != NULL:
                _read_hashed_dir(capath_c, want, &blocks)
        if blocks.out_of_memory:
            raise MemoryError()
        # Duplicates are found on the DER bytes before anything is parsed (parsing dominates).
        distinct = bytearray(blocks.n)
        distinct_c = distinct
        for i in range(blocks.n):
            block = &blocks.items[i]
            der = None
            if block.der_length > 0:
                der = PyBytes_FromStringAndSize(<char *>block.data, block.der_length)
                if der not in seen:
                    seen.add(der)
                    distinct_c[i] = 1
            ders.append(der)
        with nogil:
            _parse_selected(&blocks, distinct_c, want)
        for i in range(blocks.n):
            block = &blocks.items[i]
            if block.obj == NULL:
                continue
            if block.kind == CRL:
                result.append((ders[i], _X509_ASN))
            else:
                result.append((ders[i], _X509_ASN, _trust(<X509 *>block.obj)))
        return result
    finally:
        _free_blocks(&blocks)
        ERR_clear_error()


def enum_certificates(store_name):
    """Certificates of the trust store OpenSSL uses, as ``[(der, "x509_asn", trust), ...]``.

    Like CPython's Windows-only ``ssl.enum_certificates``, over OpenSSL's default verify
    locations (``get_default_verify_paths()``: the CA file, then the ``<hash>.<n>`` files of the
    CA directory, both honouring ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``, read at every call).

    ``store_name`` (case-insensitive, as Windows store names are):

    * ``"ROOT"``: the trust anchors -- self-signed certificates (OpenSSL's own test: issuer and
      subject names, key identifiers and keyUsage agree; the signature is not checked) and
      certificates with explicit trust settings;
    * ``"CA"``: every other certificate in those locations (usually none);
    * ``"MY"``: always empty (no personal store on POSIX).

    Any other name raises ``FileNotFoundError`` (``OSError``, errno ENOENT), as Windows raises
    ``OSError`` (ERROR_FILE_NOT_FOUND) when no location holds the store; a non-``str`` name
    raises ``TypeError``.

    ``trust`` is ``True`` for a certificate without trust settings, else a ``frozenset`` of OID
    strings: what OpenSSL 3 would trust a "TRUSTED CERTIFICATE" (``openssl x509 -addtrust /
    -addreject``) for -- the trusted purposes less the rejected ones; a reject list alone means
    OpenSSL's purposes (serverAuth, clientAuth, codeSigning, emailProtection, timeStamping,
    OCSPSigning, OCSP) less the rejected ones; a trusted anyExtendedKeyUsage with no rejections
    is ``True``; a rejected anyExtendedKeyUsage (or an empty trust list) is ``frozenset()``.

    The same DER found twice is listed once (first place wins: file before directory).
    Unreadable files, non-regular files, dangling links and blocks that do not parse are
    skipped: this is an inventory of what parses (OpenSSL itself would refuse a whole CA file
    containing a broken block).
    """
    cdef int want = _store_flags(store_name, _CERT_STORES, "enum_certificates")
    if not want:
        return []
    return _enumerate(want)


def enum_crls(store_name):
    """CRLs of the trust store OpenSSL uses, as ``[(der, "x509_asn"), ...]``.

    Like CPython's Windows-only ``ssl.enum_crls`` (2-tuples, no trust element). CRLs come from
    the ``X509 CRL`` PEM blocks of the CA file and the ``<hash>.r<n>`` files of the CA
    directory. They are listed under ``"CA"`` (Windows keeps CRLs in its intermediate-CA store);
    ``"ROOT"`` and ``"MY"`` are empty; other names raise ``FileNotFoundError`` as for
    ``enum_certificates``. Duplicates once; unreadable or broken entries skipped.
    """
    cdef int want = _store_flags(store_name, _CRL_STORES, "enum_crls")
    if not want:
        return []
    return _enumerate(want)


# ---------------------------------------------------------------------------------------------
# What the command line's `info` counts, read as enum_certificates reads it.

cdef bytes _fs_path(object path):
    cdef bytes fs = _os.fsencode(path)
    if b"\0" in fs:
        raise ValueError("embedded null byte")
    return fs


def count_certificate_blocks(path):
    """How many certificate blocks (``CERTIFICATE``, ``X509 CERTIFICATE``, ``TRUSTED
    CERTIFICATE``) ``enum_certificates`` reads from the PEM file at *path*, none parsed; 0 for a
    file it skips (unreadable, not a regular file, larger than MAX_CERT_FILE_BYTES)."""
    cdef bytes fs = _fs_path(path)
    cdef const char *cpath = fs
    cdef Blocks blocks
    blocks.items, blocks.n, blocks.cap, blocks.out_of_memory = NULL, 0, 0, False
    try:
        with nogil:
            _read_pem_file(cpath, WANT_ROOT | WANT_CA, &blocks)
        if blocks.out_of_memory:
            raise MemoryError()
        return blocks.n
    finally:
        _free_blocks(&blocks)


def hashed_certificate_names(path):
    """The certificate file names of the hashed directory at *path* (``<8 hex>.<n>``, as
    ``openssl rehash`` makes them and OpenSSL looks them up), sorted; [] when it cannot be read."""
    cdef bytes fs = _fs_path(path)
    cdef const char *cpath = fs
    cdef Names names
    cdef int rc
    cdef size_t i
    cdef list result = []
    names.items, names.n, names.cap = NULL, 0, 0
    try:
        with nogil:
            rc = _hashed_names(cpath, WANT_ROOT | WANT_CA, &names)
        if rc == NAMES_NO_MEMORY:
            raise MemoryError()
        for i in range(names.n):
            result.append((<bytes>names.items[i]).decode("ascii"))
        return result
    finally:
        _free_names(&names)
