"""Pages a person reads (issue 8): the report as its form prints it, one issuing body
over the years, the demo-data banner, and a way in from the home page.

- the row page of ``reports`` (templates/row-nianbao-reports.html): tables 2–4 laid out
  as the printed form, in the form's order with its labels (``nianbao.parse.form``),
  blanks blank; every check with its verdict and numbers in Chinese;
- ``/-/body/<name>`` (templates/body.html): one body (the issuing body's name, as the
  audits compare reports) every year side by side, a chart, its failed checks and
  audits, its sources; ``/-/bodies`` lists the bodies (``?q=`` filters);
- ``nianbao_banner`` on every page (templates/base.html): synthetic or real, from
  ``reports.synthetic`` when the database has that column, nothing when it has not;
- a ``body`` cell links to the body's page.

Everything is read with plain SQL from the served database.
"""

from __future__ import annotations

import re
import weakref
from typing import Any
from urllib.parse import quote, unquote

from datasette import hookimpl
from datasette.utils import tilde_decode, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup, escape
from nianbao.parse.form import (
    SECTIONS,
    TABLE2,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    TABLE_STARTS,
    TEMPLATES,
    table3_rows,
)

FORM_NAMES = {
    "2021": "2021年版格式 · 2021 form",
    "2019": "2019年版格式 · 2019 form",
    "pre2019": "2019年以前的自由格式 · free form before 2019",
    "unknown": "未识别 · not recognised",
}
STATUS_NAMES = {
    "ok": "完整读出 · everything read",
    "partial": "部分读出 · something missing",
    "failed": "未能读出 · nothing usable",
}
KIND_NAMES = {
    "government": "人民政府",
    "department": "政府部门",
    "township": "乡镇、街道",
    "other": "其他机关",
}

# What each check compares, in the words of the form (its 勾稽关系) and of the regulation.
CHECKS: dict[str, tuple[str, str]] = {
    "T3-BALANCE": (
        "表三收支平衡",
        "第一项（本年新收）加第二项（上年结转）之和，等于第三项（办理结果总计）加第四项（结转下年度）之和",
    ),
    "T3-ROW-SUM": ("表三各行合计", "每行六类申请人之和等于总计"),
    "T3-RESULTS-SUM": ("表三办理结果合计", "（一）至（六）各项办理结果之和等于（七）总计"),
    "T4-GROUP-SUM": ("表四合计", "结果维持、结果纠正、其他结果、尚未审结之和等于总计"),
    "SECTIONS": ("六个章节", "报告包含条例规定的六个部分"),
    "YEAR-CARRY": ("跨年结转", "上年「结转下年度继续办理」等于本年「上年结转」"),
    "T2-IN-FORCE": ("表二现行有效件数", "上年现行有效件数 + 本年制发件数 − 本年废止件数 = 本年现行有效件数"),
    "ON-TIME": ("按时公布", "在条例规定的期限前公布"),
}
CHECK_ORDER = list(CHECKS)

_COLUMNS3 = {c.key: c.label for c in TABLE3_COLUMNS}
_ROWS3 = {r.key: r.label for r in TABLE3_ROWS}
_ROW3_ORDER = {r.key: i for i, r in enumerate(TABLE3_ROWS)}
_GROUPS4 = {g.key: g.label for g in TABLE4_GROUPS}
_ROWS2 = {row.key: row.label for rows in reversed(TABLE2.values()) for row in rows}  # 2021 labels win
_MADE = {f.key: f.label for row in TABLE2["2021"] for f in row.fields}
_SECTION_HEADINGS = {str(s.number): s.heading for s in SECTIONS}
_TABLE_NAMES = {"table 2": "表二", "table 3": "表三", "table 4": "表四"}
_DIGITS = "零一二三四五六七八九"


_configs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _config(datasette) -> dict:
    # Datasette rebuilds the plugin's configuration from the metadata on every call (a
    # deep copy): too slow for a hook that runs on each cell. The metadata never changes.
    if datasette not in _configs:
        _configs[datasette] = datasette.plugin_config("nianbao") or {}
    return _configs[datasette]


def _database_name(datasette) -> str:
    return _config(datasette).get("database", "nianbao")


