"""Connection core: one SSL* in socket-fd mode or memory-BIO mode.

Its Python surface mirrors CPython's ``_ssl._SSLSocket`` (``do_handshake``, ``read(len,
buffer)``, ``write``, ``shutdown``, ``getpeercert``, ...), so certcore/sslsocket.py can follow
Lib/ssl.py's structure. Socket mode does the whole retry loop in C with the GIL released:
SSL_do_handshake/SSL_read_ex/SSL_write_ex/SSL_shutdown, and on WANT_READ/WANT_WRITE a poll()
on the fd until the operation's deadline (one deadline per call, like CPython). Reads go
straight into the caller's buffer.

Memory-BIO mode accepts certcore's ``MemoryBIO`` (whose BIO* is handed to OpenSSL directly) or
any object with the stdlib ``ssl.MemoryBIO`` interface (asyncio's): those are pumped through
a private BIO pair around each operation.

Sessions: ``SSLSession`` holds one reference (SSL_SESSION_up_ref) to OpenSSL's session; reading
``.session`` shares the connection's SSL_SESSION by reference (no i2d/d2i). Setting a session on a
new connection hands OpenSSL an in-memory ``SSL_SESSION_dup`` (a field copy that up-refs the peer
certificate: a few microseconds, no DER encoding or certificate parsing -- the stdlib's
i2d/d2i round trip costs ~350 us here with an RSA peer). Why not the shared pointer itself: when a
connection fails fatally OpenSSL "removes the bad session", writing ``not_resumable = 1`` into the
SSL_SESSION it used without any per-session lock -- a data race with other threads resuming from
the same object, and it would poison the user's SSLSession. With the copy, an SSLSession is never
written by the connections that resume from it. Client connections are freed quietly (no
bad-session removal) so a session read from a connection stays resumable after that connection
is closed without close_notify. The
same-SSL_CTX rule is enforced like CPython's. tests/test_tls_sessions.py checks concurrent
resumption from one SSLSession across threads and that its serialised form never changes.
"""
import weakref as _weakref

from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_SIMPLE, PyBUF_WRITABLE
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.exc cimport PyErr_CheckSignals
from cpython.object cimport PyObject
from cpython.ref cimport Py_DECREF, Py_XDECREF
from libc.errno cimport EINTR
from posixsys.errnoval cimport set_errno, get_errno
from libc.string cimport strlen
from libc.limits cimport INT_MAX

from openssl.err cimport ERR_clear_error, ERR_peek_last_error
from openssl.ssl cimport *
from openssl.x509 cimport X509, X509_free
from openssl.x509_vfy cimport *
from openssl.bio cimport (
    BIO, BIO_new, BIO_s_mem, BIO_free, BIO_up_ref, BIO_read_ex, BIO_write_ex, BIO_ctrl_pending,
    BIO_set_mem_eof_return,
)
from openssl.asn1 cimport (
    ASN1_OCTET_STRING, ASN1_STRING_get0_data, ASN1_STRING_length, ASN1_OCTET_STRING_free,
)
from openssl.x509v3 cimport a2i_IPADDRESS
from posixsys.poll cimport pollfd, poll, POLLIN, POLLOUT, timespec, clock_gettime, CLOCK_MONOTONIC

from _certcore.errors cimport (
    raise_io_error, raise_from_queue, build_ssl_error,
    SITE_HANDSHAKE, SITE_HANDSHAKE_TIMEOUT, SITE_READ, SITE_WRITE, SITE_SHUTDOWN, SITE_CONTEXT, SITE_PHA,
    SITE_SERVER_ON_CLIENT_CONTEXT, SITE_CLIENT_ON_SERVER_CONTEXT, PY_SSL_ERROR_NONE, PY_SSL_ERROR_NO_SOCKET,
)
from _certcore.context cimport (
    ContextCore, x509_to_der as _der, ctx_lock_shared, ctx_lock_shared_gil, ctx_unlock,
    P_TLS_CLIENT, P_TLS_SERVER,
)
from _certcore.x509 cimport decode_x509
from pyapi cimport PyBytes_FromStringAndSize_raw, _PyBytes_Resize, PY_VERSION_HEX

from ssl import SSLError as _SSLError, MemoryBIO as _StdMemoryBIO

cdef object _TimeoutError = TimeoutError   # socket.timeout is TimeoutError on 3.10+
import socket as _socket
_TimeoutError = _socket.timeout            # and a distinct class on 3.9

cdef enum Op:
    OP_HANDSHAKE = 0
    OP_READ = 1
    OP_WRITE = 2
    OP_SHUTDOWN = 3

# loop outcomes
cdef enum Status:
    ST_DONE = 0        # operation finished (maybe with an SSL error in res.ssl_err)
    ST_TIMEOUT = 1
    ST_EINTR = 2       # a syscall was interrupted: check signals, then call again
    ST_CLOSED = 3


# --- one OpenSSL call at a time per connection ------------------------------------------------
# OpenSSL's SSL object is not safe for concurrent calls, and the stdlib lets one thread read an
# SSLSocket while another writes it. Each connection has one recursive mutex, held around every
# OpenSSL call on it -- never while waiting in poll(), so a reader waiting for data does not
# block a writer. The same section holds the configuration lock of the context(s) the
# connection uses (see context.pyx). Recursive, because callbacks that run inside an OpenSSL
# call (SNI, keylog, a signal handler's Python code) may use the same connection again.
cdef extern from *:
    """
    #include <pthread.h>
    #include <stdlib.h>
    static void *certcore_connlock_new(void) {
        pthread_mutex_t *m = (pthread_mutex_t *)malloc(sizeof *m);
        pthread_mutexattr_t attr;
        if (m == NULL) return NULL;
        if (pthread_mutexattr_init(&attr) != 0) { free(m); return NULL; }
        if (pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0
                || pthread_mutex_init(m, &attr) != 0) {
            pthread_mutexattr_destroy(&attr);
            free(m);
            return NULL;
        }
        pthread_mutexattr_destroy(&attr);
        return m;
    }
    static void certcore_connlock_free(void *m) {
        if (m != NULL) { pthread_mutex_destroy((pthread_mutex_t *)m); free(m); }
    }
    static int certcore_connlock_try(void *m) { return pthread_mutex_trylock((pthread_mutex_t *)m) == 0; }
    static void certcore_connlock_wait(void *m) { pthread_mutex_lock((pthread_mutex_t *)m); }
    static void certcore_connlock_release(void *m) { pthread_mutex_unlock((pthread_mutex_t *)m); }
    """
    void *connlock_new "certcore_connlock_new"() nogil
    void connlock_free "certcore_connlock_free"(void *m) nogil
    bint connlock_try "certcore_connlock_try"(void *m) nogil
    void connlock_wait "certcore_connlock_wait"(void *m) nogil
    void connlock_release "certcore_connlock_release"(void *m) nogil


