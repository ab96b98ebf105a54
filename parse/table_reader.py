"""Reading a printed table as a sequence of labelled rows.

The form fixes the order of the rows, so a table is read by finding each row's
label, in order, in the text of the region, and taking the values that stand
between that label and the next. Labels are matched on text alone (numbers taken
out), so a label wrapped over lines, or with a number line printed inside it, still
matches; a label whose words are interleaved with others (a merged cell's text
printed beside it) is found by its printed label, tolerantly, between its
neighbours. Values are counted; where the count leaves the reading open (a number
split over two lines, merged cells exported as empty ones) every plausible reading
is kept, bounded, for the form's arithmetic to choose from (``parse.tables``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations, islice

from nianbao.parse.text import BLANK, NULL, NUMBER, TEXT, Token, compact

Values = list[int | float | None]

MAX_READINGS = 24  # alternatives kept per row: hostile input cannot multiply them
MAX_JOINS = 3  # numbers split over lines, per row: more is not a wrapped cell
_MAX_JOIN_TRIALS = 4000  # combinations of joins looked at, per row
_TOLERANT_MIN = 6  # a label shorter than this is too short to be matched loosely
_TOLERANT_REACH = 400  # characters of text searched for a loosely matched label
_TOLERANT_SHARE = 0.7  # of the label's characters, net of stray ones, that must align
_STRAY_COST = 0.5  # a character of other text inside the label (an interleaved cell)
_ENUMERATORS = re.compile(r"^(?:[一二三四五六七八九十]+、|\(\w{1,2}\)|\d{1,2}\.)+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class RowSpec:
    key: str
    match: str
    width: int
    label: str = ""  # as printed: matched tolerantly when ``match`` finds nothing


@dataclass(frozen=True)
class Alternative:
    """One way to read a row's printed values; ``note`` says how it differs from
    reading them as printed ("" when it does not)."""

    values: Values
    note: str = ""
    dropped: int = 0  # printed values this reading leaves out


@dataclass
class TableRead:
    rows: dict[str, Values | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Rows that can be read more than one way; the first is the one in ``rows``.
    alternatives: dict[str, list[Alternative]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how the text was read where it was not plain
    # For each row found, the text printed between the previous row's label and its
    # own: a block's column headers stand there, before its first row.
    preceding: dict[str, str] = field(default_factory=dict)

    @property
    def cells_read(self) -> int:
        return sum(len(v) for v in self.rows.values() if v is not None)

    @property
    def complete(self) -> bool:
        return bool(self.rows) and all(v is not None for v in self.rows.values())


def read_rows(tokens: list[Token], specs: list[RowSpec], *, table: str) -> TableRead:
    text, owner = _text_index(tokens)
    read = TableRead()
    starts: list[tuple[int, int] | None] = []  # per spec: (text start, text end)
    cursor = 0
    for spec in specs:
        match = re.compile(spec.match).search(text, cursor)
        starts.append(None if match is None else match.span())
        if match is not None:
            cursor = match.end()
    for i, spec in enumerate(specs):
        if starts[i] is None and len(core := label_core(spec.label)) >= _TOLERANT_MIN:
            low = next((s[1] for s in reversed(starts[:i]) if s is not None), 0)
            high = next((s[0] for s in starts[i + 1 :] if s is not None), len(text))
            starts[i] = _tolerant_find(text, low, high, core)
            if starts[i] is not None:
                printed = text[starts[i][0] : starts[i][1]]
                read.notes.append(f"{table} row {spec.key}: label matched loosely in {printed!r}")

    previous_end = 0
    for spec, start in zip(specs, starts, strict=True):
        if start is not None:
            read.preceding[spec.key] = text[previous_end : start[0]]
            previous_end = start[1]
    firsts = [None if s is None else owner[s[0]] for s in starts]  # each row's first token
    for i, (spec, first) in enumerate(zip(specs, firsts, strict=True)):
        if first is None:
            read.rows[spec.key] = None
            read.errors.append(f"{table}: row {spec.key} not found")
            continue
        end = next((f for f in firsts[i + 1 :] if f is not None), len(tokens))
        span = tokens[first:end]
        alternatives = row_readings(span, spec.width)
        if not alternatives:
            count = sum(1 for t in span if t.kind in (NUMBER, NULL))
            read.rows[spec.key] = None
            read.errors.append(f"{table}: row {spec.key} has {count} values, expected {spec.width}")
            continue
        read.rows[spec.key] = alternatives[0].values
        if len(alternatives) > 1:
            read.alternatives[spec.key] = alternatives
        elif alternatives[0].note:
            read.notes.append(f"{table} row {spec.key}: {alternatives[0].note}")
    return read


def read_values(tokens: list[Token], count: int, *, table: str) -> TableRead:
    """A table printed as a run of values after its header (table 4: 15 numbers)."""
    read = TableRead()
    alternatives = row_readings(tokens, count)
    values = [t for t in tokens if t.kind in (NUMBER, NULL)]
    if not alternatives:
        read.rows[table] = None
        read.errors.append(f"{table}: {len(values)} values, expected {count}")
        return read
    read.rows[table] = alternatives[0].values
    if len(alternatives) > 1:
        read.alternatives[table] = alternatives
    elif alternatives[0].note:
        read.notes.append(f"{table}: {alternatives[0].note}")
    return read


def row_readings(span: list[Token], width: int) -> list[Alternative]:
    """The ways to read a row's values, the plain one first: the numbers and printed
    blanks when there are exactly enough; else the cells of its line of cells (empty
    cells at the edges taken as layout, in each way that leaves the row as wide as the
    form); with too many numbers, the first ones (a note printed under the table) and
    the numbers split over a line break joined back (``1`` / ``62`` read as 162)."""
    values = [t for t in span if t.kind in (NUMBER, NULL)]
    if len(values) == width:
        return [Alternative([t.value for t in values])]
    readings = _cell_readings(span, width)
    if len(values) > width:
        first = Alternative(
            [t.value for t in values[:width]],
            f"took the first {width} of {len(values)} values",
            dropped=len(values) - width,
        )
        readings = [first] if not readings else readings + [first]
        readings += _joined_readings(span, values, width)
    return readings[:MAX_READINGS]


def _cell_readings(span: list[Token], width: int) -> list[Alternative]:
    """The cells after the last label text on the row's fullest line. Extra empty cells
    at the edges are layout (merged cells exported as empties): the plain reading drops
    the leading ones first; the others drop fewer of them and more trailing ones."""
    lines: dict[int, list[Token]] = {}
    for token in span:
        lines.setdefault(token.line, []).append(token)
    if not lines:
        return []
    line = max(lines.values(), key=lambda ts: sum(t.kind in (NUMBER, NULL) for t in ts))
    last_text = max((i for i, t in enumerate(line) if t.kind == TEXT), default=-1)
    cells = line[last_text + 1 :]
    if any(t.kind == TEXT for t in cells):
        return []
    if not any(t.kind == NUMBER for t in cells):
        # A row printed with every cell blank: its line of cells says so. Plain text
        # has no cells, so there a row without values stays unread.
        if len(cells) >= width and all(t.kind in (BLANK, NULL) for t in cells):
            return [Alternative([None] * width)]
        return []
    leading = next((i for i, t in enumerate(cells) if t.kind != BLANK), len(cells))
    trailing = next((i for i, t in enumerate(reversed(cells)) if t.kind != BLANK), len(cells))
    extra = len(cells) - width
    if extra < 0 or extra > leading + trailing:
        return []
    elsewhere = sum(t.kind in (NUMBER, NULL) for t in span) - sum(t.kind in (NUMBER, NULL) for t in cells)
    readings = []
    for head in range(min(leading, extra), max(0, extra - trailing) - 1, -1):
        kept = cells[head : len(cells) - (extra - head)]
        note = (
            ""
            if not readings
            else f"merged cells: {head} empty cell(s) before the values, {extra - head} after"
        )
        readings.append(Alternative([t.value for t in kept], note, dropped=elsewhere))
    return readings


def _joined_readings(span: list[Token], values: list[Token], width: int) -> list[Alternative]:
    """Readings that join numbers split over a line break: a wrapped cell prints the
    rest of its number on the next line, under it, either alone (``1`` / ``62``) or
    on a line of such rests. A rest is joined to a number of the line above, in order,
    digits only, the first part not a lone 0 (162 is never printed 0 / 162); the
    joins that follow the line break directly are tried first. At most ``extra`` joins
    (the surplus of numbers), and the search is cut off, so hostile text costs little."""
    extra = len(values) - width
    if extra > MAX_JOINS:
        return []
    index = {id(t): i for i, t in enumerate(values)}
    lines: dict[int, list[Token]] = {}
    for token in span:
        if token.kind != BLANK:
            lines.setdefault(token.line, []).append(token)
    order = sorted(lines)
    pairs: list[tuple[int, int]] = []  # (a number's first part, its rest), as indexes in values
    for above, below in zip(order, order[1:], strict=False):
        if any(t.kind == TEXT for t in lines[below]):
            continue  # a line with words is a label, not the rest of a number
        heads = [t for t in lines[above] if t.kind == NUMBER and _joinable(t, head=True)]
        for rest in (t for t in lines[below] if t.kind == NUMBER and _joinable(t, head=False)):
            pairs.extend((index[id(head)], index[id(rest)]) for head in heads)
    # Adjacent joins first: the number ending a line and the one starting the next.
    pairs.sort(key=lambda p: (p[1] - p[0] != 1, p))
    readings = []
    for chosen in islice(combinations(pairs, extra), _MAX_JOIN_TRIALS):
        heads = [h for h, _ in chosen]
        rests = {r for _, r in chosen}
        if len(set(heads) | rests) != 2 * extra or not _in_order(chosen):
            continue
        rest_of = dict(chosen)
        merged: Values = []
        joins: list[str] = []
        for i, token in enumerate(values):
            if i in rest_of:
                rest = values[rest_of[i]].text
                merged.append(int(token.text + rest))
                joins.append(f"{token.text}|{rest}→{token.text}{rest}")
            elif i not in rests:
                merged.append(token.value)
        readings.append(Alternative(merged, "joined " + ", ".join(joins)))
        if len(readings) == MAX_READINGS:
            break
    return readings


def _joinable(token: Token, *, head: bool) -> bool:
    return bool(_DIGITS.fullmatch(token.text)) and not (head and token.text.startswith("0"))


def _in_order(pairs: tuple[tuple[int, int], ...]) -> bool:
    """Rests follow the numbers they complete in the same order."""
    ordered = sorted(pairs, key=lambda p: p[1])
    return all(a[0] < b[0] for a, b in zip(ordered, ordered[1:], strict=False))


def label_core(label: str) -> str:
    """A printed label as the text index holds it: compact, enumerators off."""
    return _ENUMERATORS.sub("", compact(label))


def _tolerant_find(text: str, low: int, high: int, core: str) -> tuple[int, int] | None:
    """Where ``core`` stands in ``text[low:high]`` allowing stray characters inside it
    and a few of its own missing: the best local alignment (matched characters count
    1, stray ones cost ``_STRAY_COST``, missing ones 1), if it is good enough."""
    window = text[low : min(high, low + _TOLERANT_REACH)]
    m = len(core)
    # previous[j]: best (score, start) aligning core[:i] ending at window[:j].
    previous: list[tuple[float, int]] = [(0.0, j) for j in range(len(window) + 1)]
    for i in range(1, m + 1):
        current: list[tuple[float, int]] = [(-float(i), 0)]
        for j in range(1, len(window) + 1):
            options = [
                (previous[j][0] - 1, previous[j][1]),  # core[i-1] missing from the print
                (current[j - 1][0] - _STRAY_COST, current[j - 1][1]),  # a stray character
            ]
            if core[i - 1] == window[j - 1]:
                options.append((previous[j - 1][0] + 1, previous[j - 1][1] if i > 1 else j - 1))
            current.append(max(options, key=lambda o: o[0]))
        previous = current
    end = max(range(len(window) + 1), key=lambda j: previous[j][0])
    score, start = previous[end]
    if score < _TOLERANT_SHARE * m or end <= start:
        return None
    return low + start, low + end


def header_text(tokens: list[Token], first_row: str) -> str:
    """The text printed before the table's first row: its column headers."""
    text, _ = _text_index(tokens)
    match = re.compile(first_row).search(text)
    return text[: match.start()] if match else text


def _text_index(tokens: list[Token]) -> tuple[str, list[int]]:
    """The text tokens glued together, and for each character the token it came from."""
    chars: list[str] = []
    owner: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == TEXT:
            chars.append(token.text)
            owner.extend([index] * len(token.text))
    return "".join(chars), owner
