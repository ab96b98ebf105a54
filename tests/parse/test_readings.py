"""Ambiguous text read every plausible way, the form's arithmetic choosing; tables read
by their printed headers.

Each case is a committed fixture report (tests/fixtures/reports/*.txt, the shapes of
the real seeds) changed the way real reports print: a number split over a line
break, a row's cells on their own lines, merged cells exported as empty ones, a row
label interleaved with its group's vertical label, a table 2 column left out (its
header naming the year), a table 3 with a 法人或其他组织 小计 column, table 3 rows of
blank cells, a portal page's chrome after the report; and the real layouts of
tests/fixtures/real read the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from nianbao.parse import parse_bytes
from nianbao.parse.extract.text import extract_text
from nianbao.parse.report import Reading, read_report
from nianbao.parse.sections import PORTAL_CHROME
from nianbao.parse.table_reader import MAX_READINGS, row_readings
from nianbao.parse.text import compact, tokens

from tests.parse.test_real_layouts import RENDERINGS, parsed, reports

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reports"
GRANTED = "（一）予以公开 0 14 1 1 2 0 18"  # city-2019's row, printed whole


def fixture(stem: str) -> tuple[str, dict]:
    text = (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")
    return text, json.loads((FIXTURES / f"{stem}.expected.json").read_text(encoding="utf-8"))


def read(text: str) -> Reading:
    return read_report(extract_text(text.encode("utf-8")), "test", "-")


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def check(reading: Reading, check_id: str) -> dict:
    return next(c for c in reading.record["checks"] if c["id"] == check_id)


# --- numbers split over lines ---------------------------------------------------------


@pytest.fixture(scope="module")
def split_total() -> Reading:
    text, _ = fixture("city-2019")
    return read(replaced(text, GRANTED, "（一）予以公开 0 14 1 1 2 0 1\n8"))


def test_split_number_joined(split_total: Reading) -> None:
    _, expected = fixture("city-2019")
    assert split_total.record["applications"]["granted"] == expected["applications"]["granted"]


def test_split_number_every_check_holds(split_total: Reading) -> None:
    assert all(c["ok"] for c in split_total.record["checks"]), split_total.record["checks"]


def test_split_number_said_in_the_deciding_check(split_total: Reading) -> None:
    assert "joined 1|8→18" in check(split_total, "T3-ROW-SUM")["detail"]


def test_split_number_said_in_the_reading(split_total: Reading) -> None:
    assert split_total.readings == ["table 3 row granted: joined 1|8→18"]


def test_rests_on_a_line_of_their_own_joined_in_order() -> None:
    """A PDF's wrapped cells: the line of the row, then the rests of its split numbers."""
    text, expected = fixture("city-2019")
    reading = read(replaced(text, GRANTED, "（一）予以公开 0 1 1 1 2 0 1\n4 8"))
    assert reading.record["applications"]["granted"] == expected["applications"]["granted"]


def test_split_chosen_by_the_column_sums_says_so() -> None:
    """Several joins make the row add up; the columns' sums pick, and say so."""
    text, _ = fixture("city-2019")
    reading = read(replaced(text, GRANTED, "（一）予以公开 0 1 1 1 2 0 1\n4 8"))
    assert "joined 1|4→14, 1|8→18" in check(reading, "T3-BALANCE")["detail"]


def test_every_cell_on_its_own_line() -> None:
    text, expected = fixture("city-2019")
    reading = read(replaced(text, GRANTED, "（一）予以公开\n" + "\n".join("0 1 4 1 1 2 0 1 8".split())))
    assert reading.record["applications"]["granted"] == expected["applications"]["granted"]


def test_split_number_in_table_4() -> None:
    text, expected = fixture("city-2019")
    reading = read(replaced(text, "22 1 13 1 37 0 0 0 0 0 4 1 1 0 6", "2\n2 1 13 1 37 0 0 0 0 0 4 1 1 0 6"))
    assert reading.record["review_litigation"] == expected["review_litigation"]


def test_a_number_printed_whole_is_kept() -> None:
    """A number under a row that adds up as printed is a note, never the rest of one."""
    text, expected = fixture("city-2019")
    reading = read(replaced(text, GRANTED, GRANTED + "\n5"))
    assert reading.record["applications"]["granted"] == expected["applications"]["granted"]


def test_a_lone_zero_never_starts_a_number() -> None:
    """``0`` / ``8`` is two cells, never 08: with no join possible, the first seven stay."""
    spans = tokens(["（一）予以公开 1 0 0 0 0 0 1 0", "8"])
    assert [r.note for r in row_readings(spans, 7) if r.note.startswith("joined")] == []


