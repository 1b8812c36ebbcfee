"""certcore.Certificate: construction, errors, properties, identity, pickling, robustness, memory."""
import array
import copy
import ctypes
import ctypes.util
import gc
import hashlib
import os
import pickle
import ssl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import certgen
import certcore
from certcore import Certificate, decode_cert, load_certificates

GEN = certgen.corpus()
DER = GEN["everything"]
PEM = ssl.DER_cert_to_PEM_cert(DER)

_libcrypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
_libcrypto.ERR_peek_error.restype = ctypes.c_ulong


def error_queue_empty():
    return _libcrypto.ERR_peek_error() == 0


# --- construction ---------------------------------------------------------------------------------

@pytest.mark.parametrize("wrap", [bytes, bytearray, memoryview, lambda b: array.array("B", b),
                                  lambda b: memoryview(b"xx" + b + b"yy")[2:-2]])
def test_any_bytes_like_der(wrap):
    for make in (Certificate, Certificate.from_der, decode_cert):
        out = make(wrap(DER))
        if isinstance(out, Certificate):
            assert out.der == DER and type(out.der) is bytes
        else:
            assert out == Certificate(DER).to_dict()


def test_from_pem_str_and_bytes():
    assert Certificate.from_pem(PEM).der == DER
    assert Certificate.from_pem(PEM.encode()).der == DER
    assert Certificate.from_pem(bytearray(PEM.encode())).der == DER
    # Text around the block, CRLF line ends, other blocks first: ignored like OpenSSL does.
    text = "Subject: ünicode comment\r\n" + GEN_KEY_BLOCK + PEM.replace("\n", "\r\n") + "trailer\n"
    assert Certificate.from_pem(text).der == DER
    assert decode_cert(text) == decode_cert(DER)


GEN_KEY_BLOCK = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"


def test_from_file_pem_der_and_path_types(tmp_path):
    pem_path = tmp_path / "c.pem"
    pem_path.write_text(PEM)
    der_path = tmp_path / "c.der"
    der_path.write_bytes(DER)
    for p in (pem_path, str(pem_path), os.fsencode(pem_path), der_path, str(der_path)):
        assert Certificate.from_file(p).der == DER
    with pytest.raises(FileNotFoundError):
        Certificate.from_file(tmp_path / "missing.pem")
    with pytest.raises(TypeError):
        Certificate.from_file(None)
    with pytest.raises(TypeError):
        Certificate.from_file(3.5)


def test_load_certificates_bundle():
    ders = [GEN["plain"], GEN["rsa"], GEN["everything"]]
    text = "header text\n" + "".join(
        f"# cert {i}\n" + ssl.DER_cert_to_PEM_cert(d) + GEN_KEY_BLOCK for i, d in enumerate(ders))
    certs = load_certificates(text)
    assert [c.der for c in certs] == ders
    assert [c.der for c in load_certificates(text.encode())] == ders
    assert all(type(c) is Certificate for c in certs)


def test_load_certificates_system_bundle():
    with open("/etc/ssl/certs/ca-certificates.crt", "rb") as f:
        data = f.read()
    certs = load_certificates(data)
    assert len(certs) == data.count(b"-----BEGIN CERTIFICATE-----")
    assert error_queue_empty()


@pytest.mark.parametrize("bad, message", [
    (b"", "empty"),
    (b"\x30", "truncated"),
    (DER[:-1], "truncated"),
    (DER[: len(DER) // 2], "truncated"),
    (DER + b"\x00", "trailing data"),
    (DER + DER, "trailing data"),
    (b"\x31\x03abc", "expected a SEQUENCE"),
    (b"\x30\x03abc", "invalid DER certificate"),
    (b"\x30\x80" + DER[2:], "length"),
    (PEM.encode(), "PEM"),
    (b"garbage garbage", "expected a SEQUENCE"),
])
def test_bad_der_is_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        Certificate(bad)
    assert error_queue_empty()


@pytest.mark.parametrize("bad, message", [
    ("", "empty"),
    (b"", "empty"),
    ("no pem here", "no PEM certificate"),
    (GEN_KEY_BLOCK, "no PEM certificate"),
    ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "bad PEM block"),
    ("-----BEGIN CERTIFICATE-----\nMIIB\n", "bad PEM block"),
    ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "invalid DER|truncated|SEQUENCE"),
    (PEM.replace(PEM.splitlines()[3], PEM.splitlines()[3][:-4]), "bad PEM|invalid DER|truncated"),
])
def test_bad_pem_is_value_error(bad, message):
    for func in (Certificate.from_pem, load_certificates, decode_cert):
        with pytest.raises(ValueError, match=message):
            func(bad)
        assert error_queue_empty()


