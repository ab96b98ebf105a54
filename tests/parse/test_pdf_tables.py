"""The geometric PDF path: ruled tables read by their cells, from pdfium's characters
and the page's drawn borders (tests/fixtures/pdf_tables, written by its generate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nianbao.parse import parse_path
from nianbao.parse.extract import ExtractionError
from nianbao.parse.extract.pdf import extract_pdf_fast, extract_pdf_geometric
from nianbao.parse.extract.pdf_rules import Rule
from nianbao.parse.extract.pdf_tables import find_tables, open_cut_sides, splits_past_the_cut

from tests.fixtures.pdf_tables.generate import STYLES
from tests.parse.records import assert_same

HERE = Path(__file__).resolve().parents[1] / "fixtures"
TABLES = HERE / "pdf_tables"
REAL = HERE / "real"

# The grid of generate.py: the header's first cell spans two columns, blank cells
# stay empty strings in their columns, text around the table in reading order.
GRID = ["Before the table", "Item\tA\tB", "one\tx\t12\t", "two\ty\t\t7", "After the table"]


def lines(name: str) -> list[str]:
    return extract_pdf_geometric((TABLES / name).read_bytes()).lines


@pytest.mark.parametrize("style", STYLES)
def test_borders_drawn_any_way_read_alike(style: str) -> None:
    """Stroked lines (LibreOffice, Word), thin filled rectangles (Chromium), a stroked
    box per cell (WPS), one path of many rectangles, borders inside a form XObject."""
    assert lines(f"grid-{style}.pdf") == GRID


def test_fast_path_loses_the_blank_positions() -> None:
    """Why the geometric path exists: plain text says nothing of which cell was blank."""
    text = extract_pdf_fast((TABLES / "grid-strokes.pdf").read_bytes()).lines
    assert not any("\t" in line for line in text)


def rows_of(found: list[str]) -> dict[str, list[str]]:
    return {line.split("\t")[0]: line.split("\t")[1:] for line in found if line.startswith("第")}


EXPECTED_ROWS = {
    f"第{n}行": ["" if n % 3 == 0 else str(n), "" if n % 2 == 0 else str(10 * n), str(11 * n)]
    for n in range(1, 15)
}


def test_chromium_blank_and_merged_cells_over_two_pages() -> None:
    """Chromium prints borders as filled rectangles; the table runs over a page break
    (between rows): every row read, in order, blanks in their columns."""
    found = lines("chromium.pdf")
    assert found[0] == "表前的文字" and found[-1] == "表后的文字"
    # Merged cells stand once, in the row where they begin, as the HTML markup has them.
    assert found[1:3] == ["项目\t申请人\t总计", "自然人\t法人"]
    assert rows_of(found) == EXPECTED_ROWS
    assert list(rows_of(found)) == list(EXPECTED_ROWS)


def test_libreoffice_blank_cells_and_a_row_broken_by_the_page() -> None:
    """LibreOffice strokes its borders and lets a tall row break across the page: its
    two parts read as one row, the label whole."""
    found = lines("libreoffice.pdf")
    assert found[1:3] == ["项目\t申请人\t总计", "自然人\t法人"]
    assert rows_of(found) == {k: v for k, v in EXPECTED_ROWS.items() if int(k[1:-1]) <= 6}
    long_rows = [line for line in found if line.startswith("很长的一行标签")]
    assert long_rows == ["很长的一行标签" + "".join(f"，第{n}段" for n in range(1, 12)) + "\t5\t\t5"]
    assert found[-1] == "表后的文字"


def test_merged_cells_from_missing_rule_pieces() -> None:
    """A 2x3 grid whose top row has no rule between its last two cells, and whose left
    column has no rule between its two rows: two merged cells."""
    xs, ys = [0.0, 50.0, 100.0, 150.0], [100.0, 80.0, 60.0]
    rules = [Rule(True, y, xs[0], xs[-1]) for y in (100.0, 60.0)]
    rules.append(Rule(True, 80.0, 50.0, 150.0))  # not under the left column
    rules += [Rule(False, x, 60.0, 100.0) for x in (0.0, 50.0, 150.0)]
    rules.append(Rule(False, 100.0, 60.0, 80.0))  # only in the lower row
    (table,) = find_tables(rules)
    assert table.xs == xs and table.ys == ys
    spans = [(c.top, c.left, c.bottom, c.right) for c in table.cells]
    assert spans == [(0, 0, 1, 0), (0, 1, 0, 2), (1, 1, 1, 1), (1, 2, 1, 2)]
    assert table.cells[table.cell_index(120.0, 90.0)] is table.cells[1]


def test_a_frame_is_no_table() -> None:
    """One box around a paragraph has one cell: its text reads as lines."""
    rules = [Rule(True, y, 0.0, 100.0) for y in (0.0, 50.0)] + [
        Rule(False, x, 0.0, 50.0) for x in (0.0, 100.0)
    ]
    assert find_tables(rules) == []


def test_unruled_pdf_reads_as_the_fast_path() -> None:
    data = (HERE / "reports" / "pre2019.pdf").read_bytes()
    assert extract_pdf_geometric(data).lines == extract_pdf_fast(data).lines


def test_kept_pages_serve_the_same_bytes_only() -> None:
    """The fast path leaves a short document loaded for the geometric one: the reading
    is the same with or without it, and another document's bytes are never read from it."""
    grid = (TABLES / "grid-strokes.pdf").read_bytes()
    other = (TABLES / "grid-rectangles.pdf").read_bytes().replace(b"(one)", b"(uno)")
    alone = extract_pdf_geometric(grid).lines
    extract_pdf_fast(grid)
    assert extract_pdf_geometric(grid).lines == alone
    extract_pdf_fast(grid)
    assert extract_pdf_geometric(other).lines[2].startswith("uno\t")


