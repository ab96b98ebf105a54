"""Read a JSON list response as a list of links, by walking the JSON, not by code per site.

The consolidated platforms answer their list APIs with JSON of many shapes:
``{"data": [{"doctitle", "docpuburl", "docreltime"}], "recordCount": 19}`` (Fujian),
``{"articles": [{"title", "url", "publish_time"}], "total": 40}`` (Guangdong's gkmlpt),
records that hold an HTML snippet (``"<li><a href=…>"``), JSONP wrappers. What they share:
somewhere a list of objects, each with a field that is a link and a field that is a
title. :func:`read_json_list` finds that list by looking at the values (a link looks like a
link, a title holds Chinese text), using the keys' names only to break ties, and finds
the record and page counts the API declares.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from nianbao.crawler.report_links import Link, clean_text

_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_LINKISH = re.compile(
    r"^(?:https?://|//|/|\./|\.\./)\S*$|^[\w./-]+\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps|ofd|xlsx?)(?:[?#]\S*)?$",
    re.I,
)
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|bmp|svg|webp|ico|css|js)(?:[?#]|$)", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DATE = re.compile(r"(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_TAG = re.compile(r"<[^>]+>")
# Key names, as tie-breakers only: the values decide first.
_URL_HINT = re.compile(r"url|link|href|path|address", re.I)
_URL_AVOID = re.compile(
    r"img|pic|image|icon|thumb|logo|photo|video|cover|avatar|chnl|channel|column|site", re.I
)
_TITLE_HINT = re.compile(r"title|name|subject|bt|mc", re.I)
_TITLE_AVOID = re.compile(
    r"content|body|summary|abstract|desc|text|html|source|author|chnl|channel|column|site|unit|dept|org", re.I
)
_DATE_HINT = re.compile(r"time|date|reltime|pub|fbrq|rq|day", re.I)
_DATE_PREFER = re.compile(r"pub|rel|fb|first|issue", re.I)
_RECORDS_TOTAL = (
    "total",
    "totalcount",
    "total_count",
    "recordcount",
    "record_count",
    "totalrecord",
    "totalrecords",
    "totalnum",
    "totalelements",
    "totalsize",
    "rowcount",
    "numfound",
    "count",
    "allcount",
    "totalhits",
)
_PAGES_TOTAL = (
    "pagecount",
    "page_count",
    "totalpage",
    "totalpages",
    "total_page",
    "pagetotal",
    "pages",
    "pagenum_total",
    "maxpage",
)
_EPOCH_MS = (946684800000, 4102444800000)  # 2000-01-01 .. 2100-01-01
_CHINA = timedelta(hours=8)


def loads(body: bytes | str) -> Any:
    """Parse a JSON (or JSONP) body; None when it is not JSON."""
    if isinstance(body, bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = body.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    else:
        text = body.lstrip("\ufeff")
    text = text.strip()
    if not text or text[0] not in "{[":
        match = _JSONP.match(text)
        if not match:
            return None
        text = match.group(1)
    try:
        return json.loads(text)
    except ValueError:
        return None


def looks_like_json(body: bytes, content_type: str | None = None) -> bool:
    """A body that is JSON by its type or its first character (portals often say text/html)."""
    ctype = (content_type or "").lower()
    if "json" in ctype or "javascript" in ctype:
        return True
    head = body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


@dataclass
class JsonList:
    """What a JSON list response holds: its links and the totals the API declares."""

    links: list[Link] = field(default_factory=list)
    records: int = 0  # objects in the record list (links or not)
    records_total: int | None = None
    pages_total: int | None = None


def _flatten(record: dict[str, Any], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 1:
            yield from _flatten(value, f"{name}.", depth + 1)
        else:
            yield name, value


def _is_link(value: Any) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) < 2000
        and bool(_LINKISH.match(value.strip()))
        and not _IMAGE.search(value)
    )


def _is_title(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = clean_text(_TAG.sub("", value))
    return 2 <= len(text) <= 300 and bool(_CJK.search(text))


def as_date(value: Any) -> str | None:
    """YYYY-MM-DD from a date string or an epoch timestamp (seconds or milliseconds, China time)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (int, float)):
        ms = value if value > 1e11 else value * 1000
        if not _EPOCH_MS[0] <= ms <= _EPOCH_MS[1]:
            return None
        return (datetime.fromtimestamp(ms / 1000, UTC) + _CHINA).strftime("%Y-%m-%d")
    if isinstance(value, str):
        match = _DATE.search(value)
        if match:
            y, m, d = (int(g) for g in match.groups())
            if 1 <= m <= 12 and 1 <= d <= 31:
                return f"{y}-{m:02d}-{d:02d}"
    return None


