"""The replica server answers as designed: manifest, awkward cases, conditional requests."""

from __future__ import annotations

import hashlib
import re
import time
import urllib.robotparser
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
import pytest
from nianbao.replicas.server import ReplicaServer, manifest, start

from tests.replicas.replica_http import fetch


def _reports(server: ReplicaServer, *, tag: str | None = None, **match: object) -> list[dict]:
    return [
        r
        for r in server.manifest()["reports"]
        if all(r.get(k) == v for k, v in match.items()) and (tag is None or tag in r["tags"])
    ]


def test_starts_on_a_free_port_and_stops() -> None:
    began = time.monotonic()
    server, base_url = start(port=0)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
        assert int(base_url.rsplit(":", 1)[1]) > 0
        status, headers, body = fetch(base_url + "/")
        assert status == 200 and b"replica portals" in body
    finally:
        server.stop()
    assert time.monotonic() - began < 15  # rendering is cached per seed; the first build takes ~2-3 s
    with pytest.raises(OSError):
        fetch(base_url + "/")


def test_manifest_covers_four_styles_and_every_case(replica: ReplicaServer) -> None:
    m = replica.manifest()
    assert {p["cms"] for p in m["portals"]} == {"static_pages", "js_pager", "dataproxy", "browser"}
    reports = m["reports"]
    assert len({r["url"] for r in reports}) == len(reports)
    assert {r["format"] for r in reports} >= {"html", "gbk", "pdf", "docx", "doc", "download"}
    assert {r["template"] for r in reports} == {"pre2019", "2019", "2021"}
    tags = {t for r in reports for t in r["tags"]}
    assert tags >= {"unbalanced", "slow", "flaky", "moved"}
    assert any(not r["balanced"] for r in reports)
    for portal in m["portals"]:
        mine = [r for r in reports if r["portal"] == portal["id"]]
        assert {r["level"] for r in mine} >= {"department", "township"}
        assert len({r["organization"] for r in mine}) == 3
        assert len({r["year"] for r in mine}) >= 5
    assert m["disallowed"] and m["decoys"] and m["missing"]
    # /manifest.json is the same document.
    status, headers, body = fetch(replica.base_url + "/manifest.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    import json

    assert json.loads(body) == m


def test_every_manifest_url_is_served_with_its_sha256(fresh_replica: ReplicaServer) -> None:
    for report in fresh_replica.manifest()["reports"]:
        status, headers, body = fetch(report["url"])
        if "flaky" in report["tags"]:
            assert status == 500
            status, headers, body = fetch(report["url"])
        assert status == 200, report["url"]
        assert hashlib.sha256(body).hexdigest() == report["sha256"], report["url"]
        assert headers["content-type"] == report["content_type"]
        assert len(body) == report["bytes"]
        if report["url"] != report["detail_url"]:  # an attachment: its detail page links it
            status, _, page = fetch(report["detail_url"])
            assert status == 200
            links = {urljoin(report["detail_url"], h) for h in lxml.html.fromstring(page).xpath("//a/@href")}
            assert report["url"] in links, report["detail_url"]
    for decoy in fresh_replica.manifest()["decoys"]:
        assert fetch(decoy["url"])[0] == 200
    for gone in fresh_replica.manifest()["missing"]:
        assert fetch(gone["url"])[0] == 404


def test_the_500_recovers_on_the_second_try(fresh_replica: ReplicaServer) -> None:
    (report,) = _reports(fresh_replica, tag="flaky")
    assert fetch(report["url"])[0] == 500
    status, _, body = fetch(report["url"])
    assert status == 200 and hashlib.sha256(body).hexdigest() == report["sha256"]
    assert fetch(report["url"])[0] == 200


def test_conditional_requests_answer_304(replica: ReplicaServer) -> None:
    report = next(r for r in replica.manifest()["reports"] if r["format"] == "pdf" and not r["tags"])
    status, headers, body = fetch(report["url"])
    etag, modified = headers["etag"], headers["last-modified"]
    assert status == 200 and body.startswith(b"%PDF")
    status, headers, body = fetch(report["url"], headers={"If-None-Match": etag})
    assert status == 304 and body == b"" and headers["etag"] == etag
    assert fetch(report["url"], headers={"If-Modified-Since": modified})[0] == 304
    assert fetch(report["url"], headers={"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(report["url"], headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    assert fetch(report["url"], headers={"If-None-Match": '"x"', "If-Modified-Since": modified})[0] == 200
    # List pages too, so a re-crawl can skip an unchanged list.
    column = replica.manifest()["portals"][0]["column"]
    status, headers, _ = fetch(column)
    assert fetch(column, headers={"If-None-Match": headers["etag"]})[0] == 304


def test_gbk_page_names_no_charset(replica: ReplicaServer) -> None:
    (report,) = _reports(replica, format="gbk")
    status, headers, body = fetch(report["url"])
    assert status == 200 and headers["content-type"] == "text/html"
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert report["organization"] in text and "<table" in text


def test_redirect_points_to_the_new_url(replica: ReplicaServer) -> None:
    (report,) = _reports(replica, tag="moved")
    assert report["linked_url"] != report["detail_url"]
    status, headers, _ = fetch(report["linked_url"])
    assert status == 301
    assert urljoin(report["linked_url"], headers["location"]) == report["detail_url"]


def test_attachment_named_only_by_content_disposition(replica: ReplicaServer) -> None:
    (report,) = _reports(replica, format="download")
    path = urlsplit(report["url"]).path
    assert "." not in path.rsplit("/", 1)[-1]  # /download?id=…: no extension anywhere in the path
    status, headers, body = fetch(report["url"])
    assert headers["content-type"] == "application/octet-stream"
    disposition = headers["content-disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == report["title"] + ".pdf"
    assert body.startswith(b"%PDF")


def test_doc_named_link_and_docx(replica: ReplicaServer) -> None:
    for report in _reports(replica, format="doc"):
        assert report["url"].endswith(".doc") and report["content_type"] == "application/msword"
        assert fetch(report["url"])[2].startswith(b"PK")  # the bytes are DOCX, whatever the name says
    for report in _reports(replica, format="docx"):
        assert fetch(report["url"])[2].startswith(b"PK")


def test_slow_page_takes_a_couple_of_seconds(replica: ReplicaServer) -> None:
    (report,) = _reports(replica, tag="slow")
    began = time.monotonic()
    status, _, _ = fetch(report["url"])
    assert status == 200 and time.monotonic() - began >= 1.8


def test_robots_txt_disallows_the_private_path(replica: ReplicaServer) -> None:
    status, headers, body = fetch(replica.base_url + "/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(body.decode().splitlines())
    m = replica.manifest()
    for entry in m["disallowed"]:
        assert not robots.can_fetch("nianbao", entry["url"])
        assert fetch(entry["url"])[0] == 200  # it exists: fetching it would be a real violation
    for report in m["reports"]:
        assert robots.can_fetch("nianbao", report["url"])
        assert robots.can_fetch("nianbao", report["linked_url"])


def test_hits_are_counted(fresh_replica: ReplicaServer) -> None:
    url = fresh_replica.manifest()["portals"][0]["homepage"]
    fetch(url)
    fetch(url, method="HEAD")
    assert fresh_replica.hits[urlsplit(url).path] == 2
    assert ("HEAD", urlsplit(url).path, 200) in fresh_replica.request_log


def test_manifest_without_a_server_is_relative_and_deterministic() -> None:
    m = manifest()
    assert all(r["url"].startswith("/") for r in m["reports"])
    assert manifest() == m
    assert (
        manifest("http://127.0.0.1:1/")["reports"][0]["url"] == "http://127.0.0.1:1" + m["reports"][0]["url"]
    )
