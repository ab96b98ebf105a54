"""Downloader middlewares: safety, conditional requests, and the archive of every response.

Order (``DOWNLOADER_MIDDLEWARES`` in settings.py) matters:

- ``SafetyMiddleware`` (60) runs first on every request, redirects and robots.txt
  included: it refuses foreign hosts, private/loopback/link-local addresses (after
  resolving the name) for non-local sources, and enforces per-source limits.
- ``RunReplayMiddleware`` (930) answers a request this run already archived (a crawl
  killed and started again) from the archive, so nothing archived is asked for twice;
  the spider reads the stored response as it read the original.
- ``ConditionalRequestMiddleware`` (940) adds If-None-Match / If-Modified-Since
  from the archive, and turns a 304 back into the stored body so the spider can
  still read an unchanged list page.
- ``ArchiveMiddleware`` (950) sits next to the downloader: it sees the request with
  its final headers and each response as it came off the wire (still gzip-encoded,
  every 301 and every 500 before a retry), and each failed attempt. It only archives:
  whether a response is a report is the spider's decision (``archive_role``).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

from nianbao.archive import Fetch
from nianbao.crawler.limits import limits_for
from nianbao.crawler.run_record import ArchiveRun
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)


class UnsafeRequest(IgnoreRequest):
    """A request the safety rules refuse (foreign host, private address, over a limit)."""


def nianbao_meta(request: Request) -> dict[str, Any]:
    return request.meta.get("nianbao") or {}


def _source_of(crawler: Crawler, request: Request) -> Any:
    spider = crawler.spider
    sid = nianbao_meta(request).get("source")
    if sid and hasattr(spider, "sources_by_id"):
        return spider.sources_by_id.get(sid)
    if hasattr(spider, "source_for_url"):
        return spider.source_for_url(request.url)
    return None


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str) -> list[str]:
    """Every address a host name resolves to (a literal address resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


class SafetyMiddleware:
    """Stay on the source's own hosts, off internal networks, and within its limits."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._resolved: dict[str, list[str]] = {}
        self._requests: dict[str, int] = {}
        self._started: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        return cls(crawler)

    def limits_for(self, source: Any) -> dict[str, int]:
        return limits_for(source, self.crawler.settings)

    def _refuse(self, request: Request, source: Any, why: str) -> None:
        sid = getattr(source, "id", None)
        try:
            ArchiveRun.of(self.crawler).count(sid, "refused")
        except Exception:  # the run extension is optional for this check
            self.crawler.stats.inc_value("nianbao/refused")
        logger.warning("refused %s (%s): %s", request.url, sid or "no source", why)
        raise UnsafeRequest(f"refused {request.url}: {why}")

    def check_address(self, host: str, local: bool) -> str | None:
        """Why a host may not be fetched, or None when it may."""
        if local:
            return None
        if host not in self._resolved:
            try:
                self._resolved[host] = resolve(host)
            except OSError as exc:
                return f"cannot resolve {host}: {exc}"
        for address in self._resolved[host]:
            if not is_public_address(address):
                return f"{host} resolves to non-public address {address}"
        return None

    def process_request(self, request: Request, spider: Any = None) -> None:
        source = _source_of(self.crawler, request)
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            self._refuse(request, source, f"not an http(s) URL: {parts.scheme}")
        if source is None:
            self._refuse(request, None, f"no source claims host {host}")
        spider = self.crawler.spider
        hosts = spider.hosts_of(source) if hasattr(spider, "hosts_of") else source.allowed_hosts
        if host not in hosts:
            self._refuse(request, source, f"{host} is not one of {source.id}'s hosts {sorted(hosts)}")
        why = self.check_address(host, bool(source.local))
        if why:
            self._refuse(request, source, why)
        limits = self.limits_for(source)
        request.meta.setdefault("download_maxsize", limits["max_bytes"])
        if (
            request.meta.get("redirect_times")
            or request.meta.get("retry_times")
            or parts.path == "/robots.txt"
        ):
            return None  # a redirect, retry or robots.txt continues an admitted request
        depth = nianbao_meta(request).get("depth", 0)
        if depth > limits["max_depth"]:
            self._refuse(request, source, f"depth {depth} > {limits['max_depth']}")
        started = self._started.setdefault(source.id, time.monotonic())
        if time.monotonic() - started > limits["max_seconds"]:
            self._refuse(request, source, f"time limit of {limits['max_seconds']} s reached")
        count = self._requests.get(source.id, 0) + 1
        if count > limits["max_pages"]:
            self._refuse(request, source, f"page limit of {limits['max_pages']} reached")
        self._requests[source.id] = count
        return None


REPLAYED = "nianbao-replayed"  # the flag of a response served from this run's archive


def _stored_response(
    request: Request, url: str, headers: Any, body: bytes, content_type: str | None, flags: list[str]
) -> Response:
    """A 200 with a stored body (Content-Encoding and Content-Length dropped: the body is plain)."""
    headers = headers.copy()
    if content_type and b"Content-Type" not in headers:
        headers[b"Content-Type"] = content_type.encode("latin-1", "replace")
    headers.pop(b"Content-Encoding", None)
    headers.pop(b"Content-Length", None)
    cls = responsetypes.from_args(headers=headers, url=url, body=body[:5000])
    return cls(url=url, status=200, headers=headers, body=body, request=request, flags=flags)


class RunReplayMiddleware:
    """What this run has archived is not asked for again: the stored response is the answer.

    A crawl killed with ``kill -9`` leaves Scrapy's JOBDIR without its queue (written only on
    a clean close), so the crawl starts again from its start URLs (``ArchiveRun`` drops the
    torn JOBDIR state). Every request this run already archived a usable response for
    (2xx, a 304 of a stored body, or a redirect) is answered from the archive, with
    ``nianbao_fetch``/``nianbao_role`` of the stored row: list pages lead to the same links,
    reports give the same items, and only what was never archived goes out. A stored error
    (4xx, 5xx) or failure is asked again, and so are browser requests (their page's own
    requests cannot be replayed). A POST matches only with the same form body.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReplayMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> Response | None:
        run = ArchiveRun.of(self.crawler)
        if not run.active or request.meta.get("playwright"):
            return None
        row = run.archive.fetched_in_run(run.run_id, request.url, request.method, request.body)
        if row is None or not row.get("sha256"):
            return None
        status = row["status"] or 0
        if not (200 <= status < 400):
            return None  # an error: ask again, as a retry would
        try:
            body = run.archive.get(row["sha256"])
        except Exception:  # the blob is gone (verify says so): fetch it again
            return None
        headers = Headers([(k, v) for k, v in json.loads(row["response_headers_json"] or "[]")])
        url = row["final_url"] or request.url
        request.meta["nianbao_fetch"] = row
        request.meta["nianbao_role"] = row["role"]
        source = row["source"]
        if status == 304 or 200 <= status < 300:
            if status == 304 or row["warc_record_type"] == "revisit":
                request.meta["nianbao_not_modified"] = True
            response = _stored_response(request, url, headers, body, row["content_type"], [REPLAYED])
            if row["role"] != "robots":
                run.count(source, "pages" if row["role"] == "page" else "documents")
        else:  # a redirect: RedirectMiddleware follows its Location to the next stored hop
            headers.pop(b"Content-Length", None)
            headers.pop(b"Content-Encoding", None)
            response = Response(
                url=url, status=status, headers=headers, body=body, request=request, flags=[REPLAYED]
            )
        run.count(source, "replayed")
        return response