# --- the socket BIO ---------------------------------------------------------------------------
# OpenSSL's own socket BIO reads and writes the descriptor in whatever mode it is in: on a
# blocking socket (timeout None) SSL_read would wait inside read() -- with the connection's
# locks held, so a writer thread would wait for the reader's data. certcore's socket BIO never
# waits: every recv()/send() is MSG_DONTWAIT (and MSG_NOSIGNAL: a closed peer is EPIPE, never a
# SIGPIPE), "would block" becomes OpenSSL's retry, and all waiting happens in _run's poll(),
# which honours the socket's timeout (None: no deadline) without holding any lock. Reading
# end-of-file sets BIO_FLAGS_IN_EOF and BIO_CTRL_EOF reports it, as the socket BIO does, so
# OpenSSL tells an unexpected EOF from a retry the same way. The descriptor stays the Python
# socket's: the BIO never closes it.
cdef extern from *:
    """
    #include <openssl/bio.h>
    #include <sys/socket.h>
    #include <errno.h>
    #include <stdint.h>

    static BIO_METHOD *certcore_socket_method;

    static int certcore_sock_fd(BIO *b) { return (int)(intptr_t)BIO_get_data(b); }

    static int certcore_sock_read(BIO *b, char *buf, size_t n, size_t *got) {
        ssize_t r;
        BIO_clear_retry_flags(b);
        *got = 0;
        do { r = recv(certcore_sock_fd(b), buf, n, MSG_DONTWAIT); } while (r < 0 && errno == EINTR);
        if (r > 0) { *got = (size_t)r; return 1; }
        if (r == 0) { if (n > 0) BIO_set_flags(b, BIO_FLAGS_IN_EOF); return 0; }
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
        return 0;
    }

    static int certcore_sock_write(BIO *b, const char *buf, size_t n, size_t *written) {
        ssize_t r;
        BIO_clear_retry_flags(b);
        *written = 0;
        do {
            r = send(certcore_sock_fd(b), buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        } while (r < 0 && errno == EINTR);
        if (r >= 0) { *written = (size_t)r; return 1; }
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
        return 0;
    }

    static long certcore_sock_ctrl(BIO *b, int cmd, long num, void *ptr) {
        switch (cmd) {
        case BIO_C_GET_FD:
            if (ptr != NULL) *(int *)ptr = certcore_sock_fd(b);
            return certcore_sock_fd(b);
        case BIO_CTRL_EOF:
            return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
        case BIO_CTRL_FLUSH:
        case BIO_CTRL_DUP:
            return 1;
        default:
            return 0;
        }
    }

    static int certcore_sock_create(BIO *b) {
        BIO_set_data(b, (void *)(intptr_t)-1);
        return 1;
    }

    /* 0 on success, -1 when OpenSSL cannot allocate the method (error queue set). */
    static int certcore_socket_bio_setup(void) {
        BIO_METHOD *m;
        int index = BIO_get_new_index();
        if (index == -1) return -1;
        m = BIO_meth_new(index | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "certcore socket");
        if (m == NULL) return -1;
        if (!BIO_meth_set_read_ex(m, certcore_sock_read) || !BIO_meth_set_write_ex(m, certcore_sock_write)
                || !BIO_meth_set_ctrl(m, certcore_sock_ctrl) || !BIO_meth_set_create(m, certcore_sock_create)) {
            BIO_meth_free(m);
            return -1;
        }
        certcore_socket_method = m;
        return 0;
    }

    /* A BIO over the descriptor, or NULL (error queue set). */
    static BIO *certcore_socket_bio(int fd) {
        BIO *b = BIO_new(certcore_socket_method);
        if (b == NULL) return NULL;
        BIO_set_data(b, (void *)(intptr_t)fd);
        BIO_set_init(b, 1);
        return b;
    }
    """
    int socket_bio_setup "certcore_socket_bio_setup"() nogil
    BIO *socket_bio "certcore_socket_bio"(int fd) nogil


if socket_bio_setup() != 0:
    raise_from_queue(SITE_CONTEXT)


cdef struct ConnLocks:
    void *mutex         # the connection's recursive mutex
    void *orig          # configuration lock of the context the SSL was made from
    void *cur           # ... and of the context it uses now (an SNI callback may switch it)
    void *extra         # a context switched to in the middle of an operation: held until it ends
    int extra_token
    int depth           # how deeply the holding thread has entered (0: nobody holds the mutex)

cdef struct Held:
    void *orig
    void *cur
    int orig_token
    int cur_token


cdef inline void _hold_rest(ConnLocks *lk, Held *h) noexcept nogil:
    """With the mutex held: the configuration locks (a thread waiting for them holds no GIL)."""
    h.orig = lk.orig
    h.cur = lk.cur
    h.orig_token = ctx_lock_shared(h.orig)
    h.cur_token = ctx_lock_shared(h.cur) if h.cur != h.orig else 0
    lk.depth += 1


cdef inline void _hold(ConnLocks *lk, Held *h) noexcept nogil:
    connlock_wait(lk.mutex)
    _hold_rest(lk, h)


