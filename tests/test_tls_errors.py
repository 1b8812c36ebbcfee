"""_certcore.errors: the single converter from OpenSSL's error queue to the stdlib's exceptions."""
import os
import ssl
import subprocess
import sys

import pytest

import certcore

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


@pytest.mark.skipif(not os.path.exists("/usr/include/openssl/sslerr.h"), reason="no OpenSSL headers")
def test_generated_mnemonic_table_is_current():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "ci", "gen_error_names.py")],
                         capture_output=True, text=True, check=True).stdout
    with open(os.path.join(ROOT, "_certcore", "_error_names.pxi")) as f:
        assert f.read() == out, "re-run ci/gen_error_names.py > _certcore/_error_names.pxi"


def _exc(f, *args, **kw):
    try:
        f(*args, **kw)
    except Exception as e:
        return e
    raise AssertionError("no exception")


def test_loader_error_attributes(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("junk\n")
    ctx = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    e = _exc(ctx.load_verify_locations, str(bad))
    assert type(e) is ssl.SSLError and e.__class__.__module__ == "ssl"
    assert (e.errno, e.library, e.reason) == (136, "X509", "NO_CERTIFICATE_OR_CRL_FOUND")
    assert e.args == (136, "[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4154)")
    e = _exc(ctx.load_verify_locations, cadata="junk")
    assert e.args == (0, "no start line: cadata does not contain a certificate (_ssl.c:4020)")
    assert e.library is None and e.reason is None
    e = _exc(ctx.load_cert_chain, str(bad))
    assert e.library == "SSL" and e.reason is None and str(e) == "[SSL] PEM lib (_ssl.c:3905)"
    e = _exc(ctx.set_ciphers, "nonsense")
    assert e.args == ("No cipher can be selected.",) and str(e) == "('No cipher can be selected.',)"
    e = _exc(ctx.load_verify_locations, str(tmp_path / "missing"))
    assert type(e) is FileNotFoundError and e.args == (2, "No such file or directory")


@pytest.mark.skipif(sys.version_info[:3] != (3, 11, 7), reason="compares with 3.11.7's exact texts")
def test_loader_errors_byte_identical_to_3_11_7(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("junk\n")
    pairs = []
    for lib in (certcore, ssl):
        ctx = lib.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        row = []
        for f, a, k in ((ctx.load_verify_locations, (str(bad),), {}),
                        (ctx.load_verify_locations, (), {"cadata": "junk"}),
                        (ctx.load_verify_locations, (), {"cadata": b"junk"}),
                        (ctx.load_cert_chain, (str(bad),), {})):
            e = _exc(f, *a, **k)
            row.append((type(e), e.args, e.library, e.reason))
        pairs.append(row)
    assert pairs[0] == pairs[1]