@pytest.mark.parametrize("name", ["fake.pdf", "truncated.pdf", "encrypted.pdf", "empty.pdf"])
def test_broken_pdf_is_a_clear_error(name: str) -> None:
    with pytest.raises(ExtractionError):
        extract_pdf_geometric((HERE / "broken" / name).read_bytes())


def real(name: str) -> list[str]:
    pdf = REAL / "shanghai-bgt-2019" / name
    if not pdf.exists():
        pytest.skip("tests/fixtures/real/shanghai-bgt-2019 is not here")
    return extract_pdf_geometric(pdf.read_bytes()).lines


def test_table_past_the_left_edge() -> None:
    """A real page laid out by LibreOffice whose table 3 runs past the page's left edge
    (tests/fixtures/real): the text beyond the edge stays in its cells."""
    found = real("libreoffice.pdf")
    assert any(line.startswith("一、本年新收政府信息公开申请数量\t821\t35\t") for line in found)
    assert "一、本年新收政府" not in found


def test_table_past_the_right_edge() -> None:
    """The same page printed by Chromium: table 3's borders end before its last column
    (总计), whose text is still there; the columns past the cut part where no text crosses."""
    found = real("chromium.pdf")
    assert "一、本年新收政府信息公开申请数量\t821\t35\t\t\t2\t1\t859" in found
    assert "二、上年结转政府信息公开申请数量\t18\t\t\t\t\t\t18" in found


def test_a_hatch_is_no_table() -> None:
    """Hundreds of crossing lines (a chart's grid, a hatch) make no table of a
    hundred thousand cells: they are left alone, at once."""
    rules = [Rule(True, 5.0 * i, 0.0, 2000.0) for i in range(400)]
    rules += [Rule(False, 5.0 * i, 0.0, 2000.0) for i in range(400)]
    assert find_tables(rules) == []


def test_open_sides_are_edges() -> None:
    """Chromium draws the top border of a table's first row on a new page on the page
    before; some tables have no outer left and right borders. The rules that run on
    past the outermost ones across them close the grid there."""
    rules = [Rule(True, y, 0.0, 150.0) for y in (80.0, 60.0)]  # no rule at the top (100)
    rules += [Rule(False, x, 60.0, 100.0) for x in (20.0, 100.0)]  # none at 0 or 150
    (table,) = find_tables(rules)
    assert table.xs == [0.0, 20.0, 100.0, 150.0] and table.ys == [100.0, 80.0, 60.0]
    assert len(table.cells) == 6


@pytest.mark.parametrize("renderer", ["chromium", "libreoffice"])
def test_report_with_most_cells_blank(renderer: str) -> None:
    """A 2019-form report with most of table 3 blank, printed by Chromium and laid out
    by LibreOffice: the fast path cannot place the blanks, the geometric one reads every
    cell, each blank null in its column."""
    result = parse_path(TABLES / f"blank-2019.{renderer}.pdf")
    expected = json.loads((TABLES / "blank-2019.expected.json").read_text())
    assert result.extraction == "pdf-geometric"
    assert_same(result.record, expected)
    assert result.record["status"] == "ok", result.record["errors"]
    blanks = [v for row in expected["applications"].values() for v in row.values() if v is None]
    assert len(blanks) >= 30


def test_cut_sides_open_and_their_columns_part() -> None:
    """Text in a table's rows past its right side opens that side (text above it does
    not); the text there parts into columns at the gaps no text crosses."""
    rules = [Rule(True, y, 0.0, 100.0) for y in (100.0, 80.0, 60.0)]
    rules += [Rule(False, x, 60.0, 100.0) for x in (0.0, 50.0, 100.0)]
    (table,) = find_tables(rules)
    assert not open_cut_sides([table], [(120.0, 110.0)])  # above the table
    assert open_cut_sides([table], [(120.0, 90.0)])
    assert table.xs[-1] == float("inf") and table.xs[0] == 0.0
    assert splits_past_the_cut([(52.0, 60.0), (61.0, 70.0), (90.0, 99.0), (53.0, 58.0)]) == [80.0]
