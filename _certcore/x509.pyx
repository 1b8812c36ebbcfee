"""X.509 certificates: ``Certificate`` (owns one ``X509*``) and the getpeercert() dict.

Parsing strategy (OpenSSL 3): a plain ``d2i_X509`` in the default library context decodes the
subject public key through the provider machinery, which costs several times more than the
rest of the parse. A certificate that is only inspected never needs its key, so certcore
parses into a private ``OSSL_LIB_CTX`` in which only the "null" provider is loaded (which also
stops OpenSSL from auto-loading the default provider there): every field is decoded exactly as
usual, only the key stays an undecoded SubjectPublicKeyInfo. ``Certificate.full_x509()`` gives
(once, lazily) an ``X509`` with its key for the work that needs it (verification): for RSA and
the NIST curves the inspection parse itself, with the key made by ``spki.install_key``; for other
keys a normal parse in the default library context.
The differential tests compare both parses field for field.

``decode_x509`` turns any ``X509*`` into exactly the dict CPython 3.11's ``_decode_certificate``
builds (``getpeercert()``, ``_ssl._test_decode_cert``): same keys, order, value shapes, and the
same exceptions for the undecodable cases (strict UTF-8 for DNS/email/URI and AIA/CRLDP URIs).
"""
import base64 as _base64
import os as _os
import warnings as _warnings
from collections import namedtuple as _namedtuple

from cpython.buffer cimport PyObject_CheckBuffer
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeUTF8, PyUnicode_DecodeASCII
from libc.string cimport memchr
from libc.stdlib cimport malloc, realloc, free
from libc.stdio cimport snprintf
from libc.time cimport tm
from libc.errno cimport errno, EINTR, EISDIR
from posix.fcntl cimport open as c_open, O_RDONLY, O_CLOEXEC
from posix.unistd cimport read as c_read, close as c_close
from cpython.exc cimport PyErr_CheckSignals
from posix.stat cimport fstat, struct_stat, S_ISREG, S_ISDIR

from openssl.crypto cimport OSSL_LIB_CTX, OSSL_LIB_CTX_new, OPENSSL_free
from openssl.provider cimport OSSL_PROVIDER_load
from openssl.bio cimport BIO, BIO_new, BIO_s_mem, BIO_free, BIO_get_mem_data
from openssl.asn1 cimport (
    ASN1_STRING, ASN1_INTEGER, ASN1_TIME, ASN1_OBJECT, V_ASN1_NEG,
    V_ASN1_UTCTIME, V_ASN1_GENERALIZEDTIME, V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING,
    ASN1_STRING_length, ASN1_STRING_type, ASN1_STRING_get0_data, ASN1_STRING_to_UTF8,
    ASN1_TIME_to_tm, ASN1_TIME_print, ASN1_item_d2i_ex,
    ASN1_BIT_STRING, ASN1_OCTET_STRING, V_ASN1_OBJECT, ASN1_BIT_STRING_get_bit, ASN1_BIT_STRING_free,
    ASN1_OCTET_STRING_free, stack_st_ASN1_OBJECT, sk_ASN1_OBJECT_num, sk_ASN1_OBJECT_value,
    V_ASN1_SEQUENCE, V_ASN1_INTEGER, ASN1_get_object,
)
from openssl.ec cimport EC_GROUP, EC_GROUP_new_by_curve_name, EC_GROUP_free, EC_GROUP_get_degree
from openssl.objects cimport (
    NID_undef, NID_subject_alt_name, NID_info_access, NID_crl_distribution_points,
    NID_ad_OCSP, NID_ad_ca_issuers, OBJ_obj2nid, OBJ_obj2txt, OBJ_nid2ln, OBJ_nid2sn,
    NID_basic_constraints, NID_key_usage, NID_ext_key_usage, NID_subject_key_identifier,
    NID_authority_key_identifier, NID_name_constraints, NID_rsaEncryption, NID_X9_62_id_ecPublicKey,
    NID_ED25519, NID_ED448, NID_dsa, NID_X9_62_prime256v1, NID_X9_62_prime192v1,
)
from openssl.x509 cimport (
    X509, X509_NAME, X509_NAME_ENTRY, X509_it, X509_free, X509_up_ref, i2d_X509,
    X509_get_version, X509_get0_serialNumber, X509_get0_notBefore, X509_get0_notAfter,
    X509_get_subject_name, X509_get_issuer_name, X509_get_ext_d2i,
    X509_NAME_entry_count, X509_NAME_get_entry, X509_NAME_ENTRY_set,
    X509_NAME_ENTRY_get_object, X509_NAME_ENTRY_get_data,
    X509_PUBKEY, X509_ALGOR, X509_EXTENSION, X509_get_X509_PUBKEY, X509_PUBKEY_get0_param,
    i2d_X509_PUBKEY, X509_ALGOR_get0, X509_get0_signature, X509_get_ext_count, X509_get_ext,
    X509_EXTENSION_get_object, X509_EXTENSION_get_critical, X509_EXTENSION_get_data, X509_NAME_cmp,
    X509_get0_pubkey, X509_verify,
)
from openssl.x509v3 cimport (
    GEN_OTHERNAME, GEN_EMAIL, GEN_DNS, GEN_X400, GEN_DIRNAME, GEN_EDIPARTY, GEN_URI, GEN_IPADD,
    GEN_RID, GENERAL_NAME, GENERAL_NAMES, ACCESS_DESCRIPTION, AUTHORITY_INFO_ACCESS, DIST_POINT,
    CRL_DIST_POINTS, sk_GENERAL_NAME_num, sk_GENERAL_NAME_value, GENERAL_NAMES_free,
    sk_ACCESS_DESCRIPTION_num, sk_ACCESS_DESCRIPTION_value, AUTHORITY_INFO_ACCESS_free,
    sk_DIST_POINT_num, sk_DIST_POINT_value, CRL_DIST_POINTS_free, GENERAL_NAME_print,
    BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free, EXTENDED_KEY_USAGE_free,
    AUTHORITY_KEYID, AUTHORITY_KEYID_free, stack_st_GENERAL_SUBTREE, sk_GENERAL_SUBTREE_num,
    sk_GENERAL_SUBTREE_value, NAME_CONSTRAINTS, NAME_CONSTRAINTS_free,
)
from openssl.evp cimport (
    EVP_MD, EVP_MD_fetch, EVP_MD_free, EVP_MD_get_size, EVP_Digest, EVP_MAX_MD_SIZE, EVP_PKEY, EVP_PKEY_get_bits,
    EVP_PKEY_get_base_id, EVP_PKEY_get_security_bits, EVP_PKEY_eq,
)

from _certcore.errors cimport (
    raise_value_error, raise_ssl_error, raise_from_queue, clear_error_queue, SITE_NAME_ATTRIBUTE,
)
from _certcore.errors import SSLError
from _certcore.pem cimport der_to_pem, pem_blocks
from _certcore.spki cimport install_key, enable as _enable_fast_keys
from _certcore.asn1time cimport civil_to_seconds
from _certcore.hostname cimport match_cert_dict, register_certificate_type
from _certcore.hostname import match_hostname as _match_hostname_dict
from _certcore.names cimport (
    NameSummary, summarize_names, openssl_verdict, VERDICT_MATCH, VERDICT_UNDECIDED,
)
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH
from pyapi cimport PyUnicode_IS_ASCII


# ---------------------------------------------------------------------------------------------
# The provider-less library context used for inspection parses.

MAX_CERT_FILE_BYTES = CERT_FILE_LIMIT   # the bound of every certificate file read, for Python

cdef OSSL_LIB_CTX *_INSPECT_CTX = OSSL_LIB_CTX_new()
if _INSPECT_CTX == NULL or OSSL_PROVIDER_load(_INSPECT_CTX, b"null") == NULL:
    clear_error_queue()
    raise ImportError("certcore: cannot create OpenSSL's provider-less library context")
_enable_fast_keys(_INSPECT_CTX)

cdef enum:
    NOGIL_PARSE_BYTES = 4096     # inputs at least this large are parsed with the GIL released


cdef X509 *_parse_der(const unsigned char *data, Py_ssize_t n, OSSL_LIB_CTX *ctx) noexcept nogil:
    """d2i an X509 from exactly data[0:n]; NULL on failure (error queue left for the caller).

    ``ASN1_item_d2i_ex`` with a NULL target, like ``PEM_read_bio_X509`` does in CPython, so that
    no extension caching/validation happens at parse time (``d2i_X509(&existing)`` would)."""
    cdef const unsigned char *p = data
    return <X509 *>ASN1_item_d2i_ex(NULL, &p, <long>n, X509_it(), ctx, NULL)


