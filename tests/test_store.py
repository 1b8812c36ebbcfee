"""enum_certificates / enum_crls over OpenSSL's trust locations (the system store and stores
built here: PEM bundles, `openssl rehash` directories, `openssl x509 -addtrust` entries)."""
import datetime
import os
import shutil
import subprocess
import sys
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import certcore
from _certcore.store import count_certificate_blocks, hashed_certificate_names
from _certcore.x509 import MAX_CERT_FILE_BYTES
from certcore import enum_certificates, enum_crls

SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
EMAIL = "1.3.6.1.5.5.7.3.4"
OPENSSL_PURPOSES = {
    SERVER_AUTH, CLIENT_AUTH, "1.3.6.1.5.5.7.3.3", EMAIL, "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9",
    "1.3.6.1.5.5.7.48.1",
}
OPENSSL = shutil.which("openssl")
assert OPENSSL, "the openssl command line tool is needed (installed by .ci/run)"


# ------------------------------------------------------------------------------------------
# Test PKI, made here with cryptography.

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(cn, key, issuer_cn=None, issuer_key=None, ca=True):
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_key = issuer_key or key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(issuer_cn or cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


class PKI:
    def __init__(self):
        self.keys = {cn: ec.generate_private_key(ec.SECP256R1()) for cn in ("root1", "root2", "root3", "inter")}
        self.root1 = _cert("root1", self.keys["root1"])
        self.root2 = _cert("root2", self.keys["root2"])
        self.root3 = _cert("root3", self.keys["root3"])
        self.inter = _cert("inter", self.keys["inter"], "root1", self.keys["root1"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(_name("root1"))
            .last_update(now)
            .next_update(now + datetime.timedelta(days=7))
            .add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(1234).revocation_date(now).build()
            )
            .sign(self.keys["root1"], hashes.SHA256())
        )
        self.crl2 = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(_name("root2"))
            .last_update(now)
            .next_update(now + datetime.timedelta(days=7))
            .sign(self.keys["root2"], hashes.SHA256())
        )


def pem(obj):
    return obj.public_bytes(serialization.Encoding.PEM)


def der(obj):
    return obj.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def pki():
    return PKI()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Point OpenSSL's default locations (through the environment) at an empty bundle + dir."""
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"")
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed))
    return bundle, hashed


def rehash(directory):
    subprocess.run([OPENSSL, "rehash", str(directory)], check=True, capture_output=True)


def addtrust(tmp_path, cert, *args):
    """`openssl x509 <args>` over cert: a TRUSTED CERTIFICATE PEM block (bytes)."""
    src = tmp_path / "in.pem"
    src.write_bytes(pem(cert))
    out = subprocess.run([OPENSSL, "x509", "-in", str(src), *args], check=True, capture_output=True).stdout
    assert out.startswith(b"-----BEGIN TRUSTED CERTIFICATE-----"), out
    return out


def ders(entries):
    return [entry[0] for entry in entries]


# ------------------------------------------------------------------------------------------
# The real system store.

def _system_locations():
    paths = certcore.get_default_verify_paths()
    return paths.cafile, paths.capath


def _expected_system_ders():
    """Distinct certificate DERs of the CA file + hashed dir, found with cryptography."""
    cafile, capath = _system_locations()
    found = []
    if cafile:
        with open(cafile, "rb") as f:
            found += [der(c) for c in x509.load_pem_x509_certificates(f.read())]
    if capath:
        for name in sorted(os.listdir(capath)):
            head, _, tail = name.partition(".")
            if len(head) == 8 and all(c in "0123456789abcdef" for c in head) and tail.isdigit():
                try:
                    with open(os.path.join(capath, name), "rb") as f:
                        found += [der(c) for c in x509.load_pem_x509_certificates(f.read())]
                except (OSError, ValueError):
                    pass
    return list(dict.fromkeys(found))


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
def test_system_store_is_the_distinct_certificates_of_the_default_locations():
    cafile, capath = _system_locations()
    assert cafile or capath, "this machine has a system trust store"
    expected = _expected_system_ders()
    assert expected, "the system store is not empty"
    roots, cas = enum_certificates("ROOT"), enum_certificates("CA")
    got = ders(roots) + ders(cas)
    assert len(got) == len(set(got)) == len(expected)
    assert set(got) == set(expected)
    for cert_der in got:
        cert = x509.load_der_x509_certificate(cert_der)
        assert cert.public_bytes(serialization.Encoding.DER) == cert_der
    # ROOT entries are self-signed
    for cert_der in ders(roots):
        cert = x509.load_der_x509_certificate(cert_der)
        assert cert.issuer == cert.subject


