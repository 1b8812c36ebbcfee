"""get_default_verify_paths() and the OpenSSL constants, against the interpreter's own ssl.

get_default_verify_paths exists unchanged in every supported CPython, so the in-process ssl is
the oracle here. Both sides link the same system OpenSSL on these machines; the test checks that.
"""
import os
import ssl

import pytest

import certcore

SAME_OPENSSL = certcore.OPENSSL_VERSION == ssl.OPENSSL_VERSION


def test_links_openssl_3():
    assert certcore.OPENSSL_VERSION.startswith("OpenSSL 3.")
    assert certcore.OPENSSL_VERSION_INFO[0] >= 3
    assert certcore.OPENSSL_VERSION_NUMBER >> 28 >= 3


@pytest.mark.skipif(not SAME_OPENSSL, reason="the interpreter's ssl links another OpenSSL")
def test_version_constants_match_stdlib():
    assert certcore.OPENSSL_VERSION_NUMBER == ssl.OPENSSL_VERSION_NUMBER
    assert certcore.OPENSSL_VERSION_INFO == ssl.OPENSSL_VERSION_INFO


def test_constants_are_the_stdlib_members():
    for name in ["CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED", "PROTOCOL_TLS",
                 "PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER", "PEM_HEADER", "PEM_FOOTER"]:
        assert getattr(certcore, name) == getattr(ssl, name), name
        assert type(getattr(certcore, name)) is type(getattr(ssl, name)), name


def test_exception_classes_are_the_stdlib_classes():
    assert certcore.CertificateError is ssl.CertificateError
    for name in ["SSLError", "SSLZeroReturnError", "SSLWantReadError", "SSLWantWriteError",
                 "SSLSyscallError", "SSLEOFError", "SSLCertVerificationError"]:
        assert getattr(certcore, name) is getattr(ssl, name)


def test_all_names_exist():
    for name in certcore.__all__:
        assert hasattr(certcore, name), name


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return monkeypatch


def both():
    return certcore.get_default_verify_paths(), ssl.get_default_verify_paths()


@pytest.mark.skipif(not SAME_OPENSSL, reason="the interpreter's ssl links another OpenSSL")
def test_defaults_without_environment(clean_env):
    mine, theirs = both()
    assert mine == theirs
    assert isinstance(mine, ssl.DefaultVerifyPaths)
    assert mine._fields == theirs._fields
    assert type(mine.openssl_cafile) is str


@pytest.mark.skipif(not SAME_OPENSSL, reason="the interpreter's ssl links another OpenSSL")
@pytest.mark.parametrize("kind", ["file", "dir", "missing", "empty", "relative", "other-kind"])
def test_environment_overrides(clean_env, tmp_path, kind):
    f = tmp_path / "bundle.pem"
    f.write_text("x")
    d = tmp_path / "hashed"
    d.mkdir()
    cafile, capath = {
        "file": (str(f), str(d)),
        "dir": (str(f), str(d)),
        "missing": (str(tmp_path / "nope.pem"), str(tmp_path / "nodir")),
        "empty": ("", ""),
        "relative": (os.path.relpath(f), os.path.relpath(d)),
        "other-kind": (str(d), str(f)),  # a directory as cafile, a file as capath
    }[kind]
    clean_env.setenv("SSL_CERT_FILE", cafile)
    clean_env.setenv("SSL_CERT_DIR", capath)
    mine, theirs = both()
    assert mine == theirs
    if kind in ("file", "dir", "relative"):
        assert mine.cafile == cafile and mine.capath == capath
    else:
        assert mine.cafile is None and mine.capath is None


def test_environment_read_at_every_call(clean_env, tmp_path):
    f = tmp_path / "a.pem"
    f.write_text("x")
    clean_env.setenv("SSL_CERT_FILE", str(f))
    assert certcore.get_default_verify_paths().cafile == str(f)
    f.unlink()
    assert certcore.get_default_verify_paths().cafile is None


def test_arguments_rejected():
    with pytest.raises(TypeError):
        certcore.get_default_verify_paths(1)
