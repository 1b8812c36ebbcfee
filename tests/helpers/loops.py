"""The workloads of the leak checks: one iteration of each certcore API, hit and error paths.

Used by test_leak.py (100,000 iterations each, 1,000 for TLS connections, RSS must stay flat)
and by ci/valgrind (``python tests/helpers/loops.py --scale 0.005``: the same loops, fewer times,
under valgrind memcheck).

    python tests/helpers/loops.py [--scale F] [--only NAME ...] [--list]
"""
import datetime
import os
import socket
import ssl
import sys
import tempfile
import threading

import certcore

CALLS = 100_000
CONNECTIONS = 1_000


def expect(exc_type, func, *args):
    """One call that must raise exc_type (the error path is where leaks like to hide)."""
    try:
        func(*args)
    except exc_type:
        return
    raise AssertionError(f"{func.__name__}{args!r:.80} did not raise {exc_type.__name__}")


# --- material ------------------------------------------------------------------------------

class Material:
    """Certificates made once per process with `cryptography` (ECDSA P-256, fast): a CA and a
    ``localhost`` leaf with every common extension. The TLS fuzz targets use them too."""

    _made = None

    @classmethod
    def get(cls):
        if cls._made is None:
            cls._made = cls()
        return cls._made

    def __init__(self):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

        now = datetime.datetime.now(datetime.timezone.utc)
        self.dir = tempfile.mkdtemp(prefix="certcore-leak-")
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certcore leak CA")])
        ca = (
            x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
                                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "certcore")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(0x1234567890ABCDEF)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.DNSName("*.example.com"),
                x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                x509.RFC822Name("a@example.com"), x509.UniformResourceIdentifier("https://example.com/"),
            ]), critical=False)
            .add_extension(x509.AuthorityInformationAccess([
                x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                       x509.UniformResourceIdentifier("http://ocsp.example.com/")),
                x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                       x509.UniformResourceIdentifier("http://ca.example.com/ca.der")),
            ]), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier("http://crl.example.com/a.crl")], None, None, None)]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        self.der = leaf.public_bytes(serialization.Encoding.DER)
        self.pem = leaf.public_bytes(pem).decode()
        self.ca_pem = ca.public_bytes(pem).decode()
        self.ca = os.path.join(self.dir, "ca.pem")
        self.chain = os.path.join(self.dir, "chain.pem")
        self.key = os.path.join(self.dir, "key.pem")
        self.cert_file = os.path.join(self.dir, "leaf.pem")
        with open(self.ca, "w") as f:
            f.write(self.ca_pem)
        with open(self.cert_file, "w") as f:
            f.write(self.pem)
        with open(self.chain, "w") as f:
            f.write(self.pem + self.ca_pem)
        with open(self.key, "wb") as f:
            f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.dict = ssl._ssl._test_decode_cert(self.cert_file)


# --- the workloads: name -> (factory returning a one-iteration callable, iterations) ----------

WORKLOADS = {}


def workload(count=CALLS):
    def register(factory):
        WORKLOADS[factory.__name__] = (factory, count)
        return factory
    return register


@workload()
def match_hostname_hit():
    m = certcore.match_hostname
    d = Material.get().dict
    return lambda: m(d, "www.example.com")


@workload()
def match_hostname_miss():
    m = certcore.match_hostname
    d = Material.get().dict
    return lambda: expect(ssl.CertificateError, m, d, "www.example.org")


@workload()
def match_hostname_ip_miss():
    m = certcore.match_hostname
    d = Material.get().dict
    return lambda: expect(ssl.CertificateError, m, d, "::1")


@workload()
def cert_time_ok():
    f = certcore.cert_time_to_seconds
    return lambda: f("Jan  5 09:34:43 2018 GMT")


@workload()
def cert_time_error():
    f = certcore.cert_time_to_seconds
    return lambda: expect(ValueError, f, "Foo  5 09:34:43 2018 GMT")


@workload()
def pem_to_der_ok():
    f = certcore.PEM_cert_to_DER_cert
    pem = Material.get().pem
    return lambda: f(pem)


@workload()
def pem_to_der_error():
    f = certcore.PEM_cert_to_DER_cert
    bad = ssl.PEM_HEADER + "\nM\n" + ssl.PEM_FOOTER + "\n"
    return lambda: expect((ValueError, __import__("binascii").Error), f, bad)


@workload()
def der_to_pem_ok():
    f = certcore.DER_cert_to_PEM_cert
    der = Material.get().der
    return lambda: f(der)


