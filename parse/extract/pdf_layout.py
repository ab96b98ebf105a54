"""A page with ruled tables as printed lines: text outside the tables as lines, each
table row as its cells, in reading order (top to bottom).

Characters come from pdfium's text page with their boxes; each lands in the table cell
that holds it or, outside every table, in the line pdfium puts it on. A row as the
parser reads it is its cells joined by tabs: a blank cell is an empty string in its
column, and a merged cell stands once, in the row where it begins (as an HTML table's
markup has it).
"""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c
from nianbao.parse.extract.pdf_tables import Table, open_cut_sides, splits_past_the_cut
from nianbao.parse.text import clean_line, is_page_number

SPACE_GAP = 0.25  # of the line's height: a wider gap between two characters is a space
_NUMBER = re.compile(r"^[+\-]?[\d,.]+$")
# A label that begins a row of the form ("6.", "（四）", "三、"): never the rest of a label.
_ENUMERATED = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．])")

_PRINTED = re.compile(r"[^\r\n]+")  # a line as pdfium breaks the page's text
_SPACES = frozenset(" \t\u3000\xa0\ufffe")
Char = tuple[float, float, float, float, str]  # left, right, bottom, top, the character(s)


@dataclass
class Line:
    top: float
    text: str


@dataclass
class Row:
    """A table row: its top, and its cells that begin in it as (left, right, text)."""

    top: float
    cells: list[tuple[float, float, str]]
    at_top: bool = False  # the first thing printed on its page
    at_bottom: bool = False  # the last thing printed on its page

    @property
    def text(self) -> str:
        return "\t".join(text for _, _, text in self.cells)


def laid_out(textpage: pdfium_c.FPDF_TEXTPAGE, tables: list[Table]) -> list[Line | Row]:
    """The page's lines and table rows, top to bottom."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    text = _page_text(textpage, count)
    # Loose boxes (the glyph's advance by the font's height), not tight ones: the gap
    # between two tight "1"s looks like a space, and a "." has almost no height.
    box = pdfium_c.FS_RECTF()
    box_pointer = ctypes.byref(box)
    char_box = pdfium_c.FPDFText_GetLooseCharBox
    in_cells: list[list[list[Char]]] = [[[] for _ in t.cells] for t in tables]
    items: list[Line | Row] = []
    beside: list[tuple[float, float]] = []  # text outside the tables, in their rows

    def centre(index: int) -> tuple[float, float]:
        char_box(textpage, index, box_pointer)
        return (box.left + box.right) / 2, (box.bottom + box.top) / 2

    # pdfium's lines, as it breaks the text: most lie wholly above, below or between
    # the tables, and are taken whole from their first and last characters' places.
    for match in _PRINTED.finditer(text):
        printed = match.group()
        if printed.isspace():
            continue
        # The places of its first and last characters that are not spaces: pdfium
        # puts the spaces it adds at no place at all.
        start = match.start() + len(printed) - len(printed.lstrip())
        end = match.end() - (len(printed) - len(printed.rstrip()))
        _, first_y = centre(start)
        _, last_y = centre(end - 1)
        near = [
            (number, table)
            for number, table in enumerate(tables)
            if min(first_y, last_y) <= table.ys[0] and max(first_y, last_y) >= table.ys[-1]
        ]
        if not near:
            _add_line(items, printed, box.top)
            continue
        line: list[str] = []
        line_top: float | None = None
        index = start
        while index < end:
            char = text[index]
            if char in _SPACES:
                if line:
                    line.append(" ")
                index += 1
                continue
            run_end = index + 1
            while run_end < end and text[run_end] not in _SPACES:
                run_end += 1
            if run_end - index > 1:
                # A word: when its first and last characters are in one cell, so is
                # all of it, and it goes there whole (two boxes asked, not one a character).
                char_box(textpage, index, box_pointer)
                x0, y0, y1 = box.left, box.bottom, box.top
                first_x, first_y = (x0 + box.right) / 2, (y0 + y1) / 2
                char_box(textpage, run_end - 1, box_pointer)
                x1 = box.right
                last_x, last_y = (box.left + x1) / 2, (box.bottom + box.top) / 2
                placed = False
                for number, table in near:
                    if table.contains(first_x, first_y) and table.contains(last_x, last_y):
                        cell = table.cell_index(first_x, first_y)
                        if cell == table.cell_index(last_x, last_y):
                            in_cells[number][cell].append((x0, x1, y0, y1, text[index:run_end]))
                            placed = True
                        break
                if placed:
                    if line:
                        # Text on either side of a table is not one line.
                        _add_line(items, "".join(line), line_top)
                        line, line_top = [], None
                    index = run_end
                    continue
            for index in range(index, run_end):  # noqa: B020 - one character at a time
                char = text[index]
                char_box(textpage, index, box_pointer)
                x0, x1, y0, y1 = box.left, box.right, box.bottom, box.top
                x, y = (x0 + x1) / 2, (y0 + y1) / 2
                for number, table in near:
                    if table.contains(x, y):
                        in_cells[number][table.cell_index(x, y)].append((x0, x1, y0, y1, char))
                        if line:
                            _add_line(items, "".join(line), line_top)
                            line, line_top = [], None
                        break
                else:
                    line.append(char)
                    if line_top is None:
                        line_top = y1
                    beside.append((x, y))
            index = run_end
        if line:
            _add_line(items, "".join(line), line_top)
    if beside and open_cut_sides(tables, beside):
        return laid_out(textpage, tables)
    for table, cells in zip(tables, in_cells, strict=True):
        items.extend(table_rows(table, cells))
    return in_reading_order(items)


def in_reading_order(items: list[Line | Row]) -> list[Line | Row]:
    """A page's lines and rows top to bottom, its first and last rows marked as such
    (a row a page break may have broken: see continues_row)."""
    items.sort(key=lambda item: -item.top)
    if items and isinstance(items[0], Row):
        items[0].at_top = True
    if items and isinstance(items[-1], Row):
        items[-1].at_bottom = True
    return items


def _add_line(items: list[Line | Row], text: str, top: float | None) -> None:
    text = text.strip()
    if text and top is not None and not is_page_number(text):
        items.append(Line(top, text))


def continues_row(last: Line | Row, first: Line | Row) -> bool:
    """Whether ``first`` (the first row on a page) is the rest of ``last`` (the last row
    on the page before), broken by the page break as Word and LibreOffice let a row
    break: only label text goes on, in cells whose label began above; no value does,
    and no new enumerated label begins."""
    if not (isinstance(last, Row) and isinstance(first, Row) and last.at_bottom and first.at_top):
        return False
    went_on = [cell for cell in first.cells if cell[2]]
    if not went_on:
        return False
    for left, right, text in went_on:
        if _NUMBER.match(text) or _ENUMERATED.match(text):
            return False
        above = _overlapping(last.cells, left, right)
        if above is None or not above[2] or _NUMBER.match(above[2]):
            return False
    return True


def join_rows(last: Row, first: Row) -> Row:
    """``last`` with the text of ``first`` appended to the cells above it."""
    cells = list(last.cells)
    for left, right, text in first.cells:
        if text:
            above = _overlapping(cells, left, right)
            at = cells.index(above)
            cells[at] = (above[0], above[1], clean_line(above[2] + text))
    return Row(last.top, cells, last.at_top, first.at_bottom)


def _overlapping(
    cells: list[tuple[float, float, str]], left: float, right: float
) -> tuple[float, float, str] | None:
    best, best_overlap = None, 0.0
    for cell in cells:
        overlap = min(cell[1], right) - max(cell[0], left)
        if overlap > best_overlap:
            best, best_overlap = cell, overlap
    return best


def _page_text(textpage: pdfium_c.FPDF_TEXTPAGE, count: int) -> str:
    """The page's characters, one per character index, in one call."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = pdfium_c.FPDFText_GetText(
        textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != count:
        # Characters outside the BMP take two UTF-16 units: ask one by one instead.
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    return text


