"""``nianbao parse PATH... [--json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from nianbao.parse.document import parse_path


@click.command("parse")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array of records on stdout, in input order.")
def parse_command(paths: tuple[Path, ...], as_json: bool) -> None:
    """Parse annual reports (PDF, DOCX, DOC, HTML, text, scans) into the canonical record.

    A report that fails a check still exits 0: that is a finding about the report.
    An unreadable file is a record with status "failed" and its error.
    """
    records = []
    for path in paths:
        result = parse_path(path)
        if as_json:
            records.append(result.record)
        else:
            click.echo(summary(result.record, result.kind, result.extraction))
    if as_json:
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")


def summary(record: dict, kind: str, extraction: str | None) -> str:
    """A readable account of one record."""
    lines = [
        f"{record['source']}",
        f"  {record['status'].upper():8} {record['title'] or '(no title)'}",
        f"  body {record['organization'] or '?'} · year {record['year'] or '?'} · form {record['template']}"
        f" · {kind} via {extraction or '-'}",
    ]
    t3 = record.get("applications")
    if t3 and t3.get("new_received"):
        received = t3["new_received"].get("total")
        granted = t3.get("granted", {}).get("total")
        lines.append(f"  requests received {received}, granted {granted}")
    for check in record["checks"]:
        mark = "✓" if check["ok"] else "✗"
        lines.append(f"  {mark} {check['id']}: {check['detail']}")
    for error in record["errors"]:
        lines.append(f"  ! {error}")
    return "\n".join(lines)
