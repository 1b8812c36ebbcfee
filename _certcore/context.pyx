"""SSLContext core: one SSL_CTX* with CPython 3.11's defaults and semantics.

``certcore.SSLContext`` (certcore/context... in certcore/sslsocket.py) is the public class; it
subclasses ``ssl.SSLContext`` so ``isinstance(ctx, ssl.SSLContext)`` holds (asyncio, urllib3),
and keeps one ``ContextCore`` as ``_core``. Values and error texts follow CPython 3.11's
``Modules/_ssl.c``; every failure goes through _certcore.errors.
"""
import os as _os
import sys as _sys
import _ssl as _ssl_c
import ssl as _ssl_py

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from libc.limits cimport INT_MAX
from cpython.object cimport PyObject
from cpython.weakref cimport PyWeakref_NewRef
from cpython.ref cimport Py_INCREF, Py_XINCREF, Py_XDECREF
from cpython.exc cimport PyErr_Restore, PyErr_WriteUnraisable
from cpython.long cimport PyLong_AsLong, PyLong_AsUnsignedLongLong
from cpython.exc cimport PyErr_WarnEx
from pyapi cimport PyArg_Parse, PyArg_ParseTuple, PY_VERSION_HEX, PyLong_Type, clinic_int
from posixsys.errnoval cimport set_errno, get_errno
from libc.string cimport memcpy, strlen
from libc.stdlib cimport malloc, free

from openssl.err cimport ERR_clear_error
from openssl.ssl cimport *
from openssl.x509 cimport X509, i2d_X509
from openssl.x509v3 cimport (
    X509_check_ca, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
)
from openssl.bio cimport BIO, BIO_free, BIO_new_fp, BIO_CLOSE
from openssl.pem cimport PEM_bytes_read_bio, PEM_STRING_DHPARAMS
from openssl.evp cimport EVP_PKEY, EVP_PKEY_free, EVP_PKEY_DH, d2i_KeyParams
from openssl.crypto cimport OPENSSL_free
from openssl.objects cimport OBJ_nid2ln, OBJ_sn2nid, NID_undef
from openssl.ec cimport EC_GROUP, EC_GROUP_new_by_curve_name, EC_GROUP_free
from openssl.x509_vfy cimport *
from _certcore.errors cimport (
    raise_from_queue, raise_load_error, SITE_CERT_CHAIN, SITE_VERIFY_LOCATIONS, SITE_CONTEXT,
    SITE_DH_PARAMS, SITE_DH_SET, SITE_ECDH_CURVE, SITE_PSK_CLIENT, SITE_PSK_SERVER,
    build_ssl_error, PY_SSL_ERROR_NONE,
)
from libc.stdio cimport FILE, fopen, fclose
from posix.unistd cimport close as c_close
from posix.stdio cimport fileno
from posix.stat cimport struct_stat, fstat, S_ISDIR
from libc.errno cimport EISDIR
from _certcore.x509 cimport decode_x509
from _certcore.truststore cimport (
    TrustStore, add_cadata, fs_path as _fs, merge_store, private_copy, system_trust_store,
)

from ssl import SSLError as _SSLError


# --- the configuration lock ----------------------------------------------------------------
# OpenSSL reads an SSL_CTX's configuration (cipher lists, certificate and key, verify
# parameters, the ALPN buffer certcore's callback reads) from inside SSL_new, handshakes and
# reads/writes on every connection made from it, and frees the old value when a setter replaces
# it: a setter running while another thread handshakes is a use-after-free. Each ContextCore
# therefore has one reader/writer lock. Every OpenSSL call on a connection (tls.pyx, one call at
# a time, never while waiting in poll()) and every SSL_new holds it shared; every setter holds
# it exclusively. A thread never waits for it while holding the GIL (callbacks that run inside
# an OpenSSL call need the GIL), and the locks a thread holds are remembered per thread so that
# a callback that re-enters (an SNI callback reading from another connection, a password
# callback touching the same context) does not wait for itself. The one thing a lock cannot
# give is an upgrade: a callback that changes the very context whose handshake is calling it
# changes it unprotected against other threads, as the stdlib always does.
cdef extern from *:
    """
    #include <pthread.h>
    #include <stdlib.h>
    #include <string.h>
    #include <errno.h>

    typedef struct { pthread_rwlock_t rw; } certcore_ctxlock;

    /* The context locks this thread holds, innermost last. This module alone defines it: the
       other modules reach the locks only through the functions context.pxd exports. */
    #define CERTCORE_HELD_MAX 32
    static __thread certcore_ctxlock *certcore_held[CERTCORE_HELD_MAX];
    static __thread int certcore_nheld;

    static void *certcore_ctxlock_new(void) {
        certcore_ctxlock *l = (certcore_ctxlock *)malloc(sizeof *l);
        if (l != NULL && pthread_rwlock_init(&l->rw, NULL) != 0) { free(l); l = NULL; }
        return l;
    }
    static void certcore_ctxlock_free(void *p) {
        certcore_ctxlock *l = (certcore_ctxlock *)p;
        if (l != NULL) { pthread_rwlock_destroy(&l->rw); free(l); }
    }
    static int certcore_held_here(certcore_ctxlock *l) {
        int i;
        for (i = 0; i < certcore_nheld && i < CERTCORE_HELD_MAX; i++)
            if (certcore_held[i] == l) return 1;
        return 0;
    }
    /* Tokens: 0 = this thread already holds it (nothing to release), 1 = acquired and
       remembered, 2 = acquired, too deeply nested to remember, -1 = busy (try only). */
    static int certcore_ctxlock_take(void *p, int exclusive, int try_only) {
        certcore_ctxlock *l = (certcore_ctxlock *)p;
        int rc;
        if (l == NULL || certcore_held_here(l)) return 0;
        if (try_only)
            rc = exclusive ? pthread_rwlock_trywrlock(&l->rw) : pthread_rwlock_tryrdlock(&l->rw);
        else
            rc = exclusive ? pthread_rwlock_wrlock(&l->rw) : pthread_rwlock_rdlock(&l->rw);
        if (rc == EBUSY) return -1;
        if (rc != 0) return 0;   /* EDEADLK/EAGAIN: only under misuse; proceed as the stdlib does */
        if (certcore_nheld >= CERTCORE_HELD_MAX) return 2;
        certcore_held[certcore_nheld++] = l;
        return 1;
    }
    static void certcore_ctxlock_release(void *p, int token) {
        certcore_ctxlock *l = (certcore_ctxlock *)p;
        int i;
        if (token <= 0 || l == NULL) return;
        if (token == 1) {
            for (i = certcore_nheld - 1; i >= 0; i--) {
                if (certcore_held[i] == l) {
                    memmove(&certcore_held[i], &certcore_held[i + 1],
                            (size_t)(certcore_nheld - i - 1) * sizeof certcore_held[0]);
                    certcore_nheld--;
                    break;
                }
            }
        }
        pthread_rwlock_unlock(&l->rw);
    }
    """
    void *certcore_ctxlock_new() nogil
    void certcore_ctxlock_free(void *lock) nogil
    int certcore_ctxlock_take(void *lock, int exclusive, int try_only) nogil
    void certcore_ctxlock_release(void *lock, int token) nogil


cdef int ctx_lock_shared(void *lock) noexcept nogil:
    return certcore_ctxlock_take(lock, 0, 0)


cdef int ctx_try_lock_shared(void *lock) noexcept nogil:
    return certcore_ctxlock_take(lock, 0, 1)


