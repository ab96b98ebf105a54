"""Reading rendered tables back, for the render tests: an HTML or DOCX table expanded
into its full grid (a merged cell's text in every position it covers)."""

from __future__ import annotations

from lxml import html as lxml_html
from nianbao.parse.form import TABLE3_COLUMNS, table3_rows


def html_grid(table: lxml_html.HtmlElement) -> list[list[str]]:
    grid: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr.iter("td", "th"):
            while (r, c) in grid:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text = td.text_content().replace("\xa0", "").strip()
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text
            c += cs
    rows = 1 + max(r for r, _ in grid)
    cols = 1 + max(c for _, c in grid)
    return [[grid.get((r, c), "") for c in range(cols)] for r in range(rows)]


def cell_value(text: str) -> int | float | None:
    if text in ("", "/"):
        return None
    return float(text) if "." in text else int(text)


def table3_from_grid(grid: list[list[str]], template: str) -> dict:
    """The record's applications table from table 3's expanded grid (3 header rows,
    3 label columns, 7 number columns)."""
    body = grid[3:]
    rows = table3_rows(template)
    assert len(body) == len(rows)
    return {
        row.key: {c.key: cell_value(line[3 + i]) for i, c in enumerate(TABLE3_COLUMNS)}
        for row, line in zip(rows, body, strict=True)
    }