cdef inline void _unhold(ConnLocks *lk, Held *h) noexcept nogil:
    lk.depth -= 1
    if lk.depth == 0 and lk.extra != NULL:
        ctx_unlock(lk.extra, lk.extra_token)
        lk.extra = NULL
    if h.cur != h.orig:
        ctx_unlock(h.cur, h.cur_token)
    ctx_unlock(h.orig, h.orig_token)
    connlock_release(lk.mutex)


cdef inline void _hold_gil(ConnLocks *lk, Held *h) noexcept:
    """_hold for a thread holding the GIL: it lets the GIL go only when it has to wait."""
    if not connlock_try(lk.mutex):
        with nogil:
            connlock_wait(lk.mutex)
    if h != NULL:
        h.orig = lk.orig
        h.cur = lk.cur
        h.orig_token = ctx_lock_shared_gil(h.orig)
        h.cur_token = ctx_lock_shared_gil(h.cur) if h.cur != h.orig else 0
        lk.depth += 1


cdef struct IoState:
    int ret
    int ssl_err
    int sys_errno
    unsigned long errcode
    size_t count
    int want        # SSL_ERROR_WANT_READ/WRITE that timed out
    int shutdown    # SSL_get_shutdown after a failed call (read while the locks were held)


cdef inline double _now() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec + ts.tv_nsec * 1e-9


cdef inline int _one(SSL *ssl, int op, void *buf, size_t n, IoState *st) noexcept nogil:
    """One OpenSSL call; returns 1 on success, 0 on failure (st filled)."""
    cdef int ret
    set_errno(0)
    st.count = 0
    if op == OP_HANDSHAKE:
        ret = SSL_do_handshake(ssl)
        st.ret = ret
        if ret == 1:
            return 1
    elif op == OP_READ:
        ret = SSL_read_ex(ssl, buf, n, &st.count)
        st.ret = ret
        if ret == 1:
            return 1
    elif op == OP_WRITE:
        ret = SSL_write_ex(ssl, buf, n, &st.count)
        st.ret = ret
        if ret == 1:
            return 1
    else:
        ret = SSL_shutdown(ssl)
        st.ret = ret
        if ret >= 0:
            return 1
    st.sys_errno = get_errno()
    st.ssl_err = SSL_get_error(ssl, ret)
    st.errcode = ERR_peek_last_error()
    st.shutdown = SSL_get_shutdown(ssl)
    return 0


cdef inline int _one_held(SSL *ssl, int op, void *buf, size_t n, IoState *st, ConnLocks *lk) noexcept nogil:
    """_one with the connection's locks held for just that call (lk NULL: the caller holds them)."""
    cdef Held h
    cdef int ok
    if lk == NULL:
        return _one(ssl, op, buf, n, st)
    _hold(lk, &h)
    ok = _one(ssl, op, buf, n, st)
    _unhold(lk, &h)
    return ok


cdef int _run(SSL *ssl, int fd, int op, void *buf, size_t n, double timeout, double deadline,
              IoState *st, ConnLocks *lk) noexcept nogil:
    """The CPython retry loop for one operation, in C. timeout < 0: blocking; 0: non-blocking.
    With lk, each OpenSSL call holds the connection's locks and the waits in poll() do not."""
    cdef pollfd pfd
    cdef double remaining
    cdef int ms, r, zeros = 0
    st.ssl_err = SSL_ERROR_NONE
    st.sys_errno = 0
    st.errcode = 0
    st.want = 0
    while True:
        if _one_held(ssl, op, buf, n, st, lk):
            if op == OP_SHUTDOWN and st.ret == 0:
                # close_notify sent; call again to receive the peer's (CPython tries twice).
                zeros += 1
                if zeros > 1:
                    return ST_DONE
                if lk != NULL:
                    connlock_wait(lk.mutex)
                SSL_set_read_ahead(ssl, 0)
                if lk != NULL:
                    connlock_release(lk.mutex)
                continue
            st.ssl_err = SSL_ERROR_NONE
            return ST_DONE
        if op == OP_READ and st.ssl_err == SSL_ERROR_ZERO_RETURN and st.shutdown == SSL_RECEIVED_SHUTDOWN:
            st.ssl_err = SSL_ERROR_NONE
            st.count = 0
            return ST_DONE
        if st.sys_errno == EINTR and (st.ssl_err == SSL_ERROR_WANT_READ or st.ssl_err == SSL_ERROR_WANT_WRITE
                                      or (st.ssl_err == SSL_ERROR_SYSCALL and st.errcode == 0)):
            # a signal interrupted the socket call (OpenSSL reports EINTR as "retry"): run the
            # Python handlers, then call again (CPython checks signals after every SSL call)
            return ST_EINTR
        if st.ssl_err != SSL_ERROR_WANT_READ and st.ssl_err != SSL_ERROR_WANT_WRITE:
            return ST_DONE
        if fd < 0 or timeout == 0.0:
            return ST_DONE   # memory BIO or non-blocking socket: the caller raises SSLWant*
        pfd.fd = fd
        pfd.events = POLLIN if st.ssl_err == SSL_ERROR_WANT_READ else POLLOUT
        pfd.revents = 0
        if timeout < 0:
            ms = -1
        else:
            remaining = deadline - _now()
            if remaining <= 0:
                st.want = st.ssl_err
                return ST_TIMEOUT
            ms = <int>(remaining * 1000.0) + 1
        r = poll(&pfd, 1, ms)
        if r == 0:
            st.want = st.ssl_err
            return ST_TIMEOUT
        if r < 0:
            if get_errno() == EINTR:
                st.ssl_err = SSL_ERROR_SYSCALL
                st.sys_errno = EINTR
                st.errcode = 0
                return ST_EINTR
            return ST_DONE


