import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from archive_helpers import html_fetch, warcio_cli
from nianbao.archive import Archive, ArchiveError, ArchiveLocked, Fetch
from nianbao.archive.verify import verify
from warcio.archiveiterator import ArchiveIterator


def record_at(archive, row):
    with archive.warc_path(row["warc_file"]).open("rb") as f:
        f.seek(row["warc_offset"])
        rec = next(iter(ArchiveIterator(f)))
        return rec, rec.content_stream().read()


def test_record_round_trip(archive):
    run = archive.start_run("test", sources=["xinxiang"], settings={"depth": 3})
    fetch = html_fetch(
        "http://gov.test/zfxxgk/2023/nb.html",
        "<p>2023年度报告</p>",
        source="xinxiang",
        role="report",
        referer="http://gov.test/zfxxgk/index.html",
        anchor_text="新乡市2023年政府信息公开工作年度报告",
        found_by="column",
        list_page="http://gov.test/zfxxgk/index.html",
        published="2024-01-20",
        request_headers=[(b"User-Agent", b"nianbao/0.1 (+https://example.test)")],
        fetched_at="2024-02-01T10:00:00Z",
    )
    row = archive.record(run, fetch)
    stored = archive.provenance.fetch(row["id"])
    assert stored == row
    assert row["sha256"] == hashlib.sha256(fetch.body).hexdigest() and row["is_new"] == 1
    assert archive.get(row["sha256"]) == fetch.body
    assert row["fetched_at"] == "2024-02-01T10:00:00.000000Z"
    assert json.loads(row["request_headers_json"]) == [["User-Agent", "nianbao/0.1 (+https://example.test)"]]
    assert row["content_type"] == "text/html; charset=utf-8" and row["content_length"] == len(fetch.body)
    rec, body = record_at(archive, row)
    assert rec.rec_type == "response" and body == fetch.body
    assert rec.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
    assert rec.rec_headers.get_header("WARC-Date") == row["fetched_at"]
    assert archive.last_fetch(fetch.url)["id"] == row["id"]
    assert archive.seen_sha256(row["sha256"]) and archive.seen_url(fetch.url)

    # the same body at another URL: a full response again, but not new
    other = archive.record(run, html_fetch("http://gov.test/copy.html", "<p>2023年度报告</p>", role="report"))
    assert other["warc_record_type"] == "response" and other["is_new"] == 0

    archive.finish_run(run, "finished", {"pages": 2}, {"xinxiang": {"pages": 1}})
    (info,) = archive.runs()
    assert (
        info["outcome"] == "finished" and info["settings"] == {"depth": 3} and info["sources"] == ["xinxiang"]
    )
    assert info["stats"]["pages"] == 2 and info["stats"]["archive"]["fetches"] == 2
    assert info["stats"]["archive"]["new"] == 1
    assert info["per_source"]["xinxiang"] == {
        "pages": 1,
        "archive": {
            "fetches": 1,
            "new": 1,
            "revisits": 0,
            "failures": 0,
            "new_reports": 1,
            "bytes": len(fetch.body),
        },
    }

    (doc,) = archive.documents()
    assert doc["url"] == fetch.url and doc["published"] == "2024-01-20" and doc["fetch_count"] == 2
    assert doc["url_count"] == 2 and doc["anchor_text"].startswith("新乡市")
    assert verify(archive, full=True) == []


def test_second_run_writes_revisits_and_says_so(archive):
    url = "http://gov.test/a.pdf"
    headers = [
        ("Content-Type", "application/pdf"),
        ("ETag", '"v1"'),
        ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"),
    ]
    run1 = archive.start_run("first")
    first = archive.record(
        run1, Fetch(url=url, status=200, body=b"%PDF-1.7 v1", response_headers=headers, role="report")
    )
    archive.record(run1, html_fetch("http://gov.test/list.html", "list v1"))
    archive.finish_run(run1, "finished")

    prev = archive.last_fetch(url)
    assert (prev["etag"], prev["last_modified"]) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    run2 = archive.start_run("second")
    nm = archive.record(run2, Fetch(url=url, status=304, response_headers=[("ETag", '"v1"')], role="report"))
    same = archive.record(run2, html_fetch("http://gov.test/list.html", "list v1"))
    changed = archive.record(
        run2, Fetch(url=url, status=200, body=b"%PDF-1.7 v2", response_headers=headers, role="report")
    )
    again = archive.record(
        run2, Fetch(url=url, status=200, body=b"%PDF-1.7 v2", response_headers=headers, role="report")
    )
    archive.finish_run(run2, "finished")

    assert nm["warc_record_type"] == "revisit" and nm["revisit_of"] == first["id"]
    assert nm["sha256"] == first["sha256"] and nm["last_modified"] == first["last_modified"]
    assert same["warc_record_type"] == "revisit" and same["is_new"] == 0
    assert (
        changed["warc_record_type"] == "response" and changed["is_new"] == 1 and changed["revisit_of"] is None
    )
    assert again["revisit_of"] == changed["id"]
    rec, _ = record_at(archive, nm)
    assert rec.rec_headers.get_header("WARC-Profile").endswith("/server-not-modified")
    assert rec.rec_headers.get_header("WARC-Refers-To-Target-URI") == url
    assert rec.rec_headers.get_header("WARC-Refers-To-Date") == first["fetched_at"]
    rec, _ = record_at(archive, same)
    assert rec.rec_headers.get_header("WARC-Profile").endswith("/identical-payload-digest")

    stats = archive.runs()[1]["stats"]["archive"]
    assert stats == {"fetches": 4, "new": 1, "revisits": 3, "failures": 0, "new_reports": 1, "bytes": 11}
    assert [d["sha256"] for d in archive.documents()] == [first["sha256"], changed["sha256"]]
    for f in archive.warc_files():
        assert warcio_cli("check", f).returncode == 0
    assert verify(archive) == []


