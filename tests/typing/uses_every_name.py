"""A program that uses every name in certcore.__all__ as its documentation says.

tests/test_typing.py runs ``mypy --strict`` on it (it is type-checked, not run: it would need a
server) and checks that it names every entry of ``certcore.__all__``.
"""
import socket as std_socket
import sys
from typing import Any, Dict, List, Optional, Tuple

import certcore


def certificates(der: bytes, names: List[str]) -> List[bool]:
    pem: str = certcore.DER_cert_to_PEM_cert(der)
    assert pem.startswith(certcore.PEM_HEADER) and pem.rstrip().endswith(certcore.PEM_FOOTER)
    again: bytes = certcore.PEM_cert_to_DER_cert(pem)
    cert: certcore.Certificate = certcore.Certificate.from_der(again)
    decoded: Dict[str, Any] = certcore.decode_cert(pem)
    every: List[certcore.Certificate] = certcore.load_certificates(pem)
    seconds: int = certcore.cert_time_to_seconds("Jan  5 09:34:43 2018 GMT")
    assert cert.not_after > seconds and decoded == cert.to_dict()
    certcore.match_hostname(decoded, names[0])
    certcore.match_hostname(cert, names[0])
    try:
        certcore.match_hostname(cert, "mismatch.invalid")
    except certcore.CertificateError as exc:
        print(exc)
    return certcore.check_hostnames(every, names)


def inspection(cert: certcore.Certificate, issuer: certcore.Certificate) -> Optional[str]:
    bc: Optional[certcore.BasicConstraints] = cert.basic_constraints
    aki: Optional[certcore.AuthorityKeyIdentifier] = cert.authority_key_identifier
    nc: Optional[certcore.NameConstraints] = cert.name_constraints
    extensions: Tuple[certcore.CertificateExtension, ...] = cert.extensions
    usage = cert.key_usage
    purposes = cert.extended_key_usage
    size: int = cert.public_key_size
    pin: str = cert.spki_pin
    digest: bytes = cert.spki_sha256
    if bc is not None and bc.ca and bc.path_length is not None and size > bc.path_length:
        print(pin, digest.hex(), cert.spki_der[:4])
    if aki is not None and aki.key_identifier is not None and aki.key_identifier == cert.subject_key_identifier:
        print(aki.issuer, aki.serial)
    if nc is not None:
        print([kind for kind, _ in nc.permitted + nc.excluded])
    for ext in extensions:
        print(ext.oid, ext.critical, len(ext.value))
    if usage is not None and "key_cert_sign" in usage and purposes is not None:
        print(sorted(purposes), cert.serial + 1, cert.signature_algorithm, cert.signature_algorithm_oid)
    if cert.is_self_issued and cert.is_signed_by(issuer):
        return cert.public_key_algorithm
    return cert.public_key_curve


def trust() -> Tuple[str, int]:
    paths: certcore.DefaultVerifyPaths = certcore.get_default_verify_paths()
    roots: List[Tuple[bytes, str, Any]] = list(certcore.enum_certificates("ROOT"))
    crls: List[Tuple[bytes, str]] = list(certcore.enum_crls("CA"))
    include: str = certcore.get_include()
    system: certcore.TrustStore = certcore.TrustStore.system()
    anchors: List[certcore.Certificate] = list(certcore.TrustStore(cadata=roots[0][0]))
    verifier: certcore.Verifier = certcore.Verifier(system, purpose="server", at=0, crl="leaf")
    checked = verifier.verify_many([anchors[0]])
    chain: List[certcore.Certificate] = verifier.verify(anchors[0], (), "localhost") if not checked else []
    return paths.openssl_cafile + include, (len(roots) + len(crls) + len(system) + system.crls + len(anchors)
                                           + len(chain) + len(checked))


def randomness() -> bytes:
    certcore.RAND_add(b"seed", 0.0)
    ok: bool = bool(certcore.RAND_status())
    data: bytes = certcore.RAND_bytes(16)
    if sys.version_info < (3, 12):
        pseudo: Tuple[bytes, bool] = certcore.RAND_pseudo_bytes(16)
        data += pseudo[0]
    return data if ok else b""


