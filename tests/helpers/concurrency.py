"""The concurrency scenarios of test_concurrency.py, each run in its own process (a crash or a
hang must not take pytest with it). Usable by hand, with either TLS module, to compare certcore
with the stdlib (nothing asserts anything about the stdlib), from the tests/ directory:

    python -m helpers.concurrency mutate {certcore|ssl} {client|server} NAME [SECONDS [socket|bio]]
    python -m helpers.concurrency storm  {certcore|ssl} {certcore|ssl} [CONNS [INTERVAL]]
                                         (client module, server module; INTERVAL 0: no signals)
    python -m helpers.concurrency --list

``mutate``: one thread changes the client or the server context with mutation NAME (``all``: every
mutation of that side in turn) in a loop, while THREADS threads do full handshakes + an echo with
it (loopback sockets, or memory BIOs). ``storm``: CONNS connections, each with a writer and a
reader thread on the same client socket, under a SIGALRM every 0.5 ms.

The result is one JSON line on stdout: ``counts`` (handshakes ok / failed by error, mutations,
bytes checked...), ``fatal`` (what may never happen: wrong bytes, a mutation refused, a hang...),
``stuck`` (threads that did not finish; exit status 3). A crash is the process dying of a signal;
faulthandler prints every thread's stack first.

Certificates: CERTCORE_CONC_KIT (JSON of a Kit, made once by the pytest fixture), else made here.
"""
import faulthandler
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import types
import warnings

from helpers.loops import bio_handshake
from helpers.tlspeers import OPENSSL, TLSServer

STREAM = 200_000      # bytes per signal-storm connection
THREADS = 3           # handshaking threads per mutation scenario
IO_TIMEOUT = 30.0     # a socket waiting this long for a loopback peer is hung
HANG = 60.0           # extra time a scenario gets after its deadline before it is declared hung


# === the kit: certificates and files, made once by pytest and handed to each subprocess ========

class Kit:
    """Paths: ``pki`` (a tlscerts.Pki, or the same attributes read back from JSON), ``dh`` (DH
    parameters, ffdhe2048, for load_dh_params), ``keylog`` (a keylog_filename target)."""

    def __init__(self, pki, dh, keylog):
        self.pki, self.dh, self.keylog = pki, dh, keylog

    def to_json(self):
        return json.dumps({"pki": vars(self.pki), "dh": self.dh, "keylog": self.keylog})

    @classmethod
    def from_json(cls, text):   # without importing tlscerts (cryptography): a faster start
        d = json.loads(text)
        pki = types.SimpleNamespace(**{k: tuple(v) if isinstance(v, list) else v
                                       for k, v in d["pki"].items()})
        return cls(pki, d["dh"], d["keylog"])

    @classmethod
    def make(cls, directory):
        from helpers.tlscerts import get_pki
        pki = get_pki()     # the PKI the other TLS tests of this process use, made once
        dh = os.path.join(directory, "ffdhe2048.pem")
        out = subprocess.run([OPENSSL or "openssl", "genpkey", "-genparam", "-algorithm", "DH",
                              "-pkeyopt", "group:ffdhe2048"], capture_output=True, check=True).stdout
        with open(dh, "wb") as f:
            f.write(out)
        return cls(pki, dh, os.path.join(directory, "keylog.txt"))


# === the mutations ==============================================================================
# Each is fn(ctx, i, env): state i % 2 == 1 is the usable baseline, i % 2 == 0 a valid variant,
# so alternating calls keep the context usable and toggle what OpenSSL holds.

class Mutation:
    def __init__(self, fn, sides, certcore_only, slow):
        self.fn = fn
        self.sides = sides                    # the contexts it is run on
        self.certcore_only = certcore_only    # an extension the stdlib does not have
        self.slow = slow                      # ~100 ms a call: left out of the ``all`` cycle


MUTATIONS = {}


def mutation(name, sides=("client", "server"), certcore_only=False, slow=False):
    def register(fn):
        MUTATIONS[name] = Mutation(fn, sides, certcore_only, slow)
        return fn
    return register


def _two(i, a, b):
    return a if i % 2 == 0 else b