# ---------------------------------------------------------------------------------------------
cdef class MemoryBIO:
    """``ssl.MemoryBIO`` over an OpenSSL memory BIO (handed to OpenSSL without copying)."""
    cdef BIO *bio
    cdef bint eof_written

    def __cinit__(self):
        self.bio = BIO_new(BIO_s_mem())
        if self.bio == NULL:
            raise MemoryError("failed to allocate BIO")
        BIO_set_mem_eof_return(self.bio, -1)
        self.eof_written = False

    def __dealloc__(self):
        if self.bio != NULL:
            BIO_free(self.bio)

    @property
    def pending(self):
        return BIO_ctrl_pending(self.bio)

    @property
    def eof(self):
        return BIO_ctrl_pending(self.bio) == 0 and self.eof_written

    def read(self, Py_ssize_t size=-1):
        cdef size_t avail = BIO_ctrl_pending(self.bio)
        cdef size_t n = avail if (size < 0 or <size_t>size > avail) else <size_t>size
        cdef size_t got = 0
        cdef PyObject *raw
        if n == 0:
            return b""
        raw = PyBytes_FromStringAndSize_raw(NULL, <Py_ssize_t>n)
        if raw == NULL:
            raise MemoryError()
        if not BIO_read_ex(self.bio, PyBytes_AS_STRING(<object>raw), n, &got):
            Py_DECREF(<object>raw)
            raise_from_queue(SITE_CONTEXT)
        if got != n:
            _PyBytes_Resize(&raw, <Py_ssize_t>got)
        result = <object>raw
        Py_DECREF(result)
        return result

    def write(self, b):
        cdef Py_buffer view
        cdef size_t written = 0
        PyObject_GetBuffer(b, &view, PyBUF_SIMPLE)
        try:
            if view.len > INT_MAX:
                raise OverflowError(f"string longer than {INT_MAX} bytes")
            if self.eof_written:
                exc = _SSLError("cannot write() after write_eof()")
                raise exc
            if view.len == 0:
                return 0
            if not BIO_write_ex(self.bio, view.buf, <size_t>view.len, &written):
                raise_from_queue(SITE_CONTEXT)
            return <Py_ssize_t>written
        finally:
            PyBuffer_Release(&view)

    def write_eof(self):
        self.eof_written = True
        BIO_set_mem_eof_return(self.bio, 0)


# ---------------------------------------------------------------------------------------------
# SSLSession and TLSConnection exist only around an OpenSSL object that this module made: like
# the stdlib's _ssl types they cannot be created from Python, so no method ever meets a NULL.
cdef object _MAKE = object()


cdef inline int _refuse_creation(object self, tuple args) except -1:
    if len(args) != 1 or args[0] is not _MAKE:
        raise TypeError(f"cannot create '{type(self).__module__}.{type(self).__qualname__}' instances")
    return 0


cdef class SSLSession:
    """One shared reference to an OpenSSL SSL_SESSION (see the module docstring)."""
    cdef SSL_SESSION *session
    cdef ContextCore ctx

    def __cinit__(self, *args):
        _refuse_creation(self, args)

    def __dealloc__(self):
        if self.session != NULL:
            SSL_SESSION_free(self.session)

    @property
    def id(self):
        cdef unsigned int n = 0
        cdef const unsigned char *p = SSL_SESSION_get_id(self.session, &n)
        return p[:n]

    @property
    def time(self):
        return SSL_SESSION_get_time(self.session)

    @property
    def timeout(self):
        return SSL_SESSION_get_timeout(self.session)

    @property
    def ticket_lifetime_hint(self):
        return SSL_SESSION_get_ticket_lifetime_hint(self.session)

    @property
    def has_ticket(self):
        return bool(SSL_SESSION_has_ticket(self.session))

    def _serialized(self):
        """i2d_SSL_SESSION of the shared session (tests prove it never changes)."""
        cdef int n = i2d_SSL_SESSION(self.session, NULL)
        b = bytearray(n)
        cdef unsigned char *p = b
        i2d_SSL_SESSION(self.session, &p)
        return bytes(b)

    def __eq__(self, other):
        if not isinstance(other, SSLSession):
            return NotImplemented
        if (<SSLSession>other).session == self.session:
            return True
        return self.id == other.id

    # unhashable, as the stdlib's: equality follows the session id, which a resumption renews
    __hash__ = None


cdef SSLSession _wrap_session(SSL_SESSION *s, ContextCore ctx):
    cdef SSLSession obj = SSLSession.__new__(SSLSession, _MAKE)
    SSL_SESSION_up_ref(s)
    obj.session = s
    obj.ctx = ctx
    return obj


