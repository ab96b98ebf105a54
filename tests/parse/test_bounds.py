"""HTML read within bounds: a real report page wrapped in 200 nested <div>s with
megabytes of filler ends (read or failed) in bounded time, in the guarded worker.

The page is made at test time from a real one (../shared's 平潭 report page, skipped
when absent) or a committed fixture; it is too big to commit."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from nianbao.parse import parse_bytes

from tests.conftest import CORPUS

FIXTURE = Path(__file__).parents[1] / "fixtures" / "reports" / "dept-2021.html"
PINGTAN = CORPUS / "portal" / "pingtan-report-2018.html"
FILLER = "<p>填充文字 filler text</p>\n".encode()


def nested(page: bytes, size: int, depth: int = 200) -> bytes:
    """``page`` with its body wrapped in ``depth`` <div>s, filler first, to ``size`` bytes."""
    body = re.search(rb"<body[^>]*>", page, re.I)
    assert body, "the page has a <body>"
    end = page.lower().rfind(b"</body>")
    inner = page[body.end() : end]
    count = max(0, (size - len(page)) // len(FILLER))
    return page[: body.end()] + b"<div>" * depth + FILLER * count + inner + b"</div>" * depth + page[end:]


def _page(which: str) -> tuple[bytes, str]:
    if which == "pingtan":
        if not PINGTAN.exists():
            pytest.skip(f"{PINGTAN} is absent")
        return PINGTAN.read_bytes(), "平潭综合实验区2018年度政府信息公开工作年度报告"
    return FIXTURE.read_bytes(), "获嘉县交通运输局2023年政府信息公开工作年度报告"


@pytest.mark.parametrize("which", ["pingtan", "fixture"])
def test_ten_megabytes_nested_ends_within_thirty_seconds(which: str) -> None:
    page, title = _page(which)
    hostile = nested(page, 10 * 1024 * 1024)
    assert len(hostile) >= 10 * 1024 * 1024
    started = time.monotonic()
    record = parse_bytes(hostile, "nested").record
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"took {elapsed:.1f} s"
    # Read (the article is still there) or failed with a reason; never a hang.
    assert record["status"] == "failed" or record["title"] == title, record["errors"]


def test_html_is_read_under_the_worker_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTML goes through the guarded worker: a deadline shorter than the read stops it
    with a failed record (in-process reading would have no deadline at all)."""
    from nianbao.parse import guard

    page, _ = _page("fixture")
    monkeypatch.setattr(guard, "TIME_LIMIT", 0.2)
    record = parse_bytes(nested(page, 10 * 1024 * 1024), "slow").record
    assert record["status"] == "failed"
    assert "longer than" in record["errors"][0], record["errors"]
    # The next page gets a fresh worker and reads normally.
    monkeypatch.setattr(guard, "TIME_LIMIT", 120.0)
    assert parse_bytes(page, "after").record["status"] == "ok"


def test_html_is_read_under_the_worker_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose tree needs more than the worker may use is refused, not read in
    the caller's memory."""
    from nianbao.parse import guard

    page, _ = _page("fixture")
    monkeypatch.setattr(guard, "MEMORY_LIMIT", 256 * 1024**2)
    record = parse_bytes(nested(page, 40 * 1024 * 1024), "big").record
    assert record["status"] == "failed"
    assert "MiB" in record["errors"][0] or "died" in record["errors"][0], record["errors"]
