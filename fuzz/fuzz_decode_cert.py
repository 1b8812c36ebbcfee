"""Fuzz certificate parsing: certcore.decode_cert and certcore.Certificate on mutated DER.

The input is a DER certificate (the seeds are real ones from fuzz/make_corpus.py; ci/fuzz adds
some from the system store). For each input:
  * Certificate.from_der(data) and decode_cert(data) either both succeed or both raise
    ValueError -- any other exception type is a finding (a crash is one too, of course);
  * when it parses, to_dict() == decode_cert(data), der round-trips, from_pem(pem) agrees;
  * the stdlib oracle ssl._ssl._test_decode_cert reads the same bytes as a PEM file; when
    both parse, the dicts must be identical. When only one side parses, it is a finding too,
    except where certcore is documented to be stricter (trailing bytes after the certificate,
    which OpenSSL's PEM reader ignores).
"""
import os
import ssl
import tempfile

import certcore
from _common import Finding, feature, main, outcome, require, same

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
    for what, out in (("Certificate.from_der", built), ("decode_cert", decoded)):
        if out[0] == "raise" and out[1] != "builtins.ValueError":
            raise Finding(f"{what} raised {out[1]} ({out[2]}) instead of ValueError on {data!r}")
    if (built[0] == "ok") != (decoded[0] == "ok"):
        raise Finding(f"from_der and decode_cert disagree on {data!r}: {built!r} vs {decoded!r}")
    theirs = stdlib_decode(data)
    # native-side feedback: which error / which shape of dict each side produced
    feature(built[:1] if built[0] == "ok" else built, theirs[:1] if theirs[0] == "ok" else theirs[:2] + (theirs[2][:40],))
    if built[0] == "ok":
        feature(tuple(sorted(built[1].to_dict())))
    if built[0] == "ok":
        cert = built[1]
        as_dict = cert.to_dict()
        same("to_dict vs decode_cert", ("ok", as_dict), decoded, data)
        der = bytes(cert.der)
        if der != data:
            # OpenSSL re-encodes what it does not cache verbatim (a non-minimal outer length,
            # say), as the stdlib's getpeercert(True) would: the re-encoding must mean the same.
            again = outcome(lambda: Certificate.from_der(der).to_dict())
            same("from_der(cert.der)", again, ("ok", as_dict), data)
        same("from_pem", outcome(lambda: Certificate.from_pem(ssl.DER_cert_to_PEM_cert(data)).to_dict()),
             ("ok", as_dict), data)
        if theirs[0] == "ok":
            same("to_dict vs ssl._ssl._test_decode_cert", ("ok", as_dict), theirs, data)
        else:
            raise Finding(f"certcore parses what the stdlib rejects ({theirs!r}): {data!r}")
    elif theirs[0] == "ok":
        if der_length(data) != len(data):
            return  # trailing / short data: certcore is stricter than OpenSSL's PEM reader, by design
        raise Finding(f"certcore rejects ({built[2]}) what the stdlib decodes: {data!r}")


def setup():
    require(certcore, "Certificate")
    require(certcore, "decode_cert")


if __name__ == "__main__":
    main(check, setup=setup)
