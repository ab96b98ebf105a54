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

from parse.text import NULL, NUMBER, TEXT, Token


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
        values = [t for t in tokens[start[1] : end] if t.kind in (NUMBER, NULL)]
        if len(values) < spec.width:
            read.rows[spec.key] = None
            read.errors.append(f"{table}: row {spec.key} has {len(values)} values, expected {spec.width}")
            continue
        if len(values) > spec.width:
            read.errors.append(
                f"{table}: row {spec.key} has {len(values)} values, expected {spec.width}; took the first {spec.width}"
            )
        read.rows[spec.key] = [t.value for t in values[: spec.width]]
    return read


def read_values(tokens: list[Token], count: int, *, table: str) -> TableRead:
    """A table printed as a run of values after its header (table 4: 15 numbers)."""
    values = [t for t in tokens if t.kind in (NUMBER, NULL)]
    read = TableRead()
    if len(values) < count:
        read.rows[table] = None
        read.errors.append(f"{table}: {len(values)} values, expected {count}")
    else:
        if len(values) > count:
            read.errors.append(f"{table}: {len(values)} values, expected {count}; took the first {count}")
        read.rows[table] = [t.value for t in values[:count]]
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
