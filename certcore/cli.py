"""``python -m certcore`` / ``certcore``: the command line.

Subcommands (``certcore COMMAND --help`` for each):

  info                       version, OpenSSL, default verify paths, trust store size (default)
  store [--expiring DAYS]    the system trust anchors with subject and expiry (offline)
  show FILE|-                a certificate (PEM or DER, bundles too) as text, or --json
  check FILE|- NAME...       is the certificate valid for every host name / IP address?
  time 'Jan  5 09:34:43 2018 GMT'   a certificate time string as seconds since the epoch
  pem2der / der2pem          stdin -> stdout conversions
  paths                      OpenSSL's default verify paths
  fetch HOST[:PORT]          the certificate (or chain) a TLS server presents, as PEM

Errors are one line on stderr and a non-zero exit status (1; 2 for usage errors); ``--debug``
shows the traceback instead.
"""
import argparse
import json
import os
import sys
import time

import certcore
from _certcore.store import count_certificate_blocks, hashed_certificate_names
from _certcore.x509 import load_pem_or_der, read_cert_file

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


class CliError(Exception):
    """A failure to report as one line (no traceback) with exit status 1."""


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


def days_left_text(not_after, now):
    if not_after < now:
        return f"EXPIRED {(now - not_after) // DAY} days ago"
    return f"{(not_after - now) // DAY} days left"


def trust_text(trust):
    if trust is True:
        return "all purposes"
    if not trust:
        return "no purpose"
    return ",".join(sorted(_EKU_NAMES.get(oid, oid) for oid in trust))


def write_json(obj):
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------------------
# Commands

def cmd_info(args):
    paths = certcore.get_default_verify_paths()
    print(f"certcore {certcore.__version__}")
    print(f"linked with {certcore.OPENSSL_VERSION}")
    print(f"python {sys.version.split()[0]}")
    print("default verify paths:")
    for field in paths._fields:
        print(f"  {field:<20} {getattr(paths, field)}")
    cafile_count = count_certificate_blocks(paths.cafile) if paths.cafile else 0
    capath_count = len(hashed_certificate_names(paths.capath)) if paths.capath else 0
    print(f"trust anchors: {cafile_count} in cafile, {capath_count} in capath")
    roots = len(certcore.enum_certificates("ROOT"))
    others = len(certcore.enum_certificates("CA"))
    crls = len(certcore.enum_crls("CA"))
    print(f"trust store: {roots} distinct trust anchors, {others} other certificates, {crls} CRLs"
          " (`certcore store` lists them)")
    return 0


def cmd_store(args):
    if args.expiring is not None and args.expiring < 0:
        raise CliError("--expiring needs a number of days >= 0")
    now = int(time.time())
    rows = []
    for store_name in args.stores:
        for der, _, trust in certcore.enum_certificates(store_name):
            try:
                cert = certcore.Certificate(der)
                subject, not_after = cert.subject, cert.not_after
            except ValueError:  # listed by OpenSSL's parser but not decodable here: say so
                subject, not_after = ((("?", "undecodable certificate"),),), None
            if args.expiring is not None and (not_after is None or not_after > now + args.expiring * DAY):
                continue
            rows.append((store_name, subject, not_after, trust, cert))
    rows.sort(key=lambda row: (row[2] is None, row[2] or 0, dn_text(row[1])))
    if args.json:
        write_json([
            {
                "store": store_name,
                "subject": subject,
                "notAfter": not_after,
                "notAfterText": utc_text(not_after) if not_after is not None else None,
                "daysLeft": (not_after - now) // DAY if not_after is not None else None,
                "trust": True if trust is True else sorted(trust),
                "sha256": cert.fingerprint("sha256").hex(),
            }
            for store_name, subject, not_after, trust, cert in rows
        ])
        return 0
    for store_name, subject, not_after, trust, _ in rows:
        expiry = date_text(not_after) if not_after is not None else "?"
        left = days_left_text(not_after, now) if not_after is not None else ""
        extra = "" if trust is True else f"  [trusted for: {trust_text(trust)}]"
        prefix = f"{store_name:<4} " if len(args.stores) > 1 else ""
        print(f"{prefix}{expiry}  {left:>21}  {short_subject(subject)}{extra}")
    what = "certificates" if len(args.stores) > 1 else "trust anchors"
    if args.expiring is not None:
        print(f"{len(rows)} {what} expire within {args.expiring} days")
    else:
        print(f"{len(rows)} {what}")
    return 0