def _number(value: int | float | None) -> str:
    """A cell as printed: blank stays blank; 12.0 is 12; decimals kept."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _chinese_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def body_path(datasette, name: str) -> str:
    return datasette.urls.path("/-/body/" + quote(name, safe=""))


# --- Checks in Chinese ----------------------------------------------------------------


def _label(key: str, check_id: str, form: str | None) -> str:
    if check_id == "T3-ROW-SUM":
        return _ROWS3.get(key, key)
    if check_id == "T4-GROUP-SUM":
        return _GROUPS4.get(key, key)
    if check_id == "T2-IN-FORCE":
        rows = {row.key: row.label for row in TABLE2.get(form or "", ())}
        return rows.get(key) or _ROWS2.get(key, key)
    return _COLUMNS3.get(key) or _ROWS3.get(key) or _GROUPS4.get(key) or key


def _rule_zh(rule: str) -> str:
    rule = rule.replace(
        "art. 49 sets no date below county level; the government date",
        "第四十九条未规定县级以下机关的期限，按人民政府的期限",
    )
    rule = re.sub(r"2007 text art\. (\d+)", lambda m: f"2007年条例第{_chinese_number(int(m[1]))}条", rule)
    return re.sub(
        r"art\. (\d+) ¶(\d+)",
        lambda m: f"第{_chinese_number(int(m[1]))}条第{_chinese_number(int(m[2]))}款",
        rule,
    )


def _part_zh(part: str, check_id: str, form: str | None) -> str:
    """One finding of a check's detail (``key: numbers …``) in Chinese, numbers unchanged."""
    m = re.fullmatch(r"(\w+): (.*)", part, re.S)
    if not m:
        return part
    label, rest = _label(m[1], check_id, form), m[2]
    if n := re.fullmatch(r"applicants sum to (\S+), total says (\S+)", rest):
        rest = f"六类申请人合计 {n[1]}，总计栏为 {n[2]}"
    elif n := re.fullmatch(r"results sum to (\S+), 总计 says (\S+)", rest):
        rest = f"各项办理结果合计 {n[1]}，（七）总计为 {n[2]}"
    elif n := re.fullmatch(r"results sum to (\S+), total says (\S+)", rest):
        rest = f"各项结果合计 {n[1]}，总计栏为 {n[2]}"
    elif n := re.fullmatch(r"(\S+) carried out of (\d{4}) ≠ (\S+) carried in", rest):
        rest = f"{n[2]}年结转下年度 {n[1]} ≠ 本年上年结转 {n[3]}"
    elif n := re.fullmatch(r"(\S+) \+ (\S+) − (\S+) = (\S+), printed (\S+)", rest):
        rest = (
            f"上年{_MADE['in_force']} {n[1]} + {_MADE['made']} {n[2]} − {_MADE['repealed']} {n[3]}"
            f" = {n[4]}，报告为 {n[5]}"
        )
    return f"{label}：{rest}"


def check_zh(check_id: str, ok: int | None, detail: str | None, form: str | None = None) -> str:
    """A check's detail in Chinese, with its numbers; an unknown wording is kept as recorded."""
    detail = detail or ""
    if m := re.fullmatch(r"not checked: (.+) not read", detail):
        return f"未核对：{_TABLE_NAMES.get(m[1], m[1])}未读出"
    if m := re.fullmatch(r"every column balances; total: (.+)", detail):
        return f"各列均平衡；总计：{m[1]}"
    if m := re.fullmatch(r"all (\d+) rows add up to their total", detail):
        return f"全部 {m[1]} 行六类申请人之和均等于总计"
    if m := re.fullmatch(r"(\d+) result rows add up to 总计 in every column", detail):
        return f"{m[1]} 项办理结果之和在各列均等于（七）总计"
    if m := re.fullmatch(r"every group adds up: (.*)", detail):
        groups = [p.rsplit(" ", 1) for p in m[1].split(", ")]
        return "各组均相符：" + "，".join(
            f"{_GROUPS4.get(g[0], g[0])} {g[1] if len(g) > 1 else ''}".strip() for g in groups
        )
    if detail == "all six sections present":
        return "六个部分齐全"
    if m := re.fullmatch(r"missing section\(s\) (.+)", detail):
        return "缺少：" + "；".join(_SECTION_HEADINGS.get(n, n) for n in m[1].split(", "))
    if m := re.fullmatch(r"carried_out (\d{4}) = carried_in (\d{4}) in (\d+) columns", detail):
        return f"{m[1]}年结转下年度 = {m[2]}年上年结转（{m[3]} 列一致）"
    if m := re.fullmatch(r"published (\S+), due (\S+) \((\w+): (.*)\)", detail, re.S):
        kind = KIND_NAMES.get(m[3], m[3])
        return f"发布于 {m[1]}，应于 {m[2]} 前公布（{kind}：{_rule_zh(m[4])}）"
    return "；".join(_part_zh(part, check_id, form) for part in detail.split("; "))


