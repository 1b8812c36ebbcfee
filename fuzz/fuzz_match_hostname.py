"""Fuzz certcore.match_hostname(cert_dict, hostname) against CPython 3.11's ssl.match_hostname.

Input format (text, so that seeds are readable and mutations stay meaningful; invalid UTF-8
becomes lone surrogates):
    line 1            the hostname
    S:key=value       a subjectAltName entry (key verbatim: DNS, IP Address, email, ...)
    N:key=value       a subject RDN with one attribute (commonName, ...)
    +key=value        one more attribute in the previous subject RDN (multi-valued RDN)
    X:<word>          a shape quirk: "empty" -> {}, "nosan" -> no subjectAltName key,
                      "nosubject" -> no subject key, "list" -> SAN given as a list
    other lines       a commonName RDN with the whole line as the value
Outcome (value or exception type + message) must be identical.
"""
import ssl

import certcore
from _common import decode_text, main, outcome, same


def parse(data):
    text = decode_text(data)
    lines = text.split("\n")
    hostname, rest = lines[0], lines[1:]
    san, subject, quirks = [], [], set()
    for line in rest:
        if line.startswith("S:"):
            k, _, v = line[2:].partition("=")
            san.append((k, v))
        elif line.startswith("N:"):
            k, _, v = line[2:].partition("=")
            subject.append([(k, v)])
        elif line.startswith("+") and subject:
            k, _, v = line[1:].partition("=")
            subject[-1].append((k, v))
        elif line.startswith("X:"):
            quirks.add(line[2:])
        else:
            subject.append([("commonName", line)])
    cert = {}
    if "nosubject" not in quirks:
        cert["subject"] = tuple(tuple(rdn) for rdn in subject)
    if "nosan" not in quirks:
        cert["subjectAltName"] = list(san) if "list" in quirks else tuple(san)
    if "empty" in quirks:
        cert = {}
    return cert, hostname


def check(data):
    cert, hostname = parse(data)
    mine = outcome(certcore.match_hostname, cert, hostname)
    theirs = outcome(ssl.match_hostname, cert, hostname)
    same("match_hostname", mine, theirs, (cert, hostname))


if __name__ == "__main__":
    main(
        check,
        instrument_funcs=[parse, ssl.match_hostname, ssl._dnsname_match, ssl._ipaddress_match, ssl._inet_paton],
    )