def test_system_store_matches_what_ssl_loads_from_the_cafile():
    import ssl

    cafile, _ = _system_locations()
    if not cafile:
        pytest.fail("no default CA file on this machine")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    stdlib = set(ctx.get_ca_certs(binary_form=True))
    ours = set(ders(enum_certificates("ROOT") + enum_certificates("CA")))
    assert stdlib <= ours


def test_windows_shape_and_the_windows_consumer():
    """Every element has the Windows types, and load_default_certs()' Windows recipe works."""
    import ssl

    cadata = bytearray()
    for store_name in ("CA", "ROOT"):
        entries = enum_certificates(store_name)
        assert type(entries) is list
        for entry in entries:
            assert type(entry) is tuple and len(entry) == 3
            cert_der, encoding, trust = entry
            assert type(cert_der) is bytes
            assert encoding == "x509_asn"
            assert trust is True or type(trust) is frozenset
            if trust is True or SERVER_AUTH in trust:
                cadata += cert_der
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=bytes(cadata))
    assert ctx.cert_store_stats()["x509_ca"] == len(enum_certificates("ROOT"))
    for entry in enum_crls("CA"):
        assert type(entry) is tuple and len(entry) == 2
        assert type(entry[0]) is bytes and entry[1] == "x509_asn"
    assert enum_certificates("MY") == []


# ------------------------------------------------------------------------------------------
# Store names and arguments.

def test_store_names(store, pki):
    bundle, _ = store
    bundle.write_bytes(pem(pki.root1) + pem(pki.inter) + pem(pki.crl))
    assert ders(enum_certificates("ROOT")) == [der(pki.root1)]
    assert ders(enum_certificates("root")) == [der(pki.root1)]  # case-insensitive, as on Windows
    assert ders(enum_certificates("CA")) == [der(pki.inter)]
    assert enum_certificates("MY") == []
    assert enum_crls("CA") == [(der(pki.crl), "x509_asn")]
    assert enum_crls("ROOT") == []
    assert enum_crls("MY") == []


@pytest.mark.parametrize("func", [enum_certificates, enum_crls])
def test_bad_store_names(func):
    for name in ("", "FOO", "ROOTS", "TrustedPublisher", "R\u00d6\u00d6T"):
        with pytest.raises(FileNotFoundError) as info:
            func(name)
        assert isinstance(info.value, OSError)
        assert info.value.errno == 2
        assert info.value.filename == name
    with pytest.raises(ValueError, match="embedded null character"):
        func("ROOT\0")
    with pytest.raises(TypeError, match="must be str, not bytes"):
        func(b"ROOT")
    with pytest.raises(TypeError):
        func()
    assert func(store_name="MY") == []


# ------------------------------------------------------------------------------------------
# Stores built by the tests.

def test_pem_bundle(store, pki):
    bundle, _ = store
    bundle.write_bytes(
        b"# comment lines and text between blocks are fine\n"
        + pem(pki.root1)
        + pki.keys["root1"].private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        + pem(pki.root2)
        + pem(pki.root1)  # duplicate
        + b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"  # not DER
        + b"-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n"
        + pem(pki.inter)
        + pem(pki.root3)
        + b"-----BEGIN CERTIFICATE-----\nMIIB\n"  # truncated at the end
    )
    roots = enum_certificates("ROOT")
    assert ders(roots) == [der(pki.root1), der(pki.root2), der(pki.root3)]
    assert all(trust is True for _, _, trust in roots)
    assert ders(enum_certificates("CA")) == [der(pki.inter)]


