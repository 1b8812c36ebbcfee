"""certcore.inject_into_ssl() / extract_from_ssl(): unmodified programs use certcore through ``ssl``.

What proves that certcore carried a connection: counters around ``certcore.sslsocket``'s
``_new_socket_conn`` and ``_new_bio_conn``, the module globals through which every certcore
context makes its connections (``SSLContext._wrap_socket`` / ``_wrap_bio``). A connection the
stdlib makes leaves them alone.

The HTTPS server is the stdlib's ``ssl`` + ``http.server`` in a thread of this process, with the
test PKI. Library clients run in fresh subprocesses, since import order is the point: the library
imported before ``inject_into_ssl()`` and after it.
"""
import asyncio
import http.server
import inspect
import json
import os
import re
import socket
import ssl
import warnings
import subprocess
import sys
import threading

import pytest

import certcore
from certcore import inject, sslsocket
from helpers.tlscerts import get_pki

STD_CONTEXT = ssl.SSLContext
STD_BASE = ssl._ssl._SSLContext
LIBRARIES = ("urllib3", "requests", "httpx", "aiohttp")


def test_the_stdlib_class_is_in_place_when_tests_start():
    assert STD_CONTEXT.__module__ == "ssl" and STD_CONTEXT.__bases__ == (STD_BASE,)


# --- the local HTTPS server ----------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    timeout = 15

    def do_GET(self):
        body = b"hello " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that reject the certificate abort the handshake on purpose


@pytest.fixture(scope="module")
def server():
    pki = get_pki()
    ctx = STD_CONTEXT(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*pki.ecdsa)
    httpd = _Server(("127.0.0.1", 0), _Handler)
    # The handshake happens at the first read, in the connection's own thread, so a client that
    # stalls or fails it does not hold up the accept loop.
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{httpd.server_address[1]}", pki
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


# --- in-process helpers ------------------------------------------------------------------------

@pytest.fixture
def injected():
    certcore.inject_into_ssl()
    try:
        yield
    finally:
        certcore.extract_from_ssl()
    assert ssl.SSLContext is STD_CONTEXT


@pytest.fixture
def conns(monkeypatch):
    """Counts the connections certcore makes: {"socket": n, "bio": n}."""
    counts = {"socket": 0, "bio": 0}
    for name, key in (("_new_socket_conn", "socket"), ("_new_bio_conn", "bio")):
        real = getattr(sslsocket, name)

        def counted(*args, _real=real, _key=key, **kwargs):
            counts[_key] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(sslsocket, name, counted)
    return counts


def _get(ctx, url, path="/"):
    """One HTTPS GET over ``ctx.wrap_socket``; returns the body."""
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=15) as raw:
        with ctx.wrap_socket(raw, server_hostname=host) as tls:
            tls.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(4096):
                data += chunk
    return data.split(b"\r\n\r\n", 1)[1]


def _get_bio(ctx, url, path="/"):
    """One HTTPS GET through asyncio (``ctx.wrap_bio``); returns the body."""
    host, port = url.rsplit("//", 1)[1].split(":")

    async def run():
        reader, writer = await asyncio.open_connection(host, int(port), ssl=ctx, server_hostname=host)
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        data = await reader.read()
        writer.close()
        return data

    return asyncio.run(run()).split(b"\r\n\r\n", 1)[1]


def _every_stdlib_setter(ctx):
    """Uses each Lib/ssl.py setter that goes through ``super(SSLContext, SSLContext)`` and checks
    that the value arrived."""
    seen = []
    ctx.options |= ssl.OP_NO_TICKET
    assert ctx.options & ssl.OP_NO_TICKET
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    assert (ctx.minimum_version, ctx.maximum_version) == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
    ctx.verify_flags |= ssl.VERIFY_X509_TRUSTED_FIRST
    assert ctx.verify_flags & ssl.VERIFY_X509_TRUSTED_FIRST
    ctx.verify_mode = ssl.CERT_REQUIRED
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    ctx._msg_callback = lambda *args: seen.append(args)
    assert ctx._msg_callback is not None
    return seen


# --- the class hierarchy: the recursion fix ----------------------------------------------------

