"""Unmodified stdlib clients handed certcore contexts: http.client, urllib.request, asyncio
(which drives certcore through wrap_bio with the stdlib's own ssl.MemoryBIO objects)."""
import asyncio
import http.client
import http.server
import ssl
import sys
import threading
import urllib.error
import urllib.request

import pytest

import certcore
from helpers.tlscerts import get_pki

pki = get_pki()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over TLS: " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HTTPSServer:
    def __init__(self, cert_attr="rsa", server_ctx_lib=ssl):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        ctx = server_ctx_lib.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*getattr(pki, cert_attr))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True,
                                            do_handshake_on_connect=False)
        self.port = self.httpd.server_address[1]

    def __enter__(self):
        self.t = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.t.join(5)


def good_ctx():
    return certcore.create_default_context(cafile=pki.ca)


@pytest.mark.parametrize("server_lib", [ssl, certcore], ids=["stdlib-server", "certcore-server"])
def test_http_client(server_lib):
    with HTTPSServer(server_ctx_lib=server_lib) as srv:
        conn = http.client.HTTPSConnection("localhost", srv.port, context=good_ctx(), timeout=10)
        conn.request("GET", "/a")
        assert isinstance(conn.sock, certcore.SSLSocket)
        assert conn.sock.selected_alpn_protocol() in (None, "http/1.1")
        r = conn.getresponse()
        assert r.status == 200 and r.read() == b"hello over TLS: /a"
        conn.close()


def test_http_client_bad_certificate():
    with HTTPSServer("wrong_host") as srv:
        conn = http.client.HTTPSConnection("localhost", srv.port, context=good_ctx(), timeout=10)
        with pytest.raises(ssl.SSLCertVerificationError) as ei:
            conn.request("GET", "/")
        assert ei.value.verify_code == 62
        conn.close()


def test_urlopen():
    with HTTPSServer() as srv:
        with urllib.request.urlopen(f"https://localhost:{srv.port}/u", context=good_ctx(), timeout=10) as r:
            assert r.read() == b"hello over TLS: /u"
    with HTTPSServer("expired") as srv:
        with pytest.raises(urllib.error.URLError) as ei:
            urllib.request.urlopen(f"https://localhost:{srv.port}/", context=good_ctx(), timeout=10)
        assert isinstance(ei.value.reason, ssl.SSLCertVerificationError)
        assert ei.value.reason.verify_code == 10


def test_asyncio_open_connection():
    async def main(port, ctx):
        reader, writer = await asyncio.open_connection("localhost", port, ssl=ctx)
        writer.write(b"GET /async HTTP/1.0\r\nHost: localhost\r\n\r\n")
        await writer.drain()
        data = await reader.read()
        sslobj = writer.get_extra_info("ssl_object")
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, ssl.SSLError):
            pass
        return data, sslobj

    with HTTPSServer() as srv:
        data, sslobj = asyncio.run(main(srv.port, good_ctx()))
        assert data.endswith(b"hello over TLS: /async")
        assert isinstance(sslobj, certcore.SSLObject)
    with HTTPSServer("self_signed") as srv:
        with pytest.raises(ssl.SSLCertVerificationError) as ei:
            asyncio.run(main(srv.port, good_ctx()))
        assert ei.value.verify_code == 18


def test_asyncio_server_with_certcore_context():
    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)

    async def handle(reader, writer):
        line = await reader.readline()
        writer.write(line[:-1][::-1] + b"\n")
        await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=sctx)
        port = server.sockets[0].getsockname()[1]
        async with server:
            results = []
            for lib in (ssl, certcore):
                ctx = lib.create_default_context(cafile=pki.ca)
                reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx,
                                                               server_hostname="localhost")
                writer.write(b"abc\n")
                results.append(await reader.readline())
                writer.close()
            return results

    assert asyncio.run(main()) == [b"cba\n", b"cba\n"]


def test_memory_bio_pair_in_process():
    # certcore MemoryBIO on one side, stdlib MemoryBIO on the other: pump by hand.
    cctx = good_ctx()
    sctx = certcore.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*pki.ecdsa)
    c_in, c_out = certcore.MemoryBIO(), certcore.MemoryBIO()
    s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = sctx.wrap_bio(s_in, s_out, server_side=True)
    assert client.server_hostname == "localhost" and server.server_side

    def pump():
        s_in.write(c_out.read())
        c_in.write(s_out.read())

    done = {"c": False, "s": False}
    for _ in range(10):
        for name, obj in (("c", client), ("s", server)):
            if not done[name]:
                try:
                    obj.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        pump()
        if all(done.values()):
            break
    assert all(done.values())
    assert client.version() == "TLSv1.3" and client.getpeercert()["subject"]
    assert client.write(b"x" * 100000) == 100000
    pump()
    got = b""
    while True:
        try:
            got += server.read(65536)
        except ssl.SSLWantReadError:
            break
    assert got == b"x" * 100000
    buf = bytearray(10)
    server.write(b"0123456789")
    pump()
    assert client.read(10, buf) == 10 and bytes(buf) == b"0123456789"
    with pytest.raises(ssl.SSLWantReadError):
        client.read(10)
    c_in.write_eof()
    if sys.version_info < (3, 10):
        assert client.read(10) == b""       # 3.9 sets OP_IGNORE_UNEXPECTED_EOF: a clean close
    else:
        with pytest.raises(ssl.SSLEOFError):
            client.read(10)
    assert c_in.eof and not c_out.eof
    with pytest.raises(ssl.SSLError, match="cannot write"):
        c_in.write(b"x")