def test_hashed_directory(store, pki):
    bundle, hashed = store
    bundle.write_bytes(pem(pki.root1) + pem(pki.root2))
    for obj, name in [(pki.root2, "root2.pem"), (pki.root3, "root3.pem"), (pki.inter, "inter.pem"),
                      (pki.crl, "crl.pem"), (pki.crl2, "crl2.pem")]:
        (hashed / name).write_bytes(pem(obj))
    rehash(hashed)
    names = sorted(os.listdir(hashed))
    assert any(n.endswith(".r0") for n in names), names
    # file first, then the directory in name order; root2 (in both) listed once
    roots = ders(enum_certificates("ROOT"))
    assert roots[:2] == [der(pki.root1), der(pki.root2)]
    assert sorted(roots[2:]) == [der(pki.root3)]
    assert ders(enum_certificates("CA")) == [der(pki.inter)]
    assert sorted(enum_crls("CA")) == sorted([(der(pki.crl), "x509_asn"), (der(pki.crl2), "x509_asn")])
    # the *.pem originals are not hashed names: only the links count
    for name in names:
        if name.endswith(".pem"):
            os.unlink(hashed / name)
    assert ders(enum_certificates("ROOT"))[:2] == [der(pki.root1), der(pki.root2)]
    assert len(enum_certificates("ROOT")) == 2  # the links now dangle


def test_crls_in_the_file_and_duplicates(store, pki):
    bundle, hashed = store
    bundle.write_bytes(pem(pki.crl) + pem(pki.root1) + pem(pki.crl) + pem(pki.crl2))
    (hashed / "crl.pem").write_bytes(pem(pki.crl))
    rehash(hashed)
    assert enum_crls("CA") == [(der(pki.crl), "x509_asn"), (der(pki.crl2), "x509_asn")]
    assert ders(enum_certificates("ROOT")) == [der(pki.root1)]


def test_hashed_names_only(store, pki):
    _, hashed = store
    for name in ["0123abcd.0", "0123abcd.12", "0123ABCD.0", "0123abc.0", "0123abcd.", "0123abcd.x",
                 "0123abcd.0.pem", "0123abcd.r", "README"]:
        (hashed / name).write_bytes(pem(pki.root1) if name == "0123abcd.0" else pem(pki.root2)
                                    if name == "0123abcd.12" else pem(pki.root3))
    assert ders(enum_certificates("ROOT")) == [der(pki.root1), der(pki.root2)]
    # a CRL in a certificate-named file and a certificate in a CRL-named file are not taken
    (hashed / "aaaaaaaa.0").write_bytes(pem(pki.crl))
    (hashed / "bbbbbbbb.r0").write_bytes(pem(pki.root3) + pem(pki.crl2))
    assert enum_crls("CA") == [(der(pki.crl2), "x509_asn")]
    assert ders(enum_certificates("ROOT")) == [der(pki.root1), der(pki.root2)]


def test_hashed_certificate_names_are_the_files_the_store_reads(store, pki):
    _, hashed = store
    for name in ["0123abcd.12", "0123abcd.0", "0123ABCD.0", "0123abc.0", "0123abcd.", "0123abcd.x",
                 "0123abcd.0.pem", "0123abcd.r", "0123abcd.r0", "README"]:
        (hashed / name).write_bytes(pem(pki.root1))
    assert hashed_certificate_names(hashed) == ["0123abcd.0", "0123abcd.12"]
    assert hashed_certificate_names(os.fsencode(hashed)) == ["0123abcd.0", "0123abcd.12"]
    assert len(enum_certificates("ROOT")) == 1
    assert hashed_certificate_names(hashed / "missing") == []
    with pytest.raises(ValueError, match="embedded null byte"):
        hashed_certificate_names(str(hashed) + "\0")


def test_count_certificate_blocks_reads_the_file_as_the_store(store, pki, tmp_path):
    bundle, _ = store
    x509_label = pem(pki.root3).replace(b" CERTIFICATE-----", b" X509 CERTIFICATE-----")
    key = pki.keys["root1"].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
    bundle.write_bytes(b"junk\n" + pem(pki.root1) + pem(pki.crl) + key + addtrust(tmp_path, pki.root2, "-addtrust",
                       "serverAuth") + pem(pki.root1) + x509_label)
    # blocks, not distinct certificates; nothing parsed
    assert count_certificate_blocks(bundle) == 4
    assert len(enum_certificates("ROOT")) == 3
    bundle.write_bytes(certcore.DER_cert_to_PEM_cert(bytes(range(256)) * 4).encode() * 2)
    assert count_certificate_blocks(bundle) == 2 and enum_certificates("ROOT") == []
    # what the store skips counts nothing: a missing file, a directory, a device, a file over the limit
    assert count_certificate_blocks(tmp_path / "missing.pem") == 0
    assert count_certificate_blocks(tmp_path) == 0
    assert count_certificate_blocks("/dev/zero") == 0
    with open(bundle, "wb") as f:
        f.write(pem(pki.root1))
        f.truncate(MAX_CERT_FILE_BYTES + 1)
    assert count_certificate_blocks(bundle) == 0 and enum_certificates("ROOT") == []


