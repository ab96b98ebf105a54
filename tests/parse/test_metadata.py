"""Title, body and year as real reports print them, in every kind of document.

The line lists are what the extractors hand over for each kind: a portal page printed
by Chromium (navigation, breadcrumb, the page's own title, a 来源 meta line, the print
header and footer), the same page through LibreOffice (bullets before every link), a
Word-like PDF (a heading wrapped over lines), a DOCX with a stale core title, text.
Bodies are fictional where the layout is the point; the real pages are read at the end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from nianbao.parse import parse_bytes
from nianbao.parse.extract.html import extract_html
from nianbao.parse.metadata import find_organization, find_title, find_year, is_body_name

ROOT = Path(__file__).resolve().parents[2]
PINGTAN = ROOT / "replicas/recorded/fujian-pingtan-nianbao/files/www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb"
REAL = ROOT / "tests/fixtures/real"

# A portal page as Chromium prints it (shape of the pages under replicas/recorded/).
CHROMIUM_PAGE = [
    "国务院 省政府 省人大 省政协",
    "登录 登录 注册 注册",
    "首页",
    "政务公开",
    "办事服务",
    "政府信息公开 领导之窗 政府机构 要闻 政府会议 最新文件 政策文件库 政府工作报告 公示公告 规划信",
    "请输入搜索内容",
    "当前位置：",
    "首页",
    "政务公开",
    "政府信息公开",
    "政府信息公开年报",
    "某某县交通运输局2023年度政府信息公开工作年度报告",
    "来源：某某县人民政府 时间：2024-01-18 09:30",
    "1/18/24, 9:41 AM 某某县交通运输局2023年度政府信息公开工作年度报告_政府信息公开年报_某某县人民政府网",
    "file:///tmp/page.html 1/9",
    "某某县交通运输局2023年度",
    "政府信息公开工作年度报告",
    "本报告根据《中华人民共和国政府信息公开条例》编制。",
    "一、总体情况",
    "2023年，我局认真贯彻落实……",
    "某某县交通运输局",
    "2024年1月18日",
    "福建省人民政府",
    "主办单位：某某县人民政府办公室",
]
# The same page through LibreOffice: every link a bullet, the breadcrumb too.
LIBREOFFICE_PAGE = [
    "• 首页",
    "• 政务公开",
    "当前位置： ",
    "• 首页",
    "• 政务公开",
    "• 政府信息公开",
    "• 政府信息公开年报",
    "•首页•政务公开•政府信息公开•",
    "来源：某某县人民政府 时间：2024-01-18 00:00 ",
    "某某县交通运输局 2023 年",
    "信息公开年度报告",
    "一、概述",
]


def test_chromium_print_title_is_the_reports_not_the_breadcrumb() -> None:
    assert find_title(CHROMIUM_PAGE) == "某某县交通运输局2023年度政府信息公开工作年度报告"


def test_chromium_print_body_is_the_titles_not_navigation_or_source() -> None:
    title = find_title(CHROMIUM_PAGE)
    assert find_organization(title, CHROMIUM_PAGE) == "某某县交通运输局"


def test_chromium_print_year() -> None:
    assert find_year(find_title(CHROMIUM_PAGE), CHROMIUM_PAGE) == 2023


def test_print_header_is_never_the_title() -> None:
    """The header carries the page's <title>: with the article's own title gone, the
    header still does not stand in for it."""
    lines = [x for x in CHROMIUM_PAGE if "交通运输局2023" not in x or x.startswith("1/18/24")]
    assert find_title(lines) is None


def test_libreoffice_print_title() -> None:
    assert find_title(LIBREOFFICE_PAGE) == "某某县交通运输局2023年信息公开年度报告"


def test_libreoffice_print_body() -> None:
    assert find_organization(find_title(LIBREOFFICE_PAGE), LIBREOFFICE_PAGE) == "某某县交通运输局"


def test_sidebar_of_other_reports_printed_before_the_article() -> None:
    """Chromium prints a portal's sidebar (其他年报) above the article: the title is the
    one standing over the report's text."""
    lines = [
        "其他年报",
        "某某县交通运输局2022年度政府信息公开工作年度报告",
        "某某县交通运输局2021年度政府信息公开工作年度报告",
        "当前位置：首页",
        "某某县交通运输局2023年度政府信息公开工作年度报告",
        "本报告根据《条例》编制。",
        "一、总体情况",
    ]
    assert find_title(lines) == lines[4]


