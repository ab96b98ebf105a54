"""Synthetic annual reports whose correct record is known.

A synthetic report is the spec's record (../shared/spec/report-format.md) with
seeded random numbers that obey the form's own arithmetic (T3-BALANCE, T3-ROW-SUM,
T3-RESULTS-SUM, T4-GROUP-SUM) and prose written from phrase templates whose numbers
agree with the tables. The renderers in ``replicas.render`` print it as HTML, text,
PDF, DOCX or a scan; the parser must read the record back.

Sections 2–4 of the fixed forms hold the prose printed *before* their table; the
table itself is in ``active_disclosure`` / ``applications`` / ``review_litigation``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from nianbao.parse.form import (
    TABLE2,
    TABLE3_APPLICANTS,
    TABLE3_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    table3_rows,
)

Table = dict[str, dict[str, int | float | None]]

# Free-form reports before the 2019 form mostly followed the 2008 regulation's outline.
PRE2019_HEADINGS = (
    "一、概述",
    "二、主动公开政府信息情况",
    "三、政府信息依申请公开情况",
    "四、政府信息公开的收费及减免情况",
    "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
    "六、政府信息公开工作存在的主要问题及改进措施",
)

# How many requests a body of each level gets, relative to a department.
LEVEL_SCALE = {
    "department": 1,
    "township": 1,
    "district": 5,
    "county": 5,
    "government": 5,
    "city": 15,
    "province": 40,
}
GOVERNMENT_LEVELS = frozenset(LEVEL_SCALE) - {"department"}

# How a result row's share of the requests is weighted (most are granted or not held).
_RESULT_WEIGHTS = {
    "granted": 45,
    "partially_granted": 8,
    "denied_state_secret": 0.3,
    "denied_prohibited_by_law": 0.5,
    "denied_security_stability": 0.3,
    "denied_third_party": 1,
    "denied_internal_affairs": 1.5,
    "denied_process_info": 1.5,
    "denied_enforcement_files": 0.5,
    "denied_query_matter": 0.7,
    "unavailable_not_held": 20,
    "unavailable_needs_creation": 3,
    "unavailable_unclear": 2,
    "rejected_complaint": 3,
    "rejected_duplicate": 2,
    "rejected_publication": 0.7,
    "rejected_excessive": 0.5,
    "rejected_confirmation": 0.7,
    "other_no_correction": 2,
    "other_unpaid_fee": 0.3,
    "other_other": 3,
}


def template_for_year(year: int) -> str:
    """The form a report for ``year`` is written in."""
    if year >= 2021:
        return "2021"
    if year >= 2019:
        return "2019"
    return "pre2019"


def synthetic_report(
    organization: str,
    year: int,
    template: str = "2021",
    *,
    seed: int,
    balanced: bool = True,
    level: str = "department",
    blank_rate: float = 0.0,
    long_prose: bool = False,
    carried_in: dict[str, int | None] | None = None,
    in_force: dict[str, int] | None = None,
) -> dict:
    """One report's record. ``blank_rate`` is the share of zero cells printed blank
    (null in the record); ``carried_in`` (table 3's row, all seven columns) and
    ``in_force`` (table 2's 现行有效件数 of last year, by row) continue a series."""
    record, _ = _report(
        organization,
        year,
        template,
        seed=seed,
        balanced=balanced,
        level=level,
        blank_rate=blank_rate,
        long_prose=long_prose,
        carry=_Carry(carried_in, dict(in_force or {})),
    )
    return record


def report_series(
    organization: str,
    years: Iterable[int],
    *,
    seed: int,
    level: str = "department",
    unbalanced: Iterable[int] = (),
    blank_rate: float = 0.0,
    templates: dict[int, str] | None = None,
) -> list[dict]:
    """One body's reports over ``years`` (ascending), linked as the cross-report audits
    expect: carried_out of year N is carried_in of N+1 (YEAR-CARRY) and, in the 2021
    form, in_force carries over (T2-IN-FORCE). Years in ``unbalanced`` break T3-BALANCE."""
    unbalanced = set(unbalanced)
    carry = _Carry(None, {})
    records = []
    for year in sorted(years):
        template = (templates or {}).get(year, template_for_year(year))
        record, carry = _report(
            organization,
            year,
            template,
            seed=seed,
            balanced=year not in unbalanced,
            level=level,
            blank_rate=blank_rate,
            long_prose=False,
            carry=carry,
        )
        records.append(record)
    return records


# --- building one report -------------------------------------------------------------


class _Carry:
    """What one year's report hands to the next."""

    def __init__(self, carried_in: dict[str, int | None] | None, in_force: dict[str, int]) -> None:
        self.carried_in = carried_in
        self.in_force = in_force


def _report(
    organization: str,
    year: int,
    template: str,
    *,
    seed: int,
    balanced: bool,
    level: str,
    blank_rate: float,
    long_prose: bool,
    carry: _Carry,
) -> tuple[dict, _Carry]:
    if template not in ("2021", "2019", "pre2019"):
        raise ValueError(f"unknown template {template!r}: expected '2021', '2019' or 'pre2019'")
    if level not in LEVEL_SCALE:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVEL_SCALE)}")
    if not 0.0 <= blank_rate <= 1.0:
        raise ValueError(f"blank_rate must lie in [0, 1], got {blank_rate}")
    rng = random.Random(f"{seed}|{organization}|{year}|{template}")
    scale = LEVEL_SCALE[level]
    we = _we(organization, level)
    record: dict = {
        "source": None,
        "sha256": None,
        "title": f"{organization}{year}年政府信息公开工作年度报告",
        "organization": organization,
        "year": year,
        "template": template,
        "sections": {},
        "active_disclosure": None,
        "applications": None,
        "review_litigation": None,
        "checks": [],
        "status": "ok",
        "errors": [],
    }
    if template == "pre2019":
        record["sections"] = _pre2019_sections(rng, we, year, scale, long_prose)
        return record, _Carry(None, carry.in_force)

    t2, in_force = _table2(rng, template, level, carry.in_force)
    t3 = _table3(rng, template, scale, carry.carried_in)
    if not balanced:
        _unbalance(rng, t3)
    t4 = _table4(rng, scale)
    _blank_zeros(rng, blank_rate, t2, t3, t4, keep_carried_in=carry.carried_in is not None)
    record["active_disclosure"], record["applications"], record["review_litigation"] = t2, t3, t4
    record["sections"] = _sections(rng, we, year, template, t2, t3, t4, long_prose)
    return record, _Carry(dict(t3["carried_out"]), in_force)


