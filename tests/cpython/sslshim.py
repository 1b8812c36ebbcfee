"""The ``ssl`` module that CPython's ``Lib/test/test_ssl.py`` imports when it runs against certcore.

test_ssl does ``ssl = import_helper.import_module("ssl")``, ``import _ssl`` and reaches into
``ssl._ssl``. ``install(mode)`` puts a module object named ``ssl`` into ``sys.modules`` before
test_ssl is imported, so the test file runs unmodified. How its names are chosen:

* certcore's public names (every non-underscore attribute of the ``certcore`` package that is not a
  submodule) come first: ``ssl.SSLContext is certcore.SSLContext``.
* Every other name of the running interpreter's ``ssl`` is a *fallback*, taken from the stdlib:
  constants, enums and C functions as the same objects; the Python functions of ``Lib/ssl.py``
  (``_create_stdlib_context``, ``get_protocol_name``, ...) re-created over this module's namespace,
  so that when they build a context it is certcore's ``SSLContext``, never the stdlib's. Each
  fallback name test_ssl reads is recorded (``FALLBACK_READS``) for the report: certcore is meant
  to define all of the running ``ssl``'s public names.
* ``ssl._ssl`` is a copy of the stdlib's ``_ssl`` (test_ssl reads its constants and compares
  ``ssl``'s enums with them) whose private test hook ``_test_decode_cert(path)`` is certcore's
  decoder, ``certcore.Certificate.from_file(path).to_dict()``: the dict it checks is the public
  ``getpeercert()`` one. ``sys.modules["_ssl"]`` stays the stdlib's C module.

Mixed modes put certcore at one end of each connection and the stdlib at the other. The test's
``ssl`` is the *client* implementation's; its ``SSLContext`` is a subclass that keeps a *twin*
context of the *server* implementation (unless it is a PROTOCOL_TLS_CLIENT context, which never
serves), created with the same protocol and configured by the same calls (every setter and
``load_*``/``set_*`` call is applied to both; where only one implementation accepts a setting
the call fails with ``MixedModeMismatch``). Every server-side
``wrap_socket``/``wrap_bio`` on such a context is made by its twin, every client-side one by the
context itself. So ThreadedEchoServer, AsyncoreEchoServer, ``test_wrap_socket(server_side=True)``
and the tests' own server sockets all serve through the other implementation without any change
to test_ssl. The twin's sockets report the original context as ``.context`` (and accept an
original context on assignment, as SNI callbacks do); SNI callbacks see the original context;
``session_stats()`` adds both ends' counters, as one shared SSL_CTX would count them.
"""
import functools
import os
import ssl as _std_ssl
import sys
import threading
import types
import warnings

import _ssl as _std__ssl

import certcore

STD_SSL = _std_ssl

# Names of the stdlib's ssl that are another module's objects re-exported by ``ssl.py``'s imports
# (``from socket import socket, ...``, ``import os, sys``...), not part of the ssl API.
_INCIDENTAL = {"namedtuple", "warn"}

# What the twin machinery must not copy from an original context to its twin.
_NOT_MIRRORED = {"sslsocket_class", "sslobject_class"}
# Context methods that change configuration; every other method only reads or wraps.
_MIRRORED_METHOD_PREFIXES = ("load_", "set_")

FALLBACK_READS = {}           # fallback name -> set of test ids (or "<import>") that read it
CURRENT_TEST = ["<import>"]   # the runner keeps the running test's id here
MIXED_STATS = {"client": 0, "server_twin": 0, "server_same": 0}


class MixedModeMismatch(AssertionError):
    """One implementation accepted a context setting that the other rejected."""


def is_api_name(name, value):
    """True for the names of the stdlib's ssl that are ssl API (not an incidental import)."""
    if name.startswith("__") or isinstance(value, types.ModuleType) or name in _INCIDENTAL:
        return False
    import socket
    return not (name in vars(socket) and vars(socket)[name] is value)


def stdlib_names():
    """{name: value} of the running interpreter's ssl module, API names only."""
    return {n: v for n, v in vars(_std_ssl).items() if is_api_name(n, v)}


def certcore_names():
    """{name: value}: certcore's public face (non-underscore, not a submodule)."""
    return {n: v for n, v in vars(certcore).items()
            if not n.startswith("_") and not isinstance(v, types.ModuleType)}


