"""Certificate.from_pem / load_certificates read PEM lines as OpenSSL's PEM reader does: each
line loses its trailing control characters, NULs, spaces and bytes >= 0x80; a UTF-8 BOM may
precede the first line; the END line must be exactly "-----END <label>-----"; a line ends at its
first NUL, and a line starting with one ends the read (fgets on a file). The reference is
OpenSSL itself, through the interpreter's ssl._ssl._test_decode_cert (any Python version: it is
the same OpenSSL reading the same file). fuzz/fuzz_pem_bundle.py compares the same rules on
mutated input."""
import ssl

import pytest

import certcore
from helpers.certgen import build

DER = build()
PEM = ssl.DER_cert_to_PEM_cert(DER).encode()
BEGIN = b"-----BEGIN CERTIFICATE-----"
END = b"-----END CERTIFICATE-----"
BODY = len(BEGIN) + 1   # where the base64 starts


def _wrap(text, width):
    return [text[i:i + width] for i in range(0, len(text), width)]


VARIANTS = {
    "plain": PEM,
    "NUL after BEGIN": PEM.replace(BEGIN, BEGIN + b"\x00\x00", 1),
    "control char after BEGIN": PEM.replace(BEGIN, BEGIN + b"\x0e", 1),
    "0xff after BEGIN": PEM.replace(BEGIN, BEGIN + b"\xff", 1),
    "spaces and CR after BEGIN": PEM.replace(BEGIN, BEGIN + b"  \r", 1),
    "junk after END": PEM.replace(END, END + b"xyz"),
    "control chars after END": PEM.replace(END, END + b"\x01\x7f"),
    "NUL at end of a body line": PEM.replace(b"\n", b"\x00\n", 2),
    "NUL inside a body line": PEM[:40] + b"\x00" + PEM[40:],
    "UTF-8 BOM before BEGIN": b"\xef\xbb\xbf" + PEM,
    "BOM after junk": b"junk\n\xef\xbb\xbf" + PEM,
    "junk before BEGIN on the line": b"x" + PEM,
    "BEGIN label with dashes": PEM.replace(BEGIN, b"-----BEGIN CERTIFICATE-----X-----", 1),
    "leading space before BEGIN": b" " + PEM,
    "CRLF line ends": PEM.replace(b"\n", b"\r\n"),
    "space inside a body line": PEM[:BODY + 10] + b" " + PEM[BODY + 10:],
    "tab and CR inside a body line": PEM[:BODY + 5] + b"\t\r" + PEM[BODY + 5:],
    "'=' inside a body line": PEM[:BODY + 7] + b"=" + PEM[BODY + 7:],
    "control char inside a body line": PEM[:BODY + 9] + b"\x01" + PEM[BODY + 9:],
    "body on one line": BEGIN + b"\n" + b"".join(PEM.splitlines()[1:-1]) + b"\n" + END + b"\n",
    "body lines of 76": BEGIN + b"\n" + b"\n".join(_wrap(b"".join(PEM.splitlines()[1:-1]), 76)) + b"\n" + END + b"\n",
    "body lines of 3": BEGIN + b"\n" + b"\n".join(_wrap(b"".join(PEM.splitlines()[1:-1]), 3)) + b"\n" + END + b"\n",
    # a file's lines end at their first NUL (fgets, then strlen), whatever follows on the line
    "NUL then text after BEGIN": PEM.replace(BEGIN, BEGIN + b"\x00\x00f", 1),
    "NUL then text after END": PEM.replace(END, END + b"\x00-----x"),
    "NUL then junk on a body line": PEM.replace(b"\n", b"\x00!!@@\n", 2),
    "NUL then a BEGIN line's text": b"x\x00" + PEM,
    "line starting with NUL before BEGIN": b"junk\n\x00junk\n" + PEM,
    "line starting with NUL in the body": PEM.replace(b"\n", b"\n\x00AAAA\n", 2).replace(b"\n\x00AAAA\n", b"\n", 1),
    "line starting with NUL before the second block": PEM.replace(BEGIN, BEGIN + b"\x00f", 1) + b"\x00\n" + PEM,
}


def openssl_reads(tmp_path, data):
    path = tmp_path / "c.pem"
    path.write_bytes(data)
    try:
        return ssl._ssl._test_decode_cert(str(path))
    except (ssl.SSLError, ValueError):
        return None


@pytest.mark.parametrize("name", list(VARIANTS))
def test_from_pem_accepts_what_openssl_accepts(tmp_path, name):
    data = VARIANTS[name]
    expected = openssl_reads(tmp_path, data)
    try:
        got = certcore.Certificate.from_pem(data).to_dict()
    except ValueError:
        got = None
    assert got == expected
    if expected is not None:
        assert certcore.load_certificates(data)[0].der == DER