def test_the_bridge_covers_every_super_setter_of_this_pythons_ssl_py():
    source = inspect.getsource(ssl)
    used = set(re.findall(r"super\(SSLContext, SSLContext\)\.(\w+)\.__set__", source))
    assert used, "Lib/ssl.py no longer uses super(SSLContext, SSLContext): revisit the bridge"
    assert used == set(sslsocket._STD_SUPER_SETTERS)
    for name in used:
        found = getattr(super(certcore.SSLContext, certcore.SSLContext), name)
        assert isinstance(found, sslsocket._StdSetter), name


def test_super_of_certcore_class_sets_a_stdlib_context_through_the_c_base():
    std = STD_CONTEXT(ssl.PROTOCOL_TLS_CLIENT)
    bridge = super(certcore.SSLContext, certcore.SSLContext)
    bridge.verify_mode.__set__(std, ssl.CERT_OPTIONAL)
    bridge.options.__set__(std, std.options | ssl.OP_NO_TICKET)
    bridge.minimum_version.__set__(std, ssl.TLSVersion.TLSv1_3)
    assert STD_BASE.verify_mode.__get__(std) == ssl.CERT_OPTIONAL
    assert std.options & ssl.OP_NO_TICKET and std.minimum_version == ssl.TLSVersion.TLSv1_3
    # Reading through the bridge is the stdlib's property: the enum, as ctx.options gives it.
    assert bridge.verify_mode.__get__(std) is ssl.CERT_OPTIONAL


def test_super_of_certcore_class_on_a_certcore_context_reaches_its_core():
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    bridge = super(certcore.SSLContext, certcore.SSLContext)
    bridge.verify_mode.__set__(ctx, ssl.CERT_OPTIONAL)
    bridge.maximum_version.__set__(ctx, ssl.TLSVersion.TLSv1_2)
    assert ctx._core.verify_mode == ssl.CERT_OPTIONAL
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_2
    assert bridge.maximum_version.__get__(ctx) == ssl.TLSVersion.TLSv1_2
    # A TLS_CLIENT/TLS_SERVER context shares the stdlib base's SSL_CTX (context.pyx), so the base's
    # own descriptor reads the same value; other protocols keep a separate, unused base SSL_CTX.
    assert STD_BASE.maximum_version.__get__(ctx) == ssl.TLSVersion.TLSv1_2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        other = certcore.SSLContext(ssl.PROTOCOL_TLS)
    bridge.maximum_version.__set__(other, ssl.TLSVersion.TLSv1_2)
    assert other.maximum_version == ssl.TLSVersion.TLSv1_2
    assert STD_BASE.maximum_version.__get__(other) != ssl.TLSVersion.TLSv1_2


def test_hand_swapped_class_no_longer_recurses(server):
    """The reported bug: ``ssl.SSLContext = certcore.SSLContext`` by hand, then every setter of a
    stdlib context recursed until RecursionError."""
    url, pki = server
    std = ssl.create_default_context(cafile=pki.ca)
    ssl.SSLContext = certcore.SSLContext
    try:
        seen = _every_stdlib_setter(std)
        assert _get(std, url, "/hand") == b"hello /hand"
        assert seen, "the stdlib context's message callback saw no TLS message"
    finally:
        ssl.SSLContext = STD_CONTEXT


@pytest.mark.parametrize("when", ["injected", "extracted"])
def test_stdlib_contexts_made_before_injection_keep_working(server, conns, when):
    url, pki = server
    std = ssl.create_default_context(cafile=pki.ca)
    subclassed = type("Custom", (STD_CONTEXT,), {})(ssl.PROTOCOL_TLS_CLIENT)
    subclassed.load_verify_locations(pki.ca)
    certcore.inject_into_ssl()
    try:
        if when == "extracted":
            certcore.extract_from_ssl()
        for ctx in (std, subclassed):
            seen = _every_stdlib_setter(ctx)
            assert _get(ctx, url, "/sock") == b"hello /sock"
            assert _get_bio(ctx, url, "/bio") == b"hello /bio"
            assert seen
            ctx._msg_callback = None
            assert ctx._msg_callback is None
            assert type(ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="x")) is ssl.SSLObject
        assert conns == {"socket": 0, "bio": 0}, "the stdlib contexts' connections went through certcore"
    finally:
        certcore.extract_from_ssl()


def test_stdlib_context_verification_stays_on_after_injection(server, injected):
    url, pki = server
    ctx = STD_CONTEXT(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca2)
    with pytest.raises(ssl.SSLCertVerificationError):
        _get(ctx, url)