cdef void ctx_unlock(void *lock, int token) noexcept nogil:
    certcore_ctxlock_release(lock, token)


cdef int ctx_lock_shared_gil(void *lock) noexcept:
    """The shared lock, taken by a thread that holds the GIL: it lets the GIL go while it waits."""
    cdef int token = certcore_ctxlock_take(lock, 0, 1)
    if token == -1:
        with nogil:
            token = certcore_ctxlock_take(lock, 0, 0)
    return token

# CPython 3.10+'s PY_SSL_DEFAULT_CIPHER_STRING, and 3.9's.
cdef bytes DEFAULT_CIPHERS = (b"@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:"
                              b"!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM")
cdef bytes DEFAULT_CIPHERS_39 = b"DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK"


# --- password callback -------------------------------------------------------------------
cdef int _password_cb(char *buf, int size, int rwflag, void *userdata) noexcept with gil:
    cdef PwInfo *info = <PwInfo *>userdata
    cdef object obj = <object>info.callable
    cdef bytes data
    try:
        if info.is_bytes:
            data = obj
        else:
            value = obj()
            if isinstance(value, str):
                data = value.encode("utf-8")
            elif isinstance(value, (bytes, bytearray)):
                data = bytes(value)
            else:
                raise TypeError("password callback must return a string")
        if PyBytes_GET_SIZE(data) > size:
            raise ValueError(f"password cannot be longer than {size} bytes")
        memcpy(buf, PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        return <int>PyBytes_GET_SIZE(data)
    except BaseException as exc:
        if info.exc == NULL:        # the first failure is the one reported
            Py_INCREF(exc)
            info.exc = <PyObject *>exc
        return -1


# --- ALPN (server side selection runs in C, no GIL) ----------------------------------------
cdef int _alpn_select_cb(SSL *s, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *inp, unsigned int inlen, void *arg) noexcept nogil:
    cdef AlpnData *a = <AlpnData *>arg
    cdef int ret
    if a.protos == NULL:
        ret = SSL_select_next_proto(<unsigned char **>out, outlen, <const unsigned char *>"", 0, inp, inlen)
    else:
        ret = SSL_select_next_proto(<unsigned char **>out, outlen, a.protos, a.length, inp, inlen)
    if ret != OPENSSL_NPN_NEGOTIATED:
        return SSL_TLSEXT_ERR_NOACK
    return SSL_TLSEXT_ERR_OK


# --- SNI: calls the Python sni_callback(sslobj, server_name, context) ----------------------
cdef int _servername_cb(SSL *s, int *al, void *arg) noexcept with gil:
    # CPython's _servername_callback, case for case: each failure goes to sys.unraisablehook
    # with the object CPython names, and decides the alert CPython sends.
    cdef ContextCore core = <ContextCore>arg
    cdef const char *name
    cdef void *conn_p
    cb = core._sni_callback
    if cb is None:
        return SSL_TLSEXT_ERR_OK
    conn_p = SSL_get_app_data(s)
    owner = (<object>conn_p).owner if conn_p != NULL else None
    if owner is None:
        al[0] = SSL_AD_INTERNAL_ERROR
        return SSL_TLSEXT_ERR_ALERT_FATAL
    name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)
    servername = None
    if name != NULL:
        raw = name[:strlen(name)]
        try:
            servername = raw.decode("ascii")
        except BaseException:
            _write_unraisable(raw)
            al[0] = SSL_AD_INTERNAL_ERROR
            return SSL_TLSEXT_ERR_ALERT_FATAL
    try:
        result = cb(owner, servername, core.owner())
    except BaseException:
        _write_unraisable(cb)
        al[0] = SSL_AD_HANDSHAKE_FAILURE
        return SSL_TLSEXT_ERR_ALERT_FATAL
    if result is None:
        return SSL_TLSEXT_ERR_OK
    try:
        al[0] = <int>PyLong_AsLong(result)     # an int or __index__, as CPython: "112" is a TypeError
    except BaseException:
        _write_unraisable(result)
        al[0] = SSL_AD_INTERNAL_ERROR
    return SSL_TLSEXT_ERR_ALERT_FATAL


cdef void _write_unraisable(object obj) noexcept:
    """The exception being handled, to sys.unraisablehook through PyErr_WriteUnraisable(obj)."""
    etype, value, tb = _sys.exc_info()
    Py_XINCREF(<PyObject *>etype)
    Py_XINCREF(<PyObject *>value)
    Py_XINCREF(<PyObject *>tb)
    PyErr_Restore(<PyObject *>etype, <PyObject *>value, <PyObject *>tb)
    PyErr_WriteUnraisable(obj)


# --- pre-shared keys (3.13's set_psk_client_callback / set_psk_server_callback) --------------
# CPython's psk_client_callback / psk_server_callback: the peer's hint or identity as str (None
# when absent; invalid UTF-8 drops the connection quietly), the callback's result checked, and
# any failure reported through sys.unraisablehook with the handshake failing.
cdef unsigned int _psk_client_cb(SSL *s, const char *hint, char *identity, unsigned int max_identity_len,
                                 unsigned char *psk, unsigned int max_psk_len) noexcept with gil:
    cdef ContextCore core = <ContextCore>SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), 0)
    cdef const char *ident = NULL
    cdef const char *key = NULL
    cdef Py_ssize_t ident_len = 0, key_len = 0
    cb = core._psk_client_cb
    if cb is None:
        return 0
    try:
        hint_str = hint[:strlen(hint)].decode("utf-8") if hint != NULL and hint[0] != 0 else None
    except UnicodeDecodeError:
        return 0
    try:
        result = cb(hint_str)
        PyArg_ParseTuple(result, "z#y#", &ident, &ident_len, &key, &key_len)
        if ident_len + 1 > max_identity_len or key_len > max_psk_len:
            return 0
        memcpy(psk, key, key_len)
        if ident != NULL:
            memcpy(identity, ident, ident_len)
        identity[ident_len] = 0
        return <unsigned int>key_len
    except BaseException:
        _write_unraisable(cb)
        return 0


cdef unsigned int _psk_server_cb(SSL *s, const char *identity, unsigned char *psk,
                                 unsigned int max_psk_len) noexcept with gil:
    cdef ContextCore core = <ContextCore>SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), 0)
    cb = core._psk_server_cb
    if cb is None:
        return 0
    try:
        ident = identity[:strlen(identity)].decode("utf-8") if identity != NULL and identity[0] != 0 else None
    except UnicodeDecodeError:
        return 0
    try:
        result = cb(ident)
        if not isinstance(result, bytes):
            raise TypeError(f"expected bytes, {type(result).__name__} found")
        if len(<bytes>result) > max_psk_len:
            return 0
        memcpy(psk, PyBytes_AS_STRING(result), PyBytes_GET_SIZE(result))
        return <unsigned int>PyBytes_GET_SIZE(result)
    except BaseException:
        _write_unraisable(cb)
        return 0