def describe(cert, now):
    d = cert.to_dict()
    lines = [
        f"  subject:      {dn_text(d.get('subject', ()))}",
        f"  issuer:       {dn_text(d.get('issuer', ()))}",
        f"  serial:       {d.get('serialNumber', '?')}",
        f"  version:      {d.get('version', '?')}",
        f"  not before:   {d.get('notBefore', '?')}",
        f"  not after:    {d.get('notAfter', '?')}  ({days_left_text(cert.not_after, now)})",
    ]
    for key, label in (("subjectAltName", "alt names"), ("OCSP", "OCSP"), ("caIssuers", "CA issuers"),
                       ("crlDistributionPoints", "CRL points")):
        if key in d:
            values = [f"{kind}:{value}" for kind, value in d[key]] if key == "subjectAltName" else list(d[key])
            lines.append(f"  {label + ':':<13} {', '.join(values)}")
    lines.append(f"  sha256:       {cert.fingerprint('sha256').hex(':').upper()}")
    return lines


def cmd_show(args):
    certs = load_certs(read_input(args.file), source_name(args.file))
    if args.json:
        dicts = [cert.to_dict() for cert in certs]
        write_json(dicts[0] if len(dicts) == 1 else dicts)
        return 0
    now = int(time.time())
    for i, cert in enumerate(certs, 1):
        if i > 1:
            print()
        print(f"certificate {i} of {len(certs)}" if len(certs) > 1 else "certificate")
        print("\n".join(describe(cert, now)))
    return 0


def cmd_check(args):
    certs = load_certs(read_input(args.file), source_name(args.file))
    cert = certs[0]  # the leaf: a bundle's first certificate
    failures = 0
    for name in args.names:
        try:
            cert.match_hostname(name)
        except (certcore.CertificateError, ValueError) as exc:
            failures += 1
            print(f"FAIL  {name}: {_message(exc)}")
        else:
            print(f"ok    {name}")
    if not args.ignore_time:
        now = int(time.time())
        if cert.not_after < now:
            failures += 1
            print(f"FAIL  the certificate expired on {utc_text(cert.not_after)}")
        elif cert.not_before > now:
            failures += 1
            print(f"FAIL  the certificate is not valid before {utc_text(cert.not_before)}")
    return 1 if failures else 0


def cmd_time(args):
    for text in args.times:
        try:
            print(certcore.cert_time_to_seconds(text))
        except ValueError as exc:
            raise CliError(f"{text!r}: {_message(exc)}") from None
    return 0


def cmd_pem2der(args):
    data = read_input(args.file)
    try:
        certs = certcore.load_certificates(data)
    except ValueError as exc:
        raise CliError(f"the input is not PEM ({_message(exc)})") from None
    sys.stdout.buffer.write(b"".join(cert.der for cert in certs))
    sys.stdout.buffer.flush()
    return 0


def cmd_der2pem(args):
    data = read_input(args.file)
    if not data:
        raise CliError("empty input")
    try:
        cert = certcore.Certificate(data)
    except ValueError as exc:
        raise CliError(f"the input is not a DER certificate ({_message(exc)})") from None
    sys.stdout.write(cert.pem)
    return 0


def cmd_paths(args):
    paths = certcore.get_default_verify_paths()
    if args.json:
        write_json(paths._asdict())
        return 0
    for field in paths._fields:
        print(f"{field:<20} {getattr(paths, field)}")
    return 0


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