def test_unreadable_entries_are_skipped(store, pki, tmp_path):
    bundle, hashed = store
    bundle.write_bytes(pem(pki.root1))
    (hashed / "00000001.0").symlink_to(tmp_path / "nowhere.pem")  # dangling
    (hashed / "00000002.0").mkdir()  # a directory named like a certificate
    (hashed / "00000003.0").write_bytes(os.urandom(4096))  # binary garbage
    (hashed / "00000004.0").write_bytes(b"-----BEGIN CERTIFICATE-----\n" + b"A" * 100000)
    os.mkfifo(hashed / "00000005.0")  # must not block
    (hashed / "00000006.r0").write_bytes(b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")
    (hashed / "00000007.0").symlink_to("00000007.0")  # a symlink loop
    (hashed / "00000008.0").write_bytes(pem(pki.root2))
    result = []
    worker = threading.Thread(target=lambda: result.append(enum_certificates("ROOT")), daemon=True)
    worker.start()
    worker.join(30)
    assert result, "enum_certificates blocked"
    assert ders(result[0]) == [der(pki.root1), der(pki.root2)]
    assert enum_crls("CA") == []
    assert openssl_error_queue_is_empty()


def openssl_error_queue_is_empty():
    """This thread's OpenSSL error queue (libcrypto is loaded once per process) is empty."""
    import ctypes
    import ctypes.util

    libcrypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
    libcrypto.ERR_peek_error.restype = ctypes.c_ulong
    return libcrypto.ERR_peek_error() == 0


def test_missing_or_wrong_kind_locations(monkeypatch, tmp_path, pki):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "missing"))
    assert enum_certificates("ROOT") == [] and enum_crls("CA") == []
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.pem").write_bytes(pem(pki.root1))
    f = tmp_path / "f.pem"
    f.write_bytes(pem(pki.root2))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "d"))  # a directory as the CA file
    monkeypatch.setenv("SSL_CERT_DIR", str(f))  # a file as the CA directory
    assert enum_certificates("ROOT") == []
    monkeypatch.setenv("SSL_CERT_FILE", "")  # set but empty: no file (as get_default_verify_paths)
    assert enum_certificates("ROOT") == []
    assert certcore.get_default_verify_paths().cafile is None


# ------------------------------------------------------------------------------------------
# Trust settings ("TRUSTED CERTIFICATE").

@pytest.mark.parametrize(
    "args, expected",
    [
        (["-addtrust", "serverAuth"], frozenset({SERVER_AUTH})),
        (["-addtrust", "serverAuth", "-addtrust", "emailProtection"], frozenset({SERVER_AUTH, EMAIL})),
        (["-addtrust", "serverAuth", "-addtrust", "clientAuth", "-addreject", "clientAuth"],
         frozenset({SERVER_AUTH})),
        (["-addtrust", "serverAuth", "-addreject", "anyExtendedKeyUsage"], frozenset()),
        (["-addreject", "anyExtendedKeyUsage"], frozenset()),
        (["-addreject", "clientAuth"], frozenset(OPENSSL_PURPOSES - {CLIENT_AUTH})),
        (["-addtrust", "anyExtendedKeyUsage"], True),
        (["-addtrust", "anyExtendedKeyUsage", "-addreject", "emailProtection"],
         frozenset(OPENSSL_PURPOSES - {EMAIL})),
        (["-addtrust", "1.2.3.4"], frozenset({"1.2.3.4"})),
        (["-setalias", "just a name"], True),
    ],
)
def test_trust_settings(store, pki, tmp_path, args, expected):
    bundle, _ = store
    bundle.write_bytes(addtrust(tmp_path, pki.root1, *args))
    [(cert_der, encoding, trust)] = enum_certificates("ROOT")
    assert cert_der == der(pki.root1)  # the certificate alone, without its trust settings
    assert encoding == "x509_asn"
    assert trust == expected and type(trust) is type(expected)


