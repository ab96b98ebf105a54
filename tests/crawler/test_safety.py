"""The safety middleware: own hosts only, no internal addresses unless the source is local."""

from __future__ import annotations

from pathlib import Path

import pytest
from nianbao.crawler.middlewares import SafetyMiddleware, UnsafeRequest
from nianbao.crawler.spiders.portal import PortalSpider
from scrapy import Request
from scrapy.utils.test import get_crawler

SOURCES = """
- id: remote-gov
  name: 某县人民政府
  homepage: https://www.example-county.gov.cn/
  hosts: [files.example-county.gov.cn, 10.0.0.1, 169.254.169.254, 127.0.0.1, localhost]
  limits: {max_pages: 3, max_depth: 2}
- id: local-replica
  name: 副本
  homepage: http://127.0.0.1:8000/xxx/index.html
  local: true
"""


@pytest.fixture()
def middleware(tmp_path: Path) -> SafetyMiddleware:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    crawler = get_crawler(PortalSpider, {"NIANBAO_ARCHIVE": str(tmp_path / "archive")})
    crawler._apply_settings()
    crawler.spider = crawler._create_spider(sources=str(path))
    mw = SafetyMiddleware.from_crawler(crawler)
    # No DNS here (the machine has none): the test names what the portal's host resolves to.
    mw._resolved.update(
        {
            "www.example-county.gov.cn": ["202.110.1.2"],
            "files.example-county.gov.cn": ["202.110.1.3"],
            "localhost": ["127.0.0.1"],
        }
    )
    return mw


def request(url: str, source: str, depth: int = 0) -> Request:
    return Request(url, meta={"nianbao": {"source": source, "kind": "list", "depth": depth}})


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/zwgk/",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8000/xxx/index.html",
        "http://localhost/",
        "http://[::1]/",
    ],
)
def test_internal_addresses_refused_for_a_remote_source(middleware: SafetyMiddleware, url: str) -> None:
    with pytest.raises(UnsafeRequest):
        middleware.process_request(request(url, "remote-gov"))


def test_foreign_hosts_refused(middleware: SafetyMiddleware) -> None:
    for url in (
        "https://www.baidu.com/",
        "https://evil.example-county.gov.cn.attacker.net/",
        "ftp://www.example-county.gov.cn/",
    ):
        with pytest.raises(UnsafeRequest):
            middleware.process_request(request(url, "remote-gov"))
    # A local source's own loopback host is fine; another loopback port's host still is (same host name).
    assert middleware.process_request(request("http://127.0.0.1:8000/xxx/zwgk/", "local-replica")) is None


def test_own_hosts_and_limits(middleware: SafetyMiddleware) -> None:
    ok = request("https://www.example-county.gov.cn/zwgk/", "remote-gov")
    assert middleware.process_request(ok) is None
    assert ok.meta["download_maxsize"] > 0
    assert (
        middleware.process_request(request("https://files.example-county.gov.cn/a.pdf", "remote-gov", 1))
        is None
    )
    with pytest.raises(UnsafeRequest, match="depth 3"):
        middleware.process_request(request("https://www.example-county.gov.cn/x", "remote-gov", 3))
    assert middleware.process_request(request("https://www.example-county.gov.cn/y", "remote-gov")) is None
    with pytest.raises(UnsafeRequest, match="page limit of 3"):
        middleware.process_request(request("https://www.example-county.gov.cn/z", "remote-gov"))


def test_polite_by_default_and_fast_only_for_local_sources(tmp_path: Path) -> None:
    from nianbao.crawler import settings
    from scrapy.exceptions import UsageError

    assert settings.ROBOTSTXT_OBEY and settings.AUTOTHROTTLE_ENABLED
    assert settings.CONCURRENT_REQUESTS_PER_DOMAIN <= 2 and settings.DOWNLOAD_DELAY >= 1
    assert "+https://github.com/nianbao/nianbao" in settings.USER_AGENT
    assert "ROBOTSTXT_OBEY" not in settings.FAST_SETTINGS  # --fast still obeys robots.txt
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES, encoding="utf-8")
    crawler = get_crawler(PortalSpider, {"NIANBAO_FAST": True, "NIANBAO_ARCHIVE": str(tmp_path)})
    with pytest.raises(UsageError, match="only for local sources"):
        crawler._create_spider(sources=str(path))
    assert crawler._create_spider(sources=str(path), source="local-replica").sources[0].local


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_decompression_bounded(encoding: str) -> None:
    # A bomb: 64 MiB of zeros in a few kilobytes. Decoded only within the limit.
    import gzip
    import zlib

    import brotli
    from nianbao.crawler.middlewares import _decode_content

    plain = b"\0" * (64 * 1024 * 1024)
    packed = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](plain)
    assert _decode_content(packed, encoding, max_size=1024 * 1024) is None
    assert _decode_content(packed, encoding, max_size=100 * 1024 * 1024) == plain


def test_every_gzip_member_decoded() -> None:
    import gzip

    from nianbao.crawler.middlewares import _decode_content

    assert _decode_content(gzip.compress(b"ab") + gzip.compress(b"cd"), "gzip", 100) == b"abcd"