@mutation("set_ciphers")
def _(ctx, i, env):
    ctx.set_ciphers(_two(i, "ECDHE+CHACHA20:ECDHE+AESGCM", "ECDHE+AESGCM:ECDHE+AES"))


@mutation("set_ciphersuites", certcore_only=True)
def _(ctx, i, env):
    ctx.set_ciphersuites(_two(i, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
                              "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"))


@mutation("set_ecdh_curve")
def _(ctx, i, env):
    ctx.set_ecdh_curve(_two(i, "secp384r1", "prime256v1"))


@mutation("load_cert_chain")
def _(ctx, i, env):
    if env.side == "server":   # an ECDSA and an RSA leaf for localhost, alternately
        ctx.load_cert_chain(*_two(i, env.kit.pki.rsa, env.kit.pki.ecdsa))
    else:
        ctx.load_cert_chain(*env.kit.pki.client)


@mutation("load_verify_locations(cafile)")
def _(ctx, i, env):
    ctx.load_verify_locations(cafile=_two(i, env.kit.pki.ca2, env.kit.pki.ca))


@mutation("load_verify_locations(cadata)")
def _(ctx, i, env):
    ctx.load_verify_locations(cadata=_two(i, env.ca_pem, env.ca_der))


@mutation("set_default_verify_paths", slow=True)   # reads the whole system trust store
def _(ctx, i, env):
    ctx.set_default_verify_paths()


@mutation("load_default_certs", slow=True)
def _(ctx, i, env):
    ctx.load_default_certs(_two(i, ssl.Purpose.SERVER_AUTH, ssl.Purpose.CLIENT_AUTH))


@mutation("load_dh_params")
def _(ctx, i, env):
    ctx.load_dh_params(env.kit.dh)


@mutation("set_alpn_protocols")
def _(ctx, i, env):
    ctx.set_alpn_protocols(_two(i, ["h2", "http/1.1"], ["http/1.1"]))


def _sni_noop(sslobj, name, ctx):
    return None


@mutation("sni_callback", sides=("server",))
def _(ctx, i, env):
    ctx.sni_callback = _two(i, _sni_noop, None)


@mutation("set_servername_callback", sides=("server",))
def _(ctx, i, env):
    # the virtual-hosting use: the callback moves the connection to another context
    def switch(sslobj, name, ctx):
        sslobj.context = env.alt_server
    ctx.set_servername_callback(_two(i, switch, None))


@mutation("options")
def _(ctx, i, env):
    extra = ssl.OP_NO_TICKET | ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_RENEGOTIATION
    ctx.options = _two(i, env.base_options | extra, env.base_options)


PARTIAL_CHAIN = getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0x80000)   # named in 3.10+


@mutation("verify_flags")
def _(ctx, i, env):
    ctx.verify_flags = _two(i, env.base_flags | PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT, env.base_flags)


@mutation("verify_mode")
def _(ctx, i, env):
    if env.side == "client":    # CERT_NONE is refused while check_hostname is on
        ctx.verify_mode = _two(i, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED)
    else:                        # the client presents a certificate: both succeed
        ctx.verify_mode = _two(i, ssl.CERT_REQUIRED, ssl.CERT_NONE)


@mutation("check_hostname")
def _(ctx, i, env):
    if env.side == "server":    # True would raise verify_mode to CERT_REQUIRED for good
        ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.check_hostname = _two(i, False, True) if env.side == "client" else _two(i, True, False)


@mutation("minimum_version")
def _(ctx, i, env):
    ctx.minimum_version = _two(i, ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2)


@mutation("maximum_version")
def _(ctx, i, env):
    ctx.maximum_version = _two(i, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.MAXIMUM_SUPPORTED)


@mutation("num_tickets", sides=("server",))
def _(ctx, i, env):
    ctx.num_tickets = _two(i, 0, 2)


@mutation("post_handshake_auth")
def _(ctx, i, env):
    ctx.post_handshake_auth = _two(i, True, False)


@mutation("keylog_filename")
def _(ctx, i, env):
    ctx.keylog_filename = _two(i, env.kit.keylog, None)


