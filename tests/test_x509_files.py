"""Reading certificate files: every reader stops at one bound, MAX_CERT_FILE_BYTES.

``Certificate.from_file`` and ``read_cert_file`` (the command line's reader) read regular files,
pipes, FIFOs and devices to EOF but never past the bound (ValueError naming the file and the
limit); the trust-store enumeration skips a file larger than the bound. Where an unbounded read
would run out of memory instead, the test runs under an address-space limit, so that the outcome
(ValueError, not MemoryError) decides, never the time taken. Subprocess timeouts are hang guards
only.
"""
import os
import re
import ssl
import subprocess
import sys
import textwrap
import threading

import pytest

from helpers import certgen
from _certcore.x509 import MAX_CERT_FILE_BYTES, load_pem_or_der, read_cert_file
from certcore import Certificate, enum_certificates, load_certificates

DER = certgen.corpus()["everything"]
PEM = ssl.DER_cert_to_PEM_cert(DER).encode()
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
HANG_GUARD = 60   # seconds; a child still running then has hung, which fails the test


def _too_big(path):
    what = f"file descriptor {path}" if isinstance(path, int) else repr(path)
    return rf"^{what} is larger than 64 MiB \({MAX_CERT_FILE_BYTES} bytes\), the limit for a certificate file$"


def _run(tmp_path, code):
    """Run `code` in a fresh interpreter; its completed process."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=HANG_GUARD)


def _sparse(path, head, size):
    """A file of `size` bytes: `head`, then a hole."""
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
    return path


def test_the_limit():
    # Several hundred times the largest real bundle (the system's is about 220 KiB).
    assert MAX_CERT_FILE_BYTES == 64 * 1024 * 1024
    assert os.path.getsize(SYSTEM_BUNDLE) * 100 < MAX_CERT_FILE_BYTES


def test_endless_device_is_value_error_not_memory_error(tmp_path):
    # Under a 1 GiB address space, reading /dev/zero to the end would be a MemoryError.
    proc = _run(tmp_path, """
        import resource
        from certcore import Certificate
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        try:
            Certificate.from_file("/dev/zero")
        except Exception as exc:
            print(type(exc).__name__)
            print(exc)
    """)
    assert proc.returncode == 0, proc.stderr
    kind, message = proc.stdout.splitlines()
    assert kind == "ValueError" and re.match(_too_big("/dev/zero"), message)


def test_regular_file_over_the_limit_fails_before_reading(tmp_path):
    path = _sparse(tmp_path / "big.pem", PEM, MAX_CERT_FILE_BYTES + 1)
    with pytest.raises(ValueError, match=_too_big(str(path))):
        Certificate.from_file(path)


def test_regular_file_at_the_limit_is_read(tmp_path):
    path = _sparse(tmp_path / "limit.pem", PEM, MAX_CERT_FILE_BYTES)
    assert Certificate.from_file(path).der == DER


def test_regular_files_of_normal_sizes(tmp_path):
    # Smaller than the first read buffer, and larger (the system bundle, about 220 KiB).
    (tmp_path / "c.pem").write_bytes(PEM)
    (tmp_path / "c.der").write_bytes(DER)
    assert Certificate.from_file(tmp_path / "c.pem").der == DER
    assert Certificate.from_file(tmp_path / "c.der").der == DER
    with open(SYSTEM_BUNDLE, "rb") as f:
        first = load_certificates(f.read())[0]
    assert Certificate.from_file(SYSTEM_BUNDLE) == first
    (tmp_path / "empty.pem").write_bytes(b"")
    with pytest.raises(ValueError, match="empty certificate data"):
        Certificate.from_file(tmp_path / "empty.pem")


def test_pipe(tmp_path):
    r, w = os.pipe()
    try:
        os.write(w, PEM)
        os.close(w)
        w = -1
        assert Certificate.from_file(f"/dev/fd/{r}").der == DER
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


@pytest.mark.parametrize("data", [PEM, None], ids=["one-certificate", "system-bundle"])
def test_fifo(tmp_path, data):
    # The bundle is larger than the first read buffer: the read grows it as the data comes.
    if data is None:
        with open(SYSTEM_BUNDLE, "rb") as f:
            data = f.read()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as f:
            f.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    assert Certificate.from_file(fifo) == load_certificates(data)[0]
    writer.join(HANG_GUARD)
    assert not writer.is_alive()


def test_fifo_past_the_limit(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def feed():
        chunk = b"\n" * (1 << 20)
        try:
            with open(fifo, "wb") as f:
                for _ in range((MAX_CERT_FILE_BYTES >> 20) + 2):
                    f.write(chunk)
        except BrokenPipeError:
            pass    # the reader stopped at the limit

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(ValueError, match=_too_big(str(fifo))):
        Certificate.from_file(fifo)
    writer.join(HANG_GUARD)
    assert not writer.is_alive()


def test_a_signal_interrupts_a_wait_on_a_fifo(tmp_path):
    # Python's own I/O runs the signal handler and resumes (PEP 475); from_file does the same,
    # in open() (a FIFO without a writer) and in read() (a writer that sends nothing).
    proc = _run(tmp_path, """
        import os, signal
        from certcore import Certificate

        class Interrupted(Exception):
            pass

        def handler(signum, frame):
            raise Interrupted

        signal.signal(signal.SIGALRM, handler)
        os.mkfifo("fifo")
        for stage in ("open", "read"):
            if stage == "read":
                keep = os.open("fifo", os.O_RDWR)   # a writer that never writes
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            try:
                Certificate.from_file("fifo")
            except Interrupted:
                print("interrupted in", stage)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["interrupted in open", "interrupted in read"]


