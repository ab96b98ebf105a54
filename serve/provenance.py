"""Provenance copied from the archive's ``provenance.db``, readable, and the source-health views.

The archive owns its schema. ``fetches`` is copied as it is (its own ``CREATE
TABLE``), so a new archive column shows up without a change here. ``runs`` and
``run_sources`` hold their statistics as JSON in the archive; the database keeps
those rows verbatim in ``runs_raw`` and ``run_sources_raw`` and serves ``runs`` and
``run_sources`` with one column per figure (pages, reports, new, unchanged, errors …),
so no page shows raw JSON. Everything is replaced on every build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlite_utils

PROVENANCE_TABLES = ("runs", "run_sources", "fetches")
RAW = {"runs": "runs_raw", "run_sources": "run_sources_raw"}  # archive table -> verbatim copy
INDEXES = {"fetches": (("sha256",), ("url",), ("source",), ("role", "status"))}

# The crawler's per-source counters (crawler/run_record.py counts them; the run's
# Scrapy stats hold the same under ``nianbao/<key>``), in reading order.
COUNTERS = (
    "pages",
    "documents",
    "reports",
    "new",
    "unchanged",
    "duplicates",
    "replayed",
    "errors",
    "refused",
)

# What the archive wrote (its ``archive`` stats of a run, and of each source): column -> key.
ARCHIVE_STATS = {
    "fetches": "fetches",
    "new_bodies": "new",
    "revisits": "revisits",
    "fetch_failures": "failures",
    "new_reports": "new_reports",
    "bytes": "bytes",
}

# Scrapy's own figures of a run: column -> stats key.
SCRAPY_STATS = {
    "requests": "downloader/request_count",
    "responses": "downloader/response_count",
    "log_errors": "log_count/ERROR",
    "log_warnings": "log_count/WARNING",
}
# The settings a run records (crawler/run_record.py): column -> setting.
SETTINGS = {
    "fast": "NIANBAO_FAST",
    "since": "NIANBAO_SINCE",
    "robots_obey": "ROBOTSTXT_OBEY",
    "autothrottle": "AUTOTHROTTLE_ENABLED",
    "download_delay": "DOWNLOAD_DELAY",
    "user_agent": "USER_AGENT",
}

RUNS_COLUMNS: dict[str, type] = {
    "run_id": str,
    "name": str,
    "machine": str,
    "started_at": str,
    "ended_at": str,
    "outcome": str,
    "seconds": float,
    "sources": int,
    **dict.fromkeys(COUNTERS, int),
    **dict.fromkeys(ARCHIVE_STATS, int),
    **dict.fromkeys(SCRAPY_STATS, int),
    "fast": int,
    "since": str,
    "robots_obey": int,
    "autothrottle": int,
    "download_delay": float,
    "user_agent": str,
}
RUN_SOURCES_COLUMNS: dict[str, type] = {
    "run_id": str,
    "source": str,
    **dict.fromkeys(COUNTERS, int),
    **dict.fromkeys(ARCHIVE_STATS, int),
}


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
                if table in RAW:
                    raw = RAW[table]
                    db.execute(f"drop table if exists main.[{raw}]")
                    db.execute(f"create table main.[{raw}] as select * from prov.[{table}]")
                    counts[table] = db.execute(f"select count(*) from main.[{raw}]").fetchone()[0]
                    continue
                db.execute(row[0])  # unqualified CREATE TABLE: lands in main
                db.execute(f"insert into main.[{table}] select * from prov.[{table}]")
                counts[table] = db.execute(f"select count(*) from main.[{table}]").fetchone()[0]
    finally:
        db.execute("detach database prov")
    _readable_runs(db)
    for table, column_sets in INDEXES.items():
        if not db[table].exists():
            continue
        have = set(db[table].columns_dict)
        for columns in column_sets:
            if set(columns) <= have:
                db[table].create_index(columns, if_not_exists=True)
    return counts


def _json(text: Any, default: Any) -> Any:
    if not isinstance(text, str) or not text:
        return default
    try:
        value = json.loads(text)
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _flag(value: Any) -> int | None:
    if isinstance(value, str):
        return {"true": 1, "1": 1, "false": 0, "0": 0}.get(value.strip().lower())
    return _int(value)


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def run_row(raw: dict[str, Any]) -> dict[str, Any]:
    """One row of ``runs``: the archive's run with its stats and settings as columns."""
    stats = _json(raw.get("stats_json"), {})
    settings = _json(raw.get("settings_json"), {})
    sources = _json(raw.get("sources_json"), [])
    since = settings.get(SETTINGS["since"])
    return {
        "run_id": raw.get("run_id"),
        "name": raw.get("name"),
        "machine": raw.get("machine"),  # which machine ran it (archives merged from many)
        "started_at": raw.get("started_at"),
        "ended_at": raw.get("ended_at"),
        "outcome": raw.get("outcome") or ("running or killed" if raw.get("ended_at") is None else None),
        "seconds": _round(_number(stats.get("elapsed_time_seconds"))),
        "sources": len(sources),
        **_counters(stats, "nianbao/"),
        **_archive_stats(stats),
        **{column: _int(stats.get(key, 0 if stats else None)) for column, key in SCRAPY_STATS.items()},
        "fast": _flag(settings.get(SETTINGS["fast"])),
        "since": None if since in (None, "") else str(since),
        "robots_obey": _flag(settings.get(SETTINGS["robots_obey"])),
        "autothrottle": _flag(settings.get(SETTINGS["autothrottle"])),
        "download_delay": _number(settings.get(SETTINGS["download_delay"])),
        "user_agent": settings.get(SETTINGS["user_agent"]),
    }