# --- the message trace hook (_msg_callback) -------------------------------------------------
cdef void _msg_trace_cb(int write_p, int version, int content_type, const void *buf, size_t length,
                        SSL *s, void *arg) noexcept with gil:
    # CPython's _PySSL_msg_callback: (socket, "read"/"write", version, content type, message
    # type, raw bytes); an exception is kept by the connection and raised from the operation.
    cdef ContextCore core = <ContextCore>SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), 0)
    cdef const unsigned char *p = <const unsigned char *>buf
    cdef void *conn_p = SSL_get_app_data(s)
    cdef int msg_type = -1
    cb = core._msg_cb
    if cb is None or conn_p == NULL:
        return
    conn = <object>conn_p
    owner = conn.owner
    if content_type == SSL3_RT_CHANGE_CIPHER_SPEC:
        msg_type = SSL3_MT_CHANGE_CIPHER_SPEC
    elif content_type == SSL3_RT_ALERT:
        if length >= 2:
            msg_type = p[1]         # byte 0 is the level, byte 1 the description
    elif content_type in (SSL3_RT_HANDSHAKE, SSL3_RT_HEADER, SSL3_RT_INNER_CONTENT_TYPE):
        if length >= 1:
            msg_type = p[0]
    try:
        cb(owner if owner is not None else conn, "write" if write_p else "read", version,
           content_type, msg_type, (<const char *>buf)[:length])
    except BaseException as exc:
        conn._keep_callback_error(exc)


# --- keylog -------------------------------------------------------------------------------
# The file is certcore's own descriptor, opened O_APPEND like the stdlib's fopen(path, "a"):
# one write() per line, made while holding the GIL (as the stdlib holds it), so lines from
# concurrent handshakes never interleave and the setter never closes a descriptor mid-write.
# Write errors are ignored, as the stdlib ignores BIO_printf's.
cdef void _keylog_cb(const SSL *s, const char *line) noexcept with gil:
    cdef ContextCore core = <ContextCore>SSL_CTX_get_ex_data(SSL_get_SSL_CTX(s), 0)
    cdef size_t n = strlen(line)
    cdef char *buf
    if core._keylog_fd < 0:
        return
    buf = <char *>malloc(n + 1)
    if buf == NULL:
        return
    memcpy(buf, line, n)
    buf[n] = b"\n"
    write_all(core._keylog_fd, buf, n + 1)
    free(buf)


cdef extern from *:
    """
    #include <unistd.h>
    #include <errno.h>
    static void certcore_write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
            ssize_t w = write(fd, buf, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                return;
            }
            buf += w;
            n -= (size_t)w;
        }
    }
    """
    void write_all "certcore_write_all"(int fd, const char *buf, size_t n) nogil


# The options that switch protocol versions off, deprecated since 3.10.
cdef unsigned long _OP_NO_VERSIONS = (SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1
                                      | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3)

cdef int _version_arg(object value) except? -1:
    """A TLSVersion value as _ssl.c parses it: a C long, then "too long" above INT_MAX."""
    cdef long v
    PyArg_Parse(value, "l", &v)
    if v > INT_MAX:
        raise OverflowError("Option is too long")
    return <int>v


cdef bytes KEYLOG_HEADER = b"# TLS secrets log file, generated by OpenSSL / Python\n"


# Sharing the SSL_CTX of the stdlib base object. certcore.SSLContext instances are stdlib
# ``_ssl._SSLContext`` objects too (isinstance for asyncio, urllib3, ...), and the stdlib's
# ``__new__`` always makes an SSL_CTX, which costs as much as certcore's own (OpenSSL 3.0 fetches
# every cipher and digest in SSL_CTX_new). certcore overrides every stdlib method, so that SSL_CTX
# is otherwise unused; a ContextCore made for the same protocol takes it over instead.
# CPython's PySSLContext starts with ``SSL_CTX *ctx`` right after PyObject_HEAD (3.9 to 3.13);
# the pointer is used only if it is non-NULL and its method is the one this protocol selects.
cdef object _StdContextType = _ssl_c._SSLContext
cdef bint _fresh_known = False
cdef unsigned long _fresh_options = 0
cdef long _fresh_mode = 0
cdef int _fresh_level = 0
cdef unsigned long _fresh_param_flags = 0


cdef SSL_CTX *_stdlib_ctx(object obj, const SSL_METHOD *method) except? NULL:
    cdef SSL_CTX *ctx
    if not isinstance(obj, _StdContextType):
        return NULL
    ctx = (<SSL_CTX **>(<char *><PyObject *>obj + sizeof(PyObject)))[0]
    if ctx == NULL or SSL_CTX_get_ssl_method(ctx) != method:
        return NULL
    return ctx


cdef int _reset_to_fresh(SSL_CTX *ctx) except -1:
    """Put back what CPython's SSLContext.__new__ changed in a new SSL_CTX (options, mode, security
    level, verify flags, session id context), so that certcore's configuration applies to exactly
    the state of its own SSL_CTX_new."""
    global _fresh_known, _fresh_options, _fresh_mode, _fresh_level, _fresh_param_flags
    cdef SSL_CTX *probe
    cdef X509_VERIFY_PARAM *param
    if not _fresh_known:
        with nogil:
            probe = SSL_CTX_new(TLS_method())
        if probe == NULL:
            raise_from_queue(SITE_CONTEXT)
        _fresh_options = SSL_CTX_get_options(probe)
        _fresh_mode = SSL_CTX_get_mode(probe)
        _fresh_level = SSL_CTX_get_security_level(probe)
        _fresh_param_flags = X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(probe))
        SSL_CTX_free(probe)
        _fresh_known = True
    SSL_CTX_clear_options(ctx, ~_fresh_options)
    SSL_CTX_set_options(ctx, _fresh_options)
    SSL_CTX_clear_mode(ctx, ~_fresh_mode)
    SSL_CTX_set_mode(ctx, _fresh_mode)
    param = SSL_CTX_get0_param(ctx)
    X509_VERIFY_PARAM_clear_flags(param, ~_fresh_param_flags)
    X509_VERIFY_PARAM_set_flags(param, _fresh_param_flags)
    if not SSL_CTX_set_session_id_context(ctx, <const unsigned char *>"", 0):
        raise_from_queue(SITE_CONTEXT)
    return 0


cdef const char *_default_cipher_string() noexcept:
    return DEFAULT_CIPHERS if PY_VERSION_HEX >= 0x030A0000 else DEFAULT_CIPHERS_39


# The cipher list (SSL_CIPHER pointers: OpenSSL's static table) and security level certcore's
# default cipher string gives a new SSL_CTX, made once: when the stdlib's base left exactly that,
# setting the string again (a quarter of SSL_CTX_new's cost) changes nothing. A C array: every
# SSLContext() compares against it, with no int objects to unbox.
cdef const SSL_CIPHER **_default_ciphers = NULL
cdef int _default_ciphers_n = -1
cdef int _default_cipher_level = -1


cdef bint _default_ciphers_already(SSL_CTX *ctx) except -1:
    global _default_ciphers, _default_ciphers_n, _default_cipher_level
    cdef SSL_CTX *probe
    cdef stack_st_SSL_CIPHER *sk
    cdef const SSL_CIPHER **ptrs
    cdef int i, n
    if _default_ciphers_n < 0:
        with nogil:
            probe = SSL_CTX_new(TLS_method())
        if probe == NULL:
            raise_from_queue(SITE_CONTEXT)
        try:
            if SSL_CTX_set_cipher_list(probe, _default_cipher_string()) != 1:
                raise_from_queue(SITE_CONTEXT)
            sk = SSL_CTX_get_ciphers(probe)
            n = sk_SSL_CIPHER_num(sk)
            ptrs = <const SSL_CIPHER **>malloc((n + 1) * sizeof(SSL_CIPHER *))
            if ptrs == NULL:
                raise MemoryError()
            for i in range(n):
                ptrs[i] = sk_SSL_CIPHER_value(sk, i)
            _default_cipher_level = SSL_CTX_get_security_level(probe)
        finally:
            SSL_CTX_free(probe)
        _default_ciphers = ptrs     # made once, kept for the process (the GIL orders the two)
        _default_ciphers_n = n
    if SSL_CTX_get_security_level(ctx) != _default_cipher_level:
        return False
    sk = SSL_CTX_get_ciphers(ctx)
    n = sk_SSL_CIPHER_num(sk) if sk != NULL else -1
    if n != _default_ciphers_n:
        return False
    for i in range(n):
        if sk_SSL_CIPHER_value(sk, i) != _default_ciphers[i]:
            return False
    return True


