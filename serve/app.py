"""The Datasette instance that serves ``nianbao.db``: immutable, read-only, with our metadata and plugin."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette

HERE = Path(__file__).parent
PLUGINS_DIR = HERE / "plugins"
SETTINGS = {
    "truncate_cells_html": 200,
    "default_facet_size": 20,
    "suggest_facets": False,  # a query per column on every table page: too slow on large tables
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 5000,
    # Threads for SQL. Arbitrary SQL (?sql=, ?_where=) takes at most one of them at a
    # time (the plugin's lane), so pages keep the others while a heavy query runs.
    "num_sql_threads": 3,
    "max_returned_rows": 1000,
    # CSV exports (?_stream=on) are never cut by size: Datasette's default (100 MB) ends
    # them with an error line under HTTP 200. `nianbao serve --max-csv-mb N` sets a cap;
    # an export cut by it (or by an error) ends as an incomplete HTTP transfer.
    "max_csv_mb": 0,
    "allow_download": False,  # the whole .db file: large; exports are per table
    "default_cache_ttl": 3600,
}


@cache
def _yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def metadata(database: Path, archive: Path | None) -> dict[str, Any]:
    """metadata.yaml, with the dashboards and where the archive's bytes are."""
    meta = copy.deepcopy(_yaml("metadata.yaml"))
    name = database.stem
    if name != "nianbao":  # the metadata is written for the default database name
        meta["databases"] = {name: meta["databases"].pop("nianbao")}
    dashboards = copy.deepcopy(_yaml("dashboards.yaml"))
    for dashboard in dashboards.values():
        for item in [*dashboard.get("charts", {}).values(), *dashboard.get("filters", {}).values()]:
            if "db" in item:
                item["db"] = name
    meta["plugins"] = {
        "datasette-dashboards": dashboards,
        "nianbao": {"database": name, "archive": str(archive.resolve()) if archive else None},
    }
    return meta


def make_datasette(database: Path, archive: Path | None = None, *, max_csv_mb: int = 0) -> Datasette:
    """Datasette over ``database`` opened immutable (read-only, counted once)."""
    if not database.is_file():
        raise FileNotFoundError(f"no database at {database}: run `nianbao build` first")
    return Datasette(
        immutables=[str(database)],
        metadata=metadata(database, archive),
        plugins_dir=str(PLUGINS_DIR),
        settings={**SETTINGS, "max_csv_mb": max_csv_mb},
        cors=False,
    )
