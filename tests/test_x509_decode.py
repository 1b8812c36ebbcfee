"""Differential tests: certcore's decoded dict == CPython 3.11's ``_ssl._test_decode_cert``.

Corpora: every PEM file of the oracle interpreter's own test certdata (read at run time), every
certificate of the system CA bundle, and the generated certificates of ``certgen``. Also the
validity times against ``cert_time_to_seconds`` and the provider-less parse against a normal one.
"""
import glob
import os
import re
import ssl
import subprocess

import pytest

from helpers import certgen
import certcore
from _certcore import x509 as _x509
from helpers.oracle import find_oracle_python

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def _oracle_certdata_dir():
    python = find_oracle_python()
    out = subprocess.run(
        [python, "-I", "-c", "import os, test; print(os.path.dirname(test.__file__))"],
        capture_output=True, text=True, check=True,
    )
    test_dir = out.stdout.strip()
    certdata = os.path.join(test_dir, "certdata")
    return certdata if os.path.isdir(certdata) else test_dir


CERTDATA = _oracle_certdata_dir()
CERTDATA_FILES = sorted(glob.glob(os.path.join(CERTDATA, "*.pem")))
# The files the issue names explicitly must be part of the corpus.
for _required in ("nullbytecert.pem", "idnsans.pem", "allsans.pem", "talos-2019-0758.pem", "badcert.pem"):
    assert os.path.join(CERTDATA, _required) in CERTDATA_FILES, _required


def _ours_from_path(path):
    """certcore's decode of a file, outcome-shaped; CPython's "not a certificate" cases map to
    certcore's ValueError (certcore reports bad input as ValueError, not SSLError)."""
    try:
        return ("ok", certcore.Certificate.from_file(path).to_dict())
    except ValueError as exc:
        if isinstance(exc, UnicodeDecodeError):
            return ("raise", "builtins.UnicodeDecodeError", str(exc))
        return ("refused",)
    except ssl.SSLError:
        return ("raise", "ssl.SSLError")
    except Exception as exc:
        return ("raise", f"{type(exc).__module__}.{type(exc).__qualname__}", str(exc))


def _theirs(outcome):
    if outcome[0] == "ok":
        return outcome
    if outcome[1] == "ssl.SSLError" and outcome[2] in (
        "('Error decoding PEM-encoded file',)", "('Can't open file',)"
    ):
        return ("refused",)
    if outcome[1] == "ssl.SSLError":
        # _ssl.c's _setSSLError describes whatever error is queued: after an OpenSSL call that
        # fails without queueing one (OBJ_obj2txt on a huge OID) that is "unknown error" or a
        # stale error left by an earlier call in the same thread. Only the type is behaviour.
        return ("raise", "ssl.SSLError")
    # _ssl.c appends its source line to OpenSSL-level errors; that number is not behaviour.
    return (outcome[0], outcome[1], re.sub(r" \(_ssl\.c:\d+\)$", "", outcome[2]))


@pytest.fixture(scope="module")
def generated_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen")
    paths = {}
    for label, der in certgen.corpus().items():
        p = d / f"{label}.pem"
        p.write_text(ssl.DER_cert_to_PEM_cert(der))
        paths[label] = str(p)
    return paths


@pytest.fixture(scope="module")
def bundle_files(tmp_path_factory):
    if not os.path.exists(CA_BUNDLE):
        pytest.fail(f"{CA_BUNDLE} is missing: install ca-certificates")
    with open(CA_BUNDLE) as f:
        certs = certcore.load_certificates(f.read())
    assert len(certs) > 50
    d = tmp_path_factory.mktemp("bundle")
    paths = []
    for i, cert in enumerate(certs):
        p = d / f"ca{i:03d}.pem"
        p.write_text(cert.pem)
        paths.append(str(p))
    return paths


def _diff(oracle, paths):
    theirs = oracle.run("_test_decode_cert", [(p,) for p in paths])
    mismatches = []
    for path, t in zip(paths, theirs):
        ours = _ours_from_path(path)
        if ours != _theirs(t):
            mismatches.append((os.path.basename(path), ours, t))
    return mismatches


def test_certdata_corpus(oracle):
    assert _diff(oracle, CERTDATA_FILES) == []


def test_certdata_decoded_ones_are_the_expected(oracle):
    # Guard against a vacuous pass: the interesting files do decode, with their special values.
    allsans = certcore.Certificate.from_file(os.path.join(CERTDATA, "allsans.pem")).to_dict()
    assert ("othername", "<unsupported>") in allsans["subjectAltName"]
    assert ("IP Address", "0:0:0:0:0:0:0:1") in allsans["subjectAltName"]
    assert ("Registered ID", "1.2.3.4.5") in allsans["subjectAltName"]
    assert allsans["OCSP"] and allsans["caIssuers"] and allsans["crlDistributionPoints"]
    null = certcore.decode_cert(open(os.path.join(CERTDATA, "nullbytecert.pem")).read())
    assert ("DNS", "altnull.python.org\x00example.com") in null["subjectAltName"]
    assert null["serialNumber"] == "00"
    talos = certcore.Certificate.from_file(os.path.join(CERTDATA, "talos-2019-0758.pem")).to_dict()
    assert "crlDistributionPoints" not in talos
    with pytest.raises(ValueError):
        certcore.Certificate.from_file(os.path.join(CERTDATA, "badcert.pem"))


