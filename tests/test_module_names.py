"""certcore is the running interpreter's ``ssl``: every name, the same values, certcore's own OpenSSL.

* Names: every public name of the running ``ssl`` (all of ``dir(ssl)`` without a leading
  underscore) and the underscored ones programs use are in certcore, except the deliberate
  differences in ``DIFFERENCES`` (the one table of them, a reason each); ``__all__`` is the
  stdlib's public names plus certcore's additions.
* Values: data is the stdlib's own object or an equal value of the same type; functions and
  classes are certcore's (or, for the few pure-Python/socket helpers, the stdlib's very object).
* Every constant the stdlib takes from an OpenSSL macro (OP_*, VERIFY_*, ALERT_DESCRIPTION_*,
  SSL_ERROR_*, TLSVersion) equals that macro in the headers certcore was compiled with
  (_certcore.constants); the HAS_* flags are certcore's build and agree with what its
  SSLContext does.
* RAND_*: differential against the running stdlib, including bad input, warnings, and a
  random generator that fails (OPENSSL_CONF naming a DRBG that does not exist).
"""
import array
import os
import ssl
import subprocess
import sys
import textwrap
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import certcore
from _certcore import constants, version
from helpers.outcome import outcome
from helpers.scale import examples

PY = sys.version_info[:2]
SAME_OPENSSL = certcore.OPENSSL_VERSION == ssl.OPENSSL_VERSION

# The deliberate differences between the running ssl's namespace and certcore's, the only ones:
# names certcore does not have, each with the reason.
DIFFERENCES = {
    "os": "ssl.py's own `import os`, not API: neither CPython's test_ssl (3.9-3.13) "
          "nor the programs certcore targets read ssl.os",
    "sys": "ssl.py's own `import sys`, not API",
    "errno": "ssl.py's own `import errno`, not API",
    "warnings": "ssl.py's own `import warnings`, not API",
    "base64": "ssl.py's own `import base64` (for its PEM converters; certcore's are compiled)",
    "namedtuple": "ssl.py's own `from collections import namedtuple`, used to define "
                  "DefaultVerifyPaths (which certcore re-exports)",
    "RAND_egd": "only in an ssl linked to LibreSSL or an OpenSSL older than 1.1; certcore "
                "builds with OpenSSL 3, which has no RAND_egd",
}

# Underscored names of ssl that programs use (where the running ssl has them), with who uses them.
USED_PRIVATE = {
    "_create_default_https_context": "http.client and urllib.request's default context factory",
    "_create_unverified_context": "the documented opt-out of certificate checks (PEP 476)",
    "_create_stdlib_context": "smtplib, imaplib, poplib, ftplib, nntplib, CPython's test_ssl",
    "_DEFAULT_CIPHERS": "programs that restore the default cipher list with set_ciphers()",
    "_OPENSSL_API_VERSION": "CPython's test_ssl",
    "_PROTOCOL_NAMES": "CPython's test_ssl, get_protocol_name",
    "_SSLMethod": "CPython's test_ssl (PROTOCOL_* members)",
    "_GLOBAL_DEFAULT_TIMEOUT": "get_server_certificate's timeout default (3.10+)",
}

# Callables and classes that certcore takes from the stdlib as they are: they never touch OpenSSL.
STDLIB_CALLABLES = {
    "AlertDescription", "Options", "Purpose", "SSLErrorNumber", "TLSVersion", "VerifyFlags",
    "VerifyMode", "_SSLMethod", "DefaultVerifyPaths",
    "CertificateError", "SSLError", "SSLZeroReturnError", "SSLWantReadError", "SSLWantWriteError",
    "SSLSyscallError", "SSLEOFError", "SSLCertVerificationError",
    "socket", "create_connection", "socket_error", "get_protocol_name",
}
# certcore's classes that must pass isinstance() checks made with the stdlib's (asyncio, ftplib).
SUBCLASSES = {"SSLContext", "SSLSocket", "SSLObject"}
# Data that describes an OpenSSL build: certcore's is its own, equal to the stdlib's only when
# both link the same OpenSSL.
BUILD_DATA = {"OPENSSL_VERSION", "OPENSSL_VERSION_INFO", "OPENSSL_VERSION_NUMBER", "_OPENSSL_API_VERSION"}
# Data that is certcore's own object with the stdlib's value.
OWN_DATA = {"PEM_HEADER", "PEM_FOOTER", "CHANNEL_BINDING_TYPES"}

