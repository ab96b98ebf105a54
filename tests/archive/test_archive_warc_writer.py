import gzip
import hashlib
import io
import os

import pytest
from archive_helpers import warcio_cli
from nianbao.archive.warc_writer import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    WarcWriter,
    recover_directory,
    recover_file,
    sha256_payload_digest,
)
from warcio.archiveiterator import ArchiveIterator


def read_records(path):
    out = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests=True)
        for rec in it:
            body = rec.content_stream().read()
            out.append((it.get_record_offset(), rec, body))
    return out


def test_exchange_round_trip(tmp_path):
    body = "<html>新乡市2023年政府信息公开工作年度报告</html>".encode()
    with WarcWriter(tmp_path, "t", info={"run": "r1"}) as w:
        loc = w.write_exchange(
            url="http://example.test/a/b.html?x=1",
            status=200,
            response_headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            body=body,
            method="GET",
            request_headers=[("User-Agent", "nianbao"), ("Accept", "*/*")],
            date="2024-03-01T08:00:00+08:00",
        )
        assert (tmp_path / (loc.filename + ".open")).exists()
    assert (tmp_path / loc.filename).exists() and not (tmp_path / (loc.filename + ".open")).exists()
    records = read_records(tmp_path / loc.filename)
    kinds = [r.rec_type for _, r, _ in records]
    assert kinds == ["warcinfo", "response", "request"]
    info = records[0][2].decode()
    assert "software: nianbao" in info and "run: r1" in info
    offset, resp, resp_body = records[1]
    assert offset == loc.offset and resp_body == body
    assert resp.rec_headers.protocol == "WARC/1.1"
    assert resp.rec_headers.get_header("WARC-Date") == "2024-03-01T00:00:00.000000Z"
    assert resp.rec_headers.get_header("WARC-Target-URI") == "http://example.test/a/b.html?x=1"
    assert resp.rec_headers.get_header("WARC-Payload-Digest") == sha256_payload_digest(
        hashlib.sha256(body).hexdigest()
    )
    assert resp.rec_headers.get_header("WARC-Block-Digest").startswith("sha256:")
    assert resp.digest_checker.passed is True
    assert resp.http_headers.get_statuscode() == "200"
    assert [v for k, v in resp.http_headers.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    _, req, _ = records[2]
    assert req.rec_headers.get_header("WARC-Concurrent-To") == loc.record_id
    assert req.http_headers.protocol == "GET" and req.http_headers.statusline == "/a/b.html?x=1 HTTP/1.1"
    # the location names exactly the response's gzip member
    raw = (tmp_path / loc.filename).read_bytes()[loc.offset : loc.offset + loc.length]
    member = gzip.decompress(raw)
    assert member.startswith(b"WARC/1.1\r\n") and b"\r\nWARC-Type: response\r\n" in member
    assert member.endswith(body + b"\r\n\r\n")


def test_non_ascii_header_bytes_are_kept(tmp_path):
    # GBK filename in Content-Disposition, as Scrapy hands it over (bytes read as Latin-1)
    disp = 'attachment; filename="' + "年报.pdf".encode("gbk").decode("latin-1") + '"'
    with WarcWriter(tmp_path) as w:
        loc = w.write_exchange(
            url="http://e.test/d?id=1",
            status=200,
            response_headers=[("Content-Disposition", disp)],
            body=b"%PDF-1.4",
        )
    raw = gzip.decompress((tmp_path / loc.filename).read_bytes()[loc.offset : loc.offset + loc.length])
    assert "年报.pdf".encode("gbk") in raw


def test_revisit_records(tmp_path):
    with WarcWriter(tmp_path) as w:
        orig = w.write_exchange(url="http://e.test/r.pdf", status=200, response_headers=[], body=b"%PDF data")
        same = w.write_revisit(
            url="http://e.test/r.pdf",
            status=200,
            response_headers=[("ETag", '"x"')],
            refers_to_uri="http://e.test/r.pdf",
            refers_to_date=orig.date,
            payload_digest=orig.payload_digest,
            refers_to_record_id=orig.record_id,
        )
        nm = w.write_revisit(
            url="http://e.test/r.pdf",
            status=304,
            response_headers=[],
            refers_to_uri="http://e.test/r.pdf",
            refers_to_date=orig.date,
            payload_digest=orig.payload_digest,
            not_modified=True,
        )
        name = w.current_file
    recs = {r.rec_headers.get_header("WARC-Record-ID"): r for _, r, _ in read_records(tmp_path / name)}
    a, b = recs[same.record_id], recs[nm.record_id]
    assert a.rec_type == b.rec_type == "revisit"
    assert a.rec_headers.get_header("WARC-Profile") == PROFILE_IDENTICAL
    assert b.rec_headers.get_header("WARC-Profile") == PROFILE_NOT_MODIFIED
    for r in (a, b):
        assert r.rec_headers.get_header("WARC-Refers-To-Target-URI") == "http://e.test/r.pdf"
        assert r.rec_headers.get_header("WARC-Refers-To-Date") == orig.date
        assert r.rec_headers.get_header("WARC-Payload-Digest") == orig.payload_digest
    assert a.rec_headers.get_header("WARC-Refers-To") == orig.record_id
    assert b.http_headers.get_statuscode() == "304"
    check = warcio_cli("check", tmp_path / name)
    assert check.returncode == 0, check.stdout + check.stderr


def test_rotation_and_warcio_cli(tmp_path):
    with WarcWriter(tmp_path, "rot", max_size=20_000) as w:
        for i in range(12):
            w.write_exchange(url=f"http://e.test/{i}", status=200, response_headers=[], body=os.urandom(5000))
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 2 and not list(tmp_path.glob("*.open"))
    uris = []
    for f in files:
        assert read_records(f)[0][1].rec_type == "warcinfo"  # every file starts with one
        check = warcio_cli("check", "-v", f)
        assert check.returncode == 0, check.stdout
        index = warcio_cli("index", "-f", "warc-type,warc-target-uri,offset", f)
        assert index.returncode == 0
        uris += [line for line in index.stdout.splitlines() if '"response"' in line]
    assert len(uris) == 12


def test_streamed_body_needs_length(tmp_path):
    with WarcWriter(tmp_path) as w:
        with pytest.raises(Exception, match="body_length"):
            w.write_exchange(url="http://e.test/", status=200, response_headers=[], body=io.BytesIO(b"x"))
        loc = w.write_exchange(
            url="http://e.test/", status=200, response_headers=[], body=io.BytesIO(b"xyz"), body_length=3
        )
        name = w.current_file
    assert read_records(tmp_path / name)[1][2] == b"xyz" and loc.offset > 0


def test_recover_cuts_a_torn_last_record(tmp_path):
    w = WarcWriter(tmp_path)
    locs = [
        w.write_exchange(url=f"http://e.test/{i}", status=200, response_headers=[], body=b"x" * 5000)
        for i in range(3)
    ]
    open_path = tmp_path / (w.current_file + ".open")
    good_size = open_path.stat().st_size
    # what a kill -9 in the middle of the next record leaves: half a gzip member
    member = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"y" * 20000)
    with open_path.open("ab") as f:
        f.write(member[: len(member) // 2])
    w._file = None  # the crashed writer never closes
    (final,) = recover_directory(tmp_path)
    assert final.name == locs[0].filename and final.stat().st_size == good_size
    assert not open_path.exists()
    assert warcio_cli("check", final).returncode == 0
    assert len([r for _, r, _ in read_records(final) if r.rec_type == "response"]) == 3


def test_recover_removes_an_empty_open_file(tmp_path):
    p = tmp_path / "x.warc.gz.open"
    p.write_bytes(b"\x1f\x8b\x08\x00garbage")
    recover_file(p)
    assert list(tmp_path.iterdir()) == []
