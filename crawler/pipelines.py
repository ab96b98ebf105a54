"""The chain for report items: drop duplicates by content, count new against unchanged."""

from __future__ import annotations

import logging
from typing import Any

from nianbao.crawler.items import ReportDocument
from nianbao.crawler.run_record import ArchiveRun
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)


class DuplicateContentPipeline:
    """One item per distinct body in a run: the same PDF linked from two pages is one report."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicateContentPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, ReportDocument) or not item.sha256:
            return item
        first = self.seen.setdefault(item.sha256, item.url)
        if first != item.url:
            ArchiveRun.of(self.crawler).count(item.source, "duplicates")
            raise DropItem(f"same content as {first}: {item.url}")
        return item


class SourceStatsPipeline:
    """Per source: reports found, new (bytes never archived before) and unchanged."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceStatsPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, ReportDocument):
            run = ArchiveRun.of(self.crawler)
            run.count(item.source, "reports")
            run.count(item.source, "new" if item.is_new else "unchanged")
        return item