@pytest.mark.parametrize("value", [None, 1, 1.5, [DER], "text", object()])
def test_wrong_types(value):
    with pytest.raises(TypeError):
        Certificate(value)
    with pytest.raises(TypeError):
        Certificate.from_der(value)
    if not isinstance(value, str):
        with pytest.raises(TypeError):
            Certificate.from_pem(value)
        with pytest.raises(TypeError):
            load_certificates(value)
        with pytest.raises(TypeError):
            decode_cert(value)


# --- properties -----------------------------------------------------------------------------------

def test_properties_match_the_dict():
    for label, der in GEN.items():
        if label in ("san_bad_utf8", "san_long_rid"):
            continue
        cert = Certificate(der)
        d = cert.to_dict()
        assert cert.subject == d["subject"]
        assert cert.issuer == d["issuer"]
        assert cert.version == d["version"]
        assert cert.subject_alt_names == d.get("subjectAltName", ())
        assert "%X" % cert.serial_number == d["serialNumber"].lstrip("0") or cert.serial_number == 0
        assert cert.serial_number == int(d["serialNumber"], 16)


def test_serial_numbers():
    assert Certificate(GEN["serial_huge"]).serial_number == (1 << 159) - 1
    assert Certificate(GEN["serial_0x80"]).serial_number == 0x80
    assert Certificate(GEN["serial_1"]).serial_number == 1


def test_pem_is_der_cert_to_pem_cert():
    for der in list(GEN.values())[:10]:
        assert Certificate(der).pem == ssl.DER_cert_to_PEM_cert(der)


def test_fingerprint():
    cert = Certificate(DER)
    assert cert.fingerprint() == hashlib.sha256(DER).digest()
    for name in ("sha1", "sha256", "sha384", "sha512", "md5", "SHA256", "sha3-256"):
        assert cert.fingerprint(name) == hashlib.new(name.lower(), DER).digest()
    with pytest.raises(ValueError, match="unknown digest"):
        cert.fingerprint("nope")
    with pytest.raises(ValueError):
        cert.fingerprint("sha256\x00")
    with pytest.raises(TypeError):
        cert.fingerprint(b"sha256")
    assert error_queue_empty()


def test_immutable_eq_hash_pickle_copy_repr():
    a, b, other = Certificate(DER), Certificate.from_pem(PEM), Certificate(GEN["plain"])
    assert a == b and not (a != b) and hash(a) == hash(b) == hash(DER)
    assert a != other and a != DER and not (a == DER)
    assert len({a, b, other}) == 2
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        c = pickle.loads(pickle.dumps(a, proto))
        assert type(c) is Certificate and c == a and c.to_dict() == a.to_dict()
    assert copy.copy(a) is a and copy.deepcopy(a) is a
    with pytest.raises(AttributeError):
        a.der = b"x"
    with pytest.raises(AttributeError):
        a.anything = 1
    with pytest.raises(TypeError, match="immutable"):
        a.__init__(GEN["plain"])
    assert a.der == DER
    r = repr(a)
    assert r.startswith("<Certificate subject=") and "everything" in r


# --- uninitialized instances ---------------------------------------------------------------------
# tests/test_empty_instances.py proves, in a subprocess, that no member crashes; these pin the answers.

class _SkipsInit(Certificate):
    def __init__(self):
        pass


