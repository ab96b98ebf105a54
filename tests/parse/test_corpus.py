"""The real reports of ../shared/corpus: every cell right, status ok, every check passes.

The expected values in expected/*.json were written by reading the documents; they
hold the numbers and metadata only (no prose is copied into the repository).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nianbao.parse import parse_bytes, parse_path
from nianbao.parse.extract.pdf import extract_pdf_fast, extract_pdf_geometric
from nianbao.parse.report import RECORD_KEYS, read_report

from tests.parse.records import assert_same

EXPECTED = Path(__file__).parent / "expected"
CASES = sorted(p.stem for p in EXPECTED.glob("*.json"))


def corpus_file(corpus: Path, stem: str) -> Path:
    matches = list(corpus.glob(f"**/{stem}.*"))
    assert matches, f"{stem} is not in the corpus"
    return matches[0]


@pytest.mark.parametrize("stem", CASES)
def test_every_cell_right(corpus: Path, stem: str) -> None:
    result = parse_path(corpus_file(corpus, stem))
    record = result.record
    assert tuple(record) == RECORD_KEYS
    assert_same(record, json.loads((EXPECTED / f"{stem}.json").read_text()))
    assert record["status"] == "ok", record["errors"]
    assert record["errors"] == []
    assert {c["id"] for c in record["checks"]} == {
        "T3-BALANCE",
        "T3-ROW-SUM",
        "T3-RESULTS-SUM",
        "T4-GROUP-SUM",
        "SECTIONS",
    }
    assert all(c["ok"] for c in record["checks"]), record["checks"]
    assert all(record["sections"][k] for k in "123456")


@pytest.mark.parametrize("extract", [extract_pdf_fast, extract_pdf_geometric], ids=["fast", "geometric"])
def test_city_pdf_both_paths(corpus: Path, extract) -> None:  # noqa: ANN001
    """Table 3 split over pages 4-5 with 三、本年度办理结果 printed vertically: both
    extraction paths read every cell."""
    data = (corpus / "huaian-2024-city.pdf").read_bytes()
    reading = read_report(extract(data), "huaian", "-")
    assert_same(reading.record, json.loads((EXPECTED / "huaian-2024-city.json").read_text()))
    assert reading.sound


def test_fee_is_decimal(corpus: Path) -> None:
    record = parse_path(corpus / "huaian-2024-city.pdf").record
    assert record["active_disclosure"]["fees"]["amount"] == 96171.6


def test_pre2019_portal_page(corpus: Path) -> None:
    """A real report page from before the fixed form, inside its portal's chrome."""
    result = parse_path(corpus / "portal" / "pingtan-report-2018.html")
    record = result.record
    assert record["template"] == "pre2019"
    assert record["title"] == "平潭综合实验区2018年度政府信息公开工作年度报告"
    assert record["organization"] == "平潭综合实验区"
    assert record["year"] == 2018
    assert record["status"] == "ok"
    assert record["applications"] is None and record["checks"] == []
    assert result.published == "2019-01-10"
    # The portal's chrome (navigation, share buttons) is not part of the report.
    assert "微信 微博" not in result.text
    assert "概述" in (record["sections"]["1"] or "") or record["sections"]["1"]


def test_list_page_is_not_a_report(corpus: Path) -> None:
    record = parse_path(corpus / "portal" / "pingtan-list.html").record
    assert record["status"] == "failed"
    assert "no annual report" in record["errors"][0]


def test_sha256_and_source(corpus: Path) -> None:
    data = (corpus / "huaian-2024-city.pdf").read_bytes()
    record = parse_bytes(data, "https://example.gov.cn/a.pdf").record
    import hashlib

    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["source"] == "https://example.gov.cn/a.pdf"
