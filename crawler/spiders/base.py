"""``ReportSpider``: the shared logic of every nianbao spider.

A source's crawl: its column URL(s) (or, without one, discovery from the homepage)
-> list pages (paged per platform profile: static pagers, data proxies, JSON list
APIs) -> report links -> detail pages and attachments -> one :class:`ReportDocument`
per document that holds a report. The bytes themselves are archived by
``ArchiveMiddleware`` as they are downloaded; callbacks only decide what to follow.

A source without ``cms:`` has its platform recognised from its pages
(``crawler.profiles.detect_profile``); ``cms:`` overrides. Request ``meta["nianbao"]``
carries what the middlewares need (source, kind, depth, and the provenance the
archive records); the spider's own data travels in ``cb_kwargs``.

Thin spiders set ``source_id`` (one portal) and nothing else; ``portal`` takes
``-a sources=FILE -a source=ID[,ID…]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from nianbao.archive import Fetch
from nianbao.crawler import browser_guard
from nianbao.crawler.discovery import directory_links, discover, names_government
from nianbao.crawler.encoding import decode_html, looks_like_html
from nianbao.crawler.items import ReportDocument
from nianbao.crawler.json_list import loads, looks_like_json, pages_needed, read_json_list
from nianbao.crawler.limits import limits_for
from nianbao.crawler.list_page import (
    ProxyRequest,
    dataproxy_records,
    dataproxy_windows,
    json_next_pages,
    json_page_number,
    page_links,
    read_list_page,
)
from nianbao.crawler.profiles import ApiRequest, Profile, detect_profile, load_profiles, profile_for
from nianbao.crawler.report_links import Link, clean_text, document_role, is_attachment_url
from nianbao.crawler.run_record import ArchiveRun
from nianbao.crawler.settings import FAST_SETTINGS
from nianbao.crawler.sources import Source, load_registry, load_sources, select_sources
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import FormRequest, Request, Response
from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

# Discovery goes homepage -> open-government page -> column at most.
DISCOVERY_DEPTH = 2
# Pages are read for links up to this size (a hostile 60 MB page must not stall the crawl).
PAGE_SCAN_BYTES = 4 * 1024 * 1024
# A list the browser fetched is read only up to this size (a list answer is small).
CAPTURE_MAX_BYTES = 5 * 1024 * 1024
_ATTACHMENT_WORDS = ("附件", "下载", "全文", "原文")


def _split(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


class ReportSpider(scrapy.Spider):
    """Crawl report columns of one or more sources; subclasses may pin ``source_id``."""

    name: ClassVar[str | None] = None  # the base is not run itself: `portal` and the thin spiders are
    source_id: ClassVar[str | None] = None

    def __init__(
        self,
        sources: str | Sequence[Source] | None = None,
        source: str | Sequence[str] | None = None,
        since: str | int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if sources is None:
            loaded = load_registry()
        elif isinstance(sources, str):
            loaded = load_sources([Path(p) for p in _split(sources)])
        else:
            loaded = list(sources)
        ids = _split(source) or ([self.source_id] if self.source_id else [])
        self.sources: list[Source] = select_sources(loaded, ids)
        if not self.sources:
            raise UsageError("no sources to crawl (empty registry or sources file)")
        self.sources_by_id = {s.id: s for s in self.sources}
        self.since = int(since) if since not in (None, "") else None
        self._listed: dict[str, set[str]] = {}  # per source: links JSON lists gave so far
        # Per source, the hosts it may be crawled on (a directory adds the portal it led to),
        # and per host the sources it belongs to: looked up on every request.
        self._hosts: dict[str, set[str]] = {}
        self._by_host: dict[str, list[str]] = {}
        for s in self.sources:
            self._hosts[s.id] = set()
            for host in (*s.allowed_hosts, *(urlsplit(u).hostname for u in s.directories)):
                self._allow_host(s, host)
        self._captured: dict[str, list[dict[str, Any]]] = {}  # rendered page -> JSON it fetched

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if settings.getbool("NIANBAO_FAST"):
            for key, value in FAST_SETTINGS.items():
                if settings.getpriority(key) is None or settings.getpriority(key) < 40:
                    settings.set(key, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReportSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.getbool("NIANBAO_FAST"):
            remote = [s.id for s in spider.sources if not s.local]
            if remote:
                raise UsageError(
                    "politeness can be turned off (--fast, NIANBAO_FAST) only for local sources; "
                    f"not local: {', '.join(remote[:5])}"
                )
        if spider.since is None and crawler.settings.get("NIANBAO_SINCE"):
            spider.since = crawler.settings.getint("NIANBAO_SINCE")
        browser_guard.install(spider)
        return spider

    # -- helpers ---------------------------------------------------------
    def source_for_url(self, url: str) -> Source | None:
        """The first source whose hosts include the URL's host (for robots.txt and redirects)."""
        host = (urlsplit(url).hostname or "").lower()
        ids = self._by_host.get(host)
        return self.sources_by_id[ids[0]] if ids else None

    def hosts_of(self, source: Source) -> set[str]:
        """The hosts a source may be crawled on: its own, its site directories', and the
        portal a directory led to (once the portal named the government)."""
        return self._hosts[source.id]

    def _allow_host(self, source: Source, host: str | None) -> None:
        if host and host.lower() not in self._hosts[source.id]:
            self._hosts[source.id].add(host.lower())
            self._by_host.setdefault(host.lower(), []).append(source.id)

    def profile_of(self, source: Source, html: str = "", url: str = "", known: str | None = None) -> Profile:
        """How to read this source's lists: ``known`` (what an earlier page showed), the
        source's ``cms:`` override, else the family this page shows, else ``unknown``."""
        if known:
            profile = load_profiles()[known]
        elif source.cms != "unknown":
            profile = profile_for(source.cms)
        else:
            profile = detect_profile(html, url) if (html or url) else None
            profile = profile or profile_for("unknown")
        if source.browser and not profile.browser:
            profile = Profile(**{**profile.__dict__, "browser": True})
        return profile

    def max_list_pages(self, source: Source) -> int:
        return limits_for(source, self.crawler.settings)["max_pages"]

    def _meta(self, source: Source, kind: str, found_by: str, depth: int, **extra: Any) -> dict[str, Any]:
        return {"nianbao": {"source": source.id, "kind": kind, "found_by": found_by, "depth": depth, **extra}}

    def list_request(
        self,
        url: str,
        source: Source,
        found_by: str,
        depth: int,
        referer: str | None = None,
        profile: str | None = None,
    ) -> Request:
        # Rendered in Chromium when the source says so, or the family it is known to be does.
        known = self.profile_of(source, known=profile) if (profile or source.cms != "unknown") else None
        meta = self._meta(source, "list", found_by, depth, list_page=referer)
        if source.browser or (known is not None and known.browser):
            meta["playwright"] = True
            meta["playwright_page_methods"] = [PageMethod("wait_for_load_state", "networkidle")]
            wait_for = known.wait_for if known is not None else "a[href]"
            if wait_for:
                meta["playwright_page_methods"].append(PageMethod("wait_for_selector", wait_for))
            meta["nianbao"]["found_by"] = "browser" if found_by == "column" else found_by
            # The JSON the page's own script fetches is read as a list too (capture_json).
            meta["playwright_page_event_handlers"] = {"response": "capture_json"}
        return Request(
            url,
            callback=self.parse_list,
            errback=self.on_error,
            meta=meta,
            cb_kwargs={"source_id": source.id, "profile": profile},
        )

    def document_request(
        self, link: Link, source: Source, response: Response, kind: str, parent: dict[str, Any] | None = None
    ) -> Request:
        """A request for a report's detail page or attachment; ``parent`` is what the detail
        page that linked it knew (title, year, date), for an attachment of a detail page."""
        via = response.meta.get("nianbao", {})
        from_detail = via.get("kind") in ("detail", "attachment")
        parent = parent or {}
        found_by = "detail" if from_detail else (via.get("found_by") or "column")
        report = {
            "title": link.label if link.is_report or not parent.get("title") else parent["title"],
            "year": link.year or parent.get("year"),
            "published": link.published or parent.get("published"),
        }
        meta = self._meta(
            source,
            kind,
            found_by,
            via.get("depth", 0) + 1,
            anchor_text=link.label or None,
            published=report["published"],
            list_page=via.get("list_page") if from_detail else response.url,
        )
        return Request(
            link.url,
            callback=self.parse_document,
            errback=self.on_error,
            meta=meta,
            cb_kwargs={"source_id": source.id, "report": report},
        )

    @staticmethod
    def archive_role(
        kind: str | None, url: str, headers: list[tuple[str, str]], body: bytes, status: int
    ) -> str:
        """What the archive records a response as ("report", "page", "robots"): the
        spider's decision, which the archive middleware asks for and writes down."""
        return document_role(kind, url, headers, body, status)

    def wanted(self, link: Link) -> bool:
        """A report link of a year we want (``since``)."""
        if not link.is_report:
            return False
        return self.since is None or link.year is None or link.year >= self.since

    @staticmethod
    def page_text(response: Response) -> str:
        """The page's text, at most its first ``PAGE_SCAN_BYTES``: the callbacks run in the
        reactor, and a list or detail page's links are in its first megabytes."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        return decode_html(response.body, ctype, limit=PAGE_SCAN_BYTES)

    # -- the crawl -------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        skipped = []
        for source in self.sources:
            if source.columns:
                for url in source.columns:
                    yield self.list_request(url, source, "column", 0)
            elif source.homepage:
                yield self._discovery_request(source.homepage, source, 0)
            elif source.directories:
                for url in source.directories:
                    yield Request(
                        url,
                        callback=self.parse_directory,
                        errback=self.on_error,
                        meta=self._meta(source, "discovery", "directory", 0),
                        cb_kwargs={"source_id": source.id},
                    )
            else:
                skipped.append(source.id)
        if skipped:
            self.logger.info(
                "%d source(s) with no homepage, column or site directory to start from: %s",
                len(skipped),
                ", ".join(skipped[:10]) + (" …" if len(skipped) > 10 else ""),
            )

    def _discovery_request(self, url: str, source: Source, depth: int, anchor: str | None = None) -> Request:
        return Request(
            url,
            callback=self.parse_discovery,
            errback=self.on_error,
            meta=self._meta(source, "discovery", "discovery", depth, anchor_text=anchor),
            cb_kwargs={"source_id": source.id},
        )

    def parse_directory(self, response: Response, source_id: str) -> Iterable[Request]:
        """A site directory (政府网站导航, 县市区 links): follow the links that name the government."""
        source = self.sources_by_id[source_id]
        links = directory_links(self.page_text(response), response.url, source)
        if not links:
            self.logger.info("%s: %s names no link %s", source.id, response.url, source.name)
        for link in links[:3]:
            self._allow_host(source, urlsplit(link.url).hostname)
            yield Request(
                link.url,
                callback=self.parse_candidate,
                errback=self.on_error,
                meta=self._meta(source, "discovery", "directory", 1, anchor_text=link.label),
                cb_kwargs={"source_id": source.id},
            )

    def parse_candidate(self, response: Response, source_id: str) -> Iterable[Request]:
        """A portal a directory linked: accepted only when the page names the government."""
        source = self.sources_by_id[source_id]
        html = self.page_text(response)
        if not names_government(html, source):
            self.logger.warning(
                "%s: %s does not name %s; not its portal", source.id, response.url, source.name
            )
            return
        self.logger.info("%s: portal found from a site directory: %s", source.id, response.url)
        self._allow_host(source, urlsplit(response.url).hostname)  # where a redirect landed
        yield from self.parse_discovery(response, source_id)

    def parse_discovery(self, response: Response, source_id: str) -> Iterable[Request]:
        source = self.sources_by_id[source_id]
        depth = response.meta["nianbao"].get("depth", 0)
        found = discover(self.page_text(response), response.url)
        if found.columns:
            best = found.columns[:2]
            self.logger.info("%s: report column found by discovery: %s", source.id, [c.url for c in best])
            for link in best:
                yield self.list_request(link.url, source, "discovery", depth + 1, referer=response.url)
        elif depth < DISCOVERY_DEPTH:
            for link in found.hubs[:5]:
                yield self._discovery_request(link.url, source, depth + 1, link.label)
        else:
            self.logger.warning("%s: no report column found from %s", source.id, source.homepage)

    def parse_list(self, response: Response, source_id: str, profile: str | None = None) -> Iterable[Request]:
        source = self.sources_by_id[source_id]
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if looks_like_json(response.body, ctype) and not response.meta.get("playwright"):
            # A column URL that answers JSON: a list API of its own, paged by its page parameter.
            yield from self.parse_json(
                response, source_id, None, None, json_page_number(response.url), "first"
            )
            return
        if response.meta.get("playwright"):
            yield from self._captured_lists(response, source)
        html = self.page_text(response)
        chosen = self.profile_of(source, html, response.url, known=profile)
        if chosen.name != "unknown" and profile is None and source.cms == "unknown":
            self.logger.info("%s: %s is a %s list", source.id, response.url, chosen.name)
        budget = self.max_list_pages(source)
        page = read_list_page(html, response.url, chosen, max_pages=budget)
        yield from self._report_requests(page.links, source, response)
        depth = response.meta["nianbao"].get("depth", 0)
        for url in page.next_pages:
            yield self.list_request(url, source, "pager", depth, referer=response.url, profile=chosen.name)
        for window in page.proxy_requests:
            yield self._proxy_request(window, source, depth, response.url)
        mode = "counted" if page.api_counted else "first"
        for api in page.api_requests:
            yield self._api_request(api, source, depth, response.url, chosen.name, page.api_values, mode)

    async def capture_json(self, response: Any) -> None:
        """Chromium's answer to a request the page made (a Playwright response): JSON from
        the source's own hosts is kept for :meth:`_captured_lists`, archived there."""
        request = response.request
        if request.resource_type not in ("xhr", "fetch") or not 200 <= response.status < 300:
            return
        source = self.source_for_url(response.url)
        if source is None:
            return  # another host: not the source's list, and never read
        try:
            length = int(response.headers.get("content-length") or 0)
            if length > CAPTURE_MAX_BYTES:
                return
            body = await response.body()
        except Exception as exc:  # the page navigated away, the body was evicted
            self.logger.debug("capture of %s failed: %s", response.url, exc)
            return
        if len(body) > CAPTURE_MAX_BYTES or not looks_like_json(body, response.headers.get("content-type")):
            return
        page = response.frame.page.url.split("#", 1)[0]
        self._captured.setdefault(page, []).append(
            {
                "url": response.url,
                "status": response.status,
                "method": request.method,
                "request_headers": list(request.headers.items()),
                "request_body": (request.post_data_buffer or b""),
                "response_headers": list(response.headers.items()),
                "body": body,
            }
        )

    def _captured_lists(self, response: Response, source: Source) -> Iterator[Request]:
        """The JSON lists the rendered page fetched: archived, then read like an API's."""
        run = ArchiveRun.of(self.crawler)
        for captured in self._captured.pop(response.url.split("#", 1)[0], []):
            if run.active:
                run.archive.record(
                    run.run_id,
                    Fetch(
                        url=captured["url"],
                        status=captured["status"],
                        method=captured["method"],
                        body=captured["body"],
                        request_headers=captured["request_headers"],
                        response_headers=[
                            *captured["response_headers"],
                            (
                                "X-Nianbao-Captured-By",
                                "chromium (scrapy-playwright), from the page's own request",
                            ),
                        ],
                        request_body=captured["request_body"],
                        source=source.id,
                        referer=response.url,
                        found_by="browser",
                        list_page=response.url,
                    ),
                )
            data = loads(captured["body"])
            if data is not None:
                yield from self._report_requests(
                    read_json_list(data, captured["url"]).links, source, response
                )

    def _api_request(
        self,
        api: ApiRequest,
        source: Source,
        depth: int,
        list_page: str | None,
        profile: str | None,
        values: dict[str, str] | None,
        mode: str = "first",
    ) -> Request:
        """One page of a JSON list API (the profile's template, or a bare JSON column URL).

        ``mode``: ``first`` reads the API's count and asks for the rest at once;
        ``chain`` asks for the next page while pages bring new links; ``counted``: every
        page was already asked for.
        """
        kwargs = {
            "source_id": source.id,
            "profile": profile,
            "values": values,
            "page": api.page,
            "mode": mode,
        }
        meta = self._meta(source, "list", "api", depth, list_page=list_page)
        if api.method == "POST":
            return FormRequest(
                api.url,
                formdata=api.formdata,
                callback=self.parse_json,
                errback=self.on_error,
                meta=meta,
                cb_kwargs=kwargs,
            )
        return Request(api.url, callback=self.parse_json, errback=self.on_error, meta=meta, cb_kwargs=kwargs)

    def parse_json(
        self,
        response: Response,
        source_id: str,
        profile: str | None,
        values: dict[str, str] | None,
        page: int,
        mode: str,
    ) -> Iterable[Request]:
        source = self.sources_by_id[source_id]
        data = loads(response.body)
        if data is None:
            self.logger.warning("%s: list API answered no JSON: %s", source.id, response.url)
            return
        listed = read_json_list(data, response.url)
        seen = self._listed.setdefault(source.id, set())
        fresh = [link for link in listed.links if link.url not in seen]
        seen.update(link.url for link in fresh)
        yield from self._report_requests(listed.links, source, response)
        if mode == "counted":
            return
        api = load_profiles()[profile].json if profile else None
        size = int(values["size"]) if values and str(values.get("size", "")).isdigit() else None
        # The source's page limit bounds the pages before any request is built.
        last_allowed = page + self.max_list_pages(source) - 1
        last = pages_needed(listed, size) if mode == "first" else None
        if last is not None:
            following = "counted"
        else:
            # No count: one page at a time, until an empty page or one that repeats what
            # was listed (a page parameter the API ignores).
            last, following = (page + 1 if fresh else page), "chain"
        depth = response.meta["nianbao"].get("depth", 0)
        list_page = response.meta["nianbao"].get("list_page") or response.url
        for request in json_next_pages(api, values, response.url, page, min(last, last_allowed)):
            yield self._api_request(request, source, depth, list_page, profile, values, following)

    def parse_proxy(
        self, response: Response, source_id: str, proxy: dict[str, str], endpoint: str
    ) -> Iterable[Request]:
        source = self.sources_by_id[source_id]
        links, total = dataproxy_records(self.page_text(response), response.url)
        yield from self._report_requests(links, source, response)
        # The first window tells the total; ask for the rest (the dupefilter drops repeats).
        if total and "startrecord=1&" in response.url:
            windows = dataproxy_windows(
                endpoint,
                proxy,
                total,
                self.profile_of(source, known="hanweb"),
                max_requests=self.max_list_pages(source),
            )
            for window in windows:
                yield self._proxy_request(
                    window,
                    source,
                    response.meta["nianbao"].get("depth", 0),
                    response.meta["nianbao"].get("list_page"),
                )

    def _proxy_request(
        self, window: ProxyRequest, source: Source, depth: int, list_page: str | None
    ) -> FormRequest:
        """One window of a Hanweb data-proxy list."""
        proxy = {**window.formdata, "perpage": str(window.perpage)}
        endpoint = window.url.split("?", 1)[0]
        return FormRequest(
            window.url,
            formdata=window.formdata,
            callback=self.parse_proxy,
            errback=self.on_error,
            meta=self._meta(source, "list", "dataproxy", depth, list_page=list_page),
            cb_kwargs={"source_id": source.id, "proxy": proxy, "endpoint": endpoint},
        )

    def _report_requests(
        self, links: Iterable[Link], source: Source, response: Response
    ) -> Iterator[Request]:
        for link in links:
            if self.wanted(link):
                kind = "attachment" if link.is_attachment else "detail"
                yield self.document_request(link, source, response, kind)

    def parse_document(
        self, response: Response, source_id: str, report: dict[str, Any]
    ) -> Iterable[ReportDocument | Request]:
        meta = response.meta["nianbao"]
        source = self.sources_by_id[source_id]
        if response.meta.get("nianbao_role") == "report":
            yield self.report_item(response, source, report)
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if meta["kind"] != "detail" or not looks_like_html(response.body, ctype):
            return
        # A detail page: the report may be an attachment linked from it.
        for link in page_links(self.page_text(response), response.url):
            if link.url == response.url:
                continue
            label = clean_text(link.label)
            if is_attachment_url(link.url) or label.lower().endswith(
                tuple(f".{e}" for e in ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd"))
            ):
                yield self.document_request(link, source, response, "attachment", report)
            elif any(w in label for w in _ATTACHMENT_WORDS) or (
                link.is_report and "download" in link.url.lower()
            ):
                yield self.document_request(link, source, response, "attachment", report)

    def report_item(self, response: Response, source: Source, report: dict[str, Any]) -> ReportDocument:
        meta = response.meta["nianbao"]
        row = response.meta.get("nianbao_fetch") or {}
        return ReportDocument(
            source=source.id,
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            status=response.status,
            sha256=row.get("sha256"),
            fetch_id=row.get("id"),
            content_type=row.get("content_type"),
            content_length=row.get("content_length"),
            title=report.get("title") or meta.get("anchor_text"),
            year=report.get("year"),
            published=report.get("published"),
            found_by=meta.get("found_by"),
            list_page=meta.get("list_page"),
            referer=(response.request.headers.get("Referer") or b"").decode("latin-1") or None
            if response.request
            else None,
            is_new=bool(row.get("is_new")),
            not_modified=bool(response.meta.get("nianbao_not_modified"))
            or row.get("warc_record_type") == "revisit",
        )

    def on_error(self, failure: Any) -> None:
        request = getattr(failure, "request", None)
        self.logger.info("failed: %s (%s)", getattr(request, "url", "?"), failure.getErrorMessage())
