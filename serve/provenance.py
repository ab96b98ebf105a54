"""Provenance copied from the archive's ``provenance.db``, and the source-health view.

The archive owns its schema; the tables are copied as they are (their own
``CREATE TABLE``), replaced on every build, so a new archive column shows up
without a change here.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

PROVENANCE_TABLES = ("runs", "run_sources", "fetches")
INDEXES = {"fetches": (("sha256",), ("url",), ("source",), ("role", "status"))}


def copy_provenance(db: sqlite_utils.Database, provenance_db: Path) -> dict[str, int]:
    """Replace the provenance tables with the archive's. Returns rows copied per table."""
    counts: dict[str, int] = {}
    if not provenance_db.is_file():
        return counts
    db.execute("attach database ? as prov", [str(provenance_db.resolve())])
    try:
        with db.conn:
            for table in PROVENANCE_TABLES:
                row = db.execute(
                    "select sql from prov.sqlite_master where type = 'table' and name = ?", [table]
                ).fetchone()
                if row is None:
                    continue
                db.execute(f"drop table if exists main.[{table}]")
                db.execute(row[0])  # unqualified CREATE TABLE: lands in main
                db.execute(f"insert into main.[{table}] select * from prov.[{table}]")
                counts[table] = db.execute(f"select count(*) from main.[{table}]").fetchone()[0]
    finally:
        db.execute("detach database prov")
    for table, column_sets in INDEXES.items():
        if not db[table].exists():
            continue
        have = set(db[table].columns_dict)
        for columns in column_sets:
            if set(columns) <= have:
                db[table].create_index(columns, if_not_exists=True)
    return counts


def create_source_health(db: sqlite_utils.Database) -> None:
    """A row per source: last successful fetch, failed fetches, reports and reports per year."""
    fetch_columns = set(db["fetches"].columns_dict) if db["fetches"].exists() else set()
    if {"source", "status", "fetched_at"} <= fetch_columns:
        last_success = (
            "(select max(f.fetched_at) from fetches f where f.source = s.id and f.status between 200 and 399)"
        )
        failed = "f.status >= 400" + (" or f.error is not null" if "error" in fetch_columns else "")
        failures = f"(select count(*) from fetches f where f.source = s.id and ({failed}))"
        fetched = "(select count(*) from fetches f where f.source = s.id)"
    else:
        last_success = failures = fetched = "null"
    db.create_view(
        "source_health",
        f"""
select
  s.id as source, s.name, s.province, s.city, s.level, s.verified,
  {last_success} as last_success,
  {fetched} as fetches,
  {failures} as failures,
  (select count(*) from reports r where r.source_id = s.id) as reports,
  (select json_group_object(year, n) from
     (select year, count(*) as n from reports r where r.source_id = s.id and year is not null
      group by year order by year)) as reports_per_year
from sources s
""".strip(),
        replace=True,
    )
