"""certcore's SSLContext, SSLSocket and SSLObject: CPython 3.11's ``Lib/ssl.py`` surface over
the compiled cores in ``_certcore.context`` (one SSL_CTX*) and ``_certcore.tls`` (one SSL*).

The classes subclass the stdlib's (``ssl.SSLContext``, ``ssl.SSLSocket``, ``ssl.SSLObject``) only
so that ``isinstance`` checks in the stdlib and third-party code (asyncio, ftplib, urllib3) accept
them; every method and property those classes define is overridden here (a test checks that),
so no stdlib TLS code runs on certcore objects. Behaviour is 3.11's on every Python certcore
supports (3.9-3.13).
"""
import errno as _errno
import functools as _functools
import socket as _socket
import ssl as _ssl
import sys as _sys
import warnings as _warnings
from socket import SOCK_STREAM, SO_TYPE, SOL_SOCKET

from _certcore.context import ContextCore as _ContextCore
from _certcore.context import encode_hostname as _encode_hostname
from _certcore.context import new_shared as _new_shared
from _certcore.tls import new_bio_conn as _new_bio_conn
from _certcore.tls import new_socket_conn as _new_socket_conn

# 3.10 deprecated the implicit protocol and the version-specific ones.
_PY310 = _sys.version_info >= (3, 10)
_StdContext = _ssl.SSLContext
_StdSocket = _ssl.SSLSocket
_StdObject = _ssl.SSLObject
_StdBase = _ssl._ssl._SSLContext
SSLError = _ssl.SSLError
SSL_ERROR_EOF = _ssl.SSL_ERROR_EOF
Options = _ssl.Options
VerifyMode = _ssl.VerifyMode
VerifyFlags = _ssl.VerifyFlags
TLSVersion = _ssl.TLSVersion
Purpose = _ssl.Purpose
_SSLMethod = _ssl._SSLMethod
PROTOCOL_TLS = _ssl.PROTOCOL_TLS
PROTOCOL_TLS_CLIENT = _ssl.PROTOCOL_TLS_CLIENT
PROTOCOL_TLS_SERVER = _ssl.PROTOCOL_TLS_SERVER
CHANNEL_BINDING_TYPES = ["tls-unique"]
_ASN1Object = _ssl._ASN1Object
_TLSContentType = _ssl._TLSContentType
_TLSAlertType = _ssl._TLSAlertType
_TLSMessageType = _ssl._TLSMessageType


def _core_property(name, wrap=None, readonly=False, doc=None):
    """SSLContext.<name>: ContextCore's attribute, which validates what is set; reading wraps
    the value in the stdlib's enum `wrap`."""
    attr = getattr(_ContextCore, name)
    if wrap is None:
        def get(self):
            return getattr(self._core, name)
    else:
        def get(self):
            return wrap(getattr(self._core, name))

    def set(self, value):
        setattr(self._core, name, value)

    return property(get, None if readonly else set, doc=doc or attr.__doc__)


def _core_of(ctx):
    core = getattr(ctx, "_core", None)
    if not isinstance(core, _ContextCore):
        raise TypeError("The value must be a SSLContext")
    return core


def _core_method(name):
    """SSLContext.<name>(...): ContextCore's method, with its signature and docstring."""
    method = getattr(_ContextCore, name)

    @_functools.wraps(method)
    def call(self, *args, **kwargs):
        return method(self._core, *args, **kwargs)

    return call


# Lib/ssl.py's setters for these names (3.9-3.13; a test reads the running ssl.py) end in
# ``super(SSLContext, SSLContext).<name>.__set__(self, value)``, with ``SSLContext`` read from the
# ssl module's globals when the setter runs. While ``ssl.SSLContext`` is certcore's class
# (certcore.inject_into_ssl, or a hand-made ``ssl.SSLContext = certcore.SSLContext``), that super()
# lands on the class after certcore's in its MRO, _StdContextBridge below, whose descriptors finish
# the stdlib's job. Were it the stdlib's class, its property would be found again and a stdlib
# context's setter would call itself until RecursionError.
_STD_SUPER_SETTERS = ("options", "verify_mode", "verify_flags", "minimum_version", "maximum_version",
                      "_msg_callback")