@mutation("hostname_checks_common_name")
def _(ctx, i, env):
    ctx.hostname_checks_common_name = _two(i, False, True)


# Names of the stdlib's SSLContext that change it but are not mutated here, and why.
EXCLUDED = {
    "set_npn_protocols": "NPN: NotImplementedError in certcore and in the stdlib over OpenSSL 3",
    "_msg_callback": "private debug hook; certcore raises NotImplementedError",
    "_host_flags": "private; what hostname_checks_common_name sets",
    "_windows_cert_stores": "a Python class attribute (Windows only), no OpenSSL state",
    "set_psk_client_callback": "CPython 3.13 TLS 1.3 PSK; NotImplementedError in certcore",
    "set_psk_server_callback": "CPython 3.13 TLS 1.3 PSK; NotImplementedError in certcore",
    "sslsocket_class": "a Python class attribute, no OpenSSL state",
    "sslobject_class": "a Python class attribute, no OpenSSL state",
}


def stdlib_mutators():
    """The names of the running stdlib's ssl.SSLContext that change a context: its set_*/load_*
    methods and every attribute a context accepts a value for."""
    names = set()
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for name in dir(ssl.SSLContext):
        if name.startswith("__"):
            continue
        attr = getattr(ssl.SSLContext, name)
        if callable(attr) and not isinstance(attr, property):
            if name.startswith(("set_", "load_")):
                names.add(name)
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                setattr(probe, name, getattr(probe, name))
        except AttributeError:
            continue          # read-only
        except Exception:     # noqa: BLE001 -- writable, but not with this value
            pass
        names.add(name)
    return names


def base_name(name):
    return name.split("(")[0]


# === the subprocess side ========================================================================

class Corrupt(Exception):
    """Bytes came back wrong: always a failure, never a legitimate effect of a mutation."""


class Env:
    """What the mutations and the workers share inside one scenario subprocess."""

    def __init__(self, mod, kit, side=None):
        self.mod, self.kit, self.side = mod, kit, side
        with open(kit.pki.ca) as f:
            self.ca_pem = f.read()
        self.ca_der = ssl.PEM_cert_to_DER_cert(self.ca_pem)
        self.client = mod.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client.load_verify_locations(kit.pki.ca)
        self.client.load_cert_chain(*kit.pki.client)
        self.server = mod.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server.load_cert_chain(*kit.pki.ecdsa)
        self.server.load_verify_locations(kit.pki.ca)
        self.alt_server = mod.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.alt_server.load_cert_chain(*kit.pki.rsa)
        target = self.server if side == "server" else self.client
        self.base_options = target.options
        self.base_flags = target.verify_flags


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.fatal = []

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, what):
        with self.lock:
            if len(self.fatal) < 20:
                self.fatal.append(what)


def _outcome_key(exc):
    if isinstance(exc, socket.timeout):
        return None                     # a loopback peer silent for IO_TIMEOUT: hung
    name = type(exc).__name__
    reason = getattr(exc, "reason", None)
    return f"failed: {name}" + (f" ({reason})" if reason else "")


