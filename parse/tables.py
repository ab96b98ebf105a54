"""Tables 2, 3 and 4: the form's rows read from a region's tokens into the record's shape."""

from __future__ import annotations

from nianbao.parse.form import TABLE2, TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_RESULTS, table3_rows
from nianbao.parse.table_reader import RowSpec, TableRead, read_rows, read_values
from nianbao.parse.text import Token

Table = dict[str, dict[str, int | float | None]]


def read_table2(tokens: list[Token], template: str) -> tuple[Table, TableRead]:
    rows = TABLE2[template]
    read = read_rows(tokens, [RowSpec(r.key, r.match, len(r.fields)) for r in rows], table="table 2")
    table: Table = {}
    for row in rows:
        values = read.rows[row.key] or [None] * len(row.fields)
        table[row.key] = {
            f.key: (v if v is None or f.decimal else int(v)) for f, v in zip(row.fields, values, strict=True)
        }
    return table, read


def read_table3(tokens: list[Token], template: str) -> tuple[Table, TableRead]:
    rows = table3_rows(template)
    width = len(TABLE3_COLUMNS)
    read = read_rows(tokens, [RowSpec(r.key, r.match, width) for r in rows], table="table 3")
    table: Table = {}
    for row in rows:
        values = read.rows[row.key] or [None] * width
        table[row.key] = {c.key: _int(v) for c, v in zip(TABLE3_COLUMNS, values, strict=True)}
    return table, read


def read_table4(tokens: list[Token]) -> tuple[Table, TableRead]:
    width = len(TABLE4_RESULTS)
    read = read_values(tokens, width * len(TABLE4_GROUPS), table="table 4")
    values = read.rows["table 4"] or [None] * width * len(TABLE4_GROUPS)
    table: Table = {}
    for g, group in enumerate(TABLE4_GROUPS):
        chunk = values[g * width : (g + 1) * width]
        table[group.key] = {r.key: _int(v) for r, v in zip(TABLE4_RESULTS, chunk, strict=True)}
    return table, read


def _int(value: int | float | None) -> int | None:
    return None if value is None else int(value)
