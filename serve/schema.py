"""The database's tables, indexes, full-text index, lookup tables and views, as data and SQL.

Compact at a million reports (issue 11): a report is ``reports.id`` (an integer; the
SHA-256 of its bytes is a unique column), and every child table refers to it by that
integer. Text is stored once: the whole text in ``report_texts``, each section as a span
of it (``section_spans``: character offsets, its own text only when its prose is not
found in the text; the view ``sections`` reads the prose); the one full-text index
(``report_texts_fts``) is contentless and holds no text. Tables 2, 3 and 4 are stored browsable (one row per table row, the
spec's columns; labels from ``nianbao.parse.form`` in the lookup ``form_rows``) and
long (``cell_values``: report, cell, value, the cell's table/row/column once in
``cell_keys``; the view ``cells`` reads them as before). Column names follow
``parse/form.py``, so a new field there is a new column here.

Summaries the pages read at scale (``report_summary``, ``bodies``) are tables built with
the database (serve/build.py), not views joined per request.
"""

from __future__ import annotations

import json

import sqlite_utils
from nianbao.parse.form import SECTIONS, TABLE2, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_GROUPS, TABLE4_RESULTS
from nianbao.serve.sources import COLUMNS as SOURCE_COLUMNS

# Every field of table 2 in either template, in first-seen order.
TABLE2_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f.key for rows in TABLE2.values() for row in rows for f in row.fields)
)
DECIMAL_FIELDS = {f.key for rows in TABLE2.values() for row in rows for f in row.fields if f.decimal}

# Bumped when the layout changes in a way ``create`` cannot add to: an older database is
# then rebuilt from scratch (every document parsed again), never migrated half-way.
SCHEMA_VERSION = 3

_SQL_TYPES = {str: "text", int: "integer", float: "real"}

REPORT_COLUMNS: dict[str, type] = {
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
}

# The record's three tables: table name -> (form table number, key column, value columns).
FORM_TABLES: dict[str, tuple[str, str, dict[str, type]]] = {
    "active_disclosure": (
        "2",
        "row_key",
        {key: (float if key in DECIMAL_FIELDS else int) for key in TABLE2_FIELDS},
    ),
    "applications": ("3", "row_key", {c.key: int for c in TABLE3_COLUMNS}),
    "review_litigation": ("4", "group_key", {r.key: int for r in TABLE4_RESULTS}),
}


def _columns(columns: dict[str, type]) -> str:
    return ", ".join(f"[{name}] {_SQL_TYPES[kind]}" for name, kind in columns.items())


_REPORT_FK = "references reports(id)"

# name -> CREATE TABLE statement (tables of a report: keyed by the report's integer id).
TABLES: dict[str, str] = {
    "sources": f"create table sources ({_columns(dict(SOURCE_COLUMNS))}, primary key (id))",
    "reports": (
        "create table reports (id integer primary key, "
        + _columns(REPORT_COLUMNS).replace("[sha256] text", "[sha256] text not null unique")
        + ", foreign key (source_id) references sources(id))"
    ),
    **{
        name: (
            f"create table [{name}] (report integer not null {_REPORT_FK}, [{key}] text not null, "
            f"{_columns(values)}, primary key (report, [{key}])) without rowid"
        )
        for name, (_, key, values) in FORM_TABLES.items()
    },
    # The long form: one row per cell, the cell named by an integer into cell_keys.
    "cell_keys": (
        "create table cell_keys (id integer primary key, form_table text not null, "
        "row_key text not null, column_key text not null, unique (form_table, row_key, column_key))"
    ),
    "cell_values": (
        f"create table cell_values (report integer not null {_REPORT_FK}, "
        "cell integer not null references cell_keys(id), value real, primary key (report, cell)) without rowid"
    ),
    # Labels of the form's rows and groups, and of its sections: once, not on every report's rows.
    "form_rows": (
        "create table form_rows (form_table text not null, [key] text not null, label text, "
        "position integer, primary key (form_table, [key])) without rowid"
    ),
    "section_headings": "create table section_headings (number integer primary key, heading text)",
    # A section: characters [start, end) of its report's text, or (start, end NULL) its
    # own text when its prose is not in the text verbatim (serve/rows.section_spans).
    "section_spans": (
        f"create table section_spans (id integer primary key, report integer not null {_REPORT_FK}, "
        "number integer references section_headings(number), start integer, [end] integer, text text)"
    ),
    "report_texts": f"create table report_texts (report integer primary key {_REPORT_FK}, text text)",
    "checks": (
        f"create table checks (report integer not null {_REPORT_FK}, check_id text not null, "
        "scope text, ok integer, detail text, primary key (report, check_id)) without rowid"
    ),
    # Headline figures per report, materialised by the build (serve/build.py).
    "report_summary": (
        "create table report_summary (report integer primary key references reports(id), body text, "
        "province text, city text, level text, year integer, form text, status text, checks_failed integer, "
        "requests_received integer, granted integer, results_total integer, granted_share real, "
        "reviews integer, litigation integer)"
    ),
    # One row per issuing body (the name the audits compare reports by), for the body lists.
    "bodies": (
        "create table bodies (body text primary key, province text, city text, years integer, "
        "reports integer, first integer, last integer, failing integer)"
    ),
    # The facet counts of whole tables (the unfiltered page) and of each year (?year=N),
    # written with the database: the most frequent FACET_VALUES_KEPT values of each facet
    # metadata.yaml shows. filter_column '' is the unfiltered page.
    "facet_counts": (
        "create table facet_counts (table_name text not null, filter_column text not null, "
        "filter_value text not null, [column] text not null, value, count integer, "
        "primary key (table_name, filter_column, filter_value, [column], value)) without rowid"
    ),
    "build_info": "create table build_info (key text primary key, value text)",
}