def verdict(check_id: str, ok: int | None, detail: str | None) -> tuple[str, str]:
    """(verdict in Chinese, css class)."""
    if ok:
        return "通过 ✓", "ok"
    if (detail or "").startswith("not checked"):
        return "未核对", "unchecked"
    if ok is None:
        return "无法判断", "unchecked"
    if check_id == "ON-TIME":
        return "逾期 ✗", "failed"
    return "未通过 ✗", "failed"


def check_view(row: dict, form: str | None = None) -> dict[str, Any]:
    check_id = row["check_id"]
    name, rule = CHECKS.get(check_id, (check_id, ""))
    text, css = verdict(check_id, row["ok"], row["detail"])
    return {
        "id": check_id,
        "name": name,
        "rule": rule,
        "scope": "跨年度核对" if row.get("scope") == "audit" else "表内核对",
        "verdict": text,
        "css": css,
        "ok": row["ok"],
        "text": check_zh(check_id, row["ok"], row["detail"], form),
        "detail": row["detail"],
    }


def _check_rank(check_id: str) -> int:
    return CHECK_ORDER.index(check_id) if check_id in CHECK_ORDER else len(CHECK_ORDER)


# --- The form's tables ----------------------------------------------------------------


def table2_blocks(form: str, rows: dict[str, dict]) -> list[dict[str, Any]]:
    """Table 2 as printed: one block per 第二十条 item (rows sharing their columns)."""
    blocks: list[dict[str, Any]] = []
    for row in TABLE2.get(form, ()):
        keys = tuple(f.key for f in row.fields)
        if not blocks or blocks[-1]["article"] != row.article or blocks[-1]["keys"] != keys:
            blocks.append(
                {"article": row.article, "keys": keys, "headers": [f.label for f in row.fields], "rows": []}
            )
        values = rows.get(row.key)
        blocks[-1]["rows"].append(
            {
                "key": row.key,
                "label": row.label,
                "read": values is not None,
                "cells": [_number((values or {}).get(k)) for k in keys],
            }
        )
    return blocks


def table3_grid(form: str, rows: dict[str, dict]) -> list[dict[str, Any]]:
    """Table 3 as printed: the row labels in up to three columns, the merged group
    cells (三、本年度办理结果, （三）不予公开 …) spanning their rows."""
    form_rows = table3_rows(form)
    groups = [r.group.split("|") if r.group else [] for r in form_rows]

    def run(i: int, depth: int) -> int:
        prefix = groups[i][: depth + 1]
        n = 1
        while i + n < len(form_rows) and groups[i + n][: depth + 1] == prefix:
            n += 1
        return n

    out = []
    for i, row in enumerate(form_rows):
        heads = []  # (text, rowspan, colspan)
        label, colspan = row.label, 3 - len(groups[i])
        for depth in range(len(groups[i])):
            starts = i == 0 or groups[i - 1][: depth + 1] != groups[i][: depth + 1]
            span = run(i, depth)
            if depth == len(groups[i]) - 1 and depth > 0 and starts and span == 1:
                # A group of one row prints as that row (2019: （六）其他处理).
                label, colspan = groups[i][depth], colspan + 1
                break
            if starts:
                heads.append({"text": groups[i][depth], "rowspan": span})
        values = rows.get(row.key)
        out.append(
            {
                "key": row.key,
                "heads": heads,
                "label": label,
                "colspan": colspan,
                "read": values is not None,
                "cells": [_number((values or {}).get(c.key)) for c in TABLE3_COLUMNS],
                "total": row.key in ("results_total",) or not row.group,
            }
        )
    return out