# ---------------------------------------------------------------------------------------------
cdef class TLSConnection:
    """One SSL* (CPython's ``_ssl._SSLSocket``)."""
    cdef SSL *ssl
    cdef ContextCore _ctx
    cdef ContextCore _orig_ctx       # the SSL_CTX the SSL was made from (its callbacks' arg)
    cdef list _ctx_history           # contexts switched away from (their locks stay valid)
    cdef object _ctx_owner           # the public SSLContext (strong), returned by .context
    cdef object _sock_ref            # weakref to the Python socket (socket mode)
    cdef int fd
    cdef object _owner_ref           # weakref to SSLSocket/SSLObject (for sni_callback)
    cdef readonly bint server_side
    cdef readonly object server_hostname
    cdef object incoming, outgoing   # stdlib-like BIO objects that must be pumped (else None)
    cdef BIO *rbio
    cdef BIO *wbio
    cdef ConnLocks lk
    cdef object _callback_error      # what a _msg_callback raised, for the running operation
    cdef object _waiter              # cooperative wait (gevent), or None: _drive waits in poll()
    cdef object __weakref__

    def __cinit__(self, *args):
        _refuse_creation(self, args)
        self.lk.mutex = connlock_new()
        if self.lk.mutex == NULL:
            raise MemoryError()

    def __dealloc__(self):
        connlock_free(self.lk.mutex)
        self.lk.mutex = NULL
        if self.ssl != NULL:
            if not self.server_side:
                # SSL_free of a finished connection that sent no close_notify would "remove the
                # bad session" and mark the SSL_SESSION not resumable -- the session an
                # SSLSession shares by reference. A client has no session cache to protect, so
                # free quietly (the stdlib gets the same effect by copying sessions).
                SSL_set_shutdown(self.ssl, SSL_get_shutdown(self.ssl) | SSL_SENT_SHUTDOWN)
            SSL_free(self.ssl)
            self.ssl = NULL

    @property
    def owner(self):
        return self._owner_ref() if self._owner_ref is not None else None

    @owner.setter
    def owner(self, value):
        self._owner_ref = None if value is None else _weakref.ref(value)

    @property
    def context(self):
        return self._ctx_owner

    @property
    def waiter(self):
        """``waiter(fd, write, timeout) -> timed_out`` parks the caller until ``fd`` is readable
        (writable if ``write``) or ``timeout`` seconds pass (None: no limit) and returns true on a
        timeout. With a waiter, socket-mode operations wait through it instead of in poll(): an event
        loop (gevent's hub) runs its other tasks meanwhile. None (the default): poll() in C."""
        return self._waiter

    @waiter.setter
    def waiter(self, value):
        if value is not None and not callable(value):
            raise TypeError(f"waiter must be callable or None, not {type(value).__name__}")
        self._waiter = value

    def set_context(self, ContextCore core not None, owner):
        """Switch to another context (SSLSocket.context = ...): core, and the public owner."""
        cdef void *new_lock = core.lock
        cdef Held h
        cdef int token
        _hold_gil(&self.lk, &h)
        # An SNI callback switches contexts in the middle of a handshake (depth > 1: this
        # thread is inside an OpenSSL call on this connection): the new context's lock is then
        # held until that call ends, as the old one's is.
        token = ctx_lock_shared_gil(new_lock)
        try:
            if SSL_set_SSL_CTX(self.ssl, core.ctx) == NULL:
                ctx_unlock(new_lock, token)
                raise_from_queue(SITE_CONTEXT)
            if self.lk.depth > 1 and self.lk.extra == NULL:
                self.lk.extra = new_lock
                self.lk.extra_token = token
            else:
                ctx_unlock(new_lock, token)
            self.lk.cur = new_lock
            # the locks of contexts held by an OpenSSL call still running on this thread must
            # outlive it: the connection keeps every context it switched away from
            self._ctx_history.append(self._ctx)
            self._ctx = core
            self._ctx_owner = owner
        finally:
            _unhold(&self.lk, &h)

    # --- timeouts -----------------------------------------------------------------------
    cdef inline double _timeout(self) except? -2.0:
        cdef object sock
        if self._sock_ref is None:
            return 0.0
        sock = self._sock_ref()
        if sock is None:
            return 0.0
        t = sock.gettimeout()
        return -1.0 if t is None else <double>t

    cdef int _check_sock(self) except -1:
        if self._sock_ref is not None:
            sock = self._sock_ref()
            if sock is None or sock.fileno() < 0:
                raise build_ssl_error(_SSLError, PY_SSL_ERROR_NO_SOCKET, "Underlying socket connection gone",
                                      SITE_READ, 0, NULL, None)
        return 0

    # --- BIO pumping for stdlib MemoryBIO objects ----------------------------------------
    cdef int _pump_in(self) except -1:
        cdef Py_buffer view
        cdef size_t w
        if self.incoming is None:
            return 0
        data = self.incoming.read()
        if data:
            PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
            try:
                if not BIO_write_ex(self.rbio, view.buf, <size_t>view.len, &w):
                    raise_from_queue(SITE_CONTEXT)
            finally:
                PyBuffer_Release(&view)
        if self.incoming.eof:
            BIO_set_mem_eof_return(self.rbio, 0)
        return 0

    cdef int _pump_out(self) except -1:
        cdef size_t n, got
        cdef PyObject *raw
        if self.outgoing is None:
            return 0
        n = BIO_ctrl_pending(self.wbio)
        if n == 0:
            return 0
        raw = PyBytes_FromStringAndSize_raw(NULL, <Py_ssize_t>n)
        if raw == NULL:
            raise MemoryError()
        data = <object>raw
        Py_DECREF(data)
        if not BIO_read_ex(self.wbio, PyBytes_AS_STRING(data), n, &got):
            raise_from_queue(SITE_CONTEXT)
        self.outgoing.write(data)
        return 0

    # --- the operation driver -------------------------------------------------------------
    cdef int _drive(self, int op, void *buf, size_t n, IoState *st, int site) except -1:
        cdef double timeout, deadline = 0.0
        cdef int status
        cdef SSL *ssl = self.ssl
        cdef int fd = self.fd
        cdef Held h
        if self._sock_ref is not None:
            self._check_sock()
            timeout = self._timeout()
        else:
            timeout = 0.0
        if timeout > 0:
            deadline = _now() + timeout
        if self.incoming is None and (op == OP_HANDSHAKE or op == OP_SHUTDOWN or timeout != 0.0):
            if self._waiter is not None and timeout != 0.0:
                return self._drive_cooperative(op, buf, n, st, site, timeout, deadline)
            # may wait or compute for long: without the GIL, the locks held per OpenSSL call
            while True:
                with nogil:
                    status = _run(ssl, fd, op, buf, n, timeout, deadline, st, &self.lk)
                if status != ST_EINTR:
                    break
                ERR_clear_error()
                PyErr_CheckSignals()
            _hold_gil(&self.lk, &h)
            try:
                self._pump_out()
                self._raise_for(op, status, st, site)
            finally:
                _unhold(&self.lk, &h)
            return 0
        # memory BIO / non-blocking: no waiting happens, the GIL round-trip costs more
        _hold_gil(&self.lk, &h)
        try:
            self._pump_in()
            while True:
                status = _run(ssl, fd, op, buf, n, timeout, deadline, st, NULL)
                if status != ST_EINTR:
                    break
                ERR_clear_error()
                PyErr_CheckSignals()
            self._pump_out()
            self._raise_for(op, status, st, site)
        finally:
            _unhold(&self.lk, &h)
        return 0

    cdef int _drive_cooperative(self, int op, void *buf, size_t n, IoState *st, int site,
                                double timeout, double deadline) except -1:
        """_drive for a socket whose waits belong to an event loop: a poll() here would stop the
        whole OS thread, gevent's hub and every greenlet with it. Each OpenSSL call runs without
        waiting (_run with timeout 0 returns on WANT_READ/WANT_WRITE) and the waiter parks just
        this greenlet until the descriptor is ready; the deadline stays one per operation, as in
        CPython, so the timeouts and their messages are the poll() path's."""
        cdef SSL *ssl = self.ssl
        cdef int fd = self.fd
        cdef int status, want
        cdef double remaining
        cdef Held h
        waiter = self._waiter
        while True:
            with nogil:
                status = _run(ssl, fd, op, buf, n, 0.0, 0.0, st, &self.lk)
            if status == ST_EINTR:
                ERR_clear_error()
                PyErr_CheckSignals()
                continue
            want = st.ssl_err
            if want != SSL_ERROR_WANT_READ and want != SSL_ERROR_WANT_WRITE:
                break
            # the error queue is per thread: other greenlets run OpenSSL on it while this one waits
            ERR_clear_error()
            if timeout < 0:
                timed_out = waiter(fd, want == SSL_ERROR_WANT_WRITE, None)
            else:
                remaining = deadline - _now()
                timed_out = remaining <= 0 or waiter(fd, want == SSL_ERROR_WANT_WRITE, remaining)
            if timed_out:
                st.want = want
                status = ST_TIMEOUT
                break
        _hold_gil(&self.lk, &h)
        try:
            self._raise_for(op, status, st, site)
        finally:
            _unhold(&self.lk, &h)
        return 0

    def _keep_callback_error(self, exc):
        """Keep the first exception a trace callback raised; the operation raises it."""
        if self._callback_error is None:
            self._callback_error = exc

    cdef int _raise_for(self, int op, int status, IoState *st, int site) except -1:
        """The exception for a finished operation, if it failed (the locks are held)."""
        if self._callback_error is not None:
            exc, self._callback_error = self._callback_error, None
            ERR_clear_error()
            raise exc
        if status == ST_TIMEOUT:
            ERR_clear_error()
            if op == OP_HANDSHAKE:
                raise _TimeoutError(f"_ssl.c:{SITE_HANDSHAKE_TIMEOUT}: The handshake operation timed out")
            if op == OP_READ or (op == OP_SHUTDOWN and st.want == SSL_ERROR_WANT_READ):
                raise _TimeoutError("The read operation timed out")
            raise _TimeoutError("The write operation timed out")
        if st.ssl_err != SSL_ERROR_NONE:
            raise_io_error(self.ssl, st.ssl_err, st.sys_errno if st.ret != 0 else 0, st.errcode,
                           site, self.server_hostname)
        return 0

    # --- _ssl._SSLSocket API --------------------------------------------------------------
    def do_handshake(self):
        cdef IoState st
        self._drive(OP_HANDSHAKE, NULL, 0, &st, SITE_HANDSHAKE)

    def read(self, Py_ssize_t len=1024, buffer=None):
        cdef IoState st
        cdef Py_buffer view
        cdef PyObject *raw
        if len < 0 and buffer is None:
            raise ValueError("size should not be negative")
        if buffer is None:
            if len == 0:
                return b""
            raw = PyBytes_FromStringAndSize_raw(NULL, len)
            if raw == NULL:
                raise MemoryError()
            try:
                self._drive(OP_READ, PyBytes_AS_STRING(<object>raw), <size_t>len, &st, SITE_READ)
            except BaseException:
                Py_XDECREF(raw)
                raise
            if <Py_ssize_t>st.count != len:
                _PyBytes_Resize(&raw, <Py_ssize_t>st.count)
            result = <object>raw
            Py_DECREF(result)
            return result
        try:
            PyObject_GetBuffer(buffer, &view, PyBUF_WRITABLE)
        except (BufferError, TypeError):
            # argument clinic's "w*" wording
            raise TypeError("read() argument 2 must be read-write bytes-like object, "
                            f"not {type(buffer).__name__}") from None
        try:
            if len <= 0 or len > view.len:
                len = view.len
                if len == 0:
                    return 0
            self._drive(OP_READ, view.buf, <size_t>len, &st, SITE_READ)
            return <Py_ssize_t>st.count
        finally:
            PyBuffer_Release(&view)

    def write(self, data):
        cdef IoState st
        cdef Py_buffer view
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            if view.len > INT_MAX:
                raise OverflowError(f"string longer than {INT_MAX} bytes")
            self._drive(OP_WRITE, view.buf, <size_t>view.len, &st, SITE_WRITE)
            return <Py_ssize_t>st.count
        finally:
            PyBuffer_Release(&view)

    def pending(self):
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            return SSL_pending(self.ssl)
        finally:
            _unhold(&self.lk, &_h)

    def shutdown(self):
        cdef IoState st
        self._drive(OP_SHUTDOWN, NULL, 0, &st, SITE_SHUTDOWN)
        if self._sock_ref is not None:
            return self._sock_ref()
        return None

    def getpeercert(self, binary_form=False):
        cdef X509 *cert
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            if not SSL_is_init_finished(self.ssl):
                raise ValueError("handshake not done yet")
            cert = SSL_get1_peer_certificate(self.ssl)
            if cert == NULL:
                return None
            try:
                if binary_form:
                    return _der(cert)
                if SSL_CTX_get_verify_mode(SSL_get_SSL_CTX(self.ssl)) & SSL_VERIFY_PEER == 0:
                    return {}
                return decode_x509(cert)
            finally:
                X509_free(cert)
        finally:
            _unhold(&self.lk, &_h)

    def _chain(self, bint verified):
        cdef stack_st_X509 *sk
        cdef X509 *peer
        cdef int i
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            sk = SSL_get0_verified_chain(self.ssl) if verified else SSL_get_peer_cert_chain(self.ssl)
            if sk == NULL:
                return []
            chain = [_der(sk_X509_value(sk, i)) for i in range(sk_X509_num(sk))]
            if not verified and SSL_is_server(self.ssl):
                # a server's peer chain leaves out the client's own certificate; _ssl.c puts it first
                peer = SSL_get1_peer_certificate(self.ssl)
                if peer != NULL:
                    try:
                        chain.insert(0, _der(peer))
                    finally:
                        X509_free(peer)
            return chain
        finally:
            _unhold(&self.lk, &_h)

    def get_verified_chain(self):
        return self._chain(True)

    def get_unverified_chain(self):
        return self._chain(False)

    def cipher(self):
        cdef const SSL_CIPHER *c
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            c = SSL_get_current_cipher(self.ssl)
            if c == NULL:
                return None
            return _cipher_tuple(c)
        finally:
            _unhold(&self.lk, &_h)

    def shared_ciphers(self):
        cdef stack_st_SSL_CIPHER *client
        cdef stack_st_SSL_CIPHER *server
        cdef const SSL_CIPHER *c
        cdef int i
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            server = SSL_get_ciphers(self.ssl)
            if PY_VERSION_HEX < 0x030A0000:
                # 3.9 lists every enabled cipher, on both sides, before or after the handshake
                if server == NULL:
                    return None
                return [_cipher_tuple(sk_SSL_CIPHER_value(server, i)) for i in range(sk_SSL_CIPHER_num(server))]
            client = SSL_get_client_ciphers(self.ssl)
            if client == NULL or server == NULL:
                return None
            res = []
            for i in range(sk_SSL_CIPHER_num(server)):
                c = sk_SSL_CIPHER_value(server, i)
                if sk_SSL_CIPHER_find(client, c) >= 0:
                    res.append(_cipher_tuple(c))
            return res
        finally:
            _unhold(&self.lk, &_h)

    def compression(self):
        cdef const void *comp
        cdef const char *name
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            comp = SSL_get_current_compression(self.ssl)
            if comp == NULL:
                return None
            name = SSL_COMP_get_name(comp)
            return None if name == NULL else name[:strlen(name)].decode("ascii")
        finally:
            _unhold(&self.lk, &_h)

    def version(self):
        cdef const char *v
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            if not SSL_is_init_finished(self.ssl):
                return None
            v = SSL_get_version(self.ssl)
            return v[:strlen(v)].decode("ascii")
        finally:
            _unhold(&self.lk, &_h)

    def selected_alpn_protocol(self):
        cdef const unsigned char *out
        cdef unsigned int n
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            out = NULL
            n = 0
            SSL_get0_alpn_selected(self.ssl, &out, &n)
            if out == NULL or n == 0:
                return None
            return out[:n].decode("utf-8")
        finally:
            _unhold(&self.lk, &_h)

    def get_channel_binding(self, cb_type="tls-unique"):
        cdef unsigned char buf[128]
        cdef size_t n
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            if cb_type != "tls-unique":
                raise ValueError(f"'{cb_type}' channel binding type not implemented")
            if bool(SSL_session_reused(self.ssl)) ^ (not self.server_side):
                n = SSL_get_finished(self.ssl, buf, sizeof(buf))
            else:
                n = SSL_get_peer_finished(self.ssl, buf, sizeof(buf))
            if n == 0:
                return None
            return buf[:n]
        finally:
            _unhold(&self.lk, &_h)

    def verify_client_post_handshake(self):
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            if not SSL_verify_client_post_handshake(self.ssl):
                raise_from_queue(SITE_PHA)
        finally:
            _unhold(&self.lk, &_h)

    @property
    def session(self):
        cdef SSL_SESSION *s
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            s = SSL_get_session(self.ssl)
            if s == NULL:
                return None
            return _wrap_session(s, self._ctx)
        finally:
            _unhold(&self.lk, &_h)

    @session.setter
    def session(self, value):
        if not isinstance(value, SSLSession):
            raise TypeError("Value is not a SSLSession.")
        if (<SSLSession>value).ctx.ctx != SSL_get_SSL_CTX(self.ssl):
            raise ValueError("Session refers to a different SSLContext.")
        if self.server_side:
            raise ValueError("Cannot set session for server-side SSLSocket.")
        cdef SSL_SESSION *sess
        cdef int ok
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            if SSL_is_init_finished(self.ssl):
                raise ValueError("Cannot set session after handshake.")
            # a copy: the connection may write into the session it resumes (module docstring)
            sess = SSL_SESSION_dup((<SSLSession>value).session)
            if sess == NULL:
                raise_from_queue(SITE_CONTEXT)
            ok = SSL_set_session(self.ssl, sess)
            SSL_SESSION_free(sess)
            if not ok:
                raise_from_queue(SITE_CONTEXT)
        finally:
            _unhold(&self.lk, &_h)

    @property
    def session_reused(self):
        cdef Held _h
        _hold_gil(&self.lk, &_h)
        try:
            return bool(SSL_session_reused(self.ssl))
        finally:
            _unhold(&self.lk, &_h)


