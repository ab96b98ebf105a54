"""Title, issuing body and reporting year, read from what the document itself says.

One set of rules for every kind of document (HTML, PDF, DOCX, DOC, text, OFD): the
extractors hand over printed lines, and the lines say who reports on which year.

- The title is the document's title line: ``…年(度)政府信息公开工作年度报告`` and its
  printed variants, possibly wrapped over up to three lines and possibly preceded by
  the body's name on a line of its own. What the container says (an HTML page's
  ``<title>``, a DOCX's core properties) and an attachment's file name count only when
  the lines hold no title: a DOCX copied from last year's keeps last year's title in
  its properties, and portals append their column and site to a page's ``<title>``.
- The issuing body is, in this order: the body named in the title (the part before the
  year); the signature (the last body name standing above a date, ``2024年1月20日``);
  the first line before the report's first section that is a body name and nothing
  else; and last, a portal's own meta line (``发布机构：``, then ``来源：``). The meta
  line comes last because it is the portal's statement, not the report's: a county
  portal publishes its departments' reports as ``来源：X县人民政府``, and a report
  printed from the page carries that line above its own title.
- Never a title or a body: navigation (``首页``, ``当前位置``, bullet lists of links),
  page furniture (page numbers, a browser's print header and footer with the date, the
  page's ``<title>`` and its address), and meta lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nianbao.parse.text import clean_line, compact, fold, is_page_number

# 政府信息公开工作年度报告 and its printed variants (政务公开, 年报, 工作报告).
_REPORT_WORDS = re.compile(r"(政府信息公开|政务公开|信息公开).{0,6}(年度报告|年报|工作报告|报告)")
# The same words ending a title (a year in brackets may follow); between the two
# halves no 公开 or 报告, so that glued breadcrumbs (政府信息公开政府信息公开年报…) are
# not read as one title.
# A year as titles print it: 2023年, 2023 年度, （2023年度）, 二〇二三年度.
_CN_DIGITS = "〇一二三四五六七八九"
_YEAR_DIGITS = r"(?:19|20)\d{2}|[一二][〇○零一二三四五六七八九]{3}"
_TITLE_WORDS = re.compile(
    r"(政府信息公开|政务公开|信息公开)[^公开报]{0,6}?(年度报告|年报|工作报告|报告)》?"
    rf"(?:[(（]({_YEAR_DIGITS})年度?[)）])?$"
)
_YEAR = re.compile(rf"({_YEAR_DIGITS})\s*年\s*度?")
# 2019年以前 (before 2019) names a portal's column, not a report's year.
_TITLE_YEAR = re.compile(rf"[(（]?({_YEAR_DIGITS})年度?(?!以前|以后|之前|之后|前|后|起|至)[)）]?")
_TITLE_LINES = 4  # a title wraps over up to 3 lines, under its body's name on one of its own
_TITLE_CHARS = 80  # compact characters: anything longer is prose, not a title
_HEAD_LINES = 400  # a title stands this near the top, even under a portal's navigation
_LINE_CHARS = 160  # printed characters: a longer line is a paragraph, no title, body or meta line
_FIRST_WORDS = re.compile(rf"\s*(\S{{1,{_TITLE_CHARS}}})(?:\s|$)")  # a title-long start before a gap
_GAP_NEAR_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")

# Names of bodies end with what kind of body they are. Matched against compact text,
# longest first, so that 人民政府办公室 is one suffix, not 办公室 after 人民政府.
BODY_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        (
            "人民政府", "政府", "人民政府办公室", "人民政府办公厅", "办公室", "办公厅",
            "委员会", "管理委员会", "管委会", "工委", "党工委",
            "街道办事处", "办事处", "街道", "镇人民政府", "乡人民政府", "镇", "乡",
            "局", "分局", "厅", "委", "办", "署", "中心", "院", "馆", "所", "站", "社",
            "联合会", "红十字会", "协会", "支队", "大队", "总队", "公司", "集团", "学校", "大学", "医院",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
_BODY_CHARS = re.compile(r"^[\u4e00-\u9fff()·]{2,40}$")
# Words that make a line prose (or a report's own wording), never a body's name.
_NOT_A_NAME = re.compile(r"根据|按照|依据|公布|现将|特此|编制|本报告|以下|我[局委办区县市镇乡]|报告|年报")
# Navigation: a portal's breadcrumb and menus, as Chromium and LibreOffice print them.
_NAVIGATION = re.compile(r"首页|当前位置|您的位置|现在的位置|所在位置|^[•·>›»→]|[•>›»→].*[•>›»→]")
# A menu: four or more words side by side (国务院 省政府 省人大 省政协).
_MENU = re.compile(r"[\u4e00-\u9fff]{2,}(?:[ \u3000\xa0]+[\u4e00-\u9fff]{2,}){3,}")
# Page furniture: a browser's print header (date, time, the page's <title>) and footer
# (the address, "1/13"), and page numbers.
_FURNITURE = re.compile(r"://|www\.|^\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}|_")
# A portal's meta fields, printed with the page: a label and a colon.
_META_LABELS = ("发布机构", "发文机关", "发布单位", "公开主体", "信息来源", "文章来源", "来源")
_META = re.compile(r"(" + "|".join(_META_LABELS) + r")\s*[:：]\s*([^\s:：|]+)")
# What follows a meta value when the page prints no space before the next field.
_NEXT_META = re.compile(r"(?:发布|成文|公开|更新)?(?:时间|日期)|浏览|作者|字号|点击")
_OTHER_META = re.compile(
    r"^(标题|题目|文章标题|信息名称|名称|文号|栏目|原文链接|索引号|主办单位|承办单位|网站标识码|发布日期|发布时间|时间|日期|浏览次数|分类)\s*[:：]"
)
_TITLE_LABEL = re.compile(r"^(?:标题|题目|文章标题|信息名称|名称)\s*[:：]\s*(\S.*)$")
_PUNCTUATION = re.compile(r"[,，。;；:：!！?？、]")
# A signature's date: 2024年1月20日, or in Chinese numerals 二〇二四年一月二十日.
_DATE = r"(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)"
_SIGNATURE_DATE = re.compile(rf"^(?P<body>.*?){_DATE}$")
_SIGNATURE_REACH = 2  # the body's name stands at most this many lines above the date
_SIGNATURE_DATES = 50  # date lines tried from the end: a portal's lists after the report hold some
_FIRST_SECTION = ("一、", "一.", "1、")


def year_number(digits: str) -> int:
    """A year printed in digits or in Chinese numerals (二〇二三) as a number."""
    return int(
        "".join(
            str(_CN_DIGITS.index(c)) if c in _CN_DIGITS else c
            for c in digits.replace("○", "〇").replace("零", "〇")
        )
    )


def tidy_title(text: str) -> str:
    """A title as printed, less the gaps typesetting puts around CJK (``2023 年``)."""
    return _GAP_NEAR_CJK.sub("", clean_line(text))


@dataclass(frozen=True)
class _Title:
    text: str  # compact
    body: str | None  # the body it names, if any
    year: int | None


def _read_title(text: str) -> _Title | None:
    """``text`` (compact) as a report's title, or None: its report words at the end,
    no sentence punctuation, and what stands before the year a body's name (or a
    place's) if anything does. A title without a year must name a body."""
    if len(text) > _TITLE_CHARS or _PUNCTUATION.search(text) or _NAVIGATION.search(text):
        return None
    plain = re.sub(r"^[《\"']*(关于)?", "", text)
    words = _TITLE_WORDS.search(plain)
    if not words or _FURNITURE.search(plain):
        return None
    before = plain[: words.start()]
    year = _TITLE_YEAR.search(before)
    if year:
        # 新乡县人民政府2023年…, or 2023年新乡县应急管理局…
        body = before[: year.start()] or before[year.end() :]
        number = year_number(year.group(1))
    else:
        body, number = before, year_number(words.group(3)) if words.group(3) else None
    # "X关于2023年度政府信息公开工作的报告": the body is "X关于".
    body = re.sub(r"(关于)?(的|工作|的工作)?$", "", body).strip("《》\"'")
    if body and not _is_titles_body(body):
        return None
    if number is None and not body:
        return None
    return _Title(text, body or None, number)


