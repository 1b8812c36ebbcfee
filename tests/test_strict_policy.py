"""The strict verification policy (_certcore/policy.pyx, Verifier(strict=True)), through its test hook.

Each case builds a chain that breaks exactly one rule (or none) and checks three verdicts on it:
certcore's strict policy (the rule it names, at the right depth), OpenSSL's own X509_V_FLAG_X509_STRICT
(`openssl verify -x509_strict`: either it does not enforce the rule, which is why the policy has it, or
it reports the same code the policy does) and cryptography's RFC 5280 / CA/B Forum verifier
(recorded, so every disagreement between the verifiers is explained by a listed rule).
"""
import re
import shutil
import subprocess
import warnings

import pytest
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, ExtensionOID, NameOID

from _certcore.policy import _check_chain
from helpers import pki, pki_raw

APP = 50                  # X509_V_ERR_APPLICATION_VERIFICATION: a rule OpenSSL has no code for
PERMITTED, EXCLUDED = 47, 48
AKID_SKID_MISMATCH = 30
UNHANDLED_CRITICAL = 34
INVALID_CA = 79
EE_KEY_TOO_SMALL = 66
CA_KEY_TOO_SMALL = 67
MISSING_AKID = 85
EMPTY_SUBJECT_SAN_NOT_CRITICAL = 88

OPENSSL = shutil.which("openssl")


def _chain(leaf_kw=None, inter_kw=None, root_kw=None, root_edit=None, leaf_edit=None):
    """root -> intermediate -> leaf (EC keys, SAN localhost), each shape changed by its keywords;
    ``*_edit(issued, signer_key)`` rewrites one certificate at the DER level (pki_raw)."""
    r = pki.root(**(root_kw or {}))
    i = pki.intermediate("certcore test intermediate", r, **(inter_kw or {}))
    leaf_kw = dict(leaf_kw or {})
    cn = leaf_kw.pop("cn", "localhost")
    lf = pki.leaf(cn, i, **leaf_kw)
    if leaf_edit is not None:
        lf = leaf_edit(lf, i.key)
    if root_edit is not None:
        r = root_edit(r, r.key)
    return [lf, i, r]


