"""A report as plain text, the way ``pdftotext`` gives a PDF of it: prose wrapped at
a fixed width, headings on their own lines, each table row on one line with its
numbers space-separated, row-group labels on lines of their own, and table 4's
fifteen numbers on a single line."""

from __future__ import annotations

from nianbao.replicas.render.layout import Block, Grid, is_numeric, layout, null_marks, null_text

WRAP = 40  # characters per printed line of an A4 page at 16pt


def render_text(record: dict, *, wrap: int | None = WRAP, nulls: str = "slash") -> bytes:
    """UTF-8 text. ``wrap=None`` keeps each paragraph on one line. Nulls print as "/"
    by default: a blank cell leaves no trace in extracted text."""
    marks = null_marks(record, nulls)
    lines: list[str] = [""]
    for block in layout(record):
        if block.kind == "table":
            assert block.grid is not None
            lines += _table(block.grid, marks)
        else:
            lines += _wrapped(block, wrap)
        lines.append("")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _wrapped(block: Block, wrap: int | None) -> list[str]:
    text = block.text
    if wrap is None or block.kind == "heading" or len(text) <= wrap:
        return [text]
    return [text[i : i + wrap] for i in range(0, len(text), wrap)]


def _table(grid: Grid, marks) -> list[str]:
    out: list[str] = []
    body_start = grid.header_rows
    for r in range(grid.n_rows):
        cells = grid.row(r)
        if r < body_start:
            # Header rows: their words, one line per row as the page prints them.
            out.append(" ".join(c.text for c in cells if c.text))
            continue
        label_parts, numbers = [], []
        for cell in cells:
            if cell.null:
                numbers.append(null_text(marks))
            elif cell.text and (cell.text[0].isdigit() or cell.text[0] == "-") and is_numeric(cell.text):
                numbers.append(cell.text)
            elif cell.rowspan > 1:
                out.append(cell.text)  # a row group's label stands on its own line
            else:
                label_parts.append(cell.text)
        numbers = [n for n in numbers if n != ""]
        out.append(" ".join([*label_parts, *numbers]))
    return out
