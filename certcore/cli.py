"""``python -m certcore`` / ``certcore``: the command line.

Subcommands (``certcore COMMAND --help`` for each, with its JSON keys):

  info                       version, OpenSSL, default verify paths, trust store size (default)
  store [--expiring DAYS]    the system trust anchors with subject and expiry (offline)
  show FILE|-                a certificate (PEM or DER, bundles too) as readable text
  check FILE|- NAME...       is the certificate valid for every host name / IP address?
  check --server HOST[:PORT] [NAME...]   the same for the certificate a TLS server presents
  time 'Jan  5 09:34:43 2018 GMT'   a certificate time string as seconds since the epoch
  pem2der / der2pem          stdin -> stdout conversions
  paths                      OpenSSL's default verify paths
  fetch HOST[:PORT]          the certificate (or chain) a TLS server presents, as PEM

Every subcommand takes ``--json`` (before or after the command name) and then prints exactly one
JSON document on stdout. Each command builds one record (``build_*``); the text renderer
(``text_*``) and the JSON renderer (``write_json``) both read that record, and the exit status
comes from it too, so the two modes cannot disagree. One ``now`` is taken per run.

Errors are one line on stderr and a non-zero exit status (1; 2 for usage errors); in --json mode
stdout also gets ``{"error": {"kind": ..., "message": ..., ...}}``. ``--debug`` shows the
traceback instead.
"""
import argparse
import base64
import json
import math
import os
import socket
import sys
import time
from collections import namedtuple

import certcore
from _certcore.store import count_certificate_blocks, hashed_certificate_names
from _certcore.x509 import load_pem_or_der, read_cert_file
from certcore.client import _create_stdlib_context

# getpeercert() attribute names -> the short forms people read in DNs.
_SHORT_NAMES = {
    "commonName": "CN", "countryName": "C", "localityName": "L", "stateOrProvinceName": "ST",
    "organizationName": "O", "organizationalUnitName": "OU", "domainComponent": "DC",
    "streetAddress": "street", "userId": "UID",
}
# Extended key usage OIDs -> names, for trust settings in `store`.
_EKU_NAMES = {
    "1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth",
    "1.3.6.1.5.5.7.3.3": "codeSigning", "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.8": "timeStamping", "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "1.3.6.1.5.5.7.48.1": "OCSP", "2.5.29.37.0": "anyExtendedKeyUsage",
}
DAY = 86400
# The reasons OpenSSL gives when the peer's first bytes are not a TLS record at all (as opposed
# to a TLS peer that refuses): a plain-HTTP, SSH, SMTP... port.
_NOT_TLS_REASONS = frozenset({
    "WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST",
    "UNKNOWN_PROTOCOL",
})
# How much of what the server sent during the handshake is kept to describe a non-TLS answer.
_FIRST_BYTES = 256

JSON_ERROR_HELP = """\
errors (exit 1; usage errors exit 2) in --json mode print {"error": {"kind", "message", ...}}:
  kind is usage, input, resolve, connect, timeout, not-tls, tls, verify or internal; fetch and
  check --server add "address" and "phase" (connect or handshake), timeouts "timeout" (seconds),
  not-tls "firstBytes" (hex), "firstLine" (text) and "http" (true when the answer was HTTP)."""


class CliError(Exception):
    """A failure to report as one line (no traceback) with exit status 1; ``kind`` and
    ``details`` fill the JSON error object."""

    def __init__(self, message, kind="input", **details):
        super().__init__(message)
        self.kind = kind
        self.details = details


class _UsageError(Exception):
    def __init__(self, parser, message):
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse that hands usage errors to main() (which also writes them as JSON when asked)
    instead of exiting from inside parse_args."""

    def error(self, message):
        raise _UsageError(self, message)


def _message(exc):
    """The readable text of an exception (ssl's errors keep theirs in args)."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename!r}" if exc.filename is not None else ""
        return f"{exc.strerror}{where}"
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc) or type(exc).__name__


