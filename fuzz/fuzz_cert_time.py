"""Fuzz certcore.cert_time_to_seconds against CPython 3.11's ssl.cert_time_to_seconds.

Input: the time string (UTF-8; invalid bytes become lone surrogates). If the input starts
with the byte 0x01, the rest is passed as ``bytes`` instead (the stdlib accepts and rejects
bytes in its own ways; certcore must match). Outcome (value or exception type + message)
must be identical.
"""
import _strptime
import ssl

import certcore
from _common import decode_text, main, outcome, same


def check(data):
    if data[:1] == b"\x01":
        arg = data[1:]
    else:
        arg = decode_text(data)
    mine = outcome(certcore.cert_time_to_seconds, arg)
    theirs = outcome(ssl.cert_time_to_seconds, arg)
    same("cert_time_to_seconds", mine, theirs, arg)


if __name__ == "__main__":
    main(check, instrument_funcs=[ssl.cert_time_to_seconds, _strptime._strptime])
