"""The document's text is made of the record's prose lines, so each section is a slice of
it: the database stores a section as its span of the text, the text once."""

from __future__ import annotations

from pathlib import Path

import pytest
from nianbao.parse import parse_path

FIXTURES = Path(__file__).parents[1] / "fixtures"
# Text, HTML, DOCX and the Word-like PDFs (scans left out: OCR is slow, and OCR lines
# are prose lines like any other).
DOCUMENTS = sorted(
    [
        *(p for p in (FIXTURES / "reports").iterdir() if p.suffix in (".txt", ".html", ".docx")),
        *(FIXTURES / "real").glob("*/source.html"),
        *(FIXTURES / "real").glob("*/libreoffice.pdf"),
    ]
)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_section_is_a_slice_of_the_text_in_order(path: Path) -> None:
    result = parse_path(path)
    at = 0
    for number, section in result.record["sections"].items():
        if section is None:
            continue
        found = result.text.find(section, at)
        assert found >= 0, number
        at = found + len(section)


def test_the_text_keeps_table_rows_as_cells() -> None:
    result = parse_path(FIXTURES / "reports" / "dept-2021.html")
    assert any("\t" in line for line in result.text.splitlines())