class EchoServer(TLSServer):
    """tlspeers' server with Nagle off: its small writes (tickets, then the echo) must not wait
    for a delayed ACK; that wait, not the handshakes, would set the pace."""

    def _serve(self, conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super()._serve(conn)


def socket_exchange(ctx, addr, msg):
    with socket.create_connection(addr, timeout=IO_TIMEOUT) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(msg)
            got = b""
            while len(got) < len(msg):
                chunk = tls.recv(len(msg) - len(got))
                if not chunk:
                    raise ConnectionAbortedError("EOF before the whole echo")
                got += chunk
    if got != msg:
        raise Corrupt(f"echo {got!r} != {msg!r}")


def run_mutate(mod, kit, side, name, seconds, transport="socket"):
    """Mutate one context (``name``, or ``all`` of the side's mutations in turn) while THREADS
    threads handshake with it. Returns the tally as a dict."""
    env = Env(mod, kit, side)
    target = env.server if side == "server" else env.client
    if name == "all":
        steps = [m.fn for m in MUTATIONS.values()
                 if side in m.sides and not m.slow and not (m.certcore_only and mod is ssl)]
        # both states of each in turn: at most one mutation is off its baseline at a time
        fns = [lambda ctx, i, env, f=f: (f(ctx, 0, env), f(ctx, 1, env)) for f in steps]

        def mutate(ctx, i, env):
            fns[i % len(fns)](ctx, i, env)
    else:
        mutate = MUTATIONS[name].fn
    tally = Tally()
    deadline = time.monotonic() + seconds
    server = None
    if transport == "socket":
        server = EchoServer(env.server).__enter__()

    def worker(k):
        n = 0
        while time.monotonic() < deadline:
            msg = b"worker %d message %d" % (k, n)
            n += 1
            try:
                if transport == "socket":
                    socket_exchange(env.client, server.addr, msg)
                else:
                    bio_handshake(env.client, env.server, mod=mod)
                tally.add("ok")
            except (ssl.SSLError, OSError) as exc:   # what a mutation may legitimately cause
                key = _outcome_key(exc)
                if key is None:
                    tally.fail(f"worker {k}: no answer for {IO_TIMEOUT}s: {exc!r}")
                    return
                tally.add(key)
            except Exception as exc:  # noqa: BLE001 -- wrong bytes, wrong types: failures
                tally.fail(f"worker {k}: {exc!r}")
                return

    def mutator():
        i = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            while time.monotonic() < deadline:
                try:
                    mutate(target, i, env)
                except Exception as exc:  # noqa: BLE001 -- every mutation is a valid call
                    tally.fail(f"mutation {name} #{i}: {exc!r}")
                    return
                i += 1
                time.sleep(0)   # let the handshakes run: more of them in flight per mutation
        tally.add("mutations", i)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(THREADS)]
    threads.append(threading.Thread(target=mutator, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + HANG)
    stuck = sum(t.is_alive() for t in threads)
    if server is not None:
        server.__exit__(None, None, None)
        stuck_server = sum(t.is_alive() for t in server._threads)
        tally.add("server handler errors", len(server.errors))
    else:
        stuck_server = 0
    return {"counts": tally.counts, "fatal": tally.fatal, "stuck": stuck,
            "stuck_server": stuck_server}


def run_storm(client_mod, server_mod, kit, conns, size=STREAM, interval=0.0005):
    """conns connections, one after another, each with a writer and a reader thread on the same
    client socket, against an echo server, while SIGALRM fires every ``interval`` seconds (0:
    no signals, to tell the storm's part from the threads')."""
    cenv = Env(client_mod, kit)
    senv = cenv if server_mod is client_mod else Env(server_mod, kit)
    alarms = [0]

    def on_alarm(signum, frame):
        alarms[0] += 1

    tls12 = client_mod.SSLContext(ssl.PROTOCOL_TLS_CLIENT)   # every third connection
    tls12.load_verify_locations(kit.pki.ca)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    tally = Tally()
    stuck = 0
    old = signal.signal(signal.SIGALRM, on_alarm)
    with EchoServer(senv.server) as server:
        signal.setitimer(signal.ITIMER_REAL, interval, interval)
        try:
            for c in range(conns):
                ctx = tls12 if c % 3 == 2 else cenv.client
                if not _storm_connection(ctx, server.addr, c, size, tally):
                    stuck += 1
                    break
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, old)
        tally.add("server handler errors", len(server.errors))
    return {"counts": tally.counts, "fatal": tally.fatal, "stuck": stuck, "alarms": alarms[0]}