@workload()
def der_to_pem_error():
    f = certcore.DER_cert_to_PEM_cert
    return lambda: expect(TypeError, f, "not bytes")


def _certificate():
    return certcore.Certificate


@workload()
def certificate_from_der():
    C = _certificate()
    der = Material.get().der
    return lambda: C.from_der(der)


@workload()
def certificate_from_pem():
    C = _certificate()
    pem = Material.get().pem
    return lambda: C.from_pem(pem)


@workload()
def certificate_to_dict():
    C = _certificate()
    cert = C.from_der(Material.get().der)
    return lambda: cert.to_dict()


@workload()
def certificate_properties():
    C = _certificate()
    der = Material.get().der

    def once():
        cert = C.from_der(der)
        cert.not_before, cert.not_after, cert.subject, cert.issuer, cert.serial_number
        cert.subject_alt_names, cert.fingerprint("sha256"), cert.pem, hash(cert), cert == cert
    return once


@workload()
def certificate_errors():
    C = _certificate()
    der = Material.get().der

    def once():
        expect(ValueError, C.from_der, der[:200])
        expect(ValueError, C.from_der, der + b"\x00")
        expect(ValueError, C.from_der, b"garbage")
        expect(ValueError, C.from_pem, "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")
    return once


@workload()
def decode_cert():
    f = certcore.decode_cert
    der = Material.get().der
    return lambda: f(der)


@workload()
def load_certificates():
    f = certcore.load_certificates
    bundle = Material.get().pem + Material.get().ca_pem
    return lambda: f(bundle)


@workload()
def certificate_match_hostname():
    C = _certificate()
    cert = C.from_der(Material.get().der)
    m = cert.match_hostname

    def once():
        m("www.example.com")
        expect(ssl.CertificateError, m, "www.example.org")
    return once


# --- trust stores and verification ---------------------------------------------------------------

def _verifier():
    m = Material.get()
    return certcore.Verifier(certcore.TrustStore([certcore.Certificate.from_pem(m.ca_pem)]))


@workload(count=10_000)
def verifier_verify():
    # a fresh Certificate each time: its P-256 verification key is made by spki.install_key on
    # the inspection parse (keyed_in_place); accepted and rejected paths
    v = _verifier()
    der = Material.get().der

    def once():
        leaf = certcore.Certificate(der)
        assert len(v.verify(leaf, (), "localhost")) == 2
        expect(ssl.SSLCertVerificationError, v.verify, leaf, [leaf], "www.example.org")
    return once


@workload(count=3_000)
def verification_keys():
    # every way a verification key is made: RSA and P-384 by spki.install_key, Ed25519 and a
    # compressed P-256 point by OpenSSL's decoder (verify.pyx's pending parse without the GIL),
    # and a modulus with a needless leading zero, which install_key must decline and free nothing
    from helpers import pki, pki_raw
    from helpers.certgen import tlv
    from cryptography.hazmat.primitives.asymmetric import ec
    root = pki.root()
    issued = [pki.leaf("localhost", root, key=k) for k in
              (pki.shared_key("rsa"), ec.generate_private_key(ec.SECP384R1()), pki.new_key("ed25519"))]
    ders = [x.der for x in issued]
    alg, point = pki_raw.spki_parts(pki_raw.spki_of(pki.leaf("localhost", root, key="ec")))
    compressed = pki_raw.spki(alg, bytes([2 + (point[-1] & 1)]) + point[1:33])
    ders.append(pki_raw.with_spki(pki.leaf("localhost", root, key="ec"), root.key, compressed).der)
    numbers = issued[0].key.public_key().public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    padded = tlv(0x30, tlv(0x02, b"\x00\x00" + n) + tlv(0x02, b"\x01\x00\x01"))
    rsa_alg, _key = pki_raw.spki_parts(pki_raw.spki_of(issued[0]))
    ders.append(pki_raw.with_spki(issued[0], root.key, pki_raw.spki(rsa_alg, padded)).der)
    v = certcore.Verifier(certcore.TrustStore([root.certcore]))

    def once():
        leaves = [certcore.Certificate(der) for der in ders]
        for leaf in leaves[:-1]:
            assert len(v.verify(leaf, (), "localhost")) == 2
        try:    # whatever OpenSSL's decoder makes of the padded modulus, it must not leak
            v.verify(leaves[-1], (), "localhost")
        except ssl.SSLCertVerificationError:
            pass
        assert certcore.Certificate(ders[1]).is_signed_by(root.certcore)
    return once


