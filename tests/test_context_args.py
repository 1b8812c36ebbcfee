"""SSLContext's argument checks are the running interpreter's, case for case.

Each case runs once on a stdlib context and once on a certcore context in this same process and
compares what happened: the value, or the exception's class and text (the ``(_ssl.c:NNN)`` line
is masked: certcore names 3.11's lines), plus the warnings raised on the way. The cases are the
ones CPython's versions disagree on (parsing of ints, floats and strings in setters, deprecated
options and versions, cadata forms, ECDH curve names), so every supported Python checks its own
rules here, not 3.11's.
"""
import array
import pathlib
import re
import ssl
import sys
import warnings

import pytest

import certcore
from helpers.outcome import outcome
from helpers.tlscerts import get_pki

_LINE = re.compile(r"\(_ssl\.c:\d+\)")


def _mask(text):
    return _LINE.sub("(_ssl.c:N)", text)


def _client(mod):
    return mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)


def _server(mod):
    return mod.SSLContext(mod.PROTOCOL_TLS_SERVER)


def _set(make, name, value):
    def run(mod):
        ctx = make(mod)
        setattr(ctx, name, value)
        return getattr(ctx, name)
    return run


def _call(make, name, *args, **kwargs):
    def run(mod):
        return getattr(make(mod), name)(*args, **kwargs)
    return run


def _subclass(mod, pass_args):
    """A user's subclass whose ``__init__`` calls the base's, with or without the arguments (the
    stdlib's SSLContext has no ``__init__``: object's refuses arguments)."""
    class Context(mod.SSLContext):
        def __init__(self, *args, **kwargs):
            if pass_args:
                super().__init__(*args, **kwargs)
            else:
                super().__init__()
    return Context


def _one_ca_pem():
    return pathlib.Path(get_pki().ca).read_text()


def _cadata(transform):
    def run(mod):
        return _client(mod).load_verify_locations(cadata=transform(mod))
    return run


CASES = {
    # the protocol argument
    "SSLContext(16.5)": lambda m: m.SSLContext(16.5).protocol,
    "SSLContext('2')": lambda m: m.SSLContext("2").protocol,
    "SSLContext(True)": lambda m: m.SSLContext(True).protocol,
    "SSLContext(99)": lambda m: m.SSLContext(99).protocol,
    "SSLContext(2**70)": lambda m: m.SSLContext(2**70).protocol,
    "SSLContext(None)": lambda m: m.SSLContext(None).protocol,
    "SSLContext(PROTOCOL_TLS)": lambda m: m.SSLContext(m.PROTOCOL_TLS).protocol,
    "SSLContext(16)": lambda m: m.SSLContext(16).protocol,
    "SSLContext(protocol=PROTOCOL_TLS_SERVER)": lambda m: m.SSLContext(protocol=m.PROTOCOL_TLS_SERVER).protocol,
    "SSLContext(PROTOCOL_TLS_CLIENT, 5, x=1)": lambda m: m.SSLContext(m.PROTOCOL_TLS_CLIENT, 5, x=1).protocol,
    "subclass: super().__init__(protocol)": lambda m: _subclass(m, True)(m.PROTOCOL_TLS_CLIENT).protocol,
    "subclass: super().__init__()": lambda m: _subclass(m, False)(m.PROTOCOL_TLS_SERVER).protocol,
    # options and verify_flags: masks, signs, floats, deprecated version switches
    "options = -1": _set(_client, "options", -1),
    "options = 1.5": _set(_client, "options", 1.5),
    "options = 2**64": _set(_client, "options", 2**64),
    "options = True": _set(_client, "options", True),
    "options |= OP_NO_TLSv1": lambda m: _set(_client, "options", ssl.OP_ALL | ssl.OP_NO_TLSv1)(m),
    "options = '4'": _set(_client, "options", "4"),
    "verify_flags = -1": _set(_client, "verify_flags", -1),
    "verify_flags = 1.5": _set(_client, "verify_flags", 1.5),
    "verify_flags = 2**64": _set(_client, "verify_flags", 2**64),
    "verify_flags = 2**65 + 4": _set(_client, "verify_flags", 2**65 + 4),
    "verify_flags = True": _set(_client, "verify_flags", True),
    "verify_flags = None": _set(_client, "verify_flags", None),
    # versions
    "minimum_version = '771'": _set(_client, "minimum_version", "771"),
    "minimum_version = 771": _set(_client, "minimum_version", 771),
    "minimum_version = True": _set(_client, "minimum_version", True),
    "minimum_version = TLSv1": _set(_client, "minimum_version", ssl.TLSVersion.TLSv1),
    "minimum_version = TLSv1_1": _set(_client, "minimum_version", ssl.TLSVersion.TLSv1_1),
    "minimum_version = SSLv3": _set(_client, "minimum_version", ssl.TLSVersion.SSLv3),
    "minimum_version = 2**40": _set(_client, "minimum_version", 2**40),
    "maximum_version = 1.5": _set(_client, "maximum_version", 1.5),
    "maximum_version = TLSv1_1": _set(_client, "maximum_version", ssl.TLSVersion.TLSv1_1),
    "maximum_version = 0x305": _set(_client, "maximum_version", 0x305),
    # other setters
    "verify_mode = 1.0": _set(_client, "verify_mode", 1.0),
    "verify_mode = 5": _set(_client, "verify_mode", 5),
    "verify_mode = -1": _set(_client, "verify_mode", -1),
    "verify_mode = True": _set(_client, "verify_mode", True),
    "check_hostname = 'x'": _set(_client, "check_hostname", "x"),
    "check_hostname = None": _set(_client, "check_hostname", None),
    "post_handshake_auth = None": _set(_client, "post_handshake_auth", None),
    "post_handshake_auth = 2": _set(_client, "post_handshake_auth", 2),
    "num_tickets = 1.5": _set(_server, "num_tickets", 1.5),
    "num_tickets = -1": _set(_server, "num_tickets", -1),
    "num_tickets = 2**70": _set(_server, "num_tickets", 2**70),
    "num_tickets on a client": _set(_client, "num_tickets", 1),
    # cipher lists and curves
    "set_ciphers('ECDHÉ')": _call(_client, "set_ciphers", "ECDHÉ"),
    "set_ciphers('AL\\0L')": _call(_client, "set_ciphers", "AL\0L"),
    "set_ciphers(b'ALL')": _call(_client, "set_ciphers", b"ALL"),
    "set_ecdh_curve('P-256')": _call(_client, "set_ecdh_curve", "P-256"),
    "set_ecdh_curve('prime256v1')": _call(_client, "set_ecdh_curve", "prime256v1"),
    "set_ecdh_curve(b'secp384r1')": _call(_client, "set_ecdh_curve", b"secp384r1"),
    "set_ecdh_curve(Path)": _call(_client, "set_ecdh_curve", pathlib.Path("secp521r1")),
    "set_ecdh_curve('X25519')": _call(_client, "set_ecdh_curve", "X25519"),
    "set_ecdh_curve('X448')": _call(_client, "set_ecdh_curve", "X448"),
    "set_ecdh_curve('SHA256')": _call(_client, "set_ecdh_curve", "SHA256"),
    "set_ecdh_curve('bogus')": _call(_client, "set_ecdh_curve", "bogus"),
    "set_ecdh_curve('')": _call(_client, "set_ecdh_curve", ""),
    "set_ecdh_curve('é')": _call(_client, "set_ecdh_curve", "é"),
    "set_ecdh_curve(5)": _call(_client, "set_ecdh_curve", 5),
    "set_ecdh_curve(NUL)": _call(_client, "set_ecdh_curve", "prime256v1\0"),
    # cadata forms
    "cadata ''": _cadata(lambda m: ""),
    "cadata b''": _cadata(lambda m: b""),
    "cadata 5": _cadata(lambda m: 5),
    "cadata non-ASCII str": _cadata(lambda m: "é"),
    "cadata non-contiguous memoryview": _cadata(lambda m: memoryview(b"abcd")[::2]),
    "cadata array('i')": _cadata(lambda m: array.array("i", [1, 2])),
    "cadata bytearray junk": _cadata(lambda m: bytearray(b"x")),
    "cadata PEM": _cadata(lambda m: _one_ca_pem()),
    "cadata PEM + junk": _cadata(lambda m: _one_ca_pem() + "garbage"),
    "cadata DER": _cadata(lambda m: ssl.PEM_cert_to_DER_cert(_one_ca_pem())),
    "cadata DER + NUL": _cadata(lambda m: ssl.PEM_cert_to_DER_cert(_one_ca_pem()) + b"\0"),
    "cadata DER + junk": _cadata(lambda m: ssl.PEM_cert_to_DER_cert(_one_ca_pem()) + b"\x30\x82\xff"),
    "cadata DER twice": _cadata(lambda m: ssl.PEM_cert_to_DER_cert(_one_ca_pem()) * 2),
}


