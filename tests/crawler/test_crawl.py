"""Real crawls of the replica portals: complete, no duplicates, robots obeyed, re-runs cheap,
a killed crawl resumes to the same archive."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from nianbao.archive import Archive

from tests.crawler.conftest import BROWSER, NON_BROWSER, REPO, Replica, crawl, scrapy_cmd


def documents(data: Path) -> list[dict]:
    archive = Archive(data / "archive", readonly=True)
    try:
        return list(archive.documents())
    finally:
        archive.close()


def report_rows(data: Path, run_id: str | None = None) -> list[dict]:
    conn = sqlite3.connect(f"file:{data / 'archive' / 'provenance.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    sql = "SELECT * FROM fetches WHERE role = 'report'" + (" AND run_id = ?" if run_id else "")
    rows = [dict(r) for r in conn.execute(sql, (run_id,) if run_id else ())]
    conn.close()
    return rows


def assert_complete(data: Path, replica: Replica, ids: tuple[str, ...]) -> list[dict]:
    docs = documents(data)
    shas = [d["sha256"] for d in docs]
    assert len(shas) == len(set(shas)), "a report archived twice"
    expected = {r["sha256"]: r for r in replica.reports(ids)}
    missing = [f"{r['title']} {r['url']}" for sha, r in expected.items() if sha not in shas]
    assert not missing, "not archived:\n" + "\n".join(missing)
    extra = [f"{d['anchor_text']} {d['url']}" for d in docs if d["sha256"] not in expected]
    assert not extra, "archived as reports but are not:\n" + "\n".join(extra)
    archive = Archive(data / "archive", readonly=True)
    for d in docs:  # the stored body is what its row says it is
        assert hashlib.sha256(archive.blobs.path(d["sha256"]).read_bytes()).hexdigest() == d["sha256"]
    archive.close()
    return docs


@pytest.fixture(scope="module")
def first_run(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("crawl")
    result = crawl(data, replica, NON_BROWSER)
    assert "replica-xinxiang-county" in result.stdout and "total" in result.stdout  # the summary table
    return data


def test_every_report_archived_once(first_run: Path, replica: Replica) -> None:
    assert_complete(first_run, replica, NON_BROWSER)
    # Found where the portals put them: the column, its pager, the data proxy, discovery.
    found_by = {r["found_by"] for r in report_rows(first_run)}
    assert {"pager", "dataproxy", "discovery"} <= found_by


def test_robots_disallowed_path_never_requested(first_run: Path, replica: Replica) -> None:
    assert replica.manifest["disallowed"]
    for entry in replica.manifest["disallowed"]:
        path = urlsplit(entry["url"]).path
        assert not [p for p in replica.server.hits if p.startswith(path)], f"{path} was requested"
    assert replica.server.hits["/robots.txt"] >= 1


def test_second_run_fetches_no_unchanged_report(first_run: Path, replica: Replica) -> None:
    before = documents(first_run)
    result = crawl(first_run, replica, NON_BROWSER)
    archive = Archive(first_run / "archive", readonly=True)
    run = archive.runs()[-1]
    archive.close()
    assert run["outcome"] == "finished"
    rows = report_rows(first_run, run["run_id"])
    assert rows and all(r["status"] == 304 and r["warc_record_type"] == "revisit" for r in rows)
    for sid in NON_BROWSER:
        stats = run["per_source"][sid]
        assert stats["new"] == 0 and stats["unchanged"] == stats["reports"] == len(replica.reports((sid,)))
    assert documents(first_run) == before
    # The summary says so: total row = source, pages, reports, new, unchanged, ...
    total = next(line.split() for line in result.stdout.splitlines() if line.startswith("total"))
    assert int(total[3]) == 0 and int(total[4]) == int(total[2]) == len(replica.reports(NON_BROWSER))


@pytest.mark.browser
def test_browser_only_list_found_through_chromium(replica: Replica, tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no /usr/bin/chromium")
    crawl(tmp_path, replica, BROWSER)
    assert_complete(tmp_path, replica, BROWSER)
    conn = sqlite3.connect(tmp_path / "archive" / "provenance.db")
    rendered = conn.execute(
        "SELECT COUNT(*) FROM fetches WHERE found_by = 'browser' AND response_headers_json LIKE '%X-Nianbao-Rendered-By%'"
    ).fetchone()[0]
    # The JSON the page's script fetched is archived too, marked as captured from Chromium.
    captured = conn.execute(
        "SELECT url FROM fetches WHERE found_by = 'browser' AND response_headers_json LIKE '%X-Nianbao-Captured-By%'"
    ).fetchall()
    conn.close()
    assert rendered >= 1
    assert captured and all("/api/cms/articles" in url for (url,) in captured)


def test_killed_crawl_resumes_to_the_same_archive(first_run: Path, replica: Replica, tmp_path: Path) -> None:
    jobdir = tmp_path / "jobs" / "portal"
    # slow enough that the kill lands mid-run
    cmd = scrapy_cmd(replica, jobdir, "DOWNLOAD_DELAY=0.05", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    env = {**os.environ, "NIANBAO_DATA": str(tmp_path)}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    db = tmp_path / "archive" / "provenance.db"
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and len(report_rows(tmp_path)) >= 8:
                break
        except sqlite3.OperationalError:
            pass  # the database is being created by the crawl
        time.sleep(0.1)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    proc.send_signal(signal.SIGTERM)  # what a service manager sends; Scrapy saves the JOBDIR
    proc.communicate(timeout=30)
    interrupted = len(report_rows(tmp_path))
    assert 8 <= interrupted < len(replica.reports(NON_BROWSER))
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    docs = assert_complete(tmp_path, replica, NON_BROWSER)
    assert {d["sha256"] for d in docs} == {d["sha256"] for d in documents(first_run)}
    # Nothing doubled: each report body was downloaded once across both runs.
    responses = [r for r in report_rows(tmp_path) if r["warc_record_type"] == "response"]
    assert len(responses) == len(docs)
