"""One parsed report -> the rows it contributes to each table of the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nianbao.serve.documents import Document
from nianbao.serve.schema import FORM_TABLES
from nianbao.serve.search import splits_word


@dataclass
class ReportRows:
    """The rows of one report, by table name (``cells``: form_table, row_key, column_key,
    value; the build stores them as ``cell_values`` against ``cell_keys``. ``sections``:
    number, start, end, text — a span of the report's text, or its own text when it is
    not found there; stored as ``section_spans``)."""

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
    tables["sections"] = section_spans(
        text,
        [
            (int(number), prose)
            for number, prose in (record.get("sections") or {}).items()
            if prose is not None
        ],
    )
    return ReportRows(report=report, tables=tables)


def section_spans(text: str | None, sections: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """Each section (number, prose) as a span of ``text`` — character offsets start, end,
    so the text is stored once (the view ``sections`` reads ``substr(text, start + 1,
    end - start)``) — when its prose is found there verbatim, looking in order, each after
    the previous one found; otherwise with its own text (start and end NULL)."""
    # SQLite's substr counts characters as str does, but its text functions stop at a NUL.
    searchable = text if text and "\x00" not in text else ""
    out: list[dict[str, Any]] = []
    after = 0
    for number, prose in sections:
        start = searchable.find(prose, after) if prose else -1
        if start < 0 or splits_word(searchable, start) or splits_word(searchable, start + len(prose)):
            # Not there, or a piece of a word: its own text (and its own index terms).
            out.append({"number": number, "start": None, "end": None, "text": prose})
            continue
        after = start + len(prose)
        out.append({"number": number, "start": start, "end": after, "text": None})
    return out


def section_text(text: str | None, section: dict[str, Any]) -> str | None:
    """A section's prose from its row (``section_spans``) and its report's text."""
    if section["start"] is None:
        return section["text"]
    return (text or "")[section["start"] : section["end"]]


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)
