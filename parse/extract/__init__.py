"""Extractors: one per document kind, each turning bytes into printed lines.

Every extractor returns an ``Extracted``: the document's lines in reading order, with
table cells separated by tabs, plus what the container itself says (a title in HTML
meta, a publication date). The report parser reads only this, whatever the kind.
"""

from __future__ import annotations

from dataclasses import dataclass


class ExtractionError(Exception):
    """The document cannot be read: the message says why, for the record's errors."""


@dataclass
class Extracted:
    lines: list[str]
    kind: str
    path: str  # how it was read: "text", "html", "pdf-fast", "pdf-geometric", "docx", "doc", "ocr"
    title_hint: str | None = None
    published: str | None = None