def test_plain_text_has_no_readings() -> None:
    text, _ = fixture("unbalanced-2021")
    assert read(text).readings == []


def test_a_report_that_does_not_add_up_keeps_its_printed_numbers() -> None:
    text, expected = fixture("unbalanced-2021")
    assert read(text).record["applications"] == expected["applications"]


# --- merged cells ----------------------------------------------------------------------


def test_merged_cells_the_layout_empties_are_those_that_add_up() -> None:
    """HTML cells (tabs): an empty layout cell before the row, and a blank natural-person
    cell; dropping both leading empties would shift the row."""
    text, _ = fixture("city-2019")
    reading = read(replaced(text, GRANTED, "（一）予以公开\t\t\t14\t1\t1\t2\t0\t18\t"))
    row = reading.record["applications"]["granted"]
    assert (row["natural_person"], row["commercial_enterprise"], row["total"]) == (None, 14, 18)


# --- labels wrapped differently --------------------------------------------------------

NO_CORRECTION = "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0"


def test_label_interleaved_with_its_group_label() -> None:
    """（六）其他处理 printed vertically beside the row's wrapped label."""
    text, expected = fixture("county-2021-long")
    interleaved = (
        "其\n1.申请人无正当理由逾期不补正、行政机关不再处\n他处理\n理其政府信息公开申请 0 0 0 0 0 0 0"
    )
    text = replaced(replaced(text, "（六）其他处理\n", "（六）"), NO_CORRECTION, interleaved)
    reading = read(text)
    assert reading.record["applications"] == expected["applications"]


def test_label_reworded_is_matched_loosely() -> None:
    text, _ = fixture("county-2021-long")
    reading = read(replaced(text, "逾期不补正", "逾期不予补正"))
    assert "table 3 row other_no_correction: label matched loosely" in " ".join(reading.readings)


def test_label_reworded_every_cell_right() -> None:
    text, expected = fixture("county-2021-long")
    reading = read(replaced(text, "逾期不补正", "逾期不予补正"))
    assert (reading.record["applications"], reading.record["status"]) == (expected["applications"], "ok")


# --- table 2 by its headers --------------------------------------------------------------


def without_change_column(previous_header: str) -> Reading:
    """city-2019 with its 本年增/减 column taken out of table 2, the 上一年 header printed as
    ``previous_header``."""
    text, _ = fixture("city-2019")
    text = text.replace("上一年项目数量 本年增/减", previous_header)
    for old, new in [
        ("行政许可 74 4 4033", "行政许可 74 4033"),
        ("其他对外管理服务事项 106 1 0", "其他对外管理服务事项 106 0"),
        ("行政处罚 110 -3 1957", "行政处罚 110 1957"),
        ("行政强制 115 -1 29", "行政强制 115 29"),
        ("行政事业性收费 106 5", "行政事业性收费 106"),
    ]:
        text = replaced(text, old, new)
    return read(text)


@pytest.fixture(scope="module")
def no_change_column() -> Reading:
    """city-2019 printed without the 本年增/减 column (both blocks that have it)."""
    return without_change_column("上一年项目数量")


def test_missing_column_is_null(no_change_column: Reading) -> None:
    t2 = no_change_column.record["active_disclosure"]
    assert {t2[k]["change"] for k in ("licensing", "other_services", "punishment", "coercion", "fees")} == {
        None
    }


def test_missing_column_the_printed_ones_read(no_change_column: Reading) -> None:
    _, expected = fixture("city-2019")
    t2, want = no_change_column.record["active_disclosure"], expected["active_disclosure"]
    assert [(t2[k]["previous"], t2[k]["decisions"]) for k in ("licensing", "punishment")] == [
        (want[k]["previous"], want[k]["decisions"]) for k in ("licensing", "punishment")
    ]


def test_missing_column_said_in_the_errors(no_change_column: Reading) -> None:
    assert any("本年增/减 (licensing)" in e for e in no_change_column.record["errors"])


def test_missing_column_the_record_is_whole(no_change_column: Reading) -> None:
    assert no_change_column.record["status"] == "ok"


# --- table 3 with a 小计 column -------------------------------------------------------------