# Tables whose rows belong to one report: deleted and rewritten when it is re-parsed.
REPORT_TABLES = (*FORM_TABLES, "cell_values", "section_spans", "report_texts", "checks")

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
    "section_spans": [("report", "number")],
    "checks": [("check_id", "ok")],
    "report_summary": [
        ("year",),
        ("body", "year"),
        ("province",),
        ("city",),
        ("level",),
        ("form",),
        ("status",),
        ("requests_received",),
    ],
}
# Indexes sqlite_utils cannot say: the body lists' order (most years first), read top down.
RAW_INDEXES = ("create index if not exists idx_bodies_order on bodies (years desc, reports desc, body)",)

# The full-text index of index terms (serve/search.py) of each report's text and its
# sections, rowid = reports.id. Contentless and without positions (detail=none): it only
# says which reports hold every term; the exact match (the words as substrings) is
# checked on the stored text (search.contains), so it finds what a phrase index would.
FTS = "report_texts_fts"
FTS_SQL = f"create virtual table if not exists [{FTS}] using fts5(terms, content='', detail=none)"

VIEWS: dict[str, str] = {
    # The sections as they were stored before spans: one row each, its prose as text.
    "sections": """
select s.id, s.report, s.number,
  case when s.start is null then s.text else substr(t.text, s.start + 1, s.[end] - s.start) end as text
from section_spans s left join report_texts t on t.report = s.report
""",
    "cells": """
select v.report, k.form_table, k.row_key, k.column_key, v.value
from cell_values v join cell_keys k on k.id = v.cell
""",
    "failed_checks": """
select c.report, r.body, r.year, r.province, r.city, c.check_id, c.scope, c.detail
from checks c join reports r on r.id = c.report
where c.ok = 0
""",
}

# report_summary from the form tables: one statement, run by the build.
SUMMARY_SQL = """
insert into report_summary
select
  r.id, r.body, r.province, r.city, r.level, r.year, r.form, r.status, r.checks_failed,
  a_new.total, a_granted.total, a_results.total,
  case when a_results.total > 0 then round(1.0 * a_granted.total / a_results.total, 4) end,
  rv.total,
  case when ld.total is null and la.total is null then null
       else coalesce(ld.total, 0) + coalesce(la.total, 0) end
from reports r
left join applications a_new on a_new.report = r.id and a_new.row_key = 'new_received'
left join applications a_granted on a_granted.report = r.id and a_granted.row_key = 'granted'
left join applications a_results on a_results.report = r.id and a_results.row_key = 'results_total'
left join review_litigation rv on rv.report = r.id and rv.group_key = 'review'
left join review_litigation ld on ld.report = r.id and ld.group_key = 'litigation_direct'
left join review_litigation la on la.report = r.id and la.group_key = 'litigation_after_review'
"""

