"""Synthetic records obey their own arithmetic, link across years, and break only
where they are told to."""

from __future__ import annotations

import json

import pytest
from nianbao.parse.form import (
    TABLE2,
    TABLE3_APPLICANTS,
    TABLE3_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    table3_rows,
)
from nianbao.replicas.synth import LEVEL_SCALE, report_series, synthetic_report

SPEC_KEYS = [
    "source",
    "sha256",
    "title",
    "organization",
    "year",
    "template",
    "sections",
    "active_disclosure",
    "applications",
    "review_litigation",
    "checks",
    "status",
    "errors",
]


def n(v: int | float | None) -> int | float:
    return 0 if v is None else v


def unbalanced_columns(t3: dict) -> list[str]:
    return [
        c.key
        for c in TABLE3_COLUMNS
        if n(t3["new_received"][c.key]) + n(t3["carried_in"][c.key])
        != n(t3["results_total"][c.key]) + n(t3["carried_out"][c.key])
    ]


def row_sum_failures(t3: dict) -> list[str]:
    return [k for k, row in t3.items() if sum(n(row[c.key]) for c in TABLE3_APPLICANTS) != n(row["total"])]


def results_sum_failures(t3: dict, template: str) -> list[str]:
    rows = [r.key for r in table3_rows(template) if r.result]
    return [
        c.key for c in TABLE3_COLUMNS if sum(n(t3[r][c.key]) for r in rows) != n(t3["results_total"][c.key])
    ]


def t4_failures(t4: dict) -> list[str]:
    parts = ("maintained", "corrected", "other", "pending")
    return [g for g, row in t4.items() if sum(n(row[k]) for k in parts) != n(row["total"])]


CASES = [(t, level, seed) for t in ("2021", "2019") for level in LEVEL_SCALE for seed in range(6)]


@pytest.mark.parametrize(("template", "level", "seed"), CASES[::3])
def test_balanced_record_passes_every_check(template: str, level: str, seed: int) -> None:
    r = synthetic_report(
        "测试县人民政府" if level != "department" else "测试县应急管理局",
        2022,
        template,
        seed=seed,
        level=level,
        blank_rate=0.2,
    )
    assert list(r) == SPEC_KEYS
    t3, t4 = r["applications"], r["review_litigation"]
    assert list(t3) == [row.key for row in table3_rows(template)]
    assert all(list(row) == [c.key for c in TABLE3_COLUMNS] for row in t3.values())
    assert list(t4) == [g.key for g in TABLE4_GROUPS]
    assert all(list(row) == [x.key for x in TABLE4_RESULTS] for row in t4.values())
    assert {k: list(v) for k, v in r["active_disclosure"].items()} == {
        row.key: [f.key for f in row.fields] for row in TABLE2[template]
    }
    assert unbalanced_columns(t3) == []
    assert row_sum_failures(t3) == []
    assert results_sum_failures(t3, template) == []
    assert t4_failures(t4) == []
    assert set(r["sections"]) == {"1", "2", "3", "4", "5", "6"} and all(r["sections"].values())
    assert (r["checks"], r["status"], r["errors"], r["source"], r["sha256"]) == ([], "ok", [], None, None)
    json.dumps(r)  # plain JSON


@pytest.mark.parametrize("seed", range(8))
def test_unbalanced_breaks_one_applicant_column_and_nothing_else(seed: int) -> None:
    r = synthetic_report("测试市市场监督管理局", 2023, seed=seed, balanced=False)
    t3 = r["applications"]
    broken = unbalanced_columns(t3)
    # One applicant column is off; total, which still sums its row, is off by as much.
    assert len(broken) == 2 and broken[1] == "total" and broken[0] in {c.key for c in TABLE3_APPLICANTS}
    assert row_sum_failures(t3) == [] and results_sum_failures(t3, "2021") == []
    assert t4_failures(r["review_litigation"]) == []
    fair = synthetic_report("测试市市场监督管理局", 2023, seed=seed)["applications"]
    changed = [(k, c) for k in t3 for c in t3[k] if t3[k][c] != fair[k][c]]
    assert changed == [("carried_out", broken[0]), ("carried_out", "total")]


def test_prose_numbers_agree_with_the_tables() -> None:
    r = synthetic_report("测试县交通运输局", 2023, seed=3)
    t3 = r["applications"]
    total = t3["new_received"]["total"]
    if total:
        assert f"新收政府信息公开申请{total}件" in r["sections"]["3"]
        assert f"予以公开{t3['granted']['total']}件" in r["sections"]["3"]
    nd = r["active_disclosure"]["normative_documents"]
    assert f"制发行政规范性文件{nd['made']}件" in r["sections"]["2"]
    assert f"现行有效{nd['in_force']}件" in r["sections"]["2"]
    review = r["review_litigation"]["review"]["total"]
    assert (f"行政复议{review}件" in r["sections"]["4"]) or (review == 0 and "未发生" in r["sections"]["4"])


def test_series_links_years_for_the_cross_report_audits() -> None:
    years = range(2017, 2025)
    series = report_series("测试县人民政府", years, seed=5, level="county", unbalanced=[2022], blank_rate=0.2)
    assert [r["year"] for r in series] == list(years)
    assert [r["template"] for r in series] == ["pre2019"] * 2 + ["2019"] * 2 + ["2021"] * 4
    for before, after in zip(series, series[1:], strict=False):
        if before["applications"] and after["applications"]:  # YEAR-CARRY
            assert after["applications"]["carried_in"] == before["applications"]["carried_out"]
        if before["template"] == after["template"] == "2021":  # T2-IN-FORCE
            for key in ("regulations", "normative_documents"):
                b, a = before["active_disclosure"][key], after["active_disclosure"][key]
                assert n(a["in_force"]) == n(b["in_force"]) + n(a["made"]) - n(a["repealed"])
    for r in series:
        if r["applications"]:
            assert bool(unbalanced_columns(r["applications"])) == (r["year"] == 2022)


def test_pre2019_is_prose_only() -> None:
    r = synthetic_report("测试县人民政府", 2015, "pre2019", seed=1, level="county")
    assert r["active_disclosure"] is r["applications"] is r["review_litigation"] is None
    assert r["template"] == "pre2019" and all(r["sections"][str(i)] for i in range(1, 7))


def test_same_seed_same_record_other_seed_other_numbers() -> None:
    a = synthetic_report("测试县应急管理局", 2023, seed=7)
    assert a == synthetic_report("测试县应急管理局", 2023, seed=7)
    others = [synthetic_report("测试县应急管理局", 2023, seed=s)["applications"] for s in range(8, 12)]
    assert any(o != a["applications"] for o in others)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"template": "2018"}, "unknown template"),
        ({"level": "village"}, "unknown level"),
        ({"blank_rate": 1.5}, "blank_rate"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synthetic_report("测试县应急管理局", 2023, seed=1, **kwargs)