def test_glued_breadcrumb_is_no_title() -> None:
    """政府信息公开 / 政府信息公开年报 / the title: the crumbs are not part of it."""
    lines = ["政府信息公开", "政府信息公开年报", "某某县2023年政府信息公开工作年度报告", "一、总体情况"]
    assert find_title(lines) == "某某县2023年政府信息公开工作年度报告"


def test_column_before_a_year_is_no_title() -> None:
    """2019年以前政府信息公开年度报告 is the portal's column for older reports."""
    lines = [
        "政府信息公开年度报告",
        "2019年以前政府信息公开年度报告",
        "某某市人民政府2019年政府信息公开工作年度报告",
    ]
    assert find_title(lines) == lines[2]


def test_publishing_office_above_the_title_is_not_part_of_it() -> None:
    """A portal prints who published the page above the article's own title."""
    lines = ["某某市人民政府办公室", "某某市人民政府2019年政府信息公开工作年度报告", "时间：2020-03-05 16:49"]
    title = find_title(lines)
    assert title == lines[1]
    assert find_organization(title, lines) == "某某市人民政府"


def test_heading_wrapped_over_three_lines_under_its_body() -> None:
    lines = ["- 1 -", "某某市人民政府办公室", "2023 年度政府信息", "公开工作年度", "报告", "一、总体情况"]
    title = find_title(lines)
    assert title == "某某市人民政府办公室2023年度政府信息公开工作年度报告"
    assert find_organization(title, lines) == "某某市人民政府办公室"


def test_word_pdf_title_on_one_line_body_above() -> None:
    lines = ["某某市人民政府", "2024 年政府信息公开工作年度报告", "本报告由……编制。", "一、总体情况"]
    title = find_title(lines)
    assert title == "某某市人民政府2024年政府信息公开工作年度报告"
    assert find_year(title, lines) == 2024


SIGNED_ONLY = [
    "2023年政府信息公开工作年度报告",
    "一、总体情况",
    "2023年，我局坚持以公开为常态。",
    "六、其他需要报告的事项",
    "无。",
    "某某县应急管理局",
    "2024年1月20日",
    "- 5 -",
]


def test_signature_only_title() -> None:
    assert find_title(SIGNED_ONLY) == "2023年政府信息公开工作年度报告"


def test_signature_only_body() -> None:
    assert find_organization(find_title(SIGNED_ONLY), SIGNED_ONLY) == "某某县应急管理局"


def test_signature_in_chinese_numerals_on_one_line() -> None:
    lines = [
        "二〇二三年度政府信息公开工作年度报告",
        "一、总体情况",
        "……",
        "某某镇人民政府 二〇二四年一月十五日",
    ]
    title = find_title(lines)
    assert find_year(title, lines) == 2023
    assert find_organization(title, lines) == "某某镇人民政府"


def test_year_in_chinese_numerals_after_the_report_words() -> None:
    assert find_year("某某县教育局政府信息公开工作年度报告（二〇二三年度）", []) == 2023


def test_prose_ending_with_a_date_is_no_signature() -> None:
    lines = ["2023年政府信息公开工作年度报告", "一、总体情况", "统计期限自2023年1月1日起至", "2023年12月31日"]
    assert find_organization(find_title(lines), lines) is None


META_ONLY = [
    "来源：某某县人民政府 时间：2024-01-18",
    "发布机构：某某县市场监督管理局",
    "2023年政府信息公开工作年度报告",
    "一、总体情况",
]


# Text as a public mirror keeps a page (changwu/pingtan-gov-zwgk-archive's page.txt):
# the page's fields, then the article's text with no title line of its own.
MIRROR_TEXT = [
    "标题: 某某县2023年度政府信息公开工作年度报告",
    "发布时间: 2024-03-08 15:34",
    "文号: ",
    "发布机构: 某某县人民政府办公室",
    "栏目: 政府信息公开年报",
    "原文链接: https://www.example.gov.cn/zwgk/t20240308_1.htm",
    "==================== 正文 ====================",
    "本报告根据《中华人民共和国政府信息公开条例》编制。 一、总体情况 2023年，某某县坚持……" * 3,
]


def test_mirror_text_title_from_its_title_field() -> None:
    assert find_title(MIRROR_TEXT) == "某某县2023年度政府信息公开工作年度报告"


def test_flattened_text_starts_with_its_title() -> None:
    lines = ["某某县人民政府2011年政府信息公开工作年度报告 本报告根据《条例》编制。" + "全县……" * 60]
    assert find_title(lines) == "某某县人民政府2011年政府信息公开工作年度报告"


