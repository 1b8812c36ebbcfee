"""Fuzz certcore's TLS client in memory-BIO mode (SSLContext.wrap_bio) with hostile servers.

Input: byte 0 = flags, byte 1 = chunk size (0: all at once), rest = payload.
  flags bit 0: client capped at TLS 1.2 (its handshake messages are then plaintext to parse)
  flags bit 1: client verifies the server (CA + hostname) instead of CERT_NONE
  flags bit 2: *live* mode: a real CPython-ssl server; the payload is a list of 3-byte edits
               (offset: 2 bytes big-endian, xor: 1 byte, 0 = truncate+close there) applied to
               the bytes that server sends. Otherwise *replay* mode: the payload is the whole
               server byte stream (the seeds are recorded server flights), fed then EOF.
Every run must end in success or an ssl.SSLError subclass, with bounded steps. In replay mode
the error (class, library, reason) must equal what CPython's ssl client reports for the same
bytes; in live mode an untouched conversation must succeed and deliver the server's payload.
"""

import _tls
from _common import Finding, main

_ctx = {}


def contexts(flags):
    if flags not in _ctx:
        _ctx[flags] = (
            _tls.client_context(_tls.IMPL, flags),
            _tls.client_context(__import__("ssl"), flags),
            _tls.server_context(__import__("ssl"), flags & 1),
        )
    return _ctx[flags]


def parse_ops(payload):
    return [(int.from_bytes(payload[i : i + 2], "big"), payload[i + 2]) for i in range(0, len(payload) - 2, 3)]


def check(data):
    if len(data) < 2:
        return
    flags, chunk, payload = data[0] & 7, data[1], data[2:]
    mine_ctx, std_ctx, peer_ctx = contexts(flags & 3)
    if flags & 4:
        run = _tls.Live(_tls.IMPL, mine_ctx, peer_ctx, False, parse_ops(payload))
        result = run.run()
        if not run.touched and result != ("done", b"ping"):
            raise Finding(f"untouched live conversation did not deliver the payload: {result!r}")
        return
    mine = _tls.replay(_tls.IMPL, mine_ctx, False, payload, chunk)
    if _tls.IMPL is not __import__("ssl"):
        theirs = _tls.replay(__import__("ssl"), std_ctx, False, payload, chunk)
        if mine != theirs and theirs == _tls.replay(__import__("ssl"), std_ctx, False, payload, chunk):
            raise Finding(f"TLS client outcome differs from the stdlib's: certcore {mine!r}, stdlib {theirs!r}")


if __name__ == "__main__":
    main(check, instrument_funcs=[parse_ops, _tls.replay, _tls.mutate])
