"""Fuzz certcore's TLS server in memory-BIO mode (SSLContext.wrap_bio server_side) with
hostile clients.

Input: byte 0 = flags, byte 1 = chunk size (0: all at once), rest = payload.
  flags bit 0: server capped at TLS 1.2
  flags bit 1: server asks for a client certificate (CERT_OPTIONAL, CA loaded)
  flags bit 2: *live* mode: a real CPython-ssl client; the payload is a list of 3-byte edits
               (offset: 2 bytes big-endian, xor: 1 byte, 0 = truncate+close there) applied to
               the bytes that client sends. Otherwise *replay* mode: the payload is the whole
               client byte stream (the seeds are recorded ClientHellos), fed then EOF.
Every run must end in success or an ssl.SSLError subclass, with bounded steps. In replay mode
the error (class, library, reason) must equal what a CPython-ssl server reports for the same
bytes; in live mode an untouched conversation must succeed and deliver the client's payload.
"""
import ssl

import _tls
from _common import Finding, main
from fuzz_tls_client import parse_ops

_ctx = {}


def contexts(flags):
    if flags not in _ctx:
        _ctx[flags] = (
            _tls.server_context(_tls.IMPL, flags),
            _tls.server_context(ssl, flags),
            _tls.client_context(ssl, 2 | (flags & 1)),
        )
    return _ctx[flags]


def check(data):
    if len(data) < 2:
        return
    flags, chunk, payload = data[0] & 7, data[1], data[2:]
    mine_ctx, std_ctx, peer_ctx = contexts(flags & 3)
    if flags & 4:
        run = _tls.Live(_tls.IMPL, mine_ctx, peer_ctx, True, parse_ops(payload))
        result = run.run()
        if not run.touched and result != ("done", b"ping"):
            raise Finding(f"untouched live conversation did not deliver the payload: {result!r}")
        return
    mine = _tls.replay(_tls.IMPL, mine_ctx, True, payload, chunk)
    if _tls.IMPL is not ssl:
        theirs = _tls.replay(ssl, std_ctx, True, payload, chunk)
        if mine != theirs and theirs == _tls.replay(ssl, std_ctx, True, payload, chunk):
            raise Finding(f"TLS server outcome differs from the stdlib's: certcore {mine!r}, stdlib {theirs!r}")


if __name__ == "__main__":
    main(check, instrument_funcs=[parse_ops, _tls.replay, _tls.mutate])
