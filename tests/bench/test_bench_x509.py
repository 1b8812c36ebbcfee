"""Certificate decoding: certcore against CPython's _test_decode_cert and against cryptography."""
import ipaddress
import ssl

import pytest

from helpers import certgen
import certcore
from cryptography import x509 as cx509
from cryptography.x509.oid import AuthorityInformationAccessOID


def _typical_server_cert():
    """An RSA-2048 server certificate shaped like a public one: DN, SANs, AIA, CRLDP."""
    G = cx509
    return certgen.build(
        subject=certgen.name(("C", "US"), ("ST", "California"), ("L", "San Francisco"),
                             ("O", "Example Inc"), ("CN", "www.example.com")),
        issuer=certgen.name(("C", "US"), ("O", "Example CA"), ("CN", "Example TLS RSA CA 2024")),
        key="rsa",
        extensions=[
            G.SubjectAlternativeName([G.DNSName("www.example.com"), G.DNSName("example.com"),
                                      G.DNSName("*.cdn.example.com"),
                                      G.IPAddress(ipaddress.ip_address("192.0.2.10"))]),
            G.AuthorityInformationAccess([
                G.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                    G.UniformResourceIdentifier("http://ocsp.example-ca.com")),
                G.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                    G.UniformResourceIdentifier("http://cacerts.example-ca.com/ca.crt"))]),
            G.CRLDistributionPoints([G.DistributionPoint(
                [G.UniformResourceIdentifier("http://crl.example-ca.com/ca.crl")], None, None, None)]),
            G.BasicConstraints(ca=False, path_length=None),
        ],
    )


DER = _typical_server_cert()


@pytest.fixture(scope="module")
def pem_path(tmp_path_factory):
    p = tmp_path_factory.mktemp("bench") / "server.pem"
    p.write_text(ssl.DER_cert_to_PEM_cert(DER))
    return str(p)


def test_decode_file_vs_test_decode_cert(compare, pem_path):
    from_file = certcore.Certificate.from_file
    compare("x509: decode PEM file -> dict", lambda p: from_file(p).to_dict(),
            ssl._ssl._test_decode_cert, (pem_path,), target=4)


def test_decode_der_vs_test_decode_cert(compare, pem_path):
    decode = certcore.decode_cert
    compare("x509: decode DER bytes -> dict (peer: from file)", lambda: decode(DER),
            lambda: ssl._ssl._test_decode_cert(pem_path), (), target=4)


def _ours_inspect(der):
    cert = certcore.Certificate(der)
    return cert.subject, cert.subject_alt_names, cert.not_before, cert.not_after


def _cryptography_inspect(der):
    cert = cx509.load_der_x509_certificate(der)
    san = cert.extensions.get_extension_for_class(cx509.SubjectAlternativeName).value
    try:
        nb, na = cert.not_valid_before_utc, cert.not_valid_after_utc
    except AttributeError:  # cryptography < 42
        nb, na = cert.not_valid_before, cert.not_valid_after
    return cert.subject, list(san), nb, na


def test_inspect_vs_cryptography(compare):
    compare("x509: load DER + subject, SANs, validity", _ours_inspect, _cryptography_inspect,
            (DER,), target=2, peer="cryptography", check_same=False)


def test_decode_vs_cryptography(compare):
    compare("x509: DER -> dict vs cryptography inspect", certcore.decode_cert, _cryptography_inspect,
            (DER,), target=2, peer="cryptography", check_same=False)
