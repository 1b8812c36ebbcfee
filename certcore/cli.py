"""``python -m certcore``: the command line.

With no arguments it reports, offline, what this installation is: certcore's version, the
OpenSSL it is linked with, OpenSSL's default verify paths, and how many trust anchors those
paths hold.
"""
import argparse
import os
import re
import sys

import certcore

# A PEM certificate block as OpenSSL's trust store holds it (plain or with trust settings).
_PEM_BEGIN = re.compile(rb"^-----BEGIN (?:TRUSTED )?CERTIFICATE-----", re.MULTILINE)
# The file names `openssl rehash` gives certificates in a hashed directory: <8 hex>.<n>.
_HASHED_NAME = re.compile(r"^[0-9a-f]{8}\.[0-9]+$")


def count_pem_certificates(path):
    """Number of certificate blocks in a PEM file (0 when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return len(_PEM_BEGIN.findall(f.read()))
    except OSError:
        return 0


def count_hashed_certificates(path):
    """Number of `openssl rehash` certificate links in a directory (0 when it cannot be read)."""
    try:
        return sum(1 for name in os.listdir(path) if _HASHED_NAME.match(name))
    except OSError:
        return 0


def cmd_info(args):
    paths = certcore.get_default_verify_paths()
    print(f"certcore {certcore.__version__}")
    print(f"linked with {certcore.OPENSSL_VERSION}")
    print(f"python {sys.version.split()[0]}")
    print("default verify paths:")
    for field in paths._fields:
        print(f"  {field:<20} {getattr(paths, field)}")
    cafile_count = count_pem_certificates(paths.cafile) if paths.cafile else 0
    capath_count = count_hashed_certificates(paths.capath) if paths.capath else 0
    print(f"trust anchors: {cafile_count} in cafile, {capath_count} in capath")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="certcore", description=certcore.__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command")
    info = sub.add_parser("info", help="version, OpenSSL, default verify paths and trust anchors (default)")
    info.set_defaults(func=cmd_info)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_info)
    try:
        return func(args)
    except Exception as exc:
        if args.debug:
            raise
        print(f"certcore: error: {exc}", file=sys.stderr)
        return 1
