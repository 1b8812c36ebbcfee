"""Fuzz certificate parsing: certcore.decode_cert and certcore.Certificate on mutated DER.

The input is a DER certificate (the seeds are real ones from fuzz/make_corpus.py; ci/fuzz adds
some from the system store). For each input:
  * Certificate.from_der and decode_cert raise nothing but ValueError (subclasses included:
    the stdlib itself raises UnicodeDecodeError for a non-UTF-8 URI) -- anything else, a crash
    or a sanitizer report is a finding;
  * parsing is lazy about fields, so from_der may succeed where decoding fails; then
    cert.to_dict() must fail exactly like decode_cert;
  * the stdlib oracle ssl._ssl._test_decode_cert reads the same bytes as a PEM file: the
    outcome of to_dict() (dict, or exception type + message) must be identical; a certificate
    the stdlib decodes must not be rejected, except where certcore is documented to be stricter
    (bytes after the certificate, which OpenSSL's PEM reader ignores);
  * der re-parses to the same dict, from_pem(DER_cert_to_PEM_cert(data)) too.
"""
import os
import ssl
import tempfile

import certcore
from _common import Finding, is_value_error, feature, main, outcome, same

_tmpdir = tempfile.mkdtemp(prefix="certcore-fuzz-decode-")
_path = os.path.join(_tmpdir, "cert.pem")


def der_length(data):
    """Length of the outer DER TLV (None if the header itself is malformed)."""
    if len(data) < 2 or data[0] != 0x30:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    if n == 0 or n > 4 or len(data) < 2 + n:
        return None
    return 2 + n + int.from_bytes(data[2 : 2 + n], "big")


def stdlib_decode(data):
    with open(_path, "w") as f:
        f.write(ssl.DER_cert_to_PEM_cert(data))
    return outcome(ssl._ssl._test_decode_cert, _path)


def check(data):
    Certificate = certcore.Certificate
    built = outcome(Certificate.from_der, data)
    decoded = outcome(certcore.decode_cert, data)
    # Parsing rejects bad input with ValueError only. Decoding may also raise what the stdlib's
    # decoder raises for the same certificate (an SSLError for an unconvertible name string):
    # that is compared with the stdlib below.
    if built[0] == "raise" and not is_value_error(built):
        raise Finding(f"Certificate.from_der raised {built[1]} ({built[2]}) instead of ValueError on {data!r}")
    if decoded[0] == "raise" and not is_value_error(decoded) and built[0] != "ok":
        raise Finding(f"decode_cert raised {decoded[1]} ({decoded[2]}) instead of ValueError on {data!r}")
    theirs = stdlib_decode(data)
    # native-side feedback: which error / which shape of dict each side produced
    feature(built[:1] if built[0] == "ok" else built,
            theirs[:1] if theirs[0] == "ok" else theirs[:2] + (theirs[2][:40],))
    if built[0] == "raise":
        if decoded[0] != "raise":
            raise Finding(f"decode_cert decodes what from_der rejects ({built!r}): {data!r}")
        if theirs[0] == "ok" and der_length(data) == len(data):
            raise Finding(f"certcore rejects ({built[2]}) what the stdlib decodes: {data!r}")
        return  # (trailing / short data: certcore is stricter than OpenSSL's PEM reader, by design)
    cert = built[1]
    # Parsing is lazy about the fields: the parse can succeed and the decoding fail (a
    # non-UTF-8 URI, say), as the stdlib's does; to_dict() must then fail like decode_cert.
    as_dict = outcome(cert.to_dict)
    same("to_dict vs decode_cert", as_dict, decoded, data)
    same("to_dict vs ssl._ssl._test_decode_cert", as_dict, theirs, data)
    if as_dict[0] == "ok":
        feature(tuple(sorted(as_dict[1])))
    der = bytes(cert.der)
    if der != data:
        # OpenSSL re-encodes what it does not cache verbatim (a non-minimal outer length,
        # say), as the stdlib's getpeercert(True) would: the re-encoding must mean the same.
        same("from_der(cert.der)", outcome(lambda: Certificate.from_der(der).to_dict()), as_dict, data)
    same("from_pem", outcome(lambda: Certificate.from_pem(ssl.DER_cert_to_PEM_cert(data)).to_dict()), as_dict, data)


if __name__ == "__main__":
    main(check)
