"""The spider's callbacks run in the reactor: a page is read for links within a bound."""

from __future__ import annotations

from nianbao.crawler.list_page import page_links
from nianbao.crawler.spiders.base import PAGE_SCAN_BYTES, ReportSpider
from scrapy.http import HtmlResponse


def test_a_huge_page_is_read_within_the_bound() -> None:
    body = b"<html><body>" + b"<div>" * 200 + b'<a href="/r.html">x</a>' + b"\xe5\xb9\xb4" * (5 * 1024 * 1024)
    response = HtmlResponse(
        "http://x.gov.cn/", body=body, headers={"Content-Type": "text/html; charset=utf-8"}
    )
    text = ReportSpider.page_text(response)
    assert len(text.encode("utf-8")) <= PAGE_SCAN_BYTES
    assert [link.url for link in page_links(text, response.url)] == ["http://x.gov.cn/r.html"]
