"""certcore's C API (include/certcore.h, certcore_capi.pxd): build a C extension and a Cython
module against certcore.get_include() in the test run and call every entry of the table, each
with the GIL released, comparing with the Python functions of the same names."""
import importlib
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import threading

import pytest

import certcore
import _certcore.capi
from helpers.namecorpus import HOSTNAMES, certificates

HERE = os.path.dirname(os.path.abspath(__file__))


def _openssl_flags():
    """(include_dirs, library_dirs) for OpenSSL, found the way certcore's setup.py finds it."""
    prefix = os.environ.get("OPENSSL_DIR")
    if prefix:
        libs = [d for d in (os.path.join(prefix, "lib"), os.path.join(prefix, "lib64")) if os.path.isdir(d)]
        return [os.path.join(prefix, "include")], libs
    if shutil.which("pkg-config"):
        try:
            cflags = subprocess.run(["pkg-config", "--cflags-only-I", "openssl"], capture_output=True,
                                    text=True, check=True).stdout
            lflags = subprocess.run(["pkg-config", "--libs-only-L", "openssl"], capture_output=True,
                                    text=True, check=True).stdout
            return ([f[2:] for f in shlex.split(cflags)], [f[2:] for f in shlex.split(lflags)])
        except subprocess.CalledProcessError:
            pass
    return [], []