class _TrackingModule(types.ModuleType):
    """A module that records reads of its fallback names (per running test)."""

    def __getattribute__(self, name):
        fallbacks = types.ModuleType.__getattribute__(self, "__dict__").get("__fallbacks__", ())
        if name in fallbacks:
            FALLBACK_READS.setdefault(name, set()).add(CURRENT_TEST[0])
        return types.ModuleType.__getattribute__(self, name)


def _rebind(func, namespace):
    """``func`` re-created with ``namespace`` as its globals (same code, defaults, closure)."""
    new = types.FunctionType(func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__doc__ = func.__doc__
    new.__module__ = func.__module__
    new.__dict__.update(func.__dict__)
    return new


class _GlobalsPatcher:
    """Python functions re-created over copies of their modules' globals in which ``SSLContext``
    is another class: a module-level factory (create_default_context, wrap_socket...) then builds
    that class, and so does every function of the same module it calls."""

    def __init__(self, context_class):
        self.context_class = context_class
        self.copies = {}

    def __call__(self, value):
        if not isinstance(value, types.FunctionType):
            return value
        home = value.__globals__
        key = id(home)
        if key not in self.copies:
            ns = dict(home)
            self.copies[key] = ns
            if "SSLContext" in ns:
                ns["SSLContext"] = self.context_class
            for n, v in list(ns.items()):
                if isinstance(v, types.FunctionType) and v.__globals__ is home:
                    ns[n] = _rebind(v, ns)
        ns = self.copies[key]
        # The copy of this function (found by identity: ssl._create_stdlib_context is
        # _create_unverified_context under another name).
        for n, v in home.items():
            if v is value:
                return ns[n]
        return _rebind(value, ns)


def _decode_cert_file(path):
    """``_ssl._test_decode_cert(path)`` through certcore's decoder."""
    return certcore.Certificate.from_file(path).to_dict()


def _private__ssl(decoder):
    mod = types.ModuleType("_ssl", _std__ssl.__doc__)
    mod.__dict__.update({k: v for k, v in vars(_std__ssl).items()
                         if k not in ("__name__", "__doc__", "__loader__", "__spec__")})
    if decoder is not None:
        mod._test_decode_cert = decoder
    return mod


def build_module(client, context_class=None):
    """The ``ssl`` module object for test_ssl: ``client`` is "certcore" or "stdlib"; in mixed
    modes ``context_class`` is the twin-keeping SSLContext that replaces the client's."""
    mod = _TrackingModule("ssl", _std_ssl.__doc__)
    ns = mod.__dict__
    std_all = {k: v for k, v in vars(_std_ssl).items()
               if k not in ("__name__", "__doc__", "__loader__", "__spec__", "__file__", "__cached__",
                            "__package__")}
    ns.update(std_all)
    fallbacks = set()
    if client == "certcore":
        ns.update(certcore_names())
        fallbacks = {n for n in std_all if n not in certcore_names() and not n.startswith("__")}
        ns["__file__"] = certcore.__file__
        ns["_ssl"] = _private__ssl(_decode_cert_file)
    else:
        ns["__file__"] = _std_ssl.__file__
        ns["_ssl"] = _private__ssl(None)
        fallbacks = set()
    ns["__fallbacks__"] = frozenset(n for n in fallbacks if n != "_ssl")
    # Lib/ssl.py's own functions, re-created over this namespace: a fallback like
    # _create_stdlib_context builds this module's SSLContext.
    std_globals = vars(_std_ssl)
    for n, v in list(ns.items()):
        if isinstance(v, types.FunctionType) and v.__globals__ is std_globals:
            ns[n] = _rebind(v, ns)
    if context_class is not None:
        ns["SSLContext"] = context_class
        ns.update(context_class.mixed_classes)
        patch = _GlobalsPatcher(context_class)
        for n, v in list(ns.items()):
            if isinstance(v, types.FunctionType) and v.__globals__ is not ns:
                ns[n] = patch(v)
    return mod


# --- mixed mode: contexts with a twin of the other implementation ---------------------------

class _Impl:
    def __init__(self, name):
        self.name = name
        src = certcore if name == "certcore" else _std_ssl
        self.SSLContext = src.SSLContext
        self.SSLSocket = src.SSLSocket
        self.SSLObject = src.SSLObject
        self.MemoryBIO = src.MemoryBIO


def _original_of(ctx):
    d = getattr(ctx, "__dict__", None)
    return d.get("_mixed_original", ctx) if d is not None else ctx


def _twin_of(ctx):
    d = getattr(ctx, "__dict__", None)
    return d.get("_mixed_twin", ctx) if d is not None else ctx


def _sni_for_twin(callback):
    """An SNI callback for the twin: the callback sees the original context."""
    if callback is None:
        return None

    @functools.wraps(callback)
    def twin_sni(sslobj, servername, ctx):
        return callback(sslobj, servername, _original_of(ctx))
    return twin_sni


def _twin_classes(impl):
    """The server implementation's SSLSocket/SSLObject as the twin makes them: ``.context`` is
    the original context, assigning an original context switches to its twin, and an SSLObject
    made over the client implementation's MemoryBIOs is bridged to BIOs of its own."""
    sock_ctx = impl.SSLSocket.context
    obj_ctx = impl.SSLObject.context

    def ctx_property(base):
        return property(lambda self: _original_of(base.fget(self)),
                        lambda self, ctx: base.fset(self, _twin_of(ctx)))

    sock_cls = type("SSLSocket", (impl.SSLSocket,), {
        "__module__": impl.SSLSocket.__module__, "__qualname__": "SSLSocket",
        "context": ctx_property(sock_ctx)})

    def bridged(name):
        base = getattr(impl.SSLObject, name)

        @functools.wraps(base)
        def call(self, *args, **kwargs):
            bridge = self.__dict__.get("_mixed_bridge")
            if bridge is None:
                return base(self, *args, **kwargs)
            outer_in, outer_out, inner_in, inner_out = bridge
            data = outer_in.read()
            if data:
                inner_in.write(data)
            if outer_in.eof and not inner_in.eof:
                inner_in.write_eof()
            try:
                return base(self, *args, **kwargs)
            finally:
                data = inner_out.read()
                if data:
                    outer_out.write(data)
        return call

    obj_ns = {"__module__": impl.SSLObject.__module__, "__qualname__": "SSLObject",
              "context": ctx_property(obj_ctx)}
    for name in ("do_handshake", "read", "write", "unwrap", "pending", "verify_client_post_handshake"):
        obj_ns[name] = bridged(name)
    obj_cls = type("SSLObject", (impl.SSLObject,), obj_ns)
    return sock_cls, obj_cls


def make_twin_context_class(client, server):
    """The client implementation's SSLContext, keeping a twin of the server implementation."""
    client, server = _Impl(client), _Impl(server)
    twin_socket, twin_object = _twin_classes(server)
    base = client.SSLContext

    def mirror(desc, apply):
        try:
            apply()
        except Exception as exc:
            raise MixedModeMismatch(
                f"mixed mode: {client.name} accepted {desc} but {server.name} raised {exc!r}") from exc

    class SSLContext(base):
        def __init__(self, protocol=None, *args, **kwargs):
            proto = protocol if protocol is not None else _std_ssl.PROTOCOL_TLS
            if proto == _std_ssl.PROTOCOL_TLS_CLIENT:
                # Never serves: no twin, so settings only a client uses are not mirrored into
                # an implementation that would never apply them.
                return
            # The twin repeats the deprecation warnings that creating this context gave.
            if threading.current_thread() is threading.main_thread():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    twin = server.SSLContext(proto)
            else:
                twin = server.SSLContext(proto)
            twin.sslsocket_class = twin_socket
            twin.sslobject_class = twin_object
            twin.__dict__["_mixed_original"] = self
            self.__dict__["_mixed_twin"] = twin
            self.__dict__["_mixed_depth"] = 0

        def __setattr__(self, name, value):
            depth = self.__dict__.get("_mixed_depth", 0)
            self.__dict__["_mixed_depth"] = depth + 1
            try:
                super().__setattr__(name, value)
            finally:
                self.__dict__["_mixed_depth"] = depth
            twin = self.__dict__.get("_mixed_twin")
            if depth == 0 and twin is not None and name not in _NOT_MIRRORED:
                if name == "sni_callback":
                    value = _sni_for_twin(value)
                mirror(f"ctx.{name} = {value!r}", lambda: setattr(twin, name, value))

        def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                        suppress_ragged_eofs=True, server_hostname=None, session=None):
            args = (sock, server_side, do_handshake_on_connect, suppress_ragged_eofs, server_hostname,
                    session)
            if server_side and "_mixed_twin" in self.__dict__ and "sslsocket_class" not in self.__dict__:
                MIXED_STATS["server_twin"] += 1
                return self.__dict__["_mixed_twin"].wrap_socket(*args)
            MIXED_STATS["server_same" if server_side else "client"] += 1
            return super().wrap_socket(*args)

        def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None, session=None):
            if server_side and "_mixed_twin" in self.__dict__ and "sslobject_class" not in self.__dict__:
                MIXED_STATS["server_twin"] += 1
                twin = self.__dict__["_mixed_twin"]
                inner_in, inner_out = server.MemoryBIO(), server.MemoryBIO()
                obj = twin.wrap_bio(inner_in, inner_out, server_side, server_hostname, session)
                obj.__dict__["_mixed_bridge"] = (incoming, outgoing, inner_in, inner_out)
                return obj
            MIXED_STATS["server_same" if server_side else "client"] += 1
            return super().wrap_bio(incoming, outgoing, server_side, server_hostname, session)

        def session_stats(self):
            mine = super().session_stats()
            if "_mixed_twin" not in self.__dict__:
                return mine
            theirs = self.__dict__["_mixed_twin"].session_stats()
            return {k: mine[k] + theirs.get(k, 0) for k in mine}

    def mirrored(name):
        method = getattr(base, name)

        @functools.wraps(method)
        def call(self, *args, **kwargs):
            depth = self.__dict__.get("_mixed_depth", 0)
            self.__dict__["_mixed_depth"] = depth + 1
            try:
                result = method(self, *args, **kwargs)
            finally:
                self.__dict__["_mixed_depth"] = depth
            twin = self.__dict__.get("_mixed_twin")
            if depth == 0 and twin is not None:
                margs = args
                if name == "set_servername_callback" and args:
                    margs = (_sni_for_twin(args[0]),) + args[1:]
                mirror(f"ctx.{name}(*{args!r}, **{kwargs!r})",
                       lambda: getattr(twin, name)(*margs, **kwargs))
            return result
        return call

    for name in dir(base):
        if name.startswith(_MIRRORED_METHOD_PREFIXES) and callable(getattr(base, name, None)):
            setattr(SSLContext, name, mirrored(name))
    SSLContext.__module__ = base.__module__
    SSLContext.__qualname__ = "SSLContext"
    SSLContext.mixed_classes = {"SSLSocket": _either(client.SSLSocket, twin_socket),
                                "SSLObject": _either(client.SSLObject, twin_object)}
    return SSLContext