# --- what injection changes in the stdlib ------------------------------------------------------

def test_injection_makes_the_ssl_factories_build_certcore_contexts(server, conns, injected):
    url, pki = server
    assert ssl.SSLContext is certcore.SSLContext
    ctx = ssl.create_default_context(cafile=pki.ca)
    assert type(ctx) is certcore.SSLContext
    assert type(ssl._create_default_https_context()) is certcore.SSLContext
    assert type(ssl._create_unverified_context()) is certcore.SSLContext
    assert _get(ctx, url, "/a") == b"hello /a" and conns["socket"] == 1
    assert _get_bio(ctx, url, "/b") == b"hello /b" and conns["bio"] == 1
    # Without the CA: verification is on.
    with pytest.raises(ssl.SSLCertVerificationError):
        _get(ssl.create_default_context(cafile=pki.ca2), url)
    assert conns["socket"] == 2


def test_urllib_request_uses_certcore_after_injection(server, conns, injected, monkeypatch):
    import urllib.error
    import urllib.request

    url, pki = server
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca)   # the trust that create_default_context() loads
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    # A fresh opener each time: from 3.13 on, an HTTPSHandler makes its context when it is built,
    # and urlopen() keeps its first opener for the life of the process.
    with urllib.request.build_opener().open(url + "/urllib", timeout=15) as resp:
        assert resp.read() == b"hello /urllib"
    assert conns["socket"] == 1
    monkeypatch.setenv("SSL_CERT_FILE", pki.ca2)
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.build_opener().open(url + "/urllib", timeout=15)
    assert conns["socket"] == 2


def test_socket_and_object_classes_stay_the_stdlibs(injected):
    assert ssl.SSLSocket is not certcore.SSLSocket and ssl.SSLObject is not certcore.SSLObject
    assert issubclass(certcore.SSLSocket, ssl.SSLSocket) and issubclass(certcore.SSLObject, ssl.SSLObject)


def test_why_ssl_sslsocket_is_not_replaced():
    """``SSLSocket._create`` in Lib/ssl.py calls ``super(SSLSocket, self)`` through the module
    global: with certcore's class there, a stdlib context could no longer wrap a socket."""
    std = STD_CONTEXT(ssl.PROTOCOL_TLS_CLIENT)
    original = ssl.SSLSocket
    ssl.SSLSocket = certcore.SSLSocket
    try:
        with socket.socket() as s, pytest.raises(TypeError):
            std.wrap_socket(s, server_hostname="localhost")
    finally:
        ssl.SSLSocket = original


def test_isinstance_accepts_the_displaced_class_only_while_injected():
    std = STD_CONTEXT(ssl.PROTOCOL_TLS_CLIENT)
    ours = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    assert not isinstance(std, certcore.SSLContext) and not issubclass(STD_CONTEXT, certcore.SSLContext)
    certcore.inject_into_ssl()
    try:
        assert isinstance(std, ssl.SSLContext) and issubclass(STD_CONTEXT, ssl.SSLContext)
        assert isinstance(ours, ssl.SSLContext) and isinstance(ours, STD_CONTEXT)
        assert not isinstance(object(), ssl.SSLContext)
    finally:
        certcore.extract_from_ssl()
    assert not isinstance(std, certcore.SSLContext) and isinstance(ours, ssl.SSLContext)


