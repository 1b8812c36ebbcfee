"""The C API's chain verification (verifier_handle + verify_chain, table version 2): a C extension
and a Cython module built in the test run parse chains with d2i_X509 and verify them through the
C API with the GIL released; every answer is compared with Verifier.verify on the same chain
(verify code, message, verified chain as DER). Also: bad arguments, concurrent callers, and the
table's compatibility with consumers built against the version-1 header."""
import os
import ssl
import subprocess
import sys
import threading
import time

import pytest

import certcore
import _certcore.capi
from _certcore.truststore import TrustStore
from _certcore.verify import Verifier
from helpers import pki
from test_capi import HERE, _build
from test_strict_policy import CASES as STRICT_CASES, GOOD as STRICT_GOOD
from test_verifier import CASES

HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH, UNSPECIFIED = 62, 64, 1


@pytest.fixture(scope="module")
def c_consumer(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("capi_verify_c"), "consumer.c", "capi_consumer", cython=False)


@pytest.fixture(scope="module")
def cy_consumer(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("capi_verify_cy"), "cyconsumer.pyx", "cyconsumer", cython=True)


def _python(verifier, leaf, inters, hostname):
    """Verifier.verify's answer as (verify_code, verify_message, chain DER list or None)."""
    try:
        chain = verifier.verify(leaf.certcore, [i.certcore for i in inters], hostname)
    except ssl.SSLCertVerificationError as e:
        return e.verify_code, e.verify_message, None
    return 0, None, [c.der for c in chain]


def _expected_message(c_consumer, code, py_message):
    # verify_chain's text is OpenSSL's for a name mismatch (the Python one quotes the hostname,
    # which a C caller already has) and Verifier.verify's for everything else
    if code == 0 or code in (HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH):
        return c_consumer.verify_error_string(code).decode()
    return py_message


def _compare(c_consumer, cy_consumer, verifier, leaf, inters, hostname, label):
    """Both consumers' verify_chain against Verifier.verify; the Python verify_code."""
    code, py_message, chain = _python(verifier, leaf, inters, hostname)
    message = _expected_message(c_consumer, code, py_message)
    host = hostname.encode() if hostname is not None else None
    leaf_der, inter_ders = leaf.der, [i.der for i in inters]
    got = c_consumer.verify_chain(verifier, leaf_der, inter_ders, host, 1, 256)
    assert got == (c_consumer.OK, code, len(message), message.encode(), chain, True), label
    # no chain asked for: the same verdict; no intermediates: NULL, not an empty stack
    got = c_consumer.verify_chain(verifier, leaf_der, inter_ders or None, host, 0, -1)
    assert got == (c_consumer.OK, code, 0, None, None, True), label
    got = cy_consumer.verify_chain(verifier, leaf_der, inter_ders, host)
    assert got == (c_consumer.OK, code, message, chain, True), label
    return code


@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_chain_matches_verifier(c_consumer, cy_consumer, name):
    roots, leaf, inters, hostname = CASES[name]
    verifier = Verifier(TrustStore([r.certcore for r in roots]))
    code = _compare(c_consumer, cy_consumer, verifier, leaf, inters, hostname, name)
    # both sides accepting (or rejecting) everything would agree too: pin the verdicts that are
    # RFC 5280 facts (test_verifier's test_expected_rejections_happen)
    if name in ("ok", "ip match", "name constraint DNS ok"):
        assert code == 0, name
    elif name in _REJECTED:
        assert code != 0, name


_REJECTED = ("dns mismatch", "ip mismatch", "expired", "not yet valid", "missing intermediate", "untrusted root",
             "CA:FALSE intermediate", "path length", "name constraint DNS", "name constraint IP excluded",
             "unknown critical", "clientAuth only")


def test_verify_chain_hostnames_match_verifier(c_consumer, cy_consumer):
    # IP literals are told from DNS names as Verifier.verify tells them (a2i_IPADDRESS)
    r = pki.root()
    i = pki.intermediate("inter", r)
    leaf = pki.leaf("localhost", i, sans=("localhost", "*.wild.example", "IP:127.0.0.1", "IP:::1"))
    verifier = Verifier(TrustStore([r.certcore]))
    codes = set()
    for host in ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "::1", "0:0::1", "::2", "127.0.0.2",
                 "a.wild.example", "wild.example", "a.b.wild.example", "example.org", "127.1", "1.2.3",
                 "[::1]", "localhost:443"]:
        codes.add(_compare(c_consumer, cy_consumer, verifier, leaf, [i], host, host))
    assert codes == {0, HOSTNAME_MISMATCH, IP_ADDRESS_MISMATCH}


def _strict_chains():
    for name, (build, _, _) in sorted(STRICT_CASES.items()):
        yield name, build()
    for name, build in sorted(STRICT_GOOD.items()):
        yield name, build()