def table4_view(groups: dict[str, dict]) -> dict[str, Any]:
    return {
        "groups": [g.label for g in TABLE4_GROUPS],
        "results": [r.label for r in TABLE4_RESULTS],
        "read": bool(groups),
        "cells": [
            _number((groups.get(g.key) or {}).get(r.key)) for g in TABLE4_GROUPS for r in TABLE4_RESULTS
        ],
    }


# --- Data -------------------------------------------------------------------------------

_columns_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _report_columns(datasette, database: str) -> set[str]:
    cached = _columns_cache.setdefault(datasette, {})
    if database not in cached:
        try:
            db = datasette.get_database(database)
            cached[database] = set(await db.table_columns("reports"))
        except Exception:  # no such database or table
            cached[database] = set()
    return cached[database]


async def _query(datasette, database: str, sql: str, params=None) -> list[dict[str, Any]]:
    result = await datasette.get_database(database).execute(sql, params or [])
    return [dict(row) for row in result.rows]


async def report_page(datasette, database: str, report_id: int) -> dict[str, Any] | None:
    found = await _query(datasette, database, "select * from reports where id = ?", [report_id])
    if not found:
        return None
    report = found[0]
    form = report.get("form") or "unknown"
    t2 = {
        r["row_key"]: r
        for r in await _query(
            datasette, database, "select * from active_disclosure where report = ?", [report_id]
        )
    }
    t3 = {
        r["row_key"]: r
        for r in await _query(datasette, database, "select * from applications where report = ?", [report_id])
    }
    t4 = {
        r["group_key"]: r
        for r in await _query(
            datasette, database, "select * from review_litigation where report = ?", [report_id]
        )
    }
    checks = await _query(
        datasette, database, "select check_id, scope, ok, detail from checks where report = ?", [report_id]
    )
    checks.sort(key=lambda c: (c["scope"] == "audit", _check_rank(c["check_id"])))
    others = []
    if report.get("body"):
        others = await _query(
            datasette,
            database,
            "select id, year, title, form, status, checks_failed from reports "
            "where body = ? order by year, sha256",
            [report["body"]],
        )
    source = None
    if report.get("source_id"):
        rows = await _query(datasette, database, "select * from sources where id = ?", [report["source_id"]])
        source = rows[0] if rows else {"id": report["source_id"]}
    fixed = form in TEMPLATES
    other_rows = []
    if not fixed:  # a free-form report: whatever rows were read, in the form's order
        other_rows = sorted(t3.values(), key=lambda r: _ROW3_ORDER.get(r["row_key"], len(_ROW3_ORDER)))
    return {
        "report": report,
        "sha": report["sha256"],
        "form": form,
        "form_name": FORM_NAMES.get(form, form),
        "status_name": STATUS_NAMES.get(report.get("status"), report.get("status")),
        "fixed_form": fixed,
        "table2": table2_blocks(form, t2) if fixed else [],
        "table2_read": bool(t2),
        "table2_width": max((len(row.fields) for row in TABLE2.get(form, ())), default=1),
        "headings": {s.number: s.heading for s in SECTIONS},
        "table2_first_header": TABLE_STARTS[2][-1] if TABLE_STARTS.get(2) else "",
        "table3": table3_grid(form, t3) if fixed else [],
        "table3_read": bool(t3),
        "table3_columns": [c.label for c in TABLE3_COLUMNS],
        "table3_free": [
            {
                "label": _ROWS3.get(r["row_key"], r["row_key"]),
                "cells": [_number(r.get(c.key)) for c in TABLE3_COLUMNS],
            }
            for r in other_rows
        ],
        "table4": table4_view(t4),
        "checks": [check_view(c, form) for c in checks],
        "failed": sum(1 for c in checks if verdict(c["check_id"], c["ok"], c["detail"])[1] == "failed"),
        "others": [
            {**o, "href": datasette.urls.row(database, "reports", o["id"]), "current": o["id"] == report_id}
            for o in others
        ],
        "body_href": body_path(datasette, report["body"]) if report.get("body") else None,
        "source": source,
        "source_href": datasette.urls.row(database, "sources", report["source_id"])
        if report.get("source_id")
        else None,
        "archived_href": datasette.urls.path(report["archived_copy"])
        if report.get("archived_copy")
        else None,
        "original_url": report["source_url"]
        if (report.get("source_url") or "").startswith(("http://", "https://"))
        else None,
    }


