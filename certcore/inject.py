"""Adopting certcore without editing code: ``inject_into_ssl()`` and ``extract_from_ssl()``.

After ``certcore.inject_into_ssl()``, ``ssl.SSLContext`` is ``certcore.SSLContext``. Every context a
program builds from then on is certcore's, whether the program names the class or calls one of
``Lib/ssl.py``'s factories (``create_default_context``, ``_create_default_https_context``,
``_create_unverified_context``): they read the ``SSLContext`` global when they run. So http.client,
urllib.request, asyncio, httpx and aiohttp contexts made after the call are certcore's, and so is
everything that a library imported after the call builds.

Libraries imported *before* the call may hold the stdlib's class, or contexts built with it, in
module globals. Those that certcore knows are patched, in modules already imported only:

* urllib3: ``urllib3.util.ssl_.SSLContext`` (what ``create_urllib3_context`` builds) and its
  re-export ``urllib3.util.SSLContext``;
* requests (2.32.0-2.32.3): ``requests.adapters._preloaded_ssl_context``, rebuilt the way requests
  builds it (``create_urllib3_context()`` with requests' CA bundle) now that urllib3 makes
  certcore contexts;
* aiohttp: ``aiohttp.connector._SSL_CONTEXT_VERIFIED`` and ``_SSL_CONTEXT_UNVERIFIED``, rebuilt
  with aiohttp's own ``_make_ssl_context``.

Only ``ssl.SSLContext`` is replaced, not ``ssl.SSLSocket`` or ``ssl.SSLObject``: certcore's
contexts already make certcore's sockets and objects (their ``sslsocket_class`` and
``sslobject_class``), which pass ``isinstance`` checks against the stdlib's classes because they
subclass them. Replacing ``ssl.SSLSocket`` would break the stdlib contexts that still exist:
``Lib/ssl.py``'s ``SSLSocket._create`` calls ``super(SSLSocket, self).__init__()`` through the module
global, and ``super(certcore.SSLSocket, <a stdlib SSLSocket>)`` raises TypeError.

Stdlib contexts that exist at the call (a program's own, ones held by libraries certcore does not
know) keep working: their setters reach ``_StdContextBridge`` in certcore's class hierarchy instead
of recursing (see ``certcore.sslsocket``), and ``isinstance(ctx, ssl.SSLContext)`` still holds for
them while certcore's class stands in.

``extract_from_ssl()`` puts back the exact objects that ``inject_into_ssl()`` replaced (where they
have not been replaced again since). The library globals that modules imported while injected
took from certcore (urllib3's class, aiohttp's ``SSL_ALLOWED_TYPES``, requests' and aiohttp's
module-level contexts) are set to what the same import would have made without certcore, so the
stdlib handles traffic again whatever the import order was. References a program keeps for itself,
and module globals of libraries not listed here, are not followed.
"""
import ssl as _ssl
import sys as _sys
import threading as _threading

from certcore.sslsocket import SSLContext as _CertcoreContext
from certcore.sslsocket import _StdContext

__all__ = ["inject_into_ssl", "extract_from_ssl"]

_lock = _threading.Lock()
# While injected: the stdlib class that ssl.SSLContext held before, and the (module, name,
# original, replacement) of every library global that inject_into_ssl() changed, in that order.
_displaced = None
_replaced = []

# Globals holding the class that ssl.SSLContext was when their module was imported.
_CLASS_GLOBALS = (
    ("urllib3.util.ssl_", "SSLContext"),
    ("urllib3.util", "SSLContext"),
)
# Tuples of accepted context types, taken from ssl.SSLContext at import.
_TYPE_TUPLE_GLOBALS = (
    ("aiohttp.client_reqrep", "SSL_ALLOWED_TYPES"),
)


def _requests_context(module):
    # requests.adapters (2.32.0-2.32.3) builds this at import, with the names it imports itself.
    ctx = module.create_urllib3_context()
    ctx.load_verify_locations(module.extract_zipped_paths(module.DEFAULT_CA_BUNDLE_PATH))
    return ctx


def _aiohttp_verified(module):
    return module._make_ssl_context(True)


def _aiohttp_unverified(module):
    return module._make_ssl_context(False)


# Module-level contexts built at import, with the function that builds them again.
_CONTEXT_GLOBALS = (
    ("requests.adapters", "_preloaded_ssl_context", _requests_context),
    ("aiohttp.connector", "_SSL_CONTEXT_VERIFIED", _aiohttp_verified),
    ("aiohttp.connector", "_SSL_CONTEXT_UNVERIFIED", _aiohttp_unverified),
)

