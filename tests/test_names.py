"""Certificate.match_hostname and check_hostnames: the same verdicts, exceptions and messages
as match_hostname on the decoded dict, and OpenSSL's X509_check_host path agreeing with the
rules wherever certcore lets it decide."""
import os
import resource

import pytest
from hypothesis import given, settings, strategies as st

import certcore
from certcore import Certificate, CertificateError, check_hostnames
from helpers.certgen import build, gn_dns, gn_ip, name, raw_san
from helpers.namecorpus import HOSTNAMES, certificates
from helpers.outcome import outcome
import _certcore.x509

openssl_verdict = _certcore.x509._openssl_verdict


def dict_outcome(cert, host, strict=False):
    d = cert.to_dict()
    if strict:
        d = {k: v for k, v in d.items() if k != "subject"}
    return outcome(certcore.match_hostname, d, host)


def _decodable(der):
    cert = Certificate.from_der(der)
    try:
        cert.to_dict()
    except ValueError:
        return None
    return cert


CORPUS = [(label, _decodable(der)) for label, der in certificates().items()]
CORPUS = [(label, cert) for label, cert in CORPUS if cert is not None]


@pytest.mark.parametrize("strict", [False, True])
def test_certificate_match_hostname_is_the_dict_rules(strict):
    compared = 0
    for label, cert in CORPUS:
        for host in HOSTNAMES:
            expected = dict_outcome(cert, host, strict)
            assert outcome(cert.match_hostname, host, strict=strict) == expected, (label, host)
            if not strict:
                assert outcome(certcore.match_hostname, cert, host) == expected, (label, host)
            compared += 1
    assert compared > 4000


@pytest.mark.parametrize("strict", [False, True])
def test_openssl_path_agrees_where_it_decides(strict):
    decided = disagreements = 0
    for label, cert in CORPUS:
        for host in HOSTNAMES:
            verdict = openssl_verdict(cert, host, strict)
            if verdict is None:
                continue
            decided += 1
            if verdict != (dict_outcome(cert, host, strict)[0] == "ok"):
                disagreements += 1
                print("disagree:", label, repr(host), verdict)
    assert disagreements == 0
    # The corpus is built to sit on the edges, yet a good share of pairs stays on OpenSSL's path.
    assert decided > 0.25 * len(CORPUS) * len(HOSTNAMES)


def test_openssl_path_is_taken_for_ordinary_certificates():
    cert = Certificate.from_der(build(extensions=[raw_san(gn_dns(b"*.example.com"), gn_dns(b"example.com"),
                                                          gn_ip(bytes([192, 0, 2, 1])))]))
    assert openssl_verdict(cert, "www.example.com") is True
    assert openssl_verdict(cert, "example.com") is True
    assert openssl_verdict(cert, "a.b.example.com") is False
    assert openssl_verdict(cert, "192.0.2.1") is True
    assert openssl_verdict(cert, "192.0.2.2") is False
    assert openssl_verdict(cert, "caf\u00e9.example.com") is None      # non-ASCII: the exact rules


# --- generated certificates and hostnames ------------------------------------------------------

label = st.sampled_from(["www", "example", "com", "a", "xn--tda", "WWW", "b-c", "x", "1", "2", "*", "f*",
                         "*o", "", "k", "\u212a", "caf\u00e9", "a\x00b", "under_score", "-a", "a-"])
dns_name = st.lists(label, min_size=1, max_size=4).map(".".join) | st.sampled_from(["*.com", "*", "1.2.3.4"])
ip_bytes = st.sampled_from([bytes([127, 0, 0, 1]), bytes([1, 2, 3, 4]), bytes(15) + b"\x01", bytes([1, 2, 3])])
host = (st.lists(st.sampled_from(["www", "example", "com", "a", "xn--tda", "WWW", "b-c", "x", "1", "2", "k",
                                  "\u212a", "", "-a", "4", "3"]), min_size=1, max_size=4).map(".".join)
        | st.sampled_from(["127.0.0.1", "1.2.3.4", "::1", "::ffff:1.2.3.4", "0:0:0:0:0:0:0:1", "127.1"]))


@settings(max_examples=150, deadline=None)
@given(dns=st.lists(dns_name, max_size=3), ips=st.lists(ip_bytes, max_size=2),
       cn=st.one_of(st.none(), dns_name), hosts=st.lists(host, min_size=1, max_size=8))
def test_generated_certificates_agree(dns, ips, cn, hosts):
    sans = [gn_dns(d.encode("utf-8")) for d in dns] + [gn_ip(i) for i in ips]
    subject = name(("CN", cn)) if cn and "\x00" not in cn else name(("O", "x"))
    der = build(subject=subject, extensions=[raw_san(*sans)] if sans else [])
    cert = _decodable(der)
    if cert is None:
        return
    for h in hosts:
        for strict in (False, True):
            expected = dict_outcome(cert, h, strict)
            assert outcome(cert.match_hostname, h, strict=strict) == expected
            verdict = openssl_verdict(cert, h, strict)
            if verdict is not None:
                assert verdict == (expected[0] == "ok"), (dns, ips, cn, h, strict)
    assert check_hostnames([cert] * len(hosts), hosts) == [dict_outcome(cert, h)[0] == "ok" for h in hosts]


