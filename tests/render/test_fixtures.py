"""The committed fixtures are what the generator writes today; broken inputs are broken
in the way their manifest says; hostile helpers make what they promise; a seed's
expected record renders into every variant."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from lxml import html as lxml_html

from tests.fixtures import generate
from tests.fixtures.from_seed import VARIANTS, render_variants
from tests.fixtures.hostile import big_file, pdf_bomb

from .tables import html_grid, table3_from_grid

ROOT = Path(__file__).resolve().parents[2]
SEED_EXPECTED = ROOT / "tests" / "parse" / "expected"


def test_committed_reports_match_the_generator(tmp_path: Path) -> None:
    written = generate.write_reports(tmp_path)
    formats, specs = generate.report_specs()
    assert len(written) == len(specs) * (len(formats) + 1)
    stale = [p.name for p in written if (generate.REPORTS / p.name).read_bytes() != p.read_bytes()]
    assert stale == [], "fixtures are stale: run .venv/bin/python -m tests.fixtures.generate"
    committed = {p.name for p in generate.REPORTS.iterdir()}
    assert committed == {p.name for p in written}


def test_committed_broken_inputs_match_the_generator(tmp_path: Path) -> None:
    written = generate.write_broken(tmp_path)
    assert [p.name for p in written if (generate.BROKEN / p.name).read_bytes() != p.read_bytes()] == []


def test_fixtures_stay_small() -> None:
    assert generate.total_size(generate.REPORTS, generate.BROKEN) < generate.SIZE_LIMIT


def test_expected_records_are_the_synthesisers() -> None:
    _, specs = generate.report_specs()
    for spec in specs:
        expected = json.loads(generate.expected_path(generate.REPORTS, spec["name"]).read_text("utf-8"))
        assert expected == generate.record_for(spec)
        assert expected["source"] is None and expected["sha256"] is None
    templates = {s["template"] for s in specs}
    assert templates == {"2021", "2019", "pre2019"}
    assert any(s.get("balanced") is False for s in specs)


def test_broken_inputs_are_broken() -> None:
    broken = generate.BROKEN
    manifest = json.loads((broken / "manifest.json").read_text("utf-8"))
    assert set(manifest) == {p.name for p in broken.iterdir()} - {"manifest.json"}
    assert (broken / "empty.pdf").stat().st_size == 0
    for name in ("empty.pdf", "garbage.bin", "fake.pdf", "encrypted.pdf"):
        with pytest.raises(pdfium.PdfiumError):
            pdfium.PdfDocument((broken / name).read_bytes())
    truncated = (broken / "truncated.pdf").read_bytes()
    assert truncated.startswith(b"%PDF") and b"%%EOF" not in truncated
    page = lxml_html.document_fromstring((broken / "no-report.html").read_bytes().decode("utf-8"))
    text = page.text_content()
    assert page.find_class("TRS_Editor") and "<table" not in (broken / "no-report.html").read_text("utf-8")
    assert "收到和处理政府信息公开申请" not in text and "年度报告" not in text


def test_big_file_has_its_size(tmp_path: Path) -> None:
    path = big_file(tmp_path / "big.pdf", 5 * 1024 * 1024 + 3)
    assert path.stat().st_size == 5 * 1024 * 1024 + 3
    assert path.read_bytes()[:5] == b"%PDF-"


def test_pdf_bombs_are_small_valid_pdfs_that_claim_a_lot() -> None:
    flate = pdf_bomb("flate", inflated=64 << 20)
    assert len(flate) < 200_000 and b"/FlateDecode" in flate
    document = pdfium.PdfDocument(flate)
    assert len(document) == 1
    pages = pdf_bomb("pages")
    assert len(pages) < 5000 and len(pdfium.PdfDocument(pages)) == 10**6
    huge = pdfium.PdfDocument(pdf_bomb("mediabox"))
    assert huge[0].get_size() == (14400.0, 14400.0)
    with pytest.raises(ValueError, match="unknown bomb"):
        pdf_bomb("zip")


def _seed_records() -> list[Path]:
    if not SEED_EXPECTED.is_dir() or not any(SEED_EXPECTED.glob("*.json")):
        pytest.skip("no expected seed records (tests/parse/expected) here")
    return sorted(SEED_EXPECTED.glob("*.json"))


def test_seed_record_renders_into_every_variant(tmp_path: Path) -> None:
    path = _seed_records()[0]
    record = json.loads(path.read_text("utf-8"))
    written = render_variants(record, tmp_path)
    assert set(written) == set(VARIANTS) and all(p.stat().st_size > 0 for p in written.values())
    if record.get("applications"):
        page = lxml_html.document_fromstring(written["html"].read_bytes().decode("utf-8"))
        t3 = page.find_class("TRS_Editor")[0].findall(".//table")[1]
        assert table3_from_grid(html_grid(t3), record["template"]) == record["applications"]
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(written["pdf"].read_bytes()))
    assert record["title"] in text.replace("\r\n", "")
    with pytest.raises(ValueError, match="unknown variant"):
        render_variants(record, tmp_path, kinds=("rtf",))