@pytest.mark.parametrize("make", [lambda: Certificate.__new__(Certificate), _SkipsInit])
def test_uninitialized_certificate_raises_value_error(make):
    empty = make()
    uses = [
        lambda c: c.der, lambda c: c.pem, lambda c: c.fingerprint(), lambda c: c.not_before,
        lambda c: c.not_after, lambda c: c.subject, lambda c: c.issuer, lambda c: c.serial_number,
        lambda c: c.version, lambda c: c.subject_alt_names, lambda c: c.to_dict(),
        lambda c: c.match_hostname("example.com"), lambda c: c.match_hostname("example.com", strict=True),
        lambda c: c.match_hostname(b"example.com"), lambda c: hash(c), lambda c: pickle.dumps(c),
        lambda c: certcore.match_hostname(c, "example.com"),
        lambda c: certcore.check_hostnames([c], ["example.com"]),
        lambda c: certcore.check_hostnames(c, ["ex\u00e4mple.com"]),
        lambda c: certcore.check_hostnames([Certificate(DER), c], ["a", "b"]),
    ]
    for use in uses:
        with pytest.raises(ValueError, match="^Certificate object is not initialized$"):
            use(empty)
    assert repr(empty) == f"<{type(empty).__name__} (not initialized)>"
    # Comparisons answer without raising: an uninitialized instance equals only itself.
    other = make()
    assert empty == empty and not (empty != empty)
    assert empty != other and not (empty == other)
    assert empty != Certificate(DER) and Certificate(DER) != empty
    assert copy.copy(empty) is empty and copy.deepcopy(empty) is empty
    # It is still a Certificate waiting for its one __init__.
    Certificate.__init__(empty, DER)
    assert empty == Certificate(DER) and empty.to_dict() == Certificate(DER).to_dict()
    with pytest.raises(TypeError, match="immutable"):
        Certificate.__init__(empty, GEN["plain"])


def test_constructors_check_what_new_returns():
    class OddNew(Certificate):
        def __new__(cls, *args):
            return object()

    for make, data in ((OddNew.from_der, DER), (OddNew.from_pem, PEM)):
        with pytest.raises(TypeError):
            make(data)
    with pytest.raises(TypeError):
        Certificate.__dict__["from_der"].__func__(int, DER)


def test_one_init_wins_when_threads_init_the_same_instance():
    import threading

    big = GEN["long_cn"]    # large enough to be parsed without the GIL
    for _ in range(50):
        empty = Certificate.__new__(Certificate)
        start = threading.Barrier(4)
        outcomes = []

        def init():
            start.wait()
            try:
                Certificate.__init__(empty, big)
                outcomes.append("ok")
            except TypeError:
                outcomes.append("immutable")

        threads = [threading.Thread(target=init) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["immutable"] * 3 + ["ok"]
        assert empty.der == big


def test_reexports():
    for name in ("Certificate", "decode_cert", "load_certificates"):
        assert name in certcore.__all__
        assert getattr(certcore, name) is getattr(__import__("_certcore.x509").x509, name)


# --- robustness -------------------------------------------------------------------------------------

_REAL = [GEN["everything"], GEN["rsa"], GEN["san_basic"], GEN["aia"], GEN["crldp"]]


def _try_all(data):
    # Only ValueError (incl. UnicodeDecodeError for non-UTF-8 names, exactly where CPython
    # raises it) and CPython's own SSLError cases may come out; anything else, or a crash, fails.
    for func in (Certificate, decode_cert):
        try:
            out = func(data)
            if isinstance(out, Certificate):
                out.subject, out.issuer, out.serial_number, out.version, out.fingerprint()
                out.to_dict(), out.not_before, out.not_after, out.subject_alt_names
        except (ValueError, ssl.SSLError):
            pass
    assert error_queue_empty()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_garbage_never_crashes(data):
    _try_all(data)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(_REAL), st.data())
def test_mutated_der_never_crashes(der, data):
    buf = bytearray(der)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(buf) - 1))
        buf[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(buf)))
    _try_all(bytes(buf[:cut]) if data.draw(st.booleans()) else bytes(buf))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_REAL), st.integers(0, 2000))
