"""Reading a printed table as a sequence of labelled rows.

The form fixes the order of the rows, so a table is read by finding each row's
label, in order, in the text of the region, and taking the values that stand
between that label and the next. Labels are matched on text alone (numbers taken
out), so a label wrapped over lines, or with a number line printed inside it, still
matches; values are counted, and a row whose count is wrong is reported, not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.parse.text import BLANK, NULL, NUMBER, TEXT, Token


@dataclass(frozen=True)
class RowSpec:
    key: str
    match: str
    width: int


@dataclass
class TableRead:
    rows: dict[str, list[int | float | None] | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def cells_read(self) -> int:
        return sum(len(v) for v in self.rows.values() if v is not None)

    @property
    def complete(self) -> bool:
        return bool(self.rows) and all(v is not None for v in self.rows.values())


def read_rows(tokens: list[Token], specs: list[RowSpec], *, table: str) -> TableRead:
    text, owner = _text_index(tokens)
    starts: list[tuple[RowSpec, int] | None] = []
    cursor = 0
    for spec in specs:
        match = re.compile(spec.match).search(text, cursor)
        if match is None:
            starts.append(None)
            continue
        starts.append((spec, owner[match.start()]))
        cursor = match.end()

    found = [s for s in starts if s is not None]
    read = TableRead()
    for spec, start in zip(specs, starts, strict=True):
        if start is None:
            read.rows[spec.key] = None
            read.errors.append(f"{table}: row {spec.key} not found")
            continue
        position = found.index(start)
        end = found[position + 1][1] if position + 1 < len(found) else len(tokens)
        values = _values(tokens[start[1] : end], spec.width)
        if values is None:
            count = sum(1 for t in tokens[start[1] : end] if t.kind in (NUMBER, NULL))
            read.rows[spec.key] = None
            read.errors.append(f"{table}: row {spec.key} has {count} values, expected {spec.width}")
            continue
        read.rows[spec.key] = values
    return read


def _values(span: list[Token], width: int) -> list[int | float | None] | None:
    """A row's values: the numbers and printed blanks when there are exactly enough;
    else, on a line of cells, the cells after the label, empty ones as blanks."""
    values = [t for t in span if t.kind in (NUMBER, NULL)]
    if len(values) == width:
        return [t.value for t in values]
    by_cells = _cell_values(span, width)
    if by_cells is None and len(values) > width:
        # Numbers printed after the row (a note under the table): the row's come first.
        return [t.value for t in values[:width]]
    return by_cells


def _cell_values(span: list[Token], width: int) -> list[int | float | None] | None:
    """The cells after the last label text on the row's fullest line. Extra empty cells
    at the edges are layout (merged cells exported as empties): dropped, the leading
    ones first, until the row is as wide as the form says."""
    lines: dict[int, list[Token]] = {}
    for token in span:
        lines.setdefault(token.line, []).append(token)
    if not lines:
        return None
    line = max(lines.values(), key=lambda ts: sum(t.kind in (NUMBER, NULL) for t in ts))
    last_text = max((i for i, t in enumerate(line) if t.kind == TEXT), default=-1)
    cells = line[last_text + 1 :]
    if any(t.kind == TEXT for t in cells) or not any(t.kind == NUMBER for t in cells):
        return None
    while len(cells) > width and cells[0].kind == BLANK:
        cells = cells[1:]
    while len(cells) > width and cells[-1].kind == BLANK:
        cells = cells[:-1]
    if len(cells) != width:
        return None
    return [t.value for t in cells]


def read_values(tokens: list[Token], count: int, *, table: str) -> TableRead:
    """A table printed as a run of values after its header (table 4: 15 numbers)."""
    read = TableRead()
    values = [t for t in tokens if t.kind in (NUMBER, NULL)]
    if len(values) >= count:
        if len(values) > count:
            read.errors.append(f"{table}: {len(values)} values, expected {count}; took the first {count}")
        read.rows[table] = [t.value for t in values[:count]]
        return read
    read.rows[table] = _cell_values(tokens, count)
    if read.rows[table] is None:
        read.errors.append(f"{table}: {len(values)} values, expected {count}")
    return read


def _text_index(tokens: list[Token]) -> tuple[str, list[int]]:
    """The text tokens glued together, and for each character the token it came from."""
    chars: list[str] = []
    owner: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == TEXT:
            chars.append(token.text)
            owner.extend([index] * len(token.text))
    return "".join(chars), owner
