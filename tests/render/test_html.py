"""HTML pages: real portal chrome, real tables with merged cells, the record's numbers
in the right cells, and the GBK page that names no charset."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from nianbao.parse.form import SECTIONS, TABLE2, TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_RESULTS, table3_rows
from nianbao.replicas.render import render_html
from nianbao.replicas.synth import PRE2019_HEADINGS, synthetic_report

from .tables import cell_value, html_grid, table3_from_grid


def _record(template: str = "2021", **kw: object) -> dict:
    return synthetic_report("测试县应急管理局", 2023 if template == "2021" else 2020, template, seed=21, **kw)


def _tables(page: bytes, encoding: str = "utf-8") -> list:
    doc = lxml_html.document_fromstring(page.decode(encoding))
    (editor,) = doc.find_class("TRS_Editor")
    return editor.findall(".//table")


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_page_has_portal_chrome_and_meta(template: str) -> None:
    r = _record(template)
    page = render_html(r, published="2024-01-20 09:00")
    doc = lxml_html.document_fromstring(page.decode("utf-8"))
    meta = {m.get("name"): m.get("content") for m in doc.iter("meta") if m.get("name")}
    assert meta["ArticleTitle"] == r["title"]
    assert meta["PubDate"] == "2024-01-20 09:00"
    assert doc.find_class("breadcrumb") and doc.find_class("header") and doc.find_class("footer")
    assert r["title"] in doc.findtext(".//title")
    text = doc.text_content()
    for section in SECTIONS:
        assert section.heading in text
    for number in range(1, 7):
        for paragraph in r["sections"][str(number)].split("\n"):
            assert paragraph in text


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_tables_have_the_templates_merged_cells(template: str) -> None:
    t2, t3, t4 = _tables(render_html(_record(template)))
    spans = {(td.text_content().strip(), td.get("rowspan"), td.get("colspan")) for td in t3.iter("td")}
    results = [r for r in table3_rows(template) if r.group.startswith("三、本年度办理结果")]
    assert ("三、本年度办理结果", str(len(results)), None) in spans
    assert ("（三）不予公开", "8", None) in spans
    assert ("（四）无法提供", "3", None) in spans
    assert ("申请人情况", None, "7") in spans
    assert ("法人或其他组织", None, "5") in spans
    if template == "2021":
        assert ("（六）其他处理", "3", None) in spans
    else:  # the single （六）其他处理 row spans the two inner label columns
        assert ("（六）其他处理", None, "2") in spans
    t4_spans = {(td.text_content().strip(), td.get("colspan")) for td in t4.iter("td")}
    assert {("行政复议", "5"), ("行政诉讼", "10"), ("未经复议直接起诉", "5"), ("复议后起诉", "5")} <= t4_spans
    assert any(td.get("colspan") for td in t2.iter("td"))  # 第二十条 headers span the table


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_cells_hold_the_records_numbers(template: str) -> None:
    r = _record(template, blank_rate=0.3)
    t2, t3, t4 = _tables(render_html(r))
    assert table3_from_grid(html_grid(t3), template) == r["applications"]
    numbers = [cell_value(x) for x in html_grid(t4)[3]]
    assert numbers == [r["review_litigation"][g.key][x.key] for g in TABLE4_GROUPS for x in TABLE4_RESULTS]
    grid = html_grid(t2)
    for row in TABLE2[template]:
        (line,) = [g for g in grid if g[0] == row.label]
        assert [cell_value(v) for v in line[1 : 1 + len(row.fields)]] == [
            r["active_disclosure"][row.key][f.key] for f in row.fields
        ]
    labels = {td.text_content().strip() for t in (t2, t3, t4) for td in t.iter("td")}
    assert {c.label for c in TABLE3_COLUMNS} <= labels
    assert {f.label for row in TABLE2[template] for f in row.fields} <= labels


def test_nulls_print_as_blank_or_slash() -> None:
    r = _record(blank_rate=0.5)
    grid = html_grid(_tables(render_html(r))[1])
    printed = {
        grid[3 + i][3 + j]
        for i, row in enumerate(r["applications"].values())
        for j, v in enumerate(row.values())
        if v is None
    }
    assert printed == {"", "/"}  # both forms, chosen per cell
    assert render_html(r) == render_html(r)  # and chosen the same way every time


def test_gbk_page_names_no_charset_and_is_gbk() -> None:
    r = _record()
    page = render_html(r, charset="gbk", declare_charset=False)
    assert b"charset" not in page.lower()
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    assert r["title"] in page.decode("gbk")
    assert table3_from_grid(html_grid(_tables(page, "gbk")[1]), "2021") == r["applications"]
    declared = render_html(r, charset="gbk")
    assert b"charset=gbk" in declared


def test_fragment_is_just_the_article() -> None:
    fragment = render_html(_record(), chrome=False).decode("utf-8")
    assert fragment.startswith('<div class="TRS_Editor">') and "<html" not in fragment
    assert fragment.count("<table") == 3


def test_pre2019_page_is_prose_without_tables() -> None:
    r = synthetic_report("测试县人民政府", 2016, "pre2019", seed=2, level="county")
    page = render_html(r).decode("utf-8")
    assert "<table" not in page
    for heading in PRE2019_HEADINGS:
        assert heading in page
