"""The replica portals' HTTP server: stdlib ``ThreadingHTTPServer`` on 127.0.0.1.

    with start(port=0) as server:          # or: server, base_url = start(); server.stop()
        server.base_url                    # "http://127.0.0.1:PORT"
        server.manifest()                  # every report it holds, with absolute URLs

Content is rendered once (per seed) when the server starts and held in memory. Every
static answer carries ``ETag`` and ``Last-Modified`` and honours conditional requests
with 304, so a re-crawl can skip unchanged documents. The server counts requests per
path (``hits``) so tests can prove what a crawler did and did not fetch.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nianbao.replicas.portals import build_site
from nianbao.replicas.portals.site import Request, Resource, Site

DEFAULT_SEED = 20240331
MAX_POST_BYTES = 64 * 1024

_NOT_FOUND_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
    '<body><div class="err404"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p>'
    '<p><a href="/">返回首页</a></p></div></body></html>'
).encode()
_ERROR_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>'
    "<body><h1>500 Internal Server Error</h1><p>服务器繁忙，请稍后再试。</p></body></html>"
).encode()


@lru_cache(maxsize=4)
def site_for(seed: int = DEFAULT_SEED) -> Site:
    """All portals rendered for a seed; cached so the manifest and servers share one build."""
    return build_site(seed)


def manifest(base_url: str = "", seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """What the replicas hold: reports, disallowed URLs, decoys, dead links, portals.

    URLs are ``base_url`` + path; with no base URL they are paths on the server.
    """
    site = site_for(seed)
    base = base_url.rstrip("/")

    def absolute(entries: list[dict]) -> list[dict]:
        out = []
        for entry in entries:
            entry = dict(entry)
            for key in ("url", "detail_url", "linked_url", "homepage", "column", "open_government"):
                if entry.get(key):
                    entry[key] = base + entry[key]
            out.append(entry)
        return out

    return {
        "seed": site.seed,
        "base_url": base or None,
        "portals": absolute(site.portals),
        "reports": absolute(site.reports),
        "disallowed": absolute(site.disallowed),
        "decoys": absolute(site.decoys),
        "missing": absolute(site.missing),
    }


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, site: Site, slow_seconds: float | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.site = site
        self.slow_seconds = slow_seconds
        self.hits: Counter[str] = Counter()  # path with query -> requests seen
        self.request_log: list[tuple[str, str, int]] = []  # (method, path, status)
        self._failures_left = {path: r.fail_first for path, r in site.resources.items() if r.fail_first}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def manifest(self) -> dict[str, Any]:
        return manifest(self.base_url, self.site.seed)

    def take_failure(self, key: str) -> bool:
        """True while a flaky resource still has failures to give."""
        with self._lock:
            left = self._failures_left.get(key, 0)
            if left > 0:
                self._failures_left[key] = left - 1
                return True
            return False

    def log(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.hits[path] += 1
            self.request_log.append((method, path, status))

    def serve_in_background(self) -> ReplicaServer:
        self._thread = threading.Thread(target=self.serve_forever, name="replicas", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReplicaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ``server, base_url = start()`` unpacks the running server.
    def __iter__(self):
        return iter((self, self.base_url))


def start(port: int = 0, seed: int = DEFAULT_SEED, *, slow_seconds: float | None = None) -> ReplicaServer:
    """Serve all replica portals on 127.0.0.1:``port`` (0: any free port) in a daemon thread.

    The result unpacks as ``(server, base_url)`` and is a context manager that stops it.
    ``slow_seconds`` overrides how long the slow page takes (tests use a short delay).
    """
    server = ReplicaServer(port, site_for(seed), slow_seconds=slow_seconds)
    return server.serve_in_background()


class _Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"
    server_version = "nginx"  # what real portals announce
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the request log is kept on the server object, not printed

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_POST(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        try:
            self._dispatch(send_body)
        except Exception as exc:  # a bug in a replica must show as a 500, not a dropped connection
            body = f"replica error: {type(exc).__name__}: {exc}\n".encode()
            self._send(Resource(body, "text/plain; charset=utf-8", status=500), self.path)

    def _dispatch(self, send_body: bool) -> None:
        split = urlsplit(self.path)
        path, full = split.path, split.path + (f"?{split.query}" if split.query else "")
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.command == "POST":
            length = int(headers.get("content-length") or 0)
            if length > MAX_POST_BYTES:
                self._send(
                    Resource(b"request body too large\n", "text/plain; charset=utf-8", status=413), full
                )
                return
            form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            query = {**dict(parse_qsl(form, keep_blank_values=True)), **query}

        site = self.server.site
        if path == "/manifest.json":
            body = json.dumps(self.server.manifest(), ensure_ascii=False, indent=1).encode("utf-8")
            self._send(Resource(body, "application/json; charset=utf-8"), full, send_body=send_body)
            return
        key = full if full in site.resources else path
        resource = site.resources.get(key)
        if resource is None and path in site.handlers:
            resource = site.handlers[path](Request(self.command, path, query, headers))
        if resource is None:
            resource = Resource(_NOT_FOUND_PAGE, "text/html; charset=utf-8", status=404)

        if resource.delay:
            slow = self.server.slow_seconds
            time.sleep(resource.delay if slow is None else slow)
        if resource.fail_first and self.server.take_failure(key):
            resource = Resource(_ERROR_PAGE, "text/html; charset=utf-8", status=500)
        elif resource.status == 200 and _not_modified(resource, headers):
            self._send(resource, full, status=304, send_body=False)
            return
        self._send(resource, full, send_body=send_body)

    def _send(self, resource: Resource, full: str, status: int | None = None, send_body: bool = True) -> None:
        status = status or resource.status
        self.server.log(self.command, full, status)
        self.send_response(status, HTTPStatus(status).phrase)
        if status != 304:
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
        else:
            self.send_header("Content-Length", "0")
        if resource.status == 200:
            self.send_header("ETag", resource.etag)
            if resource.http_date:
                self.send_header("Last-Modified", resource.http_date)
        for name, value in resource.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(resource.body)


def _not_modified(resource: Resource, headers: dict[str, str]) -> bool:
    """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip() for t in inm.split(",")}
        return "*" in tags or resource.etag in tags or ("W/" + resource.etag) in tags
    ims = headers.get("if-modified-since")
    if ims and resource.last_modified:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since is not None and resource.last_modified.replace(microsecond=0) <= since
    return False