def _we(organization: str, level: str) -> str:
    """How the body names itself in its own report: 我局, 我县, 本单位 …"""
    if level in GOVERNMENT_LEVELS:
        place = re.sub(r"人民政府.*$", "", organization)
        for suffix, word in (("街道办事处", "本街道"), ("街道", "本街道")):
            if organization.endswith(suffix):
                return word
        if place and place[-1] in "省市县区镇乡旗":
            return "我" + place[-1]
        return "本级政府"
    for ending, word in (
        ("局", "我局"),
        ("委员会", "我委"),
        ("委", "我委"),
        ("办公室", "我办"),
        ("厅", "我厅"),
    ):
        if organization.endswith(ending):
            return word
    return "本单位"


def _n(value: int | float | None) -> int | float:
    return 0 if value is None else value


def _table2(
    rng: random.Random, template: str, level: str, in_force: dict[str, int]
) -> tuple[Table, dict[str, int]]:
    government = level in GOVERNMENT_LEVELS
    makes_rules = level in ("city", "province")  # only they may make 规章
    t2: Table = {}
    next_in_force = dict(in_force)
    for row in TABLE2[template]:
        values: dict[str, int | float | None] = {}
        if template == "2021" and row.key in ("regulations", "normative_documents"):
            if row.key == "regulations" and not makes_rules:
                made = repealed = before = 0
            else:
                top = 30 if government else 6
                if row.key == "regulations":
                    top = 4
                made = rng.randint(0, top)
                before = in_force.get(row.key, rng.randint(made, 10 * top + 5))
                repealed = rng.randint(0, min(before, max(1, top // 3)))
            values = {"made": made, "repealed": repealed, "in_force": before + made - repealed}
            next_in_force[row.key] = before + made - repealed
        elif template == "2021" and row.key == "fees":
            values = {"amount": _money(rng, 0.5, 800)}
        elif template == "2021":
            values = {"decisions": _decisions(rng, row.key, government)}
        elif row.key in ("regulations", "normative_documents"):
            made = (
                0 if row.key == "regulations" and not makes_rules else rng.randint(0, 25 if government else 5)
            )
            published = made - rng.randint(0, min(made, 1))
            earlier = 0 if row.key == "regulations" and not makes_rules else rng.randint(0, 120)
            values = {"new_made": made, "new_published": published, "total_published": published + earlier}
        elif row.key == "procurement":
            items = rng.randint(0, 40)
            values = {"items": items, "amount": _money(rng, 1, 5000) if items else 0}
        else:
            previous = rng.randint(0, 120 if government else 30)
            values = {"previous": previous, "change": rng.randint(-min(previous, 5), 5)}
            if row.key != "fees":
                values["decisions"] = _decisions(rng, row.key, government)
        t2[row.key] = {f.key: values[f.key] for f in row.fields}
    return t2, next_in_force


def _money(rng: random.Random, low: float, high: float) -> int | float:
    if rng.random() < 0.4:
        return 0
    return round(rng.uniform(low, high), 2)


def _decisions(rng: random.Random, key: str, government: bool) -> int:
    top = {"licensing": 6000, "punishment": 2500, "coercion": 60}.get(key, 500)
    if not government:
        top //= 5
    return 0 if rng.random() < 0.2 else rng.randint(1, top)


def _table3(rng: random.Random, template: str, scale: int, carried_in: dict[str, int | None] | None) -> Table:
    rows = table3_rows(template)
    result_keys = [r.key for r in rows if r.result]
    weights = [
        _RESULT_WEIGHTS[k] * (2 if template == "2019" and k == "other_other" else 1) for k in result_keys
    ]
    quiet = rng.random() < 0.15  # a body that received no request this year
    tops = {
        "natural_person": 25 * scale,
        "commercial_enterprise": 4 * scale,
        "research_institution": 1,
        "social_welfare_org": 1,
        "legal_service_org": scale,
        "other_org": 2,
    }
    t3: Table = {r.key: {} for r in rows}
    for col in TABLE3_APPLICANTS:
        new = 0 if quiet else _skewed(rng, tops[col.key])
        if carried_in is not None:
            cin = carried_in.get(col.key)
        else:
            cin = rng.choice((0, 0, 0, 1, 2)) if new > 3 else 0
        available = new + _n(cin)
        out = rng.randint(0, available // 8) if available else 0
        counts = dict.fromkeys(result_keys, 0)
        for key in rng.choices(result_keys, weights, k=int(available - out)):
            counts[key] += 1
        t3["new_received"][col.key] = new
        t3["carried_in"][col.key] = cin
        for key in result_keys:
            t3[key][col.key] = counts[key]
        t3["results_total"][col.key] = int(available - out)
        t3["carried_out"][col.key] = out
    for row in t3.values():
        row["total"] = sum(_n(row[c.key]) for c in TABLE3_APPLICANTS)
    if carried_in is not None:
        t3["carried_in"]["total"] = carried_in.get("total")
    # Keys in the form's column order.
    return {key: {c.key: row[c.key] for c in TABLE3_COLUMNS} for key, row in t3.items()}


def _skewed(rng: random.Random, top: int) -> int:
    """Mostly small, now and then near ``top``: how request counts are spread."""
    if top <= 2:
        return rng.choice([0] * (5 - top) + list(range(1, top + 1)))
    return int(top * rng.random() ** 2)


def _unbalance(rng: random.Random, t3: Table) -> None:
    """Mis-print carried_out in one applicant column (and so in total, which still sums
    the row): T3-BALANCE fails there; every other check still holds."""
    col = rng.choice(TABLE3_APPLICANTS).key
    extra = rng.randint(1, 3)
    t3["carried_out"][col] = _n(t3["carried_out"][col]) + extra
    t3["carried_out"]["total"] = _n(t3["carried_out"]["total"]) + extra


def _table4(rng: random.Random, scale: int) -> Table:
    t4: Table = {}
    for group, top in zip(TABLE4_GROUPS, (3 * scale, 2 * scale, scale), strict=True):
        cases = 0 if rng.random() < 0.55 else rng.randint(1, max(1, top))
        parts = dict.fromkeys(("maintained", "corrected", "other", "pending"), 0)
        for key in rng.choices(list(parts), (6, 1, 2, 1), k=cases):
            parts[key] += 1
        t4[group.key] = {r.key: parts.get(r.key, cases) for r in TABLE4_RESULTS}
    return t4


def _blank_zeros(
    rng: random.Random, rate: float, t2: Table, t3: Table, t4: Table, *, keep_carried_in: bool
) -> None:
    """Some printers leave a zero cell blank or put a slash in it: the record says null."""
    if rate <= 0:
        return
    for table in (t2, t3, t4):
        for key, row in table.items():
            if keep_carried_in and table is t3 and key == "carried_in":
                continue  # copied verbatim from last year's carried_out
            for col, value in row.items():
                if value == 0 and rng.random() < rate:
                    row[col] = None


# --- prose ---------------------------------------------------------------------------


def _sections(
    rng: random.Random, we: str, year: int, template: str, t2: Table, t3: Table, t4: Table, long_prose: bool
) -> dict[str, str]:
    new, cin = _n(t3["new_received"]["total"]), _n(t3["carried_in"]["total"])
    done, out = _n(t3["results_total"]["total"]), _n(t3["carried_out"]["total"])
    persons = _n(t3["new_received"]["natural_person"])
    info = rng.randint(30, 400)
    kinds = _split(rng, info, 3)

    s1 = [rng.choice(_INTROS).format(we=we, year=year)]
    s1.append(
        f"（一）主动公开。{year}年，{we}通过政府门户网站主动公开政府信息{info}条，其中机构职能类{kinds[0]}条，"
        f"政策文件类{kinds[1]}条，工作动态类{kinds[2]}条。" + rng.choice(_ACTIVE_EXTRA).format(we=we)
    )
    if new == 0 and cin == 0:
        s1.append(f"（二）依申请公开。{year}年，{we}未收到政府信息公开申请。")
    else:
        s1.append(
            f"（二）依申请公开。{year}年，{we}共收到政府信息公开申请{new}件，上年结转{cin}件，"
            f"本年度办结{done}件，结转下年度继续办理{out}件。" + rng.choice(_REQUEST_EXTRA)
        )
    s1.append("（三）政府信息管理。" + rng.choice(_MANAGEMENT).format(we=we, year=year))
    s1.append("（四）政府信息公开平台建设。" + rng.choice(_PLATFORM).format(we=we, year=year))
    s1.append("（五）监督保障。" + rng.choice(_OVERSIGHT).format(we=we, year=year))
    if long_prose:
        s1 += [p.format(we=we, year=year) for p in _LONG]

    if template == "2021":
        nd = t2["normative_documents"]
        s2 = (
            f"{year}年，{we}制发行政规范性文件{_n(nd['made'])}件，废止{_n(nd['repealed'])}件，"
            f"现行有效{_n(nd['in_force'])}件。具体情况如下："
        )
    else:
        nd = t2["normative_documents"]
        s2 = (
            f"{year}年，{we}新制作规范性文件{_n(nd['new_made'])}件，新公开{_n(nd['new_published'])}件，"
            f"对外公开规范性文件总数{_n(nd['total_published'])}件。具体情况如下："
        )

    if new == 0 and cin == 0:
        s3 = f"{year}年，{we}未收到政府信息公开申请，无上年结转申请。"
    else:
        orgs = new - persons
        s3 = (
            f"{year}年，{we}新收政府信息公开申请{new}件，其中自然人申请{persons}件，法人或其他组织申请{orgs}件；"
            f"予以公开{_n(t3['granted']['total'])}件，部分公开{_n(t3['partially_granted']['total'])}件，"
            f"本机关不掌握相关政府信息{_n(t3['unavailable_not_held']['total'])}件。具体情况如下："
        )

    review = _n(t4["review"]["total"])
    suits = _n(t4["litigation_direct"]["total"]) + _n(t4["litigation_after_review"]["total"])
    if review == 0 and suits == 0:
        s4 = f"{year}年，{we}未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    else:
        s4 = f"{year}年，{we}因政府信息公开被申请行政复议{review}件，被提起行政诉讼{suits}件。具体情况如下："

    problems = rng.sample(_PROBLEMS, 2)
    s5 = "\n".join(
        [
            f"（一）存在的问题。{year}年，{we}政府信息公开工作取得了一定成效，但仍存在一些不足："
            f"一是{problems[0]}；二是{problems[1]}。",
            "（二）改进措施。" + "".join(f"{i}.{m}" for i, m in enumerate(rng.sample(_MEASURES, 3), 1)),
        ]
    )
    s6 = rng.choice(_OTHER).format(we=we, year=year, a=rng.randint(1, 15), b=rng.randint(1, 15))
    return {"1": "\n".join(s1), "2": s2, "3": s3, "4": s4, "5": s5, "6": s6}


def _pre2019_sections(rng: random.Random, we: str, year: int, scale: int, long_prose: bool) -> dict[str, str]:
    info = rng.randint(40, 600)
    requests = _skewed(rng, 20 * scale)
    s1 = [
        rng.choice(_INTROS).format(we=we, year=year),
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本报告的电子版可在政府门户网站下载。如对本报告有任何疑问，请与{we}办公室联系。",
    ]
    if long_prose:
        s1 += [p.format(we=we, year=year) for p in _LONG]
    return {
        "1": "\n".join(s1),
        "2": f"{year}年，{we}主动公开政府信息{info}条。" + rng.choice(_ACTIVE_EXTRA).format(we=we),
        "3": (
            f"{year}年，{we}共受理政府信息公开申请{requests}件，均已在规定期限内答复。"
            if requests
            else f"{year}年，{we}未受理政府信息公开申请。"
        ),
        "4": f"{year}年，{we}未收取政府信息公开相关费用，无减免情况。",
        "5": f"{year}年，{we}未发生因政府信息公开申请提起行政复议、行政诉讼的情况。",
        "6": f"{we}政府信息公开工作仍存在{rng.choice(_PROBLEMS)}等问题。下一步，"
        + "".join(f"{i}.{m}" for i, m in enumerate(rng.sample(_MEASURES, 2), 1)),
    }


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


_INTROS = (
    "{year}年，{we}深入贯彻落实《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级关于政务公开工作的部署要求，"
    "坚持以公开为常态、不公开为例外，持续推进政府信息公开工作。",
    "{year}年，在上级政务公开主管部门的指导下，{we}严格落实《条例》各项规定，围绕中心工作，扎实做好政府信息公开各项工作，"
    "保障人民群众的知情权、参与权、表达权和监督权。",
    "{year}年，{we}坚持以人民为中心的发展思想，把政务公开作为建设法治政府的重要抓手，健全机制、拓宽渠道，"
    "政府信息公开工作取得新成效。",
)
_ACTIVE_EXTRA = (
    "重点公开了权力清单、财政预决算、重大行政决策等信息。",
    "同步做好政策解读，及时回应社会关切。",
    "所有信息均在规定时限内公开，未发生应公开未公开的情况。",
)
_REQUEST_EXTRA = (
    "所有申请均在法定期限内答复。",
    "对申请人的咨询耐心解答，依法依规做好答复工作。",
    "",
)
_MANAGEMENT = (
    "{we}严格落实公开属性源头认定机制，公文办理时同步明确公开方式，对拟公开的政府信息依法依规进行保密审查。",
    "{year}年，{we}对现行有效的规范性文件进行了全面清理，及时更新政府信息公开指南和目录。",
    "{we}建立健全政府信息发布审核制度，实行编辑初审、科室复审、分管领导终审的三级审核，确保信息内容准确规范。",
)
_PLATFORM = (
    "{we}持续优化政府门户网站政府信息公开专栏，规范栏目设置，完善检索功能，提升信息查询的便利性。",
    "{year}年，{we}充分发挥政府网站第一平台作用，同步利用政务新媒体发布权威信息，扩大信息传播覆盖面。",
    "{we}依托政务服务大厅设置政府信息公开查阅点，为群众提供查阅、咨询等服务。",
)
_OVERSIGHT = (
    "{we}成立政务公开工作领导小组，主要负责同志亲自抓，分管负责同志具体抓，明确专人负责日常工作。",
    "{we}将政务公开工作纳入年度绩效考核，对公开不及时、不准确的情况予以通报，全年未发生责任追究情况。",
    "{year}年，{we}组织开展政务公开专题培训2次，提升工作人员的业务能力，全年未收到涉及政务公开的投诉举报。",
)
_LONG = (
    "{year}年，{we}对照上级政务公开工作要点，逐项分解任务，明确责任科室和完成时限，建立工作台账，定期调度推进情况，"
    "确保各项任务按时保质完成。同时加强与上级主管部门的沟通衔接，及时掌握工作新要求，调整完善工作措施。",
    "在重点领域信息公开方面，{we}围绕优化营商环境、乡村振兴、生态环境保护、公共卫生、安全生产等社会关注度高的领域，"
    "及时发布政策文件、工作进展和办理结果，做到应公开尽公开。对涉及群众切身利益的重要政策，通过图文解读、"
    "在线访谈、新闻发布会等多种形式进行解读，增强政策的可及性和透明度。",
    "在政务公开标准化规范化建设方面，{we}对照基层政务公开标准目录，梳理完善公开事项清单，明确公开内容、公开时限、"
    "公开主体和公开渠道，推动公开工作从“公开了”向“公开好”转变。对已公开的信息定期开展自查，及时更新过期信息，"
    "修正错误信息，确保信息内容准确、完整、有效。",
    "在依申请公开办理方面，{we}进一步规范受理、登记、审查、答复、送达、归档等环节的工作流程，完善答复文书模板，"
    "加强与法律顾问的沟通，提高答复的规范性和准确性，依法保障申请人的合法权益。",
    "在政民互动方面，{we}畅通留言咨询、意见征集等互动渠道，认真办理群众留言，及时反馈办理结果。对群众反映集中的问题，"
    "主动分析研判，推动相关政策措施完善，不断提升群众的获得感和满意度。",
)
_PROBLEMS = (
    "信息发布的及时性有待提高",
    "政策解读的形式还不够丰富",
    "工作人员的业务能力有待进一步提升",
    "主动公开的深度和广度还不够",
    "政务新媒体的运营管理有待加强",
    "依申请公开答复的规范性还需进一步加强",
)
_MEASURES = (
    "加强信息发布审核，确保信息公开及时准确。",
    "丰富政策解读形式，增强解读实效。",
    "加强业务培训，提升工作人员业务水平。",
    "完善工作机制，明确责任分工。",
    "强化监督考核，推动各项工作落到实处。",
    "优化网站栏目设置，方便群众查阅。",
)
_OTHER = (
    "{year}年，{we}未收取信息处理费。",
    "本单位无收取信息处理费等其他需要报告的事项。",
    "{year}年，{we}办理人大代表建议{a}件、政协委员提案{b}件，均已按期办结，办理结果已按要求公开。"
    "{we}未收取信息处理费。",
)
