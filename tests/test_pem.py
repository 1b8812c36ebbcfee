"""DER_cert_to_PEM_cert / PEM_cert_to_DER_cert: CPython 3.11's test_ssl cases, real certificates,
and differential tests against the 3.11 oracle (tests/oracle.py)."""
import array
import base64
import binascii
import datetime
import glob
import inspect
import os
import ssl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import certcore
from _certcore import pem as pem_module
from helpers.oracle import outcome
from helpers.scale import examples

# CPython's own test certificates (3.10+: Lib/test/certdata, before: Lib/test), read as a corpus.
CERTDATA = next((d for d in (os.path.join(os.path.dirname(ssl.__file__), "test", "certdata"),
                             os.path.join(os.path.dirname(ssl.__file__), "test"))
                 if os.path.exists(os.path.join(d, "capath", "5ed36f99.0"))),
                os.path.join(os.path.dirname(ssl.__file__), "test", "certdata"))
HEADER = "-----BEGIN CERTIFICATE-----"
FOOTER = "-----END CERTIFICATE-----"


def make_cert_der():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certcore.test"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certcore")])
    now = datetime.datetime(2024, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(0x1234567890).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("certcore.test"),
                                                        x509.DNSName("*.certcore.test")]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def cert_der():
    return make_cert_der()


def pem_files():
    files = sorted(glob.glob(os.path.join(CERTDATA, "*.pem")) + glob.glob(os.path.join(CERTDATA, "capath", "*.0")))
    assert files, f"CPython's certdata not found under {CERTDATA}"
    return files


def same_as_oracle(oracle, name, inputs):
    ours = getattr(certcore, name)
    inputs = list(inputs)
    expected = oracle.run(name, [(x,) for x in inputs])
    for x, want in zip(inputs, expected):
        assert outcome(ours, x) == want, repr(x)[:300]


# --- CPython 3.11 Lib/test/test_ssl.py ---------------------------------------------------------

def test_cpython_DER_to_PEM():
    with open(os.path.join(CERTDATA, "capath", "5ed36f99.0")) as f:
        pem = f.read()
    d1 = certcore.PEM_cert_to_DER_cert(pem)
    p2 = certcore.DER_cert_to_PEM_cert(d1)
    d2 = certcore.PEM_cert_to_DER_cert(p2)
    assert d1 == d2
    assert p2.startswith(certcore.PEM_HEADER + "\n")
    assert p2.endswith("\n" + certcore.PEM_FOOTER + "\n")


def test_cpython_cadata_pairs():
    # test_load_verify_cadata / test_connect_cadata / get_ca_certs: PEM -> DER of real files
    # agrees with OpenSSL's own DER (through the stdlib's context).
    for name in ["capath/5ed36f99.0", "capath/6e88d7b8.0", "pycacert.pem"]:
        path = os.path.join(CERTDATA, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read()
        if not text.startswith(HEADER):   # files with openssl's text dump first
            text = text[text.index(HEADER):]
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=text)
        assert ctx.get_ca_certs(True) == [certcore.PEM_cert_to_DER_cert(text)]


def test_constants_and_signatures():
    assert certcore.PEM_HEADER == ssl.PEM_HEADER == HEADER
    assert certcore.PEM_FOOTER == ssl.PEM_FOOTER == FOOTER
    assert certcore.DER_cert_to_PEM_cert is pem_module.DER_cert_to_PEM_cert
    assert certcore.PEM_cert_to_DER_cert is pem_module.PEM_cert_to_DER_cert
    assert list(inspect.signature(certcore.DER_cert_to_PEM_cert).parameters) == ["der_cert_bytes"]
    assert list(inspect.signature(certcore.PEM_cert_to_DER_cert).parameters) == ["pem_cert_string"]
    assert certcore.DER_cert_to_PEM_cert(der_cert_bytes=b"x") == ssl.DER_cert_to_PEM_cert(b"x")
    assert certcore.PEM_cert_to_DER_cert(pem_cert_string=HEADER + "eA==" + FOOTER) == b"x"