def _pick(
    rows: list[dict[str, Any]], test, hint: re.Pattern, avoid: re.Pattern, short: bool = False
) -> str | None:  # noqa: ANN001
    """The key whose values pass ``test`` in most rows; key names break ties."""
    scores: dict[str, float] = {}
    for row in rows:
        for key, value in row.items():
            if test(value):
                scores[key] = scores.get(key, 0.0) + 1.0
    best, best_score = None, 0.0
    for key, hits in scores.items():
        last = key.rsplit(".", 1)[-1]
        score = hits / len(rows)
        if hint.search(last):
            score += 0.3
        if avoid.search(last):
            score -= 0.5
        if short:
            lengths = [len(str(r.get(key) or "")) for r in rows if test(r.get(key))]
            if lengths and sum(lengths) / len(lengths) > 150:
                score -= 0.6  # a body text, not a title
        if score > best_score:
            best, best_score = key, score
    return best if best_score >= 0.5 else None


def _pick_date(rows: list[dict[str, Any]]) -> str | None:
    scores: dict[str, float] = {}
    for row in rows:
        for key, value in row.items():
            last = key.rsplit(".", 1)[-1]
            if not _DATE_HINT.search(last):
                continue
            if as_date(value):
                scores[key] = scores.get(key, 0.0) + 1.0 + (0.5 if _DATE_PREFER.search(last) else 0.0)
    return max(scores, key=scores.get) if scores else None


def _html_links(html: str, base_url: str) -> list[Link]:
    from nianbao.crawler.list_page import page_links  # list_page reads JSON through this module

    return page_links(html, base_url)


def _record_lists(data: Any, depth: int = 0) -> Iterator[list[dict[str, Any]]]:
    """Every list of objects in the JSON, outermost first."""
    if depth > 8:
        return
    if isinstance(data, list):
        objects = [item for item in data if isinstance(item, dict)]
        if objects:
            yield objects
        for item in data:
            if isinstance(item, (dict, list)):
                yield from _record_lists(item, depth + 1)
    elif isinstance(data, dict):
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _record_lists(value, depth + 1)


def _links_of(objects: list[dict[str, Any]], base_url: str) -> list[Link]:
    rows = [dict(_flatten(o)) for o in objects]
    url_key = _pick(rows, _is_link, _URL_HINT, _URL_AVOID)
    title_key = _pick(rows, _is_title, _TITLE_HINT, _TITLE_AVOID, short=True)
    links: list[Link] = []
    if url_key and title_key:
        date_key = _pick_date(rows)
        for row in rows:
            href, title = row.get(url_key), row.get(title_key)
            if not _is_link(href) or not _is_title(title):
                continue
            url = urljoin(base_url, href.strip()).split("#", 1)[0]
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            text = clean_text(_TAG.sub("", title))
            links.append(Link(url=url, text=text, title=text, published=as_date(row.get(date_key))))
        return links
    # Records that carry their list item as HTML (<li><a href=…>…</a><span>date</span></li>).
    for row in rows:
        for value in row.values():
            if isinstance(value, str) and "<a " in value.lower():
                links.extend(_html_links(value, base_url))
    return links


def _strings(data: Any, depth: int = 0) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(data, str):
        yield data
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item, depth + 1)
    elif isinstance(data, dict):
        for item in data.values():
            yield from _strings(item, depth + 1)


def _counts(data: Any) -> tuple[int | None, int | None]:
    """The record count and page count the response declares (shallowest keys win)."""
    records = pages = None
    queue: list[tuple[Any, int]] = [(data, 0)]
    while queue:
        node, depth = queue.pop(0)
        if not isinstance(node, dict) or depth > 3:
            continue
        for key, value in node.items():
            name = key.lower()
            number = _as_int(value)
            if number is not None:
                if records is None and name in _RECORDS_TOTAL:
                    records = number
                elif pages is None and name in _PAGES_TOTAL:
                    pages = number
            elif isinstance(value, dict):
                queue.append((value, depth + 1))
    return records, pages


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_json_list(data: Any, base_url: str) -> JsonList:
    """The links of the record list in ``data`` (the list yielding most links) and its totals."""
    best: tuple[list[Link], int] = ([], 0)
    for objects in _record_lists(data):
        links = _links_of(objects, base_url)
        if len(links) > len(best[0]):
            best = (links, len(objects))
    if not best[0]:
        # No record list: an HTML fragment the page would insert ({"data": {"html": "<ul>…"}}).
        fragments = [value for value in _strings(data) if "<a " in value.lower()]
        best = ([link for html in fragments for link in _html_links(html, base_url)], 0)
    records_total, pages_total = _counts(data)
    seen: set[str] = set()
    links = [link for link in best[0] if not (link.url in seen or seen.add(link.url))]
    return JsonList(links=links, records=best[1], records_total=records_total, pages_total=pages_total)


def pages_needed(page: JsonList, page_size: int | None) -> int | None:
    """How many pages the API says the list has; None when it does not say."""
    if page.pages_total:
        return page.pages_total
    size = page_size or page.records
    if page.records_total is not None and size:
        return max(1, -(-page.records_total // size))
    return None