DEFAULT_CONTEXT_VERIFY_FLAGS = default_context_verify_flags()


cdef class ContextCore:
    """One SSL_CTX*, configured like CPython 3.11's ``_ssl._SSLContext``."""

    def __cinit__(self, object protocol_arg, object adopt=None, object owner=None):
        cdef const SSL_METHOD *method
        cdef unsigned long options
        cdef int protocol = clinic_int(protocol_arg)
        cdef SSL_CTX *base
        self.ctx = NULL
        self._keylog_fd = -1
        self._store_pristine = True
        self._store_shared = False
        self.lock = certcore_ctxlock_new()
        if self.lock == NULL:
            raise MemoryError()
        if protocol in (P_TLS, P_TLSv1, P_TLSv1_1, P_TLSv1_2):
            method = TLS_method()
        elif protocol == P_TLS_CLIENT:
            method = TLS_client_method()
        elif protocol == P_TLS_SERVER:
            method = TLS_server_method()
        else:
            if PY_VERSION_HEX < 0x030A0000:
                raise ValueError("invalid or unsupported protocol version")
            raise ValueError(f"invalid or unsupported protocol version {protocol}")
        base = _stdlib_ctx(adopt, method) if adopt is not None else NULL
        if base != NULL:
            # the stdlib base object's SSL_CTX, made for this very protocol: certcore shares it
            # instead of paying for a second SSL_CTX_new, after putting back what the stdlib set
            if SSL_CTX_up_ref(base) != 1:
                raise_from_queue(SITE_CONTEXT)
            self.ctx = base
            _reset_to_fresh(base)
        else:
            with nogil:
                self.ctx = SSL_CTX_new(method)
        if self.ctx == NULL:
            raise_from_queue(SITE_CONTEXT)
        self.protocol = protocol
        cdef int lo = 0, hi = 0
        if protocol == P_TLSv1:
            lo = hi = TLS1_VERSION
        elif protocol == P_TLSv1_1:
            lo = hi = TLS1_1_VERSION
        elif protocol == P_TLSv1_2:
            lo = hi = TLS1_2_VERSION
        elif PY_VERSION_HEX >= 0x030A0000:
            lo = TLS1_2_VERSION     # 3.10 raised the floor; 3.9 keeps OpenSSL's
        if (not SSL_CTX_set_min_proto_version(self.ctx, lo)
                or not SSL_CTX_set_max_proto_version(self.ctx, hi)):
            raise_from_queue(SITE_CONTEXT)
        SSL_CTX_set_ex_data(self.ctx, 0, <void *>self)   # borrowed: the core outlives its SSL_CTX use
        self.hostflags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
        if protocol == P_TLS_CLIENT:
            self._check_hostname = True
            SSL_CTX_set_verify(self.ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL)
        else:
            self._check_hostname = False
            SSL_CTX_set_verify(self.ctx, SSL_VERIFY_NONE, NULL)
        options = SSL_OP_ALL & ~(<unsigned long>0x00000800)   # ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS
        options |= (SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION
                    | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE)
        if PY_VERSION_HEX < 0x030A0000:
            options |= SSL_OP_IGNORE_UNEXPECTED_EOF    # 3.9 treats a ragged EOF as a clean close
        SSL_CTX_set_options(self.ctx, options)
        if base == NULL or not _default_ciphers_already(base):
            if base != NULL:
                SSL_CTX_set_security_level(self.ctx, _fresh_level)   # the cipher string may set it
            if SSL_CTX_set_cipher_list(self.ctx, _default_cipher_string()) != 1:
                raise_from_queue(SITE_CONTEXT)
        SSL_CTX_set_mode(self.ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY)
        if protocol != P_TLS_CLIENT:
            # a session id context scopes a server's session cache; on a client it would make a
            # TLS 1.3 PSK from set_psk_client_callback "a session from another context"
            if not SSL_CTX_set_session_id_context(self.ctx, <const unsigned char *>"Python", 6):
                raise_from_queue(SITE_CONTEXT)
        cdef X509_VERIFY_PARAM *param = SSL_CTX_get0_param(self.ctx)
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_TRUSTED_FIRST)
        X509_VERIFY_PARAM_set_hostflags(param, self.hostflags)
        SSL_CTX_set_tlsext_servername_arg(self.ctx, <void *>self)
        SSL_CTX_set_tlsext_servername_callback(self.ctx, _servername_cb)
        if owner is not None:
            # the public SSLContext, set here rather than by a second call: construction is on
            # the path of every SSLContext()
            self._owner_ref = PyWeakref_NewRef(owner, None)

    def __dealloc__(self):
        if self.ctx != NULL:
            SSL_CTX_free(self.ctx)
            self.ctx = NULL
        if self.alpn.protos != NULL:
            free(self.alpn.protos)
            self.alpn.protos = NULL
        certcore_ctxlock_free(self.lock)
        self.lock = NULL
        if self._keylog_fd >= 0:
            c_close(self._keylog_fd)
            self._keylog_fd = -1

    cdef int _lock_exclusive(self) noexcept:
        """The configuration lock, exclusively, for a setter: waits without the GIL."""
        cdef int token = certcore_ctxlock_take(self.lock, 1, 1)
        if token == -1:
            with nogil:
                token = certcore_ctxlock_take(self.lock, 1, 0)
        return token

    def _set_owner(self, owner):
        self._owner_ref = PyWeakref_NewRef(owner, None)

    cdef object owner(self):
        return self._owner_ref() if self._owner_ref is not None else None

    # --- verification -------------------------------------------------------------------
    @property
    def verify_mode(self):
        """Whether and how the peer's certificate is verified (CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED)."""
        cdef int mode = SSL_CTX_get_verify_mode(self.ctx) & (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
        if mode == SSL_VERIFY_NONE:
            return PY_SSL_CERT_NONE
        if mode == SSL_VERIFY_PEER:
            return PY_SSL_CERT_OPTIONAL
        if mode == SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT:
            return PY_SSL_CERT_REQUIRED
        raise _SSLError("invalid return value from SSL_CTX_get_verify_mode")

    @verify_mode.setter
    def verify_mode(self, value):
        cdef int n
        PyArg_Parse(value, "i", &n)
        if n == PY_SSL_CERT_NONE and self._check_hostname:
            raise ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.")
        self._set_verify_mode(n)

    cdef int _set_verify_mode(self, int n) except -1:
        cdef int mode
        if n == PY_SSL_CERT_NONE:
            mode = SSL_VERIFY_NONE
        elif n == PY_SSL_CERT_OPTIONAL:
            mode = SSL_VERIFY_PEER
        elif n == PY_SSL_CERT_REQUIRED:
            mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        else:
            raise ValueError("invalid value for verify_mode")
        cdef int token = self._lock_exclusive()
        SSL_CTX_set_verify(self.ctx, mode, NULL)
        ctx_unlock(self.lock, token)
        return 0

    @property
    def check_hostname(self):
        """Whether a client checks the server certificate against server_hostname (turning it on sets CERT_REQUIRED)."""
        return bool(self._check_hostname)

    @check_hostname.setter
    def check_hostname(self, value):
        cdef bint on = bool(value)
        if on and SSL_CTX_get_verify_mode(self.ctx) == SSL_VERIFY_NONE:
            self._set_verify_mode(PY_SSL_CERT_REQUIRED)
        self._check_hostname = on

    @property
    def hostname_checks_common_name(self):
        """Whether the subject commonName is consulted when a certificate has no DNS subjectAltName."""
        return (self.hostflags & X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) == 0

    @hostname_checks_common_name.setter
    def hostname_checks_common_name(self, value):
        if value:
            self._host_flags = self.hostflags & ~X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
        else:
            self._host_flags = self.hostflags | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT

    @property
    def _host_flags(self):
        return self.hostflags

    @_host_flags.setter
    def _host_flags(self, unsigned int value):
        cdef int token = self._lock_exclusive()
        self.hostflags = value
        X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(self.ctx), value)
        ctx_unlock(self.lock, token)

    @property
    def verify_flags(self):
        """OpenSSL X509_V_FLAG_* verification flags (ssl.VerifyFlags)."""
        return X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(self.ctx))

    @verify_flags.setter
    def verify_flags(self, value):
        cdef unsigned long new
        PyArg_Parse(value, "k", &new)      # any int, masked to unsigned long, as _ssl.c
        cdef X509_VERIFY_PARAM *param = SSL_CTX_get0_param(self.ctx)
        cdef unsigned long old = X509_VERIFY_PARAM_get_flags(param)
        cdef unsigned long clear = old & ~new, set_ = ~old & new
        cdef int token = self._lock_exclusive()
        try:
            if clear and not X509_VERIFY_PARAM_clear_flags(param, clear):
                raise_from_queue(SITE_CONTEXT)
            if set_ and not X509_VERIFY_PARAM_set_flags(param, set_):
                raise_from_queue(SITE_CONTEXT)
        finally:
            ctx_unlock(self.lock, token)

    @property
    def options(self):
        """OpenSSL SSL_OP_* options (ssl.Options)."""
        if PY_VERSION_HEX < 0x030C0000:
            return <long>SSL_CTX_get_options(self.ctx)      # a C long before 3.12
        return SSL_CTX_get_options(self.ctx)

    @options.setter
    def options(self, value):
        cdef long signed_new
        cdef unsigned long long new
        cdef PyObject *as_int
        if PY_VERSION_HEX >= 0x030C0000:
            # 3.12+: an int (TypeError otherwise) that fits in 64 unsigned bits
            PyArg_Parse(value, "O!", &PyLong_Type, &as_int)
            new = PyLong_AsUnsignedLongLong(<object>as_int)
        else:
            PyArg_Parse(value, "l", &signed_new)
            new = <unsigned long>signed_new
        cdef unsigned long old = SSL_CTX_get_options(self.ctx)
        cdef unsigned long clear = old & ~new, set_ = ~old & new
        if PY_VERSION_HEX >= 0x030A0000 and set_ & _OP_NO_VERSIONS:
            PyErr_WarnEx(DeprecationWarning, b"ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated", 2)
        cdef int token = self._lock_exclusive()
        if clear:
            SSL_CTX_clear_options(self.ctx, clear)
        if set_:
            SSL_CTX_set_options(self.ctx, set_)
        ctx_unlock(self.lock, token)

    # --- protocol versions --------------------------------------------------------------
    cdef int _set_version(self, int v, bint is_max) except -1:
        if self.protocol not in (P_TLS, P_TLS_CLIENT, P_TLS_SERVER):
            raise ValueError("The context's protocol doesn't support modification of "
                             "highest and lowest version.")
        if PY_VERSION_HEX >= 0x030A0000:
            # 3.10+ checks the value first and deprecates the versions below TLS 1.2
            if v == SSL3_VERSION:
                PyErr_WarnEx(DeprecationWarning, b"ssl.TLSVersion.SSLv3 is deprecated", 2)
            elif v == TLS1_VERSION:
                PyErr_WarnEx(DeprecationWarning, b"ssl.TLSVersion.TLSv1 is deprecated", 2)
            elif v == TLS1_1_VERSION:
                PyErr_WarnEx(DeprecationWarning, b"ssl.TLSVersion.TLSv1_1 is deprecated", 2)
            elif v not in (TLS1_2_VERSION, TLS1_3_VERSION, MINIMUM_SUPPORTED, MAXIMUM_SUPPORTED):
                raise ValueError(f"Unsupported TLS/SSL version 0x{v & 0xffffffff:x}")
        cdef int r, token
        if not is_max:
            if v == MINIMUM_SUPPORTED:
                v = 0
            elif v == MAXIMUM_SUPPORTED:
                v = TLS1_3_VERSION
        else:
            if v == MAXIMUM_SUPPORTED:
                v = 0
            elif v == MINIMUM_SUPPORTED:
                v = SSL3_VERSION
        token = self._lock_exclusive()
        if not is_max:
            r = SSL_CTX_set_min_proto_version(self.ctx, v)
        else:
            r = SSL_CTX_set_max_proto_version(self.ctx, v)
        ctx_unlock(self.lock, token)
        if r == 0:
            ERR_clear_error()
            raise ValueError(f"Unsupported protocol version 0x{v:x}")
        return 0

    @property
    def minimum_version(self):
        """The lowest TLS version negotiated (ssl.TLSVersion; MINIMUM_SUPPORTED when unbounded)."""
        cdef int v = SSL_CTX_get_min_proto_version(self.ctx)
        # PROTOCOL_TLSv1*: _ssl.c's version-specific method sets no bounds, so both read as the
        # sentinels; certcore gets the same handshakes from TLS_method with min == max.
        return MINIMUM_SUPPORTED if v == 0 or self.protocol in (P_TLSv1, P_TLSv1_1, P_TLSv1_2) else v

    @minimum_version.setter
    def minimum_version(self, value):
        cdef int v = _version_arg(value)
        if v == SSL3_VERSION:
            # Lib/ssl.py: asking for SSLv3 as the minimum also lifts OP_NO_SSLv3
            self.options = self.options & ~(<unsigned long>SSL_OP_NO_SSLv3)
        self._set_version(v, False)

    @property
    def maximum_version(self):
        """The highest TLS version negotiated (ssl.TLSVersion; MAXIMUM_SUPPORTED when unbounded)."""
        cdef int v = SSL_CTX_get_max_proto_version(self.ctx)
        return MAXIMUM_SUPPORTED if v == 0 or self.protocol in (P_TLSv1, P_TLSv1_1, P_TLSv1_2) else v

    @maximum_version.setter
    def maximum_version(self, value):
        self._set_version(_version_arg(value), True)

    @property
    def num_tickets(self):
        """How many TLS 1.3 session tickets a server context sends after a handshake."""
        return SSL_CTX_get_num_tickets(self.ctx)

    @num_tickets.setter
    def num_tickets(self, value):
        cdef long n
        PyArg_Parse(value, "l", &n)
        if n < 0:
            raise ValueError("value must be non-negative")
        if self.protocol != P_TLS_SERVER:
            raise ValueError("SSLContext is not a server context.")
        cdef int token = self._lock_exclusive()
        cdef int ok = SSL_CTX_set_num_tickets(self.ctx, <size_t>n)
        ctx_unlock(self.lock, token)
        if not ok:
            raise ValueError("failed to set num tickets.")

    @property
    def security_level(self):
        """OpenSSL's security level (read-only; set it through set_ciphers("@SECLEVEL=n"))."""
        return SSL_CTX_get_security_level(self.ctx)

    @property
    def post_handshake_auth(self):
        """Whether TLS 1.3 post-handshake client authentication is enabled."""
        return bool(self._post_handshake_auth)

    @post_handshake_auth.setter
    def post_handshake_auth(self, value):
        self._post_handshake_auth = bool(value)

    # --- certificates and keys ----------------------------------------------------------
    def load_cert_chain(self, certfile, keyfile=None, password=None):
        cdef PwInfo info
        cdef int r, err, token
        cdef const char *cfile
        cdef const char *kfile
        cdef bytes cf = _fs(certfile, "certfile")
        cdef bytes kf = _fs(keyfile, "keyfile") if keyfile is not None else None
        if certfile is None:
            raise TypeError("certfile should be a valid filesystem path")
        info.callable = NULL
        info.exc = NULL
        info.is_bytes = 0
        pw = None
        if password is not None:
            if callable(password):
                pw = password
            elif isinstance(password, str):
                pw = password.encode("utf-8")
                info.is_bytes = 1
            elif isinstance(password, (bytes, bytearray)):
                pw = bytes(password)
                info.is_bytes = 1
            else:
                raise TypeError("password should be a string or callable")
            info.callable = <void *>pw
        token = self._lock_exclusive()
        try:
            if pw is not None:
                SSL_CTX_set_default_passwd_cb(self.ctx, _password_cb)
                SSL_CTX_set_default_passwd_cb_userdata(self.ctx, &info)
            # File reading and parsing let other threads run, as _ssl.c does (the password
            # callback takes the GIL back when OpenSSL calls it).
            cfile = cf
            kfile = kf if kf is not None else cf
            with nogil:
                set_errno(0)
                r = SSL_CTX_use_certificate_chain_file(self.ctx, cfile)
                err = get_errno()
            if r != 1:
                self._load_fail(&info, err)
            with nogil:
                set_errno(0)
                r = SSL_CTX_use_PrivateKey_file(self.ctx, kfile, SSL_FILETYPE_PEM)
                err = get_errno()
            if r != 1:
                self._load_fail(&info, err)
            if SSL_CTX_check_private_key(self.ctx) != 1:
                raise_from_queue(SITE_CERT_CHAIN)
        finally:
            SSL_CTX_set_default_passwd_cb(self.ctx, NULL)
            SSL_CTX_set_default_passwd_cb_userdata(self.ctx, NULL)
            ctx_unlock(self.lock, token)
            Py_XDECREF(<PyObject *>info.exc)

    cdef int _load_fail(self, PwInfo *info, int err) except -1:
        if info.exc != NULL:
            ERR_clear_error()
            raise <object>info.exc
        raise_load_error(err, SITE_CERT_CHAIN)

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        cdef bytes cf, cp
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        cf = _fs(cafile, "cafile")
        cp = _fs(capath, "capath")
        cdef int token = self._lock_exclusive()
        try:
            self._load_verify_locked(cf, cp, cadata)
        finally:
            ctx_unlock(self.lock, token)

    cdef int _own_store(self) except -1:
        """Before anything is added to the store (the lock held exclusively): a shared store is
        replaced by a private copy first (copy on write), so that this context's loads never
        change another context's or a TrustStore's trust."""
        cdef X509_STORE *copy
        self._store_pristine = False
        if self._store_shared:
            copy = private_copy(SSL_CTX_get_cert_store(self.ctx))
            SSL_CTX_set_cert_store(self.ctx, copy)     # takes the copy, drops the shared reference
            self._store_shared = False
        return 0

    cdef int _use_trust_store(self, TrustStore ts) except -1:
        """Trust ts's anchors (the lock held exclusively): a pristine context shares ts's store
        (one up-ref, no copy); otherwise they are added to the context's own store."""
        if self._store_pristine:
            SSL_CTX_set1_cert_store(self.ctx, ts.store)
            self._store_pristine = False
            self._store_shared = True
        elif SSL_CTX_get_cert_store(self.ctx) != ts.store:
            self._own_store()
            merge_store(SSL_CTX_get_cert_store(self.ctx), ts.store)
        return 0

    def load_trust_store(self, TrustStore store not None):
        """Trust the anchors of a certcore.TrustStore: shared when nothing is loaded yet, else
        added to this context's own store."""
        cdef int token = self._lock_exclusive()
        try:
            self._use_trust_store(store)
        finally:
            ctx_unlock(self.lock, token)

    cdef int _load_verify_locked(self, bytes cf, bytes cp, object cadata) except -1:
        cdef int r, err
        self._own_store()
        if cadata is not None:
            add_cadata(SSL_CTX_get_cert_store(self.ctx), cadata)
        cdef const char *cfile = <const char *>cf if cf is not None else NULL
        cdef const char *cpath = <const char *>cp if cp is not None else NULL
        if cf is not None or cp is not None:
            with nogil:
                set_errno(0)
                r = SSL_CTX_load_verify_locations(self.ctx, cfile, cpath)
                err = get_errno()
            if r != 1:
                raise_load_error(err, SITE_VERIFY_LOCATIONS)
        return 0

    def set_default_verify_paths(self):
        # A context with nothing loaded shares the process-wide system store (the same objects
        # SSL_CTX_set_default_verify_paths would load, read once); otherwise the system's
        # anchors are loaded into the context's own store, as OpenSSL does.
        cdef TrustStore system = system_trust_store() if self._store_pristine else None
        cdef int token = self._lock_exclusive()
        cdef int ok = 1
        try:
            if system is not None and self._store_pristine:
                self._use_trust_store(system)
            else:
                self._own_store()
                with nogil:     # it reads the whole system bundle
                    ok = SSL_CTX_set_default_verify_paths(self.ctx)
        finally:
            ctx_unlock(self.lock, token)
        if not ok:
            raise_from_queue(SITE_CONTEXT)

    def set_ciphers(self, cipherlist):
        if not isinstance(cipherlist, str):
            raise TypeError(f"set_ciphers() argument must be str, not {type(cipherlist).__name__}")
        if "\0" in cipherlist:
            raise ValueError("embedded null character")
        # UTF-8, as argument clinic's str converter: OpenSSL then finds no such cipher
        cdef bytes spec = cipherlist.encode("utf-8")
        cdef int token = self._lock_exclusive()
        cdef int ok = SSL_CTX_set_cipher_list(self.ctx, spec)
        ctx_unlock(self.lock, token)
        if not ok:
            ERR_clear_error()
            raise _SSLError("No cipher can be selected.")

    def load_dh_params(self, filepath):
        """Diffie-Hellman parameters (PEM "DH PARAMETERS") for DHE key exchange, as CPython:
        OSError naming the file when it cannot be opened (IsADirectoryError for a directory),
        SSLError when it holds no parameters or OpenSSL refuses them (e.g. too small)."""
        cdef bytes path = _os.fsencode(filepath)
        cdef const char *cpath
        cdef FILE *f
        cdef BIO *bio
        cdef EVP_PKEY *pkey = NULL
        cdef unsigned char *der = NULL
        cdef const unsigned char *p
        cdef long der_len = 0
        cdef struct_stat st
        cdef int saved_errno = 0, ok = 0
        if b"\0" in path:
            raise ValueError("embedded null byte")
        cpath = path
        with nogil:
            set_errno(0)
            f = fopen(cpath, "rb")
            if f == NULL:
                saved_errno = get_errno()
            elif fstat(fileno(f), &st) == 0 and S_ISDIR(st.st_mode):
                fclose(f)
                f = NULL
                saved_errno = EISDIR
        if f == NULL:
            raise OSError(saved_errno, _os.strerror(saved_errno), filepath)
        bio = BIO_new_fp(f, BIO_CLOSE)
        if bio == NULL:
            fclose(f)
            raise_from_queue(SITE_DH_PARAMS)
        with nogil:
            ok = PEM_bytes_read_bio(&der, &der_len, NULL, PEM_STRING_DHPARAMS, bio, NULL, NULL)
            BIO_free(bio)
            if ok:
                p = der
                pkey = d2i_KeyParams(EVP_PKEY_DH, NULL, &p, der_len)
                OPENSSL_free(der)
        if pkey == NULL:
            raise_from_queue(SITE_DH_PARAMS)
        cdef int token = self._lock_exclusive()
        ok = SSL_CTX_set0_tmp_dh_pkey(self.ctx, pkey)       # takes pkey only on success
        ctx_unlock(self.lock, token)
        if not ok:
            EVP_PKEY_free(pkey)
            raise_from_queue(SITE_DH_SET)

    def set_ecdh_curve(self, name):
        """The one ECDH group to offer and accept, by OpenSSL short name ("prime256v1")."""
        # A path-like name, as _ssl.c (PyUnicode_FSConverter: TypeError, NUL -> ValueError).
        cdef bytes b = _os.fsencode(name)
        if b"\0" in b:
            raise ValueError("embedded null byte")
        cdef int nid = OBJ_sn2nid(b)
        if nid == NID_undef:
            ERR_clear_error()
            raise ValueError(f"unknown elliptic curve name {name!r}")
        cdef EC_GROUP *group
        if PY_VERSION_HEX < 0x030B0000:
            # 3.9 and 3.10 build an EC_KEY for the curve: X25519/X448 fail there with OpenSSL's error
            group = EC_GROUP_new_by_curve_name(nid)
            if group == NULL:
                raise_from_queue(SITE_ECDH_CURVE)
            EC_GROUP_free(group)
        cdef int token = self._lock_exclusive()
        cdef int ok = SSL_CTX_set1_groups(self.ctx, &nid, 1)
        ctx_unlock(self.lock, token)
        if not ok:
            raise_from_queue(SITE_ECDH_CURVE)

    def set_ciphersuites(self, str suites):
        """TLS 1.3 cipher suites (SSL_CTX_set_ciphersuites); a certcore extension, the stdlib
        has no equivalent."""
        cdef bytes spec = suites.encode("ascii")
        cdef int token = self._lock_exclusive()
        cdef int ok = SSL_CTX_set_ciphersuites(self.ctx, spec)
        ctx_unlock(self.lock, token)
        if not ok:
            ERR_clear_error()
            raise _SSLError("No cipher can be selected.")

    def get_ciphers(self):
        cdef int token = ctx_lock_shared_gil(self.lock)
        cdef SSL *ssl = SSL_new(self.ctx)
        ctx_unlock(self.lock, token)
        cdef stack_st_SSL_CIPHER *sk
        cdef int i
        if ssl == NULL:
            raise_from_queue(SITE_CONTEXT)
        try:
            sk = SSL_get_ciphers(ssl)
            return [cipher_to_dict(sk_SSL_CIPHER_value(sk, i)) for i in range(sk_SSL_CIPHER_num(sk))]
        finally:
            SSL_free(ssl)

    def _set_alpn_protocols(self, const unsigned char[:] protos):
        cdef unsigned int n = <unsigned int>protos.shape[0]
        cdef unsigned char *buf = <unsigned char *>malloc(n if n else 1)
        if buf == NULL:
            raise MemoryError()
        if n:
            memcpy(buf, &protos[0], n)
        cdef int token = self._lock_exclusive()   # _alpn_select_cb reads self.alpn in handshakes
        if self.alpn.protos != NULL:
            free(self.alpn.protos)
        self.alpn.protos = buf
        self.alpn.length = n
        # SSL_CTX_set_alpn_protos returns 0 on success (inverted convention).
        cdef int failed = SSL_CTX_set_alpn_protos(self.ctx, buf, n)
        if not failed:
            SSL_CTX_set_alpn_select_cb(self.ctx, _alpn_select_cb, &self.alpn)
        ctx_unlock(self.lock, token)
        if failed:
            raise MemoryError()

    def cert_store_stats(self):
        cdef X509_STORE *store = SSL_CTX_get_cert_store(self.ctx)
        cdef stack_st_X509_OBJECT *objs
        cdef X509_OBJECT *obj
        cdef int i, x509 = 0, crl = 0, ca = 0, t
        X509_STORE_lock(store)
        objs = X509_STORE_get0_objects(store)
        for i in range(sk_X509_OBJECT_num(objs)):
            obj = sk_X509_OBJECT_value(objs, i)
            t = X509_OBJECT_get_type(obj)
            if t == X509_LU_X509:
                x509 += 1
                if X509_check_ca(X509_OBJECT_get0_X509(obj)):
                    ca += 1
            elif t == X509_LU_CRL:
                crl += 1
        X509_STORE_unlock(store)
        return {"x509": x509, "crl": crl, "x509_ca": ca}

    def get_ca_certs(self, binary_form=False):
        cdef X509_STORE *store = SSL_CTX_get_cert_store(self.ctx)
        cdef stack_st_X509_OBJECT *objs
        cdef X509_OBJECT *obj
        cdef X509 *cert
        cdef int i
        cdef list result = []
        X509_STORE_lock(store)
        try:
            objs = X509_STORE_get0_objects(store)
            for i in range(sk_X509_OBJECT_num(objs)):
                obj = sk_X509_OBJECT_value(objs, i)
                if X509_OBJECT_get_type(obj) != X509_LU_X509:
                    continue
                cert = X509_OBJECT_get0_X509(obj)
                if not X509_check_ca(cert):
                    continue
                result.append(x509_to_der(cert) if binary_form else decode_x509(cert))
        finally:
            X509_STORE_unlock(store)
        return result

    def session_stats(self):
        return {
            "number": SSL_CTX_sess_number(self.ctx),
            "connect": SSL_CTX_sess_connect(self.ctx),
            "connect_good": SSL_CTX_sess_connect_good(self.ctx),
            "connect_renegotiate": SSL_CTX_sess_connect_renegotiate(self.ctx),
            "accept": SSL_CTX_sess_accept(self.ctx),
            "accept_good": SSL_CTX_sess_accept_good(self.ctx),
            "accept_renegotiate": SSL_CTX_sess_accept_renegotiate(self.ctx),
            "hits": SSL_CTX_sess_hits(self.ctx),
            "misses": SSL_CTX_sess_misses(self.ctx),
            "timeouts": SSL_CTX_sess_timeouts(self.ctx),
            "cache_full": SSL_CTX_sess_cache_full(self.ctx),
        }

    # --- callbacks ----------------------------------------------------------------------
    def set_psk_client_callback(self, callback):
        """The client's PSK callback (3.13): ``callback(hint) -> (identity or None, psk bytes)``,
        hint being the server's identity hint (str) or None; None removes it."""
        if self.protocol == P_TLS_SERVER:
            raise build_ssl_error(_SSLError, PY_SSL_ERROR_NONE, "Cannot add PSK client callback to a "
                                  "PROTOCOL_TLS_SERVER context", SITE_PSK_CLIENT, 0, NULL, None)
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable")
        cdef int token = self._lock_exclusive()
        self._psk_client_cb = callback
        if callback is None:
            SSL_CTX_set_psk_client_callback(self.ctx, NULL)
        else:
            SSL_CTX_set_psk_client_callback(self.ctx, _psk_client_cb)
        ctx_unlock(self.lock, token)

    def set_psk_server_callback(self, callback, identity_hint=None):
        """The server's PSK callback (3.13): ``callback(identity) -> psk bytes``, identity being
        the client's (str) or None; identity_hint is sent to TLS 1.2 clients."""
        if self.protocol == P_TLS_CLIENT:
            raise build_ssl_error(_SSLError, PY_SSL_ERROR_NONE, "Cannot add PSK server callback to a "
                                  "PROTOCOL_TLS_CLIENT context", SITE_PSK_SERVER, 0, NULL, None)
        if identity_hint is not None and not isinstance(identity_hint, str):
            raise TypeError("set_psk_server_callback() argument 'identity_hint' must be str or None, "
                            f"not {type(identity_hint).__name__}")
        if identity_hint is not None and "\0" in identity_hint:
            raise ValueError("embedded null character")
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable")
        cdef bytes hint = identity_hint.encode("utf-8") if identity_hint is not None else None
        cdef int token = self._lock_exclusive()
        try:
            if SSL_CTX_use_psk_identity_hint(self.ctx, <const char *>hint if hint is not None else NULL) != 1:
                ERR_clear_error()
                raise ValueError("failed to set identity hint")
            self._psk_server_cb = callback
            if callback is None:
                SSL_CTX_set_psk_server_callback(self.ctx, NULL)
            else:
                SSL_CTX_set_psk_server_callback(self.ctx, _psk_server_cb)
        finally:
            ctx_unlock(self.lock, token)

    @property
    def _msg_callback(self):
        return self._msg_cb

    @_msg_callback.setter
    def _msg_callback(self, value):
        if value is not None and not callable(value):
            raise TypeError(f"{value!r} is not callable.")
        cdef int token = self._lock_exclusive()
        self._msg_cb = value
        if value is None:
            SSL_CTX_set_msg_callback(self.ctx, NULL)
        else:
            SSL_CTX_set_msg_callback(self.ctx, _msg_trace_cb)
        ctx_unlock(self.lock, token)

    @property
    def sni_callback(self):
        """Called as callback(sslobject, server_name, context) when a client sends SNI (server contexts)."""
        return self._sni_callback

    @sni_callback.setter
    def sni_callback(self, value):
        if self.protocol == P_TLS_CLIENT:
            raise ValueError("sni_callback cannot be set on TLS_CLIENT context")
        if value is not None and not callable(value):
            raise TypeError("not a callable object")
        self._sni_callback = value

    @property
    def keylog_filename(self):
        """The file TLS secrets are appended to (NSS key log format), or None."""
        return self._keylog_filename

    @keylog_filename.setter
    def keylog_filename(self, value):
        """A path (str, bytes, os.PathLike) opened for appending, or None. As the stdlib: the
        old file is closed first, so a failed set leaves None; any writable file type works
        (pipes, FIFOs, /dev/stderr); the header goes only to an empty seekable file."""
        cdef int fd, token = self._lock_exclusive()
        try:
            SSL_CTX_set_keylog_callback(self.ctx, NULL)
            self._keylog_filename = None
            fd, self._keylog_fd = self._keylog_fd, -1
            if fd >= 0:
                c_close(fd)
            if value is None:
                return
            path = _os.fspath(value)      # TypeError: expected str, bytes or os.PathLike object
            if ("\0" if isinstance(path, str) else b"\0") in path:
                raise ValueError("embedded null byte")    # _Py_fopen_obj's text on every version
            fd = _os.open(path, _os.O_WRONLY | _os.O_APPEND | _os.O_CREAT | _os.O_CLOEXEC, 0o666)
            try:
                if _os.lseek(fd, 0, _os.SEEK_END) == 0:
                    write_all(fd, KEYLOG_HEADER, len(KEYLOG_HEADER))
            except OSError:
                pass                      # not seekable (a pipe, a terminal): no header
            self._keylog_fd = fd
            self._keylog_filename = value
            SSL_CTX_set_keylog_callback(self.ctx, _keylog_cb)
        finally:
            ctx_unlock(self.lock, token)