def build() -> str:
    info: Tuple[int, int, int, int, int] = certcore.OPENSSL_VERSION_INFO
    number: int = certcore.OPENSSL_VERSION_NUMBER
    flags: List[bool] = [
        certcore.HAS_ALPN, certcore.HAS_ECDH, certcore.HAS_NEVER_CHECK_COMMON_NAME, certcore.HAS_NPN,
        certcore.HAS_SNI, certcore.HAS_SSLv2, certcore.HAS_SSLv3, certcore.HAS_TLSv1, certcore.HAS_TLSv1_1,
        certcore.HAS_TLSv1_2, certcore.HAS_TLSv1_3,
    ]
    if sys.version_info >= (3, 13):
        flags.append(certcore.HAS_PSK)
    return f"{certcore.OPENSSL_VERSION} {info} {number:x} {flags}"


def constants() -> int:
    options: List[certcore.Options] = [
        certcore.OP_ALL, certcore.OP_CIPHER_SERVER_PREFERENCE, certcore.OP_ENABLE_MIDDLEBOX_COMPAT,
        certcore.OP_IGNORE_UNEXPECTED_EOF, certcore.OP_NO_COMPRESSION, certcore.OP_NO_RENEGOTIATION,
        certcore.OP_NO_SSLv2, certcore.OP_NO_SSLv3, certcore.OP_NO_TICKET, certcore.OP_NO_TLSv1,
        certcore.OP_NO_TLSv1_1, certcore.OP_NO_TLSv1_2, certcore.OP_NO_TLSv1_3, certcore.OP_SINGLE_DH_USE,
        certcore.OP_SINGLE_ECDH_USE,
    ]
    if sys.version_info >= (3, 12):
        options += [certcore.OP_ENABLE_KTLS, certcore.OP_LEGACY_SERVER_CONNECT]
    flags: List[certcore.VerifyFlags] = [
        certcore.VERIFY_DEFAULT, certcore.VERIFY_CRL_CHECK_LEAF, certcore.VERIFY_CRL_CHECK_CHAIN,
        certcore.VERIFY_X509_STRICT, certcore.VERIFY_X509_TRUSTED_FIRST,
    ]
    if sys.version_info >= (3, 10):
        flags += [certcore.VERIFY_ALLOW_PROXY_CERTS, certcore.VERIFY_X509_PARTIAL_CHAIN]
    modes: List[certcore.VerifyMode] = [certcore.CERT_NONE, certcore.CERT_OPTIONAL, certcore.CERT_REQUIRED]
    protocols: List[int] = [
        certcore.PROTOCOL_SSLv23, certcore.PROTOCOL_TLS, certcore.PROTOCOL_TLS_CLIENT,
        certcore.PROTOCOL_TLS_SERVER, certcore.PROTOCOL_TLSv1, certcore.PROTOCOL_TLSv1_1,
        certcore.PROTOCOL_TLSv1_2,
    ]
    errors: List[certcore.SSLErrorNumber] = [
        certcore.SSL_ERROR_EOF, certcore.SSL_ERROR_INVALID_ERROR_CODE, certcore.SSL_ERROR_SSL,
        certcore.SSL_ERROR_WANT_READ, certcore.SSL_ERROR_WANT_WRITE, certcore.SSL_ERROR_WANT_X509_LOOKUP,
        certcore.SSL_ERROR_SYSCALL, certcore.SSL_ERROR_ZERO_RETURN, certcore.SSL_ERROR_WANT_CONNECT,
    ]
    alerts: List[certcore.AlertDescription] = [
        certcore.ALERT_DESCRIPTION_ACCESS_DENIED, certcore.ALERT_DESCRIPTION_BAD_CERTIFICATE,
        certcore.ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE,
        certcore.ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE, certcore.ALERT_DESCRIPTION_BAD_RECORD_MAC,
        certcore.ALERT_DESCRIPTION_CERTIFICATE_EXPIRED, certcore.ALERT_DESCRIPTION_CERTIFICATE_REVOKED,
        certcore.ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN, certcore.ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE,
        certcore.ALERT_DESCRIPTION_CLOSE_NOTIFY, certcore.ALERT_DESCRIPTION_DECODE_ERROR,
        certcore.ALERT_DESCRIPTION_DECOMPRESSION_FAILURE, certcore.ALERT_DESCRIPTION_DECRYPT_ERROR,
        certcore.ALERT_DESCRIPTION_HANDSHAKE_FAILURE, certcore.ALERT_DESCRIPTION_ILLEGAL_PARAMETER,
        certcore.ALERT_DESCRIPTION_INSUFFICIENT_SECURITY, certcore.ALERT_DESCRIPTION_INTERNAL_ERROR,
        certcore.ALERT_DESCRIPTION_NO_RENEGOTIATION, certcore.ALERT_DESCRIPTION_PROTOCOL_VERSION,
        certcore.ALERT_DESCRIPTION_RECORD_OVERFLOW, certcore.ALERT_DESCRIPTION_UNEXPECTED_MESSAGE,
        certcore.ALERT_DESCRIPTION_UNKNOWN_CA, certcore.ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY,
        certcore.ALERT_DESCRIPTION_UNRECOGNIZED_NAME, certcore.ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE,
        certcore.ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION, certcore.ALERT_DESCRIPTION_USER_CANCELLED,
    ]
    socket_values: List[int] = [certcore.SOCK_STREAM, certcore.SOL_SOCKET, certcore.SO_TYPE]
    name: str = certcore.get_protocol_name(certcore.PROTOCOL_TLS_CLIENT)
    return len(options) + len(flags) + len(modes) + len(protocols) + len(errors) + len(alerts) + len(
        socket_values) + len(name)


