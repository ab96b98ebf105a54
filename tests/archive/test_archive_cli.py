import os

from archive_helpers import html_fetch
from click.testing import CliRunner
from nianbao.archive import Archive

from nianbao.cli import main


def make_archive(data):
    a = Archive(data / "archive")
    run = a.start_run("cli")
    rows = [
        a.record(run, html_fetch(f"http://gov.test/{i}.html", f"<p>报告 {i}</p>", role="report"))
        for i in range(3)
    ]
    a.record(run, html_fetch("http://gov.test/0.html", "<p>报告 0</p>", role="report"))  # a revisit
    a.finish_run(run, "finished")
    a.close()
    return rows


def run_cli(data, *args):
    return CliRunner().invoke(main, ["--data", str(data), "archive", *args], catch_exceptions=False)


def test_stats_get_and_verify(tmp_path):
    rows = make_archive(tmp_path)
    result = run_cli(tmp_path, "stats")
    assert result.exit_code == 0
    assert "fetches          4" in result.output and "revisits         1" in result.output
    assert "documents        3" in result.output and "warc_files       1" in result.output
    got = run_cli(tmp_path, "get", rows[1]["sha256"])
    assert got.exit_code == 0 and got.stdout_bytes == "<p>报告 1</p>".encode()
    assert run_cli(tmp_path, "verify", "--full").exit_code == 0


def test_verify_catches_a_tampered_blob(tmp_path):
    rows = make_archive(tmp_path)
    a = Archive(tmp_path / "archive", readonly=True)
    path = a.blobs.path(rows[2]["sha256"])
    a.close()
    os.chmod(path, 0o644)
    path.write_bytes(b"<p>rewritten</p>")
    result = run_cli(tmp_path, "verify")
    assert result.exit_code == 1
    assert f"blob {rows[2]['sha256']}" in result.output and "content hashes to" in result.output


def test_verify_catches_a_damaged_warc_and_a_missing_blob(tmp_path):
    rows = make_archive(tmp_path)
    a = Archive(tmp_path / "archive", readonly=True)
    warc = a.warc_path(rows[0]["warc_file"])
    os.chmod(a.blobs.path(rows[1]["sha256"]), 0o644)
    a.blobs.path(rows[1]["sha256"]).unlink()
    a.close()
    data = bytearray(warc.read_bytes())
    data[rows[0]["warc_offset"] + 30] ^= 0xFF  # inside the first response record's gzip member
    warc.write_bytes(bytes(data))
    result = run_cli(tmp_path, "verify")
    assert result.exit_code == 1
    assert "missing" in result.output
    assert f"warc {rows[0]['warc_file']}@{rows[0]['warc_offset']}" in result.output


def test_clear_errors(tmp_path):
    assert "no archive" in run_cli(tmp_path, "stats").output
    bad = run_cli(tmp_path, "get", "not-a-hash")
    assert bad.exit_code == 2 and "not a SHA-256" in bad.output
    missing = run_cli(tmp_path, "get", "0" * 64)
    assert missing.exit_code == 1 and "no blob" in missing.output
