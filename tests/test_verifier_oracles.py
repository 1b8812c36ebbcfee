"""certcore.Verifier against more oracles, on one corpus of generated PKIs (``CASES``).

test_verifier.py holds the Verifier to a real stdlib handshake. Here the same corpus goes through:

A. the ``openssl verify`` command: the system OpenSSL 3.0 libcrypto certcore links, run with the
   flags a ``create_default_context()`` handshake uses (purpose, auth level = the context's security
   level, 3.13's X509_STRICT|PARTIAL_CHAIN, CRL checks, ``-attime``). Verdict AND X509_V_ERR code
   must agree for the default policy (OPENSSL_DIFFERENCES would list what does not; it is empty).
   The strict policy is held to ``openssl verify -x509_strict``: the same code where OpenSSL
   rejects, and where it accepts, a rejection only by a rule of the policy.
B. pyOpenSSL's ``X509StoreContext``: cryptography's bundled (newer) OpenSSL through a bare
   X509_STORE_CTX, which has no purpose, hostname or auth level: verdicts and codes agree except
   where PYOPENSSL_DIFFERENCES says which of those it lacks.
C. ``cryptography.x509.verification``: a strict RFC 5280 + CA/B Forum profile verifier without
   revocation checking. Both policies are compared: every case where the default policy disagrees
   is in CRYPTOGRAPHY_DEFAULT_DIFFERENCES, every strict-policy disagreement in
   CRYPTOGRAPHY_STRICT_DIFFERENCES (named by the _certcore/policy.pyx rule that decides it).
D. a certcore handshake (its create_default_context, in memory): verdict, code and message.

Each table is asserted as the full set of disagreements, so a new disagreement fails (it needs a
reason) and so does a listed one that went away (the table is stale). COVERAGE pins the verdict of
the cases behind each item the corpus is meant to cover, so it cannot decay into chains every
oracle accepts.
"""
import datetime
import ipaddress
import re
import shutil
import ssl
import subprocess
import sys
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import verification
from OpenSSL import crypto

import certcore   # its exception classes are the stdlib's: `except ssl.X` catches both
from _certcore.context import ContextCore
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from helpers import pki, pki_sha1

OPENSSL = shutil.which("openssl")
PY313 = sys.version_info >= (3, 13)

# X509_V_ERR codes named in the tables (OpenSSL's x509_vfy.h)
UNABLE_TO_GET_ISSUER_CERT = 2
UNABLE_TO_GET_CRL = 3
UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
CERT_REVOKED = 23
INVALID_PURPOSE = 26
AKID_SKID_MISMATCH = 30
HOSTNAME_MISMATCH = 62
IP_ADDRESS_MISMATCH = 64
EE_KEY_TOO_SMALL = 66
CA_KEY_TOO_SMALL = 67
CA_MD_TOO_WEAK = 68
APPLICATION_VERIFICATION = 50   # the strict policy's code for a rule OpenSSL has no code for


@dataclass
class Case:
    roots: list                 # pki.Issued trust anchors
    leaf: pki.Issued
    inters: list                # untrusted intermediates, in the order a server would send them
    hostname: str = None
    purpose: str = "server"
    at: datetime.datetime = None
    crl: str = None             # Verifier(crl=...): None, "leaf" or "chain"
    crls: tuple = ()            # cryptography CRLs put in the trust store


def _nc_inter(r, cn, permitted=None, excluded=None):
    nc = x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded)
    return pki.intermediate(cn, r, extensions=[(nc, True)])


