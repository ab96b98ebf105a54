"""Serve recorded real columns as an HTTP/HTTPS proxy on 127.0.0.1, under their real host names.

A crawler pointed at the proxy (``http_proxy`` / ``https_proxy``) asks for
``https://www.pingtan.gov.cn/…`` as it would on the web; the proxy answers from the
recordings. HTTPS comes as ``CONNECT host:443``: the proxy answers the tunnel itself
with a certificate it made at start (crawlers of public portals do not verify
certificates; Scrapy does not by default). A request no recording holds is a 404,
and every request is counted (``hits``), so a test can say what a crawl asked for.

    python -m nianbao.replicas.recorded [--port 8899]      # then: https_proxy=http://127.0.0.1:8899 …
"""

from __future__ import annotations

import datetime
import ssl
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from nianbao.replicas.recorded import Exchange, Recording, load_recordings
from w3lib.url import canonicalize_url

MAX_BODY = 64 * 1024
_NOT_RECORDED = "<!DOCTYPE html><html><head><meta charset=utf-8><title>404</title></head><body>not in the recording</body></html>"


@dataclass(frozen=True)
class Hit:
    method: str
    url: str
    form: dict[str, str]
    status: int


def _key(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


def _certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for one host's tunnels (made fresh; never leaves the machine)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{host}.cert.pem", folder / f"{host}.key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class RecordedProxy(ThreadingHTTPServer):
    """The proxy server; ``start()`` runs it in a thread, ``stop()`` ends it."""

    daemon_threads = True

    def __init__(self, recordings: Iterable[Recording], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.recordings = list(recordings)
        self.exchanges: dict[tuple[str, str], list[Exchange]] = {}
        for recording in self.recordings:
            for exchange in recording.exchanges:
                self.exchanges.setdefault((exchange.method, _key(exchange.url)), []).append(exchange)
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="nianbao-proxy-")
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, method: str, url: str, form: dict[str, str]) -> Exchange | None:
        """The recorded exchange for a request: same method and URL, and for a form POST
        the one whose recorded fields the request carries (the most specific)."""
        candidates = self.exchanges.get((method, _key(url)), [])
        matching = [e for e in candidates if all(form.get(k) == v for k, v in e.form.items())]
        return max(matching, key=lambda e: len(e.form), default=None)

    def tls_for(self, host: str) -> ssl.SSLContext:
        """A server context with a certificate naming ``host`` (so clients see no mismatch)."""
        with self._lock:
            if host not in self._contexts:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(*_certificate(Path(self._tmp.name), host))
                self._contexts[host] = context
            return self._contexts[host]

    def log_hit(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def requested(self, method: str | None = None) -> list[str]:
        """Every URL asked for (canonical form), in order."""
        with self._lock:
            return [_key(h.url) for h in self.hits if method is None or h.method == method]

    def start(self) -> RecordedProxy:
        self._thread = threading.Thread(target=self.serve_forever, name="recorded-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._tmp.cleanup()

    def __enter__(self) -> RecordedProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: RecordedProxy
    tunnel: str | None = None  # "host[:port]" inside a CONNECT tunnel

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_CONNECT(self) -> None:  # noqa: N802 - the stdlib's naming
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        host, _, port = self.path.rpartition(":")
        try:
            tls = self.server.tls_for(host).wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError, ValueError):
            self.close_connection = True
            return
        tunnel = host if port == "443" else self.path
        _TunnelHandler(tls, self.client_address, self.server, tunnel)
        self.close_connection = True

    def _url(self) -> str:
        if self.tunnel is not None:
            return f"https://{self.tunnel}{self.path}"
        if self.path.startswith(("http://", "https://")):
            return self.path
        return f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"

    def _serve(self, method: str) -> None:
        url = self._url()
        form: dict[str, str] = {}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body = self.rfile.read(min(length, MAX_BODY))
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if urlsplit(url).query and method == "POST":
            form = {**dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)), **form}
        exchange = self.server.answer(method, url, form)
        if exchange is None:
            status, ctype, body = 404, "text/html; charset=utf-8", _NOT_RECORDED.encode()
        else:
            status, ctype, body = exchange.status, exchange.content_type, exchange.body()
        self.server.log_hit(Hit(method, url, form, status))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")


class _TunnelHandler(_Handler):
    def __init__(
        self, request: ssl.SSLSocket, client_address: tuple, server: RecordedProxy, tunnel: str
    ) -> None:
        self.tunnel = tunnel
        super().__init__(request, client_address, server)


def start(recordings: Iterable[Recording] | None = None, port: int = 0) -> RecordedProxy:
    """The proxy serving ``recordings`` (all of them by default), running."""
    return RecordedProxy(load_recordings() if recordings is None else recordings, port).start()