# Constants named like OpenSSL's but numbered by CPython itself, with no OpenSSL macro behind them
# (test_cpython_numbering checks them by behaviour instead).
CPYTHON_NUMBERS = {"SSL_ERROR_EOF", "SSL_ERROR_INVALID_ERROR_CODE"}
OPENSSL_PREFIXES = ("OP_", "VERIFY_", "ALERT_DESCRIPTION_", "SSL_ERROR_")


def stdlib_public():
    return {n for n in dir(ssl) if not n.startswith("_")}


def names_to_check():
    return sorted(stdlib_public() | {n for n in USED_PRIVATE if hasattr(ssl, n)})


def certcore_additions():
    """What certcore has beyond the running stdlib's public names."""
    extra = {"get_include", "Certificate", "decode_cert", "load_certificates", "check_hostnames",
             "get_server_certificate_chain", "inject_into_ssl", "extract_from_ssl", "TrustStore",
             "Verifier", "BasicConstraints", "AuthorityKeyIdentifier", "NameConstraints", "CertificateExtension"}
    for name in ("match_hostname", "wrap_socket", "enum_certificates", "enum_crls"):
        if not hasattr(ssl, name):   # removed in 3.12 / Windows-only in the stdlib
            extra.add(name)
    return extra


def is_certcore_code(obj):
    return getattr(obj, "__module__", "").split(".")[0] in ("certcore", "_certcore")


# --- names -------------------------------------------------------------------------------------

def test_differences_table_is_well_formed():
    for name, reason in DIFFERENCES.items():
        assert isinstance(reason, str) and len(reason) > 20, name


@pytest.mark.parametrize("name", names_to_check())
def test_name_is_in_certcore(name):
    if name in DIFFERENCES:
        assert not hasattr(certcore, name), f"certcore has {name} now: drop it from DIFFERENCES"
        return
    assert hasattr(certcore, name), f"certcore lacks ssl.{name}"
    ours, theirs = getattr(certcore, name), getattr(ssl, name)
    if name in STDLIB_CALLABLES:
        assert ours is theirs
    elif callable(theirs):
        assert callable(ours)
        assert isinstance(ours, type) == isinstance(theirs, type), name
        assert is_certcore_code(ours), f"certcore.{name} is not certcore's: {ours!r}"
        if name in SUBCLASSES:
            assert issubclass(ours, theirs)
    elif name in BUILD_DATA or name.startswith("HAS_"):
        assert type(ours) is type(theirs)
        if SAME_OPENSSL:
            assert ours == theirs
    elif name in OWN_DATA:
        assert type(ours) is type(theirs)
        assert ours == theirs
    else:
        assert ours is theirs, f"certcore.{name} should be the stdlib's own object"


def test_build_data_is_certcores():
    assert certcore.OPENSSL_VERSION is version.OPENSSL_VERSION
    assert certcore.OPENSSL_VERSION_NUMBER is version.OPENSSL_VERSION_NUMBER
    assert certcore.OPENSSL_VERSION_INFO is version.OPENSSL_VERSION_INFO
    assert certcore._OPENSSL_API_VERSION is constants.OPENSSL_API_VERSION
    # Built against OpenSSL 3 headers, running with an OpenSSL 3 that is at least as new.
    assert certcore._OPENSSL_API_VERSION[0] == certcore.OPENSSL_VERSION_INFO[0] == 3
    assert certcore._OPENSSL_API_VERSION <= certcore.OPENSSL_VERSION_INFO
    for name in dir(constants):
        if name.startswith("HAS_") and hasattr(certcore, name):
            assert getattr(certcore, name) is getattr(constants, name), name