# --- security cases ------------------------------------------------------------------------------

def test_nul_byte_in_san_does_not_match_the_prefix():
    cert = Certificate.from_der(build(extensions=[raw_san(gn_dns(b"www.python.org\x00.example.org"))]))
    with pytest.raises(CertificateError):
        cert.match_hostname("www.python.org")
    assert check_hostnames(cert, ["www.python.org", "www.python.org\x00.example.org"]) == [False, True]


@pytest.mark.parametrize("pattern,host,message", [
    (b"f*.example.com", "foo.example.com", "partial wildcards in leftmost label are not supported"),
    (b"*.*.example.com", "a.b.example.com", "too many wildcards in certificate DNS name"),
    (b"www.*.com", "www.example.com", "wildcard can only be present in the leftmost label"),
    (b"*", "localhost", "sole wildcard without additional labels are not support"),
])
def test_wildcard_abuse_raises_the_stdlib_errors(pattern, host, message):
    cert = Certificate.from_der(build(extensions=[raw_san(gn_dns(pattern))]))
    with pytest.raises(CertificateError, match=message):
        cert.match_hostname(host)
    assert check_hostnames(cert, [host]) == [False]


def test_wildcard_over_a_tld_follows_the_stdlib():
    # CPython 3.11 accepts "*.com" as a wildcard (OpenSSL does not): certcore follows CPython.
    cert = Certificate.from_der(build(extensions=[raw_san(gn_dns(b"*.com"))]))
    assert dict_outcome(cert, "example.com")[0] == "ok"
    assert cert.match_hostname("example.com") is None
    assert openssl_verdict(cert, "example.com") is None


def test_ip_san_blocks_common_name_fallback():
    cert = Certificate.from_der(build(subject=name(("CN", "www.example.com")),
                                      extensions=[raw_san(gn_ip(bytes([10, 0, 0, 1])))]))
    with pytest.raises(CertificateError, match="doesn't match '10.0.0.1'"):
        cert.match_hostname("www.example.com")
    assert cert.match_hostname("10.0.0.1") is None


def test_strict_never_uses_the_common_name():
    cert = Certificate.from_der(build(subject=name(("CN", "www.example.com"))))
    assert cert.match_hostname("www.example.com") is None
    with pytest.raises(CertificateError):
        cert.match_hostname("www.example.com", strict=True)
    assert check_hostnames(cert, ["www.example.com"], strict=True) == [False]


# --- the batch call ------------------------------------------------------------------------------

def test_check_hostnames_pairs_and_broadcast():
    certs = [cert for _, cert in CORPUS[:40]]
    hosts = [HOSTNAMES[i % len(HOSTNAMES)] for i in range(len(certs))]
    expected = [dict_outcome(c, h)[0] == "ok" for c, h in zip(certs, hosts)]
    assert check_hostnames(certs, hosts) == expected
    assert check_hostnames(tuple(certs), iter(hosts)) == expected
    one = certs[0]
    assert check_hostnames(one, HOSTNAMES) == [dict_outcome(one, h)[0] == "ok" for h in HOSTNAMES]
    assert check_hostnames([], []) == []


def test_check_hostnames_bad_arguments():
    cert = CORPUS[0][1]
    with pytest.raises(ValueError, match="2 certificates and 1 hostnames"):
        check_hostnames([cert, cert], ["a"])
    with pytest.raises(TypeError):
        check_hostnames([cert.to_dict()], ["a"])
    with pytest.raises(TypeError):
        check_hostnames([cert], [b"a"])
    with pytest.raises(TypeError):
        check_hostnames(cert, None)


def test_bad_hostname_types_match_the_dict_path():
    cert = CORPUS[0][1]
    for bad in (None, b"www.example.com", 42, ["x"]):
        assert outcome(cert.match_hostname, bad) == dict_outcome(cert, bad)


def test_system_trust_store_certificates():
    path = "/etc/ssl/certs/ca-certificates.crt"
    if not os.path.exists(path):
        pytest.skip("no system CA bundle")
    for cert in certcore.load_certificates(open(path, "rb").read()):
        for host in ("www.example.com", "localhost", "127.0.0.1", "::1"):
            assert outcome(cert.match_hostname, host) == dict_outcome(cert, host)


@pytest.mark.rss
def test_no_memory_growth_over_100k_checks():
    cert = Certificate.from_der(build(extensions=[raw_san(gn_dns(b"*.example.com"))]))
    hosts = ["www.example.com", "www.example.org"] * 500

    def rss_kib():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() // 1024

    for _ in range(5):
        check_hostnames(cert, hosts)
    before = rss_kib()
    for _ in range(50):
        check_hostnames(cert, hosts)
        for h in hosts[:1000]:
            try:
                cert.match_hostname(h)
            except CertificateError:
                pass
    assert rss_kib() - before < 4096
