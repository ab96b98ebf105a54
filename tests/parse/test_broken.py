"""Broken and hostile input: a failed record with a clear error, in bounded time and memory."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
from nianbao.parse import parse_bytes, parse_path
from nianbao.parse.document import MAX_BYTES


def failed(data: bytes, **kw: object) -> str:
    record = parse_bytes(data, "test", **kw).record  # type: ignore[arg-type]
    assert record["status"] == "failed", record
    assert record["errors"] and record["errors"][0]
    assert record["sha256"] and record["template"] == "unknown"
    return record["errors"][0]


def test_empty_file() -> None:
    assert failed(b"") == "empty file"
    assert failed(b"  \n\t ") == "empty file"


def test_binary_garbage() -> None:
    import random

    garbage = random.Random(7).randbytes(200_000)
    assert "not a document" in failed(garbage)


def test_truncated_pdf(tmp_path: Path) -> None:
    pdf = _small_pdf()
    error = failed(pdf[: len(pdf) // 3])
    assert "PDF" in error or "pdf" in error


def test_encrypted_pdf() -> None:
    assert "encrypted" in failed(_small_pdf(encrypt="secret-user-password"))


def test_pdf_bomb_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A content stream that inflates to 1 GiB against a 384 MiB limit (the default is
    2 GiB; smaller here to keep the test fast): the reader is stopped at its limit."""
    from nianbao.parse import guard

    monkeypatch.setattr(guard, "MEMORY_LIMIT", 384 * 1024**2)
    assert failed(_deflate_bomb_pdf(1024**3))


def test_file_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(MAX_BYTES + 1)
    record = parse_path(big).record
    assert record["status"] == "failed" and "larger than" in record["errors"][0]


def test_fifty_megabytes_of_noise(tmp_path: Path) -> None:
    noise = tmp_path / "noise.bin"
    with noise.open("wb") as f:
        block = bytes(range(256)) * 4096
        for _ in range(50):
            f.write(block)
    record = parse_path(noise).record
    assert record["status"] == "failed"


def test_html_without_a_report() -> None:
    page = "<html><head><title>首页_某某县人民政府</title></head><body><p>欢迎访问</p><a href='/x'>政务公开</a></body></html>"
    assert "no annual report" in failed(page.encode())


def test_gbk_page_without_charset() -> None:
    text = "<html><body><p>某某县人民政府2023年政府信息公开工作年度报告</p><p>一、总体情况</p><p>全年主动公开信息。</p></body></html>"
    record = parse_bytes(text.encode("gbk"), "gbk").record
    assert record["title"] == "某某县人民政府2023年政府信息公开工作年度报告"
    assert record["sections"]["1"] == "全年主动公开信息。"


def test_missing_file_is_a_failed_record(tmp_path: Path) -> None:
    record = parse_path(tmp_path / "nope.pdf").record
    assert record["status"] == "failed" and "cannot read" in record["errors"][0]


def _small_pdf(encrypt: str | None = None) -> bytes:
    reportlab = pytest.importorskip("reportlab")  # noqa: F841
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, encrypt=encrypt)
    for page in range(3):
        c.drawString(72, 720, f"page {page} " + "x" * 60)
        c.showPage()
    c.save()
    return out.getvalue()


def _deflate_bomb_pdf(size: int) -> bytes:
    """One page whose content stream is `size` bytes of spaces, deflated (~3 MB)."""
    compressor = zlib.compressobj(1)
    chunk = b" " * (1 << 24)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    stream = b"".join(parts) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_reader_recovers_after_a_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker killed by a bomb is replaced: the next document reads normally."""
    from nianbao.parse import guard

    monkeypatch.setattr(guard, "MEMORY_LIMIT", 384 * 1024**2)
    failed(_deflate_bomb_pdf(1024**3))
    record = parse_bytes(_small_pdf(), "after").record
    assert "died" not in " ".join(record["errors"])


def test_worker_is_recycled(monkeypatch: pytest.MonkeyPatch) -> None:
    from nianbao.parse import guard

    monkeypatch.setattr(guard, "RECYCLE_AFTER", 2)
    pdf = _small_pdf()
    pids = set()
    for _ in range(5):
        parse_bytes(pdf, "again")
        pids.add(guard._workers[guard.MEMORY_LIMIT].pid)
    assert len(pids) >= 2
