"""A WARC record whose provenance row never committed (the writer killed in between) is
reported by ``verify`` and by ``nianbao archive verify``."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from archive_helpers import html_fetch, warcio_cli
from click.testing import CliRunner
from nianbao.archive import Archive
from nianbao.archive.verify import verify

from nianbao.cli import main

# Records one page, then the same page again (a revisit), and dies the moment the
# revisit's row is about to be inserted: its WARC records are written and synced.
WRITER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv[2])
    from nianbao.archive import Archive
    from archive_helpers import html_fetch
    a = Archive(sys.argv[1])
    run = a.start_run("orphan")
    a.record(run, html_fetch("http://gov.test/list.html", "<p>列表</p>", role="page"))
    a.record(run, html_fetch("http://gov.test/1.html", "<p>报告</p>", role="report"))
    insert = a.provenance.insert_fetch
    def die(row):
        os.kill(os.getpid(), signal.SIGKILL)
    a.provenance.insert_fetch = die
    print(run, flush=True)
    a.record(run, html_fetch("http://gov.test/1.html", "<p>报告</p>", role="report"))
""")


def crash_between_record_and_row(tmp_path):
    root = tmp_path / "archive"
    helpers = str(__import__("archive_helpers").__file__).rsplit("/", 1)[0]
    child = subprocess.run(
        [sys.executable, "-c", WRITER, str(root), helpers], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    return root, child.stdout.strip()


def test_verify_reports_a_revisit_record_without_its_row(tmp_path):
    root, run = crash_between_record_and_row(tmp_path)
    a = Archive(root)  # the next writer closes off the dead one's file
    a.finish_run(a.start_run("after"), "finished")
    a.close()
    a = Archive(root, readonly=True)
    rows = list(a.provenance.fetches())
    assert [r["warc_record_type"] for r in rows] == ["response", "response"]
    problems = verify(a, full=True)
    a.close()
    assert len(problems) == 1, problems
    (orphan,) = problems
    assert orphan.what == "orphan"
    assert "revisit record (and its request record) for http://gov.test/1.html" in orphan.detail
    assert f"run {run}" in orphan.detail and "no provenance row" in orphan.detail
    # the file itself is whole: the problem is the missing row, not the WARC
    check = warcio_cli("check", *a.warc_files())
    assert check.returncode == 0, check.stdout

    result = CliRunner().invoke(main, ["--data", str(tmp_path), "archive", "verify"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "orphan " in result.output and "1 WARC record(s) have no provenance row" in result.output


def test_verify_reports_a_lone_request_record(tmp_path):
    """A crash after the response's row … cannot happen; but a request record whose response
    went missing (torn and cut) is reported too: written by hand here."""
    a = Archive(tmp_path / "archive")
    run = a.start_run("lone")
    a.record(run, html_fetch("http://gov.test/a.html", "<p>a</p>"))
    # an exchange written straight to the WARC file, with no row: the crash window
    location = a._writer.write_exchange(
        url="http://gov.test/b.html", status=200, response_headers=[("Content-Type", "text/html")], body=b"b"
    )
    a.finish_run(run, "finished")
    a.close()
    a = Archive(tmp_path / "archive", readonly=True)
    problems = verify(a)
    a.close()
    assert [p.what for p in problems] == ["orphan"]
    assert problems[0].where == f"{location.filename}@{location.offset}"
    assert "response record (and its request record) for http://gov.test/b.html" in problems[0].detail


def test_a_running_writers_open_tail_is_not_an_orphan(tmp_path):
    a = Archive(tmp_path / "archive")
    run = a.start_run("live")
    a.record(run, html_fetch("http://gov.test/a.html", "<p>a</p>"))
    a._writer.write_exchange(url="http://gov.test/b.html", status=200, response_headers=[], body=b"b")
    reader = Archive(tmp_path / "archive", readonly=True)
    assert verify(reader) == []  # the writer may be committing b's row right now
    reader.close()
    a.finish_run(run, "finished")
    a.close()
    reader = Archive(tmp_path / "archive", readonly=True)
    assert [p.what for p in verify(reader)] == ["orphan"]  # closed: now it is one
    reader.close()