# --- The banner ---------------------------------------------------------------------------

DEMO = "演示数据：数字为合成，非真实 · Demo data: synthetic numbers"
REAL = "真实报告 · Real report"

_counts_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def synthetic_counts(datasette, database: str) -> dict[str, int] | None:
    """Reports by ``synthetic`` (synthetic, real, unknown), or None without the column."""
    if "synthetic" not in await _report_columns(datasette, database):
        return None
    cached = _counts_cache.setdefault(datasette, {})
    if database not in cached:
        rows = await _query(
            datasette, database, "select synthetic, count(*) as n from reports group by synthetic"
        )
        counts = {"synthetic": 0, "real": 0, "unknown": 0}
        for row in rows:
            key = {1: "synthetic", 0: "real"}.get(row["synthetic"], "unknown")
            counts[key] += row["n"]
        cached[database] = counts
    return cached[database]


def banner_for(values: list[int | None], datasette=None, database: str = "nianbao") -> dict | None:
    """The banner for a page that shows these reports' numbers (their ``synthetic`` values)."""
    synthetic = sum(1 for v in values if v == 1)
    real = sum(1 for v in values if v == 0)
    if not values or synthetic == real == 0:
        return None
    if synthetic and not real:
        return {"css": "demo", "text": DEMO}
    if real and not synthetic:
        return {"css": "real", "text": REAL if len(values) == 1 else f"{REAL}（{real} 份 · {real} reports）"}
    return {
        "css": "demo",
        "text": f"{DEMO}：{synthetic} 份合成，{real} 份真实 · {synthetic} synthetic, {real} real",
    }


async def site_banner(datasette, database: str) -> dict | None:
    counts = await synthetic_counts(datasette, database)
    if not counts or not counts["synthetic"]:
        return None
    table = datasette.urls.table(database, "reports")
    return {
        "css": "demo",
        "text": f"演示数据：本库 {counts['synthetic']} 份报告的数字为合成，非真实；{counts['real']} 份为真实报告 · "
        f"Demo data: {counts['synthetic']} reports have synthetic numbers, {counts['real']} are real",
        "links": [
            ("合成 · synthetic", f"{table}?synthetic=1"),
            ("真实 · real", f"{table}?synthetic=0"),
        ],
    }


# --- Hooks --------------------------------------------------------------------------------------


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        name = database or _database_name(datasette)
        if name not in datasette.databases:
            return {}
        out: dict[str, Any] = {}
        banner = await site_banner(datasette, name)
        if view_name == "row" and table == "reports" and request is not None:
            pks = urlsafe_components(request.url_vars.get("pks", ""))
            page = (
                await report_page(datasette, name, int(pks[0]))
                if len(pks) == 1 and pks[0].isdigit()
                else None
            )
            if page is not None:
                out["report_page"] = page
                if "synthetic" in page["report"]:
                    banner = banner_for([page["report"]["synthetic"]])
        if view_name == "index":
            out["nianbao_bodies"] = await bodies(datasette, name, limit=30)
            out["nianbao_bodies_href"] = datasette.urls.path("/-/bodies")
        out["nianbao_banner"] = banner
        return out

    return inner


@hookimpl
def render_cell(value, column, table, database, datasette):
    """An issuing body's name links to its page."""
    if column == "body" and isinstance(value, str) and value and database == _database_name(datasette):
        return Markup(f'<a href="{escape(body_path(datasette, value))}">{escape(value)}</a>')
    return None


@hookimpl
def register_routes():
    return [
        (r"^/-/body/(?P<name>[^/]+)$", body_route),
        (r"^/-/bodies$", bodies_route),
    ]


