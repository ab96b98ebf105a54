"""HTML report pages: charset, the article inside the portal's chrome, tables as cells."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from nianbao.parse.extract import Extracted, ExtractionError
from nianbao.parse.extract.text import decode_text
from nianbao.parse.form import SECTIONS
from nianbao.parse.text import compact

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "blockquote", "pre", "center", "dd", "dt", "dl", "form", "header", "footer", "nav", "main",
    "figure", "figcaption", "caption", "address", "hr",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "select", "button", "head", "svg"}
# Containers portals put the article in (TRS, Hanweb, Kaipu, and generic).
# Editors' own containers first (TRS, Hanweb, Kaipu), then the generic names.
_CONTENT_HINTS = (
    re.compile(
        r"TRS_Editor|TRS_UEDITOR|Custom_UnionStyle|article[-_]?content|bt_content|con_txt|zoom|wzzw|xxgk_content",
        re.I,
    ),
    re.compile(r"content|detail|article|main", re.I),
)
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PUBLISHED_LABEL = re.compile(r"(发布|公开|成文|印发)(日期|时间)\s*[:：]\s*")
_FIRST, _LAST = SECTIONS[0], SECTIONS[-1]
_SHORT = 2000  # characters: an element longer than this (spaces included) is no heading


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    if content_type:
        match = re.search(r"charset\s*=\s*[\"']?([\w\-]+)", content_type, re.I)
        if match:
            return match.group(1)
    match = _CHARSET.search(data[:8192])
    return match.group(1).decode("ascii") if match else None


def extract_html(data: bytes, content_type: str | None = None) -> Extracted:
    text = decode_text(data, declared_charset(data, content_type))
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise ExtractionError("empty HTML page")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise ExtractionError(f"HTML does not parse: {error}") from error
    for bad in root.xpath("//script|//style|//noscript|//template|//comment()"):
        bad.drop_tree()
    sizes = _text_sizes(root)
    content = _article(root, sizes)
    lines = _lines(content)
    return Extracted(
        lines=lines,
        kind="html",
        path="html",
        title_hint=_title(root, sizes),
        published=_published(root),
    )


def _text_sizes(root: etree._Element) -> dict[etree._Element, int]:
    """The length of every element's ``text_content()``, in one pass from the leaves up:
    asking each element for its text instead costs the page's size times its depth."""
    sizes: dict[etree._Element, int] = {}
    for el in reversed(list(root.iter())):
        size = len(el.text or "") if isinstance(el.tag, str) else 0
        for child in el:
            size += sizes.get(child, 0) + len(child.tail or "")
        sizes[el] = size
    return sizes


def _meta(root: etree._Element, *names: str) -> str | None:
    for name in names:
        values = root.xpath(
            f"//meta[translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')='{name.lower()}']/@content"
        )
        if values and values[0].strip():
            return values[0].strip()
    return None


def _title(root: etree._Element, sizes: dict[etree._Element, int]) -> str | None:
    title = _meta(root, "ArticleTitle", "title", "og:title")
    if title:
        return title
    for tag in ("h1", "h2"):
        for node in root.iter(tag):
            if sizes.get(node, 0) > _SHORT:
                continue  # a heading that holds the page, not a title
            text = " ".join(node.text_content().split())
            if "报告" in text or "年报" in text:
                return text
    nodes = root.xpath("//title")
    if nodes:
        text = " ".join(nodes[0].text_content().split())
        return re.split(r"\s*[_|–—-]\s*", text)[0] or None
    return None


def _published(root: etree._Element) -> str | None:
    candidates = [_meta(root, "PubDate", "publishdate", "firstpublishedtime", "Maketime", "created")]
    body_text = " ".join(root.text_content().split())
    label = _PUBLISHED_LABEL.search(body_text)
    if label:
        candidates.append(body_text[label.end() : label.end() + 24])
    for candidate in candidates:
        if candidate:
            match = _DATE.search(candidate)
            if match:
                y, m, d = (int(x) for x in match.groups())
                if 1 <= m <= 12 and 1 <= d <= 31:
                    return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _article(root: etree._Element, sizes: dict[etree._Element, int]) -> etree._Element:
    """The smallest element holding the report's first and last headings; else the
    portal's content container; else the body."""
    body = root.find("body")
    body = body if body is not None else root
    first = last = None
    for node in body.iter("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "span", "strong", "b", "li"):
        if sizes.get(node, 0) > _SHORT:
            continue  # too long to be a heading, even before its spaces go
        text = compact(node.text_content())
        if len(text) > 40 or not text:
            continue
        if first is None and re.search(_FIRST.match, text[:12]):
            first = node
        if re.search(_LAST.match, text[:14]):
            last = node
    if first is not None and last is not None:
        ancestors = set(first.iterancestors())
        for node in last.iterancestors():
            if node in ancestors:
                # Keep the title and anything printed after the last heading in view.
                return node
    for hint in _CONTENT_HINTS:
        candidates = []
        for node in body.iter("div", "td", "article", "section"):
            if hint.search(f"{node.get('class', '')} {node.get('id', '')}"):
                candidates.append((sizes.get(node, 0), node))
        longest = max((length for length, _ in candidates), default=0)
        if longest >= 200:
            # The innermost container that still holds (nearly) all of the article's text.
            return min((c for c in candidates if c[0] >= 0.8 * longest), key=lambda c: c[0])[1]
    return body


def _lines(node: etree._Element) -> list[str]:
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = "".join(buffer).strip()
        buffer.clear()
        if text:
            lines.append(text)

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP or "display:none" in (el.get("style") or "").replace(" ", "").lower():
            if el.tail:
                buffer.append(el.tail)
            return
        if tag == "table":
            flush()
            lines.extend(_table_rows(el))
        elif tag == "br":
            flush()
        else:
            block = tag in _BLOCKS or tag in ("tr", "td", "th")
            if block:
                flush()
            if el.text:
                buffer.append(el.text)
            for child in el:
                walk(child)
            if block:
                flush()
        if el.tail:
            buffer.append(el.tail)

    walk(node)
    flush()
    # Tidy spaces, but keep the tabs that separate table cells.
    return ["\t".join(" ".join(cell.split()) for cell in line.split("\t")) for line in lines]


def _table_rows(table: etree._Element) -> list[str]:
    """Each row as its cells joined by tabs. A merged cell stands once, where it begins,
    as the portal's markup has it; an empty cell is an empty string."""
    rows = []
    for tr in table.iter("tr"):
        if _enclosing_table(tr) is not table:
            continue
        cells = [_cell_text(td) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def _enclosing_table(tr: etree._Element) -> etree._Element | None:
    for node in tr.iterancestors("table"):
        return node
    return None


def _cell_text(cell: etree._Element) -> str:
    # A label wrapped over <p>s or <br>s inside a cell reads as one.
    text = " ".join(cell.text_content().split())
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
