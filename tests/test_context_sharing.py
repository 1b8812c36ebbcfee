"""certcore.SSLContext(PROTOCOL_TLS_CLIENT / PROTOCOL_TLS_SERVER) takes over the SSL_CTX that the
stdlib base object makes (context.pyx) instead of making a second one: the state certcore
configures on it must be exactly the state of certcore's own new SSL_CTX, on every Python."""
import ssl
import warnings

import pytest

import certcore
from _certcore.context import ContextCore

STD_BASE = ssl._ssl._SSLContext

PROPS = ("options", "verify_mode", "verify_flags", "check_hostname", "security_level", "minimum_version",
         "maximum_version", "post_handshake_auth", "hostname_checks_common_name", "num_tickets")


def _state(core):
    state = {name: getattr(core, name) for name in PROPS if hasattr(core, name)}
    state["ciphers"] = [c["name"] for c in core.get_ciphers()]
    state["ca_certs"] = core.get_ca_certs()
    return state


@pytest.mark.parametrize("protocol", [ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER])
def test_shared_ctx_state_equals_a_new_one(protocol):
    own = ContextCore(protocol)
    base = STD_BASE.__new__(STD_BASE, protocol)
    shared = ContextCore(protocol, base)
    assert _state(shared) == _state(own)
    # and the SSL_CTX is the base's: a change through certcore shows through the base's descriptor
    shared.maximum_version = ssl.TLSVersion.TLSv1_2
    assert STD_BASE.maximum_version.__get__(base) == ssl.TLSVersion.TLSv1_2


def test_the_stdlib_state_is_put_back_first():
    # a base whose SSL_CTX was changed after the stdlib made it: certcore starts from a new
    # SSL_CTX's state all the same (options, verify flags and ciphers reset)
    base = STD_BASE.__new__(STD_BASE, ssl.PROTOCOL_TLS_CLIENT)
    STD_BASE.options.__set__(base, STD_BASE.options.__get__(base) | ssl.OP_NO_TICKET)
    STD_BASE.verify_flags.__set__(base, ssl.VERIFY_X509_STRICT | ssl.VERIFY_CRL_CHECK_LEAF)
    STD_BASE.set_ciphers(base, "AES256-SHA")
    shared = ContextCore(ssl.PROTOCOL_TLS_CLIENT, base)
    assert _state(shared) == _state(ContextCore(ssl.PROTOCOL_TLS_CLIENT))


@pytest.mark.parametrize("protocol", [ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER])
def test_only_a_base_of_the_same_protocol_is_taken(protocol):
    other = ssl.PROTOCOL_TLS_SERVER if protocol == ssl.PROTOCOL_TLS_CLIENT else ssl.PROTOCOL_TLS_CLIENT
    base = STD_BASE.__new__(STD_BASE, other)
    core = ContextCore(protocol, base)
    assert _state(core) == _state(ContextCore(protocol))
    core.maximum_version = ssl.TLSVersion.TLSv1_2
    assert STD_BASE.maximum_version.__get__(base) != ssl.TLSVersion.TLSv1_2
    # not a stdlib context at all: ignored
    core = ContextCore(protocol, object())
    assert _state(core) == _state(ContextCore(protocol))


def test_contexts_share_nothing_with_each_other():
    a = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    b = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    a.maximum_version = ssl.TLSVersion.TLSv1_2
    a.options |= ssl.OP_NO_TICKET
    assert b.maximum_version == ssl.TLSVersion.MAXIMUM_SUPPORTED
    assert not b.options & ssl.OP_NO_TICKET


def test_deprecated_protocols_still_warn_once():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        certcore.SSLContext(ssl.PROTOCOL_TLS)
    std = [w for w in seen if issubclass(w.category, DeprecationWarning)]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ssl.SSLContext(ssl.PROTOCOL_TLS)
    assert [str(w.message) for w in std] == [str(w.message) for w in seen
                                            if issubclass(w.category, DeprecationWarning)]