# ---------------------------------------------------------------------------------------------
# Input and formatting helpers

def read_input(path):
    """The bytes of FILE, or of stdin for '-', read by the library's bounded reader."""
    try:
        return read_cert_file(sys.stdin.fileno() if path == "-" else path)
    except OSError as exc:
        raise CliError(f"cannot read {source_name(path)}: {exc.strerror or exc}") from None
    except ValueError as exc:   # larger than the library's bound
        raise CliError(f"cannot read {source_name(path)}: {exc}") from None


def load_certs(data, source):
    """Certificates from PEM (a bundle: every CERTIFICATE block) or DER (one certificate)."""
    if not data.strip():
        raise CliError(f"{source}: empty input")
    try:
        return load_pem_or_der(data)
    except ValueError as exc:
        raise CliError(f"{source}: not a PEM or DER certificate ({_message(exc)})") from None


def source_name(path):
    return "<stdin>" if path == "-" else path


def dn_text(dn):
    """A getpeercert() DN as 'CN=x, O=y' (multi-valued RDNs joined with '+')."""
    return ", ".join(
        "+".join(f"{_SHORT_NAMES.get(key, key)}={value}" for key, value in rdn) for rdn in dn
    ) or "(empty)"


def short_subject(dn):
    """The commonName (else organizationalUnitName / organizationName) of a DN, else all of it."""
    fields = {key: value for rdn in dn for key, value in rdn}
    for key in ("commonName", "organizationalUnitName", "organizationName"):
        if key in fields:
            return fields[key]
    return dn_text(dn)


def utc_text(seconds):
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (seconds since the epoch)"