# The int type and ssl._SSLMethod: the protocol values new_shared takes (what `protocol in
# (PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER)` accepts in Python, without its enum comparisons).
cdef object _SSLMethodType = _ssl_py._SSLMethod


def new_shared(cls, protocol):
    """A new certcore.SSLContext of class `cls` for PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER,
    its ContextCore sharing the SSL_CTX of the stdlib base object; None for any other protocol
    argument, which SSLContext.__new__ handles (warnings, argument errors).

    It is the body of every ``SSLContext(PROTOCOL_TLS_CLIENT)``, so it runs in C: the stdlib's own
    ``__new__`` is the benchmark, and its SSL_CTX_new is the floor both share.
    """
    cdef object t = type(protocol)
    if t is not int and t is not _SSLMethodType:
        return None
    if protocol != P_TLS_CLIENT and protocol != P_TLS_SERVER:
        return None
    self = _StdContextType.__new__(cls, protocol)
    self._core = ContextCore(protocol, self, self)
    return self


def encode_hostname(hostname):
    """A server_hostname as OpenSSL gets it: IDNA for str, ASCII for bytes (Lib/ssl.py's
    SSLContext._encode_hostname); the checks on the result are the connection's (tls.pyx)."""
    if hostname is None:
        return None
    if isinstance(hostname, str):
        return hostname.encode("idna").decode("ascii")
    return hostname.decode("ascii")


