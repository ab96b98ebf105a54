"""Read a report column's list pages, per CMS profile.

Four ways portals page a column, all handled here as pure functions of the page
text so they are tested on saved real pages without a network:

- static: ``<a href="index_2.html">`` / ``?page=2`` links in the pager;
- TRS ``createPageHTML(count, current, "index", "html")`` written by a script:
  the pages are ``index.html`` then ``index_1.html`` … ``index_{count-1}.html``;
- Hanweb jpage: records as ``<record><![CDATA[<li>…</li>]]></record>`` inside a
  ``<datastore>`` (in the page, and from ``dataproxy.jsp?startrecord=…`` as XML);
- JSON list APIs (the provincial platforms: gkmlpt, fjdzapp …): the profile's request
  template filled from the page's own script (``crawler/profiles.py``), the answers read
  by walking the JSON (``crawler/json_list.py``);
- browser-rendered: the same anchors, read from the DOM Chromium built.

Every pager is bounded by ``max_pages`` before a request is built: a page that declares
a hundred million records yields at most that many requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from nianbao.crawler.profiles import ApiRequest, JsonApi, Profile
from nianbao.crawler.report_links import Link, clean_text, url_extension
from parsel import Selector

_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
# The inline form of the TRS pager: `var countPage = 2//共多少页`, links written by concatenation.
_COUNT_PAGE = re.compile(r"\bvar\s+countPage\s*=\s*(\d+)")
_COUNT_PAGE_EXT = re.compile(r"""index_\\?["']\s*\+[^;\n]*?\.(s?html?)\b""")
_STATIC_PAGE = re.compile(
    r"(?:^|/)index_(\d+)\.s?html?$|[?&](?:page|pageNo|pageIndex|pageNum|curPage|p)=(\d+)", re.I
)
_DATASTORE = re.compile(r"<datastore>.*?</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_JS_PARAM = re.compile(
    r"""\b(columnid|unitid|webid|appid|webname|path|permissiontype|sourceContentType|col)\s*[:=]\s*['"]?([^'",;&\s}]+)"""
)
_JS_TOTAL = re.compile(r"""\btotalRecord\s*[:=]\s*['"]?(\d+)""")
_JS_PROXY = re.compile(r"""\b(?:proxyUrl|dataproxy|proxyurl|url)\s*[:=]\s*['"]([^'"]*dataproxy[^'"]*)['"]""")
_JS_PERPAGE = re.compile(r"""\bperPage\s*[:=]\s*['"]?(\d+)""", re.I)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")


@dataclass(frozen=True)
class ProxyRequest:
    """One window of a Hanweb data proxy: POST ``url`` with ``formdata``."""

    url: str
    formdata: dict[str, str]
    perpage: int = 15


@dataclass
class ListPage:
    """What a list page offers: its links, further list pages, data-proxy windows."""

    links: list[Link] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    proxy_requests: list[ProxyRequest] = field(default_factory=list)
    # The JSON list API the page's script calls: its template values, the first requests,
    # and whether those are every page (the page declared its count).
    api_values: dict[str, str] | None = None
    api_requests: list[ApiRequest] = field(default_factory=list)
    api_counted: bool = False


def _row_date(anchor: Selector) -> str | None:
    # The date sits next to the link in its row: <li>, <dl>, <tr>.
    for row in (
        anchor.xpath("ancestor::li[1]"),
        anchor.xpath("ancestor::dl[1]"),
        anchor.xpath("ancestor::tr[1]"),
    ):
        if row:
            match = _DATE.search(" ".join(row[0].xpath(".//text()").getall()))
            if match:
                y, m, d = match.groups()
                return f"{y}-{int(m):02d}-{int(d):02d}"
    return None


