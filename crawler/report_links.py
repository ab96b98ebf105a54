"""Recognise annual-report links, attachments and report pages.

A report link says what it is: a year and 政府信息公开…年度报告 / 年报 in its anchor
text or title (the title attribute holds the full text when the anchor is cut short
with "…"). Look-alikes are rejected: the notices that ask for the reports
(关于做好…年度报告编制工作的通知), work plans (工作要点), interpretations (解读).
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from posixpath import splitext
from urllib.parse import unquote, urlsplit

from nianbao.crawler.encoding import decode_html, looks_like_html

ATTACHMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd"})
ATTACHMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.ms-excel",
    "application/vnd.ms-works",
    "application/kswps",
    "application/wps",
    "application/ofd",
    "application/octet-stream",
    "application/x-download",
    "application/force-download",
)

_SPACE = re.compile(r"[\s\u3000\xa0]+")
# Years of the regulation's reports: the first ones cover 2008.
_YEAR = re.compile(r"(?<!\d)(20[0-9]{2})(?!\d)\s*(?:年|年度|\b)")
_SUBJECT = re.compile(r"(政府信息公开|政务公开|信息公开)")
_KIND = re.compile(r"(年度报告|年度工作报告|工作报告|工作的报告|情况的报告|年报)")
# Texts that mention the reports without being one.
_DECOY = re.compile(
    r"(通知|工作要点|要点|编制|报送|填报|征集|考核|培训|解读|图解|方案|意见|公告|目录|指南|统计年报|企业年度报告|年报公示|函)"
)
# The column itself (no year): a place to look for reports, not a report.
COLUMN_TEXT = re.compile(
    r"(政府信息公开\s*(工作)?\s*年(度)?报(告)?|信息公开\s*年(度)?报(告)?|政务公开\s*年(度)?报(告)?|年度报告|公开年报)"
)


def clean_text(text: str | None) -> str:
    """Collapse whitespace (full-width spaces and NBSP too) to one space."""
    return _SPACE.sub(" ", text or "").strip()


def report_year(text: str | None) -> int | None:
    """The report's year named in a title: the first plausible 20xx (2008 onwards)."""
    for match in _YEAR.finditer(clean_text(text)):
        year = int(match.group(1))
        if 2008 <= year <= 2099:
            return year
    return None


def is_report_title(text: str | None) -> bool:
    """True for a title such as 新乡县2023年政府信息公开工作年度报告; False for decoys."""
    text = clean_text(text).replace(" ", "")
    if not text or _DECOY.search(text):
        return False
    return bool(report_year(text) and _SUBJECT.search(text) and _KIND.search(text))


def is_column_title(text: str | None) -> bool:
    """True for the name of a report column (政府信息公开年报, 信息公开年报, 年度报告 …)."""
    text = clean_text(text).replace(" ", "")
    return bool(text) and len(text) <= 20 and bool(COLUMN_TEXT.search(text)) and not _DECOY.search(text)


def url_extension(url: str) -> str:
    """The lowercased extension of a URL's path, without the dot ('' when none)."""
    return splitext(unquote(urlsplit(url).path))[1].lstrip(".").lower()


def is_attachment_url(url: str) -> bool:
    """A link to a document file by its extension (pdf, doc, docx, wps, xls, xlsx, …)."""
    return url_extension(url) in ATTACHMENT_EXTENSIONS


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key.lower() == name.lower():
            return value
    return None


def disposition_filename(value: str | None) -> str | None:
    """The file name of a Content-Disposition header (RFC 6266 filename* first)."""
    if not value:
        return None
    msg = Message()
    msg["content-disposition"] = value
    name = msg.get_filename()
    if name:
        return name
    match = re.search(r'filename\s*=\s*"?([^";]+)"?', value, re.I)
    return match.group(1).strip() if match else None


def is_attachment_response(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> bool:
    """A response that is a downloadable document: Content-Disposition or a document type."""
    disposition = _header(headers, "Content-Disposition") or ""
    if disposition.lower().startswith("attachment") or "filename" in disposition.lower():
        return True
    ctype = (_header(headers, "Content-Type") or "").lower()
    return any(ctype.startswith(t) for t in ATTACHMENT_TYPES)


# Headings of the report's sections, old form (before 2019) and new (2019, 2021).
_SECTION_MARKERS = (
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "依申请公开",
    "行政复议",
    "存在的主要问题",
    "概述",
    "总体情况",
    "其他需要报告的事项",
)


def page_holds_report(text: str) -> bool:
    """True when a page's text is itself a report (its sections), not a page linking to one."""
    text = clean_text(text).replace(" ", "")
    if not (_KIND.search(text) and _SUBJECT.search(text)):
        return False
    return sum(1 for marker in _SECTION_MARKERS if marker in text) >= 3


@dataclass(frozen=True)
class Link:
    """A link found on a page, with what the page said about it."""

    url: str
    text: str
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD next to the link, when the list shows one

    @property
    def label(self) -> str:
        """The fuller of title and anchor text (anchors are often cut short with …)."""
        title = clean_text(self.title)
        text = clean_text(self.text)
        return title if len(title) > len(text) else text

    @property
    def year(self) -> int | None:
        return report_year(self.label)

    @property
    def is_report(self) -> bool:
        return is_report_title(self.label) or (is_report_title(self.text) or is_report_title(self.title))

    @property
    def is_attachment(self) -> bool:
        return is_attachment_url(self.url)


def document_role(
    kind: str | None, url: str, headers: list[tuple[str, str]], body: bytes, status: int
) -> str:
    """The archive role of a response: "robots", "report" or "page".

    A detail or attachment response is a report when it is a document (by
    Content-Disposition or type) or a page whose text is the report's sections.
    """
    if urlsplit(url).path == "/robots.txt" and kind != "detail":
        return "robots"
    if kind not in ("detail", "attachment") or not 200 <= status < 300:
        return "page"
    ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
    if is_attachment_response(headers):
        return "report"
    if looks_like_html(body, ctype):
        text = _visible_text(decode_html(body, ctype, limit=ROLE_SCAN_BYTES))
        return "report" if page_holds_report(text) else "page"
    return "report" if kind == "attachment" else "page"


# The archive asks for a response's role in the reactor thread: the answer must cost
# little whatever the page. Its first bytes are read without a DOM, in linear time;
# a report's section headings come long before 2 MiB (real report pages are 50-300 KB).
ROLE_SCAN_BYTES = 2 * 1024 * 1024
_BODY = re.compile(r"<body[\s>]", re.I)
_HIDDEN = re.compile(r"<!--|<(script|style|noscript|template|title)(?=[\s>/])", re.I)
_CLOSE = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "noscript", "template", "title")
}
_TAG = re.compile(r"<[^<>]*>")  # never spans a '<': a run of unclosed '<' stays linear


def _visible_text(html: str) -> str:
    """The text of a page's body without its tags, scripts, styles and comments, in
    one pass: no DOM, so neither deep nesting nor size makes it slow."""
    body = _BODY.search(html)
    pos = body.start() if body else 0
    parts: list[str] = []
    while True:
        hidden = _HIDDEN.search(html, pos)
        if hidden is None:
            parts.append(html[pos:])
            break
        parts.append(html[pos : hidden.start()])
        if hidden.group(1) is None:  # a comment
            end = html.find("-->", hidden.end())
            pos = len(html) if end < 0 else end + 3
        else:
            close = _CLOSE[hidden.group(1).lower()].search(html, hidden.end())
            pos = len(html) if close is None else close.end()
        if pos >= len(html):
            break
    return _html.unescape(_TAG.sub(" ", " ".join(parts)))