async def bodies(datasette, database: str, *, q: str = "", limit: int | None = None) -> list[dict]:
    """Issuing bodies, those with the most years first (from the ``bodies`` summary the
    build writes; at most ``limit``)."""
    sql = (
        "select body, province, city, years, reports, first, last, failing from bodies"
        + (" where body like '%' || ? || '%'" if q else "")
        + " order by years desc, reports desc, body"
        + (f" limit {int(limit)}" if limit else "")
    )
    rows = await _query(datasette, database, sql, [q] if q else [])
    for row in rows:
        row["href"] = body_path(datasette, row["body"])
    return rows


# /-/bodies lists at most this many (a million reports have some 170,000 bodies): ?q= narrows.
BODIES_LISTED = 1000


async def bodies_route(datasette, request):
    database = _database_name(datasette)
    q = (request.args.get("q") or "").strip()
    rows = await bodies(datasette, database, q=q, limit=BODIES_LISTED + 1)
    more = len(rows) > BODIES_LISTED
    rows = rows[:BODIES_LISTED]
    by_province: dict[str, list[dict]] = {}
    for row in rows:
        by_province.setdefault(row["province"] or "地区未知 · region unknown", []).append(row)
    return Response.html(
        await datasette.render_template(
            "bodies.html",
            {"q": q, "bodies": rows, "more": more, "by_province": by_province, "database": database},
            request=request,
        )
    )


HEADLINES = (
    # (label from the form, table, key, column)
    (_ROWS3["new_received"], "applications", "new_received", "total"),
    (_ROWS3["carried_in"], "applications", "carried_in", "total"),
    (_ROWS3["granted"], "applications", "granted", "total"),
    (_ROWS3["results_total"], "applications", "results_total", "total"),
    (_ROWS3["carried_out"], "applications", "carried_out", "total"),
    *(
        (f"{g.label}（{TABLE4_RESULTS[-1].label}）", "review_litigation", g.key, "total")
        for g in TABLE4_GROUPS
    ),
)