def _cases():
    r = pki.root()
    i = pki.intermediate("inter", r)
    past = pki.NOW - 400 * pki.DAY
    ok = pki.leaf("localhost", i)
    wild = pki.leaf("*.example.com", i, sans=("*.example.com",))
    c = {
        "ok": Case([r], ok, [i], "localhost"),
        "dns mismatch": Case([r], ok, [i], "example.org"),
        "dns wildcard": Case([r], wild, [i], "a.example.com"),
        "dns wildcard too deep": Case([r], wild, [i], "a.b.example.com"),
        "ip match": Case([r], pki.leaf("127.0.0.1", i, sans=("IP:127.0.0.1",)), [i], "127.0.0.1"),
        "ip mismatch": Case([r], pki.leaf("127.0.0.1", i, sans=("IP:127.0.0.1",)), [i], "127.0.0.2"),
        "ipv6 match": Case([r], pki.leaf("::1", i, sans=("IP:::1",)), [i], "::1"),
        "ip in DNS SAN only": Case([r], pki.leaf("127.0.0.1", i, sans=("127.0.0.1",)), [i], "127.0.0.1"),
        "expired": Case([r], pki.leaf("localhost", i, not_before=past, not_after=pki.NOW - pki.DAY), [i],
                        "localhost"),
        "not yet valid": Case([r], pki.leaf("localhost", i, not_before=pki.NOW + pki.DAY), [i], "localhost"),
        # `at` moves the clock for every certificate: before the root's notBefore, after the
        # leaf's notAfter, and inside an expired leaf's validity
        "at past": Case([r], ok, [i], "localhost", at=pki.NOW - 30 * pki.DAY),
        "at future": Case([r], ok, [i], "localhost", at=pki.NOW + 400 * pki.DAY),
        "missing intermediate": Case([r], ok, [], "localhost"),
        "untrusted root": Case([pki.root("other root")], ok, [i], "localhost"),
        "self-signed leaf": Case([r], pki.issue("localhost", None, sans=("localhost",)), [], "localhost"),
        # purposes, both ways
        "clientAuth leaf as server": Case([r], pki.leaf("localhost", i, eku=[pki.CLIENT_AUTH]), [i], "localhost"),
        "serverAuth leaf as client": Case([r], ok, [i], None, purpose="client"),
        "clientAuth leaf as client": Case([r], pki.leaf("localhost", i, eku=[pki.CLIENT_AUTH]), [i], None,
                                          purpose="client"),
        "CN not in SAN": Case([r], pki.leaf("other.example", i), [i], "localhost"),
        "no EKU leaf": Case([r], pki.leaf("localhost", i, eku=None), [i], "localhost"),
        # key sizes and digests under the context's security level
        "rsa1024 leaf": Case([r], pki.leaf("localhost", i, key=pki.shared_key("rsa1024")), [i], "localhost"),
        "rsa2048 leaf": Case([r], pki.leaf("localhost", i, key=pki.shared_key("rsa")), [i], "localhost"),
        "unknown critical ext leaf": Case([r], pki.leaf("localhost", i, extensions=[
            (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00"), True)]),
            [i], "localhost"),
        "unknown non-critical ext leaf": Case([r], pki.leaf("localhost", i, extensions=[
            (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00"), False)]),
            [i], "localhost"),
    }
    # where 3.13's create_default_context (VERIFY_X509_STRICT | VERIFY_X509_PARTIAL_CHAIN) decides
    # otherwise than earlier Pythons': the oracles' flags must follow the running Python
    c["leaf without AKI (3.13 X509_STRICT)"] = Case([r], pki.leaf("localhost", i, aki=None), [i], "localhost")
    c["intermediate as trust anchor (3.13 PARTIAL_CHAIN)"] = Case([i], ok, [], "localhost")
    r_old = pki.root("long-lived root", not_before=past - pki.DAY)
    i_old = pki.intermediate("long-lived inter", r_old, not_before=past - pki.DAY)
    gone = pki.leaf("localhost", i_old, not_before=past, not_after=pki.NOW - pki.DAY)
    c["at inside an expired leaf's validity"] = Case([r_old], gone, [i_old], "localhost", at=past + pki.DAY)
    i1024 = pki.intermediate("inter 1024", r, key=pki.shared_key("rsa1024", 1))
    c["rsa1024 intermediate"] = Case([r], pki.leaf("localhost", i1024), [i1024], "localhost")
    icrit = pki.intermediate("inter crit", r, extensions=[
        (x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.2"), b"\x05\x00"), True)])
    c["unknown critical ext intermediate"] = Case([r], pki.leaf("localhost", icrit), [icrit], "localhost")
    # SHA-1: cryptography refuses to sign with it, the openssl command does
    c["sha1 leaf"] = Case([r], pki_sha1.issue_sha1("localhost", i), [i], "localhost")
    i_sha1 = pki_sha1.issue_sha1("inter sha1", r, ca=True)
    c["sha1 intermediate"] = Case([r], pki.leaf("localhost", i_sha1), [i_sha1], "localhost")
    # CA:FALSE and path length
    i0 = pki.intermediate("ca false", r, ca=False, key_usage=None, eku=None)
    c["CA:FALSE intermediate"] = Case([r], pki.leaf("localhost", i0), [i0], "localhost")
    i_nobc = pki.intermediate("no bc", r, basic_constraints=None)
    c["intermediate without basicConstraints"] = Case([r], pki.leaf("localhost", i_nobc), [i_nobc], "localhost")
    r0 = pki.root("pathlen0 root", path_length=0)
    i1 = pki.intermediate("under pathlen0", r0)
    i2 = pki.intermediate("second level", i1)
    c["path length exceeded"] = Case([r0], pki.leaf("localhost", i2), [i2, i1], "localhost")
    c["path length 0 root, leaf directly under it"] = Case([r0], pki.leaf("localhost", r0), [], "localhost")
    r1 = pki.root("pathlen1 root", path_length=1)
    i11 = pki.intermediate("under pathlen1", r1)
    c["path length 1 root, one intermediate"] = Case([r1], pki.leaf("localhost", i11), [i11], "localhost")
    i3 = pki.intermediate("below inter", i)
    c["two intermediates sent out of order"] = Case([r], pki.leaf("localhost", i3), [i, i3], "localhost")
    ip1 = pki.intermediate("pathlen0 inter", r, path_length=0)
    ip2 = pki.intermediate("under pathlen0 inter", ip1)
    c["path length exceeded at intermediate"] = Case([r], pki.leaf("localhost", ip2), [ip2, ip1], "localhost")
    # name constraints: DNS and IP, permitted and excluded, each violated and met
    dns_p = _nc_inter(r, "nc dns permitted", permitted=[x509.DNSName("example.com")])
    c["nc DNS permitted violated"] = Case([r], pki.leaf("localhost", dns_p), [dns_p], "localhost")
    c["nc DNS permitted met"] = Case([r], pki.leaf("a.example.com", dns_p, sans=("a.example.com",)), [dns_p],
                                     "a.example.com")
    dns_x = _nc_inter(r, "nc dns excluded", excluded=[x509.DNSName("example.com")])
    c["nc DNS excluded violated"] = Case([r], pki.leaf("a.example.com", dns_x, sans=("a.example.com",)),
                                         [dns_x], "a.example.com")
    c["nc DNS excluded met"] = Case([r], pki.leaf("a.example.org", dns_x, sans=("a.example.org",)), [dns_x],
                                    "a.example.org")
    net = ipaddress.ip_network("10.0.0.0/8")
    ip_p = _nc_inter(r, "nc ip permitted", permitted=[x509.IPAddress(net)])
    c["nc IP permitted met"] = Case([r], pki.leaf("10.1.2.3", ip_p, sans=("IP:10.1.2.3",)), [ip_p], "10.1.2.3")
    c["nc IP permitted violated"] = Case([r], pki.leaf("127.0.0.1", ip_p, sans=("IP:127.0.0.1",)), [ip_p], "127.0.0.1")
    ip_x = _nc_inter(r, "nc ip excluded", excluded=[x509.IPAddress(ipaddress.ip_network("127.0.0.0/8"))])
    c["nc IP excluded violated"] = Case([r], pki.leaf("127.0.0.1", ip_x, sans=("IP:127.0.0.1",)), [ip_x], "127.0.0.1")
    c["nc IP excluded met"] = Case([r], pki.leaf("10.1.2.3", ip_x, sans=("IP:10.1.2.3",)), [ip_x], "10.1.2.3")
    # cross-signed alternative paths: the intermediate's key and name, certified by a second root too
    r2 = pki.root("cross root")
    cross = pki.issue("inter", r2, key=i.key, subject=i.cert.subject, ca=True)
    c["cross-signed only the cross path trusted"] = Case([r2], ok, [i, cross], "localhost")
    c["cross-signed only the original path trusted"] = Case([r], ok, [cross, i], "localhost")
    c["cross-signed cross sent first, its root trusted"] = Case([r2], ok, [cross, i], "localhost")
    c["cross-signed both roots trusted"] = Case([r, r2], ok, [cross, i], "localhost")
    expired_cross = pki.issue("inter", r2, key=i.key, subject=i.cert.subject, ca=True,
                              not_before=past, not_after=pki.NOW - pki.DAY)
    c["cross-signed expired cross, other path trusted"] = Case([r, r2], ok, [expired_cross, i], "localhost")
    # CRLs: crl="leaf" consults the leaf's issuer's CRL, crl="chain" every issuer's
    revoked_leaf = pki.leaf("localhost", i)
    c["crl leaf revoked"] = Case([r], revoked_leaf, [i], "localhost", crl="leaf",
                                 crls=(pki.crl(i, [revoked_leaf]),))
    c["crl leaf not revoked"] = Case([r], ok, [i], "localhost", crl="leaf", crls=(pki.crl(i, [revoked_leaf]),))
    c["crl revoked leaf, checking off"] = Case([r], revoked_leaf, [i], "localhost",
                                               crls=(pki.crl(i, [revoked_leaf]),))
    c["crl leaf, no CRL"] = Case([r], ok, [i], "localhost", crl="leaf")
    i_rev = pki.intermediate("revoked inter", r)
    under_rev = pki.leaf("localhost", i_rev)
    c["crl chain intermediate revoked"] = Case([r], under_rev, [i_rev], "localhost", crl="chain",
                                               crls=(pki.crl(r, [i_rev]), pki.crl(i_rev)))
    c["crl leaf check ignores revoked intermediate"] = Case([r], under_rev, [i_rev], "localhost", crl="leaf",
                                                            crls=(pki.crl(r, [i_rev]), pki.crl(i_rev)))
    c["crl chain clean"] = Case([r], ok, [i], "localhost", crl="chain", crls=(pki.crl(r), pki.crl(i)))
    c["crl chain, no root CRL"] = Case([r], ok, [i], "localhost", crl="chain", crls=(pki.crl(i),))
    return c


CASES = _cases()


# ---------------------------------------------------------------------------------------------
# the verdicts: ("accept",) or ("reject", X509_V_ERR code, message)

def _files(case, d):
    d.mkdir(parents=True, exist_ok=True)
    (d / "roots.pem").write_text("".join(r.pem for r in case.roots))
    (d / "inters.pem").write_text("".join(i.pem for i in case.inters))
    (d / "leaf.pem").write_text(case.leaf.pem)
    crls = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in case.crls)
    (d / "crls.pem").write_text(crls)
    # cadata takes certificates only (as the stdlib's does): CRLs reach a TrustStore through a file
    (d / "ca.pem").write_text((d / "roots.pem").read_text() + crls)
    return d


@pytest.fixture(scope="module")
def case_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("oracles")
    return {name: _files(case, base / f"case{n}") for n, (name, case) in enumerate(sorted(CASES.items()))}


def certcore_verdict(case, d, strict=False):
    v = Verifier(TrustStore(cafile=str(d / "ca.pem")), purpose=case.purpose, at=case.at, crl=case.crl,
                 strict=strict)
    try:
        chain = v.verify(case.leaf.certcore, [i.certcore for i in case.inters], case.hostname)
    except ssl.SSLCertVerificationError as e:
        return ("reject", e.verify_code, e.verify_message)
    assert chain[0] == case.leaf.certcore
    return ("accept",)


def auth_level(purpose="server"):
    """The auth level a handshake uses: the security level of the context create_default_context
    builds (this machine's OpenSSL config sets it; Debian's says 2). Read from certcore's context
    core, which 3.9 also has (its SSLContext has no security_level property)."""
    return ContextCore(ssl.PROTOCOL_TLS_CLIENT if purpose == "server" else ssl.PROTOCOL_TLS_SERVER).security_level


def openssl_args(case, d, strict=False):
    args = [OPENSSL, "verify", "-no-CApath", "-no-CAstore", "-CAfile", str(d / "roots.pem"),
            "-purpose", "sslserver" if case.purpose == "server" else "sslclient",
            "-auth_level", str(auth_level(case.purpose))]
    if case.inters:
        args += ["-untrusted", str(d / "inters.pem")]
    if case.hostname is not None:
        try:
            ipaddress.ip_address(case.hostname)
            args += ["-verify_ip", case.hostname]
        except ValueError:
            args += ["-verify_hostname", case.hostname]
    if case.at is not None:
        args += ["-attime", str(int(case.at.timestamp()))]
    if case.crl is not None:
        args += ["-crl_check" if case.crl == "leaf" else "-crl_check_all"]
    if case.crls:
        args += ["-CRLfile", str(d / "crls.pem")]
    if PY313:
        # 3.13's create_default_context adds VERIFY_X509_STRICT | VERIFY_X509_PARTIAL_CHAIN
        args += ["-partial_chain"]
    if PY313 or strict:
        args += ["-x509_strict"]      # Verifier(strict=True) sets X509_STRICT before its own rules
    return args + [str(d / "leaf.pem")]


_ERROR_LINE = re.compile(r"^(?:\[CRL path\] )?error (\d+) at (\d+) depth lookup: (.*)$", re.M)


def openssl_verdict(case, d, strict=False):
    """`openssl verify`'s verdict: its callback reports every error and carries on past some, so the
    first error line is the one a handshake (which stops there) reports."""
    proc = subprocess.run(openssl_args(case, d, strict), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60)
    out = proc.stdout + proc.stderr
    m = _ERROR_LINE.search(out)
    if proc.returncode == 0:
        assert m is None and ": OK" in out, out
        return ("accept",)
    assert m, out
    return ("reject", int(m.group(1)), m.group(3).strip())


def pyopenssl_verdict(case):
    """pyOpenSSL's X509StoreContext over cryptography's bundled OpenSSL: the store's flags follow
    the Verifier's (CRL checks; 3.13's X509_STRICT|PARTIAL_CHAIN), the time is ``at``; it has no
    purpose, hostname or auth level to set."""
    store = crypto.X509Store()
    for r in case.roots:
        store.add_cert(crypto.X509.from_cryptography(r.cert))
    for c in case.crls:
        store.add_crl(c)
    flags = 0
    if case.crl is not None:
        flags |= crypto.X509StoreFlags.CRL_CHECK
    if case.crl == "chain":
        flags |= crypto.X509StoreFlags.CRL_CHECK_ALL
    if PY313:
        flags |= crypto.X509StoreFlags.X509_STRICT | crypto.X509StoreFlags.PARTIAL_CHAIN
    if flags:
        store.set_flags(flags)
    if case.at is not None:
        store.set_time(case.at)
    ctx = crypto.X509StoreContext(store, crypto.X509.from_cryptography(case.leaf.cert),
                                  [crypto.X509.from_cryptography(i.cert) for i in case.inters])
    try:
        ctx.verify_certificate()
    except crypto.X509StoreContextError as e:
        return ("reject", e.errors[0], e.errors[2])
    return ("accept",)


def cryptography_verdict(case):
    """cryptography's RFC 5280 / CA/B Forum verifier at ``at`` (else now: the SHA-1 certificates
    start when the openssl command made them, after pki.NOW). It checks no CRLs."""
    at = case.at or datetime.datetime.now(datetime.timezone.utc)
    builder = verification.PolicyBuilder().store(verification.Store([r.cert for r in case.roots])).time(at)
    try:
        if case.purpose == "client":
            verifier = builder.build_client_verifier()
        else:
            try:
                subject = x509.IPAddress(ipaddress.ip_address(case.hostname))
            except ValueError:
                subject = x509.DNSName(case.hostname)
            verifier = builder.build_server_verifier(subject)
        verifier.verify(case.leaf.cert, [i.cert for i in case.inters])
    except verification.VerificationError as e:
        return ("reject", str(e))
    return ("accept",)


def test_auth_level_is_the_stdlibs():
    # the oracles get the level certcore's context core reports: the stdlib's context agrees (3.10+
    # has the property), and so does this machine's config (Debian builds OpenSSL with level 2 and
    # its openssl.cnf does not lower it)
    if hasattr(ssl.SSLContext, "security_level"):
        assert auth_level() == ssl.create_default_context().security_level
    assert auth_level() == auth_level("client") == 2


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(scope="module")
def server_identity(tmp_path_factory):
    """The certcore server's own certificate when the case is a client certificate (its own
    validity is not what the case is about)."""
    c = pki.chain()
    d = tmp_path_factory.mktemp("server-identity")
    (d / "chain.pem").write_text(c.leaf.pem + c.inter.pem)
    (d / "key.pem").write_bytes(_key_pem(c.leaf.key))
    return str(d / "chain.pem"), str(d / "key.pem")


def handshake_verdict(case, d, server_identity):
    """A certcore handshake in memory, certcore on the verifying side with its
    create_default_context (server purpose: certcore client, stdlib server sending leaf +
    intermediates; client purpose: certcore server requiring a certificate, stdlib client presenting
    them). The stdlib peer runs at security level 0 so that it can send the weak chains."""
    (d / "served.pem").write_text(case.leaf.pem + "".join(i.pem for i in case.inters))
    (d / "served.key").write_bytes(_key_pem(case.leaf.key))
    flags = {None: 0, "leaf": certcore.VERIFY_CRL_CHECK_LEAF, "chain": certcore.VERIFY_CRL_CHECK_CHAIN}[case.crl]
    if case.purpose == "server":
        ours = certcore.create_default_context(cafile=str(d / "ca.pem"))
        ours.check_hostname = case.hostname is not None
        peer = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        peer.set_ciphers("DEFAULT:@SECLEVEL=0")
        peer.load_cert_chain(d / "served.pem", d / "served.key")
    else:
        ours = certcore.create_default_context(certcore.Purpose.CLIENT_AUTH, cafile=str(d / "ca.pem"))
        ours.verify_mode = certcore.CERT_REQUIRED
        ours.load_cert_chain(*server_identity)
        peer = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        peer.check_hostname = False
        peer.verify_mode = ssl.CERT_NONE
        peer.set_ciphers("DEFAULT:@SECLEVEL=0")
        peer.load_cert_chain(d / "served.pem", d / "served.key")
    ours.verify_flags |= flags
    a, b = ssl.MemoryBIO(), ssl.MemoryBIO()   # certcore takes the stdlib's BIOs, the stdlib not certcore's
    if case.purpose == "server":
        mine = ours.wrap_bio(a, b, server_hostname=case.hostname)
        theirs = peer.wrap_bio(b, a, server_side=True)
    else:
        theirs = peer.wrap_bio(b, a)
        mine = ours.wrap_bio(a, b, server_side=True)
    theirs_done = False
    for _ in range(20):
        for side in (theirs, mine) if case.purpose == "client" else (mine, theirs):
            if side is theirs and theirs_done:
                continue
            try:
                side.do_handshake()
            except ssl.SSLWantReadError:
                continue
            except ssl.SSLCertVerificationError as e:
                if side is mine:
                    return ("reject", e.verify_code, e.verify_message)
                raise
            except ssl.SSLError:
                if side is mine:
                    raise
                theirs_done = True      # the peer got our alert; our side reports the cause
                continue
            if side is mine:
                return ("accept",)
            theirs_done = True
    raise AssertionError("handshake did not finish")


# ---------------------------------------------------------------------------------------------
# A. `openssl verify`, the system OpenSSL certcore links.
#
# Verdicts and codes: no differences (the flags above are the handshake's, on every Python). Only
# the message of the two name-mismatch codes differs, as it does in any handshake: CPython's
# _ssl.c (and certcore after it) replaces X509_verify_cert_error_string's text with its own,
# naming the host.
OPENSSL_DIFFERENCES = {}      # case -> (certcore's verdict, openssl verify's, reason)
HOST_MESSAGES = {
    HOSTNAME_MISMATCH: ("hostname mismatch", "Hostname mismatch, certificate is not valid for {!r}."),
    IP_ADDRESS_MISMATCH: ("IP address mismatch", "IP address mismatch, certificate is not valid for {!r}."),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_policy_matches_openssl_verify(name, case_dirs):
    case, d = CASES[name], case_dirs[name]
    got, want = certcore_verdict(case, d), openssl_verdict(case, d)
    if name in OPENSSL_DIFFERENCES:
        assert (got, want) == OPENSSL_DIFFERENCES[name][:2]
    elif got[0] == "reject" and got[1] in HOST_MESSAGES:
        openssl_text, ours = HOST_MESSAGES[got[1]]
        assert want == ("reject", got[1], openssl_text)
        assert got[2] == ours.format(case.hostname)
    else:
        assert got == want


def test_openssl_verify_is_run_with_the_handshakes_flags(case_dirs):
    # the oracle's command line, for one case of each kind: a wrong flag here would make the
    # comparison above test the oracle against itself
    def args(name):
        return openssl_args(CASES[name], case_dirs[name])
    ok = args("ok")
    assert ok[ok.index("-purpose") + 1] == "sslserver" and ok[ok.index("-auth_level") + 1] == "2"
    assert ok[ok.index("-verify_hostname") + 1] == "localhost"
    assert ("-x509_strict" in ok, "-partial_chain" in ok) == (PY313, PY313)
    assert {"-no-CApath", "-no-CAstore"} <= set(ok)      # the system's CA directory stays out
    assert "sslclient" in args("serverAuth leaf as client") and "-verify_hostname" not in args(
        "serverAuth leaf as client")
    assert args("ip match")[args("ip match").index("-verify_ip") + 1] == "127.0.0.1"
    assert "-crl_check" in args("crl leaf revoked") and "-crl_check_all" in args("crl chain intermediate revoked")
    at = args("at past")
    assert int(at[at.index("-attime") + 1]) == int(CASES["at past"].at.timestamp())


@pytest.mark.parametrize("name", sorted(CASES))
def test_strict_policy_against_openssl_x509_strict(name, case_dirs):
    # Verifier(strict=True) is X509_verify_cert with X509_STRICT, then the policy's own rules over
    # an accepted chain: where `openssl verify -x509_strict` rejects, the code is the same; where
    # it accepts, certcore either accepts too or names a rule of the strict policy
    case, d = CASES[name], case_dirs[name]
    got, want = certcore_verdict(case, d, strict=True), openssl_verdict(case, d, strict=True)
    if want[0] == "reject":
        assert got[:2] == want[:2]
    else:
        assert got == want or got[2].startswith("strict policy: "), got
        assert (got[0] == "reject") == (name in CRYPTOGRAPHY_STRICT_DIFFERENCES)


# ---------------------------------------------------------------------------------------------
# B. pyOpenSSL's X509StoreContext (cryptography's bundled OpenSSL, newer than the system's).
#
# A bare X509_STORE_CTX: no X509_STORE_CTX_set_default("ssl_server"/"ssl_client") so no purpose
# check, no host or IP to match, and the auth level stays at -1 so no security-level checks.
# Every difference is one of those three; where both reject, the codes agree too.
NO_PURPOSE = "pyOpenSSL sets no purpose: the EKU is not checked"
NO_HOST = "pyOpenSSL has no hostname/IP parameter: the name is not checked"
NO_AUTH_LEVEL = "pyOpenSSL leaves the auth level at -1: no key-size or digest checks"
PYOPENSSL_DIFFERENCES = {
    "clientAuth leaf as server": (("reject", INVALID_PURPOSE), ("accept",), NO_PURPOSE),
    "serverAuth leaf as client": (("reject", INVALID_PURPOSE), ("accept",), NO_PURPOSE),
    "dns mismatch": (("reject", HOSTNAME_MISMATCH), ("accept",), NO_HOST),
    "dns wildcard too deep": (("reject", HOSTNAME_MISMATCH), ("accept",), NO_HOST),
    "ip mismatch": (("reject", IP_ADDRESS_MISMATCH), ("accept",), NO_HOST),
    "ip in DNS SAN only": (("reject", IP_ADDRESS_MISMATCH), ("accept",), NO_HOST),
    "rsa1024 leaf": (("reject", EE_KEY_TOO_SMALL), ("accept",), NO_AUTH_LEVEL),
    "rsa1024 intermediate": (("reject", CA_KEY_TOO_SMALL), ("accept",), NO_AUTH_LEVEL),
    "sha1 leaf": (("reject", CA_MD_TOO_WEAK), ("accept",), NO_AUTH_LEVEL),
    "sha1 intermediate": (("reject", CA_MD_TOO_WEAK), ("accept",), NO_AUTH_LEVEL),
}


def test_default_policy_matches_pyopenssl(case_dirs):
    differences = {}
    for name, case in sorted(CASES.items()):
        ours, theirs = certcore_verdict(case, case_dirs[name])[:2], pyopenssl_verdict(case)[:2]
        if ours != theirs:
            differences[name] = (ours, theirs)
    assert differences == {name: entry[:2] for name, entry in PYOPENSSL_DIFFERENCES.items()}


# ---------------------------------------------------------------------------------------------
# C. cryptography.x509.verification: RFC 5280 + CA/B Forum profile, its own path builder, no CRLs.
NO_REVOCATION = "cryptography's verifier does not check revocation (it takes no CRLs)"
PATH_BUILDING = ("OpenSSL takes the first untrusted certificate that names the issuer and looks for "
                 "alternatives only among trusted ones; cryptography builds every path and finds the "
                 "one through the other (untrusted) cross certificate")
LEAF_KEY_SIZE = ("the auth level (2) refuses a 1024-bit RSA leaf key; cryptography checks RSA sizes only "
                 "of the keys that verify signatures (the CA keys), so it rejects the 1024-bit "
                 "intermediate too but not the leaf")
# case -> (certcore's default-policy verdict, reason); cryptography gives the opposite verdict
CRYPTOGRAPHY_DEFAULT_DIFFERENCES = {
    "crl leaf revoked": (("reject", CERT_REVOKED), NO_REVOCATION),
    "crl chain intermediate revoked": (("reject", CERT_REVOKED), NO_REVOCATION),
    "crl leaf, no CRL": (("reject", UNABLE_TO_GET_CRL), NO_REVOCATION),
    "crl chain, no root CRL": (("reject", UNABLE_TO_GET_CRL), NO_REVOCATION),
    "cross-signed only the cross path trusted": (("reject", UNABLE_TO_GET_ISSUER_CERT_LOCALLY), PATH_BUILDING),
    "cross-signed only the original path trusted": (("reject", UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
                                                    PATH_BUILDING),
    "rsa1024 leaf": (("reject", EE_KEY_TOO_SMALL), LEAF_KEY_SIZE),
}
if not PY313:
    # before 3.13 the default context sets neither X509_STRICT nor PARTIAL_CHAIN (3.13 sets both,
    # and then agrees with cryptography on these two)
    CRYPTOGRAPHY_DEFAULT_DIFFERENCES.update({
        "leaf without AKI (3.13 X509_STRICT)": (
            ("accept",), "RFC 5280 4.2.1.1 makes the AKI a MUST (cryptography enforces it); OpenSSL checks it "
                         "only under X509_STRICT"),
        "intermediate as trust anchor (3.13 PARTIAL_CHAIN)": (
            ("reject", UNABLE_TO_GET_ISSUER_CERT), "without PARTIAL_CHAIN OpenSSL anchors a chain only at a "
                                                   "self-signed certificate; cryptography at any certificate "
                                                   "in its store"),
    })
# default-policy differences that strict=True removes: case -> reason
STRICT_RESOLVES = {
    "leaf without AKI (3.13 X509_STRICT)": "strict=True sets X509_STRICT, which requires the AKI",
}
# the strict policy only adds rejections to a chain X509_verify_cert accepted: the default's
# differences stay, and each new one is a rule of _certcore/policy.pyx, checked by the message the
# policy reports: case -> (certcore's strict verdict, policy.pyx rule, message)
CRYPTOGRAPHY_STRICT_DIFFERENCES = {
    "CN not in SAN": (("reject", APPLICATION_VERIFICATION), "leaf: every commonName one SAN entry byte for byte",
                      "strict policy: a subject commonName is not one of the subjectAltName entries"),
    "no EKU leaf": (("reject", APPLICATION_VERIFICATION), "leaf: an EKU extension",
                    "strict policy: the leaf certificate has no extendedKeyUsage extension"),
}

# (3.13's PARTIAL_CHAIN lets a chain end at a trusted intermediate: the strict policy's root rules
# apply to a self-signed anchor only, so both verifiers accept that chain.)


def _cryptography_differences(case_dirs, strict):
    differences = {}
    for name, case in sorted(CASES.items()):
        ours, theirs = certcore_verdict(case, case_dirs[name], strict=strict), cryptography_verdict(case)
        if ours[0] != theirs[0]:
            differences[name] = ours
    return differences


def test_default_policy_against_cryptography(case_dirs):
    got = _cryptography_differences(case_dirs, strict=False)
    assert {name: v[:2] for name, v in got.items()} == \
        {name: entry[0] for name, entry in CRYPTOGRAPHY_DEFAULT_DIFFERENCES.items()}


def test_strict_policy_against_cryptography(case_dirs):
    got = _cryptography_differences(case_dirs, strict=True)
    want = {name: entry[0] for name, entry in CRYPTOGRAPHY_DEFAULT_DIFFERENCES.items() if name not in STRICT_RESOLVES}
    want.update({name: entry[0] for name, entry in CRYPTOGRAPHY_STRICT_DIFFERENCES.items()})
    assert {name: v[:2] for name, v in got.items()} == want
    for name, (_verdict, _rule, message) in CRYPTOGRAPHY_STRICT_DIFFERENCES.items():
        assert got[name][2] == message, name


# ---------------------------------------------------------------------------------------------
# D. a certcore handshake (create_default_context, in memory): the verdict, code and message of
# the socket path itself. A handshake verifies at the current time, so the `at` cases are left out.
HANDSHAKE_SKIPPED = {name for name, case in CASES.items() if case.at is not None}


@pytest.mark.parametrize("name", sorted(set(CASES) - HANDSHAKE_SKIPPED))
def test_default_policy_matches_certcore_handshake(name, case_dirs, server_identity):
    case, d = CASES[name], case_dirs[name]
    assert certcore_verdict(case, d) == handshake_verdict(case, d, server_identity)


def test_tables_name_real_cases():
    for table in (OPENSSL_DIFFERENCES, PYOPENSSL_DIFFERENCES, CRYPTOGRAPHY_DEFAULT_DIFFERENCES,
                  CRYPTOGRAPHY_STRICT_DIFFERENCES, STRICT_RESOLVES, HANDSHAKE_SKIPPED):
        assert set(table) <= set(CASES)
    assert HANDSHAKE_SKIPPED == {"at past", "at future", "at inside an expired leaf's validity"}


# Every item of the issue's list, with the cases that cover it and the verdict each must have. The
# oracles above decide what is right; this pin keeps the corpus from decaying into chains that no
# longer exercise the item (a differential test passes as well when every side accepts everything).
COVERAGE = {
    "expiry": {"expired": 10, "at future": 10},
    "not yet valid": {"not yet valid": 9, "at past": 9},
    "`at` inside the validity": {"at inside an expired leaf's validity": "accept"},
    "wrong purpose": {"clientAuth leaf as server": INVALID_PURPOSE, "serverAuth leaf as client": INVALID_PURPOSE,
                      "clientAuth leaf as client": "accept"},
    "path length": {"path length exceeded": 25, "path length exceeded at intermediate": 25,
                    "path length 1 root, one intermediate": "accept",
                    "path length 0 root, leaf directly under it": "accept"},
    "name constraints DNS": {"nc DNS permitted violated": 47, "nc DNS permitted met": "accept",
                             "nc DNS excluded violated": 48, "nc DNS excluded met": "accept"},
    "name constraints IP": {"nc IP permitted violated": 47, "nc IP permitted met": "accept",
                            "nc IP excluded violated": 48, "nc IP excluded met": "accept"},
    "missing intermediate": {"missing intermediate": UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    "cross-signed alternative paths": {
        "cross-signed both roots trusted": "accept", "cross-signed cross sent first, its root trusted": "accept",
        "cross-signed expired cross, other path trusted": "accept",
        "cross-signed only the cross path trusted": UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    "untrusted root": {"untrusted root": UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    "CA:FALSE intermediate": {"CA:FALSE intermediate": 79},
    "unknown critical extension": {"unknown critical ext leaf": 34, "unknown critical ext intermediate": 34,
                                   "unknown non-critical ext leaf": "accept"},
    "SHA-1": {"sha1 leaf": CA_MD_TOO_WEAK, "sha1 intermediate": CA_MD_TOO_WEAK},
    "RSA-1024": {"rsa1024 leaf": EE_KEY_TOO_SMALL, "rsa1024 intermediate": CA_KEY_TOO_SMALL,
                 "rsa2048 leaf": "accept"},
    "DNS hostnames": {"ok": "accept", "dns mismatch": HOSTNAME_MISMATCH, "dns wildcard": "accept",
                      "dns wildcard too deep": HOSTNAME_MISMATCH},
    "IP hostnames": {"ip match": "accept", "ipv6 match": "accept", "ip mismatch": IP_ADDRESS_MISMATCH,
                     "ip in DNS SAN only": IP_ADDRESS_MISMATCH},
    "the running Python's default context": {
        "leaf without AKI (3.13 X509_STRICT)": 85 if PY313 else "accept",     # MISSING_AUTHORITY_KEY_IDENTIFIER
        "intermediate as trust anchor (3.13 PARTIAL_CHAIN)": "accept" if PY313 else UNABLE_TO_GET_ISSUER_CERT},
    "CRL revocation": {"crl leaf revoked": CERT_REVOKED, "crl chain intermediate revoked": CERT_REVOKED,
                       "crl leaf not revoked": "accept", "crl chain clean": "accept",
                       "crl revoked leaf, checking off": "accept",
                       "crl leaf check ignores revoked intermediate": "accept",
                       "crl leaf, no CRL": UNABLE_TO_GET_CRL},
}


def test_corpus_covers_the_issue_list(case_dirs):
    for item, cases in COVERAGE.items():
        for name, want in cases.items():
            got = certcore_verdict(CASES[name], case_dirs[name])
            assert got[:2] == (("accept",) if want == "accept" else ("reject", want)), (item, name)
    # the weak ones are what their names say: SHA-1 signatures, 1024-bit RSA keys
    assert isinstance(CASES["sha1 leaf"].leaf.cert.signature_hash_algorithm, hashes.SHA1)
    assert isinstance(CASES["sha1 intermediate"].inters[0].cert.signature_hash_algorithm, hashes.SHA1)
    assert CASES["rsa1024 leaf"].leaf.cert.public_key().key_size == 1024
    assert CASES["rsa1024 intermediate"].inters[0].cert.public_key().key_size == 1024