def _anchors_to_links(anchors: list[Selector], base_url: str) -> list[Link]:
    links: list[Link] = []
    seen: set[str] = set()
    for a in anchors:
        href = (a.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        text = clean_text(" ".join(a.xpath(".//text()").getall()))
        links.append(Link(url=url, text=text, title=a.attrib.get("title"), published=_row_date(a)))
    return links


def page_links(html: str, base_url: str, selectors: tuple[str, ...] = ()) -> list[Link]:
    """The anchors of the list (the first selector that matches), else of the whole page."""
    sel = Selector(text=html)
    base = sel.xpath("//base/@href").get()
    base_url = urljoin(base_url, base) if base else base_url
    for css in selectors:
        anchors = sel.css(css)
        if anchors:
            return _anchors_to_links(anchors, base_url)
    return _anchors_to_links(sel.xpath("//a[@href]"), base_url)


def _index_url(base_url: str, prefix: str, ext: str, n: int) -> str:
    name = f"{prefix}.{ext}" if n == 0 else f"{prefix}_{n}.{ext}"
    return urljoin(base_url, name)


def create_page_html_urls(html: str, base_url: str, max_pages: int = 1000) -> list[str]:
    """The list pages a TRS ``createPageHTML(...)`` pager stands for (all but none).

    Two signatures exist: ``createPageHTML(count, current, "index", "html")`` and
    the newer ``createPageHTML("page_div", count, current, "index", "html", total)``.
    """
    urls: list[str] = []
    for match in _CREATE_PAGE.finditer(html):
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        numbers = [i for i, a in enumerate(args) if a.isdigit()]
        if len(numbers) < 2:
            continue
        count = int(args[numbers[0]])
        rest = [a for a in args[numbers[1] + 1 :] if a and not a.isdigit()]
        prefix, ext = (rest + ["index", "html"])[:2] if len(rest) >= 2 else ("index", "html")
        for n in range(min(count, max_pages)):
            urls.append(_index_url(base_url, prefix, ext, n))
    inline = _COUNT_PAGE.search(html)
    if inline and not urls:
        ext = _COUNT_PAGE_EXT.search(html)
        own = url_extension(base_url)
        ext = ext.group(1) if ext else (own if own in ("html", "shtml", "htm") else "html")
        urls.extend(
            _index_url(base_url, "index", ext, n) for n in range(min(int(inline.group(1)), max_pages))
        )
    return list(dict.fromkeys(urls))


def static_pager_urls(html: str, base_url: str) -> list[str]:
    """Pager links to other pages of the same list (index_N.html, ?page=N) on this page."""
    sel = Selector(text=html)
    base_dir = urlsplit(urljoin(base_url, ".")).path
    urls: list[str] = []
    for href in sel.xpath("//a/@href").getall():
        href = href.strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.netloc != urlsplit(base_url).netloc or not _STATIC_PAGE.search(
            parts.path + ("?" + parts.query if parts.query else "")
        ):
            continue
        # Only pages of this column: same folder (static) or same path (query paging).
        if urlsplit(urljoin(url, ".")).path != base_dir and parts.path != urlsplit(base_url).path:
            continue
        urls.append(url)
    return list(dict.fromkeys(urls))


def dataproxy_records(text: str, base_url: str) -> tuple[list[Link], int | None]:
    """Links in Hanweb ``<record><![CDATA[…]]></record>`` entries and the ``totalrecord``."""
    links: list[Link] = []
    for record in _RECORD.findall(text):
        links.extend(_anchors_to_links(Selector(text=record).xpath("//a[@href]"), base_url))
    total = _TOTAL.search(text)
    return links, int(total.group(1)) if total else None


def dataproxy_parameters(
    html: str, base_url: str, profile: Profile
) -> tuple[str, dict[str, str], int | None] | None:
    """The data proxy's endpoint, form parameters and record count a Hanweb list page declares.

    ``perpage`` among the parameters is the page's own screen size when it declares one.
    """
    params: dict[str, str] = {}
    proxy = _JS_PROXY.search(html)
    endpoint = urljoin(base_url, proxy.group(1) if proxy else profile.dataproxy_path)
    nextgroup = _NEXTGROUP.search(html)
    if nextgroup:
        href = Selector(text=nextgroup.group(1)).xpath("//a/@href").get()
        if href:
            url = urljoin(base_url, href)
            endpoint = url.split("?", 1)[0]
            params.update((k, v) for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True))
    for script in Selector(text=html).xpath("//script[not(@type='text/xml')]/text()").getall():
        if "dataproxy" not in script and "columnid" not in script.lower():
            continue
        for key, value in _JS_PARAM.findall(script):
            params.setdefault(key, value)
    if "columnid" not in params:
        return None
    params.pop("page", None)
    for key in ("startrecord", "endrecord", "perpage"):
        params.pop(key, None)
    perpage = _JS_PERPAGE.search(html)
    if perpage:
        params["perpage"] = perpage.group(1)
    total_match = _JS_TOTAL.search(html) or _TOTAL.search(html)
    return endpoint, params, int(total_match.group(1)) if total_match else None