class ConditionalRequestMiddleware:
    """Ask only for what changed; give the spider the stored body of what did not."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        run = ArchiveRun.of(self.crawler)
        if not run.active or request.method != "GET" or request.meta.get("playwright"):
            return None  # a browser navigation cannot use a 304
        last = run.archive.last_fetch(request.url)
        if (
            not last
            or not last.get("sha256")
            or not (200 <= (last.get("status") or 0) < 300 or last.get("status") == 304)
        ):
            return None
        if last.get("etag"):
            request.headers.setdefault(b"If-None-Match", last["etag"])
        if last.get("last_modified"):
            request.headers.setdefault(b"If-Modified-Since", last["last_modified"])
        request.meta["nianbao_stored_sha256"] = last["sha256"]
        request.meta["nianbao_stored_role"] = last.get("role")
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        sha256 = request.meta.get("nianbao_stored_sha256")
        if response.status != 304 or not sha256:
            return response
        run = ArchiveRun.of(self.crawler)
        body = run.archive.get(sha256)
        row = request.meta.get("nianbao_fetch") or {}
        request.meta["nianbao_not_modified"] = True
        stored = _stored_response(
            request,
            response.url,
            response.headers,
            body,
            row.get("content_type"),
            [*response.flags, "not-modified"],
        )
        return stored.replace(protocol=response.protocol)


_CHUNK = 64 * 1024


class _TooLarge(Exception):
    pass


def _inflate(body: bytes, wbits: int, max_size: int) -> bytes:
    """zlib/gzip/raw deflate, every gzip member, stopping past ``max_size`` bytes of output."""
    out, size, data = [], 0, body
    while data:
        engine = zlib.decompressobj(wbits)
        chunk = engine.decompress(data, _CHUNK)
        while True:
            size += len(chunk)
            if max_size and size > max_size:
                raise _TooLarge
            out.append(chunk)
            if engine.eof or not engine.unconsumed_tail:
                break
            chunk = engine.decompress(engine.unconsumed_tail, _CHUNK)
        data = engine.unused_data if engine.eof and wbits == 31 else b""
    return b"".join(out)


def _unbrotli(body: bytes, max_size: int) -> bytes:
    import brotli  # optional, as in Scrapy

    engine = brotli.Decompressor()
    out, size = [engine.process(body, output_buffer_limit=_CHUNK)], 0
    while True:
        size += len(out[-1])
        if max_size and size > max_size:
            raise _TooLarge
        if engine.is_finished():
            break
        chunk = engine.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            break
        out.append(chunk)
    return b"".join(out)


def _decode_content(body: bytes, encoding: str, max_size: int = 0) -> bytes | None:
    """Remove a Content-Encoding, never producing more than ``max_size`` bytes (a
    decompression bomb); None when it cannot be undone here, or only past the limit."""
    enc = encoding.strip().lower()
    try:
        if enc in ("gzip", "x-gzip"):
            return _inflate(body, 31, max_size)
        if enc == "deflate":
            try:
                return _inflate(body, zlib.MAX_WBITS, max_size)
            except zlib.error:
                return _inflate(body, -zlib.MAX_WBITS, max_size)
        if enc == "br":
            return _unbrotli(body, max_size)
    except _TooLarge:
        logger.warning(
            "a %s body decodes to more than %d bytes: archived as sent, not decoded", enc, max_size
        )
        return None
    except Exception:
        return None
    return None


class ArchiveMiddleware:
    """Hand every exchange to the archive: list pages, reports, robots.txt, errors, failures."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        return cls(crawler)

    def _fetch(self, request: Request, response: Response) -> Fetch:
        meta = nianbao_meta(request)
        request_headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs
        ]
        response_headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs
        ]
        raw = response.body
        body, decoded = raw, None
        encoding = response.headers.get(b"Content-Encoding")
        if encoding and raw:
            limit = request.meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            plain = _decode_content(raw, encoding.decode("latin-1"), limit)
            if plain is not None:
                body, decoded = plain, encoding.decode("latin-1")
        if request.meta.get("playwright"):
            # The body is Chromium's rendering of the page, not the bytes the server sent: say so.
            response_headers.append(("X-Nianbao-Rendered-By", "chromium (scrapy-playwright)"))
            decoded, raw = None, None
        source = _source_of(self.crawler, request)
        # What the response is (a report, a page, robots.txt) is the spider's call.
        spider = self.crawler.spider
        role = (
            spider.archive_role(meta.get("kind"), request.url, response_headers, body, response.status)
            if hasattr(spider, "archive_role")
            else ("robots" if urlsplit(request.url).path == "/robots.txt" else "page")
        )
        if response.status == 304 and request.meta.get("nianbao_stored_role"):
            role = request.meta["nianbao_stored_role"]  # unchanged: what it was last time
        referer = request.headers.get(b"Referer")
        return Fetch(
            url=request.url,
            final_url=response.url,
            status=response.status,
            method=request.method,
            body=body,
            raw_body=raw if decoded else None,
            decoded_content_encoding=decoded,
            request_headers=request_headers,
            response_headers=response_headers,
            request_body=request.body or b"",
            source=getattr(source, "id", None),
            referer=referer.decode("latin-1") if referer else None,
            anchor_text=meta.get("anchor_text"),
            found_by=meta.get("found_by"),
            role=role,
            list_page=meta.get("list_page"),
            published=meta.get("published"),
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        )

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        run = ArchiveRun.of(self.crawler)
        if not run.active or REPLAYED in response.flags:
            return response  # a replayed response is already archived
        fetch = self._fetch(request, response)
        row = run.archive.record(run.run_id, fetch)
        request.meta["nianbao_fetch"] = row
        request.meta["nianbao_role"] = fetch.role
        if fetch.role != "robots" and (response.status < 300 or response.status == 304):
            run.count(fetch.source, "pages" if fetch.role == "page" else "documents")
        if response.status >= 400:
            run.count(fetch.source, "errors")
        return response

    def process_exception(self, request: Request, exception: BaseException, spider: Any = None) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # refused or disallowed: nothing was fetched
        run = ArchiveRun.of(self.crawler)
        if not run.active:
            return None
        meta = nianbao_meta(request)
        source = _source_of(self.crawler, request)
        referer = request.headers.get(b"Referer")
        run.archive.record_failure(
            run.run_id,
            request.url,
            getattr(source, "id", None),
            f"{type(exception).__name__}: {exception}",
            method=request.method,
            referer=referer.decode("latin-1") if referer else None,
            anchor_text=meta.get("anchor_text"),
            found_by=meta.get("found_by"),
            role="robots" if urlsplit(request.url).path == "/robots.txt" else "page",
            list_page=meta.get("list_page"),
        )
        run.count(getattr(source, "id", None), "errors")
        return None
