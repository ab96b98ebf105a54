"""Finding the six sections by their headings.

A heading is a line that starts with its Chinese numeral (after any markdown
``#``) and carries the section's distinctive words near its start; a heading split
over two lines is read joined. Sections are searched in order, each after the
previous one, so a table row such as ``三、本年度办理结果`` is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.parse.form import CHINESE_NUMERALS, SECTIONS, Section
from nianbao.parse.text import compact

_NUMBERED = re.compile(rf"^[{CHINESE_NUMERALS}]{{1,2}}[、.,:：]?")
_HEADING_REACH = 30  # the words must stand within this many characters of the numeral

# Lines of the portal page around a report (its footer, comment form, share and download
# boxes), never the report's own prose: the last section ends before the first of them.
# Patterns on compact text (``parse.text.compact``), anchored or whole-line where the
# words could stand in prose too (网民评论3条, 扫一扫二维码).
PORTAL_CHROME: tuple[str, ...] = (
    r"网站(标识|识别)码",
    r"ICP备",
    r"公网安备",
    r"版权所有",
    r"[Cc]opyright|AllRightsReserved",
    r"^主办(单位)?[:：]",
    r"^承办(单位)?[:：]",
    r"^技术支持[:：]",
    r"扫一扫在手机",  # 扫一扫在手机打开当前页 / 上查看当前页面
    r"^相关(文章|链接|阅读|新闻)$",
    r"^附件下载",
    r"^(我要|发表)?评论(评论)?(关闭)?$",  # the comment box: 评论, 评论评论关闭
    r"验证码",
    r"浏览器.{0,16}版本",
    r"网站地图",
    r"^分享到",
    r"^(上一篇|下一篇)[:：]",
    r"^(?:[【\[]?(?:打印本页|关闭窗口|打印|关闭)[】\]]?)+$",  # a page's print/close buttons
)
_CHROME = re.compile("|".join(f"(?:{p})" for p in PORTAL_CHROME))
# A portal page's article fields, which a printed page can place inside the report's
# flow (Chromium prints them where the page's layout floats them): never prose.
PAGE_FIELDS: tuple[str, ...] = (
    r"^发布时间[:：].{0,40}来源[:：]",
    r"^字号[:：](大|中|小|\|)+$",
)
_PAGE_FIELD = re.compile("|".join(f"(?:{p})" for p in PAGE_FIELDS))
# The report's own end: the issuing body on a line of its own, the date under it, and
# the disclosure mark some print after them.
_SIGNATURE_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_DISCLOSURE_MARK = re.compile(r"^\((此件|本件)?(主动|依申请)?公开\)$")
_SIGNATURE_NAME_MAX = 40  # characters: a body's name, not a sentence
_SENTENCE_MARKS = re.compile(r"[。，,;；:：]")


@dataclass(frozen=True)
class Span:
    number: int
    heading: str
    start: int  # first line of the body
    end: int  # one past the last line of the body
    heading_line: int


def find_sections(lines: list[str], start: int = 0) -> dict[int, Span]:
    found: list[tuple[Section, int, int, str]] = []  # section, heading line, body start, heading text
    cursor = start
    for section in SECTIONS:
        hit = _find_heading(lines, section, cursor)
        if hit is None:
            continue
        line, body, heading = hit
        found.append((section, line, body, heading))
        cursor = body
    spans: dict[int, Span] = {}
    for i, (section, line, body, heading) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else report_end(lines, body)
        spans[section.number] = Span(section.number, heading, body, end, line)
    return spans


def _find_heading(lines: list[str], section: Section, cursor: int) -> tuple[int, int, str] | None:
    pattern = re.compile(section.match)
    for i in range(cursor, len(lines)):
        text = compact(lines[i])
        if not _NUMBERED.match(text):
            continue
        if pattern.search(text[:_HEADING_REACH]):
            return i, i + 1, lines[i].strip().lstrip("#").strip()
        # A heading wrapped onto the next line.
        if len(text) < 16 and i + 1 < len(lines):
            joined = text + compact(lines[i + 1])
            if pattern.search(joined[:_HEADING_REACH]):
                return i, i + 2, (lines[i].strip() + lines[i + 1].strip()).lstrip("#").strip()
    return None


def numbered_sections(lines: list[str]) -> dict[int, Span]:
    """Pre-2019 reports: any ``一、…`` to ``六、…`` headings, in order, by numeral."""
    spans: list[tuple[int, int, str]] = []
    expected = 0
    for i, line in enumerate(lines):
        text = compact(line)
        if expected < 6 and len(text) <= 40 and text.startswith(CHINESE_NUMERALS[expected] + "、"):
            spans.append((expected + 1, i, line.strip().lstrip("#").strip()))
            expected += 1
    out: dict[int, Span] = {}
    for k, (number, line, heading) in enumerate(spans):
        end = spans[k + 1][1] if k + 1 < len(spans) else report_end(lines, line + 1)
        out[number] = Span(number, heading, line + 1, end, line)
    return out


def report_end(lines: list[str], start: int) -> int:
    """One past the report's last line, searched from ``start`` (the last section's
    body): after its signature (body name, date, any disclosure mark) when printed, and
    before the first line of portal chrome in any case."""
    end = len(lines)
    previous: str | None = None  # the last non-empty line, compact
    for i in range(start, len(lines)):
        text = compact(lines[i])
        if not text:
            continue
        if _CHROME.search(text):
            return i
        if _SIGNATURE_DATE.match(text) and previous is not None and _is_signature_name(previous):
            end = i + 1
            following = next((j for j in range(i + 1, len(lines)) if compact(lines[j])), None)
            if following is not None and _DISCLOSURE_MARK.match(compact(lines[following])):
                end = following + 1
            return end
        previous = text
    return end


def _is_signature_name(text: str) -> bool:
    return len(text) <= _SIGNATURE_NAME_MAX and not _SENTENCE_MARKS.search(text) and not text[0].isdigit()


def is_page_field(line: str) -> bool:
    """A line of the portal page's article fields (发布时间 | 来源, 字号), not the report's."""
    return bool(_PAGE_FIELD.search(compact(line)))