@workload(count=300)
def verification_tables():
    # ecverify's fixed-base tables: 20 P-256 issuer keys, more than the 16 tables kept, in turn,
    # so that every iteration builds a table (about 150 KB) and evicts another, which must be freed
    import itertools
    from helpers import pki
    from _certcore import ecverify, verify
    root = pki.root()
    inters = [pki.intermediate(f"tables {k}", root) for k in range(20)]
    chains = [(certcore.Certificate(pki.leaf("localhost", i, sans=("localhost",)).der), [i.certcore])
              for i in inters]
    v = certcore.Verifier(certcore.TrustStore([root.certcore]))
    turn = itertools.count()

    def once():
        leaf, inter = chains[next(turn) % len(chains)]
        old = ecverify._set_threshold(1)
        try:
            verify._cache_clear()
            assert len(v.verify(leaf, inter, "localhost")) == 3
        finally:
            ecverify._set_threshold(old)
    return once


@workload(count=2_000)
def verifier_verify_many():
    v = _verifier()
    der = Material.get().der

    def once():
        batch = [(certcore.Certificate(der), (), "localhost" if i % 2 else "127.0.0.2") for i in range(10)]
        out = v.verify_many(batch)
        assert sum(isinstance(x, list) for x in out) == 5
    return once


@workload(count=20_000)
def truststore_build():
    pem = Material.get().ca_pem

    def once():
        store = certcore.TrustStore(cadata=pem)
        assert len(store) == 1 and len(list(store)) == 1
    return once


@workload(count=20_000)
def sslcontext_new():
    # TLS_CLIENT/TLS_SERVER contexts share the stdlib base object's SSL_CTX (a reference each)

    def once():
        certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_trust_store(certcore.TrustStore.system())
    return once


# --- TLS ---------------------------------------------------------------------------------------

def _tls_contexts():
    m = Material.get()
    server = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(m.chain, m.key)
    client = certcore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(m.ca)
    return client, server


def bio_handshake(client_ctx, server_ctx, hostname="localhost", mod=certcore):
    """A full handshake + one record each way between two SSLObjects in memory (certcore's, or
    the stdlib's with ``mod=ssl``: the BIOs must come from the contexts' module)."""
    c_in, c_out, s_in, s_out = (mod.MemoryBIO() for _ in range(4))
    c = client_ctx.wrap_bio(c_in, c_out, server_hostname=hostname)
    s = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    c_done = s_done = False
    for _ in range(20):
        for obj, done in ((c, c_done), (s, s_done)):
            if not done:
                try:
                    obj.do_handshake()
                    if obj is c:
                        c_done = True
                    else:
                        s_done = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if c_done and s_done:
            break
    c.write(b"ping")
    s_in.write(c_out.read())
    assert s.read(4) == b"ping"
    c.getpeercert()
    c.getpeercert(True)
    c.cipher(), c.version()
    return c, s


@workload(CONNECTIONS)
def tls_memory_bio():
    client, server = _tls_contexts()
    return lambda: bio_handshake(client, server)


@workload(CONNECTIONS)
def tls_memory_bio_verify_error():
    client, server = _tls_contexts()
    return lambda: expect(ssl.SSLCertVerificationError, bio_handshake, client, server, "wrong.example")


@workload(CONNECTIONS)
def tls_loopback_sockets():
    client, server = _tls_contexts()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    # one server thread per process, serving connections one at a time
    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with server.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(tls.recv(16))
            except (OSError, ssl.SSLError):
                pass
    threading.Thread(target=serve, daemon=True).start()

    def once():
        with socket.create_connection(("127.0.0.1", port)) as raw:
            with client.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"ping")
                assert tls.recv(16) == b"ping"
                tls.getpeercert()
    return once


def run(names=None, scale=1.0, out=sys.stdout):
    """Run workloads (for valgrind): returns {name: iterations}."""
    done = {}
    for name, (factory, count) in WORKLOADS.items():
        if names and name not in names:
            continue
        once = factory()
        n = max(1, int(count * scale))
        for _ in range(n):
            once()
        done[name] = n
        print(f"{name}: {n} iterations", file=out, flush=True)
    return done


if __name__ == "__main__":
    import argparse

    # as a script (ci/valgrind) the workloads that build certificates import the `helpers`
    # package the way the tests do: from the tests directory
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--only", nargs="*")
    p.add_argument("--list", action="store_true")
    a = p.parse_args()
    if a.list:
        print("\n".join(WORKLOADS))
    else:
        run(a.only, a.scale)