async def body_route(datasette, request):
    database = _database_name(datasette)
    raw = request.url_vars["name"]
    # Percent-encoded as linked, or tilde-encoded as Datasette rewrites such paths.
    name = unquote(raw) if "%" in raw or "~" not in raw else tilde_decode(raw)
    columns = await _report_columns(datasette, database)
    extra = ", synthetic" if "synthetic" in columns else ""
    reports = await _query(
        datasette,
        database,
        "select id, sha256, title, year, form, status, checks_failed, published, source_id, source_url, "
        f"archived_copy{extra} from reports where body = ? order by year is null, year, sha256",
        [name],
    )
    if not reports:
        # Answered here: a NotFound would send Datasette into its %-to-~ redirect.
        error = f"没有该机关的报告 · No reports by {name}"
        return Response.html(
            await datasette.render_template(
                "error.html", {"title": "404", "error": error, "status": 404}, request=request
            ),
            status=404,
        )
    ids = [r["id"] for r in reports]
    marks = ", ".join("?" for _ in ids)
    values: dict[tuple[str, str, str], Any] = {}
    for table, key in (("applications", "row_key"), ("review_litigation", "group_key")):
        sql = f"select report, {key} as k, total from {table} where report in ({marks})"
        for row in await _query(datasette, database, sql, ids):
            values[(row["report"], table, row["k"])] = row["total"]
    for r in reports:
        r["href"] = datasette.urls.row(database, "reports", r["id"])
        r["form_name"] = FORM_NAMES.get(r["form"], r["form"])
        r["status_name"] = STATUS_NAMES.get(r["status"], r["status"])
    figures = [
        {"label": label, "cells": [_number(values.get((r["id"], table, key))) for r in reports]}
        for label, table, key, _ in HEADLINES
    ]
    forms = {r["id"]: r["form"] for r in reports}
    checks = await _query(
        datasette,
        database,
        "select c.report, r.year, c.check_id, c.scope, c.ok, c.detail from checks c "
        f"join reports r on r.id = c.report where c.report in ({marks}) "
        "and (c.ok = 0 or c.scope = 'audit') order by r.year, c.report",
        ids,
    )
    checks.sort(key=lambda c: (c["year"] or 0, c["scope"] == "audit", _check_rank(c["check_id"])))
    check_rows = [
        {
            **check_view(c, forms.get(c["report"])),
            "year": c["year"],
            "href": datasette.urls.row(database, "reports", c["report"]),
        }
        for c in checks
    ]
    source_ids = sorted({r["source_id"] for r in reports if r["source_id"]})
    sources = []
    if source_ids:
        sources = await _query(
            datasette,
            database,
            f"select * from sources where id in ({', '.join('?' for _ in source_ids)}) order by id",
            source_ids,
        )
        for s in sources:
            s["href"] = datasette.urls.row(database, "sources", s["id"])
    chart = bar_chart(
        [str(r["year"] or "?") for r in reports],
        [
            (
                _ROWS3["new_received"],
                [values.get((r["id"], "applications", "new_received")) for r in reports],
            ),
            (_ROWS3["granted"], [values.get((r["id"], "applications", "granted")) for r in reports]),
        ],
    )
    banner = banner_for([r["synthetic"] for r in reports]) if extra else None
    # Where the body is and what kind it is: as its latest report says.
    rows = await _query(
        datasette,
        database,
        "select province, city, county, level, body_kind from reports where id = ?",
        [reports[-1]["id"]],
    )
    region = rows[0] if rows else None
    if region and region.get("body_kind"):
        region["body_kind"] = (
            f"{KIND_NAMES.get(region['body_kind'], region['body_kind'])} {region['body_kind']}"
        )
    return Response.html(
        await datasette.render_template(
            "body.html",
            {
                "name": name,
                "reports": reports,
                "figures": figures,
                "checks": check_rows,
                "failed": sum(1 for c in check_rows if c["css"] == "failed"),
                "sources": sources,
                "original_urls": [
                    (r["year"], r["source_url"])
                    for r in reports
                    if (r["source_url"] or "").startswith(("http://", "https://"))
                ],
                "chart": chart,
                "body_banner": banner,
                "has_synthetic": bool(extra),
                "region": region,
                "database": database,
                "reports_href": datasette.urls.table(database, "reports") + "?body=" + quote(name),
            },
            request=request,
        )
    )


def bar_chart(labels: list[str], series: list[tuple[str, list[int | float | None]]]) -> Markup:
    """A small grouped bar chart as inline SVG: one group per year, a bar per series;
    a blank (null) is no bar."""
    colours = ("#2b6cb0", "#dd6b20", "#38a169")
    numbers = [v for _, values in series for v in values if v is not None]
    if not labels or not numbers:
        return Markup("")
    top = max(max(numbers), 1)
    group_w, bar_w, height, left, bottom, top_pad = 24 * len(series) + 28, 22, 180, 40, 30, 36
    width = max(left + group_w * len(labels) + 10, left + 200 * len(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nianbao-chart" role="img" width="{width}" '
        f'height="{height + bottom + top_pad}" viewBox="0 0 {width} {height + bottom + top_pad}" '
        'font-family="sans-serif" font-size="11">'
    ]
    for i, (name, _) in enumerate(series):  # legend
        x = left + i * 200
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colours[i % 3]}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{escape(name)}</text>')
    base = top_pad + height
    parts.append(f'<line x1="{left - 4}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#999"/>')
    for g, label in enumerate(labels):
        x0 = left + g * group_w + 8
        for i, (_, values) in enumerate(series):
            value = values[g]
            if value is None:
                continue
            h = round(height * value / top) if value > 0 else 0
            x = x0 + i * (bar_w + 2)
            parts.append(
                f'<rect x="{x}" y="{base - h}" width="{bar_w}" height="{h}" fill="{colours[i % 3]}">'
                f"<title>{escape(label)} {escape(series[i][0])}: {escape(_number(value))}</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar_w / 2}" y="{base - h - 3}" text-anchor="middle">{escape(_number(value))}</text>'
            )
        parts.append(
            f'<text x="{x0 + (bar_w + 2) * len(series) / 2}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