cdef Py_ssize_t _der_outer_length(const unsigned char *d, Py_ssize_t n) except -2:
    """Total length of the outer DER SEQUENCE at d (header + content), or raise ValueError."""
    cdef Py_ssize_t i, nbytes, length
    if n == 0:
        raise ValueError("empty certificate data")
    if d[0] != 0x30:
        if n >= 10 and d[:10] == b"-----BEGIN":
            raise ValueError("not DER: the data is PEM text (use Certificate.from_pem or decode_cert)")
        raise ValueError(f"not a DER certificate: expected a SEQUENCE (0x30), got 0x{d[0]:02x}")
    if n < 2:
        raise ValueError("truncated DER certificate: 1 byte")
    if d[1] < 0x80:
        return 2 + d[1]
    nbytes = d[1] & 0x7F
    if nbytes == 0 or nbytes > 4:
        raise ValueError("not a DER certificate: bad outer length encoding")
    if n < 2 + nbytes:
        raise ValueError(f"truncated DER certificate: {n} bytes")
    length = 0
    for i in range(nbytes):
        length = (length << 8) | d[2 + i]
    return 2 + nbytes + length


cdef X509 *_parse_checked(bytes der, OSSL_LIB_CTX *ctx, bint release_gil=False) except NULL:
    """Parse a whole DER certificate (no more, no less) or raise ValueError naming the problem."""
    cdef const unsigned char *d = <const unsigned char *>PyBytes_AS_STRING(der)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(der)
    cdef Py_ssize_t total = _der_outer_length(d, n)
    cdef X509 *x
    if total > n:
        raise ValueError(f"truncated DER certificate: the encoding says {total} bytes, got {n}")
    if total < n:
        raise ValueError(f"trailing data after the DER certificate: {n - total} bytes after {total}")
    if release_gil or n >= NOGIL_PARSE_BYTES:
        with nogil:
            x = _parse_der(d, n, ctx)
    else:
        x = _parse_der(d, n, ctx)
    if x == NULL:
        raise_value_error("invalid DER certificate")
    clear_error_queue()   # the provider-less key decode leaves notes in the queue
    return x


cdef bytes _as_bytes(object data, str what):
    """Any bytes-like object -> bytes (without copying bytes itself); TypeError otherwise."""
    if type(data) is bytes:
        return <bytes>data
    if isinstance(data, str) or not PyObject_CheckBuffer(data):
        raise TypeError(f"{what}: a bytes-like object is required, not '{type(data).__name__}'")
    return memoryview(data).tobytes()


cdef bytes _pem_input(object data):
    """The bytes pem_blocks reads: a str as UTF-8 (what a file of that text holds), a bytes-like
    object as it is."""
    if isinstance(data, str):
        try:
            return (<str>data).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"PEM text cannot be encoded: {exc}") from None
    return _as_bytes(data, "PEM data")


# ---------------------------------------------------------------------------------------------
# Decoding to CPython's dict shapes

cdef dict _ATTR_NAMES = {}     # nid -> OpenSSL's long (else short) name, for known objects


cdef str _obj_text(const ASN1_OBJECT *obj):
    """OBJ_obj2txt(no_name=0): the long name of a known object, else the dotted OID."""
    cdef char buf[128]
    cdef char *big
    cdef int n = OBJ_obj2txt(buf, sizeof(buf), obj, 0)
    if n < 0:
        raise_ssl_error(SSLError, "unknown error")   # CPython: _setSSLError, nothing queued
    if n < <int>sizeof(buf):
        return buf[:n].decode("utf-8")
    big = <char *>malloc(n + 1)
    if big == NULL:
        raise MemoryError()
    try:
        n = OBJ_obj2txt(big, n + 1, obj, 0)
        return big[:n].decode("utf-8")
    finally:
        free(big)


cdef inline str _attr_name(const ASN1_OBJECT *obj):
    cdef int nid = OBJ_obj2nid(obj)
    cdef object name
    if nid == NID_undef:
        return _obj_text(obj)
    name = _ATTR_NAMES.get(nid)
    if name is None:
        name = _obj_text(obj)
        _ATTR_NAMES[nid] = name
    return <str>name


cdef inline bint _is_ascii(const unsigned char *p, int n) noexcept nogil:
    cdef int i
    for i in range(n):
        if p[i] >= 0x80:
            return False
    return True


cdef tuple _attribute(X509_NAME_ENTRY *entry):
    cdef ASN1_STRING *data = X509_NAME_ENTRY_get_data(entry)
    cdef int kind = ASN1_STRING_type(data)
    cdef const unsigned char *raw
    cdef unsigned char *utf8 = NULL
    cdef int n
    if kind == V_ASN1_UTF8STRING or kind == V_ASN1_PRINTABLESTRING:
        # ASCII content converts to itself: skip ASN1_STRING_to_UTF8's copy.
        raw = ASN1_STRING_get0_data(data)
        n = ASN1_STRING_length(data)
        if _is_ascii(raw, n):
            return (_attr_name(X509_NAME_ENTRY_get_object(entry)), PyUnicode_DecodeASCII(<const char *>raw, n, NULL))
    n = ASN1_STRING_to_UTF8(&utf8, data)
    if n < 0:
        raise_from_queue(SITE_NAME_ATTRIBUTE)    # CPython: _setSSLError, as 3.11.7 words it
    try:
        value = PyUnicode_DecodeUTF8(<char *>utf8, n, NULL)
    finally:
        OPENSSL_free(utf8)
    return (_attr_name(X509_NAME_ENTRY_get_object(entry)), value)


cdef tuple _name_tuple(X509_NAME *name):
    """((attr, value), ...) per RDN, multi-valued RDNs sharing one inner tuple."""
    cdef int count = X509_NAME_entry_count(name)
    cdef int i, level = -1, entry_set
    cdef X509_NAME_ENTRY *entry
    cdef list dn = []
    cdef list rdn = []
    for i in range(count):
        entry = X509_NAME_get_entry(name, i)
        entry_set = X509_NAME_ENTRY_set(entry)
        if level >= 0 and entry_set != level:
            dn.append(tuple(rdn))
            rdn = []
        level = entry_set
        rdn.append(_attribute(entry))
    if rdn:
        dn.append(tuple(rdn))
    return tuple(dn)


cdef inline str _ia5_text(ASN1_STRING *s):
    # Strict UTF-8, NULs kept: the same bytes -> str rule (and the same UnicodeDecodeError) as
    # CPython's PyUnicode_FromStringAndSize on the raw IA5String contents.
    return PyUnicode_DecodeUTF8(<const char *>ASN1_STRING_get0_data(s), ASN1_STRING_length(s), NULL)


cdef str _ip_text(ASN1_STRING *ip):
    return _ip_bytes_text(ASN1_STRING_get0_data(ip), ASN1_STRING_length(ip))


cdef str _ip_bytes_text(const unsigned char *p, int n):
    if n == 4:
        return f"{p[0]}.{p[1]}.{p[2]}.{p[3]}"
    if n == 16:
        return ":".join([f"{(p[2 * i] << 8) | p[2 * i + 1]:X}" for i in range(8)])
    return "<invalid>"


cdef bytes _bio_first_line(BIO *bio, Py_ssize_t limit):
    """What CPython's ``BIO_gets(bio, buf, limit + 1)`` would return: the first line (its newline
    included) of the BIO's contents, at most ``limit`` bytes, stopping at a NUL byte."""
    cdef char *data
    cdef long n = BIO_get_mem_data(bio, &data)
    cdef const char *nl
    cdef const char *nul
    if n <= 0:
        return b""
    if n > limit:
        n = limit
    nl = <const char *>memchr(data, b'\n', n)
    if nl != NULL:
        n = nl - data + 1
    nul = <const char *>memchr(data, 0, n)
    if nul != NULL:
        n = nul - data
    return PyBytes_FromStringAndSize(data, n)


cdef BIO *_new_mem_bio() except NULL:
    cdef BIO *bio = BIO_new(BIO_s_mem())
    if bio == NULL:
        clear_error_queue()
        raise MemoryError("failed to allocate BIO")
    return bio


cdef tuple _printed_general_name(GENERAL_NAME *gen):
    """othername / X400 / EDIParty (and unknown kinds): OpenSSL's print form split at ':'."""
    cdef bytes line
    cdef Py_ssize_t colon
    if gen.type not in (GEN_OTHERNAME, GEN_X400, GEN_EDIPARTY, GEN_RID):
        _warnings.warn(f"Unknown general name type {gen.type}", RuntimeWarning, stacklevel=2)
    cdef BIO *bio = _new_mem_bio()
    try:
        GENERAL_NAME_print(bio, gen)
        line = _bio_first_line(bio, 2047)
    finally:
        BIO_free(bio)
        clear_error_queue()
    colon = line.find(b":")
    if colon < 0:
        text = line[:200].decode("utf-8", "replace")
        raise ValueError(f"Invalid value {text}")
    return (line[:colon].decode("utf-8"), line[colon + 1:].decode("utf-8"))