def is_body_name(text: str) -> bool:
    """Whether ``text`` (one line) is a body's name and nothing else: CJK, ending with
    a kind of body (局, 人民政府, 街道办事处 …), no prose or report words, no menu."""
    if _MENU.search(text):
        return False
    text = compact(text)
    if not _BODY_CHARS.match(text) or _NOT_A_NAME.search(text) or _NAVIGATION.search(text):
        return False
    if "公开" in text.replace("公开办公室", "").replace("公开办", ""):
        return False  # 政府信息公开办公室 is a body; 政府信息公开XX局 is a breadcrumb and a name
    return any(text.endswith(s) and len(text) > len(s) for s in BODY_SUFFIXES)


def _is_titles_body(text: str) -> bool:
    """What a title names before its year: a body's name, or a place's (平潭综合实验区,
    西工区) — the title says it reports, so a kind-of-body suffix is not required."""
    if is_body_name(text):
        return True
    return bool(_BODY_CHARS.match(text)) and not _NOT_A_NAME.search(text) and "公开" not in text


def _is_chrome(line: str) -> bool:
    """Navigation, page furniture or a meta line: never part of a title or a body's name."""
    text = compact(line)
    return (
        not text
        or is_page_number(line)
        or bool(_NAVIGATION.search(text) or _FURNITURE.search(line) or _META.search(text))
        or bool(_OTHER_META.match(text) or _MENU.search(line))
    )


