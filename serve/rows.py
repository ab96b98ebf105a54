"""One parsed report -> the rows it contributes to each table of the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nianbao.parse.form import SECTIONS, TABLE2, TABLE3_ROWS, TABLE4_GROUPS
from nianbao.serve.documents import Document

_TABLE2_LABELS = {row.key: row.label for rows in TABLE2.values() for row in rows}
_TABLE2_ORDER = {row.key: i for rows in TABLE2.values() for i, row in enumerate(rows)}
_TABLE3_LABELS = {row.key: row.label for row in TABLE3_ROWS}
_TABLE3_ORDER = {row.key: i for i, row in enumerate(TABLE3_ROWS)}
_TABLE4_LABELS = {g.key: g.label for g in TABLE4_GROUPS}
_TABLE4_ORDER = {g.key: i for i, g in enumerate(TABLE4_GROUPS)}
# The record's three tables: (record key, table number, row or group, order, labels).
_FORM_TABLES = (
    ("active_disclosure", "2", "row", _TABLE2_ORDER, _TABLE2_LABELS),
    ("applications", "3", "row", _TABLE3_ORDER, _TABLE3_LABELS),
    ("review_litigation", "4", "group", _TABLE4_ORDER, _TABLE4_LABELS),
)
_HEADINGS = {str(s.number): s.heading for s in SECTIONS}


@dataclass
class ReportRows:
    """The rows of one report, by table name."""

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
    """Region and level are filled from ``sources`` by the build (serve/build.py), not here."""
    sha = document.sha256
    body = record.get("organization")
    year = record.get("year")
    checks = record.get("checks") or []
    report = {
        "sha256": sha,
        "title": record.get("title"),
        "body": body,
        "year": year,
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
    common = {"report": sha, "body": body, "year": year}
    tables: dict[str, list[dict[str, Any]]] = {
        "active_disclosure": [],
        "applications": [],
        "review_litigation": [],
        "cells": [],
        "sections": [],
        "report_texts": [{"report": sha, "text": text}],
        "checks": [
            {
                "report": sha,
                "check_id": c["id"],
                "scope": "report",
                "ok": int(bool(c["ok"])),
                "detail": c.get("detail"),
            }
            for c in checks
        ],
    }
    for name, number, kind, order, labels in _FORM_TABLES:
        for key, values in (record.get(name) or {}).items():
            # Table 2's columns differ between the templates: its rows say which.
            form = {"form": record.get("template")} if name == "active_disclosure" else {}
            tables[name].append(
                {
                    **common,
                    **form,
                    "position": order.get(key),
                    f"{kind}_key": key,
                    f"{kind}_label": labels.get(key, key),
                    **values,
                }
            )
            tables["cells"].extend(_cells(sha, number, key, values))
    for number, section_text in (record.get("sections") or {}).items():
        if section_text is None:
            continue
        tables["sections"].append(
            {
                "report": sha,
                "number": int(number),
                "heading": _HEADINGS.get(str(number)),
                "text": section_text,
            }
        )
    return ReportRows(report=report, tables=tables)


def _cells(sha: str, table: str, row_key: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"report": sha, "form_table": table, "row_key": row_key, "column_key": column, "value": value}
        for column, value in values.items()
    ]


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