cdef str _rid_text(ASN1_OBJECT *rid):
    cdef char buf[2048]
    cdef int n = OBJ_obj2txt(buf, 2047, rid, 0)
    if n < 0:
        raise_ssl_error(SSLError, "unknown error")   # CPython: _setSSLError, nothing queued
    if n >= 2048:
        return "<INVALID>"
    if n == 2047:   # CPython reads one byte past the truncated text: its terminating NUL
        return buf[:2046].decode("utf-8") + "\x00"
    return buf[:n].decode("utf-8")


cdef tuple _general_name(GENERAL_NAME *gen):
    """One GeneralName as getpeercert()'s subjectAltName gives it: (kind, value)."""
    cdef int kind = gen.type
    if kind == GEN_DNS:
        return ("DNS", _ia5_text(gen.d.ia5))
    if kind == GEN_IPADD:
        return ("IP Address", _ip_text(gen.d.ip))
    if kind == GEN_EMAIL:
        return ("email", _ia5_text(gen.d.ia5))
    if kind == GEN_URI:
        return ("URI", _ia5_text(gen.d.ia5))
    if kind == GEN_DIRNAME:
        return ("DirName", _name_tuple(gen.d.dirn))
    if kind == GEN_RID:
        return ("Registered ID", _rid_text(gen.d.rid))
    return _printed_general_name(gen)


cdef object _alt_names(X509 *x):
    """The subjectAltName tuple, or None when the certificate has no SAN extension."""
    cdef GENERAL_NAMES *names = <GENERAL_NAMES *>X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)
    cdef int i
    cdef list out
    if names == NULL:
        clear_error_queue()
        return None
    out = []
    try:
        for i in range(sk_GENERAL_NAME_num(names)):
            out.append(_general_name(sk_GENERAL_NAME_value(names, i)))
    finally:
        GENERAL_NAMES_free(names)
    return tuple(out)


cdef object _aia_uris(AUTHORITY_INFO_ACCESS *info, int method_nid):
    cdef ACCESS_DESCRIPTION *ad
    cdef int i
    cdef list out = []
    for i in range(sk_ACCESS_DESCRIPTION_num(info)):
        ad = sk_ACCESS_DESCRIPTION_value(info, i)
        if OBJ_obj2nid(ad.method) != method_nid or ad.location.type != GEN_URI:
            continue
        out.append(_ia5_text(ad.location.d.ia5))
    return tuple(out) if out else None


cdef object _crl_uris(X509 *x):
    cdef CRL_DIST_POINTS *dps = <CRL_DIST_POINTS *>X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL)
    cdef DIST_POINT *dp
    cdef GENERAL_NAMES *names
    cdef GENERAL_NAME *gen
    cdef int i, j
    cdef list out = []
    if dps == NULL:
        clear_error_queue()
        return None
    try:
        for i in range(sk_DIST_POINT_num(dps)):
            dp = sk_DIST_POINT_value(dps, i)
            # No distributionPoint (CVE-2019-5010) or a nameRelativeToCRLIssuer: no URIs.
            if dp.distpoint == NULL or dp.distpoint.type != 0:
                continue
            names = dp.distpoint.name.fullname
            for j in range(sk_GENERAL_NAME_num(names)):
                gen = sk_GENERAL_NAME_value(names, j)
                if gen.type == GEN_URI:
                    out.append(_ia5_text(gen.d.ia5))
    finally:
        CRL_DIST_POINTS_free(dps)
    return tuple(out) if out else None


cdef str _serial_text(const ASN1_INTEGER *serial):
    """i2a_ASN1_INTEGER's text as CPython reads it (one BIO_gets line)."""
    cdef const unsigned char *p = ASN1_STRING_get0_data(serial)
    cdef int n = ASN1_STRING_length(serial)
    cdef str sign = "-" if ASN1_STRING_type(serial) & V_ASN1_NEG else ""
    if n <= 0:
        return sign + "00"
    if n > 35:   # i2a_ASN1_INTEGER continues the number on a new line after 35 bytes
        return sign + p[:35].hex().upper() + "\\\n"
    return sign + p[:n].hex().upper()


cdef const char *_MONTHS[12]
_MONTHS[:] = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"]


cdef str _time_text(const ASN1_TIME *t):
    """ASN1_TIME_print's text. The common shapes (UTCTime YYMMDDHHMMSSZ, GeneralizedTime
    YYYYMMDDHHMMSSZ) are formatted here from ASN1_TIME_to_tm, which validates them exactly as
    ASN1_TIME_print does; anything else (fractions, offsets, bad values) goes through OpenSSL."""
    cdef tm parts
    cdef char buf[64]
    cdef int n, kind = ASN1_STRING_type(t), length = ASN1_STRING_length(t)
    cdef const unsigned char *data = ASN1_STRING_get0_data(t)
    if (((kind == V_ASN1_UTCTIME and length == 13) or (kind == V_ASN1_GENERALIZEDTIME and length == 15))
            and data[length - 1] == b'Z' and ASN1_TIME_to_tm(t, &parts) == 1
            and 0 <= parts.tm_mon < 12):
        n = snprintf(buf, sizeof(buf), "%s %2d %02d:%02d:%02d %d GMT", _MONTHS[parts.tm_mon],
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, parts.tm_year + 1900)
        return buf[:n].decode("ascii")
    cdef BIO *bio = _new_mem_bio()
    try:
        ASN1_TIME_print(bio, t)
        return _bio_first_line(bio, 2047).decode("utf-8")
    finally:
        BIO_free(bio)
        clear_error_queue()


cdef dict decode_x509(X509 *x):
    """The getpeercert() / _test_decode_cert dict for any X509 (CPython 3.11's shape)."""
    cdef dict d = {}
    cdef AUTHORITY_INFO_ACCESS *info
    try:
        d["subject"] = _name_tuple(X509_get_subject_name(x))
        d["issuer"] = _name_tuple(X509_get_issuer_name(x))
        d["version"] = X509_get_version(x) + 1
        d["serialNumber"] = _serial_text(X509_get0_serialNumber(x))
        d["notBefore"] = _time_text(X509_get0_notBefore(x))
        d["notAfter"] = _time_text(X509_get0_notAfter(x))
        sans = _alt_names(x)
        if sans is not None:
            d["subjectAltName"] = sans
        info = <AUTHORITY_INFO_ACCESS *>X509_get_ext_d2i(x, NID_info_access, NULL, NULL)
        if info != NULL:
            try:
                ocsp = _aia_uris(info, NID_ad_OCSP)
                if ocsp is not None:
                    d["OCSP"] = ocsp
                issuers = _aia_uris(info, NID_ad_ca_issuers)
                if issuers is not None:
                    d["caIssuers"] = issuers
            finally:
                AUTHORITY_INFO_ACCESS_free(info)
        crl = _crl_uris(x)
        if crl is not None:
            d["crlDistributionPoints"] = crl
    finally:
        clear_error_queue()
    return d


# ---------------------------------------------------------------------------------------------
# Certificate

cdef dict _DIGESTS = {}    # algorithm name -> address of a fetched EVP_MD (kept for the process)


cdef const EVP_MD *_digest(object algorithm) except NULL:
    cdef const EVP_MD *md
    cdef object cached
    if not isinstance(algorithm, str):
        raise TypeError(f"algorithm must be a str, not '{type(algorithm).__name__}'")
    cached = _DIGESTS.get(algorithm)
    if cached is not None:
        return <const EVP_MD *><size_t>cached
    name = (<str>algorithm).encode("ascii", "replace")
    if b"\0" in name:
        raise ValueError(f"unknown digest algorithm {algorithm!r}")
    md = EVP_MD_fetch(NULL, name, NULL)
    if md == NULL:
        clear_error_queue()
        raise ValueError(f"unknown digest algorithm {algorithm!r}")
    if EVP_MD_get_size(md) <= 0:
        EVP_MD_free(<EVP_MD *>md)
        raise ValueError(f"digest {algorithm!r} has no fixed output size")
    # Another thread may have cached the same name meanwhile (the encode above can let it
    # run): the first entry stays, so each name holds exactly one fetched EVP_MD forever.
    cached = _DIGESTS.setdefault(algorithm, <size_t>md)
    if <size_t>cached != <size_t>md:
        EVP_MD_free(<EVP_MD *>md)
    return <const EVP_MD *><size_t>cached


cdef long long _asn1_time_seconds(const ASN1_TIME *t) except? -1:
    cdef tm parts
    if ASN1_TIME_to_tm(t, &parts) != 1:
        clear_error_queue()
        raise ValueError("the certificate's validity time cannot be read")
    return civil_to_seconds(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                            parts.tm_hour, parts.tm_min, parts.tm_sec)