def test_trust_store_skips_a_file_over_the_limit(tmp_path, monkeypatch):
    plain = certgen.corpus()["plain"]    # self-signed: a trust anchor
    hashed = tmp_path / "hashed"
    hashed.mkdir()
    bundle = tmp_path / "bundle.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(hashed))
    _sparse(bundle, ssl.DER_cert_to_PEM_cert(plain).encode(), MAX_CERT_FILE_BYTES)
    assert [entry[0] for entry in enum_certificates("ROOT")] == [plain]
    _sparse(bundle, ssl.DER_cert_to_PEM_cert(plain).encode(), MAX_CERT_FILE_BYTES + 1)
    assert enum_certificates("ROOT") == []


# ------------------------------------------------------------------------------------------
# read_cert_file: the same bounded reader for the command line, on a path or a file descriptor.

def test_read_cert_file_path_and_descriptor(tmp_path):
    (tmp_path / "c.pem").write_bytes(b"junk" + PEM)
    assert read_cert_file(tmp_path / "c.pem") == b"junk" + PEM
    assert read_cert_file(os.fsencode(tmp_path / "c.pem")) == b"junk" + PEM
    fd = os.open(tmp_path / "c.pem", os.O_RDONLY)
    try:
        assert os.read(fd, 4) == b"junk"
        assert read_cert_file(fd) == PEM    # from where the descriptor stands
        assert os.read(fd, 1) == b""        # left open
    finally:
        os.close(fd)
    r, w = os.pipe()
    try:
        os.write(w, PEM)
        os.close(w)
        w = -1
        assert read_cert_file(r) == PEM
        os.fstat(r)     # left open
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_read_cert_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_cert_file(tmp_path / "missing.pem")
    with pytest.raises(IsADirectoryError):
        read_cert_file(tmp_path)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        with pytest.raises(IsADirectoryError):
            read_cert_file(fd)
    finally:
        os.close(fd)
    with pytest.raises(OSError):
        read_cert_file(-1)
    for bad in (None, 3.5, True):
        with pytest.raises(TypeError):
            read_cert_file(bad)
    path = _sparse(tmp_path / "big.pem", PEM, MAX_CERT_FILE_BYTES + 1)
    with pytest.raises(ValueError, match=_too_big(str(path))):
        read_cert_file(path)
    fd = os.open("/dev/zero", os.O_RDONLY)
    try:
        with pytest.raises(ValueError, match=_too_big(fd)):
            read_cert_file(fd)
    finally:
        os.close(fd)


def test_load_pem_or_der():
    other = certgen.corpus()["plain"]
    bundle = PEM + b"junk between\n" + ssl.DER_cert_to_PEM_cert(other).encode()
    assert [c.der for c in load_pem_or_der(DER)] == [DER]
    assert [c.der for c in load_pem_or_der(bytearray(DER))] == [DER]
    assert [c.der for c in load_pem_or_der(bundle)] == [DER, other]
    assert [c.der for c in load_pem_or_der(bundle.decode())] == [DER, other]
    for bad, message in [(b"", "empty certificate data"), (DER + b"x", "trailing data"),
                         (b"hello", "no PEM certificate found"), (PEM[:-30], "no END line")]:
        with pytest.raises(ValueError, match=message):
            load_pem_or_der(bad)
    with pytest.raises(TypeError):
        load_pem_or_der(None)
