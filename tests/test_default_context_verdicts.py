"""create_default_context() gives the running Python's verdicts on certificate chains.

3.13 made the stdlib's default context stricter (VERIFY_X509_STRICT) and let chains end at a
trusted intermediate (VERIFY_X509_PARTIAL_CHAIN). A program that swaps ``ssl`` for certcore must
never get weaker verification than its own Python's ``ssl``: each chain below is served by a
stdlib server and verified once by the stdlib's ``create_default_context(cadata=...)`` and once
by certcore's, in memory, and the verdicts (success, or verify_code and verify_message) must be
the same. The chains are built so that 3.13 and earlier disagree on two of them, which the test
also checks, so it cannot pass by both sides accepting everything.
"""
import datetime
import ssl
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import certcore

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(cn, key, issuer_cn, issuer_key, *, ca, aki=True, ski=True):
    b = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(issuer_cn))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(NOW - DAY).not_valid_after(NOW + 30 * DAY)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
    else:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    if ski:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if aki and issuer_key is not key:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                            critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(*certs):
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def _chains(tmp_path):
    """name -> (server chain file, key file, trusted PEM)."""
    keys = {n: ec.generate_private_key(ec.SECP256R1()) for n in ("root", "inter", "leaf")}
    root = _cert("root", keys["root"], "root", keys["root"], ca=True)
    inter = _cert("inter", keys["inter"], "root", keys["root"], ca=True)
    leaf = _cert("localhost", keys["leaf"], "root", keys["root"], ca=False)
    leaf_no_aki = _cert("localhost", keys["leaf"], "root", keys["root"], ca=False, aki=False)
    leaf_under_inter = _cert("localhost", keys["leaf"], "inter", keys["inter"], ca=False)
    key_file = tmp_path / "leaf.key"
    key_file.write_bytes(keys["leaf"].private_bytes(serialization.Encoding.PEM,
                                                    serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    out = {}
    for name, served, trusted in [
        ("leaf under the root", (leaf,), (root,)),
        ("leaf without an authority key identifier", (leaf_no_aki,), (root,)),
        ("chain anchored at a trusted intermediate", (leaf_under_inter, inter), (inter,)),
        ("chain to the trusted root", (leaf_under_inter, inter), (root,)),
        ("root not trusted", (leaf,), (inter,)),
    ]:
        chain = tmp_path / (name.replace(" ", "_") + ".pem")
        chain.write_text(_pem(*served))
        out[name] = (str(chain), str(key_file), _pem(*trusted))
    return out


def _verdict(mod, chain, key, trusted):
    """Handshake a `mod` default client against a stdlib server, in memory."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(chain, key)
    client_ctx = mod.create_default_context(cadata=trusted)
    c_in, c_out = mod.MemoryBIO(), mod.MemoryBIO()
    s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    try:
        for _ in range(10):
            for side in (client, server):
                try:
                    side.do_handshake()
                except ssl.SSLWantReadError:
                    pass
            s_in.write(c_out.read())
            c_in.write(s_out.read())
            if client.version() is not None:
                return ("ok",)
    except ssl.SSLCertVerificationError as exc:
        return ("rejected", exc.verify_code, exc.verify_message)
    except ssl.SSLError as exc:
        return ("error", exc.reason)
    raise AssertionError("the handshake did not finish")


@pytest.fixture(scope="module")
def chains(tmp_path_factory):
    return _chains(tmp_path_factory.mktemp("chains"))


NAMES = ["leaf under the root", "leaf without an authority key identifier",
         "chain anchored at a trusted intermediate", "chain to the trusted root", "root not trusted"]


@pytest.mark.parametrize("name", NAMES)
def test_certcore_gives_the_stdlibs_verdict(chains, name):
    assert _verdict(certcore, *chains[name]) == _verdict(ssl, *chains[name])


def test_the_chains_separate_313_from_earlier_versions(chains):
    no_aki = _verdict(ssl, *chains["leaf without an authority key identifier"])
    partial = _verdict(ssl, *chains["chain anchored at a trusted intermediate"])
    if sys.version_info >= (3, 13):
        assert no_aki[0] == "rejected" and partial == ("ok",)
    else:
        assert no_aki == ("ok",) and partial[0] == "rejected"
    assert _verdict(ssl, *chains["root not trusted"])[0] == "rejected"
