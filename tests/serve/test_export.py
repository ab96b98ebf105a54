"""nianbao export: table 3 as CSV equals `nianbao parse --json` on the same files."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from nianbao.parse.form import TABLE3_COLUMNS

NIANBAO = [str(Path(sys.executable).with_name("nianbao"))]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*NIANBAO, *args], capture_output=True, text=True, timeout=240)


def _cell(value: str) -> int | None:
    return None if value == "" else int(value)


def test_table3_csv_equals_parse_json(built):
    parsed = _run("parse", "--json", *map(str, built.inputs))
    assert parsed.returncode == 0, parsed.stderr
    records = json.loads(parsed.stdout)
    exported = _run("--data", str(built.data.root), "export", "--format", "csv", "--table", "applications")
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    # Rows name their report by its integer id; the reports table says which document that is.
    db = sqlite3.connect(built.data.database)
    sha_of = {str(i): sha for i, sha in db.execute("select id, sha256 from reports")}
    db.close()

    from_csv: dict[str, dict[str, dict[str, int | None]]] = {}
    for row in rows:
        from_csv.setdefault(sha_of[row["report"]], {})[row["row_key"]] = {
            c.key: _cell(row[c.key]) for c in TABLE3_COLUMNS
        }
    from_json = {r["sha256"]: r["applications"] for r in records if r["applications"]}
    assert from_csv == from_json
    assert len(rows) == sum(len(t) for t in from_json.values())


def test_json_export_and_several_tables(built, tmp_path):
    out = tmp_path / "out"
    done = _run(
        "--data", str(built.data.root), "export", "--format", "json",
        "--table", "reports", "--table", "report_summary", "--output", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reports = json.loads((out / "reports.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "report_summary.json").read_text(encoding="utf-8"))
    assert len(reports) == len(summary) == len(built.inputs)
    assert {r["id"] for r in reports} == {r["report"] for r in summary}


def test_unknown_table_is_a_clear_error(built):
    done = _run("--data", str(built.data.root), "export", "--table", "no_such_table")
    assert done.returncode == 2
    assert "no table or view no_such_table" in done.stderr
    assert "applications" in done.stderr
