"""Tables 2, 3 and 4: the form's rows read from a region's tokens into the record's shape.

Columns are read by the headers printed above them: a column the body left out is
null, a subtotal column the body added is read, checked and dropped. Where the text
can be read more than one way (``parse.table_reader``), the form's arithmetic picks:
each row's readings by its own sum first, then the rows together by the column sums,
exhaustively while the combinations are few, else one row at a time. Ties keep the
plain reading, so a report that does not add up as printed keeps its printed numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product

from nianbao.parse.checks import t3_column_mismatches, t3_row_mismatches, t4_mismatches
from nianbao.parse.form import (
    TABLE2,
    TABLE3_COLUMNS,
    TABLE3_LEGAL_PERSONS,
    TABLE3_SUBTOTAL,
    TABLE3_SUBTOTAL_PLACES,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    Field,
    Table2Row,
    table3_rows,
)
from nianbao.parse.table_reader import (
    Alternative,
    RowSpec,
    TableRead,
    Values,
    header_text,
    read_rows,
    read_values,
)
from nianbao.parse.text import Token

Table = dict[str, dict[str, int | float | None]]

MAX_COMBINATIONS = 256  # readings of several rows tried together; beyond, one row at a time
_PASSES = 4  # over the rows one at a time, until no row's choice changes


@dataclass
class Choice:
    """What the arithmetic chose where the text was ambiguous: by check id, the
    readings it decided ("table 3 row granted: joined 1|62→162")."""

    by_check: dict[str, list[str]] = field(default_factory=dict)

    def add(self, check_id: str, note: str) -> None:
        self.by_check.setdefault(check_id, []).append(note)


# --- table 2 -------------------------------------------------------------------------


def read_table2(tokens: list[Token], template: str) -> tuple[Table, TableRead]:
    rows = TABLE2[template]
    specs = [RowSpec(r.key, r.match, len(r.fields), r.label) for r in rows]
    read = read_rows(tokens, specs, table="table 2")
    # Columns are left out by the headers only where the row's values say so too: a
    # header garbled in the text must not cost a row that reads whole.
    by_header = _printed_fields(rows, read.preceding)
    printed = {r.key: by_header[r.key] if read.rows[r.key] is None else r.fields for r in rows}
    if any(len(printed[r.key]) != len(r.fields) for r in rows):
        specs = [RowSpec(r.key, r.match, len(printed[r.key]), r.label) for r in rows]
        read = read_rows(tokens, specs, table="table 2")
    table: Table = {}
    for row in rows:
        values = dict(zip(printed[row.key], read.rows[row.key] or [], strict=False))
        table[row.key] = {f.key: _as_field(f, values.get(f)) for f in row.fields}
    absent = [f"{f.label} ({row.key})" for row in rows for f in row.fields if f not in printed[row.key]]
    if absent:
        read.errors.append(f"table 2: column(s) not printed, read as null: {', '.join(absent)}")
    return table, read


def _printed_fields(rows: tuple[Table2Row, ...], preceding: dict[str, str]) -> dict[str, tuple[Field, ...]]:
    """Each row's printed columns, by the headers printed before its block's first row:
    a row under the same columns as the one before it shares its headers; a block whose
    headers name none of its columns (headers lost in the text) has all of them."""
    printed: dict[str, tuple[Field, ...]] = {}
    previous: Table2Row | None = None
    for row in rows:
        header = preceding.get(row.key, "")
        named = tuple(f for f in row.fields if re.search(f.header, header))
        if named:
            printed[row.key] = named
        elif previous is not None and previous.fields == row.fields:
            printed[row.key] = printed[previous.key]
        else:
            printed[row.key] = row.fields
        previous = row
    return printed


def _as_field(f: Field, value: int | float | None) -> int | float | None:
    return value if value is None or f.decimal else int(value)


# --- table 3 -------------------------------------------------------------------------


def read_table3(tokens: list[Token], template: str) -> tuple[Table, TableRead, Choice]:
    rows = table3_rows(template)
    header = header_text(tokens, rows[0].match)
    subtotal = re.search(TABLE3_SUBTOTAL.header, header)
    width = len(TABLE3_COLUMNS) + bool(subtotal)
    read = read_rows(tokens, [RowSpec(r.key, r.match, width, r.label) for r in rows], table="table 3")
    choice = Choice()
    if subtotal:
        first_legal = re.search(TABLE3_LEGAL_PERSONS[0].header, header)
        before = first_legal is not None and subtotal.start() < first_legal.start()
        _drop_subtotal(read, TABLE3_SUBTOTAL_PLACES[::-1] if before else TABLE3_SUBTOTAL_PLACES)

    def row_score(values: Values) -> int:
        return t3_row_mismatches(_t3_row(values))

    def table_score(chosen: dict[str, Values | None]) -> int:
        return t3_column_mismatches(_t3_table(rows, chosen), template)

    choose(
        read,
        "table 3",
        row_score,
        table_score,
        choice,
        row_check="T3-ROW-SUM",
        table_checks=_T3_COLUMN_CHECKS,
    )
    return _t3_table(rows, read.rows), read, choice


_T3_COLUMN_CHECKS = ("T3-BALANCE", "T3-RESULTS-SUM")


def _t3_row(values: Values | None) -> dict[str, int | None]:
    values = values or [None] * len(TABLE3_COLUMNS)
    return {c.key: _int(v) for c, v in zip(TABLE3_COLUMNS, values, strict=True)}


def _t3_table(rows: tuple, chosen: dict[str, Values | None]) -> Table:
    return {row.key: _t3_row(chosen[row.key]) for row in rows}


def _drop_subtotal(read: TableRead, places: tuple[int, ...]) -> None:
    """Eight printed columns: the 法人或其他组织 小计 is the one, of its possible
    places, that equals the sum of the legal-person columns in most rows; dropped from
    every reading, and the rows where it does not add up said in the errors."""
    readings = {k: read.alternatives.get(k, [Alternative(v)]) for k, v in read.rows.items() if v is not None}

    legal = [TABLE3_COLUMNS.index(c) for c in TABLE3_LEGAL_PERSONS]

    def holds(values: Values, place: int) -> bool:
        rest = values[:place] + values[place + 1 :]
        return _n(values[place]) == sum(_n(rest[i]) for i in legal)

    def support(place: int) -> int:
        return sum(any(holds(a.values, place) for a in alts) for alts in readings.values())

    place = max(places, key=support)  # ties: the first place, as the header orders them
    mismatched = [k for k, alts in readings.items() if not holds(alts[0].values, place)]
    for key, alts in readings.items():
        # Readings whose subtotal holds come first: they are the likelier ones.
        ordered = sorted(alts, key=lambda a: not holds(a.values, place))
        dropped = [Alternative(a.values[:place] + a.values[place + 1 :], a.note) for a in ordered]
        read.rows[key] = dropped[0].values
        if len(dropped) > 1:
            read.alternatives[key] = dropped
    read.notes.append(
        f"table 3: the {TABLE3_SUBTOTAL.label} column (column {place + 1} of 8) read and dropped"
    )
    if mismatched:
        read.errors.append(
            f"table 3: {TABLE3_SUBTOTAL.label} is not the sum of the legal-person columns"
            f" in row(s) {', '.join(mismatched)}"
        )


# --- table 4 -------------------------------------------------------------------------


def read_table4(tokens: list[Token]) -> tuple[Table, TableRead, Choice]:
    width = len(TABLE4_RESULTS)
    read = read_values(tokens, width * len(TABLE4_GROUPS), table="table 4")
    choice = Choice()
    score = lambda values: t4_mismatches(_t4_table(values))  # noqa: E731
    choose(read, "table 4", score, None, choice, row_check="T4-GROUP-SUM")
    return _t4_table(read.rows["table 4"]), read, choice


def _t4_table(values: Values | None) -> Table:
    width = len(TABLE4_RESULTS)
    values = values or [None] * width * len(TABLE4_GROUPS)
    table: Table = {}
    for g, group in enumerate(TABLE4_GROUPS):
        chunk = values[g * width : (g + 1) * width]
        table[group.key] = {r.key: _int(v) for r, v in zip(TABLE4_RESULTS, chunk, strict=True)}
    return table


# --- choosing between readings ------------------------------------------------------------


def choose(
    read: TableRead,
    table: str,
    row_score: Callable[[Values], int],
    table_score: Callable[[dict[str, Values | None]], int] | None,
    choice: Choice,
    *,
    row_check: str,
    table_checks: tuple[str, ...] = (),
) -> None:
    """Set each ambiguous row of ``read`` to the reading the arithmetic prefers, and
    say in ``choice`` (and ``read.notes``) which reading won where it is not the plain one."""
    options: dict[str, list[Alternative]] = {}
    for key, alternatives in read.alternatives.items():
        # A reading that accounts for every printed value beats one that leaves some
        # out, where the row's own sum cannot tell them apart.
        scores = [(row_score(a.values), a.dropped) for a in alternatives]
        options[key] = [a for a, s in zip(alternatives, scores, strict=True) if s == min(scores)]
    open_rows = [k for k, opts in options.items() if len(opts) > 1] if table_score else []
    chosen = {k: opts[0] for k, opts in options.items()}
    if open_rows and table_score is not None:
        chosen.update(_by_table(read, options, open_rows, table_score))
    for key, alternative in chosen.items():
        read.rows[key] = alternative.values
        if not alternative.note:
            continue
        note = f"{key if key == table else f'{table} row {key}'}: {alternative.note}"
        read.notes.append(note)
        decided = (row_check,) if key not in open_rows else (row_check, *table_checks)
        if alternative is not read.alternatives[key][0]:
            for check_id in decided:
                choice.add(check_id, note)


def _by_table(
    read: TableRead,
    options: dict[str, list[Alternative]],
    open_rows: list[str],
    table_score: Callable[[dict[str, Values | None]], int],
) -> dict[str, Alternative]:
    """The open rows' readings that leave the fewest column sums failing: every
    combination while they are few, else one row at a time (the others kept)."""
    trial = dict(read.rows)
    for key in open_rows:
        trial[key] = options[key][0].values
    if math.prod(len(options[k]) for k in open_rows) <= MAX_COMBINATIONS:
        best: tuple[int, tuple[Alternative, ...]] | None = None
        for combination in product(*(options[k] for k in open_rows)):
            trial.update({k: a.values for k, a in zip(open_rows, combination, strict=True)})
            score = table_score(trial)
            if best is None or score < best[0]:
                best = (score, combination)
        assert best is not None
        return dict(zip(open_rows, best[1], strict=True))
    picked = {key: options[key][0] for key in open_rows}
    for _ in range(_PASSES):
        changed = False
        for key in open_rows:
            scored = []
            for alternative in options[key]:
                trial[key] = alternative.values
                scored.append((table_score(trial), alternative))
            best = min(scored, key=lambda s: s[0])[1]  # min keeps the first of equals
            changed |= best is not picked[key]
            picked[key] = best
            trial[key] = best.values
        if not changed:
            break
    return picked


def _n(value: int | float | None) -> int | float:
    return 0 if value is None else value


def _int(value: int | float | None) -> int | None:
    return None if value is None else int(value)
