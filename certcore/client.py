"""Module-level helpers of the running Python's ``ssl`` -- ``create_default_context``,
``_create_unverified_context``, ``get_server_certificate`` -- building certcore contexts, and
3.11's ``wrap_socket`` (kept on 3.12+, where the stdlib dropped it)."""
import os as _os
import socket as _socket
import ssl as _ssl
import sys as _sys
import warnings as _warnings

from _certcore.context import DEFAULT_CONTEXT_VERIFY_FLAGS as _DEFAULT_CONTEXT_VERIFY_FLAGS
from _certcore.pem import DER_cert_to_PEM_cert

from certcore.sslsocket import SSLContext

Purpose = _ssl.Purpose
CERT_NONE = _ssl.CERT_NONE
CERT_REQUIRED = _ssl.CERT_REQUIRED
PROTOCOL_TLS = _ssl.PROTOCOL_TLS
PROTOCOL_TLS_CLIENT = _ssl.PROTOCOL_TLS_CLIENT
PROTOCOL_TLS_SERVER = _ssl.PROTOCOL_TLS_SERVER
_ASN1Object = _ssl._ASN1Object
_GLOBAL_DEFAULT_TIMEOUT = _socket._GLOBAL_DEFAULT_TIMEOUT
# The versions whose factories differ: 3.10 split client and server contexts, 3.13 made
# create_default_context() stricter.
_PY310 = _sys.version_info >= (3, 10)


def _load_trust_and_keylog(context, purpose, cafile, capath, cadata, trust_store=None):
    """The common end of both context factories (as in CPython): the given trust anchors, else
    the system's when verifying; SSLKEYLOGFILE unless -E. A trust_store replaces the system's
    anchors (cafile/capath/cadata then load on top of it)."""
    if trust_store is not None:
        context.load_trust_store(trust_store)
        if cafile or capath or cadata:
            context.load_verify_locations(cafile, capath, cadata)
    elif cafile or capath or cadata:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != CERT_NONE:
        context.load_default_certs(purpose)
    keylogfile = _os.environ.get("SSLKEYLOGFILE")
    if keylogfile and not _sys.flags.ignore_environment:
        context.keylog_filename = keylogfile
    return context


def create_default_context(purpose=Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None,
                           trust_store=None):
    """A certcore SSLContext with the running Python's ``create_default_context`` settings;
    ``trust_store`` (a certcore.TrustStore) replaces the system's anchors."""
    if not isinstance(purpose, _ASN1Object):
        raise TypeError(purpose)
    if not _PY310:
        # 3.9: one PROTOCOL_TLS context for both purposes
        context = SSLContext(PROTOCOL_TLS)
        if purpose == Purpose.SERVER_AUTH:
            context.verify_mode = CERT_REQUIRED
            context.check_hostname = True
    elif purpose == Purpose.SERVER_AUTH:
        context = SSLContext(PROTOCOL_TLS_CLIENT)
        context.verify_mode = CERT_REQUIRED
        context.check_hostname = True
    elif purpose == Purpose.CLIENT_AUTH:
        context = SSLContext(PROTOCOL_TLS_SERVER)
    else:
        raise ValueError(purpose)
    if _DEFAULT_CONTEXT_VERIFY_FLAGS:
        # 3.13: chains end at the first trusted certificate, and OpenSSL's strict checks apply
        context.verify_flags |= _DEFAULT_CONTEXT_VERIFY_FLAGS
    return _load_trust_and_keylog(context, purpose, cafile, capath, cadata, trust_store)


def _create_unverified_context(protocol=None if _PY310 else PROTOCOL_TLS, *, cert_reqs=CERT_NONE,
                               check_hostname=False, purpose=Purpose.SERVER_AUTH, certfile=None,
                               keyfile=None, cafile=None, capath=None, cadata=None):
    """CPython's ``_create_unverified_context`` (= ``_create_stdlib_context``), certcore-built."""
    if not isinstance(purpose, _ASN1Object):
        raise TypeError(purpose)
    if not _PY310:
        context = SSLContext(protocol)
        if not check_hostname:
            context.check_hostname = False
    else:
        if purpose == Purpose.SERVER_AUTH:
            if protocol is None:
                protocol = PROTOCOL_TLS_CLIENT
        elif purpose == Purpose.CLIENT_AUTH:
            if protocol is None:
                protocol = PROTOCOL_TLS_SERVER
        else:
            raise ValueError(purpose)
        context = SSLContext(protocol)
        context.check_hostname = check_hostname
    if cert_reqs is not None:
        context.verify_mode = cert_reqs
    if check_hostname:
        context.check_hostname = True
    if keyfile and not certfile:
        raise ValueError("certfile must be specified")
    if certfile or keyfile:
        context.load_cert_chain(certfile, keyfile)
    return _load_trust_and_keylog(context, purpose, cafile, capath, cadata)


_create_stdlib_context = _create_unverified_context


def wrap_socket(sock, keyfile=None, certfile=None, server_side=False, cert_reqs=CERT_NONE,
                ssl_version=PROTOCOL_TLS, ca_certs=None, do_handshake_on_connect=True,
                suppress_ragged_eofs=True, ciphers=None):
    """CPython 3.11's module-level ``ssl.wrap_socket`` (deprecated there; kept on 3.12+)."""
    _warnings.warn("ssl.wrap_socket() is deprecated, use SSLContext.wrap_socket()",
                   category=DeprecationWarning, stacklevel=2)
    if server_side and not certfile:
        raise ValueError("certfile must be specified for server-side operations")
    if keyfile and not certfile:
        raise ValueError("certfile must be specified")
    context = SSLContext(ssl_version)
    context.verify_mode = cert_reqs
    if ca_certs:
        context.load_verify_locations(ca_certs)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    if ciphers:
        context.set_ciphers(ciphers)
    return context.wrap_socket(sock=sock, server_side=server_side,
                               do_handshake_on_connect=do_handshake_on_connect,
                               suppress_ragged_eofs=suppress_ragged_eofs)


def _server_der_chain(addr, ssl_version, ca_certs, timeout, chain):
    host, port = addr
    if ca_certs is not None:
        cert_reqs = CERT_REQUIRED
    else:
        cert_reqs = CERT_NONE
    context = _create_stdlib_context(ssl_version, cert_reqs=cert_reqs, cafile=ca_certs)
    with _socket.create_connection(addr, timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as sslsock:
            if chain:
                return sslsock._sslobj.get_unverified_chain()
            return sslsock.getpeercert(True)


def get_server_certificate(addr, ssl_version=PROTOCOL_TLS_CLIENT, ca_certs=None,
                           timeout=_GLOBAL_DEFAULT_TIMEOUT):
    """The PEM of the certificate a TLS server at ``addr = (host, port)`` presents (3.11)."""
    dercert = _server_der_chain(addr, ssl_version, ca_certs, timeout, False)
    return DER_cert_to_PEM_cert(dercert)


def get_server_certificate_chain(addr, ssl_version=PROTOCOL_TLS_CLIENT, ca_certs=None,
                                 timeout=_GLOBAL_DEFAULT_TIMEOUT):
    """Every certificate the server sent (leaf first), as ``certcore.Certificate`` objects.

    Same connection rules as ``get_server_certificate``: SNI for names, verification only when
    ``ca_certs`` is given, the hostname never checked.
    """
    from _certcore.x509 import Certificate

    return [Certificate.from_der(der) for der in _server_der_chain(addr, ssl_version, ca_certs,
                                                                    timeout, True)]
