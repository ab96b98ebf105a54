"""`nianbao serve` for real on a free 127.0.0.1 port: every page answers, nothing can be written."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

NIANBAO = str(Path(sys.executable).with_name("nianbao"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, *, data: bytes | None = None, method: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def site(built):
    port = free_port()
    process = subprocess.Popen(
        [NIANBAO, "--data", str(built.data.root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/-/versions.json")
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read()) from None
                time.sleep(0.2)
        yield base, port
    finally:
        process.terminate()
        process.wait(timeout=10)


def q(text: str) -> str:
    return urllib.parse.quote(text)


PAGES = [
    "/",
    "/nianbao",
    "/nianbao/reports",
    "/nianbao/reports?_facet=province&_facet=city&_facet=level&_facet=body_kind&_facet=year&_facet=form&_facet=status",
    "/nianbao/reports?_search=" + q("复议"),
    "/nianbao/report_summary",
    "/nianbao/applications",
    "/nianbao/active_disclosure",
    "/nianbao/review_litigation",
    "/nianbao/cells?form_table=3",
    "/nianbao/sections?_search=" + q("诉讼"),
    "/nianbao/report_texts",
    "/nianbao/checks?ok=0",
    "/nianbao/failed_checks",
    "/nianbao/sources",
    "/nianbao/source_health",
    "/nianbao/search?q=" + q("复议"),
    "/nianbao/failing_checks?check_id=",
    "/nianbao/failing_checks?check_id=T3-BALANCE",
    "/nianbao/body_over_years?body=" + q("示例县交通运输局"),
    "/nianbao/bodies_by_requests?year=",
    "/nianbao/granted_share",
    "/nianbao/reports.csv",
    "/nianbao/applications.json",
    "/-/dashboards",
    "/-/dashboards/overview",
    "/-/metadata",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers(site, path):
    base, _ = site
    status, _, body = fetch(base + path)
    assert status == 200, (path, body[:300])
    assert b"Traceback" not in body


def test_default_facets_and_chinese_metadata(site):
    base, _ = site
    _, _, body = fetch(base + "/nianbao/reports")
    page = body.decode()
    for facet in ("province", "city", "level", "body_kind", "year", "form", "status"):
        assert f'data-column="{facet}"' in page
    assert "年度报告 · Reports" in page
    assert "存档原件 archived copy" in page


def test_each_report_row_links_to_its_archived_copy(site, built):
    base, _ = site
    import json

    _, _, body = fetch(base + "/nianbao/reports.json?_shape=array&_size=max&status__not=failed")
    rows = json.loads(body)
    assert rows
    for row in rows:
        _, _, page = fetch(f"{base}/nianbao/reports/{row['id']}")
        assert f'href="/-/original/{row["sha256"]}"'.encode() in page


def test_originals_are_the_archived_bytes_with_their_type(site, built):
    base, _ = site
    expected_types = {".txt": "text/plain", ".html": "text/html", ".pdf": "application/pdf"}
    for path in built.inputs:
        if path.suffix not in expected_types:
            continue
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        status, headers, body = fetch(f"{base}/-/original/{sha}")
        assert status == 200
        assert body == data
        assert headers["content-type"].startswith(expected_types[path.suffix])
        assert headers["content-security-policy"] == "sandbox"
    assert fetch(f"{base}/-/original/{'0' * 64}")[0] == 404
    assert fetch(f"{base}/-/original/..%2F..%2Fetc%2Fpasswd")[0] == 404


def test_nothing_can_be_written(site, built):
    base, _ = site
    before = built.data.database.read_bytes()
    attempts = [
        ("/nianbao?sql=" + q("insert into sources (id) values ('x')"), None, "GET"),
        ("/nianbao?sql=" + q("delete from reports"), None, "GET"),
        ("/nianbao?sql=" + q("update reports set status = 'ok'"), None, "GET"),
        ("/nianbao?sql=" + q("drop table reports"), None, "GET"),
        ("/nianbao", b"sql=" + q("delete from reports").encode(), "POST"),
        ("/nianbao/reports", b'{"rows": [{"sha256": "x"}]}', "POST"),
        ("/nianbao/reports/-/insert", b'{"row": {"sha256": "x"}}', "POST"),
        ("/nianbao/search", b"q=x", "POST"),
    ]
    for path, data, method in attempts:
        status, _, body = fetch(base + path, data=data, method=method)
        assert status >= 400 or b"Statement must be a SELECT" in body or b"read-only" in body, (path, status)
        if method == "POST":
            assert status == 405, (path, status)
    _, _, body = fetch(base + "/nianbao.json?sql=" + q("select count(*) as n from reports") + "&_shape=array")
    assert b'"n": %d' % len(built.inputs) in body
    assert built.data.database.read_bytes() == before


def test_a_taken_port_gives_a_clear_message(site, built):
    _, port = site
    done = subprocess.run(
        [NIANBAO, "--data", str(built.data.root), "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is taken" in done.stderr