def with_subtotal(text: str, *, before: bool = False, wrong_in: str = "") -> str:
    """Every table 3 row with the legal-person subtotal added, after 其他 (or before 商业企业).
    county-2021-long has natural persons, so the subtotal differs from the total."""
    lines = []
    for line in text.splitlines():
        if line == "商业企业 科研机构 社会公益组织 法律服务机构 其他":
            line = "小计 " + line if before else line + " 小计"
        parts = line.split(" ")
        if len(parts) == 8 and all(p.lstrip("-").isdigit() for p in parts[1:]):
            values = [int(p) for p in parts[1:]]
            subtotal = sum(values[1:6]) + (1 if parts[0].endswith(wrong_in) and wrong_in else 0)
            values.insert(1 if before else 6, subtotal)
            line = " ".join([parts[0], *map(str, values)])
        lines.append(line)
    return "\n".join(lines)


def test_subtotal_column_dropped() -> None:
    text, expected = fixture("county-2021-long")
    assert read(with_subtotal(text)).record["applications"] == expected["applications"]


def test_subtotal_column_before_the_legal_persons() -> None:
    text, expected = fixture("county-2021-long")
    assert read(with_subtotal(text, before=True)).record["applications"] == expected["applications"]


def test_subtotal_column_said_in_the_reading() -> None:
    text, _ = fixture("county-2021-long")
    assert "table 3: the 小计 column (column 7 of 8) read and dropped" in read(with_subtotal(text)).readings


def test_subtotal_that_does_not_add_up_is_said() -> None:
    text, _ = fixture("county-2021-long")
    errors = read(with_subtotal(text, wrong_in="予以公开")).record["errors"]
    assert errors == ["table 3: 小计 is not the sum of the legal-person columns in row(s) granted"]


# --- hostile text ---------------------------------------------------------------------------


def test_ten_thousand_lone_digits_keep_few_readings() -> None:
    spans = tokens(["（一）予以公开"] + [str(1 + i % 9) for i in range(10_000)])
    assert len(row_readings(spans, 7)) <= MAX_READINGS


def test_ten_thousand_lone_digits_in_a_report_are_read_without_a_crash() -> None:
    text, _ = fixture("city-2019")
    digits = "\n".join(str(1 + i % 9) for i in range(10_000))
    reading = read(replaced(text, GRANTED, f"（一）予以公开\n{digits}"))
    assert reading.record["status"] == "ok" and not check(reading, "T3-ROW-SUM")["ok"]


def test_rests_on_many_lines_keep_few_readings() -> None:
    """Three numbers too many, on a thousand lines of rests: the search is cut off."""
    lines = ["（一）予以公开 1 1 1 1 1 1 1"] + ["1 1 1"] + ["1"] * 1000
    assert len(row_readings(tokens(lines), 1_000 + 7)) <= MAX_READINGS


def test_extraction_says_which_reading_won() -> None:
    """What the database's ``extraction`` column holds: the path, then the readings."""
    text, _ = fixture("city-2019")
    result = parse_bytes(replaced(text, GRANTED, "（一）予以公开 0 14 1 1 2 0 1\n8").encode("utf-8"), "test")
    assert result.extraction == "text; table 3 row granted: joined 1|8→18"


def test_labels_printed_by_their_first_half() -> None:
    """Some bodies print only 1.申请人无正当理由逾期不补正 / 2.…缴纳费用."""
    text, expected = fixture("county-2021-long")
    for half in ("逾期不补正", "缴纳费用"):
        text = text.replace(f"{half}、行政机关不再处理其政府信息公开申请", half)
    assert read(text).record["applications"] == expected["applications"]


def test_missing_column_in_html_cells() -> None:
    """The same left-out column in a portal's HTML table: its header cell and each
    row's cell gone; the printed cells read by their headers."""
    html = (FIXTURES / "city-2019.html").read_text(encoding="utf-8")
    cell = r"<td[^>]*><p>{}</p></td>"
    html = re.sub(cell.format("本年增/减"), "", html)
    for label in ("行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费"):
        html, count = re.subn(
            f"({cell.format(label)}{cell.format('[^<]*')}){cell.format('[^<]*')}", r"\1", html
        )
        assert count == 1, label
    t2 = parse_bytes(html.encode("utf-8"), "test").record["active_disclosure"]
    printed = [(t2[k]["previous"], t2[k]["change"], t2[k]["decisions"]) for k in ("licensing", "punishment")]
    assert printed == [(74, None, 4033), (110, None, 1957)]


# --- table 2 headers naming the year (putian-city-2019) -------------------------------------


@pytest.fixture(scope="module")
def year_headers() -> Reading:
    """The real 莆田市人民政府 2019 report: no 本年增/减 column, and 上一年 printed as the
    year itself, spaced off it as PDF text has it (``2019 年项目数量``)."""
    return without_change_column("2019 年项目数量")


