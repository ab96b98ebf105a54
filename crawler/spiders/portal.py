"""The generic spider: ``scrapy crawl portal -a sources=FILE -a source=ID[,ID…] [-a since=YEAR]``.

Without ``sources`` it reads the shipped registry; without ``source`` it crawls
every source in the file.
"""

from __future__ import annotations

from nianbao.crawler.spiders.base import ReportSpider


class PortalSpider(ReportSpider):
    name = "portal"