def test_all_is_the_stdlib_public_names_plus_certcores():
    expected = (stdlib_public() - set(DIFFERENCES)) | certcore_additions()
    assert len(certcore.__all__) == len(set(certcore.__all__)), "duplicates in __all__"
    assert set(certcore.__all__) == expected
    namespace = {}
    exec("from certcore import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == expected
    for name in expected:
        assert namespace[name] is getattr(certcore, name)


def test_additions_are_certcores():
    for name in certcore_additions():
        assert is_certcore_code(getattr(certcore, name)), name


def test_module_level_helpers_keep_working():
    # The socket names behave as through ssl, and the stdlib's pure-Python helper sees
    # certcore's protocol constants as its own.
    assert certcore.socket is __import__("socket").socket
    assert certcore.socket_error is OSError
    assert certcore.get_protocol_name(certcore.PROTOCOL_TLS_CLIENT) == "PROTOCOL_TLS_CLIENT"
    assert certcore._create_default_https_context is certcore.create_default_context
    ctx = certcore._create_unverified_context()
    assert isinstance(ctx, certcore.SSLContext)
    assert ctx.verify_mode is certcore.CERT_NONE and ctx.check_hostname is False


def test_import_certcore_as_ssl():
    # What a program written for ssl does with the names that were missing before.
    import certcore as ssl_

    ctx = ssl_.create_default_context(ssl_.Purpose.SERVER_AUTH)
    ctx.options |= ssl_.OP_NO_COMPRESSION | ssl_.OP_NO_TICKET
    ctx.minimum_version = ssl_.TLSVersion.TLSv1_2
    ctx.verify_flags |= ssl_.VERIFY_X509_STRICT
    assert ctx.options & ssl_.OP_NO_COMPRESSION and ctx.options & ssl_.OP_NO_TICKET
    assert isinstance(ctx.options, ssl_.Options)
    assert ctx.verify_flags & ssl_.VERIFY_X509_STRICT
    assert isinstance(ctx.verify_flags, ssl_.VerifyFlags)
    assert ctx.minimum_version is ssl_.TLSVersion.TLSv1_2
    assert ctx.verify_mode is ssl_.VerifyMode.CERT_REQUIRED
    assert ssl_.HAS_SNI and ssl_.HAS_ALPN and ssl_.HAS_NEVER_CHECK_COMMON_NAME
    assert ssl_.AlertDescription.ALERT_DESCRIPTION_HANDSHAKE_FAILURE == 40
    assert ssl_.SSLErrorNumber.SSL_ERROR_EOF is ssl_.SSL_ERROR_EOF


# --- OpenSSL's values, as certcore compiled them -------------------------------------------------

OPENSSL_NAMED = sorted(n for n in stdlib_public() if n.startswith(OPENSSL_PREFIXES))


@pytest.mark.parametrize("name", OPENSSL_NAMED)
def test_constant_is_openssl_header_value(name):
    if name in CPYTHON_NUMBERS:
        assert name not in constants.OPENSSL_VALUES
        return
    assert name in constants.OPENSSL_VALUES, (
        f"ssl.{name} is new: add its OpenSSL macro to _certcore.constants.OPENSSL_VALUES")
    header = constants.OPENSSL_VALUES[name]
    assert getattr(ssl, name) == header, (
        f"ssl.{name} is {int(getattr(ssl, name)):#x} in the stdlib's OpenSSL but {header:#x} in "
        f"certcore's headers: certcore must not re-export the stdlib's member")
    assert getattr(certcore, name) == header


@pytest.mark.parametrize("enum", ["Options", "VerifyFlags", "AlertDescription", "SSLErrorNumber"])
def test_enum_members_are_the_module_constants(enum):
    # Every member is also a module-level constant, so the parametrized check above covers it.
    for member in getattr(ssl, enum):
        assert getattr(certcore, member.name) is member


def test_tls_versions_are_openssl_header_values():
    for member in ssl.TLSVersion:
        if member.name in ("MINIMUM_SUPPORTED", "MAXIMUM_SUPPORTED"):
            assert member.value < 0   # CPython's own sentinels
        else:
            assert member.value == constants.TLS_VERSIONS[member.name], member


@pytest.mark.skipif(PY < (3, 12), reason="OP_ENABLE_KTLS/OP_LEGACY_SERVER_CONNECT are ssl names from 3.12")
def test_every_header_value_names_an_ssl_constant():
    assert set(constants.OPENSSL_VALUES) <= stdlib_public()
    assert set(constants.TLS_VERSIONS) <= set(ssl.TLSVersion.__members__)


def _protocol_view(cls, protocol, bounds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = cls(protocol)
    view = (ctx.protocol, type(ctx.protocol), ctx.verify_mode, ctx.check_hostname)
    return view + (ctx.minimum_version, ctx.maximum_version) if bounds else view


PROTOCOLS = sorted(n for n in stdlib_public() if n.startswith("PROTOCOL_"))


@pytest.mark.parametrize("name", PROTOCOLS)
def test_cpython_numbering_protocols(name):
    # PROTOCOL_* are CPython's numbers: what they mean is the context they make.
    protocol = getattr(certcore, name)
    assert _protocol_view(certcore.SSLContext, protocol, False) == _protocol_view(ssl.SSLContext, protocol, False)


@pytest.mark.parametrize("name", PROTOCOLS)
def test_cpython_numbering_protocol_bounds(name):
    protocol = getattr(certcore, name)
    assert _protocol_view(certcore.SSLContext, protocol, True) == _protocol_view(ssl.SSLContext, protocol, True)


def test_cpython_numbering_cert_reqs_and_errors():
    ours, theirs = certcore.SSLContext(certcore.PROTOCOL_TLS_SERVER), ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for name in ("CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED"):
        ours.verify_mode = getattr(certcore, name)
        theirs.verify_mode = getattr(ssl, name)
        assert ours.verify_mode is theirs.verify_mode is getattr(ssl, name)
    # SSL_ERROR_EOF is the errno of a ragged EOF (test_tls_errors checks it on real connections).
    assert certcore.SSL_ERROR_EOF == 8 and certcore.SSL_ERROR_INVALID_ERROR_CODE == 10


def test_default_ciphers_are_what_a_new_context_uses():
    # _DEFAULT_CIPHERS is the stdlib's text; it must name the list certcore's contexts start with
    # (on 3.9 too, whose string differs).
    fresh = certcore.SSLContext(certcore.PROTOCOL_TLS_CLIENT)
    explicit = certcore.SSLContext(certcore.PROTOCOL_TLS_CLIENT)
    explicit.set_ciphers(certcore._DEFAULT_CIPHERS)
    assert [c["name"] for c in explicit.get_ciphers()] == [c["name"] for c in fresh.get_ciphers()]


# --- HAS_* ----------------------------------------------------------------------------------

@pytest.mark.skipif(not SAME_OPENSSL, reason="the interpreter's ssl links another OpenSSL")
def test_has_flags_equal_the_stdlibs_on_the_same_openssl():
    for name in (n for n in stdlib_public() if n.startswith("HAS_")):
        assert getattr(certcore, name) is getattr(ssl, name), name


def test_has_flags_match_behaviour():
    server = certcore.SSLContext(certcore.PROTOCOL_TLS_SERVER)
    client = certcore.SSLContext(certcore.PROTOCOL_TLS_CLIENT)
    assert constants.HAS_SNI
    server.sni_callback = lambda *args: None
    assert server.sni_callback is not None
    assert constants.HAS_ALPN
    client.set_alpn_protocols(["h2", "http/1.1"])
    if constants.HAS_ECDH:
        server.set_ecdh_curve("prime256v1")
    assert not constants.HAS_NPN
    with pytest.raises(NotImplementedError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client.set_npn_protocols(["http/1.1"])
    assert constants.HAS_NEVER_CHECK_COMMON_NAME
    client.hostname_checks_common_name = False
    assert client.hostname_checks_common_name is False
    # HAS_PSK (3.13's name) promises the PSK callbacks; where the running ssl lacks the name,
    # certcore's SSLContext lacks the callbacks too (tests/test_tls_psk.py makes PSK handshakes).
    if hasattr(certcore, "HAS_PSK"):
        assert certcore.HAS_PSK is constants.HAS_PSK
        if certcore.HAS_PSK:
            client.set_psk_client_callback(lambda hint: (None, b"\x00" * 32))
            server.set_psk_server_callback(lambda identity: b"\x00" * 32)
    else:
        assert not hasattr(client, "set_psk_client_callback")
        assert not hasattr(server, "set_psk_server_callback")


def test_has_protocol_flags_follow_the_build():
    assert certcore.HAS_SSLv2 is False
    # Every protocol the build has can be the only one a context allows.
    for flag, version_name in [("HAS_TLSv1", "TLSv1"), ("HAS_TLSv1_1", "TLSv1_1"),
                               ("HAS_TLSv1_2", "TLSv1_2"), ("HAS_TLSv1_3", "TLSv1_3")]:
        if getattr(certcore, flag):
            ctx = certcore.SSLContext(certcore.PROTOCOL_TLS_CLIENT)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)   # TLS 1.0/1.1 on 3.10+
                ctx.minimum_version = ctx.maximum_version = certcore.TLSVersion[version_name]
            assert ctx.maximum_version is certcore.TLSVersion[version_name]


# --- RAND_* ---------------------------------------------------------------------------------

RAND_NAMES = sorted(n for n in stdlib_public() if n.startswith("RAND_") and n not in DIFFERENCES)


class Index:
    def __index__(self):
        return 3


class IntOnly:
    def __int__(self):
        return 3


class Text(str):
    pass


def observed(func, *args):
    """What the call did (result shape, or exception with its text and args) and what it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = outcome(func, *args, with_args=True)
    if result[0] == "ok":
        value = result[1]
        if isinstance(value, bytes):
            result = ("ok", "bytes", len(value))
        elif isinstance(value, tuple):
            result = ("ok", "pseudo", len(value[0]), value[1])
        else:
            result = ("ok", type(value), value)
    return result, [(w.category, str(w.message), w.filename) for w in caught]


def pair(name, *args):
    return observed(getattr(certcore, name), *args), observed(getattr(ssl, name), *args)


def test_rand_names_are_certcores():
    assert set(RAND_NAMES) >= {"RAND_bytes", "RAND_add", "RAND_status"}
    assert ("RAND_pseudo_bytes" in RAND_NAMES) == (PY < (3, 12))
    for name in RAND_NAMES:
        assert getattr(certcore, name).__module__ == "_certcore.rand"


N_ARGS = [0, 1, 16, 1000, True, -1, -2**31, -2**31 - 1, 2**31, 2**63, 2**100, -2**100,
          1.0, 1.5, float("nan"), "3", b"3", None, [3], Index(), IntOnly()]


@pytest.mark.parametrize("name", [n for n in ("RAND_bytes", "RAND_pseudo_bytes") if n in RAND_NAMES])
@pytest.mark.parametrize("n", N_ARGS, ids=repr)
def test_rand_bytes_vs_stdlib(name, n):
    ours, theirs = pair(name, n)
    assert ours == theirs


STRINGS = [b"", b"x", b"seed" * 1000, bytearray(b"seed"), memoryview(b"seed"), array.array("i", [1, 2]),
           "", "seed", "é\u20ac\U0001f600", Text("seed"), "a\0b", "\ud800",
           memoryview(b"abcd")[::2], 1, 1.0, None, ["x"], object()]
ENTROPIES = [0, 1, 1.5, -1.0, True, float("nan"), float("inf"), 10**400, "1", None, b"1", Index()]


@pytest.mark.parametrize("string", STRINGS, ids=lambda s: f"{type(s).__name__}:{s!r}"[:40])
@pytest.mark.parametrize("entropy", ENTROPIES, ids=repr)
def test_rand_add_vs_stdlib(string, entropy):
    ours, theirs = pair("RAND_add", string, entropy)
    assert ours == theirs


def test_rand_status_vs_stdlib():
    ours, theirs = pair("RAND_status")
    assert ours == theirs
    assert ours[0][1] is (int if PY < (3, 10) else bool)


@pytest.mark.parametrize("call", [
    ("RAND_bytes",), ("RAND_bytes", 1, 2), ("RAND_status", 1), ("RAND_add",), ("RAND_add", b"x"),
    ("RAND_add", b"x", 1.0, 2),
])
def test_rand_wrong_arity_is_typeerror(call):
    # The type is the stdlib's; the text is Cython's (the stdlib's names the C function _ssl.*).
    name, *args = call
    with pytest.raises(TypeError):
        getattr(ssl, name)(*args)
    with pytest.raises(TypeError):
        getattr(certcore, name)(*args)


@pytest.mark.parametrize("name, kwargs", [("RAND_bytes", {"n": 3}), ("RAND_add", {"string": b"x", "entropy": 1.0})])
def test_rand_arguments_are_positional_only(name, kwargs):
    with pytest.raises(TypeError):
        getattr(ssl, name)(**kwargs)
    with pytest.raises(TypeError):
        getattr(certcore, name)(**kwargs)


def test_rand_bytes_are_random():
    draws = {certcore.RAND_bytes(16) for _ in range(8)}
    assert len(draws) == 8
    assert certcore.RAND_bytes(0) == b""
    assert len(certcore.RAND_bytes(1 << 20)) == 1 << 20


ANY_VALUE = st.one_of(
    st.integers(-(1 << 80), 4096), st.integers(1 << 31, 1 << 80), st.floats(), st.booleans(), st.none(),
    st.text(max_size=20), st.binary(max_size=20),
)


@settings(max_examples=examples(300), deadline=None)
@given(n=ANY_VALUE)
def test_rand_bytes_any_argument_vs_stdlib(n):
    ours, theirs = pair("RAND_bytes", n)
    assert ours == theirs


@settings(max_examples=examples(300), deadline=None)
@given(string=st.one_of(st.text(), st.binary(), st.binary().map(bytearray), st.integers(), st.none()),
       entropy=ANY_VALUE)
def test_rand_add_any_arguments_vs_stdlib(string, entropy):
    ours, theirs = pair("RAND_add", string, entropy)
    assert ours == theirs


FAILING_GENERATOR = """\
openssl_conf = openssl_init
[openssl_init]
random = random_sect
[random_sect]
random = CERTCORE-NO-SUCH-DRBG
"""

FAILING_SCRIPT = """\
import ssl, sys, warnings
import certcore
warnings.simplefilter("ignore", DeprecationWarning)

def shape(func, *args):
    try:
        value = func(*args)
    except Exception as exc:
        return ("raise", type(exc).__qualname__, exc.args, str(exc), hasattr(exc, "library"))
    if isinstance(value, tuple):
        return ("ok", len(value[0]), value[1])
    return ("ok", value if not isinstance(value, bytes) else len(value))

# certcore's call first: it leaves the error queue empty, so the stdlib's starts from a clean one.
calls = [("RAND_bytes", 4), ("RAND_bytes", 0), ("RAND_status",), ("RAND_add", b"x", 1.0), ("RAND_bytes", 4)]
if hasattr(ssl, "RAND_pseudo_bytes"):
    calls += [("RAND_pseudo_bytes", 4), ("RAND_bytes", 8)]
for name, *args in calls:
    print(repr((name, shape(getattr(certcore, name), *args), shape(getattr(ssl, name), *args))))
"""


def test_rand_with_a_failing_generator_vs_stdlib(tmp_path):
    conf = tmp_path / "openssl.cnf"
    conf.write_text(FAILING_GENERATOR)
    proc = subprocess.run([sys.executable, "-c", FAILING_SCRIPT], capture_output=True, text=True,
                          env=dict(os.environ, OPENSSL_CONF=str(conf)), timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    rows = [eval(line) for line in proc.stdout.splitlines()]
    by_call = {}
    for name, ours, theirs in rows:
        assert ours == theirs, name
        by_call.setdefault(name, []).append(ours)
    # The configuration did break the generator (else this test proves nothing).
    assert by_call["RAND_bytes"][0][:2] == ("raise", "SSLError")
    assert by_call["RAND_bytes"][0][4] is False          # no library/reason: _ssl.c's RAND layout
    assert by_call["RAND_status"][0][1] in (False, 0)
    if "RAND_pseudo_bytes" in by_call:
        assert by_call["RAND_pseudo_bytes"][0] == ("ok", 4, False)


@pytest.mark.skipif("RAND_pseudo_bytes" not in RAND_NAMES, reason="ssl has no RAND_pseudo_bytes from 3.12")
def test_rand_pseudo_bytes_failure_returns_zeros(tmp_path):
    conf = tmp_path / "openssl.cnf"
    conf.write_text(FAILING_GENERATOR)
    code = textwrap.dedent("""\
        import warnings, certcore
        warnings.simplefilter("ignore", DeprecationWarning)
        print(repr(certcore.RAND_pseudo_bytes(64)))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, OPENSSL_CONF=str(conf)), timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    assert eval(proc.stdout) == (bytes(64), False)
