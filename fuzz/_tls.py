"""Memory-BIO TLS plumbing shared by fuzz_tls_client.py and fuzz_tls_server.py.

The implementation under test is certcore (``CERTCORE_FUZZ_IMPL=stdlib`` swaps in CPython's
``ssl`` to check the harness itself). The well-behaved peer, when there is one, is always
CPython's ``ssl``. The certificates are the leak checks' (tests/helpers/loops.py: an ECDSA CA
and a ``localhost`` leaf, made once per process with ``cryptography``).
"""
import os
import ssl

import certcore
from _common import feature  # before helpers: _common puts tests/ on sys.path
from helpers.loops import Material

IMPL = ssl if os.environ.get("CERTCORE_FUZZ_IMPL") == "stdlib" else certcore
HOSTNAME = "localhost"
MAX_STEPS = 10_000  # a handshake loop that needs more steps than this is hanging


def client_context(mod, flags):
    """flags bit 0: cap at TLS 1.2; bit 1: verify the server (CA + hostname)."""
    certs = Material.get()
    ctx = mod.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if flags & 1:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if flags & 2:
        ctx.load_verify_locations(certs.ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def server_context(mod, flags):
    """flags bit 0: cap at TLS 1.2; bit 1: ask for a client certificate (optional)."""
    certs = Material.get()
    ctx = mod.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs.chain, certs.key)
    if flags & 1:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if flags & 2:
        ctx.load_verify_locations(certs.ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


def endpoint(mod, ctx, server_side):
    inc, out = mod.MemoryBIO(), mod.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_side=server_side, server_hostname=None if server_side else HOSTNAME)
    return obj, inc, out


def error_key(exc):
    """What must agree between certcore and the stdlib for the same hostile input."""
    return (type(exc).__name__, getattr(exc, "library", None), getattr(exc, "reason", None))


def step(obj):
    """Drive a handshake one step: 'done', 'want', or raise."""
    try:
        obj.do_handshake()
        return "done"
    except ssl.SSLWantReadError:
        return "want"


def replay(mod, ctx, server_side, stream, chunk):
    """Feed ``stream`` (the peer's bytes) to a fresh endpoint in ``chunk``-sized pieces, then EOF.

    Returns an outcome: ("done", app_data) or ("error", error_key). Anything that is not an
    ssl.SSLError escapes (a finding). Hanging (no progress) raises AssertionError.
    """
    obj, inc, out = endpoint(mod, ctx, server_side)
    pos, steps, eof = 0, 0, False
    try:
        while True:
            steps += 1
            if steps > MAX_STEPS:
                raise AssertionError("handshake loop does not terminate")
            state = step(obj)
            out.read()
            if state == "done":
                break
            if pos < len(stream):
                n = chunk or len(stream)
                inc.write(stream[pos : pos + n])
                pos += n
            elif not eof:
                inc.write_eof()
                eof = True
            else:
                raise AssertionError("handshake wants more data after EOF instead of failing")
        # A handshake that "succeeds" against replayed bytes: read whatever is left.
        data = b""
        while True:
            steps += 1
            if steps > MAX_STEPS:
                raise AssertionError("read loop does not terminate")
            try:
                chunk_data = obj.read(65536)
            except ssl.SSLWantReadError:
                if pos < len(stream):
                    inc.write(stream[pos:])
                    pos = len(stream)
                    continue
                if not eof:
                    inc.write_eof()
                    eof = True
                    continue
                raise AssertionError("read wants more data after EOF instead of failing") from None
            if not chunk_data:
                return ("done", data)
            data += chunk_data
    except ssl.SSLError as exc:
        # how far the endpoint read into the stream, and where it stopped: fuzzer feedback
        feature(min(255, (pos - inc.pending) // 8), error_key(exc), ("steps", min(steps, 64)))
        return ("error", error_key(exc))


def mutate(stream, ops):
    """Apply fuzz-chosen edits to a piece of one direction of a live conversation.

    ``ops`` is a list of (offset, xor) pairs over the piece's byte positions; xor 0 means
    "truncate here and close". Returns (bytes, truncated, touched).
    """
    buf = bytearray(stream)
    touched = False
    for off, x in ops:
        if off < len(buf):
            touched = True
            if x == 0:
                del buf[off:]
                return bytes(buf), True, True
            buf[off] ^= x
    return bytes(buf), False, touched


class Live:
    """A real conversation between the endpoint under test and a stdlib peer; the bytes that
    the peer sends are passed through ``mutate`` (positions counted over the whole stream)."""

    def __init__(self, mod_under_test, ctx_under_test, peer_ctx, server_side, ops):
        self.me, self.me_in, self.me_out = endpoint(mod_under_test, ctx_under_test, server_side)
        self.peer, self.peer_in, self.peer_out = endpoint(ssl, peer_ctx, not server_side)
        self.ops = ops
        self.sent = 0
        self.closed = False
        self.touched = False
        self.peer_state = "want"  # want | done | failed

    def deliver(self):
        """Move the peer's pending output (mutated) to the endpoint under test."""
        out = self.peer_out.read()
        if not out or self.closed:
            return len(out)
        ops = [(o - self.sent, x) for o, x in self.ops if self.sent <= o < self.sent + len(out)]
        edited, trunc, touched = mutate(out, ops)
        self.touched |= touched
        self.sent += len(out)
        self.me_in.write(edited)
        if trunc:
            self.close()
        return len(out)

    def close(self):
        if not self.closed:
            self.me_in.write_eof()
            self.closed = True

    def peer_step(self):
        if self.peer_state == "want":
            try:
                if step(self.peer) == "done":
                    self.peer_state = "done"
            except ssl.SSLError:
                self.peer_state = "failed"

    def run(self, payload=b"ping"):
        """("done", data read after the handshake) or ("error", key); others escape."""
        steps = 0
        try:
            while True:
                steps += 1
                if steps > MAX_STEPS:
                    raise AssertionError("live handshake loop does not terminate")
                if step(self.me) == "done":
                    break
                mine = self.me_out.read()
                moved = len(mine)
                self.peer_in.write(mine)
                self.peer_step()
                moved += self.deliver()
                if not moved:
                    if self.closed:
                        raise AssertionError("handshake wants more data after EOF instead of failing")
                    self.close()
            self.peer_in.write(self.me_out.read())
            self.peer_step()
            if self.peer_state == "done":
                try:
                    self.peer.write(payload)
                    self.peer.unwrap()
                except ssl.SSLError:
                    pass
            self.deliver()
            self.close()
            data = b""
            for _ in range(1000):
                try:
                    got = self.me.read(65536)
                except ssl.SSLWantReadError:
                    raise AssertionError("read wants more data after EOF instead of failing") from None
                if not got:
                    break
                data += got
            feature(("live-done", min(steps, 64)))
            return ("done", data)
        except ssl.SSLError as exc:
            feature(("live", error_key(exc), min(steps, 64), min(self.sent // 64, 64)))
            return ("error", error_key(exc))