_MISSING = object()


def _is_certcore(obj):
    # type.__instancecheck__, not isinstance: while injected, isinstance() also accepts the
    # stdlib contexts this tells apart.
    return type.__instancecheck__(_CertcoreContext, obj)


def _is_stdlib_context(obj, std_class):
    return isinstance(std_class, type) and type.__instancecheck__(std_class, obj) and not _is_certcore(obj)


def _loaded(name):
    return _sys.modules.get(name)


def inject_into_ssl() -> None:
    """Make ``ssl.SSLContext`` certcore's class, so that unmodified programs use certcore.

    Contexts built after the call, through ``ssl.SSLContext`` or the ssl module's factories, are
    ``certcore.SSLContext`` instances. In libraries imported before the call, the globals listed in
    this module's docstring (urllib3's class, requests' and aiohttp's module-level contexts) are
    replaced too. Stdlib contexts that already exist keep working.

    Idempotent (a second call does nothing) and thread-safe. If rebuilding a library's context
    fails, everything done so far is undone and the exception propagates.
    """
    global _displaced
    with _lock:
        if _displaced is not None:
            return
        previous = original = _ssl.SSLContext
        if original is _CertcoreContext:
            # Swapped by hand (``ssl.SSLContext = certcore.SSLContext``): what it displaced is
            # the stdlib's class, and that is what extraction puts back.
            original = _StdContext
        done = []
        try:
            _ssl.SSLContext = _CertcoreContext
            for modname, name in _CLASS_GLOBALS:
                module = _loaded(modname)
                if module is not None and getattr(module, name, _MISSING) is original:
                    setattr(module, name, _CertcoreContext)
                    done.append((module, name, original, _CertcoreContext))
            # After the classes: the libraries' own builders now make certcore contexts.
            for modname, name, build in _CONTEXT_GLOBALS:
                module = _loaded(modname)
                current = getattr(module, name, None) if module is not None else None
                if current is not None and _is_stdlib_context(current, original):
                    fresh = build(module)
                    setattr(module, name, fresh)
                    done.append((module, name, current, fresh))
        except BaseException:
            for module, name, old, _new in reversed(done):
                setattr(module, name, old)
            _ssl.SSLContext = previous
            raise
        _replaced[:] = done
        _displaced = original


def extract_from_ssl() -> None:
    """Undo ``inject_into_ssl()``: the stdlib's ``ssl.SSLContext`` is back and builds contexts again.

    Every global that ``inject_into_ssl()`` replaced gets back its exact original object, unless
    something else replaced it since (that is left alone). Globals of listed libraries imported
    while injected, which hold certcore's class or contexts built with it, are reset to the
    stdlib class or rebuilt by the library's own builder. certcore contexts that exist keep
    working; they just are not made any more.

    Idempotent (a call when not injected does nothing) and thread-safe. An exception from a
    library's builder propagates after everything else is restored.
    """
    global _displaced
    with _lock:
        if _displaced is None:
            return
        original = _displaced
        # Contexts first, then classes, then ssl: the reverse of the injection.
        for module, name, old, new in reversed(_replaced):
            if getattr(module, name, _MISSING) is new:
                setattr(module, name, old)
        if _ssl.SSLContext is _CertcoreContext:
            _ssl.SSLContext = original
        _replaced[:] = []
        _displaced = None
        _reset_imported_while_injected(original)


def _reset_imported_while_injected(original):
    """Globals that listed modules imported while injected took from certcore: what the same
    import makes without certcore. Runs after ssl.SSLContext is the stdlib's again. A builder's
    exception propagates once every other global is reset; that global keeps its certcore
    context, which works."""
    if _ssl.SSLContext is not original:
        return  # another injector has taken over ssl.SSLContext: its globals are its business
    for modname, name in _CLASS_GLOBALS:
        module = _loaded(modname)
        if module is not None and getattr(module, name, None) is _CertcoreContext:
            setattr(module, name, original)
    for modname, name in _TYPE_TUPLE_GLOBALS:
        module = _loaded(modname)
        types = getattr(module, name, None) if module is not None else None
        if isinstance(types, tuple) and _CertcoreContext in types:
            setattr(module, name, tuple(original if t is _CertcoreContext else t for t in types))
    error = None
    for modname, name, build in _CONTEXT_GLOBALS:
        module = _loaded(modname)
        current = getattr(module, name, None) if module is not None else None
        if current is not None and _is_certcore(current):
            try:
                setattr(module, name, build(module))
            except Exception as e:
                error = error or e
    if error is not None:
        raise error
