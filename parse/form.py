"""The annual-report form, defined once, as data.

Everything the parser (and the report renderers used for fixtures and the replica
portals) knows about the form lives here: the six sections, the rows and columns of
tables 2, 3 and 4 for the 2021 and 2019 templates, the words that identify each row
in print, and the words that tell the templates apart.

``match`` strings are regular expressions applied to *compact* text: whitespace
removed between non-digits, full-width brackets and punctuation folded to ASCII
(see ``parse.text.compact``). They name a row by its distinctive words, so a label
wrapped over two lines, printed with stray spaces or with a different enumerator
still matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEMPLATES = ("2021", "2019")


@dataclass(frozen=True)
class Section:
    number: int
    heading: str  # as the template prints it
    match: str  # distinctive words, compact text


SECTIONS: tuple[Section, ...] = (
    Section(1, "一、总体情况", r"总体情况|概述|基本情况"),
    Section(2, "二、主动公开政府信息情况", r"主动公开政府信息"),
    Section(3, "三、收到和处理政府信息公开申请情况", r"收到和处理政府信息公开申请|依申请公开政府信息"),
    Section(4, "四、政府信息公开行政复议、行政诉讼情况", r"复议.{0,8}诉讼"),  # 被申请行政复议和提起行政诉讼…
    Section(5, "五、存在的主要问题及改进情况", r"存在的(主要)?问题|问题及改进"),
    Section(6, "六、其他需要报告的事项", r"其他需要(报告|说明)"),
)

CHINESE_NUMERALS = "一二三四五六七八九十"


# --- Table 2: proactive disclosure -------------------------------------------------


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    decimal: bool = False  # money: may be printed with decimals
    match: str = ""  # the column's header words (compact text); the label itself when empty

    @property
    def header(self) -> str:
        return self.match or re.escape(self.label)


@dataclass(frozen=True)
class Table2Row:
    key: str
    label: str
    match: str
    fields: tuple[Field, ...]
    article: str  # the 第二十条 item the block is printed under


_MADE = (Field("made", "本年制发件数"), Field("repealed", "本年废止件数"), Field("in_force", "现行有效件数"))
_DECISIONS = (Field("decisions", "本年处理决定数量"),)

_PUBLISHED = (
    Field("new_made", "本年新制作数量"),
    Field("new_published", "本年新公开数量"),
    Field("total_published", "对外公开总数量"),
)
_CHANGE = Field("change", "本年增/减", match=r"本年增.{0,2}减")  # 本年增减, 本年增（减）
# Some bodies print the year itself for 上一年 (2019年项目数量); 采购项目数量 is procurement's.
_PREVIOUS = Field("previous", "上一年项目数量", match=r"(?<!采购)项目数量")
_ITEMS = (
    _PREVIOUS,
    _CHANGE,
    Field("decisions", "处理决定数量"),
)

TABLE2: dict[str, tuple[Table2Row, ...]] = {
    "2021": (
        Table2Row("regulations", "规章", r"规章", _MADE, "第二十条第（一）项"),
        Table2Row("normative_documents", "行政规范性文件", r"规范性文件", _MADE, "第二十条第（一）项"),
        Table2Row("licensing", "行政许可", r"行政许可", _DECISIONS, "第二十条第（五）项"),
        Table2Row("punishment", "行政处罚", r"行政处罚", _DECISIONS, "第二十条第（六）项"),
        Table2Row("coercion", "行政强制", r"行政强制", _DECISIONS, "第二十条第（六）项"),
        Table2Row(
            "fees",
            "行政事业性收费",
            r"行政事业性收费",
            (Field("amount", "本年收费金额（单位：万元）", decimal=True, match=r"收费金额"),),
            "第二十条第（八）项",
        ),
    ),
    "2019": (
        Table2Row("regulations", "规章", r"规章", _PUBLISHED, "第二十条第（一）项"),
        Table2Row("normative_documents", "规范性文件", r"规范性文件", _PUBLISHED, "第二十条第（一）项"),
        Table2Row("licensing", "行政许可", r"行政许可", _ITEMS, "第二十条第（五）项"),
        Table2Row(
            "other_services", "其他对外管理服务事项", r"其他对外管理服务事项", _ITEMS, "第二十条第（五）项"
        ),
        Table2Row("punishment", "行政处罚", r"行政处罚", _ITEMS, "第二十条第（六）项"),
        Table2Row("coercion", "行政强制", r"行政强制", _ITEMS, "第二十条第（六）项"),
        Table2Row(
            "fees",
            "行政事业性收费",
            r"行政事业性收费",
            (_PREVIOUS, _CHANGE),
            "第二十条第（八）项",
        ),
        Table2Row(
            "procurement",
            "政府集中采购",
            r"集中采购",
            (Field("items", "采购项目数量"), Field("amount", "采购总金额", decimal=True)),
            "第二十条第（九）项",
        ),
    ),
}


# --- Table 3: requests ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    match: str = ""  # the column's header words (compact text); the label itself when empty

    @property
    def header(self) -> str:
        return self.match or re.escape(self.label)


TABLE3_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial_enterprise", "商业企业"),
    Column("research_institution", "科研机构"),
    Column("social_welfare_org", "社会公益组织"),
    Column("legal_service_org", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计"),
)
TABLE3_APPLICANTS = TABLE3_COLUMNS[:6]  # the columns that add up to total
TABLE3_LEGAL_PERSONS = TABLE3_COLUMNS[1:6]  # under the merged header 法人或其他组织
# Some bodies print a subtotal of the legal-person columns, either right after them
# (before 总计) or right before them: read, checked against their sum, not recorded.
TABLE3_SUBTOTAL = Column("legal_person_subtotal", "小计")
TABLE3_SUBTOTAL_PLACES = (6, 1)  # its index among the 8 printed columns, likeliest first


@dataclass(frozen=True)
class Table3Row:
    key: str
    label: str  # the row's own label, as printed
    group: str  # the merged cell(s) it stands under, "" for none
    match: str
    templates: tuple[str, ...] = TEMPLATES
    result: bool = False  # one of the rows that add up to results_total


_RESULTS = "三、本年度办理结果"


def _row(key: str, label: str, group: str, match: str, **kw: object) -> Table3Row:
    return Table3Row(key, label, group, match, **kw)  # type: ignore[arg-type]


TABLE3_ROWS: tuple[Table3Row, ...] = (
    _row("new_received", "一、本年新收政府信息公开申请数量", "", r"本年新收"),
    _row("carried_in", "二、上年结转政府信息公开申请数量", "", r"上年结转"),
    _row("granted", "（一）予以公开", _RESULTS, r"予以公开", result=True),
    _row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        _RESULTS,
        r"部分公开|区分处理",  # either half of the label, when one is wrapped or misread
        result=True,
    ),
    _row("denied_state_secret", "1.属于国家秘密", f"{_RESULTS}|（三）不予公开", r"国家秘密", result=True),
    _row(
        "denied_prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        f"{_RESULTS}|（三）不予公开",
        r"禁止公开",
        result=True,
    ),
    _row(
        "denied_security_stability",
        "3.危及“三安全一稳定”",
        f"{_RESULTS}|（三）不予公开",
        r"三安全一稳定\"?",
        result=True,
    ),
    _row(
        "denied_third_party",
        "4.保护第三方合法权益",
        f"{_RESULTS}|（三）不予公开",
        r"第三方合法权益",
        result=True,
    ),
    _row(
        "denied_internal_affairs",
        "5.属于三类内部事务信息",
        f"{_RESULTS}|（三）不予公开",
        r"内部事务信息|三类.{0,4}信息",
        result=True,
    ),
    _row(
        "denied_process_info",
        "6.属于四类过程性信息",
        f"{_RESULTS}|（三）不予公开",
        r"过程性信息|四类.{0,4}信息",
        result=True,
    ),
    _row(
        "denied_enforcement_files",
        "7.属于行政执法案卷",
        f"{_RESULTS}|（三）不予公开",
        r"行政执法案卷|执法案卷",
        result=True,
    ),
    _row(
        "denied_query_matter",
        "8.属于行政查询事项",
        f"{_RESULTS}|（三）不予公开",
        r"行政查询事项|查询事项",
        result=True,
    ),
    _row(
        "unavailable_not_held",
        "1.本机关不掌握相关政府信息",
        f"{_RESULTS}|（四）无法提供",
        r"不掌握相关政府信息",
        result=True,
    ),
    _row(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        f"{_RESULTS}|（四）无法提供",
        r"需要另行制作",
        result=True,
    ),
    _row(
        "unavailable_unclear",
        "3.补正后申请内容仍不明确",
        f"{_RESULTS}|（四）无法提供",
        r"仍不明确",
        result=True,
    ),
    _row(
        "rejected_complaint",
        "1.信访举报投诉类申请",
        f"{_RESULTS}|（五）不予处理",
        r"信访举报投诉类申请",
        result=True,
    ),
    _row("rejected_duplicate", "2.重复申请", f"{_RESULTS}|（五）不予处理", r"重复申请", result=True),
    _row(
        "rejected_publication",
        "3.要求提供公开出版物",
        f"{_RESULTS}|（五）不予处理",
        r"公开出版物",
        result=True,
    ),
    _row(
        "rejected_excessive",
        "4.无正当理由大量反复申请",
        f"{_RESULTS}|（五）不予处理",
        r"大量反复申请",
        result=True,
    ),
    _row(
        "rejected_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        f"{_RESULTS}|（五）不予处理",
        r"确认或重新出具",
        result=True,
    ),
    _row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        f"{_RESULTS}|（六）其他处理",
        r"逾期不补正",  # some print only the first half: "1.申请人无正当理由逾期不补正"
        templates=("2021",),
        result=True,
    ),
    _row(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        f"{_RESULTS}|（六）其他处理",
        r"缴纳费用|收费通知",
        templates=("2021",),
        result=True,
    ),
    # 2021: the third row under （六）其他处理; 2019: （六）其他处理 is itself the row.
    _row("other_other", "3.其他", f"{_RESULTS}|（六）其他处理", r"其他(处理)?", result=True),
    _row("results_total", "（七）总计", _RESULTS, r"总计"),
    _row("carried_out", "四、结转下年度继续办理", "", r"结转下年度继续办理"),
)


def table3_rows(template: str) -> tuple[Table3Row, ...]:
    return tuple(r for r in TABLE3_ROWS if template in r.templates)


# --- Table 4: administrative review and litigation -------------------------------------

TABLE4_GROUPS: tuple[Column, ...] = (
    Column("review", "行政复议"),
    Column("litigation_direct", "未经复议直接起诉"),
    Column("litigation_after_review", "复议后起诉"),
)
TABLE4_RESULTS: tuple[Column, ...] = (
    Column("maintained", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)


# --- Telling the templates apart ---------------------------------------------------------

# Words printed only in one template's tables (compact text).
TEMPLATE_MARKERS: dict[str, tuple[str, ...]] = {
    "2021": ("本年制发件数", "现行有效件数", "逾期不补正", "缴纳费用"),
    "2019": ("本年新制作数量", "对外公开总数量", "上一年项目数量", "本年增/减", "政府集中采购"),
}

# Words of each table's header: a table starts at the first line that has one, so
# prose before it ("予以公开13件…") is never read as its rows.
TABLE_STARTS: dict[int, tuple[str, ...]] = {
    2: ("第二十条", "信息内容"),
    3: ("勾稽关系", "申请人情况", "自然人"),
    4: (),
}

# Null markers: a printed blank. The record keeps them as null, never 0.
NULL_MARKERS = ("/", "／", "-", "－", "—", "——", "─", "无", "\\", "×")