class _StdSetter:
    """``super(certcore.SSLContext, certcore.SSLContext).<name>``: a data descriptor.

    On a context that is not certcore's, setting does what the stdlib's setter does after its
    super() call (the C base ``_ssl._SSLContext``'s descriptor stores the value) and reading is the
    stdlib's property (its getter uses a zero-argument super(), which never reads the module
    global). On a certcore context both go to certcore's own property, so the value reaches the
    SSL_CTX that does the work, not the unused one of the stdlib base.
    """

    __slots__ = ("name", "_c_attr", "_std_attr")

    def __init__(self, name):
        self.name = name
        self._c_attr = vars(_StdBase)[name]
        self._std_attr = vars(_StdContext)[name]

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        if type.__instancecheck__(SSLContext, obj):
            return vars(SSLContext)[self.name].__get__(obj, objtype)
        return self._std_attr.__get__(obj, objtype)

    def __set__(self, obj, value):
        if type.__instancecheck__(SSLContext, obj):
            vars(SSLContext)[self.name].__set__(obj, value)
        else:
            self._c_attr.__set__(obj, value)


class _ContextType(type):
    """certcore.SSLContext's metaclass: while the class is ``ssl.SSLContext``, instances and
    subclasses of the stdlib class it displaced still pass ``isinstance``/``issubclass`` against it.

    asyncio's ``start_tls``, aiohttp's connector and anyio look ``ssl.SSLContext`` up when they
    check a context, and a stdlib context made before the swap must still be accepted there.
    """

    def __instancecheck__(cls, obj):
        return type.__instancecheck__(cls, obj) or (
            _ssl.SSLContext is cls and type.__instancecheck__(_StdContext, obj))

    def __subclasscheck__(cls, sub):
        return type.__subclasscheck__(cls, sub) or (
            _ssl.SSLContext is cls and type.__subclasscheck__(_StdContext, sub))


class _StdContextBridge(_StdContext, metaclass=_ContextType):
    """The class between certcore.SSLContext and the stdlib's ``ssl.SSLContext``: it holds the
    ``_StdSetter`` descriptors that stdlib contexts' setters reach once ``ssl.SSLContext`` is
    certcore's class."""

    __slots__ = ()


for _name in _STD_SUPER_SETTERS:
    if _name in vars(_StdContext) and _name in vars(_StdBase):
        setattr(_StdContextBridge, _name, _StdSetter(_name))
del _name