BODIES_SQL = """
insert into bodies
select body, max(province), max(city), count(distinct year), count(*), min(year), max(year),
  sum(checks_failed > 0)
from reports where body is not null and body != '' group by body
"""


FACET_VALUES_KEPT = 1000  # Datasette's max_returned_rows: no facet shows more


# The one filter whose pages get stored facet counts too: the year, as people browse.
FACET_FILTERS = ("year",)


def facet_counts(db: sqlite_utils.Database, facets: dict[str, list[str]]) -> None:
    """Rewrite ``facet_counts`` for these tables' facet columns, unfiltered and by year.

    The columns counted are listed in ``build_info`` (``facet_columns``, JSON): a column
    counted without a row in ``facet_counts`` has no value (all NULL), which the pages
    show as an empty facet instead of counting the whole table again."""
    db.execute("delete from facet_counts")
    counted: dict[str, list[str]] = {}
    for table, columns in facets.items():
        present = set(db[table].columns_dict) if db[table].exists() else set()
        counted[table] = [c for c in columns if c in present]
        for column in counted[table]:
            db.execute(
                f"insert into facet_counts select ?, '', '', ?, value, count from (select [{column}] as value, "
                f"count(*) as count from [{table}] where [{column}] is not null group by [{column}] "
                f"order by count desc, value limit {FACET_VALUES_KEPT})",
                [table, column],
            )
            for by in (f for f in FACET_FILTERS if f in present):
                db.execute(
                    f"insert into facet_counts select ?, ?, cast(f as text), ?, value, count from ("
                    f"select f, value, count, row_number() over (partition by f order by count desc, value) as n "
                    f"from (select [{by}] as f, [{column}] as value, count(*) as count from [{table}] "
                    f"where [{column}] is not null and [{by}] is not null group by [{by}], [{column}])) "
                    f"where n <= {FACET_VALUES_KEPT}",
                    [table, by, column],
                )
    db.execute(
        "insert or replace into build_info values ('facet_columns', ?)",
        [json.dumps(counted, ensure_ascii=False)],
    )


def form_rows() -> list[tuple[str, str, str, int]]:
    """(form table, key, label as printed, position) of every row and group of the form."""
    out: dict[tuple[str, str], tuple[str, str, str, int]] = {}
    for rows in reversed(list(TABLE2.values())):  # the 2021 labels win
        for i, row in enumerate(rows):
            out[("2", row.key)] = ("2", row.key, row.label, i)
    for i, row in enumerate(TABLE3_ROWS):
        out.setdefault(("3", row.key), ("3", row.key, row.label, i))
    for i, group in enumerate(TABLE4_GROUPS):
        out.setdefault(("4", group.key), ("4", group.key, group.label, i))
    return list(out.values())


def _version(db: sqlite_utils.Database) -> int | None:
    if not db["build_info"].exists():
        return None
    row = db.execute("select value from build_info where key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def is_current(db: sqlite_utils.Database) -> bool:
    """Whether ``db`` has this layout (else the build starts a new file)."""
    return _version(db) == SCHEMA_VERSION


def create(db: sqlite_utils.Database) -> None:
    """Create every table, index, full-text index, lookup row and view that does not exist
    yet, and add the columns a table of this layout lacks (a new form field or source field)."""
    wanted = {
        "reports": REPORT_COLUMNS,
        "sources": dict(SOURCE_COLUMNS),
        **{name: values for name, (_, _, values) in FORM_TABLES.items()},
    }
    for name, sql in TABLES.items():
        if not db[name].exists():
            db.execute(sql)
            continue
        present = set(db[name].columns_dict)
        for column, column_type in wanted.get(name, {}).items():
            if column not in present:
                db.execute(f"alter table [{name}] add column [{column}] {_SQL_TYPES[column_type]}")
    for name, column_sets in INDEXES.items():
        for columns in column_sets:
            db[name].create_index(columns, if_not_exists=True)
    for sql in RAW_INDEXES:
        db.execute(sql)
    db.execute(FTS_SQL)
    with db.conn:
        db.conn.executemany("insert or replace into form_rows values (?, ?, ?, ?)", form_rows())
        db.conn.executemany(
            "insert or replace into section_headings values (?, ?)", [(s.number, s.heading) for s in SECTIONS]
        )
        db.execute("insert or replace into build_info values ('schema_version', ?)", [str(SCHEMA_VERSION)])
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
