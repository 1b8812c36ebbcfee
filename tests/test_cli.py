"""python -m certcore and the certcore console script, run for real in a subprocess."""
import base64
import contextlib
import datetime
import http.server
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import certcore
from _certcore.x509 import MAX_CERT_FILE_BYTES
from helpers.tlscerts import get_pki
from helpers.tlspeers import TLSServer

UTC = datetime.timezone.utc
SUBCOMMANDS = ["info", "store", "show", "check", "time", "pem2der", "der2pem", "paths", "fetch"]


def run(args, tmp_path, **env):
    # cwd is a scratch directory so that the checkout's source folders cannot shadow the
    # installed package.
    return subprocess.run(
        args, cwd=tmp_path, capture_output=True, text=True, timeout=60, env=dict(os.environ, **env)
    )


def cli(tmp_path, *args, input=None, binary=False, env=None):
    """Run `python -m certcore ARGS` (stdin from `input`); text output unless binary."""
    return subprocess.run(
        [sys.executable, "-m", "certcore", *args], cwd=tmp_path, input=input, capture_output=True,
        text=not binary, timeout=60, env=dict(os.environ, **(env or {})),
    )


def assert_one_line_error(proc, *fragments, status=1):
    stderr = proc.stderr.decode() if isinstance(proc.stderr, bytes) else proc.stderr
    assert proc.returncode == status, (proc.returncode, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("certcore: error: ") or status == 2, stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# ------------------------------------------------------------------------------------------
# Certificates for the tests.

def _name(cn, org=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def make_cert(cn, *, key, issuer=None, issuer_key=None, days=(-1, 30), sans=(), ca=False, org=None):
    # Dates count from a minute ago: certificates keep whole seconds, so from "now" a run in the
    # same second would see exactly 20 days left where every later one sees 19.
    now = datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(minutes=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(issuer or _name(cn, org))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        entries = []
        for san in sans:
            try:
                entries.append(x509.IPAddress(ipaddress.ip_address(san)))
            except ValueError:
                entries.append(x509.DNSName(san))
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


class Files:
    pass


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    f = Files()
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    f.ca = make_cert("Test Root", key=ca_key, ca=True, org="certcore tests", days=(-1, 20))
    f.old_ca = make_cert("Old Root", key=ec.generate_private_key(ec.SECP256R1()), ca=True, days=(-400, -10))
    f.late_ca = make_cert("Late Root", key=ec.generate_private_key(ec.SECP256R1()), ca=True, days=(-1, 3000))
    f.leaf = make_cert("www.example.com", key=leaf_key, issuer=f.ca.subject, issuer_key=ca_key,
                       sans=["www.example.com", "*.example.org", "192.0.2.1", "2001:db8::1"])
    f.expired = make_cert("expired.example.com", key=leaf_key, sans=["expired.example.com"], days=(-30, -1))
    f.future = make_cert("future.example.com", key=leaf_key, sans=["future.example.com"], days=(5, 30))
    f.leaf_key = leaf_key
    for name, data in [
        ("leaf.pem", pem(f.leaf)),
        ("leaf.der", der(f.leaf)),
        ("bundle.pem", pem(f.leaf) + pem(f.ca)),
        ("expired.pem", pem(f.expired)),
        ("future.pem", pem(f.future)),
        ("garbage.pem", b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"),
        ("garbage.der", b"\x30\x82\x01\x00" + os.urandom(64)),
        ("empty.pem", b""),
        ("text.txt", b"hello, world\n"),
        ("store.pem", pem(f.late_ca) + pem(f.old_ca) + pem(f.ca) + pem(f.leaf)),
        ("key.pem", leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())),
    ]:
        (d / name).write_bytes(data)
    f.dir = d
    return f


def path(files, name):
    return str(files.dir / name)


# ------------------------------------------------------------------------------------------
# info (the default job), help, usage errors

def test_info_offline_job(tmp_path):
    bundle = tmp_path / "bundle.pem"
    der_bytes = bytes(range(256)) * 4
    bundle.write_text(certcore.DER_cert_to_PEM_cert(der_bytes) * 3 + "junk\n")
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    for name in ["0123abcd.0", "0123abcd.1", "deadbeef.r0", "README"]:
        (hashed / name).write_text("x")
    proc = run([sys.executable, "-m", "certcore"], tmp_path, SSL_CERT_FILE=str(bundle), SSL_CERT_DIR=str(hashed))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"certcore {certcore.__version__}" in out
    assert certcore.OPENSSL_VERSION in out
    assert f"cafile               {bundle}" in out
    assert "trust anchors: 3 in cafile, 2 in capath" in out
    # blocks that are not certificates are not trust anchors
    assert "trust store: 0 distinct trust anchors, 0 other certificates, 0 CRLs" in out


def test_info_counts_the_real_store(tmp_path, files):
    proc = cli(tmp_path, "info", env={"SSL_CERT_FILE": path(files, "store.pem"), "SSL_CERT_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "trust store: 3 distinct trust anchors, 1 other certificates, 0 CRLs" in proc.stdout


def test_info_missing_store(tmp_path):
    proc = run([sys.executable, "-m", "certcore", "info"], tmp_path,
               SSL_CERT_FILE=str(tmp_path / "none.pem"), SSL_CERT_DIR=str(tmp_path / "none"))
    assert proc.returncode == 0, proc.stderr
    assert "cafile               None" in proc.stdout
    assert "trust anchors: 0 in cafile, 0 in capath" in proc.stdout


def test_console_script(tmp_path):
    script = shutil.which("certcore", path=os.path.dirname(sys.executable))
    assert script, "the certcore console script is installed beside the interpreter"
    proc = run([script, "--help"], tmp_path)
    assert proc.returncode == 0
    assert "usage: certcore" in proc.stdout
    for command in SUBCOMMANDS:
        assert command in proc.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_on_every_subcommand(tmp_path, command):
    proc = cli(tmp_path, command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: certcore {command}")
    assert proc.stderr == ""


def test_unknown_command_is_one_line_error(tmp_path):
    proc = run([sys.executable, "-m", "certcore", "frobnicate"], tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "invalid choice" in proc.stderr


def test_debug_shows_the_traceback(tmp_path):
    proc = cli(tmp_path, "--debug", "show", str(tmp_path / "missing.pem"))
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


@pytest.mark.parametrize("args", [["show"], ["check", "x.pem"], ["time"], ["store", "--expiring", "soon"],
                                  ["fetch"], ["fetch", "h", "--timeout", "x"], ["show", "a", "b"]])
def test_usage_errors(tmp_path, args):
    proc = cli(tmp_path, *args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("usage: certcore")


# ------------------------------------------------------------------------------------------
# show

def test_show_pem(tmp_path, files):
    proc = cli(tmp_path, "show", path(files, "leaf.pem"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("certificate\n")
    assert "subject:      CN=www.example.com\n" in out
    assert "issuer:       CN=Test Root, O=certcore tests\n" in out
    assert ("alt names:    DNS:www.example.com, DNS:*.example.org, IP Address:192.0.2.1, "
            "IP Address:2001:DB8:0:0:0:0:0:1\n") in out
    assert "days left)" in out
    fingerprint = files.leaf.fingerprint(hashes.SHA256()).hex(":").upper()
    assert f"sha256:       {fingerprint}\n" in out


def test_show_der_and_stdin(tmp_path, files):
    from_file = cli(tmp_path, "show", path(files, "leaf.pem")).stdout
    assert cli(tmp_path, "show", path(files, "leaf.der")).stdout == from_file
    proc = cli(tmp_path, "show", "-", input=der(files.leaf), binary=True)
    assert proc.returncode == 0 and proc.stdout.decode() == from_file
    proc = cli(tmp_path, "show", "-", input=pem(files.leaf), binary=True)
    assert proc.returncode == 0 and proc.stdout.decode() == from_file


def test_show_bundle(tmp_path, files):
    proc = cli(tmp_path, "show", path(files, "bundle.pem"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("certificate 1 of 2\n")
    assert "\ncertificate 2 of 2\n" in proc.stdout
    assert "subject:      CN=Test Root, O=certcore tests" in proc.stdout


def test_show_json_is_the_getpeercert_dict(tmp_path, files):
    before = int(time.time())
    proc = cli(tmp_path, "show", "--json", path(files, "leaf.pem"))
    after = int(time.time())
    assert proc.returncode == 0, proc.stderr
    expected = json.loads(json.dumps(certcore.decode_cert(pem(files.leaf))))
    got = json.loads(proc.stdout)
    # the getpeercert() keys unchanged, plus what the text shows beyond them
    assert {key: got[key] for key in expected} == expected
    assert set(got) - set(expected) == {"daysLeft", "expired", "notYetValid", "sha256"}
    # 30 days minus the seconds since the certificate was made (none if in the same second)
    not_after = certcore.Certificate(der(files.leaf)).not_after
    assert got["daysLeft"] in {(not_after - t) // 86400 for t in (before, after)}
    assert (got["expired"], got["notYetValid"]) == (False, False)
    assert got["sha256"] == files.leaf.fingerprint(hashes.SHA256()).hex()
    assert expected["subjectAltName"][2] == ["IP Address", "192.0.2.1"]
    # the stdlib's decoder agrees (CPython's test hook reads a file)
    import ssl

    assert expected == json.loads(json.dumps(ssl._ssl._test_decode_cert(path(files, "leaf.pem"))))
    proc = cli(tmp_path, "show", "--json", path(files, "bundle.pem"))
    assert [d["subject"] for d in json.loads(proc.stdout)] == [
        [[["commonName", "www.example.com"]]],
        [[["commonName", "Test Root"]], [["organizationName", "certcore tests"]]],
    ]


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("missing.pem", "cannot read"),
        ("garbage.pem", "not a PEM or DER certificate"),
        ("garbage.der", "not a PEM or DER certificate"),
        ("empty.pem", "empty input"),
        ("text.txt", "not a PEM or DER certificate"),
        ("key.pem", "not a PEM or DER certificate"),
    ],
)
def test_show_bad_input(tmp_path, files, name, fragment):
    assert_one_line_error(cli(tmp_path, "show", path(files, name)), fragment)


def test_show_directory(tmp_path):
    assert_one_line_error(cli(tmp_path, "show", str(tmp_path)), "cannot read")


@pytest.mark.parametrize("args", [["show"], ["check", "-", "example.com"], ["pem2der"], ["der2pem"]])
def test_reads_stop_at_the_limit(tmp_path, args):
    # Under a 1 GiB address space an unbounded read of an endless device would be a MemoryError;
    # the library's reader stops one byte past MAX_CERT_FILE_BYTES, on a path and on stdin alike.
    too_big = f"is larger than {MAX_CERT_FILE_BYTES >> 20} MiB"
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    command = [sys.executable, "-c", limit + "import sys; from certcore.cli import main; sys.exit(main())"]
    on_path = args[:1] + ["/dev/zero"] + args[2:] if args[0] == "check" else args + ["/dev/zero"]
    proc = subprocess.run(command + on_path, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert_one_line_error(proc, "cannot read /dev/zero", too_big)
    with open("/dev/zero", "rb") as zero:
        on_stdin = args if args[0] == "check" else args + ["-"]
        proc = subprocess.run(command + on_stdin, cwd=tmp_path, stdin=zero, capture_output=True, text=True,
                              timeout=60)
    assert_one_line_error(proc, "cannot read <stdin>: file descriptor 0", too_big)


def test_info_counts_the_cafile_as_the_store_reads_it(tmp_path, files):
    # a CA file over the limit is skipped, by the count as by the store: nothing is read from it
    bundle = tmp_path / "big.pem"
    with open(bundle, "wb") as f:
        f.write(pem(files.ca))
        f.truncate(MAX_CERT_FILE_BYTES + 1)
    proc = cli(tmp_path, "info", env={"SSL_CERT_FILE": str(bundle), "SSL_CERT_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "trust anchors: 0 in cafile, 0 in capath" in proc.stdout
    assert "trust store: 0 distinct trust anchors" in proc.stdout


# ------------------------------------------------------------------------------------------
# check

def test_check_all_names_match(tmp_path, files):
    proc = cli(tmp_path, "check", path(files, "leaf.pem"), "www.example.com", "a.example.org", "192.0.2.1",
               "2001:db8::1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "ok    www.example.com", "ok    a.example.org", "ok    192.0.2.1", "ok    2001:db8::1",
    ]


def test_check_says_which_name_fails_and_why(tmp_path, files):
    proc = cli(tmp_path, "check", path(files, "bundle.pem"), "www.example.com", "example.com", "a.b.example.org",
               "192.0.2.2")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "ok    www.example.com"
    assert lines[1].startswith("FAIL  example.com: hostname 'example.com' doesn't match either of")
    assert lines[2].startswith("FAIL  a.b.example.org: ")
    assert lines[3].startswith("FAIL  192.0.2.2: ")
    assert "Traceback" not in proc.stderr


def test_check_validity_period(tmp_path, files):
    proc = cli(tmp_path, "check", path(files, "expired.pem"), "expired.example.com")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == "ok    expired.example.com"
    assert "FAIL  the certificate expired on " in proc.stdout
    assert cli(tmp_path, "check", "--ignore-time", path(files, "expired.pem"), "expired.example.com").returncode == 0
    proc = cli(tmp_path, "check", path(files, "future.pem"), "future.example.com")
    assert proc.returncode == 1 and "not valid before" in proc.stdout


def test_check_stdin(tmp_path, files):
    proc = cli(tmp_path, "check", "-", "www.example.com", input=pem(files.leaf), binary=True)
    assert proc.returncode == 0, proc.stderr


def test_check_bad_input(tmp_path, files):
    assert_one_line_error(cli(tmp_path, "check", path(files, "garbage.pem"), "x"), "not a PEM or DER")
    assert_one_line_error(cli(tmp_path, "check", path(files, "missing"), "x"), "cannot read")


# ------------------------------------------------------------------------------------------
# time, pem2der, der2pem, paths

def test_time(tmp_path):
    proc = cli(tmp_path, "time", "Jan  5 09:34:43 2018 GMT", "Jan 5 09:34:43 2018 GMT")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1515144883", "1515144883"]


@pytest.mark.parametrize("text", ["Jan  5 09:34:43 2018", "yesterday", "", "Jan  5 09:34:43 2018 UTC"])
def test_time_bad(tmp_path, text):
    assert_one_line_error(cli(tmp_path, "time", text), "does not match format")


def test_pem_der_round_trip_is_binary_safe(tmp_path, files):
    proc = cli(tmp_path, "der2pem", input=der(files.leaf), binary=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == certcore.DER_cert_to_PEM_cert(der(files.leaf))
    back = cli(tmp_path, "pem2der", input=proc.stdout, binary=True)
    assert back.returncode == 0 and back.stdout == der(files.leaf)
    # a bundle gives the certificates' DER one after the other; a file argument works too
    proc = cli(tmp_path, "pem2der", path(files, "bundle.pem"), binary=True)
    assert proc.stdout == der(files.leaf) + der(files.ca)
    proc = cli(tmp_path, "der2pem", path(files, "leaf.der"), binary=True)
    assert proc.stdout == pem(files.leaf)


def test_pem2der_reads_pem_as_load_certificates(tmp_path, files):
    # OpenSSL's PEM reader's rules: text and other blocks between, CRLF lines, the old label
    old_label = pem(files.ca).replace(b" CERTIFICATE-----", b" X509 CERTIFICATE-----")
    key = files.leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    data = b"subject=leaf\n" + pem(files.leaf).replace(b"\n", b"\r\n") + key + old_label
    proc = cli(tmp_path, "pem2der", input=data, binary=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"".join(cert.der for cert in certcore.load_certificates(data))
    assert proc.stdout == der(files.leaf) + der(files.ca)


def test_pem2der_der2pem_bad_input(tmp_path, files):
    assert_one_line_error(cli(tmp_path, "pem2der", input=der(files.leaf), binary=True), "not PEM")
    assert_one_line_error(cli(tmp_path, "pem2der", input=b"hello", binary=True), "not PEM",
                          "no PEM certificate found")
    assert_one_line_error(cli(tmp_path, "pem2der", path(files, "garbage.pem")), "not PEM",
                          "bad PEM block #1: bad base64 decode")
    assert_one_line_error(cli(tmp_path, "der2pem", input=pem(files.leaf), binary=True), "not a DER certificate",
                          "the data is PEM text")
    assert_one_line_error(cli(tmp_path, "der2pem", input=b"", binary=True), "empty input")
    assert_one_line_error(cli(tmp_path, "der2pem", input=b"\x30\x03abc", binary=True), "not a DER certificate")


def test_paths(tmp_path, files):
    env = {"SSL_CERT_FILE": path(files, "store.pem"), "SSL_CERT_DIR": str(tmp_path / "missing")}
    proc = cli(tmp_path, "paths", env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"cafile               {path(files, 'store.pem')}\n" in proc.stdout
    assert "capath               None\n" in proc.stdout
    data = json.loads(cli(tmp_path, "paths", "--json", env=env).stdout)
    assert data["cafile"] == path(files, "store.pem") and data["capath"] is None
    assert list(data) == list(certcore.DefaultVerifyPaths._fields)


# ------------------------------------------------------------------------------------------
# store

def store_env(files, tmp_path, name="store.pem"):
    return {"SSL_CERT_FILE": path(files, name), "SSL_CERT_DIR": str(tmp_path)}


def test_store_lists_anchors_soonest_expiry_first(tmp_path, files):
    proc = cli(tmp_path, "store", env=store_env(files, tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].endswith("Old Root") and "EXPIRED 10 days ago" in lines[0]
    assert lines[1].endswith("Test Root") and "19 days left" in lines[1]
    assert lines[2].endswith("Late Root")
    assert lines[3] == "3 trust anchors"
    expiry = files.ca.not_valid_after_utc if hasattr(files.ca, "not_valid_after_utc") else files.ca.not_valid_after
    assert lines[1].startswith(expiry.strftime("%Y-%m-%d"))


def test_store_expiring(tmp_path, files):
    proc = cli(tmp_path, "store", "--expiring", "30", env=store_env(files, tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[-2:] for line in lines[:-1]] == [["Old", "Root"], ["Test", "Root"]]
    assert lines[-1] == "2 trust anchors expire within 30 days"
    proc = cli(tmp_path, "store", "--expiring", "0", env=store_env(files, tmp_path))
    assert proc.stdout.splitlines()[-1] == "1 trust anchors expire within 0 days"
    assert_one_line_error(cli(tmp_path, "store", "--expiring", "-1", env=store_env(files, tmp_path)), "days")


def test_store_json_and_ca(tmp_path, files):
    proc = cli(tmp_path, "store", "--json", "--ca", env=store_env(files, tmp_path))
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [(row["store"], row["subject"][0][0][1]) for row in rows] == [
        ("ROOT", "Old Root"), ("ROOT", "Test Root"), ("CA", "www.example.com"), ("ROOT", "Late Root"),
    ]
    assert all(row["trust"] is True for row in rows)
    test_root = rows[1]
    assert test_root["notAfter"] == certcore.Certificate(der(files.ca)).not_after
    assert test_root["daysLeft"] == 19
    assert test_root["sha256"] == files.ca.fingerprint(hashes.SHA256()).hex()


def test_store_trust_settings_shown(tmp_path, files):
    openssl = shutil.which("openssl")
    assert openssl
    src = tmp_path / "ca.pem"
    src.write_bytes(pem(files.ca))
    trusted = subprocess.run([openssl, "x509", "-in", str(src), "-addtrust", "serverAuth", "-addtrust",
                              "emailProtection"], check=True, capture_output=True).stdout
    bundle = tmp_path / "trusted.pem"
    bundle.write_bytes(trusted)
    env = {"SSL_CERT_FILE": str(bundle), "SSL_CERT_DIR": str(tmp_path)}
    proc = cli(tmp_path, "store", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].endswith("Test Root  [trusted for: emailProtection,serverAuth]")
    rows = json.loads(cli(tmp_path, "store", "--json", env=env).stdout)
    assert rows[0]["trust"] == ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.4"]


def test_store_empty(tmp_path):
    proc = cli(tmp_path, "store", env={"SSL_CERT_FILE": str(tmp_path / "none"), "SSL_CERT_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0 trust anchors\n"


def test_store_system(tmp_path):
    proc = cli(tmp_path, "store")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == f"{len(certcore.enum_certificates('ROOT'))} trust anchors"
    assert len(json.loads(cli(tmp_path, "store", "--json").stdout)) == len(certcore.enum_certificates("ROOT"))


# ------------------------------------------------------------------------------------------
# fetch

@pytest.mark.parametrize("address, fragment", [("[::1", "missing ']'"), ("host:0", "bad port"),
                                               ("host:http", "bad port"), (":443", "no host")])
def test_fetch_bad_address(tmp_path, address, fragment):
    assert_one_line_error(cli(tmp_path, "fetch", address), fragment)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_fetch_bad_timeout(tmp_path, timeout):
    assert_one_line_error(cli(tmp_path, "fetch", "127.0.0.1:1", "--timeout", timeout), "--timeout needs")


def test_fetch_connection_refused(tmp_path):
    assert_one_line_error(cli(tmp_path, "fetch", f"127.0.0.1:{_closed_port()}", "--timeout", "5"), "127.0.0.1")


@pytest.fixture
def s_server(tmp_path, files):
    """`openssl s_server` on 127.0.0.1 presenting leaf + CA."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed (installed by .ci/run)"
    key = tmp_path / "key.pem"
    key.write_bytes(files.leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    cert, chain = tmp_path / "cert.pem", tmp_path / "chain.pem"
    cert.write_bytes(pem(files.leaf))
    chain.write_bytes(pem(files.ca))
    for _ in range(5):
        port = _closed_port()
        proc = subprocess.Popen(
            [openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert), "-key", str(key),
             "-cert_chain", str(chain), "-quiet", "-naccept", "20"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        pytest.fail("openssl s_server did not start")
    yield port
    proc.kill()
    proc.wait()


def test_fetch_from_s_server(tmp_path, files, s_server):
    proc = cli(tmp_path, "fetch", f"127.0.0.1:{s_server}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == certcore.DER_cert_to_PEM_cert(der(files.leaf))
    proc = cli(tmp_path, "fetch", f"127.0.0.1:{s_server}", "--chain")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (pem(files.leaf) + pem(files.ca)).decode()
    cafile = tmp_path / "ca.pem"
    cafile.write_bytes(pem(files.ca))
    proc = cli(tmp_path, "fetch", f"127.0.0.1:{s_server}", "--cafile", str(cafile))
    assert proc.returncode == 0, proc.stderr
    other = tmp_path / "other.pem"
    other.write_bytes(pem(files.late_ca))
    assert_one_line_error(cli(tmp_path, "fetch", f"127.0.0.1:{s_server}", "--cafile", str(other)),
                          "certificate verification failed")


# ------------------------------------------------------------------------------------------
# --json on every command: one document, the same facts as the text, the same exit status

def _numbers(text):
    return {int(n) for n in re.findall(r"\d+", text)}


def _json_numbers(obj):
    """Every number in a JSON document, including the digits inside its strings (dates, DNs)."""
    if isinstance(obj, bool) or obj is None:
        return set()
    if isinstance(obj, int):
        return {abs(obj)}
    if isinstance(obj, str):
        return _numbers(obj)
    if isinstance(obj, dict):
        obj = list(obj.values())
    return set().union(*map(_json_numbers, obj)) if obj else set()


def assert_text_numbers_in(text, record, *extra):
    """No number in the text that the JSON does not have (``extra``: counts and indices that are
    the JSON list's length and positions, and numbers from the command line)."""
    missing = _numbers(text) - _json_numbers(record) - set(extra)
    assert not missing, (missing, text)


def both(tmp_path, *args, env=None, input=None):
    """The command run in text mode and in --json mode on the same input."""
    text = cli(tmp_path, *args, env=env, input=input)
    data = cli(tmp_path, *args, "--json", env=env, input=input)
    assert text.returncode == data.returncode, (text.stderr, data.stdout)
    return text, json.loads(data.stdout)


@pytest.fixture(scope="module")
def halfday_store(tmp_path_factory):
    """Anchors whose expiry sits half a day from a day boundary, so the seconds between two runs
    cannot move a days-left number: expired 10.5 and 0.25 days ago, expiring in 0.25 and 19.5."""
    d = tmp_path_factory.mktemp("halfday")
    key = ec.generate_private_key(ec.SECP256R1())
    certs = [make_cert(cn, key=key, ca=True, days=(-400, days))
             for cn, days in [("Long Gone", -10.5), ("Just Gone", -0.25), ("Last Day", 0.25), ("Soon", 19.5)]]
    (d / "store.pem").write_bytes(b"".join(map(pem, certs)))
    (d / "soon.pem").write_bytes(pem(certs[3]))
    (d / "gone.pem").write_bytes(pem(certs[0]))
    leaf = make_cert("www.example.com", key=key, issuer=certs[3].subject, days=(-1, 20.5),
                     sans=["www.example.com", "192.0.2.1", "2001:db8::1"])
    (d / "leaf.pem").write_bytes(pem(leaf))
    return d


def test_store_text_and_json_days_agree(tmp_path, halfday_store):
    env = {"SSL_CERT_FILE": str(halfday_store / "store.pem"), "SSL_CERT_DIR": str(tmp_path)}
    text, rows = both(tmp_path, "store", env=env)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    # Before: the text said "EXPIRED 10 days ago" and the JSON -11 (floor of a negative
    # number); whole days cut toward zero in both now.
    assert [(row["subject"][0][0][1], row["daysLeft"], row["expired"]) for row in rows] == [
        ("Long Gone", -10, True), ("Just Gone", 0, True), ("Last Day", 0, False), ("Soon", 19, False),
    ]
    assert [line.split("  ")[-1].strip() for line in lines[:-1]] == ["Long Gone", "Just Gone", "Last Day", "Soon"]
    assert "EXPIRED 10 days ago" in lines[0] and "EXPIRED 0 days ago" in lines[1]
    assert "0 days left" in lines[2] and "19 days left" in lines[3]
    for row, line in zip(rows, lines):
        assert line.startswith(row["notAfterText"][:10])
        left = f"EXPIRED {-row['daysLeft']} days ago" if row["expired"] else f"{row['daysLeft']} days left"
        assert f" {left}  " in line
        assert_text_numbers_in(line, row)
    assert lines[-1] == f"{len(rows)} trust anchors"


def test_show_text_and_json_agree(tmp_path, halfday_store):
    for name in ["leaf.pem", "gone.pem", "soon.pem"]:
        name = str(halfday_store / name)
        text, d = both(tmp_path, "show", name)
        assert text.returncode == 0, text.stderr
        lines = text.stdout.splitlines()
        fingerprint = bytes.fromhex(d["sha256"]).hex(":").upper()
        assert f"  sha256:       {fingerprint}" in lines
        left = f"EXPIRED {-d['daysLeft']} days ago" if d["expired"] else f"{d['daysLeft']} days left"
        assert f"  not after:    {d['notAfter']}  ({left})" in lines
        assert f"  not before:   {d['notBefore']}" in lines
        assert f"  serial:       {d['serialNumber']}" in lines
        assert_text_numbers_in("\n".join(line for line in lines if "sha256" not in line), d)
    assert d["daysLeft"] == 19
    text, ds = both(tmp_path, "show", str(halfday_store / "store.pem"))
    assert [line for line in text.stdout.splitlines() if line.startswith("  subject:")] == [
        f"  subject:      CN={cn}" for cn in ["Long Gone", "Just Gone", "Last Day", "Soon"]]
    assert [d["daysLeft"] for d in ds] == [-10, 0, 0, 19]
    assert_text_numbers_in(re.sub(r"sha256: .*", "", text.stdout), ds, 1, 2, 3, 4)


def test_check_text_and_json_agree(tmp_path, files, halfday_store):
    names = ["www.example.com", "example.com", "192.0.2.1", "192.0.2.2"]
    text, r = both(tmp_path, "check", path(files, "leaf.pem"), *names)
    assert text.returncode == 1
    assert [(n["name"], n["ok"]) for n in r["names"]] == [(names[0], True), (names[1], False), (names[2], True),
                                                         (names[3], False)]
    assert r["ok"] is False and r["timeChecked"] is True and r["source"] == path(files, "leaf.pem")
    assert text.stdout.splitlines() == [
        f"ok    {n['name']}" if n["ok"] else f"FAIL  {n['name']}: {n['error']}" for n in r["names"]]
    assert "doesn't match" in r["names"][1]["error"]
    assert_text_numbers_in(text.stdout, r)

    text, r = both(tmp_path, "check", str(halfday_store / "gone.pem"), "Long Gone")
    assert text.returncode == 1 and r["ok"] is False and r["expired"] is True and r["daysLeft"] == -10
    assert text.stdout.splitlines() == [
        "ok    Long Gone", f"FAIL  the certificate expired on {r['notAfterText']} (EXPIRED 10 days ago)"]
    assert_text_numbers_in(text.stdout, r)

    text, r = both(tmp_path, "check", "--ignore-time", str(halfday_store / "gone.pem"), "Long Gone")
    assert text.returncode == 0 and r["ok"] is True and r["timeChecked"] is False
    assert text.stdout == "ok    Long Gone\n"


def test_info_text_and_json_agree(tmp_path, files):
    env = {"SSL_CERT_FILE": path(files, "store.pem"), "SSL_CERT_DIR": str(tmp_path)}
    text, r = both(tmp_path, "info", env=env)
    assert text.returncode == 0, text.stderr
    assert r["certcore"] == certcore.__version__ and r["openssl"] == certcore.OPENSSL_VERSION
    assert r["python"] == sys.version.split()[0]
    assert list(r["defaultVerifyPaths"]) == list(certcore.DefaultVerifyPaths._fields)
    assert (r["defaultVerifyPaths"]["cafile"], r["defaultVerifyPaths"]["capath"]) == (path(files, "store.pem"),
                                                                                      str(tmp_path))
    assert (r["cafileAnchors"], r["capathAnchors"]) == (4, 0)
    assert r["trustStore"] == {"anchors": 3, "otherCertificates": 1, "crls": 0}
    out = text.stdout
    assert f"certcore {r['certcore']}\nlinked with {r['openssl']}\npython {r['python']}\n" in out
    for field, value in r["defaultVerifyPaths"].items():
        assert f"  {field:<20} {value}\n" in out
    assert "trust anchors: 4 in cafile, 0 in capath" in out
    assert "trust store: 3 distinct trust anchors, 1 other certificates, 0 CRLs" in out
    assert_text_numbers_in(out, r)
    # the top-level --json (no command: info) is the same document
    top = cli(tmp_path, "--json", env=env)
    assert top.returncode == 0 and json.loads(top.stdout) == r


def test_time_text_and_json_agree(tmp_path):
    times = ["Jan  5 09:34:43 2018 GMT", "Dec 31 23:59:59 9999 GMT"]
    text, r = both(tmp_path, "time", *times)
    assert r == [{"time": times[0], "seconds": 1515144883, "utc": "2018-01-05 09:34:43 UTC"},
                 {"time": times[1], "seconds": 253402300799, "utc": "9999-12-31 23:59:59 UTC"}]
    assert text.stdout.split() == [str(item["seconds"]) for item in r]
    assert json.loads(cli(tmp_path, "--json", "time", *times).stdout) == r


def test_conversions_text_and_json_agree(tmp_path, files):
    text = cli(tmp_path, "pem2der", path(files, "bundle.pem"), binary=True)
    records = json.loads(cli(tmp_path, "pem2der", "--json", path(files, "bundle.pem")).stdout)
    assert [base64.b64decode(r["der"]) for r in records] == [der(files.leaf), der(files.ca)]
    assert text.stdout == b"".join(base64.b64decode(r["der"]) for r in records)
    assert [r["sha256"] for r in records] == [c.fingerprint(hashes.SHA256()).hex() for c in (files.leaf, files.ca)]
    text = cli(tmp_path, "der2pem", path(files, "leaf.der"))
    record = json.loads(cli(tmp_path, "der2pem", "--json", path(files, "leaf.der")).stdout)
    assert record == {"pem": pem(files.leaf).decode(), "sha256": files.leaf.fingerprint(hashes.SHA256()).hex()}
    assert text.stdout == record["pem"]


def test_paths_text_and_json_agree(tmp_path, files):
    text, r = both(tmp_path, "paths", env={"SSL_CERT_FILE": path(files, "store.pem")})
    assert text.stdout == "".join(f"{field:<20} {value}\n" for field, value in r.items())


def _help_text(tmp_path, command):
    proc = cli(tmp_path, command, "--help")
    assert proc.returncode == 0
    return " ".join(proc.stdout.split())


def _keys(obj):
    if isinstance(obj, list):
        return set().union(*map(_keys, obj)) if obj else set()
    if isinstance(obj, dict):
        return set(obj) | set().union(*map(_keys, (v for k, v in obj.items() if k != "defaultVerifyPaths")))
    return set()


def test_help_names_every_json_key(tmp_path, files, halfday_store):
    """Each command's --help lists the keys its JSON has (the getpeercert() keys of show are
    the stdlib's, named as such)."""
    env = {"SSL_CERT_FILE": path(files, "store.pem"), "SSL_CERT_DIR": str(tmp_path)}
    outputs = {
        "info": cli(tmp_path, "info", "--json", env=env),
        "store": cli(tmp_path, "store", "--json", env=env),
        "check": cli(tmp_path, "check", "--json", str(halfday_store / "soon.pem"), "Soon"),
        "time": cli(tmp_path, "time", "--json", "Jan  5 09:34:43 2018 GMT"),
        "pem2der": cli(tmp_path, "pem2der", "--json", path(files, "leaf.pem")),
        "der2pem": cli(tmp_path, "der2pem", "--json", path(files, "leaf.der")),
        "paths": cli(tmp_path, "paths", "--json"),
    }
    for command, proc in outputs.items():
        assert proc.returncode == 0, (command, proc.stderr)
        help_text = _help_text(tmp_path, command)
        for key in _keys(json.loads(proc.stdout)):
            assert re.search(rf"\b{key}\b", help_text), (command, key)
    show = json.loads(cli(tmp_path, "show", "--json", path(files, "leaf.pem")).stdout)
    help_text = _help_text(tmp_path, "show")
    assert "getpeercert()" in help_text
    for key in set(show) - set(certcore.decode_cert(pem(files.leaf))):
        assert re.search(rf"\b{key}\b", help_text), key
    top = cli(tmp_path, "--help").stdout
    for kind in ["usage", "input", "resolve", "connect", "timeout", "not-tls", "tls", "verify", "internal"]:
        assert kind in top


@pytest.mark.parametrize("args, status", [
    (["show", "missing.pem"], 1),
    (["show", "garbage.pem"], 1),
    (["check", "leaf.pem", "example.com"], 1),
    (["check", "expired.pem", "expired.example.com"], 1),
    (["check", "leaf.pem", "www.example.com"], 0),
    (["time", "yesterday"], 1),
    (["store", "--expiring", "-1"], 1),
    (["der2pem", "leaf.pem"], 1),
    (["pem2der", "leaf.der"], 1),
    (["check", "leaf.pem"], 2),
    (["check", "--cafile", "leaf.pem", "leaf.pem", "x"], 2),
    (["store", "--expiring", "soon"], 2),
    (["fetch"], 2),
])
def test_exit_status_is_the_same_in_json_mode(tmp_path, files, args, status):
    args = [path(files, a) if a.endswith((".pem", ".der")) else a for a in args]
    text = cli(tmp_path, *args)
    data = cli(tmp_path, *args, "--json")
    assert text.returncode == data.returncode == status, (text.stderr, data.stderr)
    document = json.loads(data.stdout)   # exactly one JSON document, errors included
    if status == 2:
        assert document["error"]["kind"] == "usage"
        assert data.stderr == text.stderr and text.stderr.startswith("usage: certcore")
        assert text.stderr.rstrip().endswith(document["error"]["message"])
    elif "error" in document:
        assert text.stdout == "" and data.stderr == text.stderr
        assert text.stderr == f"certcore: error: {document['error']['message']}\n"
        assert document["error"]["kind"] == "input"
    else:
        assert document["ok"] is (status == 0)


# ------------------------------------------------------------------------------------------
# fetch and check --server against real local servers

PKI = get_pki()


@pytest.fixture
def tls_server():
    """CPython's ssl serving the ECDSA leaf of the test PKI (DNS localhost, IP 127.0.0.1)."""
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*PKI.ecdsa)
    with TLSServer(ctx, handler=lambda sock, info: None) as srv:
        yield srv


@pytest.fixture
def http_server():
    """http.server (plain HTTP) in a thread."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@contextlib.contextmanager
def raw_server(answer=None, delay=0.0, banner=None):
    """A TCP server on 127.0.0.1 that sends ``banner`` on accepting, reads the client's first
    bytes, then sends ``answer`` (None: nothing) and holds the connection open ``delay`` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                if banner:
                    conn.sendall(banner)
                conn.settimeout(5)
                try:
                    conn.recv(65536)
                    if answer:
                        conn.sendall(answer)
                except OSError:
                    pass
                stop.wait(delay)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(10)


def leaf_pem():
    return certcore.Certificate.from_file(PKI.ecdsa[0]).pem


def test_fetch_text_and_json_agree(tmp_path, tls_server):
    address = f"127.0.0.1:{tls_server.port}"
    before = int(time.time())
    text, r = both(tmp_path, "fetch", address, "--chain")
    after = int(time.time())
    assert text.returncode == 0, text.stderr
    assert text.stdout == "".join(cert["pem"] for cert in r["certificates"]) == leaf_pem()
    assert (r["address"], r["host"], r["port"], r["verified"]) == (address, "127.0.0.1", tls_server.port, False)
    assert r["tlsVersion"] == "TLSv1.3"
    [cert] = r["certificates"]
    leaf = certcore.Certificate.from_file(PKI.ecdsa[0])
    assert cert["subject"] == json.loads(json.dumps(leaf.subject))
    assert cert["subjectAltName"] == [["DNS", "localhost"], ["IP Address", "127.0.0.1"],
                                      ["IP Address", "0:0:0:0:0:0:0:1"]]
    assert (cert["notAfter"], cert["expired"]) == (leaf.not_after, False)
    assert cert["daysLeft"] in {(leaf.not_after - t) // 86400 for t in (before, after)}
    assert cert["sha256"] == leaf.fingerprint("sha256").hex()
    # verified against the right CA; a verification error (kind verify) against another one
    r = json.loads(cli(tmp_path, "fetch", "--json", address, "--cafile", PKI.ca).stdout)
    assert r["verified"] is True
    proc = cli(tmp_path, "fetch", "--json", address, "--cafile", PKI.ca2)
    assert proc.returncode == 1
    error = json.loads(proc.stdout)["error"]
    assert (error["kind"], error["phase"], error["address"]) == ("verify", "handshake", address)
    assert proc.stderr == f"certcore: error: {error['message']}\n"
    assert "certificate verification failed: unable to get local issuer certificate" in error["message"]
    # the server hears why, as from the library's own handshake: OpenSSL's alert is sent
    deadline = time.monotonic() + 5
    while not tls_server.errors and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [getattr(e, "reason", None) for e in tls_server.errors] == ["TLSV1_ALERT_UNKNOWN_CA"]


def test_fetch_sends_sni_for_names_only(tmp_path, tls_server):
    # the handshake the library's get_server_certificate runs: SNI for a name, none for an IP
    for host in ["localhost", "127.0.0.1"]:
        assert cli(tmp_path, "fetch", f"{host}:{tls_server.port}").returncode == 0
    deadline = time.monotonic() + 5
    while len(tls_server.infos) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [info.get("sni") for info in tls_server.infos] == ["localhost", None]


def test_check_server(tmp_path, tls_server):
    address = f"127.0.0.1:{tls_server.port}"
    proc = cli(tmp_path, "check", "--server", address, "localhost", "127.0.0.1", "example.com", "--cafile", PKI.ca)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["ok    localhost", "ok    127.0.0.1"] and lines[2].startswith("FAIL  example.com: ")
    text, r = both(tmp_path, "check", "--server", address)   # no names: the server's host
    assert text.returncode == 0 and text.stdout == "ok    127.0.0.1\n"
    assert r["source"] == address and r["ok"] is True and r["names"][0]["name"] == "127.0.0.1"
    assert r["notAfter"] == certcore.Certificate.from_file(PKI.ecdsa[0]).not_after


def _not_tls(tmp_path, command, port):
    address = f"127.0.0.1:{port}"
    args = ["fetch", address] if command == "fetch" else ["check", "--server", address, "localhost"]
    text = cli(tmp_path, *args, "--timeout", "10")
    data = cli(tmp_path, *args, "--timeout", "10", "--json")
    assert_one_line_error(text, f"{address} is not a TLS server (")
    assert data.returncode == 1 and text.stdout == ""
    error = json.loads(data.stdout)["error"]
    assert text.stderr == data.stderr == f"certcore: error: {error['message']}\n"
    assert (error["kind"], error["phase"], error["address"]) == ("not-tls", "handshake", address)
    return error


@pytest.mark.parametrize("command", ["fetch", "check"])
def test_plain_http_port_is_not_a_tls_server(tmp_path, http_server, command):
    error = _not_tls(tmp_path, command, http_server)
    # http.server takes the ClientHello for an HTTP/0.9 request line: a bare HTML error page,
    # whose doctype line differs between Python versions
    first = http.server.DEFAULT_ERROR_MESSAGE.strip().splitlines()[0].strip()
    assert error["message"] == (f"127.0.0.1:{http_server} is not a TLS server (it answered with plain HTTP: "
                                f"{first!r})")
    assert error["http"] is True and error["firstLine"] == first
    first_bytes = bytes.fromhex(error["firstBytes"])     # at most 32 of them, maybe past the first line
    page = http.server.DEFAULT_ERROR_MESSAGE.lstrip().encode()
    assert first_bytes and first_bytes == page[:len(first_bytes)]


def test_http_status_line_and_other_protocols(tmp_path):
    with raw_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") as port:
        error = _not_tls(tmp_path, "fetch", port)
    assert error["message"].endswith("(it answered with plain HTTP: 'HTTP/1.1 400 Bad Request')")
    assert error["http"] is True and bytes.fromhex(error["firstBytes"]).startswith(b"HTTP/1.1 400")
    with raw_server(banner=b"SSH-2.0-OpenSSH_9.2\r\n", delay=2) as port:
        error = _not_tls(tmp_path, "fetch", port)
    assert error["message"].endswith("(it answered 'SSH-2.0-OpenSSH_9.2')") and error["http"] is False
    with raw_server(b"\x00\x01\x02\x03" * 8) as port:
        error = _not_tls(tmp_path, "fetch", port)
    assert error["message"].endswith("(its first bytes are 00 01 02 03 00 01 02 03 00 01 02 03 00 01 02 03)")


def test_a_tls_alert_is_not_called_not_tls(tmp_path):
    # a TLS server that refuses (handshake_failure alert) is a TLS server
    with raw_server(b"\x15\x03\x03\x00\x02\x02\x28") as port:
        proc = cli(tmp_path, "fetch", "--json", f"127.0.0.1:{port}")
    error = json.loads(proc.stdout)["error"]
    assert proc.returncode == 1 and error["kind"] == "tls"
    assert "TLS handshake failed: [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE]" in error["message"]


def test_handshake_timeout_names_the_phase(tmp_path):
    with raw_server(delay=5) as port:
        start = time.monotonic()
        text = cli(tmp_path, "fetch", f"127.0.0.1:{port}", "--timeout", "1")
        assert time.monotonic() - start < 4
        data = cli(tmp_path, "fetch", f"127.0.0.1:{port}", "--timeout", "1", "--json")
    assert_one_line_error(text, f"127.0.0.1:{port}: timed out after 1 s in the TLS handshake (the server sent "
                                "nothing)")
    error = json.loads(data.stdout)["error"]
    assert data.returncode == 1
    assert (error["kind"], error["phase"], error["timeout"]) == ("timeout", "handshake", 1.0)


@pytest.fixture
def unanswered_port():
    """A listening port whose backlog is full, so that a further connection request gets no
    answer (Linux drops the SYN) and connecting times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(16):
            s = socket.socket()
            s.settimeout(0.5)
            fillers.append(s)
            try:
                s.connect(("127.0.0.1", port))
            except socket.timeout:
                break
        else:
            pytest.fail("the backlog never filled")
        yield port
    finally:
        for s in fillers:
            s.close()
        listener.close()


def test_connect_timeout_names_the_phase(tmp_path, unanswered_port):
    address = f"127.0.0.1:{unanswered_port}"
    text = cli(tmp_path, "fetch", address, "--timeout", "1")
    assert_one_line_error(text, f"{address}: timed out after 1 s connecting")
    data = cli(tmp_path, "check", "--server", address, "--timeout", "1.5", "--json")
    error = json.loads(data.stdout)["error"]
    assert data.returncode == 1
    assert (error["kind"], error["phase"], error["timeout"]) == ("timeout", "connect", 1.5)
    assert "timed out after 1.5 s connecting" in error["message"]


def test_fetch_says_what_it_waits_for_with_verbose(tmp_path, tls_server):
    address = f"127.0.0.1:{tls_server.port}"
    proc = cli(tmp_path, "fetch", address, "--verbose")
    assert proc.returncode == 0 and proc.stdout == leaf_pem()
    assert proc.stderr.splitlines() == [
        f"certcore: connecting to {address} ...",
        f"certcore: connected to {address}; TLS handshake ...",
        "certcore: TLSv1.3 handshake done",
    ]
    with raw_server(delay=5) as port:
        proc = cli(tmp_path, "fetch", f"127.0.0.1:{port}", "-v", "--timeout", "0.5")
    assert proc.stderr.splitlines() == [
        f"certcore: connecting to 127.0.0.1:{port} ...",
        f"certcore: connected to 127.0.0.1:{port}; TLS handshake ...",
        f"certcore: error: 127.0.0.1:{port}: timed out after 0.5 s in the TLS handshake (the server sent nothing)",
    ]


def _stderr_on_a_terminal(tmp_path, *args):
    """Run the command with stderr on a pseudo-terminal; returns (process, what the terminal got)."""
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "certcore", *args], cwd=tmp_path, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=follower, text=True, timeout=60)
        os.close(follower)
        follower = None
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:   # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
        return proc, b"".join(chunks).decode().replace("\r\n", "\n")
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)


def test_fetch_progress_is_on_by_default_on_a_terminal(tmp_path, tls_server):
    address = f"127.0.0.1:{tls_server.port}"
    proc, terminal = _stderr_on_a_terminal(tmp_path, "fetch", address)
    assert proc.returncode == 0 and proc.stdout == leaf_pem()
    assert terminal.splitlines() == [f"certcore: connecting to {address} ...",
                                     f"certcore: connected to {address}; TLS handshake ...",
                                     "certcore: TLSv1.3 handshake done"]
    proc, terminal = _stderr_on_a_terminal(tmp_path, "fetch", address, "--quiet")
    assert proc.returncode == 0 and terminal == ""
    # not a terminal and no --verbose: silent (the tests above read stderr as one error line)
    proc = cli(tmp_path, "fetch", address)
    assert proc.returncode == 0 and proc.stderr == ""
