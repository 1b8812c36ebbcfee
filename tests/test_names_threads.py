"""The first use of a certificate by several threads at once gives the single-threaded verdict.

A Certificate summarizes its names lazily, the first time a hostname is checked against it, with
the GIL released. A certificate with ``CN=localhost`` and one IP subjectAltName must never match
``"localhost"``: the subjectAltName forbids the commonName fallback. If a second thread could see
the summary before it is complete (IP SAN count still 0), OpenSSL would be asked to fall back to
the commonName and say "match". This test makes every check a first use: fresh Certificate
objects, released to several threads at the same moment, through every entry point.

CERTCORE_RACE_CERTS (default 4000) sets how many fresh certificates each round uses;
ci/harden runs a longer mode.
"""
import ipaddress
import os
import ssl
import threading
import warnings

import pytest
from cryptography import x509

import certcore
from helpers.certgen import build, name

CERTS = int(os.environ.get("CERTCORE_RACE_CERTS", "4000"))
THREADS = 3


@pytest.fixture(scope="module")
def der():
    return build(subject=name(("CN", "localhost")),
                 extensions=[x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])])


def _via_method(cert):
    try:
        cert.match_hostname("localhost")
        return True
    except ssl.CertificateError:
        return False


def _via_function(cert):
    try:
        certcore.match_hostname(cert, "localhost")
        return True
    except ssl.CertificateError:
        return False


def _via_batch(cert):
    return certcore.check_hostnames([cert], ["localhost"])[0]


def _via_strict_false_ip(cert):
    # the IP SAN itself must still match on first use
    try:
        cert.match_hostname("127.0.0.1")
        return True
    except ssl.CertificateError:
        return False


@pytest.mark.parametrize("check,expected", [
    (_via_method, False), (_via_function, False), (_via_batch, False), (_via_strict_false_ip, True),
], ids=["Certificate.match_hostname", "certcore.match_hostname", "check_hostnames", "ip-san-matches"])
def test_first_concurrent_use_gives_the_single_threaded_verdict(der, check, expected):
    # the single-threaded verdict, and the stdlib's on the decoded dict, agree with `expected`
    assert check(certcore.Certificate.from_der(der)) is expected
    d = certcore.Certificate.from_der(der).to_dict()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            (getattr(ssl, "match_hostname", None) or certcore.match_hostname)(d, "localhost")
        dict_verdict = True
    except ssl.CertificateError:
        dict_verdict = False
    assert dict_verdict is False

    wrong = [0] * THREADS
    for _ in range(2):
        certs = [certcore.Certificate.from_der(der) for _ in range(CERTS)]
        start = threading.Barrier(THREADS)

        def worker(k):
            start.wait()
            bad = 0
            for c in certs:                  # every thread walks the same fresh objects in order
                if check(c) is not expected:
                    bad += 1
            wrong[k] += bad

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert wrong == [0] * THREADS, f"wrong verdicts per thread: {wrong} of {2 * CERTS} calls each"
