"""Find a source's report column from its homepage when the registry has no column URL,
and its homepage from a site directory when the registry has none.

From the homepage, links named like a report column (政府信息公开年报, 信息公开年报,
年度报告 …) are the column; links to the open-government area (政府信息公开,
政务公开, 信息公开) are hubs worth one more step. The spider bounds the depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nianbao.crawler.list_page import page_links
from nianbao.crawler.report_links import Link, clean_text, is_column_title, is_report_title
from parsel import Selector

_HUB = re.compile(
    r"^(政府信息公开|政务公开|信息公开|政府信息公开专栏|政府信息公开平台|法定主动公开内容|公开目录|信息公开目录)$"
)
_HUB_URL = re.compile(r"/(zfxxgk|xxgk|zwgk|gkml|govinfo|public)(/|$|\.)", re.I)
_NOT_HUB = re.compile(r"(指南|制度|申请|重点领域|平台链接)")
_COLUMN_URL = re.compile(r"/(zfxxgknb|xxgknb|gknb|ndbg|nianbao|nb)(/|$|\.)", re.I)


@dataclass(frozen=True)
class Discovered:
    """Links on a page that lead to the report column."""

    columns: list[Link]  # the column itself, best first
    hubs: list[Link]  # pages that may link to it (open-government areas)


def _column_score(link: Link) -> int:
    label = clean_text(link.label).replace(" ", "")
    score = 0
    if "政府信息公开" in label and ("年报" in label or "年度报告" in label):
        score += 3
    elif is_column_title(label):
        score += 2
    if _COLUMN_URL.search(link.url):
        score += 1
    return score


def discover(html: str, url: str) -> Discovered:
    """The column links and hub links on a homepage or open-government page."""
    columns: list[tuple[int, Link]] = []
    hubs: list[Link] = []
    for link in page_links(html, url):
        label = clean_text(link.label).replace(" ", "")
        if is_report_title(label):
            continue  # a report itself; the list spider finds those
        if is_column_title(label):
            columns.append((_column_score(link), link))
        elif _HUB.match(label) or (
            _HUB_URL.search(link.url) and len(label) <= 8 and "公开" in label and not _NOT_HUB.search(label)
        ):
            hubs.append(link)
    columns.sort(key=lambda pair: -pair[0])
    return Discovered(columns=[link for _, link in columns], hubs=hubs)


# -- a portal found from a site directory (政府网站导航, 县市区 links) ----------------

_GOV_SUFFIX = re.compile(r"(人民政府|政府)(门户网站|网站|门户)?$")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def _place_names(source: Any) -> tuple[str, ...]:
    """What a directory calls the government: 闽侯县, 闽侯县人民政府, 闽侯县政府."""
    place = source.county or (source.city if source.level == "city" else None)
    names = {source.name}
    if place:
        names.update({place, f"{place}人民政府", f"{place}政府"})
    return tuple(n for n in names if n)


def directory_links(html: str, url: str, source: Any) -> list[Link]:
    """Links on a directory page whose text names the source's government, exactly."""
    names = set(_place_names(source))
    found = []
    for link in page_links(html, url):
        label = clean_text(link.label).replace(" ", "")
        if label in names or _GOV_SUFFIX.sub("", label) in names:
            found.append(link)
    return found


def names_government(html: str, source: Any) -> bool:
    """True when a page names the source's government as itself: its full name, or its
    place with 人民政府 (and, for a district, its city), in the title or the page's top."""
    title = clean_text(" ".join(_TITLE.findall(html[:20000])))
    top = clean_text(Selector(text=html[:200000]).xpath("string(//body)").get() or "")[:3000]
    for text in (title, top):
        compact = text.replace(" ", "")
        if source.name and source.name in compact:
            return True
        place = source.county or (source.city if source.level == "city" else None)
        if place and f"{place}人民政府" in compact:
            if source.level != "district" or not source.city or source.city in compact or text is title:
                return True
    return False