class SSLContext(_StdContextBridge):
    """An SSL context (``ssl.SSLContext`` API) over one OpenSSL SSL_CTX."""

    __slots__ = ("_core",)

    def __new__(cls, protocol=None if _PY310 else PROTOCOL_TLS, *args, **kwargs):
        if protocol is None and _PY310:
            _warnings.warn("ssl.SSLContext() without protocol argument is deprecated.",
                           category=DeprecationWarning, stacklevel=2)
            protocol = PROTOCOL_TLS
        # PROTOCOL_TLS_CLIENT and _SERVER: the stdlib base makes an SSL_CTX for the protocol and
        # the core takes that one over instead of making a second (context.pyx)
        self = _new_shared(cls, protocol)
        if self is None:
            core = _ContextCore(protocol)
            if _PY310 and protocol in (PROTOCOL_TLS, _ssl.PROTOCOL_TLSv1, _ssl.PROTOCOL_TLSv1_1,
                                       _ssl.PROTOCOL_TLSv1_2):
                _warnings.warn(f"ssl.{_SSLMethod(protocol).name} is deprecated",
                               category=DeprecationWarning, stacklevel=2)
            # The stdlib base's own SSL_CTX stays unused here (the stdlib warns for these
            # protocols itself, so it is made as a client's).
            self = _StdBase.__new__(cls, PROTOCOL_TLS_CLIENT)
            core._set_owner(self)
            self._core = core
        return self

    sslsocket_class = None   # set below
    sslobject_class = None

    def _encode_hostname(self, hostname):
        return _encode_hostname(hostname)

    # --- wrapping --------------------------------------------------------------------------
    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None, session=None):
        """Wrap a connected or unconnected ``socket.socket`` in a certcore ``SSLSocket`` (the stdlib's signature)."""
        return self.sslsocket_class._create(
            sock=sock, server_side=server_side, do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs, server_hostname=server_hostname,
            context=self, session=session)

    def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None, session=None):
        """A certcore ``SSLObject`` doing TLS over two ``MemoryBIO`` objects (certcore's or the stdlib's)."""
        return self.sslobject_class._create(
            incoming, outgoing, server_side=server_side,
            server_hostname=self._encode_hostname(server_hostname), session=session, context=self)

    def _wrap_socket(self, sock, server_side, server_hostname=None, *, owner=None, session=None):
        conn = _new_socket_conn(self._core, self, sock, server_side, server_hostname, owner, session)
        conn.waiter = _cooperative_waiter(sock)
        return conn

    def _wrap_bio(self, incoming, outgoing, server_side, server_hostname=None, *, owner=None,
                  session=None):
        return _new_bio_conn(self._core, self, incoming, outgoing, server_side, server_hostname,
                             owner, session)

    # --- configuration: ContextCore's, values wrapped in the stdlib's enums ------------------
    protocol = _core_property("protocol", _SSLMethod, readonly=True,
                              doc="The protocol the context was made for (ssl._SSLMethod).")
    verify_mode = _core_property("verify_mode", VerifyMode)
    check_hostname = _core_property("check_hostname")
    options = _core_property("options", Options)
    verify_flags = _core_property("verify_flags", VerifyFlags)
    minimum_version = _core_property("minimum_version", TLSVersion)
    maximum_version = _core_property("maximum_version", TLSVersion)
    hostname_checks_common_name = _core_property("hostname_checks_common_name")
    _host_flags = _core_property("_host_flags")
    post_handshake_auth = _core_property("post_handshake_auth")
    keylog_filename = _core_property("keylog_filename")
    sni_callback = _core_property("sni_callback")
    num_tickets = _core_property("num_tickets")
    if hasattr(_StdContext, "security_level"):     # 3.10+
        security_level = _core_property("security_level", readonly=True)

    load_cert_chain = _core_method("load_cert_chain")
    load_verify_locations = _core_method("load_verify_locations")
    set_default_verify_paths = _core_method("set_default_verify_paths")
    load_trust_store = _core_method("load_trust_store")
    set_ciphers = _core_method("set_ciphers")
    get_ciphers = _core_method("get_ciphers")
    set_ciphersuites = _core_method("set_ciphersuites")
    _set_alpn_protocols = _core_method("_set_alpn_protocols")
    get_ca_certs = _core_method("get_ca_certs")
    cert_store_stats = _core_method("cert_store_stats")
    session_stats = _core_method("session_stats")
    load_dh_params = _core_method("load_dh_params")
    set_ecdh_curve = _core_method("set_ecdh_curve")

    def set_servername_callback(self, server_name_callback):
        """Set (or clear, with None) the SNI callback: ``cb(ssl_object, server_name, context)``, name decoded."""
        if server_name_callback is None:
            self.sni_callback = None
        else:
            if not callable(server_name_callback):
                raise TypeError("not a callable object")

            def shim_cb(sslobj, servername, sslctx):
                servername = _encode_hostname(servername)
                return server_name_callback(sslobj, servername, sslctx)

            self.sni_callback = shim_cb

    @property
    def _msg_callback(self):
        """The TLS message trace hook: ``callback(conn, direction, version, content_type,
        msg_type, data)`` for every record header, handshake message and alert (not application
        data), with the values in the stdlib's enums where they are known."""
        inner = self._core._msg_callback
        return None if inner is None else inner.user_function

    @_msg_callback.setter
    def _msg_callback(self, callback):
        if callback is None:
            self._core._msg_callback = None
            return
        if not callable(callback):
            raise TypeError(f"{callback} is not callable.")

        def inner(conn, direction, version, content_type, msg_type, data):
            try:
                version = TLSVersion(version)
            except ValueError:
                pass
            try:
                content_type = _TLSContentType(content_type)
            except ValueError:
                pass
            if content_type == _TLSContentType.HEADER:
                msg_enum = _TLSContentType
            elif content_type == _TLSContentType.ALERT:
                msg_enum = _TLSAlertType
            else:
                msg_enum = _TLSMessageType
            try:
                msg_type = msg_enum(msg_type)
            except ValueError:
                pass
            return callback(conn, direction, version, content_type, msg_type, data)

        inner.user_function = callback
        self._core._msg_callback = inner

    def load_default_certs(self, purpose=Purpose.SERVER_AUTH):
        """Load the system's trusted CA certificates (OpenSSL's default paths); ``purpose`` must be a Purpose."""
        if not isinstance(purpose, _ASN1Object):
            raise TypeError(purpose)
        self.set_default_verify_paths()

    def set_alpn_protocols(self, alpn_protocols):
        """Offer (client) or accept (server) these ALPN protocol names, most preferred first."""
        protos = bytearray()
        for protocol in alpn_protocols:
            b = bytes(protocol, "ascii")
            if len(b) == 0 or len(b) > 255:
                raise SSLError("ALPN protocols must be 1 to 255 in length")
            protos.append(len(b))
            protos.extend(b)
        self._core._set_alpn_protocols(bytes(protos))

    def _set_npn_protocols(self, protos):
        raise NotImplementedError("The NPN extension requires OpenSSL 1.0.1 or later.")

    def set_npn_protocols(self, npn_protocols):
        """Deprecated, as in the stdlib: warns, then raises NotImplementedError (NPN is not supported)."""
        _warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning, stacklevel=2)
        raise NotImplementedError("The NPN extension requires OpenSSL 1.0.1 or later.")

    if hasattr(_StdContext, "set_psk_client_callback"):     # 3.13+
        set_psk_client_callback = _core_method("set_psk_client_callback")
        set_psk_server_callback = _core_method("set_psk_server_callback")

    def __reduce__(self):
        raise TypeError(f"cannot pickle {self.__class__.__name__!r} object")