# --- DER -> PEM ---------------------------------------------------------------------------------

def test_real_certs_roundtrip(oracle, cert_der):
    texts = []
    for path in pem_files():
        with open(path, encoding="latin-1") as f:
            texts.append(f.read())
    same_as_oracle(oracle, "PEM_cert_to_DER_cert", texts)
    ders = [certcore.PEM_cert_to_DER_cert(t) for t in texts if t.startswith(HEADER)] + [cert_der]
    same_as_oracle(oracle, "DER_cert_to_PEM_cert", ders)
    for der in ders:
        assert certcore.PEM_cert_to_DER_cert(certcore.DER_cert_to_PEM_cert(der)) == der


def test_lengths_0_to_300(oracle):
    same_as_oracle(oracle, "DER_cert_to_PEM_cert", [bytes((i * 7 + j) & 255 for j in range(i)) for i in range(300)])


def test_empty():
    assert certcore.DER_cert_to_PEM_cert(b"") == HEADER + "\n" + FOOTER + "\n"
    assert certcore.DER_cert_to_PEM_cert(b"\x00" * 48) == HEADER + "\n" + "A" * 64 + "\n" + FOOTER + "\n"


def test_bytes_likes(oracle, cert_der):
    want = ssl.DER_cert_to_PEM_cert(cert_der)  # identical in every version since 3.7
    assert certcore.DER_cert_to_PEM_cert(bytearray(cert_der)) == want
    assert certcore.DER_cert_to_PEM_cert(memoryview(cert_der)) == want
    assert certcore.DER_cert_to_PEM_cert(memoryview(b"xx" + cert_der)[2:]) == want
    assert certcore.DER_cert_to_PEM_cert(array.array("B", cert_der)) == want
    ints = array.array("i", range(100))
    assert certcore.DER_cert_to_PEM_cert(ints) == ssl.DER_cert_to_PEM_cert(ints)
    shaped = memoryview(ints).cast("B").cast("i", (10, 10))
    assert certcore.DER_cert_to_PEM_cert(shaped) == ssl.DER_cert_to_PEM_cert(ints)
    same_as_oracle(oracle, "DER_cert_to_PEM_cert", [bytearray(b"abc"), array.array("B", b"abcd"),
                                                    array.array("d", [1.5, 2.5])])


def test_bad_der_types(oracle):
    same_as_oracle(oracle, "DER_cert_to_PEM_cert", ["abc", "", None, 0, 1.5, [1, 2], (b"a",), {}, True])


def test_unusable_buffers():
    strided = memoryview(b"abcdef")[::2]
    released = memoryview(b"abc")
    released.release()
    for bad in (strided, released):
        with pytest.raises(Exception) as ours:
            certcore.DER_cert_to_PEM_cert(bad)
        with pytest.raises(Exception) as theirs:
            ssl.DER_cert_to_PEM_cert(bad)
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def test_big_input_releases_gil_and_matches():
    der = os.urandom(300_000)
    assert certcore.DER_cert_to_PEM_cert(der) == ssl.DER_cert_to_PEM_cert(der)
    assert certcore.PEM_cert_to_DER_cert(ssl.DER_cert_to_PEM_cert(der)) == der


@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.binary(max_size=4096), min_size=25, max_size=25))
def test_random_der_vs_oracle(oracle, batch):
    same_as_oracle(oracle, "DER_cert_to_PEM_cert", batch)


# --- PEM -> DER ---------------------------------------------------------------------------------

BODY = base64.encodebytes(bytes(range(200))).decode()