def _head(lines: Sequence[str]) -> tuple[list[str | None], bool]:
    """The lines above the report's first section, cleaned, chrome as None (a title
    does not run across it); and whether the first section was found."""
    head: list[str | None] = []
    for raw in lines[:_HEAD_LINES]:
        if not raw.strip():
            continue
        if compact(raw[:12]).startswith(_FIRST_SECTION):
            return head, True
        if len(raw) > _LINE_CHARS:
            # A paragraph; text flattened from a web page starts with the title and a gap.
            first = _FIRST_WORDS.match(raw)
            if first and not _is_chrome(first.group(1)):
                head.append(clean_line(first.group(1)))
            head.append(None)
            continue
        line = clean_line(raw).lstrip("#").strip()  # closes the gaps a menu shows itself by
        head.append(None if _is_chrome(raw) or _is_chrome(line) else line)
    return head, False


def _title_in_lines(lines: Sequence[str]) -> str | None:
    """The title the lines print: up to four lines joined, the first of them possibly
    from a gap on (``Object 1 某某局2023年…``, a placeholder LibreOffice prints on the
    heading's line); one with a year before one without. Of several, the last above the
    report's first section: the title stands over the report's text, and a portal's
    sidebar of other reports, printed before the article, stands above it."""
    head, sectioned = _head(lines)
    titles: list[str] = []
    yearless: str | None = None
    i = 0
    while i < len(head):
        first, i = head[i], i + 1
        if first is None:
            continue
        for start in _starts(first):
            found = _title_from(start, head[i : i - 1 + _TITLE_LINES])
            if found and found[1] and not _names_itself_below(found[0], head[i:]):
                titles.append(found[0])
                i += found[2] - 1  # a title's own lines start no other
                break
            yearless = yearless or (found[0] if found else None)
        if titles and not sectioned:
            break  # no first section to stand above: the first title
    if titles:
        return titles[-1]
    return yearless


def _names_itself_below(title: str, below: Sequence[str | None]) -> bool:
    """Whether a title joined from lines starts with a line that is not its own: the
    lines below print a title of their own that names its body (a portal prints the
    publishing office above the article's title: 某某市人民政府办公室 / 某某市人民政府2019年…)."""
    if not below or below[0] is None:
        return False
    rest = _title_from(below[0], below[1:_TITLE_LINES])
    if not rest or not rest[1] or not compact(title).endswith(compact(rest[0])):
        return False
    named = _read_title(compact(rest[0]))
    return bool(named and named.body) and compact(rest[0]) != compact(title)


def _starts(line: str) -> list[str]:
    """What follows each gap in a line (the whole line first) that is short enough to
    be a title; a long line costs no more than a short one."""
    starts, tail = [], ""
    for part in reversed(line.split()[-_TITLE_CHARS:]):
        tail = f"{part} {tail}" if tail else part
        if len(tail) > _TITLE_CHARS * 2:  # printed, spaces included
            break
        starts.append(tail)
    return starts[::-1]


def _title_from(first: str, following: Sequence[str | None]) -> tuple[str, bool, int] | None:
    """The title that ``first`` begins (joined with up to three lines after it),
    whether it has a year, and how many lines it takes: the shortest with a year, else
    the shortest without."""
    joined, printed = "", []
    yearless: tuple[str, bool, int] | None = None
    for part in (first, *following):
        if part is None:
            break
        joined += compact(part)
        printed.append(part)
        if len(joined) > _TITLE_CHARS:
            break
        title = _read_title(joined)
        if title is not None and title.year is not None:
            return tidy_title(" ".join(printed)), True, len(printed)
        if title is not None:
            yearless = yearless or (tidy_title(" ".join(printed)), False, len(printed))
    return yearless