def table_rows(table: Table, cells: list[list[Char]]) -> list[Row]:
    """Each row of the grid with the cells that begin in it, left to right; a row with
    no text at all is left out, as the HTML reading leaves it. ``cells`` holds each
    cell's characters in the page's text order (the OFD reading builds its rows here too)."""
    last = len(table.xs) - 2
    splits = {
        column: splits_past_the_cut(
            [
                (char[0], char[1])
                for cell, chars in zip(table.cells, cells, strict=True)
                if cell.left == cell.right == column
                for char in chars
            ]
        )
        for column, edge in ((0, table.xs[0]), (last, table.xs[-1]))
        if math.isinf(edge)
    }
    rows: dict[int, list[tuple[float, float, str]]] = {}
    for cell, chars in zip(table.cells, cells, strict=True):
        left, right = table.xs[cell.left], table.xs[cell.right + 1]
        row = rows.setdefault(cell.top, [])
        cuts = splits.get(cell.left) if cell.left == cell.right else None
        if not cuts:
            row.append((left, right, _cell_text(chars)))
            continue
        # A column past a cut edge that holds several printed columns: one cell each.
        edges = [left, *cuts, right]
        for a, b in zip(edges, edges[1:], strict=False):
            row.append((a, b, _cell_text([c for c in chars if a <= (c[0] + c[1]) / 2 < b])))
    return [Row(table.ys[row], texts) for row, texts in sorted(rows.items()) if any(t for _, _, t in texts)]


def _cell_text(chars: list[Char]) -> str:
    """A cell's characters as one string: its printed lines, each left to right, joined
    as one (a label wrapped in its cell reads whole)."""
    if not chars:
        return ""
    if len(chars) == 1:
        return clean_line(chars[0][4])
    lines: list[list[Char]] = []
    for char in chars:  # in the page's text order
        if lines:
            last = lines[-1][-1]
            middle = (char[2] + char[3]) / 2
            if last[2] <= middle <= last[3]:
                lines[-1].append(char)
                continue
        lines.append([char])
    pieces = []
    for printed in lines:
        printed.sort(key=lambda c: c[0])
        # The line's tallest character sets the gap a space needs.
        gap = SPACE_GAP * max(c[3] - c[2] for c in printed)
        out, previous = [], None
        for char in printed:
            if previous is not None and char[0] - previous[1] > gap:
                out.append(" ")
            out.append(char[4])
            previous = char
        pieces.append("".join(out))
    return clean_line("".join(pieces))