def _build(tmp_path, source_name, module_name, cython, first_includes=()):
    """Build tests/capi/<source_name> as `module_name` against certcore.get_include() (after the
    directories `first_includes`, which can hold another certcore.h) and import it."""
    shutil.copy(os.path.join(HERE, "capi", source_name), tmp_path / source_name)
    incs, libdirs = _openssl_flags()
    setup = textwrap.dedent(f"""
        from setuptools import setup, Extension
        ext = Extension({module_name!r}, [{source_name!r}],
                        include_dirs={[*map(str, first_includes), certcore.get_include(), *incs]!r},
                        library_dirs={libdirs!r}, runtime_library_dirs={libdirs!r},
                        libraries=["crypto"])
        exts = [ext]
        if {cython!r}:
            from Cython.Build import cythonize
            exts = cythonize(exts, include_path=[{certcore.get_include()!r}], quiet=True)
        setup(name={module_name!r}, ext_modules=exts, script_args=["build_ext", "--inplace", "-q"])
    """)
    (tmp_path / "setup.py").write_text(setup)
    proc = subprocess.run([sys.executable, "setup.py"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(module_name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.fixture(scope="module")
def c_consumer(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("capi_c"), "consumer.c", "capi_consumer", cython=False)


@pytest.fixture(scope="module")
def cy_consumer(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("capi_cy"), "cyconsumer.pyx", "cyconsumer", cython=True)


def test_installed_headers_are_the_repository_ones():
    inc = certcore.get_include()
    assert os.path.isfile(os.path.join(inc, "certcore.h"))
    assert os.path.isfile(os.path.join(inc, "certcore_capi.pxd"))


def test_table_version(c_consumer):
    version, size = c_consumer.api_info()
    assert version == c_consumer.HEADER_VERSION == _certcore.capi.CAPI_VERSION
    assert size >= 8 * 8


def test_return_codes_keep_their_values(c_consumer):
    # Compiled consumers carry these numbers: changing one breaks them.
    assert (c_consumer.OK, c_consumer.MISMATCH, c_consumer.EINVAL, c_consumer.EWILDCARD,
            c_consumer.ENOSPACE) == (0, 1, -1, -2, -3)


def _rules_outcome(api, cert_dict, host):
    """match_hostname's verdict as the code of the C API `api` (a consumer module)."""
    try:
        certcore.match_hostname(cert_dict, host)
    except certcore.CertificateError as e:
        msg = str(e)
        if "doesn't match" in msg or "no appropriate" in msg:
            return api.MISMATCH
        return api.EWILDCARD
    except ValueError:
        return api.EINVAL
    return api.OK


ASCII_HOSTS = [h for h in HOSTNAMES if h and h.isascii() and "\x00" not in h]


def test_match_x509_agrees_with_match_hostname(c_consumer):
    checked = 0
    for label, der in certificates().items():
        cert = certcore.Certificate.from_der(der)
        try:
            d = cert.to_dict()
        except ValueError:
            continue                        # undecodable names (non-UTF-8): no dict to compare with
        if not _all_names_ascii(d):
            continue                        # see test_match_x509_compares_non_ascii_bytes_exactly
        no_cn = {k: v for k, v in d.items() if k != "subject"}
        for host in ASCII_HOSTS:
            got = c_consumer.match_x509(der, host.encode(), 0)
            assert got == _rules_outcome(c_consumer, d, host), (label, host)
            got = c_consumer.match_x509(der, host.encode(), c_consumer.NO_CN_FALLBACK)
            assert got == _rules_outcome(c_consumer, no_cn, host), (label, host, "strict")
            checked += 1
    assert checked > 3000


def _all_names_ascii(d):
    names = [v for k, v in d.get("subjectAltName", ()) if k == "DNS"]
    names += [v for rdn in d.get("subject", ()) for k, v in rdn if k == "commonName"]
    return all(n.isascii() for n in names)


def test_match_x509_compares_non_ascii_bytes_exactly(c_consumer):
    # CPython lower-cases names with Unicode rules, so U+212A KELVIN SIGN in a certificate matches
    # an ASCII 'k'. The C API takes bytes and compares anything >= 0x80 byte for byte (documented in
    # certcore.h): a deliberate difference, on the safe side.
    der = certificates()["dns b'\\xe2\\x84\\xaa.example.com'"]
    assert certcore.match_hostname(certcore.Certificate.from_der(der).to_dict(), "k.example.com") is None
    assert c_consumer.match_x509(der, b"k.example.com", 0) == c_consumer.MISMATCH
    assert c_consumer.match_x509(der, "\u212a.example.com".encode(), 0) == c_consumer.OK


def test_match_x509_bad_arguments(c_consumer):
    der = certificates()["dns b'www.example.com'"]
    assert c_consumer.match_x509(der, b"", 0) == c_consumer.EINVAL
    assert c_consumer.match_x509(der, b"www.example.com\x00.evil.com", 0) == c_consumer.EINVAL
    assert c_consumer.match_x509(der, b"www.example.com", 0x80) == c_consumer.EINVAL
    assert c_consumer.match_x509(der, b"www.example.com", 0) == c_consumer.OK


@pytest.mark.parametrize("pattern", [p.decode("latin-1") for p in
                                     [b"www.example.com", b"*.example.com", b"*.com", b"f*.example.com",
                                      b"*.*.example.com", b"www.*.com", b"*", b"", b"WWW.example.COM"]])
@pytest.mark.parametrize("host", ["www.example.com", "foo.example.com", "foo.com", "example.com",
                                  "WWW.EXAMPLE.COM", ".example.com", "x.y.example.com", "com"])
def test_match_dns_pattern(c_consumer, cy_consumer, pattern, host):
    expected = _rules_outcome(c_consumer, {"subjectAltName": (("DNS", pattern),)}, host)
    assert c_consumer.match_dns_pattern(pattern.encode(), host.encode()) == expected
    assert cy_consumer.match_dns_pattern(pattern.encode(), host.encode()) == expected


def test_match_dns_pattern_rejects_nul(c_consumer):
    assert c_consumer.match_dns_pattern(b"a\x00b", b"a") == c_consumer.EINVAL
    assert c_consumer.match_dns_pattern(b"a", b"a\x00") == c_consumer.EINVAL


TIMES = ["Jan  5 09:34:43 2018 GMT", "Jan 05 09:34:43 2018 GMT", "dec 31 23:59:60 9999 GMT",
         "Feb 29 00:00:00 1904 GMT", "Jan  1 00:00:00 1900 GMT", "May  9 00:00:00 2007 GMT",
         "Jan  5 09:34:43 2018", "Jan  5 09:34:43 2018 UTC", "Jan  5 09:34 2018 GMT", "",
         "Foo  5 09:34:43 2018 GMT", "Jan  5 09:34:43 2018 GMT junk", "Jan  5 09:34:62 2018 GMT"]


@pytest.mark.parametrize("text", TIMES)
def test_cert_time_to_seconds(c_consumer, cy_consumer, text):
    try:
        expected = (c_consumer.OK, certcore.cert_time_to_seconds(text))
    except ValueError:
        expected = None
    for consumer in (c_consumer, cy_consumer):
        rc, seconds = consumer.cert_time_to_seconds(text.encode())
        if expected is None:
            assert rc == c_consumer.EINVAL
        else:
            assert (rc, seconds) == expected


def test_cert_time_rejects_nul(c_consumer):
    assert c_consumer.cert_time_to_seconds(b"Jan  5 09:34:43 2018 GMT\x00")[0] == c_consumer.EINVAL


def test_asn1_time_to_seconds(c_consumer):
    for label, der in certificates().items():
        cert = certcore.Certificate.from_der(der)
        assert c_consumer.asn1_time_to_seconds(der, 0) == (c_consumer.OK, cert.not_before), label
        assert c_consumer.asn1_time_to_seconds(der, 1) == (c_consumer.OK, cert.not_after), label


@pytest.mark.parametrize("size", [0, 1, 2, 3, 47, 48, 49, 1234])
def test_der_to_pem(c_consumer, cy_consumer, size):
    der = bytes((i * 7 + 3) & 0xFF for i in range(size))
    pem = certcore.DER_cert_to_PEM_cert(der)
    rc, n, out = c_consumer.der_to_pem(der, len(pem))
    assert (rc, n, out) == (c_consumer.OK, len(pem), pem.encode())
    rc, n, out = c_consumer.der_to_pem(der, len(pem) - 1)
    assert (rc, n, out) == (c_consumer.ENOSPACE, len(pem), b"")
    assert cy_consumer.der_to_pem(der) == (c_consumer.OK, pem)


PEMS = [certcore.DER_cert_to_PEM_cert(bytes(range(200))),
        certcore.DER_cert_to_PEM_cert(b"x"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\n  ",
        "-----BEGIN CERTIFICATE-----\nAA A\tA!!\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nAAAAA\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----",
        " -----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE----- x",
        "-----BEGIN CERTIFICATE-----\nAA\u00e9AA\n-----END CERTIFICATE-----",
        ""]


@pytest.mark.parametrize("pem", PEMS)
def test_pem_to_der(c_consumer, cy_consumer, pem):
    try:
        expected = certcore.PEM_cert_to_DER_cert(pem)
    except ValueError:
        expected = None
    data = pem.encode("utf-8")
    for cap in (0, 4096):
        rc, n, out = c_consumer.pem_to_der(data, cap)
        if expected is None:
            assert rc == c_consumer.EINVAL
        elif cap >= len(expected):
            assert (rc, n, out) == (c_consumer.OK, len(expected), expected)
        else:
            assert (rc, n) == (c_consumer.ENOSPACE, len(expected))
    rc, out = cy_consumer.pem_to_der(data)
    assert (rc, out) == ((c_consumer.EINVAL, b"") if expected is None else (c_consumer.OK, expected))


def test_calls_run_concurrently_without_the_gil(c_consumer):
    der = certificates()["dns b'*.example.com'"]
    errors = []

    def work():
        try:
            for _ in range(2000):
                assert c_consumer.match_x509(der, b"foo.example.com", 0) == c_consumer.OK
                assert c_consumer.match_x509(der, b"foo.example.org", 0) == c_consumer.MISMATCH
        except AssertionError as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
