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
TEMPLATES_DIR = HERE / "templates"  # the report, body and home pages, the demo-data banner
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


def facets() -> dict[str, list[str]]:
    """The facets each table's page shows (metadata.yaml), by table."""
    tables = _yaml("metadata.yaml")["databases"]["nianbao"]["tables"]
    return {name: list(spec["facets"]) for name, spec in tables.items() if spec and spec.get("facets")}


def _form_labels() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Column labels of the form's number columns, and Chinese labels of the form's row,
    group and column keys, from nianbao.parse.form (never typed a second time)."""
    from nianbao.parse.form import TABLE2, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_GROUPS, TABLE4_RESULTS

    fields: dict[str, str] = {}
    table2_rows: dict[str, str] = {}
    for template, rows in TABLE2.items():
        for row in rows:
            table2_rows.setdefault(row.key, row.label)
            for field in row.fields:
                text = field.label if template == "2021" else f"{field.label}（2019 样式）"
                fields.setdefault(field.key, text)
    table3_rows: dict[str, str] = {}
    for row in TABLE3_ROWS:
        group = row.group.split("|")[-1] if row.group else ""
        label = f"{group} {row.label}" if group and row.label[:1].isdigit() else row.label
        table3_rows.setdefault(row.key, label)
    columns = {
        "active_disclosure": {key: f"{label} · {key}" for key, label in fields.items()},
        "applications": {c.key: f"{c.label} · {c.key}" for c in TABLE3_COLUMNS},
        "review_litigation": {r.key: f"{r.label} · {r.key}" for r in TABLE4_RESULTS},
    }
    column_keys = {
        **fields,
        **{c.key: c.label for c in TABLE3_COLUMNS},
        **{r.key: r.label for r in TABLE4_RESULTS},
    }
    values = {
        "row_key": {**table2_rows, **table3_rows},
        "group_key": {g.key: g.label for g in TABLE4_GROUPS},
        "column_key": column_keys,
    }
    return columns, values


def metadata(database: Path, archive: Path | None) -> dict[str, Any]:
    """metadata.yaml, with the form's labels (nianbao.parse.form), the dashboards and
    where the archive's bytes are."""
    meta = copy.deepcopy(_yaml("metadata.yaml"))
    name = database.stem
    labels = meta.pop("nianbao_labels", {})
    form_columns, form_values = _form_labels()
    tables = meta["databases"]["nianbao"]["tables"]
    for table, columns in form_columns.items():
        described = tables.setdefault(table, {}).setdefault("columns", {})
        for key, text in columns.items():
            described.setdefault(key, text)
    values = {**labels.get("values", {})}
    for column, mapping in form_values.items():
        values[column] = {**mapping, **values.get(column, {})}
    if name != "nianbao":  # the metadata is written for the default database name
        meta["databases"] = {name: meta["databases"].pop("nianbao")}
    dashboards = copy.deepcopy(_yaml("dashboards.yaml"))
    for dashboard in dashboards.values():
        for item in [*dashboard.get("charts", {}).values(), *dashboard.get("filters", {}).values()]:
            if "db" in item:
                item["db"] = name
    meta["plugins"] = {
        "datasette-dashboards": dashboards,
        "nianbao": {
            "database": name,
            "archive": str(archive.resolve()) if archive else None,
            "values": values,  # Chinese labels of coded values, by column: shown in cells and facets
            "last_columns": labels.get("last_columns", {}),  # hashes: shown after the readable columns
        },
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
        template_dir=str(TEMPLATES_DIR),
        settings={**SETTINGS, "max_csv_mb": max_csv_mb},
        cors=False,
    )