def client(host: str, port: int, cafile: str) -> Optional[str]:
    ctx: certcore.SSLContext = certcore.create_default_context(certcore.Purpose.SERVER_AUTH, cafile=cafile)
    ctx.minimum_version = certcore.TLSVersion.TLSv1_2
    ctx.options |= certcore.Options.OP_NO_TICKET
    ctx.verify_flags |= certcore.VerifyFlags.VERIFY_X509_STRICT
    ctx.verify_mode = certcore.VerifyMode.CERT_REQUIRED
    raw: certcore.socket = certcore.create_connection((host, port))
    with ctx.wrap_socket(raw, server_hostname=host) as tls:
        sock: certcore.SSLSocket = tls
        chain: List[bytes] = sock.get_verified_chain()
        binding: Optional[bytes] = sock.get_channel_binding(certcore.CHANNEL_BINDING_TYPES[0])
        session: Optional[certcore.SSLSession] = sock.session
        assert len(chain) >= 1 and binding and session
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
    legacy: certcore.SSLSocket = certcore.wrap_socket(
        std_socket.create_connection((host, port)), ca_certs=cafile, cert_reqs=certcore.CERT_REQUIRED)
    legacy.close()
    pem: str = certcore.get_server_certificate((host, port))
    chain_certs: List[certcore.Certificate] = certcore.get_server_certificate_chain((host, port), ca_certs=cafile)
    assert pem and chain_certs
    return sock.version()


def memory(ctx: certcore.SSLContext, host: str) -> int:
    incoming, outgoing = certcore.MemoryBIO(), certcore.MemoryBIO()
    obj: certcore.SSLObject = ctx.wrap_bio(incoming, outgoing, server_hostname=host)
    try:
        obj.do_handshake()
    except (certcore.SSLWantReadError, certcore.SSLWantWriteError):
        pass
    except (certcore.SSLZeroReturnError, certcore.SSLEOFError, certcore.SSLSyscallError) as exc:
        print(exc)
    except certcore.SSLCertVerificationError as exc:
        print(exc.verify_code, exc.verify_message)
    except certcore.SSLError as exc:
        print(exc.library, exc.reason)
    except certcore.socket_error as exc:
        print(exc.errno)
    server: certcore.SSLContext = certcore.SSLContext(certcore.PROTOCOL_TLS_SERVER)
    assert server.protocol == certcore.PROTOCOL_TLS_SERVER
    return outgoing.pending


def injection() -> None:
    certcore.inject_into_ssl()
    certcore.extract_from_ssl()