def _either(client_cls, twin_cls):
    """The test's ``ssl.SSLSocket`` (``SSLObject``) in a mixed mode: the client implementation's
    class, for which ``isinstance`` is also true of the server implementation's objects (test_ssl
    asks ``isinstance(sock, ssl.SSLSocket)`` of server-side sockets too)."""
    class EitherMeta(type(client_cls)):
        def __instancecheck__(cls, obj):
            return isinstance(obj, (client_cls, twin_cls))

        def __subclasscheck__(cls, sub):
            return issubclass(sub, (client_cls, twin_cls))

    return EitherMeta(client_cls.__name__, (client_cls,), {
        "__module__": client_cls.__module__, "__qualname__": client_cls.__qualname__,
        "__doc__": client_cls.__doc__})


# --- installing -------------------------------------------------------------------------------

MODES = {
    # mode: (the test's ssl, the server side's implementation or None for "the same object")
    "certcore": ("certcore", None),
    "client-certcore": ("certcore", "stdlib"),
    "server-certcore": ("stdlib", "certcore"),
    "stdlib": ("stdlib", None),
    "stdlib-twin": ("stdlib", "stdlib"),
}


def install(mode):
    """Put the ``ssl`` module of ``mode`` into sys.modules; returns it. Must run before test_ssl
    (and http.client, urllib.request, which it imports) are imported."""
    client, server = MODES[mode]
    if mode == "stdlib":
        return _std_ssl
    context_class = make_twin_context_class(client, server) if server else None
    mod = build_module(client, context_class)
    for name in ("http.client", "urllib.request", "test.test_ssl"):
        if name in sys.modules:
            raise RuntimeError(f"{name} was imported before the ssl shim was installed")
    sys.modules["ssl"] = mod
    return mod


def names_report():
    """What the running ssl has that certcore lacks, and the reverse (public API names)."""
    std = stdlib_names()
    cc = certcore_names()
    return {
        "missing_public": sorted(n for n in std if not n.startswith("_") and n not in cc),
        "certcore_extra": sorted(n for n in cc if n not in vars(_std_ssl)),
        "certcore_from": os.path.dirname(certcore.__file__),
    }
