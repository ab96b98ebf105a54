"""The database's tables, indexes, full-text indexes and views, as data and SQL.

Tables 2, 3 and 4 are stored twice: browsable (one row per table row, the spec's
columns) and long (``cells``: one row per cell) for analysis. Column names follow
``parse/form.py``, so a new field there is a new column here.
"""

from __future__ import annotations

import sqlite_utils
from nianbao.parse.form import TABLE2, TABLE3_COLUMNS, TABLE4_RESULTS
from nianbao.serve.sources import COLUMNS as SOURCE_COLUMNS

# Every field of table 2 in either template, in first-seen order.
TABLE2_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f.key for rows in TABLE2.values() for row in rows for f in row.fields)
)
DECIMAL_FIELDS = {f.key for rows in TABLE2.values() for row in rows for f in row.fields if f.decimal}

_REPORT_REF = ("report", "reports", "sha256")

TABLES: dict[str, dict] = {
    "sources": {
        # The Source fields that have a column (crawler/sources/loader.py), plus ``registry``
        # (the file an entry came from): defined once, in serve/sources.py.
        "columns": dict(SOURCE_COLUMNS),
        "pk": "id",
    },
    "reports": {
        "columns": {
            "sha256": str,
            "title": str,
            "body": str,
            "year": int,
            "form": str,
            "status": str,
            "checks_failed": int,
            # 1: synthetic numbers (the demo's replicas), 0: a real report, NULL: unknown.
            # From the archived fetch's X-Nianbao-Synthetic header (serve/build.py).
            "synthetic": int,
            "region_code": str,
            "province": str,
            "city": str,
            "county": str,
            "level": str,
            "body_kind": str,  # government, department, township, other (serve/body_kinds.py)
            "source_id": str,
            "source_url": str,
            "archived_copy": str,
            "published": str,
            "fetched_at": str,
            "kind": str,
            "extraction": str,
            "content_type": str,
            "length": int,
            "errors": str,
            "parser_version": str,
            "local_path": str,
        },
        "pk": "sha256",
        "foreign_keys": [("source_id", "sources", "id")],
    },
    "active_disclosure": {
        "columns": {
            "report": str,
            "body": str,
            "year": int,
            "form": str,
            "position": int,
            "row_key": str,
            "row_label": str,
            **{key: (float if key in DECIMAL_FIELDS else int) for key in TABLE2_FIELDS},
        },
        "pk": ("report", "row_key"),
        "foreign_keys": [_REPORT_REF],
    },
    "applications": {
        "columns": {
            "report": str,
            "body": str,
            "year": int,
            "position": int,
            "row_key": str,
            "row_label": str,
            **{c.key: int for c in TABLE3_COLUMNS},
        },
        "pk": ("report", "row_key"),
        "foreign_keys": [_REPORT_REF],
    },
    "review_litigation": {
        "columns": {
            "report": str,
            "body": str,
            "year": int,
            "position": int,
            "group_key": str,
            "group_label": str,
            **{r.key: int for r in TABLE4_RESULTS},
        },
        "pk": ("report", "group_key"),
        "foreign_keys": [_REPORT_REF],
    },
    "cells": {
        # form_table: "2", "3" or "4"; value REAL holds the integers exactly, and fees' decimals.
        "columns": {"report": str, "form_table": str, "row_key": str, "column_key": str, "value": float},
        "pk": ("report", "form_table", "row_key", "column_key"),
        "foreign_keys": [_REPORT_REF],
    },
    "sections": {
        "columns": {"id": int, "report": str, "number": int, "heading": str, "text": str},
        "pk": "id",
        "foreign_keys": [_REPORT_REF],
    },
    "report_texts": {
        "columns": {"id": int, "report": str, "text": str},
        "pk": "id",
        "foreign_keys": [_REPORT_REF],
    },
    "checks": {
        "columns": {"report": str, "check_id": str, "scope": str, "ok": int, "detail": str},
        "pk": ("report", "check_id"),
        "foreign_keys": [_REPORT_REF],
    },
}

# Tables whose rows belong to one report: deleted and rewritten when it is re-parsed.
REPORT_TABLES = (
    "active_disclosure",
    "applications",
    "review_litigation",
    "cells",
    "sections",
    "report_texts",
)

INDEXES: dict[str, list[tuple[str, ...]]] = {
    "reports": [
        ("body", "year"),
        ("year",),
        ("province",),
        ("city",),
        ("level",),
        ("body_kind",),
        ("form",),
        ("status",),
        ("synthetic",),
        ("source_id",),
        ("parser_version",),
    ],
    "active_disclosure": [("row_key",)],
    "applications": [("row_key",)],
    "review_litigation": [("group_key",)],
    "cells": [("form_table", "row_key", "column_key")],
    "sections": [("report", "number")],
    "report_texts": [("report",)],
    "checks": [("check_id", "ok"), ("ok",)],
}
UNIQUE_INDEXES: dict[str, list[tuple[str, ...]]] = {"sections": [], "report_texts": [("report",)]}

# Full-text indexes of index terms (serve/search.py), rowid = the content row's id.
FTS: dict[str, str] = {"sections": "sections_fts", "report_texts": "report_texts_fts"}

VIEWS: dict[str, str] = {
    "report_summary": """
select
  r.sha256, r.body, r.province, r.city, r.level, r.year, r.form, r.status, r.checks_failed,
  a_new.total as requests_received,
  a_granted.total as granted,
  a_results.total as results_total,
  case when a_results.total > 0
       then round(1.0 * a_granted.total / a_results.total, 4) end as granted_share,
  rv.total as reviews,
  coalesce(ld.total, 0) + coalesce(la.total, 0) as litigation,
  r.title, r.source_url, r.archived_copy
from reports r
left join applications a_new on a_new.report = r.sha256 and a_new.row_key = 'new_received'
left join applications a_granted on a_granted.report = r.sha256 and a_granted.row_key = 'granted'
left join applications a_results on a_results.report = r.sha256 and a_results.row_key = 'results_total'
left join review_litigation rv on rv.report = r.sha256 and rv.group_key = 'review'
left join review_litigation ld on ld.report = r.sha256 and ld.group_key = 'litigation_direct'
left join review_litigation la on la.report = r.sha256 and la.group_key = 'litigation_after_review'
""",
    "failed_checks": """
select c.report, r.body, r.year, r.province, r.city, c.check_id, c.scope, c.detail
from checks c join reports r on r.sha256 = c.report
where c.ok = 0
""",
}


def create(db: sqlite_utils.Database) -> None:
    """Create every table, index, full-text index and view that does not exist yet, and
    add the columns an older database's tables lack."""
    for name, spec in TABLES.items():
        if not db[name].exists():
            db[name].create(
                spec["columns"],
                pk=spec["pk"],
                foreign_keys=spec.get("foreign_keys"),
            )
            continue
        present = set(db[name].columns_dict)
        for column, column_type in spec["columns"].items():
            if column not in present:
                db[name].add_column(column, column_type)
    for name, column_sets in INDEXES.items():
        for columns in column_sets:
            db[name].create_index(columns, if_not_exists=True)
    for name, column_sets in UNIQUE_INDEXES.items():
        for columns in column_sets:
            db[name].create_index(
                columns, unique=True, if_not_exists=True, index_name=f"uq_{name}_{'_'.join(columns)}"
            )
    for fts in FTS.values():
        db.execute(f"create virtual table if not exists [{fts}] using fts5(terms)")
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
