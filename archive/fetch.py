"""One HTTP exchange as the crawler hands it to the archive."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

Header = tuple[str, str]

ROLES = ("report", "page", "robots")


def utc_now_iso() -> str:
    """Now, as ISO 8601 UTC with microseconds and a ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise_headers(headers: Iterable[tuple[str | bytes, str | bytes]] | None) -> list[Header]:
    """Header pairs as ``str``, order and duplicates kept.

    Bytes are decoded as Latin-1, the wire encoding of HTTP/1.1 headers, so every
    byte survives the round trip (GBK filenames in Content-Disposition included).
    """
    out: list[Header] = []
    for name, value in headers or ():
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        out.append((str(name), str(value)))
    return out


def header_value(headers: Sequence[Header], name: str) -> str | None:
    """The first value of a header, matched case-insensitively."""
    lname = name.lower()
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


@dataclass
class Fetch:
    """A request and its response, as fetched.

    ``body`` is the entity body the crawler sees (after Scrapy's
    HttpCompressionMiddleware, if it decoded one: then set
    ``decoded_content_encoding`` to the encoding it removed, e.g. ``"gzip"``).
    Give ``raw_body`` too when you have the bytes as they came on the wire (still
    content-encoded): the WARC record then stores those with the headers unchanged,
    the most faithful form. The content-addressed store always keeps ``body``.

    For a very large body, give ``body_path`` (a file holding the body) instead of
    ``body``; it is streamed, never read into memory whole.
    """

    url: str
    status: int
    body: bytes = b""
    final_url: str | None = None
    method: str = "GET"
    request_headers: list[Header] = field(default_factory=list)
    response_headers: list[Header] = field(default_factory=list)
    fetched_at: str = field(default_factory=utc_now_iso)
    source: str | None = None
    referer: str | None = None
    anchor_text: str | None = None
    found_by: str | None = None  # "column", "pager", "dataproxy", "browser", "discovery" …
    role: str = "page"  # "report" | "page" | "robots"
    list_page: str | None = None  # the list page the link was found on
    decoded_content_encoding: str | None = None
    published: str | None = None  # "YYYY-MM-DD" if the list or detail page gave one
    raw_body: bytes | None = None
    body_path: Path | None = None
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"Fetch.role must be one of {ROLES}, not {self.role!r}")
        if not isinstance(self.status, int) or not 100 <= self.status <= 599:
            raise ValueError(f"Fetch.status must be an HTTP status code, not {self.status!r}")
        if self.body and self.body_path is not None:
            raise ValueError("give Fetch.body or Fetch.body_path, not both")
        if self.body_path is not None:
            self.body_path = Path(self.body_path)
            if not self.body_path.is_file():
                raise ValueError(f"Fetch.body_path {self.body_path} is not a file")
        self.request_headers = normalise_headers(self.request_headers)
        self.response_headers = normalise_headers(self.response_headers)
        if self.final_url is None:
            self.final_url = self.url

    @property
    def body_length(self) -> int:
        if self.body_path is not None:
            return self.body_path.stat().st_size
        return len(self.body)

    @property
    def content_type(self) -> str | None:
        return header_value(self.response_headers, "Content-Type")