def test_system_ca_bundle(oracle, bundle_files):
    assert _diff(oracle, bundle_files) == []


def test_generated_corpus(oracle, generated_files):
    assert _diff(oracle, sorted(generated_files.values())) == []


def test_generated_special_values(generated_files):
    c = certgen.corpus()
    san = certcore.decode_cert(c["san_raw_odd"])["subjectAltName"]
    assert ("IP Address", "<invalid>") in san
    assert certcore.decode_cert(c["san_empty"])["subjectAltName"] == ()
    # OpenSSL 3 refuses to print OIDs over 586 bytes, so CPython's "<INVALID>" (>= 2048 chars)
    # is unreachable and it raises SSLError(0, "unknown error (_ssl.c:NNN)") instead.
    with pytest.raises(ssl.SSLError, match="unknown error") as info:
        certcore.decode_cert(c["san_long_rid"])
    assert info.value.args[0] == 0 and info.value.library is None
    assert len(certcore.decode_cert(c["san_mid_rid"])["subjectAltName"][0][1]) > 500
    assert certcore.decode_cert(c["san_x400_edi"])["subjectAltName"][1:] == (
        ("X400Name", "<unsupported>"), ("EdiPartyName", "<unsupported>"))
    with pytest.raises(UnicodeDecodeError):
        certcore.decode_cert(c["san_bad_utf8"])
    assert certcore.decode_cert(c["empty_subject"])["subject"] == ()
    d = certcore.decode_cert(c["crldp"])
    assert d["crlDistributionPoints"] == (
        "http://crl.example/1.crl", "ldap://crl.example/cn=x", "http://crl.example/2.crl")
    assert "crlDistributionPoints" not in certcore.decode_cert(c["crldp_no_uri"])
    assert "OCSP" not in certcore.decode_cert(c["aia_no_uri"])
    assert list(certcore.decode_cert(c["everything"])) == [
        "subject", "issuer", "version", "serialNumber", "notBefore", "notAfter",
        "subjectAltName", "OCSP", "caIssuers", "crlDistributionPoints"]


def _all_ders():
    ders = {f"gen:{k}": v for k, v in certgen.corpus().items()}
    for path in CERTDATA_FILES:
        try:
            ders[os.path.basename(path)] = certcore.Certificate.from_file(path).der
        except ValueError:
            pass
    with open(CA_BUNDLE) as f:
        for i, cert in enumerate(certcore.load_certificates(f.read())):
            ders[f"ca{i}"] = cert.der
    return ders


def test_times_equal_cert_time_to_seconds(oracle):
    ders = _all_ders()
    certs = {k: certcore.Certificate(v) for k, v in ders.items() if k not in ("gen:san_bad_utf8", "gen:san_long_rid")}
    calls, ours = [], []
    for cert in certs.values():
        d = cert.to_dict()
        calls += [(d["notBefore"],), (d["notAfter"],)]
        ours += [cert.not_before, cert.not_after]
    theirs = oracle.run("cert_time_to_seconds", calls)
    compared = 0
    for call, o, t in zip(calls, ours, theirs):
        if t[0] != "ok":
            # Only year 1 (strptime cannot read it) is outside cert_time_to_seconds' domain.
            assert call[0].endswith(" 1 GMT"), (call, t)
            continue
        assert o == t[1], call
        compared += 1
    assert compared > 300
    assert certs["gen:y9999"].not_after == 253402300799
    assert certs["gen:y1900_gt"].not_before == -2203887477
    assert certs["gen:y1950"].not_before == -631152000


def test_provider_less_parse_equals_normal_parse():
    for label, der in _all_ders().items():
        try:
            fast = certcore.decode_cert(der)
        except (UnicodeDecodeError, ssl.SSLError) as exc:
            with pytest.raises(type(exc)):
                _x509._decode_full(der)
            continue
        assert _x509._decode_full(der) == fast, label
        cert = certcore.Certificate(der)
        assert _x509._full_matches(cert), label


def test_to_dict_is_a_fresh_copy():
    der = certgen.corpus()["everything"]
    cert = certcore.Certificate(der)
    d = cert.to_dict()
    d["subject"] = "mutated"
    d.clear()
    assert cert.to_dict() == certcore.decode_cert(der)
    assert cert.to_dict() is not cert.to_dict()
