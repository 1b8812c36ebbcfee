"""Decoding errors that CPython reports as SSLError are SSLError here too, worded as 3.11.7's
(the _ssl.c line is CPython 3.11.7's, so the exact text is compared on 3.11)."""
import ssl
import sys

import pytest

import certcore
from helpers.certgen import build, name

MARK = "bad-tag-name"


def cert_with_bad_string_tag():
    der = build(subject=name(("CN", MARK)))
    utf8 = bytes([0x0C, len(MARK)]) + MARK.encode()
    assert der.count(utf8) == 2                    # subject and issuer
    return der.replace(utf8, bytes([0x1D, len(MARK)]) + MARK.encode())   # 0x1d: no string type


def test_unconvertible_name_string_raises_sslerror_like_the_stdlib(tmp_path):
    der = cert_with_bad_string_tag()
    cert = certcore.Certificate.from_der(der)      # parsing is fine: only decoding fails
    with pytest.raises(ssl.SSLError) as ours:
        cert.to_dict()
    with pytest.raises(ssl.SSLError) as ours_too:
        certcore.decode_cert(der)
    path = tmp_path / "c.pem"
    path.write_text(ssl.DER_cert_to_PEM_cert(der))
    with pytest.raises(ssl.SSLError) as theirs:
        ssl._ssl._test_decode_cert(str(path))
    assert type(ours.value) is type(theirs.value) is type(ours_too.value)
    assert ours.value.args[0] == theirs.value.args[0]
    if sys.version_info[:2] == (3, 11):
        assert str(ours.value) == str(theirs.value) == str(ours_too.value)
    else:
        assert str(ours.value) == "unknown error (_ssl.c:1080)"