cdef tuple _cipher_tuple(const SSL_CIPHER *c):
    cdef const char *name = SSL_CIPHER_get_name(c)
    cdef const char *ver = SSL_CIPHER_get_version(c)
    return (None if name == NULL else name[:strlen(name)].decode("ascii"),
            None if ver == NULL else ver[:strlen(ver)].decode("ascii"),
            SSL_CIPHER_get_bits(c, NULL))


cdef TLSConnection _new_conn(ContextCore ctx, object ctx_owner, bint server_side,
                             object server_hostname, object owner):
    cdef TLSConnection conn = TLSConnection.__new__(TLSConnection, _MAKE)
    cdef bytes host
    cdef ASN1_OCTET_STRING *ip
    cdef X509_VERIFY_PARAM *param
    # 3.10+ refuses a connection in the wrong role up front; 3.9 lets OpenSSL fail the handshake
    if PY_VERSION_HEX < 0x030A0000:
        pass
    elif not server_side and ctx.protocol == P_TLS_SERVER:
        raise build_ssl_error(_SSLError, PY_SSL_ERROR_NONE, "Cannot create a client socket with a "
                              "PROTOCOL_TLS_SERVER context", SITE_CLIENT_ON_SERVER_CONTEXT, 0, NULL, None)
    if server_side and ctx.protocol == P_TLS_CLIENT:
        raise build_ssl_error(_SSLError, PY_SSL_ERROR_NONE, "Cannot create a server socket with a "
                              "PROTOCOL_TLS_CLIENT context", SITE_SERVER_ON_CLIENT_CONTEXT, 0, NULL, None)
    conn.fd = -1
    conn._ctx = ctx
    conn._orig_ctx = ctx
    conn._ctx_owner = ctx_owner
    conn.server_side = server_side
    conn.server_hostname = server_hostname
    conn._owner_ref = None if owner is None else _weakref.ref(owner)
    conn.lk.orig = ctx.lock
    conn.lk.cur = ctx.lock
    conn._ctx_history = []
    cdef int token = ctx_lock_shared_gil(ctx.lock)
    conn.ssl = SSL_new(ctx.ctx)
    ctx_unlock(ctx.lock, token)
    if conn.ssl == NULL:
        raise_from_queue(SITE_CONTEXT)
    SSL_set_app_data(conn.ssl, <void *>conn)     # borrowed: conn owns the SSL
    SSL_set_mode(conn.ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY)
    if server_hostname is not None:
        host = server_hostname.encode("ascii") if isinstance(server_hostname, str) else bytes(server_hostname)
        if len(host) == 0 or host[:1] == b".":
            raise ValueError("server_hostname cannot be an empty string or start with a leading dot.")
        if b"\0" in host:
            raise TypeError("argument must be encoded string without null bytes, not str")
        ip = a2i_IPADDRESS(host)
        if ip == NULL:
            ERR_clear_error()
            if not SSL_set_tlsext_host_name(conn.ssl, host):
                raise_from_queue(SITE_CONTEXT)
        try:
            if ctx._check_hostname:
                param = SSL_get0_param(conn.ssl)
                if ip == NULL:
                    if not X509_VERIFY_PARAM_set1_host(param, host, len(host)):
                        raise_from_queue(SITE_CONTEXT)
                else:
                    if not X509_VERIFY_PARAM_set1_ip(param, ASN1_STRING_get0_data(ip),
                                                     <size_t>ASN1_STRING_length(ip)):
                        raise_from_queue(SITE_CONTEXT)
        finally:
            if ip != NULL:
                ASN1_OCTET_STRING_free(ip)
    if ctx._post_handshake_auth:
        if server_side:
            if SSL_get_verify_mode(conn.ssl) & SSL_VERIFY_PEER:
                SSL_set_verify(conn.ssl, SSL_get_verify_mode(conn.ssl) | SSL_VERIFY_POST_HANDSHAKE, NULL)
        else:
            SSL_set_post_handshake_auth(conn.ssl, 1)
    if server_side:
        SSL_set_accept_state(conn.ssl)
    else:
        SSL_set_connect_state(conn.ssl)
    return conn