def test_asyncio_start_tls_accepts_a_stdlib_context_while_injected(server, conns, injected):
    """asyncio checks ``isinstance(sslcontext, ssl.SSLContext)`` when start_tls runs."""
    url, pki = server
    host, port = url.rsplit("//", 1)[1].split(":")
    std = STD_CONTEXT(ssl.PROTOCOL_TLS_CLIENT)
    std.load_verify_locations(pki.ca)

    class Collect(asyncio.Protocol):
        def __init__(self):
            self.data = b""
            self.done = asyncio.get_running_loop().create_future()

        def data_received(self, data):
            self.data += data

        def connection_lost(self, exc):
            self.done.set_result(self.data)

    async def run():
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_connection(Collect, host, int(port))
        transport = await loop.start_tls(transport, proto, std, server_hostname=host)
        transport.write(f"GET /starttls HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        return await asyncio.wait_for(proto.done, 15)

    assert asyncio.run(run()).endswith(b"hello /starttls")
    assert conns == {"socket": 0, "bio": 0}


# --- inject / extract bookkeeping --------------------------------------------------------------

def test_inject_and_extract_are_idempotent():
    assert ssl.SSLContext is STD_CONTEXT
    certcore.extract_from_ssl()                       # not injected: nothing to do
    assert ssl.SSLContext is STD_CONTEXT
    certcore.inject_into_ssl()
    certcore.inject_into_ssl()
    assert ssl.SSLContext is certcore.SSLContext
    certcore.extract_from_ssl()
    assert ssl.SSLContext is STD_CONTEXT
    certcore.extract_from_ssl()
    assert ssl.SSLContext is STD_CONTEXT


def test_a_hand_swap_before_injection_is_undone_to_the_stdlib_class():
    ssl.SSLContext = certcore.SSLContext
    try:
        certcore.inject_into_ssl()
        certcore.extract_from_ssl()
        assert ssl.SSLContext is STD_CONTEXT
    finally:
        ssl.SSLContext = STD_CONTEXT


def test_extraction_leaves_a_later_replacement_alone():
    other = type("OtherContext", (STD_CONTEXT,), {})
    certcore.inject_into_ssl()
    ssl.SSLContext = other
    try:
        certcore.extract_from_ssl()
        assert ssl.SSLContext is other
    finally:
        ssl.SSLContext = STD_CONTEXT


def test_concurrent_inject_and_extract_end_consistent():
    for _ in range(20):
        barrier = threading.Barrier(8)

        def both():
            barrier.wait()
            certcore.inject_into_ssl()
            barrier.wait()
            certcore.extract_from_ssl()

        threads = [threading.Thread(target=both) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert ssl.SSLContext is STD_CONTEXT
        assert inject._displaced is None and inject._replaced == []


@pytest.mark.parametrize("before", ["stdlib", "hand-swapped"])
def test_a_failing_rebuild_undoes_the_injection(monkeypatch, before):
    import types

    fake = types.ModuleType("certcore_test_fake_lib")
    fake.ctx = STD_CONTEXT(ssl.PROTOCOL_TLS_CLIENT)

    def broken(module):
        raise OSError("no CA bundle")

    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    monkeypatch.setattr(inject, "_CONTEXT_GLOBALS", ((fake.__name__, "ctx", broken),))
    monkeypatch.setattr(ssl, "SSLContext", STD_CONTEXT if before == "stdlib" else certcore.SSLContext)
    previous, original = ssl.SSLContext, fake.ctx
    with pytest.raises(OSError, match="no CA bundle"):
        certcore.inject_into_ssl()
    assert ssl.SSLContext is previous and fake.ctx is original and inject._displaced is None


def test_exported_from_certcore():
    assert certcore.inject_into_ssl is inject.inject_into_ssl
    assert certcore.extract_from_ssl is inject.extract_from_ssl
    assert {"inject_into_ssl", "extract_from_ssl"} <= set(certcore.__all__)


# --- the libraries, each in a fresh process, imported before and after injection -----------------

# The client program: argv = library, order ("before": import it, then inject; "after": inject,
# then import it), mode ("trusted": the process' default trust is the test CA; "untrusted": the
# library's own default trust, which lacks it), url, CA path. Prints one JSON line of findings.
CLIENT = r'''
import asyncio, json, os, ssl, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)
lib, order, mode, url, ca = sys.argv[1:6]
if mode == "trusted":
    # requests' default bundle (the one its preloaded context loads) and httpx's become the test CA.
    import certifi
    certifi.where = lambda: ca
STD = ssl.SSLContext
existing = ssl.create_default_context(cafile=ca)    # a program's own context, made before injection
out = {"calls": []}


def import_lib():
    global mod
    mod = __import__(lib)
    if lib == "aiohttp":
        import aiohttp.connector, aiohttp.client_reqrep  # noqa: F401, E401
    if lib == "requests":
        import requests.adapters  # noqa: F401


def counters():
    from certcore import sslsocket
    counts = {"socket": 0, "bio": 0}
    for name, key in (("_new_socket_conn", "socket"), ("_new_bio_conn", "bio")):
        real = getattr(sslsocket, name)
        def counted(*a, _real=real, _key=key, **k):
            counts[_key] += 1
            return _real(*a, **k)
        setattr(sslsocket, name, counted)
    return counts


def get(how, ctx=None):
    """One GET with `how`: "default" (the library's default trust), "ctx" (the given context).
    Returns ("ok", body) or ("error", text)."""
    try:
        if lib == "urllib3":
            pm = mod.PoolManager(ssl_context=ctx, retries=False, timeout=15) if ctx is not None else \
                mod.PoolManager(retries=False, timeout=15)
            r = pm.request("GET", url + "/" + how)
            return ["ok", r.data.decode()]
        if lib == "requests":
            s = mod.Session()
            if ctx is not None:
                class Adapter(mod.adapters.HTTPAdapter):
                    def init_poolmanager(self, *a, **k):
                        k["ssl_context"] = ctx
                        super().init_poolmanager(*a, **k)
                s.mount("https://", Adapter())
            return ["ok", s.get(url + "/" + how, timeout=15).text]
        if lib == "httpx":
            r = mod.get(url + "/" + how, verify=ctx if ctx is not None else True, timeout=15)
            return ["ok", r.text]
        if lib == "aiohttp":
            async def run():
                async with mod.ClientSession() as s:
                    kw = {"ssl": ctx} if ctx is not None else {}
                    async with s.get(url + "/" + how, timeout=mod.ClientTimeout(total=15), **kw) as r:
                        return await r.text()
            return ["ok", asyncio.run(run())]
    except Exception as e:
        text = repr(e)
        cause = e
        while cause is not None:
            text += " | " + repr(cause)
            cause = cause.__cause__ or cause.__context__
            if len(text) > 3000:
                break
        return ["error", text]


def call(phase, how, ctx=None):
    before = dict(counts)
    result = get(how, ctx)
    out["calls"].append({"phase": phase, "how": how, "result": result,
                         "certcore": counts["socket"] + counts["bio"] - before["socket"] - before["bio"]})


# Module globals that inject_into_ssl() may replace, as the library made them.
def library_globals():
    import importlib
    found = {}
    for modname, name in (("urllib3.util.ssl_", "SSLContext"), ("urllib3.util", "SSLContext"),
                          ("requests.adapters", "_preloaded_ssl_context"),
                          ("aiohttp.connector", "_SSL_CONTEXT_VERIFIED"),
                          ("aiohttp.connector", "_SSL_CONTEXT_UNVERIFIED"),
                          ("aiohttp.client_reqrep", "SSL_ALLOWED_TYPES")):
        if modname in sys.modules:
            value = getattr(importlib.import_module(modname), name, None)
            if value is not None:
                found[modname + "." + name] = value
    return found


def describe(values):
    import certcore
    def kind(v):
        if isinstance(v, tuple):
            return [kind(t) for t in v if isinstance(t, type) and issubclass(t, STD)]
        if isinstance(v, type):
            return "certcore class" if v is certcore.SSLContext else "stdlib class" if v is STD else repr(v)
        return "certcore context" if type(v) is certcore.SSLContext else "stdlib context" \
            if type(v) is STD else repr(type(v))
    return {k: kind(v) for k, v in values.items()}


if order == "before":
    import_lib()
    import certcore
    counts = counters()
    originals = library_globals()
    certcore.inject_into_ssl()
else:
    import certcore
    counts = counters()
    originals = {}
    certcore.inject_into_ssl()
    import_lib()

out["ssl_is_certcore"] = ssl.SSLContext is certcore.SSLContext
out["had_preloaded"] = getattr(sys.modules.get("requests.adapters"), "_preloaded_ssl_context", None) is not None
injected_globals = library_globals()
out["injected_globals"] = describe(injected_globals)
preloaded = injected_globals.get("requests.adapters._preloaded_ssl_context")
if preloaded is not None and originals:
    old = originals["requests.adapters._preloaded_ssl_context"]
    out["preloaded_same_cas"] = preloaded.get_ca_certs() == old.get_ca_certs() and len(old.get_ca_certs()) > 0
    out["preloaded_same_settings"] = all(getattr(preloaded, a) == getattr(old, a) for a in
                                         ("options", "verify_mode", "check_hostname", "minimum_version",
                                          "maximum_version", "verify_flags"))

call("injected", "default")
if mode == "trusted":
    call("injected", "ctx", ssl.create_default_context(cafile=ca))
    call("injected", "existing", existing)
    # The library's own contexts that injection replaced still work for whoever holds them.
    for key, value in originals.items():
        if isinstance(value, STD):
            call("injected", "original-" + key.rsplit(".", 1)[1], value)

certcore.extract_from_ssl()
out["extracted_ssl_is_stdlib"] = ssl.SSLContext is STD
extracted_globals = library_globals()
out["extracted_globals"] = describe(extracted_globals)
out["restored_exactly"] = all(extracted_globals.get(k) is v for k, v in originals.items())
if mode == "trusted":
    call("extracted", "default")
    call("extracted", "ctx", ssl.create_default_context(cafile=ca))
print(json.dumps(out))
'''


def _run_client(lib, order, mode, server):
    pytest.importorskip(lib)
    url, pki = server
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(certcore.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([here] + [p for p in [env.get("PYTHONPATH")] if p])
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        env.pop(name, None)
    if mode == "trusted":
        env["SSL_CERT_FILE"] = pki.ca   # what create_default_context() / load_default_certs() trust
    proc = subprocess.run([sys.executable, "-c", CLIENT, lib, order, mode, url, pki.ca], env=env,
                          cwd=pki.dir, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _calls(found, phase):
    return {c["how"]: c for c in found["calls"] if c["phase"] == phase}


@pytest.mark.parametrize("order", ["before", "after"])
@pytest.mark.parametrize("lib", LIBRARIES)
def test_library_traffic_goes_through_certcore(lib, order, server):
    found = _run_client(lib, order, "trusted", server)
    assert found["ssl_is_certcore"]
    injected = _calls(found, "injected")
    for how in ("default", "ctx"):
        assert injected[how]["result"] == ["ok", f"hello /{how}"], injected[how]
        assert injected[how]["certcore"] >= 1, f"{lib} {how}: the stdlib made the connection"
    # A stdlib context the program made before injection: still accepted, still the stdlib's.
    assert injected["existing"]["result"] == ["ok", "hello /existing"], injected["existing"]
    assert injected["existing"]["certcore"] == 0
    originals = {how: c for how, c in injected.items() if how.startswith("original-")}
    expected = {"requests": {"original-_preloaded_ssl_context"} if found.get("had_preloaded") else set(),
                "aiohttp": {"original-_SSL_CONTEXT_VERIFIED", "original-_SSL_CONTEXT_UNVERIFIED"}}
    assert set(originals) == (expected.get(lib, set()) if order == "before" else set())
    for how, c in originals.items():
        assert c["result"] == ["ok", f"hello /{how}"] and c["certcore"] == 0, c

    # The library's own globals: certcore's while injected, whichever came first.
    for name, kind in found["injected_globals"].items():
        if name.endswith("SSL_ALLOWED_TYPES"):
            assert kind in (["stdlib class"], ["certcore class"]), (name, kind)
        else:
            assert kind in ("certcore class", "certcore context"), (name, kind)
    if lib in ("urllib3", "requests"):
        assert found["injected_globals"]["urllib3.util.ssl_.SSLContext"] == "certcore class"
    if lib == "aiohttp":
        assert found["injected_globals"]["aiohttp.connector._SSL_CONTEXT_VERIFIED"] == "certcore context"
    if "preloaded_same_cas" in found:   # requests 2.32.0-2.32.3, imported first
        assert found["preloaded_same_cas"] and found["preloaded_same_settings"]

    # Extracted: the stdlib again, with the exact objects back where injection replaced them.
    assert found["extracted_ssl_is_stdlib"] and found["restored_exactly"]
    for name, kind in found["extracted_globals"].items():
        assert kind in ("stdlib class", "stdlib context", ["stdlib class"]), (name, kind)
    extracted = _calls(found, "extracted")
    for how in ("default", "ctx"):
        assert extracted[how]["result"] == ["ok", f"hello /{how}"], extracted[how]
        assert extracted[how]["certcore"] == 0, f"{lib} {how}: certcore still carried traffic after extraction"


@pytest.mark.parametrize("order", ["before", "after"])
@pytest.mark.parametrize("lib", LIBRARIES)
def test_library_verification_is_on_after_injection(lib, order, server):
    found = _run_client(lib, order, "untrusted", server)
    call = _calls(found, "injected")["default"]
    status, text = call["result"]
    assert status == "error" and "CERTIFICATE_VERIFY_FAILED" in text, call
    assert call["certcore"] >= 1, f"{lib}: the stdlib made the connection that failed"
