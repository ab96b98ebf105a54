"""A gzip-encoded response, fetched for real from a server on 127.0.0.1, stored both ways."""

import gzip
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from archive_helpers import warcio_cli
from nianbao.archive import Fetch
from nianbao.archive.http_headers import stored_response_headers
from nianbao.archive.verify import verify
from warcio.archiveiterator import ArchiveIterator

BODY = ("<html><body>" + "本行政机关2023年度政府信息公开工作情况" * 200 + "</body></html>").encode("utf-8")


class GzipChunked(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        wire = gzip.compress(BODY)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(wire), 1000):
            part = wire[i : i + 1000]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def served():
    server = ThreadingHTTPServer(("127.0.0.1", 0), GzipChunked)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def fetch_once(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/report.html", headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    wire = resp.read()  # de-chunked, still gzip-encoded
    headers = resp.getheaders()
    conn.close()
    return resp.status, headers, wire


def stored(archive, row):
    with archive.warc_path(row["warc_file"]).open("rb") as f:
        f.seek(row["warc_offset"])
        rec = next(iter(ArchiveIterator(f)))
        return rec, rec.raw_stream.read()


def test_decoded_body_does_not_claim_gzip(archive, served):
    status, headers, wire = fetch_once(served)
    url = f"http://127.0.0.1:{served}/report.html"
    run = archive.start_run("t")
    # what Scrapy's HttpCompressionMiddleware hands on: the decoded body, the original headers
    row = archive.record(
        run,
        Fetch(
            url=url,
            status=status,
            body=gzip.decompress(wire),
            response_headers=headers,
            decoded_content_encoding="gzip",
            role="report",
        ),
    )
    rec, payload = stored(archive, row)
    h = rec.http_headers
    assert payload == BODY
    assert h.get_header("Content-Encoding") is None
    assert h.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert h.get_header("Transfer-Encoding") is None
    assert h.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert h.get_header("Content-Length") == str(len(BODY))
    assert row["sha256"] == archive.blobs.hash_of(row["sha256"])
    archive.finish_run(run, "finished")
    assert verify(archive, full=True) == []
    for f in archive.warc_files():
        assert warcio_cli("check", f).returncode == 0


def test_raw_body_is_stored_as_it_came(archive, served):
    status, headers, wire = fetch_once(served)
    url = f"http://127.0.0.1:{served}/report.html"
    run = archive.start_run("t")
    row = archive.record(
        run,
        Fetch(
            url=url,
            status=status,
            body=gzip.decompress(wire),
            raw_body=wire,
            response_headers=headers,
            decoded_content_encoding="gzip",
            role="report",
        ),
    )
    rec, payload = stored(archive, row)
    assert payload == wire  # the bytes off the wire
    assert rec.http_headers.get_header("Content-Encoding") == "gzip"
    assert rec.http_headers.get_header("Content-Length") == str(len(wire))
    assert archive.get(row["sha256"]) == BODY  # the store keeps the document
    archive.finish_run(run, "finished")
    assert verify(archive, full=True) == []  # content_stream() decodes, hashes to the blob


def test_header_rewriting_keeps_order_and_duplicates():
    headers = [
        ("Set-Cookie", "a=1"),
        ("Content-Length", "10"),
        ("Content-Encoding", "gzip"),
        ("Set-Cookie", "b=2"),
        ("Server", "nginx"),
    ]
    assert stored_response_headers(headers, 42, "gzip") == [
        ("Set-Cookie", "a=1"),
        ("X-Archive-Orig-Content-Length", "10"),
        ("Content-Length", "42"),
        ("X-Archive-Orig-Content-Encoding", "gzip"),
        ("Set-Cookie", "b=2"),
        ("Server", "nginx"),
    ]
    # nothing to rewrite: untouched
    plain = [("Content-Type", "text/html"), ("Content-Length", "42")]
    assert stored_response_headers(plain, 42, None) == plain
