"""The Verifier's validity-period check (asn1time.cmp_cert_time) against OpenSSL's X509_cmp_time.

_internal_verify breaks the verification time down once per chain and compares each notBefore /
notAfter with it, instead of calling X509_cmp_time (which formats the time into a new ASN1_TIME,
through a glibc gmtime_r that takes a process-wide lock, for every comparison). The oracle is
X509_cmp_time itself, called in the same hook on the same ASN1 string and time; then whole chains
with the validity edges at `at`, verified both ways (certcore's pass and OpenSSL's own).
"""
import datetime
import ssl

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _certcore.asn1time import _test_cmp_cert_time as cmp_both
from _certcore.truststore import TrustStore
from _certcore import verify as _verify
from _certcore.verify import Verifier
from helpers import pki
from helpers.scale import examples

UTC, GEN, OCTETS = 23, 24, 4
T_MIN, T_MAX = -62135596800, 253402300799       # 0001-01-01 and 9999-12-31T23:59:59, UTC


def fields(t):
    d = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=t)
    return d


def utc(d):
    return d.strftime("%y%m%d%H%M%S").encode() + b"Z"


def gen(d):
    return b"%04d" % d.year + d.strftime("%m%d%H%M%S").encode() + b"Z"


def agree(kind, value, t):
    ours, theirs = cmp_both(kind, value, t)
    if T_MIN <= t <= T_MAX:
        assert ours is not None, (kind, value, t)
    if ours is not None:
        assert ours == theirs, (kind, value, t, ours, theirs)
    return theirs


def test_edges_each_side_of_now():
    # equal is "not after" (X509_cmp_time's <=), one second either way flips it
    for t in (0, 1700000000, 2524607999, 2524608000, 4102444800, -1, -631152000):
        d = fields(t)
        for kind, enc in ((GEN, gen),) + (((UTC, utc),) if 1950 <= d.year < 2050 else ()):
            assert agree(kind, enc(d), t) == -1
            assert agree(kind, enc(d), t - 1) == 1
            assert agree(kind, enc(d), t + 1) == -1


@pytest.mark.parametrize("t", [T_MAX + 1, T_MAX + 10**9, T_MIN - 1, T_MIN - 10**10, 10**16])
def test_times_outside_years_1_to_9999_are_openssls(t):
    # X509_cmp_time formats such a time into a string it cannot read back (a five-digit or
    # negative year): those comparisons stay X509_cmp_time's
    for kind, value in ((GEN, b"20250101000000Z"), (UTC, b"250101000000Z"), (GEN, b"99991231235959Z")):
        ours, theirs = cmp_both(kind, value, t)
        assert ours is None
        if t > T_MAX:
            assert theirs == 0


@pytest.mark.parametrize("kind, value", [
    (UTC, b"2501010000Z"),          # no seconds: ASN.1 allows it, RFC 5280 and X509_cmp_time do not
    (UTC, b"250101000000+0100"),
    (UTC, b"250101000000z"),
    (UTC, b"25010100000 Z"),
    (UTC, b"251301000000Z"),        # month 13
    (UTC, b"250230000000Z"),        # 30 February
    (UTC, b"250101240000Z"),
    (UTC, b"250101000060Z"),
    (GEN, b"20250101000000.5Z"),
    (GEN, b"202501010000Z"),
    (GEN, b"00000101000000Z"),
    (GEN, b"20240229000000Z"),      # a real leap day
    (GEN, b"20250229000000Z"),
    (OCTETS, b"20250101000000Z"),   # neither time type
    (UTC, b""),
    (GEN, b"\x00" * 15),
])
def test_malformed_and_odd_forms(kind, value):
    for t in (0, 1750000000, T_MIN, T_MAX):
        agree(kind, value, t)


@st.composite
def times_near(draw):
    t = draw(st.integers(T_MIN, T_MAX))
    d = fields(draw(st.integers(max(T_MIN, t - 10**8), min(T_MAX, t + 10**8))))
    kind = draw(st.sampled_from([UTC, GEN]) if 1950 <= d.year < 2050 else st.just(GEN))
    value = utc(d) if kind == UTC else gen(d)
    if draw(st.booleans()):
        # one character replaced: digits out of range, a non-digit, a lost 'Z'
        i = draw(st.integers(0, len(value) - 1))
        value = value[:i] + bytes([draw(st.sampled_from(b"0123456789Z+-. \x00\xff"))]) + value[i + 1:]
    return kind, value, t


@settings(max_examples=examples(3000), deadline=None, suppress_health_check=list(HealthCheck))
@given(times_near())
def test_generated_times(case):
    agree(*case)


@settings(max_examples=examples(500), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([UTC, GEN, OCTETS]), st.binary(max_size=20),
       st.integers(-(1 << 62), (1 << 62)))
def test_random_strings_and_times(kind, value, t):
    agree(kind, value, t)


@pytest.fixture(scope="module")
def chain():
    # distinct windows, so that each certificate's edges are its own (the leaf outlives the
    # intermediate, which starts before the root)
    r = pki.root(not_before=pki.NOW - 2 * pki.DAY, not_after=pki.NOW + 300 * pki.DAY)
    i = pki.intermediate("time intermediate", r, not_before=pki.NOW - 3 * pki.DAY,
                         not_after=pki.NOW + 200 * pki.DAY)
    leaf = pki.leaf("time.example", i, sans=("time.example",),
                    not_before=pki.NOW - datetime.timedelta(hours=5), not_after=pki.NOW + 250 * pki.DAY)
    return r, i, leaf


def _verdict(verifier, leaf, inters):
    try:
        return len(verifier.verify(leaf, inters, "time.example"))
    except ssl.SSLCertVerificationError as e:
        return e.verify_code, e.verify_message


def test_chain_validity_edges_both_ways(chain):
    r, i, leaf = chain
    trust = TrustStore([r.certcore])
    edges = []
    for c in (leaf, i, r):
        nb = int(c.cert.not_valid_before_utc.timestamp())
        na = int(c.cert.not_valid_after_utc.timestamp())
        edges += [nb - 1, nb, nb + 1, na - 1, na, na + 1]
    seen = set()
    try:
        for at in edges:
            verdicts = []
            for own in (True, False):
                _verify._set_own_verify(own)
                verdicts.append(_verdict(Verifier(trust, at=at), leaf.certcore, [i.certcore]))
            assert verdicts[0] == verdicts[1], (at, verdicts)
            seen.add(verdicts[0] if isinstance(verdicts[0], int) else verdicts[0][0])
    finally:
        _verify._set_own_verify(True)
    # the edges reach both answers: verified, expired, and not yet valid
    assert {3, 9, 10} <= seen, seen