def test_year_header_names_the_previous_column(year_headers: Reading) -> None:
    t2 = year_headers.record["active_disclosure"]
    assert [t2[k]["previous"] for k in ("licensing", "other_services", "punishment", "coercion")] == [
        74,
        106,
        110,
        115,
    ]


def test_year_header_decisions_land_in_their_field(year_headers: Reading) -> None:
    t2 = year_headers.record["active_disclosure"]
    assert [t2[k]["decisions"] for k in ("licensing", "other_services", "punishment", "coercion")] == [
        4033,
        0,
        1957,
        29,
    ]


def test_year_header_the_unprinted_change_is_null(year_headers: Reading) -> None:
    t2 = year_headers.record["active_disclosure"]
    assert {t2[k]["change"] for k in ("licensing", "other_services", "punishment", "coercion", "fees")} == {
        None
    }


def test_year_in_a_header_is_not_a_value(year_headers: Reading) -> None:
    assert year_headers.record["active_disclosure"]["fees"] == {"previous": 106, "change": None}


def test_year_header_no_row_lost(year_headers: Reading) -> None:
    assert not [e for e in year_headers.record["errors"] if "values, expected" in e]


def test_year_header_the_record_is_whole(year_headers: Reading) -> None:
    assert year_headers.record["status"] == "ok"


def test_a_number_spaced_off_its_date_word_is_text() -> None:
    assert [(t.kind, t.text) for t in tokens(["信息内容 2019 年项目数量 168"])] == [
        ("text", "信息内容"),
        ("text", "2019年项目数量"),
        ("number", "168"),
    ]


# --- table 3 rows printed blank (shanghai-bgt-2019) ------------------------------------------

BLANK_ROW = "3.危及“三安全一稳定” 0 0 0 0 0 0 0"


@pytest.fixture(scope="module")
def blank_row() -> Reading:
    """HTML, DOCX and ruled-PDF rows come as cells: a label and seven empty ones."""
    text, _ = fixture("city-2019")
    return read(replaced(text, BLANK_ROW, "3.危及“三安全一稳定”" + "\t" * 7))


def test_a_row_of_blank_cells_is_read_as_nulls(blank_row: Reading) -> None:
    assert set(blank_row.record["applications"]["denied_security_stability"].values()) == {None}


def test_a_row_of_blank_cells_is_no_error(blank_row: Reading) -> None:
    assert blank_row.record["errors"] == []


def test_a_row_of_blank_cells_leaves_the_record_whole(blank_row: Reading) -> None:
    assert blank_row.record["status"] == "ok"


def test_a_row_of_blank_cells_after_a_merged_group_cell() -> None:
    """Extra empty cells (a merged cell exported as an empty one) are layout."""
    text, _ = fixture("city-2019")
    reading = read(replaced(text, BLANK_ROW, "\t3.危及“三安全一稳定”" + "\t" * 8))
    assert reading.record["errors"] == []


def test_too_few_blank_cells_stay_unread() -> None:
    text, _ = fixture("city-2019")
    reading = read(replaced(text, BLANK_ROW, "3.危及“三安全一稳定”" + "\t" * 3))
    assert "table 3: row denied_security_stability has 0 values, expected 7" in reading.record["errors"]


def test_a_row_without_cells_in_plain_text_stays_unread() -> None:
    text, _ = fixture("city-2019")
    reading = read(replaced(text, BLANK_ROW, "3.危及“三安全一稳定”"))
    assert "table 3: row denied_security_stability has 0 values, expected 7" in reading.record["errors"]


# --- a table 2 row the body left out (putian-kjj-2024) ---------------------------------------


def without_regulations() -> Reading:
    """The real 莆田市科学技术局 2024 report prints no 规章 row at all (its label is
    nowhere in the page), so nothing is matched to it: the row stays unread."""
    text, _ = fixture("dept-2021")
    line = next(x for x in text.splitlines() if x.startswith("规章 "))
    return read(replaced(text, line + "\n", ""))


def test_a_table_2_row_not_printed_is_null() -> None:
    regulations = without_regulations().record["active_disclosure"]["regulations"]
    assert regulations == {"made": None, "repealed": None, "in_force": None}


def test_a_table_2_row_not_printed_is_said() -> None:
    assert without_regulations().record["errors"] == ["table 2: row regulations not found"]


def test_a_table_2_row_not_printed_keeps_the_others() -> None:
    _, expected = fixture("dept-2021")
    t2 = without_regulations().record["active_disclosure"]
    assert {k: v for k, v in t2.items() if k != "regulations"} == {
        k: v for k, v in expected["active_disclosure"].items() if k != "regulations"
    }


