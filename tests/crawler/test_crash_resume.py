"""``kill -9`` a real crawl of the replica portals mid-way, start it again: nothing the run
archived is asked for again, and the archive ends as an uninterrupted crawl's."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from nianbao.archive import Archive
from nianbao.archive.verify import verify

from tests.crawler.conftest import NON_BROWSER, REPO, Replica, scrapy_cmd


def rows(data: Path) -> list[dict]:
    conn = sqlite3.connect(f"file:{data / 'archive' / 'provenance.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    out = [dict(r) for r in conn.execute("SELECT * FROM fetches ORDER BY id")]
    conn.close()
    return out


def documents(data: Path) -> set[tuple[str, str]]:
    archive = Archive(data / "archive", readonly=True)
    try:
        return {(d["url"], d["sha256"]) for d in archive.documents()}
    finally:
        archive.close()


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_kill_minus_nine_mid_crawl_resumes_without_asking_again(replica: Replica, tmp_path: Path) -> None:
    # An uninterrupted crawl first (it also uses up the replica's one-time 500s).
    base = tmp_path / "base"
    env = {**os.environ, "NIANBAO_DATA": str(base)}
    done = subprocess.run(
        scrapy_cmd(replica, base / "jobs" / "portal"),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    expected = documents(base)
    assert len(expected) == len(replica.reports(NON_BROWSER))

    data = tmp_path / "crashed"
    env = {**os.environ, "NIANBAO_DATA": str(data)}
    # slow enough that the kill lands mid-run, one request on the wire at a time
    cmd = scrapy_cmd(
        replica, data / "jobs" / "portal", "DOWNLOAD_DELAY=0.05", "CONCURRENT_REQUESTS_PER_DOMAIN=1"
    )
    log_start = len(replica.server.request_log)
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if sum(r["role"] == "report" for r in rows(data)) >= 8:
                break
        except sqlite3.OperationalError:
            pass  # the database is being created by the crawl
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    proc.send_signal(signal.SIGKILL)  # no clean close: Scrapy writes nothing of its JOBDIR
    proc.wait(timeout=30)
    time.sleep(0.5)  # let the replica log the request that was on the wire
    log_kill = len(replica.server.request_log)
    before = rows(data)
    reports_before = [r for r in before if r["role"] == "report"]
    assert 8 <= len(reports_before) < len(expected)
    assert (data / "jobs" / "portal" / "nianbao-running").exists()

    resumed = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "ended without closing" in resumed.stderr
    log_end = len(replica.server.request_log)

    # The final archive is the uninterrupted crawl's: every report, once.
    assert documents(data) == expected
    after = rows(data)
    responses = [r for r in after if r["role"] == "report" and r["warc_record_type"] == "response"]
    assert len(responses) == len(expected)
    archive = Archive(data / "archive", readonly=True)
    runs = archive.runs()
    problems = verify(archive, full=True)
    archive.close()
    assert len(runs) == 1 and runs[0]["outcome"] == "finished", "the killed run is continued, not a new one"
    assert runs[0]["stats"]["nianbao/resumed_after_crash"] is True
    # what the restart counted includes what it served from the archive
    assert sum(s["reports"] for s in runs[0]["per_source"].values()) == len(expected)
    # A kill between an exchange's WARC records and its row leaves one record without a row:
    # reported, and its URL fetched again.
    assert [p for p in problems if p.what != "orphan"] == [] and len(problems) <= 1

    # Nothing the run had archived was asked for again: not a list page, not a report, not robots.txt.
    asked_again = Counter(path for _, path, _ in replica.server.request_log[log_kill:log_end])
    archived = {
        target(r["url"]) for r in before if r["method"] == "GET" and r["status"] and r["status"] < 400
    }
    again = sorted(p for p in archived if asked_again[p])
    assert not again, f"asked again after the restart: {again}"
    assert not [r for r in after[len(before) :] if r["method"] == "GET" and target(r["url"]) in archived]
    # No report body downloaded twice across the kill, bar the one on the wire when it landed.
    hits = Counter(path for _, path, status in replica.server.request_log[log_start:log_end] if status == 200)
    twice = [target(url) for url, _ in expected if hits[target(url)] > 1]
    assert len(twice) <= 1 and not set(twice) & archived, twice