class SSLObject(_StdObject):
    """TLS over memory BIOs (``ssl.SSLObject``), as returned by ``SSLContext.wrap_bio``."""

    def __init__(self, *args, **kwargs):
        raise TypeError(
            f"{self.__class__.__name__} does not have a public constructor. "
            f"Instances are returned by SSLContext.wrap_bio().")

    @classmethod
    def _create(cls, incoming, outgoing, server_side=False, server_hostname=None, session=None,
                context=None):
        self = cls.__new__(cls)
        sslobj = context._wrap_bio(incoming, outgoing, server_side=server_side,
                                   server_hostname=server_hostname, owner=self, session=session)
        self._sslobj = sslobj
        return self

    @property
    def context(self):
        """The ``SSLContext`` this object uses; setting another one switches the connection to it (SNI)."""
        return self._sslobj.context

    @context.setter
    def context(self, ctx):
        self._sslobj.set_context(_core_of(ctx), ctx)

    @property
    def session(self):
        """The TLS session (``SSLSession``) to resume or that the handshake established, or None."""
        return self._sslobj.session

    @session.setter
    def session(self, session):
        self._sslobj.session = session

    @property
    def session_reused(self):
        """True if the handshake resumed a session."""
        return self._sslobj.session_reused

    @property
    def server_side(self):
        """True for the server end of the connection."""
        return self._sslobj.server_side

    @property
    def server_hostname(self):
        """The host name given to ``wrap_bio`` (sent as SNI, checked against the certificate), or None."""
        return self._sslobj.server_hostname

    def read(self, len=1024, buffer=None):
        """Read up to ``len`` decrypted bytes, or into ``buffer`` and return the count."""
        if buffer is not None:
            return self._sslobj.read(len, buffer)
        return self._sslobj.read(len)

    def write(self, data):
        """Encrypt ``data`` into the outgoing BIO; returns the number of bytes written."""
        return self._sslobj.write(data)

    def getpeercert(self, binary_form=False):
        """The peer's certificate: the decoded dict, DER bytes with ``binary_form=True``, or None."""
        return self._sslobj.getpeercert(binary_form)

    def selected_npn_protocol(self):
        """Deprecated, as in the stdlib: warns and returns None (NPN is never negotiated)."""
        _warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning, stacklevel=2)

    def selected_alpn_protocol(self):
        """The ALPN protocol the handshake agreed on, or None."""
        return self._sslobj.selected_alpn_protocol()

    def cipher(self):
        """``(name, protocol, secret_bits)`` of the negotiated cipher, or None before the handshake."""
        return self._sslobj.cipher()

    def shared_ciphers(self):
        """The ciphers both ends offered, as ``cipher()`` tuples, or None before the handshake."""
        return self._sslobj.shared_ciphers()

    def compression(self):
        """The compression algorithm in use, or None (none negotiated, or no handshake yet)."""
        return self._sslobj.compression()

    def pending(self):
        """The number of decrypted bytes ready to ``read()`` without more input."""
        return self._sslobj.pending()

    def do_handshake(self):
        """Run (or continue) the TLS handshake; raises SSLWantReadError when it needs more input."""
        self._sslobj.do_handshake()

    def unwrap(self):
        """Send close_notify and shut the TLS layer down."""
        return self._sslobj.shutdown()

    def get_channel_binding(self, cb_type="tls-unique"):
        """The channel binding data for ``cb_type`` (only ``tls-unique``), or None before the handshake."""
        return self._sslobj.get_channel_binding(cb_type)

    def version(self):
        """The negotiated protocol version (e.g. ``'TLSv1.3'``), or None before the handshake."""
        return self._sslobj.version()

    def verify_client_post_handshake(self):
        """Server side, TLS 1.3: request the client's certificate after the handshake."""
        return self._sslobj.verify_client_post_handshake()

    def get_verified_chain(self):
        """The chain OpenSSL verified, leaf first, as DER bytes."""
        return self._sslobj.get_verified_chain()

    def get_unverified_chain(self):
        """The certificates the peer sent, leaf first, as DER bytes."""
        return self._sslobj.get_unverified_chain()