# --- the last section ends with the report ------------------------------------------------------

LAST_PROSE = "本单位无收取信息处理费等其他需要报告的事项。"
SIGNATURE = "莆田市人民政府办公室\n2020年1月20日\n（此件主动公开）"
PORTAL_FOOTERS = {
    "download and share": "附件下载：\n莆田市2019年政府信息公开工作年度报告.pdf\n扫一扫在手机打开当前页\n相关文章",
    "site identity": "网站标识码：3503000001闽ICP备05009235号闽公网安备 35030002001007号",
    "copyright": "版权所有：莆田市人民政府网\n新媒体矩阵\n主办：莆田市人民政府办公室承办：莆田市数字莆田建设领导小组办公室",
    "comment form": "评论\n姓名: 内容: 验证码:",
    "browser advice": "为确保最佳浏览效果，建议您使用以下浏览器版本：IE浏览器9.0版本及以上；Google Chrome浏览器 63版本及以上",
    "print buttons": "【打印】【关闭】",
    "share and neighbours": "分享到：\n上一篇：莆田市2018年政府信息公开工作年度报告",
    "site identity, other wording": "网站识别码：3503000001 技术支持：某某网络公司",
}


def section_6(after_prose: str) -> str:
    text, _ = fixture("city-2019")
    return read(replaced(text, LAST_PROSE, LAST_PROSE + "\n" + after_prose)).record["sections"]["6"]


@pytest.mark.parametrize("footer", PORTAL_FOOTERS.values(), ids=PORTAL_FOOTERS.keys())
def test_portal_chrome_is_not_in_the_last_section(footer: str) -> None:
    assert section_6(footer) == LAST_PROSE


def test_the_signature_stays_in_the_last_section() -> None:
    assert section_6(SIGNATURE + "\n" + PORTAL_FOOTERS["download and share"]) == LAST_PROSE + "\n" + SIGNATURE


def test_the_last_section_ends_after_the_signature() -> None:
    """Link lists of a portal carry no marker: the signature ends the report."""
    assert section_6(SIGNATURE + "\n•网站群\n•行政服务中心\n•发改委") == LAST_PROSE + "\n" + SIGNATURE


def test_a_signature_without_disclosure_mark_ends_at_its_date() -> None:
    signature = "莆田市人民政府办公室\n2020年1月20日"
    assert section_6(signature + "\n•网站群") == LAST_PROSE + "\n" + signature


@pytest.mark.parametrize(
    "prose",
    ["本年度收到网民评论3条，均已答复。", "评论3条，均已答复。", "市民可扫一扫二维码关注“莆田发布”。"],
    ids=["inside a line", "a wrapped line's start", "a share code in prose"],
)
def test_chrome_words_inside_prose_are_prose(prose: str) -> None:
    assert section_6(prose) == LAST_PROSE + "\n" + prose


def test_page_fields_printed_inside_a_section_are_not_prose() -> None:
    """Chromium prints a portal's floating article fields where the page puts them,
    inside the report's flow (putian-cg-2022, putian-lyj-2023)."""
    text, _ = fixture("city-2019")
    line = "足：一是政策解读的形式还不够丰富；二是信息发布的及时性有待提高。\n"
    fields = "发布时间：2023-01-13 15:54 | 来源：莆田市城市管理局\n字号：大 | |\n"
    printed = read(replaced(text, line, line + fields)).record["sections"]["5"]
    assert printed == read(text).record["sections"]["5"]


# --- the real layouts' records (tests/fixtures/real) --------------------------------------------


def _real_cases() -> list[tuple[str, str]]:
    return [(report, rendering) for report in reports() for rendering in RENDERINGS]


@pytest.mark.parametrize(("report", "rendering"), _real_cases(), ids="/".join)
def test_real_last_section_has_no_portal_chrome(report: str, rendering: str) -> None:
    last = parsed(report, rendering)["sections"]["6"] or ""
    chrome = re.compile("|".join(PORTAL_CHROME))
    assert [line for line in last.split("\n") if chrome.search(compact(line))] == []


@pytest.mark.parametrize(
    ("report", "rendering"),
    [("putian-city-2019", r) for r in ("html", "libreoffice.pdf", "libreoffice.docx", "chromium.pdf")]
    + [("shanghai-bgt-2019", r) for r in ("html", "libreoffice.docx", "chromium.pdf")],
    ids="/".join,
)
def test_real_left_out_column_and_blank_rows_read_whole(report: str, rendering: str) -> None:
    assert parsed(report, rendering)["status"] == "ok"