def test_mirror_text_body_from_the_title_not_the_publisher_field() -> None:
    assert find_organization(find_title(MIRROR_TEXT), MIRROR_TEXT) == "某某县"


def test_publisher_meta_when_nothing_else_names_the_body() -> None:
    """发布机构 (the portal's field for who published) before 来源 (where the page came from)."""
    assert find_organization(find_title(META_ONLY), META_ONLY) == "某某县市场监督管理局"


def test_source_meta_is_the_last_resort() -> None:
    lines = ["来源：某某县人民政府时间：2024-01-18", *META_ONLY[2:]]
    assert find_organization(find_title(lines), lines) == "某某县人民政府"


def test_meta_gives_way_to_the_signature() -> None:
    lines = [*META_ONLY, "某某县应急管理局", "2024年1月20日"]
    assert find_organization(find_title(lines), lines) == "某某县应急管理局"


def test_year_in_brackets_below_the_report_words() -> None:
    lines = ["某某县应急管理局", "政府信息公开工作年度报告", "（2023年度）", "一、总体情况"]
    title = find_title(lines)
    assert title == "某某县应急管理局政府信息公开工作年度报告（2023年度）"
    assert find_organization(title, lines) == "某某县应急管理局"


def test_a_menu_is_no_body_line() -> None:
    lines = [
        "国务院 省政府 市人大 市政府",
        "回应关切 政策解读 图片解读 新闻发布会",
        "2019年政府信息公开工作年度报告",
    ]
    assert find_organization(find_title(lines), lines) is None


def test_body_line_above_the_title_when_no_signature() -> None:
    lines = ["某某县应急管理局", "首页", "2023年政府信息公开工作年度报告", "一、总体情况"]
    assert find_organization(find_title(lines), lines) == "某某县应急管理局"


@pytest.mark.parametrize(
    ("title", "organization"),
    [
        ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府"),
        ("新乡县人民政府关于2023年度政府信息公开工作的报告", "新乡县人民政府"),
        ("2023年新乡县应急管理局政府信息公开工作年度报告", "新乡县应急管理局"),
        ("某某镇人民政府2022年度政务公开工作年度报告", "某某镇人民政府"),
        ("平潭综合实验区2018年度政府信息公开工作年度报告", "平潭综合实验区"),
        ("某某区某某街道办事处2023年政府信息公开工作年度报告", "某某区某某街道办事处"),
        ("某某乡人民政府2023年政府信息公开工作年度报告", "某某乡人民政府"),
        ("某某县政府信息公开办公室2021年政府信息公开工作年度报告", "某某县政府信息公开办公室"),
        ("某某市财政局政府信息公开工作年度报告（2022年度）", "某某市财政局"),
        ("《某某县卫生健康委员会2023年政府信息公开年报》", "某某县卫生健康委员会"),
        ("某某县教育局政府信息公开工作年度报告（二〇二三年度）", "某某县教育局"),
    ],
)
def test_organization_named_in_the_title(title: str, organization: str) -> None:
    assert find_organization(title) == organization


@pytest.mark.parametrize(
    "name",
    ["某某县应急管理局", "某某街道办事处", "某某镇人民政府", "某某新区管委会", "某某市数据资源管理中心"],
)
def test_body_names(name: str) -> None:
    assert is_body_name(name)


@pytest.mark.parametrize(
    "line",
    [
        "首页政务公开",
        "•首页•政务公开•政府信息公开•",
        "政府信息公开年报",
        "根据条例编制本报告",
        "- 3 -",
        "我局",
        "国务院 省政府 市人大 市政府",
    ],
)
def test_not_body_names(line: str) -> None:
    assert not is_body_name(line)


def test_stale_docx_title_gives_way_to_the_printed_one() -> None:
    lines = ["某某县教育局2023年政府信息公开工作年度报告", "一、总体情况"]
    assert find_title(lines, hint="某某县教育局2022年政府信息公开工作年度报告") == lines[0]


def test_page_title_names_the_body_the_heading_leaves_out() -> None:
    lines = ["2023年政府信息公开工作年度报告", "一、总体情况"]
    hint = "某某县教育局2023年政府信息公开工作年度报告_年报_某某县人民政府网"
    assert find_title(lines, hint=hint) == "某某县教育局2023年政府信息公开工作年度报告"


def test_markdown_heading_title() -> None:
    assert find_title(["# 新乡市人民政府办公室 2023 年政府信息公开工作年度报告"]) == (
        "新乡市人民政府办公室2023年政府信息公开工作年度报告"
    )


