"""``nianbao parse``: the JSON contract and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nianbao.parse.report import RECORD_KEYS

NIANBAO = [sys.executable, "-m", "nianbao"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NIANBAO, *args], capture_output=True, text=True, timeout=120)


def test_json_array_in_input_order_with_exact_keys(tmp_path: Path) -> None:
    report = tmp_path / "b.txt"
    report.write_text(
        "某某县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n全年公开。\n", encoding="utf-8"
    )
    empty = tmp_path / "a.pdf"
    empty.write_bytes(b"")
    done = run("parse", "--json", str(report), str(empty))
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["source"] for r in records] == [str(report), str(empty)]
    assert all(tuple(r) == RECORD_KEYS for r in records)
    assert records[0]["status"] == "partial" and records[1]["status"] == "failed"


def test_readable_summary(tmp_path: Path) -> None:
    empty = tmp_path / "x.docx"
    empty.write_bytes(b"PK\x03\x04 broken")
    done = run("parse", str(empty))
    assert done.returncode == 0
    assert "FAILED" in done.stdout


def test_unusable_arguments_exit_nonzero(tmp_path: Path) -> None:
    assert run("parse", str(tmp_path / "missing.pdf")).returncode != 0
    assert run("parse").returncode != 0