def run_source_row(raw: dict[str, Any]) -> dict[str, Any]:
    """One row of ``run_sources``: a source's counters in a run, one column each."""
    stats = _json(raw.get("stats_json"), {})
    return {
        "run_id": raw.get("run_id"),
        "source": raw.get("source"),
        **_counters(stats, ""),
        **_archive_stats(stats),
    }


def _counters(stats: dict[str, Any], prefix: str) -> dict[str, int | None]:
    """The crawler counts only what happens: in a finished run's stats a missing
    counter is 0; a run with no stats (still running, or killed) has none."""
    default = 0 if stats else None
    return {key: _int(stats.get(prefix + key, default)) for key in COUNTERS}


def _archive_stats(stats: dict[str, Any]) -> dict[str, int | None]:
    archive = stats.get("archive") if isinstance(stats.get("archive"), dict) else {}
    return {column: _int(archive.get(key)) for column, key in ARCHIVE_STATS.items()}


def _readable_runs(db: sqlite_utils.Database) -> None:
    """``runs`` and ``run_sources`` rebuilt from the verbatim copies, no JSON left.

    Tables, not views: ``fetches.run_id`` refers to ``runs(run_id)``, and Datasette
    links a run id to its row page only when ``runs`` is a table with that key."""
    for table, columns, pk, make in (
        ("runs", RUNS_COLUMNS, "run_id", run_row),
        ("run_sources", RUN_SOURCES_COLUMNS, ("run_id", "source"), run_source_row),
    ):
        raw = RAW[table]
        if not db[raw].exists():
            continue
        rows = [make(r) for r in db[raw].rows]
        with db.conn:
            db.execute(f"drop table if exists [{table}]")
            foreign_keys = [("run_id", "runs", "run_id")] if table == "run_sources" else None
            db[table].create(columns, pk=pk, foreign_keys=foreign_keys)
            if rows:
                db[table].insert_all(rows)
    if db["run_sources"].exists():
        db["run_sources"].create_index(("source",), if_not_exists=True)


def create_source_health(db: sqlite_utils.Database) -> None:
    """``source_health``: a row per source — its status, last successful fetch, fetches,
    failed fetches, reports and reports per year — the crawled sources first, then
    those whose fetches all failed, then those never crawled; ``sources_never_crawled``:
    those last ones apart, with what the registry says of them."""
    fetch_columns = set(db["fetches"].columns_dict) if db["fetches"].exists() else set()
    if {"source", "status", "fetched_at"} <= fetch_columns:
        last_success = (
            "(select max(f.fetched_at) from fetches f where f.source = s.id and f.status between 200 and 399)"
        )
        last_fetch = "(select max(f.fetched_at) from fetches f where f.source = s.id)"
        failed = "f.status >= 400" + (" or f.error is not null" if "error" in fetch_columns else "")
        failures = f"(select count(*) from fetches f where f.source = s.id and ({failed}))"
        fetched = "(select count(*) from fetches f where f.source = s.id)"
    else:
        last_success = last_fetch = "null"
        failures = fetched = "0"
    per_source = f"""
select
  s.id as source, s.name, s.province, s.city, s.level, s.verified,
  {last_success} as last_success,
  {last_fetch} as last_fetch,
  {fetched} as fetches,
  {failures} as failures,
  (select count(*) from reports r where r.source_id = s.id) as reports,
  (select min(year) from reports r where r.source_id = s.id) as first_year,
  (select max(year) from reports r where r.source_id = s.id) as last_year,
  (select group_concat(year || ': ' || n, ' · ') from
     (select year, count(*) as n from reports r where r.source_id = s.id and year is not null
      group by year order by year)) as reports_per_year
from sources s
"""
    # The status (Chinese first, English beside) and its rank: what a reader looks for first.
    db.create_view(
        "source_health",
        f"""
select
  case
    when h.last_success is not null and h.reports > 0 then '已抓取，有报告 · crawled, reports found'
    when h.last_success is not null then '已抓取，未见报告 · crawled, no report found'
    when h.fetches > 0 then '抓取均失败 · every fetch failed'
    when h.reports > 0 then '有报告，无抓取记录 · reports, no fetch record'
    else '从未抓取 · never crawled'
  end as status,
  h.*
from ({per_source.strip()}) h
order by
  case
    when h.last_success is not null and h.reports > 0 then 0
    when h.last_success is not null then 1
    when h.fetches > 0 then 2
    when h.reports > 0 then 3
    else 4
  end,
  h.province, h.city, h.name, h.source
""".strip(),
        replace=True,
    )
    db.create_view(
        "sources_never_crawled",
        """
select source, name, province, city, level, verified
from source_health
where fetches = 0 and reports = 0
order by province, city, name, source
""".strip(),
        replace=True,
    )