@pytest.mark.parametrize("text", [
    HEADER + "\n" + BODY + FOOTER + "\n",
    HEADER + BODY + FOOTER,
    HEADER + "\r\n" + BODY.replace("\n", "\r\n") + FOOTER + "\r\n",
    HEADER + BODY.replace("\n", "") + FOOTER,
    HEADER + "\n" + "\n".join("  " + line for line in BODY.splitlines()) + "\n" + FOOTER,
    HEADER + "\nProc-Type: 4,ENCRYPTED\n\n" + BODY + FOOTER,
    HEADER + "\n" + BODY + FOOTER + " \t\n\x0b\x0c\u2003\u3000\x85\x1c",
    HEADER + "\n" + BODY + FOOTER + "\x00",
    HEADER + "\n" + BODY + FOOTER + "x",
    " " + HEADER + "\n" + BODY + FOOTER,
    "\ufeff" + HEADER + "\n" + BODY + FOOTER,
    "\n" + HEADER + "\n" + BODY + FOOTER,
    "-----BEGIN TRUSTED CERTIFICATE-----\n" + BODY + "-----END TRUSTED CERTIFICATE-----\n",
    HEADER.lower() + "\n" + BODY + FOOTER.lower(),
    HEADER + "\n" + BODY + FOOTER[:-1],
    HEADER + "\n" + BODY,
    HEADER,
    HEADER[:-1],
    "",
    FOOTER,
    HEADER + FOOTER,
    HEADER + "\n" + FOOTER,
    "-----BEGIN CERTIFICATE-----END CERTIFICATE-----",
    "-----BEGIN CERTIFICATE-----END CERTIFICATE-----\n ",
    HEADER + "!!!!" + FOOTER,
    HEADER + "A" + FOOTER,
    HEADER + "AB" + FOOTER,
    HEADER + "ABC" + FOOTER,
    HEADER + "ABCDE" + FOOTER,
    HEADER + "AB=" + FOOTER,
    HEADER + "AB==" + FOOTER,
    HEADER + "AB=C" + FOOTER,
    HEADER + "A=BC" + FOOTER,
    HEADER + "=ABC" + FOOTER,
    HEADER + "AB=\n=" + FOOTER,
    HEADER + "AB=x=" + FOOTER,
    HEADER + "ABC=DEF" + FOOTER,
    HEADER + "ABC=DEFG" + FOOTER,
    HEADER + "ABCD=" + FOOTER,
    HEADER + "ABCDE===" + FOOTER,
    HEADER + "ABCDEFGHI" + FOOTER,
    HEADER + "\n" + BODY + "é" + FOOTER,
    HEADER + "\n" + BODY + "éé\u2003" + FOOTER,
    HEADER + "\n" + BODY + "\U0001f600x\u00ff" + FOOTER,
    HEADER + "\n" + BODY + "\x00" + FOOTER,
    HEADER + "\n" + BODY + "\ud800" + FOOTER,
    HEADER + "\n" + BODY + FOOTER + "\n" + HEADER + "\n" + BODY + FOOTER + "\n",
    HEADER + "\nAAAA" + FOOTER + "\n" + HEADER + "\nAAA=" + FOOTER,
    HEADER + "\n\u3000" + BODY + FOOTER,
    HEADER + "\n" + BODY + FOOTER + "\u2003",
    HEADER + "é" + FOOTER + "\u2003",
    HEADER + "-:_.,;" + BODY + FOOTER,
])
def test_pem_cases_vs_oracle(oracle, text):
    same_as_oracle(oracle, "PEM_cert_to_DER_cert", [text])


def test_bad_pem_types(oracle, cert_der):
    pem_bytes = ssl.DER_cert_to_PEM_cert(cert_der).encode()
    same_as_oracle(oracle, "PEM_cert_to_DER_cert", [pem_bytes, bytearray(pem_bytes), None, 0, ["x"], b""])


def test_str_subclass():
    class S(str):
        pass

    text = HEADER + "\n" + BODY + FOOTER
    assert certcore.PEM_cert_to_DER_cert(S(text)) == bytes(range(200))
    with pytest.raises(ValueError, match="must end with"):
        certcore.PEM_cert_to_DER_cert(S(text + "x"))


def test_binascii_error_class():
    with pytest.raises(binascii.Error) as info:
        certcore.PEM_cert_to_DER_cert(HEADER + "ABCDE" + FOOTER)
    assert type(info.value) is binascii.Error
    assert str(info.value) == ("Invalid base64-encoded string: number of data characters (5) cannot be 1 more "
                               "than a multiple of 4")