cdef bytes x509_to_der(X509 *cert):
    cdef unsigned char *buf = NULL
    cdef int n = i2d_X509(cert, &buf)
    if n < 0:
        raise_from_queue(SITE_CONTEXT)
    try:
        return buf[:n]
    finally:
        OPENSSL_free(buf)


cdef object _nid_ln(int nid):
    cdef const char *s
    if nid == 0:  # NID_undef
        return None
    s = OBJ_nid2ln(nid)
    return None if s == NULL else s[:strlen(s)].decode("ascii")


cdef dict cipher_to_dict(const SSL_CIPHER *c):
    cdef char buf[512]
    cdef int alg_bits = 0
    cdef int strength = SSL_CIPHER_get_bits(c, &alg_bits)
    cdef const char *name = SSL_CIPHER_get_name(c)
    cdef const char *proto = SSL_CIPHER_get_version(c)
    SSL_CIPHER_description(c, buf, sizeof(buf) - 1)
    desc = buf[:strlen(buf)].decode("ascii", "replace")
    if desc.endswith("\n"):
        desc = desc[:-1]
    return {
        "id": SSL_CIPHER_get_id(c),
        "name": name[:strlen(name)].decode("ascii") if name != NULL else None,
        "protocol": proto[:strlen(proto)].decode("ascii") if proto != NULL else None,
        "description": desc,
        "strength_bits": strength,
        "alg_bits": alg_bits,
        "aead": bool(SSL_CIPHER_is_aead(c)),
        "symmetric": _nid_ln(SSL_CIPHER_get_cipher_nid(c)),
        "digest": _nid_ln(SSL_CIPHER_get_digest_nid(c)),
        "kea": _nid_ln(SSL_CIPHER_get_kx_nid(c)),
        "auth": _nid_ln(SSL_CIPHER_get_auth_nid(c)),
    }