def test_truncated_der_is_value_error(der, n):
    if n >= len(der):
        return
    with pytest.raises(ValueError):
        Certificate(der[:n])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_pem_text_never_crashes(text):
    for func in (Certificate.from_pem, load_certificates, decode_cert):
        try:
            func("-----BEGIN CERTIFICATE-----\n" + text + "\n-----END CERTIFICATE-----\n")
            func(text)
        except ValueError:
            pass
    assert error_queue_empty()


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.rss
def test_memory_flat_over_100k_parse_and_decode():
    ders = [GEN["everything"], GEN["san_basic"], GEN["rsa"]]
    pem = ssl.DER_cert_to_PEM_cert(ders[0])

    def loop(n):
        for i in range(n):
            der = ders[i % 3]
            cert = Certificate(der)
            cert.to_dict()
            cert.not_after
            decode_cert(der)
            if i % 10 == 0:
                Certificate.from_pem(pem).fingerprint()
            if i % 100 == 0:
                try:
                    Certificate(der[:-3])
                except ValueError:
                    pass

    loop(5000)  # warm caches and allocator pools
    gc.collect()
    before = _rss_bytes()
    loop(100_000)
    gc.collect()
    growth = _rss_bytes() - before
    assert growth < 4 * 1024 * 1024, f"RSS grew by {growth} bytes"


def test_load_certificates_agrees_with_openssl_loader():
    # OpenSSL's own PEM reader (through ssl.SSLContext) finds the same certificates.
    with open("/etc/ssl/certs/ca-certificates.crt") as f:
        text = f.read()
    ours = load_certificates(text)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=text)
    theirs = ctx.get_ca_certs(binary_form=True)
    assert {c.der for c in ours} == set(theirs)
    # ...and so does ssl.PEM_cert_to_DER_cert block by block.
    blocks = text.split("-----END CERTIFICATE-----")[:-1]
    assert [c.der for c in ours] == [
        ssl.PEM_cert_to_DER_cert(b[b.index("-----BEGIN CERTIFICATE-----"):] + "-----END CERTIFICATE-----")
        for b in blocks]


def test_pem_block_rules():
    body = PEM[len("-----BEGIN CERTIFICATE-----\n"):-len("-----END CERTIFICATE-----\n")]
    ok = [
        "-----BEGIN X509 CERTIFICATE-----\n" + body + "-----END X509 CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----  \r\n" + body.replace("\n", "\r\n") + "-----END CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\n" + body.replace("\n", "") + "\n-----END CERTIFICATE-----\n",
        "junk -----BEGIN CERTIFICATE----- junk\n" + PEM,
    ]
    for text in ok:
        assert Certificate.from_pem(text).der == DER, text[:60]
    bad = [
        ("-----BEGIN CERTIFICATE-----\n" + body + "-----END PRIVATE KEY-----\n", "does not match"),
        ("-----BEGIN CERTIFICATE-----\n" + body, "no END line"),
        ("-----BEGIN CERTIFICATE-----\n" + body[:-3] + "!\n-----END CERTIFICATE-----\n", "base64"),
        ("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: x\n\n" + body
         + "-----END CERTIFICATE-----\n", "encrypted"),
        ("-----BEGIN CERTIFICATE-----\nComment: x\n\n" + body + "-----END CERTIFICATE-----\n", "header"),
        ("-----BEGIN TRUSTED CERTIFICATE-----\n" + body + "-----END TRUSTED CERTIFICATE-----\n",
         "no PEM certificate"),
    ]
    for text, message in bad:
        with pytest.raises(ValueError, match=message):
            Certificate.from_pem(text)


def test_threads_parse_concurrently_and_agree():
    import threading

    with open("/etc/ssl/certs/ca-certificates.crt", "rb") as f:
        bundle = f.read()
    expected = [c.der for c in load_certificates(bundle)]
    results, errors = [], []

    def work():
        try:
            for _ in range(3):
                certs = load_certificates(bundle)
                results.append([c.der for c in certs])
                [c.to_dict() for c in certs[:20]]
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 12 and all(r == expected for r in results)
    assert error_queue_empty()
