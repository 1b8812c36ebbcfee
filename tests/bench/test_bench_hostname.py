"""match_hostname: certcore against CPython 3.11's ssl.match_hostname.

The stdlib side only exists on 3.10/3.11 (removed in 3.12); elsewhere these benchmarks skip,
since timing a 3.11 subprocess would not be a same-process comparison.

Run: pytest tests/bench/test_bench_hostname.py --benchmark-enable
"""
import ssl
import sys
import warnings

import pytest

import certcore

stdlib_match_hostname = getattr(ssl, "match_hostname", None)
pytestmark = pytest.mark.skipif(
    stdlib_match_hostname is None or sys.version_info[:2] != (3, 11),
    reason="the comparison is against CPython 3.11's ssl.match_hostname, in-process",
)

# A realistic getpeercert() dict (www.python.org-like): several DNS SANs, IP SANs, a subject.
CERT = {
    "subject": ((("countryName", "US"),), (("stateOrProvinceName", "Delaware"),),
                (("organizationName", "Python Software Foundation"),),
                (("commonName", "www.python.org"),)),
    "issuer": ((("countryName", "US"),), (("organizationName", "DigiCert Inc"),),
               (("commonName", "DigiCert TLS RSA SHA256 2020 CA1"),)),
    "version": 3,
    "serialNumber": "0B6E0D6D1A3F4E9F",
    "notBefore": "Mar 14 00:00:00 2024 GMT",
    "notAfter": "Apr 14 23:59:59 2025 GMT",
    "subjectAltName": (("DNS", "www.python.org"), ("DNS", "*.python.org"), ("DNS", "python.org"),
                       ("IP Address", "151.101.0.223"),
                       ("IP Address", "2A04:4E42:0:0:0:0:0:223\n")),
}


def _catching(func):
    # A miss raises; pytest-benchmark times callables that return, so both sides of the miss
    # benchmark get the same try/except wrapper (which adds the same cost to each).
    def call(cert, hostname):
        try:
            func(cert, hostname)
        except ssl.CertificateError:
            pass

    return call


CASES = [
    ("match_hostname exact hit", "www.python.org", 10),
    ("match_hostname wildcard hit", "docs.python.org", 10),
    ("match_hostname IPv4 hit", "151.101.0.223", 10),
    ("match_hostname IPv6 hit", "2a04:4e42::223", 10),
    ("match_hostname miss (raises)", "evil.example.com", 3),
]


@pytest.mark.bench
@pytest.mark.parametrize("name,hostname,target", CASES, ids=[c[0].split(" ", 1)[1] for c in CASES])
def test_match_hostname(compare, name, hostname, target):
    ours, theirs = certcore.match_hostname, stdlib_match_hostname
    if "miss" in name:
        with pytest.raises(ssl.CertificateError):
            certcore.match_hostname(CERT, hostname)
        ours, theirs = _catching(ours), _catching(theirs)
    # The stdlib warns on every call. Time it with one "ignore" filter only: its cheapest
    # realistic cost (pytest's own filter list would make each warn() slower and flatter us).
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("ignore", DeprecationWarning)
        compare(name, ours, theirs, (CERT, hostname), target=target)
