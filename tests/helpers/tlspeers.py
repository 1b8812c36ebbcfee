"""Real TLS peers for the tests (loopback only): a threaded server over any ssl-like context
(the stdlib's or certcore's), and ``openssl s_server`` / ``s_client`` subprocesses."""
import os
import shutil
import socket
import subprocess
import threading
import time

OPENSSL = shutil.which("openssl")


def echo(sock, info):
    while True:
        data = sock.recv(65536)
        if not data:
            break
        sock.sendall(data)


class TLSServer:
    """Accepts connections on 127.0.0.1 (or ::1), wraps each with ``context`` server-side in its
    own thread and runs ``handler(sslsock, info)``. ``infos`` records, per connection, what the
    server saw (SNI, ALPN, version, cipher, peer certificate); ``errors`` what went wrong."""

    def __init__(self, context, handler=echo, host="127.0.0.1", wrap=True, close="close"):
        self.context = context
        self.handler = handler
        self.wrap = wrap
        self.close_mode = close
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(128)
        self.host = host
        self.port = self.sock.getsockname()[1]
        self.infos = []
        self.errors = []
        self._stop = threading.Event()
        self._threads = []
        self._lock = threading.Lock()
        if context is not None and hasattr(context, "sni_callback") and context.sni_callback is None:
            try:
                context.sni_callback = self._sni
            except ValueError:
                pass
        self._sni_seen = threading.local()

    @property
    def addr(self):
        return (self.host, self.port)

    def _sni(self, sslobj, name, ctx):
        with self._lock:
            self.last_sni = name
        sslobj._certcore_test_sni = name

    def __enter__(self):
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # wakes the blocked accept() on Linux
        except OSError:
            pass
        self._acceptor.join(5)
        for t in list(self._threads):
            t.join(10)
        self.sock.close()

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                return
            conn.settimeout(None)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._threads.append(t)
            t.start()

    def _serve(self, conn):
        info = {}
        s = conn
        try:
            if self.wrap:
                s = self.context.wrap_socket(conn, server_side=True)
                info["sni"] = getattr(s, "_certcore_test_sni", None)
                info["alpn"] = s.selected_alpn_protocol()
                info["version"] = s.version()
                info["cipher"] = s.cipher()
                info["peercert"] = s.getpeercert()
                info["session_reused"] = s.session_reused
            self.handler(s, info)
        except Exception as exc:  # recorded for the test to inspect
            info["error"] = exc
            with self._lock:
                self.errors.append(exc)
        finally:
            with self._lock:
                self.infos.append(info)
            try:
                s.close()
            except OSError:
                pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class OpenSSLServer:
    """``openssl s_server`` (reached on 127.0.0.1, or on ``host``; ``-www`` by default: answers GET
    with a status page)."""

    def __init__(self, cert, key, *args, www=True, host=None):
        self.port = free_port()
        self.host = host or "127.0.0.1"
        # no host: every address; else exactly that one ("[::1]:port" for IPv6)
        accept = str(self.port) if host is None else (f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}")
        cmd = [OPENSSL, "s_server", "-accept", accept, "-cert", cert, "-key", key, "-quiet"]
        if www:
            cmd.append("-www")
        cmd += list(args)
        self.cmd = cmd

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(self.addr, timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()) from None
                time.sleep(0.02)
        raise RuntimeError("s_server did not start")

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.communicate()

    @property
    def addr(self):
        return (self.host, self.port)


def s_client(port, *args, data=b"", timeout=20):
    """Run ``openssl s_client`` against 127.0.0.1:port, feeding ``data``; returns CompletedProcess."""
    cmd = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", *args]
    return subprocess.run(cmd, input=data, capture_output=True, timeout=timeout)


def count_fds():
    return len(os.listdir("/proc/self/fd"))
