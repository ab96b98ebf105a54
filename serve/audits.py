"""Cross-report audits: YEAR-CARRY, T2-IN-FORCE and ON-TIME (../shared/spec/report-format.md).

They compare reports of one body (the issuing body's name) across years, or a
report with its publication date and the deadline for its kind of body
(``reports.body_kind``, serve/body_kinds.py). Each audit writes one ``checks`` row per report
it applies to (scope ``audit``); a report it cannot apply to (no previous year, no
publication date) gets none. They are recomputed on every build: cheap, and a new
report changes its neighbours' findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml
from nianbao.parse.form import TABLE3_COLUMNS
from nianbao.serve.body_kinds import body_kind

RULES_FILE = Path(__file__).with_name("audits.yaml")
_STATUS_RANK = {"ok": 0, "partial": 1, "failed": 2}


@cache
def rules() -> dict[str, Any]:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def deadline(kind: str | None, year: int) -> tuple[date, str] | None:
    """When a report on ``year`` by a body of ``kind`` is due, and the rule that says so;
    None when no rule sets a date for that kind (``other``)."""
    regimes = rules()["on_time"]["regimes"]
    regime = next((r for r in regimes if r.get("until_year") is None or year <= r["until_year"]), regimes[-1])
    due = regime["deadlines"].get(kind or "")
    if due is None:
        return None
    return date(year + 1, due["month"], due["day"]), due["rule"]


def _one_per_body_year(db: sqlite_utils.Database) -> dict[tuple[str, int], dict[str, Any]]:
    """The report standing for each (body, year): the best-read one if there are several."""
    chosen: dict[tuple[str, int], dict[str, Any]] = {}
    rows = db.query(
        "select id, body, body_kind, year, form, status, published from reports "
        "where body is not null and year is not null order by sha256"
    )
    for row in rows:
        key = (row["body"], row["year"])
        best = chosen.get(key)
        if best is None or _STATUS_RANK.get(row["status"], 3) < _STATUS_RANK.get(best["status"], 3):
            chosen[key] = row
    return chosen


def _table_values(
    db: sqlite_utils.Database, table: str, key_column: str, keys: list[str], columns: list[str]
):
    wanted = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in keys)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in db.query(
        f"select report, {key_column} as k, {wanted} from [{table}] where {key_column} in ({marks})", keys
    ):
        out[(row["report"], row["k"])] = row
    return out


def _year_carry(pairs, applications) -> Iterator[dict[str, Any]]:
    columns = [c.key for c in TABLE3_COLUMNS]
    for previous, current in pairs:
        before = applications.get((previous["id"], "carried_out"))
        after = applications.get((current["id"], "carried_in"))
        if before is None or after is None:
            continue
        compared = [
            (c, before[c], after[c]) for c in columns if before[c] is not None and after[c] is not None
        ]
        if not compared:
            continue
        wrong = [
            f"{c}: {a} carried out of {previous['year']} ≠ {b} carried in" for c, a, b in compared if a != b
        ]
        yield _check(
            current,
            "YEAR-CARRY",
            not wrong,
            "; ".join(wrong)
            or f"carried_out {previous['year']} = carried_in {current['year']} in {len(compared)} columns",
        )


def _t2_in_force(pairs, disclosure) -> Iterator[dict[str, Any]]:
    for previous, current in pairs:
        if previous["form"] != "2021" or current["form"] != "2021":
            continue
        parts, wrong = [], []
        for row_key in rules()["t2_in_force"]["rows"]:
            before = disclosure.get((previous["id"], row_key))
            now = disclosure.get((current["id"], row_key))
            if before is None or now is None:
                continue
            values = (before["in_force"], now["made"], now["repealed"], now["in_force"])
            if any(v is None for v in values):
                continue
            expected = values[0] + values[1] - values[2]
            line = f"{row_key}: {values[0]} + {values[1]} − {values[2]} = {expected}, printed {values[3]}"
            parts.append(line)
            if expected != values[3]:
                wrong.append(line)
        if parts:
            yield _check(current, "T2-IN-FORCE", not wrong, "; ".join(wrong or parts))


def _on_time(reports) -> Iterator[dict[str, Any]]:
    for report in reports:
        published = report["published"]
        if not published:
            continue
        try:
            when = date.fromisoformat(published[:10])
        except ValueError:
            continue
        kind = report.get("body_kind") or body_kind(report["body"])
        found = deadline(kind, report["year"])
        if found is None:
            continue
        due, rule = found
        yield _check(
            report,
            "ON-TIME",
            when <= due,
            f"published {when.isoformat()}, due {due.isoformat()} ({kind}: {rule})",
        )


def _check(report: dict[str, Any], check_id: str, ok: bool, detail: str) -> dict[str, Any]:
    return {
        "report": report["id"],
        "check_id": check_id,
        "scope": "audit",
        "ok": int(ok),
        "detail": detail,
    }


def run_audits(db: sqlite_utils.Database) -> dict[str, int]:
    """Replace every audit row and refresh ``reports.checks_failed``. Returns counts per audit."""
    chosen = _one_per_body_year(db)
    pairs = [
        (chosen[(body, year - 1)], row) for (body, year), row in chosen.items() if (body, year - 1) in chosen
    ]
    applications = _table_values(
        db, "applications", "row_key", ["carried_in", "carried_out"], [c.key for c in TABLE3_COLUMNS]
    )
    disclosure = _table_values(
        db, "active_disclosure", "row_key", rules()["t2_in_force"]["rows"], ["made", "repealed", "in_force"]
    )
    rows = [
        *_year_carry(pairs, applications),
        *_t2_in_force(pairs, disclosure),
        *_on_time(chosen.values()),
    ]
    with db.conn:
        db.execute("delete from checks where scope = 'audit'")
        db["checks"].insert_all(rows, batch_size=1000)
        db.execute(
            "update reports set checks_failed = "
            "(select count(*) from checks where checks.report = reports.id and checks.ok = 0)"
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["check_id"]] = counts.get(row["check_id"], 0) + 1
    return counts
