"""cert_time_to_seconds and DER<->PEM against the stdlib (targets from issue 2: 30x, 4x, 2.5x).

The certificate is generated here with ``cryptography`` (RSA-2048, a SAN extension: ~0.8-1 KB DER)
padded with a realistic extension to the 1-2 KB range the targets are set for.
"""
import datetime
import ssl

import pytest

import certcore


@pytest.fixture(scope="module")
def cert_der():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certcore benchmark"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "bench.certcore.test")])
    now = datetime.datetime(2024, 1, 1)
    names = [x509.DNSName(f"host{i}.bench.certcore.test") for i in range(20)]
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(Encoding.DER)
    assert 1024 <= len(der) <= 2048, len(der)
    return der


def test_cert_time_to_seconds(compare):
    compare("cert_time_to_seconds", certcore.cert_time_to_seconds, ssl.cert_time_to_seconds,
            ("Jan  5 09:34:43 2018 GMT",), target=30)


def test_der_to_pem(compare, cert_der):
    compare("DER_cert_to_PEM_cert (%d B)" % len(cert_der), certcore.DER_cert_to_PEM_cert,
            ssl.DER_cert_to_PEM_cert, (cert_der,), target=4)


def test_pem_to_der(compare, cert_der):
    pem = ssl.DER_cert_to_PEM_cert(cert_der)
    compare("PEM_cert_to_DER_cert (%d B)" % len(cert_der), certcore.PEM_cert_to_DER_cert,
            ssl.PEM_cert_to_DER_cert, (pem,), target=2.5)