def test_trust_settings_in_a_hashed_directory(store, pki, tmp_path):
    bundle, hashed = store
    bundle.write_bytes(addtrust(tmp_path, pki.root1, "-addtrust", "serverAuth"))
    (hashed / "root1.pem").write_bytes(pem(pki.root1))  # same certificate, no trust settings
    (hashed / "root2.pem").write_bytes(addtrust(tmp_path, pki.root2, "-addtrust", "clientAuth"))
    rehash(hashed)
    # the first place a certificate is found wins: the file's trust settings for root1
    assert enum_certificates("ROOT") == [
        (der(pki.root1), "x509_asn", frozenset({SERVER_AUTH})),
        (der(pki.root2), "x509_asn", frozenset({CLIENT_AUTH})),
    ]


def test_explicitly_trusted_intermediate_is_an_anchor(store, pki, tmp_path):
    bundle, _ = store
    bundle.write_bytes(
        addtrust(tmp_path, pki.inter, "-addtrust", "serverAuth")
        + addtrust(tmp_path, pki.root2, "-addreject", "clientAuth")
    )
    assert enum_certificates("ROOT") == [
        (der(pki.inter), "x509_asn", frozenset({SERVER_AUTH})),
        (der(pki.root2), "x509_asn", frozenset(OPENSSL_PURPOSES - {CLIENT_AUTH})),
    ]
    assert enum_certificates("CA") == []


def test_trust_matches_openssl_verification(store, pki, tmp_path):
    """The frozenset says what OpenSSL's own verifier accepts the anchor for."""
    bundle, _ = store
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("leaf")).issuer_name(_name("root1")).public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .sign(pki.keys["root1"], hashes.SHA256())
    )
    leaf_path = tmp_path / "leaf.pem"
    leaf_path.write_bytes(pem(leaf))
    anchor = tmp_path / "anchor.pem"
    for args in (["-addtrust", "serverAuth"], ["-addreject", "serverAuth"], ["-addreject", "clientAuth"]):
        entry = addtrust(tmp_path, pki.root1, *args)
        anchor.write_bytes(entry)
        bundle.write_bytes(entry)
        [(_, _, trust)] = enum_certificates("ROOT")
        for purpose, oid in (("sslserver", SERVER_AUTH), ("sslclient", CLIENT_AUTH)):
            verify = subprocess.run(
                [OPENSSL, "verify", "-no-CApath", "-CAfile", str(anchor), "-purpose", purpose, str(leaf_path)],
                capture_output=True, text=True,
            )
            assert (verify.returncode == 0) == (oid in trust), (args, purpose, verify.stdout, verify.stderr)


# ------------------------------------------------------------------------------------------
# The environment, as a fresh process sees it.

def test_environment_in_a_subprocess(tmp_path, pki):
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pem(pki.root1) + pem(pki.inter) + pem(pki.crl))
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    (hashed / "r3.pem").write_bytes(pem(pki.root3))
    rehash(hashed)
    code = (
        "import certcore; print(len(certcore.enum_certificates('ROOT')), len(certcore.enum_certificates('CA')),"
        " len(certcore.enum_crls('CA')))"
    )
    env = dict(os.environ, SSL_CERT_FILE=str(bundle), SSL_CERT_DIR=str(hashed))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout.split() == ["2", "1", "1"], out.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    env["SSL_CERT_DIR"] = str(hashed)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # without SSL_CERT_FILE: OpenSSL's compiled-in CA file (if it exists) plus the directory
    compiled_in = certcore.get_default_verify_paths().openssl_cafile
    expected = {der(pki.root3)}
    if os.path.isfile(compiled_in):
        import warnings

        with open(compiled_in, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected |= {der(c) for c in x509.load_pem_x509_certificates(f.read()) if c.issuer == c.subject}
    assert int(out.stdout.split()[0]) == len(expected)


def test_concurrent_calls(store, pki):
    bundle, _ = store
    bundle.write_bytes((pem(pki.root1) + pem(pki.root2) + pem(pki.inter)) * 50)
    results = []

    def work():
        for _ in range(20):
            results.append(ders(enum_certificates("ROOT")))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[der(pki.root1), der(pki.root2)]] * 80