def dataproxy_windows(
    endpoint: str,
    params: dict[str, str],
    total: int,
    profile: Profile,
    start: int = 1,
    max_requests: int = 1000,
) -> list[ProxyRequest]:
    """The POSTs that fetch records ``start``…``total`` from a data proxy, a window at a time.

    At most ``max_requests`` windows, whatever total the page declares.
    """
    params = dict(params)
    perpage = max(1, int(params.pop("perpage", 0) or profile.dataproxy_perpage))
    per = 3 * perpage  # jpage asks for three screens at a time
    windows = []
    last_start = min(total, start + per * max(0, max_requests) - 1)
    for first in range(start, last_start + 1, per):
        last = first + per - 1  # whole windows, as jpage asks; the proxy stops at its last record
        query = f"startrecord={first}&endrecord={last}&perpage={perpage}"
        windows.append(ProxyRequest(url=f"{endpoint}?{query}", formdata=dict(params), perpage=perpage))
    return windows


def read_list_page(html: str, url: str, profile: Profile, max_pages: int = 1000) -> ListPage:
    """Everything a list page offers under ``profile``'s rules."""
    page = ListPage(links=page_links(html, url, profile.list_selectors))
    kind = profile.pager
    records, _ = dataproxy_records(html, url)
    if records:
        known = {link.url for link in page.links}
        page.links.extend(link for link in records if link.url not in known)
    if kind in ("createPageHTML", "auto"):
        page.next_pages.extend(create_page_html_urls(html, url, max_pages))
    if kind in ("static", "auto") or (kind == "createPageHTML" and not page.next_pages):
        page.next_pages.extend(static_pager_urls(html, url))
    if kind in ("dataproxy", "auto"):
        found = dataproxy_parameters(html, url, profile)
        if found:
            endpoint, params, total = found
            # Without a declared total, ask for the first window; its <totalrecord> tells the rest.
            page.proxy_requests = dataproxy_windows(
                endpoint, params, total or profile.dataproxy_per_request, profile, max_requests=max_pages
            )
    if profile.json is not None:
        values = profile.json.values_from(html, url)
        if values is not None:
            page.api_values = values
            page.api_requests, page.api_counted = profile.json.opening(values, max_pages)
    page.next_pages = [u for u in dict.fromkeys(page.next_pages) if u != url][:max_pages]
    return page


_PAGE_PARAM = re.compile(
    r"([?&](?:page|pageNo|pageNum|pageIndex|pageNumber|curPage|currentPage|current|pn|p)=)(\d+)", re.I
)


def json_next_pages(
    api: JsonApi | None, values: dict[str, str] | None, url: str, page: int, last: int
) -> list[ApiRequest]:
    """Requests for pages ``page+1 … last`` of a JSON list: by the profile's template, or
    for a bare JSON URL by its own page parameter (none: a list of one page)."""
    if last <= page:
        return []
    if api is not None and values is not None:
        return [api.request(values, n) for n in range(page + 1, last + 1)]
    match = _PAGE_PARAM.search(url)
    if not match:
        return []
    return [
        ApiRequest(
            url=url[: match.start(2)] + str(n) + url[match.end(2) :], method="GET", formdata={}, page=n
        )
        for n in range(page + 1, last + 1)
    ]


def json_page_number(url: str) -> int:
    """The page a bare JSON list URL asks for (1 when it names none)."""
    match = _PAGE_PARAM.search(url)
    return int(match.group(2)) if match else 1