cdef str _dn_text(tuple dn):
    return ", ".join(["+".join([f"{k}={v}" for k, v in rdn]) for rdn in dn])


# ---------------------------------------------------------------------------------------------
# Inspection: what users of a chain verifier read (key, signature algorithm, extensions)

BasicConstraints = _namedtuple("BasicConstraints", ["ca", "path_length"])
BasicConstraints.__module__ = __name__   # pickles by the module that defines it
AuthorityKeyIdentifier = _namedtuple("AuthorityKeyIdentifier", ["key_identifier", "issuer", "serial"])
AuthorityKeyIdentifier.__module__ = __name__   # pickles by the module that defines it
NameConstraints = _namedtuple("NameConstraints", ["permitted", "excluded"])
NameConstraints.__module__ = __name__   # pickles by the module that defines it
CertificateExtension = _namedtuple("CertificateExtension", ["oid", "critical", "value"])
CertificateExtension.__module__ = __name__   # pickles by the module that defines it

# keyUsage bits 0..8 (RFC 5280 4.2.1.3) by cryptography's attribute names.
cdef tuple _KEY_USAGE_NAMES = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)


cdef str _dotted(const ASN1_OBJECT *obj):
    """The dotted OID text of obj (OBJ_obj2txt with no_name=1)."""
    cdef char buf[128]
    cdef char *big
    cdef int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1)
    if n < 0:
        clear_error_queue()
        raise ValueError("the certificate holds an object identifier that cannot be printed")
    if n < <int>sizeof(buf):
        return buf[:n].decode("ascii")
    big = <char *>malloc(n + 1)
    if big == NULL:
        raise MemoryError()
    try:
        n = OBJ_obj2txt(big, n + 1, obj, 1)
        return big[:n].decode("ascii")
    finally:
        free(big)


cdef object _asn1_int(const ASN1_STRING *value):
    """An ASN1_INTEGER as a Python int of any size (sign from the string type)."""
    cdef const unsigned char *p = ASN1_STRING_get0_data(value)
    cdef int n = ASN1_STRING_length(value)
    result = int.from_bytes(p[:n], "big") if n > 0 else 0
    return -result if ASN1_STRING_type(value) & V_ASN1_NEG else result


cdef bytes _octets(const ASN1_STRING *value):
    return PyBytes_FromStringAndSize(<const char *>ASN1_STRING_get0_data(value), ASN1_STRING_length(value))


cdef void *_ext_d2i(X509 *x, int nid, str what) except? NULL:
    """The decoded extension, or NULL (queue cleared) when the certificate does not carry it;
    ValueError when it is there but malformed or repeated (RFC 5280 4.2: at most once)."""
    cdef int crit = -1
    cdef void *ext = X509_get_ext_d2i(x, nid, &crit, NULL)
    if ext != NULL:
        return ext
    clear_error_queue()
    if crit == -1:
        return NULL
    if crit == -2:
        raise ValueError(f"the certificate carries the {what} extension more than once")
    raise ValueError(f"the certificate's {what} extension cannot be decoded")


cdef X509_ALGOR *_spki_algorithm(X509 *x, ASN1_OBJECT **alg) except NULL:
    cdef X509_ALGOR *algor = NULL
    cdef X509_PUBKEY *pub = X509_get_X509_PUBKEY(x)
    if pub == NULL or not X509_PUBKEY_get0_param(alg, NULL, NULL, &algor, pub) or algor == NULL:
        clear_error_queue()
        raise ValueError("the certificate's public key information cannot be read")
    return algor


cdef str _curve_name(int nid):
    """The SEC name of a named curve (cryptography's names): OpenSSL calls two of them by their
    X9.62 names."""
    if nid == NID_X9_62_prime256v1:
        return "secp256r1"
    if nid == NID_X9_62_prime192v1:
        return "secp192r1"
    cdef const char *sn = OBJ_nid2sn(nid)
    return None if sn == NULL else sn.decode("ascii")


cdef int _first_integer_bits(const unsigned char *p, long n) noexcept nogil:
    """Bits of the first (non-negative) INTEGER in the DER SEQUENCE at p[0:n] -- an RSA key's
    modulus, DSA parameters' p -- or -1 when the DER is not that shape."""
    cdef long length = 0
    cdef int tag = 0, cls = 0, ret, bits
    cdef const unsigned char *end = p + n
    ret = ASN1_get_object(&p, &length, &tag, &cls, n)
    if ret & 0x80 or ret != 0x20 or tag != V_ASN1_SEQUENCE or cls != 0:
        return -1
    ret = ASN1_get_object(&p, &length, &tag, &cls, <long>(end - p))
    if ret != 0 or tag != V_ASN1_INTEGER or cls != 0 or length <= 0 or p[0] & 0x80:
        return -1
    while length > 0 and p[0] == 0:
        p += 1
        length -= 1
    if length == 0 or length > 0xFFFFFF:
        return -1 if length else 0
    bits = <int>length * 8
    ret = p[0]
    while not ret & 0x80:
        ret <<= 1
        bits -= 1
    return bits


cdef int _undecoded_key_bits(X509 *x) except -2:
    """The key size read from the SubjectPublicKeyInfo alone (RSA, EC, DSA, EdDSA), without
    OpenSSL 3's provider key decode (which costs ten times the whole inspection parse); -1 when
    the key is of another kind or shape (the caller then decodes it)."""
    cdef ASN1_OBJECT *alg = NULL
    cdef const unsigned char *pk = NULL
    cdef int pklen = 0, ptype = 0, nid
    cdef const void *param = NULL
    cdef X509_ALGOR *algor = NULL
    cdef X509_PUBKEY *pub = X509_get_X509_PUBKEY(x)
    if pub == NULL or not X509_PUBKEY_get0_param(&alg, &pk, &pklen, &algor, pub) or algor == NULL:
        clear_error_queue()
        raise ValueError("the certificate's public key information cannot be read")
    nid = OBJ_obj2nid(alg)
    if nid == NID_ED25519:
        return 256      # EVP_PKEY_get_bits says 253 (the field size); RFC 8032 keys are 256 bits
    if nid == NID_ED448:
        return 456
    if nid == NID_rsaEncryption:
        return _first_integer_bits(pk, pklen) if pk != NULL else -1
    X509_ALGOR_get0(NULL, &ptype, &param, algor)
    if nid == NID_dsa and ptype == V_ASN1_SEQUENCE and param != NULL:
        return _first_integer_bits(ASN1_STRING_get0_data(<const ASN1_STRING *>param),
                                   ASN1_STRING_length(<const ASN1_STRING *>param))
    if nid == NID_X9_62_id_ecPublicKey and ptype == V_ASN1_OBJECT and param != NULL:
        return _curve_bits(OBJ_obj2nid(<const ASN1_OBJECT *>param))
    return -1


cdef dict _CURVE_BITS = {}     # curve nid -> its degree: building an EC_GROUP costs ~25 us


cdef int _curve_bits(int nid) except -2:
    cdef EC_GROUP *group
    cdef int bits
    cached = _CURVE_BITS.get(nid)
    if cached is not None:
        return cached
    if nid == NID_undef:
        return -1
    group = EC_GROUP_new_by_curve_name(nid)
    if group == NULL:
        clear_error_queue()
        return -1
    bits = EC_GROUP_get_degree(group)
    EC_GROUP_free(group)
    if bits <= 0:
        clear_error_queue()
        return -1
    _CURVE_BITS[nid] = bits
    return bits


