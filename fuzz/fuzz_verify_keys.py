"""Fuzz the verification keys certcore makes itself (_certcore/spki.pyx) against OpenSSL's decoder.

Input: a SubjectPublicKeyInfo (the seeds are RSA and EC keys, canonical and not; the fuzzer
mutates them into anything). It becomes the key of a leaf that a fixed test intermediate signs,
and the key of that intermediate (re-signed by the root) above a fixed leaf, with
helpers.pki_raw.with_spki. The oracle is OpenSSL 3's own decoder in the same process:
  * Certificate() takes the certificate or raises ValueError, nothing else;
  * where certcore made the key itself, it equals the decoder's key (EVP_PKEY_eq, type, bits,
    security bits); where the decoder makes no key, certcore makes none (_verification_key);
  * Verifier.verify gives the same verdict -- the chain, or verify_code and verify_message --
    as with the decoder alone (spki._use_decoder_only), for both certificates.
A key made here that the decoder would refuse, or a different one, shows up as a verdict or a
key that differs: both are findings.
"""
import ssl

import _common  # noqa: F401  (puts tests/ on sys.path)
from _common import Finding, is_value_error, feature, main, outcome

from helpers import pki, pki_raw
from _certcore import spki as _spki
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from _certcore.x509 import Certificate, _verification_key

HOST = "localhost"
_root = pki.root("fuzz keys root")
_inter = pki.intermediate("fuzz keys intermediate", _root)
_leaf = pki.leaf(HOST, _inter)
_below = pki.leaf(HOST, _inter)        # signed by the intermediate whose key is fuzzed


def _verdict(leaf_der, inter_der):
    try:
        leaf, inter = Certificate(leaf_der), Certificate(inter_der)
    except ValueError as e:
        return ("ValueError", str(e))
    verifier = Verifier(TrustStore([Certificate(_root.der)]))
    try:
        return ("ok", [c.der for c in verifier.verify(leaf, [inter], HOST)])
    except ssl.SSLCertVerificationError as e:
        return ("rejected", e.verify_code, e.verify_message)


def _key(der):
    out = outcome(Certificate, der)
    if out[0] == "raise":
        if not is_value_error(out):
            raise Finding(f"Certificate() raised {out[1]} ({out[2]}) on {der!r}")
        return None
    in_place, facts, decoder_facts, equal = _verification_key(out[1])
    if facts != decoder_facts or (facts is not None and equal is not True):
        raise Finding(f"verification key differs from OpenSSL's decoder: in_place={in_place} "
                      f"certcore={facts} decoder={decoder_facts} equal={equal} on {der!r}")
    return in_place, facts


def check(data):
    leaf = pki_raw.with_spki(_leaf, _inter.key, data).der
    inter = pki_raw.with_spki(_inter, _root.key, data).der
    keys = (_key(leaf), _key(inter))
    ours = (_verdict(leaf, _inter.der), _verdict(_below.der, inter))
    _spki._use_decoder_only(True)
    try:
        theirs = (_verdict(leaf, _inter.der), _verdict(_below.der, inter))
    finally:
        _spki._use_decoder_only(False)
    feature(keys[0], ours[0][:2] if ours[0][0] == "rejected" else ours[0][:1])
    if ours != theirs:
        raise Finding(f"verdicts differ with certcore's keys and OpenSSL's decoder on {data!r}\n"
                      f"  certcore: {ours!r}\n  decoder:  {theirs!r}")


if __name__ == "__main__":
    main(check)