def date_text(seconds):
    try:
        return time.strftime("%Y-%m-%d", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def days_left(not_after, now):
    """Whole days from ``now`` to ``not_after``, cut toward zero: 19.9 days left is 19, expired
    10.9 days ago is -10. The one definition behind every days-left number, text or JSON; the
    ``expired`` flag beside it tells "0: expires today" from "0: expired today"."""
    seconds = not_after - now
    return seconds // DAY if seconds >= 0 else -(-seconds // DAY)


def validity(cert, now):
    """The validity fields of a certificate record (seconds, UTC text, days left, flags)."""
    return {
        "notBefore": cert.not_before,
        "notAfter": cert.not_after,
        "notBeforeText": utc_text(cert.not_before),
        "notAfterText": utc_text(cert.not_after),
        "daysLeft": days_left(cert.not_after, now),
        "expired": cert.not_after < now,
        "notYetValid": cert.not_before > now,
    }


def days_left_text(record):
    """The text form of a record's daysLeft/expired: the same number, never recomputed."""
    if record["expired"]:
        return f"EXPIRED {-record['daysLeft']} days ago"
    return f"{record['daysLeft']} days left"


def trust_text(trust):
    if trust is True:
        return "all purposes"
    if not trust:
        return "no purpose"
    return ",".join(sorted(_EKU_NAMES.get(oid, oid) for oid in trust))


def address_text(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def write_json(obj):
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------------------
# Commands: build_X(args, now) -> record (plain JSON data); text_X(record, args) prints it.

def build_info(args, now):
    paths = certcore.get_default_verify_paths()
    return {
        "certcore": certcore.__version__,
        "openssl": certcore.OPENSSL_VERSION,
        "python": sys.version.split()[0],
        "defaultVerifyPaths": paths._asdict(),
        "cafileAnchors": count_certificate_blocks(paths.cafile) if paths.cafile else 0,
        "capathAnchors": len(hashed_certificate_names(paths.capath)) if paths.capath else 0,
        "trustStore": {
            "anchors": len(certcore.enum_certificates("ROOT")),
            "otherCertificates": len(certcore.enum_certificates("CA")),
            "crls": len(certcore.enum_crls("CA")),
        },
    }


def text_info(r, args):
    print(f"certcore {r['certcore']}")
    print(f"linked with {r['openssl']}")
    print(f"python {r['python']}")
    print("default verify paths:")
    for field, value in r["defaultVerifyPaths"].items():
        print(f"  {field:<20} {value}")
    print(f"trust anchors: {r['cafileAnchors']} in cafile, {r['capathAnchors']} in capath")
    store = r["trustStore"]
    print(f"trust store: {store['anchors']} distinct trust anchors, {store['otherCertificates']} other "
          f"certificates, {store['crls']} CRLs (`certcore store` lists them)")


def build_store(args, now):
    if args.expiring is not None and args.expiring < 0:
        raise CliError("--expiring needs a number of days >= 0")
    rows = []
    for store_name in args.stores:
        for der, _, trust in certcore.enum_certificates(store_name):
            try:
                cert = certcore.Certificate(der)
            except ValueError:  # listed by OpenSSL's parser but not decodable here: say so
                cert = None
            not_after = cert.not_after if cert is not None else None
            if args.expiring is not None and (not_after is None or not_after > now + args.expiring * DAY):
                continue
            dates = validity(cert, now) if cert is not None else {}
            rows.append({
                "store": store_name,
                "subject": cert.subject if cert is not None else [[["?", "undecodable certificate"]]],
                "notAfter": not_after,
                "notAfterText": dates.get("notAfterText"),
                "daysLeft": dates.get("daysLeft"),
                "expired": dates.get("expired"),
                "trust": True if trust is True else sorted(trust),
                "sha256": cert.fingerprint("sha256").hex() if cert is not None else None,
            })
    rows.sort(key=lambda row: (row["notAfter"] is None, row["notAfter"] or 0, dn_text(row["subject"])))
    return rows


def text_store(rows, args):
    for row in rows:
        known = row["notAfter"] is not None
        expiry = date_text(row["notAfter"]) if known else "?"
        left = days_left_text(row) if known else ""
        extra = "" if row["trust"] is True else f"  [trusted for: {trust_text(row['trust'])}]"
        prefix = f"{row['store']:<4} " if len(args.stores) > 1 else ""
        print(f"{prefix}{expiry}  {left:>21}  {short_subject(row['subject'])}{extra}")
    what = "certificates" if len(args.stores) > 1 else "trust anchors"
    if args.expiring is not None:
        print(f"{len(rows)} {what} expire within {args.expiring} days")
    else:
        print(f"{len(rows)} {what}")


def show_record(cert, now):
    """The getpeercert() dict of a certificate plus what `show` adds: days left and the SHA-256."""
    d = cert.to_dict()
    dates = validity(cert, now)
    d.update(daysLeft=dates["daysLeft"], expired=dates["expired"], notYetValid=dates["notYetValid"],
             sha256=cert.fingerprint("sha256").hex())
    return d


def build_show(args, now):
    certs = load_certs(read_input(args.file), source_name(args.file))
    records = [show_record(cert, now) for cert in certs]
    return records[0] if len(records) == 1 else records


def describe(d):
    not_yet = "  (NOT YET VALID)" if d["notYetValid"] else ""
    lines = [
        f"  subject:      {dn_text(d.get('subject', ()))}",
        f"  issuer:       {dn_text(d.get('issuer', ()))}",
        f"  serial:       {d.get('serialNumber', '?')}",
        f"  version:      {d.get('version', '?')}",
        f"  not before:   {d.get('notBefore', '?')}{not_yet}",
        f"  not after:    {d.get('notAfter', '?')}  ({days_left_text(d)})",
    ]
    for key, label in (("subjectAltName", "alt names"), ("OCSP", "OCSP"), ("caIssuers", "CA issuers"),
                       ("crlDistributionPoints", "CRL points")):
        if key in d:
            values = [f"{kind}:{value}" for kind, value in d[key]] if key == "subjectAltName" else list(d[key])
            lines.append(f"  {label + ':':<13} {', '.join(values)}")
    lines.append(f"  sha256:       {bytes.fromhex(d['sha256']).hex(':').upper()}")
    return lines


def text_show(record, args):
    records = record if isinstance(record, list) else [record]
    for i, d in enumerate(records, 1):
        if i > 1:
            print()
        print(f"certificate {i} of {len(records)}" if len(records) > 1 else "certificate")
        print("\n".join(describe(d)))


def build_check(args, now):
    if args.server is not None:
        if args.file is not None:
            args.names.insert(0, args.file)
        host, port = parse_address(args.server)
        names = args.names or [host]
        session = tls_session(host, port, args)
        cert = certcore.Certificate.from_der(session["leaf"])
        source = session["address"]
    else:
        if args.file is None or not args.names:
            args._parser.error("give FILE|- and at least one HOST_OR_IP (or --server HOST[:PORT])")
        if args.cafile is not None:
            args._parser.error("--cafile verifies a server's chain: it needs --server")
        names = args.names
        cert = load_certs(read_input(args.file), source_name(args.file))[0]  # a bundle's leaf
        source = source_name(args.file)
    results = []
    for name in names:
        try:
            cert.match_hostname(name)
        except (certcore.CertificateError, ValueError) as exc:
            results.append({"name": name, "ok": False, "error": _message(exc)})
        else:
            results.append({"name": name, "ok": True, "error": None})
    record = {"source": source, "subject": cert.subject, "names": results, "timeChecked": not args.ignore_time}
    record.update(validity(cert, now))
    time_ok = args.ignore_time or not (record["expired"] or record["notYetValid"])
    record["ok"] = time_ok and all(result["ok"] for result in results)
    return record


def text_check(r, args):
    for result in r["names"]:
        print(f"ok    {result['name']}" if result["ok"] else f"FAIL  {result['name']}: {result['error']}")
    if r["timeChecked"]:
        if r["expired"]:
            print(f"FAIL  the certificate expired on {r['notAfterText']} ({days_left_text(r)})")
        elif r["notYetValid"]:
            print(f"FAIL  the certificate is not valid before {r['notBeforeText']}")


def build_time(args, now):
    records = []
    for text in args.times:
        try:
            seconds = certcore.cert_time_to_seconds(text)
        except ValueError as exc:
            raise CliError(f"{text!r}: {_message(exc)}") from None
        records.append({"time": text, "seconds": seconds, "utc": utc_text(seconds)})
    return records


def text_time(records, args):
    for record in records:
        print(record["seconds"])


def build_pem2der(args, now):
    data = read_input(args.file)
    try:
        certs = certcore.load_certificates(data)
    except ValueError as exc:
        raise CliError(f"the input is not PEM ({_message(exc)})") from None
    return [{"der": base64.b64encode(cert.der).decode("ascii"), "sha256": cert.fingerprint("sha256").hex()}
            for cert in certs]


def text_pem2der(records, args):
    sys.stdout.buffer.write(b"".join(base64.b64decode(record["der"]) for record in records))
    sys.stdout.buffer.flush()


def build_der2pem(args, now):
    data = read_input(args.file)
    if not data:
        raise CliError("empty input")
    try:
        cert = certcore.Certificate(data)
    except ValueError as exc:
        raise CliError(f"the input is not a DER certificate ({_message(exc)})") from None
    return {"pem": cert.pem, "sha256": cert.fingerprint("sha256").hex()}


def text_der2pem(record, args):
    sys.stdout.write(record["pem"])


def build_paths(args, now):
    return certcore.get_default_verify_paths()._asdict()


def text_paths(record, args):
    for field, value in record.items():
        print(f"{field:<20} {value}")


def parse_address(text, default_port=443):
    """HOST, HOST:PORT, [IPv6]:PORT, [IPv6] or a bare IPv6 literal -> (host, port)."""
    host, port = text, default_port
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise CliError(f"bad address {text!r}: missing ']'")
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise CliError(f"bad address {text!r}")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host:
        raise CliError(f"bad address {text!r}: no host")
    try:
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise CliError(f"bad port in {text!r}") from None
    return host, port


def _progress(args):
    """Where fetch and check --server say what they are waiting for: stderr, when it is a
    terminal (a person is watching) or with --verbose; never with --quiet."""
    if args.verbose or (not args.quiet and sys.stderr.isatty()):
        return lambda text: print(f"certcore: {text}", file=sys.stderr, flush=True)
    return lambda text: None


def _describe_answer(first):
    """What a non-TLS server's first bytes look like: (summary, first line as text, is HTTP)."""
    line = first.split(b"\n", 1)[0].rstrip(b"\r")
    text = line.decode("ascii", "backslashreplace")
    if len(text) > 60:
        text = text[:60] + "..."
    # A status line, or an HTML page with no status line: the HTTP/0.9 answer servers such as
    # Python's http.server give to a request line without a version (a ClientHello is one).
    if first.startswith(b"HTTP/") or first.lstrip()[:16].lower().startswith((b"<!doctype html", b"<html")):
        return f"it answered with plain HTTP: {text!r}", text, True
    if line and all(32 <= byte < 127 or byte == 9 for byte in line):
        return f"it answered {text!r}", text, False
    return f"its first bytes are {first[:16].hex(' ')}", text, False


def _send_quietly(sock, data):
    """Send what OpenSSL has left to say (an alert, the last handshake message) when the outcome
    no longer depends on it: the peer may have gone away already."""
    try:
        sock.sendall(data)
    except OSError:
        pass


def tls_session(host, port, args):
    """Connect to host:port and run the TLS handshake that get_server_certificate runs (its
    context: verification only with --cafile, no host name check, SNI for names), returning the
    leaf's DER, the chain the server sent (DER), the TLS version and the address.

    The handshake runs over memory BIOs rather than the socket itself so that the bytes the
    server sends pass through here on their way to OpenSSL: when they are not TLS, the error can
    say what the server speaks instead. OpenSSL still does all of the TLS."""
    where = address_text(host, port)
    timeout = args.timeout
    say = _progress(args)
    if not (math.isfinite(timeout) and timeout > 0):   # NaN and inf would reach settimeout()
        raise CliError("--timeout needs a number of seconds > 0")
    if args.cafile is not None and not os.path.isfile(args.cafile):
        raise CliError(f"cannot read {args.cafile}: no such file")
    context = _create_stdlib_context(
        certcore.PROTOCOL_TLS_CLIENT, cert_reqs=certcore.CERT_REQUIRED if args.cafile else certcore.CERT_NONE,
        cafile=args.cafile)

    say(f"connecting to {where} ...")
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as exc:
        raise CliError(f"{where}: cannot resolve {host!r}: {exc.strerror or exc}", "resolve",
                       address=where, phase="connect") from None
    except socket.timeout:
        raise CliError(f"{where}: timed out after {timeout:g} s connecting (no answer to the TCP connection "
                       "request)", "timeout", address=where, phase="connect", timeout=timeout) from None
    except OSError as exc:
        raise CliError(f"{where}: cannot connect: {_message(exc)}", "connect", address=where,
                       phase="connect") from None

    first, received = bytearray(), 0
    with sock:
        say(f"connected to {address_text(*sock.getpeername()[:2])}; TLS handshake ...")
        incoming, outgoing = certcore.MemoryBIO(), certcore.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_hostname=host)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    tls.do_handshake()
                    break
                except certcore.SSLWantReadError:
                    pass
                sock.sendall(outgoing.read())
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise socket.timeout
                sock.settimeout(remaining)
                data = sock.recv(16384)
                if not data:
                    incoming.write_eof()
                    continue
                received += len(data)
                first += data[:_FIRST_BYTES - len(first)]
                incoming.write(data)
            # the client's Finished (TLS 1.3), so that the server sees a complete handshake; the
            # certificates are in hand already, so a server that has gone away is no failure
            _send_quietly(sock, outgoing.read())
            leaf = tls.getpeercert(True)
            chain = tls.get_unverified_chain()
            version = tls.version()
        except certcore.SSLCertVerificationError as exc:
            _send_quietly(sock, outgoing.read())   # OpenSSL's alert, so that the server learns why
            reason = getattr(exc, "verify_message", None) or _message(exc)
            raise CliError(f"{where}: certificate verification failed: {reason}", "verify", address=where,
                           phase="handshake") from None
        except certcore.SSLError as exc:
            _send_quietly(sock, outgoing.read())
            if getattr(exc, "reason", None) in _NOT_TLS_REASONS and first:
                summary, line, http = _describe_answer(bytes(first))
                raise CliError(f"{where} is not a TLS server ({summary})", "not-tls", address=where,
                               phase="handshake", firstBytes=first[:32].hex(), firstLine=line, http=http) from None
            if isinstance(exc, certcore.SSLEOFError) and not received:
                raise CliError(f"{where}: the server closed the connection during the TLS handshake without "
                               "answering", "tls", address=where, phase="handshake") from None
            raise CliError(f"{where}: TLS handshake failed: {_message(exc)}", "tls", address=where,
                           phase="handshake") from None
        except socket.timeout:
            sent = f"the server sent {received} bytes, then nothing" if received else "the server sent nothing"
            raise CliError(f"{where}: timed out after {timeout:g} s in the TLS handshake ({sent})", "timeout",
                           address=where, phase="handshake", timeout=timeout) from None
        except OSError as exc:
            raise CliError(f"{where}: connection failed during the TLS handshake: {_message(exc)}", "connect",
                           address=where, phase="handshake") from None
    say(f"{version} handshake done")
    return {"address": where, "host": host, "port": port, "leaf": leaf, "chain": chain, "version": version}


def build_fetch(args, now):
    host, port = parse_address(args.address)
    session = tls_session(host, port, args)
    certs = [certcore.Certificate.from_der(der) for der in (session["chain"] if args.chain else [session["leaf"]])]
    records = []
    for cert in certs:
        record = {"pem": cert.pem, "subject": cert.subject, "issuer": cert.issuer,
                  "subjectAltName": cert.subject_alt_names}
        record.update(validity(cert, now))
        record["sha256"] = cert.fingerprint("sha256").hex()
        records.append(record)
    return {"address": session["address"], "host": host, "port": port, "tlsVersion": session["version"],
            "verified": args.cafile is not None, "certificates": records}


def text_fetch(r, args):
    sys.stdout.write("".join(cert["pem"] for cert in r["certificates"]))


Command = namedtuple("Command", "build text status")
_OK = lambda record: 0  # noqa: E731


# ---------------------------------------------------------------------------------------------
# Parser and entry point

def _days(text):
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None


def _seconds(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None


def _validity_keys(indent):
    """The validity keys of a certificate record, for the epilogs of the commands that print them."""
    return "\n".join(indent + line for line in (
        "notBefore, notAfter (seconds since the epoch), notBeforeText, notAfterText (UTC),",
        "daysLeft (whole days to notAfter, cut toward zero: negative = days since it expired),",
        "expired, notYetValid (booleans)"))


def build_parser():
    parser = _Parser(
        prog="certcore",
        description=certcore.__doc__.splitlines()[0] + " Without a command: info.",
        epilog="Every command takes --json: one JSON document on stdout, the keys listed in its --help; the "
               "exit status is the same as in text mode.\n\n" + JSON_ERROR_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    parser.add_argument("--json", action="store_true", help="print one JSON document (any command)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, spec, help, description=None, epilog=None, usage=None):
        p = sub.add_parser(name, help=help, description=description or help, usage=usage,
                           epilog=(epilog + "\n\n" + JSON_ERROR_HELP) if epilog else JSON_ERROR_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(spec=spec, _parser=p)
        # SUPPRESS: an absent sub-level --json must not reset a top-level one
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=f"JSON output ({name}'s "
                       "keys below)")
        return p

    def connection_options(p):
        p.add_argument("--cafile", metavar="F", help="verify the server certificate against these CAs")
        p.add_argument("--timeout", type=_seconds, default=10.0, metavar="S",
                       help="seconds for each phase, connecting and the TLS handshake (default 10)")
        loud = p.add_mutually_exclusive_group()
        loud.add_argument("-v", "--verbose", action="store_true",
                          help="say on stderr what it is waiting for (the default when stderr is a terminal)")
        loud.add_argument("-q", "--quiet", action="store_true", help="never say what it is waiting for")

    command("info", Command(build_info, text_info, _OK),
            "version, OpenSSL, default verify paths and trust store size (default)",
            epilog="JSON: {certcore, openssl, python (versions), defaultVerifyPaths {the paths command's keys},\n"
                   "  cafileAnchors, capathAnchors (certificates in the default file / hashed directory),\n"
                   "  trustStore {anchors, otherCertificates, crls}}")

    p = command("store", Command(build_store, text_store, _OK),
                "list the system trust anchors with subject and expiry",
                "List the trust anchors of the trust store OpenSSL uses (certcore.enum_certificates"
                "('ROOT'): the default verify file and directory, honouring SSL_CERT_FILE and "
                "SSL_CERT_DIR), soonest expiry first. Offline.",
                epilog="JSON: a list of {store (ROOT or CA), subject (getpeercert() form), notAfter (seconds),\n"
                       "  notAfterText (UTC), daysLeft, expired, trust (true or a list of EKU OIDs), sha256 (hex)}\n"
                       "  (daysLeft: whole days to notAfter, cut toward zero; negative = days since it expired)")
    p.add_argument("--expiring", type=_days, metavar="DAYS",
                   help="only those expiring within DAYS days (expired ones included)")
    p.add_argument("--ca", dest="stores", action="store_const", const=["ROOT", "CA"], default=["ROOT"],
                   help="also list the non-anchor certificates (store 'CA')")

    p = command("show", Command(build_show, text_show, _OK),
                "decode a certificate (PEM or DER, bundles too) to readable text",
                "Decode a certificate file (PEM or DER; every certificate of a PEM bundle).",
                epilog="JSON: the getpeercert() dict plus daysLeft, expired, notYetValid and sha256 (hex);\n"
                       "  a list of them for a bundle")
    p.add_argument("file", metavar="FILE|-", help="certificate file, or - for stdin")

    p = command("check", Command(build_check, text_check, lambda record: 0 if record["ok"] else 1),
                "is the certificate valid for every name given? (exit 0 / 1)",
                "Check that the certificate (a bundle's first, or the one a TLS server presents) is "
                "valid for every host name and IP address given (the rules of ssl.match_hostname) and "
                "is within its validity period. Prints ok/FAIL per name; exit status 0 when all pass, "
                "else 1. With --server the server's chain is verified only with --cafile (as fetch).",
                usage="%(prog)s [options] FILE|- HOST_OR_IP [HOST_OR_IP ...]\n"
                      "       %(prog)s [options] --server HOST[:PORT] [HOST_OR_IP ...]",
                epilog="JSON: {source (file, <stdin> or host:port), subject, names [{name, ok, error}],\n"
                       "  timeChecked, ok (the exit status is 0 exactly when ok),\n" + _validity_keys("  ") + "}")
    p.add_argument("file", metavar="FILE|-", nargs="?", help="certificate file, or - for stdin")
    p.add_argument("names", metavar="HOST_OR_IP", nargs="*",
                   help="host names and IP addresses (with --server: the server's host by default)")
    p.add_argument("--ignore-time", action="store_true", help="do not check the validity period")
    p.add_argument("--server", metavar="HOST[:PORT]",
                   help="check the certificate this TLS server presents instead of a file")
    connection_options(p)

    p = command("time", Command(build_time, text_time, _OK),
                "convert a certificate time string to seconds since the epoch",
                "Print cert_time_to_seconds() of each argument, e.g. 'Jan  5 09:34:43 2018 GMT'.",
                epilog="JSON: a list of {time (the argument), seconds, utc}")
    p.add_argument("times", metavar="TIME", nargs="+", help="a notBefore/notAfter string")

    p = command("pem2der", Command(build_pem2der, text_pem2der, _OK), "PEM certificate(s) -> DER (stdin to stdout)",
                "Convert PEM to DER (every certificate of a bundle, concatenated).",
                epilog="JSON: a list of {der (base64), sha256 (hex)}")
    p.add_argument("file", metavar="FILE|-", nargs="?", default="-", help="input (default: stdin)")

    p = command("der2pem", Command(build_der2pem, text_der2pem, _OK), "DER certificate -> PEM (stdin to stdout)",
                epilog="JSON: {pem, sha256 (hex)}")
    p.add_argument("file", metavar="FILE|-", nargs="?", default="-", help="input (default: stdin)")

    command("paths", Command(build_paths, text_paths, _OK),
            "OpenSSL's default verify paths (get_default_verify_paths())",
            epilog="JSON: {cafile, capath, openssl_cafile_env, openssl_cafile, openssl_capath_env, openssl_capath}")

    p = command("fetch", Command(build_fetch, text_fetch, _OK),
                "print the certificate a TLS server presents, as PEM",
                "Connect to a TLS server and print its certificate (or the chain it sent) as PEM. "
                "Nothing is verified unless --cafile is given; the host name is never checked "
                "(as ssl.get_server_certificate). A port that does not speak TLS (plain HTTP, say) "
                "is reported as such, with what it answered.",
                epilog="JSON: {address (host:port), host, port, tlsVersion, verified (--cafile given and passed),\n"
                       "  certificates (the leaf; with --chain every certificate the server sent): a list of\n"
                       "  {pem, subject, issuer, subjectAltName, sha256 (hex),\n" + _validity_keys("   ") + "}}")
    p.add_argument("address", metavar="HOST[:PORT]", help="host name or IP (IPv6 as [addr]:port); port 443 by default")
    p.add_argument("--chain", action="store_true", help="print every certificate the server sent")
    connection_options(p)
    return parser


INFO = Command(build_info, text_info, _OK)


def _error_object(kind, message, details=None):
    return {"error": {"kind": kind, "message": message, **(details or {})}}


def _report_usage_error(exc, want_json):
    """argparse's own usage-error output (usage line, "prog: error: ...", exit status 2), with the
    JSON error object on stdout first when --json was asked for."""
    if want_json:
        write_json(_error_object("usage", exc.message))
        sys.stdout.flush()
    exc.parser.print_usage(sys.stderr)
    print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
    return 2


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        return _report_usage_error(exc, "--json" in argv)
    spec = getattr(args, "spec", INFO)
    now = int(time.time())   # the one "now" of this run: every days-left number is relative to it
    try:
        record = spec.build(args, now)
        if args.json:
            write_json(record)
        else:
            spec.text(record, args)
        sys.stdout.flush()
        return spec.status(record)
    except _UsageError as exc:   # a check on arguments that argparse cannot express
        return _report_usage_error(exc, args.json)
    except KeyboardInterrupt:
        if args.debug:
            raise
        return 130
    except BrokenPipeError:
        # The reader went away (`certcore store | head`): not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, CliError):
            kind, text, details = exc.kind, exc.args[0], exc.details
        else:
            kind, text, details = "internal", f"{_message(exc)} ({type(exc).__name__})", {}
        if args.json:
            write_json(_error_object(kind, text, details))
            sys.stdout.flush()
        print(f"certcore: error: {text}", file=sys.stderr)
        return 1