def test_failures_have_rows_but_no_records(archive):
    run = archive.start_run("t")
    row = archive.record_failure(
        run, "http://gone.test/", "s", "DNSLookupError: gone.test", found_by="discovery"
    )
    assert row["status"] is None and row["warc_file"] is None and row["error"].startswith("DNS")
    assert archive.last_fetch("http://gone.test/") is None  # no response: nothing to be conditional on
    with pytest.raises(ArchiveError):
        archive.record_failure(run, "http://x.test/", "s", "")
    archive.finish_run(run, "finished")
    assert archive.runs()[0]["stats"]["archive"]["failures"] == 1


def test_misuse_gets_clear_errors(archive, tmp_path):
    with pytest.raises(ArchiveError, match="not active"):
        archive.record("no-such-run", html_fetch("http://x.test/", "x"))
    with pytest.raises(ValueError, match="role"):
        Fetch(url="http://x.test/", status=200, role="attachment")
    with pytest.raises(ValueError, match="status"):
        Fetch(url="http://x.test/", status=0)
    run = archive.start_run("t")
    with pytest.raises(ArchiveError, match="takes a Fetch"):
        archive.record(run, {"url": "http://x.test/"})
    archive.finish_run(run, "finished")
    with pytest.raises(ValueError, match="already ended"):
        archive.finish_run(run, "finished")
    with pytest.raises(ArchiveError, match="has ended"):
        archive.resume_run(run)
    reader = Archive(tmp_path / "archive", readonly=True)
    with pytest.raises(ArchiveError, match="read-only"):
        reader.start_run("t")
    reader.close()


def test_append_only(archive):
    run = archive.start_run("t")
    archive.record(run, html_fetch("http://x.test/", "x"))
    conn = archive.provenance.conn
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE fetches SET url = 'http://evil.test/'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM fetches")
    archive.finish_run(run, "finished")
    with pytest.raises(sqlite3.IntegrityError, match="once"):
        conn.execute("UPDATE runs SET outcome = 'failed'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM runs")


def test_resume_an_unfinished_run(tmp_path):
    a = Archive(tmp_path / "archive")
    run = a.start_run("crawl")
    a.record(run, html_fetch("http://x.test/1", "one"))
    a.close()  # the process stops without finish_run
    b = Archive(tmp_path / "archive")
    assert [r["run_id"] for r in b.unfinished_runs()] == [run]
    assert b.resume_run(run) == run
    b.record(run, html_fetch("http://x.test/2", "two"))
    b.finish_run(run, "finished")
    assert b.runs()[0]["stats"]["archive"]["fetches"] == 2 and b.unfinished_runs() == []
    assert len(b.warc_files()) == 2 and verify(b) == []
    b.close()


def test_a_second_process_cannot_write(tmp_path):
    root = tmp_path / "archive"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys
            from nianbao.archive import Archive
            a = Archive({str(root)!r})
            a.start_run("holder")
            print("ready", flush=True)
            sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        a = Archive(root)
        with pytest.raises(ArchiveLocked, match="another process"):
            a.start_run("second")
        assert list(a.runs())[0]["name"] == "holder"  # reading is fine meanwhile
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        run = a.start_run("second")  # free again once the holder is gone
        a.finish_run(run, "finished")
        a.close()
    finally:
        holder.kill()
        holder.wait()


def test_redirected_fetch_targets_the_final_url(archive):
    run = archive.start_run("t")
    fetch = html_fetch(
        "http://gov.test/nb", "<p>2023</p>", final_url="https://gov.test/nb/2023.html", role="report"
    )
    row = archive.record(run, fetch)
    again = archive.record(
        run, html_fetch("http://gov.test/nb", "<p>2023</p>", final_url="https://gov.test/nb/2023.html")
    )
    assert (
        row["url"] == "http://gov.test/nb" and archive.last_fetch("http://gov.test/nb")["id"] == again["id"]
    )
    rec, _ = record_at(archive, row)
    assert rec.rec_headers.get_header("WARC-Target-URI") == "https://gov.test/nb/2023.html"
    rec, _ = record_at(archive, again)
    assert rec.rec_headers.get_header("WARC-Refers-To-Target-URI") == "https://gov.test/nb/2023.html"
    archive.finish_run(run, "finished")
    assert verify(archive) == []


def test_large_body_from_a_file(archive, tmp_path):
    path = tmp_path / "big.pdf"
    data = os.urandom(6 * (1 << 20))
    path.write_bytes(data)
    run = archive.start_run("t")
    row = archive.record(run, Fetch(url="http://gov.test/big.pdf", status=200, body_path=path, role="report"))
    assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["content_length"] == len(data)
    assert archive.blobs.path(row["sha256"]).read_bytes() == data
    rec, body = record_at(archive, row)
    assert body == data
    again = archive.record(
        run, Fetch(url="http://gov.test/big.pdf", status=200, body_path=path, role="report")
    )
    assert again["warc_record_type"] == "revisit"
    with pytest.raises(ValueError, match="not both"):
        Fetch(url="http://gov.test/x", status=200, body=b"x", body_path=path)
    archive.finish_run(run, "finished")
    assert verify(archive, full=True) == []