def find_title(lines: list[str], hint: str | None = None, fallback: str | None = None) -> str | None:
    """The report's title as printed: the document's title line, else what the
    container says if it reads as a title (a ``标题:`` meta line, then ``hint``: an
    HTML page's title or heading, a DOCX's properties), else ``fallback`` (an
    attachment's file name) if it does; failing all, a hint or file name that merely
    names a report, else the hint."""
    found = _title_in_lines(lines)
    if found:
        named = _read_title(compact(found))
        page = _read_title(compact(_without_site(hint))) if hint else None
        if named and not named.body and page and page.body and page.text.endswith(named.text):
            return tidy_title(_without_site(hint))  # the same title, the page's with its body's name
        return found
    for candidate in (_labelled_title(lines), hint, fallback):
        if candidate and _read_title(compact(_without_site(candidate))):
            return tidy_title(_without_site(candidate))
    for candidate in (hint, fallback):
        if candidate and _REPORT_WORDS.search(compact(candidate)):
            return tidy_title(candidate)
    if hint:
        return tidy_title(hint)
    return None


def _labelled_title(lines: Sequence[str]) -> str | None:
    """A title a meta line gives (``标题: …``, as mirrors and portals print a page's
    fields above its text): what the container says, not a title line."""
    for line in lines[:_HEAD_LINES]:
        if len(line) <= _LINE_CHARS:
            match = _TITLE_LABEL.match(fold(line).strip())
            if match:
                return match.group(1)
    return None


def _without_site(title: str) -> str:
    """A page's <title> less the column and site portals append (``…报告_年报_某某网``)."""
    return re.split(r"\s*[_|]\s*|\s+[–—-]\s+", title)[0]


def find_year(title: str | None, lines: list[str]) -> int | None:
    """The reporting year: in the title, else the first "YYYY年…政府信息公开" in the text."""
    if title:
        match = _YEAR.search(compact(title))
        if match:
            return year_number(match.group(1))
    for line in lines[:80]:
        text = compact(line)
        match = re.search(r"((?:19|20)\d{2})年度?(?:政府信息公开|政务公开|,|，)", text)
        if match:
            return int(match.group(1))
    return None


def find_organization(title: str | None, lines: Sequence[str] = ()) -> str | None:
    """The issuing body: the one the title names, else the signature's, else the first
    line above the report's first section that is a body's name, else the portal's
    meta line (发布机构, then 来源)."""
    named = _read_title(compact(title)) if title else None
    if named and named.body:
        return named.body
    if title and not named:
        body = _body_of_loose_title(title)
        if body:
            return body
    return _signature(lines) or _first_body_line(lines) or _meta_body(lines)


def _body_of_loose_title(title: str) -> str | None:
    """A title that is no title line (a hint or file name taken as it is): the words
    before its year or report words, if they are a body's name."""
    text = re.sub(r"^[《\"']*(关于)?", "", compact(title))
    cut = [m.start() for m in (_TITLE_YEAR.search(text), _REPORT_WORDS.search(text)) if m]
    if not cut:
        return None
    body = re.sub(r"(关于)?(的|工作|的工作)?$", "", text[: min(cut)])
    return body if body and _is_titles_body(body) and not _FURNITURE.search(body) else None


def _signature(lines: Sequence[str]) -> str | None:
    """The body that signs the report: the last date line (``2024年1月20日``) with a
    body's name on it or at most two lines above it."""
    printed = [x for x in lines if x.strip() and not is_page_number(x)]
    dates = 0
    for i in range(len(printed) - 1, -1, -1):
        if "日" not in printed[i] or len(printed[i]) > _LINE_CHARS:
            continue  # no date, or a paragraph (a document's worth of lines costs little)
        match = _SIGNATURE_DATE.match(compact(printed[i]))
        if not match:
            continue
        dates += 1
        if dates > _SIGNATURE_DATES:
            break
        if match.group("body"):
            if is_body_name(match.group("body")):
                return match.group("body")
            continue  # prose that ends with a date
        for above in printed[max(0, i - _SIGNATURE_REACH) : i][::-1]:
            if len(above) <= _LINE_CHARS and is_body_name(above) and not _is_chrome(above):
                return compact(above)
    return None


def _first_body_line(lines: Sequence[str]) -> str | None:
    for line in _head(lines)[0]:
        if line is not None and is_body_name(line):
            return compact(line)
    return None


def _meta_body(lines: Sequence[str]) -> str | None:
    """The body a portal's meta line names: 发布机构/发文机关/发布单位 before 来源."""
    found: dict[str, str] = {}
    for line in lines[:_HEAD_LINES]:
        if len(line) > _LINE_CHARS or not any(label in line for label in _META_LABELS):
            continue
        for label, value in _META.findall(fold(clean_line(line))):
            value = _NEXT_META.split(compact(value))[0]
            if label not in found and is_body_name(value):
                found[label] = value
    return next((found[label] for label in _META_LABELS if label in found), None)
