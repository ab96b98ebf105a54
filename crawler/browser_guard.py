"""Chromium under the crawler's rules: every request a rendered page makes — its css,
scripts, images, iframes, ``fetch`` calls — must be to the hosts of a source being
crawled, and to a public address unless that source is local, as for Scrapy's own
requests (``SafetyMiddleware``). Everything else is aborted before it leaves.

scrapy-playwright calls :func:`abort_request` (``PLAYWRIGHT_ABORT_REQUEST``) with the
Playwright request only, so the spider of the running crawl registers itself here
(one crawl per process, as ``nianbao crawl`` runs it).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

# Schemes that never reach the network.
_LOCAL_SCHEMES = ("data", "blob", "about")
_spider: weakref.ref | None = None
_addresses: dict[str, bool] = {}  # host -> every address public


def install(spider: Any) -> None:
    """Make ``spider`` (its sources' hosts) the rule for the browser's requests."""
    global _spider
    _spider = weakref.ref(spider)
    _addresses.clear()


async def _public(host: str) -> bool:
    from nianbao.crawler.middlewares import is_public_address, resolve

    if host not in _addresses:
        try:
            addresses = await asyncio.get_running_loop().run_in_executor(None, resolve, host)
        except OSError:
            addresses = []
        _addresses[host] = bool(addresses) and all(is_public_address(a) for a in addresses)
    return _addresses[host]


async def abort_request(request: Any) -> bool:
    """True (abort) for a request outside the crawl's sources or to a non-public address."""
    parts = urlsplit(request.url)
    if parts.scheme in _LOCAL_SCHEMES:
        return False
    spider = _spider() if _spider is not None else None
    host = (parts.hostname or "").lower()
    source = spider.source_for_url(request.url) if spider is not None and host else None
    if parts.scheme not in ("http", "https") or source is None:
        why = "not a source's host"
    elif source.local or await _public(host):
        return False
    else:
        why = "not a public address"
    logger.info("browser request aborted (%s): %s %s", why, request.method, request.url)
    if spider is not None:
        spider.crawler.stats.inc_value("nianbao/browser_aborted")
    return True