class _WaitTimedOut(Exception):
    """A cooperative wait reached the operation's deadline (the connection raises the timeout)."""


def _cooperative_waiter(sock):
    """The connection's waiter (see TLSConnection.waiter) for a socket whose blocking calls wait
    through gevent's hub, else None (waits happen in C). A socket is gevent's when certcore was
    imported after gevent.monkey.patch_all(): SSLSocket then derives from gevent's socket class, as
    the patched stdlib's does. gevent is never imported here: a program without it has no
    "gevent.socket" module and no gevent sockets."""
    gsocket = _sys.modules.get("gevent.socket")
    if gsocket is None or not isinstance(sock, gsocket.socket):
        return None
    wait = gsocket.wait
    # The socket's own watchers, as gevent's ssl waits on: closing the socket in another greenlet
    # cancels the wait (EBADF in the waiting greenlet) instead of leaving it parked forever.
    events = (sock._read_event, sock._write_event)

    def waiter(fd, write, timeout):
        try:
            wait(events[write], timeout, _WaitTimedOut)
        except _WaitTimedOut:
            return True
        return False

    return waiter


class SSLSocket(_StdSocket):
    """``ssl.SSLSocket`` (CPython 3.11 behaviour) over certcore's connection core."""

    def __init__(self, *args, **kwargs):
        raise TypeError(
            f"{self.__class__.__name__} does not have a public "
            f"constructor. Instances are returned by "
            f"SSLContext.wrap_socket().")

    @classmethod
    def _create(cls, sock, server_side=False, do_handshake_on_connect=True,
                suppress_ragged_eofs=True, server_hostname=None, context=None, session=None):
        if sock.getsockopt(SOL_SOCKET, SO_TYPE) != SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        if server_side:
            if server_hostname:
                raise ValueError("server_hostname can only be specified in client mode")
            if session is not None:
                raise ValueError("session can only be specified in client mode")
        if context.check_hostname and not server_hostname:
            raise ValueError("check_hostname requires server_hostname")

        kwargs = dict(family=sock.family, type=sock.type, proto=sock.proto, fileno=sock.fileno())
        self = cls.__new__(cls, **kwargs)
        _socket.socket.__init__(self, **kwargs)
        sock_timeout = sock.gettimeout()
        sock.detach()

        # Every failure from here on closes the descriptor this object now owns (3.13's rule,
        # on every version: a failed wrap never leaves a socket to the garbage collector).
        try:
            self._context = context
            self._session = session
            self._closed = False
            self._sslobj = None
            self.server_side = server_side
            self.server_hostname = context._encode_hostname(server_hostname)
            self.do_handshake_on_connect = do_handshake_on_connect
            self.suppress_ragged_eofs = suppress_ragged_eofs
            connected = self._connected_before_handshake()
            self.settimeout(sock_timeout)   # after the probe's setblocking() calls
            self._connected = connected
            if connected:
                self._sslobj = self._context._wrap_socket(
                    self, server_side, self.server_hostname, owner=self, session=self._session)
                if do_handshake_on_connect:
                    if self.gettimeout() == 0.0:
                        raise ValueError("do_handshake_on_connect should not be specified "
                                         "for non-blocking sockets")
                    self.do_handshake()
        except BaseException:
            try:
                self.close()
            except OSError:
                pass
            raise
        return self

    def _connected_before_handshake(self):
        """Whether the socket is connected; unconnected with data already queued is an error
        (CVE-2023-40217: data sent before the handshake must never be read as TLS data)."""
        try:
            self.getpeername()
        except OSError as e:
            if e.errno != _errno.ENOTCONN:
                raise
            blocking = self.getblocking()
            self.setblocking(False)
            try:
                early = self.recv(1)
            except OSError as e2:
                if e2.errno not in (_errno.ENOTCONN, _errno.EINVAL):
                    raise
                early = b""
            self.setblocking(blocking)
            if early:
                reason = "Closed before TLS handshake with data in recv buffer."
                err = SSLError(e.errno, reason)
                err.reason = reason
                err.library = None
                raise err  # noqa: B904 -- the stdlib chains the ENOTCONN error too
            return False
        return True

    @property
    def context(self):
        """The ``SSLContext`` this socket uses; setting another one switches the connection to it (SNI)."""
        return self._context

    @context.setter
    def context(self, ctx):
        self._context = ctx
        self._sslobj.set_context(_core_of(ctx), ctx)

    @property
    def session(self):
        """The TLS session (``SSLSession``) to resume or that the handshake established, or None."""
        if self._sslobj is not None:
            return self._sslobj.session

    @session.setter
    def session(self, session):
        self._session = session
        if self._sslobj is not None:
            self._sslobj.session = session

    @property
    def session_reused(self):
        """True if the handshake resumed a session; None before the TLS layer exists."""
        if self._sslobj is not None:
            return self._sslobj.session_reused

    def dup(self):
        """Not supported on TLS sockets: raises NotImplementedError, as the stdlib's."""
        raise NotImplementedError(f"Can't dup() {self.__class__.__name__} instances")

    def _checkClosed(self, msg=None):
        pass

    def _check_connected(self):
        if not self._connected:
            self.getpeername()

    def read(self, len=1024, buffer=None):
        """Read up to ``len`` decrypted bytes, or into ``buffer`` and return the count."""
        if self._sslobj is None:
            raise ValueError("Read on closed or unwrapped SSL socket.")
        try:
            if buffer is not None:
                return self._sslobj.read(len, buffer)
            return self._sslobj.read(len)
        except SSLError as x:
            if x.args[0] == SSL_ERROR_EOF and self.suppress_ragged_eofs:
                return 0 if buffer is not None else b""
            raise

    def write(self, data):
        """Encrypt and send ``data``; returns the number of bytes written."""
        if self._sslobj is None:
            raise ValueError("Write on closed or unwrapped SSL socket.")
        return self._sslobj.write(data)

    def getpeercert(self, binary_form=False):
        """The peer's certificate: the decoded dict, DER bytes with ``binary_form=True``, or None."""
        self._check_connected()
        return self._sslobj.getpeercert(binary_form)

    def get_verified_chain(self):
        """The chain OpenSSL verified, leaf first, as DER bytes."""
        chain = self._sslobj.get_verified_chain()
        return chain if chain is not None else []

    def get_unverified_chain(self):
        """The certificates the peer sent, leaf first, as DER bytes."""
        chain = self._sslobj.get_unverified_chain()
        return chain if chain is not None else []

    def selected_npn_protocol(self):
        """Deprecated, as in the stdlib: warns and returns None (NPN is never negotiated)."""
        _warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning, stacklevel=2)
        return None

    def selected_alpn_protocol(self):
        """The ALPN protocol the handshake agreed on, or None."""
        if self._sslobj is None:
            return None
        return self._sslobj.selected_alpn_protocol()

    def cipher(self):
        """``(name, protocol, secret_bits)`` of the negotiated cipher, or None before the handshake."""
        if self._sslobj is None:
            return None
        return self._sslobj.cipher()

    def shared_ciphers(self):
        """The ciphers both ends offered, as ``cipher()`` tuples, or None before the handshake."""
        if self._sslobj is None:
            return None
        return self._sslobj.shared_ciphers()

    def compression(self):
        """The compression algorithm in use, or None (none negotiated, or no handshake yet)."""
        if self._sslobj is None:
            return None
        return self._sslobj.compression()

    def send(self, data, flags=0):
        """Encrypt and send ``data`` (``flags`` must be 0 once TLS is up); returns the bytes sent."""
        if self._sslobj is not None:
            if flags != 0:
                raise ValueError(f"non-zero flags not allowed in calls to send() on {self.__class__}")
            return self._sslobj.write(data)
        return _socket.socket.send(self, data, flags)

    def sendto(self, data, flags_or_addr, addr=None):
        """Plain ``socket.sendto`` before TLS is up; not allowed on a TLS connection."""
        if self._sslobj is not None:
            raise ValueError(f"sendto not allowed on instances of {self.__class__}")
        elif addr is None:
            return _socket.socket.sendto(self, data, flags_or_addr)
        return _socket.socket.sendto(self, data, flags_or_addr, addr)

    def sendmsg(self, *args, **kwargs):
        """Not supported on TLS sockets: raises NotImplementedError, as the stdlib's."""
        raise NotImplementedError(f"sendmsg not allowed on instances of {self.__class__}")

    def sendall(self, data, flags=0):
        """Encrypt and send all of ``data`` (``flags`` must be 0 once TLS is up)."""
        if self._sslobj is not None:
            if flags != 0:
                raise ValueError(
                    f"non-zero flags not allowed in calls to sendall() on {self.__class__}")
            count = 0
            write = self._sslobj.write
            with memoryview(data) as view, view.cast("B") as byte_view:
                amount = len(byte_view)
                while count < amount:
                    count += write(byte_view[count:])
        else:
            return _socket.socket.sendall(self, data, flags)

    def sendfile(self, file, offset=0, count=None):
        """Send a file's contents: through TLS with ``send()`` once TLS is up, else ``socket.sendfile``."""
        if self._sslobj is not None:
            return self._sendfile_use_send(file, offset, count)
        return _socket.socket.sendfile(self, file, offset, count)

    def recv(self, buflen=1024, flags=0):
        """Receive up to ``buflen`` decrypted bytes (``flags`` must be 0 once TLS is up)."""
        if self._sslobj is not None:
            if flags != 0:
                raise ValueError(f"non-zero flags not allowed in calls to recv() on {self.__class__}")
            return self.read(buflen)
        return _socket.socket.recv(self, buflen, flags)

    def recv_into(self, buffer, nbytes=None, flags=0):
        """Receive decrypted bytes into ``buffer``; returns how many were written."""
        if nbytes is None:
            if buffer is not None:
                with memoryview(buffer) as view:
                    nbytes = view.nbytes
                if not nbytes:
                    nbytes = 1024
            else:
                nbytes = 1024
        if self._sslobj is not None:
            if flags != 0:
                raise ValueError(
                    f"non-zero flags not allowed in calls to recv_into() on {self.__class__}")
            return self.read(nbytes, buffer)
        return _socket.socket.recv_into(self, buffer, nbytes, flags)

    def recvfrom(self, buflen=1024, flags=0):
        """Plain ``socket.recvfrom`` before TLS is up; not allowed on a TLS connection."""
        if self._sslobj is not None:
            raise ValueError(f"recvfrom not allowed on instances of {self.__class__}")
        return _socket.socket.recvfrom(self, buflen, flags)

    def recvfrom_into(self, buffer, nbytes=None, flags=0):
        """Plain ``socket.recvfrom_into`` before TLS is up; not allowed on a TLS connection."""
        if self._sslobj is not None:
            raise ValueError(f"recvfrom_into not allowed on instances of {self.__class__}")
        return _socket.socket.recvfrom_into(self, buffer, nbytes, flags)

    def recvmsg(self, *args, **kwargs):
        """Not supported on TLS sockets: raises NotImplementedError, as the stdlib's."""
        raise NotImplementedError(f"recvmsg not allowed on instances of {self.__class__}")

    def recvmsg_into(self, *args, **kwargs):
        """Not supported on TLS sockets: raises NotImplementedError, as the stdlib's."""
        raise NotImplementedError(f"recvmsg_into not allowed on instances of {self.__class__}")

    def pending(self):
        """The number of decrypted bytes ready to read without touching the socket."""
        if self._sslobj is not None:
            return self._sslobj.pending()
        return 0

    def shutdown(self, how):
        """Drop the TLS layer and shut the socket down (``socket.shutdown(how)``)."""
        self._sslobj = None
        _socket.socket.shutdown(self, how)

    def unwrap(self):
        """Send close_notify, shut TLS down and return the plain socket."""
        if self._sslobj:
            s = self._sslobj.shutdown()
            self._sslobj = None
            return s
        raise ValueError("No SSL wrapper around " + str(self))

    def verify_client_post_handshake(self):
        """Server side, TLS 1.3: request the client's certificate after the handshake."""
        if self._sslobj:
            return self._sslobj.verify_client_post_handshake()
        raise ValueError("No SSL wrapper around " + str(self))

    def _real_close(self):
        self._sslobj = None
        _socket.socket._real_close(self)

    def do_handshake(self, block=False):
        """Run the TLS handshake (blocking, or WANT_READ/WANT_WRITE on a non-blocking socket)."""
        self._check_connected()
        timeout = self.gettimeout()
        try:
            if timeout == 0.0 and block:
                self.settimeout(None)
            self._sslobj.do_handshake()
        finally:
            self.settimeout(timeout)

    def _real_connect(self, addr, connect_ex):
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._connected or self._sslobj is not None:
            raise ValueError("attempt to connect already-connected SSLSocket!")
        self._sslobj = self.context._wrap_socket(
            self, False, self.server_hostname, owner=self, session=self._session)
        try:
            if connect_ex:
                rc = _socket.socket.connect_ex(self, addr)
            else:
                rc = None
                _socket.socket.connect(self, addr)
            if not rc:
                self._connected = True
                if self.do_handshake_on_connect:
                    self.do_handshake()
            return rc
        except (OSError, ValueError):
            self._sslobj = None
            raise

    def connect(self, addr):
        """Connect to ``addr`` and, with ``do_handshake_on_connect``, run the handshake."""
        self._real_connect(addr, False)

    def connect_ex(self, addr):
        """``connect`` that returns the errno instead of raising OSError for the connect step."""
        return self._real_connect(addr, True)

    def accept(self):
        """Accept a connection; returns ``(SSLSocket, address)``, the new socket server-side."""
        newsock, addr = _socket.socket.accept(self)
        newsock = self.context.wrap_socket(
            newsock, do_handshake_on_connect=self.do_handshake_on_connect,
            suppress_ragged_eofs=self.suppress_ragged_eofs, server_side=True)
        return newsock, addr

    def get_channel_binding(self, cb_type="tls-unique"):
        """The channel binding data for ``cb_type`` (only ``tls-unique``), or None before the handshake."""
        if self._sslobj is not None:
            return self._sslobj.get_channel_binding(cb_type)
        if cb_type not in CHANNEL_BINDING_TYPES:
            raise ValueError(f"{cb_type} channel binding type not implemented")
        return None

    def version(self):
        """The negotiated protocol version (e.g. ``'TLSv1.3'``), or None before the handshake."""
        if self._sslobj is not None:
            return self._sslobj.version()
        return None


SSLContext.sslsocket_class = SSLSocket
SSLContext.sslobject_class = SSLObject
