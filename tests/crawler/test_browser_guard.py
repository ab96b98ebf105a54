"""Chromium under the crawler's rules, and a crawl that opens no control endpoint and
writes nothing outside its data directory.

A rendered list page reaches for another host (an image, a script, a ``fetch``, an
iframe) on 127.0.0.2 — loopback, so the test stays on this machine, but not the source's
host. Chromium must not ask it for anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.crawler.conftest import REPO

PORTAL = "http://portal.nianbao.test"
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>
<link rel="stylesheet" href="http://127.0.0.2:{other}/style.css">
<script src="http://127.0.0.2:{other}/tracker.js"></script></head>
<body><img src="http://127.0.0.2:{other}/beacon.gif">
<iframe src="http://127.0.0.2:{other}/frame.html"></iframe>
<ul id="list"></ul>
<script>
fetch("http://127.0.0.2:{other}/api/list").catch(function () {{}});
document.getElementById("list").innerHTML =
  '<li><a href="/nb/2024/report.html">某县2023年政府信息公开工作年度报告</a></li>';
</script></body></html>"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, pages: dict[str, str]) -> None:
        self.pages = pages
        self.hits: Counter[str] = Counter()
        super().__init__((host, 0), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits[self.path] += 1
        body = self.server.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        data = (body or "").encode()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Egress(ThreadingHTTPServer):
    """The one way out for the crawl's traffic (Scrapy's and Chromium's): records every
    request, passes those for the portal's name on to its loopback server, refuses the rest
    (tunnels included)."""

    daemon_threads = True

    def __init__(self, portal: str, upstream: str) -> None:
        self.seen: list[str] = []
        self.portal, self.upstream = portal, upstream
        super().__init__(("127.0.0.1", 0), _EgressHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _EgressHandler(BaseHTTPRequestHandler):
    server: _Egress

    def log_message(self, *args: object) -> None:
        pass

    def do_CONNECT(self) -> None:  # noqa: N802
        self.server.seen.append(f"CONNECT {self.path}")
        self.send_response(403)
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.server.seen.append(f"GET {self.path}")
        if not self.path.startswith(self.server.portal):
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        from urllib.error import HTTPError
        from urllib.request import ProxyHandler, build_opener

        try:
            target = self.server.upstream + self.path[len(self.server.portal) :]
            answer = build_opener(ProxyHandler({})).open(target, timeout=10)
            status, body = answer.status, answer.read()
        except HTTPError as exc:
            status, body = exc.code, b""
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET


@pytest.fixture(scope="module")
def guarded_crawl(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium")
    other = _Server("127.0.0.2", {})
    port = other.server_address[1]
    portal = _Server("127.0.0.1", {"/nb/": PAGE.format(other=port), "/nb/2024/report.html": "<html></html>"})
    root = tmp_path_factory.mktemp("guard")
    sources = root / "sources.yaml"
    # The portal under a name only the egress proxy knows: every request for it, Scrapy's
    # and Chromium's, goes through the proxy, which records them.
    egress = _Egress(PORTAL, f"http://127.0.0.1:{portal.server_address[1]}")
    column = f"{PORTAL}/nb/"
    entry = {
        "id": "guarded",
        "name": "某县人民政府",
        "homepage": column,
        "columns": [column],
        "browser": True,
        "local": True,
    }
    sources.write_text(yaml.safe_dump([entry], allow_unicode=True), encoding="utf-8")
    home = root / "home"
    home.mkdir()
    proxy = f"http://127.0.0.1:{egress.server_address[1]}"
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "WARNING", "HOME": str(home)}
    env.update(NIANBAO_CHROMIUM_PROXY=proxy, http_proxy=proxy, no_proxy="127.0.0.1")
    env.pop("XDG_STATE_HOME", None)
    cmd = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(root / "data")]
    cmd += ["crawl", "--sources", str(sources), "--fast"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    other.shutdown()
    portal.shutdown()
    egress.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    return portal, other, home, egress.seen


def test_the_rendered_list_is_read(guarded_crawl) -> None:  # noqa: ANN001
    portal, _, _, _ = guarded_crawl
    assert portal.hits["/nb/2024/report.html"] == 1  # through the proxy, by Scrapy


def test_no_request_reaches_another_host(guarded_crawl) -> None:  # noqa: ANN001
    _, other, _, _ = guarded_crawl
    assert not other.hits, dict(other.hits)


def test_chromium_makes_no_request_of_its_own(guarded_crawl) -> None:  # noqa: ANN001
    # Everything that left went through the egress proxy, and it was all for the portal:
    # no update check, no sign-in, no beacon.
    _, _, _, egress = guarded_crawl
    assert any(line.startswith(f"GET {PORTAL}/nb/") for line in egress), egress
    assert all(line.startswith(f"GET {PORTAL}/") for line in egress), egress


def test_nothing_written_outside_the_data_directory(guarded_crawl) -> None:  # noqa: ANN001
    # Scrapy's remote control would leave a token file in ~/.local/state/scrapy/job_files/.
    _, _, home, _ = guarded_crawl
    written = [str(p.relative_to(home)) for p in home.rglob("*")]
    assert not [p for p in written if ".local/state/scrapy" in p], written


def test_no_control_endpoint_is_configured() -> None:
    from nianbao.crawler import settings

    assert settings.TELNETCONSOLE_ENABLED is False and settings.REMOTE_CONTROL_ENABLED is False
