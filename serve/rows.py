"""One parsed report -> the rows it contributes to each table of the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nianbao.serve.documents import Document
from nianbao.serve.schema import FORM_TABLES


@dataclass
class ReportRows:
    """The rows of one report, by table name (``cells``: form_table, row_key, column_key,
    value; the build stores them as ``cell_values`` against ``cell_keys``)."""

    report: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def archived_copy_path(sha256: str) -> str:
    """Where the served site hands out the archived bytes (serve/plugins)."""
    return f"/-/original/{sha256}"


def report_rows(
    document: Document,
    record: dict[str, Any],
    *,
    text: str,
    kind: str,
    extraction: str | None,
    published: str | None,
    parser_version: str,
) -> ReportRows:
    """Region and level are filled from ``sources`` by the build (serve/build.py), not here.
    Child rows carry no report key: the build gives them the report's integer id."""
    sha = document.sha256
    checks = record.get("checks") or []
    report = {
        "sha256": sha,
        "title": record.get("title"),
        "body": record.get("organization"),
        "year": record.get("year"),
        "form": record.get("template"),
        "status": record.get("status"),
        "checks_failed": sum(1 for c in checks if not c.get("ok")),
        "source_id": document.source_id,
        "source_url": document.url,
        "archived_copy": archived_copy_path(sha),
        "published": published,
        "fetched_at": document.fetched_at,
        "kind": kind,
        "extraction": extraction,
        "content_type": document.content_type,
        "length": document.length,
        "errors": "\n".join(record.get("errors") or []) or None,
        "parser_version": parser_version,
        "local_path": str(document.local_path) if document.local_path else None,
    }
    tables: dict[str, list[dict[str, Any]]] = {
        "active_disclosure": [],
        "applications": [],
        "review_litigation": [],
        "cells": [],
        "sections": [],
        "report_texts": [{"text": text}],
        "checks": [
            {"check_id": c["id"], "scope": "report", "ok": int(bool(c["ok"])), "detail": c.get("detail")}
            for c in checks
        ],
    }
    for name, (number, key_column, _) in FORM_TABLES.items():
        for key, values in (record.get(name) or {}).items():
            tables[name].append({key_column: key, **values})
            tables["cells"].extend(
                {"form_table": number, "row_key": key, "column_key": column, "value": value}
                for column, value in values.items()
            )
    for number, section_text in (record.get("sections") or {}).items():
        if section_text is not None:
            tables["sections"].append({"number": int(number), "text": section_text})
    return ReportRows(report=report, tables=tables)


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
