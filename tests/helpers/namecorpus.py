"""Certificates and hostnames for the name-checking tests (Certificate.match_hostname, the C API).

Certificates are generated with tests/certgen.py from a small grammar of subjectAltName and
commonName shapes chosen to sit on both sides of every rule: exact names, valid and invalid
wildcards (partial, multiple, sole, in a later label, over a TLD), IDNA labels, NUL bytes,
non-ASCII, trailing dots, IP SANs of every length, IP-looking commonNames, and certificates
with no names at all. Hostnames cover the same edges.
"""
import functools
import ipaddress
import itertools
import random

from helpers.certgen import build, gn_dns, gn_email, gn_ip, gn_uri, name, raw_san

DNS_PATTERNS = [
    b"www.example.com", b"WWW.Example.COM", b"*.example.com", b"*.EXAMPLE.com", b"*.com",
    b"*.localhost", b"f*.example.com", b"*oo.example.com", b"*.*.example.com", b"www.*.com",
    b"*", b"*.", b"*.xn--tda.com", b"xn--tda.example.com", b"*.-bad.example.com",
    b"*.example-.com", b"*.ex_ample.com", b"www.example.com.", b"*.example.com.", b"",
    b"www.example.com\x00.evil.com", b"caf\xc3\xa9.example.com", b"\xe2\x84\xaa.example.com",
    b"1.2.3.4", b"*.2.3.4", b"localhost", b"a..example.com", b".example.com",
    b"*.a.b.c.example.com", b"ex ample.com", b"*.sub-domain.example.org",
]
IP_SANS = [
    bytes([127, 0, 0, 1]), bytes([192, 0, 2, 1]), ipaddress.ip_address("2001:db8::1").packed,
    ipaddress.ip_address("::1").packed, bytes([1, 2, 3]), bytes(range(5)), b"",
]
CN_VALUES = [
    "www.example.com", "*.example.com", "*.com", "f*.example.com", "1.2.3.4", "*.2.3.4",
    "localhost", "caf\u00e9.example.com", "\u212a.example.com", "", "www.example.com.",
    "*.a.b.example.com", "::1",
]
HOSTNAMES = [
    "www.example.com", "WWW.EXAMPLE.COM", "foo.example.com", "a.b.example.com", "example.com",
    "www.example.com.", ".example.com", "example.com.", "foo.com", "com", "localhost",
    "a.localhost", "1.2.3.4", "5.2.3.4", "127.0.0.1", "127.1", "192.0.2.1", "2001:db8::1",
    "2001:DB8:0:0:0:0:0:1", "::1", "::ffff:127.0.0.1", "xn--tda.com", "www.xn--tda.com",
    "foo.sub-domain.example.org", "x.a.b.c.example.com", "k.example.com", "caf\u00e9.example.com",
    "www.example.com\x00.evil.com", "ex ample.com", "a..example.com", "-x.example.com",
    "x-.example.com", "under_score.example.com", "", "1.2.3", "1.2.3.4.5", "01.2.3.4",
]


def _san(dns=(), ips=(), extra=()):
    return raw_san(*([gn_dns(d) for d in dns] + [gn_ip(i) for i in ips] + list(extra)))


@functools.lru_cache(maxsize=None)
def certificates():
    """{label: DER} over the shapes that matter, deterministic."""
    out = {}
    rng = random.Random(6125)
    for d in DNS_PATTERNS:
        out["dns %r" % d] = build(extensions=[_san(dns=[d])])
    for i in IP_SANS:
        out["ip %r" % i] = build(extensions=[_san(ips=[i])])
    for cn in CN_VALUES:
        out["cn %r" % cn] = build(subject=name(("CN", cn)) if cn else name(("O", "no cn")))
        out["cn %r + ip" % cn] = build(subject=name(("CN", cn)), extensions=[_san(ips=[IP_SANS[0]])]) if cn else None
        out["cn %r + email" % cn] = build(subject=name(("CN", cn) if cn else ("O", "x")),
                                          extensions=[_san(extra=[gn_email(b"a@b.c"), gn_uri(b"http://x/")])])
    out["two cns"] = build(subject=name(("CN", "other.example.com"), ("CN", "www.example.com")))
    out["no names"] = build(subject=name(("O", "nobody")))
    for k in range(60):
        dns = rng.sample(DNS_PATTERNS, rng.randint(0, 3))
        ips = rng.sample(IP_SANS, rng.randint(0, 2))
        cn = rng.choice(CN_VALUES) or "x"
        exts = [_san(dns=dns, ips=ips)] if (dns or ips) else []
        out["mix %d" % k] = build(subject=name(("CN", cn)), extensions=exts)
    return {k: v for k, v in out.items() if v is not None}


def pairs():
    """Every (label, der, hostname) combination."""
    return [(label, der, host) for (label, der), host in itertools.product(certificates().items(), HOSTNAMES)]
