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


@pytest.fixture(scope="module")
def guarded_crawl(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium")
    other = _Server("127.0.0.2", {})
    port = other.server_address[1]
    portal = _Server("127.0.0.1", {"/nb/": PAGE.format(other=port), "/nb/2024/report.html": "<html></html>"})
    root = tmp_path_factory.mktemp("guard")
    sources = root / "sources.yaml"
    column = f"http://127.0.0.1:{portal.server_address[1]}/nb/"
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
    env = {**os.environ, "NIANBAO_LOG_LEVEL": "WARNING", "HOME": str(home)}
    env.pop("XDG_STATE_HOME", None)
    cmd = [sys.executable, "-c", "from nianbao.cli import main; main()", "--data", str(root / "data")]
    cmd += ["crawl", "--sources", str(sources), "--fast"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    other.shutdown()
    portal.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    return portal, other, home


def test_the_rendered_list_is_read(guarded_crawl) -> None:  # noqa: ANN001
    portal, _, _ = guarded_crawl
    assert portal.hits["/nb/2024/report.html"] == 1


def test_no_request_reaches_another_host(guarded_crawl) -> None:  # noqa: ANN001
    _, other, _ = guarded_crawl
    assert not other.hits, dict(other.hits)


def test_nothing_written_outside_the_data_directory(guarded_crawl) -> None:  # noqa: ANN001
    # Scrapy's remote control would leave a token file in ~/.local/state/scrapy/job_files/.
    _, _, home = guarded_crawl
    written = [str(p.relative_to(home)) for p in home.rglob("*")]
    assert not [p for p in written if ".local/state/scrapy" in p], written


def test_no_control_endpoint_is_configured() -> None:
    from nianbao.crawler import settings

    assert settings.TELNETCONSOLE_ENABLED is False and settings.REMOTE_CONTROL_ENABLED is False
