"""Fuzz certcore's PEM reading: Certificate.from_pem and load_certificates on mutated PEM text
(the C-level PEM scanner in _certcore/pem.pyx, OpenSSL's reader's dialect).

Input: byte 0 picks the argument type (even: str via UTF-8 with surrogateescape, odd: bytes),
the rest is the PEM text (seeds: certificates, bundles, other block types, junk between blocks).
Invariants:
  * only ValueError for bad input (any other exception, a crash or a sanitizer report is a finding);
  * from_pem(x) is load_certificates(x)[0] whenever both succeed;
  * every loaded certificate round-trips: from_der(cert.der) == cert, from_pem(cert.pem) == cert;
  * when OpenSSL's own PEM reader (ssl._ssl._test_decode_cert on the same text in a file) and
    from_pem both succeed, they decode the same dict. (One-sided acceptance is reported to the
    fuzzer as feedback, not as a finding: certcore documents its own block rules.)
"""
import os
import ssl
import tempfile

import certcore
from _common import Finding, is_value_error, decode_text, feature, main, outcome, same

_tmpdir = tempfile.mkdtemp(prefix="certcore-fuzz-pem-")
_path = os.path.join(_tmpdir, "bundle.pem")


def check(data):
    if not data:
        return
    arg = decode_text(data[1:]) if data[0] % 2 == 0 else data[1:]
    C = certcore.Certificate
    first = outcome(C.from_pem, arg)
    every = outcome(certcore.load_certificates, arg)
    for what, out in (("from_pem", first), ("load_certificates", every)):
        if out[0] == "raise" and not is_value_error(out):
            raise Finding(f"{what} raised {out[1]} ({out[2]}) instead of ValueError on {arg!r}")
    if every[0] == "ok":
        certs = every[1]
        if not certs:
            raise Finding(f"load_certificates returned an empty list for {arg!r}")
        for cert in certs:
            if C.from_der(cert.der) != cert or C.from_pem(cert.pem) != cert:
                raise Finding(f"certificate does not round-trip: {cert.der!r}")
        if first[0] == "ok" and first[1] != certs[0]:
            raise Finding(f"from_pem and load_certificates()[0] differ on {arg!r}")
    if first[0] == "ok" and isinstance(arg, str):
        try:
            with open(_path, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(arg)
        except (UnicodeError, ValueError):
            return
        theirs = outcome(ssl._ssl._test_decode_cert, _path)
        feature(("openssl", theirs[0]), ("from_pem", first[0]),
                ("bundle", every[0], len(every[1]) if every[0] == "ok" else 0))
        if theirs[0] == "ok":
            same("from_pem vs OpenSSL's PEM reader", ("ok", first[1].to_dict()), theirs, arg)
    else:
        feature(("from_pem", first[0], first[2][:30] if first[0] == "raise" else ""))


if __name__ == "__main__":
    main(check)
