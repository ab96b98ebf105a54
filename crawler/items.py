"""The one item the crawler yields: a report document as fetched, with its provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class ReportDocument:
    """A document that holds a report: an attachment, or a detail page whose body is the report.

    The bytes are already in the archive (the archive middleware put them there);
    the item carries where they are (``sha256``, ``fetch_id``) and how they were found.
    """

    source: str
    url: str
    final_url: str
    status: int
    sha256: str | None
    fetch_id: int | None
    content_type: str | None
    content_length: int | None
    title: str | None  # the link's label (title attribute or anchor text)
    year: int | None  # the report's year, read from the title
    published: str | None  # YYYY-MM-DD from the list, when it shows one
    found_by: str | None  # column | pager | dataproxy | browser | discovery | detail
    list_page: str | None  # the list page the report link was on
    referer: str | None
    is_new: bool  # a body the archive had never seen
    not_modified: bool  # answered 304, or the same bytes as last time

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
