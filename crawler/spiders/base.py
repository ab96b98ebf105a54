"""``ReportSpider``: the shared logic of every nianbao spider.

A source's crawl: its column URL(s) (or, without one, discovery from the homepage)
-> list pages (paged per CMS profile) -> report links -> detail pages and
attachments -> one :class:`ReportDocument` per document that holds a report. The
bytes themselves are archived by ``ArchiveMiddleware`` as they are downloaded;
callbacks only decide what to follow.

Thin spiders set ``source_id`` (one portal) and nothing else; ``portal`` takes
``-a sources=FILE -a source=ID[,ID…]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import FormRequest, Request, Response
from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from crawler.discovery import discover
from crawler.encoding import decode_html, looks_like_html
from crawler.items import ReportDocument
from crawler.list_page import dataproxy_records, dataproxy_windows, page_links, read_list_page
from crawler.profiles import Profile, profile_for
from crawler.report_links import Link, clean_text, is_attachment_url
from crawler.settings import FAST_SETTINGS
from crawler.sources import Source, load_registry, load_sources, select_sources

# Discovery goes homepage -> open-government page -> column at most.
DISCOVERY_DEPTH = 2
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
        return spider

    # -- helpers ---------------------------------------------------------
    def source_for_url(self, url: str) -> Source | None:
        """The source whose hosts include the URL's host (for robots.txt and redirects)."""
        host = (urlsplit(url).hostname or "").lower()
        return next((s for s in self.sources if host in s.allowed_hosts), None)

    def profile_of(self, source: Source) -> Profile:
        profile = profile_for(source.cms)
        if source.browser and not profile.browser:
            profile = Profile(**{**profile.__dict__, "browser": True})
        return profile

    def _meta(self, source: Source, kind: str, found_by: str, depth: int, **extra: Any) -> dict[str, Any]:
        return {"nianbao": {"source": source.id, "kind": kind, "found_by": found_by, "depth": depth, **extra}}

    def list_request(
        self, url: str, source: Source, found_by: str, depth: int, referer: str | None = None
    ) -> Request:
        profile = self.profile_of(source)
        meta = self._meta(source, "list", found_by, depth, list_page=referer)
        if profile.browser:
            meta["playwright"] = True
            meta["playwright_page_methods"] = [PageMethod("wait_for_load_state", "networkidle")]
            if profile.wait_for:
                meta["playwright_page_methods"].append(PageMethod("wait_for_selector", profile.wait_for))
            meta["nianbao"]["found_by"] = "browser" if found_by == "column" else found_by
        return Request(url, callback=self.parse_list, meta=meta, errback=self.on_error)

    def document_request(self, link: Link, source: Source, response: Response, kind: str) -> Request:
        parent = response.meta.get("nianbao", {})
        found_by = parent.get("found_by") or "column"
        if parent.get("kind") in ("detail", "attachment"):
            found_by = "detail"
        meta = self._meta(
            source,
            kind,
            found_by,
            parent.get("depth", 0) + 1,
            anchor_text=link.label or None,
            title=link.label if link.is_report or not parent.get("title") else parent.get("title"),
            year=link.year or parent.get("year"),
            published=link.published or parent.get("published"),
            list_page=parent.get("list_page")
            if parent.get("kind") in ("detail", "attachment")
            else response.url,
        )
        return Request(link.url, callback=self.parse_document, meta=meta, errback=self.on_error)

    def wanted(self, link: Link) -> bool:
        """A report link of a year we want (``since``)."""
        if not link.is_report:
            return False
        return self.since is None or link.year is None or link.year >= self.since

    @staticmethod
    def page_text(response: Response) -> str:
        return decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1") or None)

    # -- the crawl -------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        for source in self.sources:
            if source.columns:
                for url in source.columns:
                    yield self.list_request(url, source, "column", 0)
            else:
                yield Request(
                    source.homepage,
                    callback=self.parse_discovery,
                    errback=self.on_error,
                    meta=self._meta(source, "discovery", "discovery", 0),
                )

    def parse_discovery(self, response: Response) -> Iterable[Request]:
        meta = response.meta["nianbao"]
        source = self.sources_by_id[meta["source"]]
        found = discover(self.page_text(response), response.url)
        depth = meta.get("depth", 0)
        if found.columns:
            best = found.columns[:2]
            self.logger.info("%s: report column found by discovery: %s", source.id, [c.url for c in best])
            for link in best:
                yield self.list_request(link.url, source, "discovery", depth + 1, referer=response.url)
        elif depth < DISCOVERY_DEPTH:
            for link in found.hubs[:5]:
                yield Request(
                    link.url,
                    callback=self.parse_discovery,
                    errback=self.on_error,
                    meta=self._meta(source, "discovery", "discovery", depth + 1, anchor_text=link.label),
                )
        else:
            self.logger.warning("%s: no report column found from %s", source.id, source.homepage)

    def parse_list(self, response: Response) -> Iterable[Request]:
        meta = response.meta["nianbao"]
        source = self.sources_by_id[meta["source"]]
        profile = self.profile_of(source)
        page = read_list_page(self.page_text(response), response.url, profile)
        yield from self._report_requests(page.links, source, response)
        depth = meta.get("depth", 0)
        for url in page.next_pages:
            yield self.list_request(url, source, "pager", depth, referer=response.url)
        for window in page.proxy_requests:
            proxy = {**window.formdata, "perpage": str(window.perpage)}
            yield self._proxy_request(window, source, depth, response.url, proxy, window.url.split("?", 1)[0])

    def parse_proxy(self, response: Response) -> Iterable[Request]:
        meta = response.meta["nianbao"]
        source = self.sources_by_id[meta["source"]]
        links, total = dataproxy_records(self.page_text(response), response.url)
        yield from self._report_requests(links, source, response)
        # The first window tells the total; ask for the rest (the dupefilter drops repeats).
        profile = self.profile_of(source)
        if total and "startrecord=1&" in response.url:
            for window in dataproxy_windows(meta["proxy_endpoint"], meta["proxy"], total, profile):
                yield self._proxy_request(
                    window,
                    source,
                    meta.get("depth", 0),
                    meta.get("list_page"),
                    meta["proxy"],
                    meta["proxy_endpoint"],
                )

    def _proxy_request(
        self, window, source: Source, depth: int, list_page: str | None, proxy: dict, endpoint: str
    ) -> FormRequest:  # noqa: ANN001 - window: a list_page data-proxy window
        """One window of a Hanweb data-proxy list."""
        return FormRequest(
            window.url,
            formdata=window.formdata,
            callback=self.parse_proxy,
            errback=self.on_error,
            meta=self._meta(
                source, "list", "dataproxy", depth, list_page=list_page, proxy=proxy, proxy_endpoint=endpoint
            ),
        )

    def _report_requests(
        self, links: Iterable[Link], source: Source, response: Response
    ) -> Iterator[Request]:
        for link in links:
            if self.wanted(link):
                kind = "attachment" if link.is_attachment else "detail"
                yield self.document_request(link, source, response, kind)

    def parse_document(self, response: Response) -> Iterable[ReportDocument | Request]:
        meta = response.meta["nianbao"]
        source = self.sources_by_id[meta["source"]]
        if response.meta.get("nianbao_role") == "report":
            yield self.report_item(response)
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
                yield self.document_request(link, source, response, "attachment")
            elif any(w in label for w in _ATTACHMENT_WORDS) or (
                link.is_report and "download" in link.url.lower()
            ):
                yield self.document_request(link, source, response, "attachment")

    def report_item(self, response: Response) -> ReportDocument:
        meta = response.meta["nianbao"]
        row = response.meta.get("nianbao_fetch") or {}
        return ReportDocument(
            source=meta["source"],
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            status=response.status,
            sha256=row.get("sha256"),
            fetch_id=row.get("id"),
            content_type=row.get("content_type"),
            content_length=row.get("content_length"),
            title=meta.get("title") or meta.get("anchor_text"),
            year=meta.get("year"),
            published=meta.get("published"),
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