_NOISE = st.sampled_from(["\n", "\r\n", " ", "\t", "=", "==", "-", ":", "\x00", "é", "\u2003", "\u3000", "A", "/",
                          "+", "_", "!", HEADER, FOOTER, "\x0b", "\ud7ff", "\U00010000"])


@st.composite
def broken_pems(draw, der):
    text = ssl.DER_cert_to_PEM_cert(der)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.integers(0, 5))
        pos = draw(st.integers(0, len(text)))
        if op == 0:     # insert noise
            text = text[:pos] + draw(_NOISE) + text[pos:]
        elif op == 1:   # delete a run
            text = text[:pos] + text[pos + draw(st.integers(1, 6)):]
        elif op == 2:   # replace a char
            text = text[:pos] + draw(_NOISE) + text[pos + 1:]
        elif op == 3:   # truncate
            text = text[:pos]
        elif op == 4:   # CRLF / re-wrap
            text = text.replace("\n", draw(st.sampled_from(["\r\n", "", "  \n", "\n\n"])))
        else:           # surround
            text = draw(st.sampled_from(["", " ", "\n", "x"])) + text + draw(st.sampled_from(["", " \n", "x", "\x00"]))
    return text


@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_broken_pem_vs_oracle(oracle, data):
    batch = [data.draw(broken_pems(data.draw(st.binary(max_size=600)))) for _ in range(50)]
    same_as_oracle(oracle, "PEM_cert_to_DER_cert", batch)


@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(alphabet=st.sampled_from("ABCab09+/=\n\r \t-:é\x00"), max_size=30), min_size=50, max_size=50))
def test_random_bodies_vs_oracle(oracle, batch):
    same_as_oracle(oracle, "PEM_cert_to_DER_cert", [HEADER + b + FOOTER for b in batch])


# --- the nogil C cores (pem.pxd), through test hooks --------------------------------------------

def test_c_der_to_pem_into(cert_der):
    for der in [b"", b"a", b"ab", b"abc", bytes(48), bytes(49), cert_der]:
        n = pem_module._test_pem_length(len(der))
        assert pem_module._test_der_to_pem_into(der, n) == (n, certcore.DER_cert_to_PEM_cert(der).encode())
        assert pem_module._test_der_to_pem_into(der, n - 1)[0] == -1
    assert pem_module._test_pem_length(-1) == -1


@settings(max_examples=examples(30), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(alphabet=st.sampled_from("ABCab09+/=\n\r \t-:\x00"), max_size=40), min_size=30, max_size=30))
def test_c_pem_body_to_der(batch):
    for body in batch:
        raw = body.encode()
        cap = (len(raw) + 3) // 4 * 3
        rc, out = pem_module._test_pem_body_to_der(raw, cap)
        try:
            want = certcore.PEM_cert_to_DER_cert(HEADER + body + FOOTER)
        except binascii.Error as exc:
            if str(exc) == "Incorrect padding":
                assert rc == -1
            else:
                assert rc <= -3 and f"({-2 - rc})" in str(exc)
        else:
            assert (rc, out) == (len(want), want)
        if cap:
            assert pem_module._test_pem_body_to_der(raw, cap - 1)[0] == -2


@pytest.mark.parametrize("text", [HEADER + "\nAAAA\n" + FOOTER + "\n", HEADER + FOOTER, "x" + HEADER + FOOTER,
                                  HEADER + "AAAA" + FOOTER + "x", HEADER + "AAAA" + FOOTER + " \xa0\x85\x1c\n",
                                  "-----BEGIN CERTIFICATE-----END CERTIFICATE-----", HEADER, ""])
def test_c_pem_find_body(text):
    rc, start, end = pem_module._test_pem_find_body(text.encode("latin-1"))
    if not text.startswith(HEADER):
        assert rc == -1
    elif not text.strip().endswith(FOOTER):
        assert rc == -2
    else:
        assert rc == 0 and text[start:end] == text.strip()[len(HEADER):-len(FOOTER)]