def _behaviour(mod, case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = outcome(case, mod, text=_mask)
    if result[0] == "ok":
        value = result[1]
        # enum members: compare the number (certcore's are the stdlib's own classes anyway)
        result = ("ok", int(value) if isinstance(value, int) else value)
    return result, [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.parametrize("name", list(CASES))
def test_same_behaviour_as_this_pythons_ssl(name):
    case = CASES[name]
    assert _behaviour(certcore, case) == _behaviour(ssl, case)


@pytest.mark.parametrize("mod", [ssl, certcore], ids=["ssl", "certcore"])
def test_deprecation_warnings_point_at_the_caller(mod):
    ctx = _client(mod)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ctx.options |= ssl.OP_NO_TLSv1_1
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
    # 3.10 deprecated both; 3.9 warns about neither
    expected = [__file__, __file__] if sys.version_info >= (3, 10) else []
    assert [w.filename for w in caught] == expected


_FACTORIES = {
    "SSLContext(PROTOCOL_TLS_CLIENT)": lambda m: m.SSLContext(m.PROTOCOL_TLS_CLIENT),
    "SSLContext(PROTOCOL_TLS_SERVER)": lambda m: m.SSLContext(m.PROTOCOL_TLS_SERVER),
    "SSLContext(PROTOCOL_TLS)": lambda m: m.SSLContext(m.PROTOCOL_TLS),
    "SSLContext()": lambda m: m.SSLContext(),
    "create_default_context()": lambda m: m.create_default_context(),
    "create_default_context(CLIENT_AUTH)": lambda m: m.create_default_context(m.Purpose.CLIENT_AUTH),
    "_create_unverified_context()": lambda m: m._create_unverified_context(),
}
_ATTRIBUTES = ("protocol", "options", "verify_flags", "verify_mode", "check_hostname", "minimum_version",
               "maximum_version", "post_handshake_auth", "hostname_checks_common_name", "security_level",
               "num_tickets", "keylog_filename", "sni_callback")


def _settings(ctx):
    out = {name: outcome(getattr, ctx, name) for name in _ATTRIBUTES}
    out = {name: ("ok", int(v[1]) if isinstance(v[1], int) else v[1]) if v[0] == "ok" else v
           for name, v in out.items()}
    out["ciphers"] = [c["name"] for c in ctx.get_ciphers()]
    return out


@pytest.mark.parametrize("factory", list(_FACTORIES))
def test_defaults_are_this_pythons(factory):
    make = _FACTORIES[factory]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert _settings(make(certcore)) == _settings(make(ssl))