def _openssl_verdict(chain, tmp_path):
    """What `openssl verify -x509_strict` says: None (OK) or (code, depth) of its first error."""
    leaf, *inters, root = chain
    (tmp_path / "root.pem").write_text(root.pem)
    (tmp_path / "inter.pem").write_text("".join(c.pem for c in inters))
    (tmp_path / "leaf.pem").write_text(leaf.pem)
    proc = subprocess.run([OPENSSL, "verify", "-x509_strict", "-CAfile", str(tmp_path / "root.pem"),
                           "-untrusted", str(tmp_path / "inter.pem"), str(tmp_path / "leaf.pem")],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    out = proc.stdout + proc.stderr
    if proc.returncode == 0:
        assert ": OK" in out, out
        return None
    m = re.search(r"error (\d+) at (\d+) depth", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def _cryptography_verdict(chain, hostname="localhost"):
    """cryptography's server verifier: "accept", "reject", or "unparsable" (it refuses to load one)."""
    try:
        with warnings.catch_warnings():
            # a negative or zero serial still loads, with a deprecation warning that says so
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            certs = [x509.load_der_x509_certificate(c.der) for c in chain]
    except ValueError:
        return "unparsable"
    leaf, *inters, root = certs
    try:
        subject = x509.DNSName(hostname)
        verifier = (verification.PolicyBuilder().store(verification.Store([root]))
                    .time(pki.NOW).build_server_verifier(subject))
        verifier.verify(leaf, inters)
    except (verification.VerificationError, ValueError):
        return "reject"
    return "accept"


def _check(chain):
    return _check_chain([c.certcore for c in chain])


def _ext(ext, critical=False):
    return [(ext, critical)]


def _nc(permitted=None, excluded=None):
    return x509.NameConstraints(
        permitted_subtrees=[x509.DNSName(p) for p in permitted] if permitted else None,
        excluded_subtrees=[x509.DNSName(e) for e in excluded] if excluded else None)


ANY_EKU = ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE
NO_CN = pki.name(None)   # organization only: SANs that are not "localhost" break no CN rule
_EMPTY_NC = x509.UnrecognizedExtension(ExtensionOID.NAME_CONSTRAINTS, b"\x30\x00")
_OCSP = AuthorityInformationAccessOID.OCSP


def _aia(*descriptions):
    return x509.AuthorityInformationAccess([x509.AccessDescription(m, loc) for m, loc in descriptions])


def _root_aki_full():
    # keyIdentifier plus authorityCertIssuer/SerialNumber: built around the root's own key and name
    k = pki.shared_key("ec", 7)
    aki = x509.AuthorityKeyIdentifier(
        x509.SubjectKeyIdentifier.from_public_key(k.public_key()).digest,
        [x509.DirectoryName(pki.name("certcore test root"))], 4242)
    return {"key": k, "serial": 4242, "extensions": _ext(aki)}


# name -> (chain builder, the policy's expected (code, depth), cryptography's recorded verdict)
CASES = {
    # 1. leaf carries a subjectAltName
    "leaf-no-san": (lambda: _chain(leaf_kw={"sans": None}), (APP, 0), "reject"),
    # 2. every commonName is one SAN entry, byte for byte
    "cn-not-in-san": (lambda: _chain(leaf_kw={"cn": "other.example"}), (APP, 0), "accept"),
    "cn-case-differs": (lambda: _chain(leaf_kw={"cn": "LOCALHOST"}), (APP, 0), "accept"),
    "cn-second-not-in-san": (lambda: _chain(leaf_kw={"subject": x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"), x509.NameAttribute(NameOID.COMMON_NAME, "other")])}),
        (APP, 0), "accept"),
    "cn-ip-not-in-san": (lambda: _chain(leaf_kw={"cn": "127.0.0.2", "sans": ("localhost", "IP:127.0.0.1")}),
                         (APP, 0), "accept"),
    # 3. SAN critical exactly when the subject is empty
    "san-critical-with-subject": (lambda: _chain(leaf_kw={"san_critical": True}), (APP, 0), "reject"),
    "san-not-critical-empty-subject": (lambda: _chain(leaf_kw={"subject": x509.Name([])}),
                                       (EMPTY_SUBJECT_SAN_NOT_CRITICAL, 0), "reject"),
    # 4. leaf is not a CA
    "leaf-ca-true": (lambda: _chain(leaf_kw={"basic_constraints": (x509.BasicConstraints(True, None), True)}),
                     (APP, 0), "reject"),
    # 5. no anyExtendedKeyUsage on the leaf
    "leaf-any-eku": (lambda: _chain(leaf_kw={"eku": [pki.SERVER_AUTH, ANY_EKU]}), (APP, 0), "accept"),
    # 6. the leaf has an EKU extension
    "leaf-no-eku": (lambda: _chain(leaf_kw={"eku": None}), (APP, 0), "accept"),
    # 7. serial numbers positive, non-zero, at most 20 octets
    "serial-zero": (lambda: _chain(leaf_edit=lambda c, k: pki_raw.with_serial(c, k, b"\x00")), (APP, 0), "accept"),
    "serial-negative": (lambda: _chain(leaf_edit=lambda c, k: pki_raw.with_serial(c, k, b"\xff\x01")),
                        (APP, 0), "reject"),
    "serial-21-octets": (lambda: _chain(leaf_edit=lambda c, k: pki_raw.with_serial(c, k, b"\x01" + b"\x22" * 20)),
                         (APP, 0), "accept"),
    "serial-21-octets-sign-pad": (
        lambda: _chain(leaf_edit=lambda c, k: pki_raw.with_serial(c, k, b"\x00\x80" + b"\x22" * 19)),
        (APP, 0), "accept"),
    "root-serial-negative": (lambda: _chain(root_edit=lambda c, k: pki_raw.with_serial(c, k, b"\x80")),
                             (APP, 2), "reject"),
    # 8. version 1 refused
    "root-version-1": (lambda: _chain(root_edit=pki_raw.as_version1), (INVALID_CA, 2), "reject"),
    # 9. DNS-name syntax in SANs and name constraints
    "san-underscore": (lambda: _chain(leaf_kw={"cn": None, "subject": NO_CN, "sans": ("a_b.example",)}),
                       (APP, 0), "reject"),
    "san-empty-label": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("a..example",)}), (APP, 0), "reject"),
    "san-leading-period": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": (".a.example",)}), (APP, 0), "reject"),
    "san-trailing-period": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("a.example.",)}), (APP, 0), "reject"),
    "san-hyphen-edge": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("-a.example",)}), (APP, 0), "reject"),
    "san-partial-wildcard": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("f*.example",)}), (APP, 0), "reject"),
    "san-inner-wildcard": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("a.*.example",)}), (APP, 0), "reject"),
    "san-long-label": (lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("a" * 64 + ".example",)}),
                       (APP, 0), "reject"),
    "nc-underscore": (lambda: _chain(inter_kw={"extensions": _ext(_nc(excluded=["a_b.example"]), True)}),
                      (APP, 1), "reject"),
    # 10. name constraints over SAN DNS names, wildcards as sets; never both subtrees empty
    "nc-wildcard-outside-permitted": (
        lambda: _chain(inter_kw={"extensions": _ext(_nc(permitted=["y.example"]), True)},
                       leaf_kw={"subject": NO_CN, "sans": ("*.x.example",)}), (PERMITTED, 0), "reject"),
    "nc-wildcard-wider-than-permitted": (
        lambda: _chain(inter_kw={"extensions": _ext(_nc(permitted=["a.x.example"]), True)},
                       leaf_kw={"subject": NO_CN, "sans": ("*.x.example",)}), (PERMITTED, 0), "reject"),
    "nc-wildcard-meets-excluded": (
        lambda: _chain(inter_kw={"extensions": _ext(_nc(excluded=["a.x.example"]), True)},
                       leaf_kw={"subject": NO_CN, "sans": ("*.x.example",)}), (EXCLUDED, 0), "reject"),
    "nc-empty": (lambda: _chain(inter_kw={"extensions": _ext(_EMPTY_NC, True)}), (APP, 1), "reject"),
    # 11. policyConstraints critical
    "policy-constraints-not-critical": (
        lambda: _chain(inter_kw={"extensions": _ext(x509.PolicyConstraints(0, None), False)}), (APP, 1), "accept"),
    # 12. AKI on every non-root certificate
    "inter-no-aki": (lambda: _chain(inter_kw={"aki": None}), (MISSING_AKID, 1), "accept"),
    "leaf-no-aki": (lambda: _chain(leaf_kw={"aki": None}), (MISSING_AKID, 0), "reject"),
    # 13. a root's AKI is only a keyIdentifier equal to its SKI
    "root-aki-issuer-serial": (lambda: _chain(root_kw=_root_aki_full()), (APP, 2), "accept"),
    # 14. no EKU on the trust anchor
    "root-eku": (lambda: _chain(root_kw={"eku": [pki.SERVER_AUTH]}), (APP, 2), "accept"),
    # 15. no DSA keys
    "leaf-dsa": (lambda: _chain(leaf_kw={"key": pki.shared_key("dsa")}), (APP, 0), "accept"),
    # 16. RSA moduli whole octets and >= 2048 bits
    "leaf-rsa-1024": (lambda: _chain(leaf_kw={"key": pki.shared_key("rsa1024")}), (EE_KEY_TOO_SMALL, 0), "accept"),
    "inter-rsa-1024": (lambda: _chain(inter_kw={"key": pki.shared_key("rsa1024")}), (CA_KEY_TOO_SMALL, 1), "reject"),
    "leaf-rsa-2052": (lambda: _chain(leaf_kw={"key": pki.shared_key("rsa2052")}), (APP, 0), "accept"),
    # 17. well-formed AIA
    "aia-critical": (lambda: _chain(leaf_kw={"extensions": _ext(_aia((_OCSP, x509.UniformResourceIdentifier(
        "http://ocsp.example/"))), True)}), (UNHANDLED_CRITICAL, 0), "reject"),
    "aia-location-not-uri": (lambda: _chain(leaf_kw={"extensions": _ext(_aia((_OCSP, x509.DNSName(
        "ocsp.example"))))}), (APP, 0), "accept"),
    "aia-unknown-method": (lambda: _chain(leaf_kw={"extensions": _ext(_aia((x509.ObjectIdentifier("1.2.3.4"),
                                                   x509.UniformResourceIdentifier("http://x.example/"))))}),
                           (APP, 0), "accept"),
}

