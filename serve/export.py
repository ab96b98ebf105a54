"""``nianbao export``: tables and views of the database as CSV or JSON, for scripts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

import sqlite_utils

FORMATS = ("csv", "json")


def exportable(db: sqlite_utils.Database) -> list[str]:
    """Tables and views a user may export (not the full-text index internals)."""
    return [
        name
        for name in [*db.table_names(), *db.view_names()]
        if "_fts" not in name and not name.startswith("sqlite_")
    ]


def rows(db: sqlite_utils.Database, table: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    if table not in exportable(db):
        raise KeyError(f"no table or view {table!r}; there are: {', '.join(sorted(exportable(db)))}")
    columns = [c.name for c in db[table].columns]
    # By primary key (a WITHOUT ROWID table has no rowid); a view in its own order.
    order = ", ".join(f"[{c}]" for c in db[table].pks) if table in db.table_names() else "1"
    return columns, db.query(f"select * from [{table}] order by {order}")


def write(db: sqlite_utils.Database, table: str, fmt: str, out: TextIO) -> int:
    """Write one table in ``fmt`` to ``out``; returns the number of rows."""
    columns, records = rows(db, table)
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(record)
            count += 1
    elif fmt == "json":
        out.write("[")
        for record in records:
            out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n")
    else:
        raise ValueError(f"format must be one of {FORMATS}")
    return count
