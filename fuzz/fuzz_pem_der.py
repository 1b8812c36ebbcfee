"""Fuzz certcore's PEM_cert_to_DER_cert / DER_cert_to_PEM_cert against CPython 3.11's ssl.

The first input byte picks the call, the rest is the argument:
    0: PEM_cert_to_DER_cert(text)      (UTF-8, invalid bytes -> lone surrogates)
    1: DER_cert_to_PEM_cert(bytes)     and the round trip back to DER
    2: DER_cert_to_PEM_cert(bytearray), DER_cert_to_PEM_cert(memoryview)
    3: PEM_cert_to_DER_cert(bytes)     (a type error in the stdlib; certcore must match)
    4: PEM_cert_to_DER_cert(header + text + footer), the common well-formed-ish shape
Outcome (value or exception type + message) must be identical.
"""
import base64
import ssl

import certcore
from _common import Finding, decode_text, main, outcome, same

HEADER, FOOTER = ssl.PEM_HEADER, ssl.PEM_FOOTER


def check(data):
    if not data:
        return
    mode, rest = data[0] % 5, data[1:]
    if mode == 0 or mode == 4:
        text = decode_text(rest)
        if mode == 4:
            text = HEADER + "\n" + text + "\n" + FOOTER + "\n"
        same("PEM_cert_to_DER_cert", outcome(certcore.PEM_cert_to_DER_cert, text),
             outcome(ssl.PEM_cert_to_DER_cert, text), text)
    elif mode == 1:
        mine = outcome(certcore.DER_cert_to_PEM_cert, rest)
        same("DER_cert_to_PEM_cert", mine, outcome(ssl.DER_cert_to_PEM_cert, rest), rest)
        back = outcome(certcore.PEM_cert_to_DER_cert, mine[1])
        if back != ("ok", rest):
            raise Finding(f"PEM round trip lost data: {rest!r} -> {mine[1]!r} -> {back!r}")
    elif mode == 2:
        for arg in (bytearray(rest), memoryview(rest)):
            same("DER_cert_to_PEM_cert(" + type(arg).__name__ + ")",
                 outcome(certcore.DER_cert_to_PEM_cert, arg), outcome(ssl.DER_cert_to_PEM_cert, arg), rest)
    else:
        same("PEM_cert_to_DER_cert(bytes)", outcome(certcore.PEM_cert_to_DER_cert, rest),
             outcome(ssl.PEM_cert_to_DER_cert, rest), rest)


if __name__ == "__main__":
    main(check, instrument_funcs=[ssl.PEM_cert_to_DER_cert, ssl.DER_cert_to_PEM_cert, base64.decodebytes])