def new_socket_conn(ContextCore ctx not None, ctx_owner, sock, bint server_side, server_hostname,
                    owner, session=None):
    """The SSL* for a connected Python socket (the SSLSocket itself); ctx_owner is the public
    SSLContext that ctx belongs to (what .context returns)."""
    cdef TLSConnection conn = _new_conn(ctx, ctx_owner, server_side, server_hostname, owner)
    cdef BIO *bio
    conn.fd = sock.fileno()
    conn._sock_ref = _weakref.ref(sock)
    bio = socket_bio(conn.fd)
    if bio == NULL:
        raise_from_queue(SITE_CONTEXT)
    SSL_set_bio(conn.ssl, bio, bio)     # the SSL owns the one reference now
    if session is not None:
        conn.session = session
    return conn


def new_bio_conn(ContextCore ctx not None, ctx_owner, incoming, outgoing, bint server_side,
                 server_hostname, owner, session=None):
    """The SSL* for memory-BIO mode (SSLObject); incoming/outgoing are certcore or stdlib
    MemoryBIOs; ctx_owner as for new_socket_conn."""
    for arg, bio in (("incoming", incoming), ("outgoing", outgoing)):
        if not isinstance(bio, (MemoryBIO, _StdMemoryBIO)):
            raise TypeError(f"_wrap_bio() argument '{arg}' must be _ssl.MemoryBIO, not {type(bio).__name__}")
    cdef TLSConnection conn = _new_conn(ctx, ctx_owner, server_side, server_hostname, owner)
    cdef BIO *rb
    cdef BIO *wb
    if isinstance(incoming, MemoryBIO):
        rb = (<MemoryBIO>incoming).bio
        if not BIO_up_ref(rb):
            raise_from_queue(SITE_CONTEXT)
    else:
        rb = BIO_new(BIO_s_mem())
        if rb == NULL:
            raise_from_queue(SITE_CONTEXT)
        BIO_set_mem_eof_return(rb, -1)
        conn.incoming = incoming
    if isinstance(outgoing, MemoryBIO):
        wb = (<MemoryBIO>outgoing).bio
        if not BIO_up_ref(wb):
            BIO_free(rb)
            raise_from_queue(SITE_CONTEXT)
    else:
        wb = BIO_new(BIO_s_mem())
        if wb == NULL:
            BIO_free(rb)
            raise_from_queue(SITE_CONTEXT)
        conn.outgoing = outgoing
    conn.rbio = rb
    conn.wbio = wb
    SSL_set_bio(conn.ssl, rb, wb)      # the SSL owns these references now
    if session is not None:
        conn.session = session
    return conn
