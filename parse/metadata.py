"""Title, issuing body and reporting year, read from the document itself."""

from __future__ import annotations

import re

from nianbao.parse.text import clean_line, compact, is_page_number

# 政府信息公开工作年度报告 and its printed variants (政务公开, 年报, 工作报告).
_REPORT_WORDS = re.compile(r"(政府信息公开|政务公开|信息公开).{0,6}(年度报告|年报|工作报告|报告)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
_TITLE_LINES = 4  # a title wraps over at most this many lines
_GAP_NEAR_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def tidy_title(text: str) -> str:
    """A title as printed, less the gaps typesetting puts around CJK (``2023 年``)."""
    return _GAP_NEAR_CJK.sub("", clean_line(text))


def find_title(lines: list[str], hint: str | None = None, fallback: str | None = None) -> str | None:
    """The report's title as printed: a hint (HTML meta) if it names a report, else the
    first lines of the document, joined until they name one, else a fallback (an
    attachment's file name) if it names one."""
    if hint and _REPORT_WORDS.search(compact(hint)):
        return tidy_title(hint)
    head = [clean_line(x).lstrip("#").strip() for x in lines[:40] if x.strip() and not is_page_number(x)]
    for i, line in enumerate(head):
        joined = ""
        for part in head[i : i + _TITLE_LINES]:
            joined += part
            if len(joined) > 80:
                break
            if _REPORT_WORDS.search(compact(joined)) and compact(joined).endswith(("报告", "年报")):
                return tidy_title(joined)
        if compact(line).startswith(("一、", "1、")):
            break
    if fallback and _REPORT_WORDS.search(compact(fallback)):
        return tidy_title(fallback)
    if hint:
        return tidy_title(hint)
    return None


def find_year(title: str | None, lines: list[str]) -> int | None:
    """The reporting year: in the title, else the first "YYYY年…政府信息公开" in the text."""
    if title:
        match = _YEAR.search(compact(title))
        if match:
            return int(match.group(1))
    for line in lines[:80]:
        text = compact(line)
        match = re.search(r"((?:19|20)\d{2})年度?(?:政府信息公开|政务公开|,|，)", text)
        if match:
            return int(match.group(1))
    return None


def find_organization(title: str | None) -> str | None:
    """The issuing body: the title without its year and its 政府信息公开…报告 words."""
    if not title:
        return None
    text = compact(title)
    text = re.sub(r"^关于", "", text)
    text = _REPORT_WORDS.sub("", text)
    text = re.sub(r"[(（]?(?:19|20)\d{2}年度?[)）]?", "", text)
    # "X关于2023年度政府信息公开工作的报告": what is left is "X关于…的工作".
    text = re.sub(r"(关于)?(的|工作|的工作)?$", "", text).strip("《》\"'")
    return text or None