def test_verify_chain_strict_matches_verifier(c_consumer, cy_consumer):
    messages = {}
    for name, (leaf, inter, root) in _strict_chains():
        verifier = Verifier(TrustStore([root.certcore]), strict=True)
        # no hostname: some conforming chains name other hosts, and the policy is the subject here
        code = _compare(c_consumer, cy_consumer, verifier, leaf, [inter], None, name)
        messages[name] = (code, _python(verifier, leaf, [inter], None)[1])
    # the strict policy's own texts came through (not only OpenSSL's), and conforming chains pass
    assert sum(1 for _, m in messages.values() if m and m.startswith("strict policy: ")) >= 20, messages
    assert all(messages[name][0] == 0 for name in STRICT_GOOD), messages


def test_verify_chain_message_buffer(c_consumer):
    c = pki.chain()
    verifier = Verifier(TrustStore([c.root.certcore]))
    args = (verifier, c.leaf.der, [c.inter.der], b"example.org")
    text = c_consumer.verify_error_string(HOSTNAME_MISMATCH)
    n = len(text)
    # exactly enough room: written, no terminator needed
    assert c_consumer.verify_chain(*args, 1, n) == (c_consumer.OK, HOSTNAME_MISMATCH, n, text, None, True)
    # one byte short, or no buffer: ENOSPACE, the verdict and the size still reported
    for cap in (n - 1, 0):
        assert c_consumer.verify_chain(*args, 1, cap) == (c_consumer.ENOSPACE, HOSTNAME_MISMATCH, n, None, None,
                                                          True)
    # an accepted chain with too small a buffer: no chain handed out (nothing to leak)
    ok = (verifier, c.leaf.der, [c.inter.der], b"localhost")
    assert c_consumer.verify_chain(*ok, 1, 1) == (c_consumer.ENOSPACE, 0, 2, None, None, True)
    assert c_consumer.verify_chain(*ok, 1, 2)[:4] == (c_consumer.OK, 0, 2, b"ok")


def test_verify_chain_bad_arguments(c_consumer):
    c = pki.chain()
    verifier = Verifier(TrustStore([c.root.certcore]))
    leaf, inters = c.leaf.der, [c.inter.der]
    einval = (c_consumer.EINVAL, UNSPECIFIED, 0, None, None, True)
    assert c_consumer.verify_chain(verifier, None, inters, b"localhost", 1, 256) == einval     # NULL leaf
    assert c_consumer.verify_chain(None, leaf, inters, b"localhost", 1, 256) == einval        # NULL handle
    # no verify_code to report through
    assert c_consumer.verify_chain(verifier, leaf, inters, b"localhost", 1, 256, 1)[0] == c_consumer.EINVAL
    # a message buffer without message_len
    assert c_consumer.verify_chain(verifier, leaf, inters, b"localhost", 1, 256, 0, 1) == einval
    # hostname NULL with a length
    assert c_consumer.verify_chain(verifier, leaf, inters, None, 1, 256, 0, 0, 3) == einval
    # the hostnames Verifier.verify refuses with ValueError
    for host in [b"", b"localhost\x00.evil.example", b"\x00", b".localhost", b"l\xc3\xb6calhost",
                 b"127.0.0.1\x00"]:
        with pytest.raises(ValueError):
            verifier.verify(c.leaf.certcore, [c.inter.certcore], host.decode("utf-8"))
        assert c_consumer.verify_chain(verifier, leaf, inters, host, 1, 256) == einval, host
    # a length that stops before the NUL is an ordinary name
    got = c_consumer.verify_chain(verifier, leaf, inters, b"localhost\x00.evil.example", 1, 256, 0, 0, 9)
    assert got[:2] == (c_consumer.OK, 0)
    # hostname NULL and length 0: no name check, as hostname=None
    assert c_consumer.verify_chain(verifier, leaf, inters, None, 0, 256)[:2] == (c_consumer.OK, 0)


@pytest.mark.parametrize("bad", [None, "verifier", 42, "truststore", "uninitialized"])
def test_verifier_handle_refuses_non_verifiers(c_consumer, cy_consumer, bad):
    obj = {"truststore": lambda: TrustStore([]), "uninitialized": lambda: Verifier.__new__(Verifier)}.get(
        bad, lambda: bad)()
    expected = ValueError if bad == "uninitialized" else TypeError
    for consumer in (c_consumer, cy_consumer):
        with pytest.raises(expected, match="not initialized" if bad == "uninitialized" else "certcore.Verifier"):
            consumer.verifier_handle(obj)
    # the Python method says the same about an uninitialized Verifier
    if bad == "uninitialized":
        with pytest.raises(ValueError, match="not initialized"):
            obj.verify(pki.chain().leaf.certcore)


def test_verifier_handle_of_a_subclass(c_consumer):
    class Sub(Verifier):
        pass

    c = pki.chain()
    got = c_consumer.verify_chain(Sub(TrustStore([c.root.certcore])), c.leaf.der, [c.inter.der], b"localhost", 1,
                                  256)
    assert got[:2] == (c_consumer.OK, 0)