def _storm_connection(ctx, addr, c, size, tally):
    """One connection of the storm; False if its threads did not finish (hung)."""
    data = random.Random(c).randbytes(size)
    try:
        raw = socket.create_connection(addr, timeout=IO_TIMEOUT)
        tls = ctx.wrap_socket(raw, server_hostname="localhost")
    except (OSError, ssl.SSLError) as exc:
        tally.fail(f"connection {c}: handshake: {exc!r}")
        return True
    if c % 2:
        tls.settimeout(None)   # half the connections block in OpenSSL, half wait in poll()
    rng = random.Random(-c)

    def abort():   # wake the other thread: a reader that stopped reading blocks the writer
        try:
            socket.socket.shutdown(tls, socket.SHUT_RDWR)
        except OSError:
            pass

    def writer():
        sent = 0
        try:
            while sent < size:
                n = rng.randint(1, 20_000)
                if n % 3:
                    tls.sendall(data[sent:sent + n])
                    sent += len(data[sent:sent + n])
                else:
                    sent += tls.send(data[sent:sent + n])
        except Exception as exc:  # noqa: BLE001 -- nothing may fail on a healthy connection
            tally.fail(f"connection {c}: writer at byte {sent}: {exc!r}")
            abort()

    def reader():
        got = 0
        buf = bytearray(32_768)
        sizes = random.Random(c + 1_000_000)
        try:
            while got < size:
                want = sizes.randint(1, len(buf))
                if want % 2:
                    chunk = tls.recv(want)
                else:
                    chunk = bytes(buf[:tls.recv_into(buf, want)])
                if not chunk:
                    tally.fail(f"connection {c}: EOF after {got} of {size} bytes")
                    return abort()
                if chunk != data[got:got + len(chunk)]:
                    bad = next(k for k in range(len(chunk)) if chunk[k] != data[got + k])
                    tally.fail(f"connection {c}: byte {got + bad} corrupted/lost/duplicated "
                               f"(chunk of {len(chunk)} at {got})")
                    return abort()
                got += len(chunk)
            tally.add("bytes checked", got)
        except Exception as exc:  # noqa: BLE001
            tally.fail(f"connection {c}: reader at byte {got}: {exc!r}")
            abort()

    threads = [threading.Thread(target=writer, daemon=True), threading.Thread(target=reader, daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG)
    if any(t.is_alive() for t in threads):
        tally.fail(f"connection {c}: reader/writer hung")
        return False
    tls.close()
    tally.add("connections")
    return True


def main(argv):
    faulthandler.enable()        # a crash prints every thread's stack to stderr
    unraisable = []              # exceptions raised in callbacks (keylog, SNI...) are failures too

    def hook(u):
        unraisable.append(f"unraisable in {getattr(u, 'object', None)!r}: "
                          f"{getattr(u, 'exc_value', None)!r}")
    sys.unraisablehook = hook
    kind, modname = argv[0], argv[1]
    mods = {"certcore": __import__("certcore"), "ssl": ssl}
    kit_json = os.environ.get("CERTCORE_CONC_KIT")
    if kit_json:
        kit = Kit.from_json(kit_json)
    else:                        # a run by hand: make the certificates here
        import atexit
        import shutil
        d = tempfile.mkdtemp(prefix="certcore-conc-")
        atexit.register(shutil.rmtree, d, True)
        kit = Kit.make(d)
    if kind == "mutate":
        side, name = argv[2], argv[3]
        seconds = float(argv[4]) if len(argv) > 4 else 3.0
        transport = argv[5] if len(argv) > 5 else "socket"
        faulthandler.dump_traceback_later(seconds + 2 * HANG, exit=True)
        result = run_mutate(mods[modname], kit, side, name, seconds, transport)
    elif kind == "storm":
        conns = int(argv[3]) if len(argv) > 3 else 20
        faulthandler.dump_traceback_later(conns * 5 + 2 * HANG, exit=True)
        interval = float(argv[4]) if len(argv) > 4 else 0.0005
        result = run_storm(mods[modname], mods[argv[2]], kit, conns, interval=interval)
    else:
        raise SystemExit(f"unknown scenario {kind!r}")
    faulthandler.cancel_dump_traceback_later()
    result["fatal"] += unraisable[:10]
    print(json.dumps(result), flush=True)
    if result["stuck"] or result.get("stuck_server"):
        faulthandler.dump_traceback(all_threads=True)
        os._exit(3)              # hung threads would keep the interpreter from exiting


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        for n, m in MUTATIONS.items():
            print(n, ",".join(m.sides), "(certcore only)" if m.certcore_only else "")
    else:
        main(sys.argv[1:])