GOOD = {
    "plain": lambda: _chain(),
    "rsa-2048": lambda: _chain(leaf_kw={"key": pki.shared_key("rsa")}, inter_kw={"key": pki.shared_key("rsa", 1)},
                               root_kw={"key": pki.shared_key("rsa", 2)}),
    "rsa-3000": lambda: _chain(leaf_kw={"key": pki.shared_key("rsa3000")}),
    "cn-ip-in-san": lambda: _chain(leaf_kw={"cn": "127.0.0.1", "sans": ("localhost", "IP:127.0.0.1")}),
    "cn-ipv6-in-san": lambda: _chain(leaf_kw={"cn": "::1", "sans": ("localhost", "IP:::1")}),
    "no-cn": lambda: _chain(leaf_kw={"subject": NO_CN}),
    "empty-subject-critical-san": lambda: _chain(leaf_kw={"subject": x509.Name([]), "san_critical": True}),
    "serial-20-octets": lambda: _chain(leaf_edit=lambda c, k: pki_raw.with_serial(c, k, b"\x7f" + b"\x22" * 19)),
    "wildcard-san": lambda: _chain(leaf_kw={"subject": NO_CN, "sans": ("*.x.example", "localhost")}),
    "nc-wildcard-inside-permitted": lambda: _chain(
        inter_kw={"extensions": _ext(_nc(permitted=["x.example", "localhost"]), True)},
        leaf_kw={"subject": NO_CN, "sans": ("*.x.example", "localhost")}),
    "nc-wildcard-beside-excluded": lambda: _chain(
        inter_kw={"extensions": _ext(_nc(excluded=["b.a.x.example", "y.example"]), True)},
        leaf_kw={"subject": NO_CN, "sans": ("*.x.example",)}),
    "nc-case-insensitive": lambda: _chain(inter_kw={"extensions": _ext(_nc(permitted=["X.Example"]), True)},
                                          leaf_kw={"subject": NO_CN, "sans": ("*.x.EXAMPLE",)}),
    "nc-leading-period": lambda: _chain(inter_kw={"extensions": _ext(_nc(permitted=[".example"]), True)},
                                        leaf_kw={"subject": NO_CN, "sans": ("a.example",)}),
    "policy-constraints-critical": lambda: _chain(inter_kw={"extensions": _ext(x509.PolicyConstraints(0, None),
                                                                                True)}),
    "root-aki-keyid-only": lambda: _chain(root_kw={"key": pki.shared_key("ec", 8), "extensions": _ext(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.shared_key("ec", 8).public_key()))}),
    "aia-ocsp-and-ca-issuers": lambda: _chain(leaf_kw={"extensions": _ext(_aia(
        (_OCSP, x509.UniformResourceIdentifier("http://ocsp.example/")),
        (AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://ca.example/ca.der"))))}),
}


@pytest.mark.parametrize("case", sorted(GOOD))
def test_conforming_chain_passes(case, tmp_path):
    chain = GOOD[case]()
    assert _check(chain) is None
    assert _openssl_verdict(chain, tmp_path) is None


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule(case, tmp_path):
    build, (code, depth), crypto = CASES[case]
    chain = build()
    got = _check(chain)
    assert got is not None, case
    assert (got[0], got[1]) == (code, depth), got
    assert got[2].startswith("strict policy: ")
    ossl = _openssl_verdict(chain, tmp_path)
    # either OpenSSL's X509_STRICT lets the chain through (the rule exists because it does not
    # enforce it) or it reports the very code the policy does
    assert ossl is None or ossl == (code, depth), (ossl, got)
    assert _cryptography_verdict(chain) == crypto, case


INVALID_EXTENSION = 41


def test_version1_intermediate_matches_openssl(tmp_path):
    # rule 8 at a CA position: OpenSSL's X509_STRICT refuses a version-1 CA too, with the same code
    # (a version-1 certificate has no extensions, so it cannot carry the AKI rule 12 asks for either;
    # the version rule is checked first and names it)
    r = pki.root()
    i = pki.intermediate("certcore test intermediate", r)
    chain = [pki.leaf("localhost", i), pki_raw.as_version1(i, r.key), r]
    assert _check(chain)[:2] == (INVALID_CA, 1)
    assert _openssl_verdict(chain, tmp_path) == (INVALID_CA, 1)
    assert _cryptography_verdict(chain) == "reject"


def test_root_aki_keyid_differs_from_ski(tmp_path):
    # rule 13's second half. OpenSSL refuses this chain before the policy could run: the mismatch
    # stops it treating the root as self-signed, so it looks for the root's issuer (error 2);
    # cryptography's verifier accepts it. The policy names the rule itself.
    aki = x509.AuthorityKeyIdentifier(b"\x01" * 20, None, None)
    chain = _chain(root_kw={"extensions": _ext(aki)})
    assert _check(chain)[:2] == (AKID_SKID_MISMATCH, 2)
    assert _openssl_verdict(chain, tmp_path) == (2, 2)
    assert _cryptography_verdict(chain) == "accept"


def test_intermediate_as_trust_anchor_is_no_root():
    # a chain ending at a trusted intermediate (3.13's VERIFY_X509_PARTIAL_CHAIN): its AKI names its
    # own issuer and it may carry an EKU, so the root rules (13, 14) are for self-signed anchors
    # only (self-issued: subject = issuer), while the non-root AKI rule still applies to it
    r = pki.root()
    i = pki.intermediate("certcore test intermediate", r, eku=[pki.SERVER_AUTH])
    leaf = pki.leaf("localhost", i)
    assert _check([leaf, i]) is None
    assert _check([leaf, i, r]) is None
    no_aki = pki.intermediate("certcore test intermediate", r, aki=None)
    assert _check([pki.leaf("localhost", no_aki), no_aki])[:2] == (MISSING_AKID, 1)
    # a self-signed anchor with an EKU still breaks rule 14
    assert _check(_chain(root_kw={"eku": [pki.SERVER_AUTH]}))[:2] == (APP, 2)


def test_undecodable_extension(tmp_path):
    # a subjectAltName whose DER is truncated: the policy reports it (and leaves the queue clean,
    # which _check_chain asserts) instead of treating the extension as absent
    bad = x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, b"\x30\x03\x82\x05a")
    chain = _chain(leaf_kw={"sans": None, "extensions": _ext(bad)})
    assert _check(chain)[:2] == (INVALID_EXTENSION, 0)
    assert _openssl_verdict(chain, tmp_path) is not None
    assert _cryptography_verdict(chain) == "reject"


def test_first_violation_is_nearest_the_leaf():
    # the leaf breaks rule 6 and the root rule 14: the leaf's is the one reported
    chain = _chain(leaf_kw={"eku": None}, root_kw={"eku": [pki.SERVER_AUTH]})
    assert _check(chain)[:2] == (APP, 0)


def test_single_certificate_chain():
    # a self-signed leaf is its own trust anchor: leaf rules and root rules both apply to it
    only = pki.issue("localhost", None, sans=("localhost",))
    assert _check([only]) == (APP, 0, "strict policy: the trust anchor carries an extendedKeyUsage extension")


def test_bad_arguments():
    good = pki.chain()
    with pytest.raises(ValueError):
        _check_chain([])
    with pytest.raises(TypeError):
        _check_chain([good.leaf.der])
    with pytest.raises(TypeError):
        _check_chain([good.leaf.certcore, None])
    with pytest.raises(TypeError):
        _check_chain(None)
    assert _check_chain(iter([good.leaf.certcore, good.inter.certcore, good.root.certcore])) is None


def test_repeated_checks_are_stable():
    # the same chains checked many times give the same answers (no state kept between calls)
    chains = [GOOD["plain"](), CASES["nc-wildcard-meets-excluded"][0](), CASES["aia-unknown-method"][0]()]
    certs = [[c.certcore for c in chain] for chain in chains]
    first = [_check_chain(c) for c in certs]
    for _ in range(200):
        assert [_check_chain(c) for c in certs] == first