cdef tuple _subtrees(stack_st_GENERAL_SUBTREE *trees):
    """NameConstraints subtrees as getpeercert()-style (kind, value) pairs; iPAddress bases
    (address then mask) as "address/mask" text."""
    cdef list out = []
    cdef GENERAL_NAME *base
    cdef const unsigned char *p
    cdef int i, n
    if trees == NULL:
        return ()
    for i in range(sk_GENERAL_SUBTREE_num(trees)):
        base = sk_GENERAL_SUBTREE_value(trees, i).base
        if base.type == GEN_IPADD:
            p = ASN1_STRING_get0_data(base.d.ip)
            n = ASN1_STRING_length(base.d.ip)
            if n == 8 or n == 32:
                out.append(("IP Address", _ip_bytes_text(p, n // 2) + "/" + _ip_bytes_text(p + n // 2, n // 2)))
            else:
                out.append(("IP Address", "<invalid>"))
        else:
            out.append(_general_name(base))
    return tuple(out)


cdef bytes _spki_der(X509 *x):
    cdef unsigned char *buf = NULL
    cdef X509_PUBKEY *pub = X509_get_X509_PUBKEY(x)
    cdef int n = -1 if pub == NULL else i2d_X509_PUBKEY(pub, &buf)
    if n < 0:
        clear_error_queue()
        raise ValueError("the certificate's public key information cannot be encoded")
    try:
        return PyBytes_FromStringAndSize(<char *>buf, n)
    finally:
        OPENSSL_free(buf)


# ---------------------------------------------------------------------------------------------
# The checked accessors. A Certificate can exist without its contents: Certificate.__new__,
# a subclass whose __init__ skips the base's, or a failed construction leave _x509 NULL and
# _der None. Every read of either goes through these, so such an object raises ValueError
# instead of handing NULL to OpenSSL or None to the bytes macros. _der is always assigned
# right after _x509 (no Python code can run in between), so one NULL test covers both.

cdef str _NOT_INITIALIZED = "Certificate object is not initialized"


cdef inline X509 *_x509_of(Certificate cert) except NULL:
    if cert._x509 == NULL:
        raise ValueError(_NOT_INITIALIZED)
    return cert._x509


cdef inline bytes _der_of(Certificate cert):
    _x509_of(cert)
    return cert._der


cdef X509 *parse_full_der(const unsigned char *data, Py_ssize_t n) noexcept nogil:
    """The normal parse of a certificate's DER (default library context: the public key is
    decoded), for verification when install_key declined; NULL on failure. Callable without
    the GIL, because on OpenSSL 3.0 the provider key decode costs more than a signature check
    and a thread that verifies must not hold the GIL through it. The error queue is left clean."""
    cdef X509 *x = _parse_der(data, n, NULL)
    clear_error_queue()
    return x


cdef X509 *verification_x509(X509 *inspected, const unsigned char *der, Py_ssize_t n) noexcept nogil:
    """A new reference to an X509 of der with its public key, for verification; NULL on failure.
    For RSA and the NIST curves that is the inspection parse itself, once spki.install_key has
    given it its key (a few microseconds, against a second parse plus OpenSSL 3.0's decode);
    for other keys a normal parse (parse_full_der). Callable without the GIL from any number
    of threads at once: install_key publishes the key atomically."""
    if inspected != NULL and install_key(inspected) and X509_up_ref(inspected) == 1:
        return inspected
    return parse_full_der(der, n)


cdef void adopt_full(Certificate cert, X509 *x) noexcept:
    """Give cert the fully-parsed X509 x (its reference moves to cert), or free x when another
    thread published one first. Runs with the GIL and calls no Python code between the test and
    the store, so the publication is atomic."""
    if cert._full == NULL:
        cert._full = x
    else:
        X509_free(x)


cdef class Certificate:
    """An X.509 certificate (immutable; equal and hashed by its DER encoding).

    ``Certificate(der)`` / ``Certificate.from_der(der)`` take any bytes-like DER;
    ``Certificate.from_pem(text)`` the first CERTIFICATE block of a PEM text (str or bytes);
    ``Certificate.from_file(path)`` a PEM or DER file. Bad input raises ValueError.

    An instance whose ``__init__`` never ran (``Certificate.__new__``, a subclass ``__init__``
    that does not call the base's) holds no certificate: every method and property raises
    ``ValueError("Certificate object is not initialized")``, ``hash()`` and pickling included.
    Comparisons do not raise: such an instance equals only itself.
    """

    def __init__(self, data):
        if self._x509 != NULL:
            raise TypeError("Certificate objects are immutable")
        cdef bytes der = _as_bytes(data, "Certificate()")
        cdef X509 *x = _parse_checked(der, _INSPECT_CTX)
        if self._x509 != NULL:
            # Another thread initialized this object while the parse ran without the GIL.
            X509_free(x)
            raise TypeError("Certificate objects are immutable")
        self._x509 = x
        self._der = der

    def __dealloc__(self):
        if self._x509 != NULL:
            X509_free(self._x509)
            self._x509 = NULL
        if self._full != NULL:
            X509_free(self._full)
            self._full = NULL

    cdef X509* full_x509(self) except NULL:
        """The X509 verification uses (its public key made), made once: see verification_x509."""
        cdef X509 *x
        cdef bytes der
        if self._full == NULL:
            der = _der_of(self)
            x = verification_x509(self._x509, <const unsigned char *>PyBytes_AS_STRING(der),
                                  PyBytes_GET_SIZE(der))
            if x == NULL:
                raise ValueError("invalid DER certificate")
            adopt_full(self, x)
        return self._full

    @classmethod
    def from_der(cls, data):
        """A certificate from DER (any bytes-like object)."""
        return _new_from_der(cls, _as_bytes(data, "from_der()"))

    @classmethod
    def from_pem(cls, data):
        """A certificate from the first CERTIFICATE block of a PEM text (str or bytes-like)."""
        return _new_from_der(cls, pem_blocks(_pem_input(data), True)[0])

    @classmethod
    def from_file(cls, path):
        """A certificate from a PEM or DER file (path: str, bytes or os.PathLike) of at most
        MAX_CERT_FILE_BYTES (64 MiB): a larger one, or a device or pipe that delivers more, is a ValueError."""
        return _new_from_der(cls, _der_from_any(_read_file(path)))

    @property
    def der(self):
        """The DER encoding (bytes)."""
        return _der_of(self)

    @property
    def pem(self):
        """The PEM text, byte-identical to ``ssl.DER_cert_to_PEM_cert(self.der)``."""
        cdef bytes der = _der_of(self)
        return der_to_pem(<const unsigned char *>PyBytes_AS_STRING(der), PyBytes_GET_SIZE(der))

    def fingerprint(self, algorithm="sha256"):
        """The digest of the DER encoding (bytes) with an OpenSSL digest name ('sha256', 'sha1', ...)."""
        cdef bytes der = _der_of(self)
        cdef const EVP_MD *md = _digest(algorithm)
        cdef unsigned char out[EVP_MAX_MD_SIZE]
        cdef unsigned int size = 0
        if not EVP_Digest(PyBytes_AS_STRING(der), <size_t>PyBytes_GET_SIZE(der), out, &size, md, NULL):
            raise_value_error(f"cannot compute the {algorithm} digest")
        return PyBytes_FromStringAndSize(<char *>out, size)

    @property
    def not_before(self):
        """Start of validity, seconds since the epoch (== cert_time_to_seconds(notBefore))."""
        return _asn1_time_seconds(X509_get0_notBefore(_x509_of(self)))

    @property
    def not_after(self):
        """End of validity, seconds since the epoch (== cert_time_to_seconds(notAfter))."""
        return _asn1_time_seconds(X509_get0_notAfter(_x509_of(self)))

    @property
    def subject(self):
        """The subject as getpeercert() gives it: a tuple of RDN tuples of (name, value)."""
        if self._dict is not None:
            return self._dict["subject"]
        return _name_tuple(X509_get_subject_name(_x509_of(self)))

    @property
    def issuer(self):
        """The issuer, shaped like ``subject``."""
        if self._dict is not None:
            return self._dict["issuer"]
        return _name_tuple(X509_get_issuer_name(_x509_of(self)))

    @property
    def serial_number(self):
        """The serial number as an int."""
        cdef const ASN1_INTEGER *serial = X509_get0_serialNumber(_x509_of(self))
        cdef const unsigned char *p = ASN1_STRING_get0_data(serial)
        cdef int n = ASN1_STRING_length(serial)
        value = int.from_bytes(p[:n], "big") if n > 0 else 0
        return -value if ASN1_STRING_type(serial) & V_ASN1_NEG else value

    @property
    def version(self):
        """The version as getpeercert() reports it (3 for an X.509 v3 certificate)."""
        return X509_get_version(_x509_of(self)) + 1

    @property
    def subject_alt_names(self):
        """The subjectAltName entries as getpeercert() gives them; () without the extension."""
        if self._dict is not None:
            return self._dict.get("subjectAltName", ())
        sans = _alt_names(_x509_of(self))
        return () if sans is None else sans

    # --- inspection (what chain-verifier users read) ---------------------------------------

    @property
    def public_key_algorithm(self):
        """"rsa", "ec", "ed25519", "ed448", "dsa", or the dotted OID of another key algorithm."""
        cdef ASN1_OBJECT *alg = NULL
        _spki_algorithm(_x509_of(self), &alg)
        cdef int nid = OBJ_obj2nid(alg)
        if nid == NID_rsaEncryption:
            return "rsa"
        if nid == NID_X9_62_id_ecPublicKey:
            return "ec"
        if nid == NID_ED25519:
            return "ed25519"
        if nid == NID_ED448:
            return "ed448"
        if nid == NID_dsa:
            return "dsa"
        return _dotted(alg)

    @property
    def public_key_curve(self):
        """The named curve of an EC key by its SEC name ("secp256r1", ...); None for other keys.
        Read from the algorithm parameters: the key itself is not decoded."""
        cdef ASN1_OBJECT *alg = NULL
        cdef const ASN1_OBJECT *curve = NULL
        cdef const void *param = NULL
        cdef int ptype = 0
        cdef X509_ALGOR *algor = _spki_algorithm(_x509_of(self), &alg)
        if OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey:
            return None
        X509_ALGOR_get0(NULL, &ptype, &param, algor)
        if ptype != V_ASN1_OBJECT or param == NULL:
            raise ValueError("the EC key does not name its curve (explicit parameters are not supported)")
        curve = <const ASN1_OBJECT *>param
        nid = OBJ_obj2nid(curve)
        name = None if nid == NID_undef else _curve_name(nid)
        return _dotted(curve) if name is None else name

    @property
    def public_key_size(self):
        """The key size in bits: RSA modulus, EC curve, DSA p; 256 for Ed25519, 456 for Ed448."""
        cdef EVP_PKEY *key
        cdef int bits = _undecoded_key_bits(_x509_of(self))
        if bits >= 0:
            return bits
        key = X509_get0_pubkey(self.full_x509())
        if key == NULL:
            clear_error_queue()
            raise ValueError("the certificate's public key cannot be decoded")
        bits = EVP_PKEY_get_bits(key)
        if bits <= 0:
            clear_error_queue()
            raise ValueError("the certificate's public key has no size")
        return bits

    @property
    def spki_der(self):
        """The SubjectPublicKeyInfo, DER-encoded (bytes)."""
        return _spki_der(_x509_of(self))

    cdef const unsigned char *sha256s(self) except NULL:
        """SHA-256 of the DER, then of the DER SubjectPublicKeyInfo (64 bytes), computed once:
        the pin-sha256 digest, and the two halves of the Verifier's signature-cache keys for a
        certificate passed in again and again (an intermediate)."""
        cdef bytes spki
        cdef const EVP_MD *md
        cdef unsigned int size = 0, size2 = 0
        if not self._sha256s_known:
            spki = _spki_der(_x509_of(self))
            md = _digest("sha256")
            if (not EVP_Digest(PyBytes_AS_STRING(self._der), <size_t>PyBytes_GET_SIZE(self._der), self._sha256s,
                               &size, md, NULL)
                    or not EVP_Digest(PyBytes_AS_STRING(spki), <size_t>PyBytes_GET_SIZE(spki), self._sha256s + 32,
                                      &size2, md, NULL)
                    or size != 32 or size2 != 32):
                raise_value_error("cannot compute the sha256 digest")
            self._sha256s_known = True
        return self._sha256s

    @property
    def spki_sha256(self):
        """SHA-256 of the DER SubjectPublicKeyInfo (32 bytes): the HPKP / pin-sha256 digest."""
        return PyBytes_FromStringAndSize(<const char *>self.sha256s() + 32, 32)

    @property
    def spki_pin(self):
        """The base64 text of spki_sha256 (the ``pin-sha256`` form)."""
        return _base64.b64encode(self.spki_sha256).decode("ascii")

    @property
    def signature_algorithm(self):
        """OpenSSL's long name of the signature algorithm ("sha256WithRSAEncryption", ...), else the dotted OID."""
        cdef const X509_ALGOR *palg = NULL
        cdef const ASN1_OBJECT *obj = NULL
        cdef const char *ln
        X509_get0_signature(NULL, &palg, _x509_of(self))
        X509_ALGOR_get0(&obj, NULL, NULL, palg)
        cdef int nid = OBJ_obj2nid(obj)
        if nid == NID_undef:
            return _dotted(obj)
        ln = OBJ_nid2ln(nid)
        return _dotted(obj) if ln == NULL else ln.decode("ascii")

    @property
    def signature_algorithm_oid(self):
        """The dotted OID of the signature algorithm."""
        cdef const X509_ALGOR *palg = NULL
        cdef const ASN1_OBJECT *obj = NULL
        X509_get0_signature(NULL, &palg, _x509_of(self))
        X509_ALGOR_get0(&obj, NULL, NULL, palg)
        return _dotted(obj)

    @property
    def serial(self):
        """The serial number as an int, as encoded (zero and negative ones included, any size)."""
        return _asn1_int(X509_get0_serialNumber(_x509_of(self)))

    @property
    def basic_constraints(self):
        """BasicConstraints(ca, path_length) or None without the extension."""
        cdef BASIC_CONSTRAINTS *bc = <BASIC_CONSTRAINTS *>_ext_d2i(_x509_of(self), NID_basic_constraints,
                                                                   "basicConstraints")
        if bc == NULL:
            return None
        try:
            return BasicConstraints(bool(bc.ca), None if bc.pathlen == NULL else _asn1_int(bc.pathlen))
        finally:
            BASIC_CONSTRAINTS_free(bc)

    @property
    def key_usage(self):
        """The keyUsage bits set, as a frozenset of cryptography's names; None without the extension."""
        cdef ASN1_BIT_STRING *bits = <ASN1_BIT_STRING *>_ext_d2i(_x509_of(self), NID_key_usage, "keyUsage")
        cdef int i
        if bits == NULL:
            return None
        try:
            return frozenset([_KEY_USAGE_NAMES[i] for i in range(9) if ASN1_BIT_STRING_get_bit(bits, i)])
        finally:
            ASN1_BIT_STRING_free(bits)

    @property
    def extended_key_usage(self):
        """The extendedKeyUsage purposes as dotted OIDs (certificate order); None without the extension."""
        cdef stack_st_ASN1_OBJECT *objs = <stack_st_ASN1_OBJECT *>_ext_d2i(
            _x509_of(self), NID_ext_key_usage, "extendedKeyUsage")
        cdef int i
        if objs == NULL:
            return None
        try:
            return tuple([_dotted(sk_ASN1_OBJECT_value(objs, i)) for i in range(sk_ASN1_OBJECT_num(objs))])
        finally:
            EXTENDED_KEY_USAGE_free(objs)

    @property
    def subject_key_identifier(self):
        """The subjectKeyIdentifier bytes; None without the extension."""
        cdef ASN1_OCTET_STRING *ski = <ASN1_OCTET_STRING *>_ext_d2i(_x509_of(self), NID_subject_key_identifier,
                                                                    "subjectKeyIdentifier")
        if ski == NULL:
            return None
        try:
            return _octets(ski)
        finally:
            ASN1_OCTET_STRING_free(ski)

    @property
    def authority_key_identifier(self):
        """AuthorityKeyIdentifier(key_identifier, issuer, serial) (each None when absent; issuer
        as getpeercert()-style (kind, value) pairs); None without the extension."""
        cdef AUTHORITY_KEYID *aki = <AUTHORITY_KEYID *>_ext_d2i(
            _x509_of(self), NID_authority_key_identifier, "authorityKeyIdentifier")
        cdef int i
        if aki == NULL:
            return None
        try:
            issuer = None
            if aki.issuer != NULL:
                issuer = tuple([_general_name(sk_GENERAL_NAME_value(aki.issuer, i))
                                for i in range(sk_GENERAL_NAME_num(aki.issuer))])
            return AuthorityKeyIdentifier(None if aki.keyid == NULL else _octets(aki.keyid), issuer,
                                          None if aki.serial == NULL else _asn1_int(aki.serial))
        finally:
            AUTHORITY_KEYID_free(aki)

    @property
    def name_constraints(self):
        """NameConstraints(permitted, excluded), each a tuple of (kind, value) pairs; None without
        the extension."""
        cdef NAME_CONSTRAINTS *nc = <NAME_CONSTRAINTS *>_ext_d2i(
            _x509_of(self), NID_name_constraints, "nameConstraints")
        if nc == NULL:
            return None
        try:
            return NameConstraints(_subtrees(nc.permittedSubtrees), _subtrees(nc.excludedSubtrees))
        finally:
            NAME_CONSTRAINTS_free(nc)

    @property
    def extensions(self):
        """Every extension in certificate order: CertificateExtension(oid, critical, value), value
        being the extnValue contents (the extension's DER)."""
        cdef X509 *x = _x509_of(self)
        cdef X509_EXTENSION *ext
        cdef int i
        cdef list out = []
        for i in range(X509_get_ext_count(x)):
            ext = X509_get_ext(x, i)
            out.append(CertificateExtension(_dotted(X509_EXTENSION_get_object(ext)),
                                            X509_EXTENSION_get_critical(ext) > 0,
                                            _octets(X509_EXTENSION_get_data(ext))))
        return tuple(out)

    @property
    def is_self_issued(self):
        """True when the subject and issuer names are equal (OpenSSL's X509_NAME_cmp)."""
        cdef X509 *x = _x509_of(self)
        cdef int rc = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x))
        if rc == -2:
            raise_value_error("the certificate's names cannot be compared")
        return rc == 0

    def is_signed_by(self, issuer):
        """True when this certificate's signature verifies with *issuer*'s public key (a
        Certificate); False for any other key or an undecodable one."""
        cdef X509 *x
        cdef EVP_PKEY *key
        cdef int rc
        if not isinstance(issuer, Certificate):
            raise TypeError(f"is_signed_by() needs a Certificate, not '{type(issuer).__name__}'")
        x = self.full_x509()
        key = X509_get0_pubkey((<Certificate>issuer).full_x509())
        if key == NULL:
            clear_error_queue()
            return False
        with nogil:
            rc = X509_verify(x, key)
        clear_error_queue()
        return rc == 1

    cdef dict _decoded(self):
        if self._dict is None:
            self._dict = decode_x509(_x509_of(self))
        return <dict>self._dict

    def to_dict(self):
        """Exactly CPython 3.11's getpeercert() / _ssl._test_decode_cert dict (a new dict)."""
        return self._decoded().copy()

    cdef const NameSummary* names(self) except NULL:
        # Threads may ask for the same certificate's summary at once, and the summary is built
        # with the GIL released: it goes into a local first and is published, complete, under
        # the GIL. A thread that sees _names_known therefore never reads a half-written summary
        # (one with ip_sans still 0 would let X509_check_host fall back to the commonName).
        cdef NameSummary local
        cdef int rc
        cdef X509 *x
        if not self._names_known:
            x = _x509_of(self)
            with nogil:
                rc = summarize_names(x, &local)
            if rc != 0:
                raise_value_error("cannot decode the certificate's names")
            if not self._names_known:
                self._names = local
                self._names_known = True
        return &self._names

    def match_hostname(self, hostname, *, strict=False):
        """Check that the certificate is valid for *hostname* (a DNS name or an IP address).

        The verdicts, exceptions and messages are those of ``certcore.match_hostname(
        self.to_dict(), hostname)`` (CPython 3.11's rules), computed by OpenSSL's
        ``X509_check_host`` / ``X509_check_ip`` with the GIL released wherever the two provably
        agree, and by the exact rules otherwise. Returns None; raises ``ssl.CertificateError``
        on a mismatch. *strict*: never fall back to the subject's commonName (RFC 6125
        6.4.4 made mandatory), even when the certificate has no subjectAltName.
        """
        cdef int verdict = _verdict_for(self, hostname, strict)
        if verdict == VERDICT_MATCH:
            return None
        _exact_match(self, hostname, strict)   # raises the exact error (or, off-domain, decides)

    def __eq__(self, other):
        if not isinstance(other, Certificate):
            return NotImplemented
        return _same_der(self, <Certificate>other)

    def __ne__(self, other):
        if not isinstance(other, Certificate):
            return NotImplemented
        return not _same_der(self, <Certificate>other)

    def __hash__(self):
        if self._hash is None:
            self._hash = hash(_der_of(self))
        return self._hash

    def __reduce__(self):
        return (_from_der_pickled, (_der_of(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        if self._x509 == NULL:
            return f"<{type(self).__name__} (not initialized)>"
        try:
            subject = _dn_text(self.subject)
        except Exception:
            subject = "?"
        return f"<{type(self).__name__} subject={subject!r} serial=0x{self.serial_number:x}>"


cdef bint _same_der(Certificate a, Certificate b):
    # _der is None (a valid object to compare) in an uninitialized instance: it equals only itself.
    return a is b or (a._der is not None and a._der == b._der)


cdef Certificate _new_from_der(type cls, bytes der, bint release_gil=False):
    # Checked cast: a subclass __new__ may return anything, and from_der & co. are classmethods
    # that can be called with any class.
    cdef Certificate cert = <Certificate?>cls.__new__(cls)
    cert._x509 = _parse_checked(der, _INSPECT_CTX, release_gil)
    cert._der = der
    return cert


def _from_der_pickled(der):
    """Unpickling helper."""
    return _new_from_der(Certificate, _as_bytes(der, "Certificate"))


cdef Certificate certificate_from_x509(X509 *x):
    """Wrap an X509 owned elsewhere: takes its own references (X509_up_ref)."""
    cdef Certificate cert
    cdef unsigned char *buf = NULL
    cdef int n
    if x == NULL:
        raise ValueError("no certificate")
    n = i2d_X509(x, &buf)
    if n < 0:
        raise_value_error("cannot encode the certificate as DER")
    try:
        der = PyBytes_FromStringAndSize(<char *>buf, n)
    finally:
        OPENSSL_free(buf)
    cert = <Certificate>Certificate.__new__(Certificate)
    if not X509_up_ref(x):
        raise_value_error("X509_up_ref failed")
    cert._x509 = x
    cert._der = der
    if not X509_up_ref(x):
        raise_value_error("X509_up_ref failed")
    cert._full = x      # a normally-parsed X509 already: it serves verification too
    return cert


# ---------------------------------------------------------------------------------------------
# Module functions

cdef enum:
    READ_CHUNK = 64 * 1024      # the first read buffer: a certificate file usually fits in it


cdef bytes _read_file(object path):
    """The whole file (PEM or DER); OSError like open()'s, ValueError past MAX_CERT_FILE_BYTES."""
    cdef bytes fs
    cdef const char *cpath
    cdef int fd = -1, err = 0
    try:
        fspath = _os.fspath(path)
    except TypeError:
        raise TypeError(f"expected str, bytes or os.PathLike object, not {type(path).__name__}") from None
    fs = _os.fsencode(fspath)
    if b"\0" in fs:
        raise ValueError("embedded null byte")
    cpath = fs
    while fd < 0:
        with nogil:
            fd = c_open(cpath, O_RDONLY | O_CLOEXEC)
            err = errno
        if fd < 0:
            if err != EINTR:
                raise OSError(err, _os.strerror(err), fspath)
            PyErr_CheckSignals()
    try:
        return _read_fd(fd, fspath)
    finally:
        with nogil:
            c_close(fd)


cdef bytes _read_fd(int fd, object name):
    """What fd delivers up to EOF (name: for the errors), at most MAX_CERT_FILE_BYTES.

    Regular files, pipes, devices and /proc files alike are read to EOF, one byte past the
    limit at most: a file's size is only a hint, since it can grow while it is read and
    /proc files report none. The system calls run without the GIL; an interrupted one checks
    for signals and resumes, as Python's own I/O does (PEP 475), so Ctrl-C stops a wait on a
    FIFO that gets no data.
    """
    cdef int err = 0
    cdef struct_stat st
    cdef size_t cap = READ_CHUNK, got = 0
    cdef Py_ssize_t r
    cdef char *buf = NULL
    cdef char *grown
    try:
        if fstat(fd, &st) != 0:
            err = errno
            raise OSError(err, _os.strerror(err), name)
        if S_ISDIR(st.st_mode):
            raise OSError(EISDIR, _os.strerror(EISDIR), name)
        if S_ISREG(st.st_mode):
            if st.st_size > CERT_FILE_LIMIT:
                _too_big(name)
            if <size_t>st.st_size >= cap:
                cap = <size_t>st.st_size + 1    # + 1: room to see EOF without growing
        buf = <char *>malloc(cap)
        if buf == NULL:
            raise MemoryError()
        while True:
            if got == cap:
                if cap > CERT_FILE_LIMIT:
                    _too_big(name)
                cap = min(cap * 2, <size_t>CERT_FILE_LIMIT + 1)
                grown = <char *>realloc(buf, cap)
                if grown == NULL:
                    raise MemoryError()
                buf = grown
            with nogil:
                r = c_read(fd, buf + got, cap - got)
                err = errno
            if r > 0:
                got += r
            elif r == 0:
                return PyBytes_FromStringAndSize(buf, got)
            elif err == EINTR:
                PyErr_CheckSignals()
            else:
                raise OSError(err, _os.strerror(err), name)
    finally:
        free(buf)


cdef int _too_big(object name) except -1:
    what = f"file descriptor {name}" if isinstance(name, int) else repr(name)
    raise ValueError(f"{what} is larger than {CERT_FILE_LIMIT >> 20} MiB ({CERT_FILE_LIMIT} bytes), "
                     "the limit for a certificate file")


def read_cert_file(file):
    """The bytes of a certificate file, at most MAX_CERT_FILE_BYTES (64 MiB): a larger file, or a
    device or pipe that delivers more, is a ValueError; OSError like open()'s.

    *file* is a path (str, bytes, os.PathLike) or, as open() takes it, a file descriptor (int),
    read from where it stands to EOF and left open.
    """
    if isinstance(file, int) and not isinstance(file, bool):
        return _read_fd(file, file)
    return _read_file(file)


cdef list _ders_from_any(object data, bint first_only):
    """The DER certificates of data: DER (bytes-like starting with a SEQUENCE) is one, PEM (str
    or bytes-like) has a CERTIFICATE block each (the first only if first_only)."""
    cdef bytes raw
    if isinstance(data, str):
        return pem_blocks(_pem_input(data), first_only)
    raw = _as_bytes(data, "certificate data")
    if PyBytes_GET_SIZE(raw) == 0:
        raise ValueError("empty certificate data")
    if (<const unsigned char *>PyBytes_AS_STRING(raw))[0] == 0x30:
        return [raw]
    return pem_blocks(raw, first_only)


cdef bytes _der_from_any(object data):
    return _ders_from_any(data, True)[0]


cdef list _certificates(list ders):
    cdef list out = []
    cdef Py_ssize_t i
    for i, der in enumerate(ders):
        try:
            # A bundle is a batch: each parse lets other threads run.
            out.append(_new_from_der(Certificate, der, True))
        except ValueError as exc:
            raise ValueError(f"certificate #{i + 1} of the bundle: {exc}") from None
    return out


def decode_cert(data):
    """DER (bytes-like) or PEM (str or bytes) -> exactly CPython 3.11's getpeercert() dict."""
    cdef bytes der = _der_from_any(data)
    cdef X509 *x = _parse_checked(der, _INSPECT_CTX)
    try:
        return decode_x509(x)
    finally:
        X509_free(x)


def load_certificates(data):
    """Every CERTIFICATE block of a PEM bundle (str or bytes-like) as a list of Certificate.

    Text outside the blocks and blocks of other types are ignored, as OpenSSL's PEM reader
    does; a bundle without any certificate, or a certificate block that does not decode,
    raises ValueError.
    """
    return _certificates(pem_blocks(_pem_input(data), False))


def load_pem_or_der(data):
    """The certificates of a PEM bundle (as load_certificates) or of one DER certificate
    (bytes-like starting with a SEQUENCE), as a list of Certificate; ValueError otherwise."""
    return _certificates(_ders_from_any(data, False))


def _decode_full(data):
    """Test hook: decode after a normal parse in the default library context (public key
    decoded, as CPython and the TLS layer parse), to prove it equals the provider-less parse."""
    cdef bytes der = _as_bytes(data, "_decode_full()")
    cdef X509 *x = _parse_checked(der, NULL)
    try:
        return decode_x509(x)
    finally:
        X509_free(x)


def _full_matches(Certificate cert):
    """Test hook: certificate_from_x509(cert.full_x509()) round-trips to an equal Certificate."""
    cdef Certificate other = certificate_from_x509(cert.full_x509())
    return other == cert and other.to_dict() == cert.to_dict()


cdef tuple _key_facts(EVP_PKEY *key):
    return None if key == NULL else (EVP_PKEY_get_base_id(key), EVP_PKEY_get_bits(key),
                                     EVP_PKEY_get_security_bits(key))


def _verification_key(Certificate cert):
    """Test hook: (in_place, facts, decoder_facts, equal) for cert's verification key against
    the key of a normal parse (OpenSSL's decoder): in_place is whether full_x509() is the
    inspection parse with a key from spki.install_key; facts are (base id, bits, security
    bits) or None when there is no key; equal is EVP_PKEY_eq's answer (None: either has none)."""
    cdef X509 *full = cert.full_x509()
    cdef bytes der = _der_of(cert)
    cdef X509 *ref = parse_full_der(<const unsigned char *>PyBytes_AS_STRING(der), PyBytes_GET_SIZE(der))
    cdef EVP_PKEY *ours
    cdef EVP_PKEY *theirs
    if ref == NULL:
        raise ValueError("invalid DER certificate")
    try:
        ours = X509_get0_pubkey(full)
        theirs = X509_get0_pubkey(ref)
        equal = None if ours == NULL or theirs == NULL else EVP_PKEY_eq(ours, theirs) == 1
        return (full == cert._x509, _key_facts(ours), _key_facts(theirs), equal)
    finally:
        X509_free(ref)
        clear_error_queue()


# ---------------------------------------------------------------------------------------------
# Hostname checks on certificates (see _certcore/names.pyx for why there are two engines)

cdef int _verdict_for(Certificate cert, object hostname, bint strict) except -2:
    """OpenSSL's verdict where it is match_hostname's, else VERDICT_UNDECIDED."""
    cdef const NameSummary *names
    cdef const char *host
    cdef Py_ssize_t n
    cdef int verdict
    cdef X509 *x = _x509_of(cert)
    if type(hostname) is not str or not PyUnicode_IS_ASCII(hostname):
        return VERDICT_UNDECIDED
    names = cert.names()
    host = <const char *>PyUnicode_DATA(hostname)
    n = PyUnicode_GET_LENGTH(hostname)
    with nogil:
        verdict = openssl_verdict(x, names, host, n, strict)
    return verdict


cdef object _exact_match(Certificate cert, object hostname, bint strict):
    """The dict rules on the decoded certificate: returns None or raises what they raise."""
    cdef dict d = cert._decoded()
    if strict:
        d = {k: v for k, v in d.items() if k != "subject"}
    if type(hostname) is str:
        return match_cert_dict(d, <str>hostname)
    return _match_hostname_dict(d, hostname)


def check_hostnames(certs, hostnames, *, strict=False):
    """Check many (certificate, hostname) pairs in one call: a list of booleans.

    *certs* is a sequence of ``Certificate`` (or one ``Certificate`` for every hostname) and
    *hostnames* a sequence of ``str`` of the same length; item ``i`` is ``True`` when
    ``certs[i].match_hostname(hostnames[i], strict=strict)`` would succeed. The loop runs in C
    with the GIL released; a pair outside the domain where OpenSSL's verdict is provably the
    rules' (non-ASCII names, malformed wildcards, ...) is decided by the exact rules afterwards,
    and any error they raise (CertificateError, ValueError) counts as ``False``.
    """
    cdef list certs_list, hosts_list = list(hostnames)
    cdef Py_ssize_t count = len(hosts_list), i
    cdef Certificate cert
    cdef X509 **xs = NULL
    cdef const NameSummary **sums = NULL
    cdef const char **hosts = NULL
    cdef Py_ssize_t *lengths = NULL
    cdef int *verdicts = NULL
    cdef bint s = strict
    if isinstance(certs, Certificate):
        certs_list = [certs] * count
    else:
        certs_list = list(certs)
        if len(certs_list) != count:
            raise ValueError(f"check_hostnames() got {len(certs_list)} certificates and {count} hostnames")
    for i in range(count):
        if not isinstance(certs_list[i], Certificate):
            raise TypeError(f"check_hostnames() needs Certificate objects, not {type(certs_list[i]).__name__}")
        if not isinstance(hosts_list[i], str):
            raise TypeError(f"check_hostnames() needs str hostnames, not {type(hosts_list[i]).__name__}")
    xs = <X509 **>malloc(max(count, 1) * sizeof(X509 *))
    sums = <const NameSummary **>malloc(max(count, 1) * sizeof(NameSummary *))
    hosts = <const char **>malloc(max(count, 1) * sizeof(char *))
    lengths = <Py_ssize_t *>malloc(max(count, 1) * sizeof(Py_ssize_t))
    verdicts = <int *>malloc(max(count, 1) * sizeof(int))
    try:
        if xs == NULL or sums == NULL or hosts == NULL or lengths == NULL or verdicts == NULL:
            raise MemoryError()
        for i in range(count):
            cert = <Certificate>certs_list[i]
            host = hosts_list[i]
            xs[i] = _x509_of(cert)
            sums[i] = cert.names()
            if type(host) is str and PyUnicode_IS_ASCII(host):
                hosts[i] = <const char *>PyUnicode_DATA(host)
                lengths[i] = PyUnicode_GET_LENGTH(host)
            else:
                hosts[i] = NULL                 # str subclass or non-ASCII: the exact rules
                lengths[i] = 0
        with nogil:
            for i in range(count):
                if hosts[i] == NULL:
                    verdicts[i] = VERDICT_UNDECIDED
                else:
                    verdicts[i] = openssl_verdict(xs[i], sums[i], hosts[i], lengths[i], s)
        results = [verdicts[i] == VERDICT_MATCH for i in range(count)]
        for i in range(count):
            if verdicts[i] == VERDICT_UNDECIDED:
                try:
                    _exact_match(<Certificate>certs_list[i], hosts_list[i], s)
                    results[i] = True
                except ValueError:              # CertificateError is a ValueError too
                    results[i] = False
        return results
    finally:
        free(xs)
        free(sums)
        free(hosts)
        free(lengths)
        free(verdicts)


def _openssl_verdict(Certificate cert, hostname, strict=False):
    """Test hook: OpenSSL's verdict alone -- True, False, or None outside the proven domain."""
    cdef int verdict = _verdict_for(cert, hostname, strict)
    return None if verdict == VERDICT_UNDECIDED else verdict == VERDICT_MATCH


register_certificate_type(Certificate)
