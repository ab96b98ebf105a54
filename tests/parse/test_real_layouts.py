"""Real report pages in the layouts real reports come in (issue 9): each folder of
tests/fixtures/real/ holds a real portal page (source.html), the same page laid out as a
Word-like PDF and DOCX by LibreOffice and printed to PDF by Chromium
(tests/fixtures/real/generate.py), and labels read off the page's tables
(expected.json). Every rendering must give every cell, the title and the issuing body
right.

The renderings today's parser gets wrong are listed, with what it gets wrong, in
KNOWN_MISSES: one place, so whoever fixes one removes its line (the xfail is strict: a
listed pair that starts passing fails until its line goes). The score table:

    .venv/bin/python -m tests.parse.test_real_layouts
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest
from nianbao.parse import parse_path

from tests.parse.records import COMPARED

REAL = Path(__file__).parents[1] / "fixtures" / "real"
RENDERINGS = {  # rendering -> file in the report's folder
    "html": "source.html",
    "libreoffice.pdf": "libreoffice.pdf",
    "libreoffice.docx": "libreoffice.docx",
    "chromium.pdf": "chromium.pdf",
}
TABLES = ("active_disclosure", "applications", "review_litigation")
METADATA = tuple(key for key in COMPARED if key not in TABLES)

# (folder, rendering) -> what today's parser gets wrong there. Remove a line when it passes.
KNOWN_MISSES: dict[tuple[str, str], str] = {
    (
        "shanghai-bgt-2019",
        "libreoffice.pdf",
    ): "table 3 wider than the page: LibreOffice leaves its 其他 and 总计 columns out of the PDF",
}


def reports() -> list[str]:
    return sorted(p.parent.name for p in REAL.glob("*/expected.json"))


@cache
def expected(report: str) -> dict:
    return json.loads((REAL / report / "expected.json").read_text(encoding="utf-8"))


@cache
def parsed(report: str, rendering: str) -> dict:
    return parse_path(REAL / report / RENDERINGS[rendering]).record


def _same(got: object, want: object) -> bool:
    if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(got, (int, float)):
        return abs(got - want) < 1e-9
    return got == want


def misses(record: dict, want: dict) -> list[str]:
    """Every metadata field and table cell of ``want`` that ``record`` does not have,
    as 'where: got … want …'."""
    found = []
    for key in METADATA:
        if not _same(record.get(key), want[key]):
            found.append(f"{key}: got {record.get(key)!r}, want {want[key]!r}")
    for table in TABLES:
        got_table = record.get(table) or {}
        for row, cells in want[table].items():
            got_row = got_table.get(row) or {}
            for column, value in cells.items():
                if not _same(got_row.get(column), value):
                    found.append(f"{table}.{row}.{column}: got {got_row.get(column)!r}, want {value!r}")
    return found


def cell_count(want: dict) -> int:
    return sum(len(cells) for table in TABLES for cells in want[table].values())


def cases() -> list:
    params = []
    for report in reports():
        for rendering in RENDERINGS:
            reason = KNOWN_MISSES.get((report, rendering))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(report, rendering, marks=marks, id=f"{report}/{rendering}"))
    return params


@pytest.mark.parametrize(("report", "rendering"), cases())
def test_real_layout(report: str, rendering: str) -> None:
    path = REAL / report / RENDERINGS[rendering]
    if not path.is_file():
        pytest.fail(f"{path} is missing: run .venv/bin/python -m tests.fixtures.real.generate {report}")
    wrong = misses(parsed(report, rendering), expected(report))
    total = cell_count(expected(report)) + len(METADATA)
    assert not wrong, f"{len(wrong)} of {total} wrong:\n" + "\n".join(wrong)


def test_known_misses_name_real_cases() -> None:
    """A stale KNOWN_MISSES key (a renamed folder) would silently stop counting."""
    every = {(report, rendering) for report in reports() for rendering in RENDERINGS}
    assert set(KNOWN_MISSES) <= every, sorted(set(KNOWN_MISSES) - every)


def test_labels_cover_the_form() -> None:
    """Each label file has every cell of its template's tables: a label left out would
    be a cell nobody checks."""
    from nianbao.parse import form

    for report in reports():
        want = expected(report)
        template = want["template"]
        assert set(want["applications"]) == {row.key for row in form.table3_rows(template)}, report
        for cells in want["applications"].values():
            assert set(cells) == {column.key for column in form.TABLE3_COLUMNS}, report
        assert set(want["active_disclosure"]) == {row.key for row in form.TABLE2[template]}, report
        for row in form.TABLE2[template]:
            assert set(want["active_disclosure"][row.key]) == {f.key for f in row.fields}, report
        assert set(want["review_litigation"]) == {g.key for g in form.TABLE4_GROUPS}, report


def score_table() -> str:
    """Cells right / cells total per rendering, and the metadata fields right, over every
    report: the table the lead reads."""
    lines = [f"{'rendering':<18}{'cells right':>14}{'metadata right':>17}{'reports all right':>20}"]
    for rendering in RENDERINGS:
        cells = cells_total = meta = meta_total = perfect = 0
        for report in reports():
            want = expected(report)
            wrong = misses(parsed(report, rendering), want)
            wrong_meta = sum(1 for w in wrong if w.split(":", 1)[0] in METADATA)
            cells_total += cell_count(want)
            cells += cell_count(want) - (len(wrong) - wrong_meta)
            meta_total += len(METADATA)
            meta += len(METADATA) - wrong_meta
            perfect += not wrong
        lines.append(
            f"{rendering:<18}{f'{cells}/{cells_total}':>14}{f'{meta}/{meta_total}':>17}"
            f"{f'{perfect}/{len(reports())}':>20}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the score table; with --misses, every wrong cell of every rendering too."""
    print(score_table())
    if "--misses" in argv:
        for report in reports():
            for rendering in RENDERINGS:
                wrong = misses(parsed(report, rendering), expected(report))
                if wrong:
                    print(f"\n{report}/{rendering}: {len(wrong)} wrong")
                    print("\n".join(f"  {w}" for w in wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
