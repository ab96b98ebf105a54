"""The per-report arithmetic checks of the spec, each reported with its numbers.

A failed check is a finding about the report, not a parse error. A printed blank
(null) counts as 0 in a sum; a table that was not read cannot be checked, and the
check says so.
"""

from __future__ import annotations

from collections.abc import Callable

from nianbao.parse.form import TABLE3_APPLICANTS, TABLE3_COLUMNS, TABLE4_GROUPS, table3_rows

Check = dict[str, object]
Table = dict[str, dict[str, int | float | None]]
TABLE4_PARTS = ("maintained", "corrected", "other", "pending")  # add up to total


def _n(value: int | float | None) -> int | float:
    return 0 if value is None else value


def _fmt(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check(check_id: str, failures: list[str], passed: str) -> Check:
    if failures:
        return {"id": check_id, "ok": False, "detail": "; ".join(failures)}
    return {"id": check_id, "ok": True, "detail": passed}


def _unreadable(check_id: str, what: str) -> Check:
    return {"id": check_id, "ok": False, "detail": f"not checked: {what} not read"}


def _balance_failures(t3: Table) -> list[str]:
    failures = []
    for col in TABLE3_COLUMNS:
        a, b = _n(t3["new_received"][col.key]), _n(t3["carried_in"][col.key])
        c, d = _n(t3["results_total"][col.key]), _n(t3["carried_out"][col.key])
        if a + b != c + d:
            failures.append(
                f"{col.key}: {_fmt(a)}+{_fmt(b)}={_fmt(a + b)} ≠ {_fmt(c)}+{_fmt(d)}={_fmt(c + d)}"
            )
    return failures


def _row_sum_failures(t3: Table) -> list[str]:
    failures = []
    for key, row in t3.items():
        parts = sum(_n(row[c.key]) for c in TABLE3_APPLICANTS)
        if parts != _n(row["total"]):
            failures.append(f"{key}: applicants sum to {_fmt(parts)}, total says {_fmt(_n(row['total']))}")
    return failures


def _results_sum_failures(t3: Table, template: str) -> list[str]:
    result_rows = [r.key for r in table3_rows(template) if r.result]
    failures = []
    for col in TABLE3_COLUMNS:
        parts = sum(_n(t3[r][col.key]) for r in result_rows)
        if parts != _n(t3["results_total"][col.key]):
            failures.append(
                f"{col.key}: results sum to {_fmt(parts)}, 总计 says {_fmt(_n(t3['results_total'][col.key]))}"
            )
    return failures


def _group_sum_failures(t4: Table) -> list[str]:
    failures = []
    for group in TABLE4_GROUPS:
        g = t4[group.key]
        parts = sum(_n(g[k]) for k in TABLE4_PARTS)
        if parts != _n(g["total"]):
            failures.append(f"{group.key}: results sum to {_fmt(parts)}, total says {_fmt(_n(g['total']))}")
    return failures


# What the table readers ask when the text can be read more than one way: how far a
# reading is from the form's arithmetic (0: every rule holds).


def t3_row_mismatches(row: dict[str, int | float | None]) -> int:
    """T3-ROW-SUM on one row: 1 when its applicants do not add up to its total."""
    return len(_row_sum_failures({"row": row}))


def t3_column_mismatches(t3: Table, template: str) -> int:
    """T3-BALANCE and T3-RESULTS-SUM: the columns in which they fail."""
    return len(_balance_failures(t3)) + len(_results_sum_failures(t3, template))


def t4_mismatches(t4: Table) -> int:
    """T4-GROUP-SUM: the groups that do not add up."""
    return len(_group_sum_failures(t4))


def t3_balance(t3: Table) -> Check:
    """new_received + carried_in = results_total + carried_out, per column."""
    total = (
        t3["new_received"]["total"],
        t3["carried_in"]["total"],
        t3["results_total"]["total"],
        t3["carried_out"]["total"],
    )
    a, b, c, d = (_fmt(_n(x)) for x in total)
    return _check("T3-BALANCE", _balance_failures(t3), f"every column balances; total: {a}+{b} = {c}+{d}")


def t3_row_sum(t3: Table) -> Check:
    """The six applicant columns add up to total, per row."""
    return _check("T3-ROW-SUM", _row_sum_failures(t3), f"all {len(t3)} rows add up to their total")


def t3_results_sum(t3: Table, template: str) -> Check:
    """results_total = sum of the result rows, per column."""
    count = sum(1 for r in table3_rows(template) if r.result)
    return _check(
        "T3-RESULTS-SUM",
        _results_sum_failures(t3, template),
        f"{count} result rows add up to 总计 in every column",
    )


def t4_group_sum(t4: Table) -> Check:
    """maintained + corrected + other + pending = total, per group."""
    sums = [f"{g.key} {_fmt(sum(_n(t4[g.key][k]) for k in TABLE4_PARTS))}" for g in TABLE4_GROUPS]
    return _check("T4-GROUP-SUM", _group_sum_failures(t4), "every group adds up: " + ", ".join(sums))


def sections_present(sections: dict[str, str | None]) -> Check:
    missing = [k for k, v in sections.items() if v is None]
    return _check(
        "SECTIONS",
        [f"missing section(s) {', '.join(missing)}"] if missing else [],
        "all six sections present",
    )


def run_checks(
    record: dict, *, t3_read: bool, t4_read: bool, readings: dict[str, list[str]] | None = None
) -> list[Check]:
    """Every per-report check that applies to the record's template; a table that
    was not read completely is reported as not checked. ``readings``: by check id, the
    readings of ambiguous text that check chose, said in its detail."""
    if record["template"] not in ("2021", "2019"):
        return []
    t3, t4, template = record["applications"], record["review_litigation"], record["template"]
    t3_checks: list[tuple[str, Callable[[], Check]]] = [
        ("T3-BALANCE", lambda: t3_balance(t3)),
        ("T3-ROW-SUM", lambda: t3_row_sum(t3)),
        ("T3-RESULTS-SUM", lambda: t3_results_sum(t3, template)),
    ]
    checks = [run() if t3_read else _unreadable(cid, "table 3") for cid, run in t3_checks]
    checks.append(t4_group_sum(t4) if t4_read else _unreadable("T4-GROUP-SUM", "table 4"))
    checks.append(sections_present(record["sections"]))
    for check in checks:
        chosen = (readings or {}).get(str(check["id"]))
        if chosen:
            check["detail"] = f"{check['detail']} (read as: {'; '.join(chosen)})"
    return checks