def test_concurrent_callers_get_the_same_answers(c_consumer):
    # each thread runs 150 verify_chain calls per chain in one stretch without the GIL
    c = pki.chain()
    r = c.root
    expired = pki.leaf("localhost", c.inter, not_before=pki.NOW - 10 * pki.DAY, not_after=pki.NOW - pki.DAY)
    no_aki = pki.leaf("localhost", c.inter, aki=None)
    plain = Verifier(TrustStore([r.certcore]))
    strict = Verifier(TrustStore([r.certcore]), strict=True)
    jobs = [(plain, c.leaf, "localhost"), (plain, c.leaf, "example.org"), (plain, expired, "localhost"),
            (strict, no_aki, "localhost"), (strict, c.leaf, "localhost"), (plain, c.leaf, "127.0.0.1")]
    want = []
    for verifier, leaf, host in jobs:
        code, message, chain = _python(verifier, leaf, [c.inter], host)
        want.append((code, _expected_message(c_consumer, code, message).encode(), len(chain) if chain else -1,
                     0, 0, 0, False))
    assert len({w[0] for w in want}) >= 4
    results, errors = [], []

    def work():
        try:
            for (verifier, leaf, host) in jobs:
                results.append(c_consumer.verify_repeat(verifier, leaf.der, [c.inter.der], host.encode(), 150))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == sorted(want * 4)


def test_verify_chain_runs_without_the_gil(c_consumer):
    # while one thread is inside verify_chain calls, the main thread keeps running Python code:
    # had the C API taken the GIL, the main thread would stall for the whole stretch
    c = pki.chain()
    verifier = Verifier(TrustStore([c.root.certcore]))
    args = (verifier, c.leaf.der, [c.inter.der], b"localhost")
    start = time.perf_counter()
    c_consumer.verify_repeat(*args, 200)
    per_call = (time.perf_counter() - start) / 200
    n = max(200, int(1.0 / per_call))             # about a second of calls
    done = threading.Event()
    t = threading.Thread(target=lambda: (c_consumer.verify_repeat(*args, n), done.set()))
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        t.start()
        ticks, last, gap = 0, time.perf_counter(), 0.0
        began = last
        while not done.is_set():
            now = time.perf_counter()
            gap = max(gap, now - last)
            last = now
            ticks += 1
        elapsed = last - began
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert elapsed > 0.3, elapsed
    assert gap < elapsed / 2, (gap, elapsed)


def test_table_is_version_2(c_consumer):
    version, size = c_consumer.api_info()
    assert version == c_consumer.HEADER_VERSION == _certcore.capi.CAPI_VERSION == 2
    # the two version-2 pointers come after the six of version 1
    assert size >= 2 * 8 + 8 * 8


def test_version_1_consumer_still_imports(tmp_path):
    v1 = _build(tmp_path, "v1consumer.c", "capi_v1consumer", cython=False,
                first_includes=[os.path.join(HERE, "capi", "v1")])
    version, size, header_version = v1.api_info()
    assert (version, header_version) == (_certcore.capi.CAPI_VERSION, 1)
    # version-1 entries still sit where a version-1 binary calls them
    assert v1.cert_time_to_seconds(b"Jan  5 09:34:43 2018 GMT") == (0, certcore.cert_time_to_seconds(
        "Jan  5 09:34:43 2018 GMT"))
    der = pki.chain().leaf.der
    assert v1.pem_to_der(certcore.DER_cert_to_PEM_cert(der).encode()) == (0, der)


def test_consumer_of_a_newer_header_is_refused(tmp_path):
    # a binary built against a header newer than the running certcore must not import (it would
    # call past the end of the table)
    inc = tmp_path / "inc"
    inc.mkdir()
    with open(os.path.join(certcore.get_include(), "certcore.h")) as f:
        header = f.read()
    current = f"#define CERTCORE_CAPI_VERSION {_certcore.capi.CAPI_VERSION}\n"
    assert current in header
    (inc / "certcore.h").write_text(header.replace(
        current, f"#define CERTCORE_CAPI_VERSION {_certcore.capi.CAPI_VERSION + 1}\n"))
    saved = sys.modules.pop("capi_consumer", None)   # the other consumer of the same name
    try:
        with pytest.raises(ImportError, match="older than this extension needs"):
            _build(tmp_path, "consumer.c", "capi_consumer", cython=False, first_includes=[inc])
    finally:
        sys.modules.pop("capi_consumer", None)
        if saved is not None:
            sys.modules["capi_consumer"] = saved


def test_consumer_imports_before_certcore(c_consumer):
    # certcore_import() in a fresh interpreter where nothing imported certcore yet (the capsule's
    # module is a submodule, which PyCapsule_Import alone does not import)
    code = "import capi_consumer, sys; print(capi_consumer.api_info()[0], '_certcore.capi' in sys.modules)"
    # cwd: the consumer's directory, outside the checkout ("-c" puts the cwd first on sys.path, and
    # the checkout's _certcore has no built modules when certcore is installed, as in CI)
    # the certcore this process runs comes first on the child's path, whichever checkout is around
    here = os.path.dirname(c_consumer.__file__)
    found = [os.path.dirname(os.path.dirname(m.__file__)) for m in (_certcore.capi, certcore)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, *found, *sys.path]))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=here,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(_certcore.capi.CAPI_VERSION), "True"]