def cmd_fetch(args):
    import socket

    addr = parse_address(args.address)
    if args.timeout is not None and args.timeout <= 0:
        raise CliError("--timeout needs a number of seconds > 0")
    if args.cafile is not None and not os.path.isfile(args.cafile):
        raise CliError(f"cannot read {args.cafile}: no such file")
    try:
        if args.chain:
            chain = certcore.get_server_certificate_chain(addr, ca_certs=args.cafile, timeout=args.timeout)
            sys.stdout.write("".join(cert.pem for cert in chain))
        else:
            sys.stdout.write(certcore.get_server_certificate(addr, ca_certs=args.cafile, timeout=args.timeout))
    except certcore.SSLCertVerificationError as exc:
        reason = getattr(exc, "verify_message", None) or _message(exc)
        raise CliError(f"{args.address}: certificate verification failed: {reason}") from None
    except socket.timeout:
        raise CliError(f"{args.address}: timed out after {args.timeout} s") from None
    except socket.gaierror as exc:
        raise CliError(f"{args.address}: cannot resolve {addr[0]!r}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise CliError(f"{args.address}: {_message(exc)}") from None
    return 0


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


def build_parser():
    parser = argparse.ArgumentParser(
        prog="certcore",
        description=certcore.__doc__.splitlines()[0] + " Without a command: info.",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, func, help, description=None):
        p = sub.add_parser(name, help=help, description=description or help)
        p.set_defaults(func=func)
        return p

    command("info", cmd_info, "version, OpenSSL, default verify paths and trust store size (default)")

    p = command("store", cmd_store, "list the system trust anchors with subject and expiry",
                "List the trust anchors of the trust store OpenSSL uses (certcore.enum_certificates"
                "('ROOT'): the default verify file and directory, honouring SSL_CERT_FILE and "
                "SSL_CERT_DIR), soonest expiry first. Offline.")
    p.add_argument("--expiring", type=_days, metavar="DAYS",
                   help="only those expiring within DAYS days (expired ones included)")
    p.add_argument("--json", action="store_true", help="JSON: a list of objects")
    p.add_argument("--ca", dest="stores", action="store_const", const=["ROOT", "CA"], default=["ROOT"],
                   help="also list the non-anchor certificates (store 'CA')")

    p = command("show", cmd_show, "decode a certificate (PEM or DER, bundles too) to readable text",
                "Decode a certificate file (PEM or DER; every certificate of a PEM bundle).")
    p.add_argument("file", metavar="FILE|-", help="certificate file, or - for stdin")
    p.add_argument("--json", action="store_true",
                   help="print the getpeercert() dict (a list of them for a bundle)")

    p = command("check", cmd_check, "is the certificate valid for every name given? (exit 0 / 1)",
                "Check that the certificate (a bundle's first) is valid for every host name and IP "
                "address given (the rules of ssl.match_hostname) and is within its validity period. "
                "Prints ok/FAIL per name; exit status 0 when all pass, else 1.")
    p.add_argument("file", metavar="FILE|-", help="certificate file, or - for stdin")
    p.add_argument("names", metavar="HOST_OR_IP", nargs="+", help="host names and IP addresses")
    p.add_argument("--ignore-time", action="store_true", help="do not check the validity period")

    p = command("time", cmd_time, "convert a certificate time string to seconds since the epoch",
                "Print cert_time_to_seconds() of each argument, e.g. 'Jan  5 09:34:43 2018 GMT'.")
    p.add_argument("times", metavar="TIME", nargs="+", help="a notBefore/notAfter string")

    p = command("pem2der", cmd_pem2der, "PEM certificate(s) -> DER (stdin to stdout)",
                "Convert PEM to DER (every certificate of a bundle, concatenated).")
    p.add_argument("file", metavar="FILE|-", nargs="?", default="-", help="input (default: stdin)")

    p = command("der2pem", cmd_der2pem, "DER certificate -> PEM (stdin to stdout)")
    p.add_argument("file", metavar="FILE|-", nargs="?", default="-", help="input (default: stdin)")

    p = command("paths", cmd_paths, "OpenSSL's default verify paths (get_default_verify_paths())")
    p.add_argument("--json", action="store_true", help="JSON object")

    p = command("fetch", cmd_fetch, "print the certificate a TLS server presents, as PEM",
                "Connect to a TLS server and print its certificate (or the chain it sent) as PEM. "
                "Nothing is verified unless --cafile is given; the host name is never checked "
                "(as ssl.get_server_certificate).")
    p.add_argument("address", metavar="HOST[:PORT]", help="host name or IP (IPv6 as [addr]:port); port 443 by default")
    p.add_argument("--cafile", metavar="F", help="verify the server certificate against these CAs")
    p.add_argument("--chain", action="store_true", help="print every certificate the server sent")
    p.add_argument("--timeout", type=_seconds, default=10.0, metavar="S",
                   help="connect and handshake timeout in seconds (default 10)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_info)
    try:
        status = func(args)
        sys.stdout.flush()
        return status
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
        text = exc.args[0] if isinstance(exc, CliError) else f"{_message(exc)} ({type(exc).__name__})"
        print(f"certcore: error: {text}", file=sys.stderr)
        return 1
