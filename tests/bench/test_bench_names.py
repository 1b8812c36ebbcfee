"""Hostname checks on certificates: Certificate.match_hostname and check_hostnames against the
peers a user would otherwise pick -- ssl.match_hostname on the decoded dict (CPython 3.11) and
service_identity over a cryptography certificate -- and thread scaling of the batch call.

Run: ci/bench -k names
"""
import ssl
import statistics
import sys
import threading
import time

import pytest

from certcore import Certificate, check_hostnames
from helpers.certgen import build, gn_dns, gn_ip, name, raw_san

DER = build(subject=name(("CN", "www.python.org")),
            extensions=[raw_san(gn_dns(b"www.python.org"), gn_dns(b"*.python.org"), gn_dns(b"python.org"),
                                gn_ip(bytes([151, 101, 0, 223])))],
            key="rsa")
CERT = Certificate.from_der(DER)
CERT_DICT = CERT.to_dict()
stdlib_match_hostname = getattr(ssl, "match_hostname", None) if sys.version_info[:2] == (3, 11) else None


def _quiet(func):
    def call(*args):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return func(*args)
    return call


@pytest.mark.parametrize("host", ["docs.python.org", "www.python.org", "151.101.0.223"])
def test_certificate_vs_stdlib_dict(compare, host):
    if stdlib_match_hostname is None:
        pytest.skip("ssl.match_hostname exists in-process only on CPython <= 3.11")
    theirs = _quiet(stdlib_match_hostname)
    compare(f"Certificate.match_hostname {host}", lambda h: CERT.match_hostname(h),
            lambda h: theirs(CERT_DICT, h), (host,))


def test_certificate_vs_service_identity(compare):
    si = pytest.importorskip("service_identity.cryptography")
    from cryptography import x509
    crypto_cert = x509.load_der_x509_certificate(DER)
    compare("Certificate.match_hostname docs.python.org", lambda h: CERT.match_hostname(h),
            lambda h: si.verify_certificate_hostname(crypto_cert, h), ("docs.python.org",),
            peer="service_identity")


def test_check_hostnames_batch_vs_loop(compare):
    hosts = ["docs.python.org", "www.python.org", "evil.example.com", "python.org"] * 250
    certs = [CERT] * len(hosts)

    def loop(cs, hs):
        out = []
        for c, h in zip(cs, hs):
            try:
                c.match_hostname(h)
                out.append(True)
            except ssl.CertificateError:
                out.append(False)
        return out

    compare("check_hostnames 1000 pairs vs match_hostname loop", check_hostnames, loop, (certs, hosts),
            peer="python loop")


def _throughput_ns(threads, batches, certs, hosts):
    """Wall time per check with `threads` threads each running `batches` check_hostnames calls."""
    barrier = threading.Barrier(threads + 1)

    def work():
        barrier.wait()
        for _ in range(batches):
            check_hostnames(certs, hosts)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter_ns()
    for t in pool:
        t.join()
    return (time.perf_counter_ns() - t0) / (threads * batches * len(hosts))


def test_two_threads_scale(record_ratio):
    hosts = ["docs.python.org", "www.python.org", "mail.python.org", "python.org"] * 500
    certs = [CERT] * len(hosts)
    assert check_hostnames(certs, hosts) == [True] * len(hosts)
    if not record_ratio.enabled:
        return
    one, two = [], []
    for _ in range(7):
        one.append(_throughput_ns(1, 20, certs, hosts))
        two.append(_throughput_ns(2, 20, certs, hosts))
    # ratio = (per-check time with one thread) / (per-check time with two): 2.0 is perfect scaling
    record_ratio("check_hostnames: 2 threads vs 1 (throughput)", "1 thread",
                 statistics.median(two), statistics.median(one), 1.7)
