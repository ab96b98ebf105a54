"""Every committed fixture (tests/fixtures/reports, made by tests/fixtures/generate.py)
in every format, and the real seeds rendered as HTML, PDF and DOCX at test time:
every cell right, and the checks say what the numbers say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nianbao.parse import parse_path

from tests.parse.records import assert_same

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reports"
EXPECTED_SEEDS = Path(__file__).parent / "expected"


def fixture_cases() -> list[tuple[Path, Path]]:
    cases = []
    for expected in sorted(FIXTURES.glob("*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        for document in sorted(FIXTURES.glob(f"{stem}.*")):
            if not document.name.endswith(".json") and not document.name.endswith(".scan.pdf"):
                cases.append((document, expected))
    return cases


@pytest.mark.parametrize(("document", "expected"), fixture_cases(), ids=lambda p: p.name)
def test_fixture(document: Path, expected: Path) -> None:
    want = json.loads(expected.read_text())
    record = parse_path(document).record
    assert_same(record, want)
    assert record["status"] == "ok", record["errors"]
    failing = {c["id"] for c in record["checks"] if not c["ok"]}
    if document.name.startswith("unbalanced"):
        assert failing == {"T3-BALANCE"}, record["checks"]
    else:
        assert failing == set(), record["checks"]


def test_blank_cells_are_null_not_zero() -> None:
    want = json.loads((FIXTURES / "dept-2021.expected.json").read_text())
    blanks = [(r, c) for r, row in want["applications"].items() for c, v in row.items() if v is None]
    assert blanks, "the fixture is meant to have blank cells"
    for document in FIXTURES.glob("dept-2021.*"):
        if document.suffix in (".html", ".docx", ".pdf", ".txt") and "scan" not in document.name:
            record = parse_path(document).record
            assert all(record["applications"][r][c] is None for r, c in blanks), document.name


@pytest.mark.parametrize("stem", sorted(p.stem for p in EXPECTED_SEEDS.glob("*.json")))
def test_seed_variants(corpus: Path, stem: str, tmp_path: Path) -> None:
    """A real report's text and numbers, printed as a portal's HTML table (merged
    cells), a ruled PDF and a DOCX: each reads back to the same record."""
    from tests.fixtures.from_seed import render_variants

    source = next(corpus.glob(f"**/{stem}.*"))
    seed = parse_path(source).record  # its prose, for rendering; never committed
    want = json.loads((EXPECTED_SEEDS / f"{stem}.json").read_text())
    # Sections 2-4 are tables, printed from the numbers; their extracted text is not prose.
    prose = {k: (v if k in "156" else None) for k, v in seed["sections"].items()}
    for kind, path in render_variants(
        {**seed, **want, "sections": prose}, tmp_path, kinds=("html", "html-gbk", "pdf", "docx")
    ).items():
        record = parse_path(path).record
        assert_same(record, want)
        assert record["status"] == "ok", (kind, record["errors"])


@pytest.mark.ocr
def test_scanned_report_through_ocr() -> None:
    """A scan (image-only PDF, no text layer): the OCR path reads every cell."""
    pytest.importorskip("rapidocr_onnxruntime")
    want = json.loads((FIXTURES / "city-2019.expected.json").read_text())
    result = parse_path(FIXTURES / "city-2019.scan.pdf")
    assert (result.kind, result.extraction) == ("scan", "ocr")
    assert_same(result.record, want)
    assert result.record["status"] == "ok", result.record["errors"]