def test_record_takes_the_body_from_the_signature() -> None:
    """The parser hands the lines on: a body only the signature names reaches the record."""
    text = "\n".join([*SIGNED_ONLY[:3], "二、主动公开政府信息情况", *SIGNED_ONLY[3:]])
    record = parse_bytes(text.encode(), "x", filename="P020240123.txt").record
    assert record["organization"] == "某某县应急管理局"


def test_file_name_is_the_title_of_last_resort() -> None:
    body = "一、总体情况\n全年主动公开信息。\n".encode()
    record = parse_bytes(body, "x", filename="某某县人民政府2023年政府信息公开工作年度报告.txt").record
    assert record["title"] == "某某县人民政府2023年政府信息公开工作年度报告"
    assert (record["organization"], record["year"]) == ("某某县人民政府", 2023)
    assert parse_bytes(body, "x", filename="P020240123.txt").record["title"] is None


# --- real pages --------------------------------------------------------------------

RECORDED = {
    "201401/t20140122_80754.htm": ("平潭县人民政府2013年政府信息公开工作年度报告", "平潭县人民政府"),
    "201402/t20140225_80774.htm": (
        "平潭综合实验区地方税务局2013年信息公开年度报告",
        "平潭综合实验区地方税务局",
    ),
    "201403/t20140324_80759.htm": ("平潭综合实验区2013年政府信息公开工作年度报告", "平潭综合实验区"),
}


def _chromium_lines(page: Path, tmp_path: Path) -> list[str]:
    """The page printed to PDF by the system Chromium, as the fast PDF path reads it."""
    from nianbao.parse.extract.pdf import extract_pdf_fast

    from nianbao import chromium

    if not Path(chromium.EXECUTABLE).exists() and not shutil.which(chromium.EXECUTABLE):
        pytest.skip("no Chromium here")
    pdf = tmp_path / "page.pdf"
    command = [chromium.EXECUTABLE, "--headless", *chromium.ARGS, "--proxy-server=127.0.0.1:9"]
    subprocess.run([*command, f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120)
    if not pdf.exists():
        pytest.skip("Chromium printed nothing")
    return extract_pdf_fast(pdf.read_bytes()).lines


@pytest.mark.parametrize("page", sorted(RECORDED))
def test_recorded_pages(page: str) -> None:
    extracted = extract_html((PINGTAN / page).read_bytes())
    title = find_title(extracted.lines, extracted.title_hint)
    assert (title, find_organization(title, extracted.lines)) == RECORDED[page]


def test_recorded_page_printed_by_chromium(tmp_path: Path) -> None:
    """The breadcrumb above the article once gave 首页政务公开 as the body."""
    page = "201402/t20140225_80774.htm"
    lines = _chromium_lines(PINGTAN / page, tmp_path)
    title = find_title(lines)
    assert (title, find_organization(title, lines)) == RECORDED[page]


def _real_renderings() -> list[tuple[str, str]]:
    names = ("source.html", "libreoffice.pdf", "libreoffice.docx", "chromium.pdf")
    return [(d.name, n) for d in sorted(REAL.glob("*")) if (d / "expected.json").exists() for n in names]


@pytest.mark.parametrize(("report", "rendering"), _real_renderings())
def test_real_layouts_metadata(report: str, rendering: str) -> None:
    """tests/fixtures/real (real pages in their portal's chrome, laid out by LibreOffice
    and printed by Chromium): title, body and year as labelled."""
    from nianbao.parse.extract.docx import extract_docx
    from nianbao.parse.extract.pdf import extract_pdf_fast

    folder = REAL / report
    if not (folder / rendering).exists():
        pytest.skip(f"{rendering} not rendered")
    extract = {"html": extract_html, "pdf": extract_pdf_fast, "docx": extract_docx}[
        rendering.rsplit(".", 1)[1]
    ]
    extracted = extract((folder / rendering).read_bytes())
    want = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    title = find_title(extracted.lines, extracted.title_hint)
    got = (title, find_organization(title, extracted.lines), find_year(title, extracted.lines))
    assert got == (want["title"], want["organization"], want["year"])


def test_corpus_portal_page(corpus: Path) -> None:
    extracted = extract_html((corpus / "portal/pingtan-report-2018.html").read_bytes())
    title = find_title(extracted.lines, extracted.title_hint)
    assert title == "平潭综合实验区2018年度政府信息公开工作年度报告"
    assert find_organization(title, extracted.lines) == "平潭综合实验区"
